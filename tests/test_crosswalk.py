"""Crosswalks, translation, estimated levels, catalog diffs and migration (issue 14)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import readiness
from readiness._crosswalk import (
    Translation,
    estimate_level,
    load_crosswalk,
    translate,
)
from readiness._versions import diff_catalogs, migrate
from readiness.errors import CatalogError, OptionError

DATA = Path(__file__).parent / "data"
CW = DATA / "crosswalk"
MINI_IDS = ("lan", "servers", "his", "ward", "pacs", "backup")
STATUSES = ("met", "not_met", "unknown", "not_applicable")
#: the rule tests' records: STATUSES, and met / partial records valid until a day before or
#: after the assessment date (2026-06-01)
RECORDS = (
    *STATUSES,
    {"status": "partial", "progress": 0.5},
    {"status": "met", "valid_until": dt.date(2026, 5, 31)},
    {"status": "partial", "progress": 0.5, "valid_until": dt.date(2026, 5, 31)},
    {"status": "met", "valid_until": dt.date(2026, 6, 1)},
    {"status": "partial", "progress": 0.25, "valid_until": dt.date(2026, 6, 2)},
)


@pytest.fixture(scope="module")
def both() -> readiness.Catalog:
    return readiness.load_catalog([DATA / "mini.toml", CW / "intl.toml"])


@pytest.fixture(scope="module")
def forward():
    return load_crosswalk(CW / "mini-intl.toml")


@pytest.fixture(scope="module")
def backward():
    return load_crosswalk(CW / "intl-mini.toml")


HOSPITAL = readiness.Facility(
    id="H1", kind="hospital", ownership="public", beds=120, attributes={"grade": 1}
)


def _assess(
    records: dict[str, object], facility: readiness.Facility = HOSPITAL
) -> readiness.Assessment:
    return readiness.Assessment(facility=facility, date=dt.date(2026, 6, 1), records=records)


FIVE = {
    # facility: (mini records, direct intl records, expected (level, worst, best))
    "A": ({"lan": "met", "servers": "met", "his": "met", "pacs": "met"}, {}, (1, 1, 3)),
    "B": ({"lan": "not_met", "servers": "met", "his": "not_met"}, {}, (0, 0, 0)),
    "C": ({}, {}, (0, 0, 3)),
    "D": (
        {
            "lan": "met",
            "servers": {"status": "partial", "progress": 0.5},
            "his": {"status": "partial", "progress": 0.5},
            "pacs": {"status": "partial", "progress": 0.4},
        },
        {},
        (0, 0, 1),
    ),
    "E": (
        {"lan": "met", "servers": "met", "his": "not_met", "pacs": "not_met"},
        {"intl:records": "met", "intl:imaging": "met", "intl:audit": "met"},
        (3, 3, 3),
    ),
}


@pytest.mark.parametrize("name", sorted(FIVE))
def test_estimated_stage_of_five_facilities(name, both, forward):
    """Hand-computed estimated stages, with their best and worst cases."""
    mini, direct, expected = FIVE[name]
    result = translate(_assess({**mini, **direct}), forward, to=both)
    estimate = estimate_level(both, result, framework="intl")
    assert (estimate.level, estimate.worst, estimate.best) == expected


def test_derivations_say_where_they_come_from(both, forward):
    result = translate(_assess(FIVE["A"][0]), forward, to=both)
    assert dict(result.assessment.records)["intl:net"].status is readiness.Status.MET
    net = result.derived["intl:net"]
    assert net.sources == ("mini:lan",)
    assert net.relations[0].kind == "equivalent"
    assert net.confidence == pytest.approx(0.9)
    assert "derived from mini:lan" in net.record.evidence
    imaging = result.derived["intl:imaging"]
    assert (imaging.record.status, imaging.record.progress) == (readiness.Status.PARTIAL, 0.5)
    assert "intl:records" not in result.derived  # a met part says nothing of the whole
    estimate = estimate_level(both, result, framework="intl")
    assert (estimate.direct, estimate.derived, estimate.unknown) == (0, 3, 2)
    assert str(estimate).startswith("intl: estimated level 1 (range 1-3)")


def test_direct_record_never_overridden(both, forward):
    result = translate(_assess(FIVE["E"][0] | FIVE["E"][1]), forward, to=both)
    assert "intl:records" in result.direct
    assert "intl:records" not in result.derived
    assert result.assessment.records["intl:records"].status is readiness.Status.MET


def test_equivalent_round_trip(both, forward, backward):
    for status in ("met", "not_met", {"status": "partial", "progress": 0.25}):
        there = translate(_assess({"lan": status}), forward, to=both)
        back = translate(
            readiness.Assessment(
                facility=HOSPITAL,
                date=dt.date(2026, 6, 1),
                records={"intl:net": there.assessment.records["intl:net"]},
            ),
            backward,
            to=both,
        )
        original = _assess({"lan": status}).records["lan"]
        got = back.assessment.records["mini:lan"]
        assert (got.status, got.progress) == (original.status, original.progress)


def test_covers_and_covered_by_are_asymmetric(both, forward, backward):
    met = translate(_assess({"servers": "met"}), forward, to=both)
    assert met.assessment.records["intl:compute"].status is readiness.Status.MET
    not_met = translate(_assess({"servers": "not_met"}), forward, to=both)
    assert "intl:compute" not in not_met.assessment.records
    # the reverse: compute covered_by servers
    up = translate(_assess({"intl:compute": "met"}), backward, to=both)
    assert "mini:servers" not in up.derived
    down = translate(_assess({"intl:compute": "not_met"}), backward, to=both)
    assert down.assessment.records["mini:servers"].status is readiness.Status.NOT_MET


def _expired_on(record: readiness.Record, day: dt.date) -> bool:
    return (
        record.status in (readiness.Status.MET, readiness.Status.PARTIAL)
        and record.valid_until is not None
        and record.valid_until < day
    )


def _check_validity(translation: Translation, source: readiness.Assessment) -> None:
    """Rule 6: every derived record carries its source's valid_until; expired derives expired."""
    for derivation in translation.derived.values():
        (key,) = derivation.sources
        held = source.records
        origin = held[key] if key in held else held[key.split(":", 1)[1]]  # qualified or short
        record = derivation.record
        assert record.valid_until == origin.valid_until
        assert _expired_on(record, DAY) == _expired_on(origin, DAY)
        if _expired_on(origin, DAY):
            assert (record.status, record.progress) == (origin.status, origin.progress)
        elif derivation.relations[0].kind == "overlaps":  # never a valid met
            assert record.status is not readiness.Status.MET


