"""Scores, levels and blockers: one vectorised kernel for one facility or a million.

The scoring rules (``docs/scoring.md`` states them with examples):

1. *Applicability.* A criterion applies to a facility when its ``applies_to`` condition matches
   the facility and the assessment does not record it ``not_applicable``; legacy criteria never
   apply. Criteria that do not apply are left out of every sum and level check.
2. *Credit.* ``met`` earns 1, ``partial`` its progress, anything else 0. A ``met`` or ``partial``
   record past its ``valid_until`` earns 0 (expired); a ``met`` record whose ``coverage`` is
   missing or below the criterion's ``min_coverage`` earns 0 (below coverage).
3. *Prerequisites (strict policy, default).* A criterion is *supported* when every prerequisite
   that applies is effectively met and every prerequisite that does not apply is itself supported
   (criteria that do not apply are transparent). It is *effectively met* when it is met and
   supported. Under the strict policy a criterion earns credit only when supported; a ``met`` or
   ``partial`` record that is not supported is an *unsupported claim* and earns 0. The lenient
   policy credits such claims and still reports them.
4. *Scores.* 100 x sum(weight x credit) / sum(weight) over applicable criteria: overall, per
   domain, per level, per catalog. No applicable criterion: no score (None), not 0 or 100.
   A weight profile replaces criterion weights, and domain weights make the overall score the
   weighted mean of domain scores; level rules always use the catalog's own weights.
5. *Levels.* Cumulative: level n is earned when levels 1..n all satisfy their rule (all /
   threshold / k-of-n, see ``criteria/README.md``); level 0 otherwise; None when nothing in the
   catalog applies to the facility. Progress toward the next level: its earned weight share
   (``all``), that share over the threshold capped at 1 (``threshold``), or the mean completion
   of its k most complete bundles (``k-of-n``).
6. *Blockers* of the next level: its applicable criteria that are not effectively met (for
   k-of-n: those of its incomplete bundles), each with the reason.
7. *Data gaps*: applicable criteria recorded ``unknown`` or not recorded, counted separately.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import Catalog, Rule, Text
from readiness._compile import Compiled, compile_catalog, nearest_ancestors
from readiness._matrix import (
    BELOW_COVERAGE,
    EXPIRED,
    MET,
    NA,
    NOT_MET,
    PARTIAL,
    UNKNOWN,
    UNSUPPORTED,
    UNSUPPORTED_PARTIAL,
    Classes,
    Registry,
    StatusMatrix,
    _build,
    to_date,
)
from readiness._model import Assessment, Facility
from readiness.errors import OptionError, UnknownCriterionError, UnknownIdError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Blocker",
    "CatalogResult",
    "Reason",
    "Score",
    "ScoreTable",
    "Weights",
    "score",
    "score_many",
]

Policy = Literal["strict", "lenient"]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
Int = npt.NDArray[np.intp]

#: Relative tolerance of threshold comparisons (sums of float weights).
EPSILON = 1e-9
#: Assessments scored per kernel call when a large input is split.
CHUNK = 65_536


class Reason(enum.StrEnum):
    """Why a criterion is not effectively met."""

    NOT_MET = "not_met"
    PARTIAL = "partial"
    UNKNOWN = "unknown"
    UNSUPPORTED = "unsupported"
    EXPIRED = "expired"
    BELOW_COVERAGE = "below_coverage"


_REASON_OF_CODE = {
    NOT_MET: Reason.NOT_MET,
    PARTIAL: Reason.PARTIAL,
    UNKNOWN: Reason.UNKNOWN,
    UNSUPPORTED: Reason.UNSUPPORTED,
    UNSUPPORTED_PARTIAL: Reason.UNSUPPORTED,
    EXPIRED: Reason.EXPIRED,
    BELOW_COVERAGE: Reason.BELOW_COVERAGE,
}


@attrs.frozen(kw_only=True)
class Weights:
    """A user's weight profile.

    Parameters
    ----------
    criteria : Mapping[str, float]
        Replacement weight per criterion (qualified key or unique short id), > 0.
    domains : Mapping[str, float]
        Weight of each domain (``catalog-id:domain-id``) in the overall score, > 0. When given,
        the overall score is the weighted mean of the domain scores (domains without applicable
        criteria are left out); domains not listed weigh 1.
    """

    criteria: Mapping[str, float] = attrs.field(factory=dict, converter=dict)
    domains: Mapping[str, float] = attrs.field(factory=dict, converter=dict)

    def __attrs_post_init__(self) -> None:
        """Check every weight is a positive finite number."""
        for what, table in (("criteria", self.criteria), ("domains", self.domains)):
            for key, value in table.items():
                ok = isinstance(value, int | float) and not isinstance(value, bool)
                if not ok or not math.isfinite(value) or value <= 0:
                    raise OptionError(
                        f"weights.{what}: weight must be a finite number > 0", key=key, value=value
                    )


@attrs.frozen(kw_only=True)
class Blocker:
    """A criterion that keeps a facility from a level, and why."""

    criterion: str
    reason: Reason
    detail: str
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return plain data."""
        return {
            "criterion": self.criterion,
            "reason": self.reason.value,
            "detail": self.detail,
            "missing": list(self.missing),
        }


