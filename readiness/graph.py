"""Plain functions over a catalog's dependency graph.

Assumptions (as in networkx's ``dag`` module): the graph is a DAG (loading rejects cycles) whose
edges go prerequisite -> dependent; nodes are qualified criterion keys ``catalog-id:criterion-id``.
Every function takes the :class:`~readiness.Catalog` first and accepts qualified keys or short ids
that are unique in the loaded set. Orders are deterministic: ties are broken by key.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from os import PathLike
from typing import IO, Any

import networkx as nx

from readiness._catalog import Catalog

__all__ = [
    "dependents",
    "prerequisites",
    "to_dot",
    "to_graphml",
    "to_node_link",
    "topological_order",
    "waves",
]


def prerequisites(catalog: Catalog, criterion: str, *, transitive: bool = False) -> tuple[str, ...]:
    """Return what ``criterion`` requires: direct prerequisites, or all of them transitively.

    Examples
    --------
    >>> import readiness
    >>> from readiness.graph import prerequisites
    >>> catalog = readiness.load_catalog("vn-emr")
    >>> "vn-emr:vn.tt13.it.servers" in prerequisites(catalog, "vn.tt13.it.storage_backup")
    True
    """
    key = catalog.resolve(criterion)
    found = nx.ancestors(catalog.graph, key) if transitive else catalog.graph.predecessors(key)
    return tuple(sorted(found))


def dependents(catalog: Catalog, criterion: str, *, transitive: bool = False) -> tuple[str, ...]:
    """Return what ``criterion`` unblocks: direct dependents, or all of them transitively."""
    key = catalog.resolve(criterion)
    found = nx.descendants(catalog.graph, key) if transitive else catalog.graph.successors(key)
    return tuple(sorted(found))


def topological_order(catalog: Catalog, criteria: Iterable[str] | None = None) -> tuple[str, ...]:
    """Return criteria so that every prerequisite comes before its dependents, ties by key.

    Parameters
    ----------
    criteria : iterable of str, optional
        Restrict to these criteria (order among them still follows the whole graph's paths).
    """
    if criteria is None:
        return tuple(catalog.criteria)
    wanted = {catalog.resolve(c) for c in criteria}
    return tuple(k for k in catalog.criteria if k in wanted)


def waves(catalog: Catalog, criteria: Iterable[str] | None = None) -> tuple[tuple[str, ...], ...]:
    """Group criteria into waves: wave *n* only needs criteria of earlier waves.

    A criterion's wave is one more than the latest wave among its prerequisites (in the chosen
    set, following paths through criteria outside it). Each wave is sorted by key.
    """
    keys = topological_order(catalog, criteria)
    wanted = set(keys)
    wave: dict[str, int] = {}
    for key in catalog.criteria:  # topological
        before = [wave[p] for p in catalog.graph.predecessors(key)]
        top = max(before, default=-1)
        wave[key] = top + 1 if key in wanted else top
    out: dict[int, list[str]] = {}
    for key in keys:
        out.setdefault(wave[key], []).append(key)
    return tuple(tuple(sorted(out[n])) for n in sorted(out))


def to_node_link(catalog: Catalog) -> dict[str, Any]:
    """Return the graph as JSON-ready node-link data (``networkx.node_link_data``, ``edges``)."""
    data: dict[str, Any] = nx.node_link_data(catalog.graph, edges="edges")
    data["graph"] = {
        "catalog": catalog.id,
        "versions": dict(catalog.versions),
    }
    return data


def to_graphml(catalog: Catalog, target: str | PathLike[str] | IO[bytes]) -> None:
    """Write the graph as GraphML (readable by Gephi, yEd, Cytoscape, networkx)."""
    nx.write_graphml(catalog.graph, target, named_key_ids=True)


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(catalog: Catalog, *, lang: str = "en") -> str:
    """Return the graph as Graphviz DOT text, one cluster per catalog, labelled in ``lang``.

    Examples
    --------
    >>> import readiness
    >>> from readiness.graph import to_dot
    >>> to_dot(readiness.load_catalog("vn-infosec")).splitlines()[0]
    'digraph readiness {'
    """
    out = io.StringIO()
    out.write("digraph readiness {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n")
    for index, (catalog_id, framework) in enumerate(catalog.frameworks.items()):
        out.write(f"  subgraph cluster_{index} {{\n    label={_dot_id(catalog_id)};\n")
        for key in framework.criteria:
            criterion = catalog.criteria[key]
            label = "\\n".join(
                _escape_label(part)
                for part in (criterion.id, f"L{criterion.level}: {criterion.title.get(lang)}")
            )
            style = ", style=dashed" if criterion.legacy else ""
            out.write(f'    {_dot_id(key)} [label="{label}"{style}];\n')
        out.write("  }\n")
    for source, target in catalog.graph.edges:
        grade = catalog.graph.edges[source, target]["grade"]
        style = " [style=dotted]" if grade == "inferred" else ""
        out.write(f"  {_dot_id(source)} -> {_dot_id(target)}{style};\n")
    out.write("}\n")
    return out.getvalue()


def _escape_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def dumps_node_link(catalog: Catalog) -> str:
    """Return :func:`to_node_link` as indented JSON text."""
    return json.dumps(to_node_link(catalog), ensure_ascii=False, indent=2, sort_keys=True)
