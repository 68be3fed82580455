"""The ``readiness`` command's catalog subcommands, run as a user would (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import readiness

BUILTINS = ("vn-emr", "vn-it-tt54", "vn-infosec", "vn-smart-hospital", "himss-emram")
CRITERIA = Path(__file__).parent.parent / "criteria"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "readiness", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def test_catalogs_table():
    result = run("catalogs")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "version", "criteria"]
    rows = {
        line.split()[0]: line.split() for line in lines[2:] if line and not line.startswith("*")
    }
    assert len(rows) >= 5
    for info in readiness.list_catalogs():
        assert info.id in rows
        assert rows[info.id][1] == info.version
        assert rows[info.id][2] == str(info.criteria)
    assert set(BUILTINS) <= set(rows)


def test_catalogs_json():
    result = run("catalogs", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    assert len(data) >= 5
    by_id = {entry["id"]: entry for entry in data}
    assert set(BUILTINS) <= set(by_id)
    for entry in data:
        assert entry["version"]
        assert entry["criteria"] > 0
        assert set(entry["grades"]) == {"primary", "secondary", "inferred"}
        assert sum(entry["grades"].values()) == entry["criteria"]
        assert entry["title"]["en"]
        assert entry["title"]["vi"]
    assert "vn-emr" in by_id["vn-smart-hospital"]["requires"]


def test_validate_every_builtin():
    files = [str(CRITERIA / f"{catalog_id}.toml") for catalog_id in BUILTINS]
    result = run("validate", *BUILTINS, *files)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 2 * len(BUILTINS)
    assert all(": ok: catalog " in line for line in lines)
    quiet = run("validate", "--quiet", *BUILTINS)
    assert quiet.returncode == 0
    assert quiet.stdout == ""


def test_validate_missing_file(tmp_path: Path):
    missing = tmp_path / "nowhere.toml"
    result = run("validate", str(missing))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert str(missing) in lines[0]
    assert "no such catalog file" in lines[0]


def test_validate_reports_every_file(tmp_path: Path):
    good = CRITERIA / "vn-infosec.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 1\n[catalog]\nid = 'bad'\n", encoding="utf-8")
    result = run("validate", str(bad), str(good))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert all(line.startswith(f"{bad}:") for line in result.stderr.splitlines())
    assert len(result.stderr.splitlines()) >= 3  # title, version, domains, level, criterion
    assert result.stdout.startswith(f"{good}: ok: ")


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("nosuch",),
        ("validate",),
        ("catalogs", "--format", "xml"),
        ("graph", "vn-emr", "--format", "png"),
    ],
    ids=[
        "no-command",
        "unknown-command",
        "validate-no-file",
        "catalogs-bad-format",
        "graph-bad-format",
    ],
)
def test_bad_arguments_exit_2(args: tuple[str, ...]):
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr


def test_graph_of_unknown_catalog_exits_2():
    result = run("graph", "vn-nope")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "vn-nope" in result.stderr


@pytest.mark.parametrize("command", ["catalogs", "validate", "graph"])
def test_subcommand_help_shows_an_example(command: str):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "example" in result.stdout
    assert f"readiness {command}" in result.stdout


def test_graph_outputs(tmp_path: Path):
    catalog = readiness.load_catalog("vn-emr")
    dot = tmp_path / "vn-emr.dot"
    data = tmp_path / "vn-emr.json"
    graphml = tmp_path / "vn-emr.graphml"
    for fmt, target in (("dot", dot), ("json", data), ("graphml", graphml)):
        result = run("graph", "vn-emr", "--format", fmt, "-o", str(target))
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
        assert target.stat().st_size > 0
    text = dot.read_text(encoding="utf-8")
    assert text.startswith("digraph")
    edges = [line for line in text.splitlines() if "->" in line and "legend:" not in line]
    assert len(edges) == catalog.graph.number_of_edges()  # the legend's sample edges aside
    graph = nx.node_link_graph(json.loads(data.read_text(encoding="utf-8")), edges="edges")
    assert set(graph.nodes) == set(catalog.criteria)
    assert set(graph.edges) == set(catalog.graph.edges)
    back = nx.read_graphml(graphml)
    assert set(back.nodes) == set(catalog.criteria)
    assert set(back.edges) == set(catalog.graph.edges)


def test_graph_to_stdout():
    result = run("graph", "vn-infosec")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["graph"]["catalog"] == "vn-infosec"
    assert len(data["nodes"]) == len(readiness.load_catalog("vn-infosec"))
