"""The Dask recipe of docs/formats.md scores a partitioned history as score_many does.

The recipe's code is taken from the page itself, run with Dask's local (threaded) scheduler over
a SYNTHETIC history written as one Parquet file per round, and its table compared with
``score_many`` of the whole history on one machine.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import dask.dataframe  # noqa: F401 - the recipe needs it; dask is in the test extra
import numpy as np
import pandas as pd
import pytest

import readiness
from readiness import io, synthetic

DOC = Path(__file__).resolve().parent.parent / "docs" / "formats.md"


def recipe() -> dict[str, object]:
    text = DOC.read_text(encoding="utf-8").split("## Beyond one machine: Dask", 1)[1]
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert code is not None
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)  # the documented code itself
    return namespace


def long_rows(matrix: readiness.StatusMatrix) -> pd.DataFrame:
    rows = []
    for a in matrix.to_assessments():
        for key, record in a.records.items():
            rows.append(
                {
                    "facility_id": a.facility.id,
                    "date": a.date.isoformat(),
                    "criterion": key,
                    "status": record.status.value,
                    "progress": record.progress,
                    "coverage": record.coverage,
                    "reason": record.reason,
                    "valid_until": None if record.valid_until is None else str(record.valid_until),
                }
            )
    return pd.DataFrame(rows)


# dask's Parquet reader still passes inplace= to pandas' reset_index (deprecated in pandas 3.1)
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index")
def test_the_dask_recipe_gives_the_table_of_score_many(tmp_path: Path) -> None:
    catalog = readiness.load_catalog("vn-emr")
    rounds = [dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30)]
    history = synthetic.history(catalog, 60, rounds, seed=11)
    facilities = history.facilities
    folder = tmp_path / "history"
    folder.mkdir()
    frame = long_rows(history)
    for day, part in frame.groupby("date"):
        part.to_parquet(folder / f"{day}.parquet", index=False)
    scores = recipe()["score_history"](folder, catalog, facilities)  # type: ignore[operator]
    expected = io.to_pandas(readiness.score_many(catalog, history))
    key = ["facility_id", "date"]
    got = scores.sort_values(key).reset_index(drop=True)
    want = expected.sort_values(key).reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want) == 60 * len(rounds)
    for column in want.columns:
        if want[column].dtype.kind == "f":
            assert np.array_equal(
                got[column].to_numpy(float), want[column].to_numpy(float), equal_nan=True
            ), column
        else:
            assert got[column].astype(str).tolist() == want[column].astype(str).tolist(), column
