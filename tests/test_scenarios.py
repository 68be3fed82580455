"""Scenarios side by side, the [allocation] spec section and `readiness allocate`.

Catalog ``alloc`` and the five facilities A-E of tests/test_allocate.py: A, B, C need db (60 M,
central or not) then emr (10 M); D and E need net (35 M). Start 1 Jan 2026, due 31 Dec 2026.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import readiness
from readiness import errors
from readiness._scenarios import Scenario, compare_scenarios
from readiness._spec import read_spec
from tests.test_allocate import DUE, START, catalog_text, load, province, ranged_catalog_text

M = 1_000_000


def compare(tmp_path, scenarios, *, central=True, budget=100 * M, draws=0):
    catalog = load(tmp_path, catalog_text(central=central))
    return compare_scenarios(
        catalog,
        province(),
        "alloc@1",
        budget=budget,
        scenarios=scenarios,
        start=START,
        due=DUE,
        draws=draws,
        seed=1,
    )


def test_side_by_side(tmp_path):
    """100 M: db + A, B, C (90 M), 3. x 1.5 = 150 M: + D (125 M), 4. Due 15 Feb: A, B, C cannot
    finish (60 days), D and E (70 M): 2. Region r1 exempted: nobody is obliged."""
    result = compare(
        tmp_path,
        [
            {"name": "budget +50 %", "budget_factor": 1.5},
            {
                "name": "due 15 Feb",
                "due": dt.date(2026, 2, 15),
            },
            {"name": "region exempted", "exempt": {"region": "r1"}},
            Scenario(name="one step at a time", max_parallel=1),
        ],
    )
    rows = result.to_records()
    assert [(r["scenario"], r["meeting"], r["spent_vnd"]) for r in rows] == [
        ("baseline", 3, 90 * M),
        ("budget +50 %", 4, 125 * M),
        ("due 15 Feb", 2, 70 * M),
        ("region exempted", 0, 0.0),
        ("one step at a time", 3, 90 * M),
    ]
    assert rows[1]["changes"] == "budget x 1.5"
    assert rows[3]["exempt"] == 5
    exempted = result["region exempted"].allocation.decisions[0]
    assert (exempted.decision, exempted.reason) == ("exempt", "exempted: region is r1")
    assert (
        result["region exempted"]
        .allocation.headline()
        .endswith("0 of 0 facilities meet the target (0 already did; optimal); spending: nothing")
    )


def test_a_central_scenario(tmp_path):
    """Without central steps 100 M buys D and E; the scenario doing db centrally buys A, B, C."""
    result = compare(
        tmp_path, [{"name": "shared database", "central": ["alloc:db"]}], central=False
    )
    funded = [[d.facility.id for d in r.allocation.funded] for r in result.results]
    assert funded == [["D", "E"], ["A", "B", "C"]]


def test_monte_carlo_columns(tmp_path):
    """With draws, each row carries the expected number meeting the date and its P10 / P90."""
    result = compare(tmp_path, [{"name": "more", "budget": 200 * M}], draws=200)
    rows = result.to_records()
    assert rows[0]["expected_meeting"] == 3.0  # the funded plans finish months early
    assert rows[1]["expected_meeting"] == 5.0
    assert rows[1]["meeting_p10"] == rows[1]["meeting_p90"] == 5
    data = result.to_dict()
    assert data["scenarios"][1]["risk"]["groups"][0]["key"] == "all"


@pytest.mark.parametrize(
    ("data", "key", "text"),
    [
        (
            {"name": "typo", "budgt": 2},
            "budgt",
            (
                "key 'budgt': scenario 'typo': no such option (options: budget_factor, budget, "
                "due, max_parallel, central, exempt) (got 2)"
            ),
        ),
        (
            {"name": "idle"},
            "scenario",
            (
                "key 'scenario': scenario 'idle': changes nothing (options: budget_factor, "
                "budget, due, max_parallel, central, exempt) (got 'idle')"
            ),
        ),
        ({"budget": 1}, "name", "key 'name': a scenario needs a name (got None)"),
        (
            {"name": "x", "budget": 1, "budget_factor": 2},
            "budget",
            "key 'budget': scenario 'x': give budget or budget_factor, not both (got 1)",
        ),
        (
            {"name": "x", "budget_factor": -1},
            "budget_factor",
            "key 'budget_factor': budget_factor must be a finite number > 0 (got -1)",
        ),
        (
            {"name": "x", "due": "soon"},
            "due",
            "key 'due': scenario 'x': due must be a date (got 'soon')",
        ),
        (
            {"name": "x", "max_parallel": 0},
            "max_parallel",
            "key 'max_parallel': scenario 'x': max_parallel must be a whole number >= 1 (got 0)",
        ),
        (
            {"name": "x", "central": [3]},
            "central",
            "key 'central': scenario 'x': central takes criterion ids (got [3])",
        ),
        (
            {"name": "x", "exempt": 5},
            "exempt",
            (
                "key 'exempt': scenario 'x': exempt: a condition must be a table "
                "{ attribute = test } or an array of them (got 5)"
            ),
        ),
    ],
)
def test_bad_scenarios(data, key, text):
    with pytest.raises(errors.OptionError) as info:
        Scenario.from_dict(data)
    assert info.value.key == key
    if text is not None:
        assert str(info.value) == text


def test_scenario_naming_an_unknown_step(tmp_path):
    with pytest.raises(errors.UnknownCriterionError) as info:
        compare(tmp_path, [{"name": "x", "central": ["pacs"]}])
    assert str(info.value) == "key 'central': no such criterion in the catalog (got 'pacs')"


def test_exempting_an_attribute_no_facility_has(tmp_path):
    with pytest.raises(errors.OptionError) as info:
        compare(tmp_path, [{"name": "x", "exempt": {"colour": "red"}}])
    assert info.value.key == "exempt"
    assert str(info.value).startswith(
        "key 'exempt': scenario 'x': exempt: condition on an attribute no facility has"
    )


def test_duplicate_scenario_names(tmp_path):
    with pytest.raises(errors.OptionError, match="two scenarios have this name"):
        compare(tmp_path, [{"name": "baseline", "budget": 1}])
    with pytest.raises(errors.OptionError) as info:
        compare(tmp_path, [{"name": "b", "budget": 1}])["nowhere"]
    assert info.value.value == "nowhere"


# --------------------------------------------------------------------------- the spec section


def write_spec(folder: Path, allocation: str) -> Path:
    folder.joinpath("alloc.toml").write_text(catalog_text(central=True), encoding="utf-8")
    folder.joinpath("f.csv").write_text(
        "id,name,kind,ownership,beds,region\n"
        + "".join(f"{f},Facility {f},commune_station,public,0,r1\n" for f in "ABCDE")
        + "=X,Formula clinic,clinic,private,0,r1\n",
        encoding="utf-8",
    )
    rows = ["facility_id,date,criterion,status"]
    rows += [f"{f},2026-01-01,alloc:net,met" for f in "ABC"]
    rows += [f"{f},2026-01-01,alloc:{c},met" for f in "DE" for c in ("db", "emr")]
    rows += ["=X,2026-01-01,alloc:db,met"]
    folder.joinpath("a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    spec = folder / "spec.toml"
    spec.write_text(
        "format = 1\n"
        "[report]\n"
        'title = { en = "t", vi = "t" }\n'
        'catalog = ["alloc.toml"]\n'
        'facilities = "f.csv"\n'
        'assessments = "a.csv"\n' + allocation,
        encoding="utf-8",
    )
    return spec


GOOD = """
[allocation]
target = "alloc@1"
budget = 100e6
due = 2026-12-31
start = 2026-01-01
facilities = { kind = "commune_station" }
draws = 50
label = "SYNTHETIC test data"

