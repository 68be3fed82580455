"""Peer analytics (readiness.peers): peer groups, benchmarks, peer-informed steps, forecasts.

Planted-structure thresholds (stated here and in docs/peers.md):

* peer groups: on three planted groups with clearly different domain profiles, the recovered
  groups agree with the planted ones with an adjusted Rand index >= 0.8 (number of groups chosen
  by BIC, and given); on unequal planted groups (500/100/20 and 500/150/60/20, mixed kinds,
  noise) ARI >= 0.8 in at least 5 of 6 seeds and >= 0.9 on average, the count chosen;
* adoption order from histories: the top suggestion is the criterion the asker adopts next for
  >= 80 % of askers (3,000 facilities, 6 rounds, 200 askers);
* peer-informed suggestions: where facilities further along adopted six criteria in a known order
  (and same-level decoys in the reverse order), the suggestions order pairs of those criteria as
  the planted order does in >= 85 % of pairs (strict: ties count as wrong) and put the first
  adopted criterion first for >= 90 % of the facilities asking.

All data is SYNTHETIC and seeded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import readiness
from readiness import Facility, StatusMatrix, _peers_planted, synthetic
from readiness._catalog import Text
from readiness._compile import compile_catalog
from readiness._matrix import MET, NOT_MET, PARTIAL
from readiness.errors import NotFittedError, OptionError, PlanError
from readiness.peers import (
    PeerAdvisor,
    PeerGroups,
    bed_band,
    benchmark,
    forecast,
    rerank,
)

DAY0 = dt.date(2020, 1, 1)
GROUP_ARI = 0.8
PAIR_ACCURACY = 0.85
TOP1_ACCURACY = 0.90


# --------------------------------------------------------------------------- helpers


def write_catalog(
    tmp_path: Path,
    name: str,
    domains: Sequence[str],
    levels: int,
    criteria: Sequence[tuple[str, str, int, Sequence[str]]],
    applies_to: str = "",
) -> readiness.Catalog:
    """Write a small SYNTHETIC catalog: criteria are (id, domain, level, requires)."""
    text = [
        "# SYNTHETIC test catalog",
        "format = 1",
        "[catalog]",
        f'id = "{name}"',
        f'title = {{ en = "{name}", vi = "{name}" }}',
        'version = "1.0"',
    ]
    for d in domains:
        text += [f"[domains.{d}]", f'title = {{ en = "{d}", vi = "{d}" }}']
    for n in range(1, levels + 1):
        text += ["[[level]]", f"number = {n}", f'title = {{ en = "L{n}", vi = "M{n}" }}']
    for cid, domain, lvl, requires in criteria:
        text += [
            "[[criterion]]",
            f'id = "{cid}"',
            f'title = {{ en = "Criterion {cid}", vi = "Tieu chi {cid}" }}',
            f'domain = "{domain}"',
            f"level = {lvl}",
            f"requires = {json.dumps(list(requires))}",
            'source = { grade = "inferred" }',
        ]
        if applies_to:
            text.append(f"applies_to = {applies_to}")
    path = tmp_path / f"{name}.toml"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return readiness.load_catalog(path)


def matrix(
    catalog: readiness.Catalog,
    facilities: Sequence[Facility],
    met: dict[str, np.ndarray],
    *,
    rows: np.ndarray | None = None,
    dates: np.ndarray | None = None,
    progress: dict[str, np.ndarray] | None = None,
) -> StatusMatrix:
    """Build a status matrix from boolean 'met' columns and 'partial' progress per criterion."""
    compiled = compile_catalog(catalog)
    count = len(facilities) if rows is None else len(rows)
    status = np.full((compiled.size, count), NOT_MET, dtype=np.uint8)
    values = np.zeros((compiled.size, count))
    for key, column in met.items():
        i = compiled.index[catalog.resolve(key)]
        status[i, column] = MET
    for key, column in (progress or {}).items():
        i = compiled.index[catalog.resolve(key)]
        partial = column > 0
        status[i, partial] = PARTIAL
        values[i, partial] = column[partial]
    return StatusMatrix(
        catalog=catalog,
        facilities=tuple(facilities),
        rows=np.arange(count) if rows is None else rows,
        dates=np.full(count, np.datetime64(DAY0, "D")) if dates is None else dates,
        status=status,
        progress=values,
        label=synthetic.LABEL,
    )


def permuted(m: StatusMatrix, perm: np.ndarray) -> StatusMatrix:
    """The same assessments with facilities (and columns) in another order."""
    return StatusMatrix(
        catalog=m.catalog,
        facilities=tuple(m.facilities[int(i)] for i in perm),
        rows=np.arange(len(perm)),
        dates=m.dates[perm],
        status=m.status[:, perm],
        progress=m.progress[:, perm],
        label=m.label,
    )


def kinds(n: int, rng: np.random.Generator) -> list[Facility]:
    out = []
    for i in range(n):
        kind = ["hospital", "clinic", "commune_station"][int(rng.integers(3))]
        out.append(
            Facility(
                id=f"SYN-{i:05d}",
                kind=kind,
                ownership="private" if kind == "clinic" else "public",
                beds=int(rng.integers(0, 600)) if kind == "hospital" else 0,
                region=f"Synthetic province {int(rng.integers(4))}",
            )
        )
    return out


@pytest.fixture(scope="module")
def emr() -> readiness.Catalog:
    return readiness.load_catalog("vn-emr")


@pytest.fixture(scope="module")
def national(emr: readiness.Catalog) -> tuple[StatusMatrix, readiness.ScoreTable]:
    m = synthetic.status_matrix(emr, 600, seed=11)
    return m, readiness.score_many(emr, m)


# --------------------------------------------------------------------------- import, fitting


def test_import_readiness_does_not_import_sklearn():
    code = "import sys, readiness, readiness.peers; print('sklearn' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_not_fitted_errors(national):
    _, table = national
    with pytest.raises(NotFittedError) as info:
        PeerGroups().predict(table)
    assert str(info.value) == ("this PeerGroups is not fitted yet: call fit(table) before using it")
    with pytest.raises(NotFittedError, match="this PeerAdvisor is not fitted yet"):
        PeerAdvisor().suggest(table, 0)
    with pytest.raises(NotFittedError):
        PeerAdvisor().tie_breaker(table, 0)
    # NotFittedError is also an AttributeError and a ValueError, as in scikit-learn
    assert issubclass(NotFittedError, AttributeError)
    assert issubclass(NotFittedError, ValueError)


def test_fit_returns_self_and_learned_attributes(national):
    _, table = national
    groups = PeerGroups(n_groups=4, random_state=0)
    assert groups.fit(table) is groups
    assert groups.labels_.shape == (len(table),)
    assert groups.centers_.shape == (4, groups.n_features_in_)
    assert len(groups.descriptions_) == 4
    assert groups.sizes_.sum() == len(table)
    assert groups.silhouette_ is not None
    assert groups.bic_scores_ == {}
    assert groups.n_groups_confidence_ is None
    np.testing.assert_array_equal(groups.predict(table), groups.labels_)
    advisor = PeerAdvisor()
    assert advisor.fit(table) is advisor
    assert advisor.catalog_ == "vn-emr"


def test_invalid_arguments(national):
    _, table = national
    with pytest.raises(OptionError, match="features must be 'domains' or 'criteria'"):
        PeerGroups(features="everything").fit(table)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="attributes: unknown attribute"):
        PeerGroups(attributes=("colour",)).fit(table)
    with pytest.raises(OptionError, match="n_groups must be a whole number >= 1"):
        PeerGroups(n_groups=0).fit(table)
    with pytest.raises(OptionError, match="random_state must be None or a whole number"):
        PeerGroups(random_state=1.5).fit(table)  # type: ignore[arg-type]
    stripped = readiness.score_many(table.catalog, table.sources[0], details=False)
    with pytest.raises(OptionError, match=r"details=True"):
        PeerAdvisor().fit(stripped)


def test_descriptions_are_sentences(national):
    _, table = national
    groups = PeerGroups(n_groups=3, random_state=0).fit(table)
    for g, text in enumerate(groups.descriptions_, start=1):
        assert text.startswith(f"Group {g} of 3: ")
        assert "typical level" in text
        assert "strongest domain" in text
        assert "weakest" in text
        assert "mostly" in text
        assert "typically" in text
        assert text.endswith(".")
    # groups are numbered by the mean overall score of their members
    means = [np.nanmean(table.overall[groups.labels_ == g]) for g in range(3)]
    assert means == sorted(means)


# --------------------------------------------------------------------------- determinism, order


def test_peer_groups_deterministic_with_random_state(national):
    _, table = national
    a = PeerGroups(random_state=7, max_groups=6).fit(table)
    b = PeerGroups(random_state=7, max_groups=6).fit(table)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.centers_, b.centers_)
    assert a.bic_scores_ == b.bic_scores_
    assert a.descriptions_ == b.descriptions_


def test_peer_groups_invariant_to_facility_order(emr, national):
    m, table = national
    perm = np.random.default_rng(5).permutation(len(m))
    table2 = readiness.score_many(emr, permuted(m, perm))
    for n_groups in (None, 5):
        a = PeerGroups(n_groups, random_state=3, max_groups=6, sample_size=400).fit(table)
        b = PeerGroups(n_groups, random_state=3, max_groups=6, sample_size=400).fit(table2)
        by_id_a = {table.facility(j).id: int(a.labels_[j]) for j in range(len(table))}
        by_id_b = {table2.facility(j).id: int(b.labels_[j]) for j in range(len(table2))}
        assert by_id_a == by_id_b
        np.testing.assert_array_equal(a.centers_, b.centers_)
        assert a.descriptions_ == b.descriptions_


def test_advisor_invariant_to_facility_order(emr, national):
    m, table = national
    perm = np.random.default_rng(6).permutation(len(m))
    table2 = readiness.score_many(emr, permuted(m, perm))
    a = PeerAdvisor().fit(table)
    b = PeerAdvisor().fit(table2)
    where = {table2.facility(j).id: j for j in range(len(table2))}
    for j in range(0, len(table), 37):
        sa = a.suggest(table, j)
        sb = b.suggest(table2, where[table.facility(j).id])
        assert sa == sb


# --------------------------------------------------------------------------- planted groups


def planted_groups(tmp_path: Path) -> tuple[readiness.ScoreTable, np.ndarray]:
    """Three planted groups of 200 facilities with clearly different domain profiles."""
    domains = ["d0", "d1", "d2", "d3"]
    criteria = [(f"c{d}{i}", f"d{d}", 1 + i % 2, ()) for d in range(4) for i in range(6)]
    catalog = write_catalog(tmp_path, "planted", domains, 2, criteria)
    rng = np.random.default_rng(2024)
    profiles = np.array(
        [
            [0.9, 0.9, 0.1, 0.1],  # infrastructure first
            [0.1, 0.1, 0.9, 0.9],  # clinical first
            [0.9, 0.9, 0.9, 0.9],  # mature everywhere
        ]
    )
    truth = np.repeat(np.arange(3), 200)
    rng.shuffle(truth)
    facilities = kinds(len(truth), rng)  # kinds independent of the groups: noise
    met = {}
    for cid, domain, _, _ in criteria:
        d = int(domain[1])
        met[cid] = rng.random(len(truth)) < profiles[truth, d]
    table = readiness.score_many(catalog, matrix(catalog, facilities, met))
    return table, truth


def test_planted_groups_are_recovered(tmp_path):
    from sklearn.metrics import adjusted_rand_score, homogeneity_score

    table, truth = planted_groups(tmp_path)
    # profile only (the default): BIC finds the three planted groups
    profile = PeerGroups(random_state=0).fit(table)
    assert profile.n_groups_ == 3
    assert adjusted_rand_score(truth, profile.labels_) >= GROUP_ARI
    assert profile.n_groups_confidence_ is not None
    assert 0 < profile.n_groups_confidence_ <= 1
    assert set(profile.bic_scores_) == set(range(1, 13))
    # the mature group has the highest mean overall score, so it is numbered last
    assert np.bincount(profile.labels_[truth == 2]).argmax() == 2
    # three groups asked for, profile by domains or by criteria
    given = PeerGroups(3, random_state=1).fit(table)
    assert adjusted_rand_score(truth, given.labels_) >= GROUP_ARI
    by_criteria = PeerGroups(3, features="criteria", random_state=2).fit(table)
    assert adjusted_rand_score(truth, by_criteria.labels_) >= GROUP_ARI
    # with the attributes asked for, kinds (independent of the planted groups) may split them
    # further, but no found group mixes planted groups
    chosen = PeerGroups(attributes=("kind", "ownership", "beds"), random_state=0).fit(table)
    assert homogeneity_score(truth, chosen.labels_) >= 0.95


UNEQUAL = ((500, 100, 20), (500, 150, 60, 20))


@pytest.fixture(scope="module")
def planted_catalog(tmp_path_factory: pytest.TempPathFactory) -> readiness.Catalog:
    path = tmp_path_factory.mktemp("planted") / "planted.toml"
    path.write_text(_peers_planted.planted_catalog(), encoding="utf-8")
    return readiness.load_catalog(path)


@pytest.mark.parametrize("sizes", UNEQUAL)
def test_unequal_planted_groups_are_recovered_with_the_count_chosen(planted_catalog, sizes):
    """Unequal groups, mixed kinds, noise: ARI >= 0.8 in at least 5 of 6 seeds, mean >= 0.9."""
    from sklearn.metrics import adjusted_rand_score

    scores = []
    for seed in range(6):
        m, truth = _peers_planted.planted_groups(planted_catalog, sizes, seed=seed)
        table = readiness.score_many(planted_catalog, m)
        groups = PeerGroups(random_state=0).fit(table)
        scores.append(adjusted_rand_score(truth, groups.labels_))
        assert groups.sizes_.min() > 0
    assert sum(s >= GROUP_ARI for s in scores) >= 5, scores
    assert np.mean(scores) >= 0.9, scores


def test_planted_groups_generator_is_seeded_and_synthetic(planted_catalog):
    a, truth_a = _peers_planted.planted_groups(planted_catalog, (30, 10), seed=3)
    b, truth_b = _peers_planted.planted_groups(planted_catalog, (30, 10), seed=3)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(truth_a, truth_b)
    assert np.bincount(truth_a).tolist() == [30, 10]
    assert a.label == synthetic.LABEL
    assert all(f.id.startswith("SYN-") for f in a.facilities)


# --------------------------------------------------------------------------- planted adoption

ADOPTION = ["xf", "xe", "xd", "xc", "xb", "xa"]  # first adopted first; key order is reversed
WEIGHTS = np.array([243.0, 81.0, 27.0, 9.0, 3.0, 1.0])  # each adopted 3x as often as the next


def adopted(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Two of the six x criteria, drawn without replacement with the given weights."""
    out = np.zeros(len(ADOPTION), dtype=bool)
    out[rng.choice(len(ADOPTION), size=2, replace=False, p=weights / weights.sum())] = True
    return out