@given(st.lists(st.sampled_from(RECORDS), min_size=len(MINI_IDS), max_size=len(MINI_IDS)))
def test_translation_rules(statuses):
    """Direct wins; overlaps never yield a valid met; confidence never increases along a chain;
    validity passes on (expired derives expired)."""
    both = readiness.load_catalog([DATA / "mini.toml", CW / "intl.toml"])
    forward = load_crosswalk(CW / "mini-intl.toml")
    backward = load_crosswalk(CW / "intl-mini.toml")
    records: dict[str, object] = {}
    for key, status in zip(MINI_IDS, statuses, strict=True):
        if status == "not_applicable":
            records[key] = {"status": status, "reason": "test"}
        elif status != "unknown":
            records[key] = status
    first = translate(_assess(records), forward, to=both)
    for key, derivation in first.derived.items():
        (relation,) = derivation.relations
        assert derivation.confidence <= relation.confidence
        assert key not in first.direct
    _check_validity(first, _assess(records))
    second = translate(first, backward, to=both)
    assert second.direct == first.direct  # a chain keeps what was direct, direct
    for key, derivation in second.derived.items():
        (source,) = derivation.sources
        if key in first.derived and derivation == first.derived[key]:
            continue  # carried over from the first step
        assert derivation.confidence <= first.confidence(source) + 1e-12
        assert key not in second.direct
    _check_validity(second, first.assessment)
    for key in first.direct:  # direct records come through untouched
        assert second.assessment.records[key] == first.assessment.records[key]
    both_ways = translate(_assess(records), [forward, backward], to=both)
    assert both_ways == second


