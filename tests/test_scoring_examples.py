"""Hand-computed scoring examples: every expected number is worked out in a comment.

Each test writes a tiny catalog (TOML) into ``tmp_path``, builds facilities and assessments with
the model classes and checks scores, levels, progress, blockers, unsupported claims and data gaps
against numbers computed by hand from the scoring rules (``docs/scoring.md``). Scores are single
precision, so they are compared with ``pytest.approx(abs=1e-3)``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

import readiness
from readiness import Assessment, Facility, Reason, Record, Weights, errors

DAY = dt.date(2026, 6, 1)
HOSPITAL = Facility(
    id="h1", name="Provincial hospital", kind="hospital", ownership="public", beds=300
)
CLINIC = Facility(id="c1", name="Private clinic", kind="clinic", ownership="private", beds=0)


def approx(value: float) -> Any:
    """Compare a single-precision score or share with a hand-computed value."""
    return pytest.approx(value, abs=1e-3)


def head(cid: str, levels: str, domains: Iterable[str] = ("core",), extra: str = "") -> str:
    """Return the top of a catalog: identity, domains, levels (given as TOML) and extras."""
    text = (
        f'format = 1\n\n[catalog]\nid = "{cid}"\n'
        f'title = {{ en = "{cid}", vi = "{cid}" }}\nversion = "1.0"\n\n'
    )
    for domain in domains:
        text += f'[domains.{domain}]\ntitle = {{ en = "{domain}", vi = "{domain}" }}\n'
    return text + "\n" + levels + "\n" + extra + "\n"


def level(number: int, rule: str = "", **keys: Any) -> str:
    """Return one ``[[level]]`` table (``rule`` and other keys optional)."""
    text = f'[[level]]\nnumber = {number}\ntitle = {{ en = "L{number}", vi = "M{number}" }}\n'
    if rule:
        text += f'rule = "{rule}"\n'
    for key, value in keys.items():
        text += f"{key} = {json.dumps(value)}\n"
    return text


def crit(
    cid: str,
    lvl: int,
    *,
    weight: float = 1,
    domain: str = "core",
    requires: Iterable[str] = (),
    extra: str = "",
) -> str:
    """Return one ``[[criterion]]`` table."""
    return (
        f'[[criterion]]\nid = "{cid}"\ntitle = {{ en = "{cid}", vi = "{cid}" }}\n'
        f'domain = "{domain}"\nlevel = {lvl}\nweight = {weight}\n'
        f"requires = {json.dumps(list(requires))}\n"
        f'source = {{ grade = "inferred" }}\n{extra}\n'
    )


def load(tmp_path: Path, text: str, name: str = "cat") -> readiness.Catalog:
    """Write ``text`` as ``name.toml`` and load it."""
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return readiness.load_catalog(path)


def assess(
    records: Mapping[str, Any], facility: Facility = HOSPITAL, date: dt.date = DAY
) -> Assessment:
    """Return an assessment of ``facility`` on ``date``."""
    return Assessment(facility=facility, date=date, records=records)


def blockers(result: readiness.Score, catalog: str) -> dict[str, Reason]:
    """Return the next level's blockers of ``catalog`` as {criterion: reason}."""
    return {b.criterion: b.reason for b in result.catalogs[catalog].blockers}


# --------------------------------------------------------------------------- all-of, cumulative

EMR3_LEVELS = level(1) + level(2) + level(3)
EMR3 = head("emr3", '[levels]\nrule = "all"\n\n' + EMR3_LEVELS) + "".join(
    [
        crit("a1", 1),
        crit("a2", 1),
        crit("b1", 2, weight=2, requires=["a1"]),
        crit("b2", 2),
        crit("c1", 3, requires=["b1"]),
        crit("c2", 3),
        crit("c3", 3, weight=2),
    ]
)
EMR3_DONE = {"a1": "met", "a2": "met", "b1": "met", "b2": "met", "c1": "met"}


def test_all_of_reaches_level_two_with_progress_and_blockers(tmp_path: Path) -> None:
    """An all-of ladder stops at the first level with an unmet criterion and lists its blockers."""
    cat = load(tmp_path, EMR3)
    records = {**EMR3_DONE, "c2": Record(status="partial", progress=0.5), "c3": "not_met"}
    result = readiness.score(cat, assess(records))
    # L1: a1, a2 met -> satisfied. L2: b1 (a1 effectively met), b2 met -> satisfied.
    # L3: c2 partial, c3 not met -> not satisfied. Level 2, next level 3.
    # Progress (all): earned weight share of L3 = (c1 1 + c2 0.5x1 + c3 0x2) / (1+1+2) = 0.375.
    # Overall: weights 1+1+2+1+1+1+2 = 9, earned 1+1+2+1+1+0.5+0 = 6.5 -> 72.2222.
    res = result.catalogs["emr3"]
    assert result.level() == 2
    assert res.level == 2
    assert res.level_title is not None
    assert res.level_title.en == "L2"
    assert res.next_level == 3
    assert res.progress == approx(0.375)
    assert blockers(result, "emr3") == {"emr3:c2": Reason.PARTIAL, "emr3:c3": Reason.NOT_MET}
    detail = {b.criterion: b.detail for b in res.blockers}
    assert detail["emr3:c2"] == "partly done (50%)"
    assert detail["emr3:c3"] == "not met"
    assert result.overall == approx(100 * 6.5 / 9)
    assert res.score == approx(100 * 6.5 / 9)
    assert result.by_domain["emr3:core"] == approx(100 * 6.5 / 9)
    assert res.by_level == {1: approx(100.0), 2: approx(100.0), 3: approx(37.5)}
    # Effectively met: a1, a2, b1, b2, c1 -> 5 of 7 applicable; nothing unknown.
    assert (result.applicable, result.met) == (7, 5)
    assert result.gaps == ()
    assert result.unsupported == ()


