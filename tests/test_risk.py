"""Schedule risk by hand: one triangular step, a shared central step, roll-ups and errors.

Catalog ``alloc`` from tests/test_allocate.py: ``db`` (30 days, 60 M VND), ``emr`` (requires db,
30 days, 10 M), ``net`` (20 days, 35 M). Start 1 Jan 2026 (day 0).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import readiness
from readiness import errors
from readiness._risk import assumed_ranges, schedule_risk
from tests.test_allocate import START, assessment, catalog_text, load

M = 1_000_000


def plans(tmp_path, records, *, central=False, due=dt.date(2026, 1, 21)):
    catalog = load(tmp_path, catalog_text(central=central))
    target = readiness.Target.parse("alloc@1", due=due)
    return readiness.plan_many(catalog, records, target, start=START)


def test_one_triangular_step(tmp_path):
    """Facility D needs only net, 20 days; ranges 0.5 x and 2 x: triangular(10, 20, 40).
    Due 21 Jan (day 20): P(X <= 20) = (20 - 10)^2 / ((40 - 10) (20 - 10)) = 1/3. Median: 1 -
    (40 - x)^2 / (30 x 20) = 1/2, x = 40 - sqrt(300) = 22.68, rounded up: day 23 (24 Jan). P90:
    (40 - x)^2 = 0.1 x 600, x = 32.25: day 33 (3 Feb). Mean (10 + 20 + 40) / 3 = 23.3 (+ rounding
    up, about half a day)."""
    table = plans(tmp_path, [assessment("D", ("db", "emr"))])
    risk = schedule_risk(table, draws=40_000, seed=11, ranges=assumed_ranges(0.5, 2))
    assert risk.p_meet[0] == pytest.approx(1 / 3, abs=0.01)
    record = risk.facility(0)
    assert record["finish_p50"] == "2026-01-24"
    assert record["finish_p90"] == "2026-02-03"
    assert risk.mean_finish[0] == pytest.approx(23.33 + 0.5, abs=0.1)
    assert risk.ranges == "ASSUMED ranges: low 0.5 x, high 2 x each estimate"


def test_central_step_is_shared_within_a_draw(tmp_path):
    """A, B need db (central) then emr: db's duration is one draw for both, emr their own."""
    records = [assessment("A", ("net",)), assessment("B", ("net",))]
    table = plans(tmp_path, records, due=dt.date(2026, 3, 1))  # day 59; plan: 60 days likely
    alone = schedule_risk(table, draws=2_000, seed=2, ranges=assumed_ranges(0.5, 2))
    shared = schedule_risk(
        table, draws=2_000, seed=2, ranges=assumed_ranges(0.5, 2), central=["alloc:db"]
    )
    # separate draws: both meeting and exactly one meeting both happen; shared: more correlated
    both = (shared.meeting == 2).mean() + (shared.meeting == 0).mean()
    apart = (alone.meeting == 2).mean() + (alone.meeting == 0).mean()
    assert both > apart
    marked = plans(tmp_path, records, central=True, due=dt.date(2026, 3, 1))
    by_catalog = schedule_risk(marked, draws=2_000, seed=2, ranges=assumed_ranges(0.5, 2))
    np.testing.assert_array_equal(by_catalog.meeting, shared.meeting)


def test_done_unreachable_and_allocation(tmp_path):
    """A done facility meets its date in every draw; an unfunded one in none."""
    records = [assessment("Z", ("db", "emr", "net")), assessment("D", ("db", "emr"))]
    table = plans(tmp_path, records, due=dt.date(2026, 6, 30))
    risk = schedule_risk(table, draws=100)
    assert risk.p_meet.tolist() == [1.0, 1.0]
    catalog = table.catalog
    nothing = readiness.allocate(catalog, table, "alloc@1", budget=0)
    unfunded = schedule_risk(table, draws=100, allocation=nothing)
    assert unfunded.p_meet.tolist() == [1.0, 0.0]
    province = unfunded.group("province", "all")
    assert (province.facilities, province.expected_meeting, province.p_all) == (2, 1.0, 0.0)
    assert province.finish_p50 is None
    funded = readiness.allocate(catalog, table, "alloc@1", budget=35 * M)
    assert schedule_risk(table, draws=100, allocation=funded).p_meet.tolist() == [1.0, 1.0]


