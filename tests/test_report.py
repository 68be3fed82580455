"""Province and facility reports: schema, contents, languages, outputs without matplotlib."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import string
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

import readiness as r
from readiness import synthetic
from readiness._portfolio import ObligationProgress
from readiness.errors import MissingDependencyError, OptionError
from readiness.report import LABELS, SCHEMA, Report, Section, facility_report, province_report

ROOT = Path(__file__).resolve().parent.parent

PROVINCE_KEYS = {
    "schema",
    "kind",
    "lang",
    "title",
    "generator",
    "provenance",
    "catalogs",
    "assessed",
    "target",
    "obligation",
    "groups",
    "domains",
    "deadlines",
    "blockers",
    "change",
    "counting",
    "roadmap",
    "facilities",
    "extra",
}
FACILITY_KEYS = {
    "schema",
    "kind",
    "lang",
    "title",
    "generator",
    "provenance",
    "catalogs",
    "facility",
    "assessment",
    "results",
    "domains",
    "unsupported",
    "gaps",
    "plan",
    "next_steps",
    "peers",
    "peer_steps",
}


@attrs.frozen
class Province:
    catalog: r.Catalog
    table: r.ScoreTable
    plans: r.PlanTable
    roadmap: r.PlanTable
    summary: r.Summary


@pytest.fixture(scope="module")
def province() -> Province:
    catalog = r.load_catalog("vn-smart-hospital")
    table = r.score_many(catalog, synthetic.status_matrix(catalog, 120, seed=3))
    plans = r.plan_many(catalog, table, "milestone:vn-emr:emr-live")
    roadmap = r.plan_many(catalog, table, "vn-smart-hospital@3")
    obligation = r.Obligation(
        name="EMR for facilities with beds",
        target="milestone:vn-emr:emr-live",
        obliged={"has_beds": True},
        deadline=dt.date(2025, 9, 30),
    )
    summary = r.summarize(
        table,
        by="kind",
        target="milestone:vn-emr:emr-live",
        obligation=obligation,
        plans=plans,
    )
    return Province(catalog, table, plans, roadmap, summary)


@pytest.fixture(scope="module")
def report(province: Province) -> Report:
    return province_report(
        province.table,
        province.summary,
        plans=province.plans,
        roadmap=province.roadmap,
        extra={
            "no-beds": Section(
                title="Without beds", columns=["Facility", "Steps"], rows=[["CDC-1", 4]]
            )
        },
    )


@pytest.fixture(scope="module")
def html_en(report: Report) -> str:
    pytest.importorskip("matplotlib")
    return report.to_html()


def _bac_ninh_obligation(summary: r.Summary) -> r.Summary:
    """The Bac Ninh 2025 figures: 54 obliged, all done, 2 done without being obliged."""
    progress = ObligationProgress(
        name="EMR with digital signatures by 22 Sep 2025",
        target="milestone 'EMR in operation'",
        deadline=dt.date(2025, 9, 22),
        obliged=54,
        done=54,
        done_unobliged=2,
        count_unobliged=True,
        rate=round(56 / 54, 4),
        rule="(obliged facilities done + facilities done without being obliged) / obliged facilities",
        missing=(),
        unobliged_done=("CDC-1", "CDC-2"),
    )
    return attrs.evolve(summary, obligation=progress)


def _hospital() -> tuple[r.Catalog, r.Assessment]:
    catalog = r.load_catalog("vn-smart-hospital")
    facility = r.Facility(
        id="BV-01",
        name="Bệnh viện Đa khoa tỉnh",
        kind="hospital",
        ownership="public",
        beds=500,
        region="Bắc Ninh",
    )
    records = {
        "vn.tt13.it.workstations": "met",
        "vn.tt13.it.network": "met",
        "vn.tt13.it.servers": {"status": "partial", "progress": 0.5},
        "vn.tt13.app.kcb_system": "met",  # claimed without its prerequisites: unsupported
    }
    return catalog, r.Assessment(facility=facility, date=dt.date(2026, 3, 1), records=records)


# --------------------------------------------------------------------------- schema and JSON


def test_province_data_has_the_documented_keys(report: Report) -> None:
    """The province record has exactly the keys docs/reports.md lists, and the schema tag."""
    data = report.data
    assert set(data) == PROVINCE_KEYS
    assert data["schema"] == SCHEMA == "readiness.report/1"
    assert data["kind"] == "province"
    assert data["lang"] == "en"
    assert set(data["provenance"]) == {
        "label",
        "synthetic",
        "policy",
        "estimates_note",
        "catalogs_builtin",
    }
    assert [c["id"] for c in data["catalogs"]] == [
        "vn-infosec",
        "vn-it-tt54",
        "vn-emr",
        "vn-smart-hospital",
    ]
    assert set(data["roadmap"]) == {
        "target",
        "rows",
        "status",
        "verdicts",
        "steps",
        "effort_days",
        "cost_vnd_low",
        "cost_vnd",
        "cost_vnd_high",
        "finish_low",
        "finish",
        "finish_high",
        "assumed_steps",
        "assumed_effort_steps",
        "uncosted_steps",
        "period",
        "timeline",
        "deadlines",
        "first_steps",
    }
    assert data["extra"] == [
        {
            "id": "no-beds",
            "title": "Without beds",
            "text": "",
            "columns": ["Facility", "Steps"],
            "rows": [["CDC-1", 4]],
            "note": "",
        }
    ]


def test_facility_data_has_the_documented_keys() -> None:
    """The facility record has exactly the keys docs/reports.md lists."""
    catalog, assessment = _hospital()
    report = facility_report(r.score(catalog, assessment), catalog=catalog)
    assert set(report.data) == FACILITY_KEYS
    assert report.kind == "facility"
    assert report.data["plan"] is None
    assert report.data["peers"] is None
    assert report.data["peer_steps"] is None


def test_json_round_trips(report: Report) -> None:
    """JSON text reads back into an equal report that renders the same Markdown."""
    text = report.to_json()
    assert text.endswith("\n")
    assert json.loads(text) == report.data
    again = Report.from_json(text)
    assert again == report
    assert hash(again) == hash(report)
    assert again.to_markdown() == report.to_markdown()
    assert again.to_html(charts=False) == report.to_html(charts=False)


def test_data_is_a_copy(report: Report) -> None:
    """Changing the returned data does not change the report."""
    data = report.data
    data["title"] = "changed"
    assert report.data["title"] != "changed"


def test_report_rejects_foreign_data() -> None:
    """A record without the schema tag, or not JSON data, is refused with the key named."""
    with pytest.raises(OptionError, match=re.escape("schema 'readiness.report/1'")):
        Report({"schema": "other/1", "kind": "province", "lang": "en"})
    with pytest.raises(OptionError, match="plain JSON data"):
        Report({"schema": SCHEMA, "kind": "province", "lang": "en", "x": float("nan")})
    with pytest.raises(OptionError, match="lang must be 'en' or 'vi'"):
        Report({"schema": SCHEMA, "kind": "province", "lang": "fr"})


# --------------------------------------------------------------------------- figures


def test_markdown_prints_the_obligation_line() -> None:
    """56 done of 54 obliged = 103.7 %, with both counts and the rule spelled out."""
    catalog = r.load_catalog("vn-emr")
    table = r.score_many(catalog, synthetic.status_matrix(catalog, 30, seed=2))
    summary = _bac_ninh_obligation(r.summarize(table, by=()))
    text = province_report(table, summary).to_markdown()
    assert "EMR with digital signatures by 22 Sep 2025: 56 done of 54 obliged = 103.7%" in text
    assert "54 obliged facilities done, 2 done without being obliged." in text
    assert "`CDC-1`, `CDC-2`" in text
    vi = province_report(table, summary, lang="vi").to_markdown()
    assert "56 cơ sở đạt trên 54 cơ sở bắt buộc = 103,7%" in vi


def test_obligation_figures_come_from_the_summary(province: Province, report: Report) -> None:
    """The report's obligation block repeats summarize()'s counts and says what was counted."""
    progress = province.summary.obligation
    assert progress is not None
    block = report.data["obligation"]
    assert (block["obliged"], block["done"], block["done_unobliged"]) == (
        progress.obliged,
        progress.done,
        progress.done_unobliged,
    )
    assert block["counted"] == progress.done + progress.done_unobliged
    assert block["missing_total"] == len(progress.missing)
    line = f"{block['counted']} done of {block['obliged']} obliged"
    assert line in report.to_markdown()


def test_deadline_counts_equal_the_summary_verdicts(province: Province, report: Report) -> None:
    """Target verdicts counted by the report equal summarize()'s (which reads the plan records)."""
    counts = report.data["deadlines"]["target_counts"]
    verdicts = province.summary.total.verdicts
    assert verdicts is not None
    expected = {k.replace("no deadline", "no_deadline"): v for k, v in verdicts.items()}
    assert {k: v for k, v in counts.items() if v} == expected
    assert sum(counts.values()) == len(province.table)
    listing = report.data["facilities"]["rows"]
    assert sum(row["verdict"] == "late" for row in listing) == counts["late"]