def test_all_of_level_zero_with_an_unknown(tmp_path: Path) -> None:
    """A missing record keeps level 1 out of reach, is a blocker 'unknown' and a data gap."""
    cat = load(tmp_path, EMR3)
    result = readiness.score(cat, assess({"a1": "met"}))
    # L1: a1 met, a2 not recorded (unknown) -> level 0; progress toward 1 = 1/2 = 0.5.
    # Overall: only a1 earns -> 1/9 = 11.1111. Gaps: every other criterion (6).
    res = result.catalogs["emr3"]
    assert (res.level, res.next_level) == (0, 1)
    assert res.level_title is None
    assert res.progress == approx(0.5)
    assert blockers(result, "emr3") == {"emr3:a2": Reason.UNKNOWN}
    assert res.blockers[0].detail == "no data (unknown)"
    assert result.overall == approx(100 / 9)
    assert sorted(result.gaps) == ["emr3:a2", "emr3:b1", "emr3:b2", "emr3:c1", "emr3:c2", "emr3:c3"]
    assert (result.applicable, result.met) == (7, 1)


def test_all_of_top_level_has_no_next_level(tmp_path: Path) -> None:
    """At the top level there is no next level, no progress and no blocker."""
    cat = load(tmp_path, EMR3)
    result = readiness.score(cat, assess({**EMR3_DONE, "c2": "met", "c3": "met"}))
    # Every criterion met: level 3 of 3, score 100.
    res = result.catalogs["emr3"]
    assert (res.level, res.next_level, res.progress, res.blockers) == (3, None, None, ())
    assert result.overall == approx(100.0)
    assert (result.applicable, result.met) == (7, 7)


# --------------------------------------------------------------------------- threshold

INFRAM = head(
    "infram",
    '[levels]\nrule = "threshold"\nthreshold = 0.7\n\n' + level(1) + level(2),
) + "".join(
    [crit(f"t{n:02d}", 1) for n in range(1, 11)] + [crit("u1", 2), crit("u2", 2)],
)


def test_threshold_seven_of_ten_is_enough(tmp_path: Path) -> None:
    """Seven of ten unit-weight criteria meet a 70 % threshold."""
    cat = load(tmp_path, INFRAM)
    records: dict[str, Any] = {f"t{n:02d}": "met" for n in range(1, 8)}
    records |= {"t08": "not_met", "t09": "not_met", "t10": "not_met", "u1": "met", "u2": "not_met"}
    result = readiness.score(cat, assess(records))
    # L1: 7/10 = 0.7 >= 0.7 -> satisfied. L2: 1/2 = 0.5 < 0.7 -> level 1.
    # Progress toward 2 = min(0.5 / 0.7, 1) = 0.714286; blockers: u2 (not met).
    # Overall: 8 of 12 -> 66.6667.
    res = result.catalogs["infram"]
    assert (res.level, res.next_level) == (1, 2)
    assert res.progress == approx(0.5 / 0.7)
    assert blockers(result, "infram") == {"infram:u2": Reason.NOT_MET}
    assert res.by_level == {1: approx(70.0), 2: approx(50.0)}
    assert result.overall == approx(100 * 8 / 12)


def test_threshold_six_of_ten_is_not_enough(tmp_path: Path) -> None:
    """Six of ten is below 70 %: level 0, progress 0.6 / 0.7, every unmet criterion blocks."""
    cat = load(tmp_path, INFRAM)
    records: dict[str, Any] = {f"t{n:02d}": "met" for n in range(1, 7)}
    records |= {f"t{n:02d}": "not_met" for n in range(7, 11)} | {"u1": "met", "u2": "met"}
    result = readiness.score(cat, assess(records))
    # L1: 6/10 = 0.6 < 0.7 -> level 0 (L2 being fully met does not help: levels are cumulative).
    # Progress toward 1 = 0.6 / 0.7 = 0.857143; blockers t07..t10.
    res = result.catalogs["infram"]
    assert (res.level, res.next_level) == (0, 1)
    assert res.progress == approx(0.6 / 0.7)
    assert blockers(result, "infram") == {f"infram:t{n:02d}": Reason.NOT_MET for n in range(7, 11)}
    assert res.by_level == {1: approx(60.0), 2: approx(100.0)}


def test_threshold_leaves_out_not_applicable_weight(tmp_path: Path) -> None:
    """Weight recorded not applicable leaves the threshold's denominator."""
    cat = load(tmp_path, INFRAM)
    na = Record(status="not_applicable", reason="no such service")
    records: dict[str, Any] = {f"t{n:02d}": "met" for n in range(1, 7)}
    records |= {"t07": "not_met", "t08": Record(status="unknown"), "t09": na, "t10": na}
    result = readiness.score(cat, assess(records))
    # L1: 6 met of 8 applicable = 0.75 >= 0.7 -> satisfied (6 of 10 would not be).
    # L2: u1, u2 unknown -> level 1, progress 0; gaps: t08, u1, u2. Overall 6 / 10 = 60.
    res = result.catalogs["infram"]
    assert (res.level, res.next_level, res.progress) == (1, 2, approx(0.0))
    assert res.by_level == {1: approx(75.0), 2: approx(0.0)}
    assert result.overall == approx(60.0)
    assert sorted(result.gaps) == ["infram:t08", "infram:u1", "infram:u2"]
    assert (result.applicable, result.met) == (10, 6)


