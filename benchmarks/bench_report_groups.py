"""Province report of a summary with 3,000 groups: time, peak memory and page size.

Run: ``python benchmarks/bench_report_groups.py [GROUPS]`` (default 3,000 groups of 2 facilities).
Issue 10 item 16 measured 70 s, 1.2 GB and a 24 MB page on 0.1.0; the report now shows the 25
largest groups by name and the rest as "others" (12 in the charts), and the JSON keeps them all.
"""

from __future__ import annotations

import resource
import sys
import time

import attrs

import readiness as r
from readiness import synthetic
from readiness.report import province_report


def main(groups: int = 3000) -> None:
    catalog = r.load_catalog("vn-emr")
    facilities = [
        attrs.evolve(f, region=f"Region {j % groups}")
        for j, f in enumerate(synthetic.facilities(2 * groups, seed=1))
    ]
    table = r.score_many(catalog, synthetic.status_matrix(catalog, facilities, seed=1))
    summary = r.summarize(table, by="region")
    start = time.perf_counter()
    report = province_report(table, summary, max_facilities=100)
    built = time.perf_counter()
    markdown = report.to_markdown()
    page = report.to_html(charts=True)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"groups {len(summary.groups):,}")
    print(f"record {built - start:.1f} s, Markdown + HTML with charts {done - built:.1f} s")
    print(f"peak RSS {peak:,.0f} MB (the whole process)")
    print(f"HTML {len(page) / 1e6:.2f} MB, Markdown {len(markdown) / 1e6:.2f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
