"""Columnar reading: an assessment file straight into a status matrix, without a row object.

:func:`read_status_matrix` reads a CSV (long or wide) or Parquet file column by column:

1. **Parse** into columns, each factorised into integer codes and its distinct values: with
   pyarrow when installed (``readiness[arrow]``), or without it (``engine="python"``) by numpy on
   the file's bytes when no cell is quoted (a string is made per distinct value, not per cell),
   else by the standard library's C ``csv`` module.
2. **Validate column-wise.** Every rule is checked once per *distinct* value (facility ids,
   dates, criterion and status words, and each distinct combination of the record cells), by the
   same row parser the row readers use, then spread to the rows by the codes. Ids are matched
   against the facility list and the catalog; duplicates (a criterion twice for one facility and
   date, a wide row twice) are found with :func:`numpy.unique` over integer keys.
3. **Build** the status matrix by fancy indexing: record codes (expiry and coverage applied) and
   progress go into their (criterion, assessment) cells.

Errors are exactly the row readers': when a column-wise check finds any problem, or the file is
one that only the row reader parses (a bare carriage return, a NUL byte, rows of uneven width,
stray quotes, cells of types other than text, numbers and dates in Parquet), the file is read
again by the row reader, which reports every problem with its file, line, row, column and value.
If the row reader finds nothing wrong after all, its records give the matrix, so a columnar check
that is stricter than the rules can cost time but never change a result.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io as _io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import numpy as np
import numpy.typing as npt

from readiness import _sniff
from readiness._catalog import Catalog
from readiness._compile import compile_catalog
from readiness._matrix import (
    BELOW_COVERAGE,
    MET,
    NA,
    NOT_MET,
    PARTIAL,
    UNKNOWN,
    Cells,
    FacilityColumns,
    PartialProgress,
    StatusMatrix,
    record_codes,
)
from readiness._model import Assessment, Facility, Record, Status
from readiness._safe import csv_unguard
from readiness._unicode import nfc
from readiness.errors import MissingDependencyError, OptionError

if TYPE_CHECKING:
    from readiness.io import _AssessmentParser, _Report, _Table

__all__ = ["Engine", "from_pandas", "other_table", "read_status_matrix"]

Engine = Literal["auto", "pyarrow", "python"]
_OPTIONAL: Final = ("progress", "coverage", "reason", "evidence", "note", "valid_until")
_RECORD: Final = ("criterion", "status", *_OPTIONAL[:5], "assessed_by", "valid_until")
_CODE: Final = {
    Status.NOT_APPLICABLE: NA,
    Status.MET: MET,
    Status.PARTIAL: PARTIAL,
    Status.NOT_MET: NOT_MET,
    Status.UNKNOWN: UNKNOWN,
}
_FREE_TEXT: Final = ("evidence", "note")
_BARE_CR: Final = re.compile(rb"\r(?!\n)")  # a carriage return that ends no line
_NEVER: Final = np.iinfo(np.int64).max  # valid_until of a record without one
_EPOCH: Final = dt.date(1970, 1, 1).toordinal()
_DAYS: Final = 4_000_000  # more than any date ordinal: key = facility * _DAYS + day
_DUMMY_DATE: Final = "2000-01-01"


class _Fallback(Exception):  # noqa: N818 - a signal, not an error
    """A column-wise check found a problem: the row reader reports it."""


@attrs.define
class _Column:
    """One column, factorised: ``uniques[codes[i]]`` is the cell of data row ``i``."""

    codes: npt.NDArray[np.integer[Any]]  # at most 4 bytes a cell: a file has millions
    uniques: list[str]

    def take(self, keep: npt.NDArray[np.intp]) -> _Column:  # rows kept
        return _Column(self.codes[keep], self.uniques)

    def blank(self) -> npt.NDArray[np.bool_]:
        """Which rows hold an empty or blank cell (an absent value for the row reader)."""
        flags = np.array([not u or u.isspace() for u in self.uniques], dtype=bool)
        return flags[self.codes] if len(self.uniques) else np.ones(len(self.codes), dtype=bool)

    def used(self) -> npt.NDArray[np.bool_]:
        return np.bincount(self.codes, minlength=len(self.uniques)) > 0


@attrs.define
class _Frame:
    """The header and factorised columns of one file."""

    names: tuple[str, ...]
    columns: dict[str, _Column]
    count: int
    keyed: bool = False  # Parquet: rows as objects, like JSON (no blank-row skipping)

    def get(self, name: str) -> _Column:
        found = self.columns.get(name)
        if found is None:
            return _Column(np.zeros(self.count, dtype=np.int32), [""])
        return found


def _factorise(values: Sequence[str]) -> _Column:
    """Factorise a column of strings (one value, mostly empty and dense columns made quick)."""
    count = len(values)
    if not count:
        return _Column(np.zeros(0, dtype=np.int32), [])
    if values.count(values[0]) == count:
        return _Column(np.zeros(count, dtype=np.int32), [values[0]])
    if values.count("") * 2 > count:
        filled = np.flatnonzero(np.fromiter(map(bool, values), dtype=bool, count=count))
        part = _factorise([values[k] for k in filled.tolist()])
        codes = np.zeros(count, dtype=np.int32)
        codes[filled] = part.codes + 1
        return _Column(codes, ["", *part.uniques])
    lookup = {v: n for n, v in enumerate(dict.fromkeys(values))}
    codes = np.fromiter(map(lookup.__getitem__, values), dtype=np.int32, count=count)
    return _Column(codes, list(lookup))


# --------------------------------------------------------------------------- parsing


def _require_pyarrow() -> Any:
    try:
        import pyarrow as pa  # noqa: PLC0415 - optional extra
    except ImportError:
        raise MissingDependencyError(
            "engine='pyarrow' and Parquet files need pyarrow: pip install 'readiness[arrow]'"
        ) from None
    return pa


def _has_pyarrow() -> bool:
    try:
        import pyarrow as pa  # noqa: F401, PLC0415 - optional extra
    except ImportError:
        return False
    return True


def _header_frame(columns: list[_Column], count: int) -> _Frame | None:
    """Turn raw columns whose row 0 is the header into a frame (None: let the row reader read)."""
    header = [c.uniques[c.codes[0]] for c in columns]
    while header and not header[-1].strip():  # trailing nameless columns: ignored when empty
        header.pop()
        extra = columns.pop()
        if not extra.take(np.arange(1, count + 1)).blank().all():
            return None
    names = tuple(csv_unguard(name.strip()) for name in header)
    if not all(names) or len(set(names)) != len(names):
        return None
    data: dict[str, _Column] = {}
    for name, column in zip(names, columns, strict=True):
        uniques = column.uniques
        if any(u[:1] == "'" for u in uniques):  # our writers' CSV guard comes off (io._csv_table)
            uniques = [csv_unguard(u) if u[:1] == "'" else u for u in uniques]
            if any(  # a guarded blank ("'\t"): the row reader's blank-row test sees the guard
                new != old and not new.strip()
                for new, old in zip(uniques, column.uniques, strict=True)
            ):
                return None
        data[name] = _Column(column.codes[1:], uniques)
    return _Frame(names=names, columns=data, count=count)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of cells are made (none are cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_MASKS: Final = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], np.uint64)
_MIX: Final = np.uint64(0x9E3779B97F4A7C15)  # an odd constant (the golden ratio's bits)
_BYTE_BLOCK: Final = 1 << 20  # bytes of whole lines split at a time (temporaries stay small)


class _Codes:
    """One column's codes, gathered block by block into one table of distinct values."""

    def __init__(self) -> None:
        self.lookup: dict[str, int] = {}
        self.pieces: list[npt.NDArray[np.int32]] = []

    def add(self, part: _Column) -> None:
        lookup = self.lookup
        remap = np.array([lookup.setdefault(u, len(lookup)) for u in part.uniques], np.int32)
        self.pieces.append(remap[part.codes])

    def column(self) -> _Column:
        return _Column(_joined(self.pieces, len(self.lookup)), list(self.lookup))


