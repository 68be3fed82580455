"""The document model: the blocks (headings, paragraphs, lists, tables, charts) a renderer draws."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from readiness.report._language import Fmt

Span = tuple[str, str]  # (style, text): style "", "strong" or "code"


@attrs.frozen
class Heading:
    level: int
    text: str
    anchor: str | None = None


@attrs.frozen
class Para:
    spans: tuple[Span, ...]
    note: bool = False


@attrs.frozen
class Items:
    items: tuple[tuple[Span, ...], ...]


@attrs.frozen
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    code: frozenset[int] = frozenset()
    caption: str | None = None


@attrs.frozen
class Banner:
    text: str


@attrs.frozen
class Chart:
    name: str


Block = Heading | Para | Items | Table | Banner | Chart


def para(*parts: str | Span, note: bool = False) -> Para:
    return Para(tuple(("", p) if isinstance(p, str) else p for p in parts), note=note)


def id_spans(ids: Sequence[str], total: int, fmt: Fmt) -> tuple[Span, ...]:
    spans: list[Span] = []
    for i, value in enumerate(ids):
        if i:
            spans.append(("", ", "))
        spans.append(("code", value))
    if total > len(ids):
        spans.append(("", f", {fmt.t('and_more', n=fmt.num(total - len(ids)))}"))
    return tuple(spans) or (("", fmt.t("none")),)


def work_line(fmt: Fmt, key: str, work: Mapping[str, Any], **values: str) -> Para:
    """Say the work of a plan or roadmap (label ``key``) and the caveat of its estimates."""
    return para(
        fmt.t(
            key,
            effort=fmt.num(work["effort_days"]),
            cost=fmt.money(work["cost_vnd"]),
            **values,
        )
        + " "
        + fmt.t(
            "assumed_estimates",
            assumed=fmt.num(work["assumed_effort_steps"]),
            uncosted=fmt.num(work["uncosted_steps"]),
        )
    )
