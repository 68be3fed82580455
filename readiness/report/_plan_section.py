"""An extra section of a province report made from plans: what is left, by facility kind.

``readiness report`` builds one for each ``[[section]]`` of a report specification (see
:mod:`readiness._spec`): the facilities it selects, planned toward its target, counted by kind
and verdict, with the median number of steps left and the estimated cost. Every word comes from
the label files, so the section reads in the report's language.
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
    columns += [fmt.t("steps_left_median"), fmt.t("cost_estimate")]
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
                fmt.money(sum(r["cost_vnd"] for r in group)),
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
    section = Section(title=title, text=text, columns=columns, rows=rows, note=fmt.t("plans_note"))
    return section, line
