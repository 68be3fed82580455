"""An extra section of a province report made from plans: what is left, by facility kind.

``readiness report`` builds one for each ``[[section]]`` of a report specification (see
:mod:`readiness._spec`): the facilities it selects, planned toward its target, counted by kind
and verdict, with the median number of steps left and the estimated cost as a range, low to
high (likely), and the share of steps whose values are assumed (planning rule 9, never a bare
total). Every word comes from the label files, so the section reads in the report's language.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from readiness._catalog import Catalog, Text
from readiness._plan import PlanTable, Target
from readiness.report._language import VERDICTS, Fmt, check_lang
from readiness.report._records import target_text
from readiness.report._section import Section

_SHOWN = ("done", "on_track", "at_risk", "late")
_COST_KEYS = ("cost_vnd_low", "cost_vnd", "cost_vnd_high")


def plan_section(
    title: Text | str, plans: PlanTable, target: Target, catalog: Catalog, lang: str
) -> tuple[Section, str]:
    """Return the section of ``plans`` toward ``target`` and its one-line console summary."""
    fmt = Fmt(check_lang(lang))
    records = plans.to_records()
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], []).append(record)
    columns = [fmt.t("kind"), fmt.t("facilities"), *(fmt.t(v) for v in _SHOWN)]
    columns += [fmt.t("steps_left_median"), fmt.t("cost_range_estimate")]
    rows = []
    for kind in sorted(by_kind):
        group = by_kind[kind]
        verdicts = [r["target_verdict"] for r in group]
        steps = [r["steps"] for r in group if r["steps"]]
        rows.append(
            [
                fmt.value("kind", kind),
                len(group),
                *(verdicts.count(v) for v in _SHOWN),
                int(np.median(steps)) if steps else 0,
                # planning rule 9: low to high (likely), never a bare total
                fmt.t(
                    "range",
                    **{
                        name: fmt.money(sum(r[k] for r in group))
                        for name, k in zip(("low", "likely", "high"), _COST_KEYS, strict=True)
                    },
                ),
            ]
        )
    due = sorted({r["target_due"] for r in records if r["target_due"]})
    dates = ", ".join(fmt.date(d) for d in due)
    text = target_text(target, catalog, fmt) + (f" ({fmt.t('due')}: {dates})" if due else "")
    counts = {v: sum(1 for r in records if r["target_verdict"] == v) for v in VERDICTS}
    line = fmt.t(
        "section_line",
        title=fmt.text(title),
        facilities=fmt.num(len(records)),
        done=fmt.num(counts["done"]),
        late=fmt.num(counts["late"]),
        due=dates or "-",
    )
    assumed = sum(r["assumed_steps"] for r in records)
    total = sum(r["steps"] for r in records)
    note = fmt.t(
        "plans_note",
        assumed=fmt.num(assumed),
        steps=fmt.num(total),
        share=fmt.pct(assumed / total if total else None),
    )
    section = Section(title=title, text=text, columns=columns, rows=rows, note=note)
    return section, line
