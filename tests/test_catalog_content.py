"""Rules on the content of the built-in catalogs (data version 2026.12.0).

Each test pins a finding of the catalog review of 2026-12 so that it cannot come back: deadline
order along every edge for every facility class, grades that a citation must support, every edge
cited or argued, coverage declared, the 2018 EMRAM structure, per-system security, and old ids
that name their successors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import readiness
from readiness import errors
from readiness._catalog import ACCESS, KINDS, OWNERSHIPS

ROOT = Path(__file__).parent.parent
LAYER = ROOT / "examples" / "bac_ninh" / "bn-emr-layer.toml"
BUILTINS = ("vn-emr", "vn-it-tt54", "vn-infosec", "vn-smart-hospital", "himss-emram")


def everything() -> readiness.Catalog:
    """Every built-in catalog in one set (vn-smart-hospital requires the others but EMRAM)."""
    return readiness.load_catalog(["vn-smart-hospital", "himss-emram"])


def with_layer() -> readiness.Catalog:
    return readiness.load_catalog("vn-smart-hospital", layers=[LAYER])


def facility_classes() -> list[dict[str, object]]:
    """One facility per kind, ownership and beds/no beds (plus the layer's attribute)."""
    return [
        {
            "kind": kind,
            "ownership": ownership,
            "beds": beds,
            "has_beds": beds > 0,
            "region": "Bắc Ninh",
            "obliged_2025": obliged,
        }
        for kind in KINDS
        for ownership in OWNERSHIPS
        for beds in (0, 120)
        for obliged in (False, True)
    ]


def due(catalog: readiness.Catalog, key: str, attributes: dict[str, object]) -> dt.date | None:
    deadline = catalog.criteria[key].deadline
    return None if deadline is None else catalog.deadlines[deadline].date_for(attributes)


def late_prerequisites(
    catalog: readiness.Catalog, attributes: dict[str, object]
) -> list[tuple[str, dt.date, str, dt.date]]:
    """(dependent, its date, ancestor, the ancestor's later date) for one facility class."""
    found = []
    for key in catalog.criteria:
        when = due(catalog, key, attributes)
        if when is None:
            continue
        for ancestor in nx.ancestors(catalog.graph, key):
            other = due(catalog, ancestor, attributes)
            if other is not None and other > when:
                found.append((key, when, ancestor, other))
    return found


# --------------------------------------------------------------------------- deadline order


@pytest.mark.parametrize("build", [everything, with_layer], ids=["built-ins", "bac-ninh-layer"])
def test_no_prerequisite_is_due_after_its_dependent(build):
    """Finding 6: for every facility class, no ancestor of a dated criterion is due later."""
    catalog = build()
    for attributes in facility_classes():
        assert late_prerequisites(catalog, attributes) == [], attributes


@given(
    kind=st.sampled_from(KINDS),
    ownership=st.sampled_from(OWNERSHIPS),
    beds=st.integers(min_value=0, max_value=3000),
    obliged=st.booleans(),
)
def test_deadline_order_holds_for_any_facility(kind, ownership, beds, obliged):
    """Property: the deadline order holds for any facility, not only the sampled classes."""
    attributes = {
        "kind": kind,
        "ownership": ownership,
        "beds": beds,
        "has_beds": beds > 0,
        "region": "x",
        "obliged_2025": obliged,
    }
    assert late_prerequisites(CACHED_LAYER, attributes) == []


CACHED_LAYER = with_layer()


def test_e_prescription_no_longer_waits_for_emr_live():
    """Finding 6: e-prescription (non-hospitals 31/12/2025) must not rest on EMR in operation."""
    catalog = everything()
    key = "vn-smart-hospital:vn.tt26.e_prescription"
    assert "vn-smart-hospital:vn.smart.emr_live" not in nx.ancestors(catalog.graph, key)
    clinic = {"kind": "clinic", "ownership": "private", "beds": 0, "has_beds": False}
    assert due(catalog, key, {**clinic, "region": "x"}) == dt.date(2025, 12, 31)


# --------------------------------------------------------------------------- legal milestones


LEGAL = ("vn-emr:emr", "vn-emr:signing-means")


def test_legal_emr_deadline_rests_on_no_inferred_criterion():
    """Finding 1: nothing due under Circular 13 rests on an inferred placeholder."""
    catalog = everything()
    for key, criterion in catalog.criteria.items():
        if criterion.deadline not in LEGAL:
            continue
        for ancestor in nx.ancestors(catalog.graph, key):
            assert catalog.criteria[ancestor].grade != "inferred", (key, ancestor)


def test_emr_application_does_not_require_the_tt54_his_tier():
    catalog = everything()
    app = catalog.criterion("vn-emr:vn.tt13.app.kcb_system")
    assert not any(p.startswith("vn-it-tt54:") for p in app.prerequisites)
    live = catalog.milestone("vn-emr:emr-live")
    ancestors = set().union(*(nx.ancestors(catalog.graph, k) for k in live.criteria))
    assert not any(a.startswith("vn-it-tt54:") for a in ancestors)


def test_deployment_evidence_carries_the_emr_deadline():
    """Finding 2: self-assessment, decision and portal listing are due with Circular 13."""
    catalog = everything()
    for short in (
        "vn.emr.selfassess.tt13_hd365",
        "vn.emr.director_decision",
        "vn.emr.portal_listing",
    ):
        assert catalog.criterion(f"vn-emr:{short}").deadline == "vn-emr:emr", short
    paper_free = [k for k, c in catalog.criteria.items() if c.deadline == "vn-emr:paper-free"]
    assert paper_free == ["vn-emr:vn.plan2026.paper_free"]
    assert catalog.milestone("vn-emr:emr-deployed").deadline == "vn-emr:emr"


def test_smart_hospital_has_no_per_facility_2030_deadline():
    """Finding 7: Decision 5316 targets about half of the hospitals, not every facility."""
    catalog = everything()
    assert catalog.milestone("vn-smart-hospital:smart-hospital").deadline is None
    assert "vn-smart-hospital:smart-2030" not in catalog.deadlines


def test_directive_07_linkage_is_dated_for_public_hospitals_only():
    catalog = everything()
    deadline = catalog.deadline("vn-smart-hospital:ct07-linkage")
    base = {"kind": "hospital", "beds": 200, "has_beds": True, "region": "x"}
    assert deadline.date_for({**base, "ownership": "public"}) == dt.date(2025, 9, 30)
    assert deadline.date_for({**base, "ownership": "private"}) is None


# --------------------------------------------------------------------------- grades and edges


@pytest.mark.parametrize("catalog_id", BUILTINS)
def test_primary_grade_names_a_clause(catalog_id):
    """Finding 5: a primary citation must say which article or clause was read."""
    catalog = readiness.load_catalog(catalog_id)
    for criterion in catalog.criteria.values():
        for citation in criterion.sources:
            if citation.grade == "primary":
                assert citation.clause, criterion.key
        for prerequisite in criterion.requires:
            if prerequisite.citation.grade == "primary":
                assert prerequisite.citation.clause, (criterion.key, prerequisite.key)


def test_decree_85_dossier_is_not_graded_primary():
    """Finding 5: Decree 85 Art. 7-18 are known only from the table of contents."""
    catalog = readiness.load_catalog("vn-infosec")
    for key, criterion in catalog.criteria.items():
        for citation in criterion.sources:
            if citation.ref == "nd85":
                assert citation.grade != "primary", key


def test_provincial_examples_alone_never_make_a_criterion_secondary():
    """Finding 4: a criterion resting only on provincial or city news is inferred nationally."""
    catalog = readiness.load_catalog("vn-smart-hospital")
    local = {"bn-vnnews", "bn-tienphong", "bn-sannhi", "bn-gov", "khanhhoa", "hcmc", "danang"}
    for key, criterion in catalog.criteria.items():
        if criterion.catalog != "vn-smart-hospital":
            continue
        if {c.ref for c in criterion.sources} <= local:
            assert criterion.grade == "inferred", key


@pytest.mark.parametrize("build", [everything, with_layer], ids=["built-ins", "bac-ninh-layer"])
def test_every_edge_is_cited_or_argued(build):
    catalog = build()
    for criterion in catalog.criteria.values():
        for prerequisite in criterion.requires:
            assert prerequisite.rationale in ("cited", "argued"), (
                criterion.key,
                prerequisite.key,
            )
            if prerequisite.rationale == "argued":
                assert len(prerequisite.because or "") >= 20, (criterion.key, prerequisite.key)
    assert catalog.edge_rationales()["unargued"] == 0


def test_every_builtin_is_format_2_and_versioned():
    catalog = everything()
    for framework in catalog.frameworks.values():
        assert framework.format == 2, framework.id
        assert framework.version == "2026.12.0", framework.id


# --------------------------------------------------------------------------- coverage


@pytest.mark.parametrize("catalog_id", BUILTINS)
def test_every_catalog_declares_its_coverage(catalog_id):
    catalog = readiness.load_catalog(catalog_id)
    framework = catalog.frameworks[catalog_id]
    assert framework.coverage, catalog_id
    for coverage in framework.coverage:
        assert coverage.source in framework.sources
        assert coverage.access in ACCESS
        assert coverage.share is None or 0 <= coverage.share <= 1
        assert coverage.encoded
    assert catalog.coverage[catalog_id] == framework.coverage


def test_circular_54_coverage_is_stated_as_31_of_146():
    framework = readiness.load_catalog("vn-it-tt54").frameworks["vn-it-tt54"]
    (tt54,) = [c for c in framework.coverage if c.source == "tt54"]
    assert "31 of the 146" in tt54.encoded
    assert tt54.share == pytest.approx(0.21)


def test_list_catalogs_reports_edges_and_coverage():
    for info in readiness.list_catalogs():
        assert info.coverage
        assert info.edges["unargued"] == 0
        catalog = readiness.load_catalog(info.id)
        edges = sum(len(c.requires) for c in catalog.criteria.values() if c.catalog == info.id)
        assert sum(info.edges.values()) == edges


# --------------------------------------------------------------------------- EMRAM 2018


def test_emram_follows_the_2018_model():
    """Finding 3: PACS at stage 1, security from stage 2, eMAR before the closed loop."""
    catalog = readiness.load_catalog("himss-emram")

    def level(short: str) -> int:
        return catalog.criterion(f"himss-emram:himss.emram.{short}").level

    assert level("s1.pacs") == 1
    assert level("s2.basic_security") == 2
    assert level("s3.role_based_security") == 3
    assert level("s3.emar") == 3
    assert level("s4.business_continuity") == 4
    assert level("s5.physician_documentation") == 5
    assert level("s5.intrusion_device_protection") == 5
    assert level("s6.security_risk_assessment") == 6
    loop = catalog.criterion("himss-emram:himss.emram.s6.closed_loop_extended")
    assert loop.min_coverage == 0.5
    assert "himss-emram:himss.emram.s3.emar" in loop.prerequisites
    thresholds = {
        c.id: c.min_coverage for c in catalog.criteria.values() if c.level == 7 and c.min_coverage
    }
    assert thresholds == {
        "himss.emram.s7.physician_documentation_90": 0.9,
        "himss.emram.s7.cpoe_90": 0.9,
        "himss.emram.s7.closed_loop_95": 0.95,
    }
    security = {c.level for c in catalog.criteria.values() if c.domain == "security"}
    assert {2, 3, 4, 5, 6} <= security
    for criterion in catalog.criteria.values():
        assert criterion.sources, criterion.key
    cpoe = catalog.criterion("himss-emram:himss.emram.s4.cpoe")
    assert "himss-emram:himss.emram.s3.nursing_documentation" not in cpoe.prerequisites


@pytest.mark.parametrize(
    ("old", "successor"),
    [
        ("himss.emram.s6.full_pacs", "himss-emram:himss.emram.s1.pacs"),
        (
            "himss.emram.s5.closed_loop_medication",
            "himss-emram:himss.emram.s6.closed_loop_extended",
        ),
        ("vn.nd85.level2_measures", "vn-infosec:vn.nd85.emr.measures"),
        ("vn-infosec:vn.nd85.classify", "vn-infosec:vn.nd85.emr.approved"),
    ],
)
def test_old_ids_fail_naming_their_successor(old, successor):
    catalog = everything()
    with pytest.raises(errors.UnknownCriterionError) as info:
        catalog.resolve(old)
    assert successor in str(info.value)
    assert "2026.12.0" in str(info.value)


def test_an_assessment_of_2026_11_fails_naming_the_successor():
    catalog = readiness.load_catalog("vn-emr")
    hospital = readiness.Facility(
        id="H", name="H", kind="hospital", ownership="public", beds=100, region="x"
    )
    old = readiness.Assessment(
        facility=hospital, date=dt.date(2026, 1, 5), records={"vn.nd85.level2_measures": "met"}
    )
    with pytest.raises(errors.UnknownCriterionError) as info:
        readiness.score(catalog, old)
    assert "vn-infosec:vn.nd85.emr.measures" in str(info.value)
    # ids that did not change still load and score
    kept = readiness.Assessment(
        facility=hospital, date=dt.date(2026, 1, 5), records={"vn.tt13.it.network": "met"}
    )
    assert readiness.score(catalog, kept).catalogs["vn-emr"].score is not None


# --------------------------------------------------------------------------- security per system


def test_security_is_assessed_per_information_system():
    """Finding 8: each system meets the measures of its own approved level."""
    catalog = readiness.load_catalog("vn-infosec")
    for system in ("his", "emr", "lis_pacs", "portal"):
        approved = f"vn-infosec:vn.nd85.{system}.approved"
        measures = catalog.criterion(f"vn-infosec:vn.nd85.{system}.measures")
        assert measures.prerequisites == (approved,)
    emr = readiness.load_catalog("vn-emr").criterion("vn-emr:vn.hd365.sec.level2")
    assert set(emr.prerequisites) >= {
        "vn-infosec:vn.nd85.emr.approved",
        "vn-infosec:vn.nd85.emr.measures",
    }


def test_successor_regime_is_encoded_and_labelled_unverified():
    catalog = readiness.load_catalog("vn-infosec")
    criterion = catalog.criterion("vn-infosec:vn.successor.reclassified")
    assert catalog.deadline(criterion.deadline or "").cases[0].date == dt.date(2027, 7, 1)
    assert all(c.grade == "secondary" for c in criterion.sources)
    assert "NOT verified" in (criterion.sources[0].note or "")


def test_signing_software_has_no_unverified_deadline():
    criterion = readiness.load_catalog("vn-emr").criterion("vn-emr:vn.nd23.signing_software")
    assert criterion.deadline is None
    assert "not verified" in (criterion.note or "")


# --------------------------------------------------------------------------- Bac Ninh layer


def test_bac_ninh_goal_and_problems_are_encoded():
    catalog = with_layer()
    goal = catalog.milestone("vn-emr:bn-emr-all-2025")
    assert catalog.deadlines[goal.deadline or ""].cases[0].date == dt.date(2025, 12, 31)
    assert set(goal.criteria) == set(catalog.milestone("vn-emr:emr-live").criteria)
    for short in ("bn.central_db", "bn.reliable_connections", "bn.it_staff"):
        assert catalog.criterion(f"vn-emr:{short}").grade == "secondary"
    paper = catalog.criterion("vn-emr:vn.plan2026.paper_free")
    assert "vn-emr:bn.insurer_paperless" in paper.prerequisites


# --------------------------------------------------------------------------- format-2 validation

FORMAT2 = """format = 2

[catalog]
id = "demo"
title = { en = "Demo", vi = "Minh hoạ" }
version = "1.0"

[[catalog.coverage]]
source = "memo"
encoded = "items 1-3 of 3"
share = 1.0
access = "official"

[sources.memo]
title = "Memo"

[domains.infra]
title = { en = "Infra", vi = "Hạ tầng" }

[[level]]
number = 1
title = { en = "One", vi = "Một" }

[[criterion]]
id = "lan"
title = { en = "LAN", vi = "LAN" }
domain = "infra"
level = 1
source = { ref = "memo", clause = "item 1", grade = "primary" }

[[criterion]]
id = "ward"
title = { en = "Ward", vi = "Khoa" }
domain = "infra"
level = 1
requires = [{ id = "lan", because = "The ward module runs over the LAN." }]
source = { ref = "memo", clause = "item 2", grade = "secondary" }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[errors.Problem]:
    with pytest.raises(errors.CatalogError) as info:
        readiness.load_catalog(path)
    return list(info.value.problems)


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_format_2_file_loads_with_argued_edge_and_coverage(tmp_path):
    catalog = readiness.load_catalog(write(tmp_path, FORMAT2))
    (edge,) = catalog.criterion("demo:ward").requires
    assert edge.rationale == "argued"
    assert edge.because == "The ward module runs over the LAN."
    assert edge.citation.grade == "inferred"
    assert catalog.edge_rationales("demo") == {"cited": 0, "argued": 1, "unargued": 0}
    (coverage,) = catalog.coverage["demo"]
    assert (coverage.source, coverage.share, coverage.access) == ("memo", 1.0, "official")


def test_format_2_rejects_a_bare_edge_with_its_line(tmp_path):
    path = write(
        tmp_path,
        FORMAT2.replace(
            '[{ id = "lan", because = "The ward module runs over the LAN." }]', '["lan"]'
        ),
    )
    (problem,) = problems(path)
    assert problem.line == line_of(path, 'requires = ["lan"]')
    assert "because" in problem.message
    assert problem.criterion == "ward"
    assert problem.value == "lan"


def test_format_1_still_loads_bare_edges_as_unargued(tmp_path):
    text = FORMAT2.replace("format = 2", "format = 1").replace(
        '[{ id = "lan", because = "The ward module runs over the LAN." }]', '["lan"]'
    )
    catalog = readiness.load_catalog(write(tmp_path, text))
    assert catalog.edge_rationales("demo")["unargued"] == 1


def test_format_2_primary_citation_needs_a_clause(tmp_path):
    path = write(
        tmp_path, FORMAT2.replace('clause = "item 1", grade = "primary"', 'grade = "primary"')
    )
    (problem,) = problems(path)
    assert problem.line == line_of(path, 'source = { ref = "memo", grade = "primary" }')
    assert "clause" in problem.message


def test_format_2_requires_coverage(tmp_path):
    start = FORMAT2.index("[[catalog.coverage]]")
    end = FORMAT2.index("[sources.memo]")
    path = write(tmp_path, FORMAT2[:start] + FORMAT2[end:])
    (problem,) = problems(path)
    assert "coverage" in problem.message
    assert problem.line == line_of(path, "[catalog]")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('source = "memo"\nencoded', 'source = "nope"\nencoded', "unknown source"),
        ('access = "official"', 'access = "read"', "must be one of"),
        ("share = 1.0", "share = 1.5", "from 0 to 1"),
        ('encoded = "items 1-3 of 3"\n', "", "missing required key"),
    ],
)
def test_coverage_is_validated_with_its_line(tmp_path, old, new, message):
    path = write(tmp_path, FORMAT2.replace(old, new))
    found = problems(path)
    assert len(found) == 1, found
    assert message in found[0].message
    assert found[0].line is not None
    assert line_of(path, "[[catalog.coverage]]") <= found[0].line <= line_of(path, "[sources")


RENAMED = """
[[renamed]]
id = "switch"
successors = ["lan"]
since = "1.0"
reason = "merged into the LAN criterion"
"""


def test_renamed_ids_are_validated_and_name_their_successor(tmp_path):
    catalog = readiness.load_catalog(write(tmp_path, FORMAT2 + RENAMED))
    with pytest.raises(errors.UnknownCriterionError) as info:
        catalog.resolve("switch")
    assert "'demo:lan'" in str(info.value)
    assert "merged into the LAN criterion" in str(info.value)
    bad = write(tmp_path, FORMAT2 + RENAMED.replace('["lan"]', '["lam"]'))
    (problem,) = problems(bad)
    assert "unknown successor" in problem.message
    assert problem.line == line_of(bad, "[[renamed]]")
    still = write(tmp_path, FORMAT2 + RENAMED.replace('id = "switch"', 'id = "ward"'))
    (problem,) = problems(still)
    assert "still a criterion" in problem.message


def test_a_prerequisite_on_a_renamed_id_names_the_successors(tmp_path):
    text = FORMAT2.replace('requires = ["vn-emr"]', "") + (
        '\n[[criterion]]\nid = "sec"\ntitle = { en = "S", vi = "S" }\ndomain = "infra"\nlevel = 1\n'
        'requires = [{ id = "vn-infosec:vn.nd85.level2_measures", because = "Old id." }]\n'
        'source = { ref = "memo", clause = "item 3", grade = "secondary" }\n'
    )
    text = text.replace('version = "1.0"', 'version = "1.0"\nrequires = ["vn-infosec"]')
    found = problems(write(tmp_path, text))
    assert len(found) == 1
    assert "vn.nd85.emr.measures" in found[0].message


# --------------------------------------------------------------------------- the format document


def format_example() -> str:
    text = (ROOT / "criteria" / "README.md").read_text(encoding="utf-8")
    start = text.index("```toml\n# A small catalog") + len("```toml\n")
    return text[start : text.index("```", start)]


def test_format_document_example_validates(tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text(format_example(), encoding="utf-8")
    catalog = readiness.load_catalog(path)
    assert catalog.frameworks["demo"].format == 2
    assert catalog.edge_rationales("demo") == {"cited": 1, "argued": 2, "unargued": 0}


@pytest.mark.parametrize(
    ("old", "new", "documented"),
    [
        (
            "level = 2\nweight = 2",
            "level = 0\nweight = 2",
            "demo.toml:69: criterion 'demo.ward': key 'level': level 0 is not defined (levels: 1, 2)",
        ),
        (
            'requires = [{ id = "demo.lan", because = "The ward module runs over the LAN." }]',
            'requires = ["demo.lan"]',
            "demo.toml:71: criterion 'demo.ward': key 'requires': prerequisite has neither",
        ),
    ],
)
def test_format_document_error_messages_are_exact(tmp_path, old, new, documented):
    text = format_example()
    assert text.count(old) == 1
    path = tmp_path / "demo.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    readme = (ROOT / "criteria" / "README.md").read_text(encoding="utf-8")
    assert documented in readme
    found = [str(p).replace(str(path), "demo.toml") for p in problems(path)]
    assert len(found) == 1
    assert found[0].startswith(documented)
