"""Property tests of planning rule 9 (ranges and assumed values; docs/planning.md, section 4).

Random catalogs come from ``tests/property/test_planning.py``'s strategies, with some estimate
figures widened to ``[low, likely, high]`` ranges. The low and high schedules are checked against
an independent construction: the likely plan of the same facility with every step's low (high)
figures given as overrides.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import readiness
from readiness import Assessment, Plan, Target
from readiness._plan import ranges_text
from tests.property.test_planning import LIMITS, planning_specs, targets
from tests.strategies import assessments, load_specs

SPREAD_LOW = st.sampled_from([0.0, 0.25, 0.5, 1.0])
SPREAD_HIGH = st.sampled_from([1.0, 1.5, 2.0, 3.0])


@st.composite
def widened(draw: st.DrawFn, case: dict[str, Any]) -> dict[str, Any]:
    out = dict(case)
    for key in ("effort_days", "cost_vnd"):
        if key in out and draw(st.booleans()):
            value = out[key]
            out[key] = [value * draw(SPREAD_LOW), value, value * draw(SPREAD_HIGH)]
    if draw(st.booleans()):
        out["assumed"] = draw(st.sampled_from([[], ["effort"], ["cost"], ["effort", "cost"]]))
    return out


@st.composite
def range_scenario(draw: st.DrawFn) -> tuple[readiness.Catalog, list[Assessment], Target]:
    specs = draw(planning_specs())
    for spec in specs:
        for criterion in spec["criterion"]:
            found = criterion.get("estimate")
            if isinstance(found, dict):
                criterion["estimate"] = draw(widened(found))
            elif isinstance(found, list):
                criterion["estimate"] = [draw(widened(case)) for case in found]
    catalog = load_specs(specs)
    return catalog, draw(assessments(catalog)), draw(targets(catalog))


def _bound(catalog: readiness.Catalog, assessment: Assessment, n: int) -> dict[str, Any]:
    """Overrides giving every criterion its low (n=0) or high (n=2) figures for this facility."""
    attributes = assessment.facility.attribute_values()
    out: dict[str, dict[str, float]] = {}
    for key, criterion in catalog.criteria.items():
        found = criterion.estimate_for(attributes)
        values: dict[str, float] = {}
        if found is not None and found.effort is not None:
            values["effort_days"] = tuple(found.effort)[n]
        if found is not None and found.cost is not None:
            values["cost_vnd"] = tuple(found.cost)[n]
        if values:
            out[key] = values
    return out


def _days(p: Plan) -> int:
    return 0 if p.finish is None else (p.finish - p.start).days


class TestRanges:
    """Rule 9: ranges are ordered; the plan's cost range sums its steps' bounds; the low (high)
    finish is the earlier (later) of the likely finish and the finish of the same plan with every
    step at its low (high) figures; without spread the range is one point."""

    @given(range_scenario(), LIMITS)
    def test_ordered_and_summed(self, case: Any, limits: dict[str, Any]) -> None:
        catalog, items, target = case
        table = readiness.plan_many(catalog, items, target, **limits)
        for j in range(len(items)):
            p = table[j]
            assert p.cost_range.low <= p.cost_range.likely <= p.cost_range.high
            assert p.cost_range.likely == p.cost_vnd
            assert p.effort_range.likely == p.effort_days
            assert p.cost_range.low == sum(s.cost_range.low for s in p.steps)
            assert p.cost_range.high == sum(s.cost_range.high for s in p.steps)
            for step in p.steps:
                assert step.effort_range.likely == step.effort_days
                assert step.cost_range.likely == step.cost_vnd
            if p.finish_range is None:
                assert p.status != "planned"
                continue
            assert p.finish_range.likely == p.finish
            low, likely, high = table.finish_days[j]
            assert low <= likely <= high
            assert list(table.cost_totals[j]) == list(p.cost_range)

    @given(range_scenario(), LIMITS)
    def test_bounds_are_schedules_of_the_bounds(self, case: Any, limits: dict[str, Any]) -> None:
        catalog, items, target = case
        for assessment in items:
            likely = readiness.plan(catalog, assessment, target, **limits)
            if likely.finish_range is None:
                continue
            for n, pick in ((0, min), (2, max)):
                bound = readiness.plan(
                    catalog,
                    assessment,
                    target,
                    estimates=_bound(catalog, assessment, n),
                    **limits,
                )
                expected = pick(_days(bound), _days(likely))
                got = (tuple(likely.finish_range)[n] - likely.start).days
                assert got == expected

    @given(range_scenario())
    def test_no_spread_no_range(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            point = _bound(catalog, assessment, 1)
            p = readiness.plan(catalog, assessment, target, estimates=point)
            assert p.cost_range.low == p.cost_range.high == p.cost_vnd
            if p.finish_range is not None:
                assert p.finish_range.low == p.finish_range.high == p.finish


class TestAssumed:
    """Rule 9: a step's values are assumed when its effort or cost is missing or named in its
    estimate's ``assumed`` (inline estimates: both by default); a user's override is known. The
    text leads with "mostly assumed values" exactly when more than half the steps are assumed."""

    @given(range_scenario())
    def test_assumed_flags(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target)
            attributes = assessment.facility.attribute_values()
            for step in p.steps:
                found = catalog.criteria[step.criterion].estimate_for(attributes)
                expected = (
                    found is None
                    or found.effort is None
                    or found.cost is None
                    or bool(found.assumed)
                )
                assert step.assumed == expected
            assert p.assumed_steps == sum(s.assumed for s in p.steps)
            if p.steps:
                assert p.assumed_share == p.assumed_steps / len(p.steps)
                text = p.explain().splitlines()[0]
                assert ("mostly assumed values" in text) == (2 * p.assumed_steps > len(p.steps))
            else:
                assert p.assumed_share is None

    @given(range_scenario())
    def test_overrides_are_known(self, case: Any) -> None:
        catalog, items, target = case
        known = {key: {"effort_days": 3, "cost_vnd": 1.0} for key in catalog.criteria}
        for assessment in items:
            p = readiness.plan(catalog, assessment, target, estimates=known)
            assert p.assumed_steps == 0
            assert all(not s.assumed for s in p.steps)


def test_ranges_text_leads_with_assumed() -> None:
    finish = readiness.Range(dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    cost = readiness.Range(1e6, 2e6, 3e6)
    assert ranges_text(cost, finish, 2, 4).startswith("cost 1-3 million VND (likely 2)")
    assert ranges_text(cost, finish, 2, 4).endswith("; assumed values: 2 of 4 steps (50%)")
    assert ranges_text(cost, finish, 3, 4).startswith("mostly assumed values (3 of 4 steps, 75%)")
    assert ranges_text(cost, None, 0, 0) == "cost 1-3 million VND (likely 2)"
