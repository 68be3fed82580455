"""The status matrix: many facility-assessments against one catalog, as compact arrays.

A :class:`StatusMatrix` is what :func:`readiness.score_many` computes on. Each column is one
facility-assessment (a facility on a date), each row a criterion, in the compiled catalog's order
(:attr:`StatusMatrix.criteria`). A cell of :attr:`StatusMatrix.status` holds a *record code*
that already applies the record-level rules that need the assessment itself (expiry against the
assessment date, coverage against the criterion's minimum):

======  ==================  =====================================================
code    name                meaning
======  ==================  =====================================================
1       NOT_APPLICABLE      recorded ``not_applicable``
2       MET                 recorded ``met``, valid, coverage shown and enough
4       PARTIAL             recorded ``partial``, valid (``progress`` holds it)
5       NOT_MET             recorded ``not_met``
6       UNKNOWN             recorded ``unknown`` or not recorded at all
7       EXPIRED             ``met``/``partial`` past ``valid_until``
8       BELOW_COVERAGE      ``met`` without enough ``coverage``
======  ==================  =====================================================

Two more codes exist only in derived arrays: 0 (OUT: the criterion does not apply to the
facility under the catalog's conditions, or is legacy), folded into :attr:`StatusMatrix.codes`
when the matrix is built, and 3 / 9 (UNSUPPORTED met / partial claims), derived by the kernel
from prerequisites. A NA cell of :attr:`StatusMatrix.codes` is therefore always a *disputed*
claim (the catalog says the criterion applies); where it is counted as not met, the kernel's
state holds 10 (DISPUTED) instead.
With this numbering a cell applies exactly when its code is at least 2 (MET).

Arrays are criteria-major (``status.shape == (criteria, assessments)``) so that each criterion's
row is contiguous for the kernel.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import Catalog, Condition
from readiness._compile import Compiled, compile_catalog
from readiness._model import Assessment, Facility, FrozenDict, Record, Status
from readiness.errors import DuplicateError, OptionError, Problem, UnknownCriterionError

__all__ = [
    "BLOCK",
    "CODE",
    "Cells",
    "Classes",
    "FacilityColumns",
    "PartialProgress",
    "Positions",
    "StatusMatrix",
    "distinct_columns",
]

OUT, NA, MET, UNSUPPORTED, PARTIAL, NOT_MET, UNKNOWN, EXPIRED, BELOW_COVERAGE = range(9)
UNSUPPORTED_PARTIAL = 9
#: A ``not_applicable`` record where the catalog says the criterion applies, counted as not met
#: (the ``dispute`` policy, or a criterion with ``accepts_not_applicable = false``).
DISPUTED = 10
_RECORD_CODES = np.zeros(256, dtype=bool)
_RECORD_CODES[[NA, MET, PARTIAL, NOT_MET, UNKNOWN, EXPIRED, BELOW_COVERAGE]] = True

#: Status codes by name.
CODE: Mapping[str, int] = {
    "out_of_scope": OUT,
    "not_applicable": NA,
    "met": MET,
    "unsupported": UNSUPPORTED,
    "unsupported_partial": UNSUPPORTED_PARTIAL,
    "partial": PARTIAL,
    "not_met": NOT_MET,
    "unknown": UNKNOWN,
    "expired": EXPIRED,
    "below_coverage": BELOW_COVERAGE,
    "disputed": DISPUTED,
}

_EPOCH = np.datetime64("1970-01-01", "D")

#: Assessments per column block of :class:`Positions` and of the scoring kernel: large enough
#: to amortise numpy's per-call cost, small enough that a block's arrays stay in the CPU cache.
BLOCK = 8192


@attrs.frozen(kw_only=True, eq=False)
class Positions:
    """Where one code occurs in a codes matrix, column block by column block (see BLOCK).

    The entries of block ``b`` (assessments ``b * BLOCK`` onward) are ``start[b]:start[b + 1]``,
    in row-major order: ``row``, ``col`` within the block, ``flat == row * width + col`` where
    ``width`` is the block's number of columns, and ``groups[k]``: the same flat index into a
    (groups, width) array of the entry's level (k = 0), catalog (1), domain (2) and whole-set (3)
    rows (see :attr:`Compiled.group_rows`). ``value`` is per-entry data (progress).
    """

    row: npt.NDArray[np.intp]
    col: npt.NDArray[np.intp]
    flat: npt.NDArray[np.intp]
    groups: npt.NDArray[np.intp]  # (4, entries)
    start: npt.NDArray[np.intp]
    value: npt.NDArray[np.float64]

    @classmethod
    def find(
        cls,
        compiled: Compiled,
        codes: npt.NDArray[np.uint8],
        code: int,
        values: PartialProgress | None = None,
    ) -> Positions:
        """Index the cells of ``codes`` equal to ``code`` (with ``values`` at them, if given)."""
        count = codes.shape[1]
        found: list[tuple[npt.NDArray[Any], ...]] = [
            (np.empty(0, np.intp),) * 3 + (np.empty((4, 0), np.intp), np.empty(0))
        ]
        start = [0]
        for lo in range(0, count, BLOCK):
            hi = min(lo + BLOCK, count)
            flat = np.flatnonzero(codes[:, lo:hi] == code)
            row, col = np.divmod(flat, hi - lo)
            groups = compiled.group_rows.T[:, row] * (hi - lo) + col
            value = values.columns(lo, hi).at(row, col) if values is not None else np.empty(0)
            found.append((row, col, flat, groups, value))
            start.append(start[-1] + len(flat))
        row, col, flat, groups, value = (
            np.concatenate(parts, axis=-1) for parts in zip(*found, strict=True)
        )
        return cls(row=row, col=col, flat=flat, groups=groups, start=np.array(start), value=value)

    def block(self, lo: int) -> slice:
        """Return the slice of the entries of the block that starts at assessment ``lo``."""
        b = lo // BLOCK
        return slice(int(self.start[b]), int(self.start[b + 1]))


def record_code(record: Record, min_coverage: float | None, as_of: dt.date) -> tuple[int, float]:
    """Return the status code and partial progress of one record (see the module table)."""
    status = record.status
    if status is Status.NOT_APPLICABLE:
        return NA, 0.0
    if status is Status.UNKNOWN:
        return UNKNOWN, 0.0
    if status is Status.NOT_MET:
        return NOT_MET, 0.0
    if record.valid_until is not None and record.valid_until < as_of:
        return EXPIRED, 0.0
    if status is Status.PARTIAL:
        assert record.progress is not None
        return PARTIAL, float(record.progress)
    if min_coverage is not None and (record.coverage is None or record.coverage < min_coverage):
        return BELOW_COVERAGE, 0.0
    return MET, 0.0


@attrs.frozen(kw_only=True, eq=False)
class FacilityColumns:
    """Facility attributes encoded as arrays, for vectorised applicability conditions."""

    facilities: tuple[Facility, ...]
    columns: Mapping[str, tuple[npt.NDArray[Any], tuple[object, ...]]]  # codes, labels

    @classmethod
    def build(cls, facilities: Sequence[Facility]) -> FacilityColumns:
        """Encode every attribute of ``facilities``."""
        # the values of Facility.attribute_values(), gathered column by column
        free = [
            a._data if isinstance(a, FrozenDict) else a  # noqa: SLF001
            for a in map(operator.attrgetter("attributes"), facilities)
        ]
        given: dict[str, list[Any]] = {
            name: list(map(operator.attrgetter(name), facilities))
            for name in ("kind", "ownership", "beds", "region")
        }
        given["has_beds"] = [beds > 0 for beds in given["beds"]]
        names = set(given)
        for held in free:
            names.update(held)
        columns = {}
        for name in sorted(names):
            values = given.get(name)
            if values is None:
                values = list(map(operator.methodcaller("get", name), free))
            labels = tuple(sorted(set(values), key=lambda v: (type(v).__name__, str(v))))
            lookup = {label: i for i, label in enumerate(labels)}
            codes = np.fromiter(map(lookup.__getitem__, values), dtype=np.intp, count=len(values))
            columns[name] = (codes, labels)
        return cls(facilities=tuple(facilities), columns=columns)

    def mask(self, condition: Condition) -> npt.NDArray[np.bool_]:
        """Return which facilities match ``condition``, as ``Condition.matches`` says.

        An attribute that no facility has is missing for every facility, and a missing value
        passes no test (``Test.holds(None)`` is False), so such a test fails everywhere.
        """
        size = len(self.facilities)
        result = np.zeros(size, dtype=bool)
        for clause in condition.clauses:
            clause_mask = np.ones(size, dtype=bool)
            for test in clause:
                column = self.columns.get(test.attribute)
                if column is None:
                    clause_mask[:] = False
                    break
                codes, labels = column
                passes = np.array([test.holds(label) for label in labels], dtype=bool)
                clause_mask &= passes[codes] if len(labels) else False
            result |= clause_mask
        return result


def distinct_columns(
    masks: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Group the columns of a boolean matrix by their pattern.

    Returns the index of one column of each distinct pattern and, for every column, the number of
    its pattern (patterns ordered by their bits, so the result does not depend on column order).
    """
    count = masks.shape[0]
    if count <= 62:  # pack each column into one integer: fast
        codes = (masks.T.astype(np.int64) << np.arange(count, dtype=np.int64)).sum(axis=1)
        _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(masks, axis=1, return_index=True, return_inverse=True)
    return np.asarray(first, dtype=np.intp), np.asarray(inverse, dtype=np.intp).reshape(-1)


