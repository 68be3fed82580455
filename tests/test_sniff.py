"""CSV files as spreadsheets write them: delimiter, encoding and trailing empty columns.

Rules (docs/formats.md, "CSV as spreadsheets write it"): the delimiter of the header line is
detected (comma, semicolon, tab); UTF-8 with or without BOM and UTF-16 with BOM are read as they
are; another encoding is read with ``encoding=``, and without it the file gets one problem naming
the likely encoding and the option; trailing columns without a name that are empty in every row
are ignored. Every reader and both columnar engines follow them.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import numpy as np
import pytest

import readiness
from readiness import errors
from readiness import io as rio
from readiness._cli import main

HERE = Path(__file__).parent
MINI = readiness.load_catalog(HERE / "data" / "mini.toml")
FACILITIES = rio.read_facilities(HERE / "data" / "mini_facilities.csv", catalog=MINI)
ROWS = [
    ["facility_id", "date", "criterion", "status", "progress", "reason", "note"],
    ["h1", "2026-01-05", "lan", "met", "", "", "Ghi chú: đã triển khai; tốt"],
    ["h1", "2026-01-05", "his", "partial", "0.5", "", ""],
    ["s1", "2026-01-05", "ward", "not_applicable", "", "Trạm không có giường", ""],
]


def excel_text(rows: list[list[str]], delimiter: str, trailing: int = 0) -> str:
    """Rows as Excel writes them: CRLF, cells quoted only when needed, empty trailing cells."""
    lines = []
    for row in rows:
        cells = [f'"{c}"' if delimiter in c or '"' in c else c for c in row]
        lines.append(delimiter.join(cells + [""] * trailing))
    return "\r\n".join(lines) + "\r\n"


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters with their vowel marks, then a combining tone mark."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out.append((base + "".join(c for c in parts if c in TONES)).encode("cp1258"))
    return b"".join(out)


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def read_every_way(path: Path, **options: object) -> list[np.ndarray]:
    """Read ``path`` with the row reader and both columnar engines; return the status arrays."""
    found = rio.read_assessments(path, MINI, FACILITIES, **options)  # type: ignore[arg-type]
    row = readiness.score_many(MINI, found, facilities=FACILITIES)  # as the matrices list them
    statuses = [np.asarray(row.overall)]
    for engine in ("python", "pyarrow"):
        matrix = rio.read_status_matrix(path, MINI, FACILITIES, engine=engine, **options)  # type: ignore[arg-type]
        statuses.append(np.asarray(readiness.score_many(MINI, matrix).overall))
    return statuses


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding", "bom"),
    [
        ("comma, UTF-8 (CSV UTF-8 in Excel)", ",", "utf-8", codecs.BOM_UTF8),
        ("semicolon, UTF-8 without BOM (Vietnamese-locale Excel)", ";", "utf-8", b""),
        ("tab, UTF-16 LE with BOM (Excel's Unicode text)", "\t", "utf-16-le", codecs.BOM_UTF16_LE),
        ("semicolon, UTF-16 BE with BOM", ";", "utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_files_as_excel_writes_them_are_read(
    tmp_path: Path, name: str, delimiter: str, encoding: str, bom: bytes
) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(bom + excel_text(ROWS, delimiter, trailing=2).encode(encoding))
    [assessment_h1, assessment_s1] = rio.read_assessments(path, MINI, FACILITIES)
    assert assessment_h1.records["mini:lan"].note == "Ghi chú: đã triển khai; tốt"
    assert assessment_s1.records["mini:ward"].reason == "Trạm không có giường"
    overall = read_every_way(path)
    for other in overall[1:]:
        assert np.array_equal(other, overall[0], equal_nan=True)


def test_a_windows_1258_file_gets_one_error_naming_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(cp1258(excel_text(ROWS * 10, ",")))
    for read in (
        lambda: rio.read_assessments(path, MINI, FACILITIES),
        lambda: rio.read_status_matrix(path, MINI, FACILITIES, engine="python"),
        lambda: rio.read_status_matrix(path, MINI, FACILITIES, engine="pyarrow"),
    ):
        with pytest.raises(errors.InputError) as caught:
            read()
        [problem] = caught.value.problems
        assert problem.line == 2
        assert "it looks like Windows-1258 (Vietnamese)" in problem.message
        assert "encoding='cp1258'" in problem.message
        assert "--encoding cp1258" in problem.message


def test_the_encoding_option_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(cp1258(excel_text(ROWS, ",")))
    [h1, _] = rio.read_assessments(path, MINI, FACILITIES, encoding="cp1258")
    assert nfc(h1.records["mini:lan"].note) == "Ghi chú: đã triển khai; tốt"
    overall = read_every_way(path, encoding="cp1258")
    assert np.array_equal(overall[1], overall[0], equal_nan=True)


def test_a_wrong_encoding_option_is_one_located_error(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(excel_text(ROWS, ",").encode("utf-8"))
    with pytest.raises(errors.InputError, match="cannot be decoded as ascii") as caught:
        rio.read_assessments(path, MINI, FACILITIES, encoding="ascii")
    assert len(caught.value.problems) == 1
    with pytest.raises(errors.OptionError, match="no such text encoding"):
        rio.read_assessments(path, MINI, FACILITIES, encoding="klingon")


def test_a_windows_1252_facility_list_is_named_so(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("id,kind,ownership,name\nh1,hospital,public,Café\n".encode("cp1252"))
    with pytest.raises(errors.InputError, match=r"Windows-1252.*encoding='cp1252'"):
        rio.read_facilities(path)
    assert rio.read_facilities(path, encoding="cp1252")[0].name == "Café"


def test_a_cell_under_a_trailing_nameless_column_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    rows = [[*ROWS[0], ""], [*ROWS[1], ""], [*ROWS[2], "oops"]]
    path.write_text(excel_text(rows, ","), encoding="utf-8")
    with pytest.raises(errors.InputError, match="row has 8 cells but the header has 7") as caught:
        rio.read_assessments(path, MINI, FACILITIES)
    assert caught.value.problems[0].line == 3
    for engine in ("python", "pyarrow"):
        with pytest.raises(errors.InputError) as again:
            rio.read_status_matrix(path, MINI, FACILITIES, engine=engine)  # type: ignore[arg-type]
        assert again.value.problems == caught.value.problems


def test_the_command_line_takes_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assessments = tmp_path / "a.csv"
    assessments.write_bytes(cp1258(excel_text(ROWS, ";")))
    facilities = tmp_path / "f.csv"  # --encoding applies to both input files
    text = (HERE / "data" / "mini_facilities.csv").read_text(encoding="utf-8")
    facilities.write_bytes(cp1258(text))
    common = ["score", "--catalog", str(HERE / "data" / "mini.toml"), "--facilities"]
    common += [str(facilities), "--assessments", str(assessments)]
    assert main(common) == 2
    assert "--encoding cp1258" in capsys.readouterr().err
    assert main([*common, "--encoding", "cp1258"]) == 0
    assert "h1" in capsys.readouterr().out
