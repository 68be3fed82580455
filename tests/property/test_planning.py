"""Property tests of the planning rules (readiness/_plan.py, docs/planning.md); one class per rule.

Random catalog sets come from ``tests/strategies.py``, extended here with estimate cases (by
facility class, some without effort or cost), a second deadline and a milestone. Expected values
are computed independently: criterion states from the scoring oracle (``tests/oracle.py``),
support, frontier, required sets and rankings by walking ``catalog.graph`` in plain Python.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from fractions import Fraction
from typing import Any

import attrs
import networkx as nx
from hypothesis import assume, given
from hypothesis import strategies as st

import readiness
from readiness import Assessment, Plan, Record, Status, Target
from readiness._catalog import Rule
from tests.oracle import oracle
from tests.strategies import assessments, catalog_sets, load_specs

FAR = dt.date(9999, 12, 31)  # "no due date" sorts after every date
EPSILON = 1e-9

# --------------------------------------------------------------------------- strategies

SOON = {
    "id": "soon",
    "title": {"en": "Soon", "vi": "Som"},
    "source": {"grade": "inferred"},
    "when": [
        {"date": dt.date(2026, 3, 31), "applies_to": {"has_beds": True}},
        {"date": dt.date(2027, 6, 30)},
    ],
}
EFFORTS = st.sampled_from([0, 1, 5, 7.5, 10, 20, 45, 90])
COSTS = st.sampled_from([0, 50_000_000, 200_000_000, 400_000_000, 900_000_000])


@st.composite
def estimate_case(draw: st.DrawFn) -> dict[str, Any]:
    case: dict[str, Any] = {}
    which = draw(st.sampled_from(["both", "both", "both", "effort", "cost"]))
    if which != "cost":
        case["effort_days"] = draw(EFFORTS)
    if which != "effort":
        case["cost_vnd"] = draw(COSTS)
    case["basis"] = "test figures"
    return case


@st.composite
def estimate(draw: st.DrawFn) -> Any:
    """None (no estimate), one case, or a hospital case and a case for everyone else."""
    shape = draw(st.sampled_from(["none", "one", "one", "classes"]))
    if shape == "none":
        return None
    if shape == "one":
        return draw(estimate_case())
    first = {"applies_to": {"kind": "hospital"}, **draw(estimate_case())}
    return [first, draw(estimate_case())]


@st.composite
def planning_specs(draw: st.DrawFn, **kwargs: Any) -> list[dict[str, Any]]:
    """Random catalog specs with estimates, maybe a second deadline and maybe a milestone."""
    specs = draw(catalog_sets(**kwargs))
    for spec in specs:
        for criterion in spec["criterion"]:
            found = draw(estimate())
            if found is not None:
                criterion["estimate"] = found
        if draw(st.booleans()):
            spec.setdefault("deadline", []).append(SOON)
            for criterion in spec["criterion"]:
                if draw(st.integers(0, 2)) == 0:
                    criterion["deadline"] = "soon"
        ids = [c["id"] for c in spec["criterion"] if "legacy" not in c]
        if ids and draw(st.booleans()):
            milestone: dict[str, Any] = {
                "id": "m0",
                "title": {"en": "Milestone", "vi": "Moc"},
                "criteria": draw(
                    st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True)
                ),
            }
            if spec.get("deadline") and draw(st.booleans()):
                milestone["deadline"] = draw(st.sampled_from([d["id"] for d in spec["deadline"]]))
            spec["milestone"] = [milestone]
    return specs


DUES = st.none() | st.none() | st.sampled_from([dt.date(2026, 8, 1), dt.date(2027, 12, 31)])


@st.composite
def targets(draw: st.DrawFn, catalog: readiness.Catalog) -> Target:
    """A catalog level, a random set of criteria or a milestone (when there is one)."""
    kinds = ["level", "level", "criteria"] + (["milestone"] if catalog.milestones else [])
    kind = draw(st.sampled_from(kinds))
    due = draw(DUES)
    if kind == "level":
        cid = draw(st.sampled_from(sorted(catalog.frameworks)))
        number = draw(st.integers(1, len(catalog.frameworks[cid].levels)))
        return Target(catalog=cid, level=number, due=due)
    if kind == "milestone":
        return Target(milestone=draw(st.sampled_from(sorted(catalog.milestones))), due=due)
    keys = sorted(catalog.criteria)
    return Target(
        criteria=draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4, unique=True)),
        due=due,
    )


LIMITS = st.fixed_dictionaries(
    {
        "max_parallel": st.sampled_from([None, None, 1, 2, 3]),
        "yearly_budget": st.sampled_from([None, None, 300_000_000, 1_000_000_000]),
    }
)


@st.composite
def scenario(draw: st.DrawFn, **kwargs: Any) -> tuple[readiness.Catalog, list[Assessment], Target]:
    specs = draw(planning_specs(**kwargs))
    catalog = load_specs(specs)
    return catalog, draw(assessments(catalog)), draw(targets(catalog))


# --------------------------------------------------------------------------- reference


@attrs.frozen
class Facts:
    """What the scoring rules say about one assessment (computed without the kernel)."""

    state: dict[str, str]
    applies: frozenset[str]
    effective: frozenset[str]
    supported: dict[str, bool]
    progress: dict[str, float]

    @property
    def frontier(self) -> frozenset[str]:
        """Applicable, not effectively met, every prerequisite effectively met."""
        return frozenset(k for k in self.applies if k not in self.effective and self.supported[k])


def facts(catalog: readiness.Catalog, assessment: Assessment) -> Facts:
    state = oracle(catalog, assessment)["state"]
    graph = catalog.graph
    supported: dict[str, bool] = {}
    for key in nx.topological_sort(graph):
        ok = True
        for parent in graph.predecessors(key):
            if state[parent] == "na":
                ok = ok and supported[parent]
            else:
                ok = ok and state[parent] == "met" and supported[parent]
        supported[key] = ok
    applies = frozenset(k for k, s in state.items() if s != "na")
    effective = frozenset(k for k in applies if state[k] == "met" and supported[k])
    records = {catalog.resolve(k): r for k, r in assessment.records.items()}
    progress = {k: float(records[k].progress or 0.0) for k, s in state.items() if s == "partial"}
    return Facts(state, applies, effective, supported, progress)


def full_effort(
    catalog: readiness.Catalog, assessment: Assessment, key: str, default: int = 30
) -> tuple[int, float]:
    """Whole days and cost of a criterion for the facility's class (rule 4, no progress)."""
    found = catalog.criteria[key].estimate_for(assessment.facility.attribute_values())
    days = None if found is None else found.effort_days
    cost = None if found is None else found.cost_vnd
    return (default if days is None else math.ceil(days)), (cost or 0.0)


