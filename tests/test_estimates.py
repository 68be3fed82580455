"""Estimates of the built-in catalogs (criteria/estimates/*.toml): complete, ordered ranges, the
Bac Ninh calibration band, and the estimates-file format's located errors."""

from __future__ import annotations

import csv
import datetime as dt
import textwrap
from pathlib import Path

import numpy as np
import pytest

import readiness
from readiness import errors
from readiness._catalog import KINDS, Range
from readiness._estimates import _read_file, parse_range
from readiness._load import builtin_ids

ROOT = Path(__file__).resolve().parent.parent
BAC_NINH = ROOT / "examples" / "bac_ninh"
# Bac Ninh's reported EMR spend, 2020-2025 (news reports, secondary;
# shared/reference/vn-regulations.md): "more than" 212.3 bn VND public for 33 public units,
# "about" 292.6 bn in all for the 54 obliged facilities with beds and 2 without.
PUBLIC_SPEND = 212.3e9
ALL_SPEND = 292.6e9
PUBLIC_UNITS = 33
EMR = "milestone:vn-emr:emr-live"


def every_catalog() -> readiness.Catalog:
    return readiness.load_catalog(list(builtin_ids()))


def facility(kind: str, beds: int, ownership: str = "public") -> readiness.Facility:
    return readiness.Facility(id="f", name="F", kind=kind, ownership=ownership, beds=beds)


CLASSES = [
    facility("hospital", 820),
    facility("hospital", 300),
    facility("hospital", 90),
    facility("hospital", 20),
    facility("medical_centre", 120),
    facility("commune_station", 0),
    *(facility(kind, 0) for kind in KINDS if kind not in {"hospital", "commune_station"}),
]


def test_every_criterion_has_estimates_for_every_facility_class() -> None:
    """Every criterion of every built-in catalog (legacy ones excepted) has an estimate with both
    effort and cost for every facility class, each with a basis. (New criteria from catalog
    updates fail here until they get estimates.)"""
    catalog = every_catalog()
    missing = []
    for key, criterion in catalog.criteria.items():
        if criterion.legacy:
            continue
        for f in CLASSES:
            found = criterion.estimate_for(f.attribute_values())
            if found is None or found.effort is None or found.cost is None or not found.basis:
                missing.append((key, f.kind, f.beds))
    assert missing == []


def test_bac_ninh_layer_criteria_have_assumed_estimates() -> None:
    """The Bac Ninh layer's own criteria (the problems the article lists) have an effort and a
    cost for every facility class, and say that the figures are the authors' assumptions."""
    catalog = readiness.load_catalog(
        "vn-smart-hospital", layers=[str(BAC_NINH / "bn-emr-layer.toml")]
    )
    own = [c for key, c in catalog.criteria.items() if key.split(":", 1)[1].startswith("bn.")]
    assert len(own) == 4
    missing = []
    for criterion in own:
        for f in CLASSES:
            found = criterion.estimate_for(f.attribute_values())
            if found is None or found.effort is None or found.cost is None:
                missing.append((criterion.id, f.kind, f.beds))
            elif found.assumed != {"effort", "cost"} or "assumption" not in found.basis:
                missing.append((criterion.id, "not labelled assumed"))
    assert missing == []


def test_ranges_are_ordered_and_positive() -> None:
    """low <= likely <= high, every value > 0, and ``assumed`` names only effort or cost."""
    catalog = every_catalog()
    count = 0
    for key, criterion in catalog.criteria.items():
        for estimate in criterion.estimates:
            for part in (estimate.effort, estimate.cost):
                assert part is not None, key
                assert 0 < part.low <= part.likely <= part.high, (key, part)
            assert estimate.assumed <= {"effort", "cost"}
            assert estimate.origin is not None
            count += 1
    assert count > 100


def test_every_effort_is_labelled_assumed_and_other_costs_say_so() -> None:
    """No source reports elapsed times: every effort is the authors' assumption. A cost not
    marked assumed is derived from the Bac Ninh figures its basis names."""
    catalog = every_catalog()
    for key, criterion in catalog.criteria.items():
        for estimate in criterion.estimates:
            assert "effort" in estimate.assumed, key
            if "cost" not in estimate.assumed:
                assert "Bac Ninh" in estimate.basis, key
            else:
                assert "assumption" in estimate.basis, key


