"""A province report at scale: one status matrix sliced per part, and the assumed share of plans.

``readiness report`` reads the assessment file once into a status matrix and slices it for the
round, the compared round, each ``[[section]]``, the roadmap and the estimate; these tests pin
each slice to the straightforward path (objects, ``score_many`` and ``summarize`` of the
subset). The summary's planned cost carries its step counts (planning rule 9).
"""

from __future__ import annotations

import datetime as dt
import functools

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import readiness as r
from readiness import _spec as spec_module
from readiness import synthetic
from readiness._catalog import Condition
from readiness._catalog import Test as AttributeTest
from readiness._crosswalk import estimate_stage
from readiness._crosswalk_matrix import estimate_stage_matrix
from readiness._load import parse_condition
from readiness._portfolio import PlanFigures, change_between, spent_by, target_verdicts
from readiness._spec import _select, _taken, _whole_round, read_spec, run_spec
from readiness.report import Report, province_report
from readiness.report._console import console_lines
from readiness.report._plan_section import plan_section

DAY = dt.date(2026, 1, 5)
MINI = "tests/data/mini.toml"
#: lan fully estimated; servers without a cost; his without any estimate (planning rule 9).
ESTIMATES = {
    "mini:lan": {"effort_days": 10, "cost_vnd": 1e6},
    "mini:servers": {"effort_days": 20},
}


@functools.cache
def _emr() -> r.Catalog:
    return r.load_catalog("vn-emr")


@functools.cache
def _emr_emram() -> r.Catalog:
    return r.load_catalog(["vn-emr", "himss-emram"])


@pytest.fixture
def emr() -> r.Catalog:
    return _emr()


@pytest.fixture
def emr_emram() -> r.Catalog:
    return _emr_emram()


def _mini() -> tuple[r.Catalog, list[r.Assessment]]:
    catalog = r.load_catalog(MINI)
    h1 = r.Facility(id="h1", kind="hospital", ownership="public", beds=100)
    h2 = r.Facility(id="h2", kind="hospital", ownership="private", beds=50)
    c1 = r.Facility(id="c1", kind="clinic", ownership="private")
    return catalog, [
        r.Assessment(facility=h1, date=DAY),
        r.Assessment(facility=h2, date=DAY, records={"lan": "met"}),
        r.Assessment(facility=c1, date=DAY, records={"lan": "met", "servers": "met", "his": "met"}),
    ]


def _round(catalog: r.Catalog, n: int, seed: int) -> r.StatusMatrix:
    """A synthetic round with every kind of cell (partial, NA, expired, below coverage)."""
    profile = synthetic.Profile(unknown=0.2, not_applicable=0.05, expired=0.1)
    return synthetic.status_matrix(catalog, n, seed=seed, date=DAY, profile=profile)


def _with_validity(assessments: list[r.Assessment], seed: int, share: float) -> list[r.Assessment]:
    """Give ``share`` of the met and partial records a past ``valid_until`` (expired; half of
    the met ones become partial first, progress 0 included) and as many a later one (valid)."""
    rng = np.random.default_rng(seed)
    out = []
    for assessment in assessments:
        records = {}
        for key, given_record in assessment.records.items():
            record = given_record
            if record.status in (r.Status.MET, r.Status.PARTIAL):
                draw = rng.random()
                days = dt.timedelta(days=int(rng.integers(1, 400)))
                if draw < share:
                    if record.status is r.Status.MET and rng.random() < 0.5:
                        progress = float(rng.choice([0.0, 0.3, 1.0]))
                        record = r.Record(status=r.Status.PARTIAL, progress=progress)
                    record = attrs.evolve(record, valid_until=assessment.date - days)
                elif draw < 2 * share:
                    record = attrs.evolve(record, valid_until=assessment.date + days)
            records[key] = record
        out.append(attrs.evolve(assessment, records=records))
    return out


def _expired_counts(assessments: list[r.Assessment]) -> tuple[int, int]:
    """(expired met, expired partial) records of ``assessments``."""
    lapsed = [
        record.status
        for a in assessments
        for record in a.records.values()
        if record.valid_until is not None and record.valid_until < a.date
    ]
    return lapsed.count(r.Status.MET), lapsed.count(r.Status.PARTIAL)