def planted_adoption(
    tmp_path: Path, roles: Sequence[int] = (0, 1, 2)
) -> tuple[readiness.ScoreTable, np.ndarray]:
    """Facilities further along adopted ADOPTION in order; same-level decoys in reverse.

    Levels (rule all): 1 = b1, b2; 2 = m1, m2 (need b1); 3 = the six x criteria and four
    context criteria (need b1). Askers (role 2) are at level 1 with nothing else but a random
    context: their frontier is m1, m2, the six x and their unmet context criteria. Facilities
    further along (role 0, level 2) each adopted exactly two x criteria, earlier ones more
    often, so their profiles cannot tell which two; decoys (role 1) are at the askers' level,
    closer to them in profile, and adopted two x criteria in the reverse order. Kinds, bed bands
    and context patterns vary, so askers have different neighbours.
    """
    context = [f"k{i}" for i in range(4)]
    criteria = [
        ("b1", "base", 1, ()),
        ("b2", "base", 1, ()),
        ("m1", "mid", 2, ("b1",)),
        ("m2", "mid", 2, ("b1",)),
        *[(x, "adv", 3, ("b1",)) for x in ADOPTION],
        *[(c, "ctx", 3, ("b1",)) for c in context],
    ]
    catalog = write_catalog(tmp_path, "adoption", ["base", "mid", "adv", "ctx"], 3, criteria)
    rng = np.random.default_rng(99)
    role = np.array([0] * 1200 + [1] * 400 + [2] * 100)
    n = len(role)
    facilities = kinds(n, rng)
    met = {k: np.zeros(n, dtype=bool) for k, *_ in criteria}
    met["b1"][:] = met["b2"][:] = True
    met["m1"][role == 0] = met["m2"][role == 0] = True
    for c in context:
        met[c][:] = rng.random(n) < 0.5
    for j in range(n):
        if role[j] != 2:
            chosen = adopted(rng, WEIGHTS if role[j] == 0 else WEIGHTS[::-1])
            for i, x in enumerate(ADOPTION):
                met[x][j] = chosen[i]
    keep = np.flatnonzero(np.isin(role, roles))
    m = matrix(catalog, [facilities[j] for j in keep], {k: v[keep] for k, v in met.items()})
    table = readiness.score_many(catalog, m)
    return table, np.flatnonzero(role[keep] == 2)


