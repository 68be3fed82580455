"""The columnar reader gives the row reader's matrix and the row reader's errors, on both engines.

``read_status_matrix(engine="pyarrow")`` and ``engine="python"`` must agree with each other and
with the row reader (``read_assessments`` then ``StatusMatrix.from_assessments``): the same
matrix for a good file, the same error (type and every problem, in order) for a bad one. Pinned
by a hypothesis property over generated long and wide files (as CSV with every delimiter and
line ending, and as Parquet) and by the malformed-file corpus.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io as _io
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import readiness
from readiness import _columnar, errors
from readiness import io as rio
from readiness._matrix import StatusMatrix

HERE = Path(__file__).parent
MINI = readiness.load_catalog(HERE / "data" / "mini.toml")
FACILITIES = rio.read_facilities(HERE / "data" / "mini_facilities.csv", catalog=MINI)
CORPUS = HERE / "corpus" / "assessments"
ENGINES = ("python", "pyarrow")


def outcome(read: Any) -> tuple[str, Any]:
    """Run a reader: ("error", (type, problems as text)) or ("ok", matrix)."""
    try:
        return "ok", read()
    except errors.ReadinessError as error:
        return "error", (type(error), [str(p) for p in error.problems])


def row_matrix(path: Path, layout: str | None, as_of: dt.date | None = None) -> StatusMatrix:
    """The row reader's matrix, its columns indexed like the columnar reader's."""
    found = rio.read_assessments(path, MINI, FACILITIES, format=layout, as_of=as_of)  # type: ignore[arg-type]
    return StatusMatrix.from_assessments(MINI, found, as_of=as_of)


def assert_same(columnar: StatusMatrix, reference: StatusMatrix) -> None:
    assert len(columnar) == len(reference)
    assert [columnar.facility(j).id for j in range(len(columnar))] == [
        reference.facility(j).id for j in range(len(reference))
    ]
    assert np.array_equal(columnar.dates, reference.dates)
    assert np.array_equal(columnar.status, reference.status)
    assert np.array_equal(columnar.progress, reference.progress)
    assert columnar.facilities == FACILITIES


def check_file(path: Path, layout: str | None = None, as_of: dt.date | None = None) -> str:
    """Read ``path`` every way; assert they agree; return "ok" or "error"."""
    kind, reference = outcome(lambda: row_matrix(path, layout, as_of))
    # the standard-library engine also with its byte splitter taking a line or two at a time
    for engine, block in (*((e, _columnar._BYTE_BLOCK) for e in ENGINES), ("python", 16)):
        with mock.patch.object(_columnar, "_BYTE_BLOCK", block):
            got_kind, got = outcome(
                lambda engine=engine: rio.read_status_matrix(
                    path, MINI, FACILITIES, format=layout, as_of=as_of, engine=engine
                )
            )
        assert got_kind == kind, (engine, block, got, reference)
        if kind == "ok":
            assert_same(got, reference)
        else:
            assert got == reference, (engine, block)
    return kind


# --------------------------------------------------------------------------- the corpus

CORPUS_FILES = sorted(
    p
    for p in CORPUS.iterdir()
    if p.suffix in (".csv", ".json") and not p.name.startswith("facilities")
)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_every_malformed_file_gets_the_row_readers_error_on_both_engines(path: Path) -> None:
    layout = "wide" if path.name.startswith(("wide", "json_wide")) else None
    if path.name == "long_not_grouped.csv":  # grouping is read_matrix's rule alone
        assert check_file(path, layout) == "ok"
        return
    assert check_file(path, layout) == "error"


# --------------------------------------------------------------------------- the property

IDS = ["h1", "h2", "m1", "c1", "s1"]
CRITERIA = ["lan", "mini:servers", "his", "ward", "pacs", "backup"]
GOOD = {
    "facility_id": IDS,
    "date": ["2026-01-01", "2026-02-01", " 2026-03-01"],
    "progress": ["", "0.5", "1", "0.25 "],
    "coverage": ["", "0.95", "0.5"],
    "reason": ["", "No beds"],
    "evidence": ["", "QĐ 12, 2026", 'say "hi"', "hai\ndòng", "'=SUM(A1)", "'\t"],
    "note": ["", "Ghi chú; một", "Ghi chu\u0301; mo\u0323\u0302t", "''+1", "'s"],
    "assessed_by": ["", "self", "validated"],
    "valid_until": ["", "2026-06-01", "2025-01-01"],
}
BAD = {
    "facility_id": ["zz", "", " h1", "'h1", "'=h1", "h\u0301"],
    "date": ["2026-13-01", "", "1/2/2026"],
    "criterion": ["nope", ""],
    "status": ["mett", "", "đạt", "đa\u0323t", "'-met"],
    "progress": ["2", "abc", "nan"],
    "coverage": ["x", "-1"],
    "reason": ["  "],
    "assessed_by": ["boss"],
    "valid_until": ["bad"],
}
STATUS = ["met", "partial", "not_met", "not_applicable", "unknown", "MET ", "Not_Met"]


@st.composite
def long_rows(draw: st.DrawFn, clean: bool) -> list[dict[str, str]]:
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = {name: draw(st.sampled_from(values)) for name, values in GOOD.items()}
        row["criterion"] = draw(st.sampled_from(CRITERIA))
        row["status"] = status = draw(st.sampled_from(STATUS))
        word = status.strip().lower()
        if word != "partial":
            row["progress"] = ""
        elif not row["progress"]:
            row["progress"] = "0.5"
        if word == "not_applicable" and not row["reason"]:
            row["reason"] = "No beds"
        if draw(st.integers(0, 9)) == 0:  # an assessment without records
            row = {"facility_id": row["facility_id"], "date": row["date"]}
        if not clean and draw(st.integers(0, 3)) == 0:
            name = draw(st.sampled_from(sorted(BAD)))
            row[name] = draw(st.sampled_from(BAD[name]))
        rows.append(row)
    return rows


@st.composite
def wide_rows(draw: st.DrawFn, clean: bool) -> tuple[list[str], list[dict[str, str]]]:
    columns = draw(st.lists(st.sampled_from(CRITERIA), unique=True, max_size=6))
    if not clean and draw(st.booleans()):
        columns.append("nope")
    cells = ["", "met", "not_met", "unknown", "partial:0.4", "not_applicable:No beds", " MET"]
    bad_cells = ["partial", "partial:x", "met:0.5", "maybe", "not_applicable:"]
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        row = {
            "facility_id": draw(st.sampled_from(IDS)),
            "date": draw(st.sampled_from(GOOD["date"])),
        }
        for column in columns:
            row[column] = draw(st.sampled_from(cells))
        if not clean and draw(st.integers(0, 3)) == 0:
            name = draw(st.sampled_from(["facility_id", "date", *columns]))
            pool = BAD.get(name, bad_cells)
            row[name] = draw(st.sampled_from(pool))
        rows.append(row)
    return ["facility_id", "date", *columns], rows


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]], style: tuple) -> None:
    delimiter, ending, bom = style
    out = _io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending)
    writer.writerow(header)
    writer.writerows([row.get(c, "") for c in header] for row in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))


STYLES = st.tuples(
    st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n"]), st.booleans()
)
PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(clean=st.booleans(), data=st.data(), style=STYLES)
def test_long_files_read_the_same_every_way(tmp_path: Path, clean: bool, data, style) -> None:
    """Columnar (both engines) and row reading agree on every long file, good or bad."""
    rows = data.draw(long_rows(clean))
    path = tmp_path / "long.csv"
    write_csv(path, list(rio.LONG_COLUMNS), rows, style)
    check_file(path)


@PROPERTY
@given(clean=st.booleans(), data=st.data(), style=STYLES)
def test_wide_files_read_the_same_every_way(tmp_path: Path, clean: bool, data, style) -> None:
    """Columnar (both engines) and row reading agree on every wide file, good or bad."""
    header, rows = data.draw(wide_rows(clean))
    path = tmp_path / "wide.csv"
    write_csv(path, header, rows, style)
    check_file(path, "wide")


@PROPERTY
@given(clean=st.booleans(), data=st.data())
def test_parquet_files_read_the_same_every_way(tmp_path: Path, clean: bool, data) -> None:
    """A Parquet file gives what its rows give to the row reader (types kept)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = data.draw(long_rows(clean))
    columns = {c: [row.get(c) or None for row in rows] for c in rio.LONG_COLUMNS}
    if data.draw(st.booleans()):  # numbers as numbers, when they are numbers
        for name in ("progress", "coverage"):
            with contextlib.suppress(ValueError):
                columns[name] = [None if v is None else float(v) for v in columns[name]]  # type: ignore[misc]
    path = tmp_path / "long.parquet"
    pq.write_table(pa.table(columns), path)
    check_file(path)