def test_translation_of_translation_keeps_direct_source_records(both, forward, backward):
    first = translate(_assess({"lan": "not_met"}), forward, to=both)
    second = translate(first, backward, to=both)
    assert isinstance(second, Translation)
    assert "mini:lan" in second.direct  # the original record, not re-derived from net


# --- expired records (rule 6) ------------------------------------------------------------

DAY = dt.date(2026, 6, 1)  # the date of _assess
LAPSED = dt.date(2026, 5, 1)  # before DAY: a met or partial record valid until then is expired
LATER = dt.date(2026, 12, 31)  # after DAY: still valid on DAY
EXPIRED_MET = {"status": "met", "valid_until": LAPSED}
EXPIRED_PARTIAL = {"status": "partial", "progress": 0.5, "valid_until": LAPSED}


def _blockers(catalog: readiness.Catalog, assessment: readiness.Assessment, **kw: object):
    result = readiness.score(catalog, assessment, **kw)
    return {b.criterion: b.reason for b in result.catalogs["intl"].blockers}


def _counts(estimate) -> tuple[object, ...]:
    return (estimate.level, estimate.worst, estimate.best, estimate.direct, estimate.derived)


@pytest.mark.parametrize("record", [EXPIRED_MET, EXPIRED_PARTIAL], ids=["met", "partial"])
def test_expired_source_derives_an_expired_record(both, forward, record):
    """An expired record over `equivalent` derives an expired one: no credit, as not_met."""
    expired = translate(_assess({"lan": record, "servers": "met"}), forward, to=both)
    net = expired.derived["intl:net"].record
    source = _assess({"lan": record}).records["lan"]
    assert (net.status, net.progress, net.valid_until) == (
        source.status,
        source.progress,
        LAPSED,
    )
    assert "expired: valid until 2026-05-01" in net.evidence
    assert _blockers(both, expired.assessment) == {"intl:net": readiness.Reason.EXPIRED}
    # the level, its range and the counts are those of a not_met source
    not_met = translate(_assess({"lan": "not_met", "servers": "met"}), forward, to=both)
    got = estimate_level(both, expired, framework="intl")
    assert _counts(got) == _counts(estimate_level(both, not_met, framework="intl"))
    assert (got.level, got.worst, got.best, got.derived) == (0, 0, 0, 2)
    # the same source, valid, is credit
    valid = translate(_assess({"lan": "met", "servers": "met"}), forward, to=both)
    assert estimate_level(both, valid, framework="intl").level == 1


@pytest.mark.parametrize("record", [EXPIRED_MET, EXPIRED_PARTIAL], ids=["met", "partial"])
def test_expired_source_derives_an_expired_record_through_every_relation(both, forward, record):
    """covers, covered_by and overlaps too; an expired overlap stays recorded in the best case."""
    result = translate(
        _assess({"lan": "met", "servers": record, "his": record, "pacs": record}), forward, to=both
    )
    for key in ("intl:compute", "intl:records", "intl:imaging"):
        derived = result.derived[key].record
        assert derived.valid_until == LAPSED
        assert derived.status.value == record["status"]
    assert _blockers(both, result.assessment) == {"intl:compute": readiness.Reason.EXPIRED}
    estimate = estimate_level(both, result, framework="intl")
    assert (estimate.level, estimate.worst, estimate.best) == (0, 0, 0)
    assert (estimate.direct, estimate.derived, estimate.unknown) == (0, 4, 1)
    # with the rest of intl met directly: a valid overlap (imaging) is open in the best case,
    # an expired one is not
    direct = dict.fromkeys(("intl:net", "intl:compute", "intl:records", "intl:audit"), "met")
    valid = {k: v for k, v in record.items() if k != "valid_until"}
    lapsed, fresh = (
        estimate_level(
            both, translate(_assess({**direct, "pacs": r}), forward, to=both), framework="intl"
        )
        for r in (record, valid)
    )
    assert (lapsed.level, lapsed.worst, lapsed.best) == (2, 2, 2)
    assert (fresh.level, fresh.worst, fresh.best) == (2, 2, 3)


