"""Report outputs under attack: hostile data strings, edited JSON records, threads, file writes.

Issue 10: data never becomes markup in Markdown, HTML or SVG; a record read back with one leaf
changed gives a typed, located error; charts drawn in threads are the bytes of a serial draw and
leave the caller's matplotlib settings alone; a report's files are written together.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import readiness as r
from readiness import synthetic
from readiness.errors import OptionError
from readiness.report import Report, facility_report, province_report
from readiness.report import _schema as schema
from readiness.report._escape import markdown_code, markdown_text, visible

#: Strings an attacker (or an unlucky spreadsheet) puts in any text field.
HOSTILE = (
    "<img src=x onerror=console.error('pwned')>",
    "<script>console.error('pwned')</script>",
    "`a``b` ``` fence",
    "`",
    "**bold** _em_ ~~s~~ [link](http://example.com) ![img](x.png) <http://example.com>",
    "# heading",
    "x\r# heading after CR",
    "line\nbreak\n\n- list\n1. ordered\n> quote\n    code\n---",
    "| a | b |\\|",
    '=HYPERLINK("http://x")',
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=tab",
    "\x1b]8;;http://x\x07osc\x1b]8;;\x07 \x1b[31mred",
    "\u202eevil\u202c \u2066iso\u2069 \u200f",
    "nul\x00 vt\x0b ff\x0c del\x7f c1\x85",
    "&lt;b&gt; &amp; &#60;i&#62;",
    "]]> <!-- --> <![CDATA[x]]>",
    "</td></tr></table></svg></figure>",
    "Be\u0301nh vie\u0323n",  # NFD
    "\\",
    "1) x",
    "    indented",
    "x" * 5000,
)


# --------------------------------------------------------------------------- records


def _province_record() -> dict[str, Any]:
    catalog = r.load_catalog("vn-smart-hospital")
    table = r.score_many(catalog, synthetic.status_matrix(catalog, 24, seed=5))
    before = r.score_many(
        catalog, synthetic.status_matrix(catalog, 24, seed=4, date=dt.date(2025, 1, 1))
    )
    plans = r.plan_many(catalog, table, "milestone:vn-emr:emr-live")
    roadmap = r.plan_many(catalog, table, "vn-smart-hospital@3")
    obligation = r.Obligation(
        name="EMR", target="milestone:vn-emr:emr-live", obliged={"has_beds": True}
    )
    summary = r.summarize(
        table,
        by="kind",
        target="milestone:vn-emr:emr-live",
        obligation=obligation,
        plans=plans,
        previous=before,
    )
    extra = {"x": {"title": "Extra", "text": "t", "columns": ["a", "b"], "rows": [["c", 1]]}}
    # the "where to spend" section too, so that its texts are swapped and escaped like the rest
    decisions = r.compare_scenarios(
        catalog,
        synthetic.assessments(catalog, 24, seed=5),
        "vn-smart-hospital@2",
        budget=5e9,
        scenarios=[{"name": "more", "budget_factor": 1.5}],
        draws=50,
        due=dt.date(2028, 12, 31),
    )
    report = province_report(
        table,
        summary,
        plans=plans,
        roadmap=roadmap,
        extra=extra,
        max_facilities=12,
        decisions=decisions,
    )
    return report.data


def _facility_record() -> dict[str, Any]:
    catalog = r.load_catalog("vn-smart-hospital")
    table = r.score_many(catalog, synthetic.status_matrix(catalog, 30, seed=12))
    roadmap = r.plan_many(catalog, table, "vn-smart-hospital@2")
    j = next(j for j in range(len(table)) if roadmap.plan(j).steps)
    report = facility_report(
        table.score(j), plan=roadmap.plan(j), next_steps=roadmap.next_steps(j), peers=table
    )
    return report.data


class _Records(dict[str, dict[str, Any]]):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return "<records>"


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    return _Records(province=_province_record(), facility=_facility_record())


def _texts(value: Any, spec: Any, found: set[str]) -> None:
    """Collect every string the schema calls text (or a table cell) in a record."""
    if isinstance(spec, schema.Opt):
        if value is not None:
            _texts(value, spec.spec, found)
    elif spec in (schema.TEXT, schema.CELL):
        if isinstance(value, str):
            found.add(value)
    elif isinstance(spec, list):
        for item in value:
            _texts(item, spec[0], found)
    elif isinstance(spec, schema.MapOf):
        for item in value.values():
            _texts(item, spec.spec, found)
    elif isinstance(spec, dict):
        for key, item_spec in spec.items():
            absent = key not in value and isinstance(item_spec, schema.Added)
            if key not in ("schema", "generator") and not absent:
                _texts(value[key], item_spec, found)


def _replace_texts(data: dict[str, Any], new: Callable[[str, int], str]) -> dict[str, Any]:
    """Replace every text of a record by ``new(old, n)``; keys that are texts too, alike."""
    spec = schema.PROVINCE if data["kind"] == "province" else schema.FACILITY
    found: set[str] = set()
    _texts(data, spec, found)
    mapping = {old: new(old, n) for n, old in enumerate(sorted(found))}

    def key(k: str) -> str:
        return k if k.isdigit() or k == "na" else mapping.get(k, k)

    def swap(value: Any, spec: Any) -> Any:
        if isinstance(spec, schema.Opt):
            return None if value is None else swap(value, spec.spec)
        if spec in (schema.TEXT, schema.CELL):
            return mapping.get(value, value) if isinstance(value, str) else value
        if isinstance(spec, list):
            return [swap(v, spec[0]) for v in value]
        if isinstance(spec, schema.MapOf):
            return {key(k): swap(v, spec.spec) for k, v in value.items()}
        if isinstance(spec, dict):
            return {
                k: (v if k in ("schema", "generator") or k not in spec else swap(v, spec[k]))
                for k, v in value.items()
            }
        return value

    out: dict[str, Any] = swap(data, spec)
    return out


# --------------------------------------------------------------------------- Markdown


def _md_shape(text: str) -> list[str]:
    """The element structure markdown-it (CommonMark, tables, raw HTML allowed) makes of it."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    shape: list[str] = []
    for token in md.parse(text):
        children = token.children or []
        kinds = [c.type for c in children if c.type not in ("text", "text_special")]
        shape.append(token.type + (f"[{','.join(kinds)}]" if kinds else ""))
    return shape


