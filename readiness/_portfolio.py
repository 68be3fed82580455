"""Portfolio roll-ups: how a province (or a country) stands, by region, kind, ownership...

Rules (``docs/portfolio.md`` shows them on the Bac Ninh example):

* *Rounds.* A summary counts every facility once: of several rows of one facility (a history,
  or several rounds) only its latest is counted (:meth:`ScoreTable.latest`); ``superseded``
  says how many rows were left out. Choose the round with ``score_many(..., as_of=day)``.
* *Not assessed.* A facility listed without an assessment (``score_many(..., facilities=...)``)
  is a row with every record unknown: counted in its group (level 0, score 0, as the kernel
  scores it), never meeting a target, obliged-and-not-done where obliged, and listed by id in
  ``not_assessed`` (per group: a count).
* *Groups.* Rows of a :class:`~readiness.ScoreTable` are grouped by facility attributes
  (``region``, ``kind``, ``ownership``, ``has_beds``, ``bed_band`` or any free attribute). Every
  figure of a group is computed from its rows only, so groups always add up to the total.
* *Scores.* Mean, standard deviation (population), median, min and max of the overall score and
  of each catalog's score over the rows that have one (rows where nothing applies are counted in
  ``unscored``). Levels are counted per catalog, ``None`` for rows where the catalog does not apply.
* *Target.* A row meets a target when its gated level reaches the target level (level targets)
  or every applicable criterion of the target is effectively met (milestone and criteria targets).
* *Obligation.* ``obliged`` facilities must meet the target. ``done`` counts obliged facilities
  that meet it; ``done_unobliged`` those that meet it without being obliged. The reported rate is
  ``(done + done_unobliged) / obliged`` when ``count_unobliged`` is true (the convention of the
  Bac Ninh 2025 report: 56 done of 54 obliged = 103.7 %), else ``done / obliged``. Both counts are
  always shown, and the obliged facilities still missing are listed.
* *Deadlines.* With plans (:func:`readiness.plan_many`), the target verdicts are counted: done,
  on_track, at_risk, late.
* *Cost.* ``spent``: a facility attribute (or a mapping facility id -> VND) of money already
  spent, summed; ``planned``: the estimated cost of the plans' remaining steps, summed as
  low, likely and high (an estimate, flagged as such), never without the share of steps whose
  values are assumed (planning rule 9): ``planned_steps`` counts the plans' steps,
  ``assumed_steps`` those whose effort or cost is assumed, ``assumed_effort_steps`` those with an
  assumed effort and ``uncosted_steps`` those without a cost estimate (counted as 0 VND).
* *Disputed claims.* ``not_applicable`` records of criteria the catalog says apply (see
  ``docs/scoring.md``, "Not-applicable claims"): counted per group (``Group.disputed``, claims;
  ``Group.disputed_rows``, rows with one) and per criterion (``Summary.disputed``, most first),
  however the table counted them (``Summary.not_applicable``).
* *Blockers.* For each catalog, how many assessed rows each criterion blocks from their next
  level (not-assessed rows would list every criterion as unknown, so they are left out).
* *Change.* Assessed rows matched by facility id with the latest assessed rows of a previous
  round: level moves per catalog (up, same, down) and overall score change; the movers are
  listed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import Catalog, Condition
from readiness._compile import compile_catalog
from readiness._matrix import DISPUTED, MET, NA
from readiness._model import Facility, bed_band
from readiness._plan import _NEVER, PlanTable, Target, _resolve_target
from readiness._score import ScoreTable
from readiness._unicode import FormCollisionError, nfc, nfc_data
from readiness.errors import OptionError

__all__ = ["Obligation", "Summary", "bed_band", "summarize"]


def _as_target(value: Target | str) -> Target:
    """Accept a Target or its text form (``milestone:vn-emr:emr-live``)."""
    return Target.parse(value) if isinstance(value, str) else value


def _obliged(value: Any) -> Condition | frozenset[str]:
    """Accept a Condition, an ``applies_to``-style mapping (or list of them), or facility ids."""
    if isinstance(value, Condition):
        return value
    if isinstance(value, Mapping) or (
        isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value)
    ):
        from readiness._load import parse_condition  # noqa: PLC0415 - the catalogs' grammar

        try:
            value = nfc_data(value)  # compared with facility values, which are NFC
        except FormCollisionError as error:
            raise OptionError(f"obliged: {error}", key="obliged", value=error.key) from None
        parsed = parse_condition(dict(value) if isinstance(value, Mapping) else value)
        if not isinstance(parsed, Condition):
            message, offending = parsed
            raise OptionError(f"obliged: {message}", key="obliged", value=offending)
        return parsed
    if (
        isinstance(value, str)
        or not isinstance(value, Iterable)
        or not all(isinstance(v, str) for v in value)
    ):
        raise OptionError(
            "obliged takes a condition or a collection of facility ids", key="obliged", value=value
        )
    return frozenset(nfc(v) for v in value)


_STANDARD = frozenset({"kind", "ownership", "beds", "has_beds", "region"})


def _value(facility: Facility, name: str) -> Any:
    """Return ``facility.attribute_values().get(name)`` (or the bed band), without the dict."""
    if name == "bed_band":
        return bed_band(facility.beds)
    attributes = facility.attributes
    if name in attributes:  # free attributes come last in attribute_values: they win
        return attributes[name]
    return getattr(facility, name) if name in _STANDARD else None


@attrs.frozen(kw_only=True)
class Obligation:
    """Which facilities must reach a target, by when, and how "done" is counted.

    Parameters
    ----------
    name : str
        E.g. "EMR for facilities with beds by 30 Sep 2025".
    target : Target or str
        What "done" means (e.g. ``milestone:vn-emr:emr-live``).
    obliged : Condition or mapping or collection of facility ids
        Who is obliged: a condition (``{"has_beds": True}`` in the ``applies_to`` form) or ids.
    deadline : datetime.date, optional
    count_unobliged : bool
        Count facilities that reached the target without being obliged toward the rate.
    """

    name: str
    target: Target = attrs.field(converter=_as_target)
    obliged: Condition | frozenset[str] = attrs.field(converter=_obliged)
    deadline: dt.date | None = None
    count_unobliged: bool = True

    def is_obliged(self, facility: Facility) -> bool:
        """Whether ``facility`` is obliged."""
        if isinstance(self.obliged, Condition):
            return self.obliged.matches(facility.attribute_values())
        return facility.id in self.obliged


@attrs.frozen(kw_only=True)
class Stats:
    """Distribution of a score over rows that have one."""

    count: int
    mean: float | None
    sd: float | None
    median: float | None
    min: float | None
    max: float | None

    @classmethod
    def of(cls, values: npt.NDArray[Any]) -> Stats:
        """Summarise ``values`` (NaN = no score)."""
        present = values[~np.isnan(values)].astype(np.float64)
        if not len(present):
            return cls(count=0, mean=None, sd=None, median=None, min=None, max=None)
        return cls(
            count=len(present),
            mean=round(float(present.mean()), 4),
            sd=round(float(present.std()), 4),
            median=round(float(np.median(present)), 4),
            min=round(float(present.min()), 4),
            max=round(float(present.max()), 4),
        )


@attrs.frozen(kw_only=True)
class Group:
    """The figures of one group of rows (or of all rows)."""

    key: Mapping[str, Any]
    rows: int
    unscored: int
    not_assessed: int
    disputed: int
    disputed_rows: int
    overall: Stats
    by_catalog: Mapping[str, Stats]
    levels: Mapping[str, Mapping[int | None, int]]
    meeting_target: int | None
    spent_vnd: float | None
    planned_vnd: float | None
    verdicts: Mapping[str, int] | None
    # planning rule 9: the planned cost's low and high (planned_vnd is the likely value)
    planned_vnd_low: float | None = None
    planned_vnd_high: float | None = None
    #: planning rule 9: the plans' steps, and those whose values are assumed (None without plans)
    planned_steps: int | None = None
    assumed_steps: int | None = None  # effort or cost assumed (or missing)
    assumed_effort_steps: int | None = None  # effort assumed
    uncosted_steps: int | None = None  # no cost estimate (counted as 0 in the cost)

    @property
    def assumed_share(self) -> float | None:
        """Share of the planned steps whose effort or cost is assumed (None without steps)."""
        if not self.planned_steps or self.assumed_steps is None:
            return None
        return self.assumed_steps / self.planned_steps

    def to_dict(self) -> dict[str, Any]:
        """Return plain data."""
        return {
            "key": dict(self.key),
            "rows": self.rows,
            "unscored": self.unscored,
            "not_assessed": self.not_assessed,
            "disputed": self.disputed,
            "disputed_rows": self.disputed_rows,
            "overall": attrs.asdict(self.overall),
            "by_catalog": {k: attrs.asdict(v) for k, v in self.by_catalog.items()},
            "levels": {k: {str(n): c for n, c in v.items()} for k, v in self.levels.items()},
            "meeting_target": self.meeting_target,
            "spent_vnd": self.spent_vnd,
            "planned_vnd_low": self.planned_vnd_low,
            "planned_vnd": self.planned_vnd,
            "planned_vnd_high": self.planned_vnd_high,
            "planned_steps": self.planned_steps,
            "assumed_steps": self.assumed_steps,
            "assumed_effort_steps": self.assumed_effort_steps,
            "uncosted_steps": self.uncosted_steps,
            "verdicts": None if self.verdicts is None else dict(self.verdicts),
        }


@attrs.frozen(kw_only=True)
class ObligationProgress:
    """Progress against an obligation (see the module rules)."""

    name: str
    target: str
    deadline: Any
    obliged: int
    done: int
    done_unobliged: int
    count_unobliged: bool  # whether done_unobliged counts toward the rate
    rate: float | None
    rule: str
    missing: tuple[str, ...]
    unobliged_done: tuple[str, ...]
    #: Obliged facilities without an assessment (also in ``missing``).
    not_assessed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return plain data."""
        data = attrs.asdict(self)
        data["deadline"] = None if self.deadline is None else self.deadline.isoformat()
        data["missing"] = list(self.missing)
        data["unobliged_done"] = list(self.unobliged_done)
        data["not_assessed"] = list(self.not_assessed)
        return data


