"""Every command line the documentation shows runs, and prints what the documentation shows.

The commands come from the fenced blocks of README.md, criteria/README.md, docs/*.md and the
examples' READMEs, and from the examples of every subcommand's ``--help``
(``tests/docblocks.py`` says how they are found). Each is run as a user would
run it from the repository's folder, but in a temporary folder holding copies of ``examples/``,
``docs/``, ``criteria/`` and ``tests/data/`` (nothing is written into the repository), through
the installed ``readiness`` script (or ``python -m readiness``) and this interpreter.

* A command must exit with code 0; where the document shows its output (a ``$ `` console
  block), the printed lines must match the lines shown (``...`` stands for any text).
* Synopsis lines (README's "Command line") are run with their placeholders filled in from
  :data:`PLACEHOLDERS`, every ``[optional]`` part included, and each ``a|b|c`` alternative in
  turn.
* A command that cannot run here (it installs, or runs the test suite or a benchmark) is listed
  in :data:`NOT_RUN` with the reason. A command found in a document that is neither run nor
  listed fails the test, and so does a listed command no document shows any more.
"""

from __future__ import annotations

import argparse
import itertools
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docblocks import ROOT, Command, all_commands, check_output

_OLD = "needs a stored 2026.11.0 catalog (old/vn-emr.toml), which readiness does not ship"

#: Commands (after ``&&`` splitting, words joined by one space) that are shown but not run.
NOT_RUN = {
    "python3 -m venv .venv": "creates the virtual environment these tests already run in",
    ".venv/bin/pip install -q .[plot]": "installs the package; these tests run the installed one",
    ".venv/bin/pip install -q -e .[test]": "installs the package; these tests run the installed one",
    ".venv/bin/python -m pytest": "runs this test suite itself",
    ".venv/bin/python -m pytest tests/test_bac_ninh.py": "a test file the suite runs anyway",
    ".venv/bin/python benchmarks/bench_score.py": "a benchmark: timings belong in benchmarks/",
    "bash .ci/run": "all of CI from a clean clone (minutes); CI runs it itself",
    "readiness diff old/vn-emr.toml vn-emr --map vn-emr-2026.11.0-to-2026.12.0": _OLD,
    "readiness migrate --catalog old/vn-emr.toml --to vn-emr --map vn-emr-2026.11.0-to-2026.12.0 "
    "--facilities f.csv --assessments old-a.csv -o new-a.csv": _OLD,
}

#: Placeholders of the synopsis lines, per subcommand ("*": any subcommand). The files named
#: here are written into the work folder by :func:`workspace`.
PLACEHOLDERS = {
    "*": {
        "ID": "h1",
        "FILE...": "criteria/vn-emr.toml",
    },
    "plan": {  # "readiness plan ... --target": the arguments of the example before it
        "...": "--catalog vn-smart-hospital --facilities f.csv --assessments a.csv",
    },
    "diff": {
        "OLD": "tests/data/mini.toml",
        "NEW": "tests/data/crosswalk/mini-2.toml",
        "MAP": "tests/data/crosswalk/mini-1-to-2.toml",
    },
    "migrate": {
        "OLD": "tests/data/mini.toml",
        "NEW": "tests/data/crosswalk/mini-2.toml",
        "MAP": "tests/data/crosswalk/mini-1-to-2.toml",
        "f.csv": "mini-f.csv",
        "a.csv": "mini-a.csv",
    },
}

#: Output a document quotes in its prose rather than in a console block: the command (as in
#: NOT_RUN) and the text around the quoted lines (each quoted line must be printed).
PROSE = {
    ".venv/bin/readiness report examples/bac_ninh/report.toml -o bac-ninh-report": (
        "README.md",
        r"It prints, among other lines, (.+?)\.\s",
    ),
}


