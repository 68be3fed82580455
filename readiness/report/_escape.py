r"""Escaping of data strings for the places a report puts them.

Two steps, each done once for every output:

1. :func:`shown` makes every string of a record *visible* before it is rendered: C0 and C1
   control characters (NUL, ESC, a lone CR, a line feed, a vertical tab...), DEL, the line and
   paragraph separators and the bidirectional formatting characters (overrides, embeddings,
   isolates, marks) become their escapes ``\x0d``, ``\u202e``..., as on the terminal; lone
   surrogates too. So no data string can start a line, reorder the text around it, or be an
   XML character SVG refuses. The JSON output keeps the record exactly as it is.
2. Each renderer escapes markup for its context: :func:`escape_html` for HTML text and
   attributes (and SVG), :func:`markdown_text` and :func:`markdown_code` for Markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from readiness._safe import terminal, xml_text

# What :func:`visible` changes (readiness._safe's terminal and XML escapes), as a pattern.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# Characters that start an inline construct anywhere (emphasis, strikethrough, links, images,
# raw HTML, entities, code spans, table cells, heading closers), escaped with a backslash as
# CommonMark allows for any ASCII punctuation; and the ones that start a block (list item, block
# quote, thematic break, setext underline, ordered list "1." or "1)") when the text comes first.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|!&#~])")
_MD_START = re.compile(r"^(\d{0,9})([-+=.)])")
_BACKTICKS = re.compile(r"`+")
#: Whitespace at either end of a text; Markdown strips it at the ends of a paragraph or cell.
_MD_EDGES = re.compile(r"^\s+|\s+$")


def visible(text: str) -> str:
    r"""Return ``text`` with control, separator and bidi characters shown as escapes.

    Examples
    --------
    >>> print(visible("a\rb\u202ec"))
    a\x0db\u202ec
    """
    return xml_text(terminal(text))


def deep_map(value: Any, change: Callable[[str], str]) -> Any:
    """Apply ``change`` to every string of a JSON-ready value, mapping keys too."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {deep_map(k, change): deep_map(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_map(v, change) for v in value]
    return value


# In JSON text, a character :func:`visible` changes is either itself or a JSON escape of a C0
# control (\n, \u000b...): a record whose JSON holds neither needs no change.
_UNSAFE_IN_JSON = re.compile(_UNSAFE.pattern + r"|\\[bfnrt]|\\u00[01]|\\u007f|\\u00[89]|\\ud[89ab]")


def shown(data: Any, text: str | None = None) -> Any:
    """Return a report record with every string made :func:`visible`.

    ``text``, the record as JSON, lets a record with nothing to change through untouched.
    """
    if text is not None and not _UNSAFE_IN_JSON.search(text):
        return data
    return deep_map(data, visible)


def escape_html(text: str) -> str:
    """Escape ``text`` for HTML (or XML) text and attribute values, quotes included."""
    return html.escape(text, quote=True)


def markdown_text(text: str, *, start: bool = False) -> str:
    r"""Escape ``text`` for Markdown inline text.

    ``start=True`` when the text begins a paragraph or list item: then what would begin a block
    is escaped too, and leading spaces (an indented code block) are dropped. Other whitespace at
    either end (a no-break space), which Markdown would strip, is kept as character references.

    Examples
    --------
    >>> print(markdown_text("<img src=x> *a* & b"))
    \<img src=x\> \*a\* \& b
    >>> print(markdown_text("1. first", start=True), markdown_text("- item", start=True))
    1\. first \- item
    """
    escaped = _MD_INLINE.sub(r"\\\1", text)
    if start:
        escaped = _MD_START.sub(r"\1\\\2", escaped.lstrip(" "))
    # other whitespace at the ends (a no-break space...) as character references, kept
    return _MD_EDGES.sub(_edge_references, escaped)


def _edge_references(match: re.Match[str]) -> str:
    run = match.group()
    return run if not run.strip(" ") else "".join(f"&#{ord(c)};" for c in run)


def markdown_code(text: str) -> str:
    """Return ``text`` as a Markdown code span that nothing in ``text`` can close.

    The fence is one backtick longer than the longest run of backticks in ``text``; a space pads
    text that begins or ends with a backtick (CommonMark strips one such space each side).

    Examples
    --------
    >>> print(markdown_code("a``b"))
    ```a``b```
    >>> print(markdown_code("`x"))
    `` `x ``
    """
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"
