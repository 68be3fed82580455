"""The record of a facility report (:func:`facility_report`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from readiness._catalog import Catalog
from readiness._plan import NextStep, Plan
from readiness._portfolio import Stats, Summary
from readiness._score import Blocker, CatalogResult, Score, ScoreTable
from readiness.errors import OptionError
from readiness.report._language import Fmt, check_lang
from readiness.report._records import (
    catalogs_data,
    facility_data,
    generator,
    is_synthetic,
    mean_median,
    provenance,
    stats_data,
    target_text,
)
from readiness.report._report import SCHEMA, Report

if TYPE_CHECKING:
    from readiness.peers import PeerSuggestions


def facility_report(
    score: Score,
    *,
    plan: Plan | None = None,
    next_steps: Sequence[NextStep] = (),
    peers: Summary | ScoreTable | None = None,
    peer_steps: PeerSuggestions | None = None,
    lang: str = "en",
    catalog: Catalog | None = None,
    title: str | None = None,
) -> Report:
    """Build the report of one facility-assessment.

    Parameters
    ----------
    score : Score
        The facility's score (:func:`readiness.score`).
    plan : Plan, optional
        Its plan toward a target (:func:`readiness.plan`): waves as a Gantt chart, verdicts.
    next_steps : sequence of NextStep
        Its ranked next steps (:func:`readiness.next_steps`).
    peers : Summary or ScoreTable, optional
        Similar facilities to compare with: a summary gives their means; a score table also
        gives the facility's rank and the peers' mean per domain.
    peer_steps : readiness.peers.PeerSuggestions, optional
        Peer-informed next steps (:meth:`readiness.peers.PeerAdvisor.suggest`), shown beside the
        rule-based ones.
    lang : {"en", "vi"}
    catalog : Catalog, optional
        The catalog set the score was computed with, for titles, versions and disclaimers.
        Default: the peers' catalog, else the built-in catalog set (said in the report).
    title : str, optional
        Default: "Facility readiness report: NAME".

    Returns
    -------
    Report
    """
    fmt = Fmt(check_lang(lang))
    if not isinstance(score, Score):
        raise OptionError("score must be a Score", key="score", value=type(score).__name__)
    if plan is not None and not isinstance(plan, Plan):
        raise OptionError("plan must be a Plan", key="plan", value=type(plan).__name__)
    steps = tuple(next_steps)
    if not all(isinstance(s, NextStep) for s in steps):
        raise OptionError("next_steps must be NextStep objects", key="next_steps", value=steps)
    if peers is not None and not isinstance(peers, Summary | ScoreTable):
        raise OptionError(
            "peers must be a Summary or a ScoreTable", key="peers", value=type(peers).__name__
        )
    builtin = False
    if catalog is None and isinstance(peers, ScoreTable):
        catalog = peers.catalog
    if catalog is None:
        catalog = _builtin_for(score)
        builtin = True
    if not isinstance(catalog, Catalog):
        raise OptionError("catalog must be a Catalog", key="catalog", value=type(catalog).__name__)
    missing = sorted(set(score.catalogs) - set(catalog.frameworks))
    if missing:
        raise OptionError(
            "the catalog does not hold every catalog of the score", key="catalog", value=missing
        )
    facility = score.facility
    peer_data = _peers(score, peers)
    domain_peers = peer_data.pop("domain_means") if peer_data is not None else {}
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "facility",
        "lang": fmt.lang,
        "title": title or fmt.t("facility_title", name=facility.name or facility.id),
        "generator": generator(),
        "provenance": provenance(
            peers.label if isinstance(peers, ScoreTable | Summary) else None,
            facility.attributes.get("synthetic") is True
            or (isinstance(peers, ScoreTable | Summary) and is_synthetic(peers.label)),
            score.policy,
            fmt,
            builtin=builtin,
        ),
        "catalogs": [c for c in catalogs_data(catalog, fmt) if c["id"] in score.catalogs],
        "facility": facility_data(facility),
        "assessment": {
            "date": score.date.isoformat(),
            "overall": score.overall,
            "applicable": score.applicable,
            "met": score.met,
        },
        "results": [_result(result, catalog, fmt) for result in score.catalogs.values()],
        "domains": [
            {
                "key": key,
                "catalog": key.split(":", 1)[0],
                "title": fmt.text(
                    catalog.frameworks[key.split(":", 1)[0]].domains[key.split(":", 1)[1]].title
                ),
                "score": value,
                "peer_mean": domain_peers.get(key),
            }
            for key, value in score.by_domain.items()
        ],
        "unsupported": [_blocker(b, catalog, fmt) for b in score.unsupported],
        "gaps": [
            {"criterion": key, "title": fmt.text(catalog.criteria[key].title)} for key in score.gaps
        ],
        "plan": None if plan is None else _plan(plan, catalog, fmt),
        "next_steps": [_next_step(s, fmt) for s in steps],
        "peers": peer_data,
        "peer_steps": None if peer_steps is None else _peer_steps(peer_steps),
    }
    return Report(data)


def _peer_steps(suggestions: PeerSuggestions) -> dict[str, Any]:
    return {
        "catalog": suggestions.catalog,
        "level": suggestions.level,
        "peer_level": suggestions.peer_level,
        "peers": list(suggestions.peers),
        "note": suggestions.note,
        "items": [
            {
                "criterion": item.criterion,
                "title": item.title,
                "support": item.support,
                "peers": item.peers,
                "share": item.share,
                "sentence": item.sentence,
            }
            for item in suggestions.items
        ],
    }


def _builtin_for(score: Score) -> Catalog:
    from readiness._load import load_catalog  # noqa: PLC0415 - only when no catalog is given

    last = list(score.catalogs)[-1]
    try:
        return load_catalog(last)
    except LookupError:
        raise OptionError(
            "the score's catalogs are not built in; pass catalog=", key="catalog", value=last
        ) from None


_DETAILS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"^(not met|no data \(unknown\)|partly done|validation expired)$"), None),
    (re.compile(r"^partly done \((?P<share>\d+%)\)$"), "detail_partial"),
    (re.compile(r"^validation expired on (?P<date>\d{4}-\d\d-\d\d)$"), "detail_expired"),
    (
        re.compile(r"^coverage (?P<got>\d+%) is below the minimum (?P<minimum>\d+%)$"),
        "detail_coverage",
    ),
    (re.compile(r"^coverage not reported \(minimum (?P<minimum>\d+%)\)$"), "detail_no_coverage"),
    (re.compile(r"^claimed met, but rests on (?P<keys>.+), not met$"), "detail_claimed"),
    (re.compile(r"^partly done, but rests on (?P<keys>.+), not met$"), "detail_claimed_partial"),
)


def _detail_text(detail: str, fmt: Fmt) -> str:
    """Say a blocker's detail in the report's language ("" when the reason says it all)."""
    return _say(detail, _DETAILS, fmt)


def _say(text: str, patterns: Sequence[tuple[re.Pattern[str], str | None]], fmt: Fmt) -> str:
    """Say an English sentence of the library in the report's language.

    The first pattern that matches gives the label (its groups fill the label's placeholders; a
    key of ``None`` says nothing); a sentence no pattern matches is shown as given.
    """
    for pattern, key in patterns:
        found = pattern.match(text)
        if found:
            if key is None:
                return ""
            values = found.groupdict()
            if "date" in values:
                values["date"] = fmt.date(values["date"])
            return fmt.t(key, **values)
    return text


def _blocker(blocker: Blocker, catalog: Catalog, fmt: Fmt) -> dict[str, Any]:
    reason = blocker.reason.value
    return {
        "criterion": blocker.criterion,
        "title": fmt.text(catalog.criteria[blocker.criterion].title),
        "reason": reason,
        "reason_text": fmt.t(f"blocker_{reason}"),
        "detail": blocker.detail,
        "detail_text": _detail_text(blocker.detail, fmt),
        "missing": list(blocker.missing),
    }


def _result(result: CatalogResult, catalog: Catalog, fmt: Fmt) -> dict[str, Any]:
    framework = catalog.frameworks[result.catalog]
    next_level = result.next_level
    return {
        "catalog": result.catalog,
        "title": fmt.text(framework.title),
        "level": result.level,
        "level_title": fmt.text(result.level_title) if result.level_title else None,
        "max_level": len(framework.levels),
        "next_level": next_level,
        "next_level_title": None
        if next_level is None
        else fmt.text(framework.levels[next_level - 1].title),
        "progress": result.progress,
        "score": result.score,
        "blockers": [_blocker(b, catalog, fmt) for b in result.blockers],
    }


_REASONS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"^needed$"), "reason_needed"),
    (re.compile(r"^in progress \((?P<share>\d+%) done\)$"), "reason_in_progress"),
    (re.compile(r"^validation expired$"), "reason_expired"),
    (re.compile(r"^coverage below the minimum$"), "reason_coverage"),
    (re.compile(r"^claimed, but rests on (?P<keys>.+): re-check after it$"), "reason_claimed"),
)


def _step_reason(reason: str, fmt: Fmt) -> str:
    return _say(reason, _REASONS, fmt)


def _plan(plan: Plan, catalog: Catalog, fmt: Fmt) -> dict[str, Any]:
    target = target_text(plan.target, catalog, fmt)
    verdicts = []
    for verdict in plan.verdicts:
        if verdict.key == "target":
            name = fmt.t("target_row", target=target)
        elif verdict.key in catalog.deadlines:
            name = fmt.text(catalog.deadlines[verdict.key].title)
        else:
            name = verdict.title
        verdicts.append({**verdict.to_dict(), "title": name})
    return {
        "target": target,
        "status": plan.status,
        "note": plan.note,
        "start": plan.start.isoformat(),
        "finish": None if plan.finish is None else plan.finish.isoformat(),
        "effort_days": plan.effort_days,
        "cost_vnd": plan.cost_vnd,
        "assumed_effort_steps": plan.assumed_effort,
        "uncosted_steps": plan.uncosted,
        "critical_path": list(plan.critical_path),
        "verdicts": verdicts,
        "steps": [
            {
                **step.to_dict(),
                "title": fmt.text(step.title),
                "reason": _step_reason(step.reason, fmt),
            }
            for step in sorted(plan.steps, key=lambda s: (s.wave, s.start, s.criterion))
        ],
    }


def _next_step(step: NextStep, fmt: Fmt) -> dict[str, Any]:
    if not step.toward_target:
        why = fmt.t("not_needed")
    elif step.unblocks:
        why = fmt.t("unblocks", n=step.unblocks, m=step.remaining - 1)
    else:
        why = fmt.t("needed_for_target")
    return {**step.to_dict(), "title": fmt.text(step.title), "reason": why}


def _peers(score: Score, peers: Summary | ScoreTable | None) -> dict[str, Any] | None:
    if peers is None:
        return None
    below = None
    domain_means: dict[str, float | None] = {}
    if isinstance(peers, ScoreTable):
        compiled = peers.compiled
        overall = Stats.of(peers.overall)
        by_catalog = {c: Stats.of(peers.catalogs[k]) for k, c in enumerate(compiled.frameworks)}
        present = peers.overall[~np.isnan(peers.overall)].astype(np.float64)
        if score.overall is not None and len(present):
            value = float(score.overall)
            ties = np.abs(present - value) <= 1e-6
            below = float(((present < value) & ~ties).sum() + 0.5 * ties.sum()) / len(present)
        domain_means = {
            key: mean_median(peers.domains[d])[1] for d, key in enumerate(compiled.domains)
        }
        rows = len(peers)
    else:
        overall = peers.total.overall
        by_catalog = dict(peers.total.by_catalog)
        rows = peers.total.rows
    return {
        "rows": rows,
        "label": peers.label,
        "overall": stats_data(overall),
        "by_catalog": {k: stats_data(v) for k, v in by_catalog.items() if k in score.catalogs},
        "share_below": None if below is None else round(below, 4),
        "domain_means": domain_means,
    }
