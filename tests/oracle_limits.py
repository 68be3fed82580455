"""The per-plan limited scheduler that planning rule 5 was first written as, kept as an oracle.

``readiness._plan`` schedules every plan with limits at once, step position by step position
with array operations. This module is the previous implementation: one Python loop per distinct
plan, straight from the rule's wording. Tests compare the two on random plans
(``tests/property/test_limits.py``) and ``benchmarks/bench_plan.py`` times both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from readiness._compile import Compiled
from readiness._plan import (
    Bool,
    Int,
    _date,
    _day,
    _Options,
    _PlanCompiled,
    _required_parents,
    _tail,
)


def limited(
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


def apply_limits(
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
            seen[signature] = limited(
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
