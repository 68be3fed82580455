"""Hand-computed planning examples: every expected date and number is worked out in a comment.

Each test writes a tiny catalog (TOML) into ``tmp_path`` and checks plans, waves, critical paths,
limits, verdicts, estimates, level targets and next steps against values computed by hand from the
planning rules (``readiness/_plan.py``, ``docs/planning.md``).

Day arithmetic used throughout (2026 is not a leap year): from 2026-01-01 = day 0, 1 Feb = day
31, 1 Mar = day 59, 1 Apr = day 90, 1 Jul = day 181, 31 Dec = day 364, 1 Jan 2027 = day 365. A
step of d days starting on day s finishes on day s + d (the day its dependents may start).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

import readiness
from readiness import Assessment, Facility, Plan, Record, Target, errors

D = dt.date
START = D(2026, 1, 1)
HOSPITAL = Facility(
    id="h1", name="Provincial hospital", kind="hospital", ownership="public", beds=300
)
CLINIC = Facility(id="c1", name="Private clinic", kind="clinic", ownership="private", beds=0)


# --------------------------------------------------------------------------- helpers


def head(cid: str, levels: str, extra: str = "") -> str:
    """Return the top of a catalog: identity, one domain, levels and extra tables (TOML)."""
    return (
        f'format = 1\n\n[catalog]\nid = "{cid}"\n'
        f'title = {{ en = "{cid}", vi = "{cid}" }}\nversion = "1.0"\n\n'
        '[sources.doc]\ntitle = "A test document"\n\n'
        '[domains.core]\ntitle = { en = "core", vi = "core" }\n\n'
        f"{levels}\n{extra}\n"
    )


def level(number: int, rule: str = "", title: str = "", **keys: Any) -> str:
    """Return one ``[[level]]`` table."""
    name = title or f"L{number}"
    text = f'[[level]]\nnumber = {number}\ntitle = {{ en = "{name}", vi = "{name}" }}\n'
    if rule:
        text += f'rule = "{rule}"\n'
    for key, value in keys.items():
        text += f"{key} = {json.dumps(value)}\n"
    return text


def deadline(did: str, *cases: tuple[str, str]) -> str:
    """Return one ``[[deadline]]`` with cases (date, condition TOML or "" for everyone)."""
    text = (
        f'[[deadline]]\nid = "{did}"\ntitle = {{ en = "Deadline {did}", vi = "Han {did}" }}\n'
        'source = { ref = "doc", grade = "primary" }\n'
    )
    for date, condition in cases:
        text += f"[[deadline.when]]\ndate = {date}\n"
        if condition:
            text += f"applies_to = {condition}\n"
    return text + "\n"


def bundles(*names: str) -> str:
    return "".join(f'[bundles.{b}]\ntitle = {{ en = "{b}", vi = "{b}" }}\n' for b in names)


def crit(
    cid: str,
    lvl: int = 1,
    *,
    effort: float | None = None,
    cost: float | None = None,
    weight: float = 1,
    requires: Iterable[str] = (),
    extra: str = "",
) -> str:
    """Return one ``[[criterion]]``; ``effort``/``cost`` make a single estimate case."""
    text = (
        f'[[criterion]]\nid = "{cid}"\ntitle = {{ en = "Title {cid}", vi = "Tieu de {cid}" }}\n'
        f'domain = "core"\nlevel = {lvl}\nweight = {weight}\n'
        f"requires = {json.dumps(list(requires))}\n"
        'source = { grade = "inferred" }\n'
    )
    if effort is not None or cost is not None:
        parts = []
        if effort is not None:
            parts.append(f"effort_days = {effort}")
        if cost is not None:
            parts.append(f"cost_vnd = {int(cost)}")
        text += f'estimate = {{ {", ".join(parts)}, basis = "test figures" }}\n'
    return text + extra + "\n"


def load(tmp_path: Path, text: str, name: str = "cat") -> readiness.Catalog:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return readiness.load_catalog(path)


def assess(
    records: Mapping[str, Any] | None = None,
    facility: Facility = HOSPITAL,
    date: dt.date = START,
) -> Assessment:
    return Assessment(facility=facility, date=date, records=dict(records or {}))


def timeline(p: Plan) -> dict[str, tuple[dt.date, dt.date]]:
    """{short id: (start, finish)} of every step."""
    return {s.criterion.split(":", 1)[1]: (s.start, s.finish) for s in p.steps}


def short(keys: Iterable[str]) -> list[str]:
    return [k.split(":", 1)[1] for k in keys]


def wave_ids(p: Plan) -> list[list[str]]:
    return [sorted(short(s.criterion for s in wave)) for wave in p.waves]


# --------------------------------------------------------------------------- critical path

# A (10 d) -> C (5 d) <- B (20 d); nothing has a deadline.
CP = head("cp", level(1)) + "".join(
    [
        crit("a", effort=10, cost=100_000_000),
        crit("b", effort=20, cost=200_000_000),
        crit("c", effort=5, cost=50_000_000, requires=["a", "b"]),
    ]
)


def test_critical_path_with_parallel_branches(tmp_path: Path) -> None:
    """Steps start as soon as their prerequisites finish; the longest branch sets the finish."""
    cat = load(tmp_path, CP)
    p = readiness.plan(cat, assess(), "cp@1")
    # a: day 0 -> 10 (1 Jan -> 11 Jan); b: day 0 -> 20 (1 Jan -> 21 Jan);
    # c waits for both: day 20 -> 25 (21 Jan -> 26 Jan). Finish day 25 = 26 Jan 2026.
    assert p.status == "planned"
    assert p.start == D(2026, 1, 1)
    assert timeline(p) == {
        "a": (D(2026, 1, 1), D(2026, 1, 11)),
        "b": (D(2026, 1, 1), D(2026, 1, 21)),
        "c": (D(2026, 1, 21), D(2026, 1, 26)),
    }
    assert p.finish == D(2026, 1, 26)
    # Waves: a, b need no other step; c's latest prerequisite is in wave 1.
    assert wave_ids(p) == [["a", "b"], ["c"]]
    assert [s.wave for s in p.steps if s.criterion == "cp:c"] == [2]
    # Critical path: c starts when b (20 d) finishes; a (10 d) has 10 days of float.
    assert p.critical_path == ("cp:b", "cp:c")
    # Totals: 10 + 20 + 5 = 35 effort-days; 100 + 200 + 50 = 350 million VND.
    assert p.effort_days == 35
    assert p.cost_vnd == 350_000_000
    assert (p.assumed_effort, p.uncosted) == (0, 0)
    assert all(s.estimated and s.costed and s.reason == "needed" for s in p.steps)
    # Nothing has a deadline and the target has no due date: no verdicts.
    assert p.verdicts == ()
    assert p.verdict() is None


def test_start_option_overrides_the_assessment_date(tmp_path: Path) -> None:
    """``start=`` moves the whole plan; by default it starts on the assessment date."""
    cat = load(tmp_path, CP)
    p = readiness.plan(cat, assess(date=D(2026, 3, 1)), "cp@1")
    # From 1 Mar: a 1 Mar -> 11 Mar, b 1 Mar -> 21 Mar, c 21 Mar -> 26 Mar.
    assert p.start == D(2026, 3, 1)
    assert p.finish == D(2026, 3, 26)
    p = readiness.plan(cat, assess(date=D(2026, 3, 1)), "cp@1", start=D(2026, 2, 1))
    # From 1 Feb: finish 1 Feb + 25 days = 26 Feb.
    assert p.start == D(2026, 2, 1)
    assert p.finish == D(2026, 2, 26)


# --------------------------------------------------------------------------- parallel limit


def test_max_parallel_one_makes_the_plan_serial(tmp_path: Path) -> None:
    """One step at a time, in order of earliest start, then longer remaining path, then key."""
    cat = load(tmp_path, CP)
    p = readiness.plan(cat, assess(), "cp@1", max_parallel=1)
    # Earliest starts: a 0, b 0, c 20. Remaining path: a 10 + 5 = 15, b 20 + 5 = 25, c 5.
    # Order: b (0, 25), a (0, 15), c (20, 5).
    # b: day 0 -> 20 (1 Jan -> 21 Jan); a: b is running until day 20 -> day 20 -> 30
    # (21 Jan -> 31 Jan); c: after a and b, day 30 -> 35 (31 Jan -> 5 Feb).
    assert timeline(p) == {
        "b": (D(2026, 1, 1), D(2026, 1, 21)),
        "a": (D(2026, 1, 21), D(2026, 1, 31)),
        "c": (D(2026, 1, 31), D(2026, 2, 5)),
    }
    assert p.finish == D(2026, 2, 5)
    # Steps are listed by start; waves stay the dependency waves (rule 6).
    assert short(s.criterion for s in p.steps) == ["b", "a", "c"]
    assert wave_ids(p) == [["a", "b"], ["c"]]
    assert p.max_parallel == 1
    # Two at a time is no limit here: same dates as unlimited.
    two = readiness.plan(cat, assess(), "cp@1", max_parallel=2)
    assert timeline(two) == timeline(readiness.plan(cat, assess(), "cp@1"))


def test_max_parallel_ties_break_by_key(tmp_path: Path) -> None:
    """Equal earliest start and equal remaining path: the key decides."""
    cat = load(tmp_path, CP)
    p = readiness.plan(cat, assess(), "cp@1", max_parallel=1, estimates={"b": {"effort_days": 10}})
    # b overridden to 10 days: remaining paths a 15, b 15 -> key order a, b.
    # a: day 0 -> 10 (11 Jan); b: day 10 -> 20 (11 Jan -> 21 Jan); c: day 20 -> 25 (26 Jan).
    assert timeline(p) == {
        "a": (D(2026, 1, 1), D(2026, 1, 11)),
        "b": (D(2026, 1, 11), D(2026, 1, 21)),
        "c": (D(2026, 1, 21), D(2026, 1, 26)),
    }


# z (0 d) -> a (0 d): the dependent's key sorts first, and both steps tie on start and path.
ZERO = head("zero", level(1)) + crit("a", effort=0, requires=["z"]) + crit("z", effort=0)


def test_max_parallel_puts_a_zero_day_prerequisite_before_its_dependent(tmp_path: Path) -> None:
    """Zero-day steps tie on earliest start (0) and remaining path (0); the topological order
    decides, so a prerequisite is taken before its dependent even when its key sorts later."""
    cat = load(tmp_path, ZERO)
    for limits in ({"max_parallel": 1}, {"yearly_budget": 1.0}):
        p = readiness.plan(cat, assess(), "zero@1", **limits)  # type: ignore[arg-type]
        assert timeline(p) == {"z": (START, START), "a": (START, START)}


# x (2 d) -> y (50 d); z (30 d) independent.
SER = head("ser", level(1)) + "".join(
    [crit("x", effort=2), crit("y", effort=50, requires=["x"]), crit("z", effort=30)]
)


def test_max_parallel_takes_earliest_start_before_longer_path(tmp_path: Path) -> None:
    """Earliest start comes before remaining path in the order of rule 5."""
    cat = load(tmp_path, SER)
    free = readiness.plan(cat, assess(), "ser@1")
    # Unlimited: x 0 -> 2, z 0 -> 30, y 2 -> 52. Finish day 52 = 22 Feb.
    assert timeline(free) == {
        "x": (D(2026, 1, 1), D(2026, 1, 3)),
        "y": (D(2026, 1, 3), D(2026, 2, 22)),
        "z": (D(2026, 1, 1), D(2026, 1, 31)),
    }
    assert free.critical_path == ("ser:x", "ser:y")
    p = readiness.plan(cat, assess(), "ser@1", max_parallel=1)
    # Order by (earliest start, -remaining): x (0, -52), z (0, -30), y (2, -50).
    # x: 0 -> 2 (1 Jan -> 3 Jan); z: 2 -> 32 (3 Jan -> 2 Feb); y: 32 -> 82 (2 Feb -> 24 Mar).
    assert timeline(p) == {
        "x": (D(2026, 1, 1), D(2026, 1, 3)),
        "z": (D(2026, 1, 3), D(2026, 2, 2)),
        "y": (D(2026, 2, 2), D(2026, 3, 24)),
    }
    assert p.finish == D(2026, 3, 24)


# --------------------------------------------------------------------------- yearly budget

BUDGET = head("bud", level(1)) + "".join(
    [
        crit("x3", effort=30, cost=400_000_000),
        crit("y3", effort=20, cost=400_000_000),
        crit("z3", effort=10, cost=400_000_000),
    ]
)


def test_yearly_budget_pushes_a_step_into_the_next_year(tmp_path: Path) -> None:
    """Three steps of 400 million with 1,000 million a year: the third waits for 1 January."""
    cat = load(tmp_path, BUDGET)
    p = readiness.plan(cat, assess(), "bud@1", yearly_budget=1_000_000_000)
    # Order by remaining path: x3 (30), y3 (20), z3 (10).
    # x3 day 0: 2026 spent 400 M. y3 day 0: 800 M. z3: 800 + 400 = 1,200 M > 1,000 M ->
    # 1 Jan 2027 (day 365), finishes 11 Jan 2027.
    assert timeline(p) == {
        "x3": (D(2026, 1, 1), D(2026, 1, 31)),
        "y3": (D(2026, 1, 1), D(2026, 1, 21)),
        "z3": (D(2027, 1, 1), D(2027, 1, 11)),
    }
    assert p.finish == D(2027, 1, 11)
    assert p.cost_vnd == 1_200_000_000
    assert p.yearly_budget == 1_000_000_000
    # 1,200 million a year is enough for all three at once.
    roomy = readiness.plan(cat, assess(), "bud@1", yearly_budget=1_200_000_000)
    assert roomy.finish == D(2026, 1, 31)


DEAR = head("dear", level(1)) + "".join(
    [
        crit("p", effort=30, cost=100_000_000),
        crit("w", effort=20, cost=1_500_000_000),
        crit("q", effort=10, cost=50_000_000),
    ]
)


def test_a_step_dearer_than_the_budget_starts_alone_at_the_start_of_a_year(tmp_path: Path) -> None:
    """A step costing more than a whole year's budget gets a year of its own."""
    cat = load(tmp_path, DEAR)
    p = readiness.plan(cat, assess(), "dear@1", yearly_budget=1_000_000_000)
    # Order by remaining path: p (30), w (20), q (10).
    # p: day 0, 2026 spent 100 M. w: 100 + 1,500 > 1,000 and 2026 is not empty -> 1 Jan 2027,
    # where nothing is spent yet: it starts there alone (2027 spent 1,500 M), finishing 21 Jan 2027.
    # q: not before w's start (1 Jan 2027); 2027 is over budget -> 1 Jan 2028, to 11 Jan 2028.
    assert timeline(p) == {
        "p": (D(2026, 1, 1), D(2026, 1, 31)),
        "w": (D(2027, 1, 1), D(2027, 1, 21)),
        "q": (D(2028, 1, 1), D(2028, 1, 11)),
    }
    assert p.finish == D(2028, 1, 11)


