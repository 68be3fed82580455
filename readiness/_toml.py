"""Line numbers for the tables and keys of a TOML document.

``tomllib`` returns plain data without positions. Catalog errors must still say where a problem is,
so this module scans the text once and records the line of every table header and of every key
written directly under it. It understands headers (``[a.b]``, ``[[a.b]]`` with per-parent array
indices), ``key = value`` lines, quoted keys and multi-line strings and arrays; a key written inside
an inline table is located at the line of the key that holds the inline table. That is all the
precision error messages need, and it never affects what is parsed.

Paths use the same shape as the parsed data: ``("criterion", 3, "weight")`` is the key ``weight``
of the fourth ``[[criterion]]`` table; ``("deadline", 0, "when", 1)`` the second ``when`` case of
the first deadline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["Locator"]

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*(?P<name>[^\]]+?)\s*(\]\]?)\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?P<key>"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*(\.|=)""")
_SEGMENT = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*(?:\.|$)""")


def _split(name: str) -> list[str]:
    return [m.group(1).strip("\"'") for m in _SEGMENT.finditer(name) if m.group(1)]


class Locator:
    """Find the line of a table or key in TOML source text."""

    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        self._arrays: set[tuple[str, ...]] = set()
        self._counts: dict[Path, int] = {}
        self._scan(text.splitlines())

    def _resolve(self, names: Sequence[str], *, array: bool) -> Path:
        path: list[str | int] = []
        plain: list[str] = []
        for i, name in enumerate(names):
            path.append(name)
            plain.append(name)
            last = i == len(names) - 1
            if last and array:
                parent = tuple(path)
                index = self._counts.get(parent, 0)
                self._counts[parent] = index + 1
                self._arrays.add(tuple(plain))
                path.append(index)
            elif tuple(plain) in self._arrays:
                count = self._counts.get(tuple(path), 0)
                path.append(max(count - 1, 0))
        return tuple(path)

    def _scan(self, lines: Sequence[str]) -> None:
        current: Path = ()
        in_string: str | None = None
        depth = 0
        for number, raw in enumerate(lines, start=1):
            line = raw
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if depth > 0:
                depth += _bracket_balance(line)
                continue
            header = _HEADER.match(line)
            if header:
                array = header.group(1) == "[["
                current = self._resolve(_split(header.group("name")), array=array)
                # the table, and every table or array above it, is found at its first header
                for end in range(len(current), 0, -1):
                    self._lines.setdefault(current[:end], number)
                continue
            key = _KEY.match(line)
            if key:
                name = key.group("key").strip("\"'")
                self._lines.setdefault((*current, name), number)
                value = line.split("=", 1)[1] if "=" in line else ""
                for quote in ('"""', "'''"):
                    if value.count(quote) % 2 == 1:
                        in_string = quote
                        break
                if in_string is None:
                    depth = max(_bracket_balance(value), 0)

    def line(self, path: Path) -> int | None:
        """Return the line of ``path``, or of its nearest enclosing table or key."""
        probe = tuple(path)
        while probe:
            if probe in self._lines:
                return self._lines[probe]
            probe = probe[:-1]
        return None


def _bracket_balance(text: str) -> int:
    """Return opened minus closed brackets and braces, ignoring those inside strings."""
    balance = 0
    quote: str | None = None
    for char in text:
        if quote:
            if char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            balance += 1
        elif char in "]}":
            balance -= 1
    return balance
