"""Read and write facility lists and assessments as CSV, JSON, ``.xlsx`` and Parquet.

CSV and JSON need the standard library only; ``.xlsx`` workbooks (also the assessment forms of
:func:`write_form`) need ``readiness[xlsx]`` and Parquet ``readiness[arrow]``, each imported only
when used. :func:`read_status_matrix` reads a whole file column by column into a status matrix
(the fast path to :func:`readiness.score_many`), :func:`from_pandas` does the same for a
DataFrame and :func:`to_pandas` turns results into DataFrames. CSV files may be comma-, semicolon-
or tab-separated (detected), UTF-8 or UTF-16 with a byte-order mark, or any encoding named by
``encoding=``. ``docs/formats.md`` is the reference.

Every reader validates every row, collects every problem of a file (it stops after 100) and
raises them together in one :class:`~readiness.errors.InputError`, each located as
``file:line: row 3, column 'status': message (got 'mett')`` (``line`` is the physical CSV line,
``row`` the 1-based data row, or JSON array item). When every problem is of one kind the error is
the specific class: :class:`~readiness.errors.UnknownCriterionError`,
:class:`~readiness.errors.UnknownFacilityError` or :class:`~readiness.errors.DuplicateError`.
Nothing is dropped silently. ``docs/formats.md`` shows an example of each format.

Files
-----
CSV files are UTF-8 (a byte-order mark is accepted) unless ``encoding=`` says otherwise, with a
header row (the delimiter is detected); quoted
cells may hold commas and newlines. Blank lines and rows whose cells are all empty are skipped
(they hold no data); a row with more non-empty cells than the header has columns is an error, a
shorter one is padded with empty cells. JSON files hold one array of objects, one object per CSV
row; ``null`` is an empty cell. The file type comes from the suffix (``.csv``, ``.json``); for
any other suffix the content decides (``[`` starts JSON). Ids, dates, numbers and status words are
trimmed; free text (names, reasons, evidence, notes) is kept exactly as written. An empty (or
blank) optional cell means the value is absent.

Facilities
----------
Columns (keys): ``id``, ``kind`` (:data:`readiness.KINDS`), ``ownership`` (``public`` or
``private``) are required; ``name``, ``beds`` (integer >= 0, default 0) and ``region`` are
optional. Every other column is kept in :attr:`Facility.attributes <readiness.Facility>` (an
empty cell leaves the attribute out). CSV values stay strings unless ``catalog=`` declares the
attribute (``[attributes.<name>]``): then they are converted to its type (``integer``;
``boolean`` from ``true``/``false``, ``yes``/``no``, ``1``/``0``; ``string`` checked against its
values). JSON values keep their JSON types (strings are converted as in CSV when the catalog
declares the attribute), and an object may group attributes in a nested ``attributes`` object.
``kind`` and ``ownership`` are case-insensitive. ``has_beds`` is derived from ``beds`` and cannot be
a column. A repeated ``id`` is a :class:`~readiness.errors.DuplicateError` naming both rows.

Assessments, long format
------------------------
One row per facility x criterion x date. Required: ``facility_id``, ``date`` (``yyyy-mm-dd``),
``criterion`` (qualified ``catalog-id:criterion-id`` or a short id unique in the catalog) and
``status`` (``met``, ``partial``, ``not_met``, ``not_applicable``, ``unknown``; case-insensitive).
Optional: ``progress`` (0..1, required for ``partial`` and allowed only there), ``coverage``
(0..1), ``reason`` (required for ``not_applicable``), ``evidence``, ``note``, ``assessed_by``
(``self``, the default, or ``validated``) and ``valid_until`` (``yyyy-mm-dd``). Any other column is
an error. A row whose ``criterion`` and ``status`` are both empty (and nothing else but
``facility_id`` and ``date`` given) records an assessment without records, so that such an
assessment survives a round trip. Rows are grouped into one
:class:`~readiness.Assessment` per facility and date, in order of first appearance; the same
criterion twice for one facility and date is a :class:`~readiness.errors.DuplicateError`.

Assessments, wide format
------------------------
One row per facility x date: ``facility_id``, ``date``, then one column per criterion (header: the
qualified key or a unique short id). Cells: empty = no record (the criterion is unknown),
``met``, ``not_met``, ``unknown``, ``partial:0.4`` (the progress), ``not_applicable:<reason>``
(the reason, trimmed). Coverage, evidence, notes, ``assessed_by`` and ``valid_until`` need the
long format. A criterion column the catalog does not know is reported once; two rows of one
facility and date are a :class:`~readiness.errors.DuplicateError`.

A file is read as long format when its header has a ``criterion`` or ``status`` column, as wide
format otherwise, unless ``format="long"`` or ``format="wide"`` says which. Reading always
normalises criterion ids to qualified keys (``mini:lan``), and :func:`write_assessments` writes
qualified keys, so writing then reading gives equal :class:`~readiness.Assessment` objects when
their record keys are qualified and their optional texts are absent or not blank.

Examples
--------
>>> import readiness
>>> from readiness.io import assessments_from_dicts, facilities_from_dicts
>>> catalog = readiness.load_catalog("vn-emr")
>>> facilities = facilities_from_dicts([{"id": "h1", "kind": "hospital", "ownership": "public"}])
>>> [a] = assessments_from_dicts(
...     [
...         {
...             "facility_id": "h1",
...             "date": "2026-06-01",
...             "criterion": "vn.tt13.it.network",
...             "status": "partial",
...             "progress": 0.5,
...         }
...     ],
...     catalog,
...     facilities,
... )
>>> a.records["vn-emr:vn.tt13.it.network"].progress
0.5
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import itertools
import json
import math
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final, Literal, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from readiness import _files, _safe, _sniff
from readiness._catalog import Attribute, Catalog
from readiness._compile import compile_catalog
from readiness._limits import LINE_LIMIT, nesting_line
from readiness._matrix import UNKNOWN, FacilityColumns, StatusMatrix, record_code
from readiness._model import AssessedBy, Assessment, Facility, Record, Status
from readiness._unicode import FormCollisionError, nfc_data
from readiness.errors import (
    NO_VALUE,
    DuplicateError,
    InputError,
    OptionError,
    Problem,
    ReadinessError,
    UnknownCriterionError,
    UnknownFacilityError,
)

__all__ = [
    "FACILITY_COLUMNS",
    "LONG_COLUMNS",
    "MAX_PROBLEMS",
    "assessments_from_dicts",
    "facilities_from_dicts",
    "from_pandas",
    "read_assessments",
    "read_facilities",
    "read_matrix",
    "read_status_matrix",
    "to_pandas",
    "write_assessments",
    "write_facilities",
    "write_form",
]

PathLike = str | os.PathLike[str]
FileFormat = Literal["csv", "json"]
Layout = Literal["long", "wide"]

#: A reader stops after this many problems and reports them.
MAX_PROBLEMS: Final = 100
#: Standard facility columns, in the order :func:`write_facilities` writes them.
FACILITY_COLUMNS: Final = ("id", "name", "kind", "ownership", "beds", "region")
_FACILITY_REQUIRED: Final = ("id", "kind", "ownership")
#: Long-format assessment columns, in the order :func:`write_assessments` writes them.
LONG_COLUMNS: Final = (
    "facility_id",
    "date",
    "criterion",
    "status",
    "progress",
    "coverage",
    "reason",
    "evidence",
    "note",
    "assessed_by",
    "valid_until",
)
_LONG_REQUIRED: Final = ("facility_id", "date", "criterion", "status")
_WIDE_REQUIRED: Final = ("facility_id", "date")
_RECORD_FIELDS: Final = (
    "status",
    "progress",
    "coverage",
    "reason",
    "evidence",
    "note",
    "assessed_by",
    "valid_until",
)
_DICTS: Final = "<dicts>"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d{1,18}", re.ASCII)  # fits in int64; longer is not a count
_BOOLEAN: Final = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_GOT = re.compile(r"\s*\(got .*\)\Z", re.DOTALL)
_FIRST_CAPACITY: Final = 1024
_CACHE_LIMIT: Final = 65_536


# --------------------------------------------------------------------------- problems


class _StopReadingError(Exception):
    """Raised inside a reader once :data:`MAX_PROBLEMS` problems are collected."""


@attrs.define
class _Report:
    """Every problem of one input, with the kind of error each one is."""

    path: str
    problems: list[Problem] = attrs.Factory(list)
    kinds: set[type[ReadinessError]] = attrs.Factory(set)
    stopped_at: str | None = None
    #: Spreadsheets: the cell (``vn-emr!D14``) of a data row and column (or of a header column).
    locate: Callable[[int | None, str | None], str | None] | None = None

    def add(
        self,
        message: str,
        *,
        kind: type[ReadinessError] = InputError,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
        criterion: str | None = None,
        value: Any = NO_VALUE,
    ) -> None:
        """Record one problem; raise :class:`_StopReadingError` at the limit."""
        self.problems.append(
            Problem(
                message=message,
                path=self.path,
                line=line,
                row=row,
                column=column,
                criterion=criterion,
                value=value,
                cell=None if self.locate is None else self.locate(row, column),
            )
        )
        self.kinds.add(kind)
        if len(self.problems) >= MAX_PROBLEMS:
            where = f"row {row}" if row is not None else f"line {line}"
            self.stopped_at = where
            raise _StopReadingError

    def __bool__(self) -> bool:
        """Whether any problem was found."""
        return bool(self.problems)

    def raise_if_any(self) -> None:
        """Raise every problem in one error: the specific class when all are of one kind."""
        if not self.problems:
            return
        kind: type[ReadinessError] = InputError
        if len(self.kinds) == 1:
            (kind,) = self.kinds
        problems = list(self.problems)
        if self.stopped_at is not None:
            problems.append(
                Problem(
                    message=f"stopped reading at {self.stopped_at} after {MAX_PROBLEMS} problems",
                    path=self.path,
                )
            )
        raise kind(problems=problems)


def _model_message(error: Exception) -> tuple[str, str]:
    """Split a model validation message into (first word, message without its value)."""
    text = _GOT.sub("", str(error))
    return text.split(" ", 1)[0], text


def _json_type(value: object) -> str:
    """Name the JSON type of ``value`` (for messages about wrong types)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