def test_budget_and_parallel_limit_together(tmp_path: Path) -> None:
    """Both limits apply to each step: the later of the two constraints wins."""
    cat = load(tmp_path, BUDGET)
    p = readiness.plan(cat, assess(), "bud@1", yearly_budget=1_000_000_000, max_parallel=1)
    # x3: day 0 -> 30. y3: x3 running until day 30 -> day 30 -> 50 (31 Jan -> 20 Feb), 800 M.
    # z3: budget full for 2026 -> 1 Jan 2027 (nothing running then) -> 11 Jan 2027.
    assert timeline(p) == {
        "x3": (D(2026, 1, 1), D(2026, 1, 31)),
        "y3": (D(2026, 1, 31), D(2026, 2, 20)),
        "z3": (D(2027, 1, 1), D(2027, 1, 11)),
    }


# --------------------------------------------------------------------------- deadline verdicts

# One deadline: hospitals by 1 Mar 2026, everyone else by 31 Dec 2026.
DL = head(
    "dl",
    level(1),
    deadline("go", ("2026-03-01", '{ kind = "hospital" }'), ("2026-12-31", "")),
) + crit("g1", effort=40, extra='deadline = "go"\n')


def go_verdict(p: Plan, key: str = "dl:go") -> str:
    verdict = p.verdict(key)
    assert verdict is not None
    return verdict.verdict


