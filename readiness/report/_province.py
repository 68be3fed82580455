"""The record of a province report (:func:`province_report`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from readiness._catalog import Catalog
from readiness._compile import compile_catalog
from readiness._plan import _NEVER, PlanTable
from readiness._portfolio import PlanFigures, Summary, deadline_of
from readiness._score import ScoreTable
from readiness.errors import OptionError
from readiness.report._decisions import decisions_data
from readiness.report._language import VERDICTS, Fmt, check_lang
from readiness.report._records import (
    EPOCH,
    catalogs_data,
    facility_data,
    generator,
    group_data,
    is_synthetic,
    iso_day,
    mean_median,
    provenance,
    stats_data,
    target_text,
    translate_target,
    verdict_key,
)
from readiness.report._report import SCHEMA, Report
from readiness.report._section import Section, extra_sections

if TYPE_CHECKING:
    from readiness._scenarios import Comparison

#: Facilities listed by default in a province report (``max_facilities``).
MAX_FACILITIES = 2000
#: Facility ids listed in lists such as "obliged facilities not yet done".
MAX_IDS = 50


def province_report(
    table: ScoreTable,
    summary: Summary,
    *,
    plans: PlanTable | PlanFigures | None = None,
    roadmap: PlanTable | None = None,
    title: str | None = None,
    lang: str = "en",
    extra: Mapping[str, Section | Mapping[str, Any]] | None = None,
    max_facilities: int | None = MAX_FACILITIES,
    decisions: Comparison | None = None,
) -> Report:
    """Build the report of a province (or any set of facilities).

    Parameters
    ----------
    table : ScoreTable
        The scored assessments (:func:`readiness.score_many`).
    summary : Summary
        Its roll-up (:func:`readiness.summarize` of ``table``): groups, target, obligation,
        blockers, change between rounds, spending.
    plans : PlanTable or PlanFigures, optional
        Plans of the same rows (same order), e.g. toward the obligation's target: deadline
        status per facility and per catalog deadline, and the late facilities.
    roadmap : PlanTable, optional
        Plans toward a long-term target (e.g. ``vn-smart-hospital@3``), any rows: shown as a
        timeline of steps finishing per quarter (or year) with the deadlines as markers, and the
        most common first steps.
    title : str, optional
        Default: "Province readiness report" in the report's language.
    lang : {"en", "vi"}
        Language of labels and titles.
    extra : mapping of str to Section (or mapping), optional
        Example-specific sections, by id (see :class:`Section`), shown after the facility list
        in the given order.
    max_facilities : int or None
        Facility rows listed (the first ones by facility id); ``None`` lists all.
    decisions : Comparison, optional
        A :func:`readiness.compare_scenarios` result: the "where to spend" section (funded
        facilities with reasons and probabilities, the distribution of facilities meeting the
        date, the scenarios side by side), under the key ``decisions`` (absent without it).

    Returns
    -------
    Report

    Examples
    --------
    >>> import readiness as r
    >>> from readiness import synthetic
    >>> from readiness.report import province_report
    >>> catalog = r.load_catalog("vn-emr")
    >>> table = r.score_many(catalog, synthetic.status_matrix(catalog, 20, seed=1))
    >>> report = province_report(table, r.summarize(table, by="kind"))
    >>> report.data["schema"], report.data["provenance"]["synthetic"]
    ('readiness.report/1', True)
    """
    fmt = Fmt(check_lang(lang))
    if not isinstance(table, ScoreTable):
        raise OptionError("table must be a ScoreTable", key="table", value=type(table).__name__)
    if not isinstance(summary, Summary):
        raise OptionError("summary must be a Summary", key="summary", value=type(summary).__name__)
    if summary.total.rows != len(table):
        raise OptionError(
            f"summary must summarize this table ({len(table)} rows)",
            key="summary",
            value=summary.total.rows,
        )
    ids = [table.facility(j).id for j in range(len(table))]
    figures = None
    if plans is not None:
        if not isinstance(plans, PlanTable | PlanFigures):
            raise OptionError("plans must be a PlanTable", key="plans", value=type(plans).__name__)
        figures = plans if isinstance(plans, PlanFigures) else PlanFigures.of(plans)
        if list(figures.facility_ids) != ids:
            raise OptionError(
                "plans must have one row per row of the table, in the same order",
                key="plans",
                value=len(plans),
            )
    if roadmap is not None and not isinstance(roadmap, PlanTable):
        raise OptionError(
            "roadmap must be a PlanTable", key="roadmap", value=type(roadmap).__name__
        )
    if max_facilities is not None and (
        not isinstance(max_facilities, int)
        or isinstance(max_facilities, bool)
        or max_facilities < 0
    ):
        raise OptionError(
            "max_facilities must be a whole number >= 0 or None",
            key="max_facilities",
            value=max_facilities,
        )
    if title is not None and not isinstance(title, str):
        raise OptionError("title must be a string", key="title", value=title)
    catalog = table.catalog
    verdicts = (
        None
        if figures is None
        else np.where(figures.verdicts == "no deadline", "no_deadline", figures.verdicts)
    )
    dates = table.dates.astype("datetime64[D]")
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "province",
        "lang": fmt.lang,
        "title": title or fmt.t("province_title"),
        "generator": generator(),
        "provenance": provenance(table.label, is_synthetic(table.label), table.policy, fmt),
        "catalogs": catalogs_data(catalog, fmt),
        "assessed": {
            "rows": len(table),
            "facilities": len(set(ids)),
            "first_date": str(dates.min()) if len(table) else None,
            "last_date": str(dates.max()) if len(table) else None,
        },
        "target": translate_target(summary.target, catalog, fmt),
        "obligation": _obligation(summary, catalog, fmt),
        "groups": {
            "by": list(summary.by),
            "total": group_data(summary.total, fmt),
            "rows": [group_data(g, fmt) for g in summary.groups],
        },
        "domains": _domains(table, fmt),
        "deadlines": _deadlines(summary, figures, verdicts, ids, fmt),
        "blockers": [
            {
                "catalog": catalog_id,
                "criterion": key,
                "title": fmt.text(catalog.criteria[key].title),
                "rows": count,
            }
            for catalog_id, found in summary.blockers.items()
            for key, count in found
        ],
        "change": _change(summary),
        "counting": _counting(summary, catalog, fmt),
        "roadmap": None if roadmap is None else _roadmap(roadmap, fmt),
        "facilities": _facility_rows(table, ids, verdicts, max_facilities),
        "extra": extra_sections(extra, fmt),
    }
    if decisions is not None:
        from readiness._scenarios import Comparison as _Comparison  # noqa: PLC0415

        if not isinstance(decisions, _Comparison):
            raise OptionError(
                "decisions must be a Comparison (readiness.compare_scenarios)",
                key="decisions",
                value=type(decisions).__name__,
            )
        data["decisions"] = decisions_data(decisions, fmt, max_facilities)
    return Report(data)


def _counting(summary: Summary, catalog: Catalog, fmt: Fmt) -> dict[str, Any]:
    """Facilities listed without an assessment, rounds left out, disputed not-applicable claims."""
    return {
        "not_assessed_total": len(summary.not_assessed),
        "not_assessed": list(summary.not_assessed[:MAX_IDS]),
        "superseded": summary.superseded,
        "not_applicable": summary.not_applicable,
        "disputed_rows": summary.total.disputed_rows,
        "disputed": [
            {"criterion": key, "title": fmt.text(catalog.criteria[key].title), "rows": rows}
            for key, rows in summary.disputed
        ],
    }


def _obligation(summary: Summary, catalog: Catalog, fmt: Fmt) -> dict[str, Any] | None:
    progress = summary.obligation
    if progress is None:
        return None
    obliged, done, extra = progress.obliged, progress.done, progress.done_unobliged
    # ObligationProgress keeps no flag for the convention; its rule says it (see _portfolio)
    with_unobliged = progress.count_unobliged
    counted = done + extra if with_unobliged else done
    return {
        "name": progress.name,
        "target": translate_target(progress.target, catalog, fmt),
        "deadline": None if progress.deadline is None else progress.deadline.isoformat(),
        "obliged": obliged,
        "done": done,
        "done_unobliged": extra,
        "counted": counted,
        "rate": progress.rate,
        "rule": fmt.t("rule_with_unobliged" if with_unobliged else "rule_obliged_only"),
        "missing_total": len(progress.missing),
        "missing": list(progress.missing[:MAX_IDS]),
        "unobliged_done_total": len(progress.unobliged_done),
        "unobliged_done": list(progress.unobliged_done[:MAX_IDS]),
    }


def _domains(table: ScoreTable, fmt: Fmt) -> list[dict[str, Any]]:
    compiled = table.compiled
    out = []
    for d, key in enumerate(compiled.domains):
        catalog_id, domain_id = key.split(":", 1)
        count, mean, median = mean_median(table.domains[d])
        out.append(
            {
                "key": key,
                "catalog": catalog_id,
                "title": fmt.text(table.catalog.frameworks[catalog_id].domains[domain_id].title),
                "scored": count,
                "mean": mean,
                "median": median,
            }
        )
    return out


def _target_verdicts(
    plans: PlanTable, finish_day: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.str_]:
    """Verdict of each plan for its target's due date (as in ``PlanTable.to_records``)."""
    work = plans.required.any(axis=0)
    end = plans.start_day + (plans.finish_day if finish_day is None else finish_day)
    due = plans.target_due
    slack = due - end
    margin = plans.options.risk_margin_days
    verdict = np.where(slack < 0, "late", np.where(slack < margin, "at_risk", "on_track"))
    verdict = np.where(work, verdict, "done")
    return np.asarray(np.where(due >= _NEVER, "no_deadline", verdict))


