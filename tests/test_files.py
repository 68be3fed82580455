"""Writing files (readiness._files): atomic, together or not at all, never over an input."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from readiness import _files
from readiness.errors import OutputError, ReadinessError


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_text_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    """A write replaces the old content and leaves no temporary file."""
    out = tmp_path / "out.csv"
    out.write_text("old", encoding="utf-8")
    assert _files.write_text(out, "new\r\n") == out
    assert out.read_bytes() == b"new\r\n"
    assert _leftovers(tmp_path) == []


def test_new_file_mode_follows_umask(tmp_path: Path) -> None:
    """A new file gets the usual mode (0666 less the umask), not the 0600 of temporary files."""
    mask = os.umask(0o022)
    try:
        out = _files.write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o644


def test_unencodable_text_leaves_the_old_file(tmp_path: Path) -> None:
    """A lone surrogate is refused before anything is written: the old file stays whole."""
    out = tmp_path / "out.json"
    out.write_text("previous", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        _files.write_text(out, 'ok\n"A \ud800 B"')
    assert str(caught.value) == (
        f"{out}: text cannot be written as UTF-8 (line 2, column 4) (got '\\ud800')"
    )
    assert out.read_text(encoding="utf-8") == "previous"
    assert _leftovers(tmp_path) == []


def test_refuses_an_input(tmp_path: Path) -> None:
    """The same file, named differently (relative, with .., or a hard link), is refused."""
    data = tmp_path / "a.csv"
    data.write_text("id\n", encoding="utf-8")
    link = tmp_path / "hard.csv"
    os.link(data, link)
    for name in (data, tmp_path / "sub" / ".." / "a.csv", link):
        with pytest.raises(OutputError, match="refusing to write over an input of this run"):
            _files.write_text(name, "x", inputs=[data])
    assert data.read_text(encoding="utf-8") == "id\n"


def test_refuses_a_symlink(tmp_path: Path) -> None:
    """A symbolic link at the output path is refused, dangling or not; its target is untouched."""
    victim = tmp_path / "victim.txt"
    victim.write_text("victim", encoding="utf-8")
    (tmp_path / "link.html").symlink_to(victim)
    (tmp_path / "dangling.html").symlink_to(tmp_path / "nowhere")
    for name in ("link.html", "dangling.html"):
        with pytest.raises(OutputError) as caught:
            _files.write_text(tmp_path / name, "x")
        assert str(caught.value) == (
            f"{tmp_path / name}: refusing to write through a symbolic link"
        )
    assert victim.read_text(encoding="utf-8") == "victim"
    assert not (tmp_path / "nowhere").exists()


def test_refuses_a_folder(tmp_path: Path) -> None:
    """A folder at the output path is refused with the path named."""
    with pytest.raises(OutputError, match="not a regular file"):
        _files.write_text(tmp_path, "x")


def test_group_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the third rename fails, the first two files are put back as they were."""
    names = [tmp_path / f"r.{ext}" for ext in ("json", "md", "html")]
    names[0].write_text("old json", encoding="utf-8")
    real = Path.replace
    calls = []

    def failing(self: Path, target: str | os.PathLike[str]) -> Path:
        calls.append(target)
        if Path(target) == names[2]:
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", failing)
    with pytest.raises(OSError, match="No space"):
        _files.write_group(dict.fromkeys(names, "new"))
    monkeypatch.undo()
    assert names[0].read_text(encoding="utf-8") == "old json"
    assert not names[1].exists()
    assert not names[2].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_group_refusal_writes_nothing(tmp_path: Path) -> None:
    """A refused member (here an input) stops the whole group before any file is written."""
    data = tmp_path / "r.json"
    data.write_text("[]", encoding="utf-8")
    with pytest.raises(OutputError):
        _files.write_group({tmp_path / "r.md": "x", data: "y"}, inputs=[data])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_group_refuses_a_name_twice(tmp_path: Path) -> None:
    """The same destination twice in one group is refused."""
    with pytest.raises(OutputError, match="named twice"):
        _files.write_group({tmp_path / "a": "1", str(tmp_path / "a"): "2"})


def test_atomic_open_keeps_old_file_on_error(tmp_path: Path) -> None:
    """An exception inside the block leaves the destination as it was and no temporary file."""
    out = tmp_path / "rows.csv"
    out.write_text("previous good output", encoding="utf-8")

    def half_written() -> None:
        with _files.atomic_open(out) as handle:
            handle.write("half a row")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        half_written()
    assert out.read_text(encoding="utf-8") == "previous good output"
    assert _leftovers(tmp_path) == []

    def unencodable() -> None:
        with _files.atomic_open(out) as handle:
            handle.write("\udcff")

    with pytest.raises(OutputError, match="UTF-8"):
        unencodable()
    assert out.read_text(encoding="utf-8") == "previous good output"
    with _files.atomic_open(out, "wb") as raw:
        raw.write(b"\x00bytes")
    assert out.read_bytes() == b"\x00bytes"


def test_output_error_is_typed_and_pickles(tmp_path: Path) -> None:
    """OutputError is a ReadinessError and an OSError, and survives pickling."""
    error = OutputError("refusing to write through a symbolic link", path="x.csv")
    assert isinstance(error, ReadinessError)
    assert isinstance(error, OSError)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == "x.csv: refusing to write through a symbolic link"


def test_replacing_keeps_the_mode(tmp_path: Path) -> None:
    """Replacing a file keeps its permissions."""
    out = tmp_path / "a.txt"
    out.write_text("x", encoding="utf-8")
    out.chmod(0o640)
    _files.write_text(out, "y")
    assert out.stat().st_mode & 0o777 == 0o640


def test_missing_folder_is_named(tmp_path: Path) -> None:
    """A destination in a folder that does not exist: an OutputError naming the destination."""
    with pytest.raises(OutputError) as caught:
        _files.write_text(tmp_path / "nowhere" / "a.csv", "x")
    assert str(caught.value) == (
        f"{tmp_path / 'nowhere' / 'a.csv'}: the folder of this output does not exist"
    )