def test_scaled_classes_are_assumed_and_say_how() -> None:
    estimates = every_catalog().criteria["vn-emr:vn.tt13.it.network"].estimates
    reference = estimates[1]
    assert reference.assumed == frozenset({"effort"})
    assert reference.effort == Range(45.0, 90.0, 180.0)
    big = estimates[0]
    assert big.assumed == frozenset({"effort", "cost"})
    assert "'equipment' profile (effort x1.3, cost x2.2" in big.basis
    assert big.effort == Range(58.0, 117.0, 234.0)
    assert big.cost == Range(1.06e9, 1.76e9, 2.99e9)
    assert reference.origin is not None
    assert reference.origin.startswith("criteria/estimates/vn-emr.toml:")


def test_no_inline_estimates_left_in_builtin_catalogs() -> None:
    """The built-in catalogs keep their estimates in criteria/estimates/ only."""
    for path in (ROOT / "criteria").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert "[[criterion.estimate]]" not in text, path
        assert "\nestimate = " not in text, path


# --------------------------------------------------------------------------- calibration


def _bac_ninh_units() -> list[readiness.Facility]:
    """The 54 obliged facilities with beds and the 2 disease-control centres without."""
    with (BAC_NINH / "facilities.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    chosen = [
        r for r in rows if r["obliged_2025"] == "true" or r["kind"] == "disease_control_centre"
    ]
    return [
        readiness.Facility(
            id=r["id"],
            name=r["name"],
            kind=r["kind"],
            ownership=r["ownership"],
            beds=int(r["beds"]),
        )
        for r in chosen
    ]


def _from_zero(facilities: list[readiness.Facility]) -> np.ndarray:
    catalog = readiness.load_catalog("vn-smart-hospital")
    items = [readiness.Assessment(facility=f, date=dt.date(2020, 1, 1)) for f in facilities]
    table = readiness.plan_many(catalog, items, EMR)
    assert set(table.status.tolist()) == {"planned"}
    return table.cost_totals


def test_calibration_band_bac_ninh() -> None:
    """docs/planning.md, "Calibration": from nothing in place, the EMR-live set of the 33 public
    units and of all 56 units must cost at least what Bac Ninh reported spending (they started
    with systems in place, so the spend is a lower bound), likely at most twice it, and the
    low-high range must hold the reported figure."""
    units = _bac_ninh_units()
    assert len(units) == 56
    public = [u for u in units if u.ownership == "public"]
    assert len(public) == PUBLIC_UNITS
    for group, spent in ((public, PUBLIC_SPEND), (units, ALL_SPEND)):
        low, likely, high = _from_zero(group).sum(axis=0)
        assert low <= spent <= high, (low, spent, high)
        assert spent <= likely <= 2 * spent, (likely, spent)


def test_calibration_one_public_hospital() -> None:
    """A public hospital of 150-499 beds from nothing: likely at least the average spend per
    public unit (more than 6.4 bn VND), at most four times it."""
    ((low, likely, high),) = _from_zero([facility("hospital", 300)])
    average = PUBLIC_SPEND / PUBLIC_UNITS
    assert low < average < high
    assert average <= likely <= 4 * average


# --------------------------------------------------------------------------- the file format


GOOD = """\
format = 1

[estimates]
catalog = "demo"
version = "1"
price_year = 2025
currency = "VND"
reference = "big"

[[class]]
id = "big"
title = "Hospital"
applies_to = { kind = "hospital" }

[[class]]
id = "rest"
title = "Every other facility"

[profile.p]
big = { effort = 1, cost = 1 }
rest = { effort = 0.5, cost = 0.1 }

[[estimate]]
criterion = "lan"
profile = "p"
effort_days = [10, 20, 40]
cost_vnd = [100, 200, 400]
assumed = []
basis = "Quotes."
"""


def read(text: str) -> tuple[object, list[errors.Problem]]:
    found, problems = _read_file("est.toml", text.encode(), "demo")
    return found, problems