def adoption_accuracy(table: readiness.ScoreTable, askers: np.ndarray) -> tuple[float, float]:
    """Share of x pairs ordered as planted (ties wrong), and of askers with the first on top."""
    advisor = PeerAdvisor(n_neighbors=20).fit(table)
    good = total = top = 0
    for j in askers:
        result = advisor.suggest(table, int(j))
        assert result.peer_level == 2
        support = {item.criterion.split(":")[1]: item.support for item in result.items}
        assert set(ADOPTION) <= set(support)
        assert support["m1"] == support["m2"] == 20  # every peer further along met them
        for first, later in itertools.combinations(ADOPTION, 2):
            total += 1
            good += support[first] > support[later]
        top += support[ADOPTION[0]] > max(support[x] for x in ADOPTION[1:])
    return good / total, top / len(askers)


def test_planted_adoption_order_is_recovered(tmp_path):
    table, askers = planted_adoption(tmp_path)
    k = table.catalog_row("adoption")
    assert set(table.level[k, askers].tolist()) == {1}
    pairs, top = adoption_accuracy(table, askers)
    assert pairs >= PAIR_ACCURACY
    assert top >= TOP1_ACCURACY


def test_suggestion_sentence_and_peers(tmp_path):
    table, askers = planted_adoption(tmp_path)
    j = int(askers[0])
    advisor = PeerAdvisor(n_neighbors=10).fit(table)
    result = advisor.suggest(table, j)
    assert len(result.peers) == 10
    assert table.facility(j).id not in result.peers
    k = table.catalog_row("adoption")
    where = {table.facility(i).id: i for i in range(len(table))}
    assert all(table.level[k, where[p]] >= 2 for p in result.peers)  # further along only
    item = next(i for i in result.items if i.criterion == "adoption:m1")
    assert item.sentence == "met by 10 of the 10 most similar facilities at level 2 or above"
    assert item.share == 1.0
    assert result.note == (
        "peers: the 10 most similar facilities at level 2 or above of adoption; "
        "ranked by what they have met now (no history)"
    )
    assert result.basis == "current"
    assert "adoption:m1: met by 10 of the 10" in result.explain()
    supports = [i.support for i in result.items]
    assert supports == sorted(supports, reverse=True)
    # a given frontier restricts the criteria weighed (keys qualified or short)
    only = advisor.suggest(table, j, frontier=["adoption:xa", "xb"])
    assert {i.criterion for i in only.items} == {"adoption:xa", "adoption:xb"}
    assert advisor.tie_breaker(table, j, frontier=["m1"]) == {"adoption:m1": 1.0}


