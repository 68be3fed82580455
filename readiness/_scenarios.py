"""What-if scenarios: allocations and schedule risk side by side, from one call or one spec.

A scenario changes the baseline in one or more named ways (``docs/decisions.md``, "Scenarios"):

* ``budget_factor`` (budget +20 %: ``1.2``) or ``budget`` (VND);
* ``due``: the target's due date moved;
* ``max_parallel``: at most N steps of a plan in progress at once (plans and Monte Carlo);
* ``central``: more steps done once, centrally;
* ``exempt``: a facility class exempted (a condition, as catalogs' ``applies_to``).

The baseline comes first; every scenario is computed from the same plans where it can (one plan
table per distinct due date and parallel limit) and with the same seed, so differences come from
the scenario, not from the draws.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from readiness._allocate import Allocation, Objective, _allocate, _check_amount, _check_options
from readiness._catalog import Condition
from readiness._plan import PlanTable, Target, plan_many
from readiness._risk import RangeSource, ScheduleRisk, schedule_risk
from readiness.errors import OptionError

if TYPE_CHECKING:
    from readiness._catalog import Catalog
    from readiness._model import Assessment

__all__ = ["Comparison", "Scenario", "ScenarioResult", "compare_scenarios"]

#: The options a scenario may change.
OPTIONS = ("budget_factor", "budget", "due", "max_parallel", "central", "exempt")


def _condition(value: object, where: str) -> Condition:
    if isinstance(value, Condition):
        return value
    from readiness._load import parse_condition  # noqa: PLC0415 - the catalogs' grammar

    parsed = parse_condition(dict(value) if isinstance(value, Mapping) else value)
    if not isinstance(parsed, Condition):
        message, offending = parsed
        raise OptionError(f"{where}: exempt: {message}", key="exempt", value=offending)
    return parsed


@attrs.frozen(kw_only=True)
class Scenario:
    """A named what-if; options left ``None`` (or empty) keep the baseline's."""

    name: str
    budget_factor: float | None = None
    budget: float | None = None
    due: dt.date | None = None
    max_parallel: int | None = None
    central: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    exempt: Condition | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Build and check a scenario from plain data (``{"name": ..., "budget_factor": 1.2}``).

        Raises
        ------
        OptionError
            A missing name, an option that does not exist, a scenario changing nothing, or a
            value of the wrong kind; the message names the scenario and the option.
        """
        if not isinstance(data, Mapping):
            raise OptionError("a scenario must be a table", key="scenario", value=data)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise OptionError("a scenario needs a name", key="name", value=name)
        where = f"scenario {name!r}"
        unknown = sorted(set(data) - {"name", *OPTIONS})
        if unknown:
            raise OptionError(
                f"{where}: no such option (options: {', '.join(OPTIONS)})",
                key=unknown[0],
                value=data[unknown[0]],
            )
        return _checked(cls(name=name), data, where)

    def changes(self) -> str:
        """Describe what the scenario changes, e.g. ``budget x 1.2; due 2027-06-30``."""
        parts = []
        if self.budget_factor is not None:
            parts.append(f"budget x {self.budget_factor:g}")
        if self.budget is not None:
            parts.append(f"budget {self.budget / 1e6:,.0f} M VND")
        if self.due is not None:
            parts.append(f"due {self.due.isoformat()}")
        if self.max_parallel is not None:
            parts.append(f"at most {self.max_parallel} steps at once")
        if self.central:
            parts.append(f"central: {', '.join(self.central)}")
        if self.exempt is not None:
            parts.append(f"exempt: {self.exempt}")
        return "; ".join(parts) or "baseline"


def _checked(scenario: Scenario, data: Mapping[str, Any], where: str) -> Scenario:
    """Return ``scenario`` with the options of ``data``, each checked (typed errors)."""
    values: dict[str, Any] = {}
    for option in OPTIONS:
        if option not in data or data[option] is None:
            continue
        value = data[option]
        if option == "budget_factor":
            values[option] = _check_amount(value, "budget_factor", positive=True)
        elif option == "budget":
            values[option] = _check_amount(value, "budget")
        elif option == "due":
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise OptionError(f"{where}: due must be a date", key="due", value=value)
            values[option] = value
        elif option == "max_parallel":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise OptionError(
                    f"{where}: max_parallel must be a whole number >= 1",
                    key="max_parallel",
                    value=value,
                )
            values[option] = value
        elif option == "central":
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, Iterable) or not all(isinstance(v, str) for v in names):
                raise OptionError(
                    f"{where}: central takes criterion ids", key="central", value=value
                )
            values[option] = tuple(names)
        else:
            values[option] = _condition(value, where)
    if values.get("budget_factor") is not None and values.get("budget") is not None:
        raise OptionError(
            f"{where}: give budget or budget_factor, not both", key="budget", value=data["budget"]
        )
    if not values:
        raise OptionError(
            f"{where}: changes nothing (options: {', '.join(OPTIONS)})",
            key="scenario",
            value=scenario.name,
        )
    return attrs.evolve(scenario, **values)


@attrs.frozen(kw_only=True)
class ScenarioResult:
    """One scenario's allocation and (when simulated) its schedule risk."""

    scenario: Scenario
    allocation: Allocation
    risk: ScheduleRisk | None

    def to_record(self) -> dict[str, Any]:
        """One flat row of the comparison table."""
        a = self.allocation
        counts = a.counts()
        row: dict[str, Any] = {
            "scenario": self.scenario.name,
            "changes": self.scenario.changes(),
            "budget_vnd": a.budget_vnd,
            "spent_vnd_low": a.spent_vnd_low,
            "spent_vnd": a.spent_vnd,
            "spent_vnd_high": a.spent_vnd_high,
            "assumed_steps": a.assumed_steps,
            "steps": a.steps,
            "funded": counts.get("funded", 0),
            "exempt": counts.get("exempt", 0),
            "meeting": a.meeting,
            "optimal": a.optimal,
            "gap": a.gap,
        }
        if self.risk is not None:
            province = self.risk.group("province", "all")
            row["expected_meeting"] = province.expected_meeting
            row["meeting_p10"] = province.meeting_p10
            row["meeting_p90"] = province.meeting_p90
            row["assumed_range_share"] = self.risk.assumed_range_share
        return row


