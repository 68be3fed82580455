"""Targets, next steps and roadmaps: what a facility should do next, in what order, by when.

The planning rules (``docs/planning.md`` states them with examples):

1. *Target.* A level of a catalog (every level up to it, under each level's rule), a milestone
   of a catalog, or a set of criteria; optionally with a due date. Without one, the due date is
   the latest catalog deadline (for the facility's class) among the target's criteria; for a
   milestone, its own deadline.
2. *Target criteria.* ``all`` levels: every applicable criterion. ``threshold`` levels: none
   when the level is already earned (partial credit included, as scoring counts it); otherwise
   the criteria not yet effectively met, in the order weight (higher first), effort left, cost
   (lower first), key, until the level's threshold is reached counting only criteria that will
   be fully met (partial credit is not relied on).
   ``k-of-n`` levels: the k completable bundles with the fewest criteria left (ties: bundle
   order); with fewer than k completable bundles the target is *unreachable*.
3. *Required set.* The target criteria that are not effectively met, plus every applicable
   prerequisite (transitively, through criteria that do not apply) that is not effectively met.
   Nothing else. Unsupported claims and expired or under-covered records in it are work too.
4. *Durations and costs.* From the criterion's estimate case for the facility's class (or the
   user's override); a partial criterion needs ``(1 - progress)`` of the effort; a criterion
   without an estimate is assumed to take ``default_effort_days`` (flagged) and to cost nothing
   known (flagged). Durations are whole calendar days: the effort left, rounded up once.
   A target none of whose criteria apply to a facility is ``not_applicable`` for it.
5. *Schedule.* A step starts when all its required prerequisites are finished (critical path;
   steps in parallel). With limits, steps are taken in order of earliest start (then longest
   remaining path, then topological order, ties by key) and each starts at the first day, not
   before the previous step's start, when fewer than ``max_parallel`` steps are running and its
   cost fits in what is left of its start year's ``yearly_budget`` (a step dearer than the whole
   budget starts alone at the start of a year). This rule never lets a tighter limit finish
   earlier.
6. *Waves.* Wave 1 holds steps needing no other step; wave n+1 steps whose latest required
   prerequisite is in wave n.
7. *Verdicts.* For every deadline with steps in the plan, and for the target's due date: slack =
   deadline - finish of the last step it covers. ``late`` if slack < 0, ``at_risk`` if slack <
   ``risk_margin_days`` (default 30), ``on_track`` otherwise; ``done`` when nothing is left.
8. *Next steps.* The frontier (applicable, not effectively met, every prerequisite effectively
   met) restricted to the required set, ranked by: earliest due date it serves (its own deadline,
   the target's due date, or that of any required criterion it unblocks), then how many required
   criteria it unblocks (transitively), then weight (higher first), effort left, cost (lower
   first), then key. ``include_other=True`` appends the rest of the frontier, ranked the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import (
    MAX_COST_VND,
    MAX_EFFORT_DAYS,
    Catalog,
    Condition,
    Rule,
    Text,
    check_lang,
)
from readiness._compile import Compiled, compile_catalog, nearest_ancestors
from readiness._matrix import (
    BELOW_COVERAGE,
    EXPIRED,
    MET,
    PARTIAL,
    UNSUPPORTED,
    UNSUPPORTED_PARTIAL,
    FacilityColumns,
    StatusMatrix,
    check_date,
    distinct_columns,
)
from readiness._model import Assessment, Facility
from readiness._score import ScoreTable, _kernel, _matrices, _setup, support_of
from readiness._words import count as counted
from readiness.errors import OptionError, PlanError, UnknownCriterionError, UnknownIdError

__all__ = [
    "DeadlineVerdict",
    "NextStep",
    "Plan",
    "PlanTable",
    "Step",
    "Target",
    "next_steps",
    "plan",
    "plan_many",
]

Verdict = Literal["done", "on_track", "at_risk", "late"]
Status = Literal["done", "planned", "unreachable", "not_applicable"]
Int = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

_EPOCH = dt.date(1970, 1, 1)
_NEVER = np.iinfo(np.int64).max // 4  # "no date": later than any date


def _day(value: dt.date) -> int:
    return (value - _EPOCH).days


_LAST_DAY = (dt.date.max - _EPOCH).days
_FIRST_DAY = (dt.date.min - _EPOCH).days


def _date(days: int) -> dt.date:
    if not _FIRST_DAY <= days <= _LAST_DAY:
        raise PlanError(
            "the plan runs past the last date a calendar can hold (9999-12-31); "
            "check the start date and the efforts",
            value=f"{int(days)} days after 1970-01-01",
        )
    return _EPOCH + dt.timedelta(days=int(days))


# --------------------------------------------------------------------------- targets


def _keys(value: Iterable[str]) -> tuple[str, ...]:
    """Turn criterion keys into a tuple (a lone string is one key, not its letters)."""
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen(kw_only=True)
class Target:
    """Where a facility wants to be.

    Give exactly one of: ``catalog`` and ``level`` (a level of a catalog, e.g. level 3 of
    ``vn-smart-hospital``), ``milestone`` (``catalog-id:milestone-id``, e.g. ``vn-emr:emr-live``)
    or ``criteria`` (criterion keys). ``due`` overrides the default due date (planning rule 1).

    Examples
    --------
    >>> from readiness import Target
    >>> Target.parse("vn-smart-hospital@3")
    Target(catalog='vn-smart-hospital', level=3, criteria=(), milestone=None, due=None)
    >>> Target.parse("milestone:vn-emr:emr-live").milestone
    'vn-emr:emr-live'
    """

    catalog: str | None = None
    level: int | None = None
    criteria: tuple[str, ...] = attrs.field(default=(), converter=_keys)
    milestone: str | None = None
    due: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        """Check that exactly one kind of target is given."""
        kinds = [
            self.catalog is not None or self.level is not None,
            bool(self.criteria),
            self.milestone is not None,
        ]
        if sum(kinds) != 1:
            raise OptionError(
                "a target is a catalog and level, a milestone, or a set of criteria (one of them)",
                key="target",
                value=self,
            )
        if kinds[0] and not (
            isinstance(self.catalog, str)
            and isinstance(self.level, int)
            and not isinstance(self.level, bool)
            and self.level >= 1
        ):
            raise OptionError(
                "a level target needs a catalog id and a whole-number level >= 1",
                key="target",
                value=self,
            )
        if self.milestone is not None and not isinstance(self.milestone, str):
            raise OptionError(
                "milestone must be a 'catalog:milestone' id", key="target", value=self
            )
        if not all(isinstance(key, str) for key in self.criteria):
            raise OptionError("criteria must be criterion ids (strings)", key="target", value=self)
        check_date(self.due, "due")

    @classmethod
    def parse(cls, text: str, *, due: dt.date | None = None) -> Target:
        """Read ``CATALOG@LEVEL``, ``milestone:KEY`` or ``criteria:KEY,KEY``."""
        if not isinstance(text, str):
            raise OptionError(
                "a target is CATALOG@LEVEL, milestone:KEY or criteria:KEY,KEY",
                key="target",
                value=text,
            )
        text = text.strip()
        if text.startswith("milestone:"):
            return cls(milestone=text.removeprefix("milestone:"), due=due)
        if text.startswith("criteria:"):
            keys = tuple(k.strip() for k in text.removeprefix("criteria:").split(",") if k.strip())
            return cls(criteria=keys, due=due)
        catalog, sep, level = text.rpartition("@")
        if sep and catalog and level.isascii() and level.isdigit():
            return cls(catalog=catalog, level=int(level), due=due)
        raise OptionError(
            "a target is CATALOG@LEVEL, milestone:KEY or criteria:KEY,KEY", key="target", value=text
        )

    def describe(self, catalog: Catalog | None = None, *, lang: str = "en") -> str:
        """Say the target in words."""
        check_lang(lang)
        if self.catalog is not None:
            name = ""
            if catalog is not None and self.catalog in catalog.frameworks:
                levels = catalog.frameworks[self.catalog].levels
                if self.level is not None and self.level <= len(levels):
                    name = f" ({levels[self.level - 1].title.get(lang)})"
            return f"level {self.level} of {self.catalog}{name}"
        if self.milestone is not None:
            if catalog is not None:
                try:
                    return f"milestone {catalog.milestone(self.milestone).title.get(lang)!r}"
                except UnknownIdError:
                    pass
            return f"milestone {self.milestone}"
        return counted(len(self.criteria), "criterion")


@attrs.frozen(kw_only=True, eq=False)
class _TargetSpec:
    """A target resolved against a catalog."""

    target: Target
    framework: int | None  # level targets: index into compiled.frameworks
    levels: tuple[int, ...]  # level rows (global) the target needs
    fixed: Bool  # (C,) criteria named directly (milestone / criteria targets)
    milestone_deadline: str | None


def _resolve_target(catalog: Catalog, compiled: Compiled, target: Target | str) -> _TargetSpec:
    if isinstance(target, str):
        target = Target.parse(target)
    if not isinstance(target, Target):
        raise OptionError("target must be a Target or a string", key="target", value=target)
    fixed = np.zeros(compiled.size, dtype=bool)
    if target.catalog is not None:
        if target.catalog not in catalog.frameworks:
            raise UnknownIdError(
                f"no such catalog in the loaded set (catalogs: {', '.join(catalog.frameworks)})",
                key="target",
                value=target.catalog,
            )
        k = compiled.frameworks.index(target.catalog)
        a, b = compiled.level_ranges[k]
        assert target.level is not None
        if target.level > b - a:
            raise PlanError(
                f"catalog {target.catalog!r} has levels 1..{b - a}",
                key="target",
                value=target.level,
            )
        return _TargetSpec(
            target=target,
            framework=k,
            levels=tuple(range(a, a + target.level)),
            fixed=fixed,
            milestone_deadline=None,
        )
    if target.milestone is not None:
        milestone = catalog.milestone(target.milestone)
        for key in milestone.criteria:
            fixed[compiled.index[key]] = True
        return _TargetSpec(
            target=target,
            framework=None,
            levels=(),
            fixed=fixed,
            milestone_deadline=milestone.deadline,
        )
    for key in target.criteria:
        try:
            fixed[compiled.index[catalog.resolve(key)]] = True
        except UnknownCriterionError as error:
            raise UnknownCriterionError(f"target: {error.message}", value=key) from None
    return _TargetSpec(
        target=target, framework=None, levels=(), fixed=fixed, milestone_deadline=None
    )


# --------------------------------------------------------------------------- compiled planning data


@attrs.frozen(kw_only=True, eq=False)
class _PlanCompiled:
    """Catalog-wide arrays for planning (cached per catalog)."""

    descendants: npt.NDArray[np.float32]  # (C, C): [c, d] = 1 when d depends on c transitively
    children: tuple[npt.NDArray[np.intp], ...]
    reverse: tuple[
        tuple[npt.NDArray[np.intp], npt.NDArray[np.intp] | None], ...
    ]  # generations by height
    conditions: tuple[Condition, ...]  # every condition of estimates and deadline cases
    deadlines: tuple[str, ...]
    deadline_of: npt.NDArray[np.intp]  # (C,) -1 when none


_PLAN_CACHE: weakref.WeakKeyDictionary[Catalog, _PlanCompiled] = weakref.WeakKeyDictionary()


def _plan_compiled(catalog: Catalog) -> _PlanCompiled:
    found = _PLAN_CACHE.get(catalog)
    if found is not None:
        return found
    compiled = compile_catalog(catalog)
    size = compiled.size
    children_lists: list[list[int]] = [[] for _ in range(size)]
    for c in range(size):
        for p in compiled.parents[c]:
            children_lists[int(p)].append(c)
    children = tuple(np.array(sorted(x), dtype=np.intp) for x in children_lists)
    descendants = np.zeros((size, size), dtype=np.float32)
    height = np.zeros(size, dtype=np.intp)
    for c in compiled.topo[::-1]:  # children first
        for ch in children[c]:
            descendants[c] = np.maximum(descendants[c], descendants[ch])
            descendants[c, ch] = 1.0
            height[c] = max(int(height[c]), int(height[ch]) + 1)
    reverse: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp] | None]] = []
    for h in range(int(height.max(initial=-1)) + 1):
        rows = np.flatnonzero(height == h)
        if h == 0:
            reverse.append((rows, None))
            continue
        width = max(len(children[int(c)]) for c in rows)
        padded = np.full((len(rows), width), size, dtype=np.intp)
        for i, c in enumerate(rows.tolist()):
            padded[i, : len(children[c])] = children[c]
        reverse.append((rows, padded))
    conditions: dict[Condition, None] = {}
    for key in compiled.keys:
        for estimate in catalog.criteria[key].estimates:
            conditions[estimate.applies_to] = None
    for deadline in catalog.deadlines.values():
        for case in deadline.cases:
            conditions[case.applies_to] = None
    deadlines = tuple(catalog.deadlines)
    deadline_of = np.array(
        [deadlines.index(d) if (d := catalog.criteria[k].deadline) else -1 for k in compiled.keys],
        dtype=np.intp,
    )
    result = _PlanCompiled(
        descendants=descendants,
        children=children,
        reverse=tuple(reverse),
        conditions=tuple(conditions),
        deadlines=deadlines,
        deadline_of=deadline_of,
    )
    _PLAN_CACHE[catalog] = result
    return result


@attrs.frozen(kw_only=True, eq=False)
class _Options:
    start: dt.date | None
    max_parallel: int | None
    yearly_budget: float | None
    overrides: Mapping[int, Mapping[str, float]]
    default_effort_days: int
    risk_margin_days: int
    k: int
    include_other: bool


@attrs.frozen(kw_only=True, eq=False)
class _Classes:
    """Facilities grouped by every condition planning reads (estimates, deadline cases)."""

    of_facility: npt.NDArray[np.intp]
    representatives: tuple[Facility, ...]  # one facility per class


def _plan_classes(plan: _PlanCompiled, columns: FacilityColumns) -> _Classes:
    count = len(columns.facilities)
    if not plan.conditions:
        return _Classes(
            of_facility=np.zeros(count, dtype=np.intp), representatives=columns.facilities[:1]
        )
    masks = np.stack([columns.mask(c) for c in plan.conditions])
    first, inverse = distinct_columns(masks)
    return _Classes(
        of_facility=inverse,
        representatives=tuple(columns.facilities[int(i)] for i in first),
    )


@attrs.frozen(kw_only=True, eq=False)
class _ClassTables:
    """Per class (columns) and criterion (rows): effort, cost, deadlines, ranks."""

    effort: npt.NDArray[np.float64]  # days, as estimated (rounded up only once, per step)
    cost: npt.NDArray[np.float64]
    estimated: Bool  # effort came from an estimate or override
    costed: Bool  # cost came from an estimate or override
    due: Int  # (C, K) deadline day of the criterion, _NEVER when none
    deadline_day: Int  # (deadlines, K)
    cost_rank: Int  # (C, K) rank of the cost among every cost of the table
    target_due: Int  # (K,) target due day, _NEVER when none


def _class_tables(
    catalog: Catalog,
    compiled: Compiled,
    plan: _PlanCompiled,
    classes: _Classes,
    spec: _TargetSpec,
    options: _Options,
) -> _ClassTables:
    size = compiled.size
    count = len(classes.representatives)
    effort = np.zeros((size, count))
    cost = np.zeros((size, count))
    estimated = np.zeros((size, count), dtype=bool)
    costed = np.zeros((size, count), dtype=bool)
    deadline_day = np.full((len(plan.deadlines), count), _NEVER, dtype=np.int64)
    target_due = np.full(count, _NEVER, dtype=np.int64)
    for k, facility in enumerate(classes.representatives):
        attributes = facility.attribute_values()
        for d, key in enumerate(plan.deadlines):
            when = catalog.deadlines[key].date_for(attributes)
            if when is not None:
                deadline_day[d, k] = _day(when)
        for i, key in enumerate(compiled.keys):
            estimate = catalog.criteria[key].estimate_for(attributes)
            override = options.overrides.get(i, {})
            days = override.get("effort_days", estimate.effort_days if estimate else None)
            money = override.get("cost_vnd", estimate.cost_vnd if estimate else None)
            estimated[i, k] = days is not None
            costed[i, k] = money is not None
            effort[i, k] = float(days) if days is not None else options.default_effort_days
            cost[i, k] = money or 0.0
        if spec.target.due is not None:
            target_due[k] = _day(spec.target.due)
        elif spec.milestone_deadline is not None:
            target_due[k] = deadline_day[plan.deadlines.index(spec.milestone_deadline), k]
    due = np.full((size, count), _NEVER, dtype=np.int64)
    has = plan.deadline_of >= 0
    due[has] = deadline_day[plan.deadline_of[has]]
    cost_rank = np.searchsorted(np.unique(cost), cost).astype(np.int64)
    return _ClassTables(
        effort=effort,
        cost=cost,
        estimated=estimated,
        costed=costed,
        due=due,
        deadline_day=deadline_day,
        cost_rank=cost_rank,
        target_due=target_due,
    )


# --------------------------------------------------------------------------- results


@attrs.frozen(kw_only=True)
class Step:
    """One step of a plan: a criterion to put in place, when, and at what estimated cost."""

    criterion: str
    title: Text
    wave: int
    start: dt.date
    finish: dt.date
    effort_days: int
    cost_vnd: float
    estimated: bool  # False: effort assumed (no estimate in the catalog or overrides)
    costed: bool  # False: no cost estimate
    reason: str
    deadline: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """Return plain data."""
        return {
            "criterion": self.criterion,
            "title": {"en": self.title.en, "vi": self.title.vi},
            "wave": self.wave,
            "start": self.start.isoformat(),
            "finish": self.finish.isoformat(),
            "effort_days": self.effort_days,
            "cost_vnd": self.cost_vnd,
            "estimated": self.estimated,
            "costed": self.costed,
            "reason": self.reason,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
        }


@attrs.frozen(kw_only=True)
class DeadlineVerdict:
    """Whether a plan meets a deadline (planning rule 7)."""

    key: str  # deadline key, or "target"
    title: str
    date: dt.date
    finish: dt.date | None
    slack_days: int | None
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        """Return plain data."""
        return {
            "key": self.key,
            "title": self.title,
            "date": self.date.isoformat(),
            "finish": None if self.finish is None else self.finish.isoformat(),
            "slack_days": self.slack_days,
            "verdict": self.verdict,
        }


@attrs.frozen(kw_only=True)
class NextStep:
    """A step a facility can take now, with why it comes at this rank."""

    rank: int
    criterion: str
    title: Text
    toward_target: bool
    unblocks: int
    remaining: int
    due: dt.date | None
    weight: float
    effort_days: int
    cost_vnd: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return plain data."""
        return {
            "rank": self.rank,
            "criterion": self.criterion,
            "title": {"en": self.title.en, "vi": self.title.vi},
            "toward_target": self.toward_target,
            "unblocks": self.unblocks,
            "remaining": self.remaining,
            "due": None if self.due is None else self.due.isoformat(),
            "weight": self.weight,
            "effort_days": self.effort_days,
            "cost_vnd": self.cost_vnd,
            "reason": self.reason,
        }


