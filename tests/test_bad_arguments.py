"""Bad arguments get typed errors from ``readiness.errors``, never bare built-in exceptions.

Also pins the numeric limits that keep results exact: weight profiles are summed in double
precision, catalogs with weights that single precision cannot sum exactly remove not-applicable
weights in double precision, efforts, costs and weights have documented maxima, and a plan that
would end after 9999-12-31 is refused. Found by fuzzing (random catalogs, assessments and
options); each case is a regression test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import readiness
from readiness import Assessment, Facility, Record, Target, errors

MINI = Path(__file__).parent / "data" / "mini.toml"
DAY = dt.date(2026, 1, 1)
HOSPITAL = Facility(id="F1", kind="hospital", ownership="public")


@pytest.fixture(scope="module")
def mini() -> readiness.Catalog:
    return readiness.load_catalog(MINI)


def flat(tmp_path: Path, weights: dict[str, float]) -> readiness.Catalog:
    """One level, one domain, no prerequisites: criterion id -> catalog weight."""
    text = (
        'format = 1\n[catalog]\nid = "w"\ntitle = { en = "w", vi = "w" }\nversion = "1"\n'
        '[domains.core]\ntitle = { en = "core", vi = "core" }\n'
        '[[level]]\nnumber = 1\ntitle = { en = "L1", vi = "M1" }\n'
    )
    for cid, weight in weights.items():
        text += (
            f'[[criterion]]\nid = "{cid}"\ntitle = {{ en = "{cid}", vi = "{cid}" }}\n'
            f'domain = "core"\nlevel = 1\nweight = {weight}\nsource = {{ grade = "inferred" }}\n'
        )
    path = tmp_path / "w.toml"
    path.write_text(text, encoding="utf-8")
    return readiness.load_catalog(path)


def assess(records: dict[str, Any]) -> Assessment:
    return Assessment(facility=HOSPITAL, date=DAY, records=records)


# --------------------------------------------------------------------------- exact sums


@pytest.mark.parametrize("weight", [1e-3, 1e-5, 7e-6, 1e-8, 1e-12])
def test_a_uniform_weight_profile_changes_no_score(tmp_path: Path, weight: float) -> None:
    """Rule 4: scores are shares, so giving every criterion the same weight changes nothing.

    Was computed as a single-precision correction of the catalog-weight sums: 1e-5 gave
    100.06 for "all met", 1e-8 gave no score at all.
    """
    cat = flat(tmp_path, {"a": 1, "b": 1, "c": 1})
    profile = {"criteria": {"a": weight, "b": weight, "c": weight}}
    all_met = readiness.score(cat, assess({"a": "met", "b": "met", "c": "met"}), weights=profile)
    one = readiness.score(cat, assess({"a": "met", "b": "not_met"}), weights=profile)
    assert all_met.overall == pytest.approx(100.0, abs=1e-3)
    assert one.overall == pytest.approx(100 / 3, abs=1e-3)
    assert one.by_domain["w:core"] == pytest.approx(100 / 3, abs=1e-3)


def test_a_profile_weight_far_below_the_catalog_weight_is_exact(tmp_path: Path) -> None:
    """b (catalog weight 2) re-weighted to 0.001, met; a (1) not met: 100 x 0.001 / 1.001."""
    cat = flat(tmp_path, {"a": 1, "b": 2})
    result = readiness.score(
        cat, assess({"a": "not_met", "b": "met"}), weights={"criteria": {"b": 0.001}}
    )
    assert result.overall == pytest.approx(100 * 0.001 / 1.001, abs=1e-4)


def test_large_domain_weights_give_the_weighted_mean(mini: readiness.Catalog) -> None:
    """Domain weights only matter relative to each other: 1e6 and 1e6 is an equal mean."""
    records = {"lan": "met", "servers": "met", "his": "met", "ward": "not_met", "pacs": "met"}
    equal = readiness.score(mini, assess(records), weights={"domains": {"mini:infra": 1}})
    big = {"domains": {"mini:infra": 1e6, "mini:care": 1e6}}
    assert readiness.score(mini, assess(records), weights=big).overall == equal.overall


def test_not_applicable_weight_is_removed_exactly_with_uneven_weights(tmp_path: Path) -> None:
    """Weights 999.9 and 0.1 are not exact in single precision. With the heavy criterion not
    applicable, the domain's applicable weight is 0.1 + 0.1, so one met of two is 50 %.
    (Removing 999.9 from 1000.1 in single precision left 0.2000122: 49.997 %.)"""
    cat = flat(tmp_path, {"heavy": 999.9, "b": 0.1, "c": 0.1})
    na = Record(status="not_applicable", reason="no such service")
    result = readiness.score(cat, assess({"heavy": na, "b": "met", "c": "not_met"}))
    assert result.overall == pytest.approx(50.0, abs=1e-4)
    assert result.by_domain["w:core"] == pytest.approx(50.0, abs=1e-4)
    assert result.applicable == 2


# --------------------------------------------------------------------------- limits


@pytest.mark.parametrize("weight", [0, -1, 1_000_001, 1e39, float("inf"), float("nan"), True])
def test_profile_weights_outside_the_limits_are_option_errors(
    mini: readiness.Catalog, weight: Any
) -> None:
    with pytest.raises(errors.OptionError, match="at most 1,000,000"):
        readiness.score(mini, assess({}), weights={"criteria": {"lan": weight}})


def test_catalog_weight_and_estimates_have_maxima(tmp_path: Path) -> None:
    """Catalog weights at most 1,000,000; estimates at most 36,500 days and 1e15 VND."""
    with pytest.raises(errors.CatalogError, match=r"weight.*at most 1e\+06"):
        flat(tmp_path, {"a": 2_000_000})
    text = MINI.read_text(encoding="utf-8").replace(
        'id = "lan"', 'id = "lan"\nestimate = { effort_days = 40000, cost_vnd = 2e15, basis = "x" }'
    )
    path = tmp_path / "mini.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(errors.CatalogError) as caught:
        readiness.load_catalog(path)
    messages = str(caught.value)
    assert "key 'effort_days': must be at most 36,500 (got 40000)" in messages
    assert "key 'cost_vnd': must be at most 1e+15" in messages


def test_a_plan_past_9999_is_a_plan_error(mini: readiness.Catalog) -> None:
    with pytest.raises(errors.PlanError, match="9999-12-31"):
        readiness.plan(mini, assess({}), "mini@2", start=dt.date(9999, 12, 1))
    with pytest.raises(errors.PlanError, match="facility 'F1'"):
        readiness.plan_many(mini, [assess({})], "mini@2", start=dt.date(9999, 12, 1))
    # the longest allowed efforts, one at a time, still fit from 2026
    plan = readiness.plan(mini, assess({}), "mini@2", default_effort_days=36_500, max_parallel=1)
    assert plan.finish is not None
    assert plan.finish.year > 2400  # 4 steps of 36,500 days: 400 years


# --------------------------------------------------------------------------- argument types

BAD_CALLS: dict[str, tuple[type[errors.ReadinessError], Callable[[readiness.Catalog], Any]]] = {
    "target with a superscript level": (
        errors.OptionError,
        lambda c: Target.parse("mini@²"),
    ),
    "target text not a string": (errors.OptionError, lambda c: Target.parse(2)),  # type: ignore[arg-type]
    "level as text": (errors.OptionError, lambda c: Target(catalog="mini", level="1")),  # type: ignore[arg-type]
    "level as a fraction": (errors.OptionError, lambda c: Target(catalog="mini", level=1.5)),  # type: ignore[arg-type]
    "criteria not ids": (errors.OptionError, lambda c: Target(criteria=[1])),  # type: ignore[list-item]
    "as_of as text": (
        errors.OptionError,
        lambda c: readiness.score(c, assess({}), as_of="2027-01-01"),  # type: ignore[arg-type]
    ),
    "as_of as a datetime": (
        errors.OptionError,
        lambda c: readiness.score_many(
            c, [assess({})], as_of=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        ),
    ),
    "estimates not a mapping": (
        errors.OptionError,
        lambda c: readiness.plan(c, assess({}), "mini@2", estimates=[("lan", {})]),  # type: ignore[arg-type]
    ),
    "an estimate not a mapping": (
        errors.OptionError,
        lambda c: readiness.plan(c, assess({}), "mini@2", estimates={"lan": 5}),  # type: ignore[dict-item]
    ),
    "an effort over the maximum": (
        errors.OptionError,
        lambda c: readiness.plan(c, assess({}), "mini@2", estimates={"lan": {"effort_days": 1e19}}),
    ),
    "default effort over the maximum": (
        errors.OptionError,
        lambda c: readiness.plan(c, assess({}), "mini@2", default_effort_days=10**7),
    ),
    "weights.criteria not a mapping": (
        errors.OptionError,
        lambda c: readiness.score(c, assess({}), weights={"criteria": [1]}),
    ),
    "explain in an unknown language": (
        errors.OptionError,
        lambda c: readiness.score(c, assess({})).explain(lang="xx"),
    ),
    "records in an unknown language": (
        errors.OptionError,
        lambda c: readiness.score_many(c, [assess({})]).to_records(lang="xx"),
    ),
    "plan text in an unknown language": (
        errors.OptionError,
        lambda c: readiness.plan(c, assess({}), "mini@2").explain(lang="xx"),
    ),
    "target description in an unknown language": (
        errors.OptionError,
        lambda c: Target.parse("mini@2").describe(c, lang="xx"),
    ),
    "summarize by a number": (
        errors.OptionError,
        lambda c: readiness.summarize(readiness.score_many(c, [assess({})]), by=5),  # type: ignore[arg-type]
    ),
    "summarize top as text": (
        errors.OptionError,
        lambda c: readiness.summarize(readiness.score_many(c, [assess({})]), top="3"),  # type: ignore[arg-type]
    ),
    "summarize spent as a list": (
        errors.OptionError,
        lambda c: readiness.summarize(readiness.score_many(c, [assess({})]), spent=[1]),  # type: ignore[arg-type]
    ),
    "summarize previous not a table": (
        errors.OptionError,
        lambda c: readiness.summarize(
            readiness.score_many(c, [assess({})]),
            previous=[assess({})],  # type: ignore[arg-type]
        ),
    ),
    "obligation of a number": (
        errors.OptionError,
        lambda c: readiness.Obligation(name="x", target="mini@1", obliged=5),
    ),
    "score_many of None": (errors.OptionError, lambda c: readiness.score_many(c, None)),  # type: ignore[arg-type]
    "catalog given as a number": (errors.UnknownCatalogError, lambda c: readiness.load_catalog(5)),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_argument_is_a_typed_error(mini: readiness.Catalog, name: str) -> None:
    kind, call = BAD_CALLS[name]
    with pytest.raises(kind):
        call(mini)


def test_facility_id_with_surrounding_spaces_is_refused() -> None:
    """Readers trim cells, so " F1" would be written and read back as "F1": refuse it."""
    with pytest.raises(ValueError, match="must not start or end with spaces"):
        Facility(id=" F1", kind="hospital", ownership="public")