def test_valid_until_passes_on_so_the_derived_record_expires_with_its_source(both, forward):
    record = {"status": "met", "valid_until": LATER}
    result = translate(_assess({"lan": record, "servers": "met"}), forward, to=both)
    net = result.derived["intl:net"].record
    assert (net.status, net.valid_until) == (readiness.Status.MET, LATER)
    assert "expired" not in net.evidence
    assert _blockers(both, result.assessment) == {"intl:records": readiness.Reason.UNKNOWN}
    later = dt.date(2027, 1, 1)
    assert _blockers(both, result.assessment, as_of=later) == {"intl:net": readiness.Reason.EXPIRED}
    # every relation passes it on, a partial one and a derived not_met too
    partial = {"status": "partial", "progress": 0.5, "valid_until": LATER}
    other = translate(_assess({"his": partial, "pacs": partial}), forward, to=both)
    assert other.derived["intl:records"].record.status is readiness.Status.NOT_MET
    for key in ("intl:records", "intl:imaging"):
        assert other.derived[key].record.valid_until == LATER


def test_a_chain_carries_the_valid_until_of_the_record_it_starts_from(tmp_path, both, forward):
    """mini:lan -> intl:net -> mini:backup: backup expires when lan does."""
    text = (
        HEAD.replace('catalog = "mini"', 'catalog = "@"')
        .replace('catalog = "intl"', 'catalog = "mini"')
        .replace('catalog = "@"', 'catalog = "intl"')
        + '[[relation]]\nfrom = "net"\nto = "backup"\ntype = "equivalent"\n'
        'confidence = 0.5\nbecause = "x"\n'
    )
    onward = load_crosswalk(_write(tmp_path, text))
    for until, status in ((LATER, readiness.Status.MET), (LAPSED, readiness.Status.MET)):
        record = {"status": "met", "valid_until": until}
        result = translate(_assess({"lan": record}), [forward, onward], to=both)
        backup = result.derived["mini:backup"]
        assert (backup.record.status, backup.record.valid_until) == (status, until)
        assert backup.confidence == pytest.approx(0.45)
        stepwise = translate(translate(_assess({"lan": record}), forward, to=both), onward, to=both)
        assert stepwise == result


RIVALS = {  # several relations into intl:net, all of confidence 0.8
    "lan": "covers",  # met -> met
    "servers": "covered_by",  # not met or partial -> not met
    "his": "overlaps",  # met -> partial 0.5
    "pacs": "equivalent",  # as it is
}


@pytest.mark.parametrize(
    ("records", "winner"),
    [
        ({"lan": EXPIRED_MET, "servers": "not_met"}, "mini:servers"),  # not met beats expired
        ({"lan": EXPIRED_MET, "his": "met"}, "mini:lan"),  # expired beats partial
        ({"his": "met", "lan": EXPIRED_PARTIAL}, "mini:lan"),  # in either order
        ({"lan": "met", "pacs": EXPIRED_PARTIAL}, "mini:pacs"),  # expired beats met
        ({"lan": "met", "his": "met"}, "mini:his"),  # partial beats met (no expiry)
        (  # between two expired records, the one that expired first
            {
                "lan": {"status": "met", "valid_until": dt.date(2026, 4, 1)},
                "pacs": {"status": "met", "valid_until": dt.date(2026, 3, 1)},
            },
            "mini:pacs",
        ),
    ],
)
def test_rule_4_ranks_an_expired_record_between_not_met_and_partial(
    tmp_path, both, records, winner
):
    rel = (
        '[[relation]]\nfrom = "{a}"\nto = "net"\ntype = "{t}"\nconfidence = 0.8\n{x}because = "x"\n'
    )
    text = HEAD + "".join(
        rel.format(a=a, t=t, x="share = 0.5\n" if t == "overlaps" else "")
        for a, t in RIVALS.items()
    )
    crosswalk = load_crosswalk(_write(tmp_path, text))
    result = translate(_assess(records), crosswalk, to=both)
    assert result.derived["intl:net"].sources == (winner,)
    # the array form (readiness._crosswalk_matrix) picks a record of the same status
    record = result.derived["intl:net"].record
    expected = (
        ("expired", 0.0) if _expired_on(record, DAY) else (record.status.value, record.progress)
    )
    assert _array_translation(both, crosswalk, _assess(records), "intl:net") == expected


