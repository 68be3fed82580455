"""A catalog compiled once into numpy arrays for the scoring kernel.

*Kernel order.* Criteria are indexed in the order (catalog, level, bundle, domain, weight,
topological position), so every *cell* (criteria sharing catalog, level, bundle, domain and
weight) is a contiguous run of rows. Sums per cell are then slices, and sums per level, catalog
or domain are sums of a few cells: the kernel never multiplies by a groups x criteria matrix.
The order is not topological; prerequisites are followed through explicit index arrays.

A cell holds at most 255 criteria, so the kernel can count met criteria per cell in uint8.

*Generations.* Every criterion of generation g has all its prerequisites in earlier
generations, so support can be computed generation by generation with a few numpy operations
each. Parents of a generation are padded to a rectangle with the index of an always-true
sentinel row (index ``size``). ``support_groups`` splits each generation by number of
prerequisites instead, so the scoring kernel gathers no padding.
"""

from __future__ import annotations

import types
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import Catalog, Condition, Level, Rule

__all__ = ["Compiled", "LevelSpec", "compile_catalog", "nearest_ancestors"]

Bool = npt.NDArray[np.bool_]
Float = npt.NDArray[np.float64]
Int = npt.NDArray[np.intp]


@attrs.frozen(kw_only=True, eq=False)
class LevelSpec:
    """One level of one catalog, compiled."""

    catalog: int  # index into Compiled.frameworks
    number: int
    rule: Rule
    row: int  # global level index
    threshold: float | None
    k: int | None
    bundles: tuple[int, ...]  # global bundle indices (k-of-n)
    cells: tuple[int, int]  # [start, stop) of the level's cells


@attrs.frozen(kw_only=True, eq=False)
class Compiled:
    """Arrays derived from a :class:`~readiness.Catalog`; see the module docstring."""

    catalog: Catalog
    keys: tuple[str, ...]  # kernel order
    index: Mapping[str, int]
    topo: Int  # kernel indices in topological order (ties by key)
    weights: Float  # catalog weights, (C,)
    framework_of: Int
    frameworks: tuple[str, ...]
    domains: tuple[str, ...]  # qualified "catalog:domain"
    domain_of: Int
    levels: tuple[LevelSpec, ...]  # every level of every catalog, catalog by catalog
    level_of: Int  # global level index per criterion
    level_ranges: tuple[tuple[int, int], ...]  # per framework: [start, stop) into `levels`
    bundles: tuple[str, ...]  # qualified "catalog:bundle"
    bundle_of: Int  # -1 when none
    bundle_cells: tuple[tuple[int, int], ...]  # per bundle: [start, stop) of its cells
    legacy: Bool
    refuses_na: Bool  # not_applicable records never accepted (accepts_not_applicable = false)
    min_coverage: Float  # NaN when none
    parents: tuple[Int, ...]  # per criterion (kernel indices)
    generations: tuple[tuple[Int, Int | None], ...]
    support_groups: tuple[tuple[Int, Int], ...]  # (rows, parents) without padding, in order
    conditions: tuple[Condition, ...]
    condition_of: Int  # index into `conditions`; legacy criteria use 0, which matches nobody
    cell_start: Int  # (cells,)
    cell_stop: Int
    cell_weight: Float
    domain_order: Int  # cells sorted by domain
    domain_ranges: tuple[tuple[int, int], ...]  # per domain: [start, stop) into domain_order
    #: Score *groups*, stacked: every level, every catalog, every domain, the whole set. Row
    #: ``i`` holds criterion i's level, catalog, domain and whole-set group.
    group_rows: Int  # (C, 4)

    @property
    def size(self) -> int:
        """Number of criteria (C)."""
        return len(self.keys)

    @property
    def groups(self) -> int:
        """Number of score groups: levels + catalogs + domains + 1."""
        return len(self.levels) + len(self.frameworks) + len(self.domains) + 1


_CACHE: weakref.WeakKeyDictionary[Catalog, Compiled] = weakref.WeakKeyDictionary()


def compile_catalog(catalog: Catalog) -> Compiled:
    """Compile ``catalog`` (cached per catalog object)."""
    compiled = _CACHE.get(catalog)
    if compiled is None:
        compiled = _compile(catalog)
        freeze_arrays(compiled)
        _CACHE[catalog] = compiled
    return compiled