THRESHOLD_W = head(
    "thr",
    level(1, "threshold", threshold=0.7) + level(2),
) + "".join(
    [
        crit("p1", 1, weight=3),
        crit("p2", 1, weight=2),
        crit("p3", 1, weight=5),
        crit("q1", 2),
    ]
)


def test_threshold_with_weights_and_partial_credit_exactly_at_the_threshold(
    tmp_path: Path,
) -> None:
    """Weighted partial credit that sums exactly to 70 % satisfies the level; a bit less does not."""
    cat = load(tmp_path, THRESHOLD_W)
    exact = {
        "p1": "met",
        "p2": Record(status="partial", progress=0.6),
        "p3": Record(status="partial", progress=0.56),
        "q1": "not_met",
    }
    result = readiness.score(cat, assess(exact))
    # Earned = 3x1 + 2x0.6 + 5x0.56 = 3 + 1.2 + 2.8 = 7.0 of 10 = exactly 0.7 -> satisfied
    # (float sums are compared with a relative tolerance of 1e-9). Level 1; L2 (all): q1 not met,
    # progress 0; score 7/11 = 63.6364.
    res = result.catalogs["thr"]
    assert (res.level, res.next_level) == (1, 2)
    assert res.progress == approx(0.0)
    assert res.by_level == {1: approx(70.0), 2: approx(0.0)}
    assert result.overall == approx(100 * 7 / 11)
    # p2, p3 are partial: they earn credit but are not effectively met.
    assert result.met == 1

    below = {**exact, "p3": Record(status="partial", progress=0.55)}
    result = readiness.score(cat, assess(below))
    # Earned = 3 + 1.2 + 2.75 = 6.95 of 10 = 0.695 < 0.7 -> level 0;
    # progress = 0.695 / 0.7 = 0.992857; blockers: the partial criteria p2, p3.
    res = result.catalogs["thr"]
    assert (res.level, res.next_level) == (0, 1)
    assert res.progress == approx(0.695 / 0.7)
    assert blockers(result, "thr") == {"thr:p2": Reason.PARTIAL, "thr:p3": Reason.PARTIAL}


# --------------------------------------------------------------------------- k-of-n bundles

DIAM = head(
    "diam",
    level(1)
    + level(2)
    + level(3, "k-of-n", k=1, bundles=["ba", "bb", "bc"])
    + level(4, "k-of-n", k=2, bundles=["ba", "bb", "bc"])
    + level(5, "k-of-n", k=3, bundles=["ba", "bb", "bc"]),
    extra="".join(
        f'[bundles.{b}]\ntitle = {{ en = "{b}", vi = "{b}" }}\n' for b in ("ba", "bb", "bc")
    ),
) + "".join(
    [
        crit("l1", 1),
        crit("l2", 2, requires=["l1"]),
        crit("a1", 3, extra='bundle = "ba"'),
        crit("a2", 3, extra='bundle = "ba"'),
        crit("b1", 3, extra='bundle = "bb"'),
        crit("b2", 3, weight=3, extra='bundle = "bb"'),
        crit("c1", 3, extra='bundle = "bc"\napplies_to = { kind = "hospital" }'),
        crit("c2", 3, extra='bundle = "bc"\napplies_to = { kind = "hospital" }'),
    ]
)
DIAM_BASE = {"l1": "met", "l2": "met", "a1": "met", "a2": "met", "b1": "met"}


def test_k_of_n_one_bundle_complete(tmp_path: Path) -> None:
    """One complete bundle earns the k=1 level; progress to k=2 is the mean of the 2 best shares."""
    cat = load(tmp_path, DIAM)
    records = {
        **DIAM_BASE,
        "b2": "not_met",
        "c1": Record(status="partial", progress=0.5),
        "c2": "not_met",
    }
    result = readiness.score(cat, assess(records))
    # L1, L2 met. Bundles: ba complete (share 1); bb = b1 1 of 1+3 -> 0.25; bc = 0.5 of 2 -> 0.25.
    # L3 (k=1): 1 complete -> yes. L4 (k=2): no. Level 3, progress = mean(1, 0.25) = 0.625.
    # Blockers of L4: criteria of the incomplete bundles bb, bc not effectively met: b2, c1, c2.
    # L3 score: weights 1+1+1+3+1+1 = 8, earned 1+1+1+0+0.5+0 = 3.5 -> 43.75.
    # L4, L5 hold no criteria: no score. Overall: (2 + 3.5) / 10 = 55.
    res = result.catalogs["diam"]
    assert (res.level, res.next_level) == (3, 4)
    assert res.progress == approx(0.625)
    assert blockers(result, "diam") == {
        "diam:b2": Reason.NOT_MET,
        "diam:c1": Reason.PARTIAL,
        "diam:c2": Reason.NOT_MET,
    }
    assert res.by_level == {1: 100.0, 2: 100.0, 3: approx(43.75), 4: None, 5: None}
    assert result.overall == approx(55.0)


