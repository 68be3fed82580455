"""Results as pandas DataFrames: score tables, plan tables and summaries.

pandas is an optional extra (``pip install 'readiness[pandas]'``), imported only here.
"""

from __future__ import annotations

from typing import Any

from readiness.errors import MissingDependencyError, OptionError

__all__ = ["to_pandas"]


def _pandas() -> Any:
    try:
        import pandas as pd  # noqa: PLC0415 - optional extra
    except ImportError:
        raise MissingDependencyError(
            "to_pandas needs pandas: pip install 'readiness[pandas]'"
        ) from None
    return pd


def _summary_rows(summary: Any) -> list[dict[str, Any]]:
    data = summary.to_dict()
    rows = []
    for scope, group in [("total", data["total"]), *(("group", g) for g in data["groups"])]:
        row: dict[str, Any] = {"scope": scope}
        for name in data["by"]:
            row[name] = (group.get("key") or {}).get(name)
        row.update({k: v for k, v in group.items() if k != "key"})
        rows.append(row)
    return rows


def to_pandas(result: object) -> Any:
    """Return a score table, plan table or summary as a DataFrame (see ``readiness.io``)."""
    from readiness._plan import PlanTable  # noqa: PLC0415
    from readiness._portfolio import Summary  # noqa: PLC0415
    from readiness._score import ScoreTable  # noqa: PLC0415

    pd = _pandas()
    if isinstance(result, ScoreTable):
        return result.to_pandas()
    if isinstance(result, PlanTable):
        return pd.DataFrame.from_records(result.to_records())
    if isinstance(result, Summary):
        return pd.json_normalize(_summary_rows(result), sep=":")
    raise OptionError(
        "to_pandas takes a ScoreTable, a PlanTable or a Summary",
        key="result",
        value=type(result).__name__,
    )
