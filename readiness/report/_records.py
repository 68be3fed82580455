"""Pieces of the report record shared by the province and facility reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import Catalog
from readiness._compile import compile_catalog
from readiness._model import Facility
from readiness._plan import Target
from readiness._portfolio import Group, Stats
from readiness.report._language import Fmt

EPOCH = np.datetime64("1970-01-01", "D")


def iso_day(days: int) -> str:
    return str(EPOCH + np.timedelta64(int(days), "D"))


def stats_data(stats: Stats) -> dict[str, Any]:
    return attrs.asdict(stats)


def catalogs_data(catalog: Catalog, fmt: Fmt) -> list[dict[str, Any]]:
    out = []
    for catalog_id in compile_catalog(catalog).frameworks:
        framework = catalog.frameworks[catalog_id]
        out.append(
            {
                "id": catalog_id,
                "title": fmt.text(framework.title),
                "version": framework.version,
                "disclaimer": framework.disclaimer,
                "origin": framework.origin,
                "coverage": [c.to_dict() for c in framework.coverage],
                "levels": [
                    {"number": level.number, "title": fmt.text(level.title)}
                    for level in framework.levels
                ],
            }
        )
    return out


def target_text(target: Target, catalog: Catalog, fmt: Fmt) -> str:
    if target.catalog is not None and target.level is not None:
        title = target.catalog
        level_title = ""
        if target.catalog in catalog.frameworks:
            framework = catalog.frameworks[target.catalog]
            title = fmt.text(framework.title)
            if 1 <= target.level <= len(framework.levels):
                level_title = fmt.text(framework.levels[target.level - 1].title)
        return fmt.t("level_target", n=target.level, catalog=title, title=level_title)
    if target.milestone is not None:
        try:
            milestone = catalog.milestone(target.milestone)
        except LookupError:
            return fmt.t("milestone_target", title=target.milestone)
        return fmt.t("milestone_target", title=fmt.text(milestone.title))
    return fmt.t("criteria_target", n=len(target.criteria))


def translate_target(text: str | None, catalog: Catalog, fmt: Fmt) -> str | None:
    """Say a target described in English by :meth:`Target.describe` in the report's language."""
    if text is None:
        return None
    candidates = [Target(milestone=key) for key in catalog.milestones]
    for catalog_id, framework in catalog.frameworks.items():
        candidates += [
            Target(catalog=catalog_id, level=n) for n in range(1, len(framework.levels) + 1)
        ]
    for target in candidates:
        if target.describe(catalog) == text:
            return target_text(target, catalog, fmt)
    return text


def provenance(
    label: str | None, synthetic: bool, policy: str, fmt: Fmt, *, builtin: bool = False
) -> dict[str, Any]:
    return {
        "label": label,
        "synthetic": synthetic,
        "policy": policy,
        "estimates_note": fmt.t("estimates_note"),
        "catalogs_builtin": builtin,
    }


def is_synthetic(label: str | None) -> bool:
    return label is not None and "SYNTHETIC" in label.upper()


def generator() -> str:
    from readiness import __version__  # noqa: PLC0415 - the package imports this module lazily

    return f"readiness {__version__}"


def _group_label(key: Mapping[str, Any], fmt: Fmt) -> str:
    return " / ".join(fmt.value(name, value) for name, value in key.items()) or fmt.t("all")


def group_data(group: Group, fmt: Fmt) -> dict[str, Any]:
    return {
        "key": dict(group.key),
        "label": _group_label(group.key, fmt),
        "rows": group.rows,
        "unscored": group.unscored,
        "overall": stats_data(group.overall),
        "by_catalog": {k: stats_data(v) for k, v in group.by_catalog.items()},
        "levels": {
            k: {("na" if n is None else str(n)): c for n, c in v.items()}
            for k, v in group.levels.items()
        },
        "meeting_target": group.meeting_target,
        "spent_vnd": group.spent_vnd,
        "planned_vnd_low": group.planned_vnd_low,
        "planned_vnd": group.planned_vnd,
        "planned_vnd_high": group.planned_vnd_high,
        "planned_steps": group.planned_steps,
        "assumed_steps": group.assumed_steps,
        "assumed_effort_steps": group.assumed_effort_steps,
        "uncosted_steps": group.uncosted_steps,
        "verdicts": None
        if group.verdicts is None
        else {verdict_key(k): v for k, v in group.verdicts.items()},
    }