def test_k_of_n_no_bundle_complete(tmp_path: Path) -> None:
    """With no complete bundle the k=1 level is not earned and every bundle's gaps block it."""
    cat = load(tmp_path, DIAM)
    records = {**DIAM_BASE, "a2": "not_met", "b2": "not_met", "c1": "not_met", "c2": "not_met"}
    result = readiness.score(cat, assess(records))
    # Shares: ba 1/2 = 0.5, bb 1/4 = 0.25, bc 0. L3 (k=1) not earned -> level 2;
    # progress toward 3 = the best share = 0.5; blockers: a2, b2, c1, c2.
    res = result.catalogs["diam"]
    assert (res.level, res.next_level) == (2, 3)
    assert res.progress == approx(0.5)
    assert set(blockers(result, "diam")) == {"diam:a2", "diam:b2", "diam:c1", "diam:c2"}


def test_k_of_n_two_and_three_bundles_complete(tmp_path: Path) -> None:
    """Two complete bundles earn the k=2 level, three the k=3 top level."""
    cat = load(tmp_path, DIAM)
    two = {**DIAM_BASE, "b2": "met", "c1": Record(status="partial", progress=0.5), "c2": "not_met"}
    result = readiness.score(cat, assess(two))
    # ba, bb complete; bc share 0.25. L4 (k=2) yes, L5 (k=3) no -> level 4;
    # progress = mean(1, 1, 0.25) = 0.75; blockers: c1 (partial), c2 (not met).
    res = result.catalogs["diam"]
    assert (res.level, res.next_level) == (4, 5)
    assert res.progress == approx(0.75)
    assert blockers(result, "diam") == {"diam:c1": Reason.PARTIAL, "diam:c2": Reason.NOT_MET}

    result = readiness.score(cat, assess({**two, "c1": "met", "c2": "met"}))
    res = result.catalogs["diam"]
    assert (res.level, res.next_level, res.progress, res.blockers) == (5, None, None, ())


def test_k_of_n_bundle_without_applicable_criteria_never_counts(tmp_path: Path) -> None:
    """A bundle with no applicable criterion is never complete and has share 0."""
    cat = load(tmp_path, DIAM)
    result = readiness.score(cat, assess({**DIAM_BASE, "b2": "met"}, facility=CLINIC))
    # For a clinic bc (hospital-only c1, c2) has no applicable criterion: never complete.
    # ba, bb complete -> level 4; progress toward 5 = mean(1, 1, 0) = 0.6667.
    # bc holds nothing applicable, so level 5 has no blocker to list (it is out of reach).
    res = result.catalogs["diam"]
    assert (res.level, res.next_level) == (4, 5)
    assert res.progress == approx(2 / 3)
    assert res.blockers == ()
    assert (result.applicable, result.met) == (6, 6)
    assert result.overall == approx(100.0)


def test_k_of_n_not_applicable_record_leaves_its_bundle(tmp_path: Path) -> None:
    """A bundle whose unmet criterion is recorded not applicable is complete without it."""
    cat = load(tmp_path, DIAM)
    na = Record(status="not_applicable", reason="no imaging department")
    result = readiness.score(cat, assess({**DIAM_BASE, "b2": na, "c1": "met"}))
    # bb = {b1} -> complete; ba complete; bc: c1 met, c2 unknown -> share 1/2.
    # L4 (k=2) earned, L5 (k=3) not -> level 4, progress mean(1, 1, 0.5) = 0.8333; blocker c2.
    res = result.catalogs["diam"]
    assert (res.level, res.next_level) == (4, 5)
    assert res.progress == approx(2.5 / 3)
    assert blockers(result, "diam") == {"diam:c2": Reason.UNKNOWN}
    assert (result.applicable, result.met, result.gaps) == (7, 6, ("diam:c2",))


# --------------------------------------------------------------------------- credit

CREDIT = head("cr", level(1), domains=("da", "db")) + "".join(
    [
        crit("x", 1, weight=2, domain="da"),
        crit("y", 1, domain="da"),
        crit("z", 1, domain="db"),
    ]
)


def test_partial_credit_in_scores(tmp_path: Path) -> None:
    """Partial records earn weight x progress in every score but are never effectively met."""
    cat = load(tmp_path, CREDIT)
    records = {
        "x": Record(status="partial", progress=0.25),
        "y": "met",
        "z": Record(status="partial", progress=0.8),
    }
    result = readiness.score(cat, assess(records))
    # x: 2 x 0.25 = 0.5; y: 1; z: 0.8. Overall (0.5+1+0.8)/4 = 57.5.
    # Domain da: 1.5 / 3 = 50; db: 0.8 / 1 = 80. Level 0, progress = 0.575.
    assert result.overall == approx(57.5)
    assert result.by_domain == {"cr:da": approx(50.0), "cr:db": approx(80.0)}
    res = result.catalogs["cr"]
    assert (res.level, res.progress) == (0, approx(0.575))
    assert blockers(result, "cr") == {"cr:x": Reason.PARTIAL, "cr:z": Reason.PARTIAL}
    assert {b.criterion: b.detail for b in res.blockers} == {
        "cr:x": "partly done (25%)",
        "cr:z": "partly done (80%)",
    }
    assert (result.applicable, result.met) == (3, 1)


COVERAGE = head("cov", level(1) + level(2)) + "".join(
    [crit("emr", 1, extra="min_coverage = 0.9"), crit("next", 2)]
)