@pytest.mark.parametrize("kind", ["province", "facility"])
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_markdown_carries_no_element_from_data(
    records: dict[str, dict[str, Any]], kind: str, hostile: str
) -> None:
    """Every text field hostile: the Markdown parses to the same elements as with plain text."""
    pytest.importorskip("markdown_it")
    data = records[kind]
    plain = Report(_replace_texts(data, lambda _old, n: f"plain{n}")).to_markdown()
    evil = Report(_replace_texts(data, lambda _old, n: f"{hostile}{n}")).to_markdown()
    assert _md_shape(evil) == _md_shape(plain)
    assert "\x1b" not in evil
    assert "\r" not in evil
    assert "\u202e" not in evil


@settings(max_examples=60)
@given(st.text(max_size=40))
def test_markdown_escapes_keep_any_text_plain(text: str) -> None:
    """Escaped text and code spans render as one paragraph of text: any string, no element."""
    pytest.importorskip("markdown_it")
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    shown = visible(text).strip(" ")
    if not shown:
        return
    for source, inner in (
        (markdown_text(shown, start=True), "text"),
        (markdown_code(shown), "code_inline"),
    ):
        tokens = md.parse(source)
        assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], source
        kinds = {c.type for c in tokens[1].children or []} - {"text_special"}
        assert kinds == {inner}, (source, kinds)
        content = "".join(c.content for c in tokens[1].children or [])
        if inner == "text":
            assert content == shown
        else:
            assert content.strip(" ") == shown.strip(" ")


# --------------------------------------------------------------------------- HTML and SVG


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)