[[allocation.scenario]]
name = "budget +50 %"
budget_factor = 1.5
"""


def test_spec_section(tmp_path):
    spec = read_spec(write_spec(tmp_path, GOOD))
    assert spec.allocation is not None
    assert (spec.allocation.budget, spec.allocation.draws) == (100e6, 50)
    assert [s.name for s in spec.allocation.scenarios] == ["budget +50 %"]


@pytest.mark.parametrize(
    ("extra", "line", "text"),
    [
        (
            '[[allocation.scenario]]\nname = "typo"\nbudgt = 2\n',
            22,
            "unknown key in [[allocation.scenario]]",
        ),
        ('[[allocation.scenario]]\nname = "idle"\n', 20, "scenario 'idle': changes nothing"),
        (
            '[[allocation.scenario]]\nname = "x"\nexempt = 5\n',
            22,
            "a condition must be a table",
        ),
        ('[[allocation.scenario]]\nname = "x"\nbudget = -5\n', 22, "budget must be"),
    ],
)
def test_spec_errors_are_located(tmp_path, extra, line, text):
    path = write_spec(tmp_path, GOOD + extra)
    with pytest.raises(errors.InputError) as info:
        read_spec(path)
    problem = info.value.problems[0]
    assert (problem.path, problem.line) == (str(path), line)
    assert text in str(problem)


def test_spec_bad_budget(tmp_path):
    path = write_spec(tmp_path, GOOD.replace("budget = 100e6", 'budget = "lots"'))
    with pytest.raises(errors.InputError) as info:
        read_spec(path)
    assert str(info.value) == (
        f"{path}:10: key 'budget': must be a number, not string (got 'lots')"
    )


# --------------------------------------------------------------------------- the command


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readiness", *args],
        capture_output=True,
        text=True,
        check=False,
        encoding="utf-8",
    )


def test_command_formats(tmp_path):
    spec = write_spec(tmp_path, GOOD)
    table = run("allocate", str(spec))
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith(
        "SYNTHETIC test data\nbaseline: mostly assumed values (4 of 4 steps, 100%): 100 M VND "
        "funds 3 facilities"
    )
    assert "budget +50 %: mostly assumed values (5 of 5 steps, 100%): 150 M VND funds 4" in (
        table.stdout
    )
    # planning rule 9: spending and costs low-likely-high with the assumed share, never bare
    assert "spent M VND (low-likely-high)  assumed" in table.stdout
    assert "90-90-90" in table.stdout
    assert "2026-03-02 / 2026-03-02 / 2026-03-02" in table.stdout
    assert "ranges: the catalog's low / likely / high estimates per step" in table.stdout
    out = tmp_path / "out.json"
    done = run("allocate", str(spec), "--format", "json", "-o", str(out), "--draws", "0")
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["meeting"] for r in data["comparison"]] == [3, 4]
    assert data["label"] == "SYNTHETIC test data"
    csv_run = run("allocate", str(spec), "--format", "csv", "--budget", "35e6")
    assert csv_run.returncode == 0, csv_run.stderr
    rows = list(csv.DictReader(io.StringIO(csv_run.stdout)))
    assert [(r["facility_id"], r["decision"]) for r in rows] == [
        ("A", "not_funded"),
        ("B", "not_funded"),
        ("C", "not_funded"),
        ("D", "funded"),
        ("E", "not_funded"),
    ]


def test_command_guards_formulas(tmp_path):
    spec = write_spec(tmp_path, GOOD.replace('{ kind = "commune_station" }', '{ kind = "clinic" }'))
    done = run("allocate", str(spec), "--format", "csv", "--draws", "0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("'=X,")


def test_command_errors(tmp_path):
    spec = write_spec(tmp_path, GOOD)
    over = run("allocate", str(spec), "-o", str(tmp_path / "f.csv"))
    assert over.returncode == 2
    assert "f.csv: refusing to write over an input of this run" in over.stderr
    negative = run("allocate", str(spec), "--budget", "-1")
    assert negative.returncode == 2
    assert "budget must be a finite number >= 0 (got -1.0)" in negative.stderr
    folder = tmp_path / "plain"
    folder.mkdir()
    plain = write_spec(folder, "")
    none = run("allocate", str(plain))
    assert none.returncode == 2
    assert "the specification has no [allocation] section" in none.stderr
    typo = run("allocate", str(spec), "--budget", "lots")
    assert typo.returncode == 2


# --------------------------------------------------------------------------- the report section


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_report_section(tmp_path, lang):
    """The "where to spend" record, then its Markdown; absent without a comparison."""
    from readiness.report import province_report

    catalog = load(tmp_path, catalog_text(central=True))
    comparison = compare_scenarios(
        catalog,
        province(),
        "alloc@1",
        budget=100 * M,
        scenarios=[{"name": "more", "budget_factor": 1.5}],
        start=START,
        due=DUE,
        draws=100,
    )
    table = readiness.score_many(catalog, province())
    summary = readiness.summarize(table, by=())
    report = province_report(table, summary, lang=lang, decisions=comparison)
    data = report.data["decisions"]
    assert (data["funded"], data["meeting"], data["obliged"], data["central_funded"]) == (
        3,
        3,
        5,
        1,
    )
    assert [r["facility_id"] for r in data["funded_list"]] == ["A", "B", "C"]
    assert data["distribution"] == [{"meeting": 3, "share": 1.0}]
    assert [s["meeting"] for s in data["scenarios"]] == [3, 4]
    text = report.to_markdown()
    heading = {"en": "## Where to spend", "vi": "## Phân bổ kinh phí"}[lang]
    assert heading in text
    assert "`alloc:db`" in text
    # the console summary of `readiness report` says it too, in the report's language
    from readiness.report._console import console_lines
    from readiness.report._decisions import spend_headline
    from readiness.report._language import Fmt

    spend = [line for line in console_lines(report.data) if heading[3:] in line]
    assert len(spend) == 1
    assert spend_headline(data, Fmt(lang)) in spend[0]
    assert "decisions" not in province_report(table, summary).data
    with pytest.raises(errors.OptionError) as info:
        province_report(table, summary, decisions="nope")
    assert info.value.key == "decisions"


def test_report_section_gives_ranges(tmp_path):
    """Planning rule 9 in the section: spending, central and funded costs low to high (likely),
    finishes as date ranges, the assumed share first when most values are assumed, and the
    Monte Carlo's share of assumed ranges (tests/test_allocate.py, ranged_catalog_text)."""
    from readiness.report import province_report

    catalog = load(tmp_path, ranged_catalog_text())
    comparison = compare_scenarios(
        catalog, province(), "alloc@1", budget=100 * M, start=START, due=DUE, draws=50
    )
    table = readiness.score_many(catalog, province())
    report = province_report(table, readiness.summarize(table, by=()), decisions=comparison)
    data = report.data["decisions"]
    assert (data["spent_vnd_low"], data["spent_vnd"], data["spent_vnd_high"]) == (
        55 * M,
        90 * M,
        150 * M,
    )
    assert (data["steps"], data["assumed_steps"]) == (4, 4)
    first = data["funded_list"][0]
    assert (first["cost_vnd_low"], first["cost_vnd_high"]) == (5 * M, 20 * M)
    assert (first["finish_low"], first["finish_high"]) == ("2026-02-05", "2026-04-16")
    assert data["monte_carlo"]["assumed_range_steps"] == 0
    text = report.to_markdown()
    section = text[text.index("## Where to spend") : text.index("## Most common blockers")]
    lines = [line for line in section.splitlines() if line]
    assert lines[1].startswith("Mostly assumed values: 4 of 4 steps (100.0%)")
    assert "(55.0 million VND to 150.0 million VND (likely 90.0 million VND) spent" in lines[2]
    assert "40.0 million VND to 90.0 million VND (likely 60.0 million VND), needed by 3" in section
    assert (
        "| `A` | 5.0 million VND to 20.0 million VND (likely 10.0 million VND) | 5 Feb 2026 to "
        "16 Apr 2026 (likely 2 Mar 2026) |" in section
    )
    assert "Assumed ranges: 0 of 6 steps (0%)" in section