@attrs.frozen(kw_only=True)
class Comparison:
    """The baseline and every scenario, in order (returned by :func:`compare_scenarios`)."""

    results: tuple[ScenarioResult, ...]

    def __getitem__(self, name: str) -> ScenarioResult:
        """Return the result of the scenario with this name (``"baseline"`` for the baseline)."""
        for result in self.results:
            if result.scenario.name == name:
                return result
        raise OptionError("no scenario with this name", key="scenario", value=name)

    def to_records(self) -> list[dict[str, Any]]:
        """One row per scenario (see :meth:`ScenarioResult.to_record`)."""
        return [r.to_record() for r in self.results]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: the comparison table and every allocation and roll-up."""
        return {
            "comparison": self.to_records(),
            "scenarios": [
                {
                    "scenario": r.scenario.name,
                    "changes": r.scenario.changes(),
                    "allocation": r.allocation.to_dict(),
                    "risk": None if r.risk is None else r.risk.to_dict(),
                }
                for r in self.results
            ],
        }


def compare_scenarios(
    catalog: Catalog,
    assessments: Sequence[Assessment],
    target: Target | str,
    *,
    budget: float,
    scenarios: Iterable[Scenario | Mapping[str, Any]] = (),
    objective: Objective = "count",
    central: Iterable[str] = (),
    central_cost: Mapping[str, float] | None = None,
    staff_days_per_month: float | None = None,
    max_projects: int | None = None,
    start: dt.date | None = None,
    due: dt.date | None = None,
    max_parallel: int | None = None,
    estimates: Mapping[str, Mapping[str, float]] | None = None,
    draws: int = 1_000,
    seed: int = 0,
    ranges: RangeSource | None = None,
    method: str = "auto",
) -> Comparison:
    """Allocate and simulate the baseline and each scenario, side by side.

    Parameters
    ----------
    catalog, assessments, target
        As for :func:`readiness.allocate` (a list of assessments).
    budget : float
        The baseline budget (VND).
    scenarios : iterable of Scenario or mapping
        The what-ifs (mappings go through :meth:`Scenario.from_dict`); names must be distinct and
        not ``"baseline"``.
    objective, central, central_cost, staff_days_per_month, max_projects, start, due, estimates
        The baseline's allocation options (see :func:`readiness.allocate`).
    max_parallel : int, optional
        The baseline's limit on steps in progress at once per plan.
    draws, seed, ranges
        Monte Carlo settings (see :func:`readiness.schedule_risk`); ``draws=0`` skips it.
    method : str
        The allocation method.

    Returns
    -------
    Comparison
    """
    budget = _check_amount(budget, "budget")
    staff = _check_options(
        objective=objective,
        method=method,
        exact_limit=2_000,
        time_limit=20.0,
        staff_days_per_month=staff_days_per_month,
        max_projects=max_projects,
    )
    baseline = Scenario(name="baseline")
    chosen: list[Scenario] = [baseline]
    for item in scenarios:
        scenario = item if isinstance(item, Scenario) else Scenario.from_dict(item)
        if any(s.name == scenario.name for s in chosen):
            raise OptionError(
                "two scenarios have this name (the first is always 'baseline')",
                key="scenario",
                value=scenario.name,
            )
        chosen.append(scenario)
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 0:
        raise OptionError("draws must be a whole number >= 0", key="draws", value=draws)
    assessments = list(assessments)
    known = {name for a in assessments for name in a.facility.attribute_values()}
    for scenario in chosen:
        missing = sorted(scenario.exempt.attributes - known) if scenario.exempt else []
        if missing:
            raise OptionError(
                f"scenario {scenario.name!r}: exempt: condition on an attribute no facility has "
                f"(known: {', '.join(sorted(known))})",
                key="exempt",
                value=missing[0],
            )
    goal = Target.parse(target) if isinstance(target, str) else target
    tables: dict[tuple[dt.date | None, int | None], PlanTable] = {}
    results = []
    for scenario in chosen:
        when = scenario.due if scenario.due is not None else due
        parallel = scenario.max_parallel if scenario.max_parallel is not None else max_parallel
        key = (when, parallel)
        if key not in tables:
            aim = goal if when is None else attrs.evolve(goal, due=when)
            tables[key] = plan_many(
                catalog,
                assessments,
                aim,
                start=start,
                max_parallel=parallel,
                estimates=estimates,
                k=0,
            )
        table = tables[key]
        money = scenario.budget if scenario.budget is not None else budget
        if scenario.budget_factor is not None:
            money = budget * scenario.budget_factor
        if not math.isfinite(money) or money > 1e18:
            raise OptionError("the scenario's budget is too large", key="budget", value=money)
        steps = (*central, *scenario.central)
        exempt = None
        if scenario.exempt is not None:
            condition = scenario.exempt
            exempt = np.array(
                [
                    condition.matches(table.facilities[int(r)].attribute_values())
                    for r in table.rows
                ],
                dtype=bool,
            )
        allocation = _allocate(
            table,
            budget=money,
            objective=objective,
            central=steps,
            central_cost=central_cost,
            staff=staff,
            max_projects=max_projects,
            weights=None,
            method=method,
            exact_limit=2_000,
            time_limit=20.0,
            exempt=exempt,
            exempt_reason="" if scenario.exempt is None else str(scenario.exempt),
        )
        risk = None
        if draws:
            risk = schedule_risk(
                table,
                ranges=ranges,
                draws=draws,
                seed=seed,
                max_parallel=parallel,
                central=steps,
                allocation=allocation,
                by=(),
            )
        results.append(ScenarioResult(scenario=scenario, allocation=allocation, risk=risk))
    return Comparison(results=tuple(results))


# --------------------------------------------------------------------------- the spec section

#: Keys of ``[allocation]`` in a report specification.
ALLOCATION_KEYS = {
    "target",
    "budget",
    "facilities",
    "due",
    "start",
    "objective",
    "central",
    "central_cost",
    "staff_days_per_month",
    "max_projects",
    "max_parallel",
    "draws",
    "seed",
    "ranges",
    "label",
    "scenario",
}


@attrs.frozen(kw_only=True)
class AllocationSpec:
    """The ``[allocation]`` section of a report specification (see ``docs/decisions.md``)."""

    target: str
    budget: float
    facilities: Condition
    due: dt.date | None = None
    start: dt.date | None = None
    objective: Objective = "count"
    central: tuple[str, ...] = ()
    central_cost: Mapping[str, float] = attrs.field(factory=dict)
    staff_days_per_month: float | None = None
    max_projects: int | None = None
    max_parallel: int | None = None
    draws: int = 1_000
    seed: int = 0
    ranges: tuple[float, float] | None = None  # None: the catalog's ranges (catalog_ranges)
    label: str | None = None
    scenarios: tuple[Scenario, ...] = ()


def parse_allocation(table: Any, check: Any) -> AllocationSpec | None:
    """Parse ``[allocation]`` (and its ``[[allocation.scenario]]``); problems go to ``check``.

    ``check`` is the loader's problem collector (``readiness._load._Checker``), so every problem
    is reported with its line, together with the rest of the file's.
    """
    from readiness._load import _condition as located_condition  # noqa: PLC0415
    from readiness._load import _Fields  # noqa: PLC0415

    at: tuple[str | int, ...] = ("allocation",)
    if not isinstance(table, dict):
        check.add("must be a table: write [allocation]", at, key="allocation", value=table)
        return None
    check.keys(table, at, ALLOCATION_KEYS, ("target", "budget"), what="[allocation]")
    f = _Fields(check, table, at)
    target = f.string("target")
    budget = f.number("budget", nonnegative=True, maximum=1e18)
    condition = (
        located_condition(table["facilities"], (*at, "facilities"), check, None, None, "facilities")
        if table.get("facilities")
        else Condition()
    )
    objective = f.string("objective") or "count"
    if objective not in ("count", "readiness"):
        f.bad("objective", "must be 'count' or 'readiness'", objective)
    costs: dict[str, float] = {}
    raw_costs = table.get("central_cost", {})
    if not isinstance(raw_costs, dict):
        f.bad("central_cost", "must be a table { criterion = VND }", raw_costs)
    else:
        for key, value in raw_costs.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                check.add(
                    "must be a number >= 0 (VND)",
                    (*at, "central_cost", key),
                    key="central_cost",
                    value=value,
                )
            else:
                costs[key] = float(value)
    ranges: tuple[float, float] | None = None
    raw_ranges = table.get("ranges")
    if raw_ranges is not None:
        good = (
            isinstance(raw_ranges, dict)
            and set(raw_ranges) == {"low", "high"}
            and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in raw_ranges.values()
            )
            and 0 <= raw_ranges["low"] <= 1 <= raw_ranges["high"] < math.inf
        )
        if not good:
            f.bad(
                "ranges",
                "must be { low = x, high = y } with 0 <= low <= 1 <= high (multiples of each "
                "estimate)",
                raw_ranges,
            )
        else:
            ranges = (float(raw_ranges["low"]), float(raw_ranges["high"]))
    scenarios: list[Scenario] = []
    items = table.get("scenario", [])
    if not isinstance(items, list) or not all(isinstance(t, dict) for t in items):
        check.add(
            "must be an array of tables: write [[allocation.scenario]]",
            (*at, "scenario"),
            key="scenario",
        )
        items = []
    names: set[str] = set()
    for index, item in enumerate(items):
        where: tuple[str | int, ...] = (*at, "scenario", index)
        check.keys(item, where, {"name", *OPTIONS}, ("name",), what="[[allocation.scenario]]")
        if set(item) - {"name", *OPTIONS}:
            continue  # the unknown key is the problem (reported above, with a suggestion)
        data = dict(item)
        if "exempt" in data:
            parsed = located_condition(
                data["exempt"], (*where, "exempt"), check, None, None, "exempt"
            )
            if parsed is None:
                continue
            data["exempt"] = parsed
        name = data.get("name")
        if isinstance(name, str):
            if name in names or name == "baseline":
                check.add(
                    "two scenarios have this name (or it is 'baseline')",
                    (*where, "name"),
                    key="name",
                    value=name,
                )
            names.add(name)
        try:
            scenarios.append(Scenario.from_dict(data))
        except OptionError as error:
            key = error.key if error.key in item else None
            check.add(
                error.message,
                (*where, key) if key else where,
                key=error.key,
                value=error.value,
            )
    draws = f.integer("draws", low=0)
    seed = f.integer("seed", low=0)
    if target is None or budget is None or condition is None:
        return None
    return AllocationSpec(
        target=target,
        budget=budget,
        facilities=condition,
        due=f.date("due"),
        start=f.date("start"),
        objective="readiness" if objective == "readiness" else "count",
        central=f.strings("central"),
        central_cost=costs,
        staff_days_per_month=f.number("staff_days_per_month", nonnegative=True),
        max_projects=f.integer("max_projects", low=1),
        max_parallel=f.integer("max_parallel", low=1),
        draws=1_000 if draws is None else draws,
        seed=0 if seed is None else seed,
        ranges=ranges,
        label=f.string("label"),
        scenarios=tuple(scenarios),
    )


def run_allocation(
    spec: AllocationSpec,
    catalog: Catalog,
    assessments: Sequence[Assessment],
    *,
    draws: int | None = None,
) -> Comparison:
    """Run an ``[allocation]`` section on a round of assessments (its facilities only)."""
    from readiness._risk import assumed_ranges, catalog_ranges  # noqa: PLC0415

    chosen = [a for a in assessments if spec.facilities.matches(a.facility.attribute_values())]
    if not chosen:
        raise OptionError(
            "no facility of the round matches the allocation's facilities",
            key="facilities",
            value=str(spec.facilities),
        )
    return compare_scenarios(
        catalog,
        chosen,
        spec.target,
        budget=spec.budget,
        scenarios=spec.scenarios,
        objective=spec.objective,
        central=spec.central,
        central_cost=spec.central_cost,
        staff_days_per_month=spec.staff_days_per_month,
        max_projects=spec.max_projects,
        start=spec.start,
        due=spec.due,
        max_parallel=spec.max_parallel,
        draws=spec.draws if draws is None else draws,
        seed=spec.seed,
        ranges=catalog_ranges() if spec.ranges is None else assumed_ranges(*spec.ranges),
    )


# --------------------------------------------------------------------------- command output


def _csv_cell(value: object) -> object:
    """Guard text a spreadsheet would run as a formula (``readiness._safe``)."""
    from readiness._safe import csv_cell  # noqa: PLC0415

    return "" if value is None else csv_cell(value)


def _terminal(value: object) -> str:
    """Render a cell for the terminal: control and bidi characters escaped."""
    from readiness._safe import terminal  # noqa: PLC0415

    text = "-" if value is None else f"{value:,.1f}" if isinstance(value, float) else str(value)
    return terminal(text)


def _millions(low: float, likely: float, high: float) -> str:
    """``low-likely-high`` in millions of VND (planning rule 9: never a bare total)."""
    return "-".join(f"{v / 1e6:,.0f}" for v in (low, likely, high))


def _share(assumed: int, steps: int) -> str:
    """Say the steps with assumed values as ``n of m (p%)``."""
    return f"{assumed:,} of {steps:,} ({assumed / steps:.0%})" if steps else "-"


def _text_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    cells = [list(columns), *[[_terminal(r.get(c)) for c in columns] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def decision_records(result: ScenarioResult) -> list[dict[str, Any]]:
    """One row per facility of a scenario: the decision, its reason and P(meeting the date)."""
    rows = []
    for j, decision in enumerate(result.allocation.decisions):
        row = decision.to_dict()
        row["central"] = ", ".join(row["central"])
        row["p_meet"] = None if result.risk is None else float(result.risk.p_meet[j])
        rows.append(row)
    return rows


def render(comparison: Comparison, fmt: str, *, label: str | None = None) -> str:
    """Render for ``readiness allocate``: ``table`` (text), ``json`` or ``csv``.

    ``table`` prints each scenario's headline, the comparison and the baseline's funded
    facilities; ``json`` everything; ``csv`` one row per facility of the baseline.
    """
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415
    import json  # noqa: PLC0415

    baseline = comparison.results[0]
    if fmt == "json":
        data = comparison.to_dict()
        data["label"] = label
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        rows = decision_records(baseline)
        buffer = io.StringIO()
        columns = list(rows[0]) if rows else ["facility_id"]
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(v) for k, v in row.items()})
        return buffer.getvalue()
    lines = []
    if label:
        lines.append(_terminal(label))
    lines.extend(
        f"{_terminal(r.scenario.name)}: {_terminal(r.allocation.headline())}"
        for r in comparison.results
    )
    # planning rule 9: spending and costs as low-likely-high with the assumed share, finishes
    # as low / likely / high; the choice itself is made on the likely values
    spent = "spent M VND (low-likely-high)"
    columns = ["scenario", "changes", "budget_vnd", spent, "assumed", "funded", "meeting"]
    if baseline.risk is not None:
        columns += ["expected_meeting", "meeting_p10", "meeting_p90"]
    records = comparison.to_records()
    for r in records:
        r[spent] = _millions(r["spent_vnd_low"], r["spent_vnd"], r["spent_vnd_high"])
        r["assumed"] = _share(r["assumed_steps"], r["steps"])
    text = "\n".join(lines) + "\n\n" + _text_table(records, columns)
    if baseline.risk is not None:
        risk = baseline.risk
        text += f"\nMonte Carlo, {risk.draws:,} draws: {_terminal(risk.ranges_text())}\n"
    funded = [r for r in decision_records(baseline) if r["decision"] == "funded"]
    if funded:
        cost = "cost M VND (low-likely-high)"
        finish = "finish (low / likely / high)"
        for r in funded:
            r[cost] = _millions(r["cost_vnd_low"], r["cost_vnd"], r["cost_vnd_high"])
            r[finish] = " / ".join(str(r[k]) for k in ("finish_low", "finish", "finish_high"))
            r["assumed"] = _share(r["assumed_steps"], r["steps"])
        text += "\nfunded (baseline):\n" + _text_table(
            funded, ["facility_id", "kind", cost, "assumed", finish, "due", "p_meet", "reason"]
        )
    uncosted = baseline.allocation.uncosted_steps
    text += "\nAll costs, efforts and durations are estimates"
    text += (
        f"; {uncosted:,} required steps have no cost estimate and count as free.\n"
        if uncosted
        else ".\n"
    )
    return text
