"""Markdown renderer of the document blocks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from readiness.report import _blocks as doc
from readiness.report._escape import markdown_code, markdown_text
from readiness.report._language import Fmt


def _md_spans(spans: Iterable[doc.Span]) -> str:
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


def render_markdown(blocks: Sequence[doc.Block], fmt: Fmt) -> str:
    lines: list[str] = []
    charted = not any(isinstance(b, doc.Chart) for b in blocks)
    for block in blocks:
        if isinstance(block, doc.Heading) and block.level == 2 and not charted:
            charted = True
            lines += [f"_{markdown_text(fmt.t('charts_in_html'))}_", ""]
        if isinstance(block, doc.Heading):
            lines += ["#" * block.level + " " + markdown_text(block.text), ""]
            if block.level == 1:
                continue
        elif isinstance(block, doc.Banner):
            lines += [f"> **{markdown_text(block.text)}**", ""]
        elif isinstance(block, doc.Para):
            text = _md_spans(block.spans)
            lines += [f"_{text}_" if block.note and text else text, ""]
        elif isinstance(block, doc.Items):
            lines += [f"- {_md_spans(item)}" for item in block.items]
            lines.append("")
        elif isinstance(block, doc.Table):
            lines += _md_table(block)
            lines.append("")
        elif isinstance(block, doc.Listing):
            lines += render_markdown([block.heading, *block.notes, block.table], fmt).splitlines()
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _md_table(table: doc.Table) -> list[str]:
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