def test_verdict_at_risk_and_risk_margin(tmp_path: Path) -> None:
    """Slack below the risk margin is at risk; a smaller margin makes the same plan on track."""
    cat = load(tmp_path, DL)
    p = readiness.plan(cat, assess(), "dl@1")
    # g1: 1 Jan + 40 days = 10 Feb. Hospital deadline 1 Mar: slack = 59 - 40 = 19 days < 30.
    # The target's due date defaults to the latest deadline of its criteria: 1 Mar too.
    assert p.finish == D(2026, 2, 10)
    go = p.verdict("dl:go")
    assert go is not None
    assert (go.date, go.finish, go.slack_days, go.verdict) == (
        D(2026, 3, 1),
        D(2026, 2, 10),
        19,
        "at_risk",
    )
    assert go.title == "Deadline go"
    target = p.verdict("target")
    assert target is not None
    assert (target.date, target.slack_days, target.verdict) == (D(2026, 3, 1), 19, "at_risk")
    assert [v.key for v in p.verdicts] == ["dl:go", "target"]
    assert p.steps[0].deadline == D(2026, 3, 1)
    # Margin 19: slack 19 is not below it -> on track. Margin 20 -> at risk. Margin 0 -> on track.
    verdicts = {
        margin: go_verdict(readiness.plan(cat, assess(), "dl@1", risk_margin_days=margin))
        for margin in (0, 19, 20)
    }
    assert verdicts == {0: "on_track", 19: "on_track", 20: "at_risk"}


def test_verdict_on_track_for_another_class(tmp_path: Path) -> None:
    """The deadline date follows the facility's class: a clinic has until 31 Dec."""
    cat = load(tmp_path, DL)
    p = readiness.plan(cat, assess(facility=CLINIC), "dl@1")
    # Clinic: 31 Dec (day 364); finish 10 Feb (day 40): slack 324 -> on track.
    go = p.verdict("dl:go")
    assert go is not None
    assert (go.date, go.slack_days, go.verdict) == (D(2026, 12, 31), 324, "on_track")
    assert go_verdict(p, "target") == "on_track"


@pytest.mark.parametrize(
    ("effort", "finish", "slack", "verdict"),
    [
        # 1 Jan + 59 days = 1 Mar: finishing on the deadline leaves 0 days: at risk, not late.
        (59, D(2026, 3, 1), 0, "at_risk"),
        # 1 Jan + 60 days = 2 Mar: one day late.
        (60, D(2026, 3, 2), -1, "late"),
        # 1 Jan + 80 days = 22 Mar: 59 - 80 = -21.
        (80, D(2026, 3, 22), -21, "late"),
        # 1 Jan + 29 days = 30 Jan: slack 30 = the margin -> on track.
        (29, D(2026, 1, 30), 30, "on_track"),
        # 1 Jan + 30 days = 31 Jan: slack 29 < 30 -> at risk.
        (30, D(2026, 1, 31), 29, "at_risk"),
    ],
)
def test_verdict_boundaries(
    tmp_path: Path, effort: int, finish: dt.date, slack: int, verdict: str
) -> None:
    """late if slack < 0, at risk if slack < margin, on track otherwise."""
    cat = load(tmp_path, DL)
    p = readiness.plan(cat, assess(), "dl@1", estimates={"g1": {"effort_days": effort}})
    go = p.verdict("dl:go")
    assert go is not None
    assert (go.finish, go.slack_days, go.verdict) == (finish, slack, verdict)


def test_verdict_late_when_the_deadline_passed_before_the_start(tmp_path: Path) -> None:
    """A deadline already past at the start is late whatever the plan."""
    cat = load(tmp_path, DL)
    p = readiness.plan(cat, assess(date=D(2026, 6, 1)), "dl@1")
    # Start 1 Jun (day 151), finish 1 Jun + 40 = 11 Jul (day 191); deadline 1 Mar (day 59):
    # slack = 59 - 191 = -132.
    assert p.finish == D(2026, 7, 11)
    go = p.verdict("dl:go")
    assert go is not None
    assert (go.slack_days, go.verdict) == (-132, "late")


def test_verdict_done_when_nothing_is_left(tmp_path: Path) -> None:
    """Nothing left: status done, no steps, the target's due date verdict is done."""
    cat = load(tmp_path, DL)
    p = readiness.plan(cat, assess({"g1": "met"}), "dl@1")
    assert p.status == "done"
    assert p.steps == ()
    assert p.finish is None
    assert p.critical_path == ()
    # Only the target verdict: "go" has no step in the plan.
    assert [(v.key, v.date, v.finish, v.slack_days, v.verdict) for v in p.verdicts] == [
        ("target", D(2026, 3, 1), None, None, "done")
    ]
    assert "already reached" in p.explain()


# --------------------------------------------------------------------------- due dates

DUES = head(
    "due",
    level(1),
    deadline("first", ("2026-06-30", '{ kind = "hospital" }'), ("2027-06-30", ""))
    + deadline("second", ("2026-12-31", '{ kind = "hospital" }'), ("2027-12-31", ""))
    + '[[milestone]]\nid = "ms"\ntitle = { en = "Milestone", vi = "Moc" }\n'
    'criteria = ["m2"]\ndeadline = "first"\n\n'
    '[[milestone]]\nid = "free"\ntitle = { en = "Free", vi = "Tu do" }\ncriteria = ["m1", "m3"]\n\n',
) + "".join(
    [
        crit("m1", effort=10, extra='deadline = "first"\n'),
        crit("m2", effort=10, extra='deadline = "second"\n'),
        crit("m3", effort=10),
    ]
)


