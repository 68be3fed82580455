"""The one place that writes files: atomically, never over an input, never through a symlink.

Every file readiness writes (a command's ``-o``, :mod:`readiness.io`'s writers, a report's files)
goes through this module, so three rules hold everywhere:

1. **Atomic.** The bytes go to a temporary file in the destination's own folder (same file
   system), which is flushed and ``fsync``-ed, then renamed over the destination with
   :func:`os.replace`. A reader sees the old file or the new one, never a truncated one; a killed
   process leaves the old file and at most a ``.<name>.<random>.tmp`` file beside it.
2. **Together or not at all.** :func:`write_group` writes every temporary file first, then renames
   them one after another; if any step fails, the temporary files are removed and the files
   already renamed are put back as they were (restored from hard-link backups, or removed when
   they did not exist before).
3. **Never over an input, never through a link.** A destination that is one of the run's inputs
   (same resolved path, or the same file by :func:`os.path.samefile`, e.g. a hard link) is
   refused, as is a destination that is a symbolic link or exists and is not a regular file.

Text is encoded as UTF-8 before anything touches the disk, so text that cannot be encoded (a lone
surrogate) fails without leaving a file behind. Every refusal raises
:class:`readiness.errors.OutputError` naming the path.

The functions are internal (``readiness._files``) but their API is stable within the package:
:func:`write_text`, :func:`write_bytes`, :func:`write_group`, :func:`atomic_open` and
:func:`check_output`.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Literal, TypeVar, cast, overload

from readiness.errors import OutputError

__all__ = ["atomic_open", "check_output", "write_bytes", "write_group", "write_text"]

#: Paths accepted where a destination or an input is named.
PathArg = str | os.PathLike[str]
_Key = TypeVar("_Key", bound=PathArg)


def _resolved(path: PathArg) -> Path:
    return Path(os.fspath(path)).resolve(strict=False)


def check_output(path: PathArg, inputs: Iterable[PathArg] = ()) -> Path:
    r"""Check that ``path`` may be written; return it as a :class:`~pathlib.Path`.

    Parameters
    ----------
    path : str or path-like
        The destination.
    inputs : iterable of str or path-like
        The run's input files; none of them may be written.

    Raises
    ------
    readiness.errors.OutputError
        ``path`` is a symbolic link, exists and is not a regular file, has no file name, or is one
        of ``inputs``.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "a.csv").write_text("id\n")
    3
    >>> check_output(folder / "b.csv", [folder / "a.csv"]).name
    'b.csv'
    >>> check_output(folder / "a.csv", [folder / "a.csv"])
    Traceback (most recent call last):
    ...
    readiness.errors.OutputError: ...a.csv: refusing to write over an input of this run
    >>> shutil.rmtree(folder)
    """
    out = Path(os.fspath(path))
    shown = os.fspath(path)
    if not out.name or out.name in {".", ".."}:
        raise OutputError("an output must be a file name, not a folder", path=shown)
    if out.is_symlink():
        raise OutputError("refusing to write through a symbolic link", path=shown)
    exists = out.exists()
    if exists and not out.is_file():
        raise OutputError("refusing to replace something that is not a regular file", path=shown)
    target = _resolved(out)
    for given in inputs:
        source = Path(os.fspath(given))
        same = _resolved(source) == target
        if not same and exists:
            with contextlib.suppress(OSError):
                same = source.samefile(out)
        if same:
            raise OutputError("refusing to write over an input of this run", path=shown)
    return out


def _temporary(folder: Path, name: str) -> tuple[Path, int]:
    """Create and open a new temporary file beside the destination.

    Its mode is the destination's when that exists, else 0666 less the umask (as ``open``
    would give), not the 0600 of :mod:`tempfile`.
    """
    if not folder.is_dir():
        raise OutputError("the folder of this output does not exist", path=str(folder / name))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    while True:
        temp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            handle = os.open(temp, flags, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        with contextlib.suppress(OSError):  # keep an existing file's permissions
            temp.chmod(stat.S_IMODE((folder / name).stat().st_mode))
        return temp, handle


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(handle)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(handle)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _encode(text: str, path: PathArg) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        column = error.start - text.rfind("\n", 0, error.start)
        raise OutputError(
            f"text cannot be written as UTF-8 (line {line}, column {column})",
            path=os.fspath(path),
            value=text[error.start : error.end],
        ) from None


def write_bytes(path: PathArg, data: bytes, *, inputs: Iterable[PathArg] = ()) -> Path:
    """Write ``data`` to ``path`` atomically (see the module rules); return the path.

    Raises
    ------
    readiness.errors.OutputError
        The destination is refused (:func:`check_output`).
    OSError
        The folder does not exist or cannot be written; the destination is left as it was.
    """
    return write_group({path: data}, inputs=inputs)[0]


def write_text(path: PathArg, text: str, *, inputs: Iterable[PathArg] = ()) -> Path:
    r"""Write ``text`` to ``path`` as UTF-8, atomically; return the path.

    Line ends are written as given (no translation).

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> write_text(out, "xin chào\n").read_text(encoding="utf-8")
    'xin chào\n'
    >>> write_text(out, "\ud800")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    readiness.errors.OutputError: ...out.txt: text cannot be written as UTF-8 (line 1, column 1)...
    >>> shutil.rmtree(out.parent)
    """
    return write_group({path: text}, inputs=inputs)[0]


def write_group(
    files: Mapping[_Key, str | bytes], *, inputs: Iterable[PathArg] = ()
) -> tuple[Path, ...]:
    """Write several files so that they appear together or not at all; return their paths.

    Parameters
    ----------
    files : mapping of path to str or bytes
        Destinations and their contents (text is written as UTF-8).
    inputs : iterable of str or path-like
        The run's input files; none of them may be written.

    Raises
    ------
    readiness.errors.OutputError
        A destination is refused (:func:`check_output`), named twice, or its text cannot be
        encoded; nothing is written.
    OSError
        Writing failed; no destination has changed.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in write_group({folder / "r.json": "{}", folder / "r.md": "# R"})]
    ['r.json', 'r.md']
    >>> shutil.rmtree(folder)
    """
    given = list(inputs)
    paths = [check_output(path, given) for path in files]
    seen: dict[Path, str] = {}
    for path in paths:
        key = _resolved(path)
        if key in seen:
            raise OutputError("the same file is named twice among the outputs", path=str(path))
        seen[key] = str(path)
    datas = [
        data if isinstance(data, bytes) else _encode(data, path)
        for path, data in zip(paths, files.values(), strict=True)
    ]
    temps: list[Path] = []
    try:
        for path, data in zip(paths, datas, strict=True):
            temp, handle = _temporary(path.parent, path.name)
            temps.append(temp)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        _commit(paths, temps)
    finally:
        for temp in temps:
            _remove(temp)
    return tuple(paths)


def _commit(paths: list[Path], temps: list[Path]) -> None:
    """Rename every temporary file into place; on failure put back what was there."""
    backups: list[tuple[Path, Path | None]] = []  # (destination, backup or None if new)
    try:
        for path, temp in zip(paths, temps, strict=True):
            backup = None
            if len(paths) > 1 and path.exists():
                backup, handle = _temporary(path.parent, path.name + ".old")
                os.close(handle)
                backup.unlink()
                try:
                    os.link(path, backup)
                except OSError:  # a file system without hard links
                    shutil.copy2(path, backup)
            backups.append((path, backup))
            temp.replace(path)
    except BaseException:
        for path, backup in reversed(backups):
            if backup is None:
                _remove(path)
            else:
                with contextlib.suppress(OSError):
                    backup.replace(path)
        raise
    finally:
        for _, backup in backups:
            if backup is not None:
                _remove(backup)
    for folder in {path.parent for path in paths}:
        _sync_folder(folder)


@overload
def atomic_open(
    path: PathArg,
    mode: Literal["w"] = "w",
    *,
    inputs: Iterable[PathArg] = (),
    newline: str | None = None,
) -> contextlib.AbstractContextManager[IO[str]]: ...
@overload
def atomic_open(
    path: PathArg,
    mode: Literal["wb"],
    *,
    inputs: Iterable[PathArg] = (),
    newline: str | None = None,
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
def atomic_open(
    path: PathArg,
    mode: str = "w",
    *,
    inputs: Iterable[PathArg] = (),
    newline: str | None = None,
) -> contextlib.AbstractContextManager[IO[str]] | contextlib.AbstractContextManager[IO[bytes]]:
    r"""Open ``path`` for a streaming write that replaces it atomically when the block ends.

    Text mode (``"w"``) writes UTF-8 and refuses unencodable text (the destination stays as it
    was). If the block raises, the temporary file is removed and the destination is untouched.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "rows.csv"
    >>> with atomic_open(out, newline="") as handle:
    ...     _ = handle.write("a,b\r\n")
    >>> out.read_bytes()
    b'a,b\r\n'
    >>> shutil.rmtree(out.parent)
    """
    if mode not in {"w", "wb"}:
        msg = f"atomic_open: mode must be 'w' or 'wb' (got {mode!r})"
        raise ValueError(msg)
    opened = _atomic(path, binary=mode == "wb", inputs=inputs, newline=newline)
    return cast("contextlib.AbstractContextManager[IO[str]]", opened)


@contextlib.contextmanager
def _atomic(
    path: PathArg, *, binary: bool, inputs: Iterable[PathArg], newline: str | None
) -> Iterator[IO[str] | IO[bytes]]:
    out = check_output(path, inputs)
    temp, handle = _temporary(out.parent, out.name)
    try:
        raw = os.fdopen(handle, "wb")
        with raw:
            if binary:
                yield raw
            else:
                text = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline=newline)
                try:
                    yield text
                    text.flush()
                except UnicodeEncodeError as error:
                    raise OutputError(
                        "text cannot be written as UTF-8",
                        path=os.fspath(path),
                        value=error.object[error.start : error.end],
                    ) from None
                finally:
                    text.detach()
            raw.flush()
            os.fsync(raw.fileno())
        temp.replace(out)
        _sync_folder(out.parent)
    finally:
        _remove(temp)