class TestPlannedSteps:
    """Summary groups count planned steps and those whose values are assumed (rule 9)."""

    def test_counts_by_hand(self) -> None:
        """h1 plans lan, servers, his (servers and his assumed); h2 servers and his; c1 none."""
        catalog, assessments = _mini()
        plans = r.plan_many(catalog, assessments, "mini@1", estimates=ESTIMATES)
        summary = r.summarize(r.score_many(catalog, assessments), by="ownership", plans=plans)
        counts = {
            g.key["ownership"]: (
                g.planned_steps,
                g.assumed_steps,
                g.assumed_effort_steps,
                g.uncosted_steps,
            )
            for g in summary.groups
        }
        assert counts == {"public": (3, 2, 1, 2), "private": (2, 2, 1, 2)}
        total = summary.total
        assert (total.planned_steps, total.assumed_steps) == (5, 4)
        assert (total.assumed_effort_steps, total.uncosted_steps) == (2, 4)
        assert total.assumed_share == 0.8
        assert total.to_dict()["planned_steps"] == 5

    def test_no_plans_no_counts(self) -> None:
        """Without plans the counts are None, as the planned cost is."""
        catalog, assessments = _mini()
        total = r.summarize(r.score_many(catalog, assessments), by=()).total
        assert total.planned_steps is None
        assert total.assumed_share is None

    def test_counts_add_up_to_the_plans(self, emr: r.Catalog) -> None:
        """Each group's counts are the sums of its facilities' Plan figures."""
        matrix = _round(emr, 60, seed=3)
        table = r.score_many(emr, matrix)
        plans = r.plan_many(emr, table, "milestone:vn-emr:emr-live")
        summary = r.summarize(table, by="kind", plans=plans)
        for group in summary.groups:
            rows = [j for j in range(len(table)) if table.facility(j).kind == group.key["kind"]]
            built = [plans[j] for j in rows]
            assert group.planned_steps == sum(len(p.steps) for p in built)
            assert group.assumed_steps == sum(p.assumed_steps for p in built)
            assert group.assumed_effort_steps == sum(p.assumed_effort for p in built)
            assert group.uncosted_steps == sum(p.uncosted for p in built)

    def test_record_and_schema(self) -> None:
        """The report record carries the counts per group; a record without them is refused."""
        catalog, assessments = _mini()
        plans = r.plan_many(catalog, assessments, "mini@1", estimates=ESTIMATES)
        table = r.score_many(catalog, assessments)
        report = province_report(table, r.summarize(table, by="ownership", plans=plans))
        total = report.data["groups"]["total"]
        assert (total["planned_steps"], total["assumed_steps"]) == (5, 4)
        assert (total["assumed_effort_steps"], total["uncosted_steps"]) == (2, 4)
        data = report.to_json()
        assert Report.from_json(data).data["groups"]["total"]["planned_steps"] == 5
        broken = data.replace('"planned_steps": 5', '"planned_stepz": 5', 1)
        with pytest.raises(r.errors.OptionError, match=r"groups\.total\.planned_steps"):
            Report.from_json(broken)


