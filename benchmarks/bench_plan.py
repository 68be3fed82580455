"""Benchmark of next steps and plans for many facilities (issue: next steps and roadmaps).

Run from the repository root:

    .venv/bin/python benchmarks/bench_plan.py            # 100,000 facilities (about 1-2 minutes)
    .venv/bin/python benchmarks/bench_plan.py --quick    # 20,000 facilities

All data is SYNTHETIC (readiness.synthetic, seeded). Measured in this run: plan_many (plans and the
top-5 next steps of every facility) toward level 3 of the smart-hospital catalog with every
built-in catalog loaded, median of 3; the same with a parallel limit and a yearly budget; and
calling `plan` once per facility on a sample, for the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import readiness  # noqa: E402
from readiness import synthetic  # noqa: E402

TARGET = "vn-smart-hospital@3"


def median_time(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    size = 20_000 if args.quick else 100_000
    catalog = readiness.load_catalog(["vn-smart-hospital", "himss-emram"])
    print(f"readiness {readiness.__version__}; {len(catalog)} criteria; data: SYNTHETIC")
    matrix = synthetic.status_matrix(catalog, size, seed=21, date=dt.date(2026, 6, 30))
    start = dt.date(2026, 7, 1)

    seconds, table = median_time(
        lambda: readiness.plan_many(catalog, matrix, TARGET, start=start, k=5), 3
    )
    print(
        f"\nplan_many + next steps, {size:,} facilities, target {TARGET} "
        f"(median of 3): {seconds:.2f} s"
    )
    status = {s: int(n) for s, n in zip(*np.unique(table.status, return_counts=True), strict=True)}
    print(f"  plans by status: {status}")
    print(f"  steps planned in all: {int(table.required.sum()):,}")

    limited, _ = median_time(
        lambda: readiness.plan_many(
            catalog, matrix, TARGET, start=start, max_parallel=3, yearly_budget=3e9, k=5
        ),
        1,
    )
    print(f"  with max_parallel=3 and a yearly budget of 3 bn VND (one run): {limited:.2f} s")

    assessments = matrix.to_assessments()[:200]
    begin = time.perf_counter()
    for assessment in assessments:
        readiness.plan(catalog, assessment, TARGET, start=start)
        readiness.next_steps(catalog, assessment, TARGET, k=5)
    loop = (time.perf_counter() - begin) / len(assessments)
    print(
        f"\ncalling plan + next_steps per facility: {loop * 1e3:.1f} ms per facility "
        f"(mean over {len(assessments)}); plan_many: {seconds / size * 1e3:.3f} ms per facility; "
        f"plan_many is {loop / (seconds / size):,.0f}x faster per facility"
    )
    print(f"  (a loop over {size:,} facilities would take about {loop * size / 60:.0f} minutes)")

    # One real-looking roadmap: the first synthetic hospital with work left.
    for j in range(len(table)):
        facility = table.facilities[int(table.rows[j])]
        if facility.kind == "hospital" and str(table.status[j]) == "planned":
            print("\nOne roadmap (a SYNTHETIC hospital):")
            print(table.plan(j).explain())
            print("  next steps:")
            for step in table.next_steps(j):
                print(f"    {step.rank}. {step.criterion}: {step.reason}")
            break


if __name__ == "__main__":
    main()