def exact_effort(
    catalog: readiness.Catalog, assessment: Assessment, key: str, p: float
) -> Fraction:
    """(1 - progress) x effort, exactly, reading progress as the decimal the user wrote."""
    found = catalog.criteria[key].estimate_for(assessment.facility.attribute_values())
    days = 30 if found is None or found.effort_days is None else found.effort_days
    return (1 - Fraction(repr(p))) * Fraction(repr(float(days)))


def deadline_date(catalog: readiness.Catalog, assessment: Assessment, key: str) -> dt.date | None:
    name = catalog.criteria[key].deadline
    if name is None:
        return None
    return catalog.deadlines[name].date_for(assessment.facility.attribute_values())


def static_key(
    catalog: readiness.Catalog, assessment: Assessment, key: str, f: Facts | None = None
) -> tuple[float, int, float, str]:
    """Weight desc, effort left asc, cost asc, key asc (rules 2 and 8)."""
    days, cost = full_effort(catalog, assessment, key)
    if f is not None and key in f.progress:
        days = math.ceil(exact_effort(catalog, assessment, key, f.progress[key]))
    return (-catalog.criteria[key].weight, days, cost, key)


@attrs.frozen
class Expected:
    status: str
    target: frozenset[str]  # applicable target criteria (rule 2)
    required: frozenset[str]  # rule 3
    due: dt.date | None  # rule 1