def _array_translation(
    catalog: readiness.Catalog,
    crosswalk: readiness.Crosswalk,
    assessment: readiness.Assessment,
    key: str,
) -> tuple[str, float | None]:
    """(status, progress) the array form derives for ``key`` (progress None unless partial)."""
    from readiness import _crosswalk_matrix as cm
    from readiness._compile import compile_catalog

    matrix = readiness.StatusMatrix.from_assessments(catalog, [assessment])
    state = cm._State(cm._STATUS_OF_CODE[matrix.status], matrix.progress.copy())
    cm._translate(state, [crosswalk], compile_catalog(catalog).index)
    i = compile_catalog(catalog).index[key]
    assert state.derived[i, 0]
    names = {cm._NOT_MET: "not_met", cm._EXPIRED: "expired", cm._PARTIAL: "partial"}
    status = names.get(int(state.status[i, 0]), "met")
    progress = float(state.progress[i, 0])
    return status, progress if status in ("partial", "expired") else None


def test_rule_4_confidence_still_comes_first(tmp_path, both):
    """A more confident met beats a less confident expired record."""
    rel = (
        '[[relation]]\nfrom = "{a}"\nto = "net"\ntype = "covers"\nconfidence = {c}\nbecause = "x"\n'
    )
    text = HEAD + rel.format(a="lan", c=0.6) + rel.format(a="servers", c=0.9)
    crosswalk = load_crosswalk(_write(tmp_path, text))
    result = translate(_assess({"lan": EXPIRED_MET, "servers": "met"}), crosswalk, to=both)
    assert result.derived["intl:net"].sources == ("mini:servers",)
    assert result.derived["intl:net"].record.valid_until is None


# --- malformed crosswalks ----------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


HEAD = """format = 1
[crosswalk]
id = "bad"
title = { en = "Bad", vi = "Sai" }
from = { catalog = "mini", version = "1.0" }
to = { catalog = "intl", version = "1.0" }
"""


def test_unknown_criterion_is_located(tmp_path, both):
    path = _write(
        tmp_path,
        HEAD + '[[relation]]\nfrom = "lan"\nto = "nett"\ntype = "equivalent"\n'
        'confidence = 0.9\nbecause = "x"\n',
    )
    crosswalk = load_crosswalk(path)
    with pytest.raises(CatalogError) as info:
        translate(_assess({}), crosswalk, to=both)
    assert str(info.value) == (
        f"{path}:9: key 'to': 'to' names no criterion of the loaded catalog (got 'intl:nett')"
    )


def test_relation_to_itself(tmp_path):
    text = (
        HEAD.replace('catalog = "intl"', 'catalog = "mini"')
        + '[[relation]]\nfrom = "lan"\nto = "mini:lan"\ntype = "equivalent"\nconfidence = 1\nbecause = "x"\n'
    )
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        load_crosswalk(path)
    messages = [p.message for p in info.value.problems]
    assert "a relation cannot relate a criterion to itself" in messages
    assert any("a crosswalk relates two catalogs" in m for m in messages)


def test_equivalence_cycle_with_different_confidences(tmp_path):
    rel = '[[relation]]\nfrom = "{a}"\nto = "{b}"\ntype = "equivalent"\nconfidence = {c}\nbecause = "x"\n'
    text = HEAD + rel.format(a="lan", b="net", c=0.9) + rel.format(a="servers", b="net", c=0.5)
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        load_crosswalk(path)
    (problem,) = info.value.problems
    assert problem.line == 13
    assert "different confidences (0.5 here, 0.9 at line 7)" in problem.message


def test_version_mismatch(tmp_path, both):
    path = _write(
        tmp_path,
        HEAD.replace('version = "1.0" }\nto', 'version = "0.9" }\nto')
        + '[[relation]]\nfrom = "lan"\nto = "net"\ntype = "equivalent"\nconfidence = 0.9\nbecause = "x"\n',
    )
    crosswalk = load_crosswalk(path)
    with pytest.raises(CatalogError, match=r"written against mini 0.9, but mini 1.0 is loaded"):
        translate(_assess({}), crosswalk, to=both)


