"""Markdown renderer of the document blocks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from readiness.report._blocks import (
    Banner,
    Block,
    Chart,
    Heading,
    Items,
    Para,
    Span,
    Table,
)
from readiness.report._language import Fmt

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _md_code(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}"


def _md_spans(spans: Iterable[Span]) -> str:
    out = []
    for style, text in spans:
        if style == "strong":
            out.append(f"**{_md(text.strip())}**" + (" " if text.endswith(" ") else ""))
        elif style == "code":
            out.append(_md_code(text))
        else:
            out.append(_md(text))
    return "".join(out)


def render_markdown(blocks: Sequence[Block], fmt: Fmt) -> str:
    lines: list[str] = []
    charted = not any(isinstance(b, Chart) for b in blocks)
    for block in blocks:
        if isinstance(block, Heading) and block.level == 2 and not charted:
            charted = True
            lines += [f"_{_md(fmt.t('charts_in_html'))}_", ""]
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + _md(block.text), ""]
            if block.level == 1:
                continue
        elif isinstance(block, Banner):
            lines += [f"> **{_md(block.text)}**", ""]
        elif isinstance(block, Para):
            text = _md_spans(block.spans)
            lines += [f"_{text}_" if block.note and "_" not in text else text, ""]
        elif isinstance(block, Items):
            lines += [f"- {_md_spans(item)}" for item in block.items]
            lines.append("")
        elif isinstance(block, Table):
            lines += _md_table(block)
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _md_table(table: Table) -> list[str]:
    def cell(i: int, text: str) -> str:
        if i in table.code and text:
            return _md_code(text).replace("|", "\\|")
        return _md(text) or " "

    head = "| " + " | ".join(_md(c) or " " for c in table.columns) + " |"
    rule = (
        "|"
        + "|".join("---:" if i in table.numeric else "---" for i in range(len(table.columns)))
        + "|"
    )
    rows = ["| " + " | ".join(cell(i, v) for i, v in enumerate(row)) + " |" for row in table.rows]
    return [head, rule, *rows]
