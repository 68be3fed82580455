"""Charts of a report record, drawn with matplotlib (imported only when a chart is drawn)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import re
import textwrap
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from readiness.errors import MissingDependencyError
from readiness.report._escape import deep_map, escape_html
from readiness.report._language import DASH, VERDICTS, Fmt
from readiness.report._records import shown_groups

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


#: matplotlib settings of every chart (on top of matplotlib's defaults), for identical output.
CHART_RC: Mapping[str, Any] = {
    "svg.hashsalt": "readiness-report",
    "svg.fonttype": "none",
    "font.family": ["DejaVu Sans"],
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "text.parse_math": False,
    "figure.dpi": 100,
    "path.simplify": True,
}
_FONT_STACK = "'DejaVu Sans', 'Noto Sans', 'Segoe UI', Arial, sans-serif"
_WIDTH = 7.6  # inches
_VERDICT_COLORS = {
    "done": "#2166ac",
    "on_track": "#92c5de",
    "at_risk": "#f4a582",
    "late": "#b2182b",
    "no_deadline": "#d9d9d9",
}
_CATALOG_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
)
_NA_COLOR = "#d9d9d9"
_ZERO_COLOR = "#fdd9b5"


def _matplotlib() -> Any:
    try:
        import matplotlib as mpl  # noqa: PLC0415 - optional dependency
        import matplotlib.figure  # noqa: PLC0415
        import matplotlib.style  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError(
            "charts need matplotlib: pip install 'readiness[plot]'"
        ) from None
    return mpl


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=True)) or text


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def chart_titles(data: Mapping[str, Any], fmt: Fmt) -> dict[str, str]:
    period = (data.get("roadmap") or {}).get("period", "quarter")
    return {
        "levels": fmt.t("chart_levels"),
        "domains": fmt.t("chart_domains"),
        "deadlines": fmt.t("chart_deadlines"),
        "roadmap": fmt.t("chart_roadmap", period=fmt.t(period)),
        "facility_levels": fmt.t("chart_facility_levels"),
        "facility_domains": fmt.t("chart_facility_domains"),
        "gantt": fmt.t("chart_gantt"),
        "decisions": fmt.t("chart_decisions"),
        "scenarios": fmt.t("chart_scenarios"),
    }


#: Groups a chart shows by name; the rest are one "others" bar.
_CHART_GROUPS = 12
#: Held while matplotlib's process-wide settings are switched to :data:`CHART_RC`.
_LOCK = threading.RLock()
#: Longest data string a chart shows (longer ones end in "…"; the tables show them whole).
_LONGEST = 160


@contextlib.contextmanager
def chart_settings() -> Iterator[None]:
    """Switch matplotlib to the chart settings for the ``with`` block, one thread at a time.

    matplotlib keeps its settings (and the SVG writer's ``svg.hashsalt`` and ``svg.fonttype``)
    only process-wide. The block starts from matplotlib's defaults plus :data:`CHART_RC` and
    puts the caller's settings back exactly on exit; a lock keeps two reports from switching
    them at once, so charts drawn in threads are the same bytes as charts drawn one by one.
    """
    mpl = _matplotlib()
    with _LOCK, mpl.style.context("default"), mpl.rc_context(dict(CHART_RC)):
        yield


def draw_charts(data: Mapping[str, Any], fmt: Fmt) -> dict[str, tuple[Figure, str]]:
    """Draw every chart of a record: its figure and its description, by name.

    Call inside :func:`chart_settings`. Data strings longer than :data:`_LONGEST` characters are
    cut for the charts.
    """
    from matplotlib.figure import Figure  # noqa: PLC0415

    data = _chart_view(data, fmt)
    if _has_long_text(data):
        data = deep_map(data, lambda text: _short(text, _LONGEST))
    builders: list[tuple[str, Callable[[Any, Mapping[str, Any], Fmt], str | None]]]
    if data["kind"] == "province":
        builders = [("levels", _chart_levels), ("domains", _chart_domains)]
        if data["deadlines"] is not None:
            builders.append(("deadlines", _chart_deadlines))
        if data["roadmap"] is not None and data["roadmap"]["timeline"]:
            builders.append(("roadmap", _chart_roadmap))
        if data.get("decisions") is not None:
            from readiness.report._decisions import (  # noqa: PLC0415
                chart_decisions,
                chart_scenarios,
            )

            builders += [("decisions", chart_decisions), ("scenarios", chart_scenarios)]
    else:
        builders = [
            ("facility_levels", _chart_facility_levels),
            ("facility_domains", _chart_facility_domains),
        ]
        if data["plan"] is not None and data["plan"]["steps"]:
            builders.append(("gantt", _chart_gantt))
    out = {}
    for name, build in builders:
        fig = Figure(figsize=(_WIDTH, 3), layout="constrained")
        desc = build(fig, data, fmt)
        if desc is not None:
            out[name] = (fig, desc)
    return out


def _chart_view(data: Mapping[str, Any], fmt: Fmt) -> dict[str, Any]:
    """Keep what the charts draw: no facility rows, at most :data:`_CHART_GROUPS` groups."""
    view = {k: v for k, v in data.items() if k not in ("facilities", "blockers", "extra")}
    if data["kind"] == "province":
        rows = shown_groups(data["groups"]["rows"], fmt, _CHART_GROUPS)
        view["groups"] = {
            **data["groups"],
            "rows": [{**group, "label": label} for label, group in rows],
        }
    return view


def _has_long_text(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) > _LONGEST
    if isinstance(value, dict):
        return any(_has_long_text(k) or _has_long_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_long_text(v) for v in value)
    return False


def render_charts(data: Mapping[str, Any], fmt: Fmt) -> dict[str, str]:
    """Render every chart of a report as SVG text (deterministic)."""
    titles = chart_titles(data, fmt)
    out = {}
    with chart_settings(), warnings.catch_warnings():
        # a chart of odd data may not fit its layout; it is still drawn, so no warning
        warnings.filterwarnings("ignore", message="constrained_layout not applied")
        for name, (fig, desc) in draw_charts(data, fmt).items():
            buffer = io.StringIO()
            fig.savefig(
                buffer,
                format="svg",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
            )
            out[name] = _finish_svg(buffer.getvalue(), name, titles[name], desc)
    return out


def _finish_svg(raw: str, name: str, title: str, desc: str) -> str:
    """Make matplotlib's SVG fit inline: no prolog, unique ids, a title and a description."""
    svg = raw[raw.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    prefix = f"{name}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}{m[1]}"', svg)
    svg = svg.replace("font-family: 'DejaVu Sans'", f"font-family: {_FONT_STACK}")
    end = svg.index(">")
    head = svg[:end] + f' role="img" aria-labelledby="{prefix}title {prefix}desc" class="chart">'
    labels = (
        f'<title id="{prefix}title">{escape_html(title)}</title>'
        f'<desc id="{prefix}desc">{escape_html(desc)}</desc>'
    )
    return head + labels + svg[end + 1 :].strip() + "\n"


def _number_axis(ax: Axes, fmt: Fmt, axis: str = "x") -> None:
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    formatter = FuncFormatter(
        lambda value, _pos: fmt.num(value, 0 if float(value).is_integer() else 1)
    )
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _level_colors(count: int) -> list[str]:
    from matplotlib import colormaps  # noqa: PLC0415
    from matplotlib.colors import to_hex  # noqa: PLC0415

    cmap = colormaps["Blues"]
    if count <= 1:
        return [to_hex(cmap(0.75))] * count
    return [to_hex(cmap(0.35 + 0.6 * i / (count - 1))) for i in range(count)]


def _label(text: str, width: int) -> str:
    """Wrap an axis label on at most two lines of ``width`` characters."""
    lines = textwrap.wrap(text, width, break_long_words=True) or [text]
    if len(lines) > 2:
        lines = [lines[0], _short(" ".join(lines[1:]), width)]
    return "\n".join(lines)


def _stacked(
    ax: Axes,
    y: npt.NDArray[Any],
    values: npt.NDArray[Any],
    left: npt.NDArray[Any],
    color: str,
    label: str,
) -> npt.NDArray[Any]:
    """Draw one series of a stacked horizontal bar chart; return where the next one starts."""
    ax.barh(
        y, values, left=left, color=color, label=label, height=0.7, edgecolor="white", linewidth=0.4
    )
    return np.asarray(left + values)


def _chart_levels(fig: Figure, data: Mapping[str, Any], fmt: Fmt) -> str:
    total = data["groups"]["total"]
    groups = [(fmt.t("all"), total), *((g["label"], g) for g in data["groups"]["rows"])]
    catalogs = data["catalogs"]
    n = len(groups)
    fig.set_size_inches(_WIDTH, sum(0.8 + 0.26 * max(n, len(c["levels"]) + 2) for c in catalogs))
    axes = fig.subplots(len(catalogs), 1, squeeze=False)[:, 0]
    y = np.arange(n)
    desc = []
    for ax, catalog in zip(axes, catalogs, strict=True):
        keys = ["na", "0", *(str(lv["number"]) for lv in catalog["levels"])]
        colors = [_NA_COLOR, _ZERO_COLOR, *_level_colors(len(catalog["levels"]))]
        names = [fmt.t("na"), fmt.t("level_n", n=0)]
        names += [_short(f"{lv['number']}: {lv['title']}", 28) for lv in catalog["levels"]]
        left = np.zeros(n)
        for key, color, label in zip(keys, colors, names, strict=True):
            values = np.array(
                [
                    100 * g["levels"].get(catalog["id"], {}).get(key, 0) / g["rows"]
                    if g["rows"]
                    else 0.0
                    for _, g in groups
                ]
            )
            left = _stacked(ax, y, values, left, color, label)
        ax.set_yticks(y, labels=[_short(label, 38) for label, _ in groups])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel(fmt.t("pct_facilities"))
        _number_axis(ax, fmt)
        ax.set_title(_wrap(f"{catalog['title']} ({catalog['id']})", 70), loc="left")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
        counts = total["levels"].get(catalog["id"], {})
        desc.append(
            f"{catalog['id']}: "
            + ", ".join(
                f"{name} {fmt.num(counts.get(key, 0))}"
                for key, name in zip(keys, names, strict=True)
            )
        )
    return "; ".join(desc)


def _domain_bars(
    fig: Figure, domains: Sequence[Mapping[str, Any]], catalogs: Sequence[str], texts: list[str]
) -> tuple[Axes, list[float]]:
    """Draw one bar per domain score (``None`` drawn as 0), coloured by catalog, with its text."""
    fig.set_size_inches(_WIDTH, 1.1 + 0.24 * len(domains))
    ax = fig.add_subplot()
    y = np.arange(len(domains))
    values = [d["score"] if d["score"] is not None else 0.0 for d in domains]
    colors = [
        _CATALOG_COLORS[catalogs.index(d["catalog"]) % len(_CATALOG_COLORS)]
        if d["catalog"] in catalogs
        else _NA_COLOR
        for d in domains
    ]
    ax.barh(y, values, color=colors, height=0.7)
    for i, (text, domain) in enumerate(zip(texts, domains, strict=True)):
        # right of the bar and of the peers' diamond, if any, so they never cover each other
        right = max(values[i], domain.get("peer_mean") or 0.0)
        ax.text(right + 2, i, text, va="center", fontsize=7.5)
    ax.set_yticks(y, labels=[_short(d["title"], 44) for d in domains])
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    return ax, values


def _chart_domains(fig: Figure, data: Mapping[str, Any], fmt: Fmt) -> str:
    domains = [{**d, "score": d["mean"]} for d in data["domains"]]
    catalogs = [c["id"] for c in data["catalogs"]]
    texts = [fmt.score(d["score"]) for d in domains]
    ax, _ = _domain_bars(fig, domains, catalogs, texts)
    _number_axis(ax, fmt)
    _catalog_legend(ax, catalogs, [d["catalog"] for d in domains])
    return "; ".join(
        f"{d['catalog']} {d['title']}: {text}" for d, text in zip(domains, texts, strict=True)
    )


def _catalog_legend(ax: Axes, catalogs: Sequence[str], used: Sequence[str]) -> None:
    from matplotlib.patches import Patch  # noqa: PLC0415

    handles = [
        Patch(color=_CATALOG_COLORS[catalogs.index(c) % len(_CATALOG_COLORS)], label=c)
        for c in catalogs
        if c in used
    ]
    ax.legend(handles=handles, loc="lower right", framealpha=0.9, frameon=True)


def _chart_deadlines(fig: Figure, data: Mapping[str, Any], fmt: Fmt) -> str:
    deadlines = data["deadlines"]
    target = deadlines["target"]
    rows = [
        (
            fmt.t("target_row", target=target) if target else fmt.t("target"),
            deadlines["target_counts"],
        )
    ]
    rows += [
        (f"{r['title']} ({', '.join(fmt.date(d) for d in r['dates'])})", r["counts"])
        for r in deadlines["by_deadline"]
    ]
    fig.set_size_inches(_WIDTH, 1.3 + 0.42 * len(rows))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for verdict in VERDICTS:
        values = np.array([float(c[verdict]) for _, c in rows])
        left = _stacked(ax, y, values, left, _VERDICT_COLORS[verdict], fmt.t(verdict))
    ax.set_yticks(y, labels=[_label(label, 40) for label, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel(fmt.t("facilities"))
    _number_axis(ax, fmt)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    counts = deadlines["target_counts"]
    return ", ".join(f"{fmt.t(v)} {fmt.num(counts[v])}" for v in VERDICTS)


def _date_position(iso: str, timeline: Sequence[Mapping[str, Any]], period: str) -> float:
    day = dt.date.fromisoformat(iso)
    starts = [dt.date.fromisoformat(t["start"]) for t in timeline]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else _next_period(start, period)
        if start <= day < end:
            return i + (day - start).days / (end - start).days
    return 0.0 if day < starts[0] else float(len(starts))


def _next_period(start: dt.date, period: str) -> dt.date:
    if period == "year":
        return dt.date(start.year + 1, 1, 1)
    month = start.month + 3
    return dt.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)


def _chart_roadmap(fig: Figure, data: Mapping[str, Any], fmt: Fmt) -> str:
    roadmap = data["roadmap"]
    timeline = roadmap["timeline"]
    period = roadmap["period"]
    fig.set_size_inches(_WIDTH, 4.8)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(2, 1.2))
    fig.set_layout_engine("constrained", h_pad=0.12)  # the two axes' tick labels stay apart
    x = np.arange(len(timeline)) + 0.5
    top.bar(x, [t["steps"] for t in timeline], width=0.8, color="#4a90c2")
    top.set_ylabel(fmt.t("steps_finishing"))
    _number_axis(top, fmt, "y")
    shares = [100 * (t["reached_share"] or 0.0) for t in timeline]
    # planning rule 9: the spread between every step at its low and at its high effort
    earliest = [100 * (t.get("reached_share_earliest") or 0.0) for t in timeline]
    latest = [100 * (t.get("reached_share_latest") or 0.0) for t in timeline]
    bottom.fill_between(x, latest, earliest, color="#1b7837", alpha=0.18, linewidth=0)
    bottom.plot(x, earliest, color="#1b7837", linewidth=0.6, linestyle=":")
    bottom.plot(x, latest, color="#1b7837", linewidth=0.6, linestyle=":")
    bottom.plot(x, shares, marker="o", markersize=3, color="#1b7837")
    bottom.set_ylim(0, 105)
    bottom.set_ylabel(_label(fmt.t("reached_so_far") + " (%)", 18))
    _number_axis(bottom, fmt, "y")
    bottom.set_xlim(0, len(timeline))
    labels = [fmt.period(t["period"]) for t in timeline]
    step = max(1, math.ceil(len(timeline) / 16))
    rotate = len(timeline) > 8
    bottom.set_xticks(
        x[::step],
        labels=labels[::step],
        rotation=45 if rotate else 0,
        ha="right" if rotate else "center",
    )
    ymax = max([t["steps"] for t in timeline] + [1])
    top.set_ylim(0, ymax * 1.4)
    labelled = -math.inf
    for marker in roadmap["deadlines"]:
        pos = _date_position(marker["date"], timeline, period)
        for ax in (top, bottom):
            ax.axvline(pos, color="#b2182b", linestyle="--", linewidth=0.7)
        if pos - labelled >= 0.6:  # keep labels apart
            labelled = pos
            top.text(
                pos,
                ymax * 1.38,
                fmt.date(marker["date"]) + " ",
                rotation=90,
                va="top",
                ha="right",
                fontsize=6.5,
                color="#b2182b",
            )
    busiest = max(timeline, key=lambda t: t["steps"])
    return (
        f"{fmt.t('steps_finishing')}: {fmt.num(roadmap['steps'])}; "
        f"{fmt.period(busiest['period'])}: {fmt.num(busiest['steps'])}; "
        f"{fmt.t('reached_so_far')} {fmt.period(timeline[-1]['period'])}: "
        f"{fmt.pct(timeline[-1]['reached_share'])}; "
        + fmt.t("chart_spread")
        + f"; {fmt.t('deadlines_marked')}: "
        + ", ".join(fmt.date(m["date"]) for m in roadmap["deadlines"])
    )


def _chart_facility_levels(fig: Figure, data: Mapping[str, Any], fmt: Fmt) -> str:
    results = data["results"]
    fig.set_size_inches(_WIDTH, 0.5 + 0.5 * len(results))
    ax = fig.add_subplot()
    desc = []
    for row, result in enumerate(results):
        count = result["max_level"]
        width = 1 / count
        level = result["level"]
        colors = _level_colors(count)
        for i in range(count):
            left = i * width
            if level is None:
                color = _NA_COLOR
            elif i < level:
                color = colors[i]
            else:
                color = "#eef1f5"
            ax.barh(
                row,
                width * 0.96,
                left=left,
                color=color,
                height=0.6,
                edgecolor="#9aa5b1",
                linewidth=0.4,
            )
            if level is not None and i == level and result["progress"]:
                ax.barh(
                    row,
                    width * 0.96 * result["progress"],
                    left=left,
                    color=colors[i],
                    alpha=0.4,
                    height=0.6,
                )
            ink = "white" if level is not None and i < level and i >= count / 2 else "#1d2733"
            ax.text(
                left + width * 0.48,
                row,
                str(i + 1),
                ha="center",
                va="center",
                fontsize=7,
                color=ink,
            )
        shown = fmt.t("na") if level is None else f"{level}/{count}"
        desc.append(f"{result['title']}: {fmt.t('level')} {shown}")
    ax.set_yticks(range(len(results)), labels=[_label(r["title"], 34) for r in results])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    return "; ".join(desc)


def _chart_facility_domains(fig: Figure, data: Mapping[str, Any], fmt: Fmt) -> str:
    domains = data["domains"]
    catalogs = [c["id"] for c in data["catalogs"]]
    texts = [fmt.score(d["score"]) if d["score"] is not None else fmt.t("na") for d in domains]
    ax, _ = _domain_bars(fig, domains, catalogs, texts)
    peers = [(i, d["peer_mean"]) for i, d in enumerate(domains) if d["peer_mean"] is not None]
    if peers:
        ax.scatter(
            [p for _, p in peers],
            [i for i, _ in peers],
            marker="D",
            s=14,
            color="#1d2733",
            zorder=3,
            label=fmt.t("peer_mean"),
        )
        fig.legend(loc="outside upper right", frameon=False)
    _number_axis(ax, fmt)
    return "; ".join(
        f"{d['catalog']} {d['title']}: {text}" for d, text in zip(domains, texts, strict=True)
    )


def _chart_gantt(fig: Figure, data: Mapping[str, Any], fmt: Fmt) -> str:
    plan = data["plan"]
    steps = plan["steps"]
    fig.set_size_inches(_WIDTH, 1.6 + 0.17 * len(steps))
    ax = fig.add_subplot()
    origin = min(dt.date.fromisoformat(s["start"]) for s in steps)
    ends = []
    for i, step in enumerate(steps):
        start = (dt.date.fromisoformat(step["start"]) - origin).days
        finish = (dt.date.fromisoformat(step["finish"]) - origin).days
        ends.append(finish)
        color = _CATALOG_COLORS[(step["wave"] - 1) % len(_CATALOG_COLORS)]
        ax.barh(i, max(finish - start, 1), left=start, color=color, height=0.7)
    ax.set_yticks(range(len(steps)), labels=[_short(s["title"], 52) for s in steps], fontsize=6.5)
    # deadlines shown when they fall near the plan (a year before its start to a year after)
    span = max(ends)
    dates = sorted({v["date"] for v in plan["verdicts"] if v["date"]})
    marks = [
        (day, iso)
        for iso in dates
        if -365 <= (day := (dt.date.fromisoformat(iso) - origin).days) <= span + 365
    ]
    low = min([0] + [d for d, _ in marks]) - 10
    high = max([span] + [d for d, _ in marks]) + 10
    ax.set_xlim(low, high)
    ax.set_ylim(len(steps) - 0.5, -3.2)  # three rows of room above the first step for labels
    labelled = -math.inf
    for day, iso in marks:
        ax.axvline(day, color="#b2182b", linestyle="--", linewidth=0.8)
        if day - labelled < (high - low) / 40:  # a label needs about 1/40 of the width
            continue
        labelled = day
        ax.text(
            day,
            -3.1,
            fmt.date(iso) + " ",
            rotation=90,
            va="top",
            ha="right",
            fontsize=6,
            color="#b2182b",
        )
    ticks = _month_ticks(origin, low, high)
    ax.set_xticks([t for t, _ in ticks], labels=[label for _, label in ticks])
    from matplotlib.patches import Patch  # noqa: PLC0415

    waves = sorted({s["wave"] for s in steps})
    ax.legend(
        handles=[
            Patch(color=_CATALOG_COLORS[(w - 1) % len(_CATALOG_COLORS)], label=fmt.t("wave_n", n=w))
            for w in waves
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    return (
        f"{fmt.num(len(steps))} {fmt.t('steps').lower()}, "
        f"{fmt.date(plan['start'])} {DASH} "
        # planning rule 9: the finish as a range
        + fmt.t(
            "range",
            low=fmt.date(plan["finish_low"]),
            likely=fmt.date(plan["finish"]),
            high=fmt.date(plan["finish_high"]),
        )
        + "; "
        + ", ".join(
            f"{fmt.t('wave_n', n=w)}: {sum(1 for s in steps if s['wave'] == w)}" for w in waves
        )
    )


def _month_ticks(origin: dt.date, low: int, high: int) -> list[tuple[int, str]]:
    first = origin + dt.timedelta(days=low)
    last = origin + dt.timedelta(days=high)
    months = (last.year - first.year) * 12 + last.month - first.month
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= 6)
    ticks = []
    year, month = first.year, first.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = dt.date(year, month, 1)
        if day > last:
            break
        if (year * 12 + month - 1) % step == 0:
            ticks.append(((day - origin).days, f"{month:02d}/{year}"))
    return ticks
