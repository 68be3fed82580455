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
    """Say the work of a plan or roadmap (label ``key``) and the caveat of its estimates.

    Planning rule 9 (docs/planning.md): cost and finish as ranges, with the share of steps
    whose values are assumed; when most are, the text says so first.
    """
    steps = work["steps"] if isinstance(work["steps"], int) else len(work["steps"])
    assumed = int(work["assumed_steps"])
    share = fmt.t(
        "mostly_assumed" if 2 * assumed > steps else "assumed_share",
        assumed=fmt.num(assumed),
        steps=fmt.num(steps),
        share=fmt.pct(assumed / steps if steps else None),
    )
    text = fmt.t(
        key,
        effort=fmt.num(work["effort_days"]),
        cost=fmt.t(
            "range",
            low=fmt.money(work["cost_vnd_low"]),
            likely=fmt.money(work["cost_vnd"]),
            high=fmt.money(work["cost_vnd_high"]),
        ),
        finish=fmt.t(
            "range",
            low=fmt.date(work["finish_low"]),
            likely=fmt.date(work["finish"]),
            high=fmt.date(work["finish_high"]),
        ),
        **values,
    )
    missing = ""
    if work["assumed_effort_steps"] or work["uncosted_steps"]:
        missing = " " + fmt.t(
            "assumed_estimates",
            assumed=fmt.num(work["assumed_effort_steps"]),
            uncosted=fmt.num(work["uncosted_steps"]),
        )
    if 2 * assumed > steps:
        return para(share + " " + text + missing)
    return para(text + " " + share + missing)
