"""Benchmark of the scoring kernel (issue: scoring kernel).

Run from the repository root:

    .venv/bin/python benchmarks/bench_score.py            # full run (about 2-4 minutes)
    .venv/bin/python benchmarks/bench_score.py --quick    # smaller sizes, for a smoke test

All data is SYNTHETIC (readiness.synthetic, seeded). Figures printed, all measured in this run:

* score_many on 100,000 facilities with every built-in catalog loaded together (median of 5);
* the floor: one numpy pass over the same status matrix (np.count_nonzero, median of 25);
* building the status matrix, and within it the sparse index of its partial and
  not-applicable cells that every scoring call reuses (outside the timed kernel);
* the straightforward reference implementation (tests/oracle.py) per facility, on a sample;
* growth from 1,000 to 1,000,000 facility-assessments: a national history of 50,000 facilities x
  20 monthly rounds streamed one round at a time, with its peak memory (child process, VmHWM);
* a synthetic catalog of 2,000 criteria.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import readiness  # noqa: E402
from readiness import synthetic  # noqa: E402
from readiness._compile import compile_catalog  # noqa: E402
from readiness._matrix import NA, PARTIAL, Positions  # noqa: E402

BUILTINS = ["vn-smart-hospital", "himss-emram"]  # brings in vn-emr, vn-it-tt54, vn-infosec


def median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def big_catalog(size: int, seed: int = 1) -> Path:
    """Write a SYNTHETIC catalog of `size` criteria (5 levels, 10 domains, random DAG)."""
    rng = np.random.default_rng(seed)
    lines = [
        "# SYNTHETIC catalog for benchmarks (readiness benchmarks/bench_score.py)",
        "format = 1",
        "[catalog]",
        'id = "synthetic-big"',
        'title = { en = "Synthetic", vi = "Tổng hợp" }',
        'version = "1"',
    ]
    for d in range(10):
        lines += [f"[domains.d{d}]", f'title = {{ en = "D{d}", vi = "D{d}" }}']
    for n in range(1, 6):
        lines += ["[[level]]", f"number = {n}", f'title = {{ en = "L{n}", vi = "M{n}" }}']
    per_level = size // 5
    for i in range(size):
        level = min(i // per_level + 1, 5)
        lines += [
            "[[criterion]]",
            f'id = "c{i:05d}"',
            f'title = {{ en = "C{i}", vi = "C{i}" }}',
            f'domain = "d{rng.integers(10)}"',
            f"level = {level}",
            'source = { grade = "inferred" }',
        ]
        if i:
            parents = sorted(set(rng.integers(max(0, i - 200), i, size=int(rng.integers(0, 4)))))
            if parents:
                lines.append("requires = [" + ", ".join(f'"c{p:05d}"' for p in parents) + "]")
    path = Path(tempfile.mkdtemp()) / "synthetic-big.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def streamed_peak(facilities: int, rounds: int, *, details: bool = True) -> dict[str, float]:
    """Score a national history (`facilities` x `rounds` monthly assessments, one round per
    chunk) in a child process; return the time and the peak resident memory."""
    code = f"""
import datetime as dt, json, resource, time, sys
sys.path.insert(0, {str(ROOT)!r})
import readiness
from readiness import synthetic
catalog = readiness.load_catalog({BUILTINS!r})
dates = [dt.date(2025 + m // 12, m % 12 + 1, 1) for m in range({rounds})]
start = time.perf_counter()
table = readiness.score_many(
    catalog, synthetic.history_chunks(catalog, {facilities}, dates, seed=11), details={details}
)
seconds = time.perf_counter() - start
# VmHWM is this process's own peak (ru_maxrss would include the parent's, kept across exec)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"rows": len(table), "seconds": seconds, "peak_mib": peak / 1024}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args()
    size = 20_000 if args.quick else 100_000

    catalog = readiness.load_catalog(BUILTINS)
    print(f"readiness {readiness.__version__}; catalogs: {dict(catalog.versions)}")
    print(f"criteria in the loaded set: {len(catalog)}; data: SYNTHETIC (readiness.synthetic)")
    start = time.perf_counter()
    matrix = synthetic.status_matrix(catalog, size, seed=1, date=dt.date(2026, 6, 30))
    built = time.perf_counter() - start
    print(f"building the synthetic status matrix of {size:,} facilities: {built:.2f} s")
    compiled = compile_catalog(catalog)
    index = median_time(
        lambda: (
            Positions.find(compiled, matrix.codes, PARTIAL, matrix.progress),
            Positions.find(compiled, matrix.codes, NA),
        ),
        5,
    )
    print(
        f"  of which the index of partial and not-applicable cells, made once per matrix and "
        f"used by every scoring call (median of 5): {index * 1e3:.1f} ms"
    )

    readiness.score_many(catalog, matrix)  # warm-up (compiles the catalog)
    kernel = median_time(lambda: readiness.score_many(catalog, matrix), 5)
    floor = median_time(lambda: np.count_nonzero(matrix.codes), 25)
    print(f"\nscore_many, {size:,} facilities (median of 5): {kernel:.3f} s")
    print(f"floor, np.count_nonzero over the same matrix (median of 25): {floor * 1e3:.2f} ms")
    print(f"kernel / floor: {kernel / floor:.0f}x")

    from tests.oracle import oracle

    sample = matrix.to_assessments()[:300]
    start = time.perf_counter()
    for assessment in sample:
        oracle(catalog, assessment)
    per_reference = (time.perf_counter() - start) / len(sample)
    per_kernel = kernel / size
    print(
        f"reference implementation: {per_reference * 1e3:.2f} ms per facility "
        f"(mean over {len(sample)}); kernel: {per_kernel * 1e6:.2f} us per facility; "
        f"kernel is {per_reference / per_kernel:,.0f}x faster per facility"
    )

    print("\ngrowth with the number of facilities (in memory, median of 3):")
    for count in (1_000, 10_000, 100_000) if not args.quick else (1_000, 10_000):
        sub = synthetic.status_matrix(catalog, count, seed=2)
        seconds = median_time(lambda sub=sub: readiness.score_many(catalog, sub), 3)
        print(f"  {count:>9,} facilities: {seconds:.3f} s ({seconds / count * 1e6:.2f} us each)")
    facilities, rounds = (20_000, 10) if args.quick else (50_000, 20)
    for details in (True, False):
        streamed = streamed_peak(facilities, rounds, details=details)
        print(
            f"  {facilities * rounds:>9,} facility-assessments ({facilities:,} facilities x "
            f"{rounds} monthly rounds, one round per chunk, details={details}): "
            f"{streamed['seconds']:.2f} s (generation included), "
            f"peak memory {streamed['peak_mib']:.0f} MiB"
        )

    big = readiness.load_catalog(big_catalog(2_000))
    count = 2_000 if args.quick else 10_000
    sub = synthetic.status_matrix(big, count, seed=3)
    readiness.score_many(big, sub)
    seconds = median_time(lambda: readiness.score_many(big, sub), 3)
    print(
        f"\nsynthetic catalog of {len(big):,} criteria, {count:,} facilities: {seconds:.3f} s "
        f"({seconds / count * 1e6:.1f} us per facility, {seconds / count / len(big) * 1e9:.1f} ns "
        "per facility-criterion)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmax RSS of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
