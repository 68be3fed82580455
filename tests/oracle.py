"""A straightforward reference implementation of the scoring rules, for differential tests.

Plain Python, one facility at a time, walking the networkx graph: nothing here is shared with the
vectorised kernel in ``readiness/_score.py`` except the catalog records themselves. The rules are
those of ``docs/scoring.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import readiness
from readiness import Assessment, Record, Status

EPSILON = 1e-9
UNKNOWN = Record(status=Status.UNKNOWN)


def _records(catalog: readiness.Catalog, assessment: Assessment) -> dict[str, Record]:
    return {catalog.resolve(k): r for k, r in assessment.records.items()}


def oracle(
    catalog: readiness.Catalog,
    assessment: Assessment,
    *,
    policy: str = "strict",
    weights: Mapping[str, Any] | None = None,
    as_of: dt.date | None = None,
    not_applicable: str = "trust",
) -> dict[str, Any]:
    """Score one assessment the slow, obvious way; return plain data."""
    attributes = assessment.facility.attribute_values()
    records = _records(catalog, assessment)
    when = as_of or assessment.date
    graph = catalog.graph
    strict = policy == "strict"
    weights = weights or {}
    custom = {catalog.resolve(k): v for k, v in weights.get("criteria", {}).items()}
    domain_weights = dict(weights.get("domains", {}))

    state: dict[str, str] = {}  # na, met, partial, not_met, unknown, expired, below_coverage
    progress: dict[str, float] = {}
    disputed: list[str] = []  # not_applicable records where the catalog says it applies
    for key, c in catalog.criteria.items():
        record = records.get(key, UNKNOWN)
        if c.legacy is not None or not c.applies_to.matches(attributes):
            state[key] = "na"
            continue
        status = record.status
        if status is Status.NOT_APPLICABLE:
            disputed.append(key)
            counted = not_applicable == "dispute" or not c.accepts_not_applicable
            state[key] = "not_met" if counted else "na"
        elif status is Status.UNKNOWN:
            state[key] = "unknown"
        elif status is Status.NOT_MET:
            state[key] = "not_met"
        elif record.valid_until is not None and record.valid_until < when:
            state[key] = "expired"
        elif status is Status.PARTIAL:
            state[key] = "partial"
            progress[key] = float(record.progress or 0.0)
        elif c.min_coverage is not None and (
            record.coverage is None or record.coverage < c.min_coverage
        ):
            state[key] = "below_coverage"
        else:
            state[key] = "met"

    supported: dict[str, bool] = {}

    def support(key: str) -> bool:
        if key not in supported:
            ok = True
            for parent in graph.predecessors(key):
                if state[parent] == "na":
                    ok = ok and support(parent)
                else:
                    ok = ok and state[parent] == "met" and support(parent)
            supported[key] = ok
        return supported[key]

    def applies(key: str) -> bool:
        return state[key] != "na"

    def raw_credit(key: str) -> float:
        if state[key] == "met":
            return 1.0
        if state[key] == "partial":
            return progress[key]
        return 0.0

    def credit(key: str) -> float:
        if not applies(key):
            return 0.0
        value = raw_credit(key)
        return value if (not strict or support(key)) else 0.0

    def effective(key: str) -> bool:
        return applies(key) and state[key] == "met" and (not strict or support(key))

    def weight(key: str, *, profile: bool) -> float:
        if profile and key in custom:
            return float(custom[key])
        return catalog.criteria[key].weight

    def score(keys: list[str], *, profile: bool = True) -> float | None:
        den = sum(weight(k, profile=profile) for k in keys if applies(k))
        if den <= 0:
            return None
        return 100.0 * sum(weight(k, profile=profile) * credit(k) for k in keys) / den

    def share(keys: list[str], empty: float) -> float:
        den = sum(weight(k, profile=False) for k in keys if applies(k))
        if den <= 0:
            return empty
        return sum(weight(k, profile=False) * credit(k) for k in keys) / den

    keys = list(catalog.criteria)
    by_domain = {}
    for catalog_id, framework in catalog.frameworks.items():
        for domain in framework.domains:
            members = [
                k
                for k in keys
                if catalog.criteria[k].catalog == catalog_id
                and catalog.criteria[k].domain == domain
            ]
            by_domain[f"{catalog_id}:{domain}"] = score(members)
    overall = score(keys)
    if domain_weights:
        total = 0.0
        weighted = 0.0
        for domain, value in by_domain.items():
            if value is not None:
                w = float(domain_weights.get(domain, 1.0))
                total += w
                weighted += w * value
        overall = weighted / total if total > 0 else None

    catalogs = {}
    for catalog_id, framework in catalog.frameworks.items():
        own = [k for k in keys if catalog.criteria[k].catalog == catalog_id]
        by_level = {}
        satisfied = []
        progress_of = []
        blockers_of = []
        for level in framework.levels:
            members = [k for k in own if catalog.criteria[k].level == level.number]
            by_level[level.number] = score(members)
            applicable = [k for k in members if applies(k)]
            if level.rule.value == "all":
                ok = all(effective(k) for k in applicable)
                prog = share(members, 1.0)
                blockers = [k for k in applicable if not effective(k)]
            elif level.rule.value == "threshold":
                den = sum(weight(k, profile=False) for k in applicable)
                num = sum(weight(k, profile=False) * credit(k) for k in applicable)
                ok = num >= level.threshold * den - EPSILON * den
                prog = min(share(members, 1.0) / level.threshold, 1.0)
                blockers = [k for k in applicable if not effective(k)]
            else:
                complete = []
                shares = []
                blockers = []
                for bundle in level.bundles:
                    inside = [k for k in own if catalog.criteria[k].bundle == bundle and applies(k)]
                    done = bool(inside) and all(effective(k) for k in inside)
                    complete.append(done)
                    shares.append(share(inside, 0.0))
                    blockers += [k for k in inside if not effective(k)]
                ok = sum(complete) >= level.k
                best = sorted(shares)[-level.k :]
                prog = sum(best) / len(best)
            satisfied.append(ok)
            progress_of.append(prog)
            blockers_of.append(sorted(blockers))
        if not any(applies(k) for k in own):
            catalogs[catalog_id] = {
                "level": None,
                "progress": None,
                "blockers": [],
                "by_level": by_level,
                "score": None,
            }
            continue
        reached = 0
        while reached < len(satisfied) and satisfied[reached]:
            reached += 1
        top = reached == len(satisfied)
        catalogs[catalog_id] = {
            "level": reached,
            "progress": None if top else progress_of[reached],
            "blockers": [] if top else blockers_of[reached],
            "by_level": by_level,
            "score": score(own),
        }

    claims = [k for k in keys if applies(k) and state[k] in ("met", "partial") and not support(k)]
    return {
        "overall": overall,
        "by_domain": by_domain,
        "catalogs": catalogs,
        "unsupported": sorted(claims),
        "gaps": sorted(k for k in keys if applies(k) and state[k] == "unknown"),
        "disputed": sorted(disputed),
        "applicable": sum(1 for k in keys if applies(k)),
        "met": sum(1 for k in keys if effective(k)),
        "state": state,
    }
