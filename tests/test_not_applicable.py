"""Not-applicable claims against the catalog (issue 10, item 4; docs/scoring.md).

A ``not_applicable`` record of a criterion whose ``applies_to`` matches the facility is a
*disputed claim*: always reported, trusted (left out) or counted as not met by policy, and never
accepted for a criterion with ``accepts_not_applicable = false``.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

import readiness
from readiness import Assessment, Facility, Reason, errors

DAY = dt.date(2026, 1, 1)
HOSPITAL = Facility(id="h", kind="hospital", ownership="public", beds=10)
CLINIC = Facility(id="k", kind="clinic", ownership="private")
HEAD = """format = 1
[catalog]
id = "na"
title = { en = "N", vi = "N" }
version = "1"
[domains.core]
title = { en = "C", vi = "C" }
[[level]]
number = 1
title = { en = "L1", vi = "M1" }
[[level]]
number = 2
title = { en = "L2", vi = "M2" }
"""


def crit(cid: str, level: int, extra: str = "") -> str:
    return (
        f'[[criterion]]\nid = "{cid}"\ntitle = {{ en = "{cid}", vi = "{cid}" }}\n'
        f'domain = "core"\nlevel = {level}\nsource = {{ grade = "inferred" }}\n{extra}\n'
    )


def load(tmp_path: Path, text: str) -> readiness.Catalog:
    path = tmp_path / "na.toml"
    path.write_text(text, encoding="utf-8")
    return readiness.load_catalog(path)


NA = {"status": "not_applicable", "reason": "we do not do this"}
#: the issue's example: two of three criteria marked not applicable, the third met
CLAIMS = {"a": "met", "b": NA, "c": NA}


@pytest.fixture
def catalog(tmp_path: Path) -> readiness.Catalog:
    # c applies to hospitals only: a clinic's not_applicable record of c is no claim
    return load(
        tmp_path,
        HEAD + crit("a", 1) + crit("b", 2) + crit("c", 2, 'applies_to = { kind = "hospital" }'),
    )


def test_trusted_claims_are_left_out_but_reported(catalog: readiness.Catalog) -> None:
    """Trust (default): 1 of 1 remaining criterion met = 100, level 2; both claims listed."""
    result = readiness.score(catalog, Assessment(facility=HOSPITAL, date=DAY, records=CLAIMS))
    assert (result.overall, result.level("na")) == (100.0, 2)
    assert result.not_applicable == "trust"
    assert [(b.criterion, b.reason) for b in result.disputed] == [
        ("na:b", Reason.DISPUTED),
        ("na:c", Reason.DISPUTED),
    ]
    assert result.disputed[0].detail == (
        "recorded not applicable ('we do not do this'), but the catalog says it applies; "
        "trusted: left out"
    )
    assert "  disputed not-applicable claims: 2 (trusted): na:b, na:c" in result.explain()
    assert [d["criterion"] for d in result.to_dict()["disputed"]] == ["na:b", "na:c"]


def test_disputed_claims_count_as_not_met(catalog: readiness.Catalog) -> None:
    """Dispute: 1 of 3 met = 33.3, level 1, and both claims block level 2."""
    item = Assessment(facility=HOSPITAL, date=DAY, records=CLAIMS)
    result = readiness.score(catalog, item, not_applicable="dispute")
    assert result.overall == pytest.approx(33.3333, abs=1e-3)
    assert result.level("na") == 1
    assert result.applicable == 3
    blockers = result.catalogs["na"].blockers
    assert [(b.criterion, b.reason) for b in blockers] == [
        ("na:b", Reason.DISPUTED),
        ("na:c", Reason.DISPUTED),
    ]
    assert blockers[0].detail.endswith("counted as not met")
    assert "(counted as not met)" in result.explain()


def test_no_claim_where_the_catalog_agrees(catalog: readiness.Catalog) -> None:
    """A clinic's not_applicable record of a hospital-only criterion is not disputed."""
    item = Assessment(facility=CLINIC, date=DAY, records=CLAIMS)
    for policy in ("trust", "dispute"):
        result = readiness.score(catalog, item, not_applicable=policy)  # type: ignore[arg-type]
        assert [b.criterion for b in result.disputed] == ["na:b"]


