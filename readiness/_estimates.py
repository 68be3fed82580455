"""Estimates of effort and cost as ranges, inline and in per-catalog estimates files.

A criterion may carry an inline ``estimate``; the built-in catalogs keep theirs in
``criteria/estimates/<catalog-id>.toml``.

Estimates are calibrated per country and year and change on a different cadence than the legal
content of a catalog, so the built-in catalogs keep them in separate files, loaded with the
catalog. ``criteria/estimates/README.md`` describes the file format; in short:

* ``[[class]]`` tables name facility classes in order (the first whose ``applies_to`` matches a
  facility is its class; the last has no ``applies_to`` and matches every facility);
* ``[profile.<id>]`` tables give, per class, the factors by which effort and cost scale from the
  ``reference`` class (1 for the reference class itself);
* each ``[[estimate]]`` gives one criterion's effort (elapsed days) and cost (VND) for the
  reference class as ``[low, likely, high]``, a ``profile``, a ``basis``, and ``assumed`` (which
  of ``"effort"`` and ``"cost"`` are the authors' assumptions); ``[[estimate.case]]`` tables give
  exact values for one class instead of the scaled ones.

Every problem is reported with its file and line, all of them together
(:class:`readiness.errors.CatalogError`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from readiness._catalog import (
    ALWAYS,
    ESTIMATE_PARTS,
    MAX_COST_VND,
    MAX_EFFORT_DAYS,
    Condition,
    Estimate,
    Range,
)

if TYPE_CHECKING:
    from readiness._load import _Checker, _Draft

__all__ = ["FORMAT", "EstimatesFile", "parse_range", "read_builtin_estimates"]

#: Version of the estimates file format.
FORMAT = 1

_LIMITS = {"effort_days": float(MAX_EFFORT_DAYS), "cost_vnd": MAX_COST_VND}
PathT = tuple[str | int, ...]


def parse_range(value: Any, limit: float, *, positive: bool = False) -> Range[float] | str:
    """Read a number (no spread) or ``[low, likely, high]``; return the range or a problem."""
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and len(value) != 3:
        return f"must be a number or [low, likely, high], not an array of {len(value)}"
    numbers = []
    for v in values:
        if not isinstance(v, int | float) or isinstance(v, bool):
            return f"must be a number or [low, likely, high], not {type(v).__name__}"
        if not math.isfinite(v):
            return "must be a finite number"
        if v < 0:
            return "must be >= 0"
        if positive and v <= 0:
            return "must be > 0"
        if v > limit:
            return f"must be at most {limit:,g}"
        numbers.append(float(v))
    if len(numbers) == 1:
        return Range.point(numbers[0])
    low, likely, high = numbers
    if not low <= likely <= high:
        return "must be ordered low <= likely <= high"
    return Range(low, likely, high)


def parse_assumed(value: Any) -> frozenset[str] | str:
    """Read ``assumed``: an array naming ``"effort"`` and/or ``"cost"``."""
    if not isinstance(value, list) or not all(v in ESTIMATE_PARTS for v in value):
        return 'must be an array of "effort" and/or "cost" (empty: neither is assumed)'
    if len(set(value)) != len(value):
        return "names a part twice"
    return frozenset(value)


# --------------------------------------------------------------------------- estimates files


class EstimatesFile:
    """The parsed estimates of one catalog: per criterion id, its estimate cases in order."""

    def __init__(
        self, name: str, by_criterion: dict[str, tuple[tuple[Estimate, ...], int | None]]
    ) -> None:
        self.name = name
        self.by_criterion = by_criterion


def _scaled(value: float, factor: float, *, whole: bool) -> float:
    if whole:
        return float(max(1, round(value * factor))) if value > 0 else 0.0
    scaled = value * factor
    if scaled <= 0:
        return 0.0
    digits = 2 - math.floor(math.log10(scaled))  # three significant figures
    return float(round(scaled, digits))


def _scale(found: Range[float] | None, factor: float, *, whole: bool) -> Range[float] | None:
    if found is None:
        return None
    return Range(*(_scaled(v, factor, whole=whole) for v in found))


def _read_file(name: str, text: bytes, catalog_id: str) -> tuple[EstimatesFile, list[Any]]:
    """Parse an estimates file; return it and its problems (located)."""
    from readiness._load import _Checker, _Fields, _Handle, _parse_text  # noqa: PLC0415

    raw, locator = _parse_text(_Handle(name, ("estimates", name)), text)
    check = _Checker(name, locator)
    check.keys(
        raw, (), ("format", "estimates", "class", "profile", "estimate"), ("format", "estimates")
    )
    if raw.get("format") != FORMAT:
        check.add(f"format must be {FORMAT}", ("format",), key="format", value=raw.get("format"))
    meta = raw.get("estimates", {})
    if not isinstance(meta, dict):
        check.add("[estimates] must be a table", ("estimates",), key="estimates")
        meta = {}
    check.keys(
        meta,
        ("estimates",),
        ("catalog", "version", "price_year", "currency", "reference", "note"),
        ("catalog", "version", "price_year", "currency", "reference"),
        what="[estimates]",
    )
    f = _Fields(check, meta, ("estimates",))
    if meta.get("catalog", catalog_id) != catalog_id:
        check.add(
            f"estimates for catalog {meta.get('catalog')!r} in the file of {catalog_id!r}",
            ("estimates", "catalog"),
            key="catalog",
            value=meta.get("catalog"),
        )
    f.string("version")
    f.integer("price_year", low=2000)
    if meta.get("currency", "VND") != "VND":
        check.add("currency must be VND", ("estimates", "currency"), value=meta.get("currency"))
    reference = f.string("reference")
    classes = _classes(raw.get("class"), check)
    profiles = _profiles(raw.get("profile"), check, classes, reference)
    if reference is not None and classes and reference not in classes:
        check.add(
            f"unknown reference class (classes: {', '.join(classes)})",
            ("estimates", "reference"),
            key="reference",
            value=reference,
        )
    by_criterion: dict[str, tuple[tuple[Estimate, ...], int | None]] = {}
    entries = raw.get("estimate", [])
    if not isinstance(entries, list):
        check.add("estimates are [[estimate]] tables", ("estimate",), key="estimate")
        entries = []
    for n, entry in enumerate(entries):
        at: PathT = ("estimate", n)
        if not isinstance(entry, dict):
            check.add("an [[estimate]] must be a table", at)
            continue
        found = _entry(entry, at, check, name, classes, profiles, reference)
        if found is None:
            continue
        criterion, estimates = found
        if criterion in by_criterion:
            first = by_criterion[criterion][1]
            check.add(
                f"this criterion already has estimates (line {first})",
                (*at, "criterion"),
                criterion=criterion,
                key="criterion",
                value=criterion,
            )
            continue
        by_criterion[criterion] = (estimates, check.line(at))
    return EstimatesFile(name, by_criterion), check.problems


def _classes(value: Any, check: _Checker) -> dict[str, tuple[Condition, str]]:
    from readiness._load import _ITEM_ID, _condition, _Fields  # noqa: PLC0415

    classes: dict[str, tuple[Condition, str]] = {}
    if not isinstance(value, list) or not value:
        check.add("give the facility classes as [[class]] tables", ("class",), key="class")
        return classes
    for n, table in enumerate(value):
        at: PathT = ("class", n)
        if not isinstance(table, dict):
            check.add("a [[class]] must be a table", at)
            continue
        check.keys(table, at, ("id", "title", "applies_to"), ("id", "title"), what="[[class]]")
        f = _Fields(check, table, at)
        class_id = f.string("id", pattern=_ITEM_ID)
        title = f.string("title")
        last = n == len(value) - 1
        condition: Condition | None = ALWAYS
        if "applies_to" in table:
            condition = _condition(table["applies_to"], (*at, "applies_to"), check, None, None)
            if last:
                check.add(
                    "the last class must have no applies_to (it holds every other facility)",
                    (*at, "applies_to"),
                    key="applies_to",
                )
        elif not last:
            check.add(
                "only the last class may omit applies_to (it would hide the classes after it)",
                at,
                key="applies_to",
            )
        if class_id is None or title is None or condition is None:
            continue
        if class_id in classes:
            check.add("duplicate class id", (*at, "id"), key="id", value=class_id)
            continue
        classes[class_id] = (condition, title)
    return classes


def _profiles(
    value: Any,
    check: _Checker,
    classes: Mapping[str, tuple[Condition, str]],
    reference: str | None,
) -> dict[str, dict[str, tuple[float, float]]]:
    from readiness._load import _Fields  # noqa: PLC0415

    profiles: dict[str, dict[str, tuple[float, float]]] = {}
    if not isinstance(value, dict) or not value:
        check.add("give at least one [profile.<id>] table", ("profile",), key="profile")
        return profiles
    for profile_id, table in value.items():
        at: PathT = ("profile", profile_id)
        if not isinstance(table, dict):
            check.add("a profile must be a table of classes", at, value=profile_id)
            continue
        check.keys(table, at, (*classes, "note"), tuple(classes), what=f"profile {profile_id!r}")
        factors: dict[str, tuple[float, float]] = {}
        for class_id in classes:
            pair = table.get(class_id)
            if not isinstance(pair, dict):
                continue
            check.keys(pair, (*at, class_id), ("effort", "cost"), ("effort", "cost"))
            f = _Fields(check, pair, (*at, class_id))
            effort = f.number("effort", positive=True, maximum=1000)
            cost = f.number("cost", positive=True, maximum=1000)
            if effort is None or cost is None:
                continue
            if class_id == reference and (effort, cost) != (1.0, 1.0):
                check.add(
                    "the reference class scales by 1 (effort = 1, cost = 1)",
                    (*at, class_id),
                    key=class_id,
                    value=pair,
                )
            factors[class_id] = (effort, cost)
        profiles[profile_id] = factors
    return profiles


def _values(
    table: Mapping[str, Any], at: PathT, check: _Checker, criterion: str | None
) -> tuple[Range[float] | None, Range[float] | None, frozenset[str] | None, bool]:
    ok = True
    found: dict[str, Range[float] | None] = {}
    for key, limit in _LIMITS.items():
        found[key] = None
        if key not in table:
            continue
        parsed = parse_range(table[key], limit)
        if isinstance(parsed, str):
            check.add(parsed, (*at, key), criterion=criterion, key=key, value=table[key])
            ok = False
        else:
            found[key] = parsed
    assumed: frozenset[str] | None = None
    if "assumed" in table:
        parsed_assumed = parse_assumed(table["assumed"])
        if isinstance(parsed_assumed, str):
            check.add(
                parsed_assumed,
                (*at, "assumed"),
                criterion=criterion,
                key="assumed",
                value=table["assumed"],
            )
            ok = False
        else:
            assumed = parsed_assumed
    return found["effort_days"], found["cost_vnd"], assumed, ok


def _entry(
    entry: Mapping[str, Any],
    at: PathT,
    check: _Checker,
    name: str,
    classes: Mapping[str, tuple[Condition, str]],
    profiles: Mapping[str, Mapping[str, tuple[float, float]]],
    reference: str | None,
) -> tuple[str, tuple[Estimate, ...]] | None:
    from readiness._load import _ITEM_ID, _Fields  # noqa: PLC0415

    keys = ("criterion", "profile", "effort_days", "cost_vnd", "assumed", "basis", "case")
    required = ("criterion", "profile", "effort_days", "cost_vnd", "assumed", "basis")
    check.keys(entry, at, keys, required, what="[[estimate]]")
    f = _Fields(check, entry, at)
    criterion = f.string("criterion", pattern=_ITEM_ID)
    f.criterion = criterion
    basis = f.string("basis")
    profile_id = f.string("profile")
    effort, cost, assumed, ok = _values(entry, at, check, criterion)
    if profile_id is not None and profile_id not in profiles:
        check.add(
            f"unknown profile (profiles: {', '.join(profiles)})",
            (*at, "profile"),
            criterion=criterion,
            key="profile",
            value=profile_id,
        )
        ok = False
    cases: dict[str, Estimate] = {}
    for n, case in enumerate(entry.get("case", [])):
        case_at: PathT = (*at, "case", n)
        if not isinstance(case, dict):
            check.add("an [[estimate.case]] must be a table", case_at, criterion=criterion)
            ok = False
            continue
        check.keys(
            case,
            case_at,
            ("class", "effort_days", "cost_vnd", "assumed", "basis"),
            ("class", "effort_days", "cost_vnd", "assumed", "basis"),
            criterion=criterion,
            what="[[estimate.case]]",
        )
        cf = _Fields(check, case, case_at, criterion)
        class_id = cf.string("class")
        case_basis = cf.string("basis")
        c_effort, c_cost, c_assumed, c_ok = _values(case, case_at, check, criterion)
        if class_id is not None and class_id not in classes:
            check.add(
                f"unknown class (classes: {', '.join(classes)})",
                (*case_at, "class"),
                criterion=criterion,
                key="class",
                value=class_id,
            )
            c_ok = False
        elif class_id in cases:
            check.add(
                "this class is given twice",
                (*case_at, "class"),
                criterion=criterion,
                key="class",
                value=class_id,
            )
            c_ok = False
        if not (c_ok and cf.ok) or class_id is None or case_basis is None or c_assumed is None:
            ok = False
            continue
        condition, _ = classes[class_id]
        cases[class_id] = Estimate(
            effort=c_effort,
            cost=c_cost,
            basis=case_basis,
            applies_to=condition,
            assumed=c_assumed,
            origin=f"{name}:{check.line(case_at)}",
        )
    if (
        not (ok and f.ok)
        or criterion is None
        or basis is None
        or profile_id is None
        or assumed is None
        or reference is None
        or reference not in classes
    ):
        return None
    origin = f"{name}:{check.line(at)}"
    profile = profiles[profile_id]
    out = []
    for class_id, (condition, title) in classes.items():
        if class_id in cases:
            out.append(cases[class_id])
            continue
        if class_id not in profile:
            return None  # reported with the profile
        effort_factor, cost_factor = profile[class_id]
        if class_id == reference:
            out.append(
                Estimate(
                    effort=effort,
                    cost=cost,
                    basis=basis,
                    applies_to=condition,
                    assumed=assumed,
                    origin=origin,
                )
            )
            continue
        reference_title = classes[reference][1]
        out.append(
            Estimate(
                effort=_scale(effort, effort_factor, whole=True),
                cost=_scale(cost, cost_factor, whole=False),
                basis=(
                    f"{basis} Scaled for {title.lower()} from the figures for "
                    f"{reference_title.lower()} by the {profile_id!r} profile (effort "
                    f"x{effort_factor:g}, cost x{cost_factor:g}; the authors' assumption)."
                ),
                applies_to=condition,
                assumed=frozenset(ESTIMATE_PARTS),
                origin=origin,
            )
        )
    return criterion, tuple(out)


@functools.cache
def read_builtin_estimates(catalog_id: str) -> tuple[EstimatesFile | None, tuple[Any, ...]]:
    """Return the estimates file of a built-in catalog (None if it has none) and its problems."""
    from readiness._load import _builtin_root  # noqa: PLC0415
    from readiness.errors import CatalogError  # noqa: PLC0415

    name = f"criteria/estimates/{catalog_id}.toml"
    resource = _builtin_root() / "estimates" / f"{catalog_id}.toml"
    if not resource.is_file():
        return None, ()
    try:
        parsed, problems = _read_file(name, resource.read_bytes(), catalog_id)
    except CatalogError as error:
        return None, error.problems
    return parsed, tuple(problems)


def apply_estimates(
    draft: _Draft, criteria_of_draft: Mapping[str, Any], problems: list[Any]
) -> dict[str, tuple[Estimate, ...]]:
    """Return the estimates the file of a built-in ``draft`` gives, per criterion id.

    A criterion's inline estimate in the built-in catalog file and an entry in the estimates
    file conflict (a problem); an inline estimate written by a layer's override wins over the
    file. Entries naming no criterion of the catalog (nor one a layer removed) are problems.
    """
    from readiness.errors import Problem  # noqa: PLC0415

    found, read_problems = read_builtin_estimates(draft.id)
    problems.extend(read_problems)
    if found is None:
        return {}
    removed = draft.meta.get("removed", {})
    out: dict[str, tuple[Estimate, ...]] = {}
    for criterion, (estimates, line) in found.by_criterion.items():
        item = criteria_of_draft.get(criterion)
        if item is None:
            if criterion not in removed:
                problems.append(
                    Problem(
                        message=f"no criterion of catalog {draft.id!r} has this id",
                        path=found.name,
                        line=line,
                        criterion=criterion,
                        value=criterion,
                    )
                )
            continue
        if "estimate" in item.values:
            written = item.values.get("__files", {}).get("estimate", item.file)
            if written == item.file:
                problems.append(
                    Problem(
                        message=(
                            f"estimates given both inline ({item.file}:{item.line('estimate')})"
                            f" and in {found.name}:{line}; keep one"
                        ),
                        path=item.file,
                        line=item.line("estimate"),
                        criterion=criterion,
                        key="estimate",
                    )
                )
            continue  # a layer's estimate wins
        out[criterion] = estimates
    return out
