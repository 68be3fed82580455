"""Spreadsheets: assessment forms (``.xlsx``) and workbooks read back, with openpyxl.

openpyxl is an optional extra (``pip install 'readiness[xlsx]'``), imported only here.

Reading (:func:`table`) gives the row reader a table, so a workbook is checked by the same rules
as a CSV file and every problem names its sheet and cell (``vn-emr!D14``) and value:

* A **plain workbook** holds one sheet laid out as a CSV file (header in row 1, long or wide
  format, or a facility list). Further sheets that hold anything are problems.
* A **form** (written by :func:`write_form`, recognised by its very hidden ``_readiness`` sheet)
  holds one long-format sheet per catalog, headers in rows 1 (column keys) and 2 (labels), data
  from row 3; the status and ``assessed_by`` cells may hold the drop-down labels
  (``met (đạt)``). Columns after ``valid_until`` (titles, level, domain, prerequisites, source)
  are information for the person filling the form and are not read.
* Every workbook: a hidden sheet, a sheet a form was not made with, merged cells and formula
  cells are problems (their rows are not read: nothing is guessed), and a date cell holding a
  date with a time of day, or text, is reported by the row rules (dates are ``yyyy-mm-dd``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final
from xml.etree import ElementTree as ET

from readiness._catalog import Catalog, Criterion
from readiness._model import Facility
from readiness._unicode import nfc
from readiness.errors import MissingDependencyError, OptionError, Problem
from readiness.io import LONG_COLUMNS

if TYPE_CHECKING:
    from readiness.io import _Report, _Table

__all__ = ["FORM_COLUMNS", "STATUS_LABELS", "table", "write_form", "write_table"]

#: The columns of a form sheet that are read: the long format.
FORM_COLUMNS: Final = LONG_COLUMNS
_INFO: Final = ("title_vi", "title_en", "level", "domain", "requires", "source")
_LABELS: Final = {
    "facility_id": "Mã cơ sở / Facility id",
    "date": "Ngày đánh giá / Assessment date",
    "criterion": "Mã tiêu chí / Criterion id",
    "status": "Trạng thái / Status",
    "progress": "Tiến độ (0-100 %) / Progress",
    "coverage": "Mức sử dụng (0-100 %) / Coverage",
    "reason": "Lý do không áp dụng / Not-applicable reason",
    "evidence": "Minh chứng / Evidence",
    "note": "Ghi chú / Note",
    "assessed_by": "Người đánh giá / Assessed by",
    "valid_until": "Thẩm định có giá trị đến / Validated until",
    "title_vi": "Tiêu chí",
    "title_en": "Criterion",
    "level": "Mức / Level",
    "domain": "Lĩnh vực / Domain",
    "requires": "Điều kiện trước / Prerequisites",
    "source": "Căn cứ / Source",
}
#: Drop-down labels of the status words (the word before the parenthesis is what is read).
STATUS_LABELS: Final = {
    "met (đạt)": "met",
    "partial (đạt một phần)": "partial",
    "not_met (chưa đạt)": "not_met",
    "not_applicable (không áp dụng)": "not_applicable",
    "unknown (chưa rõ)": "unknown",
}
_WHO_LABELS: Final = {"self (tự đánh giá)": "self", "validated (đã thẩm định)": "validated"}
_META: Final = "_readiness"
_INSTRUCTIONS: Final = "Hướng dẫn - Instructions"
_FORM_FIRST_ROW: Final = 3
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_INSTRUCTION_TEXT: Final = (
    ("Phiếu tự đánh giá mức độ sẵn sàng", "Readiness self-assessment form"),
    (
        "Mỗi trang là một bộ tiêu chí; mỗi dòng là một tiêu chí áp dụng cho cơ sở.",
        "Each sheet is one catalog; each row one criterion that applies to the facility.",
    ),
    (
        (
            "Chọn Trạng thái trong danh sách. 'Đạt một phần' cần Tiến độ (0-100 %); "
            "'Không áp dụng' cần Lý do."
        ),
        (
            "Choose the Status from the list. 'partial' needs a Progress (0-100 %); "
            "'not_applicable' needs a Reason."
        ),
    ),
    (
        "Mức sử dụng: tỷ lệ khoa/phòng thực sự dùng (0-100 %), nếu tiêu chí yêu cầu.",
        "Coverage: the share of the facility actually using it (0-100 %), where required.",
    ),
    (
        (
            "Ngày ghi theo dạng ngày của Excel hoặc yyyy-mm-dd. Không dùng công thức, không gộp "
            "ô, không thêm hoặc ẩn trang."
        ),
        (
            "Dates as Excel dates or yyyy-mm-dd. No formulas, no merged cells, no added or hidden "
            "sheets."
        ),
    ),
    (
        (
            "Các cột mã (cơ sở, tiêu chí) được khóa. Đọc lại: readiness score --assessments "
            "phieu.xlsx ..."
        ),
        "The id columns are locked. Read back with: readiness score --assessments form.xlsx ...",
    ),
)


def _openpyxl() -> Any:
    try:
        import openpyxl  # noqa: PLC0415 - optional extra
    except ImportError:
        raise MissingDependencyError(
            "reading or writing .xlsx files needs openpyxl: pip install 'readiness[xlsx]'"
        ) from None
    return openpyxl


def _cell_name(sheet: str, column: int | None, row: int) -> str:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - optional extra

    name = sheet if _PLAIN_NAME.fullmatch(sheet) else "'" + sheet.replace("'", "''") + "'"
    if column is None:
        return f"{name}!{row}:{row}"
    return f"{name}!{get_column_letter(column)}{row}"


# --------------------------------------------------------------------------- reading


def _merged(path: str | os.PathLike[str]) -> dict[str, list[tuple[int, int, int, int]]]:
    """Return merged ranges by sheet, from the workbook's XML (read-only mode hides them)."""
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    from openpyxl.utils import column_index_from_string  # noqa: PLC0415 - optional extra

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        book = archive.read("xl/workbook.xml")
        rels = (
            archive.read("xl/_rels/workbook.xml.rels")
            if "xl/_rels/workbook.xml.rels" in names
            else b""
        )
        targets = dict(re.findall(rb'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
        for name, rid in re.findall(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', book):
            target = targets.get(rid, b"").decode()
            member = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if member not in names:
                continue
            ranges = []
            for a, r1, b, r2 in _MERGE.findall(archive.read(member)):
                c1 = column_index_from_string(a.decode())
                c2 = column_index_from_string(b.decode()) if b else c1
                ranges.append((c1, int(r1), c2, int(r2 or r1)))
            if ranges:
                sheet = name.decode().replace("&amp;", "&").replace("&lt;", "<")
                out[sheet.replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")] = (
                    ranges
                )
    return out


_NS: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class _Cell:
    """One cell as the sheet XML holds it: its value, and its formula when it has one."""

    __slots__ = ("formula", "value")

    def __init__(self, value: object, formula: str | None) -> None:
        self.value = value
        self.formula = formula


def _sheet_rows(
    archive: zipfile.ZipFile, member: str, book: Any
) -> Iterator[tuple[int, list[_Cell]]]:
    """Yield (Excel row, cells from column A) of a sheet, parsed straight from its XML.

    openpyxl builds an object per cell (tens of microseconds each); this reads the same values
    with the C XML parser: shared and inline strings, numbers (integers stay integers),
    booleans, dates (by the cell's number format, on the workbook's epoch) and formulas.
    """
    from openpyxl.utils import column_index_from_string  # noqa: PLC0415 - optional extra
    from openpyxl.utils.datetime import from_excel  # noqa: PLC0415 - optional extra

    shared = book.shared_strings
    dates = book._date_formats  # noqa: SLF001 - style indices openpyxl reads as dates
    epoch = book.epoch
    columns: dict[str, int] = {}
    cell_tag, row_tag = _NS + "c", _NS + "row"
    value_tag, formula_tag, inline_tag, text_tag = _NS + "v", _NS + "f", _NS + "is", _NS + "t"
    data = archive.read(member)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # a sheet never declares entities
        raise ValueError(f"{member} declares a document type; not a spreadsheet's sheet")
    with io.BytesIO(data) as handle:
        for _, element in ET.iterparse(handle, events=("end",)):  # noqa: S314 - no DTD (above)
            if element.tag != row_tag:
                continue
            number = int(element.get("r") or 0)
            cells: list[_Cell] = []
            for c in element.iter(cell_tag):
                ref = c.get("r") or ""
                match = _CELL_REF.fullmatch(ref)
                if match is not None:
                    letters = match.group(1)
                    index = columns.get(letters)
                    if index is None:
                        index = columns[letters] = column_index_from_string(letters)
                    cells.extend(_Cell(None, None) for _ in range(index - 1 - len(cells)))
                kind = c.get("t", "n")
                formula = c.find(formula_tag)
                raw = c.findtext(value_tag) or None
                value: object = None
                if kind == "s" and raw is not None:
                    value = shared[int(raw)]
                elif kind == "inlineStr":
                    inline = c.find(inline_tag)
                    value = "".join(t.text or "" for t in inline.iter(text_tag)) if inline else ""
                elif kind in ("str", "e"):
                    value = raw
                elif kind == "b" and raw is not None:
                    value = raw == "1"
                elif raw is not None:
                    number_value: float = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
                    value = number_value
                    if int(c.get("s") or 0) in dates:
                        value = from_excel(number_value, epoch)
                text = None
                if formula is not None:
                    text = "=" + (formula.text or "")
                cells.append(_Cell(value, text))
            element.clear()
            yield number, cells


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value(cell: _Cell) -> object:
    """Return what the row reader sees: text, number, date (a midnight datetime) or None."""
    value = cell.value
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, str) and not value:
        return None
    return value


def table(path: str | os.PathLike[str], report: _Report) -> _Table:
    """Return the row reader's table of a workbook (see the module documentation)."""
    from readiness.io import MAX_PROBLEMS, _Row, _StopReadingError, _Table  # noqa: PLC0415

    openpyxl = _openpyxl()
    where = os.fspath(path)

    def problem(message: str, cell: str, value: object = None) -> None:
        from readiness.errors import NO_VALUE  # noqa: PLC0415

        report.problems.append(
            Problem(
                message=message,
                path=report.path,
                cell=cell,
                value=NO_VALUE if value is None else value,
            )
        )
        if len(report.problems) >= MAX_PROBLEMS:
            report.stopped_at = cell
            raise _StopReadingError

    try:
        book = openpyxl.load_workbook(where, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        problem(f"not an .xlsx workbook ({error})", "workbook")
        return _Table(path=report.path, columns=(), rows=iter(()), usable=False)
    merged = _merged(where)
    sheets = {ws.title: ws for ws in book.worksheets}
    form = _META in sheets
    expected: list[str] = []
    if form:
        meta = sheets[_META]
        expected = [str(row[0]) for row in meta.iter_rows(min_row=2, values_only=True) if row[0]]
    read: list[Any] = []
    for ws in book.worksheets:
        if ws.title in (_META, _INSTRUCTIONS) and form:
            continue
        if ws.sheet_state != "visible":
            problem(
                "the sheet is hidden: unhide it or delete it (hidden data is not read)",
                _cell_name(ws.title, 1, 1),
            )
            continue
        if form and ws.title not in expected:
            problem(
                "an extra sheet: this form was made with the sheets "
                f"{', '.join(expected)}; move its rows there or delete it",
                _cell_name(ws.title, 1, 1),
            )
            continue
        read.append(ws)
    if not form and len(read) > 1:
        filled = [ws for ws in read if any(any(v is not None for v in r) for r in ws.values)]
        for ws in filled[1:]:
            problem(
                f"an extra sheet: a workbook holds its data on one sheet ({filled[0].title!r} is "
                "read); move its rows there or delete it",
                _cell_name(ws.title, 1, 1),
            )
        read = filled[:1] or read[:1]
    first_row = _FORM_FIRST_ROW if form else 2
    columns: tuple[str, ...] = ()
    letters: dict[str, dict[str, int]] = {}
    places: list[tuple[str, int]] = []  # (sheet, Excel row) of each data row
    rows: list[_Row] = []
    for ws in read:
        bad_rows: set[int] = set()
        for c1, r1, c2, r2 in merged.get(ws.title, []):
            first = _cell_name(ws.title, c1, r1)
            last = _cell_name(ws.title, c2, r2).split("!")[1]
            problem(
                f"merged cells ({first.split('!')[1]}:{last}): unmerge them, one value per cell",
                first,
            )
            bad_rows.update(range(r1, r2 + 1))
        header: list[str] = []
        header_row: int | None = None
        try:
            with zipfile.ZipFile(where) as archive:
                sheet_rows = list(_sheet_rows(archive, ws._worksheet_path, book))  # noqa: SLF001
        except (ValueError, KeyError, ET.ParseError, zipfile.BadZipFile) as error:
            problem(f"the sheet cannot be read ({error})", _cell_name(ws.title, 1, 1))
            continue
        for number, cells in sheet_rows:
            if header_row is None:  # the first row holding anything (a form's is row 1)
                if not form and all(_blank(c.value) for c in cells):
                    continue
                header_row = number
                first_row = number + 1 if not form else _FORM_FIRST_ROW
                header = ["" if c.value is None else nfc(str(c.value).strip()) for c in cells]
                while header and not header[-1]:
                    header.pop()
                if form:
                    header = header[: len(FORM_COLUMNS)]
                    if tuple(header) != FORM_COLUMNS:
                        problem(
                            "the header of a form sheet must be " + ", ".join(FORM_COLUMNS),
                            _cell_name(ws.title, 1, 1),
                            ",".join(header),
                        )
                        break
                if not columns:
                    columns = tuple(header)
                    letters[ws.title] = {name: k for k, name in enumerate(header, 1)}
                elif tuple(header) != columns:
                    problem(
                        "every sheet must have the header of the first one",
                        _cell_name(ws.title, 1, number),
                    )
                    break
                letters[ws.title] = {name: k for k, name in enumerate(header, 1)}
                continue
            if number < first_row:
                continue
            values: dict[str, object] = {}
            skip = number in bad_rows
            for k, cell in enumerate(cells[: len(header)] if header else ()):
                if cell.formula is not None:
                    problem(
                        "a formula: type the value itself (formulas are not evaluated)",
                        _cell_name(ws.title, k + 1, number),
                        cell.formula,
                    )
                    skip = True
                    continue
                value = _value(cell)
                values[header[k]] = nfc(value) if isinstance(value, str) else value  # one form
            extra = [c for c in cells[len(header) :] if c.value not in (None, "")]
            if extra and not form:
                problem(
                    "a cell beyond the last column of the header",
                    _cell_name(ws.title, len(header) + 1, number),
                    extra[0].value,
                )
                skip = True
            if skip or all(_blank(v) for v in values.values()):
                continue
            if form:
                if all(_blank(values.get(name)) for name in FORM_COLUMNS[3:]):
                    values["criterion"] = None  # not filled in: no record (the date is kept)
                for name, labels in (("status", STATUS_LABELS), ("assessed_by", _WHO_LABELS)):
                    text = values.get(name)
                    if isinstance(text, str) and text.strip() in labels:
                        values[name] = labels[text.strip()]
            for name in header:
                values.setdefault(name, None)
            places.append((ws.title, number))
            rows.append(_Row(number=len(rows) + 1, line=None, values=values))
    book.close()
    default_sheet = read[0].title if read else "Sheet1"

    def locate(row: int | None, column: str | None) -> str | None:
        sheet, number = places[row - 1] if row is not None else (default_sheet, 1)
        return _cell_name(sheet, letters.get(sheet, {}).get(column or ""), number)

    report.locate = locate
    return _Table(
        path=report.path,
        columns=columns,
        rows=iter(rows),
        usable=bool(columns),
        header_line=None,
    )


# --------------------------------------------------------------------------- writing


def _save(book: Any, path: str | os.PathLike[str]) -> None:
    """Save through the one file writer: atomically, never over an input or through a link."""
    from readiness import _files  # noqa: PLC0415

    buffer = io.BytesIO()
    book.save(buffer)
    _files.write_bytes(path, buffer.getvalue())


def _put(ws: Any, row: int, column: int, value: object) -> Any:
    """Write one cell; text is always text (never a formula, whatever it starts with)."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def write_table(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[str]]
) -> None:
    """Write a one-sheet workbook laid out as a CSV file (every cell as text)."""
    openpyxl = _openpyxl()
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "data"
    for k, name in enumerate(header, 1):
        _put(ws, 1, k, name)
    for r, row in enumerate(rows, 2):
        for k, value in enumerate(row, 1):
            if value != "":
                _put(ws, r, k, value)
    _save(book, path)


def _requires_in_words(catalog: Catalog, criterion: Criterion) -> str:
    names = []
    for prerequisite in criterion.requires:
        other = catalog.criteria.get(prerequisite.key)
        title = other.title.vi if other is not None else prerequisite.key
        names.append(f"{prerequisite.key} ({title})")
    return "; ".join(names)


def write_form(
    path: str | os.PathLike[str],
    catalog: Catalog,
    facilities: Sequence[Facility],
    *,
    date: dt.date | None = None,
) -> int:
    """Write an assessment form: one sheet per catalog, a row per facility and criterion.

    Returns the number of criterion rows written. See :func:`readiness.io.write_form`.
    """
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Font, PatternFill, Protection  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    if not facilities:
        raise OptionError("a form needs at least one facility", key="facilities", value=())
    day = date or dt.date.today()  # noqa: DTZ011 - a calendar day, not an instant
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = _INSTRUCTIONS
    _put(guide, 1, 1, "Tiếng Việt")
    _put(guide, 1, 2, "English")
    for r, (vi, en) in enumerate(_INSTRUCTION_TEXT, 2):
        _put(guide, r, 1, vi)
        _put(guide, r, 2, en)
    _put(guide, len(_INSTRUCTION_TEXT) + 3, 1, "Trạng thái / Status")
    for r, label in enumerate(STATUS_LABELS, len(_INSTRUCTION_TEXT) + 4):
        _put(guide, r, 1, label)
    guide.column_dimensions["A"].width = 70
    guide.column_dimensions["B"].width = 70
    guide["A1"].font = guide["B1"].font = Font(bold=True)
    meta = book.create_sheet(_META)
    _put(meta, 1, 1, "readiness form 1: sheets")
    meta.sheet_state = "veryHidden"
    columns = (*FORM_COLUMNS, *_INFO)
    unlocked = Protection(locked=False)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    written = 0
    sheets = []
    for framework in catalog.frameworks.values():
        criteria = [
            catalog.criteria[key]
            for key in framework.criteria
            if catalog.criteria[key].legacy is None
        ]
        rows = [
            (f, c)
            for f in facilities
            for c in criteria
            if c.applies_to.matches(f.attribute_values())
        ]
        if not rows:
            continue
        title = framework.id[:31]
        ws = book.create_sheet(title)
        sheets.append(title)
        for k, name in enumerate(columns, 1):
            _put(ws, 1, k, name).font = Font(bold=True)
            label = _put(ws, 2, k, _LABELS[name])
            label.font = Font(italic=True)
            label.alignment = Alignment(wrap_text=True)
            ws.cell(row=1, column=k).fill = header_fill
            ws.cell(row=2, column=k).fill = header_fill
        status = DataValidation(
            type="list", formula1='"' + ",".join(STATUS_LABELS) + '"', allow_blank=True
        )
        who = DataValidation(
            type="list", formula1='"' + ",".join(_WHO_LABELS) + '"', allow_blank=True
        )
        share = DataValidation(
            type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True
        )
        share.error = "0-100 %"
        share.showErrorMessage = True
        days = DataValidation(type="date", allow_blank=True)
        for validation in (status, who, share, days):
            ws.add_data_validation(validation)
        last = len(rows) + _FORM_FIRST_ROW - 1
        status.add(f"D{_FORM_FIRST_ROW}:D{last}")
        who.add(f"J{_FORM_FIRST_ROW}:J{last}")
        share.add(f"E{_FORM_FIRST_ROW}:F{last}")
        days.add(f"B{_FORM_FIRST_ROW}:B{last}")
        days.add(f"K{_FORM_FIRST_ROW}:K{last}")
        level_names = {level.number: level.title.vi for level in framework.levels}
        for r, (facility, criterion) in enumerate(rows, _FORM_FIRST_ROW):
            domain = framework.domains.get(criterion.domain.split(":")[-1])
            source = "; ".join(str(c) for c in criterion.sources)
            values: tuple[object, ...] = (
                facility.id,
                day,
                criterion.key,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                criterion.title.vi,
                criterion.title.en,
                f"{criterion.level} ({level_names.get(criterion.level, '')})",
                domain.title.vi if domain is not None else criterion.domain,
                _requires_in_words(catalog, criterion),
                source,
            )
            for k, value in enumerate(values, 1):
                cell = _put(ws, r, k, value)
                if 2 <= k <= len(FORM_COLUMNS) and k != 3:
                    cell.protection = unlocked
                if k in (5, 6):
                    cell.number_format = "0%"
                if k in (2, 11):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "D3"
        for letter, width in zip(
            "ABCDEFGHIJKLMNOPQ",
            (14, 13, 34, 26, 12, 12, 24, 24, 20, 24, 14, 50, 50, 16, 24, 40, 30),
            strict=True,
        ):
            ws.column_dimensions[letter].width = width
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        written += len(rows)
    for r, name in enumerate(sheets, 2):
        _put(meta, r, 1, name)
    _save(book, path)
    return written