@pytest.mark.parametrize(
    ("coverage", "counts", "detail"),
    [
        (0.95, True, None),
        (0.9, True, None),
        (0.8, False, "coverage 80% is below the minimum 90%"),
        (None, False, "coverage not reported (minimum 90%)"),
    ],
)
def test_coverage_minimum(
    tmp_path: Path, coverage: float | None, counts: bool, detail: str | None
) -> None:
    """A met record counts only with coverage at or above the criterion's minimum."""
    cat = load(tmp_path, COVERAGE)
    result = readiness.score(cat, assess({"emr": Record(status="met", coverage=coverage)}))
    # min_coverage 0.9: 0.95 and 0.9 count (level 1, score 1/2 = 50); 0.8 and no coverage earn 0
    # (level 0, score 0) and block level 1 as below_coverage.
    res = result.catalogs["cov"]
    if counts:
        assert (res.level, result.overall, result.met) == (1, approx(50.0), 1)
        assert blockers(result, "cov") == {"cov:next": Reason.UNKNOWN}
    else:
        assert (res.level, result.overall, result.met) == (0, approx(0.0), 0)
        assert blockers(result, "cov") == {"cov:emr": Reason.BELOW_COVERAGE}
        assert res.blockers[0].detail == detail
        assert result.gaps == ("cov:next",)  # below coverage is not a data gap


EXPIRY = head("exp", level(1)) + crit("audit", 1) + crit("plan", 1)


@pytest.mark.parametrize(
    ("valid_until", "as_of", "expired"),
    [
        (dt.date(2026, 5, 31), None, True),  # the day before the assessment
        (dt.date(2026, 6, 1), None, False),  # valid until the assessment day itself
        (dt.date(2026, 6, 15), None, False),
        (dt.date(2026, 6, 15), dt.date(2026, 7, 1), True),  # judged on as_of instead
        (dt.date(2026, 7, 1), dt.date(2026, 7, 1), False),
    ],
)
def test_expiry(tmp_path: Path, valid_until: dt.date, as_of: dt.date | None, expired: bool) -> None:
    """A record valid until day D counts on D and not after, judged on the date or as_of."""
    cat = load(tmp_path, EXPIRY)
    records = {
        "audit": Record(status="met", valid_until=valid_until),
        "plan": Record(status="partial", progress=0.5, valid_until=valid_until),
    }
    result = readiness.score(cat, assess(records), as_of=as_of)
    # Valid: audit 1 + plan 0.5 = 1.5 of 2 -> 75, met 1. Expired: both earn 0 -> 0, met 0.
    res = result.catalogs["exp"]
    if expired:
        assert result.overall == approx(0.0)
        assert result.met == 0
        assert blockers(result, "exp") == {"exp:audit": Reason.EXPIRED, "exp:plan": Reason.EXPIRED}
        assert res.blockers[0].detail == f"validation expired on {valid_until.isoformat()}"
    else:
        assert result.overall == approx(75.0)
        assert result.met == 1
        assert blockers(result, "exp") == {"exp:plan": Reason.PARTIAL}
    assert result.date == DAY  # as_of changes the judgement, not the assessment's date


# --------------------------------------------------------------------------- applicability

APPLIES = head("app", level(1) + level(2)) + "".join(
    [
        crit("n1", 1),
        crit("n2", 1, extra='applies_to = { kind = "hospital" }'),
        crit("n3", 1, extra='legacy = "Repealed in 2025."'),
        crit("n4", 1),
        crit("m1", 2),
    ]
)
APPLIES_RECORDS = {
    "n1": "met",
    "n2": "met",
    "n3": "met",
    "n4": Record(status="not_applicable", reason="no laboratory"),
    "m1": "not_met",
}


def test_not_applicable_by_record_condition_and_legacy(tmp_path: Path) -> None:
    """Criteria excluded by a record, by a condition or as legacy never enter a sum."""
    cat = load(tmp_path, APPLIES)
    clinic = readiness.score(cat, assess(APPLIES_RECORDS, facility=CLINIC))
    # Clinic: n2 (hospital-only), n3 (legacy), n4 (recorded not applicable) are out, although n2
    # and n3 are recorded met. Applicable: n1 (met), m1 (not met) -> 50; L1 = {n1} -> level 1.
    res = clinic.catalogs["app"]
    assert (clinic.applicable, clinic.met) == (2, 1)
    assert clinic.overall == approx(50.0)
    assert res.by_level == {1: approx(100.0), 2: approx(0.0)}
    assert (res.level, res.next_level, res.progress) == (1, 2, approx(0.0))
    assert blockers(clinic, "app") == {"app:m1": Reason.NOT_MET}
    assert clinic.gaps == ()

    hospital = readiness.score(cat, assess(APPLIES_RECORDS))
    # Hospital: n2 applies too -> n1, n2, m1 applicable, 2 met -> 66.6667; n3 is still legacy.
    assert (hospital.applicable, hospital.met) == (3, 2)
    assert hospital.overall == approx(200 / 3)
    assert hospital.level() == 1


CHAIN = head("ch", level(1)) + "".join(
    [
        crit("t1", 1),
        crit("t2", 1, requires=["t1"], extra='applies_to = { kind = "hospital" }'),
        crit("t3", 1, requires=["t2"]),
    ]
)


GAP = head("gap", level(1) + level(2) + level(3, "threshold", threshold=0.5)) + "".join(
    [
        crit("g1", 1),
        crit("g2", 2, extra='applies_to = { kind = "hospital" }'),
        crit("g3", 3),
        crit("g4", 3),
    ]
)