def expected(catalog: readiness.Catalog, assessment: Assessment, target: Target) -> Expected:
    """Rules 1-3 by hand: target criteria, required set, status and due date."""
    f = facts(catalog, assessment)
    unreachable = False
    if target.catalog is not None:
        assert target.level is not None
        own = [k for k, c in catalog.criteria.items() if c.catalog == target.catalog]
        chosen: set[str] = set()
        for lvl in catalog.frameworks[target.catalog].levels[: target.level]:
            members = [k for k in own if catalog.criteria[k].level == lvl.number]
            if lvl.rule is Rule.ALL:
                chosen |= {k for k in members if k in f.applies}
            elif lvl.rule is Rule.THRESHOLD:
                assert lvl.threshold is not None
                weight = {k: catalog.criteria[k].weight for k in members if k in f.applies}
                total = sum(weight.values())
                have = sum(w for k, w in weight.items() if k in f.effective)
                # already earned, partial credit included (as scoring counts it): nothing to do
                earned = have + sum(
                    w * f.progress[k]
                    for k, w in weight.items()
                    if k in f.progress and f.supported[k]
                )
                reached = earned >= lvl.threshold * total - EPSILON * total
                deficit = 0.0 if reached else lvl.threshold * total - have - EPSILON * total
                chosen |= {k for k in weight if k in f.effective}
                got = 0.0
                for k in sorted(
                    (k for k in weight if k not in f.effective),
                    key=lambda k: static_key(catalog, assessment, k, f),
                ):
                    if got >= deficit:
                        break
                    chosen.add(k)
                    got += weight[k]
            else:
                assert lvl.k is not None
                left = []
                for n, bundle in enumerate(lvl.bundles):
                    inside = [
                        k for k in own if catalog.criteria[k].bundle == bundle and k in f.applies
                    ]
                    open_ = sum(1 for k in inside if k not in f.effective)
                    left.append((open_ if inside else math.inf, n, inside))
                best = sorted(left, key=lambda x: (x[0], x[1]))[: lvl.k]
                if any(math.isinf(x[0]) for x in best):
                    unreachable = True
                for _, _, inside in best:
                    chosen |= set(inside)
        applicable_target = frozenset(chosen)
        nothing = not any(k in f.applies for k in own)
    else:
        if target.milestone is not None:
            keys = catalog.milestone(target.milestone).criteria
        else:
            keys = tuple(catalog.resolve(k) for k in target.criteria)
        applicable_target = frozenset(k for k in keys if k in f.applies)
        nothing = not applicable_target
    closure = set(applicable_target)
    for key in applicable_target:
        closure |= nx.ancestors(catalog.graph, key)
    required = frozenset(k for k in closure if k in f.applies and k not in f.effective)
    if nothing:
        status = "not_applicable"
    elif unreachable:
        status = "unreachable"
    else:
        status = "planned" if required else "done"
    if status in ("not_applicable", "unreachable"):
        required = frozenset()
    # rule 1: the due date
    if target.due is not None:
        due = target.due
    elif target.milestone is not None and catalog.milestone(target.milestone).deadline:
        name = catalog.milestone(target.milestone).deadline
        assert name is not None
        due = catalog.deadlines[name].date_for(assessment.facility.attribute_values())
    else:
        dates = [d for k in applicable_target if (d := deadline_date(catalog, assessment, k))]
        due = max(dates, default=None)
    return Expected(status=status, target=applicable_target, required=required, due=due)


def reached(catalog: readiness.Catalog, assessment: Assessment, target: Target) -> bool:
    """Whether the facility meets the target, by the scoring rules."""
    if target.catalog is not None:
        level = readiness.score(catalog, assessment).catalogs[target.catalog].level
        assert target.level is not None
        return level is not None and level >= target.level
    f = facts(catalog, assessment)
    if target.milestone is not None:
        keys = catalog.milestone(target.milestone).criteria
    else:
        keys = tuple(catalog.resolve(k) for k in target.criteria)
    return all(k in f.effective for k in keys if k in f.applies)