@attrs.frozen(kw_only=True, eq=False)
class Classes:
    """Assessments grouped by which criteria apply to their facility.

    ``applies[:, k]`` says which criteria apply to class ``k``; ``of_row[j]`` is the class of
    assessment ``j``. Facilities of one kind, ownership and bed band usually share a class, so
    there are few.
    """

    applies: npt.NDArray[np.bool_]  # (criteria, classes)
    of_row: npt.NDArray[np.intp]  # (assessments,)

    @classmethod
    def build(
        cls, compiled: Compiled, columns: FacilityColumns, rows: npt.NDArray[np.intp]
    ) -> Classes:
        """Evaluate every condition of ``compiled`` on the facilities of ``columns``."""
        masks = np.stack([columns.mask(c) for c in compiled.conditions])  # (conditions, facilities)
        first, of_facility = distinct_columns(masks)
        patterns = masks[:, first]
        return cls(applies=patterns[compiled.condition_of], of_row=of_facility[rows])


#: Cells of a (criteria, assessments) matrix: their rows, columns and values.
Cells = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]]


@attrs.frozen(eq=False)
class PartialProgress:
    """The progress of the partial cells of a (criteria, assessments) matrix, column-compressed.

    Partial cells are a few per cent of a matrix, so their progress is not kept as a dense
    float64 array of the matrix's shape (8 bytes a cell: most of a matrix's memory). The
    entries of assessment ``j`` are ``start[j]:start[j + 1]``, each a criterion ``row`` and its
    non-zero ``value``, rows ascending (cells whose progress is 0 hold no entry). Slices and
    selections of assessments are cheap; :meth:`dense` gives the array when one is needed.
    """

    size: int  # criteria (rows of the matrix)
    start: npt.NDArray[np.intp]  # (assessments + 1,)
    row: npt.NDArray[np.intp]
    value: npt.NDArray[np.float64]

    @property
    def count(self) -> int:
        """The number of assessments (columns)."""
        return len(self.start) - 1

    @property
    def shape(self) -> tuple[int, int]:
        """The shape of the dense array, (criteria, assessments)."""
        return (self.size, self.count)

    @classmethod
    def of_cells(
        cls,
        size: int,
        count: int,
        rows: npt.NDArray[np.intp],
        cols: npt.NDArray[np.intp],
        values: npt.NDArray[np.float64],
    ) -> PartialProgress:
        """Gather the cells ``(rows[k], cols[k])`` holding ``values[k]`` (each cell once)."""
        keep = np.flatnonzero(values != 0)
        rows, cols, values = rows[keep], cols[keep], values[keep]
        order = np.lexsort((rows, cols))  # by column, then row
        start = np.zeros(count + 1, dtype=np.intp)
        np.cumsum(np.bincount(cols, minlength=count), out=start[1:])
        return cls(
            size,
            start,
            rows[order].astype(np.intp, copy=False),
            values[order].astype(np.float64, copy=False),
        )

    @classmethod
    def of_pieces(cls, size: int, count: int, pieces: Sequence[Cells]) -> PartialProgress:
        """Gather cells given in pieces, each ``(rows, cols, values)`` (see :meth:`of_cells`)."""
        if not pieces:
            empty = np.empty(0, dtype=np.intp)
            return cls.of_cells(size, count, empty, empty, np.empty(0))
        rows, cols, values = (np.concatenate(part) for part in zip(*pieces, strict=True))
        return cls.of_cells(size, count, rows, cols, values)

    @classmethod
    def of_dense(cls, dense: npt.ArrayLike) -> PartialProgress:
        """Gather the non-zero cells of a (criteria, assessments) array."""
        array = np.asarray(dense, dtype=np.float64)
        if array.ndim != 2:
            msg = f"progress must be a (criteria, assessments) array (got shape {array.shape})"
            raise ValueError(msg)
        rows, cols = np.nonzero(array)
        return cls.of_cells(array.shape[0], array.shape[1], rows, cols, array[rows, cols])

    def columns(self, lo: int, hi: int) -> PartialProgress:
        """Return the entries of assessments ``lo:hi`` (views, no copies)."""
        a, b = int(self.start[lo]), int(self.start[hi])
        return PartialProgress(
            self.size, self.start[lo : hi + 1] - a, self.row[a:b], self.value[a:b]
        )

    def take(self, index: npt.NDArray[np.intp]) -> PartialProgress:
        """Return the entries of the assessments ``index`` (in that order, repeats allowed)."""
        first = self.start[index]
        lengths = self.start[index + 1] - first
        start = np.zeros(len(index) + 1, dtype=np.intp)
        np.cumsum(lengths, out=start[1:])
        where = np.repeat(first - start[:-1], lengths) + np.arange(int(start[-1]))
        return PartialProgress(self.size, start, self.row[where], self.value[where])

    def extended(self, count: int) -> PartialProgress:
        """Return the entries with ``count`` more assessments that hold none."""
        start = np.concatenate([self.start, np.full(count, self.start[-1], dtype=np.intp)])
        return PartialProgress(self.size, start, self.row, self.value)

    def cols(self) -> npt.NDArray[np.intp]:
        """Return the assessment (column) of each entry."""
        return np.repeat(np.arange(self.count, dtype=np.intp), np.diff(self.start))

    def dense(self, lo: int = 0, hi: int | None = None) -> npt.NDArray[np.float64]:
        """Return the dense (criteria, assessments ``lo:hi``) array, 0 outside partial cells."""
        hi = self.count if hi is None else hi
        part = self if (lo, hi) == (0, self.count) else self.columns(lo, hi)
        out = np.zeros(part.shape)
        out[part.row, part.cols()] = part.value
        return out

    def at(self, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        """Return the progress of the cells ``(rows[k], cols[k])`` (0 where none is held)."""
        if not len(self.row):
            return np.zeros(len(rows))
        key = self.cols() * self.size + self.row  # ascending: by column, then row
        want = cols.astype(np.intp) * self.size + rows
        found = np.minimum(np.searchsorted(key, want), len(key) - 1)
        return np.where(key[found] == want, self.value[found], 0.0)


def _as_progress(value: PartialProgress | npt.ArrayLike) -> PartialProgress:
    """Accept a dense (criteria, assessments) progress array or the entries themselves."""
    return value if isinstance(value, PartialProgress) else PartialProgress.of_dense(value)


@attrs.frozen(kw_only=True, eq=False)
class StatusMatrix:
    """Facility-assessments x criteria status codes for one catalog.

    Build one with :meth:`from_assessments`, :func:`readiness.io.read_matrix` or
    :func:`readiness.synthetic.status_matrix`; :func:`readiness.score_many` accepts it directly
    (or an iterable of them, as chunks).

    Attributes
    ----------
    catalog : Catalog
    facilities : tuple of Facility
        The distinct facilities; ``rows[j]`` is the facility of assessment ``j``.
    rows : numpy.ndarray of int
    dates : numpy.ndarray of datetime64[D]
        Date of each assessment.
    status : numpy.ndarray of uint8, shape (criteria, assessments)
        Codes, see the module documentation.
    progress : numpy.ndarray of float64, same shape
        Progress of ``partial`` cells, 0 elsewhere. Given as an array (or as
        :class:`PartialProgress` entries); kept as the entries of the partial cells only, and
        built as an array on each access (:meth:`progress_block` builds part of it).
    assessments : tuple of Assessment or None
        The source objects, when built from them (used to explain expiry and coverage).
    label : str or None
        Provenance label, e.g. ``"SYNTHETIC"`` for generated data.
    classes, codes, partial, not_applicable
        Derived when the matrix is built: applicability classes, ``status`` with OUT where a
        criterion does not apply, and the positions (:class:`Positions`) of the PARTIAL cells
        of ``codes`` (with their progress) and of its NA cells, which the kernel reads sparsely.
    """

    catalog: Catalog
    facilities: tuple[Facility, ...]
    rows: npt.NDArray[np.intp]
    dates: npt.NDArray[np.datetime64]
    status: npt.NDArray[np.uint8]
    #: The progress of the partial cells (constructor argument ``progress``).
    partial_progress: PartialProgress = attrs.field(alias="progress", converter=_as_progress)
    assessments: tuple[Assessment, ...] | None = None
    label: str | None = None
    facility_columns: FacilityColumns | None = attrs.field(default=None, repr=False)
    _columns: list[FacilityColumns] = attrs.field(init=False, factory=list, repr=False)
    #: Applicability class of each assessment (criteria that apply under the conditions).
    classes: Classes = attrs.field(init=False, repr=False)
    #: ``status`` with OUT (0) where a criterion does not apply to the facility.
    codes: npt.NDArray[np.uint8] = attrs.field(init=False, repr=False)
    #: Positions of the PARTIAL cells of ``codes``, with their progress, and of the NA cells.
    #: Both are rare; the kernel works on them sparsely.
    partial: Positions = attrs.field(init=False, repr=False)
    not_applicable: Positions = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        """Check shapes and codes."""
        size = compile_catalog(self.catalog).size
        count = len(self.rows)
        given = self.partial_progress
        if self.status.shape != (size, count) or given.shape != (size, count):
            msg = (
                f"status and progress must have shape (criteria, assessments) = {(size, count)} "
                f"(got {self.status.shape} and {given.shape})"
            )
            raise ValueError(msg)
        if self.dates.shape != (count,):
            msg = f"dates must have one entry per assessment ({count}) (got {self.dates.shape})"
            raise ValueError(msg)
        if self.status.dtype != np.uint8 or (count and not bool(_RECORD_CODES[self.status].all())):
            msg = "status must hold uint8 record codes 1, 2, 4..8 (see readiness._matrix)"
            raise ValueError(msg)
        if count and (int(self.rows.min()) < 0 or int(self.rows.max()) >= len(self.facilities)):
            msg = "rows must index into facilities"
            raise ValueError(msg)
        if (
            len(given.row) != len(given.value)
            or int(given.start[0]) != 0
            or int(given.start[-1]) != len(given.row)
            or bool(np.any(np.diff(given.start) < 0))
            or (len(given.row) and (int(given.row.min()) < 0 or int(given.row.max()) >= size))
        ):
            msg = "progress entries must index the matrix's cells (see PartialProgress)"
            raise ValueError(msg)
        if bool(np.any(self.status[given.row, given.cols()] != PARTIAL)):
            msg = "progress must be 0 outside partial cells"
            raise ValueError(msg)
        if not bool(np.all((given.value >= 0) & (given.value <= 1))):  # NaN is not either
            msg = "progress must be from 0 to 1"
            raise ValueError(msg)
        compiled = compile_catalog(self.catalog)
        classes = Classes.build(compiled, self.columns, self.rows)
        codes = self.status.copy()
        for k in range(classes.applies.shape[1]):
            out_rows = np.flatnonzero(~classes.applies[:, k])
            if len(out_rows):
                columns = np.flatnonzero(classes.of_row == k)
                if len(columns) == count:
                    codes[out_rows] = OUT
                elif len(columns):
                    codes[np.ix_(out_rows, columns)] = OUT
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "partial", Positions.find(compiled, codes, PARTIAL, given))
        object.__setattr__(self, "not_applicable", Positions.find(compiled, codes, NA))

    def __len__(self) -> int:
        """Return the number of facility-assessments."""
        return len(self.rows)

    @property
    def progress(self) -> npt.NDArray[np.float64]:
        """Progress of ``partial`` cells, 0 elsewhere: a new (criteria, assessments) array."""
        return self.partial_progress.dense()

    def progress_block(self, lo: int, hi: int) -> npt.NDArray[np.float64]:
        """Return the progress of assessments ``lo:hi`` as a new (criteria, hi - lo) array."""
        return self.partial_progress.dense(lo, hi)

    @property
    def columns(self) -> FacilityColumns:
        """Facility attributes as arrays (computed once)."""
        if self.facility_columns is not None:
            return self.facility_columns
        if not self._columns:
            self._columns.append(FacilityColumns.build(self.facilities))
        return self._columns[0]

    @property
    def criteria(self) -> tuple[str, ...]:
        """Criterion keys of the rows, in order."""
        return compile_catalog(self.catalog).keys

    def facility(self, j: int) -> Facility:
        """Return the facility of assessment ``j``."""
        return self.facilities[int(self.rows[j])]

    def date(self, j: int) -> dt.date:
        """Return the date of assessment ``j``."""
        return to_date(self.dates[j])

    @classmethod
    def from_assessments(
        cls,
        catalog: Catalog,
        assessments: Iterable[Assessment],
        *,
        as_of: dt.date | None = None,
        label: str | None = None,
    ) -> StatusMatrix:
        """Build the matrix of ``assessments``.

        Parameters
        ----------
        as_of : datetime.date, optional
            Judge expiry on this date instead of each assessment's own date.

        Raises
        ------
        readiness.errors.UnknownCriterionError
            A record names a criterion the catalog does not have.
        readiness.errors.DuplicateError
            Two assessments of the same facility on the same date, or two records of one
            assessment that resolve to the same criterion.
        """
        items = tuple(assessments)
        for a in items:
            if not isinstance(a, Assessment):
                msg = f"expected Assessment objects (got {type(a).__name__})"
                raise TypeError(msg)
        return _build(catalog, items, as_of=as_of, label=label, registry=Registry())

    def chunks(self, size: int) -> Iterator[StatusMatrix]:
        """Yield the matrix in chunks of at most ``size`` assessments (views, no copies)."""
        for start in range(0, len(self), size):
            stop = min(start + size, len(self))
            yield StatusMatrix(
                catalog=self.catalog,
                facilities=self.facilities,
                rows=self.rows[start:stop],
                dates=self.dates[start:stop],
                status=self.status[:, start:stop],
                progress=self.partial_progress.columns(start, stop),
                assessments=None if self.assessments is None else self.assessments[start:stop],
                label=self.label,
                facility_columns=self.columns,
            )

    def take(self, columns: Sequence[int] | npt.NDArray[np.intp]) -> StatusMatrix:
        """Return the matrix of the assessments ``columns`` (in that order), same facilities."""
        index = np.asarray(columns, dtype=np.intp)
        return StatusMatrix(
            catalog=self.catalog,
            facilities=self.facilities,
            rows=self.rows[index],
            dates=self.dates[index],
            status=self.status[:, index],
            progress=self.partial_progress.take(index),
            assessments=None
            if self.assessments is None
            else tuple(self.assessments[int(j)] for j in index),
            label=self.label,
            facility_columns=self.columns,
        )

    def to_assessments(self) -> list[Assessment]:
        """Return equivalent :class:`~readiness.Assessment` objects.

        Derived codes come back as records that produce them: ``expired`` as ``met`` valid until
        the day before the assessment, ``below_coverage`` as ``met`` with coverage 0.
        """
        if self.assessments is not None:
            return list(self.assessments)
        compiled = compile_catalog(self.catalog)
        given = self.partial_progress
        out = []
        for j in range(len(self)):
            day = self.date(j)
            entries = slice(int(given.start[j]), int(given.start[j + 1]))
            progress = dict(
                zip(given.row[entries].tolist(), given.value[entries].tolist(), strict=True)
            )
            records: dict[str, Record] = {}
            column = self.status[:, j]
            for i in np.flatnonzero(column != UNKNOWN):
                code = int(column[i])
                key = compiled.keys[i]
                if code == NA:
                    records[key] = Record(
                        status=Status.NOT_APPLICABLE, reason="recorded as not applicable"
                    )
                elif code == MET:
                    has_min = not np.isnan(compiled.min_coverage[i])
                    records[key] = Record(status=Status.MET, coverage=1.0 if has_min else None)
                elif code == PARTIAL:
                    records[key] = Record(status=Status.PARTIAL, progress=progress.get(int(i), 0.0))
                elif code == NOT_MET:
                    records[key] = Record(status=Status.NOT_MET)
                elif code == EXPIRED:
                    records[key] = Record(status=Status.MET, valid_until=day - dt.timedelta(days=1))
                elif code == BELOW_COVERAGE:
                    records[key] = Record(status=Status.MET, coverage=0.0)
            out.append(Assessment(facility=self.facility(j), date=day, records=records))
        return out