def _byte_columns(raw: bytes, delimiter: str) -> list[_Column] | None:
    """Split and factorise a file without quotes on its bytes (None: not that simple).

    Every line must hold the same number of delimiters and none may be empty (counted with
    numpy); then each column's cells are byte ranges, keyed by their 8-byte words
    (:func:`_range_column`), so that no string is made for a cell, only for each distinct value.
    A CR before a line end is not part of the last cell, as for the csv module. The file is
    split about a mebibyte of whole lines at a time, so that every temporary array is small:
    fresh memory of 4 MiB or more can cost more than the work here (docs/decisions.md, 7).
    """
    if b'"' in raw or not raw or raw.isspace():
        return None
    size = len(raw)
    crlf = b"\r" in raw
    builders: list[_Codes] = []
    lo = 0
    while lo < size:
        hi = raw.find(b"\n", min(lo + _BYTE_BLOCK, size) - 1) + 1 or size  # after a line end
        parts = _byte_block(raw, lo, hi, delimiter, crlf)
        if parts is None or (builders and len(parts) != len(builders)):
            return None
        builders = builders or [_Codes() for _ in parts]
        for builder, part in zip(builders, parts, strict=True):
            builder.add(part)
        lo = hi
    return [builder.column() for builder in builders]


def _byte_block(raw: bytes, lo: int, hi: int, delimiter: str, crlf: bool) -> list[_Column] | None:
    """Split the whole lines ``raw[lo:hi]`` into factorised columns (None: not that simple)."""
    data = np.frombuffer(raw, dtype=np.uint8, count=hi - lo, offset=lo)
    ends = np.flatnonzero(data == ord("\n"))
    if raw[hi - 1 : hi] != b"\n":  # the last line of a file without a final line end
        ends = np.r_[ends, hi - lo]
    starts = np.r_[0, ends[:-1] + 1]
    stops = ends - (data[np.maximum(ends - 1, 0)] == ord("\r")) if crlf else ends
    if bool(np.any(stops <= starts)):  # an empty line
        return None
    delimiters = np.flatnonzero(data == ord(delimiter))
    counts = np.diff(np.searchsorted(delimiters, np.r_[starts, ends[-1]]))
    if bool(np.any(counts != counts[0])):
        return None
    grid = delimiters.reshape(len(starts), int(counts[0]))  # a line's delimiters, in order
    if hi + 8 <= len(raw):  # the 8 bytes from any offset of the block can be read
        buffer, base = raw, lo
    else:
        buffer, base = raw[lo:hi] + bytes(8), 0
    words = np.ndarray(shape=(hi - lo + 1,), dtype="<u8", buffer=buffer, offset=base, strides=(1,))
    width = grid.shape[1] + 1
    return [
        _range_column(
            buffer,
            base,
            words,
            starts if k == 0 else grid[:, k - 1] + 1,
            stops if k == width - 1 else grid[:, k],
        )
        for k in range(width)
    ]


