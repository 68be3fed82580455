"""Every facility counted, every round on purpose (issue 10, items 1 and 2).

Item 1: a facility of the facility list without an assessment row is scored as not assessed
(every record unknown), counted as obliged and not done, and listed as not assessed. Item 2: a
file with several rounds is scored per round (``as_of``, ``rounds``), and summaries count every
facility once.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import readiness
from readiness import Assessment, Facility, Obligation, errors

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini.toml"
JAN, JUN = dt.date(2026, 1, 1), dt.date(2026, 6, 1)
ALL_MET = {"lan": "met", "servers": "met", "his": "met"}  # level 1 of mini


def hospital(fid: str, region: str = "X") -> Facility:
    """A public hospital without the optional attributes (mini's ward and pacs do not apply)."""
    return Facility(id=fid, kind="hospital", ownership="public", beds=0, region=region)


@pytest.fixture(scope="module")
def mini() -> readiness.Catalog:
    return readiness.load_catalog(MINI)


# --------------------------------------------------------------------------- item 1


def test_listed_facility_without_assessment_gets_a_not_assessed_row(
    mini: readiness.Catalog,
) -> None:
    """The third facility has no assessment: a row, every record unknown, dated the round."""
    a, b, c = hospital("a"), hospital("b"), hospital("c")
    items = [Assessment(facility=f, date=JUN, records=ALL_MET) for f in (a, b)]
    table = readiness.score_many(mini, items, facilities=[a, b, c])
    assert [table.facility(j).id for j in range(len(table))] == ["a", "b", "c"]
    assert table.assessed.tolist() == [True, True, False]
    assert table.not_assessed == ("c",)
    score = table[2]
    assert not score.assessed
    assert score.date == JUN  # the latest assessment date of the input
    assert score.level("mini") == 0
    assert score.overall == 0.0
    assert sorted(score.gaps) == ["mini:backup", "mini:his", "mini:lan", "mini:servers"]
    assert score.explain().splitlines()[0] == (
        "c: not assessed on or before 2026-06-01; every criterion unknown, 0.0% overall"
    )
    assert score.to_dict()["assessed"] is False
    assert table.to_records()[2]["assessed"] is False


def test_not_assessed_rows_are_dated_as_of(mini: readiness.Catalog) -> None:
    """With as_of, the not-assessed row is dated as_of."""
    a, b = hospital("a"), hospital("b")
    table = readiness.score_many(
        mini, [Assessment(facility=a, date=JAN)], facilities=[a, b], as_of=JUN
    )
    assert table.score(1).date == JUN


def test_obligation_counts_the_not_assessed_facility(mini: readiness.Catalog) -> None:
    """Three obliged, two done, one not assessed: 2 done of 3 obliged, the third named."""
    facilities = [hospital(f) for f in "abc"]
    items = [Assessment(facility=f, date=JUN, records=ALL_MET) for f in facilities[:2]]
    table = readiness.score_many(mini, items, facilities=facilities)
    duty = Obligation(name="all", target="mini@1", obliged={"kind": "hospital"})
    summary = readiness.summarize(table, by="region", target="mini@1", obligation=duty)
    progress = summary.obligation
    assert progress is not None
    assert (progress.obliged, progress.done) == (3, 2)
    assert progress.missing == ("c",)
    assert progress.not_assessed == ("c",)
    assert summary.not_assessed == ("c",)
    assert summary.total.rows == 3
    assert summary.total.not_assessed == 1
    assert summary.total.meeting_target == 2
    assert summary.to_dict()["not_assessed"] == ["c"]
    assert summary.to_dict()["total"]["not_assessed"] == 1


def test_not_assessed_never_meets_a_target_with_nothing_applicable(
    mini: readiness.Catalog,
) -> None:
    """A target that nothing blocks (all criteria out of scope) is still not met unassessed."""
    clinic = Facility(id="k", kind="clinic", ownership="private")
    seen = hospital("h")
    table = readiness.score_many(
        mini, [Assessment(facility=seen, date=JUN)], facilities=[seen, clinic]
    )
    summary = readiness.summarize(table, by=(), target="criteria:mini:ward")
    assert summary.total.meeting_target == 1  # h: ward does not apply (no beds); k: unassessed


def test_facility_list_is_checked(mini: readiness.Catalog) -> None:
    """Two listed facilities with one id, or a listed and an assessed one that differ, fail."""
    a = hospital("a")
    item = Assessment(facility=a, date=JUN)
    with pytest.raises(errors.DuplicateError, match="two listed facilities share this id"):
        readiness.score_many(mini, [item], facilities=[a, hospital("a", "Y")])
    with pytest.raises(errors.DuplicateError, match="listed facility and the assessed facility"):
        readiness.score_many(mini, [item], facilities=[hospital("a", "Y")])
    with pytest.raises(errors.OptionError, match="facilities takes Facility objects"):
        readiness.score_many(mini, [item], facilities=["a"])  # type: ignore[list-item]


def test_facilities_without_any_assessment_need_as_of(mini: readiness.Catalog) -> None:
    """Nothing dates a not-assessed row when there is no assessment: as_of is asked for."""
    with pytest.raises(errors.OptionError, match="need a date: give as_of"):
        readiness.score_many(mini, [], facilities=[hospital("a")])
    table = readiness.score_many(mini, [], facilities=[hospital("a")], as_of=JUN)
    assert table.not_assessed == ("a",)


# --------------------------------------------------------------------------- item 2


def two_rounds() -> tuple[list[Facility], list[Assessment]]:
    """Ten hospitals assessed in January; one of them again in June."""
    facilities = [hospital(f"h{n}") for n in range(10)]
    items = [Assessment(facility=f, date=JAN, records={"lan": "met"}) for f in facilities]
    items.append(Assessment(facility=facilities[3], date=JUN, records=ALL_MET))
    return facilities, items


def test_summarize_counts_each_facility_once(mini: readiness.Catalog) -> None:
    """Two rounds, ten hospitals: ten, not eleven; the later assessment is the one counted."""
    _, items = two_rounds()
    table = readiness.score_many(mini, items)  # rounds="all": a history of 11 rows
    assert len(table) == 11
    summary = readiness.summarize(table, by="region", target="mini@1")
    assert summary.total.rows == 10
    assert summary.superseded == 1
    assert summary.total.meeting_target == 1  # h3 in June


def test_rounds_latest_and_as_of(mini: readiness.Catalog) -> None:
    """latest: one row per facility; as_of picks the round and leaves out later assessments."""
    facilities, items = two_rounds()
    latest = readiness.score_many(mini, items, rounds="latest")
    assert len(latest) == 10
    last = latest.score(9)  # rows keep the input order: h3's June row came last
    assert (last.facility.id, last.date, last.level("mini")) == ("h3", JUN, 1)
    january = readiness.score_many(mini, items, rounds="latest", as_of=dt.date(2026, 3, 1))
    assert len(january) == 10
    assert {january.score(j).date for j in range(10)} == {JAN}
    history = readiness.score_many(mini, items, as_of=dt.date(2026, 3, 1))
    assert len(history) == 10  # the June row is after as_of
    before = readiness.score_many(mini, items, as_of=dt.date(2025, 12, 31), facilities=facilities)
    assert before.not_assessed == tuple(f.id for f in facilities)
    with pytest.raises(errors.OptionError, match="rounds must be 'all' or 'latest'"):
        readiness.score_many(mini, items, rounds="first")  # type: ignore[arg-type]


def test_as_of_filters_status_matrices_too(mini: readiness.Catalog) -> None:
    """A status matrix (or chunks of one) is cut at as_of like Assessment objects."""
    _, items = two_rounds()
    matrix = readiness.StatusMatrix.from_assessments(mini, items)
    cut = readiness.score_many(mini, list(matrix.chunks(4)), as_of=JAN)
    assert len(cut) == 10
    assert cut.not_assessed == ()


def test_subset_and_latest_keep_plans_aligned(mini: readiness.Catalog) -> None:
    """A subset of a table plans exactly like the chosen assessments planned directly."""
    _, items = two_rounds()
    table = readiness.score_many(mini, items)
    latest = table.latest()
    assert table.latest_rows().tolist() == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10]
    direct = readiness.plan_many(mini, [items[j] for j in table.latest_rows()], "mini@2")
    via = readiness.plan_many(mini, latest, "mini@2")
    assert via.to_records() == direct.to_records()
    mask = np.zeros(len(table), dtype=bool)
    mask[[1, 10]] = True
    assert [s.date for s in table.subset(mask)] == [JAN, JUN]
    assert [s.facility.id for s in table.subset([10, 1])] == ["h3", "h1"]
    assert table.subset([10, 1]).sources is None  # out of order: plans need the assessments
    with pytest.raises(errors.OptionError, match="one value per row"):
        table.subset(np.ones(3, dtype=bool))
    with pytest.raises(errors.OptionError, match="row numbers must be below 11"):
        table.subset([11])