def test_every_problem_of_a_file_at_once(tmp_path):
    path = _write(
        tmp_path,
        HEAD
        + '[[relation]]\nfrom = "lan"\nto = "net"\ntype = "same"\nconfidence = 2\n'
        + '[[relation]]\nfrom = "pacs"\nto = "imaging"\ntype = "overlaps"\nconfidence = 0.5\n'
        'because = "x"\ncolour = "red"\n',
    )
    with pytest.raises(CatalogError) as info:
        load_crosswalk(path)
    lines = sorted((p.line, p.key) for p in info.value.problems)
    assert (10, "type") in lines
    assert (11, "confidence") in lines
    assert (7, "because") in lines
    assert any(key == "share" for _, key in lines)
    assert any(key == "colour" for _, key in lines)


def test_version_map_is_not_a_crosswalk(both):
    vmap = load_crosswalk(CW / "mini-1-to-2.toml")
    with pytest.raises(OptionError):
        translate(_assess({}), vmap, to=both)


# --- versions ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def versions():
    old = readiness.load_catalog(DATA / "mini.toml")
    new = readiness.load_catalog(CW / "mini-2.toml")
    return old, new, load_crosswalk(CW / "mini-1-to-2.toml")


def test_diff_lists_every_kind_of_change(versions):
    old, new, vmap = versions
    diff = diff_catalogs(old, new, version_map=vmap)
    assert dict(diff.counts()) == {"renamed": 1, "split": 1, "merged": 1, "reworded": 1}
    assert [str(c) for c in diff.changes][:3] == [
        "renamed: lan -> network (Same criterion, clearer name.)",
        "split: his -> his_core, his_billing (Memo 2/2027 lists the core and billing parts separately.)",
        "merged: ward, pacs -> clinical (Memo 2/2027 assesses the clinical modules together.)",
    ]
    without = diff_catalogs(old, new)
    kinds = {c.kind for c in without.changes}
    assert {"added", "removed"} <= kinds


def test_migration_rules(versions):
    old, new, vmap = versions
    a = _assess(
        {
            "lan": "met",
            "servers": "met",
            "his": "not_met",
            "ward": "met",
            "pacs": {"status": "partial", "progress": 0.5},
            "backup": "met",
        }
    )
    moved = migrate(a, vmap, old=old, new=new)
    records = moved.assessment.records
    assert records["mini:network"].status is readiness.Status.MET
    assert "mini:his_core" not in records
    assert moved.gaps == ("mini:his_billing", "mini:his_core")
    assert (records["mini:clinical"].status, records["mini:clinical"].progress) == (
        readiness.Status.PARTIAL,
        0.75,
    )
    assert records["mini:backup"].status is readiness.Status.MET
    assert moved.dropped == ()


def test_migration_keeps_scores_where_only_names_changed(versions, tmp_path):
    old, _, _ = versions
    renamed = (DATA / "mini.toml").read_text(encoding="utf-8")
    renamed = renamed.replace('version = "1.0"', 'version = "1.1"').replace('"lan"', '"network"')
    new_path = tmp_path / "mini-1.1.toml"
    new_path.write_text(renamed, encoding="utf-8")
    map_path = tmp_path / "map.toml"
    map_path.write_text(
        (CW / "mini-1-to-2.toml")
        .read_text(encoding="utf-8")
        .split("[[relation]]")[0]
        .replace('"2.0"', '"1.1"')
        + '[[relation]]\nfrom = "lan"\nto = "network"\ntype = "renamed"\nbecause = "x"\n',
        encoding="utf-8",
    )
    new = readiness.load_catalog(new_path)
    vmap = load_crosswalk(map_path)
    rounds = [
        _assess({"lan": "met", "servers": "met", "his": "met"}),
        _assess(
            {"lan": "met", "servers": "not_met", "ward": {"status": "partial", "progress": 0.3}}
        ),
    ]
    for a in rounds:
        before = readiness.score(old, a)
        after = readiness.score(new, migrate(a, vmap, old=old, new=new).assessment)
        assert after.overall == before.overall
        assert after.level() == before.level()


