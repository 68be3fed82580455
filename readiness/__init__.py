"""Readiness of health facilities for paperless (EMR) and smart-hospital operation.

Criteria catalogs are data (``criteria/*.toml``) loaded into one validated dependency graph;
facilities are scored against them, and plans say what to do next and by when.

The stable public names are listed in ``__all__``; everything else may change.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from readiness import errors
from readiness._catalog import KINDS, OWNERSHIPS, Catalog, Criterion
from readiness._load import list_catalogs, load_catalog
from readiness._matrix import StatusMatrix
from readiness._model import AssessedBy, Assessment, Facility, Record, Status
from readiness._plan import (
    DeadlineVerdict,
    NextStep,
    Plan,
    PlanTable,
    Step,
    Target,
    next_steps,
    plan,
    plan_many,
)
from readiness._portfolio import Obligation, Summary, summarize
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

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "OWNERSHIPS",
    "AssessedBy",
    "Assessment",
    "Blocker",
    "Catalog",
    "CatalogResult",
    "Criterion",
    "DeadlineVerdict",
    "Facility",
    "NextStep",
    "Obligation",
    "Plan",
    "PlanTable",
    "Reason",
    "Record",
    "Score",
    "ScoreTable",
    "Status",
    "StatusMatrix",
    "Step",
    "Summary",
    "Target",
    "Weights",
    "__version__",
    "errors",
    "graph",
    "io",
    "list_catalogs",
    "load_catalog",
    "next_steps",
    "peers",
    "plan",
    "plan_many",
    "report",
    "score",
    "score_many",
    "summarize",
    "synthetic",
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
