"""The few lines ``readiness report`` prints: the report's main figures, in its language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from readiness.report._blocks import work_text
from readiness.report._decisions import spend_headline
from readiness.report._escape import visible
from readiness.report._language import VERDICTS, Fmt, check_lang
from readiness.report._province_doc import assessed_text, planned_range, planned_text


def console_lines(data: Mapping[str, Any]) -> list[str]:
    """Return the console summary of a province report record (control characters escaped)."""
    fmt = Fmt(check_lang(data["lang"]))
    lines = [data["title"], assessed_text(data, fmt)]
    obligation = data["obligation"]
    if obligation is not None:
        lines.append(
            fmt.t(
                "obligation_line",
                name=obligation["name"],
                counted=fmt.num(obligation["counted"]),
                obliged=fmt.num(obligation["obliged"]),
                rate=fmt.pct(obligation["rate"]),
            )
            + f"; {fmt.t('missing_obliged')}: {fmt.num(obligation['missing_total'])}"
        )
    total = data["groups"]["total"]
    if total["spent_vnd"] is not None:
        spent = fmt.money(total["spent_vnd"])
        lines.append(f"{fmt.t('spent')}: {spent}{_by_owner(data, _SPENT, fmt)}")
    if total["planned_vnd"] is not None:
        # planning rule 9: the planned cost as a range with the share of assumed steps
        planned = planned_text(total, fmt, _by_owner(data, _PLANNED, fmt))
        lines.append(f"{fmt.t('planned')}: {planned}")
    deadlines = data["deadlines"]
    if deadlines is not None:
        counts = deadlines["target_counts"]
        text = ", ".join(f"{fmt.t(v)} {fmt.num(counts[v])}" for v in VERDICTS if counts[v])
        lines.append(f"{fmt.t('deadlines_section')}: {text or fmt.t('none')}")
    lines.extend(section["title"] for section in data["extra"])
    roadmap = data["roadmap"]
    if roadmap is not None:
        lines.append(
            fmt.t("roadmap_section", target=roadmap["target"])
            + ": "
            + work_text(
                fmt,
                "roadmap_totals",
                roadmap,
                steps=fmt.num(roadmap["steps"]),
                plans=fmt.num(roadmap["status"]["planned"]),
            )
        )
    decisions = data.get("decisions")
    if decisions is not None:
        title = fmt.t("spend_section", target=decisions["target"])
        lines.append(f"{title}: {spend_headline(decisions, fmt)}")
    return [visible(lines[0]), *(f"  {visible(line)}" for line in lines[1:])]


def written_line(data: Mapping[str, Any], paths: list[str]) -> str:
    """Return the line that lists the files written."""
    fmt = Fmt(check_lang(data["lang"]))
    return f"  {fmt.t('written')}: " + ", ".join(visible(p) for p in paths)


_SPENT = ("spent_vnd",)
_PLANNED = ("planned_vnd_low", "planned_vnd", "planned_vnd_high")


def _by_owner(data: Mapping[str, Any], keys: tuple[str, ...], fmt: Fmt) -> str:
    """Say an amount by ownership (when the groups are by ownership), as " (Public 1 bn, ...)".

    ``keys`` is one amount, or the low, likely and high of a planned cost (then said as a range).
    """
    sums: dict[Any, list[float]] = {}
    for group in data["groups"]["rows"]:
        owner = group.get("key", {}).get("ownership")
        if owner is not None and group[keys[0]] is not None:
            amounts = sums.setdefault(owner, [0.0] * len(keys))
            for i, key in enumerate(keys):
                amounts[i] += group[key]
    if len(sums) < 2:
        return ""
    parts = [
        f"{fmt.value('ownership', owner)} "
        + (
            planned_range(dict(zip(keys, amounts, strict=True)), fmt)
            if len(keys) > 1
            else fmt.money(amounts[0])
        )
        for owner, amounts in sums.items()
    ]
    return " (" + ", ".join(parts) + ")"