def _range_column(
    raw: bytes,
    base: int,
    words: npt.NDArray[np.uint64],
    start: npt.NDArray[np.intp],
    stop: npt.NDArray[np.intp],
) -> _Column:
    """Factorise the cells ``raw[base + start[i]:base + stop[i]]`` (UTF-8, no NUL) into a column.

    ``words[p]`` is the little-endian 8-byte word at byte ``base + p`` of ``raw``. A cell's words,
    masked to its length, identify it (no cell holds a NUL byte, so no two differ only by
    padding). One word is the key itself; longer cells are keyed by a hash of their words, and
    every row is then compared word by word with its group's representative, so that a hash
    collision falls back to an exact (slower) grouping instead of merging two values.
    """
    count = len(start)
    size = stop - start
    last = len(words) - 1
    parts = [words[start] & _MASKS[np.minimum(size, 8)]]
    key = parts[0].copy()
    for offset in range(8, int(size.max(initial=0)), 8):
        # (offsets past the end read the padding's word: masked to nothing)
        word = words[np.minimum(start + offset, last)]
        word &= np.take(_MASKS, size - offset, mode="clip")
        parts.append(word)
        key *= _MIX
        key ^= word
    if bool(np.all(key == key[0])) and all(bool(np.all(w == w[0])) for w in parts[1:]):
        inverse = np.zeros(count, dtype=np.intp)
        first = np.zeros(1, dtype=np.intp)
    else:
        _, inverse = np.unique(key, return_inverse=True)
        inverse = inverse.reshape(-1)
        first = np.zeros(int(inverse.max()) + 1, dtype=np.intp)
        first[inverse] = np.arange(count)  # some row of each group (any will do)
        if len(parts) > 1 and not all(bool(np.all(w == w[first[inverse]])) for w in parts):
            _, inverse = np.unique(np.stack(parts, axis=1), axis=0, return_inverse=True)
            inverse = inverse.reshape(-1)
            first = np.zeros(int(inverse.max()) + 1, dtype=np.intp)
            first[inverse] = np.arange(count)
    uniques = [
        raw[base + a : base + b].decode("utf-8")
        for a, b in zip(start[first].tolist(), stop[first].tolist(), strict=True)
    ]
    return _Column(inverse.astype(np.int32), uniques)


def _python_csv(raw: bytes, text: str | None, delimiter: str) -> _Frame | None:
    """Parse with the standard library and numpy: bytes split by numpy, else the csv module."""
    columns = _byte_columns(raw, delimiter)
    if columns is not None and any(c.uniques[c.codes[0]].strip() for c in columns):
        return _header_frame(columns, len(columns[0].codes) - 1)  # row 0 is the header
    with _no_gc():
        return _csv_module(raw.decode("utf-8") if text is None else text, delimiter)


def _csv_module(text: str, delimiter: str) -> _Frame | None:
    try:
        rows = [
            r
            for r in csv.reader(_io.StringIO(text, newline="\n"), delimiter=delimiter, strict=True)
            if r
        ]
    except csv.Error:
        return None
    start = next((k for k, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:
        return None
    rows = rows[start:]
    width = len(rows[0])
    if set(map(len, rows)) != {width}:
        for k, r in enumerate(rows):
            if len(r) > width:
                if any(c.strip() for c in r[width:]):
                    return None
                rows[k] = r[:width]
            elif len(r) < width:
                r.extend([""] * (width - len(r)))
    columns = [_factorise(col) for col in zip(*rows, strict=True)]
    return _header_frame(columns, len(rows) - 1)


def _arrow_csv(data: bytes, delimiter: str) -> _Frame | None:
    pa = _require_pyarrow()
    from pyarrow import csv as pacsv  # noqa: PLC0415 - optional extra

    first = next(
        (
            r
            for r in csv.reader(
                _io.StringIO(data[: 1 << 16].decode("utf-8", "replace"), newline="\n"),
                delimiter=delimiter,
            )
            if any(c.strip() for c in r)
        ),
        None,
    )
    if first is None:
        return None
    names = [f"f{k}" for k in range(len(first))]
    pool = _arrow_pool(pa)
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
            # without a quote no cell can hold a line end (the parser is faster told so)
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                # read straight into codes and distinct texts (no text column is made)
                column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.string())),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
            memory_pool=pool,
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    encoded = table.unify_dictionaries(pool)  # one table of distinct texts per column
    count = table.num_rows
    del table
    pool.release_unused()  # the parser's buffers: freed, and handed back to the system
    columns = []
    for name in names:
        chunks = encoded.column(name).chunks
        uniques = chunks[0].dictionary.to_pylist() if chunks else []
        # (chunks of one column share its distinct texts)
        columns.append(
            _Column(_joined([_indices(c.indices) for c in chunks], len(uniques)), uniques)
        )
    start = _first_filled(columns, count)
    if start is None:
        return None
    if start:
        columns = [c.take(np.arange(start, count)) for c in columns]
    return _header_frame(columns, count - start - 1)


def _joined(
    pieces: Sequence[npt.NDArray[np.integer[Any]]], distinct: int
) -> npt.NDArray[np.integer[Any]]:
    """Join pieces of codes of ``distinct`` values in the smallest integer type that holds them.

    A wide file's columns hold a few distinct texts: a byte a cell instead of four.
    """
    if distinct <= 1 << 8:
        kind: type[np.integer[Any]] = np.uint8
    else:
        kind = np.uint16 if distinct <= 1 << 16 else np.int32
    codes = np.empty(sum(map(len, pieces)), kind)
    at = 0
    for piece in pieces:
        codes[at : at + len(piece)] = piece
        at += len(piece)
    return codes