def test_suggestions_at_the_top_and_without_peers(tmp_path):
    table, askers = planted_adoption(tmp_path)
    k = table.catalog_row("adoption")
    far = PeerAdvisor(min_level_gain=2).fit(table)
    at_two = int(np.flatnonzero(table.level[k] == 2)[0])
    result = far.suggest(table, at_two)
    assert result.items == ()
    assert result.peers == ()
    assert result.note == "no facility can be 2 levels further along"
    alone, alone_askers = planted_adoption(tmp_path, roles=(1, 2))  # nobody further along
    lonely = PeerAdvisor().fit(alone).suggest(alone, int(alone_askers[0]))
    assert lonely.items == ()
    assert lonely.note == "no facility at level 2 or above to learn from"
    assert lonely.explain().endswith("no facility at level 2 or above to learn from")
    few = PeerAdvisor(n_neighbors=2000).fit(table).suggest(table, int(askers[0]))
    assert len(few.peers) == 1200
    assert "(only 1200 such facilities)" in few.note


# --------------------------------------------------------------------------- rerank


def step(rank: int, key: str, **changes: object) -> readiness.NextStep:
    fields: dict[str, object] = {
        "rank": rank,
        "criterion": key,
        "title": Text(en=key, vi=key),
        "toward_target": True,
        "unblocks": 0,
        "remaining": 9,
        "due": dt.date(2026, 12, 31),
        "weight": 1.0,
        "effort_days": 30,
        "cost_vnd": 0.0,
        "reason": "needed",
    }
    fields.update(changes)
    return readiness.NextStep(**fields)  # type: ignore[arg-type]