def target_due(p: Plan) -> dt.date | None:
    verdict = p.verdict("target")
    return None if verdict is None else verdict.date


def test_default_due_date_is_the_latest_deadline_for_the_class(tmp_path: Path) -> None:
    """A level target is due by the latest deadline of its criteria, for the facility's class."""
    cat = load(tmp_path, DUES)
    # Criteria m1 (first), m2 (second), m3 (none): latest = second.
    assert target_due(readiness.plan(cat, assess(), "due@1")) == D(2026, 12, 31)
    assert target_due(readiness.plan(cat, assess(facility=CLINIC), "due@1")) == D(2027, 12, 31)
    # A set of criteria: latest of theirs. m1, m3 -> first; m3 alone -> no due date.
    assert target_due(readiness.plan(cat, assess(), "criteria:m1,m3")) == D(2026, 6, 30)
    only = readiness.plan(cat, assess(), "criteria:m3")
    assert target_due(only) is None
    assert only.verdicts == ()


def test_milestone_due_date_is_its_own_deadline(tmp_path: Path) -> None:
    """A milestone with a deadline is due then, even if its criteria are due later."""
    cat = load(tmp_path, DUES)
    # ms holds m2 (deadline second) but names deadline first.
    p = readiness.plan(cat, assess(), "milestone:due:ms")
    assert target_due(p) == D(2026, 6, 30)
    assert target_due(readiness.plan(cat, assess(facility=CLINIC), "milestone:ms")) == D(
        2027, 6, 30
    )
    assert short(s.criterion for s in p.steps) == ["m2"]
    # Verdicts: deadline second (m2 finishes 11 Jan: slack 364 - 10 = 354) and the target
    # (30 Jun = day 180: slack 170).
    assert [(v.key, v.slack_days, v.verdict) for v in p.verdicts] == [
        ("due:second", 354, "on_track"),
        ("target", 170, "on_track"),
    ]
    # A milestone without a deadline falls back to the latest deadline of its criteria.
    assert target_due(readiness.plan(cat, assess(), "milestone:due:free")) == D(2026, 6, 30)


def test_target_due_overrides_the_default(tmp_path: Path) -> None:
    """``Target.due`` replaces the default due date, for every kind of target."""
    cat = load(tmp_path, DUES)
    due = D(2026, 1, 20)
    for target in (
        Target(catalog="due", level=1, due=due),
        Target(milestone="due:ms", due=due),
        Target(criteria=["m3"], due=due),
        Target.parse("due@1", due=due),
    ):
        p = readiness.plan(cat, assess(), target)
        verdict = p.verdict("target")
        assert verdict is not None
        # Every step takes 10 days from 1 Jan: finish 11 Jan; 20 Jan - 11 Jan = 9 days -> at risk.
        assert (verdict.date, verdict.slack_days, verdict.verdict) == (due, 9, "at_risk")


# --------------------------------------------------------------------------- progress and records


def test_partial_progress_shortens_a_step(tmp_path: Path) -> None:
    """A partial criterion needs (1 - progress) x effort, rounded up to whole days."""
    cat = load(tmp_path, CP)
    records = {
        "a": Record(status="partial", progress=0.5),
        "b": Record(status="partial", progress=0.35),
    }
    p = readiness.plan(cat, assess(records), "cp@1")
    # a: 0.5 x 10 = 5 days. b: 0.65 x 20 = 13 days. c after both: day 13 -> 18.
    steps = {s.criterion: s for s in p.steps}
    assert (steps["cp:a"].effort_days, steps["cp:b"].effort_days) == (5, 13)
    assert steps["cp:a"].reason == "in progress (50% done)"
    assert steps["cp:b"].reason == "in progress (35% done)"
    assert timeline(p)["c"] == (D(2026, 1, 14), D(2026, 1, 19))
    assert p.effort_days == 5 + 13 + 5
    # Rounded up: 0.65 x 10 = 6.5 -> 7 days; 0.9 x 5 = 4.5 -> 5 days.
    p = readiness.plan(
        cat,
        assess(
            {
                "a": Record(status="partial", progress=0.35),
                "c": Record(status="partial", progress=0.1),
            }
        ),
        "cp@1",
        estimates={"b": {"effort_days": 0}},
    )
    steps = {s.criterion: s for s in p.steps}
    assert (steps["cp:a"].effort_days, steps["cp:b"].effort_days, steps["cp:c"].effort_days) == (
        7,
        0,
        5,
    )


def test_partial_progress_is_rounded_on_the_exact_product(tmp_path: Path) -> None:
    """(1 - 0.7) x 10 days is 3 days, not 4 (no floating-point round-up)."""
    cat = load(tmp_path, CP)
    p = readiness.plan(cat, assess({"a": Record(status="partial", progress=0.7)}), "cp@1")
    # 0.3 x 10 = 3 exactly; in binary floating point (1 - 0.7) x 10 = 3.0000000000000004,
    # which must not round up to 4.
    assert {s.criterion: s.effort_days for s in p.steps}["cp:a"] == 3


def test_partial_progress_is_rounded_once(tmp_path: Path) -> None:
    """The product (1 - progress) x effort is rounded up once, not the effort first."""
    cat = load(tmp_path, CP)
    p = readiness.plan(
        cat,
        assess({"a": Record(status="partial", progress=0.2)}),
        "cp@1",
        estimates={"a": {"effort_days": 7.5}},
    )
    # 0.8 x 7.5 = 6.0 -> 6 days (rounding 7.5 up to 8 first would give 0.8 x 8 = 6.4 -> 7).
    assert {s.criterion: s.effort_days for s in p.steps}["cp:a"] == 6
    # Without progress the step takes 7.5 -> 8 whole days.
    p = readiness.plan(cat, assess(), "cp@1", estimates={"a": {"effort_days": 7.5}})
    assert {s.criterion: s.effort_days for s in p.steps}["cp:a"] == 8


def test_unsupported_claims_are_planned_as_work(tmp_path: Path) -> None:
    """A met claim whose prerequisites are not met is work too, with the reason."""
    cat = load(tmp_path, CP)
    p = readiness.plan(cat, assess({"c": "met", "a": "met"}), "cp@1")
    # a effectively met. b not met. c met but rests on b: an unsupported claim, planned after b.
    # b: day 0 -> 20; c: day 20 -> 25 (full effort: the claim is re-checked as work).
    steps = {s.criterion: s for s in p.steps}
    assert sorted(steps) == ["cp:b", "cp:c"]
    assert steps["cp:c"].reason == "claimed, but rests on cp:b: re-check after it"
    assert timeline(p)["c"] == (D(2026, 1, 21), D(2026, 1, 26))
    # An unsupported partial claim keeps its progress: 0.6 of 5 days done -> 2 days left.
    p = readiness.plan(cat, assess({"c": Record(status="partial", progress=0.6)}), "cp@1")
    c = next(s for s in p.steps if s.criterion == "cp:c")
    assert c.effort_days == 2
    assert c.reason == "claimed, but rests on cp:a, cp:b: re-check after it"


