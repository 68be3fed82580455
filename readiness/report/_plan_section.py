"""An extra section of a province report made from plans: what is left, by facility kind.

``readiness report`` builds one for each ``[[section]]`` of a report specification (see
:mod:`readiness._spec`): the facilities it selects, planned toward its target, counted by kind
and verdict, with the median number of steps left and the estimated cost as a range, low to
high (likely), and the share of steps whose values are assumed (planning rule 9, never a bare
total). Every word comes from the label files, so the section reads in the report's language.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from readiness._catalog import Catalog, Text
from readiness._plan import _NEVER, PlanTable, Target
from readiness._portfolio import plan_step_counts, target_verdicts
from readiness.report._language import VERDICTS, Fmt, check_lang
from readiness.report._records import iso_day, target_text
from readiness.report._section import Section

_SHOWN = ("done", "on_track", "at_risk", "late")


def plan_section(
    title: Text | str,
    plans: PlanTable | Iterable[PlanTable],
    target: Target,
    catalog: Catalog,
    lang: str,
) -> tuple[Section, str]:
    """Return the section of ``plans`` toward ``target`` and its one-line console summary.

    ``plans`` may come in parts (the plans of consecutive chunks of the section's facilities,
    made as they are read): the section keeps each part's per-row figures, read from its arrays,
    never a record per plan.
    """
    fmt = Fmt(check_lang(lang))
    kinds: list[str] = []
    words, counted, costs, dues = [], [], [], []
    for part in (plans,) if isinstance(plans, PlanTable) else plans:  # each part read once
        kinds.extend(part.facilities[int(i)].kind for i in part.rows)
        words.append(target_verdicts(part))
        counted.append(plan_step_counts(part))
        costs.append(part.cost_totals)
        dues.append(part.target_due[part.target_due < _NEVER])
    verdict_words = np.concatenate(words)
    step_counts = np.concatenate(counted)
    cost_totals = np.concatenate(costs)
    due_days = np.concatenate(dues)
    by_kind: dict[str, list[int]] = {}
    for j, kind in enumerate(kinds):
        by_kind.setdefault(kind, []).append(j)
    records = range(len(kinds))
    columns = [fmt.t("kind"), fmt.t("facilities"), *(fmt.t(v) for v in _SHOWN)]
    columns += [fmt.t("steps_left_median"), fmt.t("cost_range_estimate")]
    rows = []
    for kind in sorted(by_kind):
        group = np.array(by_kind[kind], dtype=np.intp)
        verdicts = verdict_words[group].tolist()
        steps = [n for n in step_counts[group, 0].tolist() if n]
        rows.append(
            [
                fmt.value("kind", kind),
                len(group),
                *(verdicts.count(v) for v in _SHOWN),
                int(np.median(steps)) if steps else 0,
                # planning rule 9: low to high (likely), never a bare total (summed in row
                # order, as floats add)
                fmt.t(
                    "range",
                    **{
                        name: fmt.money(sum(cost_totals[group, n].tolist()))
                        for n, name in enumerate(("low", "likely", "high"))
                    },
                ),
            ]
        )
    due = sorted({iso_day(int(d)) for d in np.unique(due_days)})
    dates = ", ".join(fmt.date(d) for d in due)
    text = target_text(target, catalog, fmt) + (f" ({fmt.t('due')}: {dates})" if due else "")
    counts = {v: int((verdict_words == v).sum()) for v in VERDICTS}
    line = fmt.t(
        "section_line",
        title=fmt.text(title),
        facilities=fmt.num(len(records)),
        done=fmt.num(counts["done"]),
        late=fmt.num(counts["late"]),
        due=dates or "-",
    )
    assumed = int(step_counts[:, 1].sum())
    total = int(step_counts[:, 0].sum())
    note = fmt.t(
        "plans_note",
        assumed=fmt.num(assumed),
        steps=fmt.num(total),
        share=fmt.pct(assumed / total if total else None),
    )
    section = Section(title=title, text=text, columns=columns, rows=rows, note=note)
    return section, line
