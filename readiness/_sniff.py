r"""Recognise CSV files as spreadsheets write them: the text encoding and the delimiter.

Rules (``docs/formats.md``, "CSV as spreadsheets write it"):

* A UTF-8 byte-order mark is skipped; a UTF-16 byte-order mark (little or big endian) selects
  UTF-16; anything else is read as UTF-8 unless ``encoding=`` names another codec.
* A file that does not decode gets **one** problem, at the line of the first byte that does not
  decode, naming the encoding the bytes most likely are (Windows-1258 for Vietnamese text saved by
  a Vietnamese-locale Excel, Windows-1252 otherwise, UTF-16 for text full of NUL bytes) and the
  option that reads it (``encoding=`` / ``--encoding``).
* The delimiter is the one of comma, semicolon and tab that occurs most often outside quotes in
  the header line (comma when none does).
* Lines end at ``\n`` only (``\r\n`` included), as the row reader has always split them, so a
  bare carriage return stays visible to the CSV parser, which reports it.
* Every line is normalised to NFC; a line longer than ``readiness.io.LINE_LIMIT`` ends the file
  with a located problem (:class:`Lines`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from typing import IO, Final

import attrs

from readiness._unicode import nfc

__all__ = [
    "DELIMITERS",
    "Decoding",
    "Lines",
    "decode_all",
    "delimiter_of",
    "detect",
    "guess",
    "lines",
]

#: Delimiters recognised in a header line, preferred in this order on a tie.
DELIMITERS: Final = (",", ";", "\t")
_BLOCK: Final = 1 << 20
_QUOTED = re.compile(r'"[^"]*"')
#: Bytes that Windows-1258 decodes to Vietnamese letters or combining tone marks (đ ơ ư ă Đ Ơ Ư
#: Ă and the five tone marks), and which Western text rarely holds.
_VIETNAMESE: Final = frozenset(b"\xf0\xf5\xfd\xe3\xd0\xd5\xdd\xc3\xcc\xec\xde\xd2\xf2")
_NAMES: Final = {
    "cp1258": "Windows-1258 (Vietnamese)",
    "cp1252": "Windows-1252 (Western European)",
    "utf-16": "UTF-16 without a byte-order mark",
}


@attrs.frozen
class Decoding:
    """How to decode a file: the codec and how many leading bytes (a BOM) to skip."""

    encoding: str
    skip: int = 0


def guess(sample: bytes) -> str:
    r"""Return the codec name that ``sample`` (bytes that are not UTF-8) most likely uses.

    Examples
    --------
    >>> guess(b"B\xea\xf2nh vi\xea\xf2n \xd0a khoa")  # "Bệnh viện Đa khoa" in Windows-1258
    'cp1258'
    >>> guess("Café crème".encode("cp1252"))
    'cp1252'
    """
    if sample.count(0) * 4 > len(sample):
        return "utf-16"
    high = [b for b in sample if b >= 0x80]
    if high and sum(b in _VIETNAMESE for b in high) * 2 >= len(high):
        return "cp1258"
    return "cp1252"


def _not_decodable(data: bytes, start: int, encoding: str, given: bool) -> tuple[str, int]:
    """Return the message and line of the first byte of ``data`` that does not decode."""
    line = data.count(b"\n", 0, start) + 1
    byte = f"byte {data[start]:#04x} at byte offset {start}"
    if given:
        return f"the file cannot be decoded as {encoding}: {byte}", line
    likely = guess(data[max(0, start - 4096) : start + 65536])
    message = (
        f"the file is not UTF-8 ({byte} cannot be decoded); it looks like {_NAMES[likely]}: "
        f"save it as UTF-8, or read it with encoding={likely!r} (command line: --encoding "
        f"{likely})"
    )
    return message, line


def detect(handle: IO[bytes], encoding: str | None) -> tuple[Decoding, tuple[str, int] | None]:
    """Choose the decoding of ``handle`` and check that the whole file decodes with it.

    Returns the decoding and, when some byte does not decode, the one problem to report (message
    and line). The handle is left at its start.

    Raises
    ------
    LookupError
        ``encoding`` names no codec.
    """
    head = handle.read(4)
    handle.seek(0)
    if encoding is not None and codecs.lookup(encoding).name != "utf-8":
        decoding = Decoding(encoding)
    elif head.startswith(codecs.BOM_UTF8):
        decoding = Decoding("utf-8", 3)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoding = Decoding("utf-16")
    else:
        decoding = Decoding("utf-8")
    decoder = codecs.getincrementaldecoder(decoding.encoding)()
    offset = 0
    while True:
        block = handle.read(_BLOCK)
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as error:
            handle.seek(0)
            data = handle.read()
            handle.seek(0)
            where = offset + error.start - (len(error.object) - len(block))
            where = max(0, min(where, len(data) - 1))
            return decoding, _not_decodable(data, where, decoding.encoding, encoding is not None)
        if not block:
            break
        offset += len(block)
    handle.seek(0)
    return decoding, None


class Lines:
    r"""The decoded lines of a CSV file, each with its ``\n`` (split at ``\n`` only), in NFC.

    Every line is normalised to NFC (:func:`readiness._unicode.nfc`): ids, names and values in
    one Unicode form (``docs/formats.md``). A line longer than ``limit`` (bytes for UTF-8,
    characters otherwise) ends the lines: ``too_long`` is called with its line number and no
    more lines are read (a file without line ends, such as a binary file, is never read whole).
    ``apostrophe`` tells whether any line read so far holds an apostrophe (a CSV guard to
    remove, :func:`readiness._safe.csv_unguard`).
    """

    def __init__(
        self,
        handle: IO[bytes],
        decoding: Decoding,
        *,
        limit: int | None = None,
        too_long: Callable[[int], None] | None = None,
    ) -> None:
        self.handle = handle
        self.decoding = decoding
        self.limit = limit
        self.too_long = too_long
        self.line = 0
        self.apostrophe = False
        self._buffer: list[str] = []
        self._source = self._read()

    def __iter__(self) -> Iterator[str]:
        while self._buffer:
            yield self._buffer.pop(0)
        yield from self._source

    def first(self) -> str:
        """Return the first line that is not blank ("" when none), without consuming it."""
        for line in self._buffer:
            if line.strip():
                return line
        for line in self._source:
            self._buffer.append(line)
            if line.strip():
                return line
        return ""

    def _over(self, size: int) -> bool:
        if self.limit is None or size <= self.limit:
            return False
        if self.too_long is not None:
            self.too_long(self.line)
        return True

    def _yield(self, text: str) -> str:
        if not self.apostrophe and "'" in text:
            self.apostrophe = True
        return nfc(text)

    def _read(self) -> Iterator[str]:
        handle, decoding = self.handle, self.decoding
        if decoding.encoding in ("utf-8", "utf8"):
            size = -1 if self.limit is None else self.limit + 1
            while raw := handle.readline(size):
                self.line += 1
                if self._over(len(raw)):
                    return
                start = decoding.skip if self.line == 1 else 0
                yield self._yield(raw[start:].decode("utf-8"))
            return
        decoder = codecs.getincrementaldecoder(decoding.encoding)()
        rest = ""
        while True:
            block = handle.read(_BLOCK)
            text = rest + decoder.decode(block, final=not block)
            parts = text.split("\n")
            rest = parts.pop()
            for part in parts:
                self.line += 1
                if self._over(len(part) + 1):
                    return
                yield self._yield(part + "\n")
            if self.limit is not None and len(rest) > self.limit:
                self.line += 1
                self._over(len(rest))
                return
            if not block:
                break
        if rest:
            self.line += 1
            yield self._yield(rest)


def lines(
    handle: IO[bytes],
    decoding: Decoding,
    *,
    limit: int | None = None,
    too_long: Callable[[int], None] | None = None,
) -> Lines:
    r"""Return the decoded NFC lines of ``handle``, each with its ``\n`` (see :class:`Lines`)."""
    return Lines(handle, decoding, limit=limit, too_long=too_long)


def decode_all(data: bytes, decoding: Decoding) -> str:
    """Decode a whole file (already checked by :func:`detect`)."""
    return data[decoding.skip :].decode(decoding.encoding)


def delimiter_of(header: str) -> str:
    """Return the delimiter of a header line: the most frequent of :data:`DELIMITERS`.

    Examples
    --------
    >>> delimiter_of("facility_id;date;criterion;status")
    ';'
    >>> delimiter_of('id,"name; long",kind')
    ','
    """
    bare = _QUOTED.sub("", header)
    counts = [bare.count(d) for d in DELIMITERS]
    best = max(counts)
    return DELIMITERS[counts.index(best)] if best else ","
