"""The `readiness` command's analysis subcommands, run as a user would: in a subprocess."""

from __future__ import annotations

import csv
import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import readiness
from readiness import synthetic
from readiness._cli import main, tune_process

ROOT = Path(__file__).resolve().parent.parent
BAC_NINH = ROOT / "examples" / "bac_ninh" / "report.toml"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readiness", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A small SYNTHETIC facility list and assessment file over vn-emr."""
    folder = tmp_path_factory.mktemp("cli")
    catalog = readiness.load_catalog("vn-emr")
    matrix = synthetic.status_matrix(catalog, 30, seed=4)
    readiness.io.write_facilities(folder / "f.csv", matrix.facilities)
    readiness.io.write_assessments(folder / "a.csv", matrix.to_assessments(), catalog)
    (folder / "bad.csv").write_text(
        "facility_id,date,criterion,status\nSYN-000001,2026-06-30,vn.tt13.nope,met\n"
    )
    return {
        "f": str(folder / "f.csv"),
        "a": str(folder / "a.csv"),
        "bad": str(folder / "bad.csv"),
        "dir": str(folder),
    }


def inputs(files: dict[str, str], *extra: str) -> list[str]:
    return ["--catalog", "vn-emr", "--facilities", files["f"], "--assessments", files["a"], *extra]


@pytest.mark.parametrize(
    "command", ["score", "plan", "summarize", "report", "graph", "catalogs", "validate"]
)
def test_help_has_an_example(command: str) -> None:
    """Every subcommand answers --help with an example."""
    done = run(command, "--help")
    assert done.returncode == 0
    assert "example" in done.stdout


def test_score_table_json_csv(files: dict[str, str]) -> None:
    """score prints one row per facility-assessment in each format."""
    table = run("score", *inputs(files))
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split()[:3] == ["facility_id", "date", "overall"]
    assert len(table.stdout.splitlines()) == 2 + 30
    as_json = json.loads(run("score", *inputs(files, "--format", "json")).stdout)
    assert len(as_json) == 30
    assert {"facility_id", "overall", "level:vn-emr"} <= set(as_json[0])
    rows = list(csv.DictReader(io.StringIO(run("score", *inputs(files, "--format", "csv")).stdout)))
    assert len(rows) == 30


def test_score_one_facility(files: dict[str, str]) -> None:
    """--facility explains one facility in full."""
    done = run("score", *inputs(files, "--facility", "SYN-000002"))
    assert done.returncode == 0
    assert done.stdout.startswith("SYN-000002 on 2026-06-30:")
    data = json.loads(
        run("score", *inputs(files, "--facility", "SYN-000002", "--format", "json")).stdout
    )
    assert data[0]["facility"] == "SYN-000002"


