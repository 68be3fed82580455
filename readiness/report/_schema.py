"""The shape of a report record (schema ``readiness.report/1``), checked before anything renders.

A record read back with :meth:`Report.from_json` may have been edited by hand or by a program.
:func:`check_record` walks it against the schema below and raises one
:class:`~readiness.errors.OptionError` listing every leaf of the wrong type, each with its path
(``facilities.rows[3].overall: must be a number or null (got 'x')``), so the renderers only ever
see the shapes they expect and never fail with a bare ``TypeError`` or ``KeyError``.

The schema is plain data: a mapping is a table whose keys are all required (other keys are kept
and not shown), ``[spec]`` a list of ``spec``, :class:`MapOf` a table of any keys, :class:`Opt`
a value or ``null``, :class:`Enum` one of fixed strings, and the leaf types are :data:`TEXT`,
:data:`INT`, :data:`NUM`, :data:`BOOL`, :data:`DATE`, :data:`PERIOD` and :data:`CELL`. A new
report section adds its key and shape to :data:`PROVINCE` or :data:`FACILITY`; :class:`Added`
when records written before it lack the key and the renderers can do without it. The cost and
finish ranges of plans (planning rule 9: ``planned_vnd_low``/``_high``, ``cost_vnd_low``/``_high``,
``finish_low``/``_high``, ``assumed_steps``, and a group's ``planned_steps``,
``assumed_steps``, ``assumed_effort_steps`` and ``uncosted_steps``) are required: a report
never shows a bare total, so a record without them is refused with the paths missing rather
than rendered without ranges.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

import attrs

from readiness._catalog import ACCESS
from readiness.errors import OptionError, Problem
from readiness.report._language import VERDICTS

#: Longest path listed per problem kind before the rest are counted (keeps errors short).
_MAX_PROBLEMS = 20


@attrs.frozen
class Leaf:
    """A leaf type: a name for messages and a test."""

    name: str
    test: Any  # Callable[[Any], bool]


@attrs.frozen
class Opt:
    """The value or ``null``."""

    spec: Any


@attrs.frozen
class Added(Opt):
    """A part added after records were first written: a value, ``null``, or absent."""


@attrs.frozen
class MapOf:
    """A table of any (string) keys, each value of ``spec``."""

    spec: Any


@attrs.frozen
class Enum:
    """One of fixed strings."""

    values: tuple[str, ...]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53


def _is_num(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) < 1e18


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return False
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    return 1900 <= day.year < 2200  # a report's dates; charts count days around them


TEXT = Leaf(
    "text (no lone surrogate)",
    lambda v: isinstance(v, str) and not re.search("[\ud800-\udfff]", v),
)
INT = Leaf("a whole number", _is_int)
NUM = Leaf("a number", _is_num)
BOOL = Leaf("true or false", lambda v: isinstance(v, bool))
DATE = Leaf("a date YYYY-MM-DD from 1900 to 2199", _is_date)
PERIOD = Leaf(
    "a year or quarter (2027, 2026-Q3)",
    lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}(-Q[1-4])?", v) is not None,
)
CELL = Leaf(
    "text, a number, true, false or null",
    lambda v: v is None or isinstance(v, str | bool) or _is_num(v),
)

VERDICT = Enum(VERDICTS)
COUNTS = dict.fromkeys(VERDICTS, INT)
STATS = {
    "count": INT,
    "mean": Opt(NUM),
    "sd": Opt(NUM),
    "median": Opt(NUM),
    "min": Opt(NUM),
    "max": Opt(NUM),
}
STATUS = Enum(("planned", "done", "unreachable", "not_applicable"))
#: A low, likely and high estimate (planning rule 9).
RANGE = {"low": NUM, "likely": NUM, "high": NUM}
REASON = Enum(("not_met", "partial", "unknown", "unsupported", "expired", "below_coverage"))

COMMON: dict[str, Any] = {
    "schema": TEXT,
    "kind": Enum(("province", "facility")),
    "lang": Enum(("en", "vi")),
    "title": TEXT,
    "generator": TEXT,
    "provenance": {
        "label": Opt(TEXT),
        "synthetic": BOOL,
        "policy": Enum(("strict", "lenient")),
        "catalogs_builtin": BOOL,
    },
    "catalogs": [
        {
            "id": TEXT,
            "title": TEXT,
            "version": TEXT,
            "disclaimer": Opt(TEXT),
            "origin": Added(TEXT),
            "coverage": Added(
                [
                    {
                        "source": TEXT,
                        "encoded": TEXT,
                        "share": Opt(NUM),
                        "access": Enum(ACCESS),
                        "note": Opt(TEXT),
                    }
                ]
            ),
            "levels": [{"number": INT, "title": TEXT}],
        }
    ],
}

#: A facility as the records show it.
IDENTITY = {
    "id": TEXT,
    "name": TEXT,
    "kind": Opt(TEXT),
    "ownership": Opt(TEXT),
    "beds": Opt(INT),
    "region": Opt(TEXT),
}

GROUP = {
    "label": TEXT,
    "rows": INT,
    "overall": STATS,
    "by_catalog": MapOf(STATS),
    "levels": MapOf(MapOf(INT)),
    "meeting_target": Opt(INT),
    "spent_vnd": Opt(NUM),
    "planned_vnd_low": Opt(NUM),
    "planned_vnd": Opt(NUM),
    "planned_vnd_high": Opt(NUM),
    "planned_steps": Opt(INT),
    "assumed_steps": Opt(INT),
    "assumed_effort_steps": Opt(INT),
    "uncosted_steps": Opt(INT),
    "verdicts": Opt(MapOf(INT)),
}

PROVINCE: dict[str, Any] = {
    **COMMON,
    "assessed": {"rows": INT, "facilities": INT, "first_date": Opt(DATE), "last_date": Opt(DATE)},
    "target": Opt(TEXT),
    "obligation": Opt(
        {
            "name": TEXT,
            "target": Opt(TEXT),
            "deadline": Opt(DATE),
            "obliged": INT,
            "done": INT,
            "done_unobliged": INT,
            "counted": INT,
            "rate": Opt(NUM),
            "rule": TEXT,
            "missing_total": INT,
            "missing": [TEXT],
            "unobliged_done_total": INT,
            "unobliged_done": [TEXT],
        }
    ),
    "groups": {"by": [TEXT], "total": GROUP, "rows": [GROUP]},
    "domains": [
        {
            "key": TEXT,
            "catalog": TEXT,
            "title": TEXT,
            "scored": INT,
            "mean": Opt(NUM),
            "median": Opt(NUM),
        }
    ],
    "deadlines": Opt(
        {
            "target": Opt(TEXT),
            "risk_margin_days": INT,
            "target_counts": COUNTS,
            "by_deadline": [{"key": TEXT, "title": TEXT, "dates": [DATE], "counts": COUNTS}],
            "late_total": Opt(INT),
            "late": [TEXT],
            "at_risk_total": Opt(INT),
            "at_risk": [TEXT],
        }
    ),
    "blockers": [{"catalog": TEXT, "criterion": TEXT, "title": TEXT, "rows": INT}],
    "counting": Added(
        {
            "not_assessed_total": INT,
            "not_assessed": [TEXT],
            "superseded": INT,
            "not_applicable": Enum(("trust", "dispute")),
            "disputed_rows": INT,
            "disputed": [{"criterion": TEXT, "title": TEXT, "rows": INT}],
        }
    ),
    "change": Opt(
        {
            "matched": INT,
            "levels": MapOf({"up": INT, "same": INT, "down": INT}),
            "overall_delta": STATS,
            "movers": [{"facility": TEXT, "catalog": TEXT, "before": INT, "after": INT}],
        }
    ),
    "roadmap": Opt(
        {
            "target": TEXT,
            "rows": INT,
            "status": dict.fromkeys(STATUS.values, INT),
            "verdicts": COUNTS,
            "steps": INT,
            "effort_days": NUM,
            "cost_vnd_low": NUM,
            "cost_vnd": NUM,
            "cost_vnd_high": NUM,
            "finish_low": Opt(DATE),
            "finish": Opt(DATE),
            "finish_high": Opt(DATE),
            "assumed_steps": INT,
            "assumed_effort_steps": INT,
            "uncosted_steps": INT,
            "period": Enum(("quarter", "year")),
            "timeline": [
                {
                    "period": PERIOD,
                    "start": DATE,
                    "steps": INT,
                    "facilities": INT,
                    "reached_share": Opt(NUM),
                    "reached_share_earliest": Opt(NUM),
                    "reached_share_latest": Opt(NUM),
                }
            ],
            "deadlines": [{"key": TEXT, "title": TEXT, "date": DATE}],
            "first_steps": [
                {"criterion": TEXT, "title": TEXT, "facilities": INT, "share": Opt(NUM)}
            ],
        }
    ),
    "facilities": {
        "total": INT,
        "shown": INT,
        "rows": [
            {
                **IDENTITY,
                "date": DATE,
                "overall": Opt(NUM),
                "levels": MapOf(Opt(INT)),
                "verdict": Opt(VERDICT),
            }
        ],
    },
    "extra": [
        {"id": TEXT, "title": TEXT, "text": TEXT, "columns": [TEXT], "rows": [[CELL]], "note": TEXT}
    ],
    # where to spend: only in reports given a scenario comparison (readiness.report._decisions)
    "decisions": Added(
        {
            "target": TEXT,
            "budget_vnd": NUM,
            "spent_vnd_low": Added(NUM),
            "spent_vnd": NUM,
            "spent_vnd_high": Added(NUM),
            "steps": Added(INT),
            "assumed_steps": Added(INT),
            "funded": INT,
            "meeting": INT,
            "obliged": INT,
            "done": INT,
            "cannot_meet": INT,
            "central_funded": INT,
            "optimal": BOOL,
            "gap": NUM,
            "method": TEXT,
            "uncosted_steps": INT,
            "monte_carlo": Opt(
                {
                    "expected": NUM,
                    "p10": NUM,
                    "p50": NUM,
                    "p90": NUM,
                    "draws": INT,
                    "ranges": TEXT,
                    "ranges_text": Added(TEXT),
                    "steps": Added(INT),
                    "assumed_range_steps": Added(INT),
                    "assumed_steps": Added(INT),
                }
            ),
            "distribution": Opt([{"meeting": INT, "share": NUM}]),
            "funded_list": [
                {
                    "facility_id": TEXT,
                    "name": TEXT,
                    "kind": Opt(TEXT),
                    "cost_vnd_low": Added(NUM),
                    "cost_vnd": NUM,
                    "cost_vnd_high": Added(NUM),
                    "steps": Added(INT),
                    "assumed_steps": Added(INT),
                    "finish_low": Added(DATE),
                    "finish": Opt(DATE),
                    "finish_high": Added(DATE),
                    "due": Opt(DATE),
                    "p_meet": Opt(NUM),
                    "reason": TEXT,
                }
            ],
            "funded_listed": INT,
            "central": [
                {
                    "criterion": TEXT,
                    "cost_vnd_low": Added(NUM),
                    "cost_vnd": NUM,
                    "cost_vnd_high": Added(NUM),
                    "facilities": INT,
                    "funded": BOOL,
                }
            ],
            "scenarios": [
                {
                    "scenario": TEXT,
                    "changes": TEXT,
                    "budget_vnd": NUM,
                    "funded": INT,
                    "meeting": INT,
                    "expected_meeting": Added(NUM),
                    "meeting_p10": Added(NUM),
                    "meeting_p90": Added(NUM),
                }
            ],
        }
    ),
}

BLOCKER = {
    "criterion": TEXT,
    "title": TEXT,
    "reason": REASON,
    "reason_text": TEXT,
    "detail_text": TEXT,
}

FACILITY: dict[str, Any] = {
    **COMMON,
    "facility": IDENTITY,
    "assessment": {"date": DATE, "overall": Opt(NUM), "applicable": INT, "met": INT},
    "results": [
        {
            "catalog": TEXT,
            "title": TEXT,
            "level": Opt(INT),
            "level_title": Opt(TEXT),
            "max_level": INT,
            "next_level": Opt(INT),
            "next_level_title": Opt(TEXT),
            "progress": Opt(NUM),
            "score": Opt(NUM),
            "blockers": [BLOCKER],
        }
    ],
    "domains": [
        {"key": TEXT, "catalog": TEXT, "title": TEXT, "score": Opt(NUM), "peer_mean": Opt(NUM)}
    ],
    "unsupported": [BLOCKER],
    "gaps": [{"criterion": TEXT, "title": TEXT}],
    "plan": Opt(
        {
            "target": TEXT,
            "status": STATUS,
            "note": Opt(TEXT),
            "start": DATE,
            "finish_low": Opt(DATE),
            "finish": Opt(DATE),
            "finish_high": Opt(DATE),
            "effort_days": NUM,
            "cost_vnd_low": NUM,
            "cost_vnd": NUM,
            "cost_vnd_high": NUM,
            "assumed_steps": INT,
            "assumed_effort_steps": INT,
            "uncosted_steps": INT,
            "critical_path": [TEXT],
            "verdicts": [
                {
                    "title": TEXT,
                    "date": Opt(DATE),
                    "finish": Opt(DATE),
                    "slack_days": Opt(INT),
                    "verdict": VERDICT,
                }
            ],
            "steps": [
                {
                    "criterion": TEXT,
                    "title": TEXT,
                    "wave": INT,
                    "start": DATE,
                    "finish": DATE,
                    "effort_days": NUM,
                    "cost_vnd": Opt(NUM),
                    "effort_range": RANGE,
                    "cost_range": RANGE,
                    "assumed": BOOL,
                    "costed": BOOL,
                    "reason": TEXT,
                }
            ],
        }
    ),
    "next_steps": [
        {
            "rank": INT,
            "criterion": TEXT,
            "title": TEXT,
            "reason": TEXT,
            "due": Opt(DATE),
            "effort_days": Opt(NUM),
            "cost_vnd": Opt(NUM),
        }
    ],
    "peers": Opt(
        {"rows": INT, "label": Opt(TEXT), "overall": STATS, "by_catalog": MapOf(STATS)}
        | {"share_below": Opt(NUM)}
    ),
    "peer_steps": Opt(
        {
            "note": TEXT,
            "items": [{"criterion": TEXT, "share": NUM, "sentence": TEXT}],
        }
    ),
}


def _describe(spec: Any) -> str:
    if isinstance(spec, Leaf):
        return spec.name
    if isinstance(spec, Opt):
        return f"{_describe(spec.spec)} or null"
    if isinstance(spec, Enum):
        return "one of " + ", ".join(repr(v) for v in spec.values)
    if isinstance(spec, list):
        return "a list"
    return "a table"


def _walk(
    value: Any, spec: Any, path: str, problems: list[Problem], *, nullable: bool = False
) -> None:
    if isinstance(spec, Opt):
        if value is not None:
            _walk(value, spec.spec, path, problems, nullable=True)
        return
    ok = True
    if isinstance(spec, Leaf):
        ok = bool(spec.test(value))
    elif isinstance(spec, Enum):
        ok = isinstance(value, str) and value in spec.values
    elif isinstance(spec, list):
        ok = isinstance(value, list)
        if ok:
            for i, item in enumerate(value):
                _walk(item, spec[0], f"{path}[{i}]", problems)
    elif isinstance(spec, MapOf):
        ok = isinstance(value, dict)
        if ok:
            for key, item in value.items():
                _walk(item, spec.spec, f"{path}.{key}", problems)
    elif isinstance(spec, Mapping):
        ok = isinstance(value, dict)
        if ok:
            for key, item_spec in spec.items():
                where = f"{path}.{key}" if path else key
                if key not in value:
                    if not isinstance(item_spec, Added):  # added parts may be absent
                        problems.append(Problem(message="missing", key=where))
                else:
                    _walk(value[key], item_spec, where, problems)
    if not ok:
        wanted = _describe(Opt(spec) if nullable else spec)
        problems.append(Problem(message=f"must be {wanted}", key=path or "data", value=value))


def check_record(data: Mapping[str, Any]) -> None:
    """Check a report record against the schema of its kind and its cross-references.

    Raises
    ------
    readiness.errors.OptionError
        Listing every problem (the first :data:`_MAX_PROBLEMS`), each with the path of the leaf.
    """
    problems: list[Problem] = []
    spec = PROVINCE if data.get("kind") == "province" else FACILITY
    _walk(data, spec, "", problems)
    if not problems:
        _references(data, problems)
    if problems:
        shown = problems[:_MAX_PROBLEMS]
        if len(problems) > _MAX_PROBLEMS:
            more = len(problems) - _MAX_PROBLEMS
            shown.append(Problem(message=f"and {more} more problems", key="~"))  # sorts last
        raise OptionError(
            problems=[attrs.evolve(p, message="report data: " + p.message) for p in shown]
        )


def _references(data: Mapping[str, Any], problems: list[Problem]) -> None:
    """Check what the renderers look up: catalog ids, table widths."""
    ids = [c["id"] for c in data["catalogs"]]
    known = set(ids)
    if len(known) != len(ids):
        problems.append(Problem(message="catalogs: an id is listed twice", key="catalogs"))

    def need(keys: Any, where: str) -> None:
        missing = [k for k in ids if k not in keys]
        if missing:
            problems.append(Problem(message=f"no entry for catalog {missing[0]!r}", key=where))

    if data["kind"] == "province":
        groups = [("groups.total", data["groups"]["total"])]
        groups += [(f"groups.rows[{i}]", g) for i, g in enumerate(data["groups"]["rows"])]
        for where, group in groups:
            need(group["by_catalog"], f"{where}.by_catalog")
        for i, row in enumerate(data["facilities"]["rows"]):
            need(row["levels"], f"facilities.rows[{i}].levels")
        for i, section in enumerate(data["extra"]):
            width = len(section["columns"])
            for j, row in enumerate(section["rows"]):
                if len(row) != width:
                    where = f"extra[{i}].rows[{j}]"
                    problems.append(
                        Problem(message=f"{len(row)} cells for {width} columns", key=where)
                    )
        scenarios = (data.get("decisions") or {}).get("scenarios") or []
        carlo = ("expected_meeting", "meeting_p10", "meeting_p90")
        for j, row in enumerate(scenarios):  # the Monte Carlo columns in every row or in none
            if any((key in row) != (key in scenarios[0]) for key in carlo):
                where = f"decisions.scenarios[{j}]"
                problems.append(
                    Problem(message="Monte Carlo columns unlike the first scenario's", key=where)
                )
        return
    for i, result in enumerate(data["results"]):
        if result["catalog"] not in known:
            where = f"results[{i}].catalog"
            problems.append(
                Problem(
                    message=f"{where}: not among the catalogs", key=where, value=result["catalog"]
                )
            )
