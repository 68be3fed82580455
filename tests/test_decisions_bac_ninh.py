"""The Bac Ninh worked allocation (examples/bac_ninh/allocation.toml, docs/decisions.md).

The facility counts are reported; their 2026-06-30 state is a SYNTHETIC projection, the costs
are catalog ESTIMATES and the budget and scenarios ILLUSTRATIVE (see the example's README).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import readiness
from readiness import io
from readiness._scenarios import run_allocation
from readiness._spec import read_spec

SPEC = Path(__file__).parents[1] / "examples" / "bac_ninh" / "allocation.toml"


@pytest.fixture(scope="module")
def comparison():
    spec = read_spec(SPEC)
    assert spec.allocation is not None
    catalog = readiness.load_catalog(spec.catalog, layers=spec.layers)
    facilities = io.read_facilities(spec.facilities, catalog=catalog)
    chosen = [
        a for a in io.read_assessments(spec.assessments, catalog, facilities) if a.date == spec.date
    ]
    return run_allocation(spec.allocation, catalog, chosen, draws=0)


def test_headline(comparison):
    """1,318 facilities without beds; 10 bn VND funds 578 and the signing service: 722 meet."""
    baseline = comparison["baseline"].allocation
    assert len(baseline.decisions) == 1_318
    assert baseline.optimal
    assert baseline.counts() == {
        "done": 144,
        "cannot_meet": 55,
        "funded": 578,
        "not_funded": 541,
    }
    assert baseline.meeting == 722
    assert baseline.spent_vnd == 9_993_900_000
    (sign,) = baseline.central
    assert (sign.criterion, sign.funded, sign.cost_vnd) == (
        "vn-emr:vn.tt13.sign.methods",
        True,
        2e9,
    )


def test_scenarios(comparison):
    rows = {r["scenario"]: r for r in comparison.to_records()}
    assert [r["meeting"] for r in rows.values()] == [722, 788, 722, 722, 726, 281]
    assert rows["clinics exempted"]["exempt"] == 1_000
    assert rows["shared clinical system"]["spent_vnd"] == 9_984_700_000
    assert rows["2 steps at once"]["spent_vnd"] == 9_993_900_000  # the budget binds first
