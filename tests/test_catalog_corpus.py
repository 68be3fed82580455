"""Every malformed catalog in ``tests/corpus/catalogs`` is rejected with the right, located problems.

Each corpus file starts with its expectation, read by this module::

    # expect: CycleError line=53 criterion=kiosk key=requires message="dependency cycle: ..."

* the first word is the exception class (a name in :mod:`readiness.errors`); the error must be
  exactly of that class;
* ``line=`` is the 1-based line the problem must name (``none``: the problem has no line);
* ``message=`` must be a substring of the problem's text (and so of ``str(error)``);
* optional ``value=`` must be a substring of ``repr`` of the offending value; ``criterion=`` and
  ``key=`` must equal the problem's fields.

A file with one ``# expect:`` line must produce exactly one problem. A file with several problems
says ``# expect: CatalogError problems=3`` and lists one ``# expect-problem:`` line per problem, in
the order the error must list them (sorted by line).
"""

from __future__ import annotations

import os
import pickle
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from readiness import errors, load_catalog
from readiness._cli import main

CORPUS = Path(__file__).parent / "corpus" / "catalogs"
FILES = sorted(CORPUS.glob("*.toml"))


@dataclass(frozen=True)
class Expected:
    line: int | None
    message: str
    value: str | None = None
    criterion: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Expectation:
    error: type[errors.ReadinessError]
    problems: tuple[Expected, ...] = field(default=())


def _fields(text: str) -> dict[str, str]:
    out = {}
    for token in shlex.split(text):
        name, sep, value = token.partition("=")
        assert sep, f"expectation token without '=': {token!r}"
        out[name] = value
    return out


def _expected(fields: dict[str, str]) -> Expected:
    unknown = set(fields) - {"line", "message", "value", "criterion", "key"}
    assert not unknown, f"unknown expectation fields {unknown}"
    line = fields["line"]
    return Expected(
        line=None if line == "none" else int(line),
        message=fields["message"],
        value=fields.get("value"),
        criterion=fields.get("criterion"),
        key=fields.get("key"),
    )


def read_expectation(path: Path) -> Expectation:
    # The header is ASCII; the rest of a file may be anything (one file is not even UTF-8).
    lines = path.read_bytes().decode("latin-1").splitlines()
    head = lines[0]
    assert head.startswith("# expect: "), f"{path.name}: first line must be '# expect: ...'"
    name, _, rest = head.removeprefix("# expect: ").partition(" ")
    error = getattr(errors, name)
    assert isinstance(error, type)
    assert issubclass(error, errors.ReadinessError)
    fields = _fields(rest)
    if "problems" in fields:
        count = int(fields.pop("problems"))
        assert not fields, f"{path.name}: a multi-problem header takes only problems="
        problems = tuple(
            _expected(_fields(line.removeprefix("# expect-problem: ")))
            for line in lines[1:]
            if line.startswith("# expect-problem: ")
        )
        assert len(problems) == count, f"{path.name}: problems={count} but {len(problems)} listed"
        assert count >= 2
    else:
        problems = (_expected(fields),)
    return Expectation(error=error, problems=problems)


def load_error(path: Path) -> errors.ReadinessError:
    with pytest.raises(errors.ReadinessError) as info:
        load_catalog(str(path))
    return info.value


def test_corpus_is_large_enough():
    assert len(FILES) >= 30
    multi = [p for p in FILES if len(read_expectation(p).problems) > 1]
    assert len(multi) >= 2


def test_every_corpus_file_has_a_valid_expectation():
    for path in FILES:
        read_expectation(path)  # raises on a malformed header


def test_non_utf8_file_really_is_not_utf8():
    data = (CORPUS / "toml_non_utf8.toml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_is_rejected(path: Path):
    expectation = read_expectation(path)
    error = load_error(path)
    assert type(error) is expectation.error, str(error)
    assert isinstance(error, errors.CatalogError)
    assert isinstance(error, ValueError)
    text = str(error)
    found = "\n".join(f"  line {p.line}: {p}" for p in error.problems)
    assert len(error.problems) == len(expectation.problems), f"problems found:\n{found}"
    for problem, expected in zip(error.problems, expectation.problems, strict=True):
        assert problem.path == str(path)
        assert str(path) in text
        assert problem.line == expected.line, f"problems found:\n{found}"
        if expected.line is None:
            assert str(problem).startswith(f"{path}: ")
        else:
            assert f"{path}:{expected.line}: " in text
            assert str(problem).startswith(f"{path}:{expected.line}: ")
        assert expected.message in str(problem), f"problems found:\n{found}"
        assert expected.message in text
        if expected.value is not None:
            assert expected.value in repr(problem.value), f"problems found:\n{found}"
            assert f"(got {problem.value!r})" in str(problem)
        if expected.criterion is not None:
            assert problem.criterion == expected.criterion
            assert f"criterion {expected.criterion!r}" in str(problem)
        if expected.key is not None:
            assert problem.key == expected.key
    # Problems are sorted by line (None, a whole-file problem, first).
    lines = [p.line or 0 for p in error.problems]
    assert lines == sorted(lines)
    if len(error.problems) > 1:
        assert text.startswith(f"{len(error.problems)} problems:\n")
        assert text.splitlines()[1:] == [f"  {p}" for p in error.problems]
    else:
        assert text == str(error.problems[0])


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_error_pickles(path: Path):
    error = load_error(path)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.problems == error.problems
    if isinstance(error, errors.CycleError):
        assert isinstance(copy, errors.CycleError)
        assert copy.cycle == error.cycle


def test_cycle_error_holds_the_cycle():
    error = load_error(CORPUS / "cycle_3.toml")
    assert isinstance(error, errors.CycleError)
    assert error.cycle == ("demo:kiosk", "demo:orders", "demo:ward", "demo:kiosk")
    self_loop = load_error(CORPUS / "cycle_self.toml")
    assert isinstance(self_loop, errors.CycleError)
    assert self_loop.cycle == ("demo:ward", "demo:ward")


# --------------------------------------------------------------------------- the command
#
# One ``python -m readiness validate FILE...`` process checks the whole corpus (a process per file
# would cost ~0.4 s each); each file's problems are the stderr lines that start with its path. The
# exit code of each file on its own is checked in-process through ``readiness._cli.main``.


@pytest.fixture(scope="module")
def cli_run() -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "readiness", "validate", *map(str, FILES)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        timeout=120,
    )


def test_cli_validate_corpus_exits_1_without_traceback(cli_run: subprocess.CompletedProcess[str]):
    assert cli_run.returncode == 1
    assert "Traceback" not in cli_run.stderr
    assert cli_run.stdout == ""
    # Every stderr line belongs to one corpus file.
    prefixes = tuple(f"{path}:" for path in FILES)
    assert all(line.startswith(prefixes) for line in cli_run.stderr.splitlines())


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_cli_validate_reports_corpus_file(
    path: Path, cli_run: subprocess.CompletedProcess[str], capsys: pytest.CaptureFixture[str]
):
    error = load_error(path)
    expected = [str(p) for p in error.problems]
    mine = [line for line in cli_run.stderr.splitlines() if line.startswith(f"{path}:")]
    assert mine == expected
    # The same file alone: exit 1, the same lines, nothing on stdout.
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == expected
    assert "Traceback" not in captured.err