class Registry:
    """The facilities and (facility, date) pairs seen so far; a repeat is a duplicate.

    One registry can span several batches (``score_many`` converts assessments in chunks), so
    duplicates are found across the whole input with one check per assessment.
    """

    def __init__(self) -> None:
        self.facilities: dict[str, Facility] = {}
        self.seen: dict[tuple[str, dt.date], int] = {}
        self.rows = 0

    def add(self, a: Assessment) -> list[Problem]:
        """Record ``a``; return the problems if it repeats a facility id or an assessment."""
        problems = []
        self.rows += 1
        row = self.rows
        fid = a.facility.id
        known = self.facilities.setdefault(fid, a.facility)
        if known is not a.facility and known != a.facility:
            problems.append(
                Problem(message="two different facilities share this id", row=row, value=fid)
            )
        if (fid, a.date) in self.seen:
            problems.append(
                Problem(
                    message=f"facility assessed twice on {a.date.isoformat()} "
                    f"(also assessment {self.seen[fid, a.date]})",
                    row=row,
                    value=fid,
                )
            )
        self.seen.setdefault((fid, a.date), row)
        return problems


def check_date(value: object, name: str) -> None:
    """Raise OptionError unless ``value`` is None or a date (not a datetime)."""
    if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
        raise OptionError(f"{name} must be a date", key=name, value=value)


