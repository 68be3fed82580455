"""The "where to spend" section of a province report: record, blocks and charts.

The record (``data["decisions"]``, present only when the report was given a scenario comparison)
comes from :func:`readiness.compare_scenarios`: the baseline's allocation (funded facilities with
their reasons and probabilities of meeting the date, central steps), the distribution of the
number of facilities meeting the date over the Monte Carlo draws, and one row per scenario.
Blocks and charts are drawn from the record only, like the rest of the report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from readiness.report._blocks import Block, Chart, Heading, Items, Span, Table, para
from readiness.report._language import Fmt

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from readiness._scenarios import Comparison

_WIDTH = 7.6  # inches, as the other charts


def decisions_data(comparison: Comparison, fmt: Fmt, max_facilities: int | None) -> dict[str, Any]:
    """Return the JSON-ready record of the section (records first, rendered later)."""
    base = comparison.results[0]
    allocation = base.allocation
    risk = base.risk
    counts = allocation.counts()
    obliged = len(allocation.decisions) - counts.get("not_applicable", 0) - counts.get("exempt", 0)
    funded: list[dict[str, Any]] = []
    for j, decision in enumerate(allocation.decisions):
        if decision.decision != "funded":
            continue
        funded.append(
            {
                "facility_id": decision.facility.id,
                "name": decision.facility.name,
                "kind": decision.facility.kind,
                "cost_vnd_low": decision.cost_vnd_low,
                "cost_vnd": decision.cost_vnd,
                "cost_vnd_high": decision.cost_vnd_high,
                "steps": decision.steps,
                "assumed_steps": decision.assumed_steps,
                "finish_low": decision.finish_low.isoformat() if decision.finish_low else None,
                "finish": decision.finish.isoformat() if decision.finish else None,
                "finish_high": decision.finish_high.isoformat() if decision.finish_high else None,
                "due": decision.due.isoformat() if decision.due else None,
                "p_meet": None if risk is None else float(risk.p_meet[j]),
                "reason": decision.reason,
            }
        )
    # the most likely first, then by id
    funded.sort(
        key=lambda r: (-(r["p_meet"] if r["p_meet"] is not None else 1.0), r["facility_id"])
    )
    listed = funded if max_facilities is None else funded[:max_facilities]
    distribution = None
    province = None
    if risk is not None:
        values, numbers = np.unique(risk.meeting, return_counts=True)
        distribution = [
            {"meeting": int(v), "share": float(n) / risk.draws}
            for v, n in zip(values, numbers, strict=True)
        ]
        group = risk.group("province", "all")
        province = {
            "expected": group.expected_meeting,
            "p10": group.meeting_p10,
            "p50": group.meeting_p50,
            "p90": group.meeting_p90,
            "draws": risk.draws,
            "ranges": risk.ranges,
            "ranges_text": risk.ranges_text(),
            "steps": risk.steps,
            "assumed_range_steps": risk.assumed_range_steps,
            "assumed_steps": risk.assumed_steps,
        }
    return {
        "target": str(allocation.target.describe(None, lang=fmt.lang)),
        "budget_vnd": allocation.budget_vnd,
        "spent_vnd_low": allocation.spent_vnd_low,
        "spent_vnd": allocation.spent_vnd,
        "spent_vnd_high": allocation.spent_vnd_high,
        "steps": allocation.steps,
        "assumed_steps": allocation.assumed_steps,
        "funded": counts.get("funded", 0),
        "meeting": allocation.meeting,
        "obliged": obliged,
        "done": counts.get("done", 0),
        "cannot_meet": counts.get("cannot_meet", 0),
        "central_funded": sum(c.funded for c in allocation.central),
        "optimal": allocation.optimal,
        "gap": allocation.gap,
        "method": allocation.method,
        "uncosted_steps": allocation.uncosted_steps,
        "monte_carlo": province,
        "distribution": distribution,
        "funded_list": listed,
        "funded_listed": len(listed),
        "central": [
            {
                "criterion": c.criterion,
                "cost_vnd_low": c.cost_vnd_low,
                "cost_vnd": c.cost_vnd,
                "cost_vnd_high": c.cost_vnd_high,
                "facilities": c.facilities,
                "funded": c.funded,
            }
            for c in allocation.central
        ],
        "scenarios": comparison.to_records(),
    }


def _number(value: Any) -> float | None:
    """Return a finite number, or None (keys the schema does not check yet, edited by hand)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _whole(value: Any) -> int | None:
    """Return a whole number >= 0, or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _iso(value: Any) -> str | None:
    """Return an ISO date, or None."""
    if not isinstance(value, str):
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return None
    return value


def _money_range(record: Mapping[str, Any], key: str, fmt: Fmt) -> str:
    """Say ``key`` as low to high (likely), planning rule 9.

    A record without usable bounds (written before they existed, or edited) has only the likely
    value, shown alone rather than as a range it does not hold.
    """
    likely = record[key]
    low, high = _number(record.get(f"{key}_low")), _number(record.get(f"{key}_high"))
    if low is None or high is None:
        return fmt.money(likely)
    return fmt.t("range", low=fmt.money(low), likely=fmt.money(likely), high=fmt.money(high))


def _date_range(record: Mapping[str, Any], fmt: Fmt) -> str:
    """Say the planned finish as low to high (likely) dates (the likely one alone, as above)."""
    likely = record["finish"]
    low, high = _iso(record.get("finish_low")), _iso(record.get("finish_high"))
    if likely is None or low is None or high is None:
        return fmt.date(likely)
    return fmt.t("range", low=fmt.date(low), likely=fmt.date(likely), high=fmt.date(high))


def _assumed(data: Mapping[str, Any]) -> tuple[int, int] | None:
    """(assumed steps, steps) of the funded plans, or None for records without them."""
    steps, assumed = _whole(data.get("steps")), _whole(data.get("assumed_steps"))
    if not steps or assumed is None or assumed > steps:
        return None
    return assumed, steps


def ranges_note(carlo: Mapping[str, Any], fmt: Fmt) -> str:
    """Say where the Monte Carlo's ranges come from and how many are assumed, as labelled.

    The counts are the steps with an assumed range and with assumed values (most assumed: said
    first). The source's description (``ranges``) is shown as given; records without the
    counts show it alone.
    """
    steps = _whole(carlo.get("steps"))
    ranged = _whole(carlo.get("assumed_range_steps"))
    valued = _whole(carlo.get("assumed_steps"))
    if not steps or ranged is None or valued is None or max(ranged, valued) > steps:
        return fmt.t("decisions_ranges_source", ranges=carlo["ranges"])
    text = fmt.t(
        "decisions_ranges",
        ranges=carlo["ranges"],
        steps=fmt.num(steps),
        ranged=fmt.num(ranged),
        ranged_share=fmt.pct(ranged / steps, 0),
        valued=fmt.num(valued),
        valued_share=fmt.pct(valued / steps, 0),
    )
    if 2 * ranged > steps:
        return fmt.t("decisions_mostly_ranges") + " " + text
    if 2 * valued > steps:
        return fmt.t("decisions_mostly_values") + " " + text
    return text


def assumed_text(data: Mapping[str, Any], fmt: Fmt) -> str | None:
    """Say the share of funded steps with assumed values (None for records without it)."""
    found = _assumed(data)
    if found is None:
        return None
    assumed, steps = found
    return fmt.t(
        "mostly_assumed" if 2 * assumed > steps else "assumed_share",
        assumed=fmt.num(assumed),
        steps=fmt.num(steps),
        share=fmt.pct(assumed / steps),
    )


def spend_headline(data: Mapping[str, Any], fmt: Fmt, *, share: bool = True) -> str:
    """Say what the budget funds and how many facilities meet the date (also printed).

    The spending is a range, low to high (likely) (planning rule 9); the allocation itself is
    made on the likely values. With ``share``, the share of funded steps with assumed values
    follows, or comes first when most are (the section shows it in a paragraph of its own).
    """
    text = (
        fmt.t(
            "decisions_headline",
            budget=fmt.money(data["budget_vnd"]),
            funded=fmt.num(data["funded"]),
            spent=_money_range(data, "spent_vnd", fmt),
            central=fmt.num(data["central_funded"]),
            meeting=fmt.num(data["meeting"]),
            obliged=fmt.num(data["obliged"]),
            done=fmt.num(data["done"]),
            cannot=fmt.num(data["cannot_meet"]),
        )
        + " "
        + (
            fmt.t("decisions_optimal")
            if data["optimal"]
            else fmt.t("decisions_gap", gap=fmt.pct(data["gap"], 2))
        )
    )
    said = assumed_text(data, fmt) if share else None
    if said is None:
        return text
    found = _assumed(data)
    if found is not None and 2 * found[0] > found[1]:
        return f"{said} {text}"
    return f"{text} {said}"


def decisions_blocks(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    """Return the blocks of the section, drawn from its record."""
    blocks: list[Block] = [Heading(2, fmt.t("spend_section", target=data["target"]), "spend")]
    # planning rule 9: the share of assumed values beside the spending; first when most are
    share = assumed_text(data, fmt)
    found = _assumed(data)
    mostly = found is not None and 2 * found[0] > found[1]
    if share is not None and mostly:
        blocks.append(para(share))
    blocks.append(para(spend_headline(data, fmt, share=False)))
    if share is not None and not mostly:
        blocks.append(para(share, note=True))
    carlo = data["monte_carlo"]
    if carlo is not None:
        blocks += [
            para(
                fmt.t(
                    "decisions_expected",
                    expected=fmt.num(carlo["expected"], 1),
                    low=fmt.num(carlo["p10"]),
                    high=fmt.num(carlo["p90"]),
                    draws=fmt.num(carlo["draws"]),
                )
            ),
            para(ranges_note(carlo, fmt), note=True),
            Chart("decisions"),
        ]
    blocks.append(
        para(fmt.t("decisions_estimates", uncosted=fmt.num(data["uncosted_steps"])), note=True)
    )
    if data["central"]:
        items: list[tuple[Span, ...]] = [
            (
                ("code", c["criterion"]),
                (
                    "",
                    ": "
                    + fmt.t(
                        "decisions_central_line",
                        cost=_money_range(c, "cost_vnd", fmt),
                        facilities=fmt.num(c["facilities"]),
                        state=fmt.t(
                            "decisions_funded_yes" if c["funded"] else "decisions_funded_no"
                        ),
                    ),
                ),
            )
            for c in data["central"]
        ]
        blocks += [Heading(3, fmt.t("decisions_central")), Items(tuple(items))]
    if data["scenarios"][1:]:
        with_mc = "expected_meeting" in data["scenarios"][0]
        columns = [
            fmt.t("decisions_scenario"),
            fmt.t("decisions_changes"),
            fmt.t("decisions_budget"),
            fmt.t("decisions_funded_col"),
            fmt.t("decisions_meeting"),
        ]
        if with_mc:
            columns.append(fmt.t("decisions_expected_col"))
        rows = []
        for s in data["scenarios"]:
            row = [
                s["scenario"],
                s["changes"],
                fmt.money(s["budget_vnd"]),
                fmt.num(s["funded"]),
                fmt.num(s["meeting"]),
            ]
            if with_mc:
                row.append(
                    f"{fmt.num(s['expected_meeting'], 1)} "
                    f"({fmt.num(s['meeting_p10'])}\u2013{fmt.num(s['meeting_p90'])})"
                )
            rows.append(tuple(row))
        blocks += [
            Heading(3, fmt.t("decisions_scenarios")),
            Chart("scenarios"),
            Table(tuple(columns), tuple(rows), numeric=frozenset(range(2, len(columns)))),
        ]
    if data["funded_list"]:
        blocks += [
            Heading(3, fmt.t("decisions_funded")),
            Table(
                (
                    fmt.t("facility"),
                    fmt.t("decisions_cost"),
                    fmt.t("decisions_finish"),
                    fmt.t("decisions_due"),
                    fmt.t("decisions_p"),
                    fmt.t("decisions_reason"),
                ),
                tuple(
                    (
                        r["facility_id"],
                        _money_range(r, "cost_vnd", fmt),
                        _date_range(r, fmt),
                        fmt.date(r["due"]),
                        fmt.pct(r["p_meet"]),
                        r["reason"],
                    )
                    for r in data["funded_list"]
                ),
                numeric=frozenset({1, 4}),
                code=frozenset({0}),
            ),
        ]
        if data["funded_listed"] < data["funded"]:
            blocks.append(
                para(
                    fmt.t("and_more", n=fmt.num(data["funded"] - data["funded_listed"])),
                    note=True,
                )
            )
    return blocks


def chart_decisions(fig: Figure, data: Mapping[str, Any], fmt: Fmt) -> str | None:
    """Bars: the share of draws in which k facilities meet the date."""
    record = data.get("decisions")
    if not record or not record["distribution"]:
        return None
    from readiness.report._charts import _number_axis  # noqa: PLC0415

    points = record["distribution"]
    ax = fig.add_subplot()
    x = np.array([p["meeting"] for p in points], dtype=float)
    y = np.array([p["share"] for p in points], dtype=float)
    ax.bar(x, y, width=max(1.0, (x.max() - x.min()) / 60 if len(x) > 1 else 1.0), color="#2166ac")
    carlo = record["monte_carlo"]
    for key, style in (("p10", ":"), ("p50", "-"), ("p90", ":")):
        ax.axvline(carlo[key], color="#b2182b", linestyle=style, linewidth=1)
    ax.set_xlabel(fmt.t("decisions_meeting"))
    ax.set_ylabel(fmt.t("decisions_share"))
    _number_axis(ax, fmt)
    return fmt.t(
        "decisions_expected",
        expected=fmt.num(carlo["expected"], 1),
        low=fmt.num(carlo["p10"]),
        high=fmt.num(carlo["p90"]),
        draws=fmt.num(carlo["draws"]),
    )


def chart_scenarios(fig: Figure, data: Mapping[str, Any], fmt: Fmt) -> str | None:
    """Horizontal bars per scenario: facilities meeting the date, P10-P90 as a whisker."""
    record = data.get("decisions")
    if not record or len(record["scenarios"]) < 2:
        return None
    from readiness.report._charts import _label, _number_axis  # noqa: PLC0415

    rows = record["scenarios"]
    fig.set_size_inches(_WIDTH, 1.2 + 0.38 * len(rows))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    meeting = np.array([float(r["meeting"]) for r in rows])
    ax.barh(y, meeting, height=0.6, color="#92c5de", label=fmt.t("decisions_meeting"))
    if "expected_meeting" in rows[0]:
        expected = np.array([float(r["expected_meeting"]) for r in rows])
        low = expected - np.array([float(r["meeting_p10"]) for r in rows])
        high = np.array([float(r["meeting_p90"]) for r in rows]) - expected
        ax.errorbar(
            expected,
            y,
            xerr=np.stack([np.maximum(low, 0), np.maximum(high, 0)]),
            fmt="o",
            color="#b2182b",
            markersize=3,
            linewidth=1,
            label=fmt.t("decisions_expected_col"),
        )
    ax.set_yticks(y, labels=[_label(r["scenario"], 28) for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel(fmt.t("facilities"))
    _number_axis(ax, fmt)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    return "; ".join(f"{r['scenario']}: {fmt.num(r['meeting'])}" for r in rows)
