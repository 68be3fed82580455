"""The document model: the blocks (headings, paragraphs, lists, tables, charts) a renderer draws."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from readiness.report._language import DASH, Fmt

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


@attrs.frozen
class Listing:
    """An appendix list (the facilities): a table a page can sort, filter and search.

    ``filters`` name the row attributes a reader filters on, with their labels; ``values`` hold,
    row by row, the shown value of each filter; ``sort`` the key of each cell (a number as text
    for numeric columns, else the cell's text); ``details`` the (label, value) lines behind each
    row's first cell. ``apart``: the list is too long to print inside the report and is printed
    from its own page. ``controls`` are the labels of the page's search box and filters.
    """

    heading: Heading
    notes: tuple[Para, ...]
    table: Table
    filters: tuple[tuple[str, str], ...]
    values: tuple[tuple[str, ...], ...]
    sort: tuple[tuple[str, ...], ...]
    details: tuple[tuple[tuple[str, str], ...], ...]
    controls: tuple[tuple[str, str], ...]
    apart: bool


Block = Heading | Para | Items | Table | Banner | Chart | Listing


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
    return para(work_text(fmt, key, work, **values))


def work_text(fmt: Fmt, key: str, work: Mapping[str, Any], **values: str) -> str:
    """Return the words of :func:`work_line` (also the console summary's roadmap line).

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
        return share + " " + text + missing
    return text + " " + share + missing


def about_blocks(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    """Return the "About this report" section, the same in both reports."""
    provenance = data["provenance"]
    items: list[tuple[Span, ...]] = []
    if provenance["label"]:
        items.append((("", fmt.t("data_label", label=provenance["label"])),))
    items.append((("", fmt.t("estimates_note")),))
    items.append((("", fmt.t(f"policy_{provenance['policy']}")),))
    if provenance["catalogs_builtin"]:
        items.append((("", fmt.t("catalog_builtin")),))
    items.append((("", fmt.t("generator", generator=data["generator"], schema=data["schema"])),))
    rows = tuple(
        (c["id"], c["title"], c["version"], c.get("origin") or DASH, c["disclaimer"] or DASH)
        for c in data["catalogs"]
    )
    blocks: list[Block] = [
        Heading(2, fmt.t("about_section"), "about"),
        Items(tuple(items)),
        Heading(3, fmt.t("catalog_versions")),
        Table(
            (
                fmt.t("id"),
                fmt.t("title"),
                fmt.t("catalog_versions"),
                fmt.t("origin"),
                fmt.t("disclaimer"),
            ),
            rows,
            code=frozenset({0}),
        ),
    ]
    return blocks + coverage_blocks(data["catalogs"], fmt)


def coverage_blocks(catalogs: Sequence[Mapping[str, Any]], fmt: Fmt) -> list[Block]:
    """Return what each catalog encodes of its sources (nothing when no catalog declares it)."""
    rows = tuple(
        (
            c["id"],
            entry["source"],
            entry["encoded"],
            DASH if entry["share"] is None else f"~{fmt.pct(entry['share'], 0)}",
            fmt.t(f"access_{entry['access']}"),
        )
        for c in catalogs
        for entry in c.get("coverage") or ()
    )
    if not rows:
        return []
    columns = (
        fmt.t("id"),
        fmt.t("coverage_source"),
        fmt.t("coverage_encoded"),
        fmt.t("coverage_share"),
        fmt.t("coverage_access"),
    )
    return [
        Heading(3, fmt.t("coverage_section")),
        Table(columns, rows, code=frozenset({0, 1}), caption=fmt.t("coverage_caption")),
    ]
