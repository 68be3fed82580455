"""The dependency-graph functions of :mod:`readiness.graph` on a small hand-built catalog."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness import Assessment, Catalog, Facility, errors, load_catalog, plan
from readiness._cli import main
from readiness.graph import (
    STATES,
    dependents,
    prerequisites,
    required_subgraph,
    to_dot,
    to_graphml,
    to_node_link,
    to_svg,
    topological_order,
    waves,
)

# Edges (prerequisite -> dependent): alpha -> omega, zeta -> omega, omega -> top, mid -> beta.
# "old" is legacy. Ties in the order are broken by key.
GRAPH_TOML = """\
format = 1

[catalog]
id = "g"
title = { en = "Graph test", vi = "Kiểm thử đồ thị" }
version = "0.1"

[sources.memo]
title = "Memo"

[domains.d]
title = { en = "Domain", vi = "Lĩnh vực" }

[[level]]
number = 1
title = { en = "One", vi = "Một" }

[[criterion]]
id = "zeta"
title = { en = "Zeta", vi = "Zeta vi" }
domain = "d"
level = 1
source = { grade = "inferred" }

[[criterion]]
id = "omega"
title = { en = 'Omega "quoted"', vi = "Ômêga" }
domain = "d"
level = 1
requires = ["zeta", "alpha"]
source = { grade = "inferred" }

[[criterion]]
id = "top"
title = { en = "Top", vi = "Đỉnh" }
domain = "d"
level = 1
requires = ["omega"]
source = { grade = "inferred" }

[[criterion]]
id = "alpha"
title = { en = "Alpha", vi = "Anpha" }
domain = "d"
level = 1
source = { grade = "inferred" }

[[criterion]]
id = "beta"
title = { en = "Beta", vi = "Bêta" }
domain = "d"
level = 1
requires = [{ id = "mid", grade = "primary", ref = "memo", clause = "art. 1" }]
source = { grade = "inferred" }

[[criterion]]
id = "mid"
title = { en = "Mid", vi = "Giữa" }
domain = "d"
level = 1
source = { grade = "inferred" }

[[criterion]]
id = "old"
title = { en = "Old", vi = "Cũ" }
domain = "d"
level = 1
legacy = "Repealed in 2025."
source = { grade = "inferred" }
"""

KEYS = {f"g:{x}" for x in ("alpha", "beta", "mid", "old", "omega", "top", "zeta")}
EDGES = {
    ("g:alpha", "g:omega"),
    ("g:zeta", "g:omega"),
    ("g:omega", "g:top"),
    ("g:mid", "g:beta"),
}


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    path = tmp_path / "g.toml"
    path.write_text(GRAPH_TOML, encoding="utf-8")
    return load_catalog(path)


def test_graph_nodes_and_edges(catalog: Catalog):
    assert set(catalog.graph.nodes) == KEYS
    assert set(catalog.graph.edges) == EDGES
    assert catalog.graph.edges["g:mid", "g:beta"]["grade"] == "primary"
    assert catalog.graph.edges["g:alpha", "g:omega"]["grade"] == "inferred"
    node = catalog.graph.nodes["g:omega"]
    assert node["catalog"] == "g"
    assert node["id"] == "omega"
    assert node["level"] == 1
    assert node["title_vi"] == "Ômêga"
    assert catalog.graph.nodes["g:old"]["legacy"] is True


def test_prerequisites_direct_and_transitive(catalog: Catalog):
    assert prerequisites(catalog, "top") == ("g:omega",)
    assert prerequisites(catalog, "g:top", transitive=True) == ("g:alpha", "g:omega", "g:zeta")
    assert prerequisites(catalog, "omega") == ("g:alpha", "g:zeta")
    assert prerequisites(catalog, "alpha") == ()
    assert prerequisites(catalog, "alpha", transitive=True) == ()


def test_dependents_direct_and_transitive(catalog: Catalog):
    assert dependents(catalog, "alpha") == ("g:omega",)
    assert dependents(catalog, "alpha", transitive=True) == ("g:omega", "g:top")
    assert dependents(catalog, "g:mid", transitive=True) == ("g:beta",)
    assert dependents(catalog, "top") == ()


def test_unknown_criterion_in_graph_functions(catalog: Catalog):
    with pytest.raises(errors.UnknownCriterionError):
        prerequisites(catalog, "nope")
    with pytest.raises(LookupError):
        dependents(catalog, "g:nope")


def test_topological_order_ties_by_key(catalog: Catalog):
    order = topological_order(catalog)
    # The exact lexicographic topological order: among ready criteria, the smallest key first.
    assert order == tuple(nx.lexicographical_topological_sort(catalog.graph))
    assert order == ("g:alpha", "g:mid", "g:beta", "g:old", "g:zeta", "g:omega", "g:top")
    assert tuple(catalog.criteria) == order
    assert [c.key for c in catalog] == list(order)


def test_topological_order_of_a_subset(catalog: Catalog):
    assert topological_order(catalog, ["top", "zeta", "g:alpha"]) == ("g:alpha", "g:zeta", "g:top")
    assert topological_order(catalog, []) == ()


def test_waves(catalog: Catalog):
    assert waves(catalog) == (
        ("g:alpha", "g:mid", "g:old", "g:zeta"),
        ("g:beta", "g:omega"),
        ("g:top",),
    )


def test_waves_of_a_subset_follow_paths_outside_it(catalog: Catalog):
    # omega is not chosen, but top still needs alpha through it.
    assert waves(catalog, ["top", "alpha"]) == (("g:alpha",), ("g:top",))
    assert waves(catalog, ["top", "beta"]) == (("g:beta", "g:top"),)


_NODE = re.compile(
    r'^    "((?:[^"\\]|\\.)*)" \[label="(?:[^"\\]|\\.)*", fillcolor="#[0-9a-f]{6}"'
    r'(?:, style="filled,dashed")?\];$'
)
_EDGE = re.compile(r'^  "((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)"(?: \[style=dotted\])?;$')


def _dot_shape(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Return the node ids and edges of DOT text as written by ``to_dot``, checking its shape."""
    lines = text.splitlines()
    assert lines[0].startswith("digraph")
    assert lines[0].endswith("{")
    assert lines[-1] == "}"
    nodes = [m.group(1) for m in map(_NODE.match, lines) if m and "legend:" not in m.group(1)]
    edges = [(m.group(1), m.group(2)) for m in map(_EDGE.match, lines) if m]
    return nodes, edges