def freeze_arrays(value: object) -> None:
    """Make every numpy array of ``value`` (an attrs instance, tuple or array) read-only.

    A compiled catalog is shared by every caller of the process (catalogs are cached by
    :func:`readiness.load_catalog`): an in-place edit of one of its arrays would change every
    later score, so writing to them raises ``ValueError`` instead.
    """
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, tuple):
        for item in value:
            freeze_arrays(item)
    elif attrs.has(type(value)) and not isinstance(value, Catalog):
        for field in attrs.fields(cast("Any", type(value))):
            freeze_arrays(getattr(value, field.name))


def _generations(
    parents: Sequence[Int], topo: Int, size: int
) -> tuple[tuple[Int, Int | None], ...]:
    depth = np.zeros(size, dtype=np.intp)
    for c in topo:
        if len(parents[c]):
            depth[c] = depth[parents[c]].max() + 1
    out: list[tuple[Int, Int | None]] = []
    for d in range(int(depth.max(initial=-1)) + 1):
        rows = np.flatnonzero(depth == d)
        if d == 0:
            out.append((rows, None))
            continue
        width = max(len(parents[int(c)]) for c in rows)
        padded = np.full((len(rows), width), size, dtype=np.intp)
        for i, c in enumerate(rows):
            padded[i, : len(parents[int(c)])] = parents[int(c)]
        out.append((rows, padded))
    return tuple(out)


def _support_groups(
    generations: Sequence[tuple[Int, Int | None]], parents: Sequence[Int]
) -> tuple[tuple[Int, Int], ...]:
    out = []
    for rows, padded in generations:
        if padded is None:
            continue
        counts = np.array([len(parents[int(c)]) for c in rows])
        for n in np.unique(counts):
            chosen = rows[counts == n]
            out.append((chosen, np.stack([parents[int(c)] for c in chosen])))
    return tuple(out)


#: Most criteria in one cell (counts per cell are uint8).
CELL_MAX = 255