def with_met(catalog: readiness.Catalog, assessment: Assessment, keys: Any) -> Assessment:
    """The assessment with each of ``keys`` recorded met (valid, full coverage)."""
    records = {catalog.resolve(k): r for k, r in assessment.records.items()}
    for key in keys:
        records[key] = Record(status=Status.MET, coverage=1.0)
    return attrs.evolve(assessment, records=records)


def steps_of(p: Plan) -> dict[str, readiness.Step]:
    return {s.criterion: s for s in p.steps}


def planned_ancestors(catalog: readiness.Catalog, p: Plan, key: str) -> set[str]:
    return nx.ancestors(catalog.graph, key) & set(steps_of(p))


# --------------------------------------------------------------------------- properties


class TestPrerequisitesFirst:
    """Rule 5: "A step starts when all its required prerequisites are finished (critical path;
    steps in parallel)." No step starts before every planned (transitive) prerequisite has
    finished, with or without limits; each step lasts its effort in days."""

    @given(scenario(), LIMITS)
    def test_no_step_precedes_a_prerequisite(self, case: Any, limits: dict[str, Any]) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target, **limits)
            steps = steps_of(p)
            for key, step in steps.items():
                assert p.start <= step.start
                assert (step.finish - step.start).days == step.effort_days
                for parent in planned_ancestors(catalog, p, key):
                    assert steps[parent].finish <= step.start, (parent, key)
            if p.steps:
                assert p.finish == max(s.finish for s in p.steps)

    @given(scenario())
    def test_unlimited_schedule_is_the_critical_path(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target)
            steps = steps_of(p)
            for key, step in steps.items():
                parents = planned_ancestors(catalog, p, key)
                earliest = max((steps[x].finish for x in parents), default=p.start)
                assert step.start == earliest, key
            if not p.steps:
                assert p.critical_path == ()
                continue
            path = [steps[k] for k in p.critical_path]
            assert path[0].start == p.start
            assert path[-1].finish == p.finish
            for a, b in itertools.pairwise(path):
                assert a.criterion in nx.ancestors(catalog.graph, b.criterion)
                assert a.finish == b.start


class TestWaves:
    """Rule 6: "Wave 1 holds steps needing no other step; wave n+1 steps whose latest required
    prerequisite is in wave n." Waves depend on the dependencies only, never on the limits."""

    @given(scenario(), LIMITS)
    def test_waves(self, case: Any, limits: dict[str, Any]) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target, **limits)
            steps = steps_of(p)
            for key, step in steps.items():
                parents = planned_ancestors(catalog, p, key)
                assert step.wave == 1 + max((steps[x].wave for x in parents), default=0)
            assert sum(len(w) for w in p.waves) == len(p.steps)


class TestRequiredSet:
    """Rules 2-3: "The target criteria that are not effectively met, plus every applicable
    prerequisite (transitively, through criteria that do not apply) that is not effectively met.
    Nothing else." Target criteria: every applicable criterion (all), the static order until
    the threshold (threshold), the k completable bundles with fewest criteria left (k-of-n)."""

    @given(scenario())
    def test_every_step_is_needed(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target)
            f = facts(catalog, assessment)
            if target.catalog is not None:
                candidates = {
                    k
                    for k, c in catalog.criteria.items()
                    if c.catalog == target.catalog and c.level <= (target.level or 0)
                }
            elif target.milestone is not None:
                candidates = set(catalog.milestone(target.milestone).criteria)
            else:
                candidates = {catalog.resolve(k) for k in target.criteria}
            steps = set(steps_of(p))
            for key in steps:
                assert key in f.applies
                assert key not in f.effective
                dependents = nx.descendants(catalog.graph, key)
                assert key in candidates or dependents & steps, key

    @given(scenario())
    def test_required_set_and_status(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target)
            want = expected(catalog, assessment, target)
            assert set(steps_of(p)) == set(want.required)
            if p.status == "planned":
                assert want.status == "planned"

    @given(scenario())
    def test_status(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target)
            assert p.status == expected(catalog, assessment, target).status


