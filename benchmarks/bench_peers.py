"""Benchmark of peer analytics (issue: peer analytics with scikit-learn).

Run from the repository root:

    .venv/bin/python benchmarks/bench_peers.py            # 100,000 facilities (a few minutes)
    .venv/bin/python benchmarks/bench_peers.py --quick    # 10,000 facilities, a smoke test

All data is SYNTHETIC (readiness.synthetic, seeded), scored against every built-in catalog that
``vn-smart-hospital`` brings in (132 criteria, 23 domains). Figures printed, all measured here:

* importing scikit-learn (paid once per process by the first fit; reported apart);
* PeerGroups(n_groups=None).fit: features, diagonal Gaussian mixtures of 1..12 components on a
  5,000-row sample (the count chosen by BIC), every row assigned, descriptions;
* benchmark(table, groups=...): percentiles of the overall score and 23 domains within the peer
  group, kind, ownership, bed band and region (24 metrics x 5 cohorts);
* targets: peer groups + benchmarks <= 30 s; one facility's peer-informed suggestions after
  fitting (PeerAdvisor.suggest) <= 50 ms, median of 20 facilities;
* with 12 rounds of history (every six months; 1.2 million assessments at full size):
  PeerAdvisor.fit <= 60 s (first-met rounds and precedence counts from every assessment), and
  one facility's suggestions, ranked from the peers' histories, <= 50 ms (median and maximum of
  20 facilities).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import readiness  # noqa: E402
from readiness import synthetic  # noqa: E402
from readiness.peers import PeerAdvisor, PeerGroups, benchmark  # noqa: E402

GROUPS_TARGET_S = 30.0
SUGGEST_TARGET_MS = 50.0
HISTORY_FIT_TARGET_S = 60.0
ROUNDS = [
    dt.date(2021 + (i + 1) // 2, 12 if i % 2 == 0 else 6, 30 if i % 2 else 31) for i in range(12)
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 facilities")
    args = parser.parse_args()
    n = 10_000 if args.quick else 100_000
    print(f"SYNTHETIC DATA ({synthetic.LABEL})")
    catalog = readiness.load_catalog("vn-smart-hospital")
    start = time.perf_counter()
    matrix = synthetic.status_matrix(catalog, n, seed=1)
    made = time.perf_counter() - start
    start = time.perf_counter()
    table = readiness.score_many(catalog, matrix)
    scored = time.perf_counter() - start
    compiled = table.compiled
    print(
        f"{n:,} facilities x {compiled.size} criteria, {len(compiled.domains)} domains: "
        f"generated in {made:.1f} s, scored in {scored:.2f} s (not counted below)"
    )

    start = time.perf_counter()
    for module in ("sklearn.cluster", "sklearn.metrics", "sklearn.neighbors"):
        importlib.import_module(module)

    imported = time.perf_counter() - start
    print(f"import scikit-learn (once per process): {imported:.2f} s")

    start = time.perf_counter()
    groups = PeerGroups(random_state=0).fit(table)
    fitted = time.perf_counter() - start
    start = time.perf_counter()
    marks = benchmark(table, groups=groups)
    ranked = time.perf_counter() - start
    total = fitted + ranked
    print(
        f"PeerGroups.fit: {fitted:.2f} s ({groups.n_groups_} groups chosen by BIC, Schwarz "
        f"weight {groups.n_groups_confidence_}; {groups.n_features_in_} features)"
    )
    print(
        f"benchmark: {ranked:.2f} s ({len(marks.metrics)} metrics x {len(marks.cohorts)} cohorts)"
    )
    verdict = "OK" if total <= GROUPS_TARGET_S else "OVER TARGET"
    print(f"peer groups + benchmarks: {total:.2f} s (target <= {GROUPS_TARGET_S:.0f} s): {verdict}")
    start = time.perf_counter()
    five = PeerGroups(n_groups=5, random_state=0).fit(table)
    print(f"PeerGroups(n_groups=5).fit: {time.perf_counter() - start:.2f} s")
    for text in five.descriptions_:
        print(f"  {text}")

    start = time.perf_counter()
    advisor = PeerAdvisor(n_neighbors=10, catalog="vn-emr").fit(table)
    print(f"PeerAdvisor.fit: {time.perf_counter() - start:.2f} s")
    times = []
    step = max(1, n // 20)
    for j in range(0, 20 * step, step):
        start = time.perf_counter()
        result = advisor.suggest(table, j)
        times.append(time.perf_counter() - start)
    median_ms = 1000 * statistics.median(times)
    verdict = "OK" if median_ms <= SUGGEST_TARGET_MS else "OVER TARGET"
    print(
        f"PeerAdvisor.suggest, one facility: median {median_ms:.1f} ms, "
        f"max {1000 * max(times):.1f} ms over 20 facilities "
        f"(target <= {SUGGEST_TARGET_MS:.0f} ms): {verdict}"
    )
    print(f"  e.g. {result.facility.id}: {result.note}")
    if result.items:
        print(f"  {result.items[0].criterion}: {result.items[0].sentence}")
    del table, matrix, advisor, groups, five, marks
    history_part(catalog, n)


def history_part(catalog: readiness.Catalog, n: int) -> None:
    """Fit on 12 rounds of history and time suggestions ranked from the peers' histories."""
    start = time.perf_counter()
    rounds = synthetic.history_chunks(catalog, n, ROUNDS, seed=2)
    history = readiness.score_many(catalog, rounds)  # a stream: only the scores are kept
    print(
        f"\nhistory: {n:,} facilities x {len(ROUNDS)} rounds = {len(history):,} assessments, "
        f"generated and scored in {time.perf_counter() - start:.1f} s (not counted below)"
    )
    start = time.perf_counter()
    advisor = PeerAdvisor(n_neighbors=10, catalog="vn-emr").fit(history)
    fitted = time.perf_counter() - start
    verdict = "OK" if fitted <= HISTORY_FIT_TARGET_S else "OVER TARGET"
    print(
        f"PeerAdvisor.fit with history: {fitted:.2f} s "
        f"(target <= {HISTORY_FIT_TARGET_S:.0f} s): {verdict}"
    )
    latest = len(history) - n  # the last round: every facility's latest assessment
    times = []
    bases = []
    step = max(1, n // 20)
    for j in range(latest, latest + 20 * step, step):
        start = time.perf_counter()
        result = advisor.suggest(history, j)
        times.append(time.perf_counter() - start)
        bases.append(result.basis)
    median_ms = 1000 * statistics.median(times)
    worst_ms = 1000 * max(times)
    verdict = "OK" if worst_ms <= SUGGEST_TARGET_MS else "OVER TARGET"
    print(
        f"PeerAdvisor.suggest with history, one facility: median {median_ms:.1f} ms, "
        f"max {worst_ms:.1f} ms over 20 facilities ({bases.count('history')} ranked from "
        f"histories) (target <= {SUGGEST_TARGET_MS:.0f} ms): {verdict}"
    )
    start = time.perf_counter()
    by_id = advisor.suggest(history, result.facility.id)
    print(f"  by facility id instead of row: {1000 * (time.perf_counter() - start):.1f} ms")
    print(f"  e.g. {by_id.facility.id}: {by_id.note}")
    if by_id.items:
        print(f"  {by_id.items[0].criterion}: {by_id.items[0].sentence}")


if __name__ == "__main__":
    main()