# --------------------------------------------------------------------------- tables


class _Row(NamedTuple):
    """One data row: its number, physical line (CSV) and raw values by column."""

    number: int
    line: int | None
    values: Mapping[str, object]


@attrs.define
class _Table:
    """The header and rows of one CSV file, JSON file or list of dicts."""

    path: str
    columns: tuple[str, ...]
    rows: Iterator[_Row]
    usable: bool = True
    keyed: bool = False  # JSON objects or dicts: each row has its own keys
    header_line: int | None = None
    first_row: Mapping[str, int] = attrs.Factory(dict)

    def where(self, column: str) -> dict[str, Any]:
        """Locate a header-level problem about ``column`` (header line, or first JSON row)."""
        return {"line": self.header_line, "row": self.first_row.get(column), "column": column}


def _csv_table(path: str, lines: _sniff.Lines | None, delimiter: str, report: _Report) -> _Table:
    """Read CSV lines into a table: NFC text, our writers' formula guard taken off each cell."""
    reader = csv.reader(() if lines is None else lines, delimiter=delimiter, strict=True)

    def records() -> Iterator[tuple[int, list[str]]]:
        while True:
            before = reader.line_num
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if "new-line character" in str(error):
                    report.add(
                        "malformed CSV: a line ends with a bare carriage return (old Mac line "
                        "endings?); save the file with LF or CRLF line endings",
                        line=reader.line_num,
                    )
                else:
                    report.add(f"malformed CSV: {error}", line=reader.line_num)
                return
            if not cells or not any(cell.strip() for cell in cells):
                continue
            yield before + 1, cells

    source = records()
    first = next(source, None)
    if first is None:
        if not report:
            report.add("the file is empty; expected a header row", line=1)
        return _Table(path=path, columns=(), rows=iter(()), usable=False)
    header_line, header = first
    while not header[-1].strip():  # spreadsheets' trailing columns without a name: ignored
        header.pop()  # (a cell under one is a row longer than the header: reported)
    columns = tuple(_safe.csv_unguard(name.strip()) for name in header)
    usable = True
    seen: set[str] = set()
    for n, name in enumerate(columns, 1):
        if not name:
            report.add(f"column {n} of the header has no name", line=header_line)
            usable = False
        elif name in seen:
            report.add("column appears twice in the header", line=header_line, column=name)
            usable = False
        seen.add(name)

    def rows() -> Iterator[_Row]:
        for number, (line, cells) in enumerate(source, 1):
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                report.add(
                    f"row has {len(cells)} cells but the header has {len(columns)} columns",
                    line=line,
                    row=number,
                    value=cells[len(columns) :],
                )
                continue
            cells.extend([""] * (len(columns) - len(cells)))  # a short row: empty cells
            del cells[len(columns) :]
            if (
                lines is not None and lines.apostrophe
            ):  # our writers' CSV guard (readiness._safe.csv_cell) comes off
                cells[:] = [_safe.csv_unguard(c) if c[:1] == "'" else c for c in cells]
            values = dict(zip(columns, cells, strict=True))
            yield _Row(number=number, line=line, values=values)

    return _Table(path=path, columns=columns, rows=rows(), usable=usable, header_line=header_line)


def _items_table(path: str, items: Iterable[object], report: _Report, what: str) -> _Table:
    """Build a table from JSON array items or caller dicts (each must be an object)."""
    rows: list[_Row] = []
    first_row: dict[str, int] = {}
    for number, given in enumerate(items, 1):
        if not isinstance(given, Mapping):
            report.add(f"each {what} must be an object", row=number, value=_json_type(given))
            continue
        try:
            item = nfc_data(given)  # one Unicode form (docs/formats.md)
        except FormCollisionError as error:
            report.add(str(error), row=number, value=error.key)
            continue
        values: dict[str, object] = {}
        for key, value in item.items():
            if not isinstance(key, str):
                report.add("keys must be strings", row=number, value=key)
                continue
            if _unencodable(key) or _unencodable(value):
                report.add(_SURROGATE_MESSAGE, row=number, column=key)
                continue
            values[key] = value
            first_row.setdefault(key, number)
        rows.append(_Row(number=number, line=None, values=values))
    # An empty array has no header to check and nothing to read.
    return _Table(
        path=path,
        columns=tuple(first_row),
        rows=iter(rows),
        usable=bool(rows),
        keyed=True,
        first_row=first_row,
    )


_SURROGATE_MESSAGE = (
    "text holds a lone surrogate (half of a UTF-16 pair), which no UTF-8 file can hold"
)
# A \u escape of a surrogate, after an even number of backslashes (so it is an escape).
_SURROGATE_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u([dD][89a-fA-F][0-9a-fA-F]{2})")
#: Deepest JSON nesting read (a facility or assessment file nests 3 deep).
JSON_NESTING = 100
#: Largest JSON file read (bytes); JSON is parsed whole, CSV row by row.
JSON_LIMIT = 512 << 20


def _unencodable(value: object) -> bool:
    """Whether ``value`` (text, or lists and mappings of it) holds a lone surrogate."""
    if isinstance(value, str):
        return not value.isascii() and _safe.has_surrogate(value)
    if isinstance(value, Mapping):
        return any(_unencodable(k) or _unencodable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_unencodable(v) for v in value)
    return False


def _lone_surrogate_lines(text: str) -> list[int]:
    r"""Lines of JSON ``\u`` escapes that encode a lone surrogate (not a valid pair)."""
    lines = []
    found = list(_SURROGATE_ESCAPE.finditer(text))
    n = 0
    while n < len(found):
        code = int(found[n].group(1), 16)
        after = found[n + 1] if n + 1 < len(found) else None
        if (
            code < 0xDC00
            and after is not None
            and after.start() == found[n].end()
            and int(after.group(1), 16) >= 0xDC00
        ):
            n += 2  # a high and a low surrogate: one character outside the BMP
            continue
        lines.append(text.count("\n", 0, found[n].start()) + 1)
        n += 1
    return lines


def _json_table(path: str, data: bytes, report: _Report) -> _Table:
    empty = _Table(path=path, columns=(), rows=iter(()), usable=False)
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        report.add(
            f"the file is not UTF-8: byte {data[error.start]:#04x} at byte offset "
            f"{error.start} cannot be decoded; save the file as UTF-8",
            line=line,
        )
        return empty
    if not text.strip():
        report.add("the file is empty; expected a JSON array of objects", line=1)
        return empty
    if "\\u" in text and (lines := _lone_surrogate_lines(text)):
        for line in lines:
            report.add(_SURROGATE_MESSAGE, line=line)
        return empty
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        report.add(f"not valid JSON: {error.msg} (column {error.colno})", line=error.lineno)
        return empty
    except RecursionError:
        report.add(
            f"arrays or objects nested more than {JSON_NESTING} deep; a file holds an array "
            "of flat objects",
            line=nesting_line(text, JSON_NESTING),
        )
        return empty
    except ValueError as error:  # e.g. an integer literal longer than Python converts
        report.add(f"not valid JSON: {error}")
        return empty
    if not isinstance(value, list):
        report.add("a JSON file must hold an array of objects", value=_json_type(value))
        return empty
    return _items_table(path, value, report, "item of the JSON array")