@attrs.frozen(kw_only=True)
class Plan:
    """A facility's roadmap to a target (planning rules 1-7)."""

    facility: Facility
    target: Target
    target_text: str
    status: Status
    start: dt.date
    finish: dt.date | None
    steps: tuple[Step, ...]
    effort_days: int
    cost_vnd: float
    assumed_effort: int  # steps whose effort is assumed
    uncosted: int  # steps without a cost estimate
    critical_path: tuple[str, ...]
    verdicts: tuple[DeadlineVerdict, ...]
    max_parallel: int | None
    yearly_budget: float | None
    note: str = ""

    @property
    def waves(self) -> tuple[tuple[Step, ...], ...]:
        """Steps grouped by wave."""
        count = max((s.wave for s in self.steps), default=0)
        return tuple(tuple(s for s in self.steps if s.wave == n) for n in range(1, count + 1))

    def verdict(self, key: str = "target") -> DeadlineVerdict | None:
        """Return the verdict for a deadline key (or ``"target"``)."""
        return next((v for v in self.verdicts if v.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """Return plain, JSON-ready data."""
        return {
            "facility": self.facility.id,
            "target": self.target_text,
            "status": self.status,
            "start": self.start.isoformat(),
            "finish": None if self.finish is None else self.finish.isoformat(),
            "effort_days": self.effort_days,
            "cost_vnd": self.cost_vnd,
            "estimates": {
                "all_steps_estimated": self.assumed_effort == 0 and self.uncosted == 0,
                "assumed_effort_steps": self.assumed_effort,
                "uncosted_steps": self.uncosted,
                "note": "effort and cost are estimates",
            },
            "limits": {"max_parallel": self.max_parallel, "yearly_budget": self.yearly_budget},
            "critical_path": list(self.critical_path),
            "verdicts": [v.to_dict() for v in self.verdicts],
            "steps": [s.to_dict() for s in self.steps],
            "note": self.note,
        }

    def explain(self, *, lang: str = "en") -> str:
        """Return the roadmap as text a person can read."""
        check_lang(lang)
        head = f"{self.facility.id}: {self.target_text}"
        if self.status == "done":
            return f"{head}: already reached."
        if self.status in ("unreachable", "not_applicable"):
            return f"{head}: {self.status.replace('_', ' ')}: {self.note}"
        assert self.finish is not None
        lines = [
            f"{head}: {counted(len(self.steps), 'step')} from {self.start.isoformat()}, "
            f"finish {self.finish.isoformat()}, {self.effort_days} effort-days, "
            f"{self.cost_vnd / 1e6:,.0f} million VND (estimates"
            + (f"; {self.assumed_effort} efforts assumed" if self.assumed_effort else "")
            + (f"; {self.uncosted} without cost" if self.uncosted else "")
            + ")"
        ]
        for number, wave in enumerate(self.waves, start=1):
            lines.append(f"  wave {number}:")
            lines.extend(
                f"    {step.start.isoformat()} -> {step.finish.isoformat()}  "
                f"{step.criterion}  {step.title.get(lang)}"
                + ("" if step.reason == "needed" else f"  [{step.reason}]")
                for step in wave
            )
        for verdict in self.verdicts:
            slack = "" if verdict.slack_days is None else f", slack {verdict.slack_days} days"
            verdict_text = verdict.verdict.replace("_", " ")
            lines.append(f"  {verdict.title} {verdict.date.isoformat()}: {verdict_text}{slack}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- the vectorised planner


def _target_mask(
    compiled: Compiled,
    spec: _TargetSpec,
    credit: npt.NDArray[np.float64],
    effective: Bool,
    applies: Bool,
    tie: Int,
) -> tuple[Bool, Bool]:
    """Return the target criteria (C, F) and which facilities cannot reach the target."""
    size, count = credit.shape
    target = np.zeros((size, count), dtype=bool)
    unreachable = np.zeros(count, dtype=bool)
    target[spec.fixed] = True
    for row in spec.levels:
        level = compiled.levels[row]
        members = np.flatnonzero(compiled.level_of == row)
        if level.rule is Rule.ALL:
            target[members] |= applies[members]
        elif level.rule is Rule.THRESHOLD:
            assert level.threshold is not None
            weights = compiled.weights[members][:, None]
            total = (weights * applies[members]).sum(axis=0)
            earned = (weights * np.where(applies[members], credit[members], 0.0)).sum(axis=0)
            reached = earned >= level.threshold * total - 1e-9 * total  # as scoring says
            have = (weights * (applies[members] & effective[members])).sum(axis=0)
            deficit = np.where(reached, 0.0, level.threshold * total - have - 1e-9 * total)
            open_ = applies[members] & ~effective[members]
            order = np.argsort(tie[members], axis=0, kind="stable")  # per facility
            sorted_open = np.take_along_axis(open_, order, axis=0)
            sorted_w = (
                np.take_along_axis(np.broadcast_to(weights, open_.shape), order, axis=0)
                * sorted_open
            )
            before = np.cumsum(sorted_w, axis=0) - sorted_w
            chosen_sorted = sorted_open & (before < deficit)
            chosen = np.zeros_like(open_)
            np.put_along_axis(chosen, order, chosen_sorted, axis=0)
            target[members] |= chosen | (applies[members] & effective[members])
        else:
            assert level.k is not None
            bundles = list(level.bundles)
            left = np.empty((len(bundles), count))
            for n, bundle in enumerate(bundles):
                inside = compiled.bundle_of == bundle
                app_b = applies[inside].sum(axis=0)
                open_b = (applies[inside] & ~effective[inside]).sum(axis=0)
                left[n] = np.where(app_b > 0, open_b, np.inf)
            order = np.argsort(left, axis=0, kind="stable")[: level.k]
            best = np.take_along_axis(left, order, axis=0)
            unreachable |= np.isinf(best).any(axis=0)
            for n, bundle in enumerate(bundles):
                picked = (order == n).any(axis=0)
                inside = np.flatnonzero(compiled.bundle_of == bundle)
                target[inside] |= applies[inside] & picked[None, :]
    return target & applies, unreachable


def _schedule(compiled: Compiled, required: Bool, duration: Int) -> tuple[Int, Int]:
    """Earliest finish (days from the start) and wave of every criterion (rules 5 and 6)."""
    size, count = required.shape
    finish = np.zeros((size + 1, count), dtype=np.int64)
    wave = np.zeros((size + 1, count), dtype=np.int64)
    work = duration * required
    for rows, parents in compiled.generations:
        if parents is None:
            ready = np.zeros((len(rows), count), dtype=np.int64)
            before = np.zeros((len(rows), count), dtype=np.int64)
        else:
            ready = finish[parents].max(axis=1)
            before = wave[parents].max(axis=1)
        finish[rows] = ready + work[rows]
        wave[rows] = before + required[rows]
    return finish[:size], wave[:size]


def _tail(plan: _PlanCompiled, required: Bool, duration: Int) -> Int:
    """Longest remaining path (days) from each criterion's start to the end of the plan."""
    size, count = required.shape
    tail = np.zeros((size + 1, count), dtype=np.int64)
    work = duration * required
    for rows, children in plan.reverse:
        after = (
            np.zeros((len(rows), count), dtype=np.int64)
            if children is None
            else tail[children].max(axis=1)
        )
        tail[rows] = after + work[rows]
    return tail[:size]


def _urgency(plan: _PlanCompiled, own: Int) -> Int:
    """Earliest date among each criterion and everything it unblocks (rule 8)."""
    size, count = own.shape
    urgency = np.full((size + 1, count), _NEVER, dtype=np.int64)
    for rows, children in plan.reverse:
        if children is None:
            urgency[rows] = own[rows]
        else:
            urgency[rows] = np.minimum(own[rows], urgency[children].min(axis=1))
    return urgency[:size]


def _limited(
    steps: Sequence[int],
    duration: Sequence[int],
    cost: Sequence[float],
    parents: Mapping[int, Sequence[int]],
    start_day: int,
    max_parallel: int | None,
    yearly_budget: float | None,
) -> dict[int, int]:
    """Start day (from the plan start) of each step under the limits (planning rule 5)."""
    start: dict[int, int] = {}
    finish: dict[int, int] = {}
    spent: dict[int, float] = {}
    previous = 0
    for step in steps:
        t = max([previous, *(finish[p] for p in parents[step])])
        while True:
            if max_parallel is not None:
                running = sorted(finish[s] for s in start if finish[s] > t)
                if len(running) >= max_parallel:
                    t = running[len(running) - max_parallel]
                    continue
            if yearly_budget is not None:
                year = _date(start_day + t).year
                used = spent.get(year, 0.0)
                fits = used + cost[step] <= yearly_budget or (
                    used == 0 and cost[step] > yearly_budget
                )
                if not fits:
                    t = _day(dt.date(year + 1, 1, 1)) - start_day
                    continue
            break
        start[step] = t
        finish[step] = t + duration[step]
        if yearly_budget is not None:
            year = _date(start_day + t).year
            spent[year] = spent.get(year, 0.0) + cost[step]
        previous = t
    return start


@attrs.frozen(kw_only=True, eq=False)
class PlanTable:
    """Plans and next steps of many facility-assessments (returned by :func:`plan_many`).

    Index it (``table[j]``) for the :class:`Plan` of row ``j``; :meth:`next_steps` gives the
    ranked next steps. Arrays are (criteria, rows) or (rows,).
    """

    catalog: Catalog
    target: Target
    facilities: tuple[Facility, ...]
    rows: npt.NDArray[np.intp]
    start_day: Int  # (rows,)
    status: npt.NDArray[np.str_]  # (rows,)
    required: Bool  # (C, rows)
    start: Int  # (C, rows) days from start_day (meaningful where required)
    finish: Int
    wave: Int
    effort: Int  # (C, rows)
    cost: npt.NDArray[np.float64]
    estimated: Bool
    costed: Bool
    due: Int  # (C, rows) deadline day per criterion
    target_due: Int  # (rows,)
    deadline_day: Int  # (deadlines, rows)
    frontier: Bool  # (C, rows)
    unblocks: npt.NDArray[np.int32]  # (C, rows)
    ranked: Int  # (k, rows) kernel indices of next steps, -1 when fewer
    urgency: Int  # (C, rows) the earliest due day each criterion serves (rule 8)
    partial: npt.NDArray[np.float64]  # (C, rows) progress of partial criteria
    state: npt.NDArray[np.uint8]
    options: _Options
    spec: _TargetSpec

    def __len__(self) -> int:
        """Return the number of rows."""
        return len(self.rows)

    def __getitem__(self, j: int) -> Plan:
        """Return the plan of row ``j``."""
        return self.plan(j)

    @property
    def finish_day(self) -> Int:
        """Finish of each plan in days after its start (0 when nothing is required)."""
        days: Int = np.where(self.required, self.finish, 0).max(axis=0, initial=0)
        return days

    def plan(self, j: int) -> Plan:
        """Return the :class:`Plan` of row ``j``."""
        return _build_plan(self, j)

    def next_steps(self, j: int) -> tuple[NextStep, ...]:
        """Return the ranked next steps of row ``j`` (planning rule 8)."""
        return _build_next_steps(self, j)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per row: status, steps, finish, effort, cost, target verdict."""
        finish = self.finish_day
        out = []
        for j in range(len(self)):
            facility = self.facilities[int(self.rows[j])]
            req = self.required[:, j]
            start = int(self.start_day[j])
            due = int(self.target_due[j])
            end = start + int(finish[j])
            verdict = _verdict(
                due - end if due < _NEVER else None,
                self.options.risk_margin_days,
                work=bool(req.any()),
            )
            out.append(
                {
                    "facility_id": facility.id,
                    "kind": facility.kind,
                    "ownership": facility.ownership,
                    "region": facility.region,
                    "status": str(self.status[j]),
                    "steps": int(req.sum()),
                    "start": _date(start).isoformat(),
                    "finish": _date(end).isoformat() if req.any() else None,
                    "effort_days": int(self.effort[:, j][req].sum()),
                    "cost_vnd": float(self.cost[:, j][req].sum()),
                    "target_due": _date(due).isoformat() if due < _NEVER else None,
                    "target_verdict": verdict if due < _NEVER else None,
                }
            )
        return out


def _verdict(slack: int | None, margin: int, *, work: bool) -> Verdict:
    if not work:
        return "done"
    if slack is None:
        return "on_track"
    if slack < 0:
        return "late"
    if slack < margin:
        return "at_risk"
    return "on_track"


def _remaining(matrix: StatusMatrix, state: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    partial = (state == PARTIAL) | (state == UNSUPPORTED_PARTIAL)
    return np.where(partial, matrix.progress, 0.0)


def _plan_chunk(
    catalog: Catalog,
    compiled: Compiled,
    plan: _PlanCompiled,
    spec: _TargetSpec,
    options: _Options,
    matrix: StatusMatrix,
    not_applicable: str,
) -> dict[str, Any]:
    setup = _setup(catalog, "strict", None, not_applicable)
    state = _kernel(setup, matrix, details=True)["state"]
    size, count = state.shape
    applies = state >= MET
    effective = state == MET
    classes = _plan_classes(plan, matrix.columns)
    tables = _class_tables(catalog, compiled, plan, classes, spec, options)
    cls = classes.of_facility[matrix.rows]
    progress = _remaining(matrix, state)
    # rule 4: the effort left, rounded up once (a tiny tolerance absorbs float error: 70 % of
    # 10 days leaves 3 days, not 4)
    duration = np.ceil(tables.effort[:, cls] * (1.0 - progress) - 1e-9).astype(np.int64)
    duration = np.maximum(duration, 0)
    cost = tables.cost[:, cls]
    tie = _tie_key(compiled, duration, tables.cost_rank[:, cls])
    # strict credit: effectively met, or partial progress of a supported partial criterion
    credit = effective + np.where(state == PARTIAL, progress, 0.0)
    target, unreachable = _target_mask(compiled, spec, credit, effective, applies, tie)
    # Required set (rule 3): target criteria and all their prerequisites, not effectively met.
    need = target.copy()
    for c in compiled.topo[::-1]:
        parents = compiled.parents[c]
        if len(parents):
            need[parents] |= need[c]
    required = need & applies & ~effective
    required[:, unreachable] = False
    finish, wave = _schedule(compiled, required, duration)
    start = finish - duration * required
    if options.start is not None:
        start_day = np.full(count, _day(options.start), dtype=np.int64)
    else:
        start_day = (matrix.dates - np.datetime64("1970-01-01", "D")).astype(np.int64)
    if options.max_parallel is not None or options.yearly_budget is not None:
        start, finish = _apply_limits(
            compiled, plan, required, duration, cost, start, start_day, options
        )
    late = np.flatnonzero(start_day + (finish * required).max(axis=0, initial=0) > _LAST_DAY)
    if len(late):
        j = int(late[0])
        raise PlanError(
            f"the plan of facility {matrix.facility(j).id!r} runs past the last date a calendar "
            "can hold (9999-12-31); check the start date and the efforts",
            value=_date(int(start_day[j])).isoformat(),
        )
    support = support_of(compiled, effective, applies)
    frontier = applies & ~effective & support
    unblocks = (plan.descendants @ required.astype(np.float32)).astype(np.int32)
    due = tables.due[:, cls]
    target_due = tables.target_due[cls]
    if spec.target.due is None and spec.milestone_deadline is None:
        # rule 1: the latest deadline among the target's criteria (the facility's class)
        latest = np.where(target & (due < _NEVER), due, -1).max(axis=0, initial=-1)
        target_due = np.where(latest >= 0, latest, _NEVER)
    own = np.where(required, np.minimum(due, target_due[None, :]), _NEVER)
    # rule 8: a step toward the target serves its own date and those of the required criteria it
    # unblocks; any other step serves its own deadline
    urgency = np.where(required, _urgency(plan, own), due)
    ranked = _rank(size, frontier, required, urgency, unblocks, tie, options)
    status = np.where(
        unreachable,
        "unreachable",
        np.where(
            ~applies.any(axis=0),
            "not_applicable",
            np.where(required.any(axis=0), "planned", "done"),
        ),
    )
    # a target none of whose criteria apply to the facility does not concern it
    scope = compiled.framework_of == spec.framework if spec.framework is not None else spec.fixed
    status = np.where(~(applies[scope].any(axis=0)), "not_applicable", status)
    return {
        "start_day": start_day,
        "status": status,
        "required": required,
        "start": start,
        "finish": finish,
        "wave": wave,
        "effort": duration,
        "cost": cost,
        "estimated": tables.estimated[:, cls],
        "costed": tables.costed[:, cls],
        "due": due,
        "target_due": target_due,
        "deadline_day": tables.deadline_day[:, cls],
        "frontier": frontier,
        "unblocks": unblocks,
        "ranked": ranked,
        "urgency": urgency,
        "partial": progress,
        "state": state,
    }


def _tie_key(compiled: Compiled, effort: Int, cost_rank: Int) -> Int:
    """Pack (weight desc, effort left asc, cost asc, key asc) into one sortable integer."""
    size = compiled.size
    weights = np.unique(compiled.weights)
    weight_rank = (len(weights) - 1 - np.searchsorted(weights, compiled.weights)).astype(np.int64)
    key_rank = np.argsort(np.argsort(np.array(compiled.keys, dtype=object))).astype(np.int64)
    effort = np.minimum(effort, 2**24 - 1)
    widths = [
        max(len(weights).bit_length(), 1),
        24,
        max(int(cost_rank.max(initial=0)).bit_length(), 1),
        max(int(size).bit_length(), 1),
    ]
    if sum(widths) > 62:  # pragma: no cover - thousands of distinct costs and criteria
        msg = "too many distinct costs to rank next steps"
        raise PlanError(msg)
    key = weight_rank[:, None] << (widths[1] + widths[2] + widths[3])
    key = key + (effort << (widths[2] + widths[3]))
    key = key + (cost_rank << widths[3])
    return key + key_rank[:, None]


def _rank(
    size: int,
    frontier: Bool,
    required: Bool,
    urgency: Int,
    unblocks: npt.NDArray[np.int32],
    tie: Int,
    options: _Options,
) -> Int:
    """Kernel indices of each column's top-k next steps (planning rule 8), -1 when fewer."""
    count = frontier.shape[1]
    k = min(options.k, size)
    ranked = np.full((k, count), -1, dtype=np.int64)
    if k == 0 or count == 0:
        return ranked
    toward = frontier & required
    candidates = toward | (frontier if options.include_other else False)
    urgency_days = np.minimum(urgency, 2**30) - _day(dt.date(1900, 1, 1))
    base = size + 1
    first = (~candidates).astype(np.int64) << 62
    first += (~toward).astype(np.int64) << 61
    first += urgency_days * base + (size - unblocks.astype(np.int64))
    block = 4096
    for lo in range(0, count, block):
        hi = min(lo + block, count)
        order = np.lexsort((tie[:, lo:hi], first[:, lo:hi]), axis=0)[:k]
        chosen = np.take_along_axis(candidates[:, lo:hi], order, axis=0)
        ranked[:, lo:hi] = np.where(chosen, order, -1)
    return ranked


def _apply_limits(
    compiled: Compiled,
    plan: _PlanCompiled,
    required: Bool,
    duration: Int,
    cost: npt.NDArray[np.float64],
    start: Int,
    start_day: Int,
    options: _Options,
) -> tuple[Int, Int]:
    """Reschedule each plan under the limits; identical plans are scheduled once."""
    tail = _tail(plan, required, duration)
    # Ties last by topological position (itself tied by key): with zero-day steps, a
    # prerequisite and its dependent can share start and remaining path.
    position = np.empty(compiled.size, dtype=np.intp)
    position[compiled.topo] = np.arange(compiled.size)
    new_start = start.copy()
    seen: dict[bytes, dict[int, int]] = {}
    for j in range(required.shape[1]):
        steps = np.flatnonzero(required[:, j])
        if not len(steps):
            continue
        signature = (
            required[:, j].tobytes()
            + duration[:, j].tobytes()
            + cost[:, j].tobytes()
            + int(start_day[j]).to_bytes(8, "little", signed=True)
        )
        if signature not in seen:
            order = sorted(
                steps, key=lambda c: (int(start[c, j]), -int(tail[c, j]), int(position[c]))
            )
            members = {int(s) for s in steps}
            parents = {int(c): _required_parents(compiled, int(c), members) for c in steps}
            seen[signature] = _limited(
                [int(c) for c in order],
                duration[:, j].tolist(),
                cost[:, j].tolist(),
                parents,
                int(start_day[j]),
                options.max_parallel,
                options.yearly_budget,
            )
        for c, t in seen[signature].items():
            new_start[c, j] = t
    return new_start, new_start + duration * required


def _required_parents(compiled: Compiled, c: int, members: set[int]) -> list[int]:
    """Nearest required ancestors of ``c`` (through criteria outside the plan)."""
    return nearest_ancestors(
        compiled, c, found=lambda p: p in members, through=lambda p: p not in members
    )


def _check_whole(value: object, name: str, low: int, high: int | None = None) -> None:
    """Raise OptionError unless ``value`` is a whole number (not a bool) from low to high."""
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        bound = f">= {low}" if high is None else f"from {low} to {high:,}"
        raise OptionError(f"{name} must be a whole number {bound}", key=name, value=value)


def _options(
    catalog: Catalog,
    compiled: Compiled,
    *,
    start: dt.date | None,
    max_parallel: int | None,
    yearly_budget: float | None,
    estimates: Mapping[str, Mapping[str, float]] | None,
    default_effort_days: int,
    risk_margin_days: int,
    k: int,
    include_other: bool,
) -> _Options:
    check_date(start, "start")
    if max_parallel is not None:
        _check_whole(max_parallel, "max_parallel", 1)
    if yearly_budget is not None and (
        not isinstance(yearly_budget, int | float)
        or isinstance(yearly_budget, bool)
        or not yearly_budget > 0
    ):
        raise OptionError(
            "yearly_budget must be a number > 0 (VND)", key="yearly_budget", value=yearly_budget
        )
    _check_whole(default_effort_days, "default_effort_days", 0, MAX_EFFORT_DAYS)
    _check_whole(risk_margin_days, "risk_margin_days", 0, MAX_EFFORT_DAYS)
    _check_whole(k, "k", 0)
    if estimates is not None and not isinstance(estimates, Mapping):
        raise OptionError(
            "estimates must map criterion ids to {effort_days, cost_vnd}",
            key="estimates",
            value=estimates,
        )
    limits = {"effort_days": MAX_EFFORT_DAYS, "cost_vnd": MAX_COST_VND}
    overrides: dict[int, dict[str, float]] = {}
    for key, values in (estimates or {}).items():
        if not isinstance(key, str):
            raise OptionError("estimates: keys must be criterion ids", key="estimates", value=key)
        try:
            index = compiled.index[catalog.resolve(key)]
        except UnknownCriterionError as error:
            raise UnknownCriterionError(f"estimates: {error.message}", value=key) from None
        if not isinstance(values, Mapping):
            raise OptionError(
                "estimates: each value must be a mapping {effort_days, cost_vnd}",
                key=key,
                value=values,
            )
        unknown = set(values) - set(limits)
        if unknown:
            raise OptionError(
                "estimates take 'effort_days' and 'cost_vnd'", key=key, value=sorted(unknown)
            )
        for name, value in values.items():
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not math.isfinite(value)
                or not 0 <= value <= limits[name]
            ):
                raise OptionError(
                    f"estimates: {name} must be a number from 0 to {limits[name]:,.0f}",
                    key=key,
                    value=value,
                )
        overrides[index] = dict(values)
    return _Options(
        start=start,
        max_parallel=max_parallel,
        yearly_budget=float(yearly_budget) if yearly_budget is not None else None,
        overrides=overrides,
        default_effort_days=default_effort_days,
        risk_margin_days=risk_margin_days,
        k=k,
        include_other=include_other,
    )


def plan_many(
    catalog: Catalog,
    assessments: StatusMatrix | ScoreTable | Iterable[Assessment] | Iterable[StatusMatrix],
    target: Target | str,
    *,
    start: dt.date | None = None,
    max_parallel: int | None = None,
    yearly_budget: float | None = None,
    estimates: Mapping[str, Mapping[str, float]] | None = None,
    default_effort_days: int = 30,
    risk_margin_days: int = 30,
    k: int = 5,
    include_other: bool = False,
    not_applicable: str | None = None,
) -> PlanTable:
    """Plan every facility-assessment toward ``target`` at once (planning rules 1-8).

    Required sets, schedules, waves and rankings are computed for all facilities together with
    array operations; only the limited schedules (``max_parallel``, ``yearly_budget``) loop, once
    per distinct plan.

    Parameters
    ----------
    catalog : Catalog
    assessments : StatusMatrix, ScoreTable, iterable of Assessment or of StatusMatrix
        A ScoreTable must come from a single matrix or from assessments (it keeps them).
    target : Target or str
        ``CATALOG@LEVEL``, ``milestone:KEY`` or ``criteria:KEY,...`` (see :class:`Target`).
    start : datetime.date, optional
        Day the work starts; default: each assessment's date.
    max_parallel : int, optional
        At most this many steps in progress at once.
    yearly_budget : float, optional
        At most this much (VND) spent on steps starting in one calendar year.
    estimates : mapping, optional
        ``{criterion: {"effort_days": ..., "cost_vnd": ...}}`` overriding the catalog.
    default_effort_days : int
        Effort assumed for criteria without an estimate (flagged in the plan).
    risk_margin_days : int
        Slack below which a deadline is "at risk".
    k : int
        Number of next steps kept per facility.
    include_other : bool
        Also rank frontier steps that do not lead toward the target (after those that do).
    not_applicable : {"trust", "dispute"}, optional
        How disputed not-applicable claims count (:func:`readiness.score_many`); default: the
        ScoreTable's own policy, else ``"trust"``. Counted as not met, they become steps.

    Returns
    -------
    PlanTable
    """
    compiled = compile_catalog(catalog)
    plan = _plan_compiled(catalog)
    spec = _resolve_target(catalog, compiled, target)
    options = _options(
        catalog,
        compiled,
        start=start,
        max_parallel=max_parallel,
        yearly_budget=yearly_budget,
        estimates=estimates,
        default_effort_days=default_effort_days,
        risk_margin_days=risk_margin_days,
        k=k,
        include_other=include_other,
    )
    if not_applicable is None:
        not_applicable = (
            assessments.not_applicable if isinstance(assessments, ScoreTable) else "trust"
        )
    _setup(catalog, "strict", None, not_applicable)  # checks the option before any work
    if isinstance(assessments, ScoreTable):
        if assessments.sources is None:
            raise OptionError(
                "this score table kept no source data (it was streamed); pass the assessments",
                key="assessments",
                value="ScoreTable",
            )
        if assessments.catalog is not catalog:
            raise OptionError(
                "the score table was made with another catalog",
                key="assessments",
                value=assessments.catalog.id,
            )
        sources: Iterable[StatusMatrix] = assessments.sources
    else:
        sources = _matrices(catalog, assessments, None)
    parts = []
    facilities: list[Facility] = []
    offsets: dict[int, int] = {}
    keep = []
    rows = []
    for matrix in sources:
        if len(matrix) == 0:
            continue
        parts.append(_plan_chunk(catalog, compiled, plan, spec, options, matrix, not_applicable))
        offset = offsets.get(id(matrix.facilities))
        if offset is None:
            offset = offsets[id(matrix.facilities)] = len(facilities)
            keep.append(matrix.facilities)
            facilities.extend(matrix.facilities)
        rows.append(matrix.rows + offset)
    if not parts:
        raise OptionError("no assessments to plan", key="assessments", value=0)

    def join(name: str) -> Any:
        arrays = [p[name] for p in parts]
        if len(arrays) == 1:
            return arrays[0]
        return np.concatenate(arrays, axis=arrays[0].ndim - 1)

    return PlanTable(
        catalog=catalog,
        target=spec.target,
        facilities=tuple(facilities),
        rows=rows[0] if len(rows) == 1 else np.concatenate(rows),
        **{name: join(name) for name in parts[0]},
        options=options,
        spec=spec,
    )


def _target_text(table: PlanTable) -> str:
    return table.target.describe(table.catalog)


def _reason(table: PlanTable, j: int, c: int) -> str:
    state = int(table.state[c, j])
    compiled = compile_catalog(table.catalog)
    if state in {UNSUPPORTED_PARTIAL, UNSUPPORTED}:
        missing = [compiled.keys[p] for p in compiled.parents[c] if table.required[p, j]]
        shown = ", ".join(missing) or "a prerequisite"
        return f"claimed, but rests on {shown}: re-check after it"
    if state == PARTIAL:
        return f"in progress ({table.partial[c, j]:.0%} done)"
    if state == EXPIRED:
        return "validation expired"
    if state == BELOW_COVERAGE:
        return "coverage below the minimum"
    return "needed"


def _build_plan(table: PlanTable, j: int) -> Plan:
    compiled = compile_catalog(table.catalog)
    plan = _plan_compiled(table.catalog)
    facility = table.facilities[int(table.rows[j])]
    start_day = int(table.start_day[j])
    status = str(table.status[j])
    required = np.flatnonzero(table.required[:, j])
    text = _target_text(table)
    if status in ("unreachable", "not_applicable", "done"):
        note = {
            "unreachable": "fewer completable bundles than the level asks for",
            "not_applicable": "no criterion of the target applies to this facility",
            "done": "",
        }[status]
        verdicts: tuple[DeadlineVerdict, ...] = ()
        due = int(table.target_due[j])
        if status == "done" and due < _NEVER:
            verdicts = (
                DeadlineVerdict(
                    key="target",
                    title=f"target ({text})",
                    date=_date(due),
                    finish=None,
                    slack_days=None,
                    verdict="done",
                ),
            )
        return Plan(
            facility=facility,
            target=table.target,
            target_text=text,
            status=status,  # type: ignore[arg-type]
            start=_date(start_day),
            finish=None,
            steps=(),
            effort_days=0,
            cost_vnd=0.0,
            assumed_effort=0,
            uncosted=0,
            critical_path=(),
            verdicts=verdicts,
            max_parallel=table.options.max_parallel,
            yearly_budget=table.options.yearly_budget,
            note=note,
        )
    steps = []
    order = sorted(required, key=lambda c: (int(table.start[c, j]), compiled.keys[c]))
    for c in order:
        criterion = table.catalog.criteria[compiled.keys[c]]
        due = int(table.due[c, j])
        steps.append(
            Step(
                criterion=compiled.keys[c],
                title=criterion.title,
                wave=int(table.wave[c, j]),
                start=_date(start_day + int(table.start[c, j])),
                finish=_date(start_day + int(table.finish[c, j])),
                effort_days=int(table.effort[c, j]),
                cost_vnd=float(table.cost[c, j]),
                estimated=bool(table.estimated[c, j]),
                costed=bool(table.costed[c, j]),
                reason=_reason(table, j, int(c)),
                deadline=None if due >= _NEVER else _date(due),
            )
        )
    end = int(table.finish[required, j].max())
    # critical path of the schedule: walk back from the last finishing step
    path = []
    current = max(required.tolist(), key=lambda c: (int(table.finish[c, j]), compiled.keys[c]))
    members = {int(x) for x in required}
    while True:
        path.append(compiled.keys[current])
        begin = int(table.start[current, j])
        parents = _required_parents(compiled, int(current), members)
        feeding = [p for p in parents if int(table.finish[p, j]) == begin]
        if not feeding or begin == 0:
            break
        current = max(feeding, key=lambda c: compiled.keys[c])
    verdicts_list = []
    margin = table.options.risk_margin_days
    for d, key in enumerate(plan.deadlines):
        covered = [c for c in required if plan.deadline_of[c] == d]
        day = int(table.deadline_day[d, j])
        if not covered or day >= _NEVER:
            continue
        last = start_day + max(int(table.finish[int(c), j]) for c in covered)
        deadline = table.catalog.deadlines[key]
        verdicts_list.append(
            DeadlineVerdict(
                key=key,
                title=deadline.title.en,
                date=_date(day),
                finish=_date(last),
                slack_days=day - last,
                verdict=_verdict(day - last, margin, work=True),
            )
        )
    due = int(table.target_due[j])
    if due < _NEVER:
        verdicts_list.append(
            DeadlineVerdict(
                key="target",
                title=f"target ({text})",
                date=_date(due),
                finish=_date(start_day + end),
                slack_days=due - start_day - end,
                verdict=_verdict(due - start_day - end, margin, work=True),
            )
        )
    return Plan(
        facility=facility,
        target=table.target,
        target_text=text,
        status="planned",
        start=_date(start_day),
        finish=_date(start_day + end),
        steps=tuple(steps),
        effort_days=sum(s.effort_days for s in steps),
        cost_vnd=float(sum(s.cost_vnd for s in steps)),
        assumed_effort=sum(1 for s in steps if not s.estimated),
        uncosted=sum(1 for s in steps if not s.costed),
        critical_path=tuple(reversed(path)),
        verdicts=tuple(verdicts_list),
        max_parallel=table.options.max_parallel,
        yearly_budget=table.options.yearly_budget,
    )


def _build_next_steps(table: PlanTable, j: int) -> tuple[NextStep, ...]:
    compiled = compile_catalog(table.catalog)
    remaining = int(table.required[:, j].sum())
    text = _target_text(table)
    out = []
    for rank, c in enumerate(int(x) for x in table.ranked[:, j] if x >= 0):
        criterion = table.catalog.criteria[compiled.keys[c]]
        toward = bool(table.required[c, j])
        due = int(table.urgency[c, j])
        unblocks = int(table.unblocks[c, j]) if toward else 0
        if toward:
            reason = (
                f"unblocks {unblocks} of the {remaining - 1} other remaining criteria for {text}"
                if unblocks
                else f"needed for {text}"
            )
        else:
            reason = f"not needed for {text}"
        if due < _NEVER:
            reason += f"; due {_date(due).strftime('%d %b %Y')}"
        out.append(
            NextStep(
                rank=rank + 1,
                criterion=compiled.keys[c],
                title=criterion.title,
                toward_target=toward,
                unblocks=unblocks,
                remaining=remaining,
                due=None if due >= _NEVER else _date(due),
                weight=criterion.weight,
                effort_days=int(table.effort[c, j]),
                cost_vnd=float(table.cost[c, j]),
                reason=reason,
            )
        )
    return tuple(out)


def plan(
    catalog: Catalog,
    assessment: Assessment,
    target: Target | str,
    *,
    start: dt.date | None = None,
    max_parallel: int | None = None,
    yearly_budget: float | None = None,
    estimates: Mapping[str, Mapping[str, float]] | None = None,
    default_effort_days: int = 30,
    risk_margin_days: int = 30,
    not_applicable: str | None = None,
) -> Plan:
    """Return the roadmap of one facility to ``target`` (planning rules 1-7).

    This is :func:`plan_many` on a batch of one; see it for the parameters.
    """
    if not isinstance(assessment, Assessment):
        raise OptionError(
            "plan takes one Assessment; use plan_many for many",
            key="assessment",
            value=type(assessment).__name__,
        )
    return plan_many(
        catalog,
        [assessment],
        target,
        start=start,
        max_parallel=max_parallel,
        yearly_budget=yearly_budget,
        estimates=estimates,
        default_effort_days=default_effort_days,
        risk_margin_days=risk_margin_days,
        k=0,
        not_applicable=not_applicable,
    ).plan(0)


def next_steps(
    catalog: Catalog,
    assessment: Assessment,
    target: Target | str,
    *,
    k: int = 5,
    include_other: bool = False,
    estimates: Mapping[str, Mapping[str, float]] | None = None,
) -> tuple[NextStep, ...]:
    """Return up to ``k`` steps the facility can take now, ranked toward ``target`` (rule 8)."""
    if not isinstance(assessment, Assessment):
        raise OptionError(
            "next_steps takes one Assessment", key="assessment", value=type(assessment).__name__
        )
    table = plan_many(
        catalog, [assessment], target, k=k, include_other=include_other, estimates=estimates
    )
    return table.next_steps(0)
