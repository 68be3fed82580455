"""Seeded SYNTHETIC data with planted structure, to measure what :mod:`readiness.peers` recovers.

Two generators, used by the tests, the benchmark and the comparison script of ``docs/peers.md``:

* :func:`planted_groups`: facilities in groups of given (unequal) sizes, each group with its own
  readiness profile per domain, kinds and sizes mixed across groups (independent of the group),
  with per-facility jitter and flipped cells as noise. Truth: the group of each facility.
* :func:`planted_adoption`: a history in which every facility adopts the applicable criteria in
  its own noisy version of one planted order (level by level, prerequisites first), a few
  criteria per round. Some facilities ask: their history stops early, and the truth is the
  criterion they adopt next in their own order.

Everything is SYNTHETIC (facility ids ``SYN-``, matrices labelled :data:`synthetic.LABEL`);
nothing describes a real facility. The same ``seed`` always gives the same output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from readiness import synthetic
from readiness._catalog import Catalog
from readiness._compile import Compiled, compile_catalog
from readiness._matrix import MET, NOT_MET, UNKNOWN, FacilityColumns, StatusMatrix

__all__ = ["PlantedAdoption", "planted_adoption", "planted_catalog", "planted_groups"]

Int = npt.NDArray[np.intp]


def _applies(compiled: Compiled, columns: FacilityColumns) -> npt.NDArray[np.bool_]:
    masks = np.stack([columns.mask(c) for c in compiled.conditions])
    applies: npt.NDArray[np.bool_] = masks[compiled.condition_of]
    return applies


def planted_catalog(domains: int = 8, per_domain: int = 6) -> str:
    """Return the TOML text of a SYNTHETIC catalog for :func:`planted_groups`.

    ``domains`` domains ``d0``.. of ``per_domain`` criteria each (``d0c0``..), no prerequisites,
    two levels (criteria alternate between them), rule "all": each domain score is then the
    share of its criteria met, and groups differ only by what they meet.
    """
    lines = [
        "# SYNTHETIC catalog with planted domains (readiness._peers_planted)",
        "format = 1",
        "[catalog]",
        'id = "planted"',
        'title = { en = "Planted (synthetic)", vi = "Planted (synthetic)" }',
        'version = "1.0"',
    ]
    for d in range(domains):
        lines += [f"[domains.d{d}]", f'title = {{ en = "Domain {d}", vi = "Domain {d}" }}']
    for n in (1, 2):
        lines += ["[[level]]", f"number = {n}", f'title = {{ en = "L{n}", vi = "L{n}" }}']
    for d in range(domains):
        for i in range(per_domain):
            lines += [
                "[[criterion]]",
                f'id = "d{d}c{i}"',
                f'title = {{ en = "Criterion d{d}c{i}", vi = "Criterion d{d}c{i}" }}',
                f'domain = "d{d}"',
                f"level = {1 + i % 2}",
                'source = { grade = "inferred" }',
            ]
    return "\n".join(lines) + "\n"


def planted_groups(
    catalog: Catalog,
    sizes: Sequence[int],
    *,
    seed: int,
    flip: float = 0.05,
    jitter: float = 0.08,
) -> tuple[StatusMatrix, Int]:
    """Return facilities in planted groups of ``sizes`` and the group of each (0, 1, ...).

    Each group gets a maturity per domain, drawn so that every two groups differ clearly in
    some domains (0.15 or 0.85, a random pattern per group, no two groups alike); each facility
    gets its group's maturity plus Gaussian ``jitter`` per domain. A criterion is wished for
    when its difficulty (uniform in 0.3..0.7 per criterion) plus Gaussian noise (0.12) is below
    the maturity of its domain; a share ``flip``
    of the wishes is flipped; a criterion is met when it is wished for or is a prerequisite of
    one that is met (a facility that did something did its prerequisites first), so noise never
    breaks the prerequisite graph. Kinds, ownership, beds and regions come from
    :func:`synthetic.facilities`, independent of the groups (mixed kinds). Facilities are
    shuffled, so groups are not contiguous.
    """
    rng = np.random.default_rng([seed, 7])
    compiled = compile_catalog(catalog)
    count = int(sum(sizes))
    groups = len(sizes)
    domains = len(compiled.domains)
    patterns: set[tuple[bool, ...]] = set()
    maturity = np.empty((groups, domains))
    for g in range(groups):
        while True:
            pattern = tuple(bool(b) for b in rng.random(domains) < 0.5)
            if pattern not in patterns and 3 <= sum(pattern) <= domains - 3:
                break
        patterns.add(pattern)
        maturity[g] = np.where(pattern, 0.85, 0.15)
    truth = np.repeat(np.arange(groups), sizes).astype(np.intp)
    rng.shuffle(truth)
    facility_list = synthetic.facilities(count, seed=seed)
    columns = FacilityColumns.build(facility_list)
    applies = _applies(compiled, columns)
    own = maturity[truth] + rng.normal(0.0, jitter, (count, domains))  # (facilities, domains)
    difficulty = rng.uniform(0.3, 0.7, compiled.size)
    wish = (
        difficulty[:, None] + rng.normal(0.0, 0.12, (compiled.size, count))
        < own[:, compiled.domain_of].T
    )
    wish ^= rng.random((compiled.size, count)) < flip
    met = wish & applies
    for c in compiled.topo[::-1]:  # dependants first: a facility doing c did its prerequisites
        for p in compiled.parents[c]:
            met[p] |= met[c]
    met &= applies
    status = np.where(met, MET, NOT_MET).astype(np.uint8)
    status[~applies] = UNKNOWN
    matrix = StatusMatrix(
        catalog=catalog,
        facilities=facility_list,
        rows=np.arange(count, dtype=np.intp),
        dates=np.full(count, np.datetime64(dt.date(2026, 6, 30), "D")),
        status=status,
        progress=np.zeros((compiled.size, count)),
        label=synthetic.LABEL,
        facility_columns=columns,
    )
    return matrix, truth


@attrs.frozen(kw_only=True, eq=False)
class PlantedAdoption:
    """A planted adoption history (see :func:`planted_adoption`).

    ``history`` holds every round of every facility, except that askers stop at their asking
    round. ``askers`` are facility positions; ``truth[i]`` is the criterion key asker i adopts
    next in its own order, ``planted[i]`` the first of its frontier in its population's planted
    order (``order``: the first population's).
    """

    history: StatusMatrix
    order: tuple[str, ...]  # the planted order (applicable criteria)
    askers: Int
    truth: tuple[str, ...]
    planted: tuple[str, ...]


def _ordered(compiled: Compiled, priority: npt.NDArray[np.float64], keep: Int) -> Int:
    """Topological order of ``keep`` (prerequisites first), lowest priority first."""
    wanted = np.zeros(compiled.size, dtype=bool)
    wanted[keep] = True
    waiting = {int(c): {int(p) for p in compiled.parents[c] if wanted[p]} for c in keep}
    out: list[int] = []
    ready = sorted((float(priority[c]), c) for c, ps in waiting.items() if not ps)
    children: dict[int, list[int]] = {}
    for c, ps in waiting.items():
        for p in ps:
            children.setdefault(p, []).append(c)
    import heapq  # noqa: PLC0415

    heapq.heapify(ready)
    while ready:
        _, c = heapq.heappop(ready)
        out.append(c)
        for child in children.get(c, ()):
            waiting[child].discard(c)
            if not waiting[child]:
                heapq.heappush(ready, (float(priority[child]), child))
    return np.array(out, dtype=np.intp)


def planted_adoption(
    catalog: Catalog,
    n: int,
    dates: Sequence[dt.date],
    *,
    seed: int,
    askers: int = 200,
    shuffle: float = 0.6,
    pace: tuple[int, int] = (1, 4),
    populations: int = 1,
) -> PlantedAdoption:
    """Return a history where facilities adopt criteria in noisy versions of one planted order.

    The planted order takes the applicable criteria level by level (by level number), in a
    random order within a level, prerequisites always first. Each facility adopts them in its
    own order: the planted positions plus Gaussian noise of ``shuffle`` positions, re-sorted
    with prerequisites first (``shuffle=0``: everyone follows the planted order). At its first
    round a facility has adopted a uniformly drawn number of criteria; each later round adds a
    uniform ``pace`` (inclusive bounds) more. Adopted criteria are met, the others not met.
    The last ``askers`` facilities (by position) start with fewer than 40 % of the criteria and
    stop at a random round before the last one at which they have adopted fewer than 80 %
    (so that facilities further along exist); their truth is the next criterion of their own
    order. With ``populations=2``, hospitals and medical centres follow a second planted order
    (every level in the reverse order of the first): peers then differ in what they do next.
    """
    rng = np.random.default_rng([seed, 8])
    compiled = compile_catalog(catalog)
    ordered_dates = sorted(dates)
    rounds = len(ordered_dates)
    facility_list = synthetic.facilities(n, seed=seed)
    columns = FacilityColumns.build(facility_list)
    applies = _applies(compiled, columns)
    keep = np.flatnonzero(applies.all(axis=1)).astype(np.intp)
    numbers = np.array([compiled.levels[int(r)].number for r in compiled.level_of], dtype=float)
    within = rng.random(compiled.size) * 0.5
    hospital_like = np.array([f.kind in ("hospital", "medical_centre") for f in facility_list])
    population = hospital_like.astype(np.intp) if populations == 2 else np.zeros(n, np.intp)
    # population 1 (hospitals, medical centres) takes each level in the reverse order
    orders_of = [
        _ordered(compiled, numbers + within, keep),
        _ordered(compiled, numbers + 0.5 - within, keep),
    ]
    planted = orders_of[0]
    positions = []
    for order_p in orders_of:
        pos = np.empty(compiled.size)
        pos[order_p] = np.arange(len(order_p))
        positions.append(pos)
    total = len(planted)
    start = rng.integers(0, total, n)
    steps = rng.integers(pace[0], pace[1] + 1, (n, rounds))
    steps[:, 0] = 0
    counts = np.minimum(start[:, None] + np.cumsum(steps, axis=1), total)  # (n, rounds)
    first_asker = n - askers
    stop = np.full(n, rounds, dtype=np.intp)  # rounds kept per facility
    truth: list[str] = []
    planted_next: list[str] = []
    asker_rows = np.arange(first_asker, n, dtype=np.intp)
    orders = np.empty((n, total), dtype=np.intp)
    for f in range(n):
        position = positions[int(population[f])]
        noisy = position + rng.normal(0.0, shuffle, compiled.size) if shuffle else position
        orders[f] = _ordered(compiled, noisy, keep)
    limit = int(0.8 * total)
    for f in asker_rows.tolist():
        counts[f] = np.minimum(counts[f] - start[f] + rng.integers(0, limit // 2), total)
        open_rounds = np.flatnonzero(counts[f, : rounds - 1] < limit)
        stop[f] = int(rng.choice(open_rounds)) + 1
        done = int(counts[f, stop[f] - 1])
        truth.append(compiled.keys[int(orders[f, done])])
        adopted = set(orders[f, :done].tolist())
        frontier = [
            int(c)
            for c in orders_of[int(population[f])]
            if int(c) not in adopted and all(int(p) in adopted for p in compiled.parents[c])
        ]
        planted_next.append(compiled.keys[frontier[0]])
    rows_list = []
    date_list = []
    columns_list = []
    for f in range(n):
        for r in range(int(stop[f])):
            rows_list.append(f)
            date_list.append(np.datetime64(ordered_dates[r], "D"))
            columns_list.append((f, int(counts[f, r])))
    status = np.full((compiled.size, len(rows_list)), NOT_MET, dtype=np.uint8)
    for i, (f, done) in enumerate(columns_list):
        status[orders[f, :done], i] = MET
    status[~applies[:, np.array(rows_list, dtype=np.intp)]] = UNKNOWN
    history = StatusMatrix(
        catalog=catalog,
        facilities=facility_list,
        rows=np.array(rows_list, dtype=np.intp),
        dates=np.array(date_list, dtype="datetime64[D]"),
        status=status,
        progress=np.zeros(status.shape),
        label=synthetic.LABEL,
        facility_columns=columns,
    )
    return PlantedAdoption(
        history=history,
        order=tuple(compiled.keys[int(c)] for c in planted),
        askers=asker_rows,
        truth=tuple(truth),
        planted=tuple(planted_next),
    )
