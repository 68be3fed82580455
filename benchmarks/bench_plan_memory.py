"""Peak memory of planning one facility against very large catalogs (issue 10, item 15).

Run from the repository root:

    .venv/bin/python benchmarks/bench_plan_memory.py            # 100,000 criteria, 20,000 chain
    .venv/bin/python benchmarks/bench_plan_memory.py --quick    # 20,000 criteria, 5,000 chain

Each case runs in a fresh child process (so its peak resident memory is its own, read from
``getrusage(RUSAGE_CHILDREN)``): write a SYNTHETIC catalog of n criteria (no prerequisites, the
shape of ../shared/repro/outputs-and-inputs/08_resources.sh; or one chain of prerequisites), load
it, and plan one hospital with nothing met toward level 1, printing the plan's step count and
next steps. Before this change planning allocated a dense criteria x criteria float32 matrix: a
37 GiB request for 100,000 criteria, 1.6 GB for a 20,000 chain (the figures printed as
"previous" are that matrix alone: 4 bytes x n x n). The target: within 1 GiB.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    """
    import datetime as dt, sys, time
    sys.path.insert(0, {root!r})
    import readiness
    catalog = readiness.load_catalog({path!r})
    facility = readiness.Facility(id="h1", name="H", kind="hospital", ownership="public", beds=300)
    assessment = readiness.Assessment(facility=facility, date=dt.date(2026, 1, 1))
    begin = time.perf_counter()
    table = readiness.plan_many(catalog, [assessment], "big@1", k=5)
    plan = table[0]
    print(len(plan.steps), len(table.next_steps(0)), f"{{time.perf_counter() - begin:.1f}}")
    """
)


def catalog_text(n: int, *, chain: bool) -> str:
    lines = [
        "format = 1",
        "[catalog]",
        'id = "big"',
        'title = { en = "B", vi = "B" }',
        'version = "1"',
        "[sources.s]",
        'title = "s"',
        "[domains.d]",
        'title = { en = "D", vi = "D" }',
        "[[level]]",
        "number = 1",
        'title = { en = "L", vi = "L" }',
    ]
    for i in range(n):
        lines += [
            "[[criterion]]",
            f'id = "c{i}"',
            f'title = {{ en = "C{i}", vi = "C{i}" }}',
            'domain = "d"',
            "level = 1",
            'source = { ref = "s", grade = "primary" }',
        ]
        if chain and i:
            lines.append(f'requires = ["c{i - 1}"]')
    return "\n".join(lines) + "\n"


def run(n: int, *, chain: bool, folder: Path) -> None:
    path = folder / f"big-{n}-{'chain' if chain else 'flat'}.toml"
    path.write_text(catalog_text(n, chain=chain), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    begin = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), path=str(path))],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - begin
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    shape = "one chain" if chain else "no prerequisites"
    if done.returncode:
        print(f"{n:,} criteria, {shape}: FAILED\n{done.stderr.strip()[-2000:]}")
        return
    steps, nexts, plan_seconds = done.stdout.split()
    previous = 4 * n * n / 2**30
    gib = peak / 2**20
    print(
        f"{n:,} criteria, {shape}: peak {gib:.2f} GiB "
        f"(previous: the dense matrix alone {previous:.1f} GiB, ratio {previous / gib:,.0f}x); "
        f"{steps} steps, {nexts} next steps; plan {plan_seconds} s, whole run {seconds:.1f} s"
        + ("" if peak > before else " (peak of an earlier case)")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    flat, chain = (20_000, 5_000) if args.quick else (100_000, 20_000)
    print("data: SYNTHETIC catalogs; limit 1 GiB")
    with tempfile.TemporaryDirectory() as folder:
        # smaller case first: RUSAGE_CHILDREN keeps the largest peak of all children so far
        run(chain, chain=True, folder=Path(folder))
        run(flat, chain=False, folder=Path(folder))


if __name__ == "__main__":
    main()
