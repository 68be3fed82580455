"""Benchmark of allocation and schedule risk (issue 13: province decisions).

Run from the repository root:

    .venv/bin/python benchmarks/bench_allocate.py            # the issue's sizes
    .venv/bin/python benchmarks/bench_allocate.py --quick    # 20,000 facilities, 2,000 x 1,000

Measured in one run (seconds, wall clock, median of 3 unless said):

1. the Bac Ninh example: ``allocate`` for the 1,318 facilities without beds (plans included),
   budget 10 bn VND, one central step; target at most 3 s;
2. ``allocate`` for 100,000 SYNTHETIC facilities (``readiness.synthetic``, seeded) toward the EMR
   milestone, due 31 Dec 2027, two central steps, a budget of what the cheaper half needs
   plus 25 bn VND: planning and choosing timed apart; target at most 30 s;
3. ``schedule_risk`` for 10,000 SYNTHETIC facilities x 1,000 draws (chunked) from the catalog's
   own ranges: target at most 10 s, with the process's peak memory before and after; one thread
   and the assumed ranges (the previous default) once each, for the ratios.

Each figure is printed with the previous one beside it (``PREVIOUS``: the first run of this
benchmark, 2026-12-05, load average 9 to 17, before plans were made in blocks and before the
Monte Carlo drew from the catalogs' own ranges) and the ratio; wall-clock and CPU seconds and the
load average are printed, because the 2 cores are shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import readiness  # noqa: E402
from readiness import synthetic  # noqa: E402
from readiness.io import read_assessments, read_facilities  # noqa: E402

EXAMPLE = ROOT / "examples" / "bac_ninh"
MILESTONE = "milestone:vn-emr:emr-live"
SIGN = "vn-emr:vn.tt13.sign.methods"
KCB = "vn-emr:vn.tt13.app.kcb_system"


#: (wall, CPU) seconds of the previous run (docs/decisions.md, "Performance", 2026-12-05).
PREVIOUS = {
    "bac-ninh": (0.60, 0.17),
    "plan_many": (50.98, 6.31),
    "choosing": (11.83, 2.18),
    "total": (62.81, 8.49),
    "mc": (38.09, 9.30),
}


def beside(key: str, wall: float, cpu: float) -> str:
    """``previous: 50.98 s wall, 6.31 s CPU; now 0.5x and 0.4x of it``."""
    old_wall, old_cpu = PREVIOUS[key]
    return (
        f"previous: {old_wall:.2f} s wall, {old_cpu:.2f} s CPU; now {wall / old_wall:.2f}x and "
        f"{cpu / old_cpu:.2f}x of it"
    )


CPU: list[float] = []  # CPU seconds of the last median_time call (median), for a loaded machine


def median_time(function, repeat: int) -> tuple[float, object]:
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[:] = [statistics.median(cpu)]
    return statistics.median(times), result


def load() -> str:
    """The machine's load average over one minute (other jobs share the 2 cores)."""
    try:
        return f"{Path('/proc/loadavg').read_text(encoding='utf-8').split()[0]}"
    except OSError:  # pragma: no cover - not Linux
        return "?"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bac_ninh() -> None:
    catalog = readiness.load_catalog(
        "vn-smart-hospital", layers=[str(EXAMPLE / "bn-emr-layer.toml")]
    )
    facilities = read_facilities(EXAMPLE / "facilities.csv", catalog=catalog)
    assessments = read_assessments(EXAMPLE / "assessments.csv", catalog, facilities)
    chosen = [a for a in assessments if a.date == dt.date(2026, 6, 30) and not a.facility.has_beds]
    target = readiness.Target.parse(MILESTONE, due=dt.date(2026, 12, 31))

    def run() -> readiness.Allocation:
        return readiness.allocate(
            catalog,
            chosen,
            target,
            budget=10e9,
            central=[SIGN],
            central_cost={SIGN: 2e9},
            start=dt.date(2026, 7, 1),
        )

    seconds, result = median_time(run, 3)
    assert isinstance(result, readiness.Allocation)
    print(
        f"\nBac Ninh example, {len(chosen):,} facilities without beds (SYNTHETIC 2026-06-30 round)"
    )
    print(
        f"  allocate (plans included), median of 3: {seconds:.2f} s wall, {CPU[0]:.2f} s CPU "
        f"(target <= 3 s; {beside('bac-ninh', seconds, CPU[0])}; load {load()})"
    )
    print(f"  {result.headline()}")