class TestPlannedLine:
    """The "Still planned" line says the assumed share; mostly assumed values come first."""

    def _line(self, estimates: dict[str, dict[str, float]], lang: str = "en") -> str:
        catalog, assessments = _mini()
        plans = r.plan_many(catalog, assessments, "mini@1", estimates=estimates)
        table = r.score_many(catalog, assessments)
        summary = r.summarize(table, by="ownership", plans=plans)
        lines = console_lines(province_report(table, summary, plans=plans, lang=lang).data)
        (line,) = [x for x in lines if x.startswith(("  Still planned", "  Dự kiến còn cần"))]
        return line

    def test_mostly_assumed_says_so_first(self) -> None:
        assert self._line(ESTIMATES) == (
            "  Still planned (estimate): Mostly assumed values: 4 of 5 planned steps (80.0%) use "
            "an effort or cost that is the catalog authors' assumption, so read this cost as an "
            "order of magnitude: 1.0 million VND to 1.0 million VND (likely 1.0 million VND) "
            "(Private 0 VND to 0 VND (likely 0 VND), Public 1.0 million VND to 1.0 million VND "
            "(likely 1.0 million VND)); steps without a cost estimate (counted as 0): 4"
        )

    def test_share_after_the_range(self) -> None:
        estimates = {
            **ESTIMATES,
            "mini:servers": {"effort_days": 20, "cost_vnd": 2e9},
            "mini:his": {"effort_days": 20},
        }
        assert self._line(estimates) == (
            "  Still planned (estimate): 4.0 bn VND to 4.0 bn VND (likely 4.0 bn VND) (Private "
            "2.0 bn VND to 2.0 bn VND (likely 2.0 bn VND), Public 2.0 bn VND to 2.0 bn VND "
            "(likely 2.0 bn VND)); 2 of 5 planned steps (40.0%) use an assumed effort or cost; "
            "steps without a cost estimate (counted as 0): 2"
        )

    def test_vietnamese(self) -> None:
        line = self._line(ESTIMATES, lang="vi")
        assert line.startswith(
            "  Dự kiến còn cần (ước tính): Phần lớn là giá trị giả định: 4/5 bước trong kế hoạch "
            "(80,0%)"
        )
        assert line.endswith("số bước chưa có ước tính chi phí (tính là 0): 4")

    def test_markdown_shows_the_share(self) -> None:
        catalog, assessments = _mini()
        plans = r.plan_many(catalog, assessments, "mini@1", estimates=ESTIMATES)
        table = r.score_many(catalog, assessments)
        report = province_report(table, r.summarize(table, by="ownership", plans=plans))
        markdown = report.to_markdown()
        assert "**Still planned (estimate):** Mostly assumed values: 4 of 5 planned steps" in (
            markdown
        )
        assert "(likely 1.0 million VND), 80% of steps assumed |" in markdown
        assert "0 VND to 0 VND (likely 0 VND), 100% of steps assumed |" in markdown


