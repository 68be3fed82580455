"""A loaded catalog is cached and shared by the process: nothing reachable from it can be edited.

Regression for issue 10, item 17 (``../shared/repro/outputs-and-inputs/09_mutable_cached_catalog.py``):
an in-place write to ``ScoreTable.compiled.min_coverage`` or to a graph node's attribute dict
changed every later ``load_catalog`` result.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest

import readiness
from readiness._compile import compile_catalog
from readiness._score import _layout
from readiness.graph import dumps_node_link

HOSPITAL = readiness.Facility(id="h", kind="hospital", ownership="public", beds=100)
RECORDS = {"vn.tt13.it.network": "met", "vn.tt13.it.servers": "met"}
ASSESSMENT = readiness.Assessment(facility=HOSPITAL, date=dt.date(2026, 1, 1), records=RECORDS)
TARGET = "milestone:vn-emr:emr-live"


def _arrays(value: object) -> list[np.ndarray]:
    """Every numpy array held by an attrs instance (recursing into tuples and attrs values)."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, tuple):
        return [a for item in value for a in _arrays(item)]
    if attrs.has(type(value)) and not isinstance(value, readiness.Catalog):
        return [a for f in attrs.fields(type(value)) for a in _arrays(getattr(value, f.name))]
    return []


def test_repro_09_edits_are_refused_and_later_loads_unchanged() -> None:
    """The repro's two edits raise, and a fresh load scores and plans as before."""
    catalog = readiness.load_catalog("vn-emr")
    before = readiness.score(catalog, ASSESSMENT).overall
    steps = len(readiness.plan(catalog, ASSESSMENT, TARGET).steps)
    table = readiness.score_many(catalog, [ASSESSMENT])
    with pytest.raises(ValueError, match="read-only"):
        table.compiled.min_coverage[:] = 0.99
    with pytest.raises(TypeError):
        catalog.graph.nodes["vn-emr:vn.tt13.it.network"]["title"] = "edited"  # type: ignore[index]
    fresh = readiness.load_catalog("vn-emr")
    assert readiness.score(fresh, ASSESSMENT).overall == before
    assert len(readiness.plan(fresh, ASSESSMENT, TARGET).steps) == steps
    assert "edited" not in dumps_node_link(fresh)


def test_every_compiled_array_is_read_only() -> None:
    """No array of a compiled catalog (or of the kernel's layout of it) accepts writes."""
    compiled = compile_catalog(readiness.load_catalog("vn-smart-hospital"))
    arrays = _arrays(compiled) + _arrays(_layout(compiled))
    assert len(arrays) > 20
    assert not [a for a in arrays if a.flags.writeable]
    with pytest.raises(TypeError):
        compiled.index["x"] = 0  # type: ignore[index]


def test_graph_node_and_edge_attributes_are_read_only() -> None:
    """Node and edge attribute dicts refuse assignment; exports still read them."""
    catalog = readiness.load_catalog("vn-smart-hospital")
    graph = catalog.graph
    node = next(iter(graph.nodes))
    source, target = next(iter(graph.edges))
    with pytest.raises(TypeError):
        graph.nodes[node]["weight"] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        graph.edges[source, target]["grade"] = "x"  # type: ignore[index]
    assert graph.succ[source][target] is graph.pred[target][source]
    copy = graph.copy()  # a caller who wants to edit works on a copy
    copy.nodes[node]["weight"] = 0
    assert graph.nodes[node]["weight"] != 0


def test_score_table_arrays_are_read_only_views() -> None:
    """A ScoreTable's arrays refuse writes; the caller's own matrix stays writable."""
    catalog = readiness.load_catalog("vn-emr")
    matrix = readiness.StatusMatrix.from_assessments(catalog, [ASSESSMENT])
    table = readiness.score_many(catalog, matrix)
    for name in ("overall", "domains", "levels", "catalogs", "level", "progress", "rows"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(table, name)[...] = 0
    assert table.state is not None
    with pytest.raises(ValueError, match="read-only"):
        table.state[0, 0] = 0
    matrix.dates[0] = np.datetime64("2026-01-02")  # not frozen by scoring it