def test_expired_and_under_covered_records_are_planned(tmp_path: Path) -> None:
    """A met record past valid_until, or below min_coverage, is planned again in full."""
    text = head("exp", level(1)) + "".join(
        [
            crit("old", effort=10),
            crit("wide", effort=20, extra="min_coverage = 0.9\n"),
            crit("fine", effort=30),
        ]
    )
    cat = load(tmp_path, text)
    records = {
        "old": Record(status="met", valid_until=D(2025, 12, 1)),
        "wide": Record(status="met", coverage=0.5),
        "fine": Record(status="met", valid_until=D(2026, 12, 31)),
    }
    p = readiness.plan(cat, assess(records), "exp@1")
    steps = {s.criterion: s for s in p.steps}
    # old expired (1 Dec 2025 < 1 Jan 2026), wide covers 50 % < 90 %; fine is valid.
    assert sorted(steps) == ["exp:old", "exp:wide"]
    assert steps["exp:old"].reason == "validation expired"
    assert steps["exp:wide"].reason == "coverage below the minimum"
    assert (steps["exp:old"].effort_days, steps["exp:wide"].effort_days) == (10, 20)


# --------------------------------------------------------------------------- estimates

EST = head("est", level(1)) + "".join(
    [
        crit(
            "e1",
            extra="estimate = [\n"
            '  { applies_to = { kind = "hospital" }, effort_days = 90, cost_vnd = 2_000_000_000,'
            ' basis = "hospital HIS" },\n'
            '  { effort_days = 30, cost_vnd = 200_000_000, basis = "small facility" },\n]\n',
        ),
        crit("e2"),  # no estimate at all
        crit("e3", effort=7.5),  # effort only
        crit("e4", cost=50_000_000),  # cost only
    ]
)


def test_estimate_cases_by_facility_class(tmp_path: Path) -> None:
    """The first estimate case matching the facility applies; gaps are assumed and flagged."""
    cat = load(tmp_path, EST)
    p = readiness.plan(cat, assess(), "est@1")
    steps = {s.criterion: s for s in p.steps}
    # Hospital: e1 90 d, 2,000 M. e2: default 30 d (assumed), no cost. e3: 7.5 -> 8 d, no cost.
    # e4: default 30 d (assumed), 50 M.
    got = {k: (s.effort_days, s.cost_vnd, s.estimated, s.costed) for k, s in sorted(steps.items())}
    assert got == {
        "est:e1": (90, 2_000_000_000, True, True),
        "est:e2": (30, 0.0, False, False),
        "est:e3": (8, 0.0, True, False),
        "est:e4": (30, 50_000_000, False, True),
    }
    assert p.assumed_effort == 2  # e2, e4
    assert p.uncosted == 2  # e2, e3
    assert p.effort_days == 90 + 30 + 8 + 30
    assert p.cost_vnd == 2_050_000_000
    assert p.finish == START + dt.timedelta(days=90)
    data = p.to_dict()["estimates"]
    assert data["all_steps_estimated"] is False
    assert (data["assumed_effort_steps"], data["uncosted_steps"]) == (2, 2)
    # inline estimates without ``assumed`` count as the authors' assumptions (rule 9)
    assert p.assumed_steps == 4
    assert p.explain().splitlines()[0] == (
        "h1: level 1 of est (L1): 4 steps from 2026-01-01: mostly assumed values (4 of 4 steps, "
        "100%): cost 2.0-2.0 bn VND (likely 2.0), finish 2026-04-01 to 2026-04-01 (likely "
        "2026-04-01); 2 steps without a cost estimate (counted as 0)"
    )
    # Clinic: the second case of e1, 30 d and 200 M.
    clinic = readiness.plan(cat, assess(facility=CLINIC), "est@1")
    e1 = next(s for s in clinic.steps if s.criterion == "est:e1")
    assert (e1.effort_days, e1.cost_vnd) == (30, 200_000_000)


def test_estimate_overrides_and_default_effort(tmp_path: Path) -> None:
    """``estimates=`` replaces the keys it gives; ``default_effort_days`` changes the assumption."""
    cat = load(tmp_path, EST)
    p = readiness.plan(
        cat,
        assess(),
        "est@1",
        estimates={"e1": {"effort_days": 12}, "est:e2": {"effort_days": 5, "cost_vnd": 1_000_000}},
        default_effort_days=10,
    )
    steps = {s.criterion: s for s in p.steps}
    # e1: effort 12 from the override, cost still the hospital case's 2,000 M.
    # e2: both from the override, so estimated and costed. e4: 10 days assumed.
    assert (steps["est:e1"].effort_days, steps["est:e1"].cost_vnd) == (12, 2_000_000_000)
    assert (steps["est:e2"].effort_days, steps["est:e2"].cost_vnd) == (5, 1_000_000)
    assert steps["est:e2"].estimated
    assert steps["est:e2"].costed
    assert (steps["est:e4"].effort_days, steps["est:e4"].estimated) == (10, False)
    assert (p.assumed_effort, p.uncosted) == (1, 1)  # e4; e3
    # Longest step: e1 12 d -> finish 13 Jan.
    assert p.finish == D(2026, 1, 13)


# --------------------------------------------------------------------------- level targets

# Threshold 50 % of weight 12 = 6.
THR = head("thr", level(1, "threshold", threshold=0.5)) + "".join(
    [
        crit("a", weight=1, effort=10, cost=50),
        crit("b", weight=3, effort=50, cost=50),
        crit("c", weight=2, effort=20, cost=100),
        crit("d", weight=2, effort=20, cost=50),
        crit("e", weight=2, effort=10, cost=50),
        crit("f", weight=2, effort=20, cost=50),
    ]
)


def test_threshold_target_picks_in_the_static_order(tmp_path: Path) -> None:
    """Weight desc, effort asc, cost asc, key asc, until the threshold is covered."""
    cat = load(tmp_path, THR)
    p = readiness.plan(cat, assess(), "thr@1")
    # Static order: b (w3), e (w2, 10 d), d (w2, 20 d, 50), f (w2, 20 d, 50: key after d),
    # c (w2, 20 d, 100), a (w1). Need 6: b 3 (before: 0 < 6), e 5 (3 < 6), d 7 (5 < 6) -> stop.
    assert sorted(short(s.criterion for s in p.steps)) == ["b", "d", "e"]
    # b met: 3 earned, need 3 more: e (0 < 3), d (2 < 3) -> 4.
    p = readiness.plan(cat, assess({"b": "met"}), "thr@1")
    assert sorted(short(s.criterion for s in p.steps)) == ["d", "e"]


def test_threshold_target_does_not_rely_on_partial_credit(tmp_path: Path) -> None:
    """Partial credit is not counted toward the threshold when choosing criteria."""
    cat = load(tmp_path, THR)
    records = {"b": "met", "c": Record(status="partial", progress=0.99)}
    p = readiness.plan(cat, assess(records), "thr@1")
    # Counting c's 1.98 the deficit would be 6 - 4.98 = 1.02 and e alone would do.
    # Counting only full criteria: deficit 3. The order uses the effort left: c has
    # ceil(20 x 0.01) = 1 day left, so c (0 < 3) comes before e (2 < 3) -> 4, stop.
    assert sorted(short(s.criterion for s in p.steps)) == ["c", "e"]
    # Meeting the chosen ones reaches the level.
    done = assess({"b": "met", "c": "met", "e": "met"})
    assert readiness.score(cat, done).catalogs["thr"].level == 1


