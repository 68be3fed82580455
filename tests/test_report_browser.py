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
