r"""Make data safe for where it goes: spreadsheet cells, the terminal, XML.

Data (facility names, ids, catalog titles, notes) may come from anyone. Every writer passes data
strings through the function for its context, so data never becomes a formula, a terminal command
or broken markup. docs/formats.md ("Safe outputs") lists what each output escapes.

- :func:`csv_cell` / :func:`csv_row` guard CSV cells as OWASP's *CSV injection* guidance says: a
  text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (after any
  apostrophes) gets a leading apostrophe, so a spreadsheet shows it as text. Numbers (``int``,
  ``float``, and text that is a plain decimal number such as ``-3`` or ``1.5e-3``) stay numbers.
  :func:`csv_unguard` undoes the guard exactly: ``csv_unguard(csv_cell(s)) == s`` for every
  string, so files written by :mod:`readiness.io` read back equal.
- :func:`terminal` shows control characters escaped: C0 and C1 controls (ESC, so no CSI or OSC
  sequence can start), DEL, line and paragraph separators, and the bidirectional formatting
  characters (overrides, embeddings, isolates, marks) become ``\x1b``, ``\u202e`` and so on.
- :func:`xml_text` replaces every character XML 1.0 does not allow (C0 controls other than tab,
  line feed and carriage return; lone surrogates; U+FFFE and U+FFFF) by the same visible escape,
  so the output parses. Markup characters are left to the XML writer (ElementTree, networkx).

The functions are internal (``readiness._safe``) but their API is stable within the package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "CSV_FIRST",
    "CSV_TRIGGERS",
    "csv_cell",
    "csv_row",
    "csv_unguard",
    "escape_char",
    "excerpt",
    "has_surrogate",
    "terminal",
    "xml_text",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
CSV_TRIGGERS = "=+-@\t\r"
#: First characters of the only text cells :func:`csv_cell` may change (triggers, apostrophe).
CSV_FIRST = frozenset(CSV_TRIGGERS + "'")

_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

#: Bidirectional formatting characters (Unicode 15, UAX #9): marks, embeddings, overrides,
#: isolates. Shown escaped on the terminal (a "Trojan Source" reorders text).
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + _BIDI + "\ud800-\udfff]")
# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_surrogate(text: str) -> bool:
    r"""Whether ``text`` holds a lone surrogate (text no UTF-8 file can hold).

    Examples
    --------
    >>> has_surrogate("A \ud800 B"), has_surrogate("\U0001f600")
    (True, False)
    """
    return _SURROGATE.search(text) is not None


def excerpt(text: str, limit: int = 80) -> str:
    r"""Return at most ``limit`` characters of ``text``, escaped for a terminal, for a message.

    Used where a message shows content of a file that is not what it should be (a header line),
    so that such a file is never echoed at length.

    Examples
    --------
    >>> excerpt("root:x:0:0:root:/root:/bin/bash\x1b[2J", 20)
    'root:x:0:0:root:/roo... (35 characters)'
    """
    shown = terminal(text[:limit])
    if len(text) > limit:
        shown = f"{shown}... ({len(text):,} characters)"
    return shown


def escape_char(char: str) -> str:
    r"""Return the visible escape of one character: ``\x1b``, ``\u202e`` or ``\U000e0001``.

    Examples
    --------
    >>> print(escape_char("\x1b"), escape_char("\u202e"))
    \x1b \u202e
    """
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def csv_cell(value: object, *, guard: bool = True) -> object:
    """Return ``value`` as a spreadsheet should receive it in a CSV cell.

    Parameters
    ----------
    value : object
        The cell. Numbers and None pass through; anything else is taken as text.
    guard : bool
        Prefix an apostrophe to text that a spreadsheet would run as a formula (the default).
        ``False`` writes text unchanged, for programs that read the file, except that text
        already written like a guarded cell (apostrophes, then a trigger) gets one more
        apostrophe, so that :func:`csv_unguard` gives back every text in both modes.

    Examples
    --------
    >>> csv_cell("=HYPERLINK(1)"), csv_cell("@SUM(1)"), csv_cell("Bệnh viện")
    ("'=HYPERLINK(1)", "'@SUM(1)", 'Bệnh viện')
    >>> csv_cell(-3.5), csv_cell("-3.5"), csv_cell("-3+A1")
    (-3.5, '-3.5', "'-3+A1")
    >>> csv_cell("=1", guard=False), csv_cell("'=1", guard=False)
    ('=1', "''=1")
    """
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    if guard:
        if _NEEDS_GUARD.match(text) and not _NUMBER.fullmatch(text):
            return "'" + text
    elif _GUARDED.match(text):  # keep csv_unguard exact: an apostrophe before our apostrophe
        return "'" + text
    return text


def csv_row(values: Iterable[object], *, guard: bool = True) -> list[object]:
    """Return :func:`csv_cell` of every value of a row."""
    return [csv_cell(value, guard=guard) for value in values]


def csv_unguard(text: str) -> str:
    """Undo :func:`csv_cell`: drop the apostrophe it added (one, before a trigger).

    ``csv_unguard(csv_cell(s)) == s`` for every string ``s``. A cell that only starts with an
    apostrophe (``'s-Hertogenbosch``) is left alone.

    Examples
    --------
    >>> csv_unguard("'=1"), csv_unguard("''=1"), csv_unguard("'s")
    ('=1', "'=1", "'s")
    """
    if _GUARDED.match(text):
        return text[1:]
    return text


def terminal(text: str, *, lines: bool = False) -> str:
    r"""Return ``text`` with control and bidi characters shown escaped, for a terminal.

    Parameters
    ----------
    text : str
        Text that may hold data.
    lines : bool
        Keep line feeds (for multi-line text whose lines the program made); by default a line
        feed is escaped too, as a table cell or a one-line message needs.

    Examples
    --------
    >>> print(terminal("h1\x1b]0;PWNED\x07\x1b[2J"))
    h1\x1b]0;PWNED\x07\x1b[2J
    >>> terminal("Bệnh viện \u202eabc")
    'Bệnh viện \\u202eabc'
    """
    if lines:
        return "\n".join(_TERMINAL_UNSAFE.sub(_escape, part) for part in text.split("\n"))
    return _TERMINAL_UNSAFE.sub(_escape, text)


def xml_text(text: str) -> str:
    r"""Return ``text`` with the characters XML 1.0 forbids shown escaped (``\x0b``).

    Examples
    --------
    >>> xml_text("Local\x0bnetwork"), xml_text("a\tb\nc")
    ('Local\\x0bnetwork', 'a\tb\nc')
    """
    return _XML_UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    return escape_char(match.group())