@attrs.frozen(kw_only=True)
class Change:
    """Movement between two assessment rounds."""

    matched: int
    levels: Mapping[str, Mapping[str, int]]  # catalog -> up/same/down
    overall_delta: Stats
    movers: tuple[tuple[str, str, int, int], ...]  # facility, catalog, before, after

    def to_dict(self) -> dict[str, Any]:
        """Return plain data."""
        return {
            "matched": self.matched,
            "levels": {k: dict(v) for k, v in self.levels.items()},
            "overall_delta": attrs.asdict(self.overall_delta),
            "movers": [list(m) for m in self.movers],
        }


@attrs.frozen(kw_only=True)
class Summary:
    """Roll-up of many facility-assessments (returned by :func:`summarize`)."""

    by: tuple[str, ...]
    total: Group
    groups: tuple[Group, ...]
    target: str | None  # in words
    target_key: str | None  # as Target.parse reads it, e.g. "milestone:vn-emr:emr-live"
    obligation: ObligationProgress | None
    blockers: Mapping[str, tuple[tuple[str, int], ...]]
    change: Change | None
    label: str | None
    estimates_note: str
    #: Facilities counted without an assessment (every record unknown), sorted ids.
    not_assessed: tuple[str, ...] = ()
    #: Rows left out because a later assessment of the same facility is counted.
    superseded: int = 0
    #: Disputed not-applicable claims per criterion, ``(criterion, rows)``, most first (top).
    disputed: tuple[tuple[str, int], ...] = ()
    #: How the table counted them: "trust" (left out) or "dispute" (as not met).
    not_applicable: str = "trust"

    def to_dict(self) -> dict[str, Any]:
        """Return plain, JSON-ready data."""
        return {
            "by": list(self.by),
            "not_assessed": list(self.not_assessed),
            "superseded": self.superseded,
            "disputed": [list(d) for d in self.disputed],
            "not_applicable": self.not_applicable,
            "label": self.label,
            "target": self.target,
            "target_key": self.target_key,
            "total": self.total.to_dict(),
            "groups": [g.to_dict() for g in self.groups],
            "obligation": None if self.obligation is None else self.obligation.to_dict(),
            "blockers": {k: [list(b) for b in v] for k, v in self.blockers.items()},
            "change": None if self.change is None else self.change.to_dict(),
            "estimates_note": self.estimates_note,
        }