_deadline_of = deadline_of


def _counts(values: npt.NDArray[np.str_]) -> dict[str, int]:
    names, numbers = np.unique(values, return_counts=True)
    found = {str(n): int(c) for n, c in zip(names, numbers, strict=True)}
    return {name: found.get(name, 0) for name in VERDICTS}


def _deadlines(
    summary: Summary,
    plans: PlanFigures | None,
    verdicts: npt.NDArray[np.str_] | None,
    ids: Sequence[str],
    fmt: Fmt,
) -> dict[str, Any] | None:
    if plans is None or verdicts is None:
        if summary.total.verdicts is None:
            return None
        counts = dict.fromkeys(VERDICTS, 0)
        for name, count in summary.total.verdicts.items():
            counts[verdict_key(name)] += count
        return {
            "target": None,
            "risk_margin_days": 30,
            "target_counts": counts,
            "by_deadline": [],
            "late_total": None,
            "late": [],
            "at_risk_total": None,
            "at_risk": [],
        }
    catalog = plans.catalog
    keys = tuple(catalog.deadlines)
    margin = plans.risk_margin_days
    rows: list[dict[str, Any]] = []
    for d, key in enumerate(keys):
        day = plans.deadline_day[d]
        applies = day < _NEVER
        if not applies.any():
            continue
        work = plans.deadline_work[d]
        if not work.any():  # none of its criteria is left toward the target anywhere
            continue
        slack = day - plans.deadline_last[d]
        verdict = np.where(slack < 0, "late", np.where(slack < margin, "at_risk", "on_track"))
        verdict = np.where(work, verdict, "done")[applies]
        distinct = np.unique(day[applies])
        rows.append(
            {
                "key": key,
                "title": fmt.text(catalog.deadlines[key].title),
                "dates": [iso_day(int(x)) for x in distinct],
                "counts": _counts(np.asarray(verdict)),
            }
        )
    rows.sort(key=lambda r: (r["dates"][0], r["key"]))
    late = sorted(i for i, v in zip(ids, verdicts, strict=True) if v == "late")
    risk = sorted(i for i, v in zip(ids, verdicts, strict=True) if v == "at_risk")
    return {
        "target": target_text(plans.target, catalog, fmt),
        "risk_margin_days": margin,
        "target_counts": _counts(verdicts),
        "by_deadline": rows,
        "late_total": len(late),
        "late": late[:MAX_IDS],
        "at_risk_total": len(risk),
        "at_risk": risk[:MAX_IDS],
    }


