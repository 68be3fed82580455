"""Property tests of the scoring rules (docs/scoring.md); each class pins one rule."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import readiness
from readiness import Assessment, Record, Status
from readiness.errors import CycleError
from tests.oracle import oracle
from tests.strategies import assessments, catalog_sets, catalog_toml, load_specs

TOLERANCE = 1e-3  # scores are single precision, reported to 4 decimals (0-100 scale)


def close(a: float | None, b: float | None, tol: float = TOLERANCE) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, abs_tol=tol)


@st.composite
def scenario(
    draw: st.DrawFn, **kwargs: Any
) -> tuple[readiness.Catalog, list[Assessment], list[dict[str, Any]]]:
    specs = draw(catalog_sets(**kwargs))
    catalog = load_specs(specs)
    return catalog, draw(assessments(catalog)), specs


def assert_matches_oracle(score: readiness.Score, expected: dict[str, Any]) -> None:
    assert close(score.overall, expected["overall"]), (score.overall, expected["overall"])
    for domain, value in expected["by_domain"].items():
        assert close(score.by_domain[domain], value), domain
    for catalog_id, want in expected["catalogs"].items():
        got = score.catalogs[catalog_id]
        assert got.level == want["level"], catalog_id
        assert close(got.progress, want["progress"], 2e-4), (
            catalog_id,
            got.progress,
            want["progress"],
        )
        assert close(got.score, want["score"]), catalog_id
        for number, value in want["by_level"].items():
            assert close(got.by_level[number], value), (catalog_id, number)
        assert sorted(b.criterion for b in got.blockers) == want["blockers"], catalog_id
    assert sorted(b.criterion for b in score.unsupported) == expected["unsupported"]
    assert sorted(score.gaps) == expected["gaps"]
    assert score.applicable == expected["applicable"]
    assert score.met == expected["met"]


class TestKernelEqualsOracle:
    """One implementation of the rules: the vectorised kernel gives, for every facility, exactly
    what the straightforward per-facility reference implementation (tests/oracle.py) gives:
    overall, domain, level and catalog scores, gated levels, progress, blockers, unsupported
    claims, data gaps and counts, under both policies and with a weight profile."""

    @given(
        scenario(), st.sampled_from(["strict", "lenient"]), st.sampled_from(["trust", "dispute"])
    )
    def test_every_figure(self, case: Any, policy: str, not_applicable: str) -> None:
        catalog, items, _ = case
        table = readiness.score_many(
            catalog,
            items,
            policy=policy,
            not_applicable=not_applicable,  # type: ignore[arg-type]
        )
        for j, assessment in enumerate(items):
            expected = oracle(catalog, assessment, policy=policy, not_applicable=not_applicable)
            assert_matches_oracle(table[j], expected)
            assert sorted(b.criterion for b in table[j].disputed) == expected["disputed"]
            assert int(table.disputed[j]) == len(expected["disputed"])

    @given(scenario(), st.data())
    def test_weight_profile(self, case: Any, data: st.DataObject) -> None:
        catalog, items, _ = case
        keys = list(catalog.criteria)
        chosen = data.draw(st.lists(st.sampled_from(keys), max_size=4, unique=True))
        weights: dict[str, Any] = {
            "criteria": {k: data.draw(st.sampled_from([0.25, 2.0, 5.0])) for k in chosen}
        }
        domains = [
            d for f in catalog.frameworks.values() for d in (f"{f.id}:{x}" for x in f.domains)
        ]
        if data.draw(st.booleans()):
            weights["domains"] = {
                d: data.draw(st.sampled_from([0.5, 3.0]))
                for d in data.draw(st.lists(st.sampled_from(domains), max_size=2, unique=True))
            }
        na = data.draw(st.sampled_from(["trust", "dispute"]))
        table = readiness.score_many(catalog, items, weights=weights, not_applicable=na)
        for j, assessment in enumerate(items):
            expected = oracle(catalog, assessment, weights=weights, not_applicable=na)
            assert_matches_oracle(table[j], expected)


class TestMonotone:
    """Meeting one more criterion never lowers any score or level (strict policy): turning an
    applicable criterion that is not met into a valid, fully covered `met` record can only add
    credit to it and support to its dependents."""

    @given(scenario(), st.data())
    def test_one_more_met(self, case: Any, data: st.DataObject) -> None:
        catalog, items, _ = case
        before = readiness.score_many(catalog, items)
        j = data.draw(st.integers(0, len(items) - 1))
        candidates = [
            key
            for key, code in zip(before.compiled.keys, before.state[:, j], strict=True)
            if code >= 2 and code != 2  # applicable and not effectively met (kernel codes)
        ]
        assume(candidates)
        key = data.draw(st.sampled_from(sorted(candidates)))
        assessment = items[j]
        records = {catalog.resolve(k): r for k, r in assessment.records.items()}
        records[key] = Record(status=Status.MET, coverage=1.0)
        improved = attrs.evolve(assessment, records=records)
        after = readiness.score(catalog, improved)
        old = before[j]
        for a, b in [
            (old.overall, after.overall),
            *((old.by_domain[d], after.by_domain[d]) for d in old.by_domain),
        ]:
            assert (a is None and b is None) or b >= a - TOLERANCE
        for catalog_id, result in old.catalogs.items():
            new = after.catalogs[catalog_id]
            assert (new.level or 0) >= (result.level or 0)
            assert (
                new.score is None or result.score is None or new.score >= result.score - TOLERANCE
            )
            for number, value in result.by_level.items():
                if value is not None:
                    assert new.by_level[number] >= value - TOLERANCE


class TestScoreRange:
    """Scores lie in [0, 100] or are None (nothing applies); progress lies in [0, 1] or is None
    (at the top level or nothing applies); levels lie in 0..N or are None."""

    @given(scenario(), st.sampled_from(["strict", "lenient"]))
    def test_ranges(self, case: Any, policy: str) -> None:
        catalog, items, _ = case
        table = readiness.score_many(catalog, items, policy=policy)
        for score in table:
            values = [score.overall, *score.by_domain.values()]
            for result in score.catalogs.values():
                values += [result.score, *result.by_level.values()]
                top = len(catalog.frameworks[result.catalog].levels)
                assert result.level is None or 0 <= result.level <= top
                assert result.progress is None or 0 <= result.progress <= 1
                assert (result.next_level is None) == (result.level is None or result.level == top)
            for value in values:
                assert value is None or 0 <= value <= 100


class TestStrictAtMostLenient:
    """The strict policy never gives more than the lenient one: it only withholds credit from
    claims whose prerequisites are not effectively met."""

    @given(scenario())
    def test_strict_leq_lenient(self, case: Any) -> None:
        catalog, items, _ = case
        strict = readiness.score_many(catalog, items, policy="strict")
        lenient = readiness.score_many(catalog, items, policy="lenient")
        for s, le in zip(strict, lenient, strict=True):
            pairs = [
                (s.overall, le.overall),
                *((s.by_domain[d], le.by_domain[d]) for d in s.by_domain),
            ]
            for catalog_id, result in s.catalogs.items():
                other = le.catalogs[catalog_id]
                pairs.append((result.score, other.score))
                assert (result.level or 0) <= (other.level or 0)
            for a, b in pairs:
                assert (a is None and b is None) or a <= b + TOLERANCE
            assert s.met <= le.met


class TestNotApplicableIsTransparent:
    """Criteria that do not apply are transparent: scoring with criterion X recorded
    not_applicable gives the same results, for every other criterion and every score, as
    scoring a catalog where X is removed and its prerequisites are linked to its dependents."""

    @given(scenario(max_catalogs=2), st.data())
    def test_contraction(self, case: Any, data: st.DataObject) -> None:
        catalog, items, specs = case
        spec_index = data.draw(st.integers(0, len(specs) - 1))
        spec = specs[spec_index]
        victim = data.draw(st.sampled_from(spec["criterion"]))
        same_level = [
            c
            for c in spec["criterion"]
            if c["level"] == victim["level"]
            and c.get("bundle") == victim.get("bundle")
            and "legacy" not in c
        ]
        assume("bundle" not in victim and len(same_level) > 1 and "legacy" not in victim)
        assume(victim.get("accepts_not_applicable", True))  # trusted (the default policy)
        cat_id = spec["catalog"]["id"]
        key = f"{cat_id}:{victim['id']}"
        contracted = _contract(specs, spec_index, victim)
        smaller = load_specs(contracted)
        marked = [
            attrs.evolve(
                a,
                records={
                    **{catalog.resolve(k): r for k, r in a.records.items()},
                    key: Record(status=Status.NOT_APPLICABLE, reason="test"),
                },
            )
            for a in items
        ]
        full = readiness.score_many(catalog, marked)
        small = readiness.score_many(
            smaller,
            [
                attrs.evolve(a, records={k: r for k, r in a.records.items() if k != key})
                for a in marked
            ],
        )
        for a, b in zip(full, small, strict=True):
            assert close(a.overall, b.overall)
            assert a.by_domain.keys() == b.by_domain.keys()
            for d in a.by_domain:
                assert close(a.by_domain[d], b.by_domain[d])
            for catalog_id, result in a.catalogs.items():
                other = b.catalogs[catalog_id]
                assert result.level == other.level
                assert close(result.progress, other.progress, 2e-4)
                assert sorted(x.criterion for x in result.blockers) == sorted(
                    x.criterion for x in other.blockers
                )
            assert sorted(x.criterion for x in a.unsupported) == sorted(
                x.criterion for x in b.unsupported
            )


def _contract(
    specs: list[dict[str, Any]], index: int, victim: dict[str, Any]
) -> list[dict[str, Any]]:
    import copy

    out = copy.deepcopy(specs)
    cat_id = out[index]["catalog"]["id"]
    out[index]["criterion"] = [c for c in out[index]["criterion"] if c["id"] != victim["id"]]
    own = [r if ":" in r else f"{cat_id}:{r}" for r in victim.get("requires", [])]
    for spec in out:
        this = spec["catalog"]["id"]
        for criterion in spec["criterion"]:
            reqs = criterion.get("requires", [])
            qualified = [r if ":" in r else f"{this}:{r}" for r in reqs]
            if f"{cat_id}:{victim['id']}" not in qualified:
                continue
            merged = [q for q in qualified if q != f"{cat_id}:{victim['id']}"]
            merged += [q for q in own if q not in merged]
            criterion["requires"] = [
                q.split(":", 1)[1] if q.startswith(f"{this}:") else q for q in merged
            ]
            needed = {q.split(":", 1)[0] for q in merged} - {this}
            if needed:
                spec["catalog"]["requires"] = sorted(
                    set(spec["catalog"].get("requires", [])) | needed
                )
    return out


class TestOrderInvariance:
    """Results do not depend on the order of facilities in the input nor on the order of
    criteria in catalog files."""

    @given(scenario(), st.randoms(use_true_random=False))
    def test_facility_order(self, case: Any, rnd: random.Random) -> None:
        catalog, items, _ = case
        shuffled = items[:]
        rnd.shuffle(shuffled)
        first = {s.facility.id: s for s in readiness.score_many(catalog, items)}
        second = {s.facility.id: s for s in readiness.score_many(catalog, shuffled)}
        assert first == second

    @given(scenario(max_catalogs=2), st.randoms(use_true_random=False))
    def test_criterion_order_in_files(self, case: Any, rnd: random.Random) -> None:
        catalog, items, specs = case
        shuffled = [
            dict(spec, criterion=rnd.sample(spec["criterion"], len(spec["criterion"])))
            for spec in specs
        ]
        other = load_specs(shuffled)
        moved = [attrs.evolve(a, records=dict(a.records)) for a in items]
        left = readiness.score_many(catalog, items)
        right = readiness.score_many(other, moved)
        for a, b in zip(left, right, strict=True):
            assert a.overall == b.overall
            assert a.by_domain == b.by_domain
            assert {
                k: (v.level, v.progress, v.score, sorted(x.criterion for x in v.blockers))
                for k, v in a.catalogs.items()
            } == {
                k: (v.level, v.progress, v.score, sorted(x.criterion for x in v.blockers))
                for k, v in b.catalogs.items()
            }


class TestScoreIsARowOfScoreMany:
    """`score` is `score_many` on a batch of one: for every facility of a batch, scoring it
    alone gives the same Score as its row of the batch."""

    @given(scenario(), st.sampled_from(["strict", "lenient"]))
    def test_row(self, case: Any, policy: str) -> None:
        catalog, items, _ = case
        table = readiness.score_many(catalog, items, policy=policy)
        for j, assessment in enumerate(items):
            assert readiness.score(catalog, assessment, policy=policy) == table[j]

    @given(scenario(), st.integers(1, 3))
    def test_chunks(self, case: Any, size: int) -> None:
        catalog, items, _ = case
        whole = readiness.score_many(catalog, items)
        matrix = readiness.StatusMatrix.from_assessments(catalog, items)
        chunked = readiness.score_many(catalog, matrix.chunks(size))
        assert list(whole) == list(chunked)
        assert np.array_equal(whole.state, chunked.state)


class TestCatalogRoundTrip:
    """Random valid acyclic catalog sets (with cross-catalog prerequisites) survive
    write -> load unchanged: every criterion keeps its level, domain, weight, prerequisites,
    condition, bundle, coverage and legacy flag."""

    @given(catalog_sets())
    def test_write_load(self, specs: list[dict[str, Any]]) -> None:
        catalog = load_specs(specs)
        for spec in specs:
            cat_id = spec["catalog"]["id"]
            assert len(catalog.frameworks[cat_id].criteria) == len(spec["criterion"])
            for c in spec["criterion"]:
                got = catalog.criteria[f"{cat_id}:{c['id']}"]
                assert got.level == c["level"]
                assert got.domain == c["domain"]
                assert got.weight == c.get("weight", 1.0)
                want = sorted(r if ":" in r else f"{cat_id}:{r}" for r in c.get("requires", []))
                assert sorted(got.prerequisites) == want
                assert got.bundle == c.get("bundle")
                assert got.min_coverage == c.get("min_coverage")
                assert (got.legacy is not None) == ("legacy" in c)
                assert got.applies_to.always == ("applies_to" not in c)


class TestCyclesRejected:
    """A catalog whose prerequisites form a cycle is rejected with a CycleError that prints a
    cycle through the offending criteria."""

    @given(catalog_sets(max_catalogs=1), st.data())
    def test_back_edge(self, specs: list[dict[str, Any]], data: st.DataObject) -> None:
        spec = specs[0]
        with_edges = [c for c in spec["criterion"] if c.get("requires")]
        assume(with_edges)
        dependent = data.draw(st.sampled_from(with_edges))
        target_id = data.draw(st.sampled_from(dependent["requires"]))
        target = next(c for c in spec["criterion"] if c["id"] == target_id)
        target.setdefault("requires", []).append(dependent["id"])
        with pytest.raises(CycleError) as caught:
            load_specs(specs)
        cycle = caught.value.cycle
        assert cycle[0] == cycle[-1]
        assert f"cat0:{dependent['id']}" in cycle
        assert f"cat0:{target_id}" in cycle
        assert " -> ".join(cycle) in str(caught.value)


def test_catalog_toml_is_readable() -> None:
    """The strategy's TOML writer produces what the loader reads (guards the strategies)."""
    spec = {
        "catalog": {"id": "solo", "title": {"en": "S", "vi": "S"}, "version": "1"},
        "domains": ["d0"],
        "level": [{"number": 1, "title": {"en": "L1", "vi": "M1"}}],
        "criterion": [
            {
                "id": "c0",
                "title": {"en": "C", "vi": "C"},
                "domain": "d0",
                "level": 1,
                "source": {"grade": "inferred"},
            }
        ],
    }
    assert "solo" in catalog_toml(spec)
    assert len(load_specs([spec])) == 1
    assert dt.date  # keep the import used in strategies' helpers