# --------------------------------------------------------------------------- examples


def test_the_bac_ninh_example_reads_the_same_every_way() -> None:
    folder = HERE.parent / "examples" / "bac_ninh"
    catalog = readiness.load_catalog("vn-smart-hospital", layers=[folder / "bn-emr-layer.toml"])
    facilities = rio.read_facilities(folder / "facilities.csv", catalog=catalog)
    [streamed] = rio.read_matrix(folder / "assessments.csv", catalog, facilities, chunk_size=10**6)
    for engine in ENGINES:
        matrix = rio.read_status_matrix(
            folder / "assessments.csv",
            catalog,
            facilities,
            engine=engine,  # type: ignore[arg-type]
        )
        assert np.array_equal(matrix.status, streamed.status)
        assert np.array_equal(matrix.progress, streamed.progress)
        assert np.array_equal(matrix.rows, streamed.rows)
        assert np.array_equal(matrix.dates, streamed.dates)


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(errors.OptionError, match="engine must be"):
        rio.read_status_matrix(CORPUS / "long_multi.csv", MINI, FACILITIES, engine="fast")  # type: ignore[arg-type]


def test_scores_from_the_columnar_matrix_equal_the_row_readers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "facility_id,date,criterion,status,progress,coverage,reason,evidence,note,assessed_by,"
        "valid_until\n"
        "h1,2026-01-01,lan,met,,,,,,,\nh1,2026-01-01,his,partial,0.5,,,,,,\n"
        "h1,2026-01-01,ward,met,,0.95,,,,,2026-06-01\ns1,2026-01-01,ward,not_applicable,,,"
        "No beds,,,,\n",
        encoding="utf-8",
    )
    table = readiness.score_many(MINI, rio.read_status_matrix(path, MINI, FACILITIES))
    # the matrix lists every facility of the list: not-assessed rows for those without one
    found = rio.read_assessments(path, MINI, FACILITIES)
    expected = readiness.score_many(MINI, found, facilities=FACILITIES)
    assert np.array_equal(table.overall, expected.overall, equal_nan=True)


