"""Plans made in blocks of facilities (readiness/_plan.py ``_PLAN_BLOCK``, ``_LIMIT_BLOCK``),
several blocks at once in threads (``_PLAN_THREADS``).

Blocking and threads are for speed only: every array of the plan table is the same whatever the block size,
with and without limits, and an error names the right facility when it is in a later block.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest

import readiness
from readiness import _plan, errors, synthetic

FIELDS = (
    "status",
    "required",
    "start",
    "finish",
    "wave",
    "effort",
    "cost",
    "effort_low",
    "effort_high",
    "cost_low",
    "cost_high",
    "assumed",
    "finish_low_day",
    "finish_high_day",
    "due",
    "target_due",
    "urgency",
    "ranked",
    "unblocks",
    "frontier",
    "partial",
)


@pytest.fixture(scope="module")
def case():
    catalog = readiness.load_catalog(["vn-smart-hospital", "himss-emram"])
    matrix = synthetic.status_matrix(catalog, 150, seed=5, date=dt.date(2026, 6, 30))
    return catalog, matrix


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("limits", [{}, {"max_parallel": 2, "yearly_budget": 2e9}])
def test_block_size_and_threads_do_not_change_the_plans(case, monkeypatch, limits, threads):
    catalog, matrix = case
    target = "vn-smart-hospital@3"
    whole = readiness.plan_many(catalog, matrix, target, k=3, **limits)  # one block
    monkeypatch.setattr(_plan, "_PLAN_THREADS", threads)  # blocks planned at once
    monkeypatch.setattr(_plan, "_PLAN_BLOCK", 7)
    monkeypatch.setattr(_plan, "_LIMIT_BLOCK", 5)
    blocks = readiness.plan_many(catalog, matrix, target, k=3, **limits)
    assert (blocks.status == "planned").sum() > 100
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(blocks, name), getattr(whole, name), err_msg=name)


def test_a_plan_too_long_is_named_in_a_later_block(case, monkeypatch):
    """The first 10 assessments are dated 2026, the rest 9999-12-01: the first plan running past
    9999-12-31 is in the second block of 7."""
    catalog, matrix = case
    assessments = matrix.to_assessments()[:20]
    late = [
        attrs.evolve(a, date=dt.date(9999, 12, 1)) if n >= 10 else a
        for n, a in enumerate(assessments)
    ]
    named = next(
        a.facility.id
        for a, j in zip(late[10:], range(10, 20), strict=True)
        if readiness.plan_many(catalog, [assessments[j]], "vn-smart-hospital@3", k=0).required.any()
    )
    monkeypatch.setattr(_plan, "_PLAN_BLOCK", 7)
    with pytest.raises(errors.PlanError) as info:
        readiness.plan_many(catalog, late, "vn-smart-hospital@3", k=0)
    assert f"the plan of facility {named!r} runs past the last date" in str(info.value)


def test_limited_blocks_equal_the_per_plan_loop(case, monkeypatch):
    """150 SYNTHETIC plans of many lengths (taken longest first inside a block of 16): the same
    starts as the per-plan loop of tests/oracle_limits.py."""
    from unittest import mock

    from tests.oracle_limits import apply_limits

    catalog, matrix = case
    monkeypatch.setattr(_plan, "_LIMIT_BLOCK", 16)
    limits = {"max_parallel": 2, "yearly_budget": 2e9}
    fast = readiness.plan_many(catalog, matrix, "vn-smart-hospital@3", k=0, **limits)
    with mock.patch.object(_plan, "_apply_limits", apply_limits):
        slow = readiness.plan_many(catalog, matrix, "vn-smart-hospital@3", k=0, **limits)
    steps = fast.required.sum(axis=0)
    assert steps.max() > steps.min() + 10
    np.testing.assert_array_equal(fast.start[fast.required], slow.start[slow.required])
    np.testing.assert_array_equal(fast.finish_high_day, slow.finish_high_day)
    np.testing.assert_array_equal(fast.finish_low_day, slow.finish_low_day)
