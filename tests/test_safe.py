"""Escaping for outputs (readiness._safe): CSV cells, the terminal, XML."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readiness import _safe


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("-3", "-3"),
        ("+1.5e-3", "+1.5e-3"),
        ("Bệnh viện", "Bệnh viện"),
        ("", ""),
    ],
)
def test_csv_guard_table(cell: str, written: str) -> None:
    """Text starting with = + - @ tab CR gets an apostrophe; plain numbers and other text do not."""
    assert _safe.csv_cell(cell) == written
    assert _safe.csv_unguard(written) == cell
    raw = _safe.csv_cell(cell, guard=False)
    assert raw == ("'" + cell if cell.startswith("'=") else cell)
    assert _safe.csv_unguard(str(raw)) == cell


def test_numbers_stay_numbers() -> None:
    """int, float and None pass through unchanged."""
    assert _safe.csv_row([-1, -2.5, None, "x"]) == [-1, -2.5, None, "x"]


@given(st.text(), st.booleans())
def test_guard_round_trips(text: str, guard: bool) -> None:
    """csv_unguard(csv_cell(s)) == s in both modes; a guarded cell never starts with a trigger."""
    cell = _safe.csv_cell(text, guard=guard)
    assert isinstance(cell, str)
    assert _safe.csv_unguard(cell) == text
    if not guard:
        return
    if cell and cell[0] in _safe.CSV_TRIGGERS:
        assert _safe._NUMBER.fullmatch(cell)


@given(st.text())
def test_terminal_has_no_controls(text: str) -> None:
    """No C0/C1 control, line separator or bidi formatting character survives."""
    shown = _safe.terminal(text)
    assert not any(
        ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" or c in _safe._BIDI
        for c in shown
    )
    assert all(part == _safe.terminal(part) for part in shown.split("\\"))


def test_terminal_keeps_lines_on_request() -> None:
    """lines=True keeps line feeds and escapes the rest."""
    assert _safe.terminal("a\x1b[2J\nb\u202e", lines=True) == "a\\x1b[2J\nb\\u202e"
    assert _safe.terminal("a\nb") == "a\\x0ab"


@given(st.text())
def test_xml_text_parses(text: str) -> None:
    """Any text made XML-safe parses as element content and as an attribute."""
    safe = _safe.xml_text(text)
    element = ET.Element("e", {"a": safe})
    element.text = safe
    data = ET.tostring(element, encoding="unicode")
    ET.fromstring(data.encode("utf-8"))


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), min_size=1, max_size=4))
def test_csv_module_round_trip(rows: list[list[str]]) -> None:
    """Guarded cells written with csv and CRLF read back equal after unguarding."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(_safe.csv_row(r) for r in rows)
    back = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert [[_safe.csv_unguard(c) for c in r] for r in back] == rows