def test_file_scales_classes() -> None:
    found, problems = read(GOOD)
    assert problems == []
    (big, rest), line = found.by_criterion["lan"]  # type: ignore[attr-defined]
    assert line == 23
    assert (big.effort, big.cost, big.assumed) == (
        Range(10.0, 20.0, 40.0),
        Range(100.0, 200.0, 400.0),
        frozenset(),
    )
    assert (rest.effort, rest.cost) == (Range(5.0, 10.0, 20.0), Range(10.0, 20.0, 40.0))
    assert rest.assumed == frozenset({"effort", "cost"})
    assert rest.applies_to.always
    assert rest.origin == "est.toml:23"


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("effort_days = [10, 20, 40]", "effort_days = [10, 5, 40]"), 26, "ordered low <= likely"),
        (("cost_vnd = [100, 200, 400]", "cost_vnd = [-1, 200, 400]"), 27, "must be >= 0"),
        (("cost_vnd = [100, 200, 400]", "cost_vnd = [1, 2]"), 27, "not an array of 2"),
        (('profile = "p"', 'profile = "q"'), 25, "unknown profile (profiles: p)"),
        (("assumed = []", 'assumed = ["time"]'), 28, 'array of "effort" and/or "cost"'),
        (('basis = "Quotes."', 'basis = "Quotes."\nbasiss = 1'), 30, "did you mean 'basis'?"),
        (("rest = { effort = 0.5, cost = 0.1 }", ""), 19, "missing required key"),
        (("big = { effort = 1, cost = 1 }", "big = { effort = 2, cost = 1 }"), 20, "scales by 1"),
        (('title = "Every other facility"', 'title = "x"\napplies_to = {}'), 18, "the last class"),
    ],
)
def test_file_errors_are_located(change: tuple[str, str], line: int, message: str) -> None:
    old, new = change
    assert old in GOOD
    _, problems = read(GOOD.replace(old, new))
    assert problems, "no problem found"
    shown = "\n".join(str(p) for p in problems)
    assert any(p.line == line and message in p.message for p in problems), shown
    assert all(p.path == "est.toml" for p in problems)


def test_file_duplicate_entry() -> None:
    entry = GOOD[GOOD.index("[[estimate]]") :]
    _, problems = read(GOOD + "\n" + entry)
    assert [(p.line, p.message) for p in problems] == [
        (32, "this criterion already has estimates (line 23)")
    ]


def test_file_case_of_unknown_class() -> None:
    case = textwrap.dedent(
        """
        [[estimate.case]]
        class = "tiny"
        effort_days = 1
        cost_vnd = 1
        assumed = ["cost"]
        basis = "x"
        """
    )
    found, problems = read(GOOD + case)
    assert [(p.line, p.message) for p in problems] == [(32, "unknown class (classes: big, rest)")]
    assert found.by_criterion == {}  # type: ignore[attr-defined]


def test_file_case_replaces_the_scaled_figures() -> None:
    case = textwrap.dedent(
        """
        [[estimate.case]]
        class = "rest"
        effort_days = 1
        cost_vnd = [1, 2, 3]
        assumed = ["cost"]
        basis = "Own figure."
        """
    )
    found, problems = read(GOOD + case)
    assert problems == []
    (_, rest), _ = found.by_criterion["lan"]  # type: ignore[attr-defined]
    assert (rest.effort, rest.cost, rest.assumed, rest.basis) == (
        Range.point(1.0),
        Range(1.0, 2.0, 3.0),
        frozenset({"cost"}),
        "Own figure.",
    )


