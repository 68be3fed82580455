"""Schedule risk: a seeded Monte Carlo of plans from low / likely / high ranges.

Rules (stated in full in ``docs/decisions.md``, section "Schedule risk"):

1. Each required step's duration and cost are drawn from a **triangular** distribution
   (low, likely, high), both from the **same two uniforms** (a step that runs long also tends to
   cost more). Ranges come from a *range source*: a function of the
   :class:`~readiness.PlanTable` returning :class:`Ranges`. The default,
   :func:`catalog_ranges`, takes each step's own low / likely / high effort and cost from the
   catalog's estimates for the facility's class (as the plan does, planning rule 9); a step
   without an effort estimate (the plan assumed ``default_effort_days``) gets low = 0.75 x and
   high = 1.5 x that effort, and a step without a cost estimate costs nothing known, as in the
   plan. Such steps' ranges are *assumed*; every result counts them
   (:attr:`ScheduleRisk.assumed_range_steps`) beside the steps whose values the catalog authors
   assumed (planning rule 9). :func:`assumed_ranges` (multiples of every step's likely value)
   stays available as an explicit choice.
2. Per draw the plan finishes with its **critical path** (planning rule 5, unlimited). With
   ``max_parallel`` P it finishes by ``CP + (W - CP) / P`` (W: the work of all steps), Graham's
   bound for any schedule that never leaves a crew idle while a step is ready: conservative, and
   never later when P grows. With ``yearly_budget`` B a plan whose drawn cost K needs
   ``ceil(K / B)`` budget years cannot finish before 1 January of its last budget year. Finish
   days are rounded up to whole days, as plans are.
3. A facility meets its due date in a draw when ``start + finish <= due + slack_days``; each
   catalog deadline is met when the last step it covers finishes by its date (plus the slack;
   under limits the plan's finish stands for it, conservatively); with no
   due date it always does; a facility already done always does; an unreachable plan (or one not
   funded, when an allocation is given) never does.
4. **Common random numbers**: the uniform draws of a facility come from a generator keyed by the
   seed and the facility id (central steps: by the seed and the step, shared by every facility in
   a draw), so two runs with the same seed and steps see the same draws whatever else changes;
   more slack, more parallelism or more budget can then never lower a probability, draw by draw.
5. Facilities are simulated in chunks of at most ``chunk_cells`` (steps x facilities x draws)
   values, so memory stays bounded whatever the number of facilities.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from readiness._plan import _NEVER, PlanTable, _date, _plan_compiled
from readiness.errors import OptionError, UnknownCriterionError

if TYPE_CHECKING:
    from readiness._allocate import Allocation
    from readiness._model import Facility

__all__ = [
    "GroupRisk",
    "Ranges",
    "ScheduleRisk",
    "assumed_ranges",
    "catalog_ranges",
    "schedule_risk",
]

F64 = npt.NDArray[np.float64]
_EPOCH = np.datetime64("1970-01-01", "D")


@attrs.frozen(kw_only=True, eq=False)
class Ranges:
    """Low, likely and high duration (days) and cost (VND) of every step of every plan.

    Each array is (criteria, rows) in the plan table's order; only required steps are read.
    ``label`` says where the ranges come from (shown in every result); ``assumed`` marks the
    steps whose range is assumed rather than the catalog's (None: every step's is).
    """

    effort: tuple[F64, F64, F64]
    cost: tuple[F64, F64, F64]
    label: str
    assumed: npt.NDArray[np.bool_] | None = None


RangeSource = Callable[[PlanTable], Ranges]


def _check_multiples(low: object, high: object, name: str) -> tuple[float, float]:
    if (
        isinstance(low, bool)
        or isinstance(high, bool)
        or not (isinstance(low, int | float) and isinstance(high, int | float))
        or not (0 <= low <= 1 <= high < math.inf)
    ):
        raise OptionError(
            f"{name} needs 0 <= low <= 1 <= high (multiples of the estimate)",
            key="ranges",
            value=(low, high),
        )
    return float(low), float(high)


def catalog_ranges(low: float = 0.75, high: float = 1.5) -> RangeSource:
    """Return the default range source: each step's low / likely / high from the catalog.

    Effort and cost ranges are the plan table's own (``effort_low`` / ``effort`` /
    ``effort_high``, ``cost_low`` / ``cost`` / ``cost_high``: the estimate for the facility's
    class, or the user's override, with partial progress deducted; planning rules 4 and 9). A
    step whose effort has no estimate (the plan assumed ``default_effort_days``) gets ``low`` x
    and ``high`` x that effort; a step without a cost estimate costs 0, as in the plan. Both
    kinds of step have an *assumed* range (:attr:`Ranges.assumed`), counted in every result.

    Parameters
    ----------
    low, high : float
        Multiples of the assumed effort for steps without an estimate (0 <= low <= 1 <= high).

    Examples
    --------
    >>> import datetime as dt, readiness
    >>> catalog = readiness.load_catalog("docs/decisions-example.toml")
    >>> facility = readiness.Facility(id="D", kind="commune_station", ownership="public")
    >>> record = readiness.Assessment(
    ...     facility=facility,
    ...     date=dt.date(2026, 1, 1),
    ...     records={"alloc:db": "met", "alloc:emr": "met"},
    ... )
    >>> plans = readiness.plan_many(catalog, [record], "alloc@1")
    >>> ranges = catalog_ranges()(plans)
    >>> step = plans.required[:, 0]  # the one step left: net, 20 days, no spread in this catalog
    >>> [float(v[step, 0][0]) for v in ranges.effort], bool(ranges.assumed[step, 0][0])
    ([20.0, 20.0, 20.0], False)
    """
    low, high = _check_multiples(low, high, "catalog_ranges")

    def source(table: PlanTable) -> Ranges:
        estimated = table.estimated
        effort = table.effort.astype(np.float64)
        effort_low = np.where(estimated, table.effort_low, effort * low)
        effort_high = np.where(estimated, table.effort_high, effort * high)
        cost = table.cost.astype(np.float64)
        return Ranges(
            effort=(effort_low, effort, effort_high),
            cost=(np.minimum(table.cost_low, cost), cost, np.maximum(table.cost_high, cost)),
            label=(
                "the catalog's low / likely / high estimates per step; steps without an "
                f"estimate: ASSUMED low {low:g} x, high {high:g} x the assumed effort"
            ),
            assumed=~(estimated & table.costed),
        )

    return source


def assumed_ranges(low: float = 0.75, high: float = 1.5) -> RangeSource:
    """Return a range source: low and high as multiples of each step's likely estimate.

    Every step's range is then assumed (the label says so); use it to ask "what if every
    estimate were off by this much" rather than the catalog's own ranges
    (:func:`catalog_ranges`, the default).
    """
    low, high = _check_multiples(low, high, "assumed_ranges")

    def source(table: PlanTable) -> Ranges:
        effort = table.effort.astype(np.float64)
        cost = table.cost.astype(np.float64)
        return Ranges(
            effort=(effort * low, effort, effort * high),
            cost=(cost * low, cost, cost * high),
            label=f"ASSUMED ranges: low {low:g} x, high {high:g} x each estimate",
        )

    return source


@attrs.frozen(kw_only=True)
class GroupRisk:
    """Risk rolled up over a group of facilities (the province, a region or a kind)."""

    by: str  # "province", or the attribute ("region", "kind")
    key: str
    facilities: int
    expected_meeting: float  # mean number of facilities meeting their due date
    meeting_p10: int  # 10th, 50th, 90th percentile of that number
    meeting_p50: int
    meeting_p90: int
    p_all: float  # probability that every facility of the group meets its due date
    finish_p50: dt.date | None  # the day the group's last plan finishes, 50th / 90th percentile
    finish_p90: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        data = attrs.asdict(self)
        for name in ("finish_p50", "finish_p90"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


@attrs.frozen(kw_only=True, eq=False)
class ScheduleRisk:
    """The result of :func:`schedule_risk`.

    ``p_meet``, ``finish_p50``, ``finish_p90`` and ``mean_finish`` are arrays over the plan
    table's rows (finish in days after each row's start; NaN where there is no plan to run);
    ``meeting`` is the number of facilities meeting their due date in each draw (province);
    ``deadlines`` maps each catalog deadline (``catalog:deadline``) to the probability, per row,
    that the last step it covers finishes by its date (NaN where it covers no step of the row).
    ``steps`` counts the required steps of the simulated plans; ``assumed_range_steps`` those
    whose range is assumed (no estimate in the catalog, see :func:`catalog_ranges`; every step
    under :func:`assumed_ranges`); ``assumed_steps`` those whose effort or cost the catalog
    authors assumed (planning rule 9). :meth:`ranges_text` says all three.
    """

    facilities: tuple[Facility, ...]
    status: npt.NDArray[np.str_]
    start_day: npt.NDArray[np.int64]
    due_day: npt.NDArray[np.int64]
    p_meet: F64
    finish_p50: F64
    finish_p90: F64
    mean_finish: F64
    meeting: npt.NDArray[np.int64]
    deadlines: Mapping[str, F64]
    groups: tuple[GroupRisk, ...]
    draws: int
    seed: int
    ranges: str
    steps: int
    assumed_range_steps: int
    assumed_steps: int

    @property
    def assumed_range_share(self) -> float | None:
        """Share of the simulated steps whose range is assumed (None when no step ran)."""
        return self.assumed_range_steps / self.steps if self.steps else None

    @property
    def assumed_share(self) -> float | None:
        """Share of the simulated steps whose values the catalog authors assumed (rule 9)."""
        return self.assumed_steps / self.steps if self.steps else None

    def ranges_text(self) -> str:
        """Say where the ranges come from and how many are assumed (most assumed: said first).

        Examples
        --------
        >>> import datetime as dt, readiness
        >>> catalog = readiness.load_catalog("docs/decisions-example.toml")
        >>> facility = readiness.Facility(id="D", kind="commune_station", ownership="public")
        >>> record = readiness.Assessment(facility=facility, date=dt.date(2026, 1, 1))
        >>> plans = readiness.plan_many(catalog, [record], "alloc@1")
        >>> print(schedule_risk(plans, draws=10).ranges_text())
        mostly assumed values (3 of 3 steps, 100%): ranges: the catalog's low / likely / high estimates per step; steps without an estimate: ASSUMED low 0.75 x, high 1.5 x the assumed effort; assumed ranges: 0 of 3 steps (0%); values the catalog authors assumed: 3 of 3 steps (100%)
        """  # noqa: E501
        if not self.steps:
            return f"ranges: {self.ranges}; no step simulated"
        n = self.steps
        ranged, valued = self.assumed_range_steps, self.assumed_steps
        text = (
            f"ranges: {self.ranges}; assumed ranges: {ranged:,} of {n:,} steps ({ranged / n:.0%}); "
            f"values the catalog authors assumed: {valued:,} of {n:,} steps ({valued / n:.0%})"
        )
        if 2 * ranged > n:
            return f"mostly assumed ranges ({ranged:,} of {n:,} steps, {ranged / n:.0%}): {text}"
        if 2 * valued > n:
            return f"mostly assumed values ({valued:,} of {n:,} steps, {valued / n:.0%}): {text}"
        return text

    def facility(self, j: int) -> dict[str, Any]:
        """Return row ``j`` as plain data: probability of meeting, P50 and P90 finish dates."""
        start = int(self.start_day[j])
        due = int(self.due_day[j])

        def day(value: float) -> str | None:
            return None if math.isnan(value) else _date(start + int(value)).isoformat()

        return {
            "facility_id": self.facilities[j].id,
            "kind": self.facilities[j].kind,
            "region": self.facilities[j].region,
            "status": str(self.status[j]),
            "due": _date(due).isoformat() if due < _NEVER else None,
            "p_meet": float(self.p_meet[j]),
            "finish_p50": day(float(self.finish_p50[j])),
            "finish_p90": day(float(self.finish_p90[j])),
            "deadlines": {
                key: float(values[j])
                for key, values in self.deadlines.items()
                if not math.isnan(float(values[j]))
            },
        }

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per row (see :meth:`facility`)."""
        return [self.facility(j) for j in range(len(self.facilities))]

    def group(self, by: str, key: str) -> GroupRisk:
        """Return the roll-up of one group (``by="province", key="all"`` for the province)."""
        for g in self.groups:
            if (g.by, g.key) == (by, key):
                return g
        raise OptionError("no such group in this result", key="group", value=(by, key))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: settings, groups and every facility."""
        return {
            "draws": self.draws,
            "seed": self.seed,
            "ranges": self.ranges,
            "steps": self.steps,
            "assumed_range_steps": self.assumed_range_steps,
            "assumed_range_share": self.assumed_range_share,
            "assumed_steps": self.assumed_steps,
            "assumed_share": self.assumed_share,
            "groups": [g.to_dict() for g in self.groups],
            "facilities": self.to_records(),
        }


# --------------------------------------------------------------------------- checks


def _whole(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OptionError(
            f"{name} must be a whole number from {low:,} to {high:,}", key=name, value=value
        )
    return value


def _key(seed: int, text: str) -> int:
    """Return a 128-bit generator key from the seed and a text (stable across platforms)."""
    digest = hashlib.blake2b(f"{seed}\x00{text}".encode(), digest_size=16).digest()
    return int.from_bytes(digest, "little")


def _uniforms(seed: int, text: str, shape: tuple[int, ...]) -> npt.NDArray[np.uint16]:
    """Two 16-bit uniform integers per value (``(2, *shape)``), keyed by the seed and a text."""
    bits = np.random.SFC64(np.random.SeedSequence(_key(seed, text)))
    count = 2 * math.prod(shape)
    raw = np.asarray(bits.random_raw(-(-count // 4)), dtype=np.uint64)
    return raw.view(np.uint16)[:count].reshape(2, *shape)


def _triangular(
    smaller: npt.NDArray[np.uint16],
    larger: npt.NDArray[np.uint16],
    low: F64,
    likely: F64,
    high: F64,
) -> npt.NDArray[np.float32]:
    """Triangular(low, likely, high) values from the min and max of two uniforms.

    With U, V uniform on (0, 1) and c = (likely - low) / (high - low), ``(1 - c) min(U, V) +
    c max(U, V)`` is triangular on (0, 1) with mode c (Stein and Keblis, 2009): no square root
    and no branch, which matters as it runs over every simulated value. U and V are 16-bit
    (``(k + 0.5) / 65536``). Broadcasts ``low``, ``likely``, ``high`` over draws (last axis).
    """
    width = high - low
    scale = 1.0 / 65_536
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where(width > 0, (likely - low) / width, 0.0)
    base = (low + 0.5 * scale * width).astype(np.float32)[..., None]
    small = ((1.0 - cut) * width * scale).astype(np.float32)[..., None]
    large = (cut * width * scale).astype(np.float32)[..., None]
    out = smaller.astype(np.float32)
    out *= small
    other = larger.astype(np.float32)
    other *= large
    out += other
    out += base
    return out


# --------------------------------------------------------------------------- simulation


def _reduced_parents(table: PlanTable, steps: npt.NDArray[np.intp]) -> list[list[int]]:
    """Nearest prerequisites of each step among ``steps`` (through steps not in the set)."""
    plan = _plan_compiled(table.catalog)
    closure = np.zeros((len(steps), len(steps)), dtype=bool)  # [a, b]: b after a
    index = {int(c): i for i, c in enumerate(steps)}
    for i, c in enumerate(steps):  # sparse descendants: no criteria x criteria matrix
        below = [index[int(d)] for d in plan.descendants_of(int(c)) if int(d) in index]
        closure[i, below] = True
    through = (closure.astype(np.float32) @ closure.astype(np.float32)) > 0
    nearest = closure & ~through
    return [np.flatnonzero(nearest[:, b]).tolist() for b in range(len(steps))]


def _simulate_chunk(
    table: PlanTable,
    rows: npt.NDArray[np.intp],
    ranges: Ranges,
    central: set[int],
    central_u: dict[int, npt.NDArray[np.uint16]],
    *,
    draws: int,
    seed: int,
    max_parallel: int | None,
    yearly_budget: float | None,
    topo_rank: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.float64], dict[int, npt.NDArray[np.float64]]]:
    """Finish day (after each row's start) of each row in each draw: (rows, draws).

    Also, per catalog deadline covering a step of the chunk, the finish of the last step it
    covers (NaN for rows where it covers none); under limits, the plan's finish (conservative).
    """
    required = table.required[:, rows]
    steps = np.flatnonzero(required.any(axis=1))
    steps = steps[np.argsort(topo_rank[steps], kind="stable")]
    n = len(rows)
    if not len(steps):
        return np.zeros((n, draws)), {}
    # not zeroed: a step a row does not need has low = likely = high = 0, so its draw is 0
    u = np.empty((2, len(steps), n, draws), dtype=np.uint16)
    own = np.array([int(c) not in central for c in steps])
    for jj, j in enumerate(rows.tolist()):
        mine = required[:, jj][steps] & own
        count = int(mine.sum())
        if count:
            name = table.facilities[int(table.rows[j])].id
            u[:, mine, jj, :] = _uniforms(seed, f"facility\x00{name}", (count, draws))
    for s, c in enumerate(steps.tolist()):
        if c in central:
            u[:, s] = central_u[c][:, None, :]
    smaller = np.minimum(u[0], u[1])
    larger = np.maximum(u[0], u[1], out=u[1])
    del u
    req = required[steps]  # (S, n)
    low, likely, high = (np.where(req, x[steps][:, rows], 0.0) for x in ranges.effort)
    duration = _triangular(smaller, larger, low, likely, high)  # zero where a step is not required
    work = duration.sum(axis=0, dtype=np.float64) if max_parallel is not None else None
    # finish of each step, computed in place of its duration (each duration is read once)
    finish = duration
    for s, parents in enumerate(_reduced_parents(table, steps)):
        if not parents:
            continue
        if len(parents) == 1:
            finish[s] += finish[parents[0]]
            continue
        ready = np.maximum(finish[parents[0]], finish[parents[1]])
        for p in parents[2:]:
            np.maximum(ready, finish[p], out=ready)
        finish[s] += ready
    end = finish.max(axis=0).astype(np.float64)  # (n, draws)
    if work is not None and max_parallel is not None:
        end = end + (work - end) / max_parallel
    covered: dict[int, npt.NDArray[np.float64]] = {}
    deadline_of = _plan_compiled(table.catalog).deadline_of[steps]
    for d in np.unique(deadline_of[deadline_of >= 0]).tolist():
        mine = np.flatnonzero(deadline_of == d)  # only the steps it covers are read
        mask = req[mine]  # (covered steps, n)
        rows_covered = mask.any(axis=0)
        if max_parallel is not None or yearly_budget is not None:
            last = end.copy()
        else:
            last = np.where(mask[..., None], finish[mine], -np.inf).max(axis=0)
            last = last.astype(np.float64)
        last[~rows_covered] = np.nan
        covered[int(d)] = np.ceil(last - 1e-6)
    end = np.ceil(end - 1e-6)
    if yearly_budget is not None:
        clow, clikely, chigh = (x[steps][:, rows] for x in ranges.cost)
        clow, clikely, chigh = (np.where(req, x, 0.0) for x in (clow, clikely, chigh))
        cost = _triangular(smaller, larger, clow, clikely, chigh).sum(axis=0, dtype=np.float64)
        years = np.maximum(np.ceil(cost / yearly_budget - 1e-9), 1).astype(np.int64)
        start = table.start_day[rows]
        start_year = start.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
        last = start_year[:, None] + years - 1  # years since 1970
        gate = (
            last.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64) - start[:, None]
        )
        end = np.maximum(end, np.where(years > 1, gate, 0))
    result: npt.NDArray[np.float64] = end.astype(np.float64)
    if yearly_budget is not None:  # the gate holds for the plan, hence for what it covers
        for d, last in covered.items():
            covered[d] = np.where(np.isnan(last), np.nan, result)
    return result, covered


def schedule_risk(
    table: PlanTable,
    *,
    ranges: RangeSource | None = None,
    draws: int = 1_000,
    seed: int = 0,
    slack_days: int = 0,
    max_parallel: int | None = None,
    yearly_budget: float | None = None,
    central: Iterable[str] = (),
    allocation: Allocation | None = None,
    by: Sequence[str] = ("region", "kind"),
    chunk_cells: int = 2**20,
    workers: int = 2,
) -> ScheduleRisk:
    """Simulate every plan of ``table``: probability of meeting its due date, P50 and P90 finish.

    Parameters
    ----------
    table : PlanTable
        Plans from :func:`readiness.plan_many` (their due dates are the target's).
    ranges : callable, optional
        A range source (``table -> Ranges``); default :func:`catalog_ranges` (the catalog's
        own ranges; assumed multiples only for steps without an estimate).
    draws : int
        Draws per facility (1 to 100,000).
    seed : int
        Seed of the common random numbers (rule 4).
    slack_days : int
        Days added to every due date (a deadline moved later; negative: earlier).
    max_parallel : int, optional
        Steps of one plan in progress at once (rule 2).
    yearly_budget : float, optional
        Money (VND) one facility can spend per calendar year (rule 2).
    central : iterable of str
        Steps done once for all: one duration per draw, shared by every facility (and those the
        catalog marks ``central = true``).
    allocation : Allocation, optional
        Only funded facilities run their plans; the others (not done) never meet the date;
        exempted ones are left out of the roll-ups.
    by : sequence of str
        Facility attributes to roll up by, beside the whole province.
    chunk_cells : int
        Largest number of simulated values per chunk (rule 5).
    workers : int
        Threads simulating chunks at once (the result does not depend on it).

    Returns
    -------
    ScheduleRisk
    """
    draws = _whole(draws, "draws", 1, 100_000)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise OptionError("seed must be a whole number >= 0", key="seed", value=seed)
    slack_days = _whole(slack_days, "slack_days", -36_500, 36_500)
    if max_parallel is not None:
        max_parallel = _whole(max_parallel, "max_parallel", 1, 1_000_000)
    if yearly_budget is not None and (
        isinstance(yearly_budget, bool)
        or not isinstance(yearly_budget, int | float)
        or not 0 < yearly_budget < math.inf
    ):
        raise OptionError(
            "yearly_budget must be a number > 0", key="yearly_budget", value=yearly_budget
        )
    chunk_cells = _whole(chunk_cells, "chunk_cells", 1, 2**31)
    workers = _whole(workers, "workers", 1, 64)
    if isinstance(by, str):
        by = (by,)
    source = ranges if ranges is not None else catalog_ranges()
    if not callable(source):
        raise OptionError(
            "ranges must be a range source (table -> Ranges), such as catalog_ranges()",
            key="ranges",
            value=source,
        )
    values = source(table)
    from readiness._compile import compile_catalog  # noqa: PLC0415

    compiled = compile_catalog(table.catalog)
    central_set = {compiled.index[k] for k, c in table.catalog.criteria.items() if c.central}
    for name in [central] if isinstance(central, str) else central:
        key = name
        if key not in compiled.index:
            matches = [k for k in compiled.keys if k.split(":", 1)[1] == name]
            if len(matches) != 1:
                raise UnknownCriterionError(
                    "no such criterion in the catalog", key="central", value=name
                )
            key = matches[0]
        central_set.add(compiled.index[key])
    central_u = {
        c: _uniforms(seed, f"central\x00{compiled.keys[c]}", (draws,)) for c in central_set
    }
    topo_rank = np.empty(compiled.size, dtype=np.intp)
    topo_rank[compiled.topo] = np.arange(compiled.size)
    n = len(table)
    facilities = tuple(table.facilities[int(r)] for r in table.rows)
    status = table.status
    run = status == "planned"
    if allocation is not None:
        if len(allocation.decisions) != n:
            raise OptionError(
                "the allocation was made for other facilities", key="allocation", value=n
            )
        funded = np.array([d.decision == "funded" for d in allocation.decisions])
        run &= funded
        exempt = np.array([d.decision == "exempt" for d in allocation.decisions])
    else:
        exempt = np.zeros(n, dtype=bool)
    obliged = (status != "not_applicable") & ~exempt
    due = table.target_due
    finish = np.full(n, np.nan)
    p50 = np.full(n, np.nan)
    p90 = np.full(n, np.nan)
    mean = np.full(n, np.nan)
    p_meet = np.zeros(n)
    group_names: list[tuple[str, str]] = [("province", "all")]
    member: list[npt.NDArray[np.bool_]] = [obliged]
    for attribute in by:
        keys = [str(f.attribute_values().get(attribute, "")) for f in facilities]
        for value in sorted(set(keys)):
            group_names.append((attribute, value))
            member.append(np.array([k == value for k in keys]) & obliged)
    groups = np.stack(member) if member else np.zeros((0, n), dtype=bool)  # (G, n)
    meeting = np.zeros((len(groups), draws), dtype=np.int64)
    last_day = np.full((len(groups), draws), np.iinfo(np.int64).min, dtype=np.int64)
    # rows that do not run: done meets on its start day; the others never meet
    done = status == "done"
    p_meet[done] = 1.0
    finish[done] = 0.0
    p50[done] = p90[done] = mean[done] = 0.0
    meeting += (groups & done[None, :]).sum(axis=1)[:, None]
    if done.any():
        starts = np.where(done, table.start_day, np.iinfo(np.int64).min)
        last_day = np.maximum(
            last_day,
            (np.where(groups, starts[None, :], np.iinfo(np.int64).min)).max(axis=1)[:, None],
        )
    plan_data = _plan_compiled(table.catalog)
    deadline_day = table.deadline_day
    per_deadline = {d: np.full(n, np.nan) for d in range(len(plan_data.deadlines))}
    order = np.flatnonzero(run)
    if len(order):  # rows with the same steps side by side: chunks then share their steps
        _, same = np.unique(table.required[:, order].T, axis=0, return_inverse=True)
        order = order[np.argsort(same.reshape(-1), kind="stable")]
    chunks = []
    begin = 0
    while begin < len(order):
        most = max(1, chunk_cells // draws)
        window = table.required[:, order[begin : begin + most]].T
        union = np.logical_or.accumulate(window, axis=0).sum(axis=1)  # steps of the first k rows
        cells = union * np.arange(1, len(union) + 1) * draws
        size = max(1, int(np.searchsorted(cells, chunk_cells, side="right")))
        chunks.append(order[begin : begin + size])
        begin += size

    def simulate(
        rows: npt.NDArray[np.intp],
    ) -> tuple[npt.NDArray[np.float64], dict[int, npt.NDArray[np.float64]]]:
        return _simulate_chunk(
            table,
            rows,
            values,
            central_set,
            central_u,
            draws=draws,
            seed=seed,
            max_parallel=max_parallel,
            yearly_budget=yearly_budget,
            topo_rank=topo_rank,
        )

    # chunks are independent: two threads (numpy releases the GIL), at most 4 chunks in flight,
    # results taken in chunk order, so the outcome does not depend on the threads
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[npt.NDArray[np.intp], Future[Any]]] = deque()
        queue = iter(chunks)
        for rows in itertools.islice(queue, 2 * workers):
            pending.append((rows, pool.submit(simulate, rows)))
        while pending:
            rows, future = pending.popleft()
            end, covered = future.result()
            for d, last in covered.items():
                allowed = deadline_day[d, rows] - table.start_day[rows] + slack_days
                on_time = (last <= allowed[:, None]).mean(axis=1)
                per_deadline[d][rows] = np.where(np.isnan(last[:, 0]), np.nan, on_time)
            for more in itertools.islice(queue, 1):
                pending.append((more, pool.submit(simulate, more)))
            limit = np.where(
                due[rows] < _NEVER, due[rows] - table.start_day[rows] + slack_days, np.inf
            )
            meets = end <= limit[:, None]
            p_meet[rows] = meets.mean(axis=1)
            q = np.quantile(end, [0.5, 0.9], axis=1, method="inverted_cdf")
            p50[rows], p90[rows] = q[0], q[1]
            mean[rows] = end.mean(axis=1)
            sub = groups[:, rows]  # (G, r)
            meeting += sub.astype(np.int64) @ meets.astype(np.int64)
            absolute = (table.start_day[rows][:, None] + end).astype(np.int64)  # (r, draws)
            for index in np.flatnonzero(sub.any(axis=1)).tolist():
                here = absolute[sub[index]].max(axis=0)
                np.maximum(last_day[index], here, out=last_day[index])
    simulated = table.required & run[None, :]  # the steps of the plans that ran
    # unreachable or unfunded rows never finish: their group's last day is unknown
    never = (status == "unreachable") | ((status == "planned") & ~run)
    results = []
    for g, (name, key) in enumerate(group_names):
        count = int(groups[g].sum())
        counts = meeting[g]
        blocked = bool((groups[g] & never).any())
        days = last_day[g]
        has = not blocked and count > 0 and days.min() > np.iinfo(np.int64).min
        finish_q = np.quantile(days, [0.5, 0.9], method="inverted_cdf") if has else None
        results.append(
            GroupRisk(
                by=name,
                key=key,
                facilities=count,
                expected_meeting=float(counts.mean()),
                meeting_p10=int(np.quantile(counts, 0.1, method="inverted_cdf")),
                meeting_p50=int(np.quantile(counts, 0.5, method="inverted_cdf")),
                meeting_p90=int(np.quantile(counts, 0.9, method="inverted_cdf")),
                p_all=float((counts == count).mean()) if count else 1.0,
                finish_p50=_date(int(finish_q[0])) if finish_q is not None else None,
                finish_p90=_date(int(finish_q[1])) if finish_q is not None else None,
            )
        )
    return ScheduleRisk(
        facilities=facilities,
        status=status,
        start_day=table.start_day,
        due_day=due,
        p_meet=p_meet,
        finish_p50=p50,
        finish_p90=p90,
        mean_finish=mean,
        meeting=meeting[0],
        deadlines={
            plan_data.deadlines[d]: values
            for d, values in per_deadline.items()
            if not np.isnan(values).all()
        },
        groups=tuple(results),
        draws=draws,
        seed=seed,
        ranges=values.label,
        steps=int(simulated.sum()),
        assumed_range_steps=int(
            simulated.sum() if values.assumed is None else (simulated & values.assumed).sum()
        ),
        assumed_steps=int((simulated & table.assumed).sum()),
    )