def _meets(table: ScoreTable, target: Target) -> npt.NDArray[np.bool_]:
    compiled = compile_catalog(table.catalog)
    spec = _resolve_target(table.catalog, compiled, target)
    if target.catalog is not None:
        assert target.level is not None
        reached = table.level[table.catalog_row(target.catalog)] >= target.level
        return np.asarray(reached & table.assessed)
    state = table.state
    if state is None:
        raise OptionError(
            "milestone and criteria targets need per-criterion states: "
            "score_many(..., details=True)",
            key="target",
            value=target,
        )
    rows = state[spec.fixed]
    return np.asarray(((rows == MET) | (rows <= NA)).all(axis=0) & table.assessed)


def _target_key(target: Target | str) -> str:
    """Return the text form of a target (``CATALOG@LEVEL``, ``milestone:KEY``...)."""
    if isinstance(target, str):
        return target.strip()
    if target.catalog is not None:
        return f"{target.catalog}@{target.level}"
    if target.milestone is not None:
        return f"milestone:{target.milestone}"
    return "criteria:" + ",".join(target.criteria)


def _spent(
    table: ScoreTable, spent: str | Mapping[str, float] | None
) -> npt.NDArray[np.float64] | None:
    if spent is None:
        return None
    ids = {f.id for f in table.facilities}
    if isinstance(spent, str):
        if spent not in table.catalog.attributes and not any(
            spent in f.attributes for f in table.facilities
        ):
            raise OptionError(f"no facility has the attribute {spent!r}", key="spent", value=spent)
    elif unknown := sorted(str(k) for k in spent if k not in ids):
        raise OptionError(
            "spent names facilities that are not in the table", key="spent", value=unknown[:10]
        )
    out = np.zeros(len(table))
    for j in range(len(table)):
        facility = table.facility(j)
        value = facility.attributes.get(spent) if isinstance(spent, str) else spent.get(facility.id)
        if value is None or value == "":
            continue
        try:
            number = math.nan if isinstance(value, bool) else float(value)
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        if not math.isfinite(number) or number < 0:
            raise OptionError(
                f"spent: facility {facility.id!r} needs a finite number of VND >= 0",
                key="spent",
                value=value,
            )
        out[j] = number
    return out