def test_rerank_only_reorders_within_equal_rule_keys():
    steps = [
        step(1, "a", unblocks=3),
        step(2, "b"),
        step(3, "c"),
        step(4, "d"),
        step(5, "e", weight=0.5),
        step(6, "f", weight=0.5),
    ]
    support = {"a": 0.0, "b": 0.1, "c": 0.2, "d": 0.9, "e": 0.3, "f": 1.0}
    out = rerank(steps, support)
    assert [s.criterion for s in out] == ["a", "d", "c", "b", "f", "e"]
    assert [s.rank for s in out] == [1, 2, 3, 4, 5, 6]
    assert out[1].reason == "needed; tie broken by peer support (90%)"
    assert out[0] == steps[0]  # a rule-ranked first step never moves
    # equal support keeps the rule order; missing support counts 0
    assert [s.criterion for s in rerank(steps, {})] == [s.criterion for s in steps]


def rule_key(s: readiness.NextStep) -> tuple[object, ...]:
    return (s.toward_target, s.due, s.unblocks, s.weight, s.effort_days, s.cost_vnd)


def test_rerank_never_overrides_rules_on_a_real_plan(emr, national):
    _, table = national
    # level 3 of vn-emr: since data version 2026.12.0 the level-2 frontier of this sample has
    # almost no rule ties left for peers to break (the edges to the Circular 54 tiers are gone)
    plans = readiness.plan_many(emr, table, "vn-emr@3", k=12)
    advisor = PeerAdvisor().fit(table)
    moved = 0
    for j in range(0, len(table), 25):
        steps = plans.next_steps(j)
        out = rerank(steps, advisor.tie_breaker(table, j, frontier=steps))
        assert sorted(s.criterion for s in out) == sorted(s.criterion for s in steps)
        assert [rule_key(s) for s in out] == [rule_key(s) for s in steps]
        moved += sum(a.criterion != b.criterion for a, b in zip(out, steps, strict=True))
    assert moved > 0  # the data has ties for peers to break