def test_builtin_loader_errors_name_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry naming no criterion of the catalog fails the load with the file and line."""
    from readiness import _estimates

    bad = GOOD.replace('catalog = "demo"', 'catalog = "vn-infosec"').replace('"lan"', '"nope"')
    parsed = _read_file("criteria/estimates/vn-infosec.toml", bad.encode(), "vn-infosec")
    monkeypatch.setattr(_estimates, "read_builtin_estimates", lambda _id: (parsed[0], ()))
    readiness._load._load_cached.cache_clear()
    try:
        with pytest.raises(errors.CatalogError) as caught:
            readiness.load_catalog("vn-infosec")
    finally:
        monkeypatch.undo()
        readiness._load._load_cached.cache_clear()
    assert "criteria/estimates/vn-infosec.toml:23: criterion 'nope': no criterion of catalog" in (
        str(caught.value)
    )


def test_inline_ranges_and_assumed(tmp_path: Path) -> None:
    """Inline estimates take a number or [low, likely, high] and an optional ``assumed``."""
    from tests.test_catalog_loading import BASE

    text = BASE.replace(
        'source = { ref = "memo", clause = "item 1", grade = "primary" }',
        'source = { ref = "memo", clause = "item 1", grade = "primary" }\n'
        'estimate = { effort_days = [5, 10, 30], cost_vnd = 7, assumed = ["effort"], '
        'basis = "b" }',
        1,
    )
    path = tmp_path / "demo.toml"
    path.write_text(text, encoding="utf-8")
    (estimate,) = readiness.load_catalog(path).criteria["demo:lan"].estimates
    assert estimate.effort == Range(5.0, 10.0, 30.0)
    assert estimate.cost == Range.point(7.0)
    assert estimate.assumed == frozenset({"effort"})
    assert (estimate.effort_days, estimate.cost_vnd) == (10.0, 7.0)
    path.write_text(text.replace("[5, 10, 30]", "[5, 40, 30]"), encoding="utf-8")
    with pytest.raises(errors.CatalogError, match="must be ordered low <= likely <= high"):
        readiness.load_catalog(path)


def test_parse_range() -> None:
    assert parse_range(3, 10) == Range.point(3.0)
    assert parse_range([1, 2, 3], 10) == Range(1.0, 2.0, 3.0)
    assert parse_range([1, 2, 30], 10) == "must be at most 10"
    assert parse_range("x", 10) == "must be a number or [low, likely, high], not str"
    assert parse_range(float("nan"), 10) == "must be a finite number"
    assert parse_range(True, 10) == "must be a number or [low, likely, high], not bool"


def test_range_rejects_disorder() -> None:
    with pytest.raises(errors.OptionError, match="low <= likely <= high"):
        Range(3, 2, 1)
    assert list(Range(1, 2, 3)) == [1, 2, 3]
    assert Range(dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)).to_dict() == {
        "low": "2026-01-01",
        "likely": "2026-02-01",
        "high": "2026-03-01",
    }


# --------------------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A small SYNTHETIC facility list and assessment file over vn-emr."""
    from readiness import synthetic

    folder = tmp_path_factory.mktemp("ranges-cli")
    catalog = readiness.load_catalog("vn-emr")
    matrix = synthetic.status_matrix(catalog, 6, seed=4)
    readiness.io.write_facilities(folder / "f.csv", matrix.facilities)
    readiness.io.write_assessments(folder / "a.csv", matrix.to_assessments(), catalog)
    facilities, assessments = str(folder / "f.csv"), str(folder / "a.csv")
    target = "milestone:vn-emr:emr-live"
    return [
        *("--catalog", "vn-emr", "--facilities", facilities),
        *("--assessments", assessments, "--target", target),
    ]


def test_cli_plan_table_ends_with_the_ranges(
    cli_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`readiness plan` prints low/likely/high columns and a ranges headline, never a bare
    total (planning rule 9)."""
    from readiness._cli import main

    assert main(["plan", *cli_files]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split()
    for column in ("finish_low", "finish_high", "cost_vnd_low", "cost_vnd_high", "assumed_steps"):
        assert column in header
    assert " plans, " in lines[-1]
    assert "mostly assumed values (" in lines[-1]
    assert " bn VND (likely " in lines[-1] or " million VND (likely " in lines[-1]


def test_cli_plan_steps_csv_has_ranges(
    cli_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from readiness._cli import main

    facility = "SYN-000001"
    assert main(["plan", *cli_files, "--facility", facility, "--format", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert rows
    for row in rows:
        low, likely, high = (float(row[k]) for k in ("cost_vnd_low", "cost_vnd", "cost_vnd_high"))
        assert low <= likely <= high
        days = [int(row[k]) for k in ("effort_days_low", "effort_days", "effort_days_high")]
        assert days == sorted(days)
        assert row["assumed"] in {"True", "False"}