def _group(
    table: ScoreTable,
    index: npt.NDArray[np.intp],
    key: Mapping[str, Any],
    meets: npt.NDArray[np.bool_] | None,
    spent: npt.NDArray[np.float64] | None,
    planned: npt.NDArray[np.float64] | None,
    verdicts: npt.NDArray[np.str_] | None,
    steps: npt.NDArray[np.int64] | None = None,
) -> Group:
    compiled = table.compiled
    levels = {}
    by_catalog = {}
    for k, catalog_id in enumerate(compiled.frameworks):
        counts: dict[int | None, int] = {}
        values, numbers = np.unique(table.level[k, index], return_counts=True)
        for value, number in zip(values.tolist(), numbers.tolist(), strict=True):
            counts[None if value < 0 else int(value)] = int(number)
        levels[catalog_id] = dict(
            sorted(counts.items(), key=lambda kv: -1 if kv[0] is None else kv[0])
        )
        by_catalog[catalog_id] = Stats.of(table.catalogs[k, index])
    overall = Stats.of(table.overall[index])
    verdict_counts = None
    if verdicts is not None:
        names, numbers = np.unique(verdicts[index], return_counts=True)
        verdict_counts = {str(n): int(c) for n, c in zip(names, numbers, strict=True)}
    sums = None if steps is None else [int(n) for n in steps[index].sum(axis=0)]
    return Group(
        key=key,
        rows=len(index),
        unscored=len(index) - overall.count,
        not_assessed=int((~table.assessed[index]).sum()),
        disputed=int(table.disputed[index].sum()),
        disputed_rows=int((table.disputed[index] > 0).sum()),
        overall=overall,
        by_catalog=by_catalog,
        levels=levels,
        meeting_target=None if meets is None else int(meets[index].sum()),
        spent_vnd=None if spent is None else round(float(spent[index].sum()), 2),
        planned_vnd=None if planned is None else round(float(planned[index, 1].sum()), 2),
        verdicts=verdict_counts,
        planned_vnd_low=None if planned is None else round(float(planned[index, 0].sum()), 2),
        planned_vnd_high=None if planned is None else round(float(planned[index, 2].sum()), 2),
        planned_steps=None if sums is None else sums[0],
        assumed_steps=None if sums is None else sums[1],
        assumed_effort_steps=None if sums is None else sums[2],
        uncosted_steps=None if sums is None else sums[3],
    )