KOFN = head(
    "kn",
    level(1) + level(2, "k-of-n", k=2, bundles=["x", "y", "z"]),
    bundles("x", "y", "z"),
) + "".join(
    [
        crit("base", effort=10),
        crit("x1", 2, effort=10, extra='bundle = "x"\n'),
        crit("x2", 2, effort=10, extra='bundle = "x"\n'),
        crit("x3", 2, effort=10, extra='bundle = "x"\n'),
        crit("y1", 2, effort=10, extra='bundle = "y"\napplies_to = { kind = "hospital" }\n'),
        crit("z1", 2, effort=10, extra='bundle = "z"\napplies_to = { kind = "hospital" }\n'),
        crit("z2", 2, effort=10, extra='bundle = "z"\napplies_to = { kind = "hospital" }\n'),
    ]
)


def test_k_of_n_target_picks_bundles_with_fewest_criteria_left(tmp_path: Path) -> None:
    """The k bundles with the fewest criteria left, ties in bundle order."""
    cat = load(tmp_path, KOFN)
    p = readiness.plan(cat, assess(), "kn@2")
    # Left: x 3, y 1, z 2 -> y, z. Plus level 1 (all): base.
    assert sorted(short(s.criterion for s in p.steps)) == ["base", "y1", "z1", "z2"]
    p = readiness.plan(cat, assess({"x1": "met", "x2": "met", "base": "met"}), "kn@2")
    # Left: x 1, y 1, z 2 -> x and y tie at 1, bundle order: x, y.
    assert sorted(short(s.criterion for s in p.steps)) == ["x3", "y1"]


def test_k_of_n_target_unreachable(tmp_path: Path) -> None:
    """Fewer completable bundles than k: the target is unreachable."""
    cat = load(tmp_path, KOFN)
    # A clinic: y and z hold nothing that applies -> only x is completable, k = 2.
    p = readiness.plan(cat, assess(facility=CLINIC), "kn@2")
    assert p.status == "unreachable"
    assert p.steps == ()
    assert p.finish is None
    assert "unreachable" in p.explain()
    # Level 1 alone is reachable.
    assert readiness.plan(cat, assess(facility=CLINIC), "kn@1").status == "planned"


def test_target_not_applicable(tmp_path: Path) -> None:
    """A target none of whose criteria applies to the facility is not applicable."""
    text = head("na", level(1)) + "".join(
        [
            crit("h", effort=10, extra='applies_to = { kind = "hospital" }\n'),
            crit("k", effort=10, extra='applies_to = { kind = "hospital" }\n'),
        ]
    )
    cat = load(tmp_path, text)
    p = readiness.plan(cat, assess(facility=CLINIC), "na@1")
    assert p.status == "not_applicable"
    assert p.steps == ()
    assert "not applicable" in p.explain()
    assert readiness.plan(cat, assess(), "na@1").status == "planned"


def test_criteria_target_not_applicable(tmp_path: Path) -> None:
    """A set of criteria none of which applies is not applicable, even if others apply."""
    text = head("nb", level(1)) + "".join(
        [
            crit("h", effort=10, extra='applies_to = { kind = "hospital" }\n'),
            crit("all", effort=10),
        ]
    )
    cat = load(tmp_path, text)
    # h does not apply to a clinic; "all" does, but it is not part of the target.
    p = readiness.plan(cat, assess(facility=CLINIC), "criteria:h")
    assert p.status == "not_applicable"
    assert p.steps == ()


def test_threshold_already_reached_with_partial_credit_is_done(tmp_path: Path) -> None:
    """A threshold level already earned (partial credit counts in scoring) leaves nothing to do."""
    text = (
        head("tp", level(1, "threshold", threshold=0.5))
        + crit("a", effort=10)
        + crit("b", effort=10)
    )
    cat = load(tmp_path, text)
    records = {
        "a": Record(status="partial", progress=0.6),
        "b": Record(status="partial", progress=0.5),
    }
    # Earned 0.6 + 0.5 = 1.1 of 2 = 55 % >= 50 %: the facility is at level 1 already.
    assert readiness.score(cat, assess(records)).catalogs["tp"].level == 1
    p = readiness.plan(cat, assess(records), "tp@1")
    assert p.status == "done"
    assert p.steps == ()


def test_already_met_is_done(tmp_path: Path) -> None:
    """A facility that meets the target has an empty plan with status done."""
    cat = load(tmp_path, CP)
    p = readiness.plan(cat, assess({"a": "met", "b": "met", "c": "met"}), "cp@1")
    assert p.status == "done"
    assert (p.steps, p.finish, p.effort_days, p.cost_vnd) == ((), None, 0, 0.0)
    assert p.waves == ()
    assert readiness.next_steps(cat, assess({"a": "met", "b": "met", "c": "met"}), "cp@1") == ()


def test_criteria_that_do_not_apply_are_transparent(tmp_path: Path) -> None:
    """A prerequisite chain through a criterion that does not apply still orders the steps."""
    text = head("tr", level(1)) + "".join(
        [
            crit("a", effort=10),
            crit("n", effort=10, requires=["a"], extra='applies_to = { kind = "hospital" }\n'),
            crit("c", effort=5, requires=["n"]),
        ]
    )
    cat = load(tmp_path, text)
    p = readiness.plan(cat, assess(facility=CLINIC), "tr@1")
    # n does not apply to a clinic: a (day 0 -> 10) then c (day 10 -> 15), waves 1 and 2.
    assert timeline(p) == {
        "a": (D(2026, 1, 1), D(2026, 1, 11)),
        "c": (D(2026, 1, 11), D(2026, 1, 16)),
    }
    assert wave_ids(p) == [["a"], ["c"]]
    assert p.critical_path == ("tr:a", "tr:c")
    # The next step of a clinic is a only; c waits for it through n.
    assert [n.criterion for n in readiness.next_steps(cat, assess(facility=CLINIC), "tr@1")] == [
        "tr:a"
    ]
    # For a hospital n applies and sits in between: three waves.
    assert wave_ids(readiness.plan(cat, assess(), "tr@1")) == [["a"], ["n"], ["c"]]


def test_required_set_is_target_and_prerequisites_only(tmp_path: Path) -> None:
    """Criteria outside the target and its prerequisites are not planned."""
    cat = load(tmp_path, CP)
    p = readiness.plan(cat, assess(), "criteria:a")
    assert short(s.criterion for s in p.steps) == ["a"]
    p = readiness.plan(cat, assess({"b": "met"}), Target(criteria=["c"]))
    # c needs a (not met) and b (met): steps a then c.
    assert timeline(p) == {
        "a": (D(2026, 1, 1), D(2026, 1, 11)),
        "c": (D(2026, 1, 11), D(2026, 1, 16)),
    }


# --------------------------------------------------------------------------- next steps