def test_level_with_nothing_applicable_is_satisfied(tmp_path: Path) -> None:
    """A level none of whose criteria apply is passed through on the way up."""
    cat = load(tmp_path, GAP)
    result = readiness.score(
        cat, assess({"g1": "met", "g3": Record(status="partial", progress=0.5)}, facility=CLINIC)
    )
    # Clinic: L1 {g1} met; L2 {g2} does not apply -> satisfied, no score; L3 (threshold 0.5):
    # 0.5 of 2 = 0.25 -> not. Level 2, progress 0.25 / 0.5 = 0.5; blockers g3 (partial), g4.
    res = result.catalogs["gap"]
    assert (res.level, res.next_level, res.progress) == (2, 3, approx(0.5))
    assert res.by_level == {1: approx(100.0), 2: None, 3: approx(25.0)}
    assert blockers(result, "gap") == {"gap:g3": Reason.PARTIAL, "gap:g4": Reason.UNKNOWN}
    # Overall: 1 + 0.5 of 3 applicable -> 50.
    assert result.overall == approx(50.0)


def test_not_applicable_middle_criterion_is_transparent(tmp_path: Path) -> None:
    """A prerequisite that does not apply passes its own prerequisites on to its dependents."""
    cat = load(tmp_path, CHAIN)
    # t1 <- t2 <- t3. For a clinic t2 does not apply: t3 rests on t1 through t2.
    ok = readiness.score(cat, assess({"t1": "met", "t3": "met"}, facility=CLINIC))
    # t1 met and supported -> t3 supported: 2 of 2 met, level 1, nothing unsupported.
    assert (ok.applicable, ok.met, ok.level(), ok.unsupported) == (2, 2, 1, ())
    assert ok.overall == approx(100.0)

    bad = readiness.score(cat, assess({"t1": "not_met", "t3": "met"}, facility=CLINIC))
    # t1 not met -> t3 is an unsupported claim (strict: credit 0), missing t1 (seen through t2).
    assert bad.overall == approx(0.0)
    assert (bad.met, bad.level()) == (0, 0)
    assert [(b.criterion, b.reason, b.missing) for b in bad.unsupported] == [
        ("ch:t3", Reason.UNSUPPORTED, ("ch:t1",))
    ]
    assert bad.unsupported[0].detail == "claimed met, but rests on ch:t1, not met"

    # The same for a hospital that records t2 not applicable.
    na = Record(status="not_applicable", reason="outsourced")
    by_record = readiness.score(cat, assess({"t1": "not_met", "t2": na, "t3": "met"}))
    assert [(b.criterion, b.missing) for b in by_record.unsupported] == [("ch:t3", ("ch:t1",))]
    # Whereas a hospital where t2 applies and is unknown: t3 rests on t2 itself.
    unknown = readiness.score(cat, assess({"t1": "met", "t3": "met"}))
    assert [(b.criterion, b.missing) for b in unknown.unsupported] == [("ch:t3", ("ch:t2",))]
    assert unknown.gaps == ("ch:t2",)


# --------------------------------------------------------------------------- policies

POLICY = head(
    "pol",
    level(1, "threshold", threshold=0.5) + level(2),
) + "".join(
    [
        crit("s1", 1),
        crit("s2", 1, weight=3, requires=["s1"]),
        crit("s3", 2, requires=["s2"]),
        crit("s4", 2),
    ]
)
POLICY_RECORDS = {
    "s1": "not_met",
    "s2": "met",
    "s3": Record(status="partial", progress=0.5),
    "s4": "met",
}


def test_strict_policy_withholds_credit_from_unsupported_claims(tmp_path: Path) -> None:
    """Under the strict policy a claim on an unmet prerequisite earns nothing and is reported."""
    cat = load(tmp_path, POLICY)
    result = readiness.score(cat, assess(POLICY_RECORDS))
    # s2 met but s1 not met -> unsupported, credit 0. s3 (partial) rests on s2, which is not
    # effectively met -> unsupported, credit 0. Earned: s4 1 of 1+3+1+1 = 6 -> 16.6667.
    # L1 (threshold 0.5): 0 of 4 -> level 0, progress 0; blockers s1 (not met), s2 (unsupported).
    res = result.catalogs["pol"]
    assert result.policy == "strict"
    assert result.overall == approx(100 / 6)
    assert res.by_level == {1: approx(0.0), 2: approx(50.0)}
    assert (res.level, res.next_level, res.progress) == (0, 1, approx(0.0))
    assert blockers(result, "pol") == {"pol:s1": Reason.NOT_MET, "pol:s2": Reason.UNSUPPORTED}
    assert [(b.criterion, b.reason, b.missing) for b in result.unsupported] == [
        ("pol:s2", Reason.UNSUPPORTED, ("pol:s1",)),
        ("pol:s3", Reason.UNSUPPORTED, ("pol:s2",)),
    ]
    details = [b.detail for b in result.unsupported]
    assert details == [
        "claimed met, but rests on pol:s1, not met",
        "partly done, but rests on pol:s2, not met",
    ]
    assert result.met == 1


