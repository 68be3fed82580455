"""The stable public names (design.md, "Public names") and the light import."""

from __future__ import annotations

import pytest

import readiness

STABLE = {
    "load_catalog",
    "list_catalogs",
    "Catalog",
    "Criterion",
    "Facility",
    "Assessment",
    "Status",
    "score",
    "score_many",
    "next_steps",
    "plan",
    "summarize",
    "errors",
}


def test_all_is_pinned() -> None:
    """__all__ lists exactly these names; changing it is a deliberate API change."""
    assert sorted(readiness.__all__) == sorted(
        [
            "CatalogDiff",
            "estimate_stage",
            "Round",
            "align_history",
            "Change",
            "Crosswalk",
            "Derivation",
            "LevelEstimate",
            "Migration",
            "Relation",
            "Translation",
            "diff_catalogs",
            "estimate_level",
            "load_crosswalk",
            "migrate",
            "translate",
            *STABLE,
            "KINDS",
            "OWNERSHIPS",
            "Allocation",
            "AssessedBy",
            "Blocker",
            "CatalogResult",
            "CentralStep",
            "Comparison",
            "DeadlineVerdict",
            "Funding",
            "GroupRisk",
            "NextStep",
            "Obligation",
            "Plan",
            "PlanTable",
            "Range",
            "Ranges",
            "Reason",
            "Record",
            "Scenario",
            "ScenarioResult",
            "ScheduleRisk",
            "Score",
            "ScoreTable",
            "PartialProgress",
            "StatusMatrix",
            "Step",
            "Summary",
            "Target",
            "Weights",
            "__version__",
            "allocate",
            "assumed_ranges",
            "catalog_ranges",
            "compare_scenarios",
            "graph",
            "io",
            "peers",
            "plan_many",
            "report",
            "schedule_risk",
            "synthetic",
        ]
    )


def test_every_name_resolves() -> None:
    """Every name of __all__ is reachable (submodules load on first use)."""
    for name in readiness.__all__:
        assert getattr(readiness, name) is not None


def test_dir_is_all() -> None:
    """dir(readiness) shows the public names only."""
    assert sorted(dir(readiness)) == sorted(readiness.__all__)


def test_unknown_attribute() -> None:
    """A missing attribute raises AttributeError with its name."""
    with pytest.raises(AttributeError, match="nope"):
        readiness.nope  # noqa: B018
