"""The progress of partial cells, kept as column-compressed entries (PartialProgress).

A status matrix keeps only the progress of its partial cells; every view of it (slices of
assessments, selections, the dense array) must equal what the dense array would give.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import readiness
from readiness import synthetic
from readiness._compile import compile_catalog
from readiness._matrix import PARTIAL, UNKNOWN, PartialProgress, StatusMatrix

values = st.sampled_from([0.0, 0.0, 0.0, 0.25, 0.5, 1.0, 0.1234567890123])


@st.composite
def dense_arrays(draw: st.DrawFn) -> np.ndarray:
    shape = (draw(st.integers(1, 6)), draw(st.integers(0, 9)))
    return draw(hnp.arrays(np.float64, shape, elements=values))


@settings(max_examples=60)
@given(dense=dense_arrays(), data=st.data())
def test_every_view_of_the_entries_equals_the_same_view_of_the_dense_array(
    dense: np.ndarray, data: st.DataObject
) -> None:
    kept = PartialProgress.of_dense(dense)
    size, count = dense.shape
    assert kept.shape == dense.shape
    assert np.array_equal(kept.dense(), dense)
    assert len(kept.value) == np.count_nonzero(dense)  # zeros hold no entry
    lo = data.draw(st.integers(0, count))
    hi = data.draw(st.integers(lo, count))
    assert np.array_equal(kept.dense(lo, hi), dense[:, lo:hi])
    assert np.array_equal(kept.columns(lo, hi).dense(), dense[:, lo:hi])
    index = np.array(data.draw(st.lists(st.integers(0, max(count - 1, 0)), max_size=12)))
    index = index[index < count].astype(np.intp)  # repeats allowed, any order
    assert np.array_equal(kept.take(index).dense(), dense[:, index])
    assert np.array_equal(kept.extended(3).dense(), np.pad(dense, ((0, 0), (0, 3))))
    rows = np.array(data.draw(st.lists(st.integers(0, size - 1), max_size=10)), dtype=np.intp)
    cols = np.array(
        data.draw(
            st.lists(st.integers(0, max(count - 1, 0)), min_size=len(rows), max_size=len(rows))
        )
        if count
        else [],
        dtype=np.intp,
    )
    if count:
        assert np.array_equal(kept.at(rows, cols), dense[rows, cols])


def test_cells_given_in_any_order_are_kept_column_by_column() -> None:
    rows = np.array([2, 0, 1, 0], dtype=np.intp)
    cols = np.array([1, 1, 0, 0], dtype=np.intp)
    kept = PartialProgress.of_cells(3, 2, rows, cols, np.array([0.3, 0.1, 0.2, 0.0]))
    assert kept.start.tolist() == [0, 1, 3]  # the cell whose progress is 0 holds no entry
    assert kept.row.tolist() == [1, 0, 2]
    assert kept.value.tolist() == [0.2, 0.1, 0.3]


CATALOG = readiness.load_catalog("vn-emr")
SIZE = len(compile_catalog(CATALOG).keys)


def _matrix(progress: np.ndarray | PartialProgress) -> StatusMatrix:
    """One hospital's matrix whose first cell is partial, with ``progress``."""
    facility = readiness.Facility(id="f1", name="F1", kind="hospital", ownership="public")
    status = np.full((SIZE, 1), UNKNOWN, dtype=np.uint8)
    status[0, 0] = PARTIAL
    return StatusMatrix(
        catalog=CATALOG,
        facilities=(facility,),
        rows=np.zeros(1, dtype=np.intp),
        dates=np.array([dt.date(2026, 1, 1)], dtype="datetime64[D]"),
        status=status,
        progress=progress,
    )


@pytest.mark.parametrize("value", [float("nan"), 1.5, -0.25, float("inf")])
def test_a_matrix_refuses_progress_outside_0_to_1_nan_included(value: float) -> None:
    progress = np.zeros((SIZE, 1))
    progress[0, 0] = value
    with pytest.raises(ValueError, match="progress must be from 0 to 1"):
        _matrix(progress)


def test_a_matrix_refuses_progress_outside_partial_cells_and_a_wrong_shape() -> None:
    progress = np.zeros((SIZE, 1))
    progress[0, 0] = 0.5
    assert _matrix(progress).progress[0, 0] == 0.5
    progress[1, 0] = 0.5
    with pytest.raises(ValueError, match="progress must be 0 outside partial cells"):
        _matrix(progress)
    with pytest.raises(ValueError, match="must have shape"):
        _matrix(np.zeros((SIZE, 2)))
    with pytest.raises(ValueError, match="must be a \\(criteria, assessments\\) array"):
        _matrix(np.zeros(SIZE))


def test_a_matrix_gives_back_the_dense_progress_it_was_given_and_slices_keep_it() -> None:
    catalog = readiness.load_catalog("vn-smart-hospital")
    matrix = synthetic.status_matrix(catalog, 300, seed=5)
    dense = matrix.progress
    assert np.count_nonzero(dense) == len(matrix.partial_progress.value) > 0
    rebuilt = StatusMatrix(
        catalog=catalog,
        facilities=matrix.facilities,
        rows=matrix.rows,
        dates=matrix.dates,
        status=matrix.status,
        progress=dense,
    )
    assert np.array_equal(rebuilt.progress, dense)
    assert np.array_equal(rebuilt.partial.value, matrix.partial.value)
    pieces = [chunk.progress for chunk in matrix.chunks(70)]
    assert np.array_equal(np.concatenate(pieces, axis=1), dense)
    index = np.array([299, 0, 5, 5, 120], dtype=np.intp)
    assert np.array_equal(matrix.take(index).progress, dense[:, index])
    assert np.array_equal(matrix.progress_block(10, 40), dense[:, 10:40])


def test_a_matrix_refuses_entries_that_do_not_index_its_cells() -> None:
    progress = np.zeros((SIZE, 1))
    progress[0, 0] = 0.5
    good = PartialProgress.of_dense(progress)
    for bad in (
        PartialProgress(SIZE, good.start, np.array([SIZE], dtype=np.intp), good.value),
        PartialProgress(SIZE, good.start, np.array([-1], dtype=np.intp), good.value),
        PartialProgress(SIZE, np.array([0, 2], dtype=np.intp), good.row, good.value),
        PartialProgress(SIZE, good.start, good.row, np.array([0.5, 0.5])),
    ):
        with pytest.raises(ValueError, match="progress entries must index the matrix's cells"):
            _matrix(bad)
    assert _matrix(good).progress[0, 0] == 0.5
