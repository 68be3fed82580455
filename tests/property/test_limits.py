"""Planning rule 5 with limits: the array scheduler equals the per-plan loop it replaced.

``readiness._plan._apply_limits`` schedules every plan at once; ``tests/oracle_limits.py`` keeps
the previous implementation, one Python loop per distinct plan written from the rule's wording.
For random catalogs, assessments, targets, parallel limits and yearly budgets, every start and
finish (likely, low and high schedules) must be identical.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import readiness
from readiness import _plan
from tests.oracle_limits import apply_limits
from tests.property.test_ranges import range_scenario

LIMITS = st.fixed_dictionaries(
    {
        "max_parallel": st.sampled_from([None, 1, 2, 3, 5]),
        "yearly_budget": st.sampled_from([None, 100_000_000, 300_000_000, 1_000_000_000]),
    }
).filter(lambda d: d["max_parallel"] is not None or d["yearly_budget"] is not None)
STARTS = st.sampled_from([None, dt.date(2026, 12, 20), dt.date(2027, 1, 1)])


class TestLimitedScheduleEqualsTheLoop:
    """Rule 5: "each starts at the first day, not before the previous step's start, when fewer
    than max_parallel steps are running and its cost fits in what is left of its start year's
    yearly_budget" - the array version gives the same days as the loop, plan by plan."""

    @given(range_scenario(), LIMITS, STARTS)
    def test_same_schedule(self, case: Any, limits: dict[str, Any], start: Any) -> None:
        catalog, items, target = case
        fast = readiness.plan_many(catalog, items, target, start=start, **limits)
        with mock.patch.object(_plan, "_apply_limits", apply_limits):
            slow = readiness.plan_many(catalog, items, target, start=start, **limits)
        required = fast.required
        assert np.array_equal(required, slow.required)
        assert np.array_equal(fast.start[required], slow.start[required])
        assert np.array_equal(fast.finish[required], slow.finish[required])
        assert np.array_equal(fast.finish_low_day, slow.finish_low_day)
        assert np.array_equal(fast.finish_high_day, slow.finish_high_day)
        for j in range(len(items)):
            assert fast[j] == slow[j]


def test_many_identical_and_different_plans() -> None:
    """A portfolio mixing repeated and distinct plans: each column scheduled on its own."""
    catalog = readiness.load_catalog("vn-emr")
    kinds = [("hospital", 300), ("hospital", 40), ("medical_centre", 120), ("clinic", 0)]
    items = []
    for n in range(24):
        kind, beds = kinds[n % len(kinds)]
        facility = readiness.Facility(
            id=f"f{n}", name="F", kind=kind, ownership="public", beds=beds
        )
        records = {"vn.tt13.it.network": "met"} if n % 3 == 0 else {}
        if n % 5 == 0:
            records["vn.tt13.it.servers"] = {"status": "partial", "progress": 0.4}
        items.append(
            readiness.Assessment(
                facility=facility, date=dt.date(2026, 3, n % 28 + 1), records=records
            )
        )
    for limits in (
        {"max_parallel": 2},
        {"yearly_budget": 2e9},
        {"max_parallel": 3, "yearly_budget": 5e8},
    ):
        fast = readiness.plan_many(catalog, items, "vn-emr@3", **limits)
        with mock.patch.object(_plan, "_apply_limits", apply_limits):
            slow = readiness.plan_many(catalog, items, "vn-emr@3", **limits)
        for j in range(len(items)):
            assert fast[j] == slow[j], limits