@attrs.frozen(kw_only=True)
class CatalogResult:
    """Where a facility stands in one catalog of the set."""

    catalog: str
    level: int | None
    level_title: Text | None
    next_level: int | None
    progress: float | None
    score: float | None
    by_level: Mapping[int, float | None]
    blockers: tuple[Blocker, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return plain data."""
        return {
            "catalog": self.catalog,
            "level": self.level,
            "level_title": None if self.level_title is None else attrs.asdict(self.level_title),
            "next_level": self.next_level,
            "progress": self.progress,
            "score": self.score,
            "by_level": {str(k): v for k, v in self.by_level.items()},
            "blockers": [b.to_dict() for b in self.blockers],
        }


@attrs.frozen(kw_only=True)
class Score:
    """Where one facility-assessment stands (see the scoring rules in :mod:`readiness`).

    Attributes
    ----------
    overall : float or None
        0-100 over every applicable criterion of the loaded set; None if nothing applies.
    by_domain : Mapping[str, float or None]
        Per ``catalog-id:domain-id``.
    catalogs : Mapping[str, CatalogResult]
        Gated level, progress, per-level scores and blockers per catalog.
    unsupported : tuple of Blocker
        Claims (met or partial) resting on prerequisites that are not effectively met.
    gaps : tuple of str
        Applicable criteria recorded unknown or not recorded.
    applicable, met : int
        Counts of applicable and effectively met criteria.
    """

    facility: Facility
    date: dt.date
    catalog: str  # the catalog that was asked for (the set may hold more)
    policy: Policy
    overall: float | None
    by_domain: Mapping[str, float | None]
    catalogs: Mapping[str, CatalogResult]
    unsupported: tuple[Blocker, ...]
    gaps: tuple[str, ...]
    applicable: int
    met: int

    def level(self, catalog: str | None = None) -> int | None:
        """Return the gated level in ``catalog`` (default: the catalog that was asked for)."""
        key = catalog or self.catalog
        if key not in self.catalogs:
            raise UnknownIdError(
                f"no such catalog in this score (catalogs: {', '.join(self.catalogs)})", value=key
            )
        return self.catalogs[key].level

    def to_dict(self) -> dict[str, Any]:
        """Return plain, JSON-ready data."""
        return {
            "facility": self.facility.id,
            "date": self.date.isoformat(),
            "catalog": self.catalog,
            "policy": self.policy,
            "overall": self.overall,
            "by_domain": dict(self.by_domain),
            "catalogs": {k: v.to_dict() for k, v in self.catalogs.items()},
            "unsupported": [b.to_dict() for b in self.unsupported],
            "gaps": list(self.gaps),
            "applicable": self.applicable,
            "met": self.met,
        }

    def explain(self, *, lang: str = "en") -> str:
        """Return a short text a person can read."""
        lines = [f"{self.facility.id} on {self.date.isoformat()}: {_pct(self.overall)} overall"]
        for result in self.catalogs.values():
            if result.level is None:
                lines.append(f"  {result.catalog}: not applicable to this facility")
                continue
            title = f" ({result.level_title.get(lang)})" if result.level_title else ""
            line = f"  {result.catalog}: level {result.level}{title}, score {_pct(result.score)}"
            if result.next_level is not None:
                line += (
                    f"; {_pct(None if result.progress is None else 100 * result.progress)}"
                    f" toward level {result.next_level}, {len(result.blockers)} blockers"
                )
            lines.append(line)
        if self.unsupported:
            lines.append(f"  unsupported claims: {len(self.unsupported)}")
        if self.gaps:
            lines.append(f"  data gaps (unknown): {len(self.gaps)}")
        return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "no score" if value is None else f"{value:.1f}%"


# --------------------------------------------------------------------------- the kernel


@attrs.frozen(kw_only=True, eq=False)
class _Setup:
    """Everything the kernel needs that does not depend on the facilities."""

    compiled: Compiled
    policy: Policy
    custom: Int  # criteria whose weight the profile changes
    delta: Float  # profile weight - catalog weight, for `custom`
    domain_weights: Float | None  # (D,) when the overall is a mean of domains


def _setup(catalog: Catalog, policy: str, weights: Weights | Mapping[str, Any] | None) -> _Setup:
    if policy not in ("strict", "lenient"):
        raise OptionError("policy must be 'strict' or 'lenient'", key="policy", value=policy)
    compiled = compile_catalog(catalog)
    profile = _weights(weights)
    changed: dict[int, float] = {}
    for key, value in profile.criteria.items():
        i = compiled.index[_resolve(catalog, key)]
        if value != compiled.weights[i]:
            changed[i] = float(value) - float(compiled.weights[i])
    domain_weights = None
    if profile.domains:
        domain_weights = np.ones(len(compiled.domains))
        for key, value in profile.domains.items():
            if key not in compiled.domains:
                raise UnknownIdError(
                    f"weights.domains: no such domain (domains: {', '.join(compiled.domains)})",
                    value=key,
                )
            domain_weights[compiled.domains.index(key)] = value
    custom = np.array(sorted(changed), dtype=np.intp)
    return _Setup(
        compiled=compiled,
        policy=policy,  # type: ignore[arg-type]
        custom=custom,
        delta=np.array([changed[i] for i in custom], dtype=np.float64),
        domain_weights=domain_weights,
    )


def _weights(weights: Weights | Mapping[str, Any] | None) -> Weights:
    if weights is None:
        return Weights()
    if isinstance(weights, Weights):
        return weights
    if isinstance(weights, Mapping):
        unknown = set(weights) - {"criteria", "domains"}
        if unknown:
            raise OptionError(
                "weights takes 'criteria' and 'domains'", key="weights", value=sorted(unknown)
            )
        return Weights(**weights)
    raise OptionError("weights must be a Weights or a mapping", key="weights", value=weights)


def _resolve(catalog: Catalog, key: str) -> str:
    try:
        return catalog.resolve(key)
    except UnknownCriterionError as error:
        raise UnknownCriterionError(f"weights.criteria: {error.message}", value=key) from None


def _share(num: Float, den: Float, empty: float) -> Float:
    out = np.full(num.shape, empty)
    np.divide(num, den, out=out, where=den > 0)
    return out


#: Facilities per kernel block: large enough to amortise numpy's per-call cost, small enough
#: that a block's boolean arrays stay in the CPU cache. (Threads over blocks were measured and
#: gave no speed-up on two cores, so blocks run one after another.)
BLOCK = 8192
_local = threading.local()  # scratch buffers per thread: callers may score from several threads


class _Buffers:
    """Scratch arrays of one thread, reused across blocks (no allocation in the hot loop)."""

    def __init__(self, size: int, cells: int, width: int) -> None:
        self.key = (size, cells, width)
        self.app = np.empty((size, width), dtype=bool)
        self.met = np.empty((size, width), dtype=bool)
        self.eff = np.empty((size, width), dtype=bool)
        self.tmp = np.empty((size, width), dtype=bool)
        self.support = np.empty((size, width), dtype=bool)
        self.through = np.empty((size + 1, width), dtype=bool)
        self.through[size] = True
        self.count = np.empty((cells, width), dtype=np.int32)
        self.num = np.empty((cells, width), dtype=np.float32)


def _buffers(size: int, cells: int, width: int) -> _Buffers:
    buffers: _Buffers | None = getattr(_local, "buffers", None)
    if buffers is None or buffers.key != (size, cells, width):
        buffers = _Buffers(size, cells, width)
        _local.buffers = buffers
    return buffers


def _groups(compiled: Compiled, cells: npt.NDArray[Any], dtype: Any) -> dict[str, npt.NDArray[Any]]:
    """Sum per-cell values (cells x n) into levels, catalogs, domains and the whole set."""
    width = cells.shape[1]
    levels = np.empty((len(compiled.levels), width), dtype=dtype)
    for spec in compiled.levels:
        a, b = spec.cells
        np.sum(cells[a:b], axis=0, out=levels[spec.row])
    catalogs = np.empty((len(compiled.frameworks), width), dtype=dtype)
    for k, (a, b) in enumerate(compiled.level_ranges):
        np.sum(levels[a:b], axis=0, out=catalogs[k])
    by_domain = cells[compiled.domain_order]
    domains = np.empty((len(compiled.domains), width), dtype=dtype)
    for d, (a, b) in enumerate(compiled.domain_ranges):
        np.sum(by_domain[a:b], axis=0, out=domains[d])
    return {"levels": levels, "catalogs": catalogs, "domains": domains, "all": catalogs.sum(axis=0)}


def _percent(num: npt.NDArray[Any], den: npt.NDArray[Any], out: npt.NDArray[Any]) -> None:
    """Write ``100 * num / den`` into ``out``, NaN where ``den`` is 0."""
    out.fill(np.nan)
    np.divide(num, den, out=out, where=den > 0)
    out *= 100


@attrs.frozen(kw_only=True, eq=False)
class _Tables:
    """Per applicability class: what applies and what it weighs, before not-applicable records."""

    den: Mapping[str, npt.NDArray[np.float32]]  # group -> (rows, classes) applicable weight
    level_count: npt.NDArray[np.int32]  # (levels, classes) applicable criteria
    level_weight: Float  # (levels, classes) applicable catalog weight, exact
    bundle_count: npt.NDArray[np.int32]  # (bundles, classes)
    bundle_weight: Float  # (bundles, classes)
    total: npt.NDArray[np.int32]  # (classes,) applicable criteria
    onehot: npt.NDArray[np.float32] | None  # (classes, assessments) when classes are few


def _tables(setup: _Setup, classes: Classes) -> _Tables:
    compiled = setup.compiled
    applies = classes.applies
    kinds = applies.shape[1]
    cells = np.zeros((len(compiled.cell_start), kinds))
    counts = np.zeros((len(compiled.cell_start), kinds), dtype=np.int32)
    weighted = compiled.weights[:, None] * applies
    for i, (a, b) in enumerate(zip(compiled.cell_start, compiled.cell_stop, strict=True)):
        cells[i] = weighted[a:b].sum(axis=0)
        counts[i] = applies[a:b].sum(axis=0)
    bundle_count = np.zeros((len(compiled.bundles), kinds), dtype=np.int32)
    bundle_weight = np.zeros((len(compiled.bundles), kinds))
    for bundle, (a, b) in enumerate(compiled.bundle_cells):
        bundle_count[bundle] = counts[a:b].sum(axis=0)
        bundle_weight[bundle] = cells[a:b].sum(axis=0)
    onehot = None
    if kinds <= 32:
        onehot = (np.arange(kinds)[:, None] == classes.of_row[None, :]).astype(np.float32)
    return _Tables(
        den=_groups(compiled, cells.astype(np.float32), np.float32),
        level_count=_groups(compiled, counts, np.int32)["levels"],
        level_weight=_groups(compiled, cells, np.float64)["levels"],
        bundle_count=bundle_count,
        bundle_weight=bundle_weight,
        total=counts.sum(axis=0, dtype=np.int32),
        onehot=onehot,
    )


def _per_class(
    table: npt.NDArray[Any], tables: _Tables, cls: Int, lo: int, hi: int
) -> npt.NDArray[Any]:
    """Return ``table[:, cls]``, C-contiguous (a tiny matrix product when classes are few)."""
    if tables.onehot is not None and table.dtype == np.float32:
        return table @ tables.onehot[:, lo:hi]
    out = np.empty((table.shape[0], len(cls)), dtype=table.dtype)
    np.take(table, cls, axis=1, out=out)
    return out


def _sparse(of: Int, rows: Int, cols: Int, values: Float, count: int, width: int) -> Float:
    """Sum ``values`` at (of[rows], cols) into a dense (count, width) array (-1 = nowhere)."""
    keep = of[rows] >= 0
    summed: Float = np.bincount(  # type: ignore[assignment]
        of[rows[keep]] * width + cols[keep], weights=values[keep], minlength=count * width
    )
    return summed.reshape(count, width)


def _propagate(compiled: Compiled, met: Bool, app: Bool, support: Bool, through: Bool) -> None:
    """Fill ``support``: whether every prerequisite of a criterion is effectively met (rule 3).

    Generation by generation. ``through`` (one row more than ``support``, the last row true)
    holds what each criterion passes to its dependents: effectively met if it applies, its own
    support if it does not (criteria that do not apply are transparent).
    """
    for rows, parents in compiled.generations:
        if parents is None:
            support[rows] = True
            through[rows] = met[rows] | ~app[rows]
        else:
            ok = through[parents].all(axis=1)
            support[rows] = ok
            through[rows] = ok & (met[rows] | ~app[rows])


def support_of(compiled: Compiled, met: Bool, app: Bool) -> Bool:
    """Return the support matrix (criteria x columns) of ``met`` and ``app`` (rule 3)."""
    size, count = met.shape
    support = np.empty((size, count), dtype=bool)
    through = np.empty((size + 1, count), dtype=bool)
    through[size] = True
    _propagate(compiled, met, app, support, through)
    return support


def _block(
    setup: _Setup,
    tables: _Tables,
    classes: Classes,
    codes: npt.NDArray[np.uint8],
    progress: Float,
    out: dict[str, Any],
    lo: int,
    *,
    details: bool,
) -> None:
    """Score the columns of one block and write them into ``out`` at offset ``lo``."""
    compiled = setup.compiled
    size, width = codes.shape
    hi = lo + width
    ncells = len(compiled.cell_start)
    buf = _buffers(size, ncells, width)
    app, met, eff, tmp = buf.app, buf.met, buf.eff, buf.tmp
    support, through = buf.support, buf.through
    cls = classes.of_row[lo:hi]

    np.greater_equal(codes, MET, out=app)  # rule 1: applies and not recorded not_applicable
    np.equal(codes, MET, out=met)
    # Not-applicable records are few: keep their positions to correct the per-class sums.
    np.equal(codes, NA, out=tmp)
    rows_na, cols_na = np.divmod(np.flatnonzero(tmp), width)  # buffers are `width` wide

    _propagate(compiled, met, app, support, through)

    strict = setup.policy == "strict"
    if strict:
        np.logical_and(met, support, out=eff)
    else:
        np.copyto(eff, met)
    count = buf.count
    view = eff.view(np.uint8)
    for i, (a, b) in enumerate(zip(compiled.cell_start, compiled.cell_stop, strict=True)):
        np.sum(view[a:b], axis=0, dtype=np.int32, out=count[i])

    # Credit (rule 2): met cells counted per cell, partial progress added sparsely.
    np.equal(codes, PARTIAL, out=tmp)
    if strict:
        tmp &= support
    rows_p, cols_p = np.divmod(np.flatnonzero(tmp), width)
    credit_p = progress[rows_p, cols_p] * compiled.weights[rows_p]
    num_cells = buf.num
    np.multiply(count, compiled.cell_weight[:, None], out=num_cells)
    if len(credit_p):
        num_cells += _sparse(compiled.cell_of, rows_p, cols_p, credit_p, ncells, width)
    num = _groups(compiled, num_cells, np.float32)
    na_weight = compiled.weights[rows_na]
    den: dict[str, Any] = {}
    for name, of, n in (
        ("levels", compiled.level_of, len(compiled.levels)),
        ("catalogs", compiled.framework_of, len(compiled.frameworks)),
        ("domains", compiled.domain_of, len(compiled.domains)),
    ):
        den[name] = _per_class(tables.den[name], tables, cls, lo, hi)
        if len(rows_na):
            den[name] -= _sparse(of, rows_na, cols_na, na_weight, n, width)
    den["all"] = den["catalogs"].sum(axis=0)

    # Scores (rule 4) use the profile's weights: adjust the criteria whose weight it changes.
    snum, sden = num, den
    if len(setup.custom):
        custom = setup.custom
        credit = eff[custom].astype(np.float64)
        credit += np.where(tmp[custom], progress[custom], 0.0)
        delta = setup.delta[:, None]
        snum = {k: v.copy() for k, v in num.items()}
        sden = {k: v.copy() for k, v in den.items()}
        for name, of in (
            ("levels", compiled.level_of),
            ("catalogs", compiled.framework_of),
            ("domains", compiled.domain_of),
        ):
            np.add.at(snum[name], of[custom], delta * credit)
            np.add.at(sden[name], of[custom], delta * app[custom])
        snum["all"] = snum["catalogs"].sum(axis=0)
        sden["all"] = sden["catalogs"].sum(axis=0)
    _percent(snum["all"], sden["all"], out["overall"][lo:hi])
    for name in ("domains", "levels", "catalogs"):
        _percent(snum[name], sden[name], out[name][:, lo:hi])
    if setup.domain_weights is not None:
        scores = out["domains"][:, lo:hi].astype(np.float64)
        defined = ~np.isnan(scores)
        w = setup.domain_weights[:, None] * defined
        weighted = (np.where(defined, scores, 0.0) * w).sum(axis=0)
        out["overall"][lo:hi] = _share(weighted, w.sum(axis=0), np.nan)

    # Levels (rule 5) with the catalog's own weights; counts decide "all" and bundles exactly.
    nlevels = len(compiled.levels)
    level_app = _per_class(tables.level_count, tables, cls, lo, hi)
    if len(rows_na):
        gone = _sparse(compiled.level_of, rows_na, cols_na, np.ones(len(rows_na)), nlevels, width)
        level_app = level_app - gone.astype(np.int32)
    share = _share(num["levels"].astype(np.float64), den["levels"].astype(np.float64), 1.0)
    satisfied = np.empty((nlevels, width), dtype=bool)
    progress_level = np.empty((nlevels, width), dtype=np.float32)
    for spec in compiled.levels:
        row = spec.row
        a, b = spec.cells
        if spec.rule is Rule.ALL:
            satisfied[row] = count[a:b].sum(axis=0) == level_app[row]
            progress_level[row] = share[row]
        elif spec.rule is Rule.THRESHOLD:
            assert spec.threshold is not None
            # exact float64 sums for the comparison with the threshold
            earned = (count[a:b] * compiled.cell_weight[a:b, None]).sum(axis=0)
            first, last = compiled.cell_start[a], compiled.cell_stop[b - 1]
            inside = (rows_p >= first) & (rows_p < last)
            earned += np.bincount(cols_p[inside], weights=credit_p[inside], minlength=width)
            total = tables.level_weight[row][cls]
            if len(rows_na):
                gone_w = compiled.level_of[rows_na] == row
                total = total - np.bincount(
                    cols_na[gone_w], weights=na_weight[gone_w], minlength=width
                )
            satisfied[row] = earned >= spec.threshold * total - EPSILON * total
            progress_level[row] = np.minimum(_share(earned, total, 1.0) / spec.threshold, 1.0)
        else:
            assert spec.k is not None
            complete = np.empty((len(spec.bundles), width), dtype=bool)
            bundle_share = np.empty((len(spec.bundles), width))
            for n, bundle in enumerate(spec.bundles):
                a, b = compiled.bundle_cells[bundle]
                applicable = tables.bundle_count[bundle][cls].astype(np.int64)
                weight = tables.bundle_weight[bundle][cls]
                if len(rows_na):
                    gone_b = compiled.bundle_of[rows_na] == bundle
                    applicable = applicable - np.bincount(cols_na[gone_b], minlength=width)
                    weight = weight - np.bincount(
                        cols_na[gone_b], weights=na_weight[gone_b], minlength=width
                    )
                complete[n] = (count[a:b].sum(axis=0) == applicable) & (applicable > 0)
                earned = num_cells[a:b].sum(axis=0, dtype=np.float64)
                bundle_share[n] = _share(earned, weight, 0.0)
            satisfied[row] = complete.sum(axis=0) >= spec.k
            progress_level[row] = np.sort(bundle_share, axis=0)[-spec.k :].mean(axis=0)

    columns = np.arange(width)
    for k, (a, b) in enumerate(compiled.level_ranges):
        reached = np.logical_and.accumulate(satisfied[a:b], axis=0).sum(axis=0)
        has_next = reached < (b - a)
        value = progress_level[np.minimum(a + reached, b - 1), columns]
        none = den["catalogs"][k] <= 0
        value[~has_next | none] = np.nan
        out["progress"][k, lo:hi] = value
        out["level"][k, lo:hi] = np.where(none, -1, reached)

    applicable = tables.total[cls]
    if len(rows_na):
        applicable = applicable - np.bincount(cols_na, minlength=width).astype(np.int32)
    out["applicable"][lo:hi] = applicable
    np.sum(count, axis=0, out=out["met"][lo:hi])
    # Unsupported claims: met or partial, applicable, not supported.
    np.equal(codes, PARTIAL, out=tmp)
    tmp |= met
    tmp &= ~support
    np.sum(tmp.view(np.uint8), axis=0, dtype=np.int32, out=out["unsupported"][lo:hi])
    if details:
        # Unsupported met claims MET (2) -> UNSUPPORTED (3); partial ones PARTIAL (4) ->
        # UNSUPPORTED_PARTIAL (9).
        state = out["state"][:, lo:hi]
        np.copyto(state, codes)
        np.logical_and(tmp, met, out=eff)
        state += eff.view(np.uint8)
        np.logical_xor(tmp, eff, out=eff)
        state += eff.view(np.uint8) * np.uint8(UNSUPPORTED_PARTIAL - PARTIAL)
    np.equal(codes, UNKNOWN, out=eff)
    np.sum(eff.view(np.uint8), axis=0, dtype=np.int32, out=out["gaps"][lo:hi])


def _kernel(setup: _Setup, matrix: StatusMatrix, *, details: bool) -> dict[str, Any]:
    """Score every column of ``matrix``; return arrays (see :class:`ScoreTable`)."""
    compiled = setup.compiled
    size, count = matrix.status.shape
    tables = _tables(setup, matrix.classes)
    nframe = len(compiled.frameworks)
    out: dict[str, Any] = {
        "overall": np.empty(count, dtype=np.float32),
        "domains": np.empty((len(compiled.domains), count), dtype=np.float32),
        "levels": np.empty((len(compiled.levels), count), dtype=np.float32),
        "catalogs": np.empty((nframe, count), dtype=np.float32),
        "level": np.empty((nframe, count), dtype=np.int16),
        "progress": np.empty((nframe, count), dtype=np.float32),
        "applicable": np.empty(count, dtype=np.int32),
        "met": np.empty(count, dtype=np.int32),
        "unsupported": np.empty(count, dtype=np.int32),
        "gaps": np.empty(count, dtype=np.int32),
    }
    if details:
        out["state"] = np.empty((size, count), dtype=np.uint8)

    def run(lo: int) -> None:
        hi = min(lo + BLOCK, count)
        codes, progress = matrix.codes[:, lo:hi], matrix.progress[:, lo:hi]
        _block(setup, tables, matrix.classes, codes, progress, out, lo, details=details)

    for lo in range(0, count, BLOCK):
        run(lo)
    return out


# --------------------------------------------------------------------------- results


_COLUMNS = ("overall", "domains", "levels", "catalogs", "level", "progress")


@attrs.frozen(kw_only=True, eq=False)
class ScoreTable:
    """Scores of many facility-assessments, as arrays (one entry per assessment).

    Returned by :func:`score_many`. Index it (``table[j]``) or call :meth:`score` for the full
    :class:`Score` of one row; :meth:`to_records` and :meth:`to_pandas` give flat tables.

    Attributes
    ----------
    overall : numpy.ndarray, shape (n,)
        NaN where no criterion applies.
    domains : numpy.ndarray, shape (domains, n)
    levels : numpy.ndarray, shape (levels, n)
        Score per level of every catalog (``level_names`` gives the order).
    catalogs : numpy.ndarray, shape (catalogs, n)
        Score per catalog.
    level : numpy.ndarray of int16, shape (catalogs, n)
        Gated level per catalog, -1 where none applies.
    progress : numpy.ndarray, shape (catalogs, n)
        Progress toward the next level (NaN at the top or where none applies).
    applicable, met, unsupported, gaps : numpy.ndarray of int32, shape (n,)
    state : numpy.ndarray of uint8, shape (criteria, n) or None
        Effective state codes (``details=True``), used for blockers. Kept per input chunk
        (``state_parts``) and joined only when this attribute is read.
    """

    catalog: Catalog
    policy: Policy
    facilities: tuple[Facility, ...]
    rows: npt.NDArray[np.intp]
    dates: npt.NDArray[np.datetime64]
    overall: Float
    domains: Float
    levels: Float
    catalogs: Float
    level: npt.NDArray[np.int16]
    progress: Float
    applicable: npt.NDArray[np.int32]
    met: npt.NDArray[np.int32]
    unsupported: npt.NDArray[np.int32]
    gaps: npt.NDArray[np.int32]
    state_parts: tuple[npt.NDArray[np.uint8], ...] | None = None
    assessments: tuple[Assessment, ...] | None = None
    label: str | None = None
    #: The status matrices scored, when the input was not a stream of chunks (plans use them).
    sources: tuple[StatusMatrix, ...] | None = None

    def __len__(self) -> int:
        """Return the number of facility-assessments."""
        return len(self.rows)

    @property
    def state(self) -> npt.NDArray[np.uint8] | None:
        """Effective state codes, (criteria, n); None when scored with ``details=False``."""
        if self.state_parts is None:
            return None
        if len(self.state_parts) == 1:
            return self.state_parts[0]
        return np.concatenate(self.state_parts, axis=1)

    def state_column(self, j: int) -> npt.NDArray[np.uint8]:
        """Return the state codes of row ``j`` without joining the chunks."""
        if self.state_parts is None:
            raise OptionError(
                "blockers need the per-criterion states: score_many(..., details=True)",
                key="details",
                value=False,
            )
        for part in self.state_parts:
            if j < part.shape[1]:
                return part[:, j]
            j -= part.shape[1]
        msg = "row out of range"
        raise IndexError(msg)

    def __getitem__(self, j: int) -> Score:
        """Return the :class:`Score` of row ``j``."""
        return self.score(j)

    def __iter__(self) -> Iterator[Score]:
        """Iterate over every row's :class:`Score`."""
        return (self.score(j) for j in range(len(self)))

    @property
    def compiled(self) -> Compiled:
        """The compiled catalog."""
        return compile_catalog(self.catalog)

    @property
    def level_names(self) -> tuple[str, ...]:
        """Names of the rows of :attr:`levels`, ``catalog-id:level``."""
        compiled = self.compiled
        return tuple(f"{compiled.frameworks[s.catalog]}:{s.number}" for s in compiled.levels)

    def facility(self, j: int) -> Facility:
        """Return the facility of row ``j``."""
        return self.facilities[int(self.rows[j])]

    def catalog_row(self, catalog: str) -> int:
        """Return the row of ``catalog`` in :attr:`level`, :attr:`progress`, :attr:`catalogs`."""
        frameworks = self.compiled.frameworks
        if catalog not in frameworks:
            raise UnknownIdError(
                f"no such catalog in this table (catalogs: {', '.join(frameworks)})", value=catalog
            )
        return frameworks.index(catalog)

    def score(self, j: int) -> Score:
        """Return the full :class:`Score` of row ``j`` (blockers need ``details=True``)."""
        if not -len(self) <= j < len(self):
            msg = f"row {j} is out of range for {len(self)} rows"
            raise IndexError(msg)
        j %= len(self)
        if self.state_parts is None:
            raise OptionError(
                "blockers need the per-criterion states: score_many(..., details=True)",
                key="details",
                value=False,
            )
        return _build_score(self, j)

    def to_records(self, *, lang: str = "en") -> list[dict[str, Any]]:
        """Return one flat dict per row (facility fields, scores, levels, counts)."""
        del lang
        compiled = self.compiled
        names = _record_columns(compiled)
        out = []
        for j in range(len(self)):
            facility = self.facility(j)
            record: dict[str, Any] = {
                "facility_id": facility.id,
                "name": facility.name,
                "kind": facility.kind,
                "ownership": facility.ownership,
                "beds": facility.beds,
                "region": facility.region,
                "date": to_date(self.dates[j]).isoformat(),
                "overall": _none(self.overall[j]),
            }
            for k, catalog_id in enumerate(compiled.frameworks):
                level = int(self.level[k, j])
                record[f"level:{catalog_id}"] = None if level < 0 else level
                record[f"progress:{catalog_id}"] = _none(self.progress[k, j])
                record[f"score:{catalog_id}"] = _none(self.catalogs[k, j])
            for d, domain in enumerate(compiled.domains):
                record[f"domain:{domain}"] = _none(self.domains[d, j])
            record["applicable"] = int(self.applicable[j])
            record["met"] = int(self.met[j])
            record["unsupported"] = int(self.unsupported[j])
            record["gaps"] = int(self.gaps[j])
            assert list(record) == names
            out.append(record)
        return out

    def to_pandas(self) -> pd.DataFrame:
        """Return :meth:`to_records` as a pandas DataFrame (``pip install readiness[pandas]``)."""
        try:
            import pandas as pd  # noqa: PLC0415
        except ImportError:
            from readiness.errors import MissingDependencyError  # noqa: PLC0415

            raise MissingDependencyError(
                "to_pandas needs pandas: pip install 'readiness[pandas]'"
            ) from None
        return pd.DataFrame.from_records(self.to_records(), columns=_record_columns(self.compiled))


def _record_columns(compiled: Compiled) -> list[str]:
    names = ["facility_id", "name", "kind", "ownership", "beds", "region", "date", "overall"]
    for catalog_id in compiled.frameworks:
        names += [f"level:{catalog_id}", f"progress:{catalog_id}", f"score:{catalog_id}"]
    names += [f"domain:{d}" for d in compiled.domains]
    names += ["applicable", "met", "unsupported", "gaps"]
    return names


#: Scores are computed in single precision and reported rounded to this many decimals.
DECIMALS = 4


def _none(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), DECIMALS)


