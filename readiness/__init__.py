"""Readiness of health facilities for paperless (EMR) and smart-hospital operation.

Criteria catalogs are data (``criteria/*.toml``) loaded into one validated dependency graph;
facilities are scored against them, and plans say what to do next and by when.

The stable public names are listed in ``__all__``; everything else may change.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from readiness import errors
from readiness._allocate import Allocation, CentralStep, Funding, allocate
from readiness._catalog import KINDS, OWNERSHIPS, Catalog, Criterion
from readiness._crosswalk import (
    Crosswalk,
    Derivation,
    LevelEstimate,
    Relation,
    Translation,
    estimate_level,
    estimate_stage,
    load_crosswalk,
    translate,
)
from readiness._load import list_catalogs, load_catalog
from readiness._matrix import PartialProgress, StatusMatrix
from readiness._model import AssessedBy, Assessment, Facility, Record, Status
from readiness._plan import (
    DeadlineVerdict,
    NextStep,
    Plan,
    PlanTable,
    Range,
    Step,
    Target,
    next_steps,
    plan,
    plan_many,
)
from readiness._portfolio import Obligation, Summary, summarize
from readiness._risk import (
    GroupRisk,
    Ranges,
    ScheduleRisk,
    assumed_ranges,
    catalog_ranges,
    schedule_risk,
)
from readiness._scenarios import Comparison, Scenario, ScenarioResult, compare_scenarios
from readiness._score import (
    Blocker,
    CatalogResult,
    Reason,
    Score,
    ScoreTable,
    Weights,
    score,
    score_many,
)
from readiness._versions import (
    CatalogDiff,
    Change,
    Migration,
    Round,
    align_history,
    diff_catalogs,
    migrate,
)

__version__ = "0.2.0"

__all__ = [
    "KINDS",
    "OWNERSHIPS",
    "Allocation",
    "AssessedBy",
    "Assessment",
    "Blocker",
    "Catalog",
    "CatalogDiff",
    "CatalogResult",
    "CentralStep",
    "Change",
    "Comparison",
    "Criterion",
    "Crosswalk",
    "DeadlineVerdict",
    "Derivation",
    "Facility",
    "Funding",
    "GroupRisk",
    "LevelEstimate",
    "Migration",
    "NextStep",
    "Obligation",
    "PartialProgress",
    "Plan",
    "PlanTable",
    "Range",
    "Ranges",
    "Reason",
    "Record",
    "Relation",
    "Round",
    "Scenario",
    "ScenarioResult",
    "ScheduleRisk",
    "Score",
    "ScoreTable",
    "Status",
    "StatusMatrix",
    "Step",
    "Summary",
    "Target",
    "Translation",
    "Weights",
    "__version__",
    "align_history",
    "allocate",
    "assumed_ranges",
    "catalog_ranges",
    "compare_scenarios",
    "diff_catalogs",
    "errors",
    "estimate_level",
    "estimate_stage",
    "graph",
    "io",
    "list_catalogs",
    "load_catalog",
    "load_crosswalk",
    "migrate",
    "next_steps",
    "peers",
    "plan",
    "plan_many",
    "report",
    "schedule_risk",
    "score",
    "score_many",
    "summarize",
    "synthetic",
    "translate",
]


_SUBMODULES = frozenset({"graph", "io", "peers", "report", "synthetic"})


def __getattr__(name: str) -> ModuleType:
    """Import the optional-feature submodules on first use (keeps ``import readiness`` light)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"readiness.{name}")
    msg = f"module 'readiness' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return list(__all__)