def _balanced(text: str) -> bool:
    """Whether braces balance and no quote is left open outside quoted strings."""
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', "", text)
    return unquoted.count("{") == unquoted.count("}") and '"' not in unquoted


def test_to_dot_shape(catalog: Catalog):
    text = to_dot(catalog)
    assert text.startswith("digraph")
    nodes, edges = _dot_shape(text)
    assert _balanced(text)
    assert sorted(nodes) == sorted(KEYS)  # one node line per criterion
    assert set(edges) == EDGES
    assert len(edges) == len(EDGES)
    assert '\\"quoted\\"' in text
    assert "dashed" in next(line for line in text.splitlines() if '"g:old" [' in line)
    edge_lines = {line.strip() for line in text.splitlines() if "->" in line}
    assert '"g:mid" -> "g:beta";' in edge_lines  # cited edge: solid
    assert '"g:alpha" -> "g:omega" [style=dotted];' in edge_lines  # inferred edge: dotted
    assert 'label="g"' in text  # the catalog's cluster


def test_to_dot_in_vietnamese(catalog: Catalog):
    text = to_dot(catalog, lang="vi")
    assert "Ômêga" in text
    assert "Omega" not in text.replace("omega", "")
    with pytest.raises(ValueError):
        to_dot(catalog, lang="fr")