def test_catalog_can_refuse_not_applicable(tmp_path: Path) -> None:
    """accepts_not_applicable = false: counted as not met even under trust, said so."""
    catalog = load(
        tmp_path,
        HEAD + crit("a", 1) + crit("b", 2) + crit("c", 2, "accepts_not_applicable = false"),
    )
    result = readiness.score(catalog, Assessment(facility=HOSPITAL, date=DAY, records=CLAIMS))
    assert result.overall == pytest.approx(50.0)  # a met, b trusted, c counted: 1 of 2
    assert result.level("na") == 1
    [blocker] = result.catalogs["na"].blockers
    assert blocker.criterion == "na:c"
    assert blocker.detail.endswith("never accepted for this criterion: counted as not met")
    assert "(trusted, 1 counted as not met (never accepted by the catalog))" in result.explain()
    assert (
        readiness.load_catalog(tmp_path / "na.toml").criteria["na:c"].accepts_not_applicable
        is False
    )


def test_accepts_not_applicable_is_validated(tmp_path: Path) -> None:
    """Only true or false; the error names file, line, criterion and value."""
    with pytest.raises(errors.CatalogError) as caught:
        load(tmp_path, HEAD + crit("a", 1) + crit("b", 2, 'accepts_not_applicable = "no"'))
    [problem] = caught.value.problems
    assert problem.criterion == "b"
    assert problem.line is not None
    assert "must be true or false, not" in problem.message


def test_option_is_checked(catalog: readiness.Catalog) -> None:
    item = Assessment(facility=HOSPITAL, date=DAY, records=CLAIMS)
    with pytest.raises(errors.OptionError, match="not_applicable must be 'trust' or 'dispute'"):
        readiness.score(catalog, item, not_applicable="ignore")  # type: ignore[arg-type]


def test_summaries_and_plans_carry_the_claims(catalog: readiness.Catalog) -> None:
    """Groups count claims and rows; the summary lists criteria; plans follow the policy."""
    items = [
        Assessment(facility=HOSPITAL, date=DAY, records=CLAIMS),
        Assessment(facility=CLINIC, date=DAY, records=CLAIMS),
    ]
    table = readiness.score_many(catalog, items)
    assert table.disputed.tolist() == [2, 1]
    assert [r["disputed"] for r in table.to_records()] == [2, 1]
    summary = readiness.summarize(table, by="kind", target="na@2")
    assert (summary.total.disputed, summary.total.disputed_rows) == (3, 2)
    assert summary.disputed == (("na:b", 2), ("na:c", 1))
    assert summary.not_applicable == "trust"
    assert summary.total.meeting_target == 2
    disputed = readiness.score_many(catalog, items, not_applicable="dispute")
    assert readiness.summarize(disputed, by=(), target="na@2").total.meeting_target == 0
    trusted_plans = readiness.plan_many(catalog, table, "na@2")
    disputed_plans = readiness.plan_many(catalog, disputed, "na@2")  # the table's policy
    assert [r["steps"] for r in trusted_plans.to_records()] == [0, 0]
    assert [r["steps"] for r in disputed_plans.to_records()] == [2, 1]
    assert readiness.plan(catalog, items[0], "na@2", not_applicable="dispute").steps


def test_command_line_policy_and_notice(tmp_path: Path, catalog: readiness.Catalog) -> None:
    """--not-applicable dispute changes the scores; stderr says how many claims are disputed."""
    (tmp_path / "f.csv").write_text(
        "id,name,kind,ownership,beds,region\nh,H,hospital,public,10,X\n", encoding="utf-8"
    )
    (tmp_path / "a.csv").write_text(
        "facility_id,date,criterion,status,reason\nh,2026-01-01,na:a,met,\n"
        "h,2026-01-01,na:b,not_applicable,no\nh,2026-01-01,na:c,not_applicable,no\n",
        encoding="utf-8",
    )
    base = [sys.executable, "-m", "readiness", "score", "--catalog", str(tmp_path / "na.toml")]
    base += ["--facilities", str(tmp_path / "f.csv"), "--assessments", str(tmp_path / "a.csv")]
    base += ["--format", "json"]
    trusted = subprocess.run(base, capture_output=True, text=True, check=False)
    assert trusted.returncode == 0, trusted.stderr
    assert json.loads(trusted.stdout)[0]["overall"] == 100.0
    assert trusted.stderr == (
        "readiness: 2 not-applicable claims in 1 assessments are disputed (the catalog says "
        "the criterion applies); trusted (--not-applicable)\n"
    )
    disputed = subprocess.run(
        [*base, "--not-applicable", "dispute"], capture_output=True, text=True, check=False
    )
    assert json.loads(disputed.stdout)[0]["overall"] == pytest.approx(33.3333, abs=1e-3)
    assert "counted as not met" in disputed.stderr
