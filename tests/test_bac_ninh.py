"""The Bac Ninh example (examples/bac_ninh/) reproduces what the province reported in 2025.

Reported [BN-VJS, secondary]: 349 public and 1,000+ private facilities; 54 facilities with beds
(15 public hospitals, 16 medical centres, 23 private hospitals) obliged to finish EMR by
30/09/2025; by 22/09/2025 all 54 had deployed it, and the 2 CDCs without beds too: 56 / 54 =
103.7 %; EMR spending 2020-2025 292.6 bn VND, 212.3 bn of it public. Everything else in the
example is synthetic filler (see examples/bac_ninh/README.md).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import readiness
from readiness.io import read_assessments, read_facilities

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "bac_ninh"
LAYER = EXAMPLE / "bn-emr-layer.toml"
ROUND1 = dt.date(2025, 9, 22)
ROUND2 = dt.date(2026, 6, 30)
MILESTONE = "milestone:vn-emr:emr-live"
TIERS = "criteria:vn-it-tt54:vn.tt54.his.basic,vn-it-tt54:vn.tt54.lis.basic,vn-it-tt54:vn.tt54.ris_pacs.basic"
OBLIGATION = readiness.Obligation(
    name="EMR in facilities with beds by 30/09/2025 (Bac Ninh)",
    target=MILESTONE,
    obliged={"kind": ["hospital", "medical_centre"], "has_beds": True},
    deadline=dt.date(2025, 9, 30),
)


@pytest.fixture(scope="module")
def example():
    catalog = readiness.load_catalog("vn-smart-hospital", layers=[str(LAYER)])
    facilities = read_facilities(EXAMPLE / "facilities.csv", catalog=catalog)
    assessments = read_assessments(EXAMPLE / "assessments.csv", catalog, facilities)
    rounds = {
        day: [a for a in assessments if a.date == day]
        for day in sorted({a.date for a in assessments})
    }
    return catalog, facilities, rounds


@pytest.fixture(scope="module")
def round1(example):
    catalog, _, rounds = example
    return readiness.score_many(catalog, rounds[ROUND1])


def test_facility_mix(example):
    _, facilities, _ = example
    assert len(facilities) == 1_372
    ownership = Counter(f.ownership for f in facilities)
    assert ownership == {"public": 349, "private": 1_023}
    mix = Counter((f.kind, f.ownership, f.beds > 0) for f in facilities)
    assert mix["hospital", "public", True] == 15
    assert mix["medical_centre", "public", True] == 16
    assert mix["hospital", "private", True] == 23
    assert mix["disease_control_centre", "public", False] == 2
    assert sum(n for (_, _, beds), n in mix.items() if beds) == 54  # the 54 facilities with beds
    cdcs = sorted(f.name for f in facilities if f.kind == "disease_control_centre")
    assert cdcs == ["Bắc Ninh CDC No.1", "Bắc Ninh CDC No.2"]
    # obliged_2025 (declared boolean by the layer) marks exactly the obliged facilities
    assert {f.id for f in facilities if f.attributes["obliged_2025"] is True} == {
        f.id for f in facilities if OBLIGATION.is_obliged(f)
    }
    assert all(f.attributes.get("provenance") for f in facilities)


def test_reported_figures(round1):
    summary = readiness.summarize(round1, by="ownership", obligation=OBLIGATION, spent="spent_vnd")
    progress = summary.obligation
    assert progress is not None
    assert (progress.obliged, progress.done, progress.done_unobliged) == (54, 54, 2)
    assert progress.missing == ()
    assert progress.unobliged_done == ("bn-cdc-1", "bn-cdc-2")
    assert progress.rate == round(56 / 54, 4) == 1.037
    assert f"{progress.rate:.1%}" == "103.7%"
    assert summary.total.spent_vnd == 292_600_000_000
    groups = {g.key["ownership"]: g for g in summary.groups}
    assert groups["public"].spent_vnd == 212_300_000_000
    assert groups["private"].spent_vnd == 80_300_000_000
    assert (groups["public"].rows, groups["private"].rows) == (349, 1_023)


def test_round1_matches_the_report(example, round1):
    _, facilities, _ = example
    # exactly the 56 implementers meet emr-live on 22/09/2025, and only they spent money on EMR
    summary = readiness.summarize(round1, by=(), target=MILESTONE)
    assert summary.total.meeting_target == 56
    spenders = {f.id for f in facilities if "spent_vnd" in f.attributes}
    implementers = {f.id for f in facilities if OBLIGATION.is_obliged(f)} | {"bn-cdc-1", "bn-cdc-2"}
    assert spenders == implementers
    # public hospitals and medical centres run HIS, LIS and RIS-PACS at the basic tier
    tiers = readiness.summarize(round1, by=("kind", "ownership"), target=TIERS)
    met = {(g.key["kind"], g.key["ownership"]): g.meeting_target for g in tiers.groups}
    assert met["hospital", "public"] == 15
    assert met["medical_centre", "public"] == 16


def test_layer_moves_medical_centres_to_2025(example):
    catalog, facilities, _ = example
    by_id = {f.id: f for f in facilities}
    deadline = catalog.deadline("vn-emr:emr")
    assert deadline.date_for(by_id["bn-mc-01"].attribute_values()) == dt.date(2025, 9, 30)
    assert deadline.date_for(by_id["bn-prh-01"].attribute_values()) == dt.date(2025, 9, 30)
    assert deadline.date_for(by_id["bn-cs-001"].attribute_values()) == dt.date(2026, 12, 31)
    base = readiness.load_catalog("vn-emr").deadline("vn-emr:emr")
    assert base.date_for(by_id["bn-mc-01"].attribute_values()) == dt.date(2026, 12, 31)


def test_labels_and_round2_projection(example, round1):
    catalog, _, rounds = example
    assert sorted(rounds) == [ROUND1, ROUND2]
    notes = Counter()
    for a in rounds[ROUND1]:
        for record in a.records.values():
            if record.evidence is not None:
                assert record.evidence.startswith(("[BN-VJS] secondary", "[VNNEWS-BN] secondary"))
                assert record.note.startswith("REPORTED")
            else:
                assert record.note == "synthetic filler"
            notes[record.note.split(";")[0]] += 1
    assert notes["REPORTED for the facility"] > 0
    assert {r.note for a in rounds[ROUND2] for r in a.records.values()} == {"SYNTHETIC projection"}
    round2 = readiness.score_many(catalog, rounds[ROUND2])
    summary = readiness.summarize(round2, by=(), target=MILESTONE, previous=round1)
    assert summary.total.meeting_target > 56  # some facilities without beds progress
    assert summary.change is not None
    assert all(moves["down"] == 0 for moves in summary.change.levels.values())
    assert summary.change.overall_delta.min >= 0


def test_make_data_regenerates_identical_files(tmp_path):
    for name in ("facilities.csv", "assessments.csv"):
        assert (EXAMPLE / name).stat().st_size < 15_000_000
    subprocess.run(
        [sys.executable, str(EXAMPLE / "make_data.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    for name in ("facilities.csv", "assessments.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), (
            f"{name} differs from a fresh run of make_data.py: rerun it and commit the files"
        )