def test_command_help_has_an_example():
    done = run("allocate", "--help")
    assert done.returncode == 0
    assert "example:\n  readiness allocate examples/bac_ninh/allocation.toml" in done.stdout


@pytest.mark.parametrize("leaf", [None, "x", True, -1, "2025-02-30", []])
def test_report_section_ranges_edited_by_hand(tmp_path, leaf):
    """The range keys of the section's record read back: ``null`` (a record written before
    they were added) shows the likely value alone (no made-up range); a wrong value is refused
    by the schema with the path of the key, never a bare TypeError or ValueError."""
    import json

    from readiness.errors import OptionError
    from readiness.report import Report, province_report

    catalog = load(tmp_path, ranged_catalog_text())
    comparison = compare_scenarios(
        catalog, province(), "alloc@1", budget=100 * M, start=START, due=DUE, draws=10
    )
    table = readiness.score_many(catalog, province())
    record = province_report(table, readiness.summarize(table, by=()), decisions=comparison).data
    data = json.loads(json.dumps(record))
    section = data["decisions"]
    for key in ("spent_vnd_low", "spent_vnd_high", "steps", "assumed_steps"):
        section[key] = leaf
    for row in section["funded_list"] + section["central"]:
        for key in ("cost_vnd_low", "cost_vnd_high", "finish_low", "finish_high"):
            row[key] = leaf
    section["monte_carlo"]["ranges_text"] = leaf
    if leaf is not None:
        with pytest.raises(OptionError, match=r"decisions\.(spent_vnd_low|monte_carlo)"):
            Report.from_json(json.dumps(data))
        return
    text = Report.from_json(json.dumps(data)).to_markdown()
    assert "| `A` | 10.0 million VND | 2 Mar 2026 |" in text
