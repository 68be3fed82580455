"""Allocation (``readiness.allocate``): hand-computed choices, brute force, central steps, errors.

Catalog ``alloc`` (one level, rule ``all``; target ``alloc@1``, due 31 Dec 2026, start 1 Jan
2026): ``db`` (a provincial database: 60 M VND, 30 days; ``central = true`` in the central
variant), ``emr`` (requires db: 10 M, 30 days), ``net`` (35 M, 20 days). Facilities A, B, C have
``net`` met and need ``db`` and ``emr``; D and E have ``db`` and ``emr`` met and need ``net``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import readiness
from readiness import Assessment, Facility, errors

START = dt.date(2026, 1, 1)
DUE = dt.date(2026, 12, 31)
M = 1_000_000


def catalog_text(*, central: bool, costs: tuple[int, int, int] = (60, 10, 35)) -> str:
    db, emr, net = costs
    mark = "central = true\n" if central else ""
    return f"""format = 1
[catalog]
id = "alloc"
title = {{ en = "alloc", vi = "alloc" }}
version = "1.0"
[sources.doc]
title = "A test document"
[domains.core]
title = {{ en = "core", vi = "core" }}
[[level]]
number = 1
title = {{ en = "L1", vi = "L1" }}

[[criterion]]
id = "db"
title = {{ en = "Provincial database", vi = "CSDL" }}
domain = "core"
level = 1
weight = 2
source = {{ grade = "inferred" }}
estimate = {{ effort_days = 30, cost_vnd = {db * M}, basis = "test figures" }}
{mark}
[[criterion]]
id = "emr"
title = {{ en = "EMR", vi = "EMR" }}
domain = "core"
level = 1
requires = ["db"]
source = {{ grade = "inferred" }}
estimate = {{ effort_days = 30, cost_vnd = {emr * M}, basis = "test figures" }}