def _html_tags(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


@pytest.mark.parametrize("kind", ["province", "facility"])
def test_html_carries_no_element_from_data(records: dict[str, dict[str, Any]], kind: str) -> None:
    """Every text field hostile: the HTML has the same elements as with plain text."""
    data = records[kind]
    plain = Report(_replace_texts(data, lambda _old, n: f"plain{n}")).to_html(charts=False)
    for hostile in HOSTILE:
        evil = Report(_replace_texts(data, lambda _old, n, h=hostile: f"{h}{n}")).to_html(
            charts=False
        )
        assert _html_tags(evil) == _html_tags(plain), hostile[:40]
        assert "\x1b" not in evil
        assert "\x00" not in evil
        assert "\u202e" not in evil


@pytest.mark.parametrize("kind", ["province", "facility"])
def test_every_chart_is_well_formed_xml_with_hostile_titles(
    records: dict[str, dict[str, Any]], kind: str
) -> None:
    """Control characters, markup and long strings in every title: each SVG parses as XML."""
    pytest.importorskip("matplotlib")
    hostile = "\x0b\x1b[31m<svg onload=x>&amp;\u202e\x00" + "y" * 300
    report = Report(_replace_texts(records[kind], lambda _old, n: f"{hostile}{n}"))
    charts = report.charts()
    assert charts
    for name, svg in charts.items():
        root = ET.fromstring(svg)  # raises on a character XML does not allow
        assert root.tag.endswith("svg"), name
        assert not any(el.tag.endswith(("script", "foreignObject")) for el in root.iter())
        assert "onload" not in {a for el in root.iter() for a in el.attrib}


# --------------------------------------------------------------------------- records read back


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            out += _paths(v, (*path, i))
    return out


LEAVES = st.sampled_from([None, "", "x", -1, 0, 10**30, 1e308, [], {}, True, "2025-02-30"])


@pytest.mark.parametrize("kind", ["province", "facility"])
@settings(max_examples=80)
@given(where=st.integers(min_value=1), remove=st.booleans(), leaf=LEAVES)
def test_a_changed_leaf_gives_a_located_error_or_renders(
    records: dict[str, dict[str, Any]], kind: str, where: int, remove: bool, leaf: Any
) -> None:
    """One leaf of a record read back changed or removed: it renders, or an OptionError names
    the path; never a bare TypeError, KeyError, ValueError or AttributeError."""
    record = copy.deepcopy(records[kind])
    paths = _paths(record)
    path = paths[1 + where % (len(paths) - 1)]
    parent = record
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and remove:
        del parent[path[-1]]
    else:
        parent[path[-1]] = leaf
    try:
        report = Report.from_json(json.dumps(record))
    except OptionError as error:
        message = str(error)
    else:
        report.to_markdown()
        report.to_html(charts=False)
        return
    assert "key '" in message  # located: the error names the key or path


def test_a_wrong_leaf_is_named_with_its_path(records: dict[str, dict[str, Any]]) -> None:
    """The error says which leaf is wrong and what it should be."""
    record = copy.deepcopy(records["province"])
    record["facilities"]["rows"][1]["overall"] = "high"
    with pytest.raises(
        OptionError,
        match=re.escape("key 'facilities.rows[1].overall': report data: must be a number or null"),
    ):
        Report(record)
    record = copy.deepcopy(records["facility"])
    del record["plan"]["steps"][0]["wave"]
    with pytest.raises(
        OptionError, match=re.escape("key 'plan.steps[0].wave': report data: missing")
    ):
        Report(record)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"schema": "readiness.report/1", "kind": "province", "lang": "en"}', "'title'"),
    ],
)
def test_bad_json_gives_a_typed_error(text: str, message: str) -> None:
    """Not JSON, nested too deeply, or missing keys: an OptionError, never a traceback."""
    with pytest.raises(OptionError, match=re.escape(message)):
        Report.from_json(text)


def test_a_lone_surrogate_is_refused(records: dict[str, dict[str, Any]]) -> None:
    """Text that cannot be written as UTF-8 is refused when the record is read."""
    text = json.dumps(records["facility"]).replace('"name": "', '"name": "\\ud800', 1)
    with pytest.raises(OptionError, match="surrogate"):
        Report.from_json(text)


# --------------------------------------------------------------------------- threads


@pytest.mark.slow
def test_charts_in_threads_are_the_serial_bytes_and_leave_settings_alone(
    records: dict[str, dict[str, Any]],
) -> None:
    """Reports charted in 6 threads at once give the serial bytes; the caller's rcParams stay."""
    mpl = pytest.importorskip("matplotlib")
    reports = [Report(records["province"]), Report(records["facility"])]
    serial = [rep.charts() for rep in reports]
    with mpl.rc_context({"font.size": 20, "svg.hashsalt": "caller"}):
        before = dict(mpl.rcParams)
        with ThreadPoolExecutor(6) as pool:
            outs = list(pool.map(lambda i: reports[i % 2].charts(), range(12)))
        assert dict(mpl.rcParams) == before
    assert all(out == serial[i % 2] for i, out in enumerate(outs))


# --------------------------------------------------------------------------- files