class TestDueDate:
    """Rule 1: "Without [a due date], the due date is the latest catalog deadline (for the
    facility's class) among the target's criteria; for a milestone, its own deadline." Rule 7:
    the target verdict compares it with the finish of the last step."""

    @given(scenario())
    def test_target_due_and_verdict(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target)
            if p.status not in ("planned", "done"):
                continue
            want = expected(catalog, assessment, target).due
            verdict = p.verdict("target")
            if want is None:
                assert verdict is None
                continue
            assert verdict is not None
            assert verdict.date == want
            if p.status == "done":
                assert verdict.verdict == "done"
                continue
            assert p.finish is not None
            slack = (want - p.finish).days
            assert verdict.slack_days == slack
            assert verdict.verdict == (
                "late" if slack < 0 else "at_risk" if slack < 30 else "on_track"
            )


class TestDeadlineVerdicts:
    """Rule 7: "For every deadline with steps in the plan ...: slack = deadline - finish of the
    last step it covers. late if slack < 0, at_risk if slack < risk_margin_days, on_track
    otherwise." """

    @given(scenario(), st.sampled_from([0, 30, 90]), LIMITS)
    def test_deadline_verdicts(self, case: Any, margin: int, limits: dict[str, Any]) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target, risk_margin_days=margin, **limits)
            covered: dict[str, list[readiness.Step]] = {}
            for step in p.steps:
                name = catalog.criteria[step.criterion].deadline
                if name is not None and deadline_date(catalog, assessment, step.criterion):
                    covered.setdefault(name, []).append(step)
            got = {v.key: v for v in p.verdicts if v.key != "target"}
            assert set(got) == set(covered)
            for name, steps in covered.items():
                verdict = got[name]
                finish = max(s.finish for s in steps)
                slack = (verdict.date - finish).days
                assert verdict.finish == finish
                assert verdict.slack_days == slack
                assert verdict.verdict == (
                    "late" if slack < 0 else "at_risk" if slack < margin else "on_track"
                )


class TestDurations:
    """Rule 4: "a partial criterion needs (1 - progress) of the effort; a criterion without an
    estimate is assumed to take default_effort_days (flagged) and to cost nothing known
    (flagged). Durations are whole calendar days, rounded up." """

    @given(scenario())
    def test_effort_and_flags(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target)
            f = facts(catalog, assessment)
            attributes = assessment.facility.attribute_values()
            for step in p.steps:
                found = catalog.criteria[step.criterion].estimate_for(attributes)
                assert step.estimated == (found is not None and found.effort_days is not None)
                assert step.costed == (found is not None and found.cost_vnd is not None)
                assert step.cost_vnd == full_effort(catalog, assessment, step.criterion)[1]
                progress = f.progress.get(step.criterion, 0.0)
                exact = exact_effort(catalog, assessment, step.criterion, progress)
                if exact.denominator == 1:
                    assert step.effort_days == exact, (step.criterion, progress)
                else:
                    # within rounding noise of a whole number either neighbour is acceptable
                    near = abs(exact - round(exact)) < Fraction(1, 10**9)
                    allowed = {math.ceil(exact)} | (
                        {round(exact), round(exact) + 1} if near else set()
                    )
                    assert step.effort_days in allowed, (step.criterion, progress, exact)
            assert p.assumed_effort == sum(1 for s in p.steps if not s.estimated)
            assert p.uncosted == sum(1 for s in p.steps if not s.costed)
            assert p.effort_days == sum(s.effort_days for s in p.steps)


class TestReachesTarget:
    """The plan is sufficient: recording every planned step met (valid, coverage 1.0) makes the
    facility reach the target by the scoring rules (level >= the target level; for criteria and
    milestone targets every applicable target criterion effectively met), and planning again
    gives an empty plan."""

    @given(scenario())
    def test_meeting_the_plan_reaches_the_target(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target)
            assume(p.status not in ("unreachable", "not_applicable"))
            after = with_met(catalog, assessment, steps_of(p))
            assert reached(catalog, after, target)
            again = readiness.plan(catalog, after, target)
            assert again.status == "done"
            assert again.steps == ()