def _build(
    catalog: Catalog,
    items: Sequence[Assessment],
    *,
    as_of: dt.date | None,
    label: str | None,
    registry: Registry,
) -> StatusMatrix:
    """Build the status matrix of ``items`` (see :meth:`StatusMatrix.from_assessments`)."""
    check_date(as_of, "as_of")
    compiled = compile_catalog(catalog)
    facilities: dict[str, Facility] = {}
    order: dict[str, int] = {}
    rows = np.empty(len(items), dtype=np.intp)
    problems: list[Problem] = []
    for j, a in enumerate(items):
        problems += registry.add(a)
        if a.facility.id not in order:
            order[a.facility.id] = len(facilities)
            facilities[a.facility.id] = a.facility
        rows[j] = order[a.facility.id]
    if problems:
        raise DuplicateError(problems=problems)
    enabled = gc.isenabled()
    gc.disable()  # millions of short-lived tuples, no cycles: collections would rescan them all
    try:
        filled = _fill(catalog, compiled, items, as_of)
    finally:
        if enabled:
            gc.enable()
    if filled is not None:
        status, progress = filled
    else:  # an unknown key or two keys of one criterion: the loop below names the first
        status, progress = _fill_one_by_one(catalog, compiled, items, as_of)
    dates = np.array([np.datetime64(a.date, "D") for a in items], dtype="datetime64[D]")
    return StatusMatrix(
        catalog=catalog,
        facilities=tuple(facilities.values()),
        rows=rows,
        dates=dates,
        status=status,
        progress=progress,
        assessments=tuple(items),
        label=label,
    )