def _file_format(path: PathLike, given: object) -> FileFormat | None:
    """Return the file type ``format=`` gives, else the suffix's (None for another suffix)."""
    if given is not None:
        if given not in ("csv", "json"):
            raise OptionError("format must be 'csv' or 'json'", key="format", value=given)
        return "csv" if given == "csv" else "json"
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".json"):
        return "csv" if suffix == ".csv" else "json"
    return None


@contextlib.contextmanager
def _open_table(
    path: PathLike, report: _Report, file_format: str | None, encoding: str | None = None
) -> Iterator[_Table]:
    kind = _file_format(path, file_format)
    if Path(path).exists() and not Path(path).is_file():
        raise InputError("not a regular file (a device, folder or pipe)", path=os.fspath(path))
    if kind is None and Path(path).suffix.lower() in (".xlsx", ".parquet"):
        from readiness import _columnar  # noqa: PLC0415 - optional engines load on use

        yield _columnar.other_table(path, report)
        return
    with Path(path).open("rb") as handle:
        if kind is None:  # another suffix: the content decides
            head = handle.read(4096).removeprefix(codecs.BOM_UTF8).lstrip()
            handle.seek(0)
            kind = "json" if head[:1] in (b"[", b"{") else "csv"
        if kind == "json":
            data = handle.read(JSON_LIMIT + 1)
            if len(data) > JSON_LIMIT:
                report.add(
                    f"a JSON file larger than {JSON_LIMIT:,} bytes is not read; write large "
                    "files as CSV, which is read row by row"
                )
                yield _Table(path=report.path, columns=(), rows=iter(()), usable=False)
            else:
                yield _json_table(report.path, data, report)
        else:
            yield _csv_table(report.path, *_csv_lines(handle, report, encoding), report)


def _line_limit() -> int:
    """Return :data:`LINE_LIMIT` as it is now (the columnar reader falls back beyond it)."""
    return LINE_LIMIT


def _csv_lines(
    handle: IO[bytes], report: _Report, encoding: str | None
) -> tuple[_sniff.Lines | None, str]:
    """Return the decoded lines of a CSV file and its delimiter (see :mod:`readiness._sniff`).

    The lines are in NFC; a line longer than :data:`LINE_LIMIT` bytes ends them with a problem
    (a device or binary file has no line ends; reading it whole would exhaust memory). None when
    the file does not decode (its one problem is reported).
    """
    try:
        decoding, problem = _sniff.detect(handle, encoding)
    except LookupError:
        raise OptionError("no such text encoding", key="encoding", value=encoding) from None
    if problem is not None:
        report.add(problem[0], line=problem[1])
        return None, ","

    def too_long(line: int) -> None:
        report.add(
            f"a line longer than {LINE_LIMIT:,} bytes: this is not a CSV file of "
            "facilities or assessments",
            line=line,
        )

    lines = _sniff.lines(handle, decoding, limit=LINE_LIMIT, too_long=too_long)
    return lines, _sniff.delimiter_of(lines.first())


# --------------------------------------------------------------------------- cells


@functools.lru_cache(maxsize=4096)
def _parse_date(text: str) -> dt.date | None:
    """Return the date ``text`` writes as ``yyyy-mm-dd``, or None (cached: dates repeat)."""
    text = text.strip()
    if _DATE.fullmatch(text):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(text)
    return None


class _Cells:
    """Typed access to one row's values; each failure is reported and marks the row bad."""

    __slots__ = ("ok", "report", "row")

    def __init__(self, row: _Row, report: _Report) -> None:
        self.row = row
        self.report = report
        self.ok = True

    def bad(
        self,
        column: str | None,
        message: str,
        value: Any = NO_VALUE,
        *,
        kind: type[ReadinessError] = InputError,
        criterion: str | None = None,
    ) -> None:
        self.ok = False
        self.report.add(
            message,
            kind=kind,
            line=self.row.line,
            row=self.row.number,
            column=column,
            criterion=criterion,
            value=value,
        )

    def raw(self, column: str) -> object:
        """Return the value of ``column``; None when absent, null, empty or blank."""
        value = self.row.values.get(column)
        if isinstance(value, str) and (not value or value.isspace()):
            return None
        return value

    def text(self, column: str, *, required: bool = False, strip: bool = False) -> str | None:
        value = self.raw(column)
        if value is None:
            if required:
                self.bad(column, f"{column} is required")
            return None
        if not isinstance(value, str):
            self.bad(column, f"{column} must be a string", value)
            return None
        return value.strip() if strip else value

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.raw(column)
        if value is None:
            if required:
                self.bad(column, f"{column} is required")
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        day = _parse_date(value) if isinstance(value, str) else None
        if day is None:
            self.bad(column, f"{column} must be a date written yyyy-mm-dd", value)
        return day

    def number(self, column: str) -> float | None:
        return self.fraction(column, self.raw(column), column)

    def fraction(
        self, field: str, value: object, column: str, shown: object = None
    ) -> float | None:
        """Parse a 0..1 number (the range itself is the model's rule); report ``shown``."""
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return float(value)
            except OverflowError:  # a JSON integer beyond the float range
                self.bad(column, f"{field} must be a number from 0 to 1", value)
                return None
        if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            return float(value.strip())
        self.bad(column, f"{field} must be a number from 0 to 1", value if shown is None else shown)
        return None


# --------------------------------------------------------------------------- facilities


def _convert_attribute(value: object, attribute: Attribute | None) -> tuple[object, str | None]:
    """Convert a raw attribute value to the declared type; return (value, problem)."""
    if attribute is None:
        return value, None
    if isinstance(value, str):
        text = value.strip()
        if attribute.type == "integer":
            if not _INTEGER.fullmatch(text):
                return value, f"attribute {attribute.name!r} must be an integer"
            value = int(text)
        elif attribute.type == "boolean":
            if text.lower() not in _BOOLEAN:
                return value, f"attribute {attribute.name!r} must be true or false"
            value = _BOOLEAN[text.lower()]
    problem = attribute.check(value)
    return value, None if problem is None else f"attribute {attribute.name!r} {problem}"


def _facility_from_row(row: _Row, catalog: Catalog | None, report: _Report) -> Facility | None:
    cells = _Cells(row, report)
    fields: dict[str, Any] = {
        "id": cells.text("id", required=True, strip=True),
        "kind": cells.text("kind", required=True, strip=True),
        "ownership": cells.text("ownership", required=True, strip=True),
    }
    for name in ("kind", "ownership"):
        if fields[name] is not None:
            fields[name] = fields[name].lower()
    for name in ("name", "region"):
        text = cells.text(name)
        if text is not None:
            fields[name] = text
    beds = cells.raw("beds")
    if isinstance(beds, str) and _INTEGER.fullmatch(beds.strip()):
        fields["beds"] = int(beds.strip())
    elif isinstance(beds, int) and not isinstance(beds, bool):
        fields["beds"] = beds
    elif beds is not None:
        cells.bad("beds", "beds must be a whole number >= 0", beds)
    attributes: dict[str, object] = {}
    raw: list[tuple[str, object]] = []
    for column, value in row.values.items():
        if column in FACILITY_COLUMNS:
            continue
        if column == "attributes" and isinstance(value, Mapping):
            raw.extend((f"attributes.{k}", v) for k, v in value.items())
        else:
            raw.append((column, value))
    declared = {} if catalog is None else catalog.attributes
    for column, value in raw:
        name = column.removeprefix("attributes.")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if not name.strip():
            cells.bad(column, "an attribute column needs a name after 'attributes.'", value)
            continue
        if name in attributes:
            cells.bad(column, f"attribute {name!r} is given twice", value)
            continue
        if name == "has_beds":
            cells.bad(column, "has_beds is derived from beds; remove the column", value)
            continue
        if not isinstance(value, str | int | float | bool):
            cells.bad(column, "an attribute must be a string, a number or a boolean", value)
            continue
        converted, problem = _convert_attribute(value, declared.get(name))
        if problem is not None:
            cells.bad(column, problem, value)
            continue
        attributes[name] = converted
    if any(fields[name] is None for name in _FACILITY_REQUIRED):
        return None
    try:  # the model checks the rest, even when other cells of the row were bad
        facility = Facility(**fields, attributes=attributes)
    except (ValueError, TypeError) as error:
        field, message = _model_message(error)
        where = field if field in FACILITY_COLUMNS else None
        cells.bad(where, message, NO_VALUE if where is None else row.values.get(where))
        return None
    return facility if cells.ok else None


