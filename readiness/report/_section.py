"""Extra sections of a province report: :class:`Section`, checked and made JSON-ready."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import attrs

from readiness._catalog import Text
from readiness.errors import OptionError
from readiness.report._language import Cell, Fmt

_SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _bilingual(value: Any) -> Any:
    """Turn ``{"en": ..., "vi": ...}`` into a Text; leave anything else to the validator."""
    bilingual = isinstance(value, Mapping) and set(value) == {"en", "vi"}
    if bilingual and all(isinstance(v, str) for v in value.values()):
        return Text(value["en"], value["vi"])
    return value


def _texts(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str | Text | Mapping):
        return (_bilingual(value),)
    return tuple(_bilingual(v) for v in value)


def _rows(value: Any) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(row) for row in value)


@attrs.frozen(kw_only=True)
class Section:
    """An extra, example-specific section of a province report: a title, text and a table.

    Parameters
    ----------
    title : str, Text or mapping
        Heading. A bilingual text (a :class:`~readiness._catalog.Text`, or a mapping
        ``{"en": ..., "vi": ...}``) is shown in the report's language; so are ``text``, the
        column headers and ``note``.
    text : str, Text or mapping
        A paragraph under the heading (optional).
    columns : sequence of str, Text or mapping
        Column headers of the table (optional; no table without columns).
    rows : sequence of sequences of str, int, float, bool or None
        One value per column; numbers are formatted in the report's language (pass strings for
        full control).
    note : str, Text or mapping
        A note under the table (e.g. where the figures come from).

    Examples
    --------
    >>> from readiness.report import Section
    >>> Section(
    ...     title="Facilities without beds", columns=["Facility", "Steps left"], rows=[["CDC", 4]]
    ... ).rows
    (('CDC', 4),)
    >>> Section(title={"en": "Left to do", "vi": "Việc còn lại"}).title.vi
    'Việc còn lại'
    """

    title: Text | str = attrs.field(converter=_bilingual)
    text: Text | str = attrs.field(default="", converter=_bilingual)
    columns: tuple[Text | str, ...] = attrs.field(default=(), converter=_texts)
    rows: tuple[tuple[Cell, ...], ...] = attrs.field(default=(), converter=_rows)
    note: Text | str = attrs.field(default="", converter=_bilingual)

    def __attrs_post_init__(self) -> None:
        """Check the table's shape and cell types."""
        for field in ("title", "text", "note"):
            value = getattr(self, field)
            if not isinstance(value, str | Text):
                raise OptionError(
                    f"section {field} must be a string, a Text or {{'en': ..., 'vi': ...}}",
                    key=field,
                    value=value,
                )
        for column in self.columns:
            if not isinstance(column, str | Text):
                raise OptionError(
                    "section columns are strings, Texts or {'en': ..., 'vi': ...}",
                    key="columns",
                    value=column,
                )
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise OptionError(
                    f"section row {number} has {len(row)} cells for {len(self.columns)} columns",
                    key="rows",
                    value=row,
                )
            for cell in row:
                ok = cell is None or isinstance(cell, str | int | float | bool)
                if not ok or (isinstance(cell, float) and not math.isfinite(cell)):
                    raise OptionError(
                        "section cells are strings, finite numbers, booleans or None",
                        key="rows",
                        value=cell,
                    )

    def to_data(self, section_id: str, fmt: Fmt) -> dict[str, Any]:
        """Return the JSON-ready form in one language."""
        return {
            "id": section_id,
            "title": fmt.text(self.title),
            "text": fmt.text(self.text),
            "columns": [fmt.text(c) for c in self.columns],
            "rows": [list(row) for row in self.rows],
            "note": fmt.text(self.note),
        }


def extra_sections(extra: Mapping[str, Section | Mapping[str, Any]] | None, fmt: Fmt) -> list[Any]:
    if extra is None:
        return []
    if not isinstance(extra, Mapping):
        raise OptionError("extra maps section ids to sections", key="extra", value=extra)
    out = []
    for section_id, given in extra.items():
        section = given
        if not isinstance(section_id, str) or not _SECTION_ID.match(section_id):
            raise OptionError(
                "extra section ids are lower-case letters, digits, '-' and '_'",
                key="extra",
                value=section_id,
            )
        if isinstance(given, Mapping):
            unknown = sorted(set(given) - {"title", "text", "columns", "rows", "note"})
            if unknown:
                raise OptionError(
                    "a section takes title, text, columns, rows and note",
                    key=section_id,
                    value=unknown,
                )
            section = Section(**given)
        if not isinstance(section, Section):
            raise OptionError(
                "an extra section is a Section or a mapping", key=section_id, value=section
            )
        out.append(section.to_data(section_id, fmt))
    return out