def quoted(document: str, pattern: str) -> list[str]:
    """The code spans of the passage ``pattern`` finds in ``document`` (line breaks as spaces)."""
    text = (ROOT / document).read_text(encoding="utf-8")
    match = re.search(pattern, text, flags=re.DOTALL)
    assert match is not None, f"{document}: the passage quoting the output is gone"
    spans = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", match[1])]
    assert spans, f"{document}: the passage quotes no output"
    return spans


#: The facility list the synopsis lines read as ``f.csv`` and ``facilities.csv``: the worked
#: example's (docs/reports.md), plus README's district hospital ``BV-01`` (docs/formats.md's
#: form command). SYNTHETIC.
_BV01 = "BV-01,District general hospital,hospital,public,250,Bắc Ninh,\n"

#: ``BV-01``'s assessment, added to the example's as ``a.csv`` and ``assessments.csv`` (the
#: first six criteria of the wide file: README's district hospital, roughly). SYNTHETIC.
_BV01_ASSESSED = "BV-01,2026-03-31,met,met,met,met,partial:0.5,not_met" + "," * 12 + "\n"

_MINI_ASSESSMENTS = "facility_id,date,criterion,status\nh1,2026-01-15,mini:lan,met\n"


def _parts(command: Command) -> list[str]:
    """The command's ``&&``-separated parts, each as its words joined by one space."""
    words = shlex.split(command.text, comments=True)
    parts: list[list[str]] = [[]]
    for word in words:
        if word == "&&":
            parts.append([])
        else:
            parts[-1].append(word)
    return [" ".join(part) for part in parts if part]


def _readiness() -> list[str]:
    script = Path(sys.executable).with_name("readiness")
    return [str(script)] if script.exists() else [sys.executable, "-m", "readiness"]


def _program(words: list[str]) -> list[str] | None:
    """The argv prefix that runs the command's program here, and the words it consumes."""
    head = words[0].removeprefix(".venv/bin/")
    if head == "readiness":
        return [*_readiness(), *words[1:]]
    if head in ("python", "python3"):
        if words[1:3] == ["-m", "readiness"]:
            return [*_readiness(), *words[3:]]
        if len(words) > 1 and words[1].startswith("examples/") and words[1].endswith(".py"):
            return [sys.executable, *words[1:]]
    return None


def _variants(part: str) -> list[list[str]]:
    """The argv lists that run one part: placeholders filled, optionals in, alternatives each."""
    words = part.split(" ")
    subcommand = words[1] if words[0].endswith("readiness") and len(words) > 1 else ""
    fill = {**PLACEHOLDERS["*"], **PLACEHOLDERS.get(subcommand, {})}
    choices: list[list[str]] = []
    for given in words:
        word = given.removeprefix("[").removesuffix("]")
        if word.startswith("/tmp/"):  # a folder the document names outside the repository
            word = "tmp/" + word.removeprefix("/tmp/")
        for filled in fill.get(word, word).split(" "):
            alternatives = filled.split("|") if "|" in filled and filled[0] != "-" else [filled]
            choices.append(alternatives)
    return [list(chosen) for chosen in itertools.product(*choices)]


def _runs() -> list[tuple[str, list[str], tuple[str, ...] | None]]:
    """Every run: (where the documents show it, argv words, output shown or None)."""
    seen: dict[tuple[str, ...], list[str]] = {}
    shown: dict[tuple[str, ...], tuple[str, ...] | None] = {}
    for command in all_commands():
        for part in _parts(command):
            if part in NOT_RUN:
                continue
            for words in _variants(part):
                key = tuple(words)
                seen.setdefault(key, []).append(command.where)
                if command.output is not None:
                    shown[key] = command.output
                else:
                    shown.setdefault(key, None)
    return [(", ".join(where), list(key), shown[key]) for key, where in seen.items()]


RUNS = _runs()