NS = head(
    "ns",
    level(1, title="Basics") + level(2),
    deadline("soon", ("2026-03-31", "")) + deadline("later", ("2026-09-30", "")),
) + "".join(
    [
        crit("v1", effort=30, cost=50),
        crit("y1", effort=10, cost=50, requires=["v1"], extra='deadline = "soon"\n'),
        crit("s1", effort=10, cost=50, extra='deadline = "soon"\n'),
        crit("u1", effort=10, cost=50),
        crit("d1", effort=10, cost=50, requires=["u1"]),
        crit("d2", effort=10, cost=50, requires=["u1"]),
        crit("u2", effort=10, cost=50),
        crit("d3", effort=10, cost=50, requires=["u2"], extra='deadline = "later"\n'),
        crit("w3", effort=10, cost=50, weight=3),
        crit("e1", effort=5, cost=50),
        crit("e2", effort=10, cost=100),
        crit("e3", effort=10, cost=50),
        crit("k1", effort=10, cost=50),
        crit("k2", effort=10, cost=50),
        crit("o1", 2, effort=10, cost=50),
        crit("o2", 2, effort=10, cost=50, extra='deadline = "soon"\n'),
    ]
)
NS_ORDER = ["s1", "u1", "u2", "w3", "e1", "e3", "k1", "k2", "e2"]


def test_next_steps_order(tmp_path: Path) -> None:
    """Earliest due date served, unblocks desc, weight desc, effort asc, cost asc, key."""
    cat = load(tmp_path, NS)
    ranked = readiness.next_steps(cat, assess(), "ns@1", k=20)
    # Required: the 14 level-1 criteria. Target due: latest deadline of them = 30 Sep.
    # Frontier of them: v1, s1, u1, u2, w3, e1, e2, e3, k1, k2 (y1, d1-d3 wait for a prerequisite).
    # Due served: v1 31 Mar (it unblocks y1), s1 31 Mar (its own); all others 30 Sep.
    # v1 (31 Mar, unblocks 1), s1 (31 Mar, 0), u1 (unblocks d1, d2: 2), u2 (d3: 1),
    # w3 (weight 3), e1 (5 d), then 10 d at cost 50 by key: e3, k1, k2, then e2 (cost 100).
    assert short(n.criterion for n in ranked) == ["v1", *NS_ORDER]
    assert [n.rank for n in ranked] == list(range(1, 11))
    assert all(n.toward_target for n in ranked)
    assert all(n.remaining == 14 for n in ranked)
    by_id = {n.criterion.split(":")[1]: n for n in ranked}
    assert [by_id[x].unblocks for x in ("v1", "s1", "u1", "u2", "w3")] == [1, 0, 2, 1, 0]
    assert by_id["u1"].reason == (
        "unblocks 2 of the 13 other remaining criteria for level 1 of ns (Basics); due 30 Sep 2026"
    )
    assert by_id["s1"].reason == "needed for level 1 of ns (Basics); due 31 Mar 2026"
    assert by_id["s1"].due == D(2026, 3, 31)
    assert by_id["e1"].due == D(2026, 9, 30)
    assert (by_id["e1"].effort_days, by_id["e2"].cost_vnd, by_id["w3"].weight) == (5, 100, 3)
    # The default k is 5.
    assert len(readiness.next_steps(cat, assess(), "ns@1")) == 5
    assert readiness.next_steps(cat, assess(), "ns@1", k=0) == ()


def test_next_step_due_is_the_date_it_serves(tmp_path: Path) -> None:
    """A step that unblocks an earlier deadline is ranked and reported by that deadline."""
    cat = load(tmp_path, NS)
    first = readiness.next_steps(cat, assess(), "ns@1", k=1)[0]
    # v1 has no deadline of its own but unblocks y1, due 31 Mar: that is the date it serves.
    assert first.criterion == "ns:v1"
    assert first.due == D(2026, 3, 31)
    assert first.reason == (
        "unblocks 1 of the 13 other remaining criteria for level 1 of ns (Basics); due 31 Mar 2026"
    )


def test_next_steps_effort_is_the_effort_left(tmp_path: Path) -> None:
    """Ties on due date, unblocks and weight go to the step with less effort left."""
    text = (
        head("ef", level(1)) + crit("big", effort=20, cost=10) + crit("small", effort=10, cost=10)
    )
    cat = load(tmp_path, text)
    ranked = readiness.next_steps(
        cat, assess({"big": Record(status="partial", progress=0.9)}), "ef@1"
    )
    # big: 0.1 x 20 = 2 days left; small: 10 days. Equal otherwise -> big first.
    assert [(n.criterion, n.effort_days) for n in ranked] == [("ef:big", 2), ("ef:small", 10)]
    # Without progress: small (10 d) before big (20 d).
    ranked = readiness.next_steps(cat, assess(), "ef@1")
    assert [(n.criterion, n.effort_days) for n in ranked] == [("ef:small", 10), ("ef:big", 20)]


def test_next_steps_other_frontier_only_on_request(tmp_path: Path) -> None:
    """Steps not toward the target are left out unless include_other=True, then come last."""
    cat = load(tmp_path, NS)
    default = readiness.next_steps(cat, assess(), "ns@1", k=20)
    assert not {"ns:o1", "ns:o2"} & {n.criterion for n in default}
    ranked = readiness.next_steps(cat, assess(), "ns@1", k=20, include_other=True)
    # After the 10 steps toward the target, the rest of the frontier ranked the same way:
    # o2 (its own deadline 31 Mar) before o1 (no date).
    assert short(n.criterion for n in ranked) == ["v1", *NS_ORDER, "o2", "o1"]
    o2, o1 = ranked[-2:]
    assert (o2.toward_target, o1.toward_target) == (False, False)
    assert o1.reason == "not needed for level 1 of ns (Basics)"
    assert o2.reason == "not needed for level 1 of ns (Basics); due 31 Mar 2026"
    assert (o1.unblocks, o1.due) == (0, None)


def test_next_steps_after_progress(tmp_path: Path) -> None:
    """Meeting a prerequisite opens its dependents; met criteria leave the ranking."""
    cat = load(tmp_path, NS)
    records = {"v1": "met", "u1": "met", "s1": "met"}
    ranked = readiness.next_steps(cat, assess(records), "ns@1", k=20)
    # Remaining: 14 - 3 = 11; frontier: y1, d1, d2 (now open), u2, w3, e1, e2, e3, k1, k2.
    # y1 (its own deadline 31 Mar) first; u2 (unblocks d3); w3 (weight 3); e1 (5 d); then the
    # 10-day, cost-50 steps by key: d1, d2, e3, k1, k2; last e2 (cost 100).
    assert short(n.criterion for n in ranked) == [
        "y1",
        "u2",
        "w3",
        "e1",
        "d1",
        "d2",
        "e3",
        "k1",
        "k2",
        "e2",
    ]
    assert ranked[0].remaining == 11
    assert ranked[0].reason == "needed for level 1 of ns (Basics); due 31 Mar 2026"


# --------------------------------------------------------------------------- targets and errors


def test_target_parse_forms() -> None:
    """CATALOG@LEVEL, milestone:KEY and criteria:KEY,KEY; ``due`` passes through."""
    assert Target.parse("vn-smart-hospital@3") == Target(catalog="vn-smart-hospital", level=3)
    assert Target.parse("  cp@12 ") == Target(catalog="cp", level=12)
    assert Target.parse("milestone:vn-emr:emr-live") == Target(milestone="vn-emr:emr-live")
    assert Target.parse("criteria:a, cp:b ,") == Target(criteria=("a", "cp:b"))
    assert Target.parse("cp@1", due=D(2026, 5, 1)).due == D(2026, 5, 1)
    assert Target(criteria=["a"]).criteria == ("a",)


