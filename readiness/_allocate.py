"""Where to spend: choose which facilities' plans a province funds within a budget.

Rules (stated in full in ``docs/decisions.md``):

1. Each facility's plan toward the target comes from :func:`readiness.plan_many`. Funding a
   facility pays **all** of its required steps (all or nothing: a half-funded plan meets nothing).
2. Steps marked ``central`` (catalog key ``central = true`` or the ``central=`` argument) are paid
   **once** for every facility that needs them; a facility can only be funded when every central
   step it needs is funded. A central step costs ``central_cost[key]`` or, by default, the largest
   per-facility estimate among the facilities that need it.
3. Objectives: ``"count"`` (default) maximises the number of facilities that meet the target by
   its due date (already done + funded and finishing in time); ``"readiness"`` maximises the
   weighted readiness gained: per facility, its weight times the catalog weight of the steps left
   (partial progress deducted). Among equally good choices the cheaper one wins; among equally
   cheap ones, facilities are taken in id order.
4. Constraints: the budget (VND); optionally IT staff-days per month and projects at once, each a
   capacity over the horizon from the start to the latest due date (staff-days: the effort of
   funded steps; projects: the duration of each funded plan and central step). Both are
   aggregate capacities: projects may pause and resume; they do not produce a timetable.
5. Exact (``scipy.optimize.milp``, HiGHS) when the number of distinct facility classes is at
   most ``exact_limit``; otherwise a greedy heuristic (every subset of up to 12 central steps,
   facilities by value per normalised resource use) whose gap to the linear-programming bound is
   reported. Facilities with equal plans (cost, effort, duration, central needs, value) form one
   class; the solver chooses how many of each class, the lowest ids first.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from readiness._model import Assessment, Facility
from readiness._plan import _NEVER, PlanTable, Range, Target, _date, plan_many, ranges_text
from readiness.errors import (
    MissingDependencyError,
    OptionError,
    UnknownCriterionError,
    UnknownFacilityError,
)

if TYPE_CHECKING:
    from readiness._catalog import Catalog
    from readiness._matrix import StatusMatrix
    from readiness._score import ScoreTable

__all__ = ["Allocation", "CentralStep", "Funding", "allocate"]

Objective = Literal["count", "readiness"]
Decision = Literal[
    "funded", "done", "not_funded", "cannot_meet", "not_applicable", "unreachable", "exempt"
]
#: Largest number of central steps whose subsets the heuristic tries one by one.
_SUBSETS = 12
#: Largest budget accepted (VND), as planning limits costs.
_MAX_VND = 1e18
_DAYS_PER_MONTH = 365.25 / 12


def _money(value: float) -> str:
    return f"{value / 1e6:,.0f} M VND"


def _money_span(low: float, likely: float, high: float) -> str:
    """``5-20 M VND (likely 10)``: a cost as a range (planning rule 9)."""
    return f"{low / 1e6:,.0f}-{high / 1e6:,.0f} M VND (likely {likely / 1e6:,.0f})"


def _count(number: int, noun: str) -> str:
    """``1 step``, ``2 steps``."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


# --------------------------------------------------------------------------- results