class TestAlreadyMet:
    """The plan of a facility that already meets the target is empty, with status "done"."""

    @given(scenario())
    def test_done(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            p = readiness.plan(catalog, assessment, target)
            if p.status in ("unreachable", "not_applicable"):
                continue
            if reached(catalog, assessment, target):
                assert p.status == "done", [s.criterion for s in p.steps]
                assert p.steps == ()
                assert p.finish is None
            else:
                assert p.status == "planned"


def served(
    catalog: readiness.Catalog,
    assessment: Assessment,
    key: str,
    required: frozenset[str],
    due: dt.date | None,
) -> dt.date:
    """The earliest due date a step serves (rule 8)."""
    if key not in required:
        return deadline_date(catalog, assessment, key) or FAR
    dates = [due] if due is not None else []
    for other in {key} | (nx.descendants(catalog.graph, key) & required):
        found = deadline_date(catalog, assessment, other)
        if found is not None:
            dates.append(found)
    return min(dates, default=FAR)


def rank_key(
    catalog: readiness.Catalog,
    assessment: Assessment,
    step: readiness.NextStep,
    want: Expected,
) -> tuple[Any, ...]:
    return (
        not step.toward_target,
        served(catalog, assessment, step.criterion, want.required, want.due),
        -step.unblocks,
        -step.weight,
        step.effort_days,
        step.cost_vnd,
        step.criterion,
    )


class TestNextSteps:
    """Rule 8: "The frontier (applicable, not effectively met, every prerequisite effectively
    met) restricted to the required set, ranked by: earliest due date it serves (its own
    deadline, the target's due date, or that of any required criterion it unblocks), then how
    many required criteria it unblocks (transitively), then weight (higher first), effort, cost
    (lower first), then key. include_other=True appends the rest of the frontier, ranked the
    same way." """

    @given(scenario(), st.booleans())
    def test_subset_of_frontier(self, case: Any, other: bool) -> None:
        catalog, items, target = case
        for assessment in items:
            ranked = readiness.next_steps(
                catalog, assessment, target, k=len(catalog.criteria), include_other=other
            )
            f = facts(catalog, assessment)
            want = expected(catalog, assessment, target)
            keys = [n.criterion for n in ranked]
            assert len(keys) == len(set(keys))
            assert set(keys) <= f.frontier
            toward = f.frontier & want.required
            assert {n.criterion for n in ranked if n.toward_target} == toward
            assert {n.criterion for n in ranked if not n.toward_target} == (
                (f.frontier - toward) if other else set()
            )
            # the steps toward the target come first
            flags = [n.toward_target for n in ranked]
            assert flags == sorted(flags, reverse=True)
            for n in ranked:
                if n.toward_target:
                    assert n.unblocks == len(
                        nx.descendants(catalog.graph, n.criterion) & want.required
                    )
                    assert n.remaining == len(want.required)

    @given(scenario())
    def test_order_toward_target(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            ranked = readiness.next_steps(catalog, assessment, target, k=len(catalog.criteria))
            want = expected(catalog, assessment, target)
            keys = [rank_key(catalog, assessment, n, want) for n in ranked]
            assert keys == sorted(keys), [n.criterion for n in ranked]
            assert [n.rank for n in ranked] == list(range(1, len(ranked) + 1))

    @given(scenario())
    def test_order_with_others(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            ranked = readiness.next_steps(
                catalog, assessment, target, k=len(catalog.criteria), include_other=True
            )
            want = expected(catalog, assessment, target)
            keys = [rank_key(catalog, assessment, n, want) for n in ranked]
            assert keys == sorted(keys), [n.criterion for n in ranked]

    @given(scenario(), st.integers(0, 4))
    def test_k_keeps_the_first(self, case: Any, k: int) -> None:
        catalog, items, target = case
        for assessment in items:
            full = readiness.next_steps(catalog, assessment, target, k=len(catalog.criteria))
            assert readiness.next_steps(catalog, assessment, target, k=k) == full[:k]

    @given(scenario())
    def test_due_is_the_date_served(self, case: Any) -> None:
        catalog, items, target = case
        for assessment in items:
            ranked = readiness.next_steps(catalog, assessment, target, k=len(catalog.criteria))
            want = expected(catalog, assessment, target)
            for n in ranked:
                date = served(catalog, assessment, n.criterion, want.required, want.due)
                assert n.due == (None if date == FAR else date), n.criterion


class TestDeterministic:
    """Same inputs, same plan: planning twice, or in a batch in another order, gives equal
    plans and next steps."""

    @given(scenario(), LIMITS, st.randoms(use_true_random=False))
    def test_same_plan(self, case: Any, limits: dict[str, Any], rnd: Any) -> None:
        catalog, items, target = case
        first = readiness.plan_many(catalog, items, target, k=10, **limits)
        second = readiness.plan_many(catalog, items, target, k=10, **limits)
        shuffled = items[:]
        rnd.shuffle(shuffled)
        third = readiness.plan_many(catalog, shuffled, target, k=10, **limits)
        by_id = {
            third[j].facility.id: (third[j], third.next_steps(j)) for j in range(len(shuffled))
        }
        for j in range(len(items)):
            assert first[j] == second[j]
            assert first.next_steps(j) == second.next_steps(j)
            assert by_id[items[j].facility.id] == (first[j], first.next_steps(j))


def finish_days(p: Plan) -> int:
    return 0 if p.finish is None else (p.finish - p.start).days


class TestTighterLimitsNeverFinishEarlier:
    """Rule 5: "This rule never lets a tighter limit finish earlier." Finish dates are
    non-decreasing over max_parallel None, 3, 2, 1 and over yearly budgets none, B, B/2 (also
    with the other limit held)."""

    @given(scenario(), st.sampled_from([200_000_000, 500_000_000, 1_000_000_000]))
    def test_parallel(self, case: Any, budget: int) -> None:
        catalog, items, target = case
        for held in (None, budget):
            finishes = [
                readiness.plan_many(catalog, items, target, max_parallel=m, yearly_budget=held)
                for m in (None, 3, 2, 1)
            ]
            for j in range(len(items)):
                days = [finish_days(table[j]) for table in finishes]
                assert days == sorted(days), days

    @given(scenario(), st.sampled_from([200_000_000, 500_000_000, 1_000_000_000]))
    def test_budget(self, case: Any, budget: int) -> None:
        catalog, items, target = case
        for held in (None, 2):
            finishes = [
                readiness.plan_many(catalog, items, target, max_parallel=held, yearly_budget=b)
                for b in (None, budget, budget / 2)
            ]
            for j in range(len(items)):
                days = [finish_days(table[j]) for table in finishes]
                assert days == sorted(days), days

    @given(scenario(), LIMITS)
    def test_limits_keep_the_steps(self, case: Any, limits: dict[str, Any]) -> None:
        catalog, items, target = case
        for assessment in items:
            free = readiness.plan(catalog, assessment, target)
            held = readiness.plan(catalog, assessment, target, **limits)
            assert set(steps_of(free)) == set(steps_of(held))
            assert free.status == held.status
            assert finish_days(held) >= finish_days(free)


class TestPlanIsARowOfPlanMany:
    """One implementation: `plan(catalog, a, target)` equals row j of
    `plan_many(catalog, items, target)` for every facility j, with the same options."""

    @given(scenario(), LIMITS)
    def test_row(self, case: Any, limits: dict[str, Any]) -> None:
        catalog, items, target = case
        table = readiness.plan_many(catalog, items, target, **limits)
        assert len(table) == len(items)
        for j, assessment in enumerate(items):
            assert readiness.plan(catalog, assessment, target, **limits) == table[j]
            assert table.plan(j) == table[j]

    @given(scenario())
    def test_next_steps_row(self, case: Any) -> None:
        catalog, items, target = case
        table = readiness.plan_many(catalog, items, target, k=3)
        for j, assessment in enumerate(items):
            assert readiness.next_steps(catalog, assessment, target, k=3) == table.next_steps(j)
