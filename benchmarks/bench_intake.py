# ruff: noqa: E501 - child-process code and result lines read better unwrapped
"""Benchmark of assessment intake (issue 11): columnar reading, spreadsheets, matrices.

Run from the repository root (needs the test extra: pandas, pyarrow, openpyxl):

    .venv/bin/python benchmarks/bench_intake.py            # full run (several minutes)
    .venv/bin/python benchmarks/bench_intake.py --quick    # a tenth of the sizes, a smoke test

All data is SYNTHETIC (readiness.synthetic, seeded), written to a temporary folder. Each figure
is measured in a fresh child process (so imports, caches and peak memory, VmHWM, are its own),
all in this one run, and printed with its ratio:

* long CSV, 1,000,000 rows: read + validate + status matrix, pyarrow engine, against
  ``pandas.read_csv`` of the same file (target: within 2x); the standard-library engine against
  today's row reader (``read_matrix``) on the same file (target: at least 3x faster);
* long CSV, 100,000 facilities x every built-in criterion: read + score against the pandas
  baseline (``read_csv`` + pivot + weighted share, without the rules; target: within 1.5x), with
  peak memory;
* wide CSV and Parquet, 100,000 facilities: read + score (target: at most 2 s);
* the ``.xlsx`` form of one hospital (target: under 1 s); the Bac Ninh example as one ``.xlsx``
  (long layout) read (target: at most 10 s);
* the status matrix from ``Assessment`` objects, 100,000 facilities (target: at most 5 s),
  against the record-by-record fill it replaces.

The figures measured before this change (commit 56f4b50, same machine type) are printed beside
them for comparison.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILTINS = ["vn-smart-hospital", "himss-emram"]  # brings in vn-emr, vn-it-tt54, vn-infosec

#: Row-by-row figures of issue 11, measured on commit 56f4b50 before this change.
BEFORE = {
    "long 1M read": 8.2,
    "long 1M pandas": 0.54,
    "long 100k read+score": 96.0,
    "long 100k pandas": 9.8,
    "wide 100k read+score": 22.7,
    "matrix from Assessments per 100k": 20.7,
}

PRELUDE = """
import json, sys, time, datetime as dt
from pathlib import Path
sys.path.insert(0, {root!r})
import numpy as np
import readiness
from readiness import io
import pandas, pyarrow, pyarrow.csv, pyarrow.compute, pyarrow.parquet  # imports are not timed
catalog = readiness.load_catalog({builtins!r})
def peak():
    # VmHWM: this process's own peak resident memory
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
"""


def child(body: str, **names: object) -> dict[str, float]:
    """Run ``body`` in a fresh interpreter; it prints one JSON object of figures."""
    code = PRELUDE.format(root=str(ROOT), builtins=BUILTINS) + textwrap.dedent(body).format(
        **{k: repr(v) for k, v in names.items()}
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_data(folder: Path, long_facilities: int, big_facilities: int) -> dict[str, object]:
    """Write the SYNTHETIC files of the benchmark; return their sizes."""
    return child(
        """
        import pandas as pd
        import pyarrow as pa, pyarrow.parquet as pq
        from readiness import synthetic
        from readiness._compile import compile_catalog
        folder = Path({folder})
        keys = np.array(compile_catalog(catalog).keys)
        words = np.array(["", "not_applicable", "met", "", "partial", "not_met", "unknown",
                          "met", "met"], dtype=object)

        def long_frame(n, seed):
            m = synthetic.status_matrix(catalog, n, seed=seed)
            ids = np.array([f.id for f in m.facilities], dtype=object)
            j, i = np.nonzero(m.status.T != 6)  # every recorded cell, facility by facility
            code = m.status[i, j]
            df = pd.DataFrame({{
                "facility_id": ids[m.rows[j]], "date": "2026-06-30", "criterion": keys[i],
                "status": words[code],
                "progress": np.where(code == 4, np.round(m.progress[i, j], 3).astype(str), ""),
                "coverage": np.where(code == 8, "0.5", ""),
                "reason": np.where(code == 1, "no such service (synthetic)", ""),
                "evidence": "", "note": "", "assessed_by": "self",
                "valid_until": np.where(code == 7, "2026-01-01", ""),
            }})
            return m, df

        def wide_frame(m):
            cells = np.full(m.status.shape, "", dtype=object)
            for code, word in ((1, "not_applicable:no such service"), (2, "met"), (5, "not_met"),
                               (7, "met"), (8, "met")):
                cells[m.status == code] = word
            partial = m.status == 4
            cells[partial] = ["partial:" + repr(round(float(p), 3)) for p in m.progress[partial]]
            table = pd.DataFrame(cells.T, columns=keys)
            ids = np.array([f.id for f in m.facilities], dtype=object)
            table.insert(0, "date", "2026-06-30")
            table.insert(0, "facility_id", ids[m.rows])
            return table

        out = {{}}
        m, df = long_frame({long_facilities}, 1)
        io.write_facilities(folder / "facilities_1m.csv", m.facilities)
        df.to_csv(folder / "long_1m.csv", index=False)
        out["long_1m_rows"] = len(df)
        m, df = long_frame({big_facilities}, 2)
        io.write_facilities(folder / "facilities_100k.csv", m.facilities)
        df.to_csv(folder / "long_100k.csv", index=False)
        out["long_100k_rows"] = len(df)
        del df
        wide = wide_frame(m)
        wide.to_csv(folder / "wide_100k.csv", index=False)
        pq.write_table(pa.Table.from_pandas(wide, preserve_index=False), folder / "wide_100k.parquet")
        out["wide_columns"] = wide.shape[1]
        print(json.dumps(out))
        """,
        folder=str(folder),
        long_facilities=long_facilities,
        big_facilities=big_facilities,
    )


def line(name: str, seconds: float, *, versus: float | None = None, what: str = "", **extra):
    ratio = f"  ratio {seconds / versus:.2f}x {what}" if versus else ""
    more = "".join(f"  {k} {v}" for k, v in extra.items())
    print(f"{name:<58} {seconds:8.2f} s{ratio}{more}")


def machine_load() -> float:
    """Time a fixed pure-Python loop: how busy the (shared) machine is during this run."""
    start = time.perf_counter()
    total = 0
    for n in range(10_000_000):
        total += n
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    long_facilities, big_facilities = 8_500 // scale, 100_000 // scale
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as name:
        folder = Path(name)
        start = time.perf_counter()
        sizes = make_data(folder, long_facilities, big_facilities)
        print(
            f"SYNTHETIC data written in {time.perf_counter() - start:.0f} s: long CSV of "
            f"{sizes['long_1m_rows']:,} rows ({long_facilities:,} facilities), long CSV of "
            f"{sizes['long_100k_rows']:,} rows and wide CSV/Parquet of {big_facilities:,} "
            f"facilities x {sizes['wide_columns'] - 2} criteria\n"
        )
        before = machine_load()
        run(folder, big_facilities)
        after = machine_load()
        print(
            f"\nmachine load: a 10,000,000-step Python loop took {before:.2f} s before and "
            f"{after:.2f} s after the measurements (compare runs by their ratios)"
        )


def run(folder: Path, big: int) -> None:
    f = str(folder)
    timed = """
    facilities = io.read_facilities(Path({folder}) / {facilities}, catalog=catalog)
    start = time.perf_counter()
    {work}
    print(json.dumps({{"seconds": time.perf_counter() - start, "peak_mib": peak()}}))
    """

    def measure(facilities: str, work: str) -> dict[str, float]:
        return child(timed.replace("{work}", work), folder=f, facilities=facilities)

    print(
        f"long CSV, {'1,000,000' if big == 100_000 else 'about 100,000'} rows: read + validate + status matrix"
    )
    pandas = measure(
        "facilities_1m.csv",
        "import pandas as pd; pd.read_csv(Path({folder}) / 'long_1m.csv', dtype=str, keep_default_na=False)",
    )
    arrow = measure(
        "facilities_1m.csv",
        "io.read_status_matrix(Path({folder}) / 'long_1m.csv', catalog, facilities, engine='pyarrow')",
    )
    python = measure(
        "facilities_1m.csv",
        "io.read_status_matrix(Path({folder}) / 'long_1m.csv', catalog, facilities, engine='python')",
    )
    rows = measure(
        "facilities_1m.csv",
        "list(io.read_matrix(Path({folder}) / 'long_1m.csv', catalog, facilities))",
    )
    line("  pandas.read_csv (strings, no validation)", pandas["seconds"])
    line(
        "  read_status_matrix, pyarrow engine",
        arrow["seconds"],
        versus=pandas["seconds"],
        what="of pandas (target <= 2)",
    )
    line("  read_status_matrix, standard-library engine", python["seconds"])
    line(
        "  read_matrix, today's row reader",
        rows["seconds"],
        versus=python["seconds"],
        what="of the standard-library engine (target >= 3)",
    )
    print(
        f"  before (56f4b50): row reader {BEFORE['long 1M read']} s, pandas {BEFORE['long 1M pandas']} s (15x)"
    )

    print(f"\nlong CSV, {big:,} facilities x every built-in criterion: read + score")
    baseline = measure(
        "facilities_100k.csv",
        """
    import pandas as pd
    from readiness._compile import compile_catalog
    compiled = compile_catalog(catalog)
    df = pd.read_csv(Path({folder}) / 'long_100k.csv', dtype=str, keep_default_na=False)
    credit = (df['status'] == 'met').astype(float)
    partial = df['status'] == 'partial'
    credit[partial] = df.loc[partial, 'progress'].astype(float)
    df['credit'] = credit
    table = df[df['status'] != 'not_applicable'].pivot_table(index='facility_id', columns='criterion', values='credit', aggfunc='first')
    weights = pd.Series(np.asarray(compiled.weights, dtype=float), index=list(compiled.keys)).reindex(table.columns)
    score = 100 * (table.fillna(0) * weights).sum(axis=1) / table.notna().mul(weights).sum(axis=1)
    """,
    )
    library = measure(
        "facilities_100k.csv",
        "readiness.score_many(catalog, io.read_status_matrix(Path({folder}) / 'long_100k.csv', catalog, facilities))",
    )
    line(
        "  pandas baseline (read_csv + pivot + weighted share)",
        baseline["seconds"],
        peak=f"{baseline['peak_mib']:.0f} MiB",
    )
    line(
        "  read_status_matrix + score_many (pyarrow)",
        library["seconds"],
        versus=baseline["seconds"],
        what="of pandas (target <= 1.5)",
        peak=f"{library['peak_mib']:.0f} MiB",
    )
    print(
        f"  before (56f4b50): library {BEFORE['long 100k read+score']} s, pandas {BEFORE['long 100k pandas']} s (9.7x)"
    )

    print(f"\nwide, {big:,} facilities: read + score (target <= 2 s)")
    for name in ("wide_100k.csv", "wide_100k.parquet"):
        got = measure(
            "facilities_100k.csv",
            f"readiness.score_many(catalog, io.read_status_matrix(Path({{folder}}) / {name!r}, catalog, facilities))",
        )
        line(f"  {name}", got["seconds"], peak=f"{got['peak_mib']:.0f} MiB")
    print(f"  before (56f4b50): wide CSV {BEFORE['wide 100k read+score']} s")

    print("\nspreadsheets")
    form = child(
        """
        folder = Path({folder})
        catalog = readiness.load_catalog({builtins}, layers=[{bac_ninh} + "/bn-emr-layer.toml"])
        facilities = io.read_facilities({bac_ninh} + "/facilities.csv", catalog=catalog)
        hospital = next(f for f in facilities if f.kind == "hospital")
        start = time.perf_counter()
        rows = io.write_form(folder / "form.xlsx", catalog, [hospital])
        print(json.dumps({{"seconds": time.perf_counter() - start, "rows": rows}}))
        """,
        folder=f,
        bac_ninh=str(ROOT / "examples" / "bac_ninh"),
        builtins=BUILTINS,
    )
    line(
        f"  .xlsx form of one hospital ({form['rows']:.0f} criterion rows; target < 1 s)",
        form["seconds"],
    )
    book = child(
        """
        import csv
        from readiness import _xlsx
        folder = Path({folder})
        source = Path({bac_ninh})
        with open(source / "assessments.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        _xlsx.write_table(folder / "bac_ninh.xlsx", rows[0], rows[1:])
        catalog = readiness.load_catalog({builtins}, layers=[source / "bn-emr-layer.toml"])
        facilities = io.read_facilities(source / "facilities.csv", catalog=catalog)
        start = time.perf_counter()
        matrix = io.read_status_matrix(folder / "bac_ninh.xlsx", catalog, facilities)
        print(json.dumps({{"seconds": time.perf_counter() - start, "rows": len(rows) - 1, "facilities": len(facilities)}}))
        """,
        folder=f,
        bac_ninh=str(ROOT / "examples" / "bac_ninh"),
        builtins=BUILTINS,
    )
    line(
        f"  Bac Ninh as one .xlsx ({book['facilities']:,.0f} facilities, {book['rows']:,.0f} rows, long) read (target <= 10 s)",
        book["seconds"],
    )

    print(f"\nstatus matrix from Assessment objects, {big:,} facilities, vn-emr (target <= 5 s)")
    objects = """
    from readiness import synthetic
    from readiness._compile import compile_catalog
    from readiness._matrix import StatusMatrix, _fill_one_by_one
    emr = readiness.load_catalog("vn-emr")
    items = synthetic.status_matrix(emr, {count}, seed=5).to_assessments()
    start = time.perf_counter()
    {work}
    print(json.dumps({{"seconds": time.perf_counter() - start, "records": sum(len(a.records) for a in items)}}))
    """
    new = child(objects.replace("{work}", "StatusMatrix.from_assessments(emr, items)"), count=big)
    old = child(
        objects.replace("{work}", "_fill_one_by_one(emr, compile_catalog(emr), items, None)"),
        count=big,
    )
    line(f"  StatusMatrix.from_assessments ({new['records']:,.0f} records)", new["seconds"])
    line(
        "  the record-by-record fill alone (as before)",
        old["seconds"],
        versus=new["seconds"],
        what="of from_assessments",
    )
    print(
        f"  before (56f4b50): {BEFORE['matrix from Assessments per 100k']} s per 100,000 facilities"
    )


if __name__ == "__main__":
    main()