def _first_filled(columns: list[_Column], count: int) -> int | None:
    """Return the first row with a cell that is not blank (None: every row is blank)."""
    window = 64
    while True:  # rows before the header are rare and few: look at a growing window
        blank = np.ones(min(window, count), dtype=bool)
        for column in columns:
            blank &= column.take(np.arange(len(blank))).blank()
        if not blank.all():
            return int(np.argmin(blank))
        if window >= count:
            return None
        window *= 8


def _indices(array: Any) -> npt.NDArray[np.integer[Any]]:
    """View the codes of an Arrow dictionary array (integers without nulls) with numpy.

    ``np.asarray`` would work too, but imports pandas the first time, and ``to_numpy`` took
    0.2 s for its first call after a large read; this is a view of the values' buffer.
    """
    dtype = np.dtype(str(array.type))  # int8 ... int64 (or unsigned): Arrow's names are numpy's
    if not len(array):
        return np.zeros(0, dtype)
    if array.null_count:  # (the reader's options and fill_null leave none)
        msg = "dictionary codes with nulls"
        raise ValueError(msg)
    return np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize
    )


def _arrow_pool(pa: Any) -> Any:
    """Return the memory pool for parsing a CSV: jemalloc where this pyarrow has it.

    pyarrow's default pool is mimalloc in current wheels; parsing a 162 MB file with it took
    3.3-3.7 s in a fresh process against 1.5 s with jemalloc or the C library's allocator
    (benchmarks/bench_report.py's file). The C library's allocator keeps the memory freed by
    the parser's threads in their own arenas, which raised a report's peak by 180 MiB; jemalloc
    hands it back (``release_unused``).
    """
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # a build without jemalloc (Windows wheels)
        return pa.default_memory_pool()


def _strict_quotes(raw: bytes, delimiter: str) -> bool:
    """Whether the standard csv module (``strict=True``) accepts every quote of ``raw``.

    pyarrow parses quotes as the csv module does, but leniently: text after a closing quote is
    kept, and a quoted cell left open at the end of the file is accepted. This walks the quotes
    with the csv module's rules (a quote opens a cell only at the start of a cell; in a quoted
    cell ``""`` is a quote and a lone quote closes it, and must be followed by the delimiter or a
    line end) so that such files go to the csv module, which reports them.
    """
    if b'"' not in raw:
        return True
    data = np.frombuffer(raw, dtype=np.uint8)
    quotes = np.flatnonzero(data == ord('"')).tolist()
    opens = {ord(delimiter), ord("\n"), ord("\r")}
    ends = {ord(delimiter), ord("\n"), ord("\r")}
    inside = False
    k = 0
    while k < len(quotes):
        at = quotes[k]
        if not inside:
            inside = at == 0 or raw[at - 1] in opens
            k += 1
            continue
        if k + 1 < len(quotes) and quotes[k + 1] == at + 1:  # "" in a quoted cell
            k += 2
            continue
        if at + 1 < len(raw) and raw[at + 1] not in ends:
            return False
        inside = False
        k += 1
    return not inside


def _csv_frame(path: Path, engine: Engine, encoding: str | None) -> _Frame | None:
    with path.open("rb") as handle:
        try:
            decoding, problem = _sniff.detect(handle, encoding)
        except LookupError:
            raise OptionError("no such text encoding", key="encoding", value=encoding) from None
        if problem is not None:
            return None
        data = handle.read()
    from readiness import io  # noqa: PLC0415 - io imports this module lazily

    limit = io._line_limit()  # noqa: SLF001 - read at each call (tests lower it)
    if decoding.encoding in ("utf-8", "utf8"):
        if _longest_line(data) > limit:  # bytes, a BOM counted (as _sniff.Lines)
            return None  # the row reader reports the line
        raw = data[decoding.skip :]
        text: str | None = None
    else:
        text = _sniff.decode_all(data, decoding)
        if max(map(len, text.split("\n"))) + 1 > limit:  # characters, as _sniff.Lines
            return None
        raw = text.encode("utf-8")
    del data
    if not raw.isascii():  # one Unicode form, as the row reader's lines (readiness._sniff)
        text = nfc(raw.decode("utf-8") if text is None else text)
        raw = text.encode("utf-8")
    if b"\0" in raw or _BARE_CR.search(raw) is not None:
        return None
    head = next((line for line in raw[: 1 << 16].split(b"\n") if line.strip()), b"")
    delimiter = _sniff.delimiter_of(head.decode("utf-8", "replace"))
    if engine == "pyarrow" and _strict_quotes(raw, delimiter):
        frame = _arrow_csv(raw, delimiter)
        if frame is not None:
            return frame
    return _python_csv(raw, text, delimiter)


def _longest_line(data: bytes) -> int:
    """Return the length of the longest line of ``data`` in bytes, with its line end."""
    if len(data) <= 1 << 16:
        return max(map(len, data.split(b"\n")), default=0) + 1
    view = np.frombuffer(data, dtype=np.uint8)
    longest, last = 0, -1  # ``last``: the previous line end (before the file: -1)
    step = 1 << 22  # in blocks, so that the temporaries stay small (and in cache)
    for start in range(0, len(view), step):
        ends = np.flatnonzero(view[start : start + step] == ord("\n"))
        if len(ends):
            ends += start
            longest = max(longest, int(ends[0]) - last, int(np.diff(ends).max(initial=0)))
            last = int(ends[-1])
    return max(longest, len(data) - last)