_NEVER = np.iinfo(np.int64).max
_BASE_CODE = {
    Status.NOT_APPLICABLE: NA,
    Status.MET: MET,
    Status.PARTIAL: PARTIAL,
    Status.NOT_MET: NOT_MET,
    Status.UNKNOWN: UNKNOWN,
}


def record_codes(
    base: npt.NDArray[np.uint8],
    progress: npt.NDArray[np.float64],
    coverage: npt.NDArray[np.float64],
    until: npt.NDArray[np.int64],
    minimum: npt.NDArray[np.float64],
    when: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    """Apply :func:`record_code` to arrays of records.

    ``base`` holds each record's status as a code (NA, MET, PARTIAL, NOT_MET, UNKNOWN),
    ``coverage`` NaN where absent, ``until`` the ``valid_until`` day ordinal (int64 max where
    absent), ``minimum`` the criterion's minimum coverage (NaN where none) and ``when`` the day
    ordinal expiry is judged on.
    """
    status = base.copy()
    expired = ((status == MET) | (status == PARTIAL)) & (until < when)
    status[expired] = EXPIRED
    below = (
        (status == MET)
        & ~np.isnan(minimum)
        & (np.isnan(coverage) | (coverage < np.nan_to_num(minimum)))
    )
    status[below] = BELOW_COVERAGE
    return status, np.where(status == PARTIAL, progress, 0.0)


_BlockCells = tuple[
    npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.uint8], npt.NDArray[np.float64]
]

