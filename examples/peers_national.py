"""Peer analytics on a SYNTHETIC national cohort with history (readiness.peers).

Run from the repository root (about 10 seconds):

    .venv/bin/python examples/peers_national.py

Every facility and assessment here is SYNTHETIC (readiness.synthetic, seeded): nothing describes a
real facility. The script

1. makes 5,000 facilities assessed every six months from December 2023 to June 2026;
2. groups the latest round into peer groups and prints one sentence per group;
3. benchmarks one public hospital within its peer group and cohorts;
4. prints its rule-based next steps toward EMR level 3 (paper-free) with, beside them, what its
   most similar facilities further along met first (learned from their histories), and the rule
   ranking with ties broken by peers;
5. forecasts when every facility reaches EMR level 2 and level 3 (paper-free) and counts, per
   deadline of the catalog, how many are projected to miss it.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import readiness
from readiness import synthetic
from readiness.peers import PeerAdvisor, PeerGroups, benchmark, forecast, rerank
from readiness.report import facility_report

SEED = 2026
FACILITIES = 5_000
ROUNDS = [
    dt.date(2023, 12, 31),
    *(dt.date(y, m, d) for y in (2024, 2025) for m, d in ((6, 30), (12, 31))),
    dt.date(2026, 6, 30),
]


def main() -> None:
    started = time.perf_counter()
    print("SYNTHETIC DATA: every facility and assessment below is generated (seeded);")
    print(f"  {synthetic.LABEL}")
    print()
    catalog = readiness.load_catalog("vn-smart-hospital")  # with vn-emr, vn-it-tt54, vn-infosec
    rounds = list(synthetic.history_chunks(catalog, FACILITIES, ROUNDS, seed=SEED))
    history = readiness.score_many(catalog, rounds)  # details: peers learn from every round
    latest = readiness.score_many(catalog, rounds[-1])
    print(
        f"Cohort: {FACILITIES:,} facilities, {len(ROUNDS)} rounds "
        f"({ROUNDS[0].isoformat()} to {ROUNDS[-1].isoformat()}), {len(history):,} assessments"
    )

    # ------------------------------------------------------------------ peer groups
    groups = PeerGroups(n_groups=None, random_state=SEED).fit(latest)
    print(
        f"\nPeer groups: {groups.n_groups_} chosen by BIC of a Gaussian mixture on a sample "
        f"(Schwarz weight {groups.n_groups_confidence_}; a smooth gradient, no planted groups)"
    )
    for text in groups.descriptions_:
        print(f"  {text}")
    five = PeerGroups(n_groups=5, random_state=SEED).fit(latest)
    print("Peer groups, five asked for:")
    for text in five.descriptions_:
        print(f"  {text}")

    # ------------------------------------------------------------------ one facility
    target = "vn-emr@3"
    plans = readiness.plan_many(catalog, latest, target, k=8)
    advisor = PeerAdvisor(n_neighbors=10, catalog="vn-emr").fit(history)  # with histories
    emr = forecast(history, "vn-emr", 2, deadline="vn-emr:emr")
    paper = forecast(history, "vn-emr", 3, deadline="vn-emr:paper-free")
    facilities = [latest.facility(j) for j in range(len(latest))]

    def shows_everything(j: int) -> bool:
        """A public hospital with a forecast and rule ties for peers to break."""
        f = facilities[j]
        if not (f.kind == "hospital" and f.ownership == "public"):
            return False
        if paper[f.id].status != "forecast":
            return False
        steps = plans.next_steps(j)
        reranked = rerank(steps, advisor.tie_breaker(latest, j, frontier=steps))
        return [s.criterion for s in reranked] != [s.criterion for s in steps]

    j = next(j for j in range(len(latest)) if shows_everything(j))
    print(f"\nOne facility: {facilities[j].name} ({facilities[j].id}, {facilities[j].beds} beds)")
    print(latest.score(j).explain())

    marks = benchmark(latest, groups=five)
    domains = ("overall", "vn-emr:application", "vn-emr:security")
    print("\nBenchmarks (percentile 0-100, ties counted half):")
    print(marks.facility(j).explain(metrics=domains))

    # ------------------------------------------------------------------ next steps
    steps = plans.next_steps(j)
    peers = advisor.suggest(latest, j, frontier=steps)
    by_key = {item.criterion: item for item in peers.items}
    print(f"\nNext steps toward {target}: the rules rank, peers inform ({peers.note})")
    for step in steps:
        print(f"  {step.rank}. {step.criterion}: {step.reason}")
        print(f"       peers: {by_key[step.criterion].sentence}")
    reranked = rerank(steps, advisor.tie_breaker(latest, j, frontier=steps))
    print("Rule ranking, ties (equal due date, unblocks, weight, effort, cost) broken by peers:")
    for step in reranked:
        print(f"  {step.rank}. {step.criterion}: {step.reason}")
    whole = advisor.suggest(latest, j)
    print("Whole frontier, ranked by what peers met first (beside the rules, not instead):")
    print(whole.explain(top=5))

    # ------------------------------------------------------------------ facility report
    report = facility_report(
        latest.score(j),
        plan=plans.plan(j),
        next_steps=steps,
        peers=latest,
        peer_steps=whole,
        catalog=catalog,
    )
    folder = Path(__file__).resolve().parent / "output"
    written = report.write(folder, f"facility-{facilities[j].id}", charts=False)
    print(f"Facility report with the peer view: {written['html']}")

    # ------------------------------------------------------------------ forecasts
    print("\nForecasts for this facility (Theil-Sen over its history, 90% interval):")
    print(f"  {emr[facilities[j].id].explain()}")
    print(f"  {paper[facilities[j].id].explain()}")
    shown = [f for f in emr if f.status == "forecast"][:3]
    refused = [f for f in emr if f.status != "forecast"][:3]
    print("Some others:")
    for item in shown + refused:
        print(f"  {item.explain()}")
    print("\nPortfolio (per deadline of the catalog, by facility class):")
    print(emr.explain())
    print(paper.explain())
    for forecasts in (emr, paper):
        misses = {s.deadline: s.projected_to_miss for s in forecasts.summary() if s.deadline}
        print(
            f"  projected to miss, level {forecasts.target_level}: "
            + ", ".join(f"{d.isoformat()}: {n:,}" for d, n in misses.items())
        )
    levels = latest.level[latest.catalog_row("vn-emr")]
    print(f"\nvn-emr levels in the latest round: {np.bincount(levels[levels >= 0]).tolist()}")
    print(f"(SYNTHETIC DATA; ran in {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