def _header(columns: Sequence[str], known: Iterable[str]) -> str:
    """Show a header in a message: a short escaped excerpt, or nothing if no column is known.

    A first line with none of the expected columns is likely another kind of file (even a
    secret one): it is not echoed.
    """
    if not columns:
        return "none"
    if not set(columns) & set(known):
        return "none of the expected columns; not shown"
    return _safe.excerpt(", ".join(columns))


def _parse_facilities(table: _Table, catalog: Catalog | None, report: _Report) -> list[Facility]:
    if not table.usable:
        return []
    missing = [c for c in _FACILITY_REQUIRED if c not in table.columns]
    for column in missing:
        report.add(
            f"missing required column {column!r} "
            f"(header: {_header(table.columns, FACILITY_COLUMNS)})",
            line=table.header_line,
        )
    if missing:
        return []
    out: list[Facility] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        facility = _facility_from_row(row, catalog, report)
        if facility is None:
            continue
        first = seen.get(facility.id)
        if first is not None:
            report.add(
                f"facility id appears twice (rows {first} and {row.number})",
                kind=DuplicateError,
                line=row.line,
                row=row.number,
                column="id",
                value=facility.id,
            )
            continue
        seen[facility.id] = row.number
        out.append(facility)
    return out


def _read(report: _Report, work: Callable[[], None]) -> None:
    """Run ``work`` collecting problems, then raise them (if any) together."""
    with contextlib.suppress(_StopReadingError):
        work()
    report.raise_if_any()


def read_facilities(
    path: PathLike,
    *,
    catalog: Catalog | None = None,
    format: FileFormat | None = None,  # noqa: A002 - the documented option name
    encoding: str | None = None,
) -> tuple[Facility, ...]:
    """Read a facility list from a CSV, JSON, ``.xlsx`` or Parquet file.

    Parameters
    ----------
    path : str or os.PathLike
        The file; ``.csv`` or ``.json`` (another suffix: the content decides).
    catalog : Catalog, optional
        Converts CSV strings of the attributes it declares to their declared types.
    format : {"csv", "json"}, optional
        Overrides the suffix.
    encoding : str, optional
        Text encoding of a CSV file that is not UTF-8 (with or without BOM) or UTF-16 with BOM,
        e.g. ``"cp1258"``.

    Returns
    -------
    tuple of Facility
        In file order.

    Raises
    ------
    readiness.errors.InputError
        Every problem of the file, located (see the module documentation).
    readiness.errors.DuplicateError
        When the only problems are repeated facility ids.
    """
    report = _Report(os.fspath(path))
    out: list[Facility] = []

    def work() -> None:
        with _open_table(path, report, format, encoding) as table:
            out.extend(_parse_facilities(table, catalog, report))

    _read(report, work)
    return tuple(out)


def facilities_from_dicts(
    rows: Iterable[Mapping[str, Any]], *, catalog: Catalog | None = None
) -> tuple[Facility, ...]:
    """Build facilities from mappings with the keys of a facility file (as JSON objects).

    Problems are reported as for a file, with the path ``<dicts>``.

    Examples
    --------
    >>> from readiness.io import facilities_from_dicts
    >>> [f] = facilities_from_dicts(
    ...     [{"id": "s1", "kind": "commune_station", "ownership": "public", "district": "Gia Bình"}]
    ... )
    >>> f.attributes["district"]
    'Gia Bình'
    """
    report = _Report(_DICTS)
    out: list[Facility] = []

    def work() -> None:
        table = _items_table(_DICTS, rows, report, "row")
        out.extend(_parse_facilities(table, catalog, report))

    _read(report, work)
    return tuple(out)


def _attribute_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _check_layout(layout: object, *, allow_none: bool) -> Layout | None:
    if layout is None and allow_none:
        return None
    if layout not in ("long", "wide"):
        raise OptionError("format must be 'long' or 'wide'", key="format", value=layout)
    return "long" if layout == "long" else "wide"


def _writing_format(path: PathLike, given: object) -> FileFormat:
    kind = _file_format(path, given)
    if kind is None and given is None and Path(path).suffix.lower() == ".xlsx":
        return "csv"  # a one-sheet workbook laid out as the CSV file (see _write_csv)
    if kind is None:
        raise OptionError(
            "cannot tell the file type from the suffix; name the file .csv or .json",
            key="path",
            value=os.fspath(path),
        )
    return kind


def _write_json(path: PathLike, objects: Iterable[Mapping[str, Any]]) -> None:
    with _files.atomic_open(path, newline="\n") as handle:
        handle.write("[")
        for n, item in enumerate(objects):
            handle.write(",\n" if n else "\n")
            handle.write(json.dumps(item, ensure_ascii=False))
        handle.write("\n]\n")


_FIRST_CHAR = operator.itemgetter(slice(0, 1))


