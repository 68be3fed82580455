"""Property tests of the portfolio roll-ups (readiness/_portfolio.py rules)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import readiness
from readiness import Obligation, Target
from tests.property.test_scoring import scenario


def reached(score: readiness.Score, target: Target) -> bool:
    """Whether one facility's Score meets a level target (computed from the Score alone)."""
    assert target.catalog is not None
    level = score.catalogs[target.catalog].level
    return level is not None and target.level is not None and level >= target.level


class TestGroupsAddUp:
    """Every figure of a group is computed from its rows only, so groups add up to the total:
    row counts, level counts, rows meeting a target, money spent; and the total's figures equal
    sums over the per-facility Scores."""

    @given(scenario(), st.data())
    def test_sums(self, case: Any, data: st.DataObject) -> None:
        catalog, items, _ = case
        table = readiness.score_many(catalog, items)
        by = data.draw(
            st.sampled_from([("kind",), ("ownership",), ("region", "has_beds"), ("bed_band",)])
        )
        catalog_id = data.draw(st.sampled_from(list(catalog.frameworks)))
        top = len(catalog.frameworks[catalog_id].levels)
        target = Target(catalog=catalog_id, level=data.draw(st.integers(1, top)))
        spent = {a.facility.id: float(data.draw(st.integers(0, 10**9))) for a in items}
        summary = readiness.summarize(table, by=by, target=target, spent=spent)
        scores = list(table)

        assert sum(g.rows for g in summary.groups) == summary.total.rows == len(items)
        assert sum(g.meeting_target or 0 for g in summary.groups) == summary.total.meeting_target
        assert summary.total.meeting_target == sum(reached(s, target) for s in scores)
        assert math.isclose(
            sum(g.spent_vnd or 0 for g in summary.groups), summary.total.spent_vnd or 0
        )
        assert math.isclose(summary.total.spent_vnd or 0, sum(spent.values()))
        for framework in catalog.frameworks:
            expected = Counter(s.catalogs[framework].level for s in scores)
            assert dict(summary.total.levels[framework]) == dict(expected)
            grouped: Counter[Any] = Counter()
            for group in summary.groups:
                grouped.update(group.levels[framework])
            assert grouped == expected
        overall = [s.overall for s in scores if s.overall is not None]
        assert summary.total.overall.count == len(overall)
        if overall:
            assert summary.total.overall.mean is not None
            assert math.isclose(
                summary.total.overall.mean, sum(overall) / len(overall), abs_tol=1e-3
            )
            weighted = sum((g.overall.mean or 0) * g.overall.count for g in summary.groups)
            assert math.isclose(weighted / len(overall), summary.total.overall.mean, abs_tol=1e-3)


class TestObligationCounts:
    """done counts obliged facilities that meet the target, done_unobliged the others that meet
    it; the rate is (done + done_unobliged) / obliged when unobliged facilities count, else
    done / obliged."""

    @given(scenario(), st.data())
    def test_counts(self, case: Any, data: st.DataObject) -> None:
        catalog, items, _ = case
        table = readiness.score_many(catalog, items)
        catalog_id = data.draw(st.sampled_from(list(catalog.frameworks)))
        target = Target(catalog=catalog_id, level=1)
        count_unobliged = data.draw(st.booleans())
        obligation = Obligation(
            name="test", target=target, obliged={"has_beds": True}, count_unobliged=count_unobliged
        )
        progress = readiness.summarize(table, by=(), obligation=obligation).obligation
        assert progress is not None
        scores = list(table)
        obliged = [s for s in scores if s.facility.has_beds]
        done = sum(reached(s, target) for s in obliged)
        extra = sum(reached(s, target) for s in scores if not s.facility.has_beds)
        assert (progress.obliged, progress.done, progress.done_unobliged) == (
            len(obliged),
            done,
            extra,
        )
        if obliged:
            counted = done + extra if count_unobliged else done
            assert progress.rate == round(counted / len(obliged), 4)
        else:
            assert progress.rate is None
        assert len(progress.missing) == len(obliged) - done