#: Assessments converted together by :func:`_fill`: a block's temporaries (one number per
#: record) stay a few MiB, so their memory is reused block after block instead of fresh memory
#: being faulted in for arrays of every record at once (measured: that cost more than the work).
_FILL_BLOCK = 2048


def _fill(
    catalog: Catalog, compiled: Compiled, items: Sequence[Assessment], as_of: dt.date | None
) -> tuple[npt.NDArray[np.uint8], PartialProgress] | None:
    """Fill status and progress without a Python step per record (None: a key problem).

    Keys and records are gathered with C-level list operations; each distinct key is resolved
    once; codes come from :func:`record_codes`. The work goes block by block of assessments
    (:data:`_FILL_BLOCK`), each block's records written into the one status array.
    """
    status = np.full((compiled.size, len(items)), UNKNOWN, dtype=np.uint8)
    index: dict[str, int] = {}
    minimum = np.asarray(compiled.min_coverage, dtype=np.float64)
    cells: list[Cells] = []
    for lo in range(0, len(items), _FILL_BLOCK):
        block = items[lo : lo + _FILL_BLOCK]
        filled = _fill_block(catalog, compiled, block, as_of, index, minimum)
        if filled is None:
            return None
        rows, cols, codes, values = filled
        cols += lo
        status[rows, cols] = codes
        partial = np.flatnonzero(values)
        cells.append((rows[partial], cols[partial], values[partial]))
    return status, PartialProgress.of_pieces(compiled.size, len(items), cells)