TOKENS = ["h1", "s1", ",", ",", ",", '"', '""', "\n", "\r\n", "met", "lan", "his", "2026-01-01"]
TOKENS += [" ", ";", "x", "partial", "0.5", "\t", "\r", "'", "'=", "'\t", "e\u0301", "\u0301"]


@PROPERTY
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=60), header=st.sampled_from([0, 1]))
def test_raw_text_parses_the_same_every_way(tmp_path: Path, tokens: list[str], header: int) -> None:
    """Random quotes, delimiters and line ends: pyarrow, split and csv-module parsing agree."""
    head = ["facility_id,date,criterion,status,progress\n", "facility_id,date,lan,his\n"][header]
    path = tmp_path / "raw.csv"
    path.write_bytes((head + "".join(tokens)).encode("utf-8"))
    check_file(path, ["long", "wide"][header])


@settings(max_examples=20)
@given(
    seed=st.integers(0, 10**6),
    count=st.integers(0, 30),
    as_of=st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2028, 1, 1)),
)
def test_the_matrix_of_assessment_objects_is_filled_as_record_code_fills_it(
    seed: int, count: int, as_of: dt.date | None
) -> None:
    """StatusMatrix.from_assessments fills by arrays exactly as record_code, record by record."""
    from readiness import _matrix, synthetic
    from readiness._compile import compile_catalog
    from readiness._matrix import _fill, _fill_one_by_one

    catalog = readiness.load_catalog("vn-smart-hospital")
    items = synthetic.status_matrix(catalog, count, seed=seed).to_assessments()
    with mock.patch.object(_matrix, "_FILL_BLOCK", 7):  # several blocks, the last one short
        filled = _fill(catalog, compile_catalog(catalog), items, as_of)
    assert filled is not None
    one_by_one = _fill_one_by_one(catalog, compile_catalog(catalog), items, as_of)
    assert np.array_equal(filled[0], one_by_one[0])
    assert np.array_equal(filled[1].dense(), one_by_one[1].dense())


# --------------------------------------------------------------------------- issue 10 on read