def test_plan_and_one_roadmap(files: dict[str, str], tmp_path: Path) -> None:
    """plan summarises every facility's plan; --facility prints the roadmap and next steps."""
    done = run("plan", *inputs(files, "--target", "milestone:vn-emr:emr-live"))
    assert done.returncode == 0, done.stderr
    assert "target_verdict" in done.stdout.splitlines()[0]
    out = tmp_path / "plan.txt"
    done = run(
        "plan",
        *inputs(
            files,
            "--target",
            "vn-emr@2",
            "--facility",
            "SYN-000001",
            "--max-parallel",
            "2",
            "-o",
            str(out),
        ),
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("SYN-000001: level 2 of vn-emr")
    assert "wave 1:" in text or "already reached" in text


def test_summarize(files: dict[str, str]) -> None:
    """summarize prints one row per group and the total."""
    done = run("summarize", *inputs(files, "--by", "kind", "--target", "milestone:vn-emr:emr-live"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("all")
    data = json.loads(run("summarize", *inputs(files, "--by", "", "--format", "json")).stdout)
    assert data["total"]["rows"] == 30


def test_report_bac_ninh(tmp_path: Path) -> None:
    """report writes the three files and prints the Bac Ninh figures."""
    done = run("report", str(BAC_NINH), "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "56 done of 54 obliged = 103.7%" in done.stdout
    assert "Spent: 292.6 bn VND (" in done.stdout
    assert "Public 212.3 bn VND" in done.stdout
    assert "estimated himss-emram stage (estimate, not validated): 54 facilities" in done.stdout
    for suffix in ("html", "md", "json"):
        assert (tmp_path / "out" / f"bac-ninh.{suffix}").stat().st_size > 1000
    assert done.stderr == ""  # no progress line when stderr is not a terminal
    markdown = (tmp_path / "out" / "bac-ninh.md").read_text(encoding="utf-8")
    assert "## Estimated stage: HIMSS EMRAM" in markdown
    assert "(an estimate, not a validated stage)" in markdown


def test_graph_export(tmp_path: Path) -> None:
    """graph writes DOT."""
    out = tmp_path / "g.dot"
    done = run("graph", "vn-infosec", "--format", "dot", "-o", str(out))
    assert done.returncode == 0
    assert out.read_text(encoding="utf-8").startswith("digraph")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            [
                "score",
                "--catalog",
                "vn-emr",
                "--facilities",
                "nofile.csv",
                "--assessments",
                "a.csv",
            ],
            "No such file",
        ),
        (
            [
                "plan",
                "--catalog",
                "vn-emr",
                "--facilities",
                "F",
                "--assessments",
                "A",
                "--target",
                "nonsense",
            ],
            "target",
        ),
        (
            ["score", "--catalog", "no-such-catalog", "--facilities", "F", "--assessments", "A"],
            "no built-in catalog",
        ),
        (["score"], "required"),
        (["plan", "--target", "x"], "required"),
        (["report", "missing.toml"], "cannot read"),
        (["nonsense"], "invalid choice"),
        (
            [
                "plan",
                "--catalog",
                "vn-emr",
                "--facilities",
                "F",
                "--assessments",
                "A",
                "--target",
                "vn-emr@1",
                "--due",
                "tomorrow",
            ],
            "not a date",
        ),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    args: list[str], needle: str, files: dict[str, str]
) -> None:
    """Usage and input errors exit 2 with a short message and no traceback."""
    args = [files["f"] if a == "F" else files["a"] if a == "A" else a for a in args]
    done = run(*args)
    assert done.returncode == 2
    assert needle in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 3


def test_bad_assessment_file_names_row_and_value(files: dict[str, str]) -> None:
    """An unknown criterion in the input is reported with its file, row and value."""
    done = run(
        "score", "--catalog", "vn-emr", "--facilities", files["f"], "--assessments", files["bad"]
    )
    assert done.returncode == 2
    assert "bad.csv" in done.stderr
    assert "row 1" in done.stderr
    assert "vn.tt13.nope" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_report_spec_names_the_line(tmp_path: Path) -> None:
    """A typo in a report specification is reported with its line."""
    spec = tmp_path / "r.toml"
    spec.write_text(
        'format = 1\n[report]\ntitle = { en = "T", vi = "T" }\ncatalog = ["vn-emr"]\n'
        'facilities = "f.csv"\nassessments = "a.csv"\ngroup_by = ["kind"]\n',
        encoding="utf-8",
    )
    done = run("report", str(spec))
    assert done.returncode == 2
    assert f"{spec}:7" in done.stderr
    assert "group_by" in done.stderr


def _hugepage_setter():  # numpy's switch: sets the advice, returns the previous setting
    module = importlib.import_module(
        "numpy._core.multiarray" if np.__version__ >= "2" else "numpy.core.multiarray"
    )
    return module._set_madvise_hugepage


def test_the_command_turns_numpys_huge_page_advice_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``readiness`` is a process of its own: it stops numpy advising huge pages."""
    setter = _hugepage_setter()
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    before = setter(True)
    try:
        assert main(["catalogs"]) == 0
        assert "vn-emr" in capsys.readouterr().out
        assert setter(True) is False  # the command had turned it off
    finally:
        setter(before)


def test_the_users_numpy_madvise_hugepage_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    setter = _hugepage_setter()
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    before = setter(True)
    try:
        tune_process()
        assert setter(True) is True  # left as it was
    finally:
        setter(before)
