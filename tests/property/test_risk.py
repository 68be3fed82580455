"""Property tests of schedule risk (readiness/_risk.py, docs/decisions.md "Schedule risk").

Random catalogs, assessments and targets come from the planning properties' strategy. Common
random numbers make every comparison hold draw by draw, not only on average.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import readiness
from readiness._risk import assumed_ranges, schedule_risk
from tests.property.test_planning import scenario

DRAWS = 64
#: Each example loads a random catalog and plans it; a bounded number keeps the suite fast.
BOUNDED = settings(max_examples=30)


def tables(draw_case):
    catalog, assessments, target = draw_case
    return readiness.plan_many(catalog, assessments, target, k=0)


class TestDeterminism:
    """Rule 4: the same seed gives the same result, whatever the chunking and the threads."""

    @BOUNDED
    @given(scenario(), st.integers(0, 2**32), st.sampled_from([1, 50, 10_000]))
    def test_same_seed_same_result(self, case, seed, cells):
        table = tables(case)
        first = schedule_risk(table, draws=DRAWS, seed=seed)
        again = schedule_risk(table, draws=DRAWS, seed=seed, chunk_cells=cells, workers=1)
        np.testing.assert_array_equal(first.p_meet, again.p_meet)
        np.testing.assert_array_equal(first.finish_p90, again.finish_p90)
        np.testing.assert_array_equal(first.meeting, again.meeting)
        assert first.groups == again.groups


class TestCriticalPath:
    """Rule 2: with ranges of zero width each draw is the plan's own schedule."""

    @BOUNDED
    @given(scenario(), st.sampled_from([None, 1, 2, 3]))
    def test_degenerate_ranges_give_the_plan(self, case, parallel):
        table = tables(case)
        risk = schedule_risk(table, draws=4, ranges=assumed_ranges(1, 1), max_parallel=parallel)
        planned = table.status == "planned"
        work = (table.effort * table.required).sum(axis=0)
        path = table.finish_day
        expected = path if parallel is None else np.ceil(path + (work - path) / parallel - 1e-6)
        np.testing.assert_allclose(risk.finish_p50[planned], expected[planned], atol=1e-3)
        np.testing.assert_array_equal(risk.finish_p50, risk.finish_p90)

    @BOUNDED
    @given(scenario())
    def test_degenerate_ranges_give_the_deadline_verdicts(self, case):
        """Each catalog deadline is met in every draw or in none, as the plan's verdict says."""
        table = tables(case)
        risk = schedule_risk(table, draws=4, ranges=assumed_ranges(1, 1))
        for j in range(len(table)):
            if table.status[j] != "planned":
                continue
            plan = table[j]
            for key, values in risk.deadlines.items():
                verdict = plan.verdict(key)
                if verdict is None or verdict.slack_days is None:
                    assert math.isnan(values[j]) or verdict is None
                    continue
                assert values[j] == (1.0 if verdict.slack_days >= 0 else 0.0)


class TestMonotone:
    """More slack, more parallel work or more yearly budget never lowers a probability; with
    common random numbers the number of facilities meeting their date never falls in any draw."""

    @BOUNDED
    @given(scenario(), st.integers(0, 400))
    def test_slack(self, case, extra):
        table = tables(case)
        base = schedule_risk(table, draws=DRAWS, seed=3)
        more = schedule_risk(table, draws=DRAWS, seed=3, slack_days=extra)
        assert (more.p_meet >= base.p_meet).all()
        assert (more.meeting >= base.meeting).all()
        for key, values in base.deadlines.items():
            known = ~np.isnan(values)
            assert (more.deadlines[key][known] >= values[known]).all()

    @BOUNDED
    @given(scenario(), st.integers(1, 4), st.integers(0, 3))
    def test_parallelism(self, case, fewer, step):
        table = tables(case)
        low = schedule_risk(table, draws=DRAWS, seed=5, max_parallel=fewer)
        high = schedule_risk(table, draws=DRAWS, seed=5, max_parallel=fewer + step)
        unlimited = schedule_risk(table, draws=DRAWS, seed=5)
        assert (high.p_meet >= low.p_meet).all()
        assert (high.meeting >= low.meeting).all()
        assert (unlimited.meeting >= high.meeting).all()
        finite = ~np.isnan(low.finish_p90)
        assert (high.finish_p90[finite] <= low.finish_p90[finite]).all()

    @BOUNDED
    @given(scenario(), st.sampled_from([5e7, 2e8, 1e9]), st.sampled_from([1.0, 1.5, 10.0]))
    def test_budget(self, case, budget, factor):
        table = tables(case)
        low = schedule_risk(table, draws=DRAWS, seed=7, yearly_budget=budget)
        high = schedule_risk(table, draws=DRAWS, seed=7, yearly_budget=budget * factor)
        assert (high.p_meet >= low.p_meet).all()
        assert (high.meeting >= low.meeting).all()