def _missing(compiled: Compiled, state: npt.NDArray[np.uint8], i: int) -> tuple[str, ...]:
    """Prerequisites of criterion ``i`` that are applicable and not effectively met."""
    found = nearest_ancestors(
        compiled,
        i,
        found=lambda p: state[p] > NA and state[p] != MET,
        through=lambda p: state[p] <= NA,  # does not apply: transparent
    )
    return tuple(compiled.keys[p] for p in found)


def _detail(table: ScoreTable, j: int, i: int, code: int, missing: tuple[str, ...]) -> str:
    compiled = table.compiled
    key = compiled.keys[i]
    record = None
    if table.assessments is not None:
        assessment = table.assessments[j]
        criterion = compiled.catalog.criteria[key]
        record = assessment.records.get(key) or assessment.records.get(criterion.id)
    if code in (UNSUPPORTED, UNSUPPORTED_PARTIAL):
        shown = ", ".join(missing) if missing else "a prerequisite"
        claim = "claimed met" if code == UNSUPPORTED else "partly done"
        return f"{claim}, but rests on {shown}, not met"
    if code == PARTIAL:
        progress = record.progress if record is not None else None
        return "partly done" if progress is None else f"partly done ({progress:.0%})"
    if code == EXPIRED:
        if record is not None and record.valid_until is not None:
            return f"validation expired on {record.valid_until.isoformat()}"
        return "validation expired"
    if code == BELOW_COVERAGE:
        minimum = compiled.min_coverage[i]
        if record is not None and record.coverage is not None:
            return f"coverage {record.coverage:.0%} is below the minimum {minimum:.0%}"
        return f"coverage not reported (minimum {minimum:.0%})"
    if code == UNKNOWN:
        return "no data (unknown)"
    return "not met"