def test_change_uses_the_latest_assessed_rows_of_previous(mini: readiness.Catalog) -> None:
    """A previous table with a history is reduced to its latest rows (no error, no double)."""
    facilities, items = two_rounds()
    previous = readiness.score_many(mini, items)
    now = readiness.score_many(
        mini,
        [Assessment(facility=f, date=dt.date(2026, 9, 1), records=ALL_MET) for f in facilities],
    )
    change = readiness.summarize(now, by=(), previous=previous).change
    assert change is not None
    assert change.matched == 10
    assert change.levels["mini"] == {"up": 9, "same": 1, "down": 0}


def test_score_rejects_as_of_before_the_assessment(mini: readiness.Catalog) -> None:
    """score() judges one assessment; as_of before its date is an error, not an empty result."""
    item = Assessment(facility=hospital("a"), date=JUN)
    with pytest.raises(errors.OptionError, match="as_of is before the assessment's date"):
        readiness.score(mini, item, as_of=JAN)


class TestEveryFacilityOnce:
    """A summary counts each facility exactly once, listed or assessed, whatever the rounds; the
    row kept is the facility's latest assessment on or before as_of, else a not-assessed row."""

    @given(st.data())
    def test_rows(self, data: st.DataObject) -> None:
        mini = readiness.load_catalog(MINI)
        count = data.draw(st.integers(1, 6))
        facilities = [hospital(f"f{n}", data.draw(st.sampled_from("XY"))) for n in range(count)]
        days = st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        pairs = data.draw(
            st.lists(
                st.tuples(st.sampled_from(facilities), days),
                max_size=12,
                unique_by=lambda p: (p[0].id, p[1]),
            )
        )
        items = [Assessment(facility=f, date=d) for f, d in pairs]
        as_of = data.draw(st.none() | days)
        if as_of is None and not items:
            as_of = JUN
        table = readiness.score_many(mini, items, facilities=facilities, as_of=as_of)
        summary = readiness.summarize(table, by="region")
        assert summary.total.rows == count
        assert sum(g.rows for g in summary.groups) == count
        expected: dict[str, Any] = {}
        for f, d in pairs:
            if as_of is None or d <= as_of:
                expected[f.id] = max(d, expected.get(f.id, d))
        assert set(summary.not_assessed) == {f.id for f in facilities} - set(expected)
        latest = table.latest()
        got = {latest.facility(j).id: latest.score(j).date for j in np.flatnonzero(latest.assessed)}
        assert got == expected