def test_roadmap_timeline_adds_up(province: Province, report: Report) -> None:
    """Steps per period sum to the required steps; facilities per period to the plans with work."""
    roadmap = report.data["roadmap"]
    required = province.roadmap.required
    assert sum(t["steps"] for t in roadmap["timeline"]) == roadmap["steps"] == int(required.sum())
    with_work = int(required.any(axis=0).sum())
    assert sum(t["facilities"] for t in roadmap["timeline"]) == with_work
    assert roadmap["timeline"][-1]["reached_share"] == pytest.approx(
        (with_work + roadmap["status"]["done"]) / len(province.roadmap)
    )
    assert roadmap["period"] in {"quarter", "year"}
    first = roadmap["first_steps"]
    assert first == sorted(first, key=lambda s: (-s["facilities"], s["criterion"]))
    assert all(0 < s["facilities"] <= with_work for s in first)
    assert any(m["key"] == "target" for m in roadmap["deadlines"])


def test_groups_add_up_to_the_total(report: Report) -> None:
    """Group rows and level counts add up to the whole table."""
    groups = report.data["groups"]
    assert sum(g["rows"] for g in groups["rows"]) == groups["total"]["rows"]
    for catalog in report.data["catalogs"]:
        assert sum(groups["total"]["levels"][catalog["id"]].values()) == groups["total"]["rows"]