def _compile(catalog: Catalog) -> Compiled:
    frameworks = tuple(catalog.frameworks)
    framework_index = {k: i for i, k in enumerate(frameworks)}
    domains: list[str] = []
    bundles: list[str] = []
    level_row: dict[tuple[str, int], int] = {}
    raw_levels: list[tuple[str, Level]] = []
    level_ranges = []
    for catalog_id, framework in catalog.frameworks.items():
        domains.extend(f"{catalog_id}:{d}" for d in framework.domains)
        bundles.extend(f"{catalog_id}:{b}" for b in framework.bundles)
        start = len(raw_levels)
        for level in framework.levels:
            level_row[catalog_id, level.number] = len(raw_levels)
            raw_levels.append((catalog_id, level))
        level_ranges.append((start, len(raw_levels)))
    domain_index = {d: i for i, d in enumerate(domains)}
    bundle_index = {b: i for i, b in enumerate(bundles)}

    topo_keys = list(catalog.criteria)  # topological, ties by key
    position = {k: i for i, k in enumerate(topo_keys)}

    def sort_key(key: str) -> tuple[object, ...]:
        c = catalog.criteria[key]
        bundle = bundle_index[f"{c.catalog}:{c.bundle}"] if c.bundle else -1
        return (
            framework_index[c.catalog],
            c.level,
            bundle,
            c.legacy is not None,
            domain_index[f"{c.catalog}:{c.domain}"],
            c.weight,
            position[key],
        )

    keys = tuple(sorted(topo_keys, key=sort_key))
    index = {k: i for i, k in enumerate(keys)}
    size = len(keys)
    criteria = [catalog.criteria[k] for k in keys]
    topo = np.array([index[k] for k in topo_keys], dtype=np.intp)

    # Cells: maximal runs with equal (catalog, level, bundle, legacy, domain, weight), split
    # after CELL_MAX criteria.
    cell_keys = [sort_key(k)[:-1] for k in keys]
    starts: list[int] = []
    for i in range(size):
        if i == 0 or cell_keys[i] != cell_keys[i - 1] or i - starts[-1] == CELL_MAX:
            starts.append(i)
    cell_start = np.array(starts, dtype=np.intp)
    cell_stop = np.array([*starts[1:], size], dtype=np.intp)
    first = [criteria[i] for i in starts]
    cell_level = np.array([level_row[c.catalog, c.level] for c in first], dtype=np.intp)
    cell_domain = np.array([domain_index[f"{c.catalog}:{c.domain}"] for c in first], dtype=np.intp)
    cell_bundle = np.array(
        [bundle_index[f"{c.catalog}:{c.bundle}"] if c.bundle else -1 for c in first], dtype=np.intp
    )

    def cell_range(mask: Bool) -> tuple[int, int]:
        found = np.flatnonzero(mask)
        if not len(found):
            return (0, 0)
        assert np.all(np.diff(found) == 1), "cells of a group must be contiguous"
        return (int(found[0]), int(found[-1]) + 1)

    levels = []
    for row, (catalog_id, level) in enumerate(raw_levels):
        levels.append(
            LevelSpec(
                catalog=framework_index[catalog_id],
                number=level.number,
                rule=level.rule,
                row=row,
                threshold=level.threshold,
                k=level.k,
                bundles=tuple(bundle_index[f"{catalog_id}:{b}"] for b in level.bundles),
                cells=cell_range(cell_level == row),
            )
        )

    conditions: list[Condition] = [Condition(clauses=())]  # index 0 matches nobody (legacy)
    condition_index: dict[Condition, int] = {}
    condition_of = np.zeros(size, dtype=np.intp)
    parents = []
    for i, criterion in enumerate(criteria):
        parents.append(np.array(sorted(index[p] for p in criterion.prerequisites), dtype=np.intp))
        if criterion.legacy is None:
            if criterion.applies_to not in condition_index:
                condition_index[criterion.applies_to] = len(conditions)
                conditions.append(criterion.applies_to)
            condition_of[i] = condition_index[criterion.applies_to]
    generations = _generations(parents, topo, size)
    level_of = np.array([level_row[c.catalog, c.level] for c in criteria], dtype=np.intp)
    framework_of = np.array([framework_index[c.catalog] for c in criteria], dtype=np.intp)
    domain_of = np.array([domain_index[f"{c.catalog}:{c.domain}"] for c in criteria], dtype=np.intp)
    nl, nk, nd = len(raw_levels), len(frameworks), len(domains)
    group_rows = np.stack(
        [level_of, nl + framework_of, nl + nk + domain_of, np.full(size, nl + nk + nd)], axis=1
    ).astype(np.intp)
    return Compiled(
        catalog=catalog,
        keys=keys,
        index=types.MappingProxyType(index),
        topo=topo,
        weights=np.array([c.weight for c in criteria], dtype=np.float64),
        framework_of=framework_of,
        frameworks=frameworks,
        domains=tuple(domains),
        domain_of=domain_of,
        levels=tuple(levels),
        level_of=level_of,
        level_ranges=tuple(level_ranges),
        bundles=tuple(bundles),
        bundle_of=np.array(
            [bundle_index[f"{c.catalog}:{c.bundle}"] if c.bundle else -1 for c in criteria],
            dtype=np.intp,
        ),
        bundle_cells=tuple(cell_range(cell_bundle == b) for b in range(len(bundles))),
        legacy=np.array([c.legacy is not None for c in criteria], dtype=bool),
        refuses_na=np.array([not c.accepts_not_applicable for c in criteria], dtype=bool),
        min_coverage=np.array(
            [np.nan if c.min_coverage is None else c.min_coverage for c in criteria]
        ),
        parents=tuple(parents),
        generations=generations,
        support_groups=_support_groups(generations, parents),
        conditions=tuple(conditions),
        condition_of=condition_of,
        cell_start=cell_start,
        cell_stop=cell_stop,
        cell_weight=np.array([c.weight for c in first], dtype=np.float64),
        group_rows=group_rows,
        domain_order=np.argsort(cell_domain, kind="stable"),
        domain_ranges=tuple(
            (
                int(np.searchsorted(np.sort(cell_domain), d, "left")),
                int(np.searchsorted(np.sort(cell_domain), d, "right")),
            )
            for d in range(len(domains))
        ),
    )


def nearest_ancestors(
    compiled: Compiled, c: int, found: Callable[[int], bool], through: Callable[[int], bool]
) -> list[int]:
    """Return the nearest ancestors of criterion ``c`` that are ``found``, sorted.

    The walk goes on through ancestors that are not found but ``through`` (e.g. criteria that do
    not apply) and stops at the others.
    """
    out: set[int] = set()
    stack = [int(p) for p in compiled.parents[c]]
    seen: set[int] = set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        if found(p):
            out.add(p)
        elif through(p):
            stack.extend(int(x) for x in compiled.parents[p])
    return sorted(out)