def test_every_command_shown_is_run_or_listed_with_a_reason() -> None:
    commands = all_commands()
    # the extractor finds the commands (a broken one finding nothing must not pass)
    assert any(c.document == "docs/reports.md" and c.output for c in commands)
    assert any(c.document == "README.md" and "readiness report" in c.text for c in commands)
    unrunnable = [
        f"{c.where}: {part}"
        for c in commands
        for part in _parts(c)
        if part not in NOT_RUN and _program(part.split(" ")) is None
    ]
    assert not unrunnable, "neither run nor listed in NOT_RUN:\n" + "\n".join(unrunnable)
    shown = {part for c in commands for part in _parts(c)}
    stale = sorted(set(NOT_RUN) - shown)
    assert not stale, f"NOT_RUN lists commands no document shows: {stale}"
    assert set(PROSE) <= shown, "PROSE names a command no document shows"
    for document, pattern in PROSE.values():
        assert quoted(document, pattern)


def test_every_placeholder_of_a_synopsis_is_filled() -> None:
    """An upper-case word left after filling (``FILE``, ``SPEC``) has no rule: add one."""
    left = [
        f"{where}: {' '.join(words)}"
        for where, words, _ in RUNS
        if any(re.fullmatch(r"[A-Z][A-Z_.]*", w.rstrip(".")) for w in words)
    ]
    assert not left, "\n".join(left)


def test_the_readme_says_which_subcommands_take_which_format() -> None:
    """README's "Command line": the subcommands said to take ``--format table|json|csv`` do,
    and every subcommand is named there, with ``--format`` or with what it does instead."""
    from readiness._cli import build_parser

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    match = re.search(
        r"; ((?:`[a-z]+`, )*`[a-z]+` and `[a-z]+`) take `--format table\|json\|csv` \(([^)]*)\)",
        text,
    )
    assert match is not None, "README: the sentence on --format is gone"
    said = set(re.findall(r"`([a-z]+)`", match[1]))
    others = set(re.findall(r"`([a-z]+)`", match[2]))
    formats = {}
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                option = [a for a in sub._actions if "--format" in a.option_strings]
                formats[name] = tuple(option[0].choices or ()) if option else None
    assert said == {n for n, f in formats.items() if f == ("table", "json", "csv")}
    assert said | others == set(formats)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder laid out like the repository, with the small files the synopsis lines read."""
    for folder in ("examples", "docs", "criteria", "tests/data"):
        shutil.copytree(
            ROOT / folder,
            tmp_path / folder,
            ignore=shutil.ignore_patterns("__pycache__", "*-report", "*.pyc"),
        )
    example = (ROOT / "docs/report-example/facilities.csv").read_text(encoding="utf-8")
    for name in ("f.csv", "facilities.csv"):
        (tmp_path / name).write_text(example + _BV01, encoding="utf-8")
    assessed = (ROOT / "docs/report-example/assessments.csv").read_text(encoding="utf-8")
    for name in ("a.csv", "assessments.csv"):
        (tmp_path / name).write_text(assessed + _BV01_ASSESSED, encoding="utf-8")
    # "readiness validate my-province.toml": a province's own file, here the Bac Ninh layer
    shutil.copy(ROOT / "examples/bac_ninh/bn-emr-layer.toml", tmp_path / "my-province.toml")
    shutil.copy(ROOT / "tests/data/mini_facilities.csv", tmp_path / "mini-f.csv")
    (tmp_path / "mini-a.csv").write_text(_MINI_ASSESSMENTS, encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "words", "output"), RUNS, ids=[" ".join(words) for _, words, _ in RUNS]
)
def test_the_command_runs(
    workspace: Path, where: str, words: list[str], output: tuple[str, ...] | None
) -> None:
    argv = _program(words)
    assert argv is not None, where
    done = subprocess.run(
        argv, check=False, cwd=workspace, capture_output=True, encoding="utf-8", timeout=300
    )
    assert done.returncode == 0, f"{where}: exit {done.returncode}\n{done.stderr}"
    if output is not None:
        check_output(output, done.stdout)
    if " ".join(words) in PROSE:
        for line in quoted(*PROSE[" ".join(words)]):
            assert line in done.stdout, f"{where}: the document quotes {line!r}"