def _blockers(table: ScoreTable, top: int) -> dict[str, tuple[tuple[str, int], ...]]:
    state = table.state
    if state is None:
        return {}
    compiled = table.compiled
    out = {}
    blocked = (state != MET) & (state > NA)  # applicable and not effectively met
    if table.policy == "lenient":
        blocked &= state != 3
    blocked &= table.assessed[None, :]
    for k, catalog_id in enumerate(compiled.frameworks):
        a, b = compiled.level_ranges[k]
        level = table.level[k]
        counts = np.zeros(compiled.size, dtype=np.int64)
        for offset, spec in enumerate(compiled.levels[a:b]):
            rows = np.flatnonzero(level == offset)  # their next level is spec
            if not len(rows):
                continue
            if spec.rule.value == "k-of-n":
                members = np.isin(compiled.bundle_of, spec.bundles)
            else:
                members = compiled.level_of == spec.row
            counts += (blocked[:, rows] & members[:, None]).sum(axis=1)
        order = sorted(
            np.flatnonzero(counts).tolist(), key=lambda i: (-int(counts[i]), compiled.keys[i])
        )
        out[catalog_id] = tuple((compiled.keys[i], int(counts[i])) for i in order[:top])
    return out


def _change(table: ScoreTable, previous: ScoreTable, top: int) -> Change:
    if previous.catalog is not table.catalog:
        raise OptionError(
            "previous must be scored with the same catalog object",
            key="previous",
            value=previous.catalog.id,
        )
    previous = previous.latest()
    before = {previous.facility(j).id: j for j in np.flatnonzero(previous.assessed).tolist()}
    now = [j for j in range(len(table)) if table.assessed[j] and table.facility(j).id in before]
    then = [before[table.facility(j).id] for j in now]
    compiled = table.compiled
    levels = {}
    movers: list[tuple[str, str, int, int]] = []
    for k, catalog_id in enumerate(compiled.frameworks):
        a = table.level[k, now].astype(np.int64)
        b = previous.level[k, then].astype(np.int64)
        levels[catalog_id] = {
            "up": int((a > b).sum()),
            "same": int((a == b).sum()),
            "down": int((a < b).sum()),
        }
        for j, x, y in zip(now, b.tolist(), a.tolist(), strict=True):
            if x != y:
                movers.append((table.facility(j).id, catalog_id, int(x), int(y)))
    movers.sort(key=lambda m: (-abs(m[3] - m[2]), m[0], m[1]))
    delta = table.overall[now].astype(np.float64) - previous.overall[then].astype(np.float64)
    return Change(
        matched=len(now),
        levels=levels,
        overall_delta=Stats.of(delta),
        movers=tuple(movers[:top]),
    )


def deadline_of(catalog: Catalog, keys: tuple[str, ...]) -> npt.NDArray[np.intp]:
    """Index into ``keys`` of each criterion's deadline (kernel order), -1 when none."""
    names = [catalog.criteria[k].deadline for k in compile_catalog(catalog).keys]
    return np.array([-1 if name is None else keys.index(name) for name in names], dtype=np.intp)