@attrs.frozen(kw_only=True)
class Funding:
    """The decision about one facility: funded or not, and why.

    Attributes
    ----------
    facility : Facility
    decision : str
        ``"funded"``, ``"done"`` (already meets the target), ``"not_funded"``, ``"cannot_meet"``
        (its plan finishes after the due date even if funded; objective ``"count"`` only),
        ``"not_applicable"`` (the target does not concern it), ``"unreachable"`` or
        ``"exempt"`` (a scenario exempted its class).
    meets_target : bool
        Done, or funded (and, for ``"count"``, finishing by the due date).
    cost_vnd : float
        Estimated cost of its own steps (central steps excluded), the likely value (the
        allocation is made on likely values).
    cost_vnd_low, cost_vnd_high : float
        The same at the steps' low and high estimates (planning rule 9).
    assumed_steps : int
        Its required steps whose effort or cost is assumed (planning rule 9).
    effort_days : int
        Effort of its own steps (days).
    steps : int
        Required steps, central ones included.
    central : tuple of str
        Central steps it needs.
    finish, due : datetime.date or None
        Planned finish (unlimited schedule, likely efforts) and the target's due date for it.
    finish_low, finish_high : datetime.date or None
        The planned finish at the low and high efforts (planning rule 9).
    value : float
        What funding it adds to the objective.
    reason : str
        Why it is funded or not, in one sentence.
    """

    facility: Facility
    decision: Decision
    meets_target: bool
    cost_vnd: float
    effort_days: int
    steps: int
    central: tuple[str, ...]
    finish: dt.date | None
    due: dt.date | None
    value: float
    reason: str
    cost_vnd_low: float = 0.0
    cost_vnd_high: float = 0.0
    assumed_steps: int = 0
    finish_low: dt.date | None = None
    finish_high: dt.date | None = None

    @property
    def funded(self) -> bool:
        """Whether the facility's steps are funded."""
        return self.decision == "funded"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (dates as ISO strings)."""
        return {
            "facility_id": self.facility.id,
            "kind": self.facility.kind,
            "region": self.facility.region,
            "decision": self.decision,
            "meets_target": self.meets_target,
            "cost_vnd_low": self.cost_vnd_low,
            "cost_vnd": self.cost_vnd,
            "cost_vnd_high": self.cost_vnd_high,
            "effort_days": self.effort_days,
            "steps": self.steps,
            "assumed_steps": self.assumed_steps,
            "central": list(self.central),
            "finish_low": self.finish_low.isoformat() if self.finish_low else None,
            "finish": self.finish.isoformat() if self.finish else None,
            "finish_high": self.finish_high.isoformat() if self.finish_high else None,
            "due": self.due.isoformat() if self.due else None,
            "value": self.value,
            "reason": self.reason,
        }


@attrs.frozen(kw_only=True)
class CentralStep:
    """A step done once for all facilities that need it."""

    criterion: str
    cost_vnd: float
    effort_days: int
    facilities: int  # facilities whose plan needs it
    funded: bool
    reason: str
    cost_vnd_low: float = 0.0  # low and high (a price given in central_cost has no spread)
    cost_vnd_high: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class Allocation:
    """The result of :func:`allocate`: what to fund, what it buys, and how sure the solver is.

    Attributes
    ----------
    target : Target
    objective : str
    budget_vnd : float
    spent_vnd : float
        Funded facilities' own steps plus funded central steps.
    value : float
        The objective reached: facilities meeting the target by their due date (``"count"``,
        those already done included) or readiness gained (``"readiness"``).
    bound : float
        An upper bound of the objective (equal to ``value`` when ``optimal``).
    method : str
        ``"exact"`` (mixed-integer programme) or ``"heuristic"``.
    optimal : bool
        The value is proven optimal.
    decisions : tuple of Funding
        One per facility, in input order.
    central : tuple of CentralStep
    staff_days, project_days : float or None
        Capacity used (when the option was given) and its limit.
    uncosted_steps : int
        Required steps without a cost estimate (counted as free; planning rule 4).
    spent_vnd_low, spent_vnd_high : float
        What the funded steps cost at their low and high estimates (planning rule 9); the
        choice itself is made on the likely values (``spent_vnd``).
    steps, assumed_steps : int
        The funded steps (each facility's own, each funded central step once) and those whose
        effort or cost is assumed (planning rule 9).
    """

    target: Target
    objective: Objective
    budget_vnd: float
    spent_vnd: float
    value: float
    bound: float
    method: Literal["exact", "heuristic"]
    optimal: bool
    decisions: tuple[Funding, ...]
    central: tuple[CentralStep, ...]
    staff_days: tuple[float, float] | None
    project_days: tuple[float, float] | None
    uncosted_steps: int
    spent_vnd_low: float = 0.0
    spent_vnd_high: float = 0.0
    steps: int = 0
    assumed_steps: int = 0

    def spending_text(self) -> str:
        """Say what the funded steps cost as a range with the assumed share (planning rule 9)."""
        return ranges_text(
            Range(self.spent_vnd_low, self.spent_vnd, self.spent_vnd_high),
            None,
            self.assumed_steps,
            self.steps,
        )

    @property
    def gap(self) -> float:
        """Relative gap to the bound: ``(bound - value) / bound`` (0 when optimal)."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.value) / self.bound)

    @property
    def funded(self) -> tuple[Funding, ...]:
        """The funded facilities, in input order."""
        return tuple(d for d in self.decisions if d.decision == "funded")

    @property
    def meeting(self) -> int:
        """Facilities that meet the target by their due date once the funded plans are done."""
        return sum(d.meets_target for d in self.decisions)

    def counts(self) -> dict[str, int]:
        """Return the number of facilities per decision."""
        out: dict[str, int] = {}
        for d in self.decisions:
            out[d.decision] = out.get(d.decision, 0) + 1
        return out

    def headline(self) -> str:
        """One sentence: what the budget buys, its cost as a range and the assumed share.

        When most funded steps use assumed values, the sentence says so first (planning rule
        9); the spending is never a bare total.
        """
        counts = self.counts()
        obliged = len(self.decisions) - counts.get("not_applicable", 0) - counts.get("exempt", 0)
        how = "optimal" if self.optimal else f"heuristic, within {self.gap:.2%} of the bound"
        spending = self.spending_text() if self.steps else "nothing"
        first = ""
        if spending.startswith("mostly assumed values"):
            first, spending = spending.split(": ", 1)
            first += ": "
        return (
            f"{first}{_money(self.budget_vnd)} funds {counts.get('funded', 0):,} facilities "
            f"and {_count(sum(c.funded for c in self.central), 'central step')}: "
            f"{self.meeting:,} of {obliged:,} facilities meet the target "
            f"({counts.get('done', 0):,} already did; {how}); spending: {spending}"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per facility."""
        return [d.to_dict() for d in self.decisions]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: totals, central steps and every decision."""
        return {
            "target": str(self.target.describe()),
            "objective": self.objective,
            "budget_vnd": self.budget_vnd,
            "spent_vnd_low": self.spent_vnd_low,
            "spent_vnd": self.spent_vnd,
            "spent_vnd_high": self.spent_vnd_high,
            "steps": self.steps,
            "assumed_steps": self.assumed_steps,
            "value": self.value,
            "bound": self.bound,
            "gap": self.gap,
            "method": self.method,
            "optimal": self.optimal,
            "meeting": self.meeting,
            "counts": self.counts(),
            "staff_days": list(self.staff_days) if self.staff_days else None,
            "project_days": list(self.project_days) if self.project_days else None,
            "uncosted_steps": self.uncosted_steps,
            "estimates": "all costs, efforts and durations are estimates",
            "central": [c.to_dict() for c in self.central],
            "decisions": self.to_records(),
        }


# --------------------------------------------------------------------------- checks


def _check_amount(value: object, name: str, *, positive: bool = False) -> float:
    """Return a finite, non-negative number (VND, days); raise :class:`OptionError` if not."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise OptionError(f"{name} must be a number", key=name, value=value)
    number = float(value)
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        bound = "> 0" if positive else ">= 0"
        raise OptionError(f"{name} must be a finite number {bound}", key=name, value=value)
    if number > _MAX_VND:
        raise OptionError(f"{name} must be at most 10^18", key=name, value=value)
    return number


def _central_keys(
    table: PlanTable, central: Iterable[str], costs: Mapping[str, object] | None
) -> tuple[list[int], dict[int, float]]:
    """Kernel indices of central steps (catalog-marked and given) and their cost overrides."""
    catalog = table.catalog
    keys = list(catalog.criteria)
    index = {k: i for i, k in enumerate(_kernel_keys(table))}
    chosen = {index[k] for k in keys if catalog.criteria[k].central}
    if isinstance(central, str):
        central = [central]
    for name in central:
        if not isinstance(name, str):
            raise OptionError("central steps are criterion ids", key="central", value=name)
        chosen.add(index[_resolve(catalog, name, "central")])
    overrides: dict[int, float] = {}
    for name, cost in (costs or {}).items():
        i = index[_resolve(catalog, name, "central_cost")]
        if i not in chosen:
            raise OptionError(
                "central_cost names a step that is not central (mark it central = true or list "
                "it in central=)",
                key="central_cost",
                value=name,
            )
        overrides[i] = _check_amount(cost, f"central_cost[{name!r}]")
    return sorted(chosen), overrides


def _kernel_keys(table: PlanTable) -> tuple[str, ...]:
    from readiness._compile import compile_catalog  # noqa: PLC0415

    return compile_catalog(table.catalog).keys


def _resolve(catalog: Catalog, name: str, key: str) -> str:
    """Return the qualified criterion key of a full or (unique) short id."""
    if name in catalog.criteria:
        return name
    matches = [k for k in catalog.criteria if k.split(":", 1)[1] == name]
    if len(matches) == 1:
        return matches[0]
    hint = " (ambiguous: qualify it as catalog:id)" if matches else ""
    raise UnknownCriterionError(f"no such criterion in the catalog{hint}", key=key, value=name)


# --------------------------------------------------------------------------- the problem


@attrs.frozen(kw_only=True, eq=False)
class _Problem:
    """Facility classes and central steps as arrays (see rule 5)."""

    members: tuple[npt.NDArray[np.intp], ...]  # per class: rows, lowest id first
    count: npt.NDArray[np.float64]  # (K,)
    value: npt.NDArray[np.float64]  # (K,) per facility
    use: npt.NDArray[np.float64]  # (K, R) resources per facility: VND, staff-days, project-days
    needs: npt.NDArray[np.bool_]  # (K, M)
    central_use: npt.NDArray[np.float64]  # (M, R)
    capacity: npt.NDArray[np.float64]  # (R,)


@attrs.frozen(kw_only=True, eq=False)
class _Solution:
    units: npt.NDArray[np.int64]  # (K,)
    central: npt.NDArray[np.bool_]  # (M,)
    value: float
    bound: float
    optimal: bool


def _classes(
    ids: Sequence[str],
    candidates: npt.NDArray[np.intp],
    value: npt.NDArray[np.float64],
    use: npt.NDArray[np.float64],
    needs: npt.NDArray[np.bool_],
) -> tuple[tuple[npt.NDArray[np.intp], ...], npt.NDArray[np.intp]]:
    """Group candidate rows with equal value, resource use and central needs."""
    if len(candidates) == 0:
        return (), np.zeros(0, dtype=np.intp)
    keys = np.concatenate(
        [value[candidates, None], use[candidates], needs[candidates].astype(np.float64)], axis=1
    )
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(first, kind="stable")  # classes in order of their first member
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    inverse = rank[inverse]
    ident = np.array([ids[int(j)] for j in candidates], dtype=object)
    sorter = np.lexsort((ident.astype(str), inverse))
    bounds = np.searchsorted(inverse[sorter], np.arange(len(order) + 1))
    members = [candidates[sorter[bounds[k] : bounds[k + 1]]] for k in range(len(order))]
    return tuple(members), first[order]


def _solve_exact(problem: _Problem, time_limit: float) -> _Solution:
    """Mixed-integer programme: max value, then min cost at that value (rule 3)."""
    try:
        from scipy.optimize import Bounds, LinearConstraint, milp  # noqa: PLC0415
        from scipy.sparse import csr_array, hstack, vstack  # noqa: PLC0415
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        raise MissingDependencyError(
            "allocate needs scipy (it comes with scikit-learn): pip install scipy"
        ) from None
    k, m = problem.needs.shape
    used = problem.capacity < np.inf
    capacity = problem.capacity[used]
    scale = np.where(capacity > 0, capacity, 1.0)
    rows = [np.concatenate([problem.use[:, used], problem.central_use[:, used]]).T / scale[:, None]]
    upper = [capacity / scale]
    # linking (rule 2): the facilities of a class need its central steps funded
    link = hstack(
        [csr_array(problem.needs.T.astype(np.float64)), csr_array((m, m))], format="csr"
    ).tolil()
    for s in range(m):
        link[s, k + s] = -float((problem.count * problem.needs[:, s]).sum())
    matrix = vstack([csr_array(np.vstack(rows)), link.tocsr()], format="csr")
    rhs = np.concatenate([*upper, np.zeros(m)])
    bounds = Bounds(np.zeros(k + m), np.concatenate([problem.count, np.ones(m)]))
    integrality = np.ones(k + m)
    objective = np.concatenate([problem.value, np.zeros(m)])
    options = {"time_limit": time_limit, "disp": False}
    best = milp(
        -objective,
        constraints=LinearConstraint(matrix, -np.inf, rhs),
        bounds=bounds,
        integrality=integrality,
        options=options,
    )
    if best.x is None:  # pragma: no cover - x = 0 is always feasible
        raise OptionError("the allocation problem has no solution", key="budget")
    value = float(objective @ np.round(best.x))
    optimal = best.status == 0
    bound = (
        -float(best.mip_dual_bound) if getattr(best, "mip_dual_bound", None) is not None else value
    )
    cost = np.concatenate([problem.use[:, 0], problem.central_use[:, 0]])
    # second pass: the cheapest choice reaching that value (a tolerance absorbs float error)
    tolerance = 1e-9 * max(1.0, abs(value))
    second = milp(
        cost / max(1.0, float(cost.max(initial=0.0))),
        constraints=[
            LinearConstraint(matrix, -np.inf, rhs),
            LinearConstraint(objective[None, :], value - tolerance, np.inf),
        ],
        bounds=bounds,
        integrality=integrality,
        options=options,
    )
    x = np.round(second.x if second.x is not None else best.x)
    units = x[:k].astype(np.int64)
    central = x[k:] > 0.5
    # a central step nobody funded relies on is not bought
    central &= (problem.needs & (units > 0)[:, None]).any(axis=0)
    value = float(problem.value @ units)
    used = problem.use.T @ units + problem.central_use[central].sum(axis=0)
    if (used > problem.capacity * (1 + 1e-12) + 1e-9).any():  # pragma: no cover - solver tolerance
        # the solver's tolerance let a constraint slip after rounding: keep a feasible choice
        fallback = _solve_heuristic(problem)
        return attrs.evolve(fallback, bound=max(bound, fallback.bound), optimal=False)
    return _Solution(
        units=units, central=central, value=value, bound=max(bound, value), optimal=optimal
    )


def _lp_bound(problem: _Problem) -> float:
    """Return the linear relaxation's optimum: an upper bound of any allocation."""
    from scipy.optimize import linprog  # noqa: PLC0415
    from scipy.sparse import csr_array, hstack, vstack  # noqa: PLC0415

    k, m = problem.needs.shape
    used = problem.capacity < np.inf
    capacity = problem.capacity[used]
    scale = np.where(capacity > 0, capacity, 1.0)
    dense = np.concatenate([problem.use[:, used], problem.central_use[:, used]]).T / scale[:, None]
    link = hstack(
        [csr_array(problem.needs.T.astype(np.float64)), csr_array((m, m))], format="csr"
    ).tolil()
    for s in range(m):
        link[s, k + s] = -float((problem.count * problem.needs[:, s]).sum())
    matrix = vstack([csr_array(dense), link.tocsr()], format="csr")
    rhs = np.concatenate([capacity / scale, np.zeros(m)])
    upper = np.concatenate([problem.count, np.ones(m)])
    result = linprog(
        -np.concatenate([problem.value, np.zeros(m)]),
        A_ub=matrix,
        b_ub=rhs,
        bounds=np.stack([np.zeros(k + m), upper], axis=1),
        method="highs",
    )
    if result.status != 0:  # pragma: no cover - the relaxation is always feasible and bounded
        return float(problem.value @ problem.count)
    return float(-result.fun)


def _greedy(problem: _Problem, chosen: npt.NDArray[np.bool_]) -> tuple[float, float, Any]:
    """Fill the classes whose central needs are all in ``chosen``, best value per use first."""
    left = problem.capacity - problem.central_use[chosen].sum(axis=0)
    units = np.zeros(len(problem.count), dtype=np.int64)
    if (left < 0).any():
        return -1.0, math.inf, units
    eligible = ~(problem.needs & ~chosen[None, :]).any(axis=1) & (problem.value > 0)
    finite = np.isfinite(problem.capacity) & (problem.capacity > 0)
    weight = np.where(finite, 1.0 / np.where(finite, problem.capacity, 1.0), 0.0)
    load = problem.use @ weight  # normalised resource use per facility
    with np.errstate(divide="ignore"):
        density = np.where(load > 0, problem.value / load, np.inf)
    order = np.lexsort((problem.use[:, 0], -density))
    order = order[eligible[order]]
    remaining = order
    while len(remaining):
        fits = (problem.use[remaining] <= left + 1e-9 * np.abs(left)).all(axis=1)
        remaining = remaining[fits]
        if not len(remaining):
            break
        total = np.cumsum(problem.use[remaining] * problem.count[remaining, None], axis=0)
        whole = (total <= left + 1e-9 * np.abs(left)).all(axis=1)
        stop = len(whole) if whole.all() else int(np.argmin(whole))
        take = remaining[:stop]
        units[take] = problem.count[take].astype(np.int64)
        left = left - (problem.use[take] * problem.count[take, None]).sum(axis=0)
        if stop < len(remaining):
            k = remaining[stop]
            per = problem.use[k]
            with np.errstate(divide="ignore", invalid="ignore"):
                room = np.where(per > 0, np.floor((left + 1e-9 * np.abs(left)) / per), np.inf)
            n = int(min(room.min(), problem.count[k]))
            units[k] = n
            left = left - per * n
            remaining = remaining[stop + 1 :]
        else:
            remaining = remaining[stop:]
    value = float(problem.value @ units)
    cost = float(problem.use[:, 0] @ units + problem.central_use[chosen, 0].sum())
    return value, cost, units


def _solve_heuristic(problem: _Problem) -> _Solution:
    """Rule 5: greedy fills over every subset of central steps (or a greedy choice of them)."""
    m = problem.needs.shape[1]
    best: tuple[float, float, Any, Any] = (-1.0, math.inf, None, None)

    def consider(chosen: npt.NDArray[np.bool_]) -> None:
        nonlocal best
        value, cost, units = _greedy(problem, chosen)
        if (value, -cost) > (best[0], -best[1]):
            best = (value, cost, units, chosen)

    if m <= _SUBSETS:
        for bits in itertools.product((False, True), repeat=m):
            consider(np.array(bits, dtype=bool))
    else:
        chosen = np.zeros(m, dtype=bool)
        consider(chosen)
        improved = True
        while improved:
            improved = False
            current = best
            for s in np.flatnonzero(~chosen):
                trial = chosen.copy()
                trial[s] = True
                consider(trial)
            if best is not current:
                chosen = best[3].copy()
                improved = True
    units = best[2]
    central = best[3] & (problem.needs & (units > 0)[:, None]).any(axis=0)
    value = best[0]
    bound = max(_lp_bound(problem), value)
    return _Solution(
        units=units,
        central=central,
        value=value,
        bound=bound,
        optimal=bound - value <= 1e-9 * max(1.0, bound),
    )


def _check_options(
    *,
    objective: object,
    method: object,
    exact_limit: object,
    time_limit: object,
    staff_days_per_month: object,
    max_projects: object,
) -> float | None:
    """Check the allocation options (typed errors); return the staff-days per month."""
    if objective not in ("count", "readiness"):
        raise OptionError(
            "objective must be 'count' or 'readiness'", key="objective", value=objective
        )
    if method not in ("auto", "exact", "heuristic"):
        raise OptionError(
            "method must be 'auto', 'exact' or 'heuristic'", key="method", value=method
        )
    if isinstance(exact_limit, bool) or not isinstance(exact_limit, int) or exact_limit < 0:
        raise OptionError(
            "exact_limit must be a whole number >= 0", key="exact_limit", value=exact_limit
        )
    _check_amount(time_limit, "time_limit", positive=True)
    staff = (
        None
        if staff_days_per_month is None
        else _check_amount(staff_days_per_month, "staff_days_per_month")
    )
    if max_projects is not None and (
        isinstance(max_projects, bool) or not isinstance(max_projects, int) or max_projects < 1
    ):
        raise OptionError(
            "max_projects must be a whole number >= 1", key="max_projects", value=max_projects
        )
    return staff


# --------------------------------------------------------------------------- allocate


def allocate(
    catalog: Catalog,
    assessments: PlanTable | StatusMatrix | ScoreTable | Iterable[Assessment],
    target: Target | str,
    *,
    budget: float,
    objective: Objective = "count",
    central: Iterable[str] = (),
    central_cost: Mapping[str, float] | None = None,
    staff_days_per_month: float | None = None,
    max_projects: int | None = None,
    weights: Mapping[str, float] | None = None,
    start: dt.date | None = None,
    due: dt.date | None = None,
    estimates: Mapping[str, Mapping[str, float]] | None = None,
    method: Literal["auto", "exact", "heuristic"] = "auto",
    exact_limit: int = 2_000,
    time_limit: float = 20.0,
) -> Allocation:
    """Choose which facilities' plans to fund within a budget (``docs/decisions.md``).

    Parameters
    ----------
    catalog : Catalog
    assessments : PlanTable, StatusMatrix, ScoreTable or iterable of Assessment
        The facilities to choose among, or their plans (a :class:`PlanTable` made toward
        ``target``; ``start``, ``due`` and ``estimates`` must then be left out).
    target : Target or str
        What a facility must reach (see :class:`Target`).
    budget : float
        Money available (VND), >= 0.
    objective : {"count", "readiness"}
        Facilities meeting the target by their due date, or weighted readiness gained.
    central : iterable of str
        Steps done once for all, beyond those the catalog marks ``central = true``.
    central_cost : mapping, optional
        Cost (VND) of a central step; default: the largest per-facility estimate.
    staff_days_per_month : float, optional
        IT staff-days available per month over the horizon (start to the latest due date).
    max_projects : int, optional
        Projects (facility plans, central steps) in progress at once, on average over the horizon.
    weights : mapping, optional
        Facility id to weight (objective ``"readiness"``; default 1).
    start, due, estimates
        As for :func:`readiness.plan_many`.
    method : {"auto", "exact", "heuristic"}
        ``"auto"``: exact up to ``exact_limit`` facility classes.
    exact_limit : int
    time_limit : float
        Seconds the exact solver may take per pass; past it the best solution found is
        returned with ``optimal`` False and its bound.

    Returns
    -------
    Allocation

    Raises
    ------
    OptionError
        A negative, non-finite or non-numeric budget or capacity, an unknown objective or
        method, a capacity without a due date, options given with a PlanTable.
    UnknownCriterionError
        A central step that is not in the catalog.
    UnknownFacilityError
        A weight for a facility that is not among the assessments.

    Examples
    --------
    See ``docs/decisions.md`` for a worked example checked by doctest.
    """
    budget = _check_amount(budget, "budget")
    staff = _check_options(
        objective=objective,
        method=method,
        exact_limit=exact_limit,
        time_limit=time_limit,
        staff_days_per_month=staff_days_per_month,
        max_projects=max_projects,
    )
    if isinstance(assessments, PlanTable):
        if start is not None or due is not None or estimates is not None:
            raise OptionError(
                "start, due and estimates shape the plans: give them to plan_many, not with "
                "a PlanTable",
                key="assessments",
                value="PlanTable",
            )
        if assessments.catalog is not catalog:
            raise OptionError(
                "the plans were made with another catalog", key="assessments", value="PlanTable"
            )
        table = assessments
    else:
        goal = Target.parse(target, due=due) if isinstance(target, str) else target
        if due is not None and not isinstance(target, str):
            goal = attrs.evolve(goal, due=due)
        table = plan_many(catalog, assessments, goal, start=start, estimates=estimates, k=0)
    return _allocate(
        table,
        budget=budget,
        objective=objective,
        central=central,
        central_cost=central_cost,
        staff=staff,
        max_projects=max_projects,
        weights=weights,
        method=method,
        exact_limit=exact_limit,
        time_limit=time_limit,
    )


#: Columns summed together by :func:`_column_sums` (small temporaries, reused block by block).
_SUM_BLOCK = 8192


def _column_sums(
    *pairs: tuple[npt.NDArray[np.bool_], npt.NDArray[Any]],
) -> list[npt.NDArray[np.float64]]:
    """Per column, the sum of each ``values`` where ``mask`` holds, for (mask, values) pairs.

    Taken in blocks of columns, so that no temporary of the full (criteria, rows) size is made.
    """
    count = pairs[0][0].shape[1]
    out = [np.zeros(count) for _ in pairs]
    for lo in range(0, count, _SUM_BLOCK):
        hi = min(lo + _SUM_BLOCK, count)
        for total, (mask, values) in zip(out, pairs, strict=True):
            total[lo:hi] = np.where(mask[:, lo:hi], values[:, lo:hi], 0).sum(axis=0)
    return out


def _allocate(
    table: PlanTable,
    *,
    budget: float,
    objective: Objective,
    central: Iterable[str],
    central_cost: Mapping[str, float] | None,
    staff: float | None,
    max_projects: int | None,
    weights: Mapping[str, float] | None,
    method: str,
    exact_limit: int,
    time_limit: float,
    exempt: npt.NDArray[np.bool_] | None = None,
    exempt_reason: str = "",
) -> Allocation:
    from readiness._compile import compile_catalog  # noqa: PLC0415

    compiled = compile_catalog(table.catalog)
    facilities = [table.facilities[int(r)] for r in table.rows]
    ids = [f.id for f in facilities]
    n = len(facilities)
    central_rows, overrides = _central_keys(table, central, central_cost)
    weight = np.ones(n)
    if weights:
        position = {f: j for j, f in enumerate(ids)}
        for key, w in weights.items():
            if key not in position:
                raise UnknownFacilityError(
                    "weights name a facility that is not among the assessments",
                    key="weights",
                    value=key,
                )
            weight[position[key]] = _check_amount(w, f"weights[{key!r}]")
    required = table.required
    is_central = np.zeros(compiled.size, dtype=bool)
    is_central[central_rows] = True
    own = required & ~is_central[:, None]
    cost, cost_low, cost_high, assumed_own, assumed_all, effort = _column_sums(
        (own, table.cost),
        (own, table.cost_low),
        (own, table.cost_high),
        (own, table.assumed),
        (required, table.assumed),
        (own, table.effort),
    )
    days_range = table.finish_days  # (n, 3) low, likely, high finish (planning rule 9)
    finish = table.finish_day.astype(np.float64)
    start_day = table.start_day
    status = table.status
    if exempt is None:
        exempt = np.zeros(n, dtype=bool)
    planned = (status == "planned") & ~exempt
    due_day = table.target_due
    in_time = start_day + finish <= due_day  # _NEVER: no due date, always in time
    # central steps: keep those some planned facility needs
    needs_all = required[central_rows].T & planned[:, None]  # (n, m_all)
    keep = needs_all.any(axis=0)
    central_kept = [c for c, k in zip(central_rows, keep, strict=True) if k]
    needs = needs_all[:, keep]
    central_use_rows = []
    central_spread = []  # low and high price of each kept central step
    for c in central_kept:
        rows = required[c] & planned
        price = overrides.get(c, float(table.cost[c][rows].max(initial=0.0)))
        central_spread.append(
            (price, price)
            if c in overrides
            else (
                float(table.cost_low[c][rows].max(initial=0.0)),
                float(table.cost_high[c][rows].max(initial=0.0)),
            )
        )
        central_use_rows.append(
            [price, float(table.effort[c][rows].max(initial=0)), float(table.effort[c][rows].max())]
        )
    central_use = np.array(central_use_rows, dtype=np.float64).reshape(len(central_kept), 3)
    # value of funding each facility (rule 3)
    if objective == "count":
        value = np.ones(n)
        candidate = planned & in_time
    else:
        progress = np.where(required, table.partial, 0.0)
        gain = (compiled.weights[:, None] * required * (1.0 - progress)).sum(axis=0)
        value = weight * gain
        candidate = planned
    # capacities (rule 4)
    capacity = np.array([budget, np.inf, np.inf])
    horizon = None
    if staff is not None or max_projects is not None:
        dues = due_day[due_day < _NEVER]
        if not len(dues) and candidate.any():
            raise OptionError(
                "a capacity needs a horizon: no facility has a due date (give due=)",
                key="staff_days_per_month" if staff is not None else "max_projects",
            )
        last = int(dues.max()) if len(dues) else 0
        first = int(start_day[candidate].min()) if candidate.any() else last
        horizon = max(0, last - first)
        if staff is not None:
            capacity[1] = staff * horizon / _DAYS_PER_MONTH
        if max_projects is not None:
            capacity[2] = float(max_projects * horizon)
    use = np.stack([cost, effort, finish], axis=1)
    rows = np.flatnonzero(candidate)
    members, _ = _classes(ids, rows, value, use, needs)
    k = len(members)
    firsts = np.array([int(m[0]) for m in members], dtype=np.intp)
    problem = _Problem(
        members=members,
        count=np.array([len(m) for m in members], dtype=np.float64),
        value=value[firsts] if k else np.zeros(0),
        use=use[firsts] if k else np.zeros((0, 3)),
        needs=needs[firsts] if k else np.zeros((0, len(central_kept)), dtype=bool),
        central_use=central_use,
        capacity=capacity,
    )
    exact = method == "exact" or (method == "auto" and k <= exact_limit)
    if k == 0:
        solution = _Solution(
            units=np.zeros(0, dtype=np.int64),
            central=np.zeros(len(central_kept), dtype=bool),
            value=0.0,
            bound=0.0,
            optimal=True,
        )
    elif exact:
        solution = _solve_exact(problem, time_limit)
    else:
        solution = _solve_heuristic(problem)
    funded = np.zeros(n, dtype=bool)
    for members_k, units in zip(members, solution.units, strict=True):
        funded[members_k[: int(units)]] = True
    central_funded = solution.central
    spent = float(cost[funded].sum() + central_use[central_funded, 0].sum())
    spread = np.array(central_spread, dtype=np.float64).reshape(len(central_kept), 2)
    spent_low = float(cost_low[funded].sum() + spread[central_funded, 0].sum())
    spent_high = float(cost_high[funded].sum() + spread[central_funded, 1].sum())
    funded_central_rows = [c for c, f in zip(central_kept, central_funded, strict=True) if f]
    steps_funded = int((own[:, funded]).sum()) + len(funded_central_rows)
    assumed_funded = int(assumed_own[funded].sum()) + sum(
        bool((table.assumed[c] & required[c] & funded).any()) for c in funded_central_rows
    )
    left = capacity - use[funded].sum(axis=0) - central_use[central_funded].sum(axis=0)
    # the decisions and their reasons
    names = ("VND", "staff-days", "project-days")
    central_keys = [compiled.keys[c] for c in central_kept]
    all_central_keys = [compiled.keys[c] for c in central_rows]
    decisions = []
    done_value = 0.0
    finish_days = finish.astype(np.int64)  # finish_day is computed over the table: read once
    has_steps: npt.NDArray[np.bool_] = np.asarray(required.any(axis=0), dtype=bool)
    for j, facility in enumerate(facilities):
        due = _date(int(due_day[j])) if due_day[j] < _NEVER else None
        needs_j = tuple(compiled.keys[c] for c in central_rows if required[c, j])
        end = _date(int(start_day[j] + finish_days[j])) if has_steps[j] else None
        end_low, end_high = (
            (
                _date(int(start_day[j] + days_range[j, 0])),
                _date(int(start_day[j] + days_range[j, 2])),
            )
            if has_steps[j]
            else (None, None)
        )
        decision: Decision
        if exempt[j]:
            decision, meets = "exempt", False
            reason = f"exempted: {exempt_reason}" if exempt_reason else "exempted"
        elif status[j] == "done":
            decision, reason, meets = "done", "already meets the target", True
            if objective == "count":
                done_value += 1.0
        elif status[j] == "not_applicable":
            decision, reason, meets = "not_applicable", "the target does not apply to it", False
        elif status[j] == "unreachable":
            decision, meets = "unreachable", False
            reason = "the target cannot be reached (too few of its bundles apply)"
        elif not candidate[j]:
            decision, meets = "cannot_meet", False
            reason = f"cannot meet the due date even if funded: its plan finishes {end}, due {due}"
        elif funded[j]:
            decision, meets = "funded", True
            shared = f"; relies on central {', '.join(needs_j)}" if needs_j else ""
            # planning rule 9: cost and finish as ranges; the choice was made on the likely ones
            span = f"{end_low} to {end_high}, likely {end}"
            timing = (
                f"finishes {span}: {(due - end).days} days before its due date {due}"
                if due is not None and end is not None
                else f"finishes {span}"
            )
            reason = (
                f"funded: {_money_span(cost_low[j], cost[j], cost_high[j])} for "
                f"{_count(int(own[:, j].sum()), 'own step')}{shared}; {timing}"
            )
        else:
            decision, meets = "not_funded", False
            missing = [
                central_keys[s]
                for s in range(len(central_kept))
                if needs[j, s] and not central_funded[s]
            ]
            extra = sum(
                central_use[s]
                for s in range(len(central_kept))
                if needs[j, s] and not central_funded[s]
            )
            want = use[j] + (extra if missing else 0.0)
            short = [
                f"needs {want[r]:,.0f} {names[r]}, {max(left[r], 0.0):,.0f} left"
                if r
                else f"needs {_money(want[0])}, {_money(max(left[0], 0.0))} left"
                for r in range(3)
                if want[r] > left[r] + 1e-9 * abs(left[r])
            ]
            via = f" (with central {', '.join(missing)}, not funded)" if missing else ""
            if short:
                reason = f"not funded: {'; '.join(short)}{via}"
            elif value[j] <= 0:
                reason = "not funded: it adds nothing to the objective"
            else:  # pragma: no cover - an optimal or greedy fill takes what fits and counts
                reason = "not funded: a better combination uses the budget"
        decisions.append(
            Funding(
                facility=facility,
                decision=decision,
                meets_target=meets,
                cost_vnd=float(cost[j]),
                effort_days=int(effort[j]),
                steps=int(required[:, j].sum()),
                central=tuple(k for k in needs_j if k in all_central_keys),
                finish=end,
                due=due,
                value=float(value[j]) if candidate[j] else 0.0,
                reason=reason,
                cost_vnd_low=float(cost_low[j]),
                cost_vnd_high=float(cost_high[j]),
                assumed_steps=int(assumed_all[j]),
                finish_low=end_low,
                finish_high=end_high,
            )
        )
    central_steps = []
    for c in central_rows:
        key = compiled.keys[c]
        relying = int((required[c] & planned).sum())
        if key in central_keys:
            s = central_keys.index(key)
            is_funded = bool(central_funded[s])
            served = int((funded & required[c]).sum())
            reason = (
                f"funded once for the {served:,} funded facilities that need it"
                if is_funded
                else "not funded: the facilities that need it are not funded"
            )
            price, days = float(central_use[s, 0]), int(central_use[s, 1])
            price_low, price_high = (float(v) for v in spread[s])
        else:
            is_funded, price, days = False, 0.0, 0
            price_low = price_high = 0.0
            reason = "no planned facility needs it"
        central_steps.append(
            CentralStep(
                criterion=key,
                cost_vnd=price,
                effort_days=days,
                facilities=relying,
                funded=is_funded,
                reason=reason,
                cost_vnd_low=price_low,
                cost_vnd_high=price_high,
            )
        )
    total = solution.value + done_value
    uncosted = int((required & ~table.costed).sum())
    used = use[funded].sum(axis=0) + central_use[central_funded].sum(axis=0)
    return Allocation(
        target=table.target,
        objective=objective,
        budget_vnd=budget,
        spent_vnd=spent,
        value=total,
        bound=solution.bound + done_value,
        method="exact" if exact else "heuristic",
        optimal=solution.optimal,
        decisions=tuple(decisions),
        central=tuple(central_steps),
        staff_days=(float(used[1]), float(capacity[1])) if staff is not None else None,
        project_days=(float(used[2]), float(capacity[2])) if max_projects is not None else None,
        uncosted_steps=uncosted,
        spent_vnd_low=spent_low,
        spent_vnd_high=spent_high,
        steps=steps_funded,
        assumed_steps=assumed_funded,
    )