def _blocker(table: ScoreTable, j: int, i: int, state: npt.NDArray[np.uint8]) -> Blocker:
    code = int(state[i])
    unsupported = code in (UNSUPPORTED, UNSUPPORTED_PARTIAL)
    missing = _missing(table.compiled, state, i) if unsupported else ()
    return Blocker(
        criterion=table.compiled.keys[i],
        reason=_REASON_OF_CODE[code],
        detail=_detail(table, j, i, code, missing),
        missing=missing,
    )


def _build_score(table: ScoreTable, j: int) -> Score:
    compiled = table.compiled
    state = table.state_column(j)
    lenient = table.policy == "lenient"
    done = (state == MET) | (state <= NA)  # effectively met, or does not apply
    if lenient:
        done |= state == UNSUPPORTED
    catalogs = {}
    for k, catalog_id in enumerate(compiled.frameworks):
        framework = compiled.catalog.frameworks[catalog_id]
        a, b = compiled.level_ranges[k]
        level = int(table.level[k, j])
        by_level = {s.number: _none(table.levels[s.row, j]) for s in compiled.levels[a:b]}
        blockers: tuple[Blocker, ...] = ()
        next_level = None
        if 0 <= level < b - a:
            next_level = level + 1
            spec = compiled.levels[a + level]
            if spec.rule is Rule.K_OF_N:
                members = np.isin(compiled.bundle_of, spec.bundles)
            else:
                members = compiled.level_of == spec.row
            rows = np.flatnonzero(members & ~done)
            blockers = tuple(_blocker(table, j, int(i), state) for i in rows)
        catalogs[catalog_id] = CatalogResult(
            catalog=catalog_id,
            level=None if level < 0 else level,
            level_title=framework.levels[level - 1].title if level > 0 else None,
            next_level=next_level,
            progress=None if next_level is None else _none(table.progress[k, j]),
            score=_none(table.catalogs[k, j]),
            by_level=by_level,
            blockers=blockers,
        )
    unsupported = tuple(
        _blocker(table, j, int(i), state)
        for i in np.flatnonzero((state == UNSUPPORTED) | (state == UNSUPPORTED_PARTIAL))
    )
    return Score(
        facility=table.facility(j),
        date=to_date(table.dates[j]),
        catalog=table.catalog.id,
        policy=table.policy,
        overall=_none(table.overall[j]),
        by_domain={d: _none(table.domains[n, j]) for n, d in enumerate(compiled.domains)},
        catalogs=catalogs,
        unsupported=unsupported,
        gaps=tuple(compiled.keys[i] for i in np.flatnonzero(state == UNKNOWN)),
        applicable=int(table.applicable[j]),
        met=int(table.met[j]),
    )


