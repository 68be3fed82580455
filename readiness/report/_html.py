"""HTML renderer of the document blocks: one self-contained page."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from readiness.report._blocks import (
    Banner,
    Block,
    Heading,
    Items,
    Listing,
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
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 "Segoe UI","Noto Sans","DejaVu Sans",Arial,sans-serif;
 color:var(--ink);background:#fff;overflow-wrap:anywhere}
main,.wrap{max-width:1200px;margin:0 auto;padding:24px 28px 48px}
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
 padding:0 .25em;border-radius:3px}
tbody th{font-weight:600}
.table-wrap{overflow-x:auto;margin:.6em 0 1em;max-width:100%}
table{border-collapse:collapse;font-size:.9em;min-width:40%}
caption{text-align:left;color:var(--muted);padding:.2em 0}
th,td{border:1px solid var(--line);padding:.28em .55em;vertical-align:top;text-align:left}
thead th{background:var(--band);overflow-wrap:normal}
tbody tr:nth-child(even){background:#fafbfc}
.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0;padding:0}
figure svg{display:block;max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.9em;margin-top:.3em}
table.listing{font-size:.8em;width:100%}
table.listing th,table.listing td{padding:.15em .35em}
table.listing details summary{cursor:pointer}
table.listing dl{margin:.3em 0;font-weight:400}
table.listing dt{color:var(--muted)}
table.listing dd{margin:0 0 .2em}
table.listing th button{all:inherit;cursor:pointer;text-decoration:underline dotted}
table.listing th[aria-sort=ascending] button::after{content:" \\25B2"}
table.listing th[aria-sort=descending] button::after{content:" \\25BC"}
.controls{display:flex;flex-wrap:wrap;gap:.4em .8em;margin:.5em 0;font-size:.9em}
.controls input,.controls select{font:inherit;max-width:100%}
.print-only{display:none}
footer{color:var(--muted);font-size:.85em;border-top:1px solid var(--line)}
footer .wrap{padding-top:.8em}
@media (max-width:600px){main,.wrap{padding:12px 10px 32px}body{font-size:14px}
 nav ol{columns:1}}
@page{size:A4;margin:12mm 10mm}
@media print{body{font-size:10pt}nav,.controls{display:none}main{max-width:none;padding:0}
 h2{break-after:avoid}h3{break-after:avoid}figure{break-inside:avoid}tr{break-inside:avoid}
 thead{display:table-header-group}.table-wrap{overflow:visible}
 table{width:100%;font-size:8pt}th,td{padding:.1em .3em}
 table.listing{font-size:7pt}.print-apart{display:none}.print-only{display:block}
 details>*:not(summary){display:none}footer{border:0}}
"""

#: The script of a facility list: sort by a column, filter by kind, ownership, region and
#: verdict, search. It builds its own controls, so without scripts the table reads and prints as
#: it is. The page's Content-Security-Policy allows exactly this script, by its SHA-256 hash.
_SCRIPT = """(function () {
  "use strict";
  var tables = document.querySelectorAll("table.listing");
  Array.prototype.forEach.call(tables, function (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var heads = table.tHead.rows[0].cells;
    var text = JSON.parse(table.getAttribute("data-controls"));
    var filters = JSON.parse(table.getAttribute("data-filters"));
    var bar = document.createElement("div");
    bar.className = "controls";
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = text.search;
    search.setAttribute("aria-label", text.search);
    bar.appendChild(search);
    var selects = filters.map(function (filter, i) {
      var select = document.createElement("select");
      select.setAttribute("aria-label", filter[1]);
      select.setAttribute("data-filter", String(i));
      var seen = {};
      rows.forEach(function (row) { seen[row.getAttribute("data-f" + i)] = true; });
      [""].concat(Object.keys(seen).sort()).forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value === "" ? filter[1] + ": " + text.all : value;
        select.appendChild(option);
      });
      bar.appendChild(select);
      return select;
    });
    var count = document.createElement("span");
    count.setAttribute("role", "status");
    bar.appendChild(count);
    table.parentNode.parentNode.insertBefore(bar, table.parentNode);
    function apply() {
      var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var ok = selects.every(function (select, i) {
          return !select.value || row.getAttribute("data-f" + i) === select.value;
        });
        var haystack = row.textContent.toLowerCase();
        ok = ok && words.every(function (word) { return haystack.indexOf(word) >= 0; });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = text.count.replace("{shown}", shown).replace("{total}", rows.length);
    }
    Array.prototype.forEach.call(heads, function (head, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.title = text.sort;
      while (head.firstChild) { button.appendChild(head.firstChild); }
      head.appendChild(button);
      button.addEventListener("click", function () {
        var up = head.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        head.setAttribute("aria-sort", up ? "ascending" : "descending");
        var numeric = head.classList.contains("num");
        var keyed = rows.map(function (row, i) {
          var key = row.cells[column].getAttribute("data-v");
          return {row: row, i: i, key: numeric ? (key === "" ? null : parseFloat(key)) : key};
        });
        keyed.sort(function (a, b) {
          var order;
          if (a.key === null || b.key === null) {
            order = a.key === b.key ? 0 : (a.key === null ? 1 : -1);
            return order || a.i - b.i;
          }
          var lang = document.documentElement.lang;
          order = numeric ? a.key - b.key : a.key.localeCompare(b.key, lang);
          return (up ? order : -order) || a.i - b.i;
        });
        keyed.forEach(function (item) { body.appendChild(item.row); });
      });
    });
    search.addEventListener("input", apply);
    selects.forEach(function (select) { select.addEventListener("change", apply); });
    apply();
  });
}());"""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_CSP_SCRIPT = f"{_CSP}; script-src 'sha256-{_SCRIPT_HASH}'"


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


