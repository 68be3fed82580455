"""Hypothesis strategies: random valid catalog sets, facilities and assessments.

Random catalogs are built as plain specs (dicts), written as TOML with :func:`catalog_toml`
(the library reads catalogs only from files), and loaded from a temporary folder. Acyclicity is by
construction: criteria are drawn in a global order and edges only point backwards in it; within a
catalog a prerequisite never sits at a higher level; cross-catalog edges only point at earlier
catalogs, which the later one lists in ``requires``.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import readiness
from readiness import KINDS, OWNERSHIPS, Assessment, Facility, Record

RULES = ("all", "threshold", "k-of-n")
WEIGHTS = (0.5, 1.0, 1.0, 1.0, 2.0, 3.0)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _q(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def catalog_toml(spec: dict[str, Any]) -> str:
    """Write a catalog spec (see :func:`catalog_sets`) as TOML text."""
    lines = ["format = 1", "", "[catalog]"]
    lines += [
        f"{key} = {_value(spec['catalog'][key])}"
        for key in ("id", "title", "version", "requires", "default_deadline")
        if key in spec["catalog"]
    ]
    lines += ["", "[sources.doc]", 'title = "A test document"', ""]
    for domain in spec["domains"]:
        lines += [f"[domains.{domain}]", f"title = {_value({'en': domain, 'vi': domain})}", ""]
    for bundle in spec.get("bundles", []):
        lines += [f"[bundles.{bundle}]", f"title = {_value({'en': bundle, 'vi': bundle})}", ""]
    if "levels" in spec:
        lines += ["[levels]"] + [f"{k} = {_value(v)}" for k, v in spec["levels"].items()] + [""]
    for level in spec["level"]:
        lines.append("[[level]]")
        lines += [f"{k} = {_value(v)}" for k, v in level.items()]
        lines.append("")
    for deadline in spec.get("deadline", []):
        lines += ["[[deadline]]"]
        lines += [f"{k} = {_value(v)}" for k, v in deadline.items() if k != "when"]
        for case in deadline["when"]:
            lines += ["[[deadline.when]]"] + [f"{k} = {_value(v)}" for k, v in case.items()]
        lines.append("")
    for milestone in spec.get("milestone", []):
        lines += ["[[milestone]]"] + [f"{k} = {_value(v)}" for k, v in milestone.items()] + [""]
    for criterion in spec["criterion"]:
        lines.append("[[criterion]]")
        lines += [f"{k} = {_value(v)}" for k, v in criterion.items()]
        lines.append("")
    return "\n".join(lines)


_CONDITIONS = st.one_of(
    st.none(),
    st.none(),
    st.sampled_from(
        [
            {"kind": "hospital"},
            {"kind": ["hospital", "medical_centre"]},
            {"has_beds": True},
            {"has_beds": False},
            {"ownership": "public"},
            {"kind": {"not": ["clinic"]}},
            {"beds": {"min": 50}},
        ]
    ),
)


@st.composite
def catalog_spec(
    draw: st.DrawFn, catalog_id: str, earlier: Sequence[dict[str, Any]], *, max_criteria: int = 10
) -> dict[str, Any]:
    """One random valid catalog spec; may require criteria of ``earlier`` specs."""
    levels = draw(st.integers(1, 4))
    domains = [f"d{i}" for i in range(draw(st.integers(1, 3)))]
    kofn = levels >= 2 and draw(st.booleans()) and draw(st.booleans())
    level_specs: list[dict[str, Any]] = []
    bundles: list[str] = []
    first_kofn = levels + 1
    if kofn:
        bundles = [f"b{i}" for i in range(draw(st.integers(2, 3)))]
        first_kofn = levels - draw(st.integers(0, 1))
        first_kofn = max(first_kofn, 2)
    for number in range(1, levels + 1):
        level: dict[str, Any] = {
            "number": number,
            "title": {"en": f"L{number}", "vi": f"M{number}"},
        }
        if number >= first_kofn:
            level["rule"] = "k-of-n"
            level["k"] = min(number - first_kofn + 1, len(bundles))
            level["bundles"] = bundles
        else:
            rule = draw(st.sampled_from(("all", "all", "threshold")))
            level["rule"] = rule
            if rule == "threshold":
                level["threshold"] = draw(st.sampled_from((0.5, 0.7, 0.75, 1.0)))
        level_specs.append(level)
    plain_levels = [lv["number"] for lv in level_specs if lv["rule"] != "k-of-n"]
    count = draw(
        st.integers(
            len(plain_levels) + len(bundles), max(max_criteria, len(plain_levels) + len(bundles))
        )
    )
    criteria: list[dict[str, Any]] = []
    # every plain level and every bundle gets at least one criterion
    slots: list[tuple[int, str | None]] = [(n, None) for n in plain_levels]
    slots += [(first_kofn, b) for b in bundles]
    while len(slots) < count:
        if bundles and draw(st.booleans()) and draw(st.booleans()):
            slots.append((first_kofn, draw(st.sampled_from(bundles))))
        else:
            slots.append((draw(st.sampled_from(plain_levels)), None))
    slots.sort(key=lambda s: s[0])  # draw order respects levels, so edges go backwards
    requires: set[str] = set()
    for index, (number, bundle) in enumerate(slots):
        cid = f"c{index}"
        criterion: dict[str, Any] = {
            "id": cid,
            "title": {"en": f"Criterion {cid}", "vi": f"Tiêu chí {cid}"},
            "domain": draw(st.sampled_from(domains)),
            "level": number,
        }
        weight = draw(st.sampled_from(WEIGHTS))
        if weight != 1.0:
            criterion["weight"] = weight
        candidates = [c["id"] for c in criteria]
        prereqs = (
            draw(st.lists(st.sampled_from(candidates), max_size=3, unique=True))
            if candidates
            else []
        )
        for other in earlier:
            if other["criterion"] and draw(st.integers(0, 4)) == 0:
                target = draw(st.sampled_from([c["id"] for c in other["criterion"]]))
                prereqs.append(f"{other['catalog']['id']}:{target}")
                requires.add(other["catalog"]["id"])
        if prereqs:
            criterion["requires"] = prereqs
        condition = draw(_CONDITIONS)
        if condition is not None:
            criterion["applies_to"] = condition
        if draw(st.integers(0, 6)) == 0:
            criterion["min_coverage"] = draw(st.sampled_from((0.5, 0.9)))
        if draw(st.integers(0, 8)) == 0:
            criterion["accepts_not_applicable"] = False
        if bundle is not None:
            criterion["bundle"] = bundle
        if (
            bundle is None
            and draw(st.integers(0, 12)) == 0
            and sum(1 for s in slots if s[0] == number and s[1] is None) > 1
        ):
            criterion["legacy"] = "Kept for history in this test."
        criterion["source"] = draw(
            st.sampled_from(
                [{"grade": "inferred"}, {"grade": "primary", "ref": "doc", "clause": "Art. 1"}]
            )
        )
        criteria.append(criterion)
    # a level must keep a non-legacy criterion
    for number in plain_levels:
        mine = [c for c in criteria if c["level"] == number and "bundle" not in c]
        if all("legacy" in c for c in mine):
            mine[0].pop("legacy")
    spec: dict[str, Any] = {
        "catalog": {
            "id": catalog_id,
            "title": {"en": catalog_id, "vi": catalog_id},
            "version": "1",
        },
        "domains": domains,
        "bundles": bundles,
        "level": level_specs,
        "criterion": criteria,
    }
    if requires:
        spec["catalog"]["requires"] = sorted(requires)
    if draw(st.booleans()):
        spec["deadline"] = [
            {
                "id": "due",
                "title": {"en": "Due", "vi": "Hạn"},
                "source": {"grade": "inferred"},
                "when": [
                    {"date": dt.date(2025, 9, 30), "applies_to": {"kind": "hospital"}},
                    {"date": dt.date(2026, 12, 31)},
                ],
            }
        ]
        spec["catalog"]["default_deadline"] = "due"
    return spec


@st.composite
def catalog_sets(
    draw: st.DrawFn, *, max_catalogs: int = 3, max_criteria: int = 10
) -> list[dict[str, Any]]:
    """A list of 1..max_catalogs catalog specs, later ones possibly requiring earlier ones."""
    specs: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, max_catalogs))):
        specs.append(draw(catalog_spec(f"cat{index}", specs, max_criteria=max_criteria)))
    return specs


def load_specs(specs: Sequence[dict[str, Any]]) -> readiness.Catalog:
    """Write specs to a temporary folder, load them all together and remove the folder."""
    with tempfile.TemporaryDirectory(prefix="readiness-test-") as name:
        paths = []
        for spec in specs:
            path = Path(name) / f"{spec['catalog']['id']}.toml"
            path.write_text(catalog_toml(spec), encoding="utf-8")
            paths.append(path)
        return readiness.load_catalog(paths)


FACILITY_IDS = st.integers(1, 10**6).map(lambda n: f"F{n:06d}")


@st.composite
def facilities(draw: st.DrawFn, *, min_size: int = 1, max_size: int = 6) -> list[Facility]:
    """Distinct random facilities."""
    ids = draw(st.lists(FACILITY_IDS, min_size=min_size, max_size=max_size, unique=True))
    out = []
    for fid in ids:
        kind = draw(st.sampled_from(KINDS))
        beds = draw(st.sampled_from((0, 0, 10, 60, 300)))
        out.append(
            Facility(
                id=fid,
                name=f"Facility {fid}",
                kind=kind,
                ownership=draw(st.sampled_from(OWNERSHIPS)),
                beds=beds,
                region=draw(st.sampled_from(("North", "South"))),
            )
        )
    return out


PROGRESS = st.sampled_from((0.1, 0.25, 0.5, 0.7, 0.75, 0.9)) | st.floats(0.01, 0.99)


@st.composite
def records(draw: st.DrawFn, keys: Sequence[str], day: dt.date) -> dict[str, Record]:
    """Random records for some of ``keys`` (others stay unknown)."""
    out: dict[str, Record] = {}
    for key in keys:
        choice = draw(
            st.sampled_from(
                ("met", "met", "met", "partial", "not_met", "unknown", "not_applicable", "none")
            )
        )
        if choice == "none":
            continue
        kwargs: dict[str, Any] = {"status": choice}
        if choice == "partial":
            kwargs["progress"] = draw(PROGRESS)
        if choice == "not_applicable":
            kwargs["reason"] = "not offered here"
        if choice in ("met", "partial") and draw(st.integers(0, 5)) == 0:
            kwargs["valid_until"] = day + dt.timedelta(days=draw(st.integers(-30, 30)))
        if choice == "met" and draw(st.booleans()):
            kwargs["coverage"] = draw(st.sampled_from((0.3, 0.5, 0.9, 1.0)))
        out[key] = Record(**kwargs)
    return out


@st.composite
def assessments(
    draw: st.DrawFn, catalog: readiness.Catalog, *, min_size: int = 1, max_size: int = 6
) -> list[Assessment]:
    """Random assessments of distinct facilities over ``catalog``."""
    day = dt.date(2026, 6, 30)
    keys = list(catalog.criteria)
    return [
        Assessment(facility=f, date=day, records=draw(records(keys, day)))
        for f in draw(facilities(min_size=min_size, max_size=max_size))
    ]
