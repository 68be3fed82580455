"""A report record as document blocks: title, banner, the report's sections, "About"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from readiness.report._blocks import (
    Banner,
    Block,
    Heading,
    about_blocks,
    para,
)
from readiness.report._facility_doc import facility_blocks
from readiness.report._language import Fmt
from readiness.report._province_doc import province_blocks


def build_blocks(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    """Return the blocks of a report: title, banner, data label, its sections and "About"."""
    blocks: list[Block] = [Heading(1, data["title"])]
    if data["provenance"]["synthetic"]:
        blocks.append(Banner(fmt.t("synthetic_banner")))
    if data["provenance"]["label"]:
        blocks.append(para(fmt.t("data_label", label=data["provenance"]["label"]), note=True))
    if data["kind"] == "province":
        blocks += province_blocks(data, fmt)  # "About" comes before its appendix
    else:
        blocks += facility_blocks(data, fmt)
        blocks += about_blocks(data, fmt)
    return blocks