def test_max_facilities_limits_the_listing(province: Province) -> None:
    """Only the first rows by facility id are listed, and the report says so."""
    report = province_report(province.table, province.summary, max_facilities=5)
    listing = report.data["facilities"]
    assert (listing["shown"], listing["total"]) == (5, 120)
    assert [row["id"] for row in listing["rows"]] == sorted(row["id"] for row in listing["rows"])
    assert "First 5 of 120 assessments, by facility ID." in report.to_markdown()


# --------------------------------------------------------------------------- provenance


def test_synthetic_data_gets_a_banner_and_provenance(report: Report) -> None:
    """Synthetic tables carry a banner; versions, disclaimers and the estimates note are shown."""
    text = report.to_markdown()
    assert text.splitlines()[2].startswith("> **SYNTHETIC DATA")
    assert "2026.12.0" in text
    assert "Not legal advice." in text  # the vn-emr disclaimer
    assert "estimates" in text
    assert "Still planned (estimate)" in text
    assert "Scoring policy: strict" in text


def test_real_data_has_no_banner(province: Province) -> None:
    """A table that is not labelled synthetic gets no banner."""
    table = attrs.evolve(province.table, label="Bac Ninh DOH report 2025")
    summary = r.summarize(table, by=())
    text = province_report(table, summary).to_markdown()
    assert "SYNTHETIC" not in text
    assert "Data: Bac Ninh DOH report 2025" in text


def test_himss_disclaimer_is_shown() -> None:
    """The unofficial HIMSS EMRAM summary says so in every report built on it."""
    catalog = r.load_catalog("himss-emram")
    table = r.score_many(catalog, synthetic.status_matrix(catalog, 10, seed=1))
    text = province_report(table, r.summarize(table, by=())).to_markdown()
    assert "Unofficial summary of the publicly described HIMSS EMRAM stage structure" in text


