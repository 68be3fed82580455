"""Estimated stages of many facilities at once, from a status matrix (array form).

:func:`estimate_stage_matrix` gives what :func:`readiness._crosswalk.estimate_stage` gives for
the assessments of a status matrix (``matrix.to_assessments()``), without an object per
assessment: the crosswalk rules (module :mod:`readiness._crosswalk`, rules 1-6) are applied
relation by relation to whole rows of the matrix, and the worst, recorded and best cases are
scored as three matrices. A property test pins the two paths equal.

What a matrix cell says of its record when deriving: a ``below_coverage`` cell is a ``met``
record (its coverage counts when scoring, not when deriving), an ``unknown`` cell holds no
record, and an ``expired`` cell (a met *or* partial record past its ``valid_until``) derives,
through every relation, an ``expired`` cell (rule 6), which ranks between ``not_met`` and
``partial`` in rule 4. The object path derives an expired record of the source's status there;
an expired record earns nothing whether it was met or partial, so the two agree although the
code does not say which it was. A derived ``expired`` cell counts as recorded in the worst and
best cases (an overlap's best case does not open it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from readiness._catalog import Catalog, Condition
from readiness._compile import compile_catalog
from readiness._crosswalk import Crosswalk, LevelEstimate, crosswalks_for_estimate
from readiness._matrix import (
    BELOW_COVERAGE,
    EXPIRED,
    MET,
    NA,
    NOT_MET,
    PARTIAL,
    UNKNOWN,
    FacilityColumns,
    StatusMatrix,
)
from readiness.errors import OptionError

__all__ = ["estimate_stage_matrix"]

# a record's status, ordered as the crosswalk rule 4 ranks derived ones: not met, then expired,
# then partial, then met
_NONE, _NA, _NOT_MET, _EXPIRED, _PARTIAL, _MET = range(6)
_STATUS_OF_CODE = np.full(256, _NONE, dtype=np.int8)
_STATUS_OF_CODE[[NA, MET, PARTIAL, NOT_MET, EXPIRED, BELOW_COVERAGE]] = [
    _NA,
    _MET,
    _PARTIAL,
    _NOT_MET,
    _EXPIRED,
    _MET,
]

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


class _State:
    """Per criterion (set's compiled order) and row: status, progress, confidence, origin."""

    def __init__(self, status: npt.NDArray[np.int8], progress: Floats) -> None:
        self.status = status  # _NONE.._MET
        self.progress = progress  # partial progress (0 elsewhere)
        self.direct = status != _NONE  # rule 1: never overridden
        self.confidence = np.where(self.direct, 1.0, 0.0)  # rule 3
        self.derived = np.zeros(status.shape, dtype=bool)
        self.overlap = np.zeros(status.shape, dtype=bool)  # derived through an overlap


def _derive(
    kind: str, share: float | None, status: npt.NDArray[np.int8], progress: Floats
) -> tuple[Bools, npt.NDArray[np.int8], Floats]:
    """Apply one relation to source rows: (derives, derived status, derived progress).

    An expired source derives an expired cell through every relation (rule 6).
    """
    derives, derived, value = _derive_valid(kind, share, status, progress)
    expired = status == _EXPIRED
    return (
        derives | expired,
        np.where(expired, np.int8(_EXPIRED), derived).astype(np.int8),
        np.where(expired, 0.0, value),
    )


def _derive_valid(
    kind: str, share: float | None, status: npt.NDArray[np.int8], progress: Floats
) -> tuple[Bools, npt.NDArray[np.int8], Floats]:
    """Apply one relation to valid source rows (expired ones derive nothing here)."""
    met, partial, not_met = status == _MET, status == _PARTIAL, status == _NOT_MET
    zero = np.zeros(len(status))
    if kind == "equivalent":
        return met | partial | not_met, status, np.where(partial, progress, 0.0)
    if kind == "covers":
        return met, np.full(len(status), _MET, dtype=np.int8), zero
    if kind == "covered_by":
        return partial | not_met, np.full(len(status), _NOT_MET, dtype=np.int8), zero
    assert share is not None  # overlaps
    moving = partial & (progress != 0)
    value = np.where(met, share, np.where(moving, share * progress, 0.0))
    return met | moving, np.full(len(status), _PARTIAL, dtype=np.int8), value


def _translate(state: _State, steps: Iterable[Crosswalk], index: Any) -> None:
    """Apply the crosswalks to every row (:func:`readiness._crosswalk.translate`, rules 1-6)."""
    for step in steps:
        start = (
            state.status.copy(),
            state.progress.copy(),
            state.confidence.copy(),
            state.derived.copy(),
        )
        status0, progress0, confidence0, _ = start
        best: dict[int, list[Any]] = {}  # dst -> [has, confidence, order, progress, overlap]
        for rel in step.relations:
            (src,), (dst,) = rel.source, rel.target
            s, d = index.get(src), index.get(dst)
            if s is None or d is None:
                continue
            derives, status, progress = _derive(rel.kind, rel.share, status0[s], progress0[s])
            weight = confidence0[s]
            confidence = rel.confidence * weight
            valid = derives & (weight > 0) & ~state.direct[d]
            if not valid.any():
                continue
            entry = best.get(d)
            if entry is None:
                n = len(valid)
                entry = best[d] = [
                    np.zeros(n, dtype=bool),
                    np.zeros(n),
                    np.zeros(n, dtype=np.int8),
                    np.zeros(n),
                    np.zeros(n, dtype=bool),
                ]
            has, b_conf, b_order, b_prog, b_overlap = entry
            # rule 4: the highest confidence, then the least favourable status (an expired cell
            # between not met and partial); the first wins ties (expired cells are all alike)
            better = valid & (
                ~has
                | (confidence > b_conf)
                | (
                    (confidence == b_conf)
                    & ((status < b_order) | ((status == b_order) & (progress < b_prog)))
                )
            )
            has |= better
            b_conf[better] = confidence[better]
            b_order[better] = status[better]
            b_prog[better] = progress[better]
            b_overlap[better] = rel.kind == "overlaps"
        for d, (has, b_conf, b_order, b_prog, b_overlap) in best.items():
            # an earlier derivation of the same criterion competes too (it comes last)
            old = state.derived[d] & has
            keep = old & (
                (state.confidence[d] > b_conf)
                | (
                    (state.confidence[d] == b_conf)
                    & (
                        (state.status[d] < b_order)
                        | ((state.status[d] == b_order) & (state.progress[d] < b_prog))
                    )
                )
            )
            take = has & ~keep
            state.status[d, take] = b_order[take]
            state.progress[d, take] = b_prog[take]
            state.confidence[d, take] = b_conf[take]
            state.derived[d, take] = True
            state.overlap[d, take] = b_overlap[take]


def estimate_stage_matrix(
    catalog: Catalog, matrix: StatusMatrix, *, framework: str = "himss-emram"
) -> tuple[LevelEstimate, ...]:
    """Estimate ``framework``'s level of every assessment of ``matrix``, as arrays.

    Equal to ``estimate_stage(catalog, matrix.to_assessments(), framework=framework)``.

    Parameters
    ----------
    catalog : Catalog
        A loaded set holding the matrix's catalogs and ``framework`` (every criterion of the
        matrix's catalog must be in it).
    matrix : StatusMatrix
        Assessments of the matrix's own catalog (which may be a smaller set).
    framework : str
        The framework whose level is estimated.

    Returns
    -------
    tuple of LevelEstimate
        One per assessment, in order.

    Raises
    ------
    OptionError
        As :func:`readiness._crosswalk.estimate_stage`, or when the set lacks a criterion of
        the matrix.
    """
    from readiness._score import score_many  # noqa: PLC0415 - avoids an import cycle

    crosswalks = crosswalks_for_estimate(catalog, framework)
    for step in crosswalks:
        step.check_against(catalog, catalog)
    compiled = compile_catalog(catalog)
    keys = compile_catalog(matrix.catalog).keys
    missing = [k for k in keys if k not in compiled.index]
    if missing:
        raise OptionError(
            "the catalog set lacks criteria of the matrix", key="catalog", value=missing[:10]
        )
    n = len(matrix)
    if not n:
        return ()
    # the matrix's rows in the set's order (criteria it does not hold are unknown)
    where = np.array([compiled.index[k] for k in keys], dtype=np.intp)
    codes = np.full((compiled.size, n), UNKNOWN, dtype=np.uint8)
    codes[where] = matrix.status
    progress = np.zeros((compiled.size, n))
    progress[where] = np.where(matrix.status == PARTIAL, matrix.progress, 0.0)
    state = _State(_STATUS_OF_CODE[codes], progress)
    _translate(state, crosswalks, compiled.index)
    # applicability by each criterion's own condition, as estimate_levels reads it
    columns = matrix.columns
    masks: dict[Condition, Bools] = {}
    applies = np.zeros((compiled.size, n), dtype=bool)
    for key, criterion in catalog.criteria.items():
        condition = criterion.applies_to
        if condition not in masks:
            masks[condition] = columns.mask(condition)[matrix.rows]
        applies[compiled.index[key]] = masks[condition]
    unknown = applies & (state.status == _NONE)
    # the recorded case: direct cells keep their codes; derived records carry no coverage, and
    # an expired derived record is expired (rule 6)
    minimum = ~np.isnan(np.asarray(compiled.min_coverage, dtype=np.float64))
    expired = state.status == _EXPIRED
    derived_code = np.select(
        [
            state.status == _NOT_MET,
            state.status == _PARTIAL,
            expired,
            np.broadcast_to(minimum[:, None], state.status.shape),
        ],
        [NOT_MET, PARTIAL, EXPIRED, BELOW_COVERAGE],
        MET,
    ).astype(np.uint8)
    base = np.where(state.derived, derived_code, codes).astype(np.uint8)
    base_progress = np.where(base == PARTIAL, state.progress, 0.0)
    worst = np.where(unknown, np.uint8(NOT_MET), base).astype(np.uint8)
    # full coverage: met whatever the minimum; an expired derived record stays recorded
    met = unknown | (state.derived & state.overlap & ~expired)
    best = np.where(met, np.uint8(MET), base).astype(np.uint8)
    position = list(catalog.frameworks).index(framework)
    used, rows = np.unique(matrix.rows, return_inverse=True)
    facilities = tuple(matrix.facilities[int(i)] for i in used)
    shared = FacilityColumns.build(facilities)
    levels = []
    for status in (base, worst, best):
        table = score_many(
            catalog,
            StatusMatrix(
                catalog=catalog,
                facilities=facilities,
                rows=rows.astype(np.intp).reshape(-1),
                dates=matrix.dates,
                status=status,
                progress=np.where(status == PARTIAL, base_progress, 0.0),
                facility_columns=shared,
            ),
            details=False,
        )
        levels.append([None if v < 0 else int(v) for v in table.level[position].tolist()])
    # counts over the framework's applicable criteria, in the catalog's order (as summed there)
    n_direct = np.zeros(n, dtype=np.int64)
    n_derived = np.zeros(n, dtype=np.int64)
    n_unknown = np.zeros(n, dtype=np.int64)
    total = np.zeros(n)
    for key, criterion in catalog.criteria.items():
        if criterion.catalog != framework:
            continue
        i = compiled.index[key]
        counted = applies[i] & (state.status[i] != _NA)
        gap = counted & (state.status[i] == _NONE)
        derived = counted & ~gap & state.derived[i]
        n_unknown += gap
        n_derived += derived
        n_direct += counted & ~gap & ~derived
        total = total + np.where(derived, state.confidence[i], 0.0)
    return tuple(
        LevelEstimate(
            catalog=framework,
            level=levels[0][j],
            worst=levels[1][j],
            best=levels[2][j],
            direct=int(n_direct[j]),
            derived=int(n_derived[j]),
            unknown=int(n_unknown[j]),
            confidence=float(total[j]) / int(n_derived[j]) if n_derived[j] else None,
        )
        for j in range(n)
    )