def _fill_block(
    catalog: Catalog,
    compiled: Compiled,
    items: Sequence[Assessment],
    as_of: dt.date | None,
    index: dict[str, int],
    minimum: npt.NDArray[np.float64],
) -> _BlockCells | None:
    """Return the row, column, code and progress of every record of ``items``.

    None: a key the catalog does not have, or two keys of one criterion. ``index`` remembers
    each key's row across blocks.
    """
    keys: list[str] = []
    records: list[Record] = []
    counts = np.empty(len(items), dtype=np.intp)
    for j, a in enumerate(items):
        held = a.records._data if isinstance(a.records, FrozenDict) else a.records  # noqa: SLF001
        counts[j] = len(held)
        keys.extend(held.keys())
        records.extend(held.values())
    for key in dict.fromkeys(keys):
        if key not in index:
            try:
                index[key] = compiled.index[catalog.resolve(key)]
            except UnknownCriterionError:
                return None
    total = len(keys)
    rows = np.fromiter(map(index.__getitem__, keys), dtype=np.intp, count=total)
    del keys
    cols = np.repeat(np.arange(len(items)), counts)
    taken = np.zeros((compiled.size, len(items)), dtype=bool)
    taken[rows, cols] = True
    if int(np.count_nonzero(taken)) != total:
        return None
    del taken
    base = np.fromiter(
        map(_BASE_CODE.__getitem__, map(operator.attrgetter("status"), records)),
        dtype=np.uint8,
        count=total,
    )
    partial = np.zeros(total)
    share = np.full(total, np.nan)
    until = np.full(total, _NEVER, dtype=np.int64)
    for target, name, convert in (
        (partial, "progress", float),
        (share, "coverage", float),
        (until, "valid_until", dt.date.toordinal),
    ):
        column = list(map(operator.attrgetter(name), records))
        if column.count(None) != total:  # set the few records that have the field
            given = np.fromiter(
                itertools.compress(
                    range(total), map(operator.is_not, column, itertools.repeat(None))
                ),
                dtype=np.intp,
            )
            target[given] = [convert(column[k]) for k in given.tolist()]
        del column
    del records
    if as_of is not None:
        when = np.full(total, as_of.toordinal(), dtype=np.int64)
    else:
        days = np.array([a.date.toordinal() for a in items], dtype=np.int64)
        when = np.repeat(days, counts)
    codes, values = record_codes(base, partial, share, until, minimum[rows], when)
    return rows, cols, codes, values