def test_about_section_states_each_catalogs_coverage(report: Report) -> None:
    """Issue 12, item 8: the record carries every catalog's declared coverage, and the About
    section shows it (source, what is encoded, the estimated share, how the text was read)."""
    catalog = r.load_catalog("vn-smart-hospital")
    declared = {k: f.coverage for k, f in catalog.frameworks.items() if f.coverage}
    assert "vn-it-tt54" in declared
    records = {c["id"]: c["coverage"] for c in report.data["catalogs"]}
    for catalog_id, entries in declared.items():
        assert [
            (e["source"], e["encoded"], e["share"], e["access"]) for e in records[catalog_id]
        ] == [(c.source, c.encoded, c.share, c.access) for c in entries]
    text = report.to_markdown()
    about = text[text.index("## About this report") :]
    assert "### What the catalogs encode of their sources" in about
    tt54 = next(c for c in declared["vn-it-tt54"] if c.source == "tt54")
    row = next(line for line in about.splitlines() if line.startswith("| `vn-it-tt54` | `tt54`"))
    assert "31 of the 146 numbered criteria" in tt54.encoded
    assert "31 of the 146" in row
    assert "~21%" in row.replace("\\~", "~")
    assert "secondary copies only" in row


def test_about_section_without_declared_coverage_has_no_coverage_table() -> None:
    catalog = r.load_catalog(Path(__file__).parent / "data" / "mini.toml")
    table = r.score_many(catalog, synthetic.status_matrix(catalog, 5, seed=1))
    report = province_report(table, r.summarize(table, by=()))
    assert all(c["coverage"] == [] for c in report.data["catalogs"])
    assert "What the catalogs encode" not in report.to_markdown()


# --------------------------------------------------------------------------- languages


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_labels_exist_in_both_languages_with_the_same_fields() -> None:
    """Every fixed label has an English and a Vietnamese text taking the same values."""
    assert set(LABELS["en"]) == set(LABELS["vi"])
    for key, english in LABELS["en"].items():
        assert _fields(english) == _fields(LABELS["vi"][key]), key
        assert LABELS["vi"][key], key


def test_vietnamese_switches_labels_titles_and_numbers(province: Province) -> None:
    """lang="vi" gives Vietnamese labels, catalog titles, numbers and dates."""
    report = province_report(province.table, province.summary, plans=province.plans, lang="vi")
    text = report.to_markdown()
    assert report.lang == "vi"
    assert text.startswith("# Báo cáo mức độ sẵn sàng cấp tỉnh\n")
    for label in ("## Số liệu chính", "## Mức đạt theo bộ tiêu chí", "## Tình trạng thời hạn"):
        assert label in text
    assert "Điều kiện triển khai hồ sơ bệnh án điện tử và không sử dụng bệnh án giấy" in text
    assert "Trạm y tế xã" in text  # a kind, translated
    assert "cột mốc “Vận hành hồ sơ bệnh án điện tử”" in text  # the target, translated
    assert "30/06/2026" in text
    assert "Key figures" not in text
    assert "Levels by catalog" not in text
    assert re.search(r"\d+,\d%", text)  # decimal comma
    assert report.to_html(charts=False).startswith('<!DOCTYPE html>\n<html lang="vi">')


def test_unknown_language_is_refused(province: Province) -> None:
    """Only en and vi are offered."""
    with pytest.raises(OptionError, match="lang must be 'en' or 'vi' \\(got 'fr'\\)"):
        province_report(province.table, province.summary, lang="fr")


def test_facility_report_in_vietnamese_keeps_diacritics() -> None:
    """A facility name and Vietnamese titles with diacritics survive every output."""
    catalog, assessment = _hospital()
    score = r.score(catalog, assessment)
    plan = r.plan(catalog, assessment, "milestone:vn-emr:emr-live")
    steps = r.next_steps(catalog, assessment, "milestone:vn-emr:emr-live", k=3)
    report = facility_report(score, plan=plan, next_steps=steps, lang="vi", catalog=catalog)
    text = report.to_markdown()
    assert "# Báo cáo mức độ sẵn sàng của cơ sở: Bệnh viện Đa khoa tỉnh" in text
    assert "Bệnh viện, công lập, 500 giường bệnh, Bắc Ninh." in text
    assert "## Các bước tiếp theo" in text
    assert "Đợt 1" in text
    assert "SYNTHETIC" not in text
    assert "GIẢ LẬP" not in text
    assert "Bệnh viện Đa khoa tỉnh" in report.to_json()  # not \\u-escaped
    unsupported = report.data["unsupported"]
    assert [u["criterion"] for u in unsupported] == ["vn-emr:vn.tt13.app.kcb_system"]
    assert unsupported[0]["detail_text"].startswith("đã khai đạt nhưng dựa trên ")


