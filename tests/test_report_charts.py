"""Charts without collisions: matplotlib's own text extents, for every chart of the reports.

Every chart of the Bac Ninh province report (English and Vietnamese) and of a facility report
is drawn; the test asks the renderer for the window extent of every piece of text (titles, axis
labels, tick labels, value labels, legend) and of every marker, and fails when two of them
overlap.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

import readiness as r
from readiness import synthetic
from readiness.report import Report, facility_report
from readiness.report._charts import chart_settings, draw_charts
from readiness.report._language import Fmt

pytest.importorskip("matplotlib")
ROOT = Path(__file__).resolve().parent.parent


def _bac_ninh(lang: str) -> Report:
    from readiness._spec import read_spec, run_spec

    return run_spec(read_spec(ROOT / "examples" / "bac_ninh" / "report.toml"), lang=lang).report


def _facility(lang: str) -> Report:
    catalog = r.load_catalog("vn-smart-hospital")
    table = r.score_many(catalog, synthetic.status_matrix(catalog, 30, seed=12))
    roadmap = r.plan_many(catalog, table, "vn-smart-hospital@2")
    j = next(j for j in range(len(table)) if roadmap.plan(j).steps)
    return facility_report(
        table.score(j),
        plan=roadmap.plan(j),
        next_steps=roadmap.next_steps(j),
        peers=table,
        lang=lang,
    )


def _boxes(fig: Any) -> list[tuple[str, Any]]:
    """Every text and marker of a drawn figure with its extent in pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes: list[tuple[str, Any]] = []
    for ax in fig.axes:
        texts = [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            texts += [
                tick.label1
                for tick in axis.get_major_ticks()
                if tick.label1.get_visible() and low - 1e-9 <= tick.get_loc() <= high + 1e-9
            ]
        texts += ax.texts
        boxes += [
            (f"text {text.get_text()[:30]!r}", text.get_window_extent(renderer))
            for text in texts
            if text.get_visible() and text.get_text().strip()
        ]
        legend = ax.get_legend()
        if legend is not None:
            boxes.append(("legend", legend.get_window_extent(renderer)))
        for collection in ax.collections:
            for point in collection.get_offsets():
                x, y = ax.transData.transform(point)
                half = 3.5  # a marker of size 14 pt^2 is about 7 px across at 100 dpi
                from matplotlib.transforms import Bbox

                boxes.append(("marker", Bbox([[x - half, y - half], [x + half, y + half]])))
    boxes += [("legend", legend.get_window_extent(renderer)) for legend in fig.legends]
    return boxes


def _overlap(a: Any, b: Any) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0) * max(height, 0)


CASES = {
    "province-en": lambda: _bac_ninh("en"),
    "province-vi": lambda: _bac_ninh("vi"),
    "facility-en": lambda: _facility("en"),
    "facility-vi": lambda: _facility("vi"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_no_chart_has_overlapping_labels_legends_or_markers(case: str) -> None:
    """No two texts, legends or markers of a chart overlap (by more than one square pixel)."""
    report = CASES[case]()
    data = report.data
    with chart_settings():
        for name, (fig, _) in draw_charts(data, Fmt(report.lang)).items():
            boxes = _boxes(fig)
            clashes = [
                (a, b)
                for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
                if _overlap(box_a, box_b) > 1 and not (a == b == "marker")
            ]
            assert not clashes, f"{name}: {clashes[:5]}"