def test_diff_refuses_a_map_of_other_versions(versions):
    old, _, vmap = versions
    with pytest.raises(CatalogError, match=r"not mini 1\.0 -> 1\.0"):
        diff_catalogs(old, old, version_map=vmap)


def test_history_spanning_versions_says_which_version(versions):
    old, new, vmap = versions
    early = _assess({"lan": "met", "servers": "met", "his": "met", "backup": "met"})
    late = readiness.Assessment(
        facility=HOSPITAL,
        date=dt.date(2027, 3, 1),
        records={"network": "met", "servers": "met", "his_core": "met", "his_billing": "not_met"},
    )
    rounds = readiness.align_history([(early, "1.0"), (late, "2.0")], new, [vmap])
    assert [(r.written_against, r.scored_against, r.maps) for r in rounds] == [
        ("1.0", "2.0", ("mini-1-to-2",)),
        ("2.0", "2.0", ()),
    ]
    assert rounds[1].assessment == late
    assert rounds[0].assessment == migrate(early, vmap, old=old, new=new).assessment
    table = readiness.score_many(new, [r.assessment for r in rounds])
    assert len(table) == 2
    with pytest.raises(OptionError, match=r"no chain of version maps leads from mini 0\.9"):
        readiness.align_history([(early, "0.9")], new, [vmap])


def test_migration_without_the_old_catalog(versions):
    old, new, vmap = versions
    a = _assess({"lan": "met", "his": "met", "ward": "not_met", "pacs": "met"})
    assert migrate(a, vmap, new=new) == migrate(a, vmap, new=new, old=old)


# --- built-in crosswalks -----------------------------------------------------------------


BUILTIN = readiness._crosswalk.builtin_crosswalks()


@pytest.mark.parametrize("cid", [c for c in BUILTIN if load_crosswalk(c).kind == "crosswalk"])
def test_builtin_crosswalks_match_the_builtin_catalogs(cid):
    """Every shipped crosswalk names criteria of the shipped catalog versions, with reasons."""
    crosswalk = load_crosswalk(cid)
    catalog = readiness.load_catalog([crosswalk.source_catalog, crosswalk.target_catalog])
    crosswalk.check_against(catalog, catalog)
    assert all(rel.because or rel.citation for rel in crosswalk.relations)


@pytest.mark.parametrize("cid", [c for c in BUILTIN if load_crosswalk(c).kind == "version-map"])
def test_builtin_version_maps_agree_with_the_renamed_tables(cid):
    """A map leads to the shipped version; what it maps from is an old id the catalog lists."""
    vmap = load_crosswalk(cid)
    catalog = readiness.load_catalog(vmap.source_catalog)
    assert catalog.frameworks[vmap.source_catalog].version == vmap.target_version
    for rel in vmap.relations:
        assert all(key in catalog.criteria for key in rel.target)
        for key in rel.source:
            renamed = catalog.renamed[key]
            assert renamed.since == vmap.target_version
            assert set(rel.target) <= set(renamed.successors)


def test_every_builtin_catalog_has_a_version_map_from_its_previous_version():
    maps = {load_crosswalk(c).source_catalog for c in BUILTIN if c.endswith("to-2026.12.0")}
    assert maps == {info.id for info in readiness.list_catalogs()}


def test_circular_54_self_assessment_yields_emr_condition_records():
    catalog = readiness.load_catalog(["vn-it-tt54", "vn-emr"])
    crosswalk = load_crosswalk("vn-it-tt54-to-vn-emr")
    old = _assess({"vn.tt54.emr.basic": "met", "vn.tt54.nonfunc.c108": "met"})
    result = translate(old, crosswalk, to=catalog)
    assert result.assessment.records["vn-emr:vn.tt13.app.kcb_system"].status is (
        readiness.Status.MET
    )
    assert result.derived["vn-emr:vn.hd365.fn.source_sync"].confidence == pytest.approx(0.6)
    overlap = result.derived["vn-emr:vn.tt13.content.tt32_ch10"].record
    assert overlap.status is readiness.Status.PARTIAL


