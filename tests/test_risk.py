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
