"""Text enters in one Unicode form: NFC (``docs/formats.md``, "Unicode").

Vietnamese text can be written precomposed (NFC: ``"ắ"`` is one code point) or decomposed (NFD:
``"a"`` and two combining marks); both look the same, but compare different. Everything the
library reads (facility and assessment files, catalogs, report specifications) and every text
field of :class:`~readiness.Facility`, :class:`~readiness.Assessment` and
:class:`~readiness.Record` is normalised to NFC where it enters, so ids, regions, attribute
values and conditions compare equal whichever form a file or an editor used.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = ["FormCollisionError", "nfc", "nfc_data"]


class FormCollisionError(ValueError):
    """Two keys of one mapping differ only in Unicode form (they are the same key in NFC)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"two keys are the same text in different Unicode forms: {key!r}")
        self.key = key


def nfc(text: str) -> str:
    """Return ``text`` in NFC (the same object when it already is, as ASCII always is)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def nfc_data(value: Any) -> Any:
    """Return ``value`` with every string, and every string key, in NFC.

    Mappings become dicts and lists stay lists (new containers; the input is not changed);
    other values are returned as they are. Iterative, so nesting as deep as a parser accepts
    never overflows the stack.

    Raises
    ------
    FormCollisionError
        Two keys of one mapping become the same key.
    """
    if isinstance(value, str):
        return nfc(value)
    if not isinstance(value, Mapping | list):
        return value
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, holder, 0)]
    while stack:
        item, parent, slot = stack.pop()
        if isinstance(item, str):
            parent[slot] = nfc(item)
        elif isinstance(item, Mapping):
            new: dict[Any, Any] = {}
            parent[slot] = new
            for key, inner in item.items():
                fixed = nfc(key) if isinstance(key, str) else key
                if fixed in new:
                    raise FormCollisionError(fixed)
                new[fixed] = None
                stack.append((inner, new, fixed))
        elif isinstance(item, list):
            copy: list[Any] = [None] * len(item)
            parent[slot] = copy
            stack.extend((inner, copy, n) for n, inner in enumerate(item))
        else:
            parent[slot] = item
    return holder[0]
