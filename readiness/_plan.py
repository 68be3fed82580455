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
9. *Ranges.* Effort and cost are ranges (low, likely, high); the plan's cost range sums its
   steps' bounds and its finish range schedules every step at its low, likely and high effort
   (and cost, under a budget) with the same rules; the low finish is the earlier of the low and
   likely finishes, the high one the later of the high and likely finishes. A step's values are
   *assumed* when its effort or cost is the catalog authors' assumption or missing; plans report
   the assumed share wherever they report a total.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import (
    MAX_COST_VND,
    MAX_EFFORT_DAYS,
    Catalog,
    Condition,
    Range,
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
    "Range",
    "Step",
    "Target",
    "next_steps",
    "plan",
    "plan_many",
    "ranges_text",
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

    children: tuple[npt.NDArray[np.intp], ...]
    reverse: tuple[
        tuple[npt.NDArray[np.intp], npt.NDArray[np.intp] | None], ...
    ]  # generations by height
    conditions: tuple[Condition, ...]  # every condition of estimates and deadline cases
    deadlines: tuple[str, ...]
    deadline_of: npt.NDArray[np.intp]  # (C,) -1 when none
    # criteria depending on c, transitively; filled on demand (no C x C matrix: a catalog of
    # 100,000 criteria would need 37 GiB)
    descendants: dict[int, npt.NDArray[np.intp]] = attrs.field(factory=dict)

    def descendants_of(self, c: int) -> npt.NDArray[np.intp]:
        """Return the sorted, read-only kernel indices of every criterion depending on ``c``."""
        found = self.descendants.get(c)
        if found is None:
            seen: set[int] = set()
            stack = [int(x) for x in self.children[c]]
            while stack:
                d = stack.pop()
                if d not in seen:
                    seen.add(d)
                    stack.extend(int(x) for x in self.children[d])
            found = np.array(sorted(seen), dtype=np.intp)
            found.flags.writeable = False
            self.descendants[c] = found
        return found


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
    height = np.zeros(size, dtype=np.intp)
    for c in compiled.topo[::-1]:  # children first
        for ch in children[c]:
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
    overrides: Mapping[int, Mapping[str, Range[float]]]
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

    effort: npt.NDArray[np.float64]  # (3, C, K) low/likely/high days (rounded up once, per step)
    cost: npt.NDArray[np.float64]  # (3, C, K) low/likely/high VND
    estimated: Bool  # effort came from an estimate or override
    costed: Bool  # cost came from an estimate or override
    assumed: Bool  # effort or cost is the authors' assumption (or missing)
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
    effort = np.zeros((3, size, count))
    cost = np.zeros((3, size, count))
    estimated = np.zeros((size, count), dtype=bool)
    costed = np.zeros((size, count), dtype=bool)
    assumed = np.zeros((size, count), dtype=bool)
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
            days = override.get("effort_days", estimate.effort if estimate else None)
            money = override.get("cost_vnd", estimate.cost if estimate else None)
            estimated[i, k] = days is not None
            costed[i, k] = money is not None
            # rule 4: a value the user gives is a known value; an estimate says which of its
            # values are the authors' assumptions; a missing value is assumed
            assumed[i, k] = (
                days is None
                or money is None
                or (
                    estimate is not None
                    and (
                        ("effort_days" not in override and "effort" in estimate.assumed)
                        or ("cost_vnd" not in override and "cost" in estimate.assumed)
                    )
                )
            )
            effort[:, i, k] = (
                tuple(days) if days is not None else (options.default_effort_days,) * 3
            )
            cost[:, i, k] = tuple(money) if money is not None else (0.0, 0.0, 0.0)
        if spec.target.due is not None:
            target_due[k] = _day(spec.target.due)
        elif spec.milestone_deadline is not None:
            target_due[k] = deadline_day[plan.deadlines.index(spec.milestone_deadline), k]
    due = np.full((size, count), _NEVER, dtype=np.int64)
    has = plan.deadline_of >= 0
    due[has] = deadline_day[plan.deadline_of[has]]
    cost_rank = np.searchsorted(np.unique(cost[1]), cost[1]).astype(np.int64)
    return _ClassTables(
        effort=effort,
        cost=cost,
        estimated=estimated,
        costed=costed,
        assumed=assumed,
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
    effort_range: Range[int]  # whole days left: low, likely (= effort_days), high
    cost_range: Range[float]  # VND: low, likely (= cost_vnd), high
    assumed: bool  # effort or cost is the catalog authors' assumption, or missing

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
            "effort_range": self.effort_range.to_dict(),
            "cost_range": self.cost_range.to_dict(),
            "assumed": self.assumed,
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
    """A facility's roadmap to a target (planning rules 1-7).

    ``finish``, ``effort_days`` and ``cost_vnd`` are the likely figures; ``finish_range``,
    ``effort_range`` and ``cost_range`` give low, likely and high (planning rule 9), and
    ``assumed_share`` the share of steps whose effort or cost is assumed. Show them together:
    :func:`ranges_text` says them in one line, as :meth:`explain` does.
    """

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
    finish_range: Range[dt.date] | None  # None when nothing is left to do
    effort_range: Range[int]
    cost_range: Range[float]
    assumed_steps: int  # steps whose effort or cost is assumed (planning rule 9)
    note: str = ""

    @property
    def assumed_share(self) -> float | None:
        """Share of the steps whose effort or cost is assumed (None when there are no steps)."""
        return self.assumed_steps / len(self.steps) if self.steps else None

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
            "finish_range": None if self.finish_range is None else self.finish_range.to_dict(),
            "effort_range": self.effort_range.to_dict(),
            "cost_range": self.cost_range.to_dict(),
            "estimates": {
                "all_steps_estimated": self.assumed_effort == 0 and self.uncosted == 0,
                "assumed_effort_steps": self.assumed_effort,
                "uncosted_steps": self.uncosted,
                "assumed_steps": self.assumed_steps,
                "assumed_share": self.assumed_share,
                "note": "effort and cost are estimates (low, likely, high)",
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
        assert self.finish_range is not None
        lines = [
            f"{head}: {counted(len(self.steps), 'step')} from {self.start.isoformat()}: "
            + ranges_text(
                self.cost_range,
                self.finish_range,
                self.assumed_steps,
                len(self.steps),
                uncosted=self.uncosted,
            )
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


def money_text(vnd: float) -> str:
    """Say an amount of VND in billions (``bn``) or millions, as plans print it."""
    if abs(vnd) >= 1e9:
        return f"{vnd / 1e9:,.1f} bn"
    return f"{vnd / 1e6:,.0f} million"


def _money_range(cost: Range[float]) -> str:
    unit, scale, digits = ("bn", 1e9, 1) if cost.high >= 1e9 else ("million", 1e6, 0)
    low, likely, high = (f"{v / scale:,.{digits}f}" for v in cost)
    return f"cost {low}-{high} {unit} VND (likely {likely})"


def ranges_text(
    cost: Range[float],
    finish: Range[dt.date] | None,
    assumed: int,
    steps: int,
    *,
    uncosted: int = 0,
    finish_label: str = "finish",
) -> str:
    """Say a plan's (or many plans') cost and finish as ranges with the assumed share (rule 9).

    When more than half of the steps use an assumed effort or cost, the text says so first.

    Examples
    --------
    >>> import datetime as dt
    >>> from readiness import Range
    >>> from readiness._plan import ranges_text
    >>> finish = Range(dt.date(2026, 10, 1), dt.date(2026, 12, 27), dt.date(2027, 5, 2))
    >>> ranges_text(Range(3.1e9, 4.2e9, 6e9), finish, 9, 10)
    'mostly assumed values (9 of 10 steps, 90%): cost 3.1-6.0 bn VND (likely 4.2), finish 2026-10-01 to 2027-05-02 (likely 2026-12-27)'
    >>> ranges_text(Range(3e8, 4e8, 5e8), finish, 1, 10)
    'cost 300-500 million VND (likely 400), finish 2026-10-01 to 2027-05-02 (likely 2026-12-27); assumed values: 1 of 10 steps (10%)'
    """  # noqa: E501
    share = f"{assumed:,} of {steps:,} steps, {assumed / steps:.0%}" if steps else "no steps"
    parts = [_money_range(cost)]
    if finish is not None:
        parts.append(
            f"{finish_label} {finish.low.isoformat()} to {finish.high.isoformat()} "
            f"(likely {finish.likely.isoformat()})"
        )
    text = ", ".join(parts)
    if uncosted:
        text += f"; {uncosted:,} steps without a cost estimate (counted as 0)"
    if steps and 2 * assumed > steps:
        return f"mostly assumed values ({share}): {text}"
    if steps:
        shown = f"{assumed:,} of {steps:,} steps ({assumed / steps:.0%})"
        return f"{text}; assumed values: {shown}"
    return text


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


def _columns(values: npt.NDArray[Any], index: npt.NDArray[np.intp]) -> npt.NDArray[Any]:
    """Return ``values[:, index]`` (``np.take`` along the columns: measured 5x faster)."""
    return np.take(values, index, axis=1)


def _gathered(values: Int, padded: npt.NDArray[np.intp], pick: Any) -> Int:
    """Max (or min) of ``values`` over each row's padded neighbours, one column at a time.

    Same as ``pick(values[padded], axis=1)``; a reduction over a short middle axis is slow in
    numpy, so the columns are combined pairwise instead.
    """
    out: Int = values[padded[:, 0]]
    for k in range(1, padded.shape[1]):
        pick(out, values[padded[:, k]], out=out)
    return out


def _schedule(
    compiled: Compiled, required: Bool, duration: Int, *, waves: bool = True
) -> tuple[Int, Int]:
    """Earliest finish (days from the start) and wave of every criterion (rules 5 and 6).

    With ``waves=False`` the waves are not computed (zeros).
    """
    size, count = required.shape
    finish = np.zeros((size + 1, count), dtype=np.int64)
    wave = np.zeros((size + 1, count), dtype=np.int64)
    work = duration * required
    for rows, parents in compiled.generations:
        if parents is None:
            finish[rows] = work[rows]
            if waves:
                wave[rows] = required[rows]
            continue
        finish[rows] = _gathered(finish, parents, np.maximum) + work[rows]
        if waves:
            wave[rows] = _gathered(wave, parents, np.maximum) + required[rows]
    return finish[:size], wave[:size]


def _tail(plan: _PlanCompiled, required: Bool, duration: Int) -> Int:
    """Longest remaining path (days) from each criterion's start to the end of the plan."""
    size, count = required.shape
    tail = np.zeros((size + 1, count), dtype=np.int64)
    work = duration * required
    for rows, children in plan.reverse:
        if children is None:
            tail[rows] = work[rows]
        else:
            tail[rows] = _gathered(tail, children, np.maximum) + work[rows]
    return tail[:size]


def _urgency(plan: _PlanCompiled, own: Int) -> Int:
    """Earliest date among each criterion and everything it unblocks (rule 8)."""
    size, count = own.shape
    urgency = np.full((size + 1, count), _NEVER, dtype=np.int64)
    for rows, children in plan.reverse:
        if children is None:
            urgency[rows] = own[rows]
        else:
            urgency[rows] = np.minimum(own[rows], _gathered(urgency, children, np.minimum))
    return urgency[:size]


@attrs.frozen(kw_only=True, eq=False)
class PlanTable:
    """Plans and next steps of many facility-assessments (returned by :func:`plan_many`).

    Index it (``table[j]``) for the :class:`Plan` of row ``j``; :meth:`next_steps` gives the
    ranked next steps. Arrays are (criteria, rows) or (rows,); criteria are in the order of
    ``compile_catalog(catalog).keys``.

    Ranges (planning rule 9) as data: per step, ``effort_low`` / ``effort`` / ``effort_high``
    (whole days left) and ``cost_low`` / ``cost`` / ``cost_high`` (VND), and ``assumed`` (the
    step's effort or cost is assumed); per row, :attr:`finish_days` (low, likely, high days
    after ``start_day``), :attr:`cost_totals` (low, likely, high VND) and
    :attr:`assumed_share`. ``effort``, ``cost``, ``start``, ``finish`` and :attr:`finish_day`
    are the likely schedule.
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
    effort: Int  # (C, rows) likely days left
    cost: npt.NDArray[np.float64]  # (C, rows) likely VND
    estimated: Bool
    costed: Bool
    effort_low: Int  # (C, rows)
    effort_high: Int  # (C, rows)
    cost_low: npt.NDArray[np.float64]  # (C, rows)
    cost_high: npt.NDArray[np.float64]  # (C, rows)
    assumed: Bool  # (C, rows) effort or cost assumed (or missing)
    finish_low_day: Int  # (rows,) low finish, days after start_day (rule 9)
    finish_high_day: Int  # (rows,) high finish
    due: Int  # (C, rows) deadline day per criterion
    target_due: Int  # (rows,)
    deadline_day: Int  # (deadlines, rows)
    frontier: Bool  # (C, rows)
    unblocks: npt.NDArray[np.int32]  # (C, rows) for frontier criteria (rule 8); 0 elsewhere
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
        """Likely finish of each plan in days after its start (0 when nothing is required)."""
        days: Int = np.where(self.required, self.finish, 0).max(axis=0, initial=0)
        return days

    @property
    def finish_days(self) -> Int:
        """(rows, 3): low, likely and high finish in days after each plan's start (rule 9)."""
        return np.stack([self.finish_low_day, self.finish_day, self.finish_high_day], axis=1)

    @property
    def cost_totals(self) -> npt.NDArray[np.float64]:
        """(rows, 3): low, likely and high cost (VND) of each plan's steps (rule 9)."""
        return np.stack(
            [
                np.where(self.required, self.cost_low, 0.0).sum(axis=0),
                np.where(self.required, self.cost, 0.0).sum(axis=0),
                np.where(self.required, self.cost_high, 0.0).sum(axis=0),
            ],
            axis=1,
        )

    @property
    def assumed_steps(self) -> Int:
        """(rows,): steps whose effort or cost is assumed (rule 9)."""
        counts: Int = (self.required & self.assumed).sum(axis=0).astype(np.int64)
        return counts

    @property
    def assumed_share(self) -> npt.NDArray[np.float64]:
        """(rows,): share of each plan's steps with an assumed effort or cost; NaN when none."""
        steps = self.required.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            share: npt.NDArray[np.float64] = np.where(
                steps > 0, self.assumed_steps / np.maximum(steps, 1), np.nan
            )
        return share

    @property
    def cost_range(self) -> Range[float]:
        """Low, likely and high cost (VND) of every row's steps together (rule 9)."""
        low, likely, high = (float(v) for v in self.cost_totals.sum(axis=0))
        return Range(low, min(max(likely, low), high), high)

    @property
    def last_finish(self) -> Range[dt.date] | None:
        """The latest low, likely and high finish among plans with steps (None when none)."""
        work = self.required.any(axis=0)
        if not work.any():
            return None
        days = (self.start_day[:, None] + self.finish_days)[work].max(axis=0)
        return Range(*(_date(int(d)) for d in days))

    def headline(self) -> str:
        """Say every row's steps, cost and last finish as ranges with the assumed share (rule 9).

        Examples
        --------
        >>> import datetime as dt, readiness
        >>> catalog = readiness.load_catalog("vn-emr")
        >>> clinic = readiness.Facility(
        ...     id="PK-1", name="Clinic", kind="clinic", ownership="private"
        ... )
        >>> table = readiness.plan_many(
        ...     catalog,
        ...     [readiness.Assessment(facility=clinic, date=dt.date(2026, 1, 5))],
        ...     "milestone:vn-emr:emr-live",
        ... )
        >>> print(table.headline())  # doctest: +NORMALIZE_WHITESPACE
        1 plans, 18 steps: mostly assumed values (18 of 18 steps, 100%): cost 88-250 million
        VND (likely 147), last finish 2026-04-13 to 2027-01-30 (likely 2026-07-19)
        """
        steps = int(self.required.sum())
        plans = int(self.required.any(axis=0).sum())
        return f"{plans:,} plans, {steps:,} steps: " + ranges_text(
            self.cost_range,
            self.last_finish,
            int(self.assumed_steps.sum()),
            steps,
            uncosted=int((self.required & ~self.costed).sum()),
            finish_label="last finish",
        )

    def plan(self, j: int) -> Plan:
        """Return the :class:`Plan` of row ``j``."""
        return _build_plan(self, j)

    def next_steps(self, j: int) -> tuple[NextStep, ...]:
        """Return the ranked next steps of row ``j`` (planning rule 8)."""
        return _build_next_steps(self, j)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per row: status, steps, finish, effort, cost, target verdict.

        Finish and cost come as likely values with ``_low`` and ``_high`` beside them, and
        ``assumed_steps`` counts the steps with an assumed effort or cost (rule 9).
        """
        finish = self.finish_day
        costs = self.cost_totals
        assumed = self.assumed_steps
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
                    "finish_low": (
                        _date(start + int(self.finish_low_day[j])).isoformat()
                        if req.any()
                        else None
                    ),
                    "finish": _date(end).isoformat() if req.any() else None,
                    "finish_high": (
                        _date(start + int(self.finish_high_day[j])).isoformat()
                        if req.any()
                        else None
                    ),
                    "effort_days": int(self.effort[:, j][req].sum()),
                    "cost_vnd_low": float(costs[j, 0]),
                    "cost_vnd": float(costs[j, 1]),
                    "cost_vnd_high": float(costs[j, 2]),
                    "assumed_steps": int(assumed[j]),
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
    whole_state = _kernel(setup, matrix, details=True)["state"]
    count = whole_state.shape[1]
    classes = _plan_classes(plan, matrix.columns)
    tables = _class_tables(catalog, compiled, plan, classes, spec, options)
    whole_cls = classes.of_facility[matrix.rows]
    if options.start is not None:
        whole_start = np.full(count, _day(options.start), dtype=np.int64)
    else:
        whole_start = (matrix.dates - np.datetime64("1970-01-01", "D")).astype(np.int64)

    # Plans are independent: they are made in blocks of columns, so every temporary array is
    # small and its memory is reused block after block (allocating fresh memory for arrays of
    # (criteria, 100,000 facilities) cost more than the arithmetic on them); the results are
    # written into arrays allocated once.
    def block(lo: int) -> dict[str, Any] | int:
        hi = min(lo + _PLAN_BLOCK, count)
        state = whole_state[:, lo:hi]
        return _plan_block(
            compiled,
            plan,
            spec,
            options,
            tables,
            state,
            _partial_progress(matrix, state, lo, hi),
            whole_cls[lo:hi],
            whole_start[lo:hi],
        )

    out: dict[str, Any] = {}
    starts = range(0, count, _PLAN_BLOCK)
    # blocks are independent: _PLAN_THREADS at a time (numpy releases the GIL in its array
    # work), results taken in block order, so plans do not depend on the threads; at most one
    # block per thread is in flight, so memory stays bounded
    with ThreadPoolExecutor(max_workers=min(_PLAN_THREADS, len(starts))) as pool:
        for first in range(0, len(starts), _PLAN_THREADS):
            los = starts[first : first + _PLAN_THREADS]
            for lo, part in zip(los, pool.map(block, los), strict=True):
                if isinstance(part, int):
                    j = lo + part
                    raise PlanError(
                        f"the plan of facility {matrix.facility(j).id!r} runs past the last "
                        "date a calendar can hold (9999-12-31); check the start date and the "
                        "efforts",
                        value=_date(int(whole_start[j])).isoformat(),
                    )
                if len(starts) == 1:
                    return part
                hi = min(lo + _PLAN_BLOCK, count)
                for name, values in part.items():
                    if name not in out:
                        out[name] = np.empty((*values.shape[:-1], count), dtype=values.dtype)
                    out[name][..., lo:hi] = values
    return out


#: Facilities planned together (see :func:`_plan_chunk`).
_PLAN_BLOCK = 4096  # measured: 4,096 beat 8,192 (limited 9.7 vs 12.7 s per 100,000)
#: Blocks planned at once, one per thread.
_PLAN_THREADS = 2


def _partial_progress(
    matrix: StatusMatrix, state: npt.NDArray[np.uint8], lo: int, hi: int
) -> npt.NDArray[np.float64]:
    """Return the progress of assessments ``lo:hi`` where the kernel's state is partial."""
    progress = matrix.progress_block(lo, hi)
    progress[(state != PARTIAL) & (state != UNSUPPORTED_PARTIAL)] = 0.0
    return progress


def _plan_block(
    compiled: Compiled,
    plan: _PlanCompiled,
    spec: _TargetSpec,
    options: _Options,
    tables: _ClassTables,
    state: npt.NDArray[np.uint8],
    progress: npt.NDArray[np.float64],
    cls: npt.NDArray[np.intp],
    start_day: Int,
) -> dict[str, Any] | int:
    """Plan one block of columns; return its arrays, or the column whose plan runs too late."""
    size = state.shape[0]
    applies = state >= MET
    effective = state == MET
    # rule 4: the effort left, rounded up once (a tiny tolerance absorbs float error: 70 % of
    # 10 days leaves 3 days, not 4); low, likely and high alike (rule 9)
    durations = [
        np.maximum(
            np.ceil(_columns(tables.effort[n], cls) * (1.0 - progress) - 1e-9).astype(np.int64), 0
        )
        for n in range(3)
    ]
    costs = [_columns(tables.cost[n], cls) for n in range(3)]
    duration = durations[1]
    cost = costs[1]
    tie = _tie_key(compiled, duration, _columns(tables.cost_rank, cls))
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
    limited = options.max_parallel is not None or options.yearly_budget is not None
    if limited:
        start, finish = _apply_limits(
            compiled, plan, required, duration, cost, start, start_day, options
        )
    # rule 9: the low and high schedules, every step at its low (high) effort and cost; the
    # range always holds the likely finish
    ends = []
    for n in (0, 2):
        end_n, _ = _schedule(compiled, required, durations[n], waves=False)
        if limited:
            begin_n = end_n - durations[n] * required
            _, end_n = _apply_limits(
                compiled, plan, required, durations[n], costs[n], begin_n, start_day, options
            )
        ends.append((end_n * required).max(axis=0, initial=0))
    likely_end = (finish * required).max(axis=0, initial=0)
    finish_low_day = np.minimum(ends[0], likely_end)
    finish_high_day = np.maximum(ends[1], likely_end)
    late = np.flatnonzero(start_day + finish_high_day > _LAST_DAY)
    if len(late):
        return int(late[0])
    support = support_of(compiled, effective, applies)
    frontier = applies & ~effective & support
    unblocks = _unblocks(plan, frontier, required)
    due = _columns(tables.due, cls)
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
        "estimated": _columns(tables.estimated, cls),
        "costed": _columns(tables.costed, cls),
        "effort_low": durations[0],
        "effort_high": durations[2],
        "cost_low": costs[0],
        "cost_high": costs[2],
        "assumed": _columns(tables.assumed, cls),
        "finish_low_day": finish_low_day,
        "finish_high_day": finish_high_day,
        "due": due,
        "target_due": target_due,
        "deadline_day": _columns(tables.deadline_day, cls),
        "frontier": frontier,
        "unblocks": unblocks,
        "ranked": ranked,
        "urgency": urgency,
        "partial": progress,
        "state": state,
    }


def _unblocks(plan: _PlanCompiled, frontier: Bool, required: Bool) -> npt.NDArray[np.int32]:
    """Count the required criteria each frontier criterion unblocks, transitively (rule 8).

    Only frontier criteria with dependents are counted, each over its own descendants, so memory
    grows with the catalog's edges, never with criteria x criteria.
    """
    out = np.zeros(required.shape, dtype=np.int32)
    for c in np.flatnonzero(frontier.any(axis=1)).tolist():
        if not len(plan.children[c]):
            continue
        below = plan.descendants_of(c)
        columns = np.flatnonzero(frontier[c])
        out[c, columns] = required[np.ix_(below, columns)].sum(axis=0, dtype=np.int32)
    return out


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


#: Day number of 1 January of the years 1 to 20,000 (index = year - 1), for yearly budgets.
_JAN1 = (
    (np.arange(1, 20_001) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
)
_JAN1.flags.writeable = False


def _step_order(start: Int, tail: Int, position: Int, later: Bool) -> Int:
    """(plans, C): each plan's criteria by start, then longer tail, then topological position.

    The criteria marked ``later`` (C, plans) come after all the others, in the same order.
    """
    size = len(position)
    most = int(max(start.max(initial=0), tail.max(initial=0)))
    if start.min(initial=0) >= 0 and most < 2**21 and size < 2**18:
        key = (later.T.astype(np.int64) << 62) + (start.T << 41) + ((most - tail.T) << 19)
        key += position
        # the keys of a row are distinct (``position`` is): any sort gives the same order, and
        # the default one is measured 3x faster than the stable one here
        return np.argsort(key, axis=1)
    columns = np.broadcast_to(position, (start.shape[1], size))
    return np.lexsort((columns, -tail.T, start.T, later.T), axis=1)


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
    """Reschedule every plan under the limits (planning rule 5), all plans at once.

    Each plan's steps are taken in the order of rule 5: earliest start of the unlimited
    schedule, then longer remaining path, then topological position. Criteria outside the plan
    are slotted into the same order (at their unlimited ready time, which puts them after their
    prerequisites and before their dependents) and pass their prerequisites' finish on, as
    rule 5's "through criteria outside the plan" says. The loop runs over positions in that
    order, with every plan advanced together by array operations:

    * a step starts no earlier than the previous step's start and its prerequisites' finish;
    * with ``max_parallel`` m, no earlier than the m-th latest finish among the steps already
      started (then fewer than m are running);
    * with ``yearly_budget``, if its cost does not fit in what is left of its start year's
      budget (a step dearer than the whole budget needs a year where nothing else is spent), on
      1 January of the next year, where nothing is spent yet because starts never go back.

    ``tests/oracle_limits.py`` keeps the per-plan loop this replaces; tests compare the two.
    Plans are independent, so they are taken in blocks small enough to stay in the processor's
    cache.
    """
    count = required.shape[1]
    starts = start.copy()
    for lo in range(0, count, _LIMIT_BLOCK):
        hi = min(lo + _LIMIT_BLOCK, count)
        starts[:, lo:hi] = _limit_block(
            compiled,
            plan,
            required[:, lo:hi],
            duration[:, lo:hi],
            cost[:, lo:hi],
            start[:, lo:hi],
            start_day[lo:hi],
            options,
        )
    return starts, starts + duration * required


#: Plans scheduled together under limits (a block's arrays fit in a processor cache).
_LIMIT_BLOCK = 4096


def _limit_block(
    compiled: Compiled,
    plan: _PlanCompiled,
    required: Bool,
    duration: Int,
    cost: npt.NDArray[np.float64],
    start: Int,
    start_day: Int,
    options: _Options,
) -> Int:
    """Start days of one block of plans under the limits (see :func:`_apply_limits`)."""
    size, count = required.shape
    if count == 0 or not required.any():
        return start
    # Only the steps and the criteria outside the plan that lie between two of its steps matter:
    # one with no step above it passes on 0 (every finish is >= 0), one with no step below it
    # passes its day to no step. The others go last (their relative order kept). Plans are taken
    # with the longest lists of criteria that matter first, so that at position i the loop works
    # on the first alive[i] plans only (a slice), and stops after the longest list.
    matters = _between(compiled, required)
    lengths = matters.sum(axis=0)
    perm = np.argsort(-lengths, kind="stable")
    required, duration, cost, start, matters = (
        _columns(a, perm) for a in (required, duration, cost, start, matters)
    )
    start_day, lengths = start_day[perm], lengths[perm]
    alive = np.searchsorted(-lengths, -np.arange(int(lengths[0])), side="left")
    stop = len(alive)
    tail = _tail(plan, required, duration)
    position = np.empty(size, dtype=np.int64)
    position[compiled.topo] = np.arange(size)
    # Work plan by plan in memory: (plans, C) arrays, flat, element [j, c] at j * C + c, so the
    # few criteria one plan touches in a step are close together.
    order = np.ascontiguousarray(_step_order(start, tail, position, ~matters).T)
    del tail, matters
    columns = np.arange(count)
    row = columns * size  # start of each plan's row in the flat (plans, C) arrays
    row_reached = columns * (size + 1)  # the same with the sentinel column
    is_step = np.ascontiguousarray(required.T).reshape(-1)
    days_of = np.ascontiguousarray(duration.T).reshape(-1)
    price_of = np.ascontiguousarray(cost.T).reshape(-1)
    # prerequisites: column k holds each criterion's k-th prerequisite, or the sentinel `size`
    # (whose `reached` is always 0)
    degree = np.array([len(p) for p in compiled.parents], dtype=np.int64)
    width = int(degree.max(initial=0))
    padded = np.full((width, size), size, dtype=np.int64)
    for criterion, parents in enumerate(compiled.parents):
        padded[: len(parents), criterion] = parents
    # finish (steps) or ready day (criteria outside the plan), days from each plan's start
    reached = np.zeros((size + 1) * count, dtype=np.int64)
    new_start = np.ascontiguousarray(start.T, dtype=np.int64).reshape(-1)
    previous = np.zeros(count, dtype=np.int64)
    steps_most = int(required.sum(axis=0).max())
    parallel = options.max_parallel
    if parallel is not None and parallel >= steps_most:
        parallel = None  # fewer steps than slots: the limit never binds
    floor = np.iinfo(np.int64).min
    if parallel is not None:
        latest = np.full((parallel, count), floor, dtype=np.int64)  # m latest finishes, desc
    budget = options.yearly_budget
    year_now = np.full(count, -1, dtype=np.int64)  # index into _JAN1 of the last start's year
    spent = np.zeros(count)
    for i in range(stop):
        n = int(alive[i])  # the plans with more than i criteria that matter
        c: Int = order[i, :n]
        # ready: the latest finish among the prerequisites (0 when none); the second and later
        # prerequisites only where the criterion has them
        ready = reached[row_reached[:n] + padded[0][c]] if width else np.zeros(n, dtype=np.int64)
        more = degree[c]
        most = int(more.max())
        if most > 1:
            many = np.flatnonzero(more > 1)
            base, these = row_reached[many], c[many]
            found = ready[many]
            for k in range(1, most):
                np.maximum(found, reached[base + padded[k][these]], out=found)
            ready[many] = found
        # the plans whose i-th criterion is a step; for the others it only passes `ready` on
        act = np.flatnonzero(is_step[row[:n] + c])
        if len(act):
            at = row[act] + c[act]
            t = np.maximum(previous[act], ready[act])
            if parallel is not None:
                np.maximum(t, latest[parallel - 1, act], out=t)
            if budget is not None:
                price = price_of[at]
                begin = start_day[act]
                year = np.searchsorted(_JAN1, begin + t, side="right") - 1
                used = np.where(year == year_now[act], spent[act], 0.0)
                fits = (used + price <= budget) | ((used == 0) & (price > budget))
                if not fits.all():
                    year = np.where(fits, year, np.minimum(year + 1, len(_JAN1) - 1))
                    t = np.where(fits, t, _JAN1[year] - begin)
                spent[act] = np.where(year == year_now[act], spent[act], 0.0) + price
                year_now[act] = year
            end = t + days_of[at]
            ready[act] = end
            new_start[at] = t
            previous[act] = t
            if parallel is not None:
                # insert `end` into the m latest finishes (descending): slot k keeps its value,
                # takes `end`, or takes slot k - 1's, whichever is the largest not above slot
                # k - 1's old value
                held = latest[:, act]
                upper = np.minimum(held[:-1], end)
                np.maximum(held[1:], upper, out=held[1:])
                np.maximum(held[0], end, out=held[0])
                latest[:, act] = held
        reached[row_reached[:n] + c] = ready
    block = np.empty((count, size), dtype=np.int64)
    block[perm] = new_start.reshape(count, size)
    starts: Int = block.T
    return starts


def _between(compiled: Compiled, required: Bool) -> Bool:
    """(C, plans): the steps, and the criteria with a step both above and below them."""
    above = np.zeros_like(required)  # a step among the criterion's ancestors
    below = np.zeros_like(required)  # a step among its descendants
    for c in compiled.topo:
        parents = compiled.parents[c]
        if len(parents):
            above[c] = (required[parents] | above[parents]).any(axis=0)
    for c in compiled.topo[::-1]:
        parents = compiled.parents[c]
        if len(parents):
            below[parents] |= required[c] | below[c]
    between: Bool = required | (above & below)
    return between


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


def _number_ok(value: object, limit: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= limit
    )


def _override_range(key: str, name: str, value: object, limit: float) -> Range[float]:
    """Read an override: a number (a known value) or ``(low, likely, high)``."""
    if _number_ok(value, limit):
        return Range.point(float(value))  # type: ignore[arg-type]
    if (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 3
        and all(_number_ok(v, limit) for v in value)
        and value[0] <= value[1] <= value[2]
    ):
        return Range(float(value[0]), float(value[1]), float(value[2]))
    raise OptionError(
        f"estimates: {name} must be a number from 0 to {limit:,.0f} "
        "or [low, likely, high] with low <= likely <= high",
        key=key,
        value=value,
    )


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
    overrides: dict[int, dict[str, Range[float]]] = {}
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
        overrides[index] = {
            name: _override_range(key, name, value, limits[name]) for name, value in values.items()
        }
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

    Required sets, schedules (limited ones too), waves and rankings are computed for all
    facilities together with array operations.

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
        ``{criterion: {"effort_days": ..., "cost_vnd": ...}}`` overriding the catalog; each
        value a number (a known value) or ``(low, likely, high)``.
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
            finish_range=None,
            effort_range=Range.point(0),
            cost_range=Range.point(0.0),
            assumed_steps=0,
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
                effort_range=Range(
                    int(table.effort_low[c, j]),
                    int(table.effort[c, j]),
                    int(table.effort_high[c, j]),
                ),
                cost_range=Range(
                    float(table.cost_low[c, j]),
                    float(table.cost[c, j]),
                    float(table.cost_high[c, j]),
                ),
                assumed=bool(table.assumed[c, j]),
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
        finish_range=Range(
            _date(start_day + int(table.finish_low_day[j])),
            _date(start_day + end),
            _date(start_day + int(table.finish_high_day[j])),
        ),
        effort_range=Range(
            sum(s.effort_range.low for s in steps),
            sum(s.effort_days for s in steps),
            sum(s.effort_range.high for s in steps),
        ),
        cost_range=Range(
            float(sum(s.cost_range.low for s in steps)),
            float(sum(s.cost_vnd for s in steps)),
            float(sum(s.cost_range.high for s in steps)),
        ),
        assumed_steps=sum(1 for s in steps if s.assumed),
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