@attrs.frozen(kw_only=True, eq=False)
class PlanFigures:
    """What a summary and a province report read of plans, per row: no per-step arrays.

    :meth:`of` reduces a :class:`~readiness.PlanTable` (one value per criterion and row) to the
    figures of each row, so that the plans of many facilities can be made chunk by chunk and
    only these kept (:meth:`join`). ``summarize`` and ``province_report`` accept either.

    Attributes
    ----------
    facility_ids : tuple of str
        The facility of each row.
    cost_totals : numpy.ndarray, shape (rows, 3)
        Low, likely and high cost (VND) of each row's steps (planning rule 9).
    verdicts : numpy.ndarray of str, shape (rows,)
        Verdict against the target's deadline (:func:`target_verdicts`).
    steps : numpy.ndarray, shape (rows, 4)
        :func:`plan_step_counts`.
    deadline_day : numpy.ndarray, shape (deadlines, rows)
        Each catalog deadline's day per row (as ``PlanTable.deadline_day``).
    deadline_work, deadline_last : numpy.ndarray, shape (deadlines, rows)
        Whether a criterion under the deadline is a step of the row's plan, and the day the
        last of them finishes (likely schedule).
    """

    catalog: Catalog
    target: Target
    risk_margin_days: int
    facility_ids: tuple[str, ...]
    cost_totals: npt.NDArray[np.float64]
    verdicts: npt.NDArray[np.str_]
    steps: npt.NDArray[np.int64]
    deadline_day: npt.NDArray[np.int64]
    deadline_work: npt.NDArray[np.bool_]
    deadline_last: npt.NDArray[np.int64]

    def __len__(self) -> int:
        """Return the number of rows."""
        return len(self.facility_ids)

    @classmethod
    def of(cls, plans: PlanTable) -> PlanFigures:
        """Return the figures of ``plans``."""
        keys = tuple(plans.catalog.deadlines)
        owner = deadline_of(plans.catalog, keys)
        count = len(plans)
        work = np.zeros((len(keys), count), dtype=bool)
        last = np.zeros((len(keys), count), dtype=np.int64)
        lowest = np.iinfo(np.int64).min
        for d in range(len(keys)):
            members = np.flatnonzero(owner == d)
            covered = plans.required[members]
            work[d] = covered.any(axis=0)
            latest = np.where(covered, plans.finish[members], lowest).max(axis=0, initial=lowest)
            last[d] = np.where(work[d], latest + plans.start_day, 0)
        return cls(
            catalog=plans.catalog,
            target=plans.target,
            risk_margin_days=plans.options.risk_margin_days,
            facility_ids=tuple(plans.facilities[int(i)].id for i in plans.rows),
            cost_totals=plans.cost_totals,
            verdicts=target_verdicts(plans),
            steps=plan_step_counts(plans),
            deadline_day=np.asarray(plans.deadline_day, dtype=np.int64),
            deadline_work=work,
            deadline_last=last,
        )

    @classmethod
    def join(cls, parts: Sequence[PlanFigures]) -> PlanFigures:
        """Return the figures of several parts' rows, in order (plans of one catalog and target)."""
        if not parts:
            raise OptionError("no plans to join", key="plans", value=0)
        first = parts[0]
        return cls(
            catalog=first.catalog,
            target=first.target,
            risk_margin_days=first.risk_margin_days,
            facility_ids=tuple(i for p in parts for i in p.facility_ids),
            cost_totals=np.concatenate([p.cost_totals for p in parts]),
            verdicts=np.concatenate([p.verdicts for p in parts]),
            steps=np.concatenate([p.steps for p in parts]),
            deadline_day=np.concatenate([p.deadline_day for p in parts], axis=1),
            deadline_work=np.concatenate([p.deadline_work for p in parts], axis=1),
            deadline_last=np.concatenate([p.deadline_last for p in parts], axis=1),
        )


def target_verdicts(plans: PlanTable) -> npt.NDArray[np.str_]:
    """Return each plan's verdict against its target's deadline, from the plan arrays.

    The same words as :meth:`PlanTable.to_records` (``target_verdict``), computed without a
    record per plan: ``done`` (nothing left), ``late`` (likely finish after the deadline),
    ``at_risk`` (less slack than the plans' risk margin), ``on_track``; ``no deadline`` where
    the target has none for the facility.
    """
    work = plans.required.any(axis=0)
    due = plans.target_due
    slack = due - (plans.start_day + plans.finish_day)
    margin = plans.options.risk_margin_days
    words: npt.NDArray[np.str_] = np.select(
        [due >= _NEVER, ~work, slack < 0, slack < margin],
        ["no deadline", "done", "late", "at_risk"],
        "on_track",
    )
    return words