# --------------------------------------------------------------------------- benchmarks


def test_percentiles_count_ties_half(tmp_path):
    catalog = write_catalog(
        tmp_path, "four", ["core"], 1, [(f"c{i}", "core", 1, ()) for i in range(4)]
    )
    facilities = [Facility(id=f"SYN-{i}", kind="clinic", ownership="private") for i in range(4)]
    counts = [1, 2, 2, 3]  # overall 25, 50, 50, 75
    met = {f"c{i}": np.array([c > i for c in counts]) for i in range(4)}
    table = readiness.score_many(catalog, matrix(catalog, facilities, met))
    result = benchmark(table, cohorts=("kind",), min_cohort=1)
    got = [result.facility(j).entry("kind").percentile for j in range(4)]
    assert got == [12.5, 50.0, 50.0, 87.5]


def test_benchmark_matches_brute_force(national):
    _, table = national
    groups = PeerGroups(4, random_state=0).fit(table)
    result = benchmark(table, groups=groups, min_cohort=1)
    assert result.cohorts == ("peer_group", "kind", "ownership", "bed_band", "region")
    for cohort in result.cohorts:
        code = result.cohort_codes[cohort]
        for m in (0, 5):
            values = result.values[m]
            for j in range(0, len(table), 41):
                if np.isnan(values[j]):
                    assert np.isnan(result.percentile[cohort][m, j])
                    continue
                peers = values[(code == code[j]) & ~np.isnan(values)]
                below = (peers < values[j]).sum()
                equal = (peers == values[j]).sum()
                expected = 100 * (below + 0.5 * equal) / len(peers)
                assert result.percentile[cohort][m, j] == pytest.approx(expected)
                assert result.size[cohort][m, j] == len(peers)


def test_tiny_cohorts_give_no_percentile(tmp_path):
    catalog = write_catalog(tmp_path, "tiny", ["core"], 1, [("c0", "core", 1, ())])
    facilities = [
        Facility(id=f"SYN-{i:02d}", kind="hospital" if i < 3 else "clinic", ownership="public")
        for i in range(13)
    ]
    met = {"c0": np.arange(13) % 2 == 0}
    table = readiness.score_many(catalog, matrix(catalog, facilities, met))
    result = benchmark(table, cohorts=("kind", "ownership"))
    hospital = result.facility(0).entry("kind")
    assert hospital.cohort_value == "hospital"
    assert hospital.size == 3
    assert hospital.percentile is None
    assert hospital.note == "cohort of 3 < 5: no percentile"
    assert hospital.explain() == "overall: kind 'hospital' (n=3): cohort of 3 < 5: no percentile"
    clinic = result.facility(5).entry("kind")
    assert clinic.size == 10
    assert clinic.percentile is not None
    assert clinic.note == ""
    assert result.facility(0).entry("ownership").size == 13
    assert result.facility("SYN-00").facility.id == "SYN-00"


def test_bed_bands():
    assert [bed_band(b) for b in (0, 1, 49, 50, 149, 150, 499, 500, 3000)] == [
        "no beds",
        "1-49 beds",
        "1-49 beds",
        "50-149 beds",
        "50-149 beds",
        "150-499 beds",
        "150-499 beds",
        "500+ beds",
        "500+ beds",
    ]


# --------------------------------------------------------------------------- forecasts


@pytest.fixture
def ramp(tmp_path: Path) -> readiness.Catalog:
    """Level 1 = a, b (progress = their mean credit); level 2 = c."""
    return write_catalog(
        tmp_path,
        "ramp",
        ["core"],
        2,
        [("a", "core", 1, ()), ("b", "core", 1, ()), ("c", "core", 2, ("a", "b"))],
    )