def _parquet_frame(path: Path) -> _Frame | None:
    pa = _require_pyarrow()
    import pyarrow.parquet as pq  # noqa: PLC0415 - optional extra

    schema = pq.read_schema(path)
    text = [
        f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    # text columns straight into codes and distinct texts (Parquet stores them so)
    return _arrow_frame(pq.read_table(path, read_dictionary=text).unify_dictionaries())


def _dictionary_column(column: Any, count: int) -> _Column:
    """Return a column of a dictionary-encoded text column whose chunks share one dictionary.

    A null cell reads as the empty text; distinct texts stay distinct after NFC (two spellings
    of one text become one code).
    """
    chunks = column.chunks
    if not chunks:
        return _Column(np.zeros(count, dtype=np.int32), [""])
    values = [nfc(v or "") for v in chunks[0].dictionary.to_pylist()]
    lookup: dict[str, int] = {}
    remap = np.array([lookup.setdefault(v, len(lookup)) for v in [*values, ""]], dtype=np.int32)
    null = len(values)  # a null cell: code of the empty text
    codes = np.concatenate([_indices(c.indices.fill_null(null)) for c in chunks])
    return _Column(remap[codes], list(lookup))


def _arrow_frame(table: Any) -> _Frame | None:
    """Factorise an Arrow table whose columns the row reader would see as text, numbers, dates."""
    pa = _require_pyarrow()
    import pyarrow.compute as pc  # noqa: PLC0415 - optional extra

    names = tuple(table.column_names)
    if len(set(names)) != len(names) or len({nfc(n) for n in names}) != len(names):
        return None  # the row reader reports (keys in NFC, as io._items_table)
    columns: dict[str, _Column] = {}
    for name in names:
        column = table.column(name)
        kind = column.type
        if pa.types.is_dictionary(kind) and (
            pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
        ):
            columns[nfc(name)] = _dictionary_column(column, table.num_rows)
            continue
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
            kind = kind.value_type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
            column = pc.fill_null(column.cast(pa.string()), "")
            encoded = pc.dictionary_encode(column.combine_chunks())
            columns[nfc(name)] = _Column(
                _indices(encoded.indices).astype(np.int32, copy=False),
                [nfc(u) for u in encoded.dictionary.to_pylist()],
            )
            continue
        if name in ("progress", "coverage") and (
            pa.types.is_floating(kind) or pa.types.is_integer(kind)
        ):
            text = ["" if v is None else repr(float(v)) for v in column.to_pylist()]
        elif name in ("date", "valid_until") and pa.types.is_date32(kind):
            text = ["" if v is None else v.isoformat() for v in column.to_pylist()]
        else:
            return None
        columns[nfc(name)] = _factorise(text)
    return _Frame(names=tuple(map(nfc, names)), columns=columns, count=table.num_rows, keyed=True)


def other_table(path: str | os.PathLike[str], report: _Report) -> _Table:
    """Return the row reader's table of an ``.xlsx`` or Parquet file."""
    from readiness.io import _items_table  # noqa: PLC0415 - io imports this module lazily

    if Path(path).suffix.lower() == ".xlsx":
        from readiness import _xlsx  # noqa: PLC0415 - openpyxl loads on use

        table: _Table = _xlsx.table(path, report)
        return table
    _require_pyarrow()
    import pyarrow.parquet as pq  # noqa: PLC0415 - optional extra

    return _items_table(report.path, pq.read_table(path).to_pylist(), report, "row")


# --------------------------------------------------------------------------- validating


class _Check:
    """Column-wise checks that reuse the row parser on each distinct value."""

    def __init__(self, parser: _AssessmentParser, scratch: _Report) -> None:
        self.parser = parser
        self.scratch = scratch
        self.anyone = next(iter(parser.facilities), None)

    def cells(self, values: dict[str, object]) -> Any:
        from readiness.io import _Cells, _Row  # noqa: PLC0415 - io imports this module lazily

        return _Cells(_Row(number=1, line=None, values=values), self.scratch)

    def ok(self) -> None:
        if self.scratch:
            raise _Fallback

    def free_text(self, name: str, column: _Column) -> _Column:
        """Check each distinct value of a free-text column; return it keyed by presence."""
        for k in np.flatnonzero(column.used()):
            self.cells({name: column.uniques[k]}).text(name)
            self.ok()
        present = ~column.blank()
        return _Column(present.astype(np.int32), ["", "x"])

    def per_unique(self, column: _Column, check: Callable[[str], int]) -> npt.NDArray[np.int64]:
        """Map each used distinct value through ``check``; return the per-row results."""
        used = column.used()
        out = np.zeros(len(column.uniques), dtype=np.int64)
        for k in np.flatnonzero(used):
            out[k] = check(column.uniques[k])
        return np.take(out, column.codes)

    def facility(self, position: dict[str, int]) -> Callable[[str], int]:
        def check(value: str) -> int:
            if value in position:  # a known id exactly as written: nothing to trim or refuse
                return position[value]
            fid = self.cells({"facility_id": value}).text("facility_id", required=True, strip=True)
            self.ok()
            if fid not in position:
                raise _Fallback
            return position[fid]

        return check

    def date(self, value: str) -> int:
        day = self.cells({"date": value}).date("date", required=True)
        self.ok()
        assert day is not None
        return int(day.toordinal())

    def parse(self, values: dict[str, object]) -> tuple[int, Record | None]:
        """Parse one distinct record (criterion index -1: a row without a record)."""
        from readiness.io import _Row  # noqa: PLC0415 - io imports this module lazily

        if self.anyone is None:
            raise _Fallback
        values = {"facility_id": self.anyone, "date": _DUMMY_DATE, **values}
        parser = self.parser
        row = _Row(number=1, line=None, values=values)
        parsed = parser._long(row) if parser.layout == "long" else parser._wide(row)  # noqa: SLF001
        self.ok()
        if parsed is None:  # pragma: no cover - the parser reports every refusal
            raise _Fallback
        if not parsed.cells:
            return -1, None
        ((index, _, record, _),) = parsed.cells
        return index, record


@attrs.define
class _Records:
    """Per-row record fields: criterion index, matrix status, progress, coverage, valid_until."""

    index: npt.NDArray[np.int64]
    status: npt.NDArray[np.uint8]
    progress: npt.NDArray[np.float64]
    coverage: npt.NDArray[np.float64]
    until: npt.NDArray[np.int64]

    @classmethod
    def of(cls, parsed: list[tuple[int, Record | None]]) -> _Records:
        index = np.array([i for i, _ in parsed], dtype=np.int64)
        records = [r for _, r in parsed]
        return cls(
            index=index,
            status=np.array([UNKNOWN if r is None else _CODE[r.status] for r in records], np.uint8),
            progress=np.array(
                [0.0 if r is None or r.progress is None else r.progress for r in records]
            ),
            coverage=np.array(
                [np.nan if r is None or r.coverage is None else r.coverage for r in records]
            ),
            until=np.array(
                [
                    _NEVER if r is None or r.valid_until is None else r.valid_until.toordinal()
                    for r in records
                ],
                dtype=np.int64,
            ),
        )

    def take(self, codes: npt.NDArray[np.intp]) -> _Records:
        return _Records(
            self.index[codes],
            self.status[codes],
            self.progress[codes],
            self.coverage[codes],
            self.until[codes],
        )

    def codes(
        self, minimum: npt.NDArray[np.float64], when: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
        """Apply ``record_code`` to every row: expiry against ``when``, coverage minimums."""
        need = minimum[np.maximum(self.index, 0)]
        return record_codes(self.status, self.progress, self.coverage, self.until, need, when)


def _distinct(key: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return the first row of each distinct key and each row's distinct number."""
    if len(key) and int(key.max()) < 1 << 24:  # small keys: a dense table, no sorting
        present = np.zeros(int(key.max()) + 1, dtype=bool)
        present[key] = True
        values = np.flatnonzero(present)
        slot = np.zeros(len(present), dtype=np.intp)
        slot[values] = np.arange(len(values))
        inverse = slot[key]
        first = np.full(len(values), len(key), dtype=np.intp)
        np.minimum.at(first, inverse, np.arange(len(key)))
        return first, inverse
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first.astype(np.intp), inverse.reshape(-1).astype(np.intp)


def _groups(key: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return the group of each row and the first row of each group (in order of appearance).

    Rows of one group are usually contiguous (files are written grouped): then runs are the
    groups, found in one pass; otherwise a sort finds them.
    """
    count = len(key)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if count else np.zeros(0, np.intp)
    run_keys = key[starts]
    if len(np.unique(run_keys)) == len(run_keys):  # every group is one run
        group = np.cumsum(np.r_[True, key[1:] != key[:-1]]) - 1 if count else starts
        return group.astype(np.intp), starts.astype(np.intp)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    by_first = np.argsort(first, kind="stable")
    rank = np.empty_like(by_first)
    rank[by_first] = np.arange(len(by_first))
    return rank[inverse.reshape(-1)].astype(np.intp), first[by_first].astype(np.intp)


def _long_records(frame: _Frame, check: _Check) -> _Records:
    """Parse every record row once per distinct combination of its cells."""
    count = frame.count
    rich = np.zeros(count, dtype=bool)
    for name in _OPTIONAL:
        if name in frame.columns:
            rich |= ~frame.get(name).blank()
    out = _Records(
        np.full(count, -1, np.int64),
        np.full(count, UNKNOWN, np.uint8),
        np.zeros(count),
        np.full(count, np.nan),
        np.full(count, _NEVER, np.int64),
    )
    plain = np.flatnonzero(~rich)
    if len(plain):
        criterion, status, who = (frame.get(n) for n in ("criterion", "status", "assessed_by"))
        key = (
            criterion.codes[plain].astype(np.int64) * len(status.uniques) + status.codes[plain]
        ) * len(who.uniques) + who.codes[plain]
        first, inverse = _distinct(key)
        parsed = []
        for row in plain[first]:
            values = {n: frame.get(n).uniques[frame.get(n).codes[row]] for n in _RECORD}
            parsed.append(check.parse(values))
        _put(out, plain, _Records.of(parsed).take(inverse.reshape(-1)))
    rows = np.flatnonzero(rich)
    if len(rows):
        columns = [frame.get(n) for n in _RECORD]
        for k, name in enumerate(_RECORD):
            if name in _FREE_TEXT:  # free text never changes a code: check each value once,
                columns[k] = check.free_text(name, columns[k])  # then key by presence only
        keys = list(zip(*(c.codes[rows].tolist() for c in columns), strict=True))
        distinct = {k: n for n, k in enumerate(dict.fromkeys(keys))}
        parsed = [
            check.parse({n: c.uniques[v] for n, c, v in zip(_RECORD, columns, key, strict=True)})
            for key in distinct
        ]
        which = np.fromiter(map(distinct.__getitem__, keys), dtype=np.intp, count=len(keys))
        _put(out, rows, _Records.of(parsed).take(which))
    return out


def _wide_cells(
    frame: _Frame,
    parser: _AssessmentParser,
    check: _Check,
    size: int,
    minimum: npt.NDArray[np.float64],
    when: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.uint8], PartialProgress]:
    """Fill a wide file's matrix: every distinct cell text is parsed once, for any column.

    A cell's record does not depend on its column (only where a problem would be reported),
    so the cells of all criterion columns share one table of distinct texts.
    """
    count = frame.count
    every = parser.criteria
    texts: dict[str, int] = {"": 0}
    first_column: list[str] = [""]
    remaps: list[npt.NDArray[np.int32]] = []  # per column: its uniques -> distinct texts
    for name, _, _ in every:
        column = frame.get(name)
        remap = np.zeros(len(column.uniques), dtype=np.int32)
        for u_index in np.flatnonzero(column.used()):
            text = column.uniques[u_index]
            if not text.strip():
                continue
            found = texts.get(text)
            if found is None:
                found = texts[text] = len(texts)
                first_column.append(name)
            remap[u_index] = found
        remaps.append(remap)
    parsed: list[tuple[int, Record | None]] = [(-1, None)]
    try:
        for text, name in zip(list(texts)[1:], first_column[1:], strict=True):
            parser.criteria = [c for c in every if c[0] == name]  # parse this column's cell alone
            parsed.append(check.parse({name: text}))
    finally:
        parser.criteria = every
    table = _Records.of(parsed)
    del when  # the wide format holds no valid_until: nothing expires
    # column by column, so that no temporary is as large as the matrix (a wide file of 100,000
    # facilities x 160 criteria would otherwise need a gigabyte of them)
    status = np.full((size, count), UNKNOWN, dtype=np.uint8)
    cells: list[Cells] = []
    for (name, row, _), remap in zip(every, remaps, strict=True):
        # a cell's status through two small lookups: column unique -> distinct text -> status
        column = frame.get(name)
        codes = table.status[remap][column.codes]
        if not np.isnan(minimum[row]):  # the wide format holds no coverage
            codes[codes == MET] = BELOW_COVERAGE
        status[row] = codes
        partial = np.flatnonzero(codes == PARTIAL)
        if len(partial):
            value = table.progress[remap[column.codes[partial]]]
            cells.append((np.full(len(partial), row, dtype=np.intp), partial, value))
    return status, PartialProgress.of_pieces(size, count, cells)


def _put(out: _Records, rows: npt.NDArray[np.intp], part: _Records) -> None:
    out.index[rows] = part.index
    out.status[rows] = part.status
    out.progress[rows] = part.progress
    out.coverage[rows] = part.coverage
    out.until[rows] = part.until


def _build(
    frame: _Frame,
    parser: _AssessmentParser,
    scratch: _Report,
    known: dict[str, Facility],
    columns: FacilityColumns,
    as_of: dt.date | None,
    label: str | None,
) -> StatusMatrix:
    if not parser.check_header() or scratch:
        raise _Fallback
    if not frame.keyed and frame.get("facility_id").blank().any():
        # rows whose cells are all blank hold no data (as the row reader skips); such a row
        # has a blank facility_id, so only then are the other columns looked at
        blank = np.ones(frame.count, dtype=bool)
        for name in frame.names:
            blank &= frame.get(name).blank()
        if blank.any():
            keep = np.flatnonzero(~blank)
            frame = _Frame(
                frame.names, {n: c.take(keep) for n, c in frame.columns.items()}, len(keep)
            )
    catalog = parser.catalog
    compiled = compile_catalog(catalog)
    order = tuple(known.values())
    check = _Check(parser, scratch)
    position = {f.id: n for n, f in enumerate(order)}
    count = frame.count
    facility = check.per_unique(frame.get("facility_id"), check.facility(position))
    if parser.date_from_as_of:
        assert as_of is not None
        day = np.full(count, as_of.toordinal(), dtype=np.int64)
    else:
        day = check.per_unique(frame.get("date"), check.date)
    when = day if as_of is None else np.full(count, as_of.toordinal(), dtype=np.int64)
    minimum = np.asarray(compiled.min_coverage, dtype=np.float64)
    key = facility * _DAYS + day
    if parser.layout == "long":
        records = _long_records(frame, check)
        assessment, heads = _groups(key)
        with_record = np.flatnonzero(records.index >= 0)
        taken = np.zeros((compiled.size, len(heads)), dtype=bool)
        taken[records.index[with_record], assessment[with_record]] = True
        if int(np.count_nonzero(taken)) != len(with_record):  # a criterion twice in one group
            raise _Fallback
        del taken
        status = np.full((compiled.size, len(heads)), UNKNOWN, dtype=np.uint8)
        codes, values = records.take(with_record).codes(minimum, when[with_record])
        rows, cols = records.index[with_record].astype(np.intp), assessment[with_record]
        status[rows, cols] = codes
        progress = PartialProgress.of_cells(compiled.size, len(heads), rows, cols, values)
    else:
        if len(_groups(key)[1]) != count:
            raise _Fallback
        heads = np.arange(count)
        status, progress = _wide_cells(frame, parser, check, compiled.size, minimum, when)
    return StatusMatrix(
        catalog=catalog,
        facilities=order,
        rows=facility[heads].astype(np.intp),
        dates=(day[heads] - _EPOCH).astype("datetime64[D]"),
        status=status,
        progress=progress,
        label=label,
        facility_columns=columns,
    )


# --------------------------------------------------------------------------- the reader


def _engine(engine: object) -> Engine:
    if engine == "auto":
        return "pyarrow" if _has_pyarrow() else "python"
    if engine == "pyarrow":
        _require_pyarrow()
        return "pyarrow"
    if engine == "python":
        return "python"
    raise OptionError("engine must be 'auto', 'pyarrow' or 'python'", key="engine", value=engine)


def read_status_matrix(
    path: str | os.PathLike[str],
    catalog: Catalog,
    facilities: Any,
    *,
    format: Any = None,  # noqa: A002 - the documented option name
    as_of: dt.date | None = None,
    label: str | None = None,
    encoding: str | None = None,
    engine: Engine = "auto",
) -> StatusMatrix:
    """Read a whole assessment file column by column into one status matrix.

    See :func:`readiness.io.read_status_matrix` (the public name) for the parameters.
    """
    from readiness import io  # noqa: PLC0415 - io imports this module lazily
    from readiness._matrix import check_date  # noqa: PLC0415

    layout = io._check_layout(format, allow_none=True)  # noqa: SLF001
    check_date(as_of, "as_of")
    chosen = _engine(engine)
    known = io._facility_index(facilities)  # noqa: SLF001
    order = tuple(known.values())
    where = Path(path)
    suffix = where.suffix.lower()
    frame: _Frame | None = None
    if suffix == ".parquet":
        frame = _parquet_frame(where)
    elif suffix not in (".json", ".xlsx"):
        with where.open("rb") as handle:
            head = handle.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
        if suffix == ".csv" or head[:1] not in (b"[", b"{"):
            frame = _csv_frame(where, chosen, encoding)
    return _matrix(
        frame,
        str(path),
        catalog,
        known,
        layout,
        as_of,
        label,
        lambda: io.read_assessments(
            path, catalog, order, format=layout, as_of=as_of, encoding=encoding
        ),
    )


def _matrix(
    frame: _Frame | None,
    where: str,
    catalog: Catalog,
    known: dict[str, Facility],
    layout: Literal["long", "wide"] | None,
    as_of: dt.date | None,
    label: str | None,
    rows_read: Callable[[], list[Assessment]],
) -> StatusMatrix:
    """Build the matrix of ``frame``; on any problem, the row reader reports (or reads) it."""
    from readiness import io  # noqa: PLC0415 - io imports this module lazily

    order = tuple(known.values())
    columns = FacilityColumns.build(order)
    if frame is not None:
        scratch = io._Report(where)  # noqa: SLF001
        table = io._Table(path=where, columns=frame.names, rows=iter(()), keyed=frame.keyed)  # noqa: SLF001
        table.usable = bool(frame.count) or not frame.keyed
        parser = io._AssessmentParser(table, catalog, known, scratch, layout, as_of)  # noqa: SLF001
        try:
            return _build(frame, parser, scratch, known, columns, as_of, label)
        except _Fallback:
            pass
    # The row reader: every problem, located; or, if it finds none, the matrix of its records.
    assessments = rows_read()
    built = StatusMatrix.from_assessments(catalog, assessments, as_of=as_of, label=label)
    position = {f.id: n for n, f in enumerate(order)}
    rows = np.array([position[built.facility(j).id] for j in range(len(built))], dtype=np.intp)
    return StatusMatrix(
        catalog=catalog,
        facilities=order,
        rows=rows,
        dates=built.dates,
        status=built.status,
        progress=built.partial_progress,
        label=label,
        facility_columns=columns,
    )


def from_pandas(
    frame: Any,
    catalog: Catalog,
    facilities: Any,
    *,
    layout: Literal["long", "wide"],
    as_of: dt.date | None = None,
    label: str | None = None,
    engine: Engine = "auto",
) -> StatusMatrix:
    """Build the status matrix of a DataFrame (see :func:`readiness.io.from_pandas`)."""
    from readiness import io  # noqa: PLC0415 - io imports this module lazily
    from readiness._matrix import check_date  # noqa: PLC0415

    try:
        import pandas as pd  # noqa: PLC0415 - optional extra
    except ImportError:
        raise MissingDependencyError(
            "from_pandas needs pandas: pip install 'readiness[pandas]'"
        ) from None
    if not isinstance(frame, pd.DataFrame):
        raise OptionError("expected a pandas DataFrame", key="df", value=type(frame).__name__)
    checked = io._check_layout(layout, allow_none=False)  # noqa: SLF001
    check_date(as_of, "as_of")
    chosen = _engine(engine)
    known = io._facility_index(facilities)  # noqa: SLF001
    frame = frame.reset_index(drop=True)
    for name in frame.columns:  # Excel-style dates: midnight timestamps are days
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column) and bool(
            (column.dropna() == column.dropna().dt.normalize()).all()
        ):
            frame[name] = column.dt.date.astype(object).where(column.notna(), None)
    where = "<DataFrame>"
    arrow: _Frame | None = None
    if chosen == "pyarrow" and all(isinstance(n, str) for n in frame.columns):
        pa = _require_pyarrow()
        try:
            arrow = _arrow_frame(pa.Table.from_pandas(frame, preserve_index=False))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrow = None

    def rows_read() -> list[Assessment]:
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        report = io._Report(where)  # noqa: SLF001
        out: list[Assessment] = []

        def work() -> None:
            table = io._items_table(where, records, report, "row")  # noqa: SLF001
            parser = io._AssessmentParser(table, catalog, known, report, checked, as_of)  # noqa: SLF001
            out.extend(io._assessments(parser, report))  # noqa: SLF001

        io._read(report, work)  # noqa: SLF001
        return out

    return _matrix(arrow, where, catalog, known, checked, as_of, label, rows_read)