def verdict_key(name: str) -> str:
    return "no_deadline" if name in ("no deadline", "no_deadline") else name


def mean_median(values: npt.NDArray[Any]) -> tuple[int, float | None, float | None]:
    present = values[~np.isnan(values)].astype(np.float64)
    if not len(present):
        return 0, None, None
    return len(present), round(float(present.mean()), 4), round(float(np.median(present)), 4)


def facility_data(facility: Facility) -> dict[str, Any]:
    """Return the identity of a facility as the records show it."""
    return {
        "id": facility.id,
        "name": facility.name,
        "kind": facility.kind,
        "ownership": facility.ownership,
        "beds": facility.beds,
        "region": facility.region,
    }


#: Groups a province report shows by name in tables and charts; the rest are one "others" row.
MAX_GROUPS = 25


def shown_groups(
    rows: Sequence[Mapping[str, Any]], fmt: Fmt, limit: int = MAX_GROUPS
) -> list[tuple[str, Mapping[str, Any]]]:
    """Return the groups a page shows: the ``limit`` largest (in record order), then "others".

    The others row sums counts, levels, verdicts and money, and averages the means weighted by
    their counts (its SD and median are unknown: shown as a dash). The JSON keeps every group.
    """
    if len(rows) <= limit:
        return [(g["label"], g) for g in rows]
    order = sorted(range(len(rows)), key=lambda i: (-rows[i]["rows"], i))
    kept = sorted(order[:limit])
    rest = [rows[i] for i in order[limit:]]
    others = _sum_groups(rest)
    label = fmt.t("other_groups", n=fmt.num(len(rest)))
    return [*((rows[i]["label"], rows[i]) for i in kept), (label, others)]


def _sum_stats(stats: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    present = [s for s in stats if s["count"] and s["mean"] is not None]
    count = sum(s["count"] for s in present)
    return {
        "count": count,
        "mean": sum(s["mean"] * s["count"] for s in present) / count if count else None,
        "sd": None,
        "median": None,
        "min": min((s["min"] for s in present if s["min"] is not None), default=None),
        "max": max((s["max"] for s in present if s["max"] is not None), default=None),
    }


#: A group's planned steps and those whose values are assumed (planning rule 9).
STEP_COUNTS = ("planned_steps", "assumed_steps", "assumed_effort_steps", "uncosted_steps")


def _sum_optional(values: Sequence[float | None]) -> float | None:
    given = [v for v in values if v is not None]
    return sum(given) if given else None


def _sum_counts(tables: Sequence[Mapping[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for table in tables:
        for key, count in table.items():
            out[key] = out.get(key, 0) + count
    return out


def _sum_groups(groups: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    catalogs = list(dict.fromkeys(k for g in groups for k in g["by_catalog"]))
    verdicts = [g["verdicts"] for g in groups if g["verdicts"] is not None]
    return {
        "label": "",
        "rows": sum(g["rows"] for g in groups),
        "overall": _sum_stats([g["overall"] for g in groups]),
        "by_catalog": {
            c: _sum_stats([g["by_catalog"][c] for g in groups if c in g["by_catalog"]])
            for c in catalogs
        },
        "levels": {
            c: _sum_counts([g["levels"][c] for g in groups if c in g["levels"]]) for c in catalogs
        },
        "meeting_target": _sum_optional([g["meeting_target"] for g in groups]),
        "spent_vnd": _sum_optional([g["spent_vnd"] for g in groups]),
        "planned_vnd_low": _sum_optional([g["planned_vnd_low"] for g in groups]),
        "planned_vnd": _sum_optional([g["planned_vnd"] for g in groups]),
        "planned_vnd_high": _sum_optional([g["planned_vnd_high"] for g in groups]),
        **{key: _sum_optional([g[key] for g in groups]) for key in STEP_COUNTS},
        "verdicts": _sum_counts(verdicts) if verdicts else None,
    }