def test_write_leaves_old_files_when_a_rename_fails(
    records: dict[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while writing: the files of the previous write stay whole, no temporary file."""
    report = Report(records["facility"])
    first = report.write(tmp_path, "r", charts=False)
    old = {name: path.read_bytes() for name, path in first.items()}
    changed = Report({**records["facility"], "title": "New title"})
    real = Path.replace
    calls: list[Path] = []

    def failing(self: Path, target: Any) -> Path:
        calls.append(self)
        if len(calls) == 1:
            raise OSError("disk full")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        changed.write(tmp_path, "r", charts=False)
    assert {name: path.read_bytes() for name, path in first.items()} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.json", "r.md"]


def test_hostile_text_is_kept_exactly_in_json(records: dict[str, dict[str, Any]]) -> None:
    """The JSON is the record: hostile text (NFD, controls, bidi) round-trips unchanged."""
    evil = _replace_texts(records["facility"], lambda _old, n: f"{HOSTILE[n % len(HOSTILE)]}{n}")
    report = Report(evil)
    again = Report.from_json(report.to_json())
    assert again == report
    assert again.data == json.loads(json.dumps(evil))
    nfd = unicodedata.normalize("NFD", "Bệnh viện")
    assert nfd in json.dumps(Report({**evil, "title": nfd}).data, ensure_ascii=False)


# --------------------------------------------------------------------------- languages


class _Text(HTMLParser):
    """The text a reader sees, without code (ids), scripts, styles and charts."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "svg"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "svg"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


@pytest.fixture(scope="module")
def bac_ninh_vi() -> Report:
    from readiness._spec import read_spec, run_spec

    root = Path(__file__).resolve().parent.parent
    return run_spec(read_spec(root / "examples" / "bac_ninh" / "report.toml"), lang="vi").report


def test_no_english_glossary_term_in_a_vietnamese_report(bac_ninh_vi: Report) -> None:
    """A `vi` report uses the glossary's Vietnamese terms: no English term of the glossary is
    left, in the page or the Markdown (data shown as given, and identifiers, aside)."""
    from readiness.report._language import glossary

    data = bac_ninh_vi.data
    given = [data["provenance"]["label"], data["generator"], data["obligation"]["name"]]
    given += [c["disclaimer"] or "" for c in data["catalogs"]]
    given += [e["encoded"] for c in data["catalogs"] for e in c["coverage"]]  # catalog text
    given += [r["name"] for r in data["facilities"]["rows"]]
    parser = _Text()
    parser.feed(bac_ninh_vi.to_html(charts=False) + bac_ninh_vi.facilities_html())
    markdown = re.sub(r"\\(.)", r"\1", bac_ninh_vi.to_markdown())  # as read, not as escaped
    for page in ("\n".join(parser.out), markdown):
        text = page
        for value in sorted({g for g in given if g}, key=len, reverse=True):
            text = text.replace(value, " ")
        text = re.sub(r"\S*[-:./_`]\S*", " ", text)  # identifiers: ids, versions, file names
        for term in glossary().values():
            found = re.search(rf"\b{re.escape(term['en'])}\b", text, flags=re.IGNORECASE)
            assert found is None, text[max(0, found.start() - 80) : found.end() + 40]


def test_one_vietnamese_term_per_verdict() -> None:
    """The verdict labels come from the glossary: "at risk" is one term in Vietnamese."""
    from readiness.report import LABELS
    from readiness.report._language import glossary

    assert LABELS["vi"]["at_risk"] == "Có nguy cơ trễ hạn"
    assert glossary()["at_risk"]["vi"] == "có nguy cơ trễ hạn"
    assert sum("rủi ro" in text.lower() for text in LABELS["vi"].values()) == 0


def test_console_summary_is_in_the_reports_language(bac_ninh_vi: Report) -> None:
    """The lines `readiness report` prints follow the report's language and escape controls."""
    from readiness.report._console import console_lines

    lines = console_lines(bac_ninh_vi.data)
    text = "\n".join(lines)
    assert "1.372 lượt đánh giá" in text
    assert "Đã chi: 292,6 tỷ đồng" in text
    assert "bn VND" not in text
    evil = {**bac_ninh_vi.data, "title": "\x1b]8;;x\x07T\r"}
    assert console_lines(evil)[0] == "\\x1b]8;;x\\x07T\\x0d"


def test_many_groups_are_shown_as_the_largest_and_others(
    records: dict[str, dict[str, Any]],
) -> None:
    """With more groups than a page shows, the largest keep their row and the rest are summed
    in one "others" row; the JSON keeps every group."""
    from readiness.report._records import MAX_GROUPS

    data = copy.deepcopy(records["province"])
    group = data["groups"]["rows"][0]
    data["groups"]["rows"] = [
        {**group, "label": f"G{i}", "rows": i + 1} for i in range(MAX_GROUPS + 15)
    ]
    report = Report(data)
    assert len(report.data["groups"]["rows"]) == MAX_GROUPS + 15
    md = report.to_markdown()
    assert "| Other groups (15) |" in md
    assert "| G0 |" not in md  # among the smallest
    assert f"| G{MAX_GROUPS + 14} |" in md