def plan_step_counts(plans: PlanTable) -> npt.NDArray[np.int64]:
    """Return (rows, 4): each plan's steps and how many of them have assumed values.

    The columns: steps; steps with an assumed effort or cost; with an assumed effort; without a
    cost estimate (planning rule 9; as :class:`~readiness._plan.Plan` counts them).
    """
    required = plans.required
    return np.stack(
        [
            required.sum(axis=0),
            (required & plans.assumed).sum(axis=0),
            (required & ~plans.estimated).sum(axis=0),
            (required & ~plans.costed).sum(axis=0),
        ],
        axis=1,
    ).astype(np.int64)


def spent_by(
    table: ScoreTable, spent: str | Mapping[str, float], name: str
) -> tuple[float, dict[Any, float]]:
    """Return the money spent in all and by one attribute, as :func:`summarize` counts it.

    ``(total.spent_vnd, {value: group.spent_vnd})`` of ``summarize(table, by=(name,),
    spent=spent)``, groups in its order, without the rest of the summary.
    """
    chosen = table.latest_rows()
    if len(chosen) != len(table):
        table = table.subset(chosen)
    values = _spent(table, spent)
    assert values is not None
    keys = [_value(table.facility(j), name) for j in range(len(table))]
    distinct = sorted(set(keys), key=lambda v: (v is None, str(v)))
    lookup = {k: i for i, k in enumerate(distinct)}
    codes = np.fromiter((lookup[k] for k in keys), dtype=np.intp, count=len(keys))
    return round(float(values.sum()), 2), {
        key: round(float(values[codes == i].sum()), 2) for i, key in enumerate(distinct)
    }


def change_between(later: ScoreTable, earlier: ScoreTable, *, top: int = 10) -> Change:
    """Return the change from ``earlier`` to ``later`` (the *Change* rule above).

    As ``summarize(later, by=(), previous=earlier).change``, without the rest of the summary.
    """
    chosen = later.latest_rows()
    return _change(later if len(chosen) == len(later) else later.subset(chosen), earlier, top)