[[criterion]]
id = "net"
title = {{ en = "Network", vi = "Mang" }}
domain = "core"
level = 1
weight = 3
source = {{ grade = "inferred" }}
estimate = {{ effort_days = 20, cost_vnd = {net * M}, basis = "test figures" }}
"""


def load(tmp_path: Path, text: str, name: str = "alloc") -> readiness.Catalog:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return readiness.load_catalog(path)


def facility(fid: str) -> Facility:
    return Facility(id=fid, name=fid, kind="commune_station", ownership="public", region="r1")


def assessment(fid: str, met: tuple[str, ...], partial: dict[str, float] | None = None):
    records: dict[str, object] = {f"alloc:{c}": "met" for c in met}
    for c, p in (partial or {}).items():
        records[f"alloc:{c}"] = {"status": "partial", "progress": p}
    return Assessment(facility=facility(fid), date=START, records=records)


def province() -> list[Assessment]:
    return [
        *(assessment(f, ("net",)) for f in ("A", "B", "C")),
        *(assessment(f, ("db", "emr")) for f in ("D", "E")),
    ]


def funded_ids(allocation: readiness.Allocation) -> list[str]:
    return [d.facility.id for d in allocation.funded]


# --------------------------------------------------------------------------- hand-computed


def test_central_database_beats_cheapest_first(tmp_path):
    """Budget 100 M: cheapest first funds D and E (35 + 35; A would then cost 60 + 10 = 70 > 30
    left), 2 facilities; exact funds the database once and A, B, C: 60 + 3 x 10 = 90 M, 3."""
    catalog = load(tmp_path, catalog_text(central=True))
    result = readiness.allocate(
        catalog, province(), "alloc@1", budget=100 * M, start=START, due=DUE
    )
    assert funded_ids(result) == ["A", "B", "C"]
    assert result.meeting == 3
    assert result.spent_vnd == 90 * M
    assert result.optimal
    assert result.method == "exact"
    (db,) = result.central
    assert (db.criterion, db.funded, db.cost_vnd, db.facilities) == ("alloc:db", True, 60 * M, 3)
    by_id = {d.facility.id: d for d in result.decisions}
    assert by_id["A"].reason == (
        "funded: 10-10 M VND (likely 10) for 1 own step; relies on central alloc:db; "
        "finishes 2026-03-02 to 2026-03-02, likely 2026-03-02: 304 days before its due date "
        "2026-12-31"
    )
    assert by_id["D"].reason == "not funded: needs 35 M VND, 10 M VND left"
    assert by_id["D"].decision == "not_funded"


def test_a_central_step_changes_the_allocation(tmp_path):
    """Without ``central``, each of A, B, C pays its own database: 70 M each, so 100 M buys D and
    E (70 M), 2 facilities; marking db central (catalog key or argument) buys A, B, C."""
    plain = load(tmp_path, catalog_text(central=False))
    result = readiness.allocate(plain, province(), "alloc@1", budget=100 * M, start=START, due=DUE)
    assert funded_ids(result) == ["D", "E"]
    assert (result.meeting, result.spent_vnd) == (2, 70 * M)
    assert result.central == ()
    by_argument = readiness.allocate(
        plain, province(), "alloc@1", budget=100 * M, start=START, due=DUE, central=["db"]
    )
    assert funded_ids(by_argument) == ["A", "B", "C"]


def test_central_cost_override_and_more_budget(tmp_path):
    """With the database at 100 M, 100 M buys D and E (70) or the database alone (no facility):
    D and E. With 160 M: the database + A, B, C (130) leaves 30, short of D's 35: 3 facilities;
    D + E + db + A + B = 70 + 100 + 20 = 190 > 160. So 3 facilities, the cheaper way: 130 M."""
    catalog = load(tmp_path, catalog_text(central=True))
    options = {"start": START, "due": DUE, "central_cost": {"alloc:db": 100 * M}}
    low = readiness.allocate(catalog, province(), "alloc@1", budget=100 * M, **options)
    assert funded_ids(low) == ["D", "E"]
    high = readiness.allocate(catalog, province(), "alloc@1", budget=160 * M, **options)
    assert (high.meeting, high.spent_vnd) == (3, 130 * M)
    assert funded_ids(high) == ["A", "B", "C"]


def test_readiness_objective_exact_and_heuristic_gap(tmp_path):
    """Objective "readiness", budget 70 M, no central steps (db 60, emr 10, net 35 per facility):
    gains: A, B, C need db (weight 2) + emr (1) = 3 for 70 M; D, E need net (weight 3) for 35 M.
    Exact: D + E, gain 6 for 70 M. Greedy by gain per normalised cost takes D, E first (3/35 >
    3/70): also 6. The LP bound is 6 too (D and E fill the budget exactly)."""
    catalog = load(tmp_path, catalog_text(central=False))
    options = {"start": START, "due": DUE, "objective": "readiness"}
    exact = readiness.allocate(catalog, province(), "alloc@1", budget=70 * M, **options)
    assert (exact.value, funded_ids(exact)) == (6.0, ["D", "E"])
    heuristic = readiness.allocate(
        catalog, province(), "alloc@1", budget=70 * M, method="heuristic", **options
    )
    assert heuristic.value == 6.0
    assert heuristic.gap == 0.0


def test_heuristic_reports_its_gap(tmp_path):
    """Objective "readiness", costs db 0, emr 60, net 50, weights db 2, emr 1, net 3, budget
    100 M. A, B, C: gain 3 for 60 M (0.05 per M); D, E: gain 3 for 50 M (0.06 per M). Greedy by
    gain per VND: D, E = 100 M, gain 6. Exact: D + E (6) is also best (any A-type costs 60 and
    leaves 40, short of 50). LP bound: 6. Now budget 110 M: greedy D, E (100), 10 left: 6;
    exact: the same 6 (A + D = 110 also 6, but dearer). Budget 120 M: A + A (120) = 6 or D + E =
    6; greedy D, E; LP: D, E and 20/60 of A = 7: gap (7 - 6) / 7."""
    catalog = load(tmp_path, catalog_text(central=False, costs=(0, 60, 50)))
    options = {"start": START, "due": DUE, "objective": "readiness", "method": "heuristic"}
    result = readiness.allocate(catalog, province(), "alloc@1", budget=120 * M, **options)
    assert result.value == 6.0
    assert result.bound == pytest.approx(7.0)
    assert result.gap == pytest.approx(1 / 7)
    assert not result.optimal
    assert "within 14.29% of the bound" in result.headline()


def test_due_date_excludes_facilities_that_cannot_finish(tmp_path):
    """Due 15 Feb 2026 (day 45): A, B, C need db then emr, 60 days: they cannot meet it even if
    funded; D, E need net, 20 days: funded."""
    catalog = load(tmp_path, catalog_text(central=True))
    result = readiness.allocate(
        catalog, province(), "alloc@1", budget=1_000 * M, start=START, due=dt.date(2026, 2, 15)
    )
    decisions = {d.facility.id: d.decision for d in result.decisions}
    assert decisions == {
        "A": "cannot_meet",
        "B": "cannot_meet",
        "C": "cannot_meet",
        "D": "funded",
        "E": "funded",
    }
    a = next(d for d in result.decisions if d.facility.id == "A")
    assert a.reason == (
        "cannot meet the due date even if funded: its plan finishes 2026-03-02, due 2026-02-15"
    )
    assert result.central[0].funded is False


def test_staff_capacity(tmp_path):
    """1 staff-day per month over 2026 (364 days: 364 / 30.4375 = 11.96 staff-days): D and E
    need 20 days each; A, B, C 30 own days plus the database's 30: nothing fits. With 2
    staff-days per month (23.92): one of D, E (20 days, the lower id), 3.92 left."""
    catalog = load(tmp_path, catalog_text(central=True))
    options = {"start": START, "due": DUE}
    one = readiness.allocate(
        catalog, province(), "alloc@1", budget=10_000 * M, staff_days_per_month=1, **options
    )
    assert one.funded == ()
    two = readiness.allocate(
        catalog, province(), "alloc@1", budget=10_000 * M, staff_days_per_month=2, **options
    )
    assert funded_ids(two) == ["D"]
    assert two.staff_days == (20.0, pytest.approx(2 * 364 / (365.25 / 12)))
    e = next(d for d in two.decisions if d.facility.id == "E")
    assert e.reason == "not funded: needs 20 staff-days, 4 left"


def test_done_and_partial(tmp_path):
    """A facility with everything met is done and counts; progress shortens the plan, not the
    cost."""
    catalog = load(tmp_path, catalog_text(central=False))
    done = assessment("Z", ("db", "emr", "net"))
    half = assessment("H", ("db", "emr"), partial={"net": 0.5})
    result = readiness.allocate(catalog, [done, half], "alloc@1", budget=35 * M, start=START)
    assert [d.decision for d in result.decisions] == ["done", "funded"]
    assert result.meeting == 2
    assert result.decisions[1].finish == dt.date(2026, 1, 11)
    assert result.decisions[1].cost_vnd == 35 * M


def test_records_and_json(tmp_path):
    catalog = load(tmp_path, catalog_text(central=True))
    result = readiness.allocate(catalog, province(), "alloc@1", budget=100 * M, start=START)
    data = result.to_dict()
    assert data["meeting"] == 3
    assert data["counts"] == {"funded": 3, "not_funded": 2}
    assert data["decisions"][0]["facility_id"] == "A"
    assert data["central"][0]["criterion"] == "alloc:db"
    # funded steps: emr for A, B and C, and db once; the test catalog's inline estimates say
    # nothing of what is assumed, so every value is (planning rule 9) and the headline says so
    # first; the spending is a range, here of zero width (point estimates)
    assert result.headline() == (
        "mostly assumed values (4 of 4 steps, 100%): 100 M VND funds 3 facilities and 1 central "
        "step: 3 of 5 facilities meet the target (0 already did; optimal); spending: cost 90-90 "
        "million VND (likely 90)"
    )
    assert (data["spent_vnd_low"], data["spent_vnd_high"], data["steps"]) == (90 * M, 90 * M, 4)


def test_plan_table_input(tmp_path):
    catalog = load(tmp_path, catalog_text(central=True))
    table = readiness.plan_many(catalog, province(), "alloc@1", start=START)
    result = readiness.allocate(catalog, table, "alloc@1", budget=100 * M)
    assert funded_ids(result) == ["A", "B", "C"]
    with pytest.raises(errors.OptionError) as info:
        readiness.allocate(catalog, table, "alloc@1", budget=100 * M, start=START)
    assert info.value.key == "assessments"


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("budget", [-1, math.nan, math.inf, "lots", True, None])
def test_bad_budget(tmp_path, budget):
    catalog = load(tmp_path, catalog_text(central=True))
    with pytest.raises(errors.OptionError) as info:
        readiness.allocate(catalog, province(), "alloc@1", budget=budget)
    assert info.value.key == "budget"
    assert info.value.value is budget
    assert str(info.value).startswith("key 'budget': budget must be")


def test_unknown_central_step(tmp_path):
    catalog = load(tmp_path, catalog_text(central=False))
    with pytest.raises(errors.UnknownCriterionError) as info:
        readiness.allocate(catalog, province(), "alloc@1", budget=1, central=["pacs"])
    assert str(info.value) == "key 'central': no such criterion in the catalog (got 'pacs')"


def test_central_cost_of_a_step_not_central(tmp_path):
    catalog = load(tmp_path, catalog_text(central=False))
    with pytest.raises(errors.OptionError) as info:
        readiness.allocate(catalog, province(), "alloc@1", budget=1, central_cost={"net": 5})
    assert info.value.key == "central_cost"


def test_unknown_facility_weight(tmp_path):
    catalog = load(tmp_path, catalog_text(central=False))
    with pytest.raises(errors.UnknownFacilityError) as info:
        readiness.allocate(catalog, province(), "alloc@1", budget=1, weights={"X": 2.0})
    assert str(info.value) == (
        "key 'weights': weights name a facility that is not among the assessments (got 'X')"
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("objective", "speed"),
        ("method", "magic"),
        ("staff_days_per_month", -2),
        ("max_projects", 0),
        ("exact_limit", -1),
        ("time_limit", 0),
    ],
)
def test_bad_options(tmp_path, option, value):
    catalog = load(tmp_path, catalog_text(central=False))
    with pytest.raises(errors.OptionError) as info:
        readiness.allocate(catalog, province(), "alloc@1", budget=1, due=DUE, **{option: value})
    assert info.value.key == option
    assert info.value.value == value


def test_capacity_needs_a_due_date(tmp_path):
    catalog = load(tmp_path, catalog_text(central=False))
    with pytest.raises(errors.OptionError, match="a capacity needs a horizon"):
        readiness.allocate(catalog, province(), "alloc@1", budget=1, max_projects=2)


def test_central_key_is_a_boolean(tmp_path):
    text = catalog_text(central=False).replace('id = "net"\n', 'id = "net"\ncentral = "yes"\n', 1)
    with pytest.raises(errors.CatalogError) as info:
        load(tmp_path, text)
    assert "criterion 'net': key 'central': must be true or false (got 'yes')" in str(info.value)


# --------------------------------------------------------------------------- brute force


def brute_force(allocation_input, budget, objective, staff_cap, central):
    """Every subset of candidate facilities: best value, then least cost (rules 1-4)."""
    rows, central_costs = allocation_input
    best = (-1.0, -math.inf)
    for size in range(len(rows) + 1):
        for subset in itertools.combinations(rows, size):
            needed = set().union(*(r["central"] for r in subset)) if subset else set()
            cost = sum(r["cost"] for r in subset) + sum(central_costs[c][0] for c in needed)
            staff = sum(r["effort"] for r in subset) + sum(central_costs[c][1] for c in needed)
            if cost > budget * (1 + 1e-12) or (staff_cap is not None and staff > staff_cap + 1e-9):
                continue
            value = sum(r["value"] for r in subset)
            best = max(best, (value, -cost))
    return best[0], -best[1]


@st.composite
def provinces(draw):
    costs = tuple(draw(st.integers(0, 80)) for _ in range(3))
    n = draw(st.integers(1, 12))
    met = [tuple(c for c in ("db", "emr", "net") if draw(st.booleans())) for _ in range(n)]
    budget = draw(st.integers(0, 250)) * M
    objective = draw(st.sampled_from(["count", "readiness"]))
    central = draw(st.booleans())
    staff = draw(st.sampled_from([None, 2.0, 5.0]))
    due = draw(st.sampled_from([DUE, dt.date(2026, 2, 15)]))
    return costs, met, budget, objective, central, staff, due


_CATALOGS: dict[tuple[object, ...], readiness.Catalog] = {}


@given(provinces())
def test_exact_equals_brute_force(tmp_path_factory, case):
    """Exact allocation reaches the best value and, at that value, the least cost, as checking
    every subset of up to 12 facilities does; the heuristic never beats it and its bound is an
    upper bound."""
    costs, met, budget, objective, central, staff, due = case
    key = (costs, central)
    if key not in _CATALOGS:
        _CATALOGS[key] = load(
            tmp_path_factory.mktemp("c"), catalog_text(central=central, costs=costs)
        )
    catalog = _CATALOGS[key]
    assessments = [assessment(f"F{i:02d}", m) for i, m in enumerate(met)]
    options = {
        "start": START,
        "due": due,
        "objective": objective,
        "staff_days_per_month": staff,
    }
    exact = readiness.allocate(catalog, assessments, "alloc@1", budget=budget, **options)
    goal = readiness.Target.parse("alloc@1", due=due)
    table = readiness.plan_many(catalog, assessments, goal, start=START)
    # the brute force's own view of each facility, straight from the plans
    weights = {"db": 2, "emr": 1, "net": 3}
    rows, central_costs, done = [], {}, 0
    for j, p in enumerate(table):
        if p.status == "done":
            done += objective == "count"
            continue
        steps = {s.criterion.split(":")[1]: s for s in p.steps}
        if objective == "count" and p.finish is not None and p.finish > due:
            continue
        shared = {"db"} & steps.keys() if central else set()
        for c in shared:
            old = central_costs.get(c, (0.0, 0.0))
            central_costs[c] = (
                max(old[0], steps[c].cost_vnd),
                max(old[1], steps[c].effort_days),
            )
        own = [s for c, s in steps.items() if c not in shared]
        rows.append(
            {
                "id": assessments[j].facility.id,
                "cost": sum(s.cost_vnd for s in own),
                "effort": sum(s.effort_days for s in own),
                "central": shared,
                "value": 1.0 if objective == "count" else sum(weights[c] for c in steps),
            }
        )
    horizon_days = (due - START).days
    cap = None if staff is None else staff * horizon_days / (365.25 / 12)
    value, cost = brute_force((rows, central_costs), budget, objective, cap, central)
    assert exact.optimal
    assert exact.value == pytest.approx(value + done)
    assert exact.spent_vnd == pytest.approx(cost)
    assert exact.spent_vnd <= budget
    heuristic = readiness.allocate(
        catalog, assessments, "alloc@1", budget=budget, method="heuristic", **options
    )
    assert heuristic.value <= exact.value + 1e-9
    assert heuristic.bound >= exact.value - 1e-6
    assert heuristic.spent_vnd <= budget


@given(provinces(), st.integers(0, 200))
def test_more_budget_never_lowers_the_optimum(tmp_path_factory, case, extra):
    """The exact optimum never falls when the budget grows (the same facilities, more money)."""
    costs, met, budget, objective, central, staff, due = case
    key = (costs, central)
    if key not in _CATALOGS:
        _CATALOGS[key] = load(
            tmp_path_factory.mktemp("c"), catalog_text(central=central, costs=costs)
        )
    catalog = _CATALOGS[key]
    assessments = [assessment(f"F{i:02d}", m) for i, m in enumerate(met)]
    options = {"start": START, "due": due, "objective": objective, "staff_days_per_month": staff}
    low = readiness.allocate(catalog, assessments, "alloc@1", budget=budget, **options)
    high = readiness.allocate(catalog, assessments, "alloc@1", budget=budget + extra * M, **options)
    assert high.value >= low.value - 1e-9


def ranged_catalog_text() -> str:
    """The central ``alloc`` catalog with ranges: db [40, 60, 90] M VND, [20, 30, 60] days; emr
    [5, 10, 20] M VND, [15, 30, 45] days; net's values given as known (``assumed = []``)."""
    text = catalog_text(central=True)
    text = text.replace(
        f'estimate = {{ effort_days = 30, cost_vnd = {60 * M}, basis = "test figures" }}',
        'estimate = { effort_days = [20, 30, 60], cost_vnd = [40e6, 60e6, 90e6], basis = "t" }',
    )
    text = text.replace(
        f'estimate = {{ effort_days = 30, cost_vnd = {10 * M}, basis = "test figures" }}',
        'estimate = { effort_days = [15, 30, 45], cost_vnd = [5e6, 10e6, 20e6], basis = "t" }',
    )
    text = text.replace(
        f'estimate = {{ effort_days = 20, cost_vnd = {35 * M}, basis = "test figures" }}',
        'estimate = { effort_days = 20, cost_vnd = 35e6, basis = "t", assumed = [] }',
    )
    return text


