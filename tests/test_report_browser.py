"""HTML reports checked in a real headless browser (Debian's chromium).

Each report is written to a temporary folder and opened from disk, offline, three times:

1. ``--dump-dom`` with console logging on stderr: the page loads with no console message at all
   (the page has no script, so any message is an error: a blocked fetch, a parse failure), and
   the loaded DOM holds the chart ``<svg>`` elements with their titles;
2. ``--screenshot``: a PNG of the page exists, has a plausible size and is not blank;
3. a copy with a small measuring script (the only change: the script and a CSP that lets it run)
   records the laid-out size of every chart into the DOM, and logs one probe message to prove that
   step 1 would have seen console output.

Skipped, with the reason, where chromium or matplotlib is not installed.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import readiness as r
from readiness import synthetic
from readiness.report import Report, facility_report, province_report

pytestmark = pytest.mark.slow

CHROMIUM = (
    os.environ.get("READINESS_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)
if CHROMIUM is None:
    pytest.skip(
        "chromium is not installed (apt-get install chromium, or set READINESS_CHROMIUM)",
        allow_module_level=True,
    )
pytest.importorskip("matplotlib", reason="charts need matplotlib (pip install 'readiness[plot]')")

TIMEOUT = 60
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]? ?(.*)")
MEASURE = """<script>
console.error("readiness-probe");
document.documentElement.dataset.charts = JSON.stringify(
  Array.from(document.querySelectorAll("figure svg")).map(function (svg) {
    var box = svg.getBoundingClientRect();
    return {id: svg.parentNode.id, width: box.width, height: box.height};
  }));