def test_groups_by_region_and_kind(tmp_path):
    table = plans(tmp_path, [assessment("D", ("db", "emr")), assessment("E", ("db", "emr"))])
    risk = schedule_risk(table, draws=200, ranges=assumed_ranges(1, 1), by=("region", "kind"))
    assert [(g.by, g.key, g.facilities) for g in risk.groups] == [
        ("province", "all", 2),
        ("region", "r1", 2),
        ("kind", "commune_station", 2),
    ]
    region = risk.group("region", "r1")
    assert (region.p_all, region.finish_p50, region.finish_p90) == (
        1.0,
        dt.date(2026, 1, 21),
        dt.date(2026, 1, 21),
    )
    data = risk.to_dict()
    assert data["groups"][0]["finish_p90"] == "2026-01-21"
    assert data["facilities"][1]["facility_id"] == "E"
    with pytest.raises(errors.OptionError):
        risk.group("region", "nowhere")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("draws", 0),
        ("draws", 1.5),
        ("seed", -1),
        ("seed", "x"),
        ("slack_days", 10**6),
        ("max_parallel", 0),
        ("yearly_budget", -5),
        ("yearly_budget", "much"),
        ("chunk_cells", 0),
        ("workers", 0),
    ],
)
def test_bad_options(tmp_path, option, value):
    table = plans(tmp_path, [assessment("D", ("db", "emr"))])
    with pytest.raises(errors.OptionError) as info:
        schedule_risk(table, **{option: value})
    assert info.value.key == option
    assert info.value.value == value


def test_bad_ranges_and_central(tmp_path):
    table = plans(tmp_path, [assessment("D", ("db", "emr"))])
    with pytest.raises(errors.OptionError) as info:
        assumed_ranges(2, 1)
    assert str(info.value) == (
        "key 'ranges': assumed_ranges needs 0 <= low <= 1 <= high (multiples of the estimate) (got (2, 1))"
    )
    with pytest.raises(errors.UnknownCriterionError) as unknown:
        schedule_risk(table, central=["pacs"])
    assert str(unknown.value) == "key 'central': no such criterion in the catalog (got 'pacs')"


def ranged_catalog(tmp_path, *, net_estimate: str, emr_estimate: bool = True):
    """The ``alloc`` catalog with net's estimate replaced (and emr's removed if asked)."""
    text = catalog_text(central=False).replace(
        f'estimate = {{ effort_days = 20, cost_vnd = {35 * M}, basis = "test figures" }}',
        net_estimate,
    )
    if not emr_estimate:
        text = text.replace(
            f'estimate = {{ effort_days = 30, cost_vnd = {10 * M}, basis = "test figures" }}\n', ""
        )
    return load(tmp_path, text)


