"""Command line additions of issue 11: `catalogs --format csv` and `CatalogResult` exported."""

from __future__ import annotations

import csv
import io

import pytest

import readiness
from readiness._cli import main


def test_catalogs_as_csv_lists_every_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogs", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in rows] == [i.id for i in readiness.list_catalogs()]
    assert set(rows[0]) == {
        "id", "version", "criteria", "primary", "secondary", "inferred",
        "cited_edges", "argued_edges", "unargued_edges", "coverage", "title", "disclaimer",
    }  # fmt: skip
    assert all(int(r["criteria"]) > 0 for r in rows)
    # the same edge counts and coverage as the table and JSON (issue 12: catalogs shows them)
    by_id = {r["id"]: r for r in rows}
    for info in readiness.list_catalogs():
        row = by_id[info.id]
        assert [int(row[f"{k}_edges"]) for k in ("cited", "argued", "unargued")] == [
            info.edges[k] for k in ("cited", "argued", "unargued")
        ]
        assert row["coverage"].count("text: ") == len(info.coverage)
    assert "tt54 (~21%, text: secondary)" in by_id["vn-it-tt54"]["coverage"]


def test_catalog_result_is_public() -> None:
    assert readiness.CatalogResult.__module__ == "readiness._score"
    assert "CatalogResult" in readiness.__all__


def test_plan_many_takes_the_due_date_with_the_target() -> None:
    """docs/planning.md: the due date is part of the target; plan_many has no due= option."""
    import datetime as dt
    import inspect
    from pathlib import Path

    catalog = readiness.load_catalog(Path(__file__).parent / "data" / "mini.toml")
    facility = readiness.Facility(id="h1", kind="hospital", ownership="public", beds=100)
    assessment = readiness.Assessment(facility=facility, date=dt.date(2026, 1, 1))
    due = dt.date(2031, 12, 31)
    target = readiness.Target.parse("mini@2", due=due)
    assert target == readiness.Target(catalog="mini", level=2, due=due)
    table = readiness.plan_many(catalog, [assessment], target)
    assert table.to_records()[0]["target_due"] in (due, due.isoformat())
    assert "due" not in inspect.signature(readiness.plan_many).parameters


def test_costs_print_with_separators_and_units_and_counts_agree() -> None:
    from readiness._cli import _cell
    from readiness._words import count

    assert _cell(2550000000.0, "cost_vnd") == "2,550,000,000 VND"
    assert _cell(1234, "effort_days") == "1,234"
    assert _cell(None, "cost_vnd") == "-"
    assert [count(1, "blocker"), count(2, "blocker"), count(1, "criterion")] == [
        "1 blocker",
        "2 blockers",
        "1 criterion",
    ]