class TestSlices:
    """Every part of the report planned or scored from a slice equals the straightforward path."""

    def test_facility_columns_mask_is_matches(self, emr: r.Catalog) -> None:
        facilities = synthetic.facilities(200, seed=5)
        columns = r.StatusMatrix.from_assessments(
            emr, [r.Assessment(facility=f, date=DAY) for f in facilities]
        ).columns
        for condition in (
            Condition(),
            parse_condition({"has_beds": False}),
            parse_condition([{"kind": ["hospital", "clinic"]}, {"beds": {"min": 100}}]),
            # an attribute no facility has: missing everywhere, so no test of it passes
            Condition(
                ((AttributeTest(attribute="nowhere", op="not_in", values=frozenset({"x"})),),)
            ),
            Condition(((AttributeTest(attribute="nowhere", op="range", low=None, high=None),),)),
            *(c.applies_to for c in emr.criteria.values()),
        ):
            expected = [condition.matches(f.attribute_values()) for f in facilities]
            assert columns.mask(condition).tolist() == expected

    @settings(max_examples=4, deadline=None)
    @given(seed=st.integers(0, 10_000), share=st.floats(0.1, 0.9))
    def test_section_from_the_slice(self, seed: int, share: float) -> None:
        """A section's plans and summary from the sliced matrix equal those of its objects."""
        emr = _emr()
        facilities = synthetic.facilities(24, seed=seed)
        listed = list(facilities)
        assessed = [f for j, f in enumerate(facilities) if (j * share) % 1 < 0.8]
        # as read_status_matrix reads a round: every listed facility, the assessed ones' columns
        every = synthetic.status_matrix(emr, listed, seed=seed, date=DAY)
        current = every.take([j for j, f in enumerate(listed) if f in assessed])
        table = r.score_many(emr, current, facilities=listed, as_of=DAY)
        whole = _whole_round(current, table)
        assert [whole.facility(j).id for j in range(len(whole))] == [
            table.facility(j).id for j in range(len(table))
        ]
        for condition in (
            parse_condition({"has_beds": False}),
            parse_condition({"kind": ["hospital", "medical_centre"]}),
        ):
            chosen = _select(whole, condition)
            objects = [
                a
                for a in [*current.to_assessments(), *_not_assessed(table)]
                if condition.matches(a.facility.attribute_values())
            ]
            assert [chosen.facility(j).id for j in range(len(chosen))] == [
                a.facility.id for a in objects
            ]
            if not objects:
                continue
            sliced = r.plan_many(emr, chosen, "milestone:vn-emr:emr-live", k=3)
            straight = r.plan_many(emr, objects, "milestone:vn-emr:emr-live", k=3)
            assert sliced.to_records() == straight.to_records()
            # score_many gives the matrix's other listed facilities rows too: keep the slice's
            scored = r.score_many(emr, chosen).subset(np.arange(len(chosen)))
            summary = r.summarize(scored, by="kind", plans=sliced)
            expected = r.summarize(r.score_many(emr, objects), by="kind", plans=straight)
            # the same figures (the matrix keeps its SYNTHETIC label, the objects have none)
            assert {**summary.to_dict(), "label": None} == expected.to_dict()

    def test_verdicts_from_arrays(self, emr: r.Catalog) -> None:
        """target_verdicts says what PlanTable.to_records says, row by row."""
        matrix = _round(emr, 80, seed=9)
        for start in (None, dt.date(2024, 1, 1)):
            plans = r.plan_many(emr, matrix, "milestone:vn-emr:emr-live", start=start)
            expected = [rec["target_verdict"] or "no deadline" for rec in plans.to_records()]
            assert target_verdicts(plans).tolist() == expected

    def test_compared_round(self, emr: r.Catalog) -> None:
        """The compared round sliced from a two-round matrix scores as its own assessments."""
        history = synthetic.history(emr, 50, [DAY, dt.date(2026, 6, 30)], seed=4)
        later = history.dates == np.datetime64("2026-06-30")
        taken = _taken(history, later)
        objects = history.take(np.flatnonzero(later)).to_assessments()
        a, b = r.score_many(emr, taken), r.score_many(emr, objects)
        assert len(a) == len(b) == 50
        assert np.array_equal(a.level, b.level)
        assert np.array_equal(a.overall, b.overall, equal_nan=True)
        earlier = r.score_many(emr, _taken(history, ~later))
        assert change_between(a, earlier) == r.summarize(a, by=(), previous=earlier).change

    @settings(max_examples=6, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_estimate_from_the_matrix(self, seed: int) -> None:
        """estimate_stage_matrix equals estimate_stage of the matrix's assessments."""
        emr, emr_emram = _emr(), _emr_emram()
        matrix = _round(emr, 30, seed=seed)
        assert estimate_stage_matrix(emr_emram, matrix) == estimate_stage(
            emr_emram, matrix.to_assessments()
        )

    @settings(max_examples=6, deadline=None)
    @given(seed=st.integers(0, 10_000), share=st.sampled_from([0.1, 0.3]), whole=st.booleans())
    def test_estimate_with_expired_met_and_partial_records(
        self, seed: int, share: float, whole: bool
    ) -> None:
        """Expired met and expired partial records (crosswalk rule 6) estimate alike.

        The matrix's ``expired`` code does not say met or partial; the object path sees which.
        With ``whole``, the EMRAM criteria are assessed directly too (expired ones among them).
        """
        emr, emr_emram = _emr(), _emr_emram()
        catalog = emr_emram if whole else emr
        # mostly hospitals, to which EMRAM applies
        mix = synthetic.Mix(kinds={"hospital": 0.7, "medical_centre": 0.2, "clinic": 0.1})
        facilities = synthetic.facilities(30, seed=seed, mix=mix)
        profile = synthetic.Profile(unknown=0.2, not_applicable=0.05, expired=0.1)
        round_ = synthetic.status_matrix(catalog, facilities, seed=seed, date=DAY, profile=profile)
        items = _with_validity(round_.to_assessments(), seed, share)
        expired_met, expired_partial = _expired_counts(items)
        assert expired_met
        assert expired_partial
        matrix = r.StatusMatrix.from_assessments(catalog, items)
        estimates = estimate_stage_matrix(emr_emram, matrix)
        assert estimates == estimate_stage(emr_emram, items)
        assert any(e.derived for e in estimates)

    def test_estimate_with_derived_overlaps(self, emr_emram: r.Catalog) -> None:
        """Assessments of the whole set (EMRAM records direct too) estimate alike."""
        matrix = _round(emr_emram, 40, seed=12)
        estimates = estimate_stage_matrix(emr_emram, matrix)
        assert estimates == estimate_stage(emr_emram, matrix.to_assessments())
        assert any(e.derived for e in estimates)


class TestChunks:
    """Plans made chunk by chunk give the report the figures of the plans made at once."""

    def _plans(
        self, size: int | None = None
    ) -> tuple[r.Catalog, r.StatusMatrix, r.PlanTable, list[r.PlanTable]]:
        emr = _emr()
        matrix = _round(emr, 90, seed=21)
        target = "milestone:vn-emr:emr-live"
        whole = r.plan_many(emr, matrix, target, k=3)
        parts = [r.plan_many(emr, m, target, k=3) for m in matrix.chunks(size or 25)]
        return emr, matrix, whole, parts

    def test_figures_summary_and_report(self) -> None:
        emr, matrix, whole, parts = self._plans()
        figures = PlanFigures.join([PlanFigures.of(p) for p in parts])
        table = r.score_many(emr, matrix)
        by_table = r.summarize(table, by="kind", plans=whole)
        by_figures = r.summarize(table, by="kind", plans=figures)
        assert by_table.to_dict() == by_figures.to_dict()
        one = province_report(table, by_table, plans=whole).to_json()
        other = province_report(table, by_figures, plans=figures).to_json()
        assert one == other

    def test_section_from_parts(self) -> None:
        emr, _, whole, parts = self._plans()
        target = r.Target.parse("milestone:vn-emr:emr-live")
        for lang in ("en", "vi"):
            section, line = plan_section("Section", whole, target, emr, lang)
            assert plan_section("Section", iter(parts), target, emr, lang) == (section, line)

    def test_roadmap_in_chunks(self) -> None:
        """plan_many over chunks of a matrix equals plan_many of the matrix."""
        emr, matrix, _, _ = self._plans()
        options = {"start": DAY, "max_parallel": 2, "k": 3}
        once = r.plan_many(emr, matrix, "vn-emr@2", **options)
        chunked = r.plan_many(emr, matrix.chunks(17), "vn-emr@2", **options)
        assert chunked.to_records() == once.to_records()
        assert chunked.headline() == once.headline()

    def test_spec_in_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The Bac Ninh report is the same whatever the chunk size."""
        spec = read_spec("examples/bac_ninh/report.toml")
        at_once = run_spec(spec).report.to_json()
        monkeypatch.setattr(spec_module, "PLAN_CHUNK", 97)
        assert run_spec(spec).report.to_json() == at_once


def test_group_value_is_attribute_values() -> None:
    """A group key reads what Facility.attribute_values gives (free attributes included)."""
    from readiness._portfolio import _value

    facilities = [
        *synthetic.facilities(30, seed=8),
        r.Facility(id="x", kind="clinic", ownership="private", attributes={"district": "A"}),
    ]
    for facility in facilities:
        values = facility.attribute_values()
        for name in ("kind", "ownership", "beds", "has_beds", "region", "district", "synthetic"):
            assert _value(facility, name) == values.get(name)


def test_spent_by_is_summarize() -> None:
    """spent_by gives the spent figures of summarize(..., by=(name,), spent=...)."""
    facilities = [
        attrs.evolve(f, attributes={"spent_vnd": 1e8 * (j % 7)})
        for j, f in enumerate(synthetic.facilities(50, seed=2))
    ]
    table = r.score_many(_emr(), synthetic.status_matrix(_emr(), facilities, seed=2))
    for name in ("ownership", "kind", "bed_band"):
        summary = r.summarize(table, by=(name,), spent="spent_vnd")
        expected = {g.key[name]: g.spent_vnd for g in summary.groups}
        assert spent_by(table, "spent_vnd", name) == (summary.total.spent_vnd, expected)
        assert list(spent_by(table, "spent_vnd", name)[1]) == list(expected)


def _not_assessed(table: r.ScoreTable) -> list[r.Assessment]:
    return [
        r.Assessment(facility=table.facility(int(j)), date=DAY)
        for j in np.flatnonzero(~table.assessed)
    ]


def test_whole_round_without_gaps(emr: r.Catalog) -> None:
    """A round that assessed every listed facility is its own whole matrix."""
    current = _round(emr, 10, seed=1)
    table = r.score_many(emr, current, facilities=current.facilities, as_of=DAY)
    assert _whole_round(current, table) is current