def large(size: int) -> None:
    catalog = readiness.load_catalog(["vn-smart-hospital"])
    matrix = synthetic.status_matrix(catalog, size, seed=21, date=dt.date(2026, 6, 30))
    target = readiness.Target.parse(MILESTONE, due=dt.date(2027, 12, 31))
    start = dt.date(2026, 7, 1)
    planning, table = median_time(
        lambda: readiness.plan_many(catalog, matrix, target, start=start, k=0), 1
    )
    planning_cpu = CPU[0]
    assert isinstance(table, readiness.PlanTable)
    costs = np.sort(np.where(table.required, table.cost, 0.0).sum(axis=0))
    budget = float(costs[: size // 2].sum()) + 25e9  # about half the facilities, and more
    options = {"central": [SIGN, KCB], "central_cost": {SIGN: 5e9, KCB: 20e9}}
    choosing, result = median_time(
        lambda: readiness.allocate(catalog, table, target, budget=budget, **options), 3
    )
    assert isinstance(result, readiness.Allocation)
    print(f"\nallocate, {size:,} SYNTHETIC facilities, {MILESTONE} due 2027-12-31")
    print(
        f"  plan_many (one run): {planning:.2f} s wall, {planning_cpu:.2f} s CPU "
        f"({beside('plan_many', planning, planning_cpu)})"
    )
    print(
        f"  choosing (median of 3): {choosing:.2f} s wall, {CPU[0]:.2f} s CPU "
        f"({beside('choosing', choosing, CPU[0])}); method {result.method}; load {load()}"
    )
    total, total_cpu = planning + choosing, planning_cpu + CPU[0]
    print(
        f"  plans + choosing: {total:.2f} s wall, {total_cpu:.2f} s CPU (target <= 30 s; "
        f"{beside('total', total, total_cpu)}); gap to the LP bound {result.gap:.3%}"
    )
    print(f"  {result.headline()}")


def monte_carlo(size: int, draws: int) -> None:
    catalog = readiness.load_catalog(["vn-smart-hospital"])
    matrix = synthetic.status_matrix(catalog, size, seed=22, date=dt.date(2026, 6, 30))
    table = readiness.plan_many(
        catalog, matrix, "vn-smart-hospital@3", start=dt.date(2026, 7, 1), k=0
    )
    cells = int(table.required.sum()) * draws
    before = peak_mib()
    seconds, risk = median_time(lambda: readiness.schedule_risk(table, draws=draws, seed=1), 3)
    assert isinstance(risk, readiness.ScheduleRisk)
    cpu = CPU[0]
    after = peak_mib()
    one, _ = median_time(lambda: readiness.schedule_risk(table, draws=draws, seed=1, workers=1), 1)
    one_cpu = CPU[0]
    assumed = readiness.assumed_ranges()
    old, _ = median_time(
        lambda: readiness.schedule_risk(table, draws=draws, seed=1, ranges=assumed), 1
    )
    old_cpu = CPU[0]
    province = risk.group("province", "all")
    print(
        f"\nschedule_risk, {size:,} SYNTHETIC facilities x {draws:,} draws ({cells:,} step-draws)"
    )
    print(
        f"  the catalog's ranges (default), 2 threads, median of 3: {seconds:.2f} s wall, "
        f"{cpu:.2f} s CPU (target <= 10 s; {beside('mc', seconds, cpu)}); load {load()}"
    )
    print(
        f"  1 thread: {one:.2f} s wall, {one_cpu:.2f} s CPU (2 threads {one / seconds:.2f}x "
        f"faster); assumed ranges (the previous default), 2 threads: {old:.2f} s wall, "
        f"{old_cpu:.2f} s CPU (ratio to the default {old / seconds:.2f})"
    )
    print(
        f"  peak memory of the process: {before:,.0f} MiB with the data and plans, "
        f"{after:,.0f} MiB after the Monte Carlo (chunks of at most 2^20 values)"
    )
    print(f"  province: P50 finish {province.finish_p50}, P90 {province.finish_p90}")
    print(f"  {risk.ranges_text()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("bac-ninh", "large", "mc"))
    args = parser.parse_args()
    print(f"readiness {readiness.__version__}; data SYNTHETIC except where said")
    if args.only in (None, "bac-ninh"):
        bac_ninh()
    if args.only in (None, "large"):
        large(20_000 if args.quick else 100_000)
    if args.only in (None, "mc"):
        monte_carlo(2_000 if args.quick else 10_000, 1_000)


if __name__ == "__main__":
    main()