# --------------------------------------------------------------------------- entry points


def _matrices(
    catalog: Catalog,
    assessments: StatusMatrix | Iterable[Assessment] | Iterable[StatusMatrix],
    as_of: dt.date | None,
) -> Iterator[StatusMatrix]:
    if isinstance(assessments, StatusMatrix):
        yield from _checked(catalog, [assessments])
        return
    if isinstance(assessments, Assessment):
        raise OptionError(
            "score_many takes many assessments; use score() for one",
            key="assessments",
            value=assessments,
        )
    batch: list[Assessment] = []
    seen_matrix = False
    registry = Registry()  # duplicates are checked across every batch
    for item in assessments:
        if isinstance(item, StatusMatrix):
            if batch:
                raise OptionError(
                    "do not mix Assessment objects and StatusMatrix chunks",
                    key="assessments",
                    value=type(item).__name__,
                )
            seen_matrix = True
            yield from _checked(catalog, [item])
            continue
        if not isinstance(item, Assessment):
            raise OptionError(
                "expected Assessment objects or StatusMatrix chunks",
                key="assessments",
                value=type(item).__name__,
            )
        if seen_matrix:
            raise OptionError(
                "do not mix Assessment objects and StatusMatrix chunks",
                key="assessments",
                value=type(item).__name__,
            )
        batch.append(item)
        if len(batch) == CHUNK:
            yield _build(catalog, batch, as_of=as_of, label=None, registry=registry)
            batch = []
    if batch or not seen_matrix:
        yield _build(catalog, batch, as_of=as_of, label=None, registry=registry)