# --------------------------------------------------------------------------- facility report


def test_facility_report_shows_levels_blockers_plan_and_peers(province: Province) -> None:
    """A facility report holds its levels, blockers, plan waves, next steps and peer rank."""
    j = 4
    report = facility_report(
        province.table.score(j),
        plan=province.roadmap.plan(j),
        next_steps=province.roadmap.next_steps(j),
        peers=province.table,
    )
    data = report.data
    assert [res["catalog"] for res in data["results"]] == [c["id"] for c in data["catalogs"]]
    assert any(res["blockers"] for res in data["results"])
    assert data["plan"]["steps"]
    assert [s["wave"] for s in data["plan"]["steps"]] == sorted(
        s["wave"] for s in data["plan"]["steps"]
    )
    assert data["next_steps"][0]["rank"] == 1
    assert 0 <= data["peers"]["share_below"] <= 1
    assert data["peers"]["rows"] == len(province.table)
    assert all(d["peer_mean"] is not None or d["score"] is None for d in data["domains"])
    assert data["provenance"]["synthetic"] is True
    text = report.to_markdown()
    assert "## Plan toward level 3 “Smart” of Smart hospital toward 2030 (Vietnam)" in text
    assert "### Wave 1" in text
    assert "## Compared with peers" in text


def test_facility_peers_from_a_summary_give_means_only(province: Province) -> None:
    """With a Summary as peers, the report compares means and gives no rank."""
    report = facility_report(province.table.score(0), peers=r.summarize(province.table, by=()))
    peers = report.data["peers"]
    assert peers["share_below"] is None
    assert peers["rows"] == len(province.table)
    assert peers["overall"]["mean"] == province.summary.total.overall.mean
    assert all(d["peer_mean"] is None for d in report.data["domains"])


def test_facility_report_without_catalog_uses_the_builtin_set() -> None:
    """Without catalog=, titles come from the built-in catalogs and the report says so."""
    catalog, assessment = _hospital()
    report = facility_report(r.score(catalog, assessment))
    assert report.data["provenance"]["catalogs_builtin"] is True
    assert "the catalog was not given" in report.to_markdown()


# --------------------------------------------------------------------------- extra sections


def test_extra_sections_accept_mappings_and_escape_markdown(province: Province) -> None:
    """An extra section given as a mapping renders as a table; pipes are escaped."""
    report = province_report(
        province.table,
        province.summary,
        extra={
            "left": {
                "title": "What is left | without beds",
                "text": "Disease-control centres before 31 Dec 2026.",
                "columns": ["Facility", "Criteria left", "Share"],
                "rows": [["CDC|1", 3, 0.25], ["CDC-2", 0, None]],
                "note": "Figures from the example.",
            }
        },
    )
    text = report.to_markdown()
    assert "## What is left \\| without beds" in text
    assert "| CDC\\|1 | 3 | 0.25 |" in text
    assert "| CDC-2 | 0 | \u2013 |" in text  # a missing value
    assert 'id="extra-left"' in report.to_html(charts=False)


def test_bilingual_section_and_title_follow_the_language(province: Province) -> None:
    """A section given in both languages, and the title, show in the report's language."""
    section = Section(
        title={"en": "Left to do", "vi": "Việc còn lại"},
        columns=[{"en": "Facility", "vi": "Cơ sở"}],
        rows=[["CDC-1"]],
    )
    report = province_report(
        province.table, province.summary, lang="vi", title="Tỉnh Bắc Ninh", extra={"left": section}
    )
    text = report.to_markdown()
    assert text.startswith("# Tỉnh Bắc Ninh\n")
    assert "## Việc còn lại" in text
    assert "| Cơ sở |" in text
    assert report.data["extra"][0]["title"] == "Việc còn lại"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"Bad Id": {"title": "x"}}, "extra section ids are lower-case"),
        (
            {"x": {"title": "x", "columns": ["a"], "rows": [[1, 2]]}},
            "row 1 has 2 cells for 1 columns",
        ),
        (
            {"x": {"title": "x", "colour": "red"}},
            "a section takes title, text, columns, rows and note",
        ),
        ({"x": {"title": "x", "columns": ["a"], "rows": [[float("inf")]]}}, "finite numbers"),
        ({"x": 3}, "an extra section is a Section or a mapping"),
    ],
)
def test_bad_extra_sections_are_refused(province: Province, extra: object, message: str) -> None:
    """A malformed extra section names what is wrong."""
    with pytest.raises(OptionError, match=re.escape(message)):
        province_report(province.table, province.summary, extra=extra)  # type: ignore[arg-type]