def history(
    catalog: readiness.Catalog, series: dict[str, list[tuple[int, float]]]
) -> readiness.ScoreTable:
    """A SYNTHETIC history: per facility, (day, p) with p the progress toward level 1 (p >= 1:
    level 1 reached, p >= 2: level 2)."""
    facilities = [Facility(id=fid, kind="hospital", ownership="public") for fid in series]
    rows, days, met_a, met_c, prog = [], [], [], [], []
    for f, points in enumerate(series.values()):
        for day, p in points:
            rows.append(f)
            days.append(np.datetime64(DAY0 + dt.timedelta(days=day), "D"))
            met_a.append(p >= 1)
            met_c.append(p >= 2)
            prog.append(0.0 if p >= 1 else p)
    count = len(rows)
    met = {
        "a": np.array(met_a),
        "b": np.array(met_a),
        "c": np.array(met_c),
    }
    progress = {"a": np.array(prog), "b": np.array(prog)}
    m = matrix(
        catalog,
        facilities,
        met,
        rows=np.array(rows),
        dates=np.array(days, dtype="datetime64[D]"),
        progress=progress,
    )
    assert len(m) == count
    return readiness.score_many(catalog, m)


def test_forecast_exact_on_a_linear_history(ramp):
    # p = 0.1 per 100 days from 0.1 on day 0: p = 1 on day 900
    table = history(ramp, {"lin": [(d, 0.1 + d / 1000) for d in (0, 100, 200, 300)]})
    result = forecast(table, "ramp", 1)
    item = result["lin"]
    assert item.status == "forecast"
    expected = DAY0 + dt.timedelta(days=900)
    assert abs((item.projected - expected).days) <= 1
    assert item.earliest == item.latest == item.projected  # no scatter: no width
    assert item.pace == pytest.approx(0.365, abs=1e-3)
    assert item.points == 4
    two = forecast(history(ramp, {"two": [(0, 0.1), (100, 0.2)]}), "ramp", 1)["two"]
    assert abs((two.projected - expected).days) <= 1
    assert two.earliest is None
    assert two.latest is None
    assert two.reason == "two assessments: no interval"


def test_forecast_is_independent_of_row_order(ramp):
    points = [(d, 0.1 + d / 1000) for d in (0, 100, 200, 300)]
    forward = history(ramp, {"x": points, "y": [(0, 0.2), (50, 0.3)]})
    backward = history(ramp, {"y": [(50, 0.3), (0, 0.2)], "x": points[::-1]})
    assert forecast(forward, "ramp", 1).items == forecast(backward, "ramp", 1).items


def test_forecast_interval_widens_with_noise(ramp):
    rng = np.random.default_rng(8)
    eps = rng.standard_normal(10)
    widths = []
    for noise in (0.0, 0.01, 0.03):
        points = [
            (int(365 * t), float(np.clip(0.05 + 0.08 * t + noise * eps[t], 0.01, 0.99)))
            for t in range(10)
        ]
        item = forecast(history(ramp, {"f": points}), "ramp", 1)["f"]
        assert item.status == "forecast"
        assert item.latest is not None
        widths.append((item.latest - item.earliest).days)
        assert item.earliest <= item.projected <= item.latest
    assert widths[0] == 0
    assert widths[0] < widths[1] < widths[2]


def test_forecast_refusals(ramp):
    table = history(
        ramp,
        {
            "one": [(0, 0.3)],
            "flat": [(0, 0.4), (100, 0.4), (200, 0.4)],
            "down": [(0, 0.6), (100, 0.5), (200, 0.4)],
            "done": [(0, 0.5), (100, 1.0), (200, 1.0)],
            "again": [(0, 1.0), (100, 0.5), (200, 1.0), (300, 1.0)],
            "slow": [(0, 0.1), (3650, 0.1001)],
            "pair": [(0, 0.1), (100, 0.2)],
        },
    )
    result = forecast(table, "ramp", 1, min_points=2)
    assert result["one"].reason == "no forecast: one assessment"
    assert result["flat"].reason == "no forecast: no progress over time"
    assert result["down"].reason == "no forecast: no progress over time"
    assert result["done"].status == "reached"
    assert result["done"].reason == "already reached on 2020-04-10"
    assert result["again"].reason == "already reached on 2020-07-19"
    assert result["slow"].reason == (
        "no forecast: at the current pace the target is over 100 years away"
    )
    for item in result:
        if item.status != "forecast":
            assert item.projected is None  # never a made-up date
            assert item.earliest is None
            assert item.latest is None
            assert item.verdict is None
    strict = forecast(table, "ramp", 1, min_points=3)
    assert strict["pair"].reason == "no forecast: 2 assessments, 3 needed"
    with pytest.raises(PlanError, match=r"catalog 'ramp' has levels 1..2"):
        forecast(table, "ramp", 3)


