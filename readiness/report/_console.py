"""The few lines ``readiness report`` prints: the report's main figures, in its language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from readiness.report._escape import visible
from readiness.report._language import VERDICTS, Fmt, check_lang
from readiness.report._province_doc import assessed_text


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
    for key, label in (("spent_vnd", "spent"), ("planned_vnd", "planned")):
        if total[key] is not None:
            lines.append(f"{fmt.t(label)}: {fmt.money(total[key])}{_by_owner(data, key, fmt)}")
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
            + fmt.t(
                "roadmap_totals",
                steps=fmt.num(roadmap["steps"]),
                plans=fmt.num(roadmap["status"]["planned"]),
                effort=fmt.num(roadmap["effort_days"]),
                cost=fmt.money(roadmap["cost_vnd"]),
            )
        )
    return [visible(lines[0]), *(f"  {visible(line)}" for line in lines[1:])]


def written_line(data: Mapping[str, Any], paths: list[str]) -> str:
    """Return the line that lists the files written."""
    fmt = Fmt(check_lang(data["lang"]))
    return f"  {fmt.t('written')}: " + ", ".join(visible(p) for p in paths)


def _by_owner(data: Mapping[str, Any], key: str, fmt: Fmt) -> str:
    """Say an amount by ownership (when the groups are by ownership), as " (Public 1 bn, ...)"."""
    sums: dict[Any, float] = {}
    for group in data["groups"]["rows"]:
        owner = group.get("key", {}).get("ownership")
        if owner is not None and group[key] is not None:
            sums[owner] = sums.get(owner, 0.0) + group[key]
    if len(sums) < 2:
        return ""
    parts = [
        f"{fmt.value('ownership', owner)} {fmt.money(amount)}" for owner, amount in sums.items()
    ]
    return " (" + ", ".join(parts) + ")"