def test_inconsistent_inputs_are_refused(province: Province) -> None:
    """A summary or plans of other rows are refused, with the argument named."""
    catalog = province.catalog
    other = r.score_many(catalog, synthetic.status_matrix(catalog, 7, seed=9))
    with pytest.raises(OptionError, match="summary must summarize this table") as found:
        province_report(province.table, r.summarize(other, by=()))
    assert found.value.key == "summary"
    plans = r.plan_many(catalog, other, "vn-emr@1")
    with pytest.raises(OptionError, match="plans must have one row per row of the table"):
        province_report(province.table, province.summary, plans=plans)
    with pytest.raises(OptionError, match="max_facilities"):
        province_report(province.table, province.summary, max_facilities=-1)


# --------------------------------------------------------------------------- HTML and charts


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.append(str(found["id"]))


def test_html_is_self_contained_and_accessible(html_en: str) -> None:
    """One file: one inline script allowed by its hash, no external URL, unique ids, charts with
    a title and a description."""
    assert html_en.startswith('<!DOCTYPE html>\n<html lang="en">')
    scripts = re.findall(r"<script>(.*?)</script>", html_en, flags=re.DOTALL)
    assert len(scripts) == html_en.lower().count("<script") == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html_en
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html_en))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "Content-Security-Policy" in html_en
    parser = _Collector()
    parser.feed(html_en)
    assert len(parser.ids) == len(set(parser.ids))
    svgs = [a for tag, a in parser.tags if tag == "svg"]
    assert len(svgs) == 4  # levels, domains, deadlines, roadmap
    for svg in svgs:
        assert svg["role"] == "img"
        assert svg["aria-labelledby"]
    assert html_en.count("<title id=") == 4
    assert html_en.count("<figcaption>") == 4
    assert any(tag == "th" and a.get("scope") == "col" for tag, a in parser.tags)
    assert "SYNTHETIC DATA" in html_en


def test_charts_are_deterministic_svg(report: Report) -> None:
    """Charts are SVG text with fixed fonts and no date; the same report gives the same bytes."""
    pytest.importorskip("matplotlib")
    charts = report.charts()
    assert set(charts) == {"levels", "domains", "deadlines", "roadmap"}
    for name, svg in charts.items():
        assert svg.startswith("<svg ")
        assert f'id="{name}-title"' in svg
        assert "'DejaVu Sans'" in svg
        assert "dc:date" not in svg
    assert report.charts() == charts


def test_vietnamese_chart_text_keeps_diacritics(province: Province) -> None:
    """Chart labels are SVG text in a font with Vietnamese glyphs."""
    pytest.importorskip("matplotlib")
    report = province_report(province.table, province.summary, lang="vi")
    svg = report.charts()["levels"]
    assert "Tất cả cơ sở" in svg
    assert "Trạm y tế xã" in svg
    assert "font-family: 'DejaVu Sans'" in svg


def test_same_input_gives_the_same_bytes(province: Province, report: Report, html_en: str) -> None:
    """Building the report again gives identical JSON, Markdown and HTML."""
    again = province_report(
        province.table,
        province.summary,
        plans=province.plans,
        roadmap=province.roadmap,
        extra={
            "no-beds": Section(
                title="Without beds", columns=["Facility", "Steps"], rows=[["CDC-1", 4]]
            )
        },
    )
    assert again.to_json() == report.to_json()
    assert again.to_markdown() == report.to_markdown()
    assert again.to_html() == html_en


