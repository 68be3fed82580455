"""HTML renderer of the document blocks: one self-contained page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from readiness.report._blocks import (
    Banner,
    Block,
    Heading,
    Items,
    Para,
    Span,
    Table,
)
from readiness.report._charts import chart_titles
from readiness.report._escape import escape_html
from readiness.report._language import Fmt

_CSS = """
:root{--ink:#1d2733;--muted:#5b6675;--line:#d5dbe3;--band:#f4f6f9;--accent:#1f5f99}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 "Segoe UI","Noto Sans","DejaVu Sans",Arial,sans-serif;
 color:var(--ink);background:#fff}
main,.wrap{max-width:1100px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:1.7em;margin:.2em 0 .4em;color:var(--accent)}
h2{font-size:1.3em;margin:1.8em 0 .5em;padding-bottom:.2em;border-bottom:2px solid var(--line)}
h3{font-size:1.05em;margin:1.3em 0 .4em}
p{margin:.5em 0}
.note{color:var(--muted);font-size:.92em}
.banner{margin:.8em 0;padding:.7em 1em;border:2px solid #b2182b;background:#fdecea;
 color:#7a0f1c;font-weight:700;border-radius:4px}
nav{margin:1em 0;padding:.6em 1em;background:var(--band);border-radius:4px}
nav h2{font-size:1em;margin:0 0 .3em;border:0;padding:0}
nav ol{margin:0;padding-left:1.3em;columns:2}
a{color:var(--accent)}
code{font:.86em/1.3 "DejaVu Sans Mono",Consolas,monospace;background:var(--band);
 padding:0 .25em;border-radius:3px;white-space:nowrap}
td code,th code{white-space:normal;overflow-wrap:break-word}
tbody th{font-weight:600;min-width:11em}
.table-wrap{overflow-x:auto;margin:.6em 0 1em}
table{border-collapse:collapse;font-size:.9em;min-width:40%}
caption{text-align:left;color:var(--muted);padding:.2em 0}
th,td{border:1px solid var(--line);padding:.28em .55em;vertical-align:top;text-align:left}
thead th{background:var(--band)}
tbody tr:nth-child(even){background:#fafbfc}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1em 0;padding:0}
figure svg{display:block;max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.9em;margin-top:.3em}
footer{color:var(--muted);font-size:.85em;border-top:1px solid var(--line)}
footer .wrap{padding-top:.8em}
@media print{nav{display:none}main{max-width:none;padding:0}h2{break-after:avoid}
 figure,table{break-inside:avoid}}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _html_spans(spans: Iterable[Span]) -> str:
    out = []
    for style, text in spans:
        if style == "strong":
            out.append(f"<strong>{escape_html(text)}</strong>")
        elif style == "code":
            out.append(f"<code>{escape_html(text)}</code>")
        else:
            out.append(escape_html(text))
    return "".join(out)


def _html_table(table: Table) -> str:
    parts = ['<div class="table-wrap"><table>']
    if table.caption:
        parts.append(f"<caption>{escape_html(table.caption)}</caption>")
    parts.append("<thead><tr>")
    for i, column in enumerate(table.columns):
        cls = ' class="num"' if i in table.numeric else ""
        parts.append(f'<th scope="col"{cls}>{escape_html(column)}</th>')
    parts.append("</tr></thead><tbody>")
    for row in table.rows:
        parts.append("<tr>")
        for i, value in enumerate(row):
            text = (
                f"<code>{escape_html(value)}</code>"
                if i in table.code and value
                else escape_html(value)
            )
            cls = ' class="num"' if i in table.numeric else ""
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if i == 0 else ""
            parts.append(f"<{tag}{scope}{cls}>{text}</{tag}>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return "".join(parts)


def render_html(
    data: Mapping[str, Any],
    blocks: Sequence[Block],
    fmt: Fmt,
    svgs: Mapping[str, str],
    note: str | None,
) -> str:
    titles = chart_titles(data, fmt)
    body: list[str] = []
    toc = [
        (b.anchor, b.text) for b in blocks if isinstance(b, Heading) and b.level == 2 and b.anchor
    ]
    navigated = False
    for block in blocks:
        if isinstance(block, Heading) and block.level == 2 and not navigated:
            # the charts note and the contents go just before the first section
            navigated = True
            if note:
                body.append(f'<p class="note" role="note">{escape_html(note)}</p>')
            links = "".join(
                f'<li><a href="#{escape_html(a)}">{escape_html(t)}</a></li>' for a, t in toc
            )
            contents = escape_html(fmt.t("contents"))
            body.append(
                f'<nav aria-labelledby="toc"><h2 id="toc">{contents}</h2><ol>{links}</ol></nav>'
            )
        if isinstance(block, Heading):
            anchor = f' id="{escape_html(block.anchor)}"' if block.anchor else ""
            body.append(f"<h{block.level}{anchor}>{escape_html(block.text)}</h{block.level}>")
        elif isinstance(block, Banner):
            body.append(f'<div class="banner" role="note">{escape_html(block.text)}</div>')
        elif isinstance(block, Para):
            cls = ' class="note"' if block.note else ""
            body.append(f"<p{cls}>{_html_spans(block.spans)}</p>")
        elif isinstance(block, Items):
            body.append(
                "<ul>" + "".join(f"<li>{_html_spans(i)}</li>" for i in block.items) + "</ul>"
            )
        elif isinstance(block, Table):
            body.append(_html_table(block))
        elif block.name in svgs:
            caption = f"<figcaption>{escape_html(titles[block.name])}</figcaption>"
            body.append(f'<figure id="chart-{block.name}">{svgs[block.name]}{caption}</figure>')
    footer = escape_html(fmt.t("generator", generator=data["generator"], schema=data["schema"]))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{fmt.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{escape_html(data["generator"])}">\n'
        f"<title>{escape_html(data['title'])}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f'\n</main>\n<footer><div class="wrap">{footer}</div></footer>\n</body>\n</html>\n'
    )