def _fill_one_by_one(
    catalog: Catalog, compiled: Compiled, items: Sequence[Assessment], as_of: dt.date | None
) -> tuple[npt.NDArray[np.uint8], PartialProgress]:
    status = np.full((compiled.size, len(items)), UNKNOWN, dtype=np.uint8)
    progress = np.zeros((compiled.size, len(items)))
    coverage = compiled.min_coverage
    resolve = _Resolver(catalog, compiled)
    for j, a in enumerate(items):
        when = as_of or a.date
        taken: dict[int, str] = {}
        for key, record in a.records.items():
            i = resolve(key, j)
            if i in taken:
                raise DuplicateError(
                    f"records {taken[i]!r} and {key!r} name the same criterion",
                    row=j + 1,
                    criterion=compiled.keys[i],
                    value=key,
                )
            taken[i] = key
            minimum = None if np.isnan(coverage[i]) else float(coverage[i])
            status[i, j], progress[i, j] = record_code(record, minimum, when)
    return status, PartialProgress.of_dense(progress)


class _Resolver:
    """Resolve record keys to criterion indices, remembering answers."""

    def __init__(self, catalog: Catalog, compiled: Compiled) -> None:
        self.catalog = catalog
        self.compiled = compiled
        self.cache: dict[str, int] = {}

    def __call__(self, key: str, j: int) -> int:
        found = self.cache.get(key)
        if found is None:
            try:
                found = self.compiled.index[self.catalog.resolve(key)]
            except UnknownCriterionError as error:
                raise UnknownCriterionError(
                    error.message, row=j + 1, column="records", value=key
                ) from None
            self.cache[key] = found
        return found


def to_date(value: np.datetime64) -> dt.date:
    """Convert a numpy day to a :class:`datetime.date`."""
    days = int((value - _EPOCH).astype(np.int64))
    return dt.date(1970, 1, 1) + dt.timedelta(days=days)