def _listing(block: Listing) -> str:
    """Render a facility list: a table with sort keys, filter values and a details row head."""
    table = block.table
    filters = json.dumps([[key, label] for key, label in block.filters], ensure_ascii=False)
    controls = json.dumps(dict(block.controls), ensure_ascii=False)
    cls = "appendix print-apart" if block.apart else "appendix"
    parts = [f'<section class="{cls}" aria-labelledby="{escape_html(block.heading.anchor or "")}">']
    parts.append(_heading(block.heading))
    parts += [_para(note) for note in block.notes]
    parts.append(
        f'<div class="table-wrap"><table class="listing" data-filters="{escape_html(filters)}" '
        f'data-controls="{escape_html(controls)}"><thead><tr>'
    )
    for i, column in enumerate(table.columns):
        num = ' class="num"' if i in table.numeric else ""
        parts.append(f'<th scope="col"{num}>{escape_html(column)}</th>')
    parts.append("</tr></thead><tbody>")
    for row, values, keys, details in zip(
        table.rows, block.values, block.sort, block.details, strict=True
    ):
        marks = "".join(f' data-f{i}="{escape_html(v)}"' for i, v in enumerate(values))
        parts.append(f"<tr{marks}>")
        lines = "".join(
            f"<dt>{escape_html(label)}</dt><dd>{escape_html(value)}</dd>"
            for label, value in details
        )
        parts.append(
            f'<th scope="row" data-v="{escape_html(keys[0])}"><details><summary>'
            f"<code>{escape_html(row[0])}</code></summary><dl>{lines}</dl></details></th>"
        )
        for i in range(1, len(row)):
            num = ' class="num"' if i in table.numeric else ""
            parts.append(f'<td{num} data-v="{escape_html(keys[i])}">{escape_html(row[i])}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table></div></section>")
    return "".join(parts)


def _heading(block: Heading) -> str:
    anchor = f' id="{escape_html(block.anchor)}"' if block.anchor else ""
    return f"<h{block.level}{anchor}>{escape_html(block.text)}</h{block.level}>"


def _para(block: Para) -> str:
    cls = ' class="note"' if block.note else ""
    return f"<p{cls}>{_html_spans(block.spans)}</p>"


def _title(block: Block) -> Heading | None:
    heading = block.heading if isinstance(block, Listing) else block
    if isinstance(heading, Heading) and heading.level == 2 and heading.anchor:
        return heading
    return None


def render_html(
    data: Mapping[str, Any],
    blocks: Sequence[Block],
    fmt: Fmt,
    svgs: Mapping[str, str],
    note: str | None,
    *,
    title: str | None = None,
) -> str:
    """Render blocks as one self-contained page (``title``: of the page, default the report's)."""
    titles = chart_titles(data, fmt)
    body: list[str] = []
    toc = [(h.anchor or "", h.text) for b in blocks if (h := _title(b)) is not None]
    navigated = False
    scripted = False
    for block in blocks:
        if _title(block) is not None and not navigated:
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
            body.append(_heading(block))
        elif isinstance(block, Banner):
            body.append(f'<div class="banner" role="note">{escape_html(block.text)}</div>')
        elif isinstance(block, Para):
            body.append(_para(block))
        elif isinstance(block, Items):
            body.append(
                "<ul>" + "".join(f"<li>{_html_spans(i)}</li>" for i in block.items) + "</ul>"
            )
        elif isinstance(block, Table):
            body.append(_html_table(block))
        elif isinstance(block, Listing):
            scripted = True
            body.append(_listing(block))
            if block.apart:
                apart = escape_html(dict(block.controls)["apart"])
                body.append(f'<p class="note print-only">{apart}</p>')
        elif block.name in svgs:
            caption = f"<figcaption>{escape_html(titles[block.name])}</figcaption>"
            body.append(f'<figure id="chart-{block.name}">{svgs[block.name]}{caption}</figure>')
    footer = escape_html(fmt.t("generator", generator=data["generator"], schema=data["schema"]))
    script = f"<script>{_SCRIPT}</script>\n" if scripted else ""
    csp = _CSP_SCRIPT if scripted else _CSP
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{fmt.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{escape_html(data["generator"])}">\n'
        f"<title>{escape_html(title or data['title'])}</title>\n<style>{_CSS}</style>\n"
        "</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f'\n</main>\n<footer><div class="wrap">{footer}</div></footer>\n{script}'
        "</body>\n</html>\n"
    )
