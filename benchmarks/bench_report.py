"""Benchmark of ``readiness report`` on a large SYNTHETIC province (issue 11, performance).

Run from the repository root:

    .venv/bin/python benchmarks/bench_report.py                  # 100,000 facilities
    .venv/bin/python benchmarks/bench_report.py --quick          # 10,000 facilities
    .venv/bin/python benchmarks/bench_report.py --facilities 20000 --profile /tmp/report.prof
    .venv/bin/python benchmarks/bench_report.py --before /tmp/before   # and earlier code

The province is made by the seeded generators of :mod:`readiness.synthetic` (labelled
SYNTHETIC): ``--facilities`` facilities (a third of the hospitals and medical centres with beds
obliged, money spent per facility), two assessment rounds (2025-09-22 reported, 2026-06-30
compared), written as a facility list and a wide assessment file in a temporary folder with the
Bac Ninh layer and a report specification like ``examples/bac_ninh/report.toml``: an obligation,
a ``[[section]]``, a ``[roadmap]`` and an ``[estimate]``.

The report is made in a fresh child process (so its peak memory is its own) by the code of
``readiness report`` (``readiness._spec.read_spec`` and ``run_spec``, then the files written as
the command writes them and the console lines), with the wall time of each phase; the peak
resident memory comes from ``resource.getrusage``. Like the command, the child first turns
numpy's huge-page advice off (``readiness._cli.tune_process``; ``NUMPY_MADVISE_HUGEPAGE=1`` in
the environment keeps it on, to measure the library as other programs run it). The figures of
0.1.0 (issue 11: 140 s and 2.7 GB on 100,000 facilities, 2-core machine) are printed beside
them with the ratio. On a
shared machine absolute times are inflated: compare the ratios of one run. ``--before DIR`` runs
the whole command from another checkout (earlier code) on the same files in the same run, so
the ratio printed is measured, not quoted.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "examples" / "bac_ninh" / "bn-emr-layer.toml"
ROUNDS = (dt.date(2025, 9, 22), dt.date(2026, 6, 30))

#: ``readiness report`` on 100,000 facilities with 0.1.0 (issue 11), and the targets.
BEFORE_SECONDS, BEFORE_MIB = 140.0, 2.7e9 / 2**20
TARGET_SECONDS, TARGET_MIB = 20.0, 1024.0

SPEC = """\
# SYNTHETIC province for benchmarks/bench_report.py (readiness.synthetic, seed {seed})
format = 1

[report]
title = {{ en = "SYNTHETIC province of {n:,} facilities", vi = "Tỉnh mô phỏng (SYNTHETIC)" }}
catalog = ["vn-smart-hospital"]
layers = ["bn-emr-layer.toml"]
facilities = "facilities.csv"
assessments = "assessments.csv"
date = {date}
compare = {compare}
by = ["kind", "ownership"]
spent = "spent_vnd"
target = "milestone:vn-emr:emr-live"
lang = "en"
stem = "province"
label = "SYNTHETIC: readiness.synthetic, seed {seed}"

[obligation]
name = "EMR for obliged facilities with beds by 30 Sep 2025"
target = "milestone:vn-emr:emr-live"
obliged = {{ obliged_2025 = true }}
deadline = 2025-09-30
count_unobliged = true

[[section]]
id = "without-beds"
title = {{ en = "What is left for facilities without beds", vi = "Cơ sở không có giường bệnh" }}
facilities = {{ has_beds = false }}
target = "milestone:vn-emr:emr-live"

[roadmap]
target = "vn-smart-hospital@3"
due = 2030-12-31
facilities = {{ kind = ["hospital", "medical_centre"] }}
start = 2026-01-01

