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
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import MAX_WEIGHT, Catalog, Rule, Text, check_lang
from readiness._compile import (
    Compiled,
    LevelSpec,
    compile_catalog,
    freeze_arrays,
    nearest_ancestors,
)
from readiness._matrix import (
    BELOW_COVERAGE,
    BLOCK,
    DISPUTED,
    EXPIRED,
    MET,
    NA,
    NOT_MET,
    PARTIAL,
    UNKNOWN,
    UNSUPPORTED,
    UNSUPPORTED_PARTIAL,
    Classes,
    Positions,
    Registry,
    StatusMatrix,
    _build,
    check_date,
    to_date,
)
from readiness._model import Assessment, Facility
from readiness._words import count as counted
from readiness.errors import (
    DuplicateError,
    OptionError,
    Problem,
    UnknownCriterionError,
    UnknownIdError,
)

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
#: How a disputed not-applicable claim counts: left out of the sums (trust) or as not met.
NaPolicy = Literal["trust", "dispute"]
#: The default NA policy (docs/scoring.md, "Not-applicable claims", says why).
NA_DEFAULT: NaPolicy = "trust"
Rounds = Literal["all", "latest"]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
Int = npt.NDArray[np.intp]
Bits = npt.NDArray[np.bool_] | npt.NDArray[np.uint8]  # booleans, or bit-packed booleans

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
    DISPUTED = "disputed"