def test_estimated_emram_stage_from_vietnamese_assessments():
    catalog = readiness.load_catalog(["vn-emr", "himss-emram"])
    nothing = _assess({})
    lab = _assess(
        {"vn.tt54.lis.basic": "met", "vn.tt54.ris_pacs.basic": "met"},
        attrs.evolve(HOSPITAL, id="H2"),
    )
    (empty, some) = readiness.estimate_stage(catalog, [nothing, lab])
    assert (empty.level, empty.worst) == (0, 0)
    assert empty.best == 7
    assert empty.derived == 0
    assert some.derived >= 2
    assert some.worst == 0
    with pytest.raises(OptionError, match="load the framework"):
        readiness.estimate_stage(readiness.load_catalog("vn-emr"), nothing)


# --- command line ------------------------------------------------------------------------


def test_cli_diff_and_crosswalks(capsys):
    from readiness._cli import main

    args = ["diff", str(DATA / "mini.toml"), str(CW / "mini-2.toml")]
    assert main([*args, "--map", str(CW / "mini-1-to-2.toml")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "mini 1.0 -> 2.0: 1 renamed, 1 split, 1 merged, 1 reworded"
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"added": 4, "removed": 4, "reworded": 1}
    assert main(["crosswalks"]) == 0
    assert "vn-it-tt54-to-vn-emr" in capsys.readouterr().out


def test_cli_migrate(tmp_path, capsys):
    from readiness import io
    from readiness._cli import main

    old = readiness.load_catalog(DATA / "mini.toml")
    new = readiness.load_catalog(CW / "mini-2.toml")
    facilities = tmp_path / "f.csv"
    before = tmp_path / "a.csv"
    after = tmp_path / "b.csv"
    io.write_facilities(facilities, [HOSPITAL])
    io.write_assessments(before, [_assess({"lan": "met", "his": "not_met", "ward": "met"})], old)
    common = ["migrate", "--catalog", str(DATA / "mini.toml"), "--to", str(CW / "mini-2.toml")]
    common += ["--map", str(CW / "mini-1-to-2.toml"), "--facilities", str(facilities)]
    assert main([*common, "--assessments", str(before), "-o", str(after)]) == 0
    assert "2 record(s) became unknown" in capsys.readouterr().err
    (moved,) = io.read_assessments(after, new, [HOSPITAL])
    assert moved.records["mini:network"].status is readiness.Status.MET
    assert main([*common, "--assessments", str(before), "-o", str(before)]) == 2
    assert "refusing to write over an input" in capsys.readouterr().err


def test_an_emram_assessment_of_2026_11_migrates_to_2026_12():
    new = readiness.load_catalog("himss-emram")
    vmap = load_crosswalk("himss-emram-2026.11.0-to-2026.12.0")
    old = _assess(
        {
            "himss.emram.s1.lab": "met",
            "himss.emram.s6.physician_documentation": "met",
            "himss.emram.s2.hie_capable": "met",
        }
    )
    moved = migrate(old, vmap, new=new)
    assert moved.assessment.records["himss-emram:himss.emram.s5.physician_documentation"] == (
        readiness.Record(status="met")
    )
    assert moved.assessment.records["himss-emram:himss.emram.s1.lab"].status is (
        readiness.Status.MET
    )
    assert moved.dropped == ("himss-emram:himss.emram.s2.hie_capable",)


def test_circular_54_level_estimate_from_a_partial_self_assessment():
    """The same estimate serves a Circular 54 facility level (direct records, unknowns open)."""
    catalog = readiness.load_catalog("vn-it-tt54")
    partial = _assess({"vn.tt54.infra.basic": "met", "vn.tt54.mgmt_sw.basic": "met"})
    estimate = estimate_level(catalog, partial, framework="vn-it-tt54")
    assert (estimate.level, estimate.worst) == (1, 1)
    assert estimate.best == 5
    assert estimate.derived == 0
    assert estimate.direct == 2