# --------------------------------------------------------------------------- command line


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readiness", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def two_round_files(tmp_path: Path) -> list[str]:
    """Ten hospitals (and one never assessed) in a facility file; two rounds of assessments."""
    facilities = "id,name,kind,ownership,beds,region\n" + "".join(
        f"h{n},H{n},hospital,public,0,X\n" for n in range(11)
    )
    rows = "facility_id,date,criterion,status\n" + "".join(
        f"h{n},2026-01-01,mini:lan,met\n" for n in range(10)
    )
    rows += "".join(f"h3,2026-06-01,mini:{c},met\n" for c in ("lan", "servers", "his"))
    (tmp_path / "f.csv").write_text(facilities, encoding="utf-8")
    (tmp_path / "a.csv").write_text(rows, encoding="utf-8")
    return [
        "--catalog",
        str(MINI),
        "--facilities",
        str(tmp_path / "f.csv"),
        "--assessments",
        str(tmp_path / "a.csv"),
    ]


@pytest.mark.slow
def test_command_line_rounds_and_not_assessed(two_round_files: list[str]) -> None:
    """score/plan/summarize: latest per facility by default, --rounds all, --as-of, and one
    stderr line saying how many facilities had no assessment."""
    done = run("summarize", *two_round_files, "--format", "json", "--target", "mini@1")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["total"]["rows"] == 11
    assert summary["total"]["meeting_target"] == 1
    assert summary["not_assessed"] == ["h10"]
    assert done.stderr == (
        "readiness: 1 of 11 facilities had no assessment; scored as unknown: h10\n"
    )
    done = run("score", *two_round_files, "--format", "json")
    assert len(json.loads(done.stdout)) == 11
    done = run("score", *two_round_files, "--format", "json", "--rounds", "all")
    assert len(json.loads(done.stdout)) == 12
    done = run("score", *two_round_files, "--format", "json", "--as-of", "2026-03-01")
    rows = json.loads(done.stdout)
    assert {r["date"] for r in rows} == {"2026-01-01", "2026-03-01"}  # h10 dated as_of
    assert "on or before 2026-03-01" in done.stderr
    done = run("plan", *two_round_files, "--target", "mini@1", "--format", "json")
    assert done.returncode == 0, done.stderr
    plans = json.loads(done.stdout)
    assert len(plans) == 11
    done = run("score", *two_round_files, "--rounds", "first")
    assert done.returncode == 2