_REASON_OF_CODE = {
    NOT_MET: Reason.NOT_MET,
    PARTIAL: Reason.PARTIAL,
    UNKNOWN: Reason.UNKNOWN,
    UNSUPPORTED: Reason.UNSUPPORTED,
    UNSUPPORTED_PARTIAL: Reason.UNSUPPORTED,
    EXPIRED: Reason.EXPIRED,
    BELOW_COVERAGE: Reason.BELOW_COVERAGE,
    NA: Reason.DISPUTED,
    DISPUTED: Reason.DISPUTED,
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

    criteria: Mapping[str, float] = attrs.field(factory=dict)
    domains: Mapping[str, float] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        """Check both are mappings of positive finite numbers (at most MAX_WEIGHT)."""
        for what in ("criteria", "domains"):
            table = getattr(self, what)
            if not isinstance(table, Mapping) or not all(isinstance(k, str) for k in table):
                raise OptionError(
                    f"weights.{what} must map ids (strings) to numbers",
                    key=f"weights.{what}",
                    value=table,
                )
            object.__setattr__(self, what, dict(table))
        for what, table in (("criteria", self.criteria), ("domains", self.domains)):
            for key, value in table.items():
                ok = isinstance(value, int | float) and not isinstance(value, bool)
                if not ok or not math.isfinite(value) or not 0 < value <= MAX_WEIGHT:
                    raise OptionError(
                        f"weights.{what}: weight must be a number > 0 and at most "
                        f"{MAX_WEIGHT:,.0f}",
                        key=key,
                        value=value,
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
    assessed : bool
        False for a facility that has no assessment (on or before the day asked for): every
        record is unknown and ``date`` is the day the table stands for.
    disputed : tuple of Blocker
        Disputed claims: ``not_applicable`` records of criteria the catalog says apply to the
        facility (reason ``disputed``; the detail says whether they were trusted or counted as
        not met, see ``not_applicable``).
    not_applicable : {"trust", "dispute"}
        The policy the disputed claims were counted under.
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
    assessed: bool = True
    disputed: tuple[Blocker, ...] = ()
    not_applicable: NaPolicy = NA_DEFAULT

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
            "assessed": self.assessed,
            "disputed": [b.to_dict() for b in self.disputed],
            "not_applicable": self.not_applicable,
        }

    def explain(self, *, lang: str = "en") -> str:
        """Return a short text a person can read."""
        check_lang(lang)
        lines = [f"{self.facility.id} on {self.date.isoformat()}: {_pct(self.overall)} overall"]
        if not self.assessed:
            lines[0] = (
                f"{self.facility.id}: not assessed on or before {self.date.isoformat()}; "
                f"every criterion unknown, {_pct(self.overall)} overall"
            )
        for result in self.catalogs.values():
            if result.level is None:
                lines.append(f"  {result.catalog}: not applicable to this facility")
                continue
            title = f" ({result.level_title.get(lang)})" if result.level_title else ""
            line = f"  {result.catalog}: level {result.level}{title}, score {_pct(result.score)}"
            if result.next_level is not None:
                line += (
                    f"; {_pct(None if result.progress is None else 100 * result.progress)}"
                    f" toward level {result.next_level}, {counted(len(result.blockers), 'blocker')}"
                )
            lines.append(line)
        if self.unsupported:
            lines.append(f"  unsupported claims: {len(self.unsupported)}")
        if self.gaps:
            lines.append(f"  data gaps (unknown): {len(self.gaps)}")
        if self.disputed:
            how = "trusted" if self.not_applicable == "trust" else "counted as not met"
            refused = sum(b.detail.endswith("counted as not met") for b in self.disputed)
            if self.not_applicable == "trust" and refused:
                how = f"trusted, {refused} counted as not met (never accepted by the catalog)"
            lines.append(
                f"  disputed not-applicable claims: {len(self.disputed)} ({how}): "
                + ", ".join(b.criterion for b in self.disputed)
            )
        return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "no score" if value is None else f"{value:.1f}%"


# --------------------------------------------------------------------------- the kernel


@attrs.frozen(kw_only=True, eq=False)
class _Setup:
    """Everything the kernel needs that does not depend on the facilities."""

    compiled: Compiled
    policy: Policy
    not_applicable: NaPolicy
    #: (NG, C) the profile's weight of each criterion in each score group, when a profile
    #: changes any criterion weight (scores are then one float64 product, rule 4)
    profile: Float | None
    domain_weights: Float | None  # (D,) when the overall is a mean of domains, max 1


def _setup(
    catalog: Catalog,
    policy: str,
    weights: Weights | Mapping[str, Any] | None,
    not_applicable: str = NA_DEFAULT,
) -> _Setup:
    if policy not in ("strict", "lenient"):
        raise OptionError("policy must be 'strict' or 'lenient'", key="policy", value=policy)
    if not_applicable not in ("trust", "dispute"):
        raise OptionError(
            "not_applicable must be 'trust' or 'dispute'",
            key="not_applicable",
            value=not_applicable,
        )
    compiled = compile_catalog(catalog)
    profile = _weights(weights)
    changed: dict[int, float] = {}
    for key, value in profile.criteria.items():
        i = compiled.index[_resolve(catalog, key)]
        if value != compiled.weights[i]:
            changed[i] = float(value)
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
    by_group = None
    if changed:
        weights_now = compiled.weights.copy()
        for i, value in changed.items():
            weights_now[i] = value
        by_group = _by_group(compiled, weights_now)
    return _Setup(
        compiled=compiled,
        policy=policy,  # type: ignore[arg-type]
        not_applicable=not_applicable,  # type: ignore[arg-type]
        profile=by_group,
        # a weighted mean does not change when every weight is scaled: keep them at most 1
        domain_weights=None if domain_weights is None else domain_weights / domain_weights.max(),
    )


def _by_group(compiled: Compiled, weights: Float) -> Float:
    """Return (groups, criteria): each criterion's weight in its four groups, 0 elsewhere.

    The groups of a criterion are its level, catalog, domain and the whole set
    (:attr:`Compiled.group_rows`).
    """
    out = np.zeros((compiled.groups, compiled.size))
    columns = np.arange(compiled.size)
    for k in range(4):
        out[compiled.group_rows[:, k], columns] = weights
    return out


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


_local = threading.local()  # scratch buffers per thread: callers may score from several threads


@attrs.frozen(kw_only=True, eq=False)
class _Layout:
    """Index arrays of a compiled catalog for the kernel (computed once per catalog).

    Score rows are the compiled catalog's *groups* (every level, every catalog, every domain,
    the whole set: ``NG`` rows). Class tables add one more row per level: its number of
    applicable criteria.
    """

    L: int
    K: int
    D: int
    cells: tuple[tuple[int, int], ...]
    level_cells: tuple[tuple[int, int], ...]
    domain_cells: tuple[tuple[int, int], ...]  # ranges into compiled.domain_order
    members: Float  # (NG + L, C): weight of each criterion in each group, then 1 per level
    weights32: npt.NDArray[np.float32]  # (C,)
    level_w100: npt.NDArray[np.float32]  # (L, 1) 100 x the weight of uniform levels, else 0
    domain_w100: npt.NDArray[np.float32]  # (D, 1)
    mixed_levels: tuple[int, ...]  # levels whose cells have different weights
    mixed_domains: tuple[int, ...]
    cell_w100: npt.NDArray[np.float32]  # (cells, 1)
    special: tuple[int, ...]  # levels with a threshold or k-of-n rule
    exact: bool  # weights are multiples of 1/1024 below 1024: float32 sums are exact

    @property
    def NG(self) -> int:  # noqa: N802 - a count, named as in the docs
        """Number of group rows."""
        return self.L + self.K + self.D + 1


_LAYOUTS: weakref.WeakKeyDictionary[Compiled, _Layout] = weakref.WeakKeyDictionary()


def _layout(compiled: Compiled) -> _Layout:
    layout = _LAYOUTS.get(compiled)
    if layout is None:
        layout = _make_layout(compiled)
        freeze_arrays(layout)  # shared by every caller, like the compiled arrays
        _LAYOUTS[compiled] = layout
    return layout


def _make_layout(compiled: Compiled) -> _Layout:
    L, K, D = len(compiled.levels), len(compiled.frameworks), len(compiled.domains)
    counts = np.zeros((L, compiled.size))
    counts[compiled.level_of, np.arange(compiled.size)] = 1.0
    members = np.concatenate([_by_group(compiled, compiled.weights), counts])

    def uniform(cell_ids: Iterable[int]) -> float:
        values = {float(compiled.cell_weight[c]) for c in cell_ids}
        return values.pop() if len(values) == 1 else 0.0

    level_w = [
        uniform(range(*s.cells)) if s.cells[1] > s.cells[0] else 1.0 for s in compiled.levels
    ]
    domain_w = [
        uniform(compiled.domain_order[a:b]) if b > a else 1.0 for a, b in compiled.domain_ranges
    ]
    scaled = compiled.weights * 1024
    return _Layout(
        L=L,
        K=K,
        D=D,
        cells=tuple(
            (int(a), int(b)) for a, b in zip(compiled.cell_start, compiled.cell_stop, strict=True)
        ),
        level_cells=tuple(s.cells for s in compiled.levels),
        domain_cells=tuple((int(a), int(b)) for a, b in compiled.domain_ranges),
        members=members,
        weights32=compiled.weights.astype(np.float32),
        level_w100=(100 * np.array(level_w, dtype=np.float32))[:, None],
        domain_w100=(100 * np.array(domain_w, dtype=np.float32))[:, None],
        mixed_levels=tuple(n for n, w in enumerate(level_w) if w == 0.0),
        mixed_domains=tuple(n for n, w in enumerate(domain_w) if w == 0.0),
        cell_w100=(100 * compiled.cell_weight.astype(np.float32))[:, None],
        special=tuple(s.row for s in compiled.levels if s.rule is not Rule.ALL),
        exact=bool(np.all((scaled == np.round(scaled)) & (compiled.weights < 1024))),
    )


class _Buffers:
    """Scratch arrays of one thread for blocks of ``width`` columns (no allocation per block)."""

    def __init__(self, compiled: Compiled, layout: _Layout, width: int) -> None:
        size, cells = compiled.size, len(layout.cells)
        self.compiled = compiled  # keeps id(compiled) unique while the buffers live
        self.met = np.empty((size, width), dtype=bool)
        self.eff = np.empty((size, width), dtype=bool)
        self.tmp = np.empty((size, width), dtype=bool)
        # bit-packed support; rows of criteria without prerequisites stay all ones
        self.packed_support = np.full((size, (width + 7) // 8), 255, dtype=np.uint8)
        self.count = np.empty((cells, width), dtype=np.uint8)
        self.by_domain = np.empty((cells, width), dtype=np.uint8)
        self.lcount = np.empty((layout.L, width), dtype=np.uint16)
        self.dcount = np.empty((layout.D, width), dtype=np.uint16)
        self.nums = np.empty((layout.NG, width), dtype=np.float32)
        self.satisfied = np.empty((layout.L, width), dtype=bool)
        self.columns = np.arange(width)


def _buffers(compiled: Compiled, layout: _Layout, width: int) -> _Buffers:
    cache: dict[tuple[int, int], _Buffers] | None = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    key = (id(compiled), width)
    buffers = cache.get(key)
    if buffers is None:
        if len(cache) >= 4:  # a full block and a last block of two catalogs
            cache.clear()
        buffers = cache[key] = _Buffers(compiled, layout, width)
    return buffers


@attrs.frozen(kw_only=True, eq=False)
class _Tables:
    """Per applicability class: what applies and what it weighs, before not-applicable records."""

    groups: npt.NDArray[np.float64]  # (NG + L, classes): applicable weight, then count per level
    groups32: npt.NDArray[np.float32]
    level_weight: Float  # (levels, classes) applicable catalog weight, exact
    bundle_count: npt.NDArray[np.int64]  # (bundles, classes)
    bundle_weight: Float  # (bundles, classes)
    total: npt.NDArray[np.int32]  # (classes,) applicable criteria
    onehot: npt.NDArray[np.float32] | None  # (classes, assessments) when classes are few

    def gather(self, classes: Classes, lo: int, hi: int, *, exact: bool) -> npt.NDArray[Any]:
        """Return ``groups`` for the assessments ``lo:hi`` (a tiny product when classes are few).

        Single precision when ``exact`` (removing not-applicable weights then leaves no
        residue), else double precision.
        """
        table = self.groups32 if exact else self.groups
        if self.onehot is not None:
            return table @ self.onehot[:, lo:hi]
        return np.take(table, classes.of_row[lo:hi], axis=1)


def _tables(compiled: Compiled, layout: _Layout, classes: Classes) -> _Tables:
    applies = classes.applies.astype(np.float64)
    kinds = applies.shape[1]
    groups = layout.members @ applies
    bundle_count = np.zeros((len(compiled.bundles), kinds), dtype=np.int64)
    bundle_weight = np.zeros((len(compiled.bundles), kinds))
    for bundle in range(len(compiled.bundles)):
        inside = compiled.bundle_of == bundle
        bundle_count[bundle] = applies[inside].sum(axis=0)
        bundle_weight[bundle] = (compiled.weights[inside, None] * applies[inside]).sum(axis=0)
    onehot = None
    if kinds <= 32:
        onehot = (np.arange(kinds)[:, None] == classes.of_row[None, :]).astype(np.float32)
    return _Tables(
        groups=groups,
        groups32=groups.astype(np.float32),
        level_weight=groups[: layout.L],
        bundle_count=bundle_count,
        bundle_weight=bundle_weight,
        total=applies.sum(axis=0).astype(np.int32),
        onehot=onehot,
    )


def _propagate(compiled: Compiled, support: Bits, through: Bits) -> None:
    """Rule 3, generation by generation.

    On entry ``through`` says whether each criterion passes by itself: it is met, or it does
    not apply (criteria that do not apply are transparent). On return ``support`` says whether
    every prerequisite passes (rows of criteria without prerequisites are left as they are) and
    ``through`` is and-ed with it: effectively met, or transparent and supported. Works on
    boolean arrays and on bit-packed uint8 arrays alike (the kernel packs 8 columns a byte).
    """
    for rows, parents in compiled.support_groups:
        if parents.shape[1] == 1:
            ok = through[parents[:, 0]]
        else:
            ok = np.bitwise_and.reduce(through[parents], axis=1)
        support[rows] = ok
        through[rows] &= ok


def support_of(compiled: Compiled, met: Bool, app: Bool) -> Bool:
    """Return the support matrix (criteria x columns) of ``met`` and ``app`` (rule 3)."""
    support = np.ones(met.shape, dtype=bool)
    _propagate(compiled, support, met | ~app)
    return support


def _colsum(matrix: Bool, out: npt.NDArray[np.int32]) -> None:
    """Count the true entries of each column (uint8 partial sums of at most 255 rows)."""
    view = matrix.view(np.uint8)
    out.fill(0)
    for a in range(0, len(view), 255):
        out += np.add.reduce(view[a : a + 255], axis=0, dtype=np.uint8)


def _block(
    setup: _Setup,
    layout: _Layout,
    tables: _Tables,
    matrix: StatusMatrix,
    out: dict[str, Any],
    lo: int,
    hi: int,
    *,
    details: bool,
) -> None:
    """Score the assessments ``lo:hi`` of ``matrix`` into ``out`` (``lo`` starts a BLOCK)."""
    compiled = setup.compiled
    L, K, D, ng = layout.L, layout.K, layout.D, layout.NG
    codes = matrix.codes[:, lo:hi]
    width = hi - lo
    buf = _buffers(compiled, layout, width)
    met, eff, tmp = buf.met, buf.eff, buf.tmp
    cls = matrix.classes.of_row[lo:hi]
    strict = setup.policy == "strict"
    partial, na = matrix.partial, matrix.not_applicable
    at_p, at_all = partial.block(lo), na.block(lo)
    # Rule 1: not-applicable records (all disputed claims) that are trusted, and those counted
    # as not met (dispute policy, or criteria that never accept them); both sparse.
    at_na, at_dis = _split_na(setup, na, at_all)
    out["disputed"][lo:hi] = np.bincount(na.col[at_all], minlength=width)

    # Rule 3: support, then the credited met criteria (strict: met and supported).
    # Support is propagated on bit-packed rows (8 assessments a byte: 8 times less to gather).
    np.less_equal(codes, MET, out=tmp)  # passes by itself: met, or does not apply (OUT, NA)
    flat_dis = na.flat[at_dis]
    if len(flat_dis):
        tmp.reshape(-1)[flat_dis] = False  # a claim counted as not met does not pass
    packed = np.packbits(tmp, axis=1)
    _propagate(compiled, buf.packed_support, packed)
    support = np.unpackbits(buf.packed_support, axis=1, count=width).view(bool)
    np.equal(codes, MET, out=met)
    credited = np.logical_and(met, support, out=eff) if strict else met

    # Counts of credited criteria per cell, level and domain.
    count = buf.count
    view = credited.view(np.uint8)
    for i, (a, b) in enumerate(layout.cells):
        np.add.reduce(view[a:b], axis=0, dtype=np.uint8, out=count[i])
    lcount, dcount = buf.lcount, buf.dcount
    for row, (a, b) in enumerate(layout.level_cells):
        np.add.reduce(count[a:b], axis=0, dtype=np.uint16, out=lcount[row])
    by_domain = np.take(count, compiled.domain_order, axis=0, out=buf.by_domain)
    for d, (a, b) in enumerate(layout.domain_cells):
        np.add.reduce(by_domain[a:b], axis=0, dtype=np.uint16, out=dcount[d])

    # Rules 2 and 4: numerators (x 100) per level and domain, then catalogs and the whole set.
    nums = buf.nums
    np.multiply(lcount, layout.level_w100, out=nums[:L])
    np.multiply(dcount, layout.domain_w100, out=nums[L + K : L + K + D])
    for row in layout.mixed_levels:
        a, b = layout.level_cells[row]
        np.add.reduce(count[a:b] * layout.cell_w100[a:b], axis=0, out=nums[row])
    for d in layout.mixed_domains:
        a, b = layout.domain_cells[d]
        chosen = compiled.domain_order[a:b]
        np.add.reduce(count[chosen] * layout.cell_w100[chosen], axis=0, out=nums[L + K + d])
    # Partial credit, sparse: progress x weight where supported (strict) or always (lenient).
    ok_p = support.reshape(-1)[partial.flat[at_p]]
    credit = partial.value[at_p] * compiled.weights[partial.row[at_p]]
    if strict:
        credit *= ok_p
    if len(credit):
        credit100 = (100 * credit).astype(np.float32)
        flat_nums = nums.reshape(-1)
        np.add.at(flat_nums, partial.groups[0, at_p], credit100)  # level
        np.add.at(flat_nums, partial.groups[2, at_p], credit100)  # domain
    for k, (a, b) in enumerate(compiled.level_ranges):
        np.add.reduce(nums[a:b], axis=0, out=nums[L + k])
    np.add.reduce(nums[L : L + K], axis=0, out=nums[ng - 1])

    # Rule 1: applicable weight per class (then applicable criteria per level), less the
    # not-applicable records (sparse).
    den = tables.gather(matrix.classes, lo, hi, exact=layout.exact)
    rows_na, cols_na = na.row[at_na], na.col[at_na]
    if len(rows_na):
        flat_den = den.reshape(-1)
        weights = (layout.weights32 if layout.exact else compiled.weights)[rows_na]
        for k in range(4):
            at = na.groups[k, at_na]
            np.subtract.at(flat_den, at, weights)
            if not layout.exact:  # float residue of removed weights: nothing left means 0
                flat_den[at] = np.where(flat_den[at] > EPSILON * weights, flat_den[at], 0)
        np.subtract.at(flat_den, na.groups[0, at_na] + ng * width, den.dtype.type(1))

    # Scores (rule 4). A weight profile that changes criterion weights gets its own exact
    # (float64) sums: credit and applicability per criterion, times the profile's weights.
    snum, sden = nums, den[:ng]
    if setup.profile is not None:
        credit_all = credited.astype(np.float64)
        credit_all.reshape(-1)[partial.flat[at_p]] = partial.value[at_p] * (ok_p if strict else 1)
        snum = 100 * (setup.profile @ credit_all)
        applies = codes >= MET
        applies.reshape(-1)[flat_dis] = True
        sden = setup.profile @ applies
    # One division per output array (kept apart so streamed parts join one array at a time).
    for name, rows in (("levels", slice(0, L)), ("catalogs", slice(L, L + K))):
        np.divide(snum[rows], sden[rows], out=out[name][:, lo:hi])  # 0 / 0 is NaN: none applies
    domains = out["domains"][:, lo:hi]
    np.divide(snum[L + K : L + K + D], sden[L + K : L + K + D], out=domains)
    if setup.domain_weights is None:
        np.divide(snum[ng - 1], sden[ng - 1], out=out["overall"][lo:hi])
    else:
        by = domains.astype(np.float64)
        defined = ~np.isnan(by)
        w = setup.domain_weights[:, None] * defined
        weighted = (np.where(defined, by, 0.0) * w).sum(axis=0)
        out["overall"][lo:hi] = _share(weighted, w.sum(axis=0), np.nan)

    # Levels (rule 5) with the catalog's own weights; counts decide "all" and bundles exactly.
    satisfied = buf.satisfied
    np.equal(lcount, den[ng:], out=satisfied)
    progress_of: dict[int, Float] = {}
    for row in layout.special:
        satisfied[row], progress_of[row] = _special_level(
            compiled,
            tables,
            compiled.levels[row],
            count,
            cls,
            partial,
            at_p,
            credit,
            na,
            at_na,
            width,
        )
    flat_nums, flat_den = nums.reshape(-1), den.reshape(-1)
    for k, (a, b) in enumerate(compiled.level_ranges):
        none = den[L + k] <= 0
        if a == b:  # a catalog without levels
            out["progress"][k, lo:hi] = np.nan
            out["level"][k, lo:hi] = np.where(none, -1, 0)
            continue
        alive = satisfied[a].copy()
        reached = alive.astype(np.int16)
        for row in range(a + 1, b):
            alive &= satisfied[row]
            reached += alive
        at_level = np.minimum(reached, b - a - 1).astype(np.intp) + a
        index = at_level * width + buf.columns
        n_, d_ = flat_nums[index], flat_den[index]
        value = np.where(d_ > 0, n_ / (100 * d_), 1.0)
        for row in layout.special:
            if a <= row < b:
                value = np.where(at_level == row, progress_of[row], value)
        value[(reached >= b - a) | none] = np.nan
        out["progress"][k, lo:hi] = value
        out["level"][k, lo:hi] = np.where(none, -1, reached)

    # Counts (rules 3 and 7) and the per-criterion states.
    applicable = tables.total[cls]
    if len(rows_na):
        applicable = applicable - np.bincount(cols_na, minlength=width).astype(np.int32)
    out["applicable"][lo:hi] = applicable
    np.add.reduce(lcount, axis=0, dtype=np.int32, out=out["met"][lo:hi])
    np.greater(met, support, out=tmp)  # met claims that are not supported
    unsupported = out["unsupported"][lo:hi]
    _colsum(tmp, unsupported)
    bad = np.flatnonzero(~ok_p)  # unsupported partial claims
    cols_bad = partial.col[at_p][bad]
    if len(bad):
        unsupported += np.bincount(cols_bad, minlength=width).astype(np.int32)
    if details:
        # Unsupported met claims MET (2) -> UNSUPPORTED (3); partial ones -> UNSUPPORTED_PARTIAL.
        state = out["state"]
        np.add(codes, tmp.view(np.uint8), out=state[:, lo:hi])
        if len(bad):
            state[partial.row[at_p][bad], lo + cols_bad] = UNSUPPORTED_PARTIAL
        if len(flat_dis):
            state[na.row[at_dis], lo + na.col[at_dis]] = DISPUTED
    np.equal(codes, UNKNOWN, out=tmp)
    _colsum(tmp, out["gaps"][lo:hi])


def _special_level(
    compiled: Compiled,
    tables: _Tables,
    spec: LevelSpec,
    count: npt.NDArray[np.uint8],
    cls: Int,
    partial: Positions,
    at_p: slice,
    credit: Float,
    na: Positions,
    at_na: slice | Int,
    width: int,
) -> tuple[Bool, Float]:
    """Whether a threshold or k-of-n level is satisfied, and the progress toward it (rule 5).

    Sums are exact float64 (the threshold comparison must not depend on float32 rounding).
    """
    rows_p, cols_p = partial.row[at_p], partial.col[at_p]
    rows_na, cols_na = na.row[at_na], na.col[at_na]

    def inside(rows: Int, first: int, last: int) -> slice:  # rows are sorted (row-major)
        a, b = np.searchsorted(rows, [first, last])
        return slice(int(a), int(b))

    def earned(a: int, b: int) -> Float:  # credit of cells a:b
        if a == b:
            return np.zeros(width)
        first, last = int(compiled.cell_start[a]), int(compiled.cell_stop[b - 1])
        s = inside(rows_p, first, last)
        met = compiled.cell_weight[a:b] @ count[a:b]
        return met + np.bincount(cols_p[s], weights=credit[s], minlength=width)

    def removed(a: int, b: int, weighted: bool) -> npt.NDArray[Any]:  # NA records in cells a:b
        if a == b:
            return np.zeros(width)
        first, last = int(compiled.cell_start[a]), int(compiled.cell_stop[b - 1])
        s = inside(rows_na, first, last)
        weights = compiled.weights[rows_na[s]] if weighted else None
        return np.bincount(cols_na[s], weights=weights, minlength=width)

    if spec.rule is Rule.THRESHOLD:
        assert spec.threshold is not None
        total = tables.level_weight[spec.row][cls] - removed(*spec.cells, weighted=True)
        got = earned(*spec.cells)
        satisfied = got >= spec.threshold * total - EPSILON * total
        return satisfied, np.minimum(_share(got, total, 1.0) / spec.threshold, 1.0)
    assert spec.k is not None
    complete = np.empty((len(spec.bundles), width), dtype=bool)
    share = np.empty((len(spec.bundles), width))
    for n, bundle in enumerate(spec.bundles):
        a, b = compiled.bundle_cells[bundle]
        applicable = tables.bundle_count[bundle][cls] - removed(a, b, weighted=False)
        weight = tables.bundle_weight[bundle][cls] - removed(a, b, weighted=True)
        done = count[a:b].sum(axis=0, dtype=np.int64)
        complete[n] = (done == applicable) & (applicable > 0)
        share[n] = _share(earned(a, b), weight, 0.0)
    satisfied = complete.sum(axis=0) >= spec.k
    return satisfied, np.sort(share, axis=0)[-spec.k :].mean(axis=0)


def _split_na(setup: _Setup, na: Positions, at: slice) -> tuple[slice | Int, slice | Int]:
    """Split the NA entries ``at`` of a block into trusted ones and ones counted as not met."""
    none = slice(0, 0)
    if setup.not_applicable == "dispute":
        return none, at
    refused = setup.compiled.refuses_na[na.row[at]]
    if not refused.any():
        return at, none
    index = np.arange(at.start, at.stop)
    return index[~refused], index[refused]


def _kernel(setup: _Setup, matrix: StatusMatrix, *, details: bool) -> dict[str, Any]:
    """Score every column of ``matrix``; return arrays (see :class:`ScoreTable`)."""
    compiled = setup.compiled
    layout = _layout(compiled)
    size, count = matrix.status.shape
    tables = _tables(compiled, layout, matrix.classes)
    nframe = len(compiled.frameworks)
    out: dict[str, Any] = {
        "overall": np.empty(count, dtype=np.float32),
        "domains": np.empty((layout.D, count), dtype=np.float32),
        "levels": np.empty((layout.L, count), dtype=np.float32),
        "catalogs": np.empty((layout.K, count), dtype=np.float32),
        "level": np.empty((nframe, count), dtype=np.int16),
        "progress": np.empty((nframe, count), dtype=np.float32),
        "applicable": np.empty(count, dtype=np.int32),
        "met": np.empty(count, dtype=np.int32),
        "unsupported": np.empty(count, dtype=np.int32),
        "gaps": np.empty(count, dtype=np.int32),
        "disputed": np.empty(count, dtype=np.int32),
    }
    if details:
        out["state"] = np.empty((size, count), dtype=np.uint8)
    with np.errstate(divide="ignore", invalid="ignore"):
        for lo in range(0, count, BLOCK):
            hi = min(lo + BLOCK, count)
            _block(setup, layout, tables, matrix, out, lo, hi, details=details)
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
    disputed : numpy.ndarray of int32, shape (n,)
        Disputed not-applicable claims per row (trusted or counted as not met, see
        ``not_applicable``).
    assessed : numpy.ndarray of bool, shape (n,)
        False for the rows of listed facilities without an assessment.
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
    #: Per row, whether it is an assessment (True) or a listed facility without one (False,
    #: every record unknown); left out, every row is an assessment.
    assessed: npt.NDArray[np.bool_] = attrs.field(factory=lambda: np.ones(0, dtype=bool))
    #: Per row, the number of disputed not-applicable claims; left out, none.
    disputed: npt.NDArray[np.int32] = attrs.field(factory=lambda: np.zeros(0, dtype=np.int32))
    #: How disputed not-applicable claims were counted.
    not_applicable: NaPolicy = NA_DEFAULT

    def __attrs_post_init__(self) -> None:
        """Expose every array read-only (as views: the caller's own arrays stay writable)."""
        if not len(self.disputed):
            object.__setattr__(self, "disputed", np.zeros(len(self.rows), dtype=np.int32))
        if not len(self.assessed):
            object.__setattr__(self, "assessed", np.ones(len(self.rows), dtype=bool))
        elif self.assessed.shape != self.rows.shape or self.assessed.dtype != np.bool_:
            msg = f"assessed must be {len(self.rows)} booleans (got {self.assessed!r})"
            raise ValueError(msg)
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                object.__setattr__(self, field.name, _read_only(value))
        if self.state_parts is not None:
            object.__setattr__(self, "state_parts", tuple(_read_only(p) for p in self.state_parts))

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
        return _read_only(np.concatenate(self.state_parts, axis=1))

    @property
    def not_assessed(self) -> tuple[str, ...]:
        """Ids of the facilities whose rows are not assessments (listed without one)."""
        return tuple(self.facility(int(j)).id for j in np.flatnonzero(~self.assessed))

    def subset(self, index: Sequence[int] | npt.NDArray[Any]) -> ScoreTable:
        """Return the table of the rows ``index`` (row numbers, or one boolean per row).

        Examples
        --------
        >>> import readiness
        >>> from readiness import synthetic
        >>> catalog = readiness.load_catalog("vn-emr")
        >>> table = readiness.score_many(catalog, synthetic.status_matrix(catalog, 10, seed=1))
        >>> len(table.subset(table.overall >= 0)), len(table.subset([0, 2]))
        (10, 2)
        """
        chosen = np.asarray(index)
        if chosen.dtype == np.bool_:
            if chosen.shape != (len(self),):
                raise OptionError(
                    f"a boolean row selection needs one value per row ({len(self)})",
                    key="index",
                    value=chosen.shape,
                )
            chosen = np.flatnonzero(chosen)
        elif chosen.size == 0:
            chosen = np.empty(0, dtype=np.intp)
        elif chosen.ndim != 1 or not np.issubdtype(chosen.dtype, np.integer):
            raise OptionError("index takes row numbers or booleans", key="index", value=index)
        elif int(chosen.min()) < -len(self) or int(chosen.max()) >= len(self):
            raise OptionError(
                f"row numbers must be below {len(self)}", key="index", value=int(chosen.max())
            )
        chosen = chosen.astype(np.intp) % max(len(self), 1)
        state = self.state
        return attrs.evolve(
            self,
            rows=self.rows[chosen],
            dates=self.dates[chosen],
            overall=self.overall[chosen],
            domains=self.domains[:, chosen],
            levels=self.levels[:, chosen],
            catalogs=self.catalogs[:, chosen],
            level=self.level[:, chosen],
            progress=self.progress[:, chosen],
            applicable=self.applicable[chosen],
            met=self.met[chosen],
            unsupported=self.unsupported[chosen],
            gaps=self.gaps[chosen],
            state_parts=None if state is None else (state[:, chosen],),
            assessments=None
            if self.assessments is None
            else tuple(self.assessments[int(j)] for j in chosen),
            sources=_take_sources(self.sources, chosen),
            assessed=self.assessed[chosen],
            disputed=self.disputed[chosen],
        )

    def latest(self) -> ScoreTable:
        """Return one row per facility: its latest assessment (rows keep their order).

        A facility is matched by id. Of several rows the one with the latest date wins (an
        assessment always beats a not-assessed row); a table with one row per facility comes
        back unchanged. Choose the day with ``score_many(..., as_of=day, rounds="latest")``.
        """
        chosen = self.latest_rows()
        return self if len(chosen) == len(self) else self.subset(chosen)

    def latest_rows(self) -> npt.NDArray[np.intp]:
        """Return the row numbers :meth:`latest` keeps, in increasing order."""
        if not len(self):
            return np.empty(0, dtype=np.intp)
        first: dict[str, int] = {}  # facility id -> its first position in self.facilities
        code = np.fromiter(
            (first.setdefault(f.id, n) for n, f in enumerate(self.facilities)),
            dtype=np.intp,
            count=len(self.facilities),
        )
        of_facility = code[self.rows]
        if len(np.unique(of_facility)) == len(self):
            return np.arange(len(self), dtype=np.intp)
        days = self.dates.astype("datetime64[D]").astype(np.int64)
        order = np.lexsort((np.arange(len(self)), days, self.assessed, of_facility))
        last = np.append(of_facility[order][1:] != of_facility[order][:-1], True)
        return np.sort(order[last]).astype(np.intp)

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
        check_lang(lang)  # the columns hold ids and numbers only, the same in both languages
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
            record["disputed"] = int(self.disputed[j])
            record["assessed"] = bool(self.assessed[j])
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


def _take_sources(
    sources: tuple[StatusMatrix, ...] | None, chosen: npt.NDArray[np.intp]
) -> tuple[StatusMatrix, ...] | None:
    """Return the status matrices of rows ``chosen`` (only for a selection in row order)."""
    if sources is None or bool(np.any(np.diff(chosen) <= 0)):
        return None
    out = []
    start = 0
    for matrix in sources:
        stop = start + len(matrix)
        local = chosen[(chosen >= start) & (chosen < stop)] - start
        if len(local) == len(matrix):
            out.append(matrix)
        elif len(local):
            out.append(matrix.take(local))
        start = stop
    return tuple(out)


def _read_only(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Return a read-only view of ``array``."""
    view = array.view()
    view.flags.writeable = False
    return view


def _record_columns(compiled: Compiled) -> list[str]:
    names = ["facility_id", "name", "kind", "ownership", "beds", "region", "date", "overall"]
    for catalog_id in compiled.frameworks:
        names += [f"level:{catalog_id}", f"progress:{catalog_id}", f"score:{catalog_id}"]
    names += [f"domain:{d}" for d in compiled.domains]
    names += ["applicable", "met", "unsupported", "gaps", "disputed", "assessed"]
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
    if code in (NA, DISPUTED):
        why = ""
        if record is not None and record.reason:
            reason = record.reason if len(record.reason) <= 80 else record.reason[:79] + "…"
            why = f" ({reason!r})"
        refused = bool(compiled.refuses_na[i])
        how = "trusted: left out" if code == NA else "counted as not met"
        if code == DISPUTED and refused:
            how = "never accepted for this criterion: counted as not met"
        return f"recorded not applicable{why}, but the catalog says it applies; {how}"
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
    disputed = tuple(
        _blocker(table, j, int(i), state)
        for i in np.flatnonzero((state == NA) | (state == DISPUTED))
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
        assessed=bool(table.assessed[j]),
        disputed=disputed,
        not_applicable=table.not_applicable,
    )


# --------------------------------------------------------------------------- entry points


def _matrices(
    catalog: Catalog,
    assessments: StatusMatrix | Iterable[Assessment] | Iterable[StatusMatrix],
    as_of: dt.date | None,
    coverage: _Coverage | None = None,
) -> Iterator[StatusMatrix]:
    """Yield status matrices of ``assessments``, in chunks.

    With ``coverage`` (rounds), assessments dated after ``as_of`` are left out and every
    facility the input names (assessed or not) is registered in ``coverage``.
    """
    check_date(as_of, "as_of")
    cutoff = None if as_of is None or coverage is None else np.datetime64(as_of, "D")

    def selected(matrix: StatusMatrix) -> StatusMatrix:
        if coverage is not None:
            coverage.register(matrix.facilities)
        if cutoff is None or not len(matrix) or bool((matrix.dates <= cutoff).all()):
            return matrix
        return matrix.take(np.flatnonzero(matrix.dates <= cutoff))

    if isinstance(assessments, StatusMatrix):
        yield from (selected(m) for m in _checked(catalog, [assessments]))
        return
    if not isinstance(assessments, Iterable) or isinstance(assessments, str | bytes):
        raise OptionError(
            "score_many takes Assessment objects, a StatusMatrix, or StatusMatrix chunks",
            key="assessments",
            value=type(assessments).__name__,
        )
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
            yield from (selected(m) for m in _checked(catalog, [item]))
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
        if coverage is not None and as_of is not None and item.date > as_of:
            coverage.dropped.setdefault(item.facility.id, item.facility)
            problems = registry.add(item)  # still checked for duplicates
            if problems:
                raise DuplicateError(problems=problems)
            continue
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
    rounds: Rounds = "all",
    facilities: Iterable[Facility] | None = None,
    not_applicable: NaPolicy = NA_DEFAULT,
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
        The day the table stands for: assessments dated after it are left out, and expiry is
        judged on it instead of each assessment's date (Assessment input; a matrix has its
        codes already).
    rounds : {"all", "latest"}
        ``"all"`` (default): a row per assessment (a history). ``"latest"``: one row per
        facility, its latest assessment on or before ``as_of`` (:meth:`ScoreTable.latest`).
    facilities : iterable of Facility, optional
        Every facility of the analysis. A facility listed here (or in a status matrix's
        ``facilities``, as :func:`readiness.io.read_matrix` lists the whole facility file) that
        has no assessment on or before ``as_of`` still gets a row: *not assessed*, every record
        unknown (data gaps), dated ``as_of`` or else the latest assessment date of the input.
    not_applicable : {"trust", "dispute"}
        How a *disputed claim* counts: a ``not_applicable`` record of a criterion whose
        ``applies_to`` matches the facility. ``"trust"`` (default): left out of every sum, as
        the assessment says; ``"dispute"``: counted as not met. Either way it is reported
        (``Score.disputed``, ``ScoreTable.disputed``). A criterion with
        ``accepts_not_applicable = false`` counts such a record as not met under both.
    details : bool
        Keep per-criterion states so that rows can explain blockers (costs one byte per
        criterion and row).

    Returns
    -------
    ScoreTable
        Rows in input order, then the not-assessed facilities in the order they were listed.

    Raises
    ------
    readiness.errors.OptionError
        A bad option, or facilities without assessment while nothing dates them (no
        assessment in the input and no ``as_of``).
    readiness.errors.DuplicateError
        Two listed facilities share an id, or a listed facility differs from the assessed
        facility of the same id.

    Notes
    -----
    Implements the scoring rules of :mod:`readiness._score` (design rules 1-7). ``score`` is
    this function on a batch of one.
    """
    setup = _setup(catalog, policy, weights, not_applicable)
    check_date(as_of, "as_of")
    if rounds not in ("all", "latest"):
        raise OptionError("rounds must be 'all' or 'latest'", key="rounds", value=rounds)
    listed = _listed(facilities)
    coverage = _Coverage()
    parts = []
    offsets: dict[int, int] = {}  # id() of a chunk's facility tuple -> offset in facility_list
    keep: list[tuple[Facility, ...]] = []
    facility_list: list[Facility] = []
    rows = []
    dates = []
    assessments_out: list[Assessment] | None = []
    label = None
    streamed = not isinstance(assessments, StatusMatrix | Sequence)
    kept: list[StatusMatrix] = []

    def add(matrix: StatusMatrix) -> None:
        nonlocal label, assessments_out
        if not streamed:
            kept.append(matrix)
        if len(matrix) == 0:
            return
        parts.append(_kernel(setup, matrix, details=details))
        # Chunks usually share one facility tuple (a history); add each tuple once.
        offset = offsets.get(id(matrix.facilities))
        if offset is None:
            offset = offsets[id(matrix.facilities)] = len(facility_list)
            keep.append(matrix.facilities)  # keeps id() valid while we run
            facility_list.extend(matrix.facilities)
        rows.append(matrix.rows + offset)
        dates.append(matrix.dates)
        coverage.cover(matrix)
        label = label or matrix.label
        if assessments_out is not None and matrix.assessments is not None:
            assessments_out.extend(matrix.assessments)
        else:
            assessments_out = None

    for matrix in _matrices(catalog, assessments, as_of, coverage):
        add(matrix)
    count = sum(len(r) for r in rows)
    missing = coverage.missing(listed)
    if missing:
        day = as_of
        if day is None and count:
            day = to_date(max(d.max() for d in dates if len(d)))
        if day is None:
            raise OptionError(
                "facilities without any assessment need a date: give as_of",
                key="as_of",
                value=None,
            )
        empty = [Assessment(facility=f, date=day) for f in missing]
        add(_build(catalog, empty, as_of=as_of, label=None, registry=Registry()))
    compiled = setup.compiled
    if not parts:
        parts.append(_empty(compiled, details=details))
        rows.append(np.empty(0, dtype=np.intp))
        dates.append(np.empty(0, dtype="datetime64[D]"))
    flags = np.ones(count + len(missing), dtype=bool)
    flags[count:] = False

    def join(name: str, axis: int) -> Any:
        if len(parts) == 1:
            return parts[0][name]
        # Copy part by part, freeing each part once copied.
        first = parts[0][name]
        shape = list(first.shape)
        shape[axis] = sum(p[name].shape[axis] for p in parts)
        joined = np.empty(shape, dtype=first.dtype)
        offset = 0
        for part in parts:
            block = part.pop(name)
            width = block.shape[axis]
            joined[(slice(None),) * axis + (slice(offset, offset + width),)] = block
            offset += width
            del block
        return joined

    table = ScoreTable(
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
        disputed=join("disputed", 0),
        not_applicable=not_applicable,
        state_parts=tuple(p.pop("state") for p in parts) if details else None,
        assessments=tuple(assessments_out) if assessments_out else None,
        label=label,
        sources=None if streamed else tuple(kept),
        assessed=flags,
    )
    return table.latest() if rounds == "latest" else table


def _listed(facilities: Iterable[Facility] | None) -> dict[str, Facility]:
    """Check the ``facilities`` option; return the facilities by id, in order."""
    if facilities is None:
        return {}
    if not isinstance(facilities, Iterable) or isinstance(facilities, str | bytes | Facility):
        raise OptionError(
            "facilities takes Facility objects", key="facilities", value=type(facilities).__name__
        )
    out: dict[str, Facility] = {}
    problems = []
    for n, facility in enumerate(facilities, start=1):
        if not isinstance(facility, Facility):
            raise OptionError(
                "facilities takes Facility objects", key="facilities", value=type(facility).__name__
            )
        if facility.id in out:
            problems.append(
                Problem(message="two listed facilities share this id", row=n, value=facility.id)
            )
        out.setdefault(facility.id, facility)
    if problems:
        raise DuplicateError(problems=problems)
    return out


class _Coverage:
    """Which facilities of the input have a row; the others get a not-assessed row.

    Facilities are tracked per facility tuple with a boolean array (chunks of one file share
    one tuple), so inputs where every facility is assessed cost no work per facility.
    """

    def __init__(self) -> None:
        self.tuples: dict[int, tuple[tuple[Facility, ...], npt.NDArray[np.bool_]]] = {}
        #: Facilities of assessments left out (dated after as_of).
        self.dropped: dict[str, Facility] = {}

    def register(self, facilities: tuple[Facility, ...]) -> npt.NDArray[np.bool_]:
        """Start tracking ``facilities``; return its array of "has a row"."""
        entry = self.tuples.get(id(facilities))
        if entry is None:
            entry = self.tuples[id(facilities)] = (facilities, np.zeros(len(facilities), bool))
        return entry[1]

    def cover(self, matrix: StatusMatrix) -> None:
        """Record that the facilities of ``matrix``'s rows have a row."""
        self.register(matrix.facilities)[matrix.rows] = True

    def missing(self, listed: Mapping[str, Facility]) -> list[Facility]:
        """Facilities listed or named in the input without a row, listed ones first.

        Raises
        ------
        DuplicateError
            A listed facility differs from the facility of the same id in the input.
        """
        candidates: dict[str, Facility] = dict(listed)
        for facilities, covered in self.tuples.values():
            for n in np.flatnonzero(~covered).tolist():
                candidates.setdefault(facilities[n].id, facilities[n])
        for fid, facility in self.dropped.items():
            candidates.setdefault(fid, facility)
        if not candidates:
            return []
        assessed: dict[str, Facility] = {}
        for facilities, covered in self.tuples.values():
            for n in np.flatnonzero(covered).tolist():
                assessed.setdefault(facilities[n].id, facilities[n])
        if listed:
            named = dict(self.dropped)
            for facilities, _ in self.tuples.values():
                named.update((f.id, f) for f in facilities)
            for fid, facility in listed.items():
                other = named.get(fid)
                if other is not None and other is not facility and other != facility:
                    raise DuplicateError(
                        "the listed facility and the assessed facility of this id differ",
                        key="facilities",
                        value=fid,
                    )
        return [f for fid, f in candidates.items() if fid not in assessed]


def _is_assessments(value: object) -> bool:
    """Whether ``value`` is a sized collection of Assessment objects (not a stream of chunks)."""
    return isinstance(value, Sequence) and all(isinstance(a, Assessment) for a in value)


def _empty(compiled: Compiled, *, details: bool) -> dict[str, Any]:
    nk, nc = len(compiled.frameworks), compiled.size
    out: dict[str, Any] = {
        "overall": np.empty(0, dtype=np.float32),
        "domains": np.empty((len(compiled.domains), 0), dtype=np.float32),
        "levels": np.empty((len(compiled.levels), 0), dtype=np.float32),
        "catalogs": np.empty((nk, 0), dtype=np.float32),
        "level": np.empty((nk, 0), dtype=np.int16),
        "progress": np.empty((nk, 0), dtype=np.float32),
        "applicable": np.empty(0, dtype=np.int32),
        "met": np.empty(0, dtype=np.int32),
        "unsupported": np.empty(0, dtype=np.int32),
        "gaps": np.empty(0, dtype=np.int32),
        "disputed": np.empty(0, dtype=np.int32),
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
    not_applicable: NaPolicy = NA_DEFAULT,
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
        Judge expiry on this date instead of the assessment's date (not before it).
    not_applicable : {"trust", "dispute"}
        How disputed not-applicable claims count (see :func:`score_many`).

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
    check_date(as_of, "as_of")
    if as_of is not None and as_of < assessment.date:
        raise OptionError(
            f"as_of is before the assessment's date {assessment.date.isoformat()}",
            key="as_of",
            value=as_of.isoformat(),
        )
    table = score_many(
        catalog,
        [assessment],
        policy=policy,
        weights=weights,
        as_of=as_of,
        not_applicable=not_applicable,
    )
    return table.score(0)