def test_spending_and_finish_as_ranges(tmp_path):
    """Estimates as ranges: the allocation is made on the likely values, and what it spends and
    when each funded plan finishes are reported low-likely-high (planning rule 9). db is [40, 60,
    90] M VND and [20, 30, 60] days, emr [5, 10, 20] M VND and [15, 30, 45] days; net's values are
    given as known (``assumed = []``). Budget 100 M: A, B, C as in the central example (60 + 3 x
    10 = 90 M likely), low 40 + 3 x 5 = 55 M, high 90 + 3 x 20 = 150 M; A's own cost 5-10-20 M,
    its finish (db then emr) day 35 / 60 / 105 after 1 Jan 2026."""
    catalog = load(tmp_path, ranged_catalog_text())
    result = readiness.allocate(catalog, province(), "alloc@1", budget=100 * M, start=START)
    assert [d.facility.id for d in result.funded] == ["A", "B", "C"]
    assert (result.spent_vnd_low, result.spent_vnd, result.spent_vnd_high) == (
        55 * M,
        90 * M,
        150 * M,
    )
    a = result.decisions[0]
    assert (a.cost_vnd_low, a.cost_vnd, a.cost_vnd_high) == (5 * M, 10 * M, 20 * M)
    assert (a.finish_low, a.finish, a.finish_high) == (
        START + dt.timedelta(days=35),
        START + dt.timedelta(days=60),
        START + dt.timedelta(days=105),
    )
    assert a.assumed_steps == 2
    assert a.reason == (
        "funded: 5-20 M VND (likely 10) for 1 own step; relies on central alloc:db; finishes "
        "2026-02-05 to 2026-04-16, likely 2026-03-02"
    )
    assert (result.decisions[3].cost_vnd_low, result.decisions[3].cost_vnd_high) == (35 * M, 35 * M)
    assert result.decisions[3].assumed_steps == 0
    (db,) = result.central
    assert (db.cost_vnd_low, db.cost_vnd, db.cost_vnd_high) == (40 * M, 60 * M, 90 * M)
    assert result.spending_text() == (
        "mostly assumed values (4 of 4 steps, 100%): cost 55-150 million VND (likely 90)"
    )
    given = readiness.allocate(
        catalog,
        province(),
        "alloc@1",
        budget=100 * M,
        start=START,
        central_cost={"alloc:db": 50 * M},
    )
    (db,) = given.central
    assert (db.cost_vnd_low, db.cost_vnd_high) == (50 * M, 50 * M)  # a given price: no spread
    assert (given.spent_vnd_low, given.spent_vnd_high) == (65 * M, 110 * M)


def test_column_blocks_do_not_change_the_allocation(tmp_path, monkeypatch):
    """Per-facility sums are taken in blocks of columns (speed only): the same result."""
    from readiness import _allocate

    catalog = load(tmp_path, ranged_catalog_text())
    whole = readiness.allocate(catalog, province(), "alloc@1", budget=100 * M, start=START)
    monkeypatch.setattr(_allocate, "_SUM_BLOCK", 2)
    blocks = readiness.allocate(catalog, province(), "alloc@1", budget=100 * M, start=START)
    assert blocks.to_dict() == whole.to_dict()