def _checked(catalog: Catalog, matrices: Sequence[StatusMatrix]) -> Iterator[StatusMatrix]:
    for matrix in matrices:
        if matrix.catalog is not catalog:
            raise OptionError(
                "the status matrix was built for another catalog object; build it with this one",
                key="assessments",
                value=matrix.catalog.id,
            )
        yield matrix


def score_many(
    catalog: Catalog,
    assessments: StatusMatrix | Iterable[Assessment] | Iterable[StatusMatrix],
    *,
    policy: Policy = "strict",
    weights: Weights | Mapping[str, Any] | None = None,
    as_of: dt.date | None = None,
    details: bool = True,
) -> ScoreTable:
    """Score many facility-assessments with one vectorised kernel.

    Parameters
    ----------
    catalog : Catalog
    assessments : iterable of Assessment, StatusMatrix, or iterable of StatusMatrix
        Objects are converted to a status matrix in chunks; an iterable of matrices is scored
        chunk by chunk, so a national history never has to be in memory at once.
    policy : {"strict", "lenient"}
        How prerequisites gate credit (scoring rule 3).
    weights : Weights or mapping, optional
        A weight profile (scoring rule 4).
    as_of : datetime.date, optional
        Judge expiry on this date instead of each assessment's date (Assessment input only).
    details : bool
        Keep per-criterion states so that rows can explain blockers (costs one byte per
        criterion and row).

    Returns
    -------
    ScoreTable

    Notes
    -----
    Implements the scoring rules of :mod:`readiness._score` (design rules 1-7). ``score`` is
    this function on a batch of one.
    """
    setup = _setup(catalog, policy, weights)
    parts = []
    offsets: dict[int, int] = {}  # id() of a chunk's facility tuple -> offset in facility_list
    keep: list[tuple[Facility, ...]] = []
    facility_list: list[Facility] = []
    rows = []
    dates = []
    assessments_out: list[Assessment] | None = []
    label = None
    streamed = not isinstance(assessments, StatusMatrix) and not _is_assessments(assessments)
    kept: list[StatusMatrix] = []
    for matrix in _matrices(catalog, assessments, as_of):
        if not streamed:
            kept.append(matrix)
        if len(matrix) == 0:
            continue
        parts.append(_kernel(setup, matrix, details=details))
        # Chunks usually share one facility tuple (a history); add each tuple once.
        offset = offsets.get(id(matrix.facilities))
        if offset is None:
            offset = offsets[id(matrix.facilities)] = len(facility_list)
            keep.append(matrix.facilities)  # keeps id() valid while we run
            facility_list.extend(matrix.facilities)
        rows.append(matrix.rows + offset)
        dates.append(matrix.dates)
        label = label or matrix.label
        if assessments_out is not None and matrix.assessments is not None:
            assessments_out.extend(matrix.assessments)
        else:
            assessments_out = None
    compiled = setup.compiled
    if not parts:
        parts.append(_empty(compiled, details=details))
        rows.append(np.empty(0, dtype=np.intp))
        dates.append(np.empty(0, dtype="datetime64[D]"))

    def join(name: str, axis: int) -> Any:
        if len(parts) == 1:
            return parts[0][name]
        # free each part's array as soon as it is copied, so peak memory stays near one copy
        joined = np.concatenate([p[name] for p in parts], axis=axis)
        for part in parts:
            del part[name]
        return joined

    return ScoreTable(
        catalog=catalog,
        policy=policy,
        facilities=tuple(facility_list),
        rows=rows[0] if len(rows) == 1 else np.concatenate(rows),
        dates=dates[0] if len(dates) == 1 else np.concatenate(dates),
        overall=join("overall", 0),
        domains=join("domains", 1),
        levels=join("levels", 1),
        catalogs=join("catalogs", 1),
        level=join("level", 1),
        progress=join("progress", 1),
        applicable=join("applicable", 0),
        met=join("met", 0),
        unsupported=join("unsupported", 0),
        gaps=join("gaps", 0),
        state_parts=tuple(p.pop("state") for p in parts) if details else None,
        assessments=tuple(assessments_out) if assessments_out else None,
        label=label,
        sources=None if streamed else tuple(kept),
    )