def test_lenient_policy_credits_unsupported_claims_and_still_reports_them(tmp_path: Path) -> None:
    """Under the lenient policy claims earn credit (and can lift a level) but stay reported."""
    cat = load(tmp_path, POLICY)
    result = readiness.score(cat, assess(POLICY_RECORDS), policy="lenient")
    # Credit: s2 3, s3 0.5, s4 1 -> 4.5 / 6 = 75. L1: 3 of 4 = 0.75 >= 0.5 -> satisfied.
    # L2 (all): s3 partial -> level 1; progress = 1.5 / 2 = 0.75; blocker s3 (unsupported claim).
    res = result.catalogs["pol"]
    assert result.policy == "lenient"
    assert result.overall == approx(75.0)
    assert res.by_level == {1: approx(75.0), 2: approx(75.0)}
    assert (res.level, res.next_level, res.progress) == (1, 2, approx(0.75))
    assert blockers(result, "pol") == {"pol:s3": Reason.UNSUPPORTED}
    assert [(b.criterion, b.missing) for b in result.unsupported] == [
        ("pol:s2", ("pol:s1",)),
        ("pol:s3", ("pol:s2",)),
    ]
    assert result.met == 2  # s2 and s4 count as met under the lenient policy


# --------------------------------------------------------------------------- weight profiles

PROFILE = head("wp", level(1, "threshold", threshold=0.6), domains=("da", "db")) + "".join(
    [
        crit("p", 1, domain="da"),
        crit("q", 1, domain="db"),
        crit("r", 1, weight=2, domain="db"),
    ]
)
PROFILE_RECORDS = {"p": "met", "q": "not_met", "r": Record(status="partial", progress=0.5)}


def test_weight_profile_changes_scores_but_not_levels(tmp_path: Path) -> None:
    """Criterion and domain weights change scores; level rules keep the catalog's weights."""
    cat = load(tmp_path, PROFILE)
    a = assess(PROFILE_RECORDS)
    plain = readiness.score(cat, a)
    # Catalog weights: p 1 + q 0 + r 2x0.5 = 2 of 4 -> 50; da 100; db 1/3 = 33.3333.
    # L1 threshold 0.6: 0.5 < 0.6 -> level 0, progress 0.5 / 0.6 = 0.8333.
    assert plain.overall == approx(50.0)
    assert plain.by_domain == {"wp:da": approx(100.0), "wp:db": approx(100 / 3)}
    assert (plain.level(), plain.catalogs["wp"].progress) == (0, approx(0.5 / 0.6))

    heavy = readiness.score(cat, a, weights={"criteria": {"p": 3}})
    # p weighs 3: (3 + 0 + 1) / (3 + 1 + 2) = 66.6667 overall, per level and per catalog.
    # Domains unchanged (da only holds p). With catalog weights 4/6 would pass 0.6, but levels use
    # the catalog's weights: still level 0, progress 0.8333.
    res = heavy.catalogs["wp"]
    assert heavy.overall == approx(200 / 3)
    assert (res.score, res.by_level[1]) == (approx(200 / 3), approx(200 / 3))
    assert heavy.by_domain == plain.by_domain
    assert (res.level, res.progress) == (0, approx(0.5 / 0.6))

    domains = readiness.score(cat, a, weights=Weights(domains={"wp:da": 3}))
    # Overall = (3 x 100 + 1 x 33.3333) / (3 + 1) = 83.3333; catalog and level scores stay 50.
    assert domains.overall == approx(250 / 3)
    assert domains.catalogs["wp"].score == approx(50.0)
    assert domains.level() == 0

    partial = readiness.score(cat, a, weights={"criteria": {"r": 4}})
    # r weighs 4 and is half done: (1 + 0 + 4 x 0.5) / (1 + 1 + 4) = 50; db = 2 / 5 = 40.
    assert partial.overall == approx(50.0)
    assert partial.by_domain["wp:db"] == approx(40.0)
    assert partial.catalogs["wp"].progress == approx(0.5 / 0.6)

    both = readiness.score(cat, a, weights={"criteria": {"wp:p": 3}, "domains": {"wp:da": 3}})
    # Domain scores do not change with p's weight (p is alone in da) -> 83.3333; catalog 66.6667.
    assert both.overall == approx(250 / 3)
    assert both.catalogs["wp"].score == approx(200 / 3)
    assert both.catalogs["wp"].progress == approx(0.5 / 0.6)


def test_domain_weights_leave_out_domains_without_applicable_criteria(tmp_path: Path) -> None:
    """A domain with nothing applicable has no score and no say in the weighted overall."""
    cat = load(tmp_path, PROFILE)
    na = Record(status="not_applicable", reason="not offered")
    result = readiness.score(
        cat,
        assess({"p": Record(status="partial", progress=0.4), "q": na, "r": na}),
        weights={"domains": {"wp:da": 1, "wp:db": 5}},
    )
    # db has no applicable criterion -> None; overall = da alone = 40, whatever db weighs.
    assert result.by_domain == {"wp:da": approx(40.0), "wp:db": None}
    assert result.overall == approx(40.0)
    # L1: 0.4 of 1 < 0.6 -> level 0, progress 0.4 / 0.6.
    assert (result.level(), result.catalogs["wp"].progress) == (0, approx(0.4 / 0.6))


# --------------------------------------------------------------------------- nothing applies

ONLY_HOSPITALS = head("hosp", level(1) + level(2)) + "".join(
    [
        crit("h1", 1, extra='applies_to = { kind = "hospital" }'),
        crit("h2", 2, extra='applies_to = { kind = "hospital" }'),
    ]
)


def test_nothing_applicable_has_no_score_no_level_no_progress(tmp_path: Path) -> None:
    """A facility to which nothing applies has no score, no level and no progress (not 0)."""
    cat = load(tmp_path, ONLY_HOSPITALS)
    result = readiness.score(cat, assess({"h1": "met"}, facility=CLINIC))
    res = result.catalogs["hosp"]
    assert result.overall is None
    assert result.by_domain == {"hosp:core": None}
    assert (res.level, res.next_level, res.progress, res.score) == (None, None, None, None)
    assert res.by_level == {1: None, 2: None}
    assert res.blockers == ()
    assert (result.applicable, result.met, result.gaps) == (0, 0, ())
    assert result.level() is None
    assert "not applicable to this facility" in result.explain()


