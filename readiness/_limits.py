"""Limits on what readers accept, and where an input crosses them.

Readers refuse input that would exhaust the stack or memory with a located, typed error instead
of a ``RecursionError`` or ``MemoryError``; docs/formats.md ("Limits") lists them.
"""

from __future__ import annotations

__all__ = ["LINE_LIMIT", "nesting_line"]

#: Longest physical line of a CSV file (bytes): far beyond any real row, short of exhausting memory
#: on a file that has no line ends (a device, a binary file).
LINE_LIMIT = 16 << 20


def nesting_line(text: str, limit: int) -> int | None:
    r"""Return the line where ``[`` and ``{`` (outside strings) nest deeper than ``limit``.

    Strings in double or single quotes are skipped (with backslash escapes in double quotes), as
    JSON and TOML write them; None when nothing nests that deep.

    Examples
    --------
    >>> nesting_line("[\n" + "[" * 5 + "]" * 6, 3)
    2
    >>> nesting_line('["[[[[[["]', 3) is None
    True
    """
    depth = 0
    line = 1
    quote = ""
    escaped = False
    for char in text:
        if char == "\n":
            line += 1
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth -= 1
    return None