def test_forecast_verdicts_and_portfolio_summary(ramp):
    rng = np.random.default_rng(3)
    eps = rng.standard_normal(8)
    noisy = [
        (int(365 * t), float(np.clip(0.05 + 0.1 * t + 0.04 * eps[t], 0.01, 0.99))) for t in range(8)
    ]
    table = history(
        ramp,
        {
            "early": [(d, 0.1 + d / 1000) for d in (0, 100, 200, 300)],  # day 900
            "late": [(d, 0.1 + d / 4000) for d in (0, 100, 200, 300)],  # day 3600
            "noisy": noisy,  # about 9.5 years
            "pair": [(0, 0.1), (100, 0.2)],  # day 900, no interval
            "done": [(0, 0.5), (100, 1.0)],
            "one": [(0, 0.3)],
        },
    )
    deadline = DAY0 + dt.timedelta(days=1200)
    result = forecast(table, "ramp", 1, deadline=deadline)
    assert result["early"].verdict == "likely on time"
    assert result["late"].verdict == "unlikely"
    assert result["pair"].verdict == "at risk"  # on time, but two points prove little
    noisy_item = result["noisy"]
    noisy_deadline = noisy_item.projected
    straddle = forecast(table, "ramp", 1, deadline=noisy_deadline)["noisy"]
    assert straddle.earliest < noisy_deadline
    assert straddle.verdict == "at risk"
    (summary,) = result.summary()
    assert summary.deadline == deadline
    assert summary.facilities == 6
    assert summary.reached == 1
    assert summary.likely_on_time == 1
    assert summary.no_forecast == 1
    assert summary.projected_to_miss == summary.unlikely
    assert summary.at_risk + summary.unlikely == 3
    assert "projected to miss" in result.explain()
    # per-facility deadlines: a mapping, grouped per deadline in the summary
    per = forecast(table, "ramp", 1, deadline={"early": deadline, "late": DAY0})
    dates = [s.deadline for s in per.summary()]
    assert dates == [DAY0, deadline, None]
    assert per["late"].verdict == "unlikely"
    assert "deadline passed" in per["late"].reason


def test_catalog_that_does_not_apply(tmp_path):
    catalog = write_catalog(
        tmp_path,
        "wards",
        ["core"],
        2,
        [("w1", "core", 1, ()), ("w2", "core", 2, ("w1",))],
        applies_to='{ kind = "hospital" }',
    )
    clinic = Facility(id="SYN-C", kind="clinic", ownership="private")
    hospital = Facility(id="SYN-H", kind="hospital", ownership="public", beds=100)
    days = np.array([np.datetime64(DAY0 + dt.timedelta(days=d), "D") for d in (0, 100)] * 2)
    m = matrix(
        catalog,
        [clinic, hospital],
        {"w1": np.array([False, False, True, True])},
        rows=np.array([0, 0, 1, 1]),
        dates=days,
    )
    table = readiness.score_many(catalog, m)
    result = forecast(table, "wards", 1)
    assert result["SYN-C"].reason == "no forecast: the catalog does not apply to this facility"
    assert result["SYN-C"].points == 0
    advisor = PeerAdvisor().fit(table)
    assert advisor.suggest(table, 0).note == "wards does not apply to this facility"


def test_forecast_with_catalog_deadlines(emr):
    dates = [dt.date(2024, 6, 30), dt.date(2025, 6, 30), dt.date(2026, 6, 30)]
    table = readiness.score_many(emr, synthetic.history(emr, 150, dates, seed=4))
    result = forecast(table, "vn-emr", 2, deadline="vn-emr:emr")
    by_kind = {item.facility.kind: item.deadline for item in result}
    assert by_kind["hospital"] == dt.date(2025, 9, 30)
    assert by_kind["clinic"] == dt.date(2026, 12, 31)
    total = sum(s.facilities for s in result.summary())
    assert total == len(result) == 150
    for item in result:
        if item.status == "forecast":
            assert item.projected > item.last
            assert item.verdict in {"likely on time", "at risk", "unlikely"}


def test_facility_report_shows_the_peer_view(national, emr):
    """The facility report shows peer-informed steps beside the rule-based ones."""
    from readiness.report import facility_report

    _, table = national
    advisor = PeerAdvisor(n_neighbors=5, min_level_gain=0).fit(table)
    j = 0
    suggestions = advisor.suggest(table, j)
    report = facility_report(table.score(j), peers=table, peer_steps=suggestions, catalog=emr)
    data = report.data
    assert data["peer_steps"]["catalog"] == suggestions.catalog
    assert len(data["peer_steps"]["items"]) == len(suggestions.items)
    markdown = report.to_markdown()
    assert "What similar facilities further along did" in markdown
    assert "never instead of them" in markdown
    json.loads(report.to_json())
