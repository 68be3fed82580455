"""DataFrames in and out: from_pandas validates as the readers do; to_pandas for every result.

``from_pandas(df, layout=...)`` gives the matrix ``read_status_matrix`` gives for the same
table written as a file, and the same problems (located by DataFrame row and column, the path
``<DataFrame>``), with either engine. ``to_pandas`` turns score tables, plan tables and summaries
into DataFrames.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import readiness
from readiness import errors
from readiness import io as rio
from tests.test_columnar import FACILITIES, MINI, long_rows, outcome

HERE = Path(__file__).parent


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clean=st.booleans(), data=st.data(), engine=st.sampled_from(["python", "pyarrow"]))
def test_a_dataframe_reads_as_its_file(tmp_path: Path, clean: bool, data, engine: str) -> None:
    """from_pandas and read_status_matrix of the same rows agree (problems up to the path)."""
    rows = data.draw(long_rows(clean))
    columns = list(rio.LONG_COLUMNS)
    full = [{c: row.get(c, "") for c in columns} for row in rows]
    df = pd.DataFrame(full, columns=columns, dtype=object)
    path = tmp_path / "a.json"
    path.write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    kind, want = outcome(lambda: rio.read_status_matrix(path, MINI, FACILITIES))
    got_kind, got = outcome(lambda: rio.from_pandas(df, MINI, FACILITIES, engine=engine))  # type: ignore[arg-type]
    assert got_kind == kind
    if kind == "ok":
        assert np.array_equal(got.status, want.status)
        assert np.array_equal(got.progress, want.progress)
        assert np.array_equal(got.rows, want.rows)
    else:
        assert got[0] is want[0]
        assert got[1] == [p.replace(str(path), "<DataFrame>") for p in want[1]]


def test_typed_columns_missing_values_and_timestamps() -> None:
    df = pd.DataFrame(
        {
            "facility_id": ["h1", "h1", "s1"],
            "date": pd.to_datetime(["2026-01-05"] * 3),
            "criterion": ["lan", "his", "ward"],
            "status": ["met", "partial", "not_applicable"],
            "progress": [np.nan, 0.5, np.nan],
            "reason": [None, None, "No beds"],
        },
        index=[10, 20, 30],
    )
    for engine in ("python", "pyarrow"):
        matrix = rio.from_pandas(df, MINI, FACILITIES, engine=engine)  # type: ignore[arg-type]
        assert len(matrix) == 2
        assert matrix.date(0) == dt.date(2026, 1, 5)
    bad = df.assign(progress=[np.nan, 2.0, np.nan])
    with pytest.raises(errors.InputError) as caught:
        rio.from_pandas(bad, MINI, FACILITIES)
    assert str(caught.value) == (
        "<DataFrame>: row 2, column 'progress': progress must be from 0 to 1 (got 2.0)"
    )


def test_wide_dataframes() -> None:
    df = pd.DataFrame(
        {"facility_id": ["h1"], "date": ["2026-01-05"], "lan": ["met"], "his": ["partial:0.4"]}
    )
    matrix = rio.from_pandas(df, MINI, FACILITIES, layout="wide")
    [assessment] = matrix.to_assessments()
    assert assessment.records["mini:his"].progress == pytest.approx(0.4)


def test_from_pandas_wants_a_dataframe() -> None:
    with pytest.raises(errors.OptionError, match="expected a pandas DataFrame"):
        rio.from_pandas([{"facility_id": "h1"}], MINI, FACILITIES)


def test_to_pandas_for_scores_plans_and_summaries() -> None:
    folder = HERE.parent / "examples" / "bac_ninh"
    catalog = readiness.load_catalog("vn-smart-hospital", layers=[folder / "bn-emr-layer.toml"])
    facilities = rio.read_facilities(folder / "facilities.csv", catalog=catalog)
    matrix = rio.read_status_matrix(folder / "assessments.csv", catalog, facilities)
    scores = readiness.score_many(catalog, matrix)
    frame = rio.to_pandas(scores)
    assert len(frame) == len(matrix)
    plans = readiness.plan_many(catalog, matrix, "vn-emr@1")
    frame = rio.to_pandas(plans)
    assert list(frame.columns) == list(plans.to_records()[0])
    assert len(frame) == len(matrix)
    summary = readiness.summarize(scores, by=("kind",))
    frame = rio.to_pandas(summary)
    assert frame["scope"].tolist()[0] == "total"
    assert len(frame) == 1 + len(summary.groups)
    assert {"kind", "rows", "overall:mean", "by_catalog:vn-emr:mean"} <= set(frame.columns)
    with pytest.raises(errors.OptionError, match="to_pandas takes"):
        rio.to_pandas(matrix)
