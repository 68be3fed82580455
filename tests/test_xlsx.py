"""Spreadsheets: the assessment form, workbooks read back, and malformed workbooks.

A form written by ``write_form`` (or ``readiness form``) and filled in reads back as the
assessment it holds; plain long, wide and facility workbooks read as their CSV files do; and
each malformed workbook of the spreadsheet corpus gets one located problem naming its sheet and
cell (``mini!D3``) and value.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

import readiness
from readiness import errors
from readiness import io as rio
from readiness._cli import main

HERE = Path(__file__).parent
MINI = readiness.load_catalog(HERE / "data" / "mini.toml")
FACILITIES = rio.read_facilities(HERE / "data" / "mini_facilities.csv", catalog=MINI)
H1 = next(f for f in FACILITIES if f.id == "h1")
DAY = dt.date(2026, 3, 14)


def form(tmp_path: Path) -> Path:
    path = tmp_path / "form.xlsx"
    rio.write_form(path, MINI, [H1], date=DAY)
    return path


def rows_of(ws: Any) -> dict[str, int]:
    """Excel row of each criterion key on a form sheet."""
    return {ws.cell(row=r, column=3).value: r for r in range(3, ws.max_row + 1)}


def fill(path: Path, edit: Callable[[Any, Any, dict[str, int]], None]) -> Path:
    book = openpyxl.load_workbook(path)
    ws = book["mini"]
    edit(book, ws, rows_of(ws))
    book.save(path)
    return path


def test_the_form_lists_each_applicable_criterion_with_what_the_assessor_needs(
    tmp_path: Path,
) -> None:
    book = openpyxl.load_workbook(form(tmp_path))
    assert book.sheetnames[0] == "Hướng dẫn - Instructions"
    assert book["_readiness"].sheet_state == "veryHidden"
    ws = book["mini"]
    header = [c.value for c in ws[1]]
    assert header[:11] == list(rio.LONG_COLUMNS)
    assert header[11:] == ["title_vi", "title_en", "level", "domain", "requires", "source"]
    assert ws.freeze_panes == "D3"
    assert ws.protection.sheet
    applicable = [
        c.key for c in MINI.criteria.values() if c.applies_to.matches(H1.attribute_values())
    ]
    assert sorted(rows_of(ws)) == sorted(applicable)
    row = rows_of(ws)["mini:his"]
    assert ws.cell(row=row, column=1).protection.locked  # facility id
    assert ws.cell(row=row, column=3).protection.locked  # criterion id
    assert not ws.cell(row=row, column=4).protection.locked  # status
    assert ws.cell(row=row, column=16).value.startswith("mini:")  # prerequisites in words
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    status = next(v for k, v in validations.items() if k.startswith("D"))
    assert "met (đạt)" in status.formula1
    share = next(v for k, v in validations.items() if k.startswith("E"))
    assert (share.type, share.formula1, share.formula2) == ("decimal", "0", "1")


def test_a_filled_form_reads_back_as_its_assessment(tmp_path: Path) -> None:
    def edit(book: Any, ws: Any, row: dict[str, int]) -> None:
        ws.cell(row=row["mini:lan"], column=4).value = "met (đạt)"
        ws.cell(row=row["mini:his"], column=4).value = "partial (đạt một phần)"
        ws.cell(row=row["mini:his"], column=5).value = 0.4
        ws.cell(row=row["mini:ward"], column=4).value = "met"
        ws.cell(row=row["mini:ward"], column=6).value = 0.95
        ws.cell(row=row["mini:ward"], column=10).value = "validated (đã thẩm định)"
        ws.cell(row=row["mini:ward"], column=11).value = dt.datetime(2027, 1, 1)  # noqa: DTZ001 - Excel dates are naive

    path = fill(form(tmp_path), edit)
    [assessment] = rio.read_assessments(path, MINI, FACILITIES)
    assert assessment.date == DAY
    assert set(assessment.records) == {"mini:lan", "mini:his", "mini:ward"}
    assert assessment.records["mini:his"].progress == 0.4
    ward = assessment.records["mini:ward"]
    assert (ward.coverage, ward.assessed_by.value, ward.valid_until) == (
        0.95,
        "validated",
        dt.date(2027, 1, 1),
    )
    matrix = rio.read_status_matrix(path, MINI, FACILITIES)
    expected = readiness.StatusMatrix.from_assessments(MINI, [assessment])
    assert np.array_equal(matrix.status, expected.status)


def test_an_empty_form_is_an_assessment_without_records(tmp_path: Path) -> None:
    [assessment] = rio.read_assessments(form(tmp_path), MINI, FACILITIES)
    assert (assessment.facility, assessment.date, dict(assessment.records)) == (H1, DAY, {})


# --------------------------------------------------------------------------- the corpus


def vietnamese_status(book: Any, ws: Any, row: dict[str, int]) -> None:
    ws.cell(row=row["mini:lan"], column=4).value = "đạt"


def merged(book: Any, ws: Any, row: dict[str, int]) -> None:
    r = row["mini:lan"]
    ws.cell(row=r, column=4).value = "met"
    ws.merge_cells(start_row=r, start_column=4, end_row=r + 1, end_column=4)


def text_date(book: Any, ws: Any, row: dict[str, int]) -> None:
    ws.cell(row=row["mini:lan"], column=4).value = "met"
    ws.cell(row=row["mini:lan"], column=2).value = "14/03/2026"


def formula(book: Any, ws: Any, row: dict[str, int]) -> None:
    ws.cell(row=row["mini:his"], column=4).value = "partial"
    ws.cell(row=row["mini:his"], column=5).value = "=2/5"


def hidden(book: Any, ws: Any, row: dict[str, int]) -> None:
    ws.sheet_state = "hidden"


def extra(book: Any, ws: Any, row: dict[str, int]) -> None:
    book.create_sheet("Sheet1")["A1"] = "ghi chú riêng"


CORPUS = {
    "a status typed in Vietnamese": (
        vietnamese_status,
        "D{lan}",
        "status must be one of met, partial, not_met, not_applicable, unknown",
        "đạt",
    ),
    "merged cells": (merged, "D{lan}", "merged cells (D{lan}:D{lan1}): unmerge them", None),
    "a date cell holding text": (
        text_date,
        "B{lan}",
        "date must be a date written yyyy-mm-dd",
        "14/03/2026",
    ),
    "a formula cell": (formula, "E{his}", "a formula: type the value itself", "=2/5"),
    "a hidden sheet": (hidden, "A1", "the sheet is hidden: unhide it or delete it", None),
    "an extra sheet": (
        extra,
        "A1",
        "an extra sheet: this form was made with the sheets mini",
        None,
    ),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_a_malformed_workbook_gets_a_located_error(tmp_path: Path, case: str) -> None:
    edit, cell, message, value = CORPUS[case]
    path = fill(form(tmp_path), edit)
    ws = openpyxl.load_workbook(path)["mini"]
    rows = rows_of(ws)
    sheet = "Sheet1" if case == "an extra sheet" else "mini"
    where = f"{sheet}!" + cell.format(
        lan=rows.get("mini:lan"), lan1=rows.get("mini:lan", 0) + 1, his=rows.get("mini:his")
    )
    for read in (
        lambda: rio.read_assessments(path, MINI, FACILITIES),
        lambda: rio.read_status_matrix(path, MINI, FACILITIES),
    ):
        with pytest.raises(errors.InputError) as caught:
            read()
        [problem] = caught.value.problems
        assert problem.cell == where, str(problem)
        assert message.format(lan=rows.get("mini:lan"), lan1=rows.get("mini:lan", 0) + 1) in (
            problem.message
        )
        if value is not None:
            assert problem.value == value
        assert str(problem).startswith(f"{path}: {where}: ")


# --------------------------------------------------------------------------- plain workbooks


def test_long_wide_and_facility_workbooks_round_trip(tmp_path: Path) -> None:
    records = {
        "mini:lan": readiness.Record(status="met", evidence="=HYPERLINK(x)"),
        "mini:his": readiness.Record(status="partial", progress=0.6),
        "mini:ward": readiness.Record(status="not_applicable", reason="No ward"),
    }
    assessments = [readiness.Assessment(facility=H1, date=DAY, records=records)]
    rio.write_assessments(tmp_path / "long.xlsx", assessments, MINI)
    assert rio.read_assessments(tmp_path / "long.xlsx", MINI, FACILITIES) == assessments
    wide = [
        readiness.Assessment(
            facility=H1, date=DAY, records={k: v for k, v in records.items() if k != "mini:lan"}
        )
    ]
    rio.write_assessments(tmp_path / "wide.xlsx", wide, MINI, format="wide")
    assert rio.read_assessments(tmp_path / "wide.xlsx", MINI, FACILITIES) == wide
    rio.write_facilities(tmp_path / "f.xlsx", FACILITIES)
    assert rio.read_facilities(tmp_path / "f.xlsx", catalog=MINI) == FACILITIES


def test_a_plain_workbook_with_two_filled_sheets_is_refused(tmp_path: Path) -> None:
    rio.write_facilities(tmp_path / "f.xlsx", FACILITIES)
    book = openpyxl.load_workbook(tmp_path / "f.xlsx")
    book.create_sheet("more")["B2"] = "h9"
    book.create_sheet("empty")
    book.save(tmp_path / "f.xlsx")
    with pytest.raises(errors.InputError, match=r"more!A1: an extra sheet"):
        rio.read_facilities(tmp_path / "f.xlsx")


def test_a_missing_openpyxl_is_one_line_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(errors.MissingDependencyError, match=r"pip install 'readiness\[xlsx\]'"):
        rio.write_form(tmp_path / "f.xlsx", MINI, [H1])


def test_the_form_command_writes_a_form_that_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "h1.xlsx"
    code = main(
        ["form", "--catalog", str(HERE / "data" / "mini.toml"), "--facilities",
         str(HERE / "data" / "mini_facilities.csv"), "--facility", "h1", "--date", "2026-03-14",
         "-o", str(out)]
    )  # fmt: skip
    assert code == 0
    assert "1 facility" in capsys.readouterr().out
    [assessment] = rio.read_assessments(out, MINI, FACILITIES)
    assert assessment.date == DAY


def test_workbook_text_is_read_in_nfc(tmp_path: Path) -> None:
    """Text cells enter in NFC as CSV lines do (issue 10): an NFD note and header read the same."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["facility_id", "date", "criterion", "status", "note"])
    ws.append(["h1", "2026-03-14", "lan", "met", "Ghi chu\u0301"])
    ws.append(["h1", "2026-03-14", "his", "not_met", "Bê\u0323nh viê\u0323n"])
    path = tmp_path / "nfd.xlsx"
    book.save(path)
    [assessment] = rio.read_assessments(path, MINI, FACILITIES)
    assert assessment.records["mini:lan"].note == "Ghi chú"
    assert assessment.records["mini:his"].note == "Bệnh viện"