def _change(summary: Summary) -> dict[str, Any] | None:
    change = summary.change
    if change is None:
        return None
    return {
        "matched": change.matched,
        "levels": {k: dict(v) for k, v in change.levels.items()},
        "overall_delta": stats_data(change.overall_delta),
        "movers": [
            {"facility": f, "catalog": c, "before": b, "after": a} for f, c, b, a in change.movers
        ],
    }


def _periods(days: npt.NDArray[np.int64], period: str) -> npt.NDArray[np.int64]:
    """Index of the quarter (year * 4 + q) or year of each day."""
    when = EPOCH + days.astype("timedelta64[D]")
    years = when.astype("datetime64[Y]").astype(np.int64) + 1970
    if period == "year":
        return np.asarray(years)
    months = when.astype("datetime64[M]").astype(np.int64) % 12
    return np.asarray(years * 4 + months // 3)


def _period_start(index: int, period: str) -> dt.date:
    if period == "year":
        return dt.date(index, 1, 1)
    return dt.date(index // 4, 3 * (index % 4) + 1, 1)


def _period_name(index: int, period: str) -> str:
    return str(index) if period == "year" else f"{index // 4}-Q{index % 4 + 1}"


def _roadmap(roadmap: PlanTable, fmt: Fmt) -> dict[str, Any]:
    catalog = roadmap.catalog
    compiled = compile_catalog(catalog)
    required = roadmap.required
    n = len(roadmap)
    status_names, status_counts = np.unique(roadmap.status, return_counts=True)
    found = {str(s): int(c) for s, c in zip(status_names, status_counts, strict=True)}
    statuses = {s: found.get(s, 0) for s in ("planned", "done", "unreachable", "not_applicable")}
    work = required.any(axis=0)
    finish = roadmap.start_day[None, :] + roadmap.finish
    step_days = finish[required]
    finish_day = roadmap.finish_day
    facility_days = (roadmap.start_day + finish_day)[work]
    # planning rule 9: each plan's finish if every step took its low (high) effort
    early_days = (roadmap.start_day + roadmap.finish_low_day)[work]
    late_days = (roadmap.start_day + roadmap.finish_high_day)[work]
    verdicts = _target_verdicts(roadmap, finish_day)
    # deadlines covering any required step, and the target's due dates
    keys = tuple(catalog.deadlines)
    deadline_of = _deadline_of(catalog, keys)
    markers: list[dict[str, Any]] = []
    for d, key in enumerate(keys):
        covered = required[deadline_of == d].any(axis=0)
        days = roadmap.deadline_day[d][covered]
        title = fmt.text(catalog.deadlines[key].title)
        markers += [
            {"key": key, "title": title, "date": iso_day(int(day))}
            for day in np.unique(days[days < _NEVER])
        ]
    due = roadmap.target_due[work]
    markers += [
        {"key": "target", "title": fmt.t("target_due"), "date": iso_day(int(day))}
        for day in np.unique(due[due < _NEVER])
    ]
    markers.sort(key=lambda m: (m["date"], m["key"]))
    timeline: list[dict[str, Any]] = []
    period = "quarter"
    if len(step_days):
        marker_days = [
            (dt.date.fromisoformat(m["date"]) - dt.date(1970, 1, 1)).days for m in markers
        ]
        low = int(min(int(roadmap.start_day[work].min()), *marker_days))
        high = int(max(int(step_days.max()), int(late_days.max()), *marker_days))
        if high - low > 6 * 365:
            period = "year"
        first, last = (int(x) for x in _periods(np.array([low, high], dtype=np.int64), period))
        span = last - first + 1
        steps = np.bincount(_periods(step_days.astype(np.int64), period) - first, minlength=span)
        reaching = np.bincount(
            _periods(facility_days.astype(np.int64), period) - first, minlength=span
        )
        already = statuses["done"]
        cumulative = already + np.cumsum(reaching)
        spread = [
            already
            + np.cumsum(
                np.bincount(_periods(days.astype(np.int64), period) - first, minlength=span)
            )
            for days in (early_days, late_days)
        ]
        timeline = [
            {
                "period": _period_name(first + i, period),
                "start": _period_start(first + i, period).isoformat(),
                "steps": int(steps[i]),
                "facilities": int(reaching[i]),
                "reached_share": round(float(cumulative[i]) / n, 4) if n else None,
                "reached_share_earliest": round(float(spread[0][i]) / n, 4) if n else None,
                "reached_share_latest": round(float(spread[1][i]) / n, 4) if n else None,
            }
            for i in range(span)
        ]
    last_finish = roadmap.last_finish
    wave1 = (required & (roadmap.wave == 1)).sum(axis=1)
    planned = int(work.sum())
    order = sorted(np.flatnonzero(wave1).tolist(), key=lambda c: (-int(wave1[c]), compiled.keys[c]))
    return {
        "target": target_text(roadmap.target, catalog, fmt),
        "rows": n,
        "status": statuses,
        "verdicts": _counts(verdicts),
        "steps": int(required.sum()),
        "effort_days": int(roadmap.effort[required].sum()),
        # planning rule 9: cost and last finish as ranges, with the assumed share
        "cost_vnd_low": round(roadmap.cost_range.low, 2),
        "cost_vnd": round(float(roadmap.cost[required].sum()), 2),
        "cost_vnd_high": round(roadmap.cost_range.high, 2),
        "finish_low": None if last_finish is None else last_finish.low.isoformat(),
        "finish": None if last_finish is None else last_finish.likely.isoformat(),
        "finish_high": None if last_finish is None else last_finish.high.isoformat(),
        "assumed_steps": int(roadmap.assumed_steps.sum()),
        "assumed_effort_steps": int((required & ~roadmap.estimated).sum()),
        "uncosted_steps": int((required & ~roadmap.costed).sum()),
        "period": period,
        "timeline": timeline,
        "deadlines": markers,
        "first_steps": [
            {
                "criterion": compiled.keys[c],
                "title": fmt.text(catalog.criteria[compiled.keys[c]].title),
                "facilities": int(wave1[c]),
                "share": round(int(wave1[c]) / planned, 4) if planned else None,
            }
            for c in order[:10]
        ],
    }


def _facility_rows(
    table: ScoreTable,
    ids: Sequence[str],
    verdicts: npt.NDArray[np.str_] | None,
    limit: int | None,
) -> dict[str, Any]:
    compiled = table.compiled
    dates = table.dates.astype("datetime64[D]")
    order = sorted(range(len(table)), key=lambda j: (ids[j], str(dates[j])))
    shown = order if limit is None else order[:limit]
    rows = []
    for j in shown:
        facility = table.facility(j)
        overall = float(table.overall[j])
        rows.append(
            {
                **facility_data(facility),
                "date": str(dates[j]),
                "overall": None if math.isnan(overall) else round(overall, 4),
                "levels": {
                    catalog_id: (None if (v := int(table.level[k, j])) < 0 else v)
                    for k, catalog_id in enumerate(compiled.frameworks)
                },
                "verdict": None if verdicts is None else str(verdicts[j]),
            }
        )
    return {"total": len(table), "shown": len(rows), "rows": rows}