@pytest.mark.parametrize(
    "text", ["cp", "cp@", "@1", "cp@one", "cp@-1", "criteria:", "criteria: , ", "cp@0"]
)
def test_target_parse_errors(text: str) -> None:
    with pytest.raises(errors.OptionError):
        Target.parse(text)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"catalog": "cp"},
        {"level": 1},
        {"catalog": "cp", "level": 0},
        {"catalog": "cp", "level": 1, "criteria": ["a"]},
        {"milestone": "m", "criteria": ["a"]},
        {"milestone": "m", "due": "2026-01-01"},
        {"milestone": "m", "due": dt.datetime(2026, 1, 1, 12, 0)},  # noqa: DTZ001
    ],
)
def test_target_construction_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(errors.OptionError):
        Target(**kwargs)


def test_unknown_target_parts(tmp_path: Path) -> None:
    """Unknown catalog, level, milestone or criterion raise the library's error types."""
    cat = load(tmp_path, DUES)
    a = assess()
    with pytest.raises(errors.UnknownIdError):
        readiness.plan(cat, a, "nope@1")
    with pytest.raises(errors.PlanError):
        readiness.plan(cat, a, "due@2")
    with pytest.raises(errors.UnknownIdError):
        readiness.plan(cat, a, "milestone:due:nope")
    with pytest.raises(errors.UnknownCriterionError):
        readiness.plan(cat, a, "criteria:m1,nope")
    with pytest.raises(errors.UnknownCriterionError):
        readiness.next_steps(cat, a, Target(criteria=["nope"]))
    with pytest.raises(errors.OptionError):
        readiness.plan(cat, a, 3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_parallel": 0}, errors.OptionError),
        ({"max_parallel": -2}, errors.OptionError),
        ({"max_parallel": 1.5}, errors.OptionError),
        ({"max_parallel": True}, errors.OptionError),
        ({"yearly_budget": -1}, errors.OptionError),
        ({"yearly_budget": 0}, errors.OptionError),
        ({"yearly_budget": True}, errors.OptionError),
        ({"default_effort_days": -1}, errors.OptionError),
        ({"risk_margin_days": -1}, errors.OptionError),
        ({"start": "2026-01-01"}, errors.OptionError),
        ({"estimates": {"nope": {"effort_days": 1}}}, errors.UnknownCriterionError),
        ({"estimates": {"m1": {"days": 1}}}, errors.OptionError),
        ({"estimates": {"m1": {"effort_days": -1}}}, errors.OptionError),
        ({"estimates": {"m1": {"cost_vnd": float("nan")}}}, errors.OptionError),
    ],
)
def test_bad_plan_options(tmp_path: Path, kwargs: dict[str, Any], error: type[Exception]) -> None:
    cat = load(tmp_path, DUES)
    with pytest.raises(error):
        readiness.plan(cat, assess(), "due@1", **kwargs)
    with pytest.raises(error):
        readiness.plan_many(cat, [assess()], "due@1", **kwargs)


def test_bad_next_step_and_batch_options(tmp_path: Path) -> None:
    cat = load(tmp_path, DUES)
    with pytest.raises(errors.OptionError):
        readiness.next_steps(cat, assess(), "due@1", k=-1)
    with pytest.raises(errors.UnknownCriterionError):
        readiness.next_steps(cat, assess(), "due@1", estimates={"nope": {"effort_days": 1}})
    with pytest.raises(errors.OptionError):
        readiness.plan(cat, [assess()], "due@1")  # type: ignore[arg-type]
    with pytest.raises(errors.OptionError):
        readiness.next_steps(cat, [assess()], "due@1")  # type: ignore[arg-type]
    with pytest.raises(errors.OptionError):
        readiness.plan_many(cat, [], "due@1")


# --------------------------------------------------------------------------- output and batches


def test_plan_to_dict_is_json_and_explain_shows_waves_and_verdicts(tmp_path: Path) -> None:
    cat = load(
        tmp_path,
        head("out", level(1), deadline("go", ("2026-02-01", "")))
        + crit("a", effort=10, cost=100_000_000)
        + crit("b", effort=20, cost=200_000_000)
        + crit("c", effort=5, cost=50_000_000, requires=["a", "b"], extra='deadline = "go"\n'),
    )
    p = readiness.plan(cat, assess(), "out@1")
    # Finish 26 Jan; deadline 1 Feb (day 31): slack 31 - 25 = 6 -> at risk (deadline and target).
    data = json.loads(json.dumps(p.to_dict()))
    assert data["facility"] == "h1"
    assert data["status"] == "planned"
    assert (data["start"], data["finish"]) == ("2026-01-01", "2026-01-26")
    assert data["critical_path"] == ["out:b", "out:c"]
    assert [s["criterion"] for s in data["steps"]] == ["out:a", "out:b", "out:c"]
    assert data["steps"][2]["wave"] == 2
    assert data["steps"][2]["deadline"] == "2026-02-01"
    assert [(v["key"], v["slack_days"], v["verdict"]) for v in data["verdicts"]] == [
        ("out:go", 6, "at_risk"),
        ("target", 6, "at_risk"),
    ]
    assert data["limits"] == {"max_parallel": None, "yearly_budget": None}
    assert data["cost_vnd"] == 350_000_000
    text = p.explain()
    assert text.splitlines()[0] == (
        "h1: level 1 of out (L1): 3 steps from 2026-01-01: mostly assumed values (3 of 3 "
        "steps, 100%): cost 350-350 million VND (likely 350), finish 2026-01-26 to 2026-01-26 "
        "(likely 2026-01-26)"
    )
    assert "  wave 1:" in text
    assert "  wave 2:" in text
    assert "2026-01-21 -> 2026-01-26  out:c  Title c" in text
    assert "Deadline go 2026-02-01: at risk, slack 6 days" in text
    assert "target (level 1 of out (L1)) 2026-02-01: at risk, slack 6 days" in text


def test_plan_is_a_row_of_plan_many(tmp_path: Path) -> None:
    """plan() is plan_many() on a batch of one: each row equals the single plan."""
    cat = load(tmp_path, DL)
    other = Facility(id="c2", name="Second clinic", kind="clinic", ownership="public", beds=0)
    items = [assess(), assess(facility=CLINIC), assess({"g1": "met"}, facility=other)]
    table = readiness.plan_many(cat, items, "dl@1", max_parallel=1)
    assert len(table) == 3
    for j, item in enumerate(items):
        assert table[j] == readiness.plan(cat, item, "dl@1", max_parallel=1)
    assert [table[j].status for j in range(3)] == ["planned", "planned", "done"]
    records = table.to_records()
    # Hospital: due 1 Mar, slack 19 -> at risk; clinic: due 31 Dec -> on track; done.
    assert [r["target_verdict"] for r in records] == ["at_risk", "on_track", "done"]
    assert [r["finish"] for r in records] == ["2026-02-10", "2026-02-10", None]
    assert table.next_steps(0)[0].criterion == "dl:g1"
    # The same rows from a score table, a status matrix and its chunks.
    matrix = readiness.StatusMatrix.from_assessments(cat, items)
    for source in (readiness.score_many(cat, items), matrix, matrix.chunks(2)):
        other_table = readiness.plan_many(cat, source, "dl@1", max_parallel=1)
        assert [other_table[j] for j in range(3)] == [table[j] for j in range(3)]