def _write_csv(
    path: PathLike, header: Sequence[str], rows: Iterable[Sequence[str]], *, guard: bool
) -> None:
    """Write rows atomically, text cells guarded (``readiness._safe.csv_cell``).

    A cell longer than :func:`csv.field_size_limit` is refused (the readers could not read it).
    """
    if Path(path).suffix.lower() == ".xlsx":  # every cell text, never a formula: no guard
        from readiness import _xlsx  # noqa: PLC0415 - openpyxl loads on use

        _xlsx.write_table(path, header, rows)
        return
    limit = csv.field_size_limit()
    first = _safe.CSV_FIRST  # only a cell starting so can need a guard (a fast test per cell)
    with _files.atomic_open(path, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")  # RFC 4180; quotes any \r or \n
        for number, row in enumerate(itertools.chain([header], rows)):
            cells: Sequence[str] = row
            if not first.isdisjoint(map(_FIRST_CHAR, row)):
                cells = [str(_safe.csv_cell(c, guard=guard)) if c[:1] in first else c for c in row]
            # writerow returns the characters written: only a row that long can hold such a
            # cell (raising here discards the temporary file: nothing is written)
            if writer.writerow(cells) > limit and max(map(len, cells)) > limit:
                column, cell = next(
                    (n, c) for n, c in zip(header, cells, strict=False) if len(c) > limit
                )
                raise OptionError(
                    f"a CSV cell longer than {limit:,} characters cannot be read back "
                    f"(csv.field_size_limit); write JSON instead",
                    row=number or None,
                    column=column,
                    value=f"{len(cell):,} characters",
                )


def write_facilities(
    path: PathLike,
    facilities: Iterable[Facility],
    *,
    format: FileFormat | None = None,  # noqa: A002 - the documented option name
    csv_guard: bool = True,
) -> None:
    """Write a facility list that :func:`read_facilities` reads back.

    CSV: the standard columns, then one column per attribute (in order of first appearance; an
    empty cell where a facility lacks it; booleans as ``true``/``false``). Attributes come back
    as strings unless the reader is given a catalog declaring them. JSON keeps every type, with
    attributes in a nested ``attributes`` object.

    Parameters
    ----------
    path : str or os.PathLike
    facilities : iterable of Facility
    format : {"csv", "json"}, optional
        Overrides the suffix (which must otherwise be ``.csv`` or ``.json``).
    csv_guard : bool
        CSV: put an apostrophe before text that a spreadsheet would run as a formula (starting
        with ``=``, ``+``, ``-``, ``@``, tab or CR; docs/formats.md, "Safe outputs"). The readers
        remove it again. ``False`` leaves such cells as they are, for other programs.

    Notes
    -----
    The file is replaced atomically (a temporary file renamed into place). A CSV cell longer
    than :func:`csv.field_size_limit` (131,072 characters by default) raises
    :class:`~readiness.errors.OptionError`, since no reader could read it back; JSON has no limit.
    """
    kind = _writing_format(path, format)
    items = tuple(facilities)
    for item in items:
        if not isinstance(item, Facility):
            raise OptionError("expected Facility objects", key="facilities", value=item)
    if kind == "json":
        objects = []
        for f in items:
            obj: dict[str, Any] = {
                "id": f.id,
                "name": f.name,
                "kind": f.kind,
                "ownership": f.ownership,
                "beds": f.beds,
                "region": f.region,
            }
            if f.attributes:
                obj["attributes"] = dict(f.attributes)
            objects.append(obj)
        _write_json(path, objects)
        return
    extra = list(dict.fromkeys(name for f in items for name in f.attributes))
    rows = (
        [f.id, f.name, f.kind, f.ownership, str(f.beds), f.region]
        + [_attribute_text(f.attributes[n]) if n in f.attributes else "" for n in extra]
        for f in items
    )
    _write_csv(path, [*FACILITY_COLUMNS, *extra], rows, guard=csv_guard)


# --------------------------------------------------------------------------- assessments


class _Parsed(NamedTuple):
    """One valid assessment row: facility, date and its records (criterion index, key, record)."""

    facility: Facility
    date: dt.date
    row: int
    line: int | None
    cells: tuple[tuple[int, str, Record, str], ...]  # index, qualified key, record, column


def _facility_index(facilities: Iterable[Facility]) -> dict[str, Facility]:
    if isinstance(facilities, Facility | str | Mapping):
        raise OptionError(
            "facilities must be an iterable of Facility objects",
            key="facilities",
            value=type(facilities).__name__,
        )
    out: dict[str, Facility] = {}
    for item in facilities:
        if not isinstance(item, Facility):
            raise OptionError("expected Facility objects", key="facilities", value=item)
        known = out.setdefault(item.id, item)
        if known is not item and known != item:
            raise DuplicateError(
                "two different facilities in the facility list share this id", value=item.id
            )
    return out


class _AssessmentParser:
    """The one parser and validator of assessment rows, for every reader.

    It checks the header, then turns each row into a :class:`_Parsed` (or reports why it
    cannot). Record rules are the model's: a :class:`~readiness.Record` is built for every cell
    and its validation message becomes a located problem.
    """

    def __init__(
        self,
        table: _Table,
        catalog: Catalog,
        facilities: Mapping[str, Facility],
        report: _Report,
        layout: Layout | None,
        as_of: dt.date | None,
    ) -> None:
        self.table = table
        self.catalog = catalog
        self.compiled = compile_catalog(catalog)
        self.facilities = facilities
        self.report = report
        columns = set(table.columns)
        if layout is None:
            layout = "long" if columns & {"criterion", "status"} else "wide"
        self.layout: Layout = layout
        self.date_from_as_of = as_of is not None and "date" not in columns
        self.as_of = as_of
        self.resolved: dict[str, tuple[int, str] | None] = {}
        self.unknown_facilities: set[str] = set()
        self.unknown_criteria: set[str] = set()
        self.records: dict[tuple[Any, ...], Record] = {}
        self.criteria: list[tuple[str, int, str]] = []  # wide: column, index, qualified key

    # -- header

    def check_header(self) -> bool:
        """Report header problems; return whether rows can be read."""
        table = self.table
        if not table.usable:
            return False
        required: tuple[str, ...] = _LONG_REQUIRED if self.layout == "long" else _WIDE_REQUIRED
        if self.date_from_as_of:
            required = tuple(c for c in required if c != "date")
        if table.keyed:  # JSON objects without criterion and status are assessments without records
            required = tuple(c for c in required if c not in ("criterion", "status"))
        missing = [c for c in required if c not in table.columns]
        for column in missing:
            self.report.add(
                f"missing required column {column!r} for the {self.layout} format "
                f"(header: {_header(table.columns, (*LONG_COLUMNS, *_WIDE_REQUIRED))})",
                line=table.header_line,
            )
        if self.layout == "long":
            known = ", ".join(LONG_COLUMNS)
            for column in table.columns:
                if column not in LONG_COLUMNS:
                    self.report.add(
                        f"unknown column; the long format has the columns {known}",
                        **table.where(column),
                    )
        else:
            self._wide_header()
        return not missing

    def _wide_header(self) -> None:
        taken: dict[int, str] = {}
        for column in self.table.columns:
            if column in _WIDE_REQUIRED:
                continue
            found = self._resolve(column)
            if found is None:
                self.report.add(
                    self._unknown_message(column),
                    kind=UnknownCriterionError,
                    value=column,
                    **self.table.where(column),
                )
                continue
            index, key = found
            if index in taken:
                self.report.add(
                    f"columns {taken[index]!r} and {column!r} name the same criterion",
                    kind=DuplicateError,
                    criterion=key,
                    **self.table.where(column),
                )
                continue
            taken[index] = column
            self.criteria.append((column, index, key))

    # -- lookups

    def _resolve(self, key: str) -> tuple[int, str] | None:
        if key in self.resolved:
            return self.resolved[key]
        try:
            qualified = self.catalog.resolve(key)
        except UnknownCriterionError:
            found = None
        else:
            found = (self.compiled.index[qualified], qualified)
        self.resolved[key] = found
        return found

    def _unknown_message(self, key: str) -> str:
        try:
            self.catalog.resolve(key)
        except UnknownCriterionError as error:
            return error.message
        return "no such criterion in the loaded catalogs"  # pragma: no cover - resolved

    def _facility(self, cells: _Cells, fid: str | None) -> Facility | None:
        if fid is None:
            return None
        facility = self.facilities.get(fid)
        if facility is None:
            cells.ok = False
            if fid not in self.unknown_facilities:
                self.unknown_facilities.add(fid)
                cells.bad(
                    "facility_id",
                    "no such facility in the facility list (reported at its first row only)",
                    fid,
                    kind=UnknownFacilityError,
                )
        return facility

    def _record(
        self, cells: _Cells, fields: tuple[Any, ...], column: str | None, shown: object
    ) -> Record | None:
        """Build (or reuse) the record of ``fields`` (ordered as :data:`_RECORD_FIELDS`)."""
        found = self.records.get(fields)
        if found is not None:
            return found
        try:
            record = Record(**dict(zip(_RECORD_FIELDS, fields, strict=True)))
        except (ValueError, TypeError) as error:
            field, message = _model_message(error)
            if column is None:  # long format: the field names its column
                where = field if field in _RECORD_FIELDS else "status"
                value = cells.raw(where)
                cells.bad(where, message, NO_VALUE if value is None else value)
            else:
                cells.bad(column, message, shown)
            return None
        if len(self.records) >= _CACHE_LIMIT:
            self.records.clear()
        self.records[fields] = record
        return record

    # -- rows

    def rows(self) -> Iterator[_Parsed]:
        """Yield every valid row (after :meth:`check_header` returned True)."""
        parse = self._long if self.layout == "long" else self._wide
        for row in self.table.rows:
            parsed = parse(row)
            if parsed is not None:
                yield parsed

    def _where(self, cells: _Cells) -> tuple[Facility | None, dt.date | None]:
        fid = cells.text("facility_id", required=True, strip=True)
        date = self.as_of if self.date_from_as_of else cells.date("date", required=True)
        return self._facility(cells, fid), date

    def _long(self, row: _Row) -> _Parsed | None:
        cells = _Cells(row, self.report)
        facility, date = self._where(cells)
        criterion = cells.text("criterion", strip=True)
        status = cells.text("status", strip=True)
        out: tuple[tuple[int, str, Record, str], ...] = ()
        if criterion is None and status is None:
            extra = [c for c in LONG_COLUMNS[4:] if cells.raw(c) is not None]
            if extra:  # a record without its criterion and status
                cells.bad("criterion", "criterion is required")
        elif criterion is None:
            if cells.raw("criterion") is None:  # a value of the wrong type is reported already
                cells.bad("criterion", "criterion is required")
        elif status is None:
            if cells.raw("status") is None:
                cells.bad("status", "status is required")
        else:
            found = self._resolve(criterion)
            if found is None:
                if criterion not in self.unknown_criteria:
                    self.unknown_criteria.add(criterion)
                    cells.bad(
                        "criterion",
                        self._unknown_message(criterion) + " (reported at its first row only)",
                        criterion,
                        kind=UnknownCriterionError,
                    )
                cells.ok = False
            count = len(self.report.problems)
            values = row.values  # optional cells are mostly empty: skip those quickly
            fields = (
                status,
                cells.number("progress") if values.get("progress", "") != "" else None,
                cells.number("coverage") if values.get("coverage", "") != "" else None,
                cells.text("reason") if values.get("reason", "") != "" else None,
                cells.text("evidence") if values.get("evidence", "") != "" else None,
                cells.text("note") if values.get("note", "") != "" else None,
                cells.text("assessed_by", strip=True) or AssessedBy.SELF,
                cells.date("valid_until") if values.get("valid_until", "") != "" else None,
            )
            if len(self.report.problems) == count:  # every field parsed: check the record
                record = self._record(cells, fields, None, None)
                if record is not None and found is not None:
                    out = ((found[0], found[1], record, "criterion"),)
        if not cells.ok or facility is None or date is None:
            return None
        return _Parsed(facility=facility, date=date, row=row.number, line=row.line, cells=out)

    def _wide(self, row: _Row) -> _Parsed | None:
        cells = _Cells(row, self.report)
        facility, date = self._where(cells)
        out: list[tuple[int, str, Record, str]] = []
        for column, index, key in self.criteria:
            raw = cells.raw(column)
            if raw is None:
                continue
            if not isinstance(raw, str):
                cells.bad(column, "a cell must be a string such as 'met' or 'partial:0.4'", raw)
                continue
            word, colon, rest = raw.strip().partition(":")
            word = word.strip().lower()
            progress: float | None = None
            reason: str | None = None
            if word == Status.PARTIAL:
                text = rest.strip()
                progress = cells.fraction("progress", text or None, column, raw)
                if text and progress is None:
                    continue
            elif word == Status.NOT_APPLICABLE:
                reason = rest.strip() or None
            elif colon:
                cells.bad(
                    column,
                    "only partial and not_applicable take a value after ':' "
                    "(write partial:0.4 or not_applicable:<reason>)",
                    raw,
                )
                continue
            fields = (word, progress, None, reason, None, None, AssessedBy.SELF, None)
            record = self._record(cells, fields, column, raw)
            if record is not None:
                out.append((index, key, record, column))
        if not cells.ok or facility is None or date is None:
            return None
        return _Parsed(
            facility=facility, date=date, row=row.number, line=row.line, cells=tuple(out)
        )


@attrs.define
class _Group:
    """The rows of one facility on one date, as they are read."""

    facility: Facility
    date: dt.date
    first_row: int
    last_row: int
    taken: dict[int, int] = attrs.Factory(dict)  # criterion index -> row
    records: dict[str, Record] = attrs.Factory(dict)

    def add(self, parsed: _Parsed, report: _Report) -> Iterator[tuple[int, str, Record]]:
        """Yield the records of ``parsed`` new to the group; report repeated criteria."""
        self.last_row = parsed.row
        for index, key, record, column in parsed.cells:
            first = self.taken.get(index)
            if first is not None:
                report.add(
                    f"criterion recorded twice for this facility and date "
                    f"(rows {first} and {parsed.row})",
                    kind=DuplicateError,
                    line=parsed.line,
                    row=parsed.row,
                    column=column,
                    criterion=key,
                    value=parsed.facility.id,
                )
                continue
            self.taken[index] = parsed.row
            yield index, key, record


def _twice(report: _Report, parsed: _Parsed, earlier: tuple[int, int]) -> None:
    report.add(
        f"facility assessed twice on {parsed.date.isoformat()} "
        f"(rows {earlier[0]} and {parsed.row})",
        kind=DuplicateError,
        line=parsed.line,
        row=parsed.row,
        column="facility_id",
        value=parsed.facility.id,
    )


def _assessments(parser: _AssessmentParser, report: _Report) -> list[Assessment]:
    if not parser.check_header():
        return []
    groups: dict[tuple[str, dt.date], _Group] = {}
    for parsed in parser.rows():
        key = (parsed.facility.id, parsed.date)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(parsed.facility, parsed.date, parsed.row, parsed.row)
        elif parser.layout == "wide":
            _twice(report, parsed, (group.first_row, group.last_row))
            continue
        for _, qualified, record in group.add(parsed, report):
            group.records[qualified] = record
    if report:
        return []
    return [
        Assessment(facility=g.facility, date=g.date, records=g.records) for g in groups.values()
    ]


def read_assessments(
    path: PathLike,
    catalog: Catalog,
    facilities: Iterable[Facility],
    *,
    format: Layout | None = None,  # noqa: A002 - the documented option name
    as_of: dt.date | None = None,
    encoding: str | None = None,
) -> list[Assessment]:
    """Read assessments from a CSV or JSON file, long or wide format.

    Parameters
    ----------
    path : str or os.PathLike
        The file; ``.csv`` or ``.json`` (another suffix: the content decides).
    catalog : Catalog
        Resolves criterion ids; record keys come back qualified (``catalog-id:criterion-id``).
    facilities : iterable of Facility
        The facilities the file may name (by ``facility_id``).
    format : {"long", "wide"}, optional
        The layout; by default a header with a ``criterion`` or ``status`` column is long.
    as_of : datetime.date, optional
        The date of every row of a file without a ``date`` column (a snapshot). A file with a
        ``date`` column keeps its own dates. Expiry is judged when scoring
        (``score_many(..., as_of=...)``), not here.
    encoding : str, optional
        Text encoding of a CSV file that is not UTF-8 or UTF-16 with BOM (``"cp1258"``).

    Returns
    -------
    list of Assessment
        One per facility and date, in order of first appearance.

    Raises
    ------
    readiness.errors.InputError
        Every problem of the file, located (see the module documentation).
    readiness.errors.UnknownCriterionError
        When every problem is an unknown criterion.
    readiness.errors.UnknownFacilityError
        When every problem is a facility id not in ``facilities``.
    readiness.errors.DuplicateError
        When every problem is a repeated facility x criterion x date (or, in the wide format,
        facility x date).
    """
    layout = _check_layout(format, allow_none=True)
    known = _facility_index(facilities)
    report = _Report(os.fspath(path))
    out: list[Assessment] = []

    def work() -> None:
        with _open_table(path, report, None, encoding) as table:
            parser = _AssessmentParser(table, catalog, known, report, layout, as_of)
            out.extend(_assessments(parser, report))

    _read(report, work)
    return out


def assessments_from_dicts(
    rows: Iterable[Mapping[str, Any]],
    catalog: Catalog,
    facilities: Iterable[Facility],
    *,
    format: Layout = "long",  # noqa: A002 - the documented option name
) -> list[Assessment]:
    """Build assessments from mappings with the keys of a long- or wide-format file.

    The same parser as :func:`read_assessments` (problems name the path ``<dicts>``). Values may
    be strings as in a CSV file, JSON-like numbers, or :class:`datetime.date` objects for dates.

    Parameters
    ----------
    rows : iterable of Mapping
    catalog : Catalog
    facilities : iterable of Facility
    format : {"long", "wide"}

    Returns
    -------
    list of Assessment
    """
    layout = _check_layout(format, allow_none=False)
    known = _facility_index(facilities)
    report = _Report(_DICTS)
    out: list[Assessment] = []

    def work() -> None:
        table = _items_table(_DICTS, rows, report, "row")
        parser = _AssessmentParser(table, catalog, known, report, layout, None)
        out.extend(_assessments(parser, report))

    _read(report, work)
    return out


class _Chunk:
    """Status and progress columns being filled, growing up to ``limit`` assessments."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        capacity = min(limit, _FIRST_CAPACITY)
        self.status: npt.NDArray[np.uint8] = np.full((size, capacity), UNKNOWN, dtype=np.uint8)
        self.progress: npt.NDArray[np.float64] = np.zeros((size, capacity))
        self.rows: list[int] = []
        self.dates: list[dt.date] = []

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def full(self) -> bool:
        return len(self.rows) >= self.limit

    def column(self, row: int, date: dt.date) -> int:
        """Open the column of a new assessment and return its index."""
        j = len(self.rows)
        if j == self.status.shape[1]:
            capacity = min(self.limit, 2 * j)
            status = np.full((self.size, capacity), UNKNOWN, dtype=np.uint8)
            progress = np.zeros((self.size, capacity))
            status[:, :j] = self.status
            progress[:, :j] = self.progress
            self.status, self.progress = status, progress
        self.rows.append(row)
        self.dates.append(date)
        return j

    def matrix(
        self,
        catalog: Catalog,
        facilities: tuple[Facility, ...],
        columns: FacilityColumns,
        label: str | None,
    ) -> StatusMatrix:
        count = len(self.rows)
        return StatusMatrix(
            catalog=catalog,
            facilities=facilities,
            rows=np.asarray(self.rows, dtype=np.intp),
            dates=np.array(self.dates, dtype="datetime64[D]"),
            status=self.status[:, :count],
            progress=self.progress[:, :count],
            label=label,
            facility_columns=columns,
        )


def read_matrix(
    path: PathLike,
    catalog: Catalog,
    facilities: Iterable[Facility],
    *,
    format: Layout | None = None,  # noqa: A002 - the documented option name
    chunk_size: int = 100_000,
    as_of: dt.date | None = None,
    label: str | None = None,
    encoding: str | None = None,
) -> Iterator[StatusMatrix]:
    """Stream an assessment file into status-matrix chunks, without Assessment objects.

    ``readiness.score_many(catalog, read_matrix(path, catalog, facilities))`` scores a national
    history chunk by chunk. Each chunk equals ``StatusMatrix.from_assessments`` of the same
    assessments (same dates, status codes and progress; the facility of each column is the
    same), except that every chunk lists all of ``facilities`` and shares one
    ``FacilityColumns``, so ``rows`` index into ``facilities``.

    Parameters
    ----------
    path : str or os.PathLike
    catalog : Catalog
    facilities : iterable of Facility
    format : {"long", "wide"}, optional
        As for :func:`read_assessments`.
    chunk_size : int
        Assessments (facility x date) per chunk.
    as_of : datetime.date, optional
        Judge expiry on this date instead of each assessment's date (as
        ``StatusMatrix.from_assessments``); also the date of every row of a file without a
        ``date`` column.
    label : str, optional
        Provenance label of the chunks.
    encoding : str, optional
        As for :func:`read_assessments`.

    Yields
    ------
    StatusMatrix

    Raises
    ------
    readiness.errors.InputError
        Every problem of the file, as :func:`read_assessments` reports them. Chunks are yielded
        only while no problem has been found; the error is raised once the file is read, so
        ``score_many`` never returns a partial table.
    readiness.errors.DuplicateError
        Also when the rows of one facility and date in a long-format file are not contiguous:
        the file must be grouped (sorted) by facility and date to stream.
    """
    layout = _check_layout(format, allow_none=True)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise OptionError(
            "chunk_size must be a whole number >= 1", key="chunk_size", value=chunk_size
        )
    known = _facility_index(facilities)
    return _stream(path, catalog, known, layout, chunk_size, as_of, label, encoding)


def _stream(
    path: PathLike,
    catalog: Catalog,
    known: dict[str, Facility],
    layout: Layout | None,
    chunk_size: int,
    as_of: dt.date | None,
    label: str | None,
    encoding: str | None = None,
) -> Iterator[StatusMatrix]:
    report = _Report(os.fspath(path))
    compiled = compile_catalog(catalog)
    order = tuple(known.values())
    position = {f.id: n for n, f in enumerate(order)}
    columns = FacilityColumns.build(order)
    minimum = [None if math.isnan(m) else float(m) for m in compiled.min_coverage]
    chunk = _Chunk(compiled.size, chunk_size)
    with (
        contextlib.suppress(_StopReadingError),
        _open_table(path, report, None, encoding) as table,
    ):
        parser = _AssessmentParser(table, catalog, known, report, layout, as_of)
        wide = parser.layout == "wide"
        finished: dict[tuple[str, dt.date], tuple[int, int]] = {}  # first and last row
        group: _Group | None = None
        j = -1
        for parsed in parser.rows() if parser.check_header() else ():
            key = (parsed.facility.id, parsed.date)
            same = group is not None and key == (group.facility.id, group.date)
            if wide or not same:  # a new assessment (each wide row is one)
                earlier = finished.get(key)
                if same and group is not None:
                    earlier = (group.first_row, group.last_row)
                if earlier is not None:
                    (_twice if wide else _not_grouped)(report, parsed, earlier)
                    continue
                if group is not None:
                    finished[group.facility.id, group.date] = (group.first_row, group.last_row)
                if chunk.full:
                    if not report:
                        yield chunk.matrix(catalog, order, columns, label)
                    chunk = _Chunk(compiled.size, chunk_size)
                group = _Group(parsed.facility, parsed.date, parsed.row, parsed.row)
                j = chunk.column(position[parsed.facility.id], parsed.date)
            assert group is not None
            when = as_of or parsed.date
            for index, _, record in group.add(parsed, report):
                code, progress = record_code(record, minimum[index], when)
                chunk.status[index, j] = code
                chunk.progress[index, j] = progress
        if len(chunk) and not report:
            yield chunk.matrix(catalog, order, columns, label)
    report.raise_if_any()


def read_status_matrix(
    path: PathLike,
    catalog: Catalog,
    facilities: Iterable[Facility],
    *,
    format: Layout | None = None,  # noqa: A002 - the documented option name
    as_of: dt.date | None = None,
    label: str | None = None,
    encoding: str | None = None,
    engine: Literal["auto", "pyarrow", "python"] = "auto",
) -> StatusMatrix:
    """Read a whole assessment file column by column into one status matrix.

    The fast way into :func:`readiness.score_many`: CSV (long or wide) and Parquet files are
    parsed into columns, validated once per distinct value and put into the matrix by array
    indexing, without an object per row (see :mod:`readiness._columnar`). Other files (JSON,
    ``.xlsx``) are read by the row reader. The result equals the chunks of :func:`read_matrix`
    joined (every facility of ``facilities``, assessments in order of first appearance), except
    that a long-format file need not be grouped by facility and date.

    Parameters
    ----------
    path : str or os.PathLike
        ``.csv``, ``.parquet``, ``.json`` or ``.xlsx`` (another suffix: the content decides
        between CSV and JSON).
    catalog : Catalog
    facilities : iterable of Facility
    format : {"long", "wide"}, optional
        As for :func:`read_assessments`.
    as_of : datetime.date, optional
        As for :func:`read_matrix`: the date of a file without a ``date`` column, and the day
        expiry is judged on.
    label : str, optional
        Provenance label of the matrix.
    encoding : str, optional
        As for :func:`read_assessments`.
    engine : {"auto", "pyarrow", "python"}
        ``"pyarrow"`` parses with pyarrow (``pip install 'readiness[arrow]'``), ``"python"``
        with the standard library's ``csv`` module; ``"auto"`` takes pyarrow when it is
        installed. Both give the same matrix and the same errors. Parquet always needs pyarrow.

    Returns
    -------
    StatusMatrix

    Raises
    ------
    readiness.errors.InputError
        Every problem of the file, exactly as :func:`read_assessments` reports them.
    readiness.errors.MissingDependencyError
        ``engine="pyarrow"`` or a Parquet file without pyarrow installed.

    Examples
    --------
    >>> import readiness
    >>> from readiness.io import read_facilities, read_status_matrix
    >>> catalog = readiness.load_catalog(
    ...     "vn-smart-hospital", layers=["examples/bac_ninh/bn-emr-layer.toml"]
    ... )
    >>> facilities = read_facilities("examples/bac_ninh/facilities.csv", catalog=catalog)
    >>> matrix = read_status_matrix("examples/bac_ninh/assessments.csv", catalog, facilities)
    >>> len(facilities), len(matrix)  # two assessment rounds
    (1372, 2744)
    """
    from readiness import _columnar  # noqa: PLC0415 - optional engines load on use

    return _columnar.read_status_matrix(
        path,
        catalog,
        facilities,
        format=format,
        as_of=as_of,
        label=label,
        encoding=encoding,
        engine=engine,
    )


def from_pandas(
    df: Any,
    catalog: Catalog,
    facilities: Iterable[Facility],
    *,
    layout: Layout = "long",
    as_of: dt.date | None = None,
    label: str | None = None,
    engine: Literal["auto", "pyarrow", "python"] = "auto",
) -> StatusMatrix:
    """Build the status matrix of a pandas DataFrame of assessments, long or wide.

    The DataFrame has the columns (or keys) of a long- or wide-format file; missing values
    (``NaN``, ``None``, ``NaT``) are empty cells, numbers may be numbers, and dates may be
    ``datetime.date`` objects or midnight timestamps. Validation is :func:`read_assessments`'s:
    every problem is reported together, located by the DataFrame row (1-based position, not the
    index label) and column, the path shown as ``<DataFrame>``. With pyarrow installed the
    columns are checked column-wise, as :func:`read_status_matrix` does.

    Parameters
    ----------
    df : pandas.DataFrame
    catalog : Catalog
    facilities : iterable of Facility
    layout : {"long", "wide"}
    as_of : datetime.date, optional
        As for :func:`read_status_matrix`.
    label : str, optional
    engine : {"auto", "pyarrow", "python"}

    Returns
    -------
    StatusMatrix

    Examples
    --------
    >>> import pandas as pd
    >>> import readiness
    >>> from readiness.io import facilities_from_dicts, from_pandas
    >>> catalog = readiness.load_catalog("vn-emr")
    >>> facilities = facilities_from_dicts(
    ...     [{"id": "h1", "kind": "hospital", "ownership": "public"}]
    ... )
    >>> df = pd.DataFrame(
    ...     {"facility_id": ["h1"], "date": ["2026-06-01"],
    ...      "criterion": ["vn.tt13.it.network"], "status": ["met"]}
    ... )  # fmt: skip
    >>> len(from_pandas(df, catalog, facilities))
    1
    """
    from readiness import _columnar  # noqa: PLC0415 - optional engines load on use

    return _columnar.from_pandas(
        df, catalog, facilities, layout=layout, as_of=as_of, label=label, engine=engine
    )


def to_pandas(result: object) -> Any:
    """Return a score table, plan table or summary as a pandas DataFrame.

    * :class:`~readiness.ScoreTable` (``score_many``): one row per facility-assessment, as
      ``ScoreTable.to_records``.
    * ``PlanTable`` (``plan_many``): one row per facility-assessment, as its ``to_records``.
    * ``Summary`` (``summarize``): a ``total`` row, then one row per group (``scope`` says
      which), the grouping attributes as columns and nested figures flattened with ``:``
      (``overall:mean``, ``by_catalog:vn-emr:mean``, ``levels:vn-emr:2``).

    Raises
    ------
    readiness.errors.MissingDependencyError
        pandas is not installed (``pip install 'readiness[pandas]'``).
    readiness.errors.OptionError
        Anything else.
    """
    from readiness import _frames  # noqa: PLC0415 - pandas loads on use

    return _frames.to_pandas(result)


def write_form(
    path: PathLike,
    catalog: Catalog,
    facilities: Iterable[Facility],
    *,
    date: dt.date | None = None,
) -> int:
    """Write an assessment form (``.xlsx``) for facilities to fill in and send back.

    One sheet per catalog of ``catalog`` with a row per facility and criterion that applies to
    it (legacy criteria left out): its id, titles in Vietnamese and English, level, domain,
    prerequisites in words and source; columns for the status (a drop-down of the status words
    with Vietnamese labels), progress and coverage (0-100 %, validated), the not-applicable
    reason, evidence, a note, who assessed it and until when a validation holds. An
    instructions sheet in Vietnamese and English comes first; headers are frozen and the id
    columns locked. :func:`read_assessments` and :func:`read_status_matrix` read the filled form
    back and name each problem's sheet and cell (``vn-emr!D14``). Needs openpyxl
    (``pip install 'readiness[xlsx]'``).

    Parameters
    ----------
    path : str or os.PathLike
        The workbook to write (``.xlsx``), written atomically.
    catalog : Catalog
    facilities : iterable of Facility
        Facilities to assess (at least one).
    date : datetime.date, optional
        Date of the assessment written in every row (editable); default today.

    Returns
    -------
    int
        The number of criterion rows written.
    """
    from readiness import _xlsx  # noqa: PLC0415 - openpyxl loads on use
    from readiness._matrix import check_date  # noqa: PLC0415

    check_date(date, "date")
    if Path(path).suffix.lower() != ".xlsx":
        raise OptionError("a form is an .xlsx workbook", key="path", value=os.fspath(path))
    return _xlsx.write_form(path, catalog, tuple(_facility_index(facilities).values()), date=date)


def _not_grouped(report: _Report, parsed: _Parsed, earlier: tuple[int, int]) -> None:
    first, last = earlier
    span = f"row {first}" if first == last else f"rows {first}-{last}"
    report.add(
        f"this facility and date already appeared at {span}: to stream, a long-format file "
        "must be grouped (sorted) by facility and date",
        kind=DuplicateError,
        line=parsed.line,
        row=parsed.row,
        column="facility_id",
        value=parsed.facility.id,
    )


# --------------------------------------------------------------------------- writing


def _float_text(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _wide_cell(record: Record) -> tuple[str, str | None]:
    """Return the wide-format cell of ``record`` and, if it cannot hold it, why."""
    for name in ("coverage", "evidence", "note", "valid_until"):
        if getattr(record, name) is not None:
            return "", f"it has {name}"
    if record.assessed_by is not AssessedBy.SELF:
        return "", f"it is assessed_by {record.assessed_by.value}"
    if record.status is Status.PARTIAL:
        return f"partial:{_float_text(record.progress)}", None
    if record.status is Status.NOT_APPLICABLE:
        reason = record.reason or ""
        if reason != reason.strip():
            return "", "its reason starts or ends with spaces"
        return f"not_applicable:{reason}", None
    if record.reason is not None:
        return "", f"it has a reason but is {record.status.value}"
    return record.status.value, None


def _resolved(
    assessments: Iterable[Assessment], catalog: Catalog
) -> list[tuple[Assessment, list[tuple[str, Record]]]]:
    out = []
    seen: set[tuple[str, dt.date]] = set()
    for n, item in enumerate(assessments, 1):
        if not isinstance(item, Assessment):
            raise OptionError("expected Assessment objects", key="assessments", value=item)
        where = (item.facility.id, item.date)
        if where in seen:
            raise DuplicateError(
                f"facility assessed twice on {item.date.isoformat()}",
                row=n,
                value=item.facility.id,
            )
        seen.add(where)
        records: dict[str, tuple[str, Record]] = {}
        for key, record in item.records.items():
            qualified = catalog.resolve(key)
            if qualified in records:
                raise DuplicateError(
                    f"records {records[qualified][0]!r} and {key!r} name the same criterion",
                    row=n,
                    criterion=qualified,
                    value=item.facility.id,
                )
            records[qualified] = (key, record)
        out.append((item, [(q, r) for q, (_, r) in records.items()]))
    return out


def _long_object(a: Assessment, key: str | None, record: Record | None) -> dict[str, Any]:
    obj: dict[str, Any] = {"facility_id": a.facility.id, "date": a.date.isoformat()}
    if key is None or record is None:
        return obj
    obj["criterion"] = key
    obj["status"] = record.status.value
    for name in ("progress", "coverage"):
        value = getattr(record, name)
        if value is not None:
            obj[name] = float(value)
    for name in ("reason", "evidence", "note"):
        value = getattr(record, name)
        if value is not None:
            obj[name] = value
    if record.assessed_by is not AssessedBy.SELF:
        obj["assessed_by"] = record.assessed_by.value
    if record.valid_until is not None:
        obj["valid_until"] = record.valid_until.isoformat()
    return obj


def _long_row(obj: Mapping[str, Any]) -> list[str]:
    row = []
    for column in LONG_COLUMNS:
        value = obj.get(column)
        if column == "assessed_by" and "status" in obj:
            value = value or AssessedBy.SELF.value
        row.append(
            "" if value is None else _float_text(value) if isinstance(value, float) else str(value)
        )
    return row


def write_assessments(
    path: PathLike,
    assessments: Iterable[Assessment],
    catalog: Catalog,
    *,
    format: Layout = "long",  # noqa: A002 - the documented option name
    csv_guard: bool = True,
) -> None:
    """Write assessments that :func:`read_assessments` reads back as equal objects.

    Criterion ids are written qualified, numbers with ``repr`` (exact). The file type comes from
    the suffix (``.csv`` or ``.json``). An assessment without records is written as one row
    with only ``facility_id`` and ``date`` (long) or a row of empty cells (wide).

    Parameters
    ----------
    path : str or os.PathLike
    assessments : iterable of Assessment
    catalog : Catalog
        Resolves record keys to qualified keys.
    format : {"long", "wide"}
        The wide format holds only status, progress and reason; a record with coverage,
        evidence, a note, ``assessed_by="validated"`` or ``valid_until`` (or a reason with
        leading or trailing spaces) raises :class:`~readiness.errors.OptionError`.
    csv_guard : bool
        As for :func:`write_facilities`: formula-like CSV text cells get an apostrophe that the
        readers remove again.

    Raises
    ------
    readiness.errors.UnknownCriterionError
        A record key is not in the catalog.
    readiness.errors.DuplicateError
        Two assessments of one facility and date, or two keys naming one criterion.
    readiness.errors.OptionError
        A record the wide format cannot hold; a suffix other than ``.csv`` or ``.json``; a CSV
        cell (a note, say) longer than :func:`csv.field_size_limit` (131,072 characters by
        default), which no reader could read back (JSON has no such limit).
    readiness.errors.OutputError
        The file is a symbolic link or not a regular file. It is replaced atomically.
    """
    layout = _check_layout(format, allow_none=False)
    kind = _writing_format(path, None)
    items = _resolved(assessments, catalog)
    if layout == "long":
        objects = []
        for a, records in items:
            if not records:
                objects.append(_long_object(a, None, None))
            objects.extend(_long_object(a, key, record) for key, record in records)
        if kind == "json":
            _write_json(path, objects)
        else:
            _write_csv(path, LONG_COLUMNS, (_long_row(obj) for obj in objects), guard=csv_guard)
        return
    compiled = compile_catalog(catalog)
    used = sorted(
        {key for _, records in items for key, _ in records}, key=lambda k: compiled.index[k]
    )
    rows: list[dict[str, str]] = []
    for a, records in items:
        row = {"facility_id": a.facility.id, "date": a.date.isoformat()}
        for key, record in records:
            cell, why = _wide_cell(record)
            if why is not None:
                raise OptionError(
                    f"the wide format cannot hold the record of {key!r} for facility "
                    f"{a.facility.id!r} on {a.date.isoformat()}: {why}; write format='long'",
                    key="format",
                    value="wide",
                )
            row[key] = cell
        rows.append(row)
    if kind == "json":
        _write_json(path, rows)
    else:
        header = [*_WIDE_REQUIRED, *used]
        cells = ([row.get(c, "") for c in header] for row in rows)
        _write_csv(path, header, cells, guard=csv_guard)
