"""A report record as document blocks: title, banner, the report's sections, "About"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from readiness.report._blocks import (
    Banner,
    Block,
    Heading,
    Items,
    Span,
    Table,
    para,
)
from readiness.report._facility_doc import facility_blocks
from readiness.report._language import DASH, Fmt
from readiness.report._province_doc import province_blocks


def build_blocks(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    blocks: list[Block] = [Heading(1, data["title"])]
    if data["provenance"]["synthetic"]:
        blocks.append(Banner(fmt.t("synthetic_banner")))
    if data["provenance"]["label"]:
        blocks.append(para(fmt.t("data_label", label=data["provenance"]["label"]), note=True))
    if data["kind"] == "province":
        blocks += province_blocks(data, fmt)
    else:
        blocks += facility_blocks(data, fmt)
    blocks += about_blocks(data, fmt)
    return blocks


def about_blocks(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
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
        (c["id"], c["title"], c["version"], c["disclaimer"] or DASH) for c in data["catalogs"]
    )
    return [
        Heading(2, fmt.t("about_section"), "about"),
        Items(tuple(items)),
        Heading(3, fmt.t("catalog_versions")),
        Table(
            (fmt.t("id"), fmt.t("title"), fmt.t("catalog_versions"), fmt.t("disclaimer")),
            rows,
            code=frozenset({0}),
        ),
    ]