[estimate]
framework = "himss-emram"
facilities = {{ has_beds = true }}
"""


def make_province(folder: Path, n: int, seed: int) -> Path:
    """Write the SYNTHETIC province's files into ``folder``; return the specification."""
    import attrs
    import numpy as np

    import readiness
    from readiness import io, synthetic
    from readiness._compile import compile_catalog

    shutil.copy(LAYER, folder / LAYER.name)
    catalog = readiness.load_catalog("vn-smart-hospital", layers=[folder / LAYER.name])
    rng = np.random.default_rng([seed, 99])
    facilities = []
    for f in synthetic.facilities(n, seed=seed):
        big = f.kind in ("hospital", "medical_centre") and f.beds > 0
        facilities.append(
            attrs.evolve(
                f,
                attributes={
                    "obliged_2025": bool(big and rng.random() < 0.34),
                    "spent_vnd": int(rng.integers(0, 20) * 1e8) if big else 0,
                },
            )
        )
    io.write_facilities(folder / "facilities.csv", facilities)
    history = synthetic.history(catalog, facilities, ROUNDS, seed=seed)
    keys = compile_catalog(catalog).keys
    words = {1: "not_applicable:no such service", 2: "met", 5: "not_met", 6: "", 7: "met", 8: "met"}
    ids = [f.id for f in history.facilities]
    with (folder / "assessments.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["facility_id", "date", *keys])
        for j in range(len(history)):
            status = history.status[:, j].tolist()
            progress = history.progress[:, j]
            cells = [
                f"partial:{round(float(progress[i]), 3)!r}" if code == 4 else words[code]
                for i, code in enumerate(status)
            ]
            writer.writerow([ids[int(history.rows[j])], str(history.dates[j]), *cells])
    spec = folder / "report.toml"
    spec.write_text(
        SPEC.format(n=n, seed=seed, date=ROUNDS[0], compare=ROUNDS[1]), encoding="utf-8"
    )
    return spec


def measure(spec: Path, out: Path, profile: str | None) -> dict[str, object]:
    """Make the report of ``spec`` as ``readiness report`` does; return times and peak memory."""
    phases: dict[str, float] = {}
    peaks: dict[str, float] = {}
    start = time.perf_counter()
    from readiness import _cli, _spec  # imports are part of the command's time
    from readiness._spec import read_spec, run_spec
    from readiness.report._console import console_lines

    _cli.tune_process()  # as the command does first (numpy's huge-page advice off)
    phases["import"] = time.perf_counter() - start
    peaks["import"] = _peak()

    class Clock(_spec._Clock):  # noqa: SLF001 - also the peak memory after each phase
        def __call__(self, name: str) -> None:
            super().__call__(name)
            peaks[name] = _peak()

    _spec._Clock = Clock  # noqa: SLF001
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    begin = time.perf_counter()
    parsed = read_spec(spec)
    phases["read spec"] = time.perf_counter() - begin
    peaks["read spec"] = _peak()
    outcome = run_spec(parsed, phases=phases)
    begin = time.perf_counter()
    _cli._write_report(outcome.report, out, parsed.stem, parsed.inputs())  # noqa: SLF001
    phases["write HTML, Markdown, JSON"] = time.perf_counter() - begin
    peaks["write HTML, Markdown, JSON"] = _peak()
    begin = time.perf_counter()
    lines = console_lines(outcome.report.data)
    phases["console lines"] = time.perf_counter() - begin
    peaks["console lines"] = _peak()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    total = time.perf_counter() - start
    return {"phases": phases, "peaks": peaks, "total": total, "peak_mib": _peak(), "lines": lines}


def _peak() -> float:
    """Peak resident memory of this process so far (MiB; getrusage gives KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facilities", type=int, default=100_000, help="default 100,000")
    parser.add_argument("--quick", action="store_true", help="10,000 facilities")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", metavar="DIR", help="write (or reuse) the province here")
    parser.add_argument("--profile", metavar="FILE", help="write cProfile statistics here")
    parser.add_argument(
        "--before",
        metavar="DIR",
        help="also run `readiness report` from this checkout of earlier code, in this run "
        "(e.g. `git worktree add /tmp/before <commit>`), and print the ratios",
    )
    parser.add_argument("--child", metavar="SPEC", help=argparse.SUPPRESS)
    parser.add_argument("--command", metavar="ROOT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.command:
        print(json.dumps(command_only(Path(args.command), Path(args.child))))
        return
    if args.child:
        figures = measure(Path(args.child), Path(args.child).parent / "out", args.profile)
        print(json.dumps(figures))
        return
    n = 10_000 if args.quick else args.facilities
    with tempfile.TemporaryDirectory(prefix="bench-report-") as name:
        folder = Path(args.keep or name)
        folder.mkdir(parents=True, exist_ok=True)
        spec = folder / "report.toml"
        begin = time.perf_counter()
        if not (args.keep and spec.exists()):
            spec = make_province(folder, n, args.seed)
            print(f"SYNTHETIC province written in {time.perf_counter() - begin:.0f} s: {folder}")
        command = [sys.executable, __file__, "--child", str(spec)]
        if args.profile:
            command += ["--profile", args.profile]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(done.returncode)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        earlier = None
        if args.before:
            command = [sys.executable, __file__, "--command", args.before, "--child", str(spec)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode:
                sys.stderr.write(done.stderr)
                raise SystemExit(done.returncode)
            earlier = json.loads(done.stdout.strip().splitlines()[-1])
    report(n, figures)
    if earlier is not None:
        total, peak = float(figures["total"]), float(figures["peak_mib"])
        print(f"\nthe same run, `readiness report` from {args.before} (imports included):")
        print(
            f"  before {earlier['total']:8.2f} s, {earlier['peak_mib']:6.0f} MiB; now "
            f"{total:8.2f} s, {peak:6.0f} MiB: {earlier['total'] / total:.1f}x faster, "
            f"{earlier['peak_mib'] / peak:.1f}x less memory"
        )


def command_only(root: Path, spec: Path) -> dict[str, float]:
    """Run ``readiness report`` from the checkout ``root``; return its time and peak memory."""
    import contextlib
    import io

    sys.path.insert(0, str(root.resolve()))
    start = time.perf_counter()
    from readiness._cli import main as cli

    with contextlib.redirect_stdout(io.StringIO()):
        code = cli(["report", str(spec), "-o", str(spec.parent / "out-before")])
    if code:
        raise SystemExit(code)
    return {"total": time.perf_counter() - start, "peak_mib": _peak()}


def report(n: int, figures: dict[str, object]) -> None:
    """Print the phases, the total and the peak beside 0.1.0's figures and the targets."""
    phases, peaks = figures["phases"], figures["peaks"]
    assert isinstance(phases, dict)
    assert isinstance(peaks, dict)
    total, peak = float(figures["total"]), float(figures["peak_mib"])  # type: ignore[arg-type]
    print(f"\nreadiness report, {n:,} SYNTHETIC facilities, 2 rounds (one child process):")
    print(f"  {'phase':<44} {'wall':>10} {'peak RSS so far':>18}")
    for name, seconds in phases.items():
        print(f"  {name:<44} {seconds:8.2f} s {peaks.get(name, 0.0):13.0f} MiB")
    scale = n / 100_000
    before_s, before_mib = BEFORE_SECONDS * scale, BEFORE_MIB
    print(f"  {'end to end':<44} {total:8.2f} s")
    print(f"  {'peak RSS (getrusage)':<44} {peak:8.0f} MiB")
    note = "" if n == 100_000 else f" (0.1.0 time scaled to {n:,} facilities; its peak as is)"
    print(f"\nbefore (0.1.0, issue 11): {BEFORE_SECONDS:.0f} s, 2.7 GB per 100,000{note}")
    print(f"  time   {total:8.2f} s vs {before_s:6.1f} s: {before_s / total:5.1f}x faster")
    print(f"  memory {peak:8.0f} MiB vs {before_mib:4.0f} MiB: {before_mib / peak:5.1f}x less")
    if n == 100_000:
        verdict = total <= TARGET_SECONDS and peak <= TARGET_MIB
        print(
            f"target ({TARGET_SECONDS:.0f} s, {TARGET_MIB:.0f} MiB): "
            + ("met" if verdict else "NOT met")
        )
    else:
        print(f"target ({TARGET_SECONDS:.0f} s, {TARGET_MIB:.0f} MiB) is for 100,000 facilities")
    print("\nconsole lines:")
    for line in figures["lines"]:  # type: ignore[attr-defined]
        print(line)


if __name__ == "__main__":
    main()