def test_nfd_text_reads_as_nfc_every_way(tmp_path: Path) -> None:
    """Every line is NFC on both paths: an NFD status word, note and header read the same."""
    path = tmp_path / "nfd.csv"
    path.write_text(
        "facility_id,date,criterion,status,note\n"
        "h1,2026-01-01,lan,met,Ghi chu\u0301\n"
        "s1,2026-01-01,ward,đa\u0323t,\n",  # "đạt" in NFD: the row reader's error, both paths
        encoding="utf-8",
    )
    assert check_file(path) == "error"
    path.write_text(
        "facility_id,date,criterion,status,note\nh1,2026-01-01,lan,met,Ghi chu\u0301\n",
        encoding="utf-8",
    )
    assert check_file(path) == "ok"
    [assessment] = rio.read_assessments(path, MINI, FACILITIES)
    assert assessment.records["mini:lan"].note == "Ghi chú"


def test_the_csv_guard_comes_off_every_way(tmp_path: Path) -> None:
    """Cells and header names our writers guarded read back bare, on both paths."""
    path = tmp_path / "guarded.csv"
    path.write_text(
        "facility_id,date,criterion,status,'=note\n"  # a guarded name: the column 'note=' ...
        "h1,2026-01-01,lan,met,x\n",
        encoding="utf-8",
    )
    assert check_file(path) == "error"  # ... is not a column of the long format
    path.write_text(
        "facility_id,date,criterion,status,note,evidence\n"
        "h1,2026-01-01,lan,met,'=SUM(A1),'-1\n"
        "h1,2026-01-01,his,partial,'s,''@x\n",
        encoding="utf-8",
    )
    assert check_file(path, "long") == "error"  # partial needs progress: the row reader's error
    path.write_text(
        "facility_id,date,criterion,status,note,evidence\n"
        "h1,2026-01-01,lan,met,'=SUM(A1),'-1\n"
        "h1,2026-01-01,his,not_met,'s,''@x\n",
        encoding="utf-8",
    )
    assert check_file(path, "long") == "ok"
    [assessment] = rio.read_assessments(path, MINI, FACILITIES)
    assert assessment.records["mini:lan"].note == "=SUM(A1)"
    assert assessment.records["mini:lan"].evidence == "-1"
    assert assessment.records["mini:his"].note == "'s"
    assert assessment.records["mini:his"].evidence == "'@x"


def test_a_guarded_blank_row_is_read_as_the_row_reader_reads_it(tmp_path: Path) -> None:
    """``'\t`` is a cell (the row is not blank) that reads back blank: the row reader decides."""
    path = tmp_path / "blank.csv"
    path.write_text(
        "facility_id,date,criterion,status\nh1,2026-01-01,lan,met\n,,,'\t\n", encoding="utf-8"
    )
    assert check_file(path) == "error"


@pytest.mark.parametrize("where", [0, 1, 2])
def test_an_over_long_line_gets_the_row_readers_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: int
) -> None:
    """A line over LINE_LIMIT: the columnar reader falls back, so the error is the row reader's."""
    monkeypatch.setattr(rio, "LINE_LIMIT", 200)
    lines = ["facility_id,date,criterion,status,note", "h1,2026-01-01,lan,met,x"]
    lines.insert(where, "h1,2026-01-01,his,met," + "y" * 300)
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert check_file(path) == "error"
    with pytest.raises(errors.InputError) as caught:
        rio.read_status_matrix(path, MINI, FACILITIES, engine="python")
    assert f"{path}:{where + 1}: a line longer than 200 bytes" in str(caught.value)
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-16"))
    assert check_file(path) == "error"  # other encodings: characters counted
    path.write_text("\n".join(lines[:where] + lines[where + 1 :]) + "\n", encoding="utf-8")
    assert check_file(path) == "ok"  # the limit is per line, not per file


# ------------------------------------------------- the byte splitter of the standard-library engine

# cells around the 8-byte word size, non-ASCII text, and blanks; none holds a quote or line end
CELL = st.sampled_from(["", " ", "a", "met", "h1", "lan", "2026-01-01", "é", "Bắc Ninh", "x" * 8])
CELL |= st.text(st.sampled_from("ab ạ-é1"), max_size=26)