def test_the_catalogs_ranges_are_the_default(tmp_path):
    """net estimated as [10, 20, 40] days: the default source draws triangular(10, 20, 40), the
    same draws as assumed_ranges(0.5, 2) on its likely 20 days (P = 1/3, as above); no range is
    assumed, and the catalog authors assumed both values (no ``assumed`` key says otherwise)."""
    catalog = ranged_catalog(
        tmp_path,
        net_estimate=(
            "estimate = { effort_days = [10, 20, 40], cost_vnd = [20e6, 35e6, 70e6], "
            'basis = "test figures" }'
        ),
    )
    target = readiness.Target.parse("alloc@1", due=dt.date(2026, 1, 21))
    table = readiness.plan_many(catalog, [assessment("D", ("db", "emr"))], target, start=START)
    own = schedule_risk(table, draws=40_000, seed=11)
    multiple = schedule_risk(table, draws=40_000, seed=11, ranges=assumed_ranges(0.5, 2))
    assert own.p_meet[0] == pytest.approx(1 / 3, abs=0.01)
    np.testing.assert_array_equal(own.p_meet, multiple.p_meet)
    np.testing.assert_array_equal(own.finish_p90, multiple.finish_p90)
    assert (own.steps, own.assumed_range_steps, own.assumed_steps) == (1, 0, 1)
    assert (multiple.assumed_range_steps, multiple.assumed_range_share) == (1, 1.0)
    assert own.ranges.startswith("the catalog's low / likely / high estimates per step")
    assert own.ranges_text().startswith("mostly assumed values (1 of 1 steps, 100%)")
    assert multiple.ranges_text().startswith("mostly assumed ranges (1 of 1 steps, 100%)")
    data = own.to_dict()
    assert (data["steps"], data["assumed_range_steps"], data["assumed_range_share"]) == (1, 0, 0.0)
    # a yearly budget of 40 M VND: a drawn cost (triangular 20-35-70 M) above 40 M needs a
    # second budget year, so the plan cannot finish before 1 Jan 2027 (day 365); with the due
    # date moved to day 364 (slack 344 days) the duration (at most 40 days) never matters:
    # P(cost <= 40 M) = 1 - (70 - 40)^2 / ((70 - 20) (70 - 35)) = 0.486
    budget = schedule_risk(table, draws=40_000, seed=11, yearly_budget=40e6, slack_days=344)
    assert budget.p_meet[0] == pytest.approx(1 - 30**2 / (50 * 35), abs=0.01)


def test_a_step_without_an_estimate_has_an_assumed_range(tmp_path):
    """emr has no estimate: the plan assumes 30 days (default_effort_days) and the Monte Carlo
    draws triangular(22.5, 30, 45) for it (catalog_ranges(0.75, 1.5)); db and net keep their
    zero-width catalog values. Facility A needs db (30 days) then emr: due on day 75, P(30 + X
    <= 75) = 1; due on day 52, P(X <= 22) = 0; the median of triangular(22.5, 30, 45) is 45 -
    sqrt(0.5 x 22.5 x 15) = 32.0 (+30 for db, rounded up: day 62 or 63)."""
    catalog = ranged_catalog(
        tmp_path,
        net_estimate='estimate = { effort_days = 20, cost_vnd = 35e6, basis = "test figures" }',
        emr_estimate=False,
    )
    records = [assessment("A", ("net",))]
    target = readiness.Target.parse("alloc@1", due=dt.date(2026, 3, 17))  # day 75
    table = readiness.plan_many(catalog, records, target, start=START)
    assert int(table.finish_day[0]) == 60
    risk = schedule_risk(table, draws=20_000, seed=4)
    assert (risk.steps, risk.assumed_range_steps) == (2, 1)
    assert risk.assumed_range_share == 0.5
    assert risk.p_meet[0] == 1.0
    assert 62 <= risk.finish_p50[0] <= 63
    early = schedule_risk(table, draws=2_000, seed=4, slack_days=52 - 75)  # due day 52
    assert early.p_meet[0] == 0.0
    wider = schedule_risk(table, draws=20_000, seed=4, ranges=readiness.catalog_ranges(0.5, 2))
    assert wider.finish_p90[0] > risk.finish_p90[0]


def test_bad_range_source(tmp_path):
    table = plans(tmp_path, [assessment("D", ("db", "emr"))])
    with pytest.raises(errors.OptionError) as info:
        schedule_risk(table, ranges=(0.5, 2))
    assert info.value.key == "ranges"
    with pytest.raises(errors.OptionError) as bad:
        readiness.catalog_ranges(1.2, 2)
    assert str(bad.value).startswith("key 'ranges': catalog_ranges needs 0 <= low <= 1 <= high")
