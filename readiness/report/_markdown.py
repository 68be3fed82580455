"""Markdown renderer of the document blocks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from readiness.report._blocks import (
    Banner,
    Block,
    Chart,
    Heading,
    Items,
    Listing,
    Para,
    Span,
    Table,
)
from readiness.report._escape import markdown_code, markdown_text
from readiness.report._language import Fmt


def _md_spans(spans: Iterable[Span]) -> str:
    out = []
    for i, (style, text) in enumerate(spans):
        if style == "strong":
            strong = markdown_text(text.strip())
            out.append(f"**{strong}**" + (" " if text.endswith(" ") else "") if strong else "")
        elif style == "code":
            out.append(markdown_code(text) if text else "")
        else:
            out.append(markdown_text(text, start=i == 0))
    return "".join(out)


def render_markdown(blocks: Sequence[Block], fmt: Fmt) -> str:
    lines: list[str] = []
    charted = not any(isinstance(b, Chart) for b in blocks)
    for block in blocks:
        if isinstance(block, Heading) and block.level == 2 and not charted:
            charted = True
            lines += [f"_{markdown_text(fmt.t('charts_in_html'))}_", ""]
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + markdown_text(block.text), ""]
            if block.level == 1:
                continue
        elif isinstance(block, Banner):
            lines += [f"> **{markdown_text(block.text)}**", ""]
        elif isinstance(block, Para):
            text = _md_spans(block.spans)
            lines += [f"_{text}_" if block.note and text else text, ""]
        elif isinstance(block, Items):
            lines += [f"- {_md_spans(item)}" for item in block.items]
            lines.append("")
        elif isinstance(block, Table):
            lines += _md_table(block)
            lines.append("")
        elif isinstance(block, Listing):
            lines += render_markdown([block.heading, *block.notes, block.table], fmt).splitlines()
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _md_table(table: Table) -> list[str]:
    def cell(i: int, text: str) -> str:
        if i in table.code and text:
            return markdown_code(text).replace("|", "\\|")
        return markdown_text(text) or " "

    head = "| " + " | ".join(markdown_text(c) or " " for c in table.columns) + " |"
    rule = (
        "|"
        + "|".join("---:" if i in table.numeric else "---" for i in range(len(table.columns)))
        + "|"
    )
    rows = ["| " + " | ".join(cell(i, v) for i, v in enumerate(row)) + " |" for row in table.rows]
    return [head, rule, *rows]