def reference_cells(raw: bytes, delimiter: str) -> list[list[str]]:
    """The cells, column by column, as the csv module reads them."""
    text = raw.decode("utf-8").replace("\r\n", "\n")
    rows = list(csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter))
    return [list(column) for column in zip(*rows, strict=True)]


def byte_cells(raw: bytes, delimiter: str) -> list[list[str]] | None:
    columns = _columnar._byte_columns(raw, delimiter)
    if columns is None:
        return None
    for column in columns:  # codes index the distinct values, which are distinct
        assert len(set(column.uniques)) == len(column.uniques)
        assert column.codes.dtype.kind in "iu"
    return [[c.uniques[k] for k in c.codes.tolist()] for c in columns]


@given(
    grid=st.integers(1, 4).flatmap(
        lambda width: st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1)
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    endings=st.lists(st.sampled_from(["\n", "\r\n"]), min_size=1),
    last=st.booleans(),
    block=st.sampled_from([1, 7, 40, 1 << 20]),
)
def test_the_byte_splitter_reads_cells_as_the_csv_module(
    grid: list[list[str]], delimiter: str, endings: list[str], last: bool, block: int
) -> None:
    """Any file without quotes: the same cells as the csv module, or None (not that simple),
    whether the file is split in one block of lines or in many (``block`` bytes at least)."""
    lines = [delimiter.join(row) for row in grid]
    text = "".join(line + endings[k % len(endings)] for k, line in enumerate(lines))
    if not last:  # no line end after the last line
        text = text.removesuffix("\r\n").removesuffix("\n")
    raw = text.encode("utf-8")
    with mock.patch.object(_columnar, "_BYTE_BLOCK", block):
        got = byte_cells(raw, delimiter)
    physical = text.removesuffix("\n").split("\n")
    if not raw.strip() or any(line in ("", "\r") for line in physical):  # the csv module reads
        assert got is None
    else:
        assert got == reference_cells(raw, delimiter)


def test_the_byte_splitter_leaves_uneven_rows_and_quotes_to_the_csv_module() -> None:
    assert byte_cells(b"a,b\n1,2,3\n", ",") is None
    assert byte_cells(b'a,b\n"1",2\n', ",") is None
    assert byte_cells(b"a,b\n\n1,2\n", ",") is None
    assert byte_cells(b"a,b\r\n\r\n1,2\r\n", ",") is None
    assert byte_cells(b"a,b\n1,2", ",") == [["a", "1"], ["b", "2"]]
    with mock.patch.object(_columnar, "_BYTE_BLOCK", 4):  # the uneven row in a later block
        assert byte_cells(b"a,b\n1,2\n3,4\n5,6,7\n", ",") is None
        assert byte_cells(b"a,b\n1,2\n3,4\n\n", ",") is None
        assert byte_cells(b'a,b\n1,2\n3,4\n"5",6\n', ",") is None
        assert byte_cells(b"a,b\n1,2\n1,4", ",") == [["a", "1", "1"], ["b", "2", "4"]]


def test_a_hash_collision_never_merges_two_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a multiplier of 0 the hash of a long cell is its last word: every long cell below
    collides with the others, and the exact grouping must still tell them apart."""
    monkeypatch.setattr(_columnar, "_MIX", np.uint64(0))
    cells = ["criterion", "vn-emr-01-01", "vn-emr-02-01", "zz-emr-01-01", "vn-emr-01-01", "X"]
    raw = "\n".join(cells).encode("utf-8") + b"\n"
    assert byte_cells(raw, ",") == [cells]
    raw = "\n".join(cells[1:-1]).encode("utf-8")  # every cell collides, none is 8 bytes or less
    assert byte_cells(raw, ",") == [cells[1:-1]]


def test_arrow_codes_are_read_from_their_buffer_with_offsets() -> None:
    """``_indices`` views Arrow codes without a copy: slices (an offset), empty arrays, widths."""
    import pyarrow as pa

    codes = pa.array(["x", "y", "x", None, "z"]).dictionary_encode().indices
    assert _columnar._indices(codes.fill_null(9)).tolist() == [0, 1, 0, 9, 2]
    assert _columnar._indices(codes.slice(1, 2)).tolist() == [1, 0]
    assert _columnar._indices(codes.slice(0, 0)).tolist() == []
    assert _columnar._indices(pa.array([3, 1], pa.int8())).dtype == np.int8
    with pytest.raises(ValueError, match="nulls"):
        _columnar._indices(codes)