class TestRollUp:
    """The province's expected count is the sum of the facilities' probabilities."""

    @BOUNDED
    @given(scenario())
    def test_expected_is_the_sum(self, case):
        table = tables(case)
        risk = schedule_risk(table, draws=DRAWS, seed=1)
        province = risk.group("province", "all")
        obliged = table.status != "not_applicable"
        assert math.isclose(province.expected_meeting, risk.p_meet[obliged].sum(), abs_tol=1e-9)
        assert province.facilities == int(obliged.sum())
        assert province.meeting_p10 <= province.meeting_p50 <= province.meeting_p90


@st.composite
def ranged_tables(draw):
    """Plans whose steps carry real low / likely / high ranges (overrides of random criteria),
    so the default range source (the catalog's ranges) draws wide, skewed triangulars; the
    others keep the catalog's point estimates or, without one, the assumed multiples."""
    catalog, assessments, target = draw(scenario())
    keys = sorted(catalog.criteria)
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys)))
    estimates = {}
    for key in chosen:
        low = draw(st.integers(0, 30))
        likely = low + draw(st.integers(0, 30))
        high = likely + draw(st.integers(0, 90))
        cost = draw(st.sampled_from([0.0, 5e7, 2e8, 9e8]))
        estimates[key] = {
            "effort_days": (low, likely, high),
            "cost_vnd": (cost / 2, cost, cost * 3),
        }
    return readiness.plan_many(catalog, assessments, target, k=0, estimates=estimates)


class TestCatalogRanges:
    """The properties hold with the catalog's own ranges (the default), not only multiples."""

    @BOUNDED
    @given(ranged_tables(), st.integers(0, 2**32), st.sampled_from([1, 50]))
    def test_same_seed_same_result(self, table, seed, cells):
        first = schedule_risk(table, draws=DRAWS, seed=seed)
        again = schedule_risk(table, draws=DRAWS, seed=seed, chunk_cells=cells, workers=1)
        np.testing.assert_array_equal(first.p_meet, again.p_meet)
        np.testing.assert_array_equal(first.meeting, again.meeting)
        assert first.assumed_range_steps == again.assumed_range_steps
        planned = table.status == "planned"
        assert first.steps == int(table.required[:, planned].sum())
        no_estimate = table.required[:, planned] & ~(table.estimated & table.costed)[:, planned]
        assert first.assumed_range_steps == int(no_estimate.sum())

    @BOUNDED
    @given(ranged_tables(), st.integers(0, 400), st.integers(1, 3), st.sampled_from([5e7, 1e9]))
    def test_monotone(self, table, extra, parallel, budget):
        base = schedule_risk(table, draws=DRAWS, seed=9)
        slack = schedule_risk(table, draws=DRAWS, seed=9, slack_days=extra)
        assert (slack.meeting >= base.meeting).all()
        assert (slack.p_meet >= base.p_meet).all()
        fewer = schedule_risk(table, draws=DRAWS, seed=9, max_parallel=parallel)
        more = schedule_risk(table, draws=DRAWS, seed=9, max_parallel=parallel + 1)
        assert (more.meeting >= fewer.meeting).all()
        assert (base.meeting >= more.meeting).all()
        poor = schedule_risk(table, draws=DRAWS, seed=9, yearly_budget=budget)
        rich = schedule_risk(table, draws=DRAWS, seed=9, yearly_budget=budget * 4)
        assert (rich.meeting >= poor.meeting).all()
        assert (rich.p_meet >= poor.p_meet).all()

    @BOUNDED
    @given(ranged_tables())
    def test_draws_stay_within_the_ranges(self, table):
        """A plan's P50 and P90 finish lie between its low and high schedules' critical paths
        (one day of slack above: the draws are float32, and a path of hundreds of days may round
        a hair past a whole day before finishes are rounded up)."""
        risk = schedule_risk(table, draws=DRAWS, seed=2)
        # rows whose every step has an effort estimate (the others draw assumed multiples of
        # the assumed effort, beyond the plan's own range)
        planned = (table.status == "planned") & ~(table.required & ~table.estimated).any(axis=0)
        low = np.where(table.required, table.finish, 0).max(axis=0, initial=0)  # likely path
        assert (risk.finish_p90[planned] >= 0).all()
        assert (risk.finish_p90[planned] <= table.finish_high_day[planned] + 1).all()
        assert (risk.finish_p50[planned] >= np.minimum(table.finish_low_day, low)[planned]).all()