def _is_assessments(value: object) -> bool:
    """Whether ``value`` is a sized collection of Assessment objects (not a stream of chunks)."""
    return isinstance(value, Sequence) and all(isinstance(a, Assessment) for a in value)


def _empty(compiled: Compiled, *, details: bool) -> dict[str, Any]:
    nd, nl, nk, nc = (
        len(compiled.domains),
        len(compiled.levels),
        len(compiled.frameworks),
        compiled.size,
    )
    out: dict[str, Any] = {
        "overall": np.empty(0),
        "domains": np.empty((nd, 0)),
        "levels": np.empty((nl, 0)),
        "catalogs": np.empty((nk, 0)),
        "level": np.empty((nk, 0), dtype=np.int16),
        "progress": np.empty((nk, 0)),
        "applicable": np.empty(0, dtype=np.int32),
        "met": np.empty(0, dtype=np.int32),
        "unsupported": np.empty(0, dtype=np.int32),
        "gaps": np.empty(0, dtype=np.int32),
    }
    if details:
        out["state"] = np.empty((nc, 0), dtype=np.uint8)
    return out


def score(
    catalog: Catalog,
    assessment: Assessment,
    *,
    policy: Policy = "strict",
    weights: Weights | Mapping[str, Any] | None = None,
    as_of: dt.date | None = None,
) -> Score:
    """Score one facility-assessment: levels, progress, blockers, unsupported claims, gaps.

    This is :func:`score_many` on a batch of one, so both always agree.

    Parameters
    ----------
    catalog : Catalog
    assessment : Assessment
    policy : {"strict", "lenient"}
        Strict (default): a criterion earns credit only when its prerequisites are effectively
        met. Lenient: claims earn credit anyway and are still reported.
    weights : Weights or mapping, optional
        ``{"criteria": {key: weight}, "domains": {"catalog:domain": weight}}``.
    as_of : datetime.date, optional
        Judge expiry on this date instead of the assessment's date.

    Returns
    -------
    Score

    Raises
    ------
    readiness.errors.UnknownCriterionError
        A record names a criterion the catalog does not have.
    """
    if not isinstance(assessment, Assessment):
        raise OptionError(
            "score takes one Assessment; use score_many for many",
            key="assessment",
            value=type(assessment).__name__,
        )
    return score_many(catalog, [assessment], policy=policy, weights=weights, as_of=as_of).score(0)
