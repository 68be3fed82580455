"""Plain functions over a catalog's dependency graph.

Assumptions (as in networkx's ``dag`` module): the graph is a DAG (loading rejects cycles) whose
edges go prerequisite -> dependent; nodes are qualified criterion keys ``catalog-id:criterion-id``.
Every function takes the :class:`~readiness.Catalog` first and accepts qualified keys or short ids
that are unique in the loaded set. Orders are deterministic: ties are broken by key.

Drawings (:func:`to_dot`, :func:`to_svg`) carry a legend: edges cited by a source (solid) or
inferred (dotted), node colour by level (or, for a facility's :func:`required_subgraph`, by what
is left, met, not needed or not applicable), one frame per catalog. Titles are data: every
output escapes them for its format (docs/formats.md, "Safe outputs"), so GraphML and SVG parse
whatever a title holds.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from os import PathLike
from typing import IO, TYPE_CHECKING, Any

import networkx as nx

from readiness import _safe
from readiness._catalog import Catalog
from readiness.errors import MissingDependencyError, OptionError

if TYPE_CHECKING:
    from readiness._model import Assessment
    from readiness._plan import Target

__all__ = [
    "STATES",
    "dependents",
    "graphml_bytes",
    "prerequisites",
    "required_subgraph",
    "to_dot",
    "to_graphml",
    "to_node_link",
    "to_svg",
    "topological_order",
    "waves",
]

#: States of a criterion in a :func:`required_subgraph`, in legend order.
STATES = ("left", "met", "not_needed", "not_applicable")
_STATE_TEXT = {
    "left": "left to do (the plan's steps)",
    "met": "met",
    "not_needed": "not needed for the target",
    "not_applicable": "not applicable to the facility",
}
_STATE_COLOR = {
    "left": "#f4a582",
    "met": "#92c5de",
    "not_needed": "#f0f0f0",
    "not_applicable": "#d9d9d9",
}
#: Fill colours of levels 1, 2, ... (repeating), light enough for black text.
_LEVEL_COLORS = ("#deebf7", "#c6dbef", "#9ecae1", "#fdd0a2", "#fdae6b", "#c7e9c0", "#a1d99b")
#: Frame colours of catalogs, in the order of ``catalog.frameworks``.
_CATALOG_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf")


def _level_color(level: int) -> str:
    return _LEVEL_COLORS[(level - 1) % len(_LEVEL_COLORS)]


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


def required_subgraph(
    catalog: Catalog, assessment: Assessment, target: Target | str, **options: Any
) -> nx.DiGraph[str]:
    """Return what ``target`` needs of one facility: its criteria and all their prerequisites.

    Each node keeps the catalog graph's attributes and gets ``state``: ``left`` for the steps
    of :func:`readiness.plan` (the planner's required set, exactly), else ``met`` (a met record),
    ``not_applicable`` (recorded so, or the criterion does not apply to the facility) or
    ``not_needed`` (not met, but the target does not need it, e.g. above a threshold rule's
    share). The target's own criteria have ``in_target = True``.

    Parameters
    ----------
    catalog : Catalog
    assessment : Assessment
        The facility's assessment to plan from.
    target : Target or str
        As for :func:`readiness.plan` (``CATALOG@LEVEL``, ``milestone:KEY``, ``criteria:...``).
    **options
        Passed to :func:`readiness.plan` (``start``, ``max_parallel``, ...).

    Examples
    --------
    >>> import datetime as dt, readiness
    >>> from readiness.graph import required_subgraph
    >>> catalog = readiness.load_catalog("vn-emr")
    >>> facility = readiness.Facility(id="h1", kind="hospital", ownership="public", beds=100)
    >>> a = readiness.Assessment(facility=facility, date=dt.date(2026, 1, 1), records={})
    >>> sub = required_subgraph(catalog, a, "milestone:vn-emr:emr-live")
    >>> plan = readiness.plan(catalog, a, "milestone:vn-emr:emr-live")
    >>> {k for k, s in sub.nodes(data="state") if s == "left"} == {s.criterion for s in plan.steps}
    True
    """
    from readiness._plan import Target, plan  # noqa: PLC0415

    chosen = Target.parse(target) if isinstance(target, str) else target
    roadmap = plan(catalog, assessment, chosen, **options)
    left = {step.criterion for step in roadmap.steps}
    named = set(_target_criteria(catalog, chosen))
    keep = set(named) | left
    for key in list(keep):
        keep |= nx.ancestors(catalog.graph, key)
    records = {catalog.resolve(k): r for k, r in assessment.records.items()}
    facts = assessment.facility.attribute_values()
    sub: nx.DiGraph[str] = nx.DiGraph()
    sub.graph.update(
        catalog=catalog.id,
        facility=assessment.facility.id,
        date=assessment.date.isoformat(),
        target=roadmap.target_text,
    )
    for key in catalog.criteria:  # topological order
        if key not in keep:
            continue
        record = records.get(key)
        status = None if record is None else record.status.value
        if key in left:
            state = "left"
        elif status == "met":
            state = "met"
        elif status == "not_applicable" or not catalog.criteria[key].applies_to.matches(facts):
            state = "not_applicable"
        else:
            state = "not_needed"
        sub.add_node(key, **catalog.graph.nodes[key], state=state, in_target=key in named)
    sub.add_edges_from(
        (u, v, catalog.graph.edges[u, v]) for u, v in catalog.graph.edges if u in keep and v in keep
    )
    return sub


def _target_criteria(catalog: Catalog, target: Target) -> tuple[str, ...]:
    """Return the criteria a target names (a level: every one up to it; a milestone: its own)."""
    if target.catalog is not None:
        framework = catalog.frameworks.get(target.catalog)
        if framework is None:
            return ()
        level = target.level or 0
        return tuple(k for k in framework.criteria if catalog.criteria[k].level <= level)
    if target.milestone is not None:
        return catalog.milestone(target.milestone).criteria
    return tuple(catalog.resolve(k) for k in target.criteria)


def _graph(source: Catalog | nx.DiGraph[str]) -> nx.DiGraph[str]:
    return source.graph if isinstance(source, Catalog) else source


def to_node_link(catalog: Catalog | nx.DiGraph[str]) -> dict[str, Any]:
    """Return the graph as JSON-ready node-link data (``networkx.node_link_data``, ``edges``).

    ``catalog`` may also be a :func:`required_subgraph`.
    """
    data: dict[str, Any] = nx.node_link_data(_graph(catalog), edges="edges")
    if isinstance(catalog, Catalog):
        data["graph"] = {
            "catalog": catalog.id,
            "versions": dict(catalog.versions),
        }
    return data


def _xml_safe(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """Return a copy whose text (ids and attribute values) XML 1.0 can hold."""

    def clean(data: dict[str, Any]) -> dict[str, Any]:
        return {
            _safe.xml_text(k): _safe.xml_text(v) if isinstance(v, str) else v
            for k, v in data.items()
        }

    out: nx.DiGraph[str] = nx.DiGraph()
    out.graph.update(clean(dict(graph.graph)))
    out.add_nodes_from((_safe.xml_text(n), clean(d)) for n, d in graph.nodes(data=True))
    out.add_edges_from(
        (_safe.xml_text(u), _safe.xml_text(v), clean(d)) for u, v, d in graph.edges(data=True)
    )
    return out


def to_graphml(catalog: Catalog | nx.DiGraph[str], target: str | PathLike[str] | IO[bytes]) -> None:
    r"""Write the graph as GraphML (readable by Gephi, yEd, Cytoscape, networkx).

    Characters XML 1.0 forbids (a vertical tab in a title) are written as visible escapes
    (``\x0b``), so the file always parses. ``catalog`` may also be a :func:`required_subgraph`.
    """
    nx.write_graphml(_xml_safe(_graph(catalog)), target, named_key_ids=True)


def graphml_bytes(catalog: Catalog | nx.DiGraph[str]) -> bytes:
    """Return :func:`to_graphml` as bytes (UTF-8)."""
    buffer = io.BytesIO()
    to_graphml(catalog, buffer)
    return buffer.getvalue()


def _dot_text(text: str) -> str:
    r"""Escape text for inside a DOT quoted string (controls shown as ``\x0b``)."""
    return _safe.terminal(text).replace("\\", "\\\\").replace('"', '\\"')


def _dot_id(text: str) -> str:
    return f'"{_dot_text(text)}"'


def to_dot(catalog: Catalog, *, lang: str = "en", subgraph: nx.DiGraph[str] | None = None) -> str:
    """Return the graph as Graphviz DOT text, one cluster per catalog, labelled in ``lang``.

    Nodes are filled by level (by state for a ``subgraph`` from :func:`required_subgraph`),
    legacy criteria dashed, inferred edges dotted; a ``legend`` cluster says so.

    Examples
    --------
    >>> import readiness
    >>> from readiness.graph import to_dot
    >>> to_dot(readiness.load_catalog("vn-infosec")).splitlines()[0]
    'digraph readiness {'
    """
    _safe_lang(lang)
    graph = catalog.graph if subgraph is None else subgraph
    out = io.StringIO()
    out.write(
        "digraph readiness {\n  rankdir=LR;\n  node [shape=box, fontsize=10, style=filled];\n"
    )
    for index, (catalog_id, framework) in enumerate(catalog.frameworks.items()):
        keys = [k for k in framework.criteria if k in graph]
        if not keys:
            continue
        frame = _CATALOG_COLORS[index % len(_CATALOG_COLORS)]
        out.write(
            f"  subgraph cluster_{index} {{\n    label={_dot_id(catalog_id)};\n"
            f'    color="{frame}";\n'
        )
        for key in keys:
            criterion = catalog.criteria[key]
            label = "\\n".join(
                _dot_text(part)
                for part in (criterion.id, f"L{criterion.level}: {criterion.title.get(lang)}")
            )
            fill = _node_fill(graph, key, criterion.level, subgraph is not None)
            style = ', style="filled,dashed"' if criterion.legacy else ""
            out.write(f'    {_dot_id(key)} [label="{label}", fillcolor="{fill}"{style}];\n')
        out.write("  }\n")
    for source, target in graph.edges:
        grade = graph.edges[source, target]["grade"]
        style = " [style=dotted]" if grade == "inferred" else ""
        out.write(f"  {_dot_id(source)} -> {_dot_id(target)}{style};\n")
    out.write(_dot_legend(catalog, graph, subgraph is not None))
    out.write("}\n")
    return out.getvalue()


def _safe_lang(lang: str) -> None:
    if lang not in ("en", "vi"):
        raise OptionError("lang must be 'en' or 'vi'", key="lang", value=lang)


def _node_fill(graph: nx.DiGraph[str], key: str, level: int, by_state: bool) -> str:
    if by_state:
        return _STATE_COLOR[graph.nodes[key]["state"]]
    return _level_color(level)


def _legend_entries(
    catalog: Catalog,
    graph: nx.DiGraph[str],
    by_state: bool,
) -> list[tuple[str, str]]:
    """(fill colour, text) of each node legend entry."""
    if by_state:
        present = {str(data.get("state")) for _, data in graph.nodes(data=True)}
        return [(_STATE_COLOR[s], _STATE_TEXT[s]) for s in STATES if s in present]
    levels = sorted({catalog.criteria[k].level for k in graph if k in catalog.criteria})
    return [(_level_color(n), f"level {n}") for n in levels]


def _dot_legend(catalog: Catalog, graph: nx.DiGraph[str], by_state: bool) -> str:
    lines = ['  subgraph cluster_legend {\n    label="legend";\n    color="#999999";\n']
    for n, (fill, text) in enumerate(_legend_entries(catalog, graph, by_state)):
        lines.append(f'    "legend:{n}" [label={_dot_id(text)}, fillcolor="{fill}"];\n')
    lines.append('    "legend:a" [label="A", shape=plaintext, style=""];\n')
    lines.append('    "legend:b" [label="B", shape=plaintext, style=""];\n')
    lines.append('    "legend:c" [label="C", shape=plaintext, style=""];\n')
    lines.append('    "legend:a" -> "legend:b" [label="cited by a source"];\n')
    lines.append('    "legend:b" -> "legend:c" [label="inferred", style=dotted];\n')
    lines.append("  }\n")
    return "".join(lines)


def _figure(catalog: Catalog, lang: str, subgraph: nx.DiGraph[str] | None) -> Any:
    """Draw the graph on a new matplotlib Figure (see :func:`to_svg`)."""
    _safe_lang(lang)
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 - optional dependency
        from matplotlib.lines import Line2D  # noqa: PLC0415
        from matplotlib.patches import Patch  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError(
            "SVG drawings need matplotlib: pip install 'readiness[plot]'"
        ) from None
    graph = catalog.graph if subgraph is None else subgraph
    column: dict[str, int] = {}
    for key in catalog.criteria:  # topological
        if key in graph:
            column[key] = 1 + max((column[p] for p in graph.predecessors(key)), default=-1)
    rows: dict[int, int] = {}
    position: dict[str, tuple[float, float]] = {}
    for key, wave in column.items():
        row = rows.get(wave, 0)
        rows[wave] = row + 1
        position[key] = (wave * 3.2, -row * 0.6)
    height = max(rows.values(), default=1)
    width = max(rows, default=0) + 1
    figure = Figure(figsize=(max(6.0, width * 2.6 + 3.0), max(3.0, height * 0.42 + 1.5)))
    axes = figure.add_axes((0.01, 0.01, 0.78, 0.98))
    axes.set_axis_off()
    frames = {
        cid: _CATALOG_COLORS[n % len(_CATALOG_COLORS)] for n, cid in enumerate(catalog.frameworks)
    }
    boxes: dict[str, Any] = {}
    for key, (x, y) in position.items():
        criterion = catalog.criteria[key]
        text = _safe.xml_text(_safe.terminal(criterion.id))
        boxes[key] = axes.text(
            x,
            y,
            text if len(text) <= 28 else text[:27] + "…",
            ha="center",
            va="center",
            fontsize=7,
            bbox={
                "boxstyle": "round,pad=0.3",
                "facecolor": _node_fill(graph, key, criterion.level, subgraph is not None),
                "edgecolor": frames[criterion.catalog],
                "linestyle": "--" if criterion.legacy else "-",
            },
        )
    for source, target in graph.edges:
        inferred = graph.edges[source, target]["grade"] == "inferred"
        axes.annotate(  # from the right edge of the prerequisite's box to the dependent's left
            "",
            xy=(0.0, 0.5),
            xycoords=boxes[target],
            xytext=(1.0, 0.5),
            textcoords=boxes[source],
            arrowprops={
                "arrowstyle": "->",
                "color": "#555555",
                "linestyle": ":" if inferred else "-",
                "linewidth": 0.8,
                "shrinkA": 4,
                "shrinkB": 4,
            },
        )
    xs = [x for x, _ in position.values()] or [0.0]
    ys = [y for _, y in position.values()] or [0.0]
    axes.set_xlim(min(xs) - 1.6, max(xs) + 1.6)
    axes.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    handles: list[Any] = [
        Line2D([], [], color="#555555", linestyle="-", label="cited by a source"),
        Line2D([], [], color="#555555", linestyle=":", label="inferred"),
    ]
    handles += [
        Patch(facecolor=fill, edgecolor="#999999", label=text)
        for fill, text in _legend_entries(catalog, graph, subgraph is not None)
    ]
    handles += [
        Patch(facecolor="white", edgecolor=color, label=_safe.xml_text(_safe.terminal(cid)))
        for cid, color in frames.items()
        if any(catalog.criteria[k].catalog == cid for k in graph if k in catalog.criteria)
    ]
    title = "legend"
    if subgraph is not None:
        title = _safe.xml_text(
            _safe.terminal(f"{subgraph.graph['facility']}: {subgraph.graph['target']}")
        )
    figure.legend(handles=handles, loc="upper right", fontsize=7, title=title, title_fontsize=8)
    return figure


def to_svg(catalog: Catalog, *, lang: str = "en", subgraph: nx.DiGraph[str] | None = None) -> str:
    """Return the graph drawn as SVG with matplotlib (no Graphviz needed), with a legend.

    Criteria are laid out in waves from left to right (a criterion's column is one more than
    its latest prerequisite's), in catalog order within a column; edges are solid when a
    source cites them, dotted when inferred. Node fill: level (or state for a ``subgraph``);
    frame colour: catalog. Needs matplotlib (``pip install 'readiness[plot]'``); only
    :class:`matplotlib.figure.Figure` is used, so no process-wide state changes.

    Raises
    ------
    readiness.errors.MissingDependencyError
        matplotlib is not installed.
    """
    buffer = io.StringIO()
    _figure(catalog, lang, subgraph).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def dumps_node_link(catalog: Catalog | nx.DiGraph[str]) -> str:
    """Return :func:`to_node_link` as indented JSON text."""
    return json.dumps(to_node_link(catalog), ensure_ascii=False, indent=2, sort_keys=True)