_DIGEST = textwrap.dedent(
    """
    import hashlib, readiness as r
    from readiness import synthetic
    from readiness.report import province_report
    c = r.load_catalog("vn-emr")
    t = r.score_many(c, synthetic.status_matrix(c, 40, seed=5))
    p = r.plan_many(c, t, "vn-emr@2")
    rep = province_report(t, r.summarize(t, by="kind", plans=p), plans=p, roadmap=p, lang="vi")
    for text in (rep.to_json(), rep.to_markdown(), rep.to_html()):
        print(hashlib.sha256(text.encode()).hexdigest())
    """
)


@pytest.mark.slow
def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Two processes with different hash seeds write the same bytes."""
    pytest.importorskip("matplotlib")
    digests = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", _DIGEST],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        digests.append(done.stdout)
    assert digests[0] == digests[1]
    assert len(digests[0].split()) == 3


def test_write_puts_four_files(report: Report, tmp_path: Path, html_en: str) -> None:
    """write() creates the folder and the JSON, Markdown and HTML files, and the facility list
    as a page of its own."""
    paths = report.write(tmp_path / "out", "province")
    assert {k: p.name for k, p in paths.items()} == {
        "json": "province.json",
        "md": "province.md",
        "html": "province.html",
        "facilities": "province-facilities.html",
    }
    assert paths["facilities"].read_text(encoding="utf-8") == report.facilities_html()
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in paths.values())
    assert paths["json"].read_text(encoding="utf-8") == report.to_json()
    assert paths["md"].read_text(encoding="utf-8") == report.to_markdown()
    assert paths["html"].read_bytes() == html_en.encode()
    with pytest.raises(OptionError, match="stem is a file name"):
        report.write(tmp_path, "../x")


# --------------------------------------------------------------------------- without matplotlib


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``import matplotlib...`` fail, as if the plot extra were not installed."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


@pytest.mark.usefixtures("no_matplotlib")
def test_reports_render_without_matplotlib(report: Report) -> None:
    """JSON and Markdown are unchanged; HTML says the charts were left out; charts=True raises."""
    assert json.loads(report.to_json())["schema"] == SCHEMA
    assert "## Key figures" in report.to_markdown()
    page = report.to_html()
    assert (
        "Charts left out: matplotlib is not installed (pip install &#x27;readiness[plot]&#x27;)"
        in page
    )
    assert "<svg" not in page
    assert "<table>" in page
    with pytest.raises(MissingDependencyError, match=re.escape("pip install 'readiness[plot]'")):
        report.to_html(charts=True)
    with pytest.raises(ImportError, match="matplotlib"):
        report.charts()


def test_charts_can_be_left_out(report: Report) -> None:
    """charts=False leaves the charts out and says so."""
    page = report.to_html(charts=False)
    assert "<svg" not in page
    assert "Charts left out on request." in page


def test_import_does_not_load_matplotlib(tmp_path: Path) -> None:
    """Importing readiness.report and building a report's Markdown never imports matplotlib."""
    code = (
        "import sys, readiness as r\n"
        "from readiness import synthetic\n"
        "from readiness.report import province_report\n"
        "c = r.load_catalog('vn-emr')\n"
        "t = r.score_many(c, synthetic.status_matrix(c, 5, seed=1))\n"
        "province_report(t, r.summarize(t, by=())).to_markdown()\n"
        "print('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.strip() == "False"


def test_not_assessed_and_disputed_claims_are_listed(province: Province) -> None:
    """Facilities listed without an assessment and disputed not-applicable claims have their
    own section (with the counting policy); "About" says where each catalog came from."""
    key = next(iter(province.catalog.criteria))
    summary = attrs.evolve(
        province.summary,
        not_assessed=("BV-99", "TYT-98"),
        superseded=3,
        disputed=((key, 4),),
    )
    report = province_report(province.table, summary)
    counting = report.data["counting"]
    assert counting["not_assessed"] == ["BV-99", "TYT-98"]
    assert counting["disputed"][0]["criterion"] == key
    text = report.to_markdown()
    assert "## Facilities not assessed and disputed claims" in text
    assert "2 listed facilities have no assessment" in text
    assert "`BV-99`, `TYT-98`" in text
    assert "3 older assessments were left out" in text
    assert "Policy: trusted" in text
    assert "| built-in |" in text
    assert text.index("## Facilities not assessed") < text.index("## Levels by catalog")
