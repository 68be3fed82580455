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
        "id", "version", "criteria", "primary", "secondary", "inferred", "title", "disclaimer"
    }  # fmt: skip
    assert all(int(r["criteria"]) > 0 for r in rows)


def test_catalog_result_is_public() -> None:
    assert readiness.CatalogResult.__module__ == "readiness._score"
    assert "CatalogResult" in readiness.__all__