def test_to_dot_escapes_backslashes(tmp_path: Path):
    # A title ending in a backslash must not escape the closing quote of the label.
    path = tmp_path / "g.toml"
    path.write_text(GRAPH_TOML.replace('en = "Top"', "en = 'Share C:\\'"), encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog.criterion("top").title.en == "Share C:\\"
    text = to_dot(catalog)
    top = next(line for line in text.splitlines() if line.startswith('    "g:top" ['))
    assert 'C:\\\\", fillcolor=' in top, top  # the backslash doubled, the quote closing the label
    nodes, _ = _dot_shape(text)
    assert sorted(nodes) == sorted(KEYS)
    assert _balanced(text)


def test_to_dot_of_builtin_has_a_line_per_criterion():
    catalog = load_catalog("vn-emr")
    text = to_dot(catalog)
    nodes, edges = _dot_shape(text)
    assert _balanced(text)
    assert sorted(nodes) == sorted(catalog.criteria)
    assert set(edges) == set(catalog.graph.edges)


def test_to_graphml_round_trip(catalog: Catalog, tmp_path: Path):
    target = tmp_path / "g.graphml"
    to_graphml(catalog, target)
    back = nx.read_graphml(target)
    assert back.is_directed()
    assert set(back.nodes) == KEYS
    assert set(back.edges) == EDGES
    assert back.nodes["g:omega"]["title_vi"] == "Ômêga"
    assert back.edges["g:mid", "g:beta"]["grade"] == "primary"
    # also to a binary stream
    buffer = io.BytesIO()
    to_graphml(catalog, buffer)
    buffer.seek(0)
    assert set(nx.read_graphml(buffer).edges) == EDGES


def test_to_node_link_round_trip(catalog: Catalog):
    data = to_node_link(catalog)
    text = json.dumps(data)
    loaded = json.loads(text)
    assert loaded["graph"]["catalog"] == "g"
    assert loaded["graph"]["versions"] == {"g": "0.1"}
    assert loaded["directed"] is True
    back = nx.node_link_graph(loaded, edges="edges")
    assert back.is_directed()
    assert set(back.nodes) == KEYS
    assert set(back.edges) == EDGES
    assert back.nodes["g:top"]["title"] == "Top"
    assert back.edges["g:mid", "g:beta"]["grade"] == "primary"


def test_to_node_link_does_not_touch_the_catalog(catalog: Catalog):
    to_node_link(catalog)["graph"]["catalog"] = "changed"
    assert to_node_link(catalog)["graph"]["catalog"] == "g"
    assert "catalog" not in catalog.graph.graph or catalog.graph.graph["catalog"] == "g"


def test_graph_is_frozen(catalog: Catalog):
    assert nx.is_frozen(catalog.graph)
    with pytest.raises(nx.NetworkXError):
        catalog.graph.add_node("x")
    with pytest.raises(nx.NetworkXError):
        catalog.graph.add_edge("g:top", "g:alpha")
    with pytest.raises(nx.NetworkXError):
        catalog.graph.remove_node("g:top")
    assert set(catalog.graph.nodes) == KEYS


# --------------------------------------------------------------------------- legends, subgraphs, SVG

_MINI = Path(__file__).parent / "data" / "mini.toml"
_STATUSES = st.sampled_from(["met", "not_met", "unknown", "partial", "not_applicable", None])


@settings(max_examples=30)
@given(
    statuses=st.lists(_STATUSES, min_size=6, max_size=6),
    beds=st.sampled_from([0, 50]),
    target=st.sampled_from(["mini@1", "mini@2", "criteria:ward,backup", "criteria:his"]),
)
def test_required_subgraph_left_is_the_planners_required_set(
    statuses: list[str | None], beds: int, target: str
) -> None:
    """The subgraph's 'left' nodes are exactly the plan's steps; every step's prerequisites in."""
    catalog = load_catalog(_MINI)
    facility = Facility(id="h1", kind="hospital", ownership="public", beds=beds)
    records: dict[str, dict[str, object]] = {}
    for key, status in zip(catalog.criteria, statuses, strict=True):
        if status == "partial":
            records[key] = {"status": status, "progress": 0.5}
        elif status == "not_applicable":
            records[key] = {"status": status, "reason": "r"}
        elif status is not None:
            records[key] = {"status": status}
    assessment = Assessment(facility=facility, date=dt.date(2026, 1, 1), records=records)
    sub = required_subgraph(catalog, assessment, target)
    roadmap = plan(catalog, assessment, target)
    left = {key for key, state in sub.nodes(data="state") if state == "left"}
    assert left == {step.criterion for step in roadmap.steps}
    for key in sub:
        assert set(catalog.graph.predecessors(key)) <= set(sub)
        assert sub.nodes[key]["state"] in STATES
    for key, state in sub.nodes(data="state"):
        if state == "met":
            assert records[key]["status"] == "met"


def test_dot_and_svg_have_a_legend(catalog: Catalog) -> None:
    """DOT has a legend cluster (cited vs inferred, levels); SVG parses and shows the legend."""
    text = to_dot(catalog)
    assert "subgraph cluster_legend {" in text
    assert 'label="cited by a source"' in text
    assert 'label="inferred", style=dotted' in text
    assert '"legend:0" [label="level 1"' in text
    svg = to_svg(catalog)
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag.endswith("svg")
    for words in ("cited by a source", "inferred", "level 1", "legend"):
        assert f"<!-- {words} -->" in svg


def test_graph_command_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """readiness graph --target draws the facility's required subgraph with state colours."""
    (tmp_path / "f.csv").write_text(
        "id,kind,ownership,beds\nh1,hospital,public,50\n", encoding="utf-8"
    )
    (tmp_path / "a.csv").write_text(
        "facility_id,date,criterion,status\nh1,2026-01-01,mini:lan,met\n", encoding="utf-8"
    )
    args = [
        "graph",
        str(_MINI),
        "--target",
        "criteria:his",
        "--facility",
        "h1",
        "--facilities",
        str(tmp_path / "f.csv"),
        "--assessments",
        str(tmp_path / "a.csv"),
    ]
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    states = {n["id"]: n["state"] for n in data["nodes"]}
    assert states == {"mini:lan": "met", "mini:servers": "left", "mini:his": "left"}
    assert main([*args, "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert 'label="left to do (the plan\'s steps)"' in dot
    assert "mini:ward" not in dot
    assert main([*args, "--format", "graphml", "-o", str(tmp_path / "g.graphml")]) == 0
    assert nx.read_graphml(tmp_path / "g.graphml").nodes["mini:lan"]["state"] == "met"
    assert main([*args[:4], "--format", "dot"]) == 2
    assert "give --facility, --facilities, --assessments" in capsys.readouterr().err