def summarize(
    table: ScoreTable,
    *,
    by: Sequence[str] | str = ("region",),
    target: Target | str | None = None,
    obligation: Obligation | None = None,
    plans: PlanTable | PlanFigures | None = None,
    spent: str | Mapping[str, float] | None = None,
    previous: ScoreTable | None = None,
    top: int = 10,
) -> Summary:
    """Roll up a score table by facility attributes (see the portfolio rules above).

    Parameters
    ----------
    table : ScoreTable
    by : str or sequence of str
        Facility attributes to group by (``region``, ``kind``, ``ownership``, ``has_beds``,
        ``bed_band`` or a free attribute); ``()`` for the total only.
    target : Target or str, optional
        Count rows meeting it.
    obligation : Obligation, optional
        Progress against a numeric obligation.
    plans : PlanTable or PlanFigures, optional
        Plans of the same rows (same order) for deadline verdicts and planned cost.
    spent : str or mapping, optional
        Facility attribute holding money spent (VND), or a mapping facility id -> VND.
    previous : ScoreTable, optional
        An earlier round, for the change between rounds.
    top : int
        How many blockers and movers to list.

    Returns
    -------
    Summary
    """
    if not isinstance(by, str) and not (
        isinstance(by, Iterable) and all(isinstance(name, str) for name in by)
    ):
        raise OptionError("by takes attribute names", key="by", value=by)
    groups_by = (nfc(by),) if isinstance(by, str) else tuple(nfc(name) for name in by)
    if not isinstance(top, int) or isinstance(top, bool) or top < 0:
        raise OptionError("top must be a whole number >= 0", key="top", value=top)
    if spent is not None and not isinstance(spent, str | Mapping):
        raise OptionError(
            "spent is a facility attribute name or a mapping facility id -> VND",
            key="spent",
            value=spent,
        )
    if previous is not None and not isinstance(previous, ScoreTable):
        raise OptionError(
            "previous must be the ScoreTable of an earlier round",
            key="previous",
            value=type(previous).__name__,
        )
    if plans is not None and len(plans) != len(table):
        raise OptionError(
            "plans must have one row per row of the table", key="plans", value=len(plans)
        )
    planned = None
    verdicts = None
    steps = None
    if isinstance(plans, PlanFigures):
        planned, verdicts, steps = plans.cost_totals, plans.verdicts, plans.steps
    elif plans is not None:
        planned = plans.cost_totals  # (rows, 3): low, likely, high (planning rule 9)
        verdicts = target_verdicts(plans)
        steps = plan_step_counts(plans)
    # Rounds: every facility once, its latest row (rows keep their order).
    full = len(table)
    chosen = table.latest_rows()
    if len(chosen) != full:
        planned = None if planned is None else planned[chosen]
        verdicts = None if verdicts is None else verdicts[chosen]
        steps = None if steps is None else steps[chosen]
        table = table.subset(chosen)
    facilities = [table.facility(j) for j in range(len(table))]
    known = set(table.catalog.attributes) | {"bed_band", "has_beds"}
    for name in groups_by:
        if name not in known and not any(name in f.attributes for f in facilities):
            raise OptionError(f"no facility has the attribute {name!r}", key="by", value=name)
    meets = (
        None
        if target is None
        else _meets(table, Target.parse(target) if isinstance(target, str) else target)
    )
    spent_values = _spent(table, spent)
    total = _group(table, np.arange(len(table)), {}, meets, spent_values, planned, verdicts, steps)
    groups = []
    if groups_by and len(table):
        keys = [tuple(_value(f, name) for name in groups_by) for f in facilities]
        distinct = sorted(set(keys), key=lambda k: tuple((v is None, str(v)) for v in k))
        lookup = {k: i for i, k in enumerate(distinct)}
        codes = np.array([lookup[k] for k in keys])
        for i, key in enumerate(distinct):
            index = np.flatnonzero(codes == i)
            groups.append(
                _group(
                    table,
                    index,
                    dict(zip(groups_by, key, strict=True)),
                    meets,
                    spent_values,
                    planned,
                    verdicts,
                    steps,
                )
            )
    progress = None
    if obligation is not None:
        reached = _meets(table, obligation.target)
        obliged = np.array([obligation.is_obliged(f) for f in facilities], dtype=bool)
        done = int((reached & obliged).sum())
        extra = int((reached & ~obliged).sum())
        count = int(obliged.sum())
        counted = done + extra if obligation.count_unobliged else done
        rule = (
            "(obliged facilities done + facilities done without being obliged) / obliged facilities"
            if obligation.count_unobliged
            else "obliged facilities done / obliged facilities"
        )
        progress = ObligationProgress(
            name=obligation.name,
            target=obligation.target.describe(table.catalog),
            deadline=obligation.deadline,
            obliged=count,
            done=done,
            done_unobliged=extra,
            count_unobliged=obligation.count_unobliged,
            rate=round(counted / count, 4) if count else None,
            rule=rule,
            missing=tuple(
                sorted(
                    f.id
                    for f, o, r in zip(facilities, obliged, reached, strict=True)
                    if o and not r
                )
            ),
            unobliged_done=tuple(
                sorted(
                    f.id
                    for f, o, r in zip(facilities, obliged, reached, strict=True)
                    if r and not o
                )
            ),
            not_assessed=tuple(
                sorted(
                    f.id
                    for f, o, a in zip(facilities, obliged, table.assessed, strict=True)
                    if o and not a
                )
            ),
        )
    return Summary(
        target_key=None if target is None else _target_key(target),
        by=groups_by,
        total=total,
        groups=tuple(groups),
        target=None
        if target is None
        else (Target.parse(target) if isinstance(target, str) else target).describe(table.catalog),
        obligation=progress,
        blockers=_blockers(table, top),
        change=None if previous is None else _change(table, previous, top),
        label=table.label,
        estimates_note=(
            "planned costs are estimates from the catalogs (or overrides); spent is as given"
        ),
        not_assessed=tuple(sorted(table.not_assessed)),
        superseded=full - len(table),
        disputed=_disputed(table, top),
        not_applicable=table.not_applicable,
    )


def _disputed(table: ScoreTable, top: int) -> tuple[tuple[str, int], ...]:
    """Criteria with disputed not-applicable claims, by number of rows (most first)."""
    state = table.state
    if state is None or not int(table.disputed.sum()):
        return ()
    compiled = table.compiled
    counts = ((state == NA) | (state == DISPUTED)).sum(axis=1)
    order = sorted(
        np.flatnonzero(counts).tolist(), key=lambda i: (-int(counts[i]), compiled.keys[i])
    )
    return tuple((compiled.keys[i], int(counts[i])) for i in order[:top])