# --------------------------------------------------------------------------- API consistency


def test_score_equals_score_many_row(tmp_path: Path) -> None:
    """score() on one assessment equals the matching row of score_many()."""
    cat = load(tmp_path, EMR3)
    first = assess({"a1": "met"})
    second = assess({**EMR3_DONE, "c3": "not_met"}, date=dt.date(2026, 9, 1))
    other = assess(EMR3_DONE, facility=CLINIC)
    table = readiness.score_many(cat, [first, second, other])
    assert len(table) == 3
    for j, a in enumerate((first, second, other)):
        assert readiness.score(cat, a) == table[j]
        assert readiness.score(cat, a, policy="lenient") == readiness.score_many(
            cat, [first, second, other], policy="lenient"
        ).score(j)
    # second: 6 of 9 weight earned (c2 unknown, c3 not met) -> 66.6667, level 2.
    assert table.score(1).overall == approx(600 / 9)
    assert table.score(1).level() == 2


def test_to_dict_is_json_and_explain_mentions_the_level(tmp_path: Path) -> None:
    """Score.to_dict() survives JSON and Score.explain() names the level and progress."""
    cat = load(tmp_path, EMR3)
    result = readiness.score(cat, assess({**EMR3_DONE, "c2": "met"}))
    # Level 2; L3: c1, c2 met of 1+1+2 -> progress 0.5; blocker c3 (unknown); overall 7/9.
    data = json.loads(json.dumps(result.to_dict()))
    assert data["facility"] == "h1"
    assert data["date"] == "2026-06-01"
    assert data["overall"] == approx(700 / 9)
    assert data["catalogs"]["emr3"]["level"] == 2
    assert data["catalogs"]["emr3"]["progress"] == approx(0.5)
    assert data["catalogs"]["emr3"]["by_level"] == {"1": 100.0, "2": 100.0, "3": approx(50.0)}
    assert data["catalogs"]["emr3"]["blockers"] == [
        {"criterion": "emr3:c3", "reason": "unknown", "detail": "no data (unknown)", "missing": []}
    ]
    assert data["gaps"] == ["emr3:c3"]
    text = result.explain()
    assert "level 2 (L2)" in text
    assert "toward level 3" in text


# --------------------------------------------------------------------------- bad options


def test_bad_policy_is_an_option_error(tmp_path: Path) -> None:
    """An unknown policy raises OptionError naming 'policy'."""
    cat = load(tmp_path, EMR3)
    with pytest.raises(errors.OptionError, match="policy") as caught:
        readiness.score(cat, assess({}), policy="medium")  # type: ignore[arg-type]
    assert caught.value.key == "policy"


def test_weight_for_unknown_criterion_is_an_error(tmp_path: Path) -> None:
    """A weight profile naming a criterion the catalog lacks raises UnknownCriterionError."""
    cat = load(tmp_path, EMR3)
    with pytest.raises(errors.UnknownCriterionError, match=r"weights\.criteria"):
        readiness.score(cat, assess({}), weights={"criteria": {"zz": 2}})


@pytest.mark.parametrize("value", [0, -1.5])
def test_non_positive_weight_is_an_option_error(tmp_path: Path, value: float) -> None:
    """A weight of zero or less raises OptionError, from Weights or from a plain mapping."""
    cat = load(tmp_path, EMR3)
    with pytest.raises(errors.OptionError):
        Weights(criteria={"a1": value})
    with pytest.raises(errors.OptionError):
        readiness.score(cat, assess({}), weights={"domains": {"emr3:core": value}})


# --------------------------------------------------------------------------- large groups


def test_more_than_255_criteria_in_one_cell_are_counted_exactly(tmp_path: Path) -> None:
    """The kernel counts met criteria per cell in uint8; cells are split at 255 criteria.

    300 criteria share level, domain and weight (one cell before the split). With 299 met and
    one partial at 50 %: 299 met counted (not 299 mod 256 = 43), level 1 not reached (one is not
    met), overall 100 x 299.5 / 300 = 99.8333, progress 299.5 / 300 = 0.99833.
    """
    body = "".join(crit(f"x{i:03d}", 1) for i in range(300))
    cat = load(tmp_path, head("wide", level(1)) + body)
    records: dict[str, Any] = {f"x{i:03d}": "met" for i in range(299)}
    records["x299"] = Record(status="partial", progress=0.5)
    result = readiness.score(cat, assess(records))
    assert result.met == 299
    assert result.applicable == 300
    assert result.level("wide") == 0
    assert result.overall == approx(100 * 299.5 / 300)
    assert result.catalogs["wide"].progress == approx(299.5 / 300)
    assert [b.criterion for b in result.catalogs["wide"].blockers] == ["wide:x299"]
    records["x299"] = "met"
    done = readiness.score(cat, assess(records))
    assert (done.met, done.level("wide"), done.overall) == (300, 1, approx(100.0))
    # Per-assessment counts over more than 255 criteria (summed in uint8 slices of 255 rows).
    assert len(readiness.score(cat, assess({})).gaps) == 300
    table = readiness.score_many(cat, [assess({}), assess(records, facility=CLINIC)])
    assert table.gaps.tolist() == [300, 0]