</script>"""


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _console(stderr: str) -> list[str]:
    return [m.group(1) for line in stderr.splitlines() if (m := CONSOLE.search(line))]


class _Charts(HTMLParser):
    """Collect the chart <svg> elements of a DOM and the text of their <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str | None]] = []
        self.titles: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svgs.append(dict(attrs))
        self._in_title = tag == "title" and bool(self.svgs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and data.strip():
            self.titles.append(data.strip())


def _province() -> Report:
    catalog = r.load_catalog("vn-smart-hospital")
    table = r.score_many(catalog, synthetic.status_matrix(catalog, 80, seed=11))
    plans = r.plan_many(catalog, table, "milestone:vn-emr:emr-live")
    roadmap = r.plan_many(catalog, table, "vn-smart-hospital@3")
    summary = r.summarize(table, by="kind", target="milestone:vn-emr:emr-live", plans=plans)
    return province_report(table, summary, plans=plans, roadmap=roadmap, lang="vi")


def _facility() -> Report:
    catalog = r.load_catalog("vn-smart-hospital")
    table = r.score_many(catalog, synthetic.status_matrix(catalog, 30, seed=12))
    roadmap = r.plan_many(catalog, table, "vn-smart-hospital@2")
    j = next(j for j in range(len(table)) if roadmap.plan(j).steps)
    return facility_report(
        table.score(j),
        plan=roadmap.plan(j),
        next_steps=roadmap.next_steps(j),
        peers=table,
        lang="en",
    )


CASES = {
    "province": (_province, {"levels", "domains", "deadlines", "roadmap"}),
    "facility": (_facility, {"facility_levels", "facility_domains", "gantt"}),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def page(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, set[str]]:
    build, charts = CASES[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    paths = build().write(folder, request.param, charts=True)
    return paths["html"], charts


def test_page_loads_without_console_messages_and_has_the_charts(
    page: tuple[Path, set[str]], tmp_path: Path
) -> None:
    """The page loads offline with no console message; the DOM holds every chart with a title."""
    html, charts = page
    done = _chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert _console(done.stderr) == []
    parser = _Charts()
    parser.feed(done.stdout)
    chart_svgs = [a for a in parser.svgs if a.get("class") == "chart"]
    assert {str(a["aria-labelledby"]).split("-title")[0] for a in chart_svgs} == charts
    assert len(parser.titles) >= len(charts)
    assert "</html>" in done.stdout


def test_screenshot_is_not_blank(page: tuple[Path, set[str]], tmp_path: Path) -> None:
    """A screenshot of the page has ink on it: text and coloured chart marks."""
    import matplotlib.image

    html, _ = page
    shot = tmp_path / "page.png"
    done = _chromium(tmp_path, "--window-size=1280,2400", f"--screenshot={shot}", html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.exists()
    assert shot.stat().st_size > 20_000
    pixels = matplotlib.image.imread(shot)[:, :, :3]
    ink = (pixels < 0.9).any(axis=2)
    assert ink.mean() > 0.02  # not a blank page
    coloured = (pixels.max(axis=2) - pixels.min(axis=2)) > 0.25
    assert coloured.mean() > 0.002  # chart colours, not only black text


def test_charts_are_laid_out_with_a_size(page: tuple[Path, set[str]], tmp_path: Path) -> None:
    """Measured in the browser, every chart has a non-zero width and height."""
    html, charts = page
    text = html.read_text(encoding="utf-8")
    text = text.replace(
        "style-src 'unsafe-inline'", "style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    )
    copy = tmp_path / "measured.html"
    copy.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    done = _chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", copy.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert any("readiness-probe" in m for m in _console(done.stderr))  # console capture works
    found = re.search(r'data-charts="([^"]*)"', done.stdout)
    assert found is not None, "the measuring script did not run"
    sizes = json.loads(found.group(1).replace("&quot;", '"'))
    assert {s["id"] for s in sizes} == {f"chart-{name}" for name in charts}
    for size in sizes:
        assert size["width"] > 200, size
        assert size["height"] > 50, size


# --------------------------------------------------------------------------- layout, print, list

HOST = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="f" src="{src}" style="border:0;width:{width}px;height:900px"></iframe>
<script>window.addEventListener("message", function (e) {{
  document.body.dataset.m = JSON.stringify(e.data); }});</script></body></html>"""
PROBE = """<script>window.addEventListener("load", function () {
  var d = document.documentElement;
  parent.postMessage({scroll: d.scrollWidth, inner: window.innerWidth,
                      height: d.scrollHeight}, "*");
});</script>"""
CLICKS = """<script>
(function () {
  var table = document.querySelector("table.listing");
  var ids = function () {
    return Array.prototype.filter.call(table.tBodies[0].rows, function (r) { return !r.hidden; })
      .map(function (r) { return r.cells[0].textContent; });
  };
  var out = {before: ids()};
  var score = Array.prototype.filter.call(table.tHead.rows[0].cells, function (c) {
    return c.classList.contains("num"); })[1];
  score.querySelector("button").click();
  out.up = ids();
  score.querySelector("button").click();
  out.down = ids();
  var select = document.querySelector("select[data-filter='0']");
  select.value = select.options[1].value;
  select.dispatchEvent(new Event("change"));
  out.filtered = ids();
  out.kind = select.value;
  select.value = "";
  select.dispatchEvent(new Event("change"));
  var search = document.querySelector(".controls input");
  search.value = out.before[3];
  search.dispatchEvent(new Event("input"));
  out.searched = ids();
  document.documentElement.dataset.clicks = JSON.stringify(out);
}());
</script>"""


def _with_script(page: Path, script: str, name: str) -> Path:
    """A copy of a page with ``script`` at the end, allowed by the page's CSP through its hash."""
    import base64
    import hashlib

    text = page.read_text(encoding="utf-8")
    body = script.removeprefix("<script>").removesuffix("</script>")
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    text = text.replace("script-src ", f"script-src 'sha256-{digest}' ", 1)
    copy = page.with_name(name)
    copy.write_text(text.replace("</body>", script + "</body>"), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def bac_ninh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from readiness._spec import read_spec, run_spec

    root = Path(__file__).resolve().parent.parent
    report = run_spec(read_spec(root / "examples" / "bac_ninh" / "report.toml"), lang="vi").report
    return report.write(tmp_path_factory.mktemp("bac-ninh"), "bac-ninh")


def _measure(page: Path, width: int, tmp: Path) -> dict[str, int]:
    probe = _with_script(page, PROBE, f"probe-{width}-{page.name}")
    host = tmp / f"host-{width}.html"
    host.write_text(HOST.format(src=probe.as_uri(), width=width), encoding="utf-8")
    done = _chromium(tmp, "--virtual-time-budget=20000", "--dump-dom", host.as_uri())
    found = re.search(r'data-m="([^"]*)"', done.stdout)
    assert found is not None, done.stderr[-2000:]
    measured: dict[str, int] = json.loads(found.group(1).replace("&quot;", '"'))
    return measured


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("part", ["html", "facilities"])
def test_no_horizontal_scroll(
    bac_ninh: dict[str, Path], tmp_path: Path, width: int, part: str
) -> None:
    """At a phone's 390 px and a laptop's 1280 px the page never scrolls sideways (wide tables
    scroll inside their own box)."""
    measured = _measure(bac_ninh[part], width, tmp_path)
    assert measured["inner"] == width
    assert measured["scroll"] <= measured["inner"], measured


def _pdf_pages(page: Path, tmp: Path) -> int:
    pdf = tmp / (page.stem + ".pdf")
    done = _chromium(tmp, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert pdf.exists(), done.stderr[-2000:]
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_bac_ninh_prints_in_at_most_30_a4_pages(bac_ninh: dict[str, Path], tmp_path: Path) -> None:
    """The main report prints in 30 A4 pages or fewer; its facility list prints on its own."""
    pages = _pdf_pages(bac_ninh["html"], tmp_path)
    assert 3 <= pages <= 30, pages
    listing = _pdf_pages(bac_ninh["facilities"], tmp_path)
    assert listing > pages  # 1,372 rows: the appendix is the long part


def test_the_list_script_runs_under_the_pages_csp(
    bac_ninh: dict[str, Path], tmp_path: Path
) -> None:
    """The page's own CSP lets its list script run (its hash) and nothing logs to the console."""
    done = _chromium(
        tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", bac_ninh["html"].as_uri()
    )
    assert _console(done.stderr) == []
    assert 'class="controls"' in done.stdout  # made by the script
    assert "<select" in done.stdout


def test_sorting_filtering_and_search_work(bac_ninh: dict[str, Path], tmp_path: Path) -> None:
    """A click on a column head sorts the rows (again: the other way); a filter hides rows; the
    search box keeps the matching row."""
    page = _with_script(bac_ninh["facilities"], CLICKS, "clicks.html")
    done = _chromium(tmp_path, "--dump-dom", page.as_uri())
    found = re.search(r'data-clicks="([^"]*)"', done.stdout)
    assert found is not None, done.stderr[-2000:]
    out = json.loads(html.unescape(found.group(1)))
    assert len(out["before"]) == 1372
    assert out["up"] != out["before"]
    assert sorted(out["up"]) == sorted(out["before"])
    assert out["down"] != out["up"]
    assert 0 < len(out["filtered"]) < len(out["before"])
    assert out["searched"] == [out["before"][3]]


def test_every_row_shows_without_scripts(bac_ninh: dict[str, Path], tmp_path: Path) -> None:
    """With scripts off, the list is a plain table that shows and prints every row, and the
    page itself hides no row."""
    page = bac_ninh["facilities"]
    text = page.read_text(encoding="utf-8")
    assert text.count("<tr data-f0=") == 1372
    assert " hidden" not in text
    with_scripts = _pdf_pages(page, tmp_path)
    # headless chromium needs scripts to print, so the page's own CSP turns its script off
    off = page.with_name("no-script.html")
    off.write_text(re.sub(r"script-src [^;\"]*", "script-src 'none'", text), encoding="utf-8")
    done = _chromium(tmp_path, "--dump-dom", off.as_uri())
    assert done.stdout.count("<tr data-f0=") == 1372
    assert 'class="controls"' not in done.stdout  # the script did not run
    # every row printed: at most 40 compact rows fit an A4 page
    assert with_scripts >= _pdf_pages(off, tmp_path) >= 1372 // 40


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_are_not_blank(bac_ninh: dict[str, Path], tmp_path: Path, width: int) -> None:
    """Screenshots at 390 and 1280 px wide have text and chart colours on them."""
    import matplotlib.image

    host = tmp_path / "host.html"
    host.write_text(HOST.format(src=bac_ninh["html"].as_uri(), width=width), encoding="utf-8")
    shot = tmp_path / "shot.png"
    done = _chromium(
        tmp_path, f"--window-size={max(width, 500)},1600", f"--screenshot={shot}", host.as_uri()
    )
    assert shot.exists(), done.stderr[-2000:]
    pixels = matplotlib.image.imread(shot)[:, :width, :3]
    assert (pixels < 0.9).any(axis=2).mean() > 0.02


def test_hostile_data_runs_no_script(tmp_path: Path) -> None:
    """Markup in every text field of a report: the page loads, logs nothing, and holds no
    element that came from the data."""
    report = _province()
    data = report.data
    evil = "<img src=x onerror=console.error('pwned')><script>console.error('pwned')</script>"
    for row in data["facilities"]["rows"]:
        row["name"] = evil
        row["region"] = evil
    data["title"] = evil
    for catalog in data["catalogs"]:
        catalog["title"] = evil
    page = tmp_path / "evil.html"
    page.write_text(Report(data).to_html(), encoding="utf-8")
    done = _chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri())
    assert _console(done.stderr) == []
    assert "pwned" not in done.stderr
    assert "<img src=" not in done.stdout
