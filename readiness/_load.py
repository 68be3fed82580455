"""Read catalog files, validate them, and assemble a :class:`~readiness.Catalog`.

Pipeline (as in pint's definition files): TOML text -> plain data (``tomllib``) -> checked drafts
per file (every problem collected with its line) -> layers merged -> references resolved across
catalogs, levels, cycles and vocabularies checked -> frozen records and one frozen graph.

Nothing read from a file is executed. Parsed files and assembled catalogs are cached: built-ins by
id, user files by path, modification time and size.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import hashlib
import math
import os
import re
import tomllib
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, cast

import attrs
import networkx as nx

from readiness._catalog import (
    ACCESS,
    ALWAYS,
    ESTIMATE_PARTS,
    GRADES,
    MAX_COST_VND,
    MAX_EFFORT_DAYS,
    MAX_WEIGHT,
    STANDARD_ATTRIBUTES,
    Attribute,
    Bundle,
    Catalog,
    Citation,
    Condition,
    Coverage,
    Criterion,
    Deadline,
    DeadlineCase,
    Domain,
    Estimate,
    Framework,
    Layer,
    Level,
    Milestone,
    Prerequisite,
    Range,
    Renamed,
    Rule,
    Source,
    Test,
    Text,
)
from readiness._estimates import apply_estimates, parse_assumed, parse_range
from readiness._limits import nesting_line
from readiness._toml import Locator
from readiness._unicode import FormCollisionError, nfc, nfc_data
from readiness.errors import (
    NO_VALUE,
    CatalogError,
    CycleError,
    Problem,
    UnknownCatalogError,
)

__all__ = ["CatalogInfo", "builtin_ids", "list_catalogs", "load_catalog", "parse_problems"]

FORMAT = 2
#: File formats this version reads. Format 2 (the built-in catalogs since data version
#: 2026.12.0) requires every prerequisite edge to be cited or argued (``because``), a primary
#: citation to name its clause, and ``[[catalog.coverage]]`` in every catalog that is not a layer.
FORMATS = (1, 2)
_CATALOG_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_ITEM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")
_REF_ID = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*(:[A-Za-z][A-Za-z0-9._-]*)?$")

PathT = tuple[str | int, ...]
Source_ = str | os.PathLike[str]

# --------------------------------------------------------------------------- built-in catalogs


def _builtin_root() -> Traversable:
    """Return the folder of built-in catalogs.

    In a wheel, ``criteria/`` is shipped inside the package as ``readiness/criteria``. In a source
    checkout or an editable install the package directory is the repository's ``readiness/`` and
    the data sits beside it.
    """
    package = resources.files("readiness")
    shipped = package / "criteria"
    if shipped.is_dir():
        return shipped
    return package / ".." / "criteria"


@functools.cache
def builtin_ids() -> tuple[str, ...]:
    """Ids of the built-in catalogs, sorted."""
    root = _builtin_root()
    if not root.is_dir():  # pragma: no cover - a broken installation
        msg = "the built-in catalogs are missing from this installation of readiness"
        raise UnknownCatalogError(msg)
    return tuple(
        sorted(e.name.removesuffix(".toml") for e in root.iterdir() if e.name.endswith(".toml"))
    )


@attrs.frozen(kw_only=True)
class CatalogInfo:
    """A built-in catalog as listed by :func:`list_catalogs`."""

    id: str
    title: Text
    version: str
    criteria: int
    grades: Mapping[str, int]
    requires: tuple[str, ...]
    disclaimer: str | None
    path: str
    edges: Mapping[str, int] = attrs.field(factory=dict)
    coverage: tuple[Coverage, ...] = ()


def list_catalogs() -> tuple[CatalogInfo, ...]:
    """List the built-in catalogs with their data version, size and provenance grades.

    Returns
    -------
    tuple of CatalogInfo
        Sorted by id. ``criteria`` counts the catalog's own criteria, legacy ones included;
        ``edges`` counts the prerequisite edges written in the catalog by rationale (``cited``,
        ``argued``, ``unargued``); ``coverage`` is what the catalog declares it encodes of each
        source.

    Examples
    --------
    >>> import readiness
    >>> [c.id for c in readiness.list_catalogs()]  # doctest: +NORMALIZE_WHITESPACE
    ['himss-emram', 'vn-emr', 'vn-infosec', 'vn-it-tt54', 'vn-smart-hospital']
    """
    infos = []
    for catalog_id in builtin_ids():
        catalog = load_catalog(catalog_id)
        framework = catalog.frameworks[catalog_id]
        infos.append(
            CatalogInfo(
                id=catalog_id,
                title=framework.title,
                version=framework.version,
                criteria=len(framework.criteria),
                grades=catalog.grades(catalog_id),
                requires=framework.requires,
                disclaimer=framework.disclaimer,
                path=framework.path,
                edges=catalog.edge_rationales(catalog_id),
                coverage=framework.coverage,
            )
        )
    return tuple(infos)


# --------------------------------------------------------------------------- reading files


@attrs.frozen
class _Handle:
    """A catalog file to read: a built-in resource or a path on disk."""

    name: str  # shown in messages
    key: tuple[object, ...]  # cache key
    builtin: str | None = None

    def read(self) -> bytes:
        if self.builtin is not None:
            return (_builtin_root() / f"{self.builtin}.toml").read_bytes()
        return Path(self.name).read_bytes()


def _handle(source: Source_) -> _Handle:
    if isinstance(source, str) and source in builtin_ids():
        return _Handle(f"criteria/{source}.toml", ("builtin", source), builtin=source)
    path = Path(source)
    try:
        is_file = path.is_file()
    except OSError as error:  # e.g. a name too long for the file system
        raise UnknownCatalogError(
            f"cannot use this path: {error.strerror}", value=str(source)[:200]
        ) from None
    if is_file:
        stat = path.stat()
        return _Handle(str(source), ("file", str(path.resolve()), stat.st_mtime_ns, stat.st_size))
    if isinstance(source, str) and _CATALOG_ID.match(source):
        known = ", ".join(builtin_ids())
        raise UnknownCatalogError(
            f"no built-in catalog has this id and no such file exists (built-ins: {known})",
            value=source,
        )
    raise UnknownCatalogError("no such catalog file", path=str(source), value=str(source))


# --------------------------------------------------------------------------- checking raw data


class _Checker:
    """Collects located problems while reading one file's data."""

    def __init__(self, name: str, locator: Locator | None) -> None:
        self.name = name
        self.locator = locator
        self.problems: list[Problem] = []
        self.misnumbered = False  # levels are misnumbered: skip checks that rely on numbers
        self.format = 1  # the file's format: format 2 asks every edge for a rationale

    def line(self, at: PathT) -> int | None:
        return self.locator.line(at) if self.locator else None

    def add(
        self,
        message: str,
        at: PathT,
        *,
        criterion: str | None = None,
        key: str | None = None,
        value: Any = NO_VALUE,
    ) -> None:
        self.problems.append(
            Problem(
                message=message,
                path=self.name,
                line=self.line(at),
                criterion=criterion,
                key=key,
                value=value,
            )
        )

    def keys(
        self,
        table: Mapping[str, Any],
        at: PathT,
        allowed: Iterable[str],
        required: Iterable[str] = (),
        *,
        criterion: str | None = None,
        what: str = "",
    ) -> None:
        allowed = set(allowed)
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                known = ", ".join(sorted(allowed))
                self.add(
                    f"unknown key{' in ' + what if what else ''}{hint} (allowed: {known})",
                    (*at, key),
                    criterion=criterion,
                    key=key,
                )
        for key in required:
            if key not in table:
                self.add(
                    f"missing required key{' in ' + what if what else ''}",
                    at,
                    criterion=criterion,
                    key=key,
                )


_Missing = object()


def _type_name(value: object) -> str:
    names = {
        bool: "boolean",
        int: "integer",
        float: "float",
        str: "string",
        list: "array",
        dict: "table",
        dt.date: "date",
        dt.datetime: "date-time",
        dt.time: "time",
    }
    return names.get(type(value), type(value).__name__)


class _Fields:
    """Typed access to the keys of one table, reporting wrong types as problems."""

    def __init__(
        self,
        check: _Checker,
        table: Mapping[str, Any],
        at: PathT,
        criterion: str | None = None,
    ) -> None:
        self.check = check
        self.table = table
        self.at = at
        self.criterion = criterion
        self.ok = True

    def bad(self, key: str, message: str, value: Any = NO_VALUE) -> None:
        self.ok = False
        self.check.add(message, (*self.at, key), criterion=self.criterion, key=key, value=value)

    def get(self, key: str) -> Any:
        return self.table.get(key, _Missing)

    def string(self, key: str, *, pattern: re.Pattern[str] | None = None) -> str | None:
        value = self.get(key)
        if value is _Missing:
            return None
        if not isinstance(value, str) or not value.strip():
            self.bad(key, f"must be a non-empty string, not {_type_name(value)}", value)
            return None
        if pattern is not None and not pattern.match(value):
            self.bad(key, "is not a valid id (letters, digits, '.', '_', '-')", value)
            return None
        return value

    def text(self, key: str) -> Text | None:
        value = self.get(key)
        if value is _Missing:
            return None
        if not isinstance(value, dict):
            self.bad(
                key, f"must be a table {{ en = ..., vi = ... }}, not {_type_name(value)}", value
            )
            return None
        self.check.keys(
            value, (*self.at, key), ("en", "vi"), ("en", "vi"), criterion=self.criterion
        )
        en, vi = value.get("en"), value.get("vi")
        for lang, text in (("en", en), ("vi", vi)):
            if lang in value and (not isinstance(text, str) or not text.strip()):
                self.bad(key, f"{lang} text must be a non-empty string", text)
                return None
        if not isinstance(en, str) or not isinstance(vi, str):
            self.ok = False
            return None
        return Text(en=en, vi=vi)

    def boolean(self, key: str) -> bool | None:
        value = self.get(key)
        if value is _Missing:
            return None
        if not isinstance(value, bool):
            self.bad(key, f"must be true or false, not {_type_name(value)}", value)
            return None
        return value

    def integer(self, key: str, *, low: int | None = None) -> int | None:
        value = self.get(key)
        if value is _Missing:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.bad(key, f"must be an integer, not {_type_name(value)}", value)
            return None
        if low is not None and value < low:
            self.bad(key, f"must be >= {low}", value)
            return None
        return value

    def number(
        self,
        key: str,
        *,
        positive: bool = False,
        nonnegative: bool = False,
        unit: bool = False,
        maximum: float | None = None,
    ) -> float | None:
        value = self.get(key)
        if value is _Missing:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.bad(key, f"must be a number, not {_type_name(value)}", value)
            return None
        number = float(value)
        if not math.isfinite(number):
            self.bad(key, "must be a finite number", value)
            return None
        if positive and number <= 0:
            self.bad(key, "must be > 0", value)
            return None
        if nonnegative and number < 0:
            self.bad(key, "must be >= 0", value)
            return None
        if unit and not 0 < number <= 1:
            self.bad(key, "must be in (0, 1]", value)
            return None
        if maximum is not None and number > maximum:
            self.bad(key, f"must be at most {maximum:,g}", value)
            return None
        return number

    def date(self, key: str) -> dt.date | None:
        value = self.get(key)
        if value is _Missing:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.bad(key, f"must be a date like 2025-09-30, not {_type_name(value)}", value)
            return None
        return value

    def strings(self, key: str, *, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
        value = self.get(key)
        if value is _Missing:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.bad(key, "must be an array of non-empty strings", value)
            return ()
        if pattern is not None:
            for item in value:
                if not pattern.match(item):
                    self.bad(key, "is not a valid id", item)
        if len(set(value)) != len(value):
            dupes = sorted({v for v in value if value.count(v) > 1})
            self.bad(key, "lists the same id twice", dupes[0])
        return tuple(value)


# --------------------------------------------------------------------------- drafts (one file)


@dataclasses.dataclass
class _Item:
    """A parsed criterion, deadline or milestone before references are resolved."""

    id: str
    file: str
    at: PathT
    values: dict[str, Any]
    lines: dict[str, int | None]

    def line(self, key: str | None = None) -> int | None:
        if key is not None and self.lines.get(key) is not None:
            return self.lines[key]
        return self.lines.get("")


@dataclasses.dataclass
class _Draft:
    """One catalog file, checked key by key, references not yet resolved."""

    file: str
    id: str
    meta: dict[str, Any]
    extends: str | None
    sources: dict[str, Source]
    domains: dict[str, Domain]
    levels: list[tuple[Level, int | None]]
    bundles: dict[str, Bundle]
    attributes: dict[str, tuple[Attribute, int | None]]
    deadlines: dict[str, _Item]
    milestones: dict[str, _Item]
    criteria: dict[str, _Item]
    overrides: dict[str, list[_Item]]
    removes: list[_Item]
    conditions: list[tuple[Condition, str, int | None, str | None]]
    locator: Locator | None = None
    sha256: str = ""  # of the file's bytes
    builtin: bool = False  # a built-in catalog: its estimates file applies

    def line(self, *path: str | int) -> int | None:
        """Line of a table or key of this file (None when unknown)."""
        return self.locator.line(path) if self.locator else None


_TOP = {
    "format",
    "catalog",
    "sources",
    "domains",
    "levels",
    "level",
    "bundles",
    "attributes",
    "deadline",
    "milestone",
    "criterion",
    "override",
    "remove",
    "renamed",
}
_CATALOG_KEYS = {
    "id",
    "title",
    "version",
    "released",
    "description",
    "requires",
    "extends",
    "default_deadline",
    "disclaimer",
    "notes",
    "coverage",
}
_CRITERION_KEYS = {
    "id",
    "title",
    "description",
    "domain",
    "level",
    "weight",
    "requires",
    "applies_to",
    "deadline",
    "min_coverage",
    "bundle",
    "legacy",
    "accepts_not_applicable",
    "estimate",
    "source",
    "note",
    "central",
}
_CRITERION_REQUIRED = ("id", "title", "domain", "level", "source")


#: Deepest nesting reported when the TOML parser runs out of stack (no catalog comes near it).
_NESTING = 100


def _parse_text(handle: _Handle, data: bytes) -> tuple[dict[str, Any], Locator]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogError(
            f"not valid UTF-8 at byte {exc.start}", path=handle.name, line=line
        ) from None
    # One Unicode form (NFC) for ids, titles, conditions: the text, so that keys written in
    # two forms are duplicate keys for the TOML parser, then the values (escapes like \u0301).
    text = nfc(text)
    try:
        raw = nfc_data(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        at_line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        if found:
            message = f"{message} (column {found.group(2)})"
        raise CatalogError(f"malformed TOML: {message}", path=handle.name, line=at_line) from None
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise CatalogError(
            f"malformed TOML: arrays or tables nested more than {_NESTING} deep",
            path=handle.name,
            line=nesting_line(text, _NESTING),
        ) from None
    except FormCollisionError as exc:
        raise CatalogError(str(exc), path=handle.name, value=exc.key) from None
    return raw, Locator(text)


@functools.lru_cache(maxsize=256)
def _read(handle: _Handle) -> tuple[_Draft | None, tuple[Problem, ...]]:
    """Parse and check one file; return its draft (None if unusable) and its problems."""
    try:
        data = handle.read()
    except OSError as exc:
        return None, (Problem(message=f"cannot read file: {exc.strerror}", path=handle.name),)
    try:
        raw, locator = _parse_text(handle, data)
    except CatalogError as error:
        return None, error.problems
    check = _Checker(handle.name, locator)
    draft = _draft(raw, check)
    if draft is not None:
        draft.sha256 = hashlib.sha256(data).hexdigest()
        draft.builtin = handle.builtin is not None
    if draft is not None and handle.builtin is not None and draft.id != handle.builtin:
        check.add(
            f"built-in file must have catalog id {handle.builtin!r}",
            ("catalog", "id"),
            value=draft.id,
        )
    return draft, tuple(check.problems)


def _draft(raw: dict[str, Any], check: _Checker) -> _Draft | None:
    check.keys(raw, (), _TOP, ("format", "catalog"), what="the file")
    fmt = raw.get("format")
    if "format" in raw and (fmt not in FORMATS or isinstance(fmt, bool)):
        check.add(
            "unsupported format; this version of readiness reads formats "
            + " and ".join(map(str, FORMATS)),
            ("format",),
            key="format",
            value=fmt,
        )
    elif isinstance(fmt, int):
        check.format = fmt
    catalog = raw.get("catalog")
    if not isinstance(catalog, dict):
        if "catalog" in raw:
            check.add("[catalog] must be a table", ("catalog",), value=catalog)
        return None
    check.keys(catalog, ("catalog",), _CATALOG_KEYS, ("id", "title", "version"), what="[catalog]")
    f = _Fields(check, catalog, ("catalog",))
    catalog_id = f.string("id")
    if catalog_id is not None and not _CATALOG_ID.match(catalog_id):
        f.bad(
            "id",
            "catalog id must be lower-case letters, digits and '-', starting with a letter",
            catalog_id,
        )
        catalog_id = None
    extends = f.string("extends")
    meta: dict[str, Any] = {
        "title": f.text("title"),
        "version": f.string("version"),
        "released": f.date("released"),
        "description": f.text("description"),
        "requires": f.strings("requires", pattern=_CATALOG_ID),
        "default_deadline": f.string("default_deadline"),
        "disclaimer": f.string("disclaimer"),
        "notes": f.string("notes"),
        "line": check.line(("catalog",)),
        "format": check.format,
        "coverage": _coverage(catalog, check),
    }
    layer = extends is not None
    draft = _Draft(
        file=check.name,
        id=catalog_id or "?",
        meta=meta,
        extends=extends,
        sources=_sources(raw, check),
        domains=_domains(raw, check),
        levels=_levels(raw, check, layer=layer),
        bundles=_bundles(raw, check),
        attributes=_attributes(raw, check),
        deadlines={},
        milestones={},
        criteria={},
        overrides={"criterion": [], "deadline": [], "milestone": []},
        removes=[],
        conditions=[],
        locator=check.locator,
    )
    draft.meta["misnumbered"] = check.misnumbered
    draft.meta["renamed"] = _renamed(raw, check)
    if not layer and check.format >= 2 and "coverage" not in catalog:
        check.add(
            "a format-2 catalog must declare [[catalog.coverage]]: how much of each source it "
            "encodes",
            ("catalog",),
            key="coverage",
        )
    _items(raw, "deadline", check, draft, _deadline_item, draft.deadlines)
    _items(raw, "milestone", check, draft, _milestone_item, draft.milestones)
    _items(raw, "criterion", check, draft, _criterion_item, draft.criteria)
    if not layer:
        if not draft.domains and "domains" not in raw:
            check.add(
                "a catalog needs at least one [domains.<id>] table", ("catalog",), key="domains"
            )
        if not draft.levels and "level" not in raw:
            check.add("a catalog needs at least one [[level]]", ("catalog",), key="level")
        if not draft.criteria and "criterion" not in raw:
            check.add("a catalog needs at least one [[criterion]]", ("catalog",), key="criterion")
        for key in ("override", "remove"):
            if key in raw:
                check.add(
                    f"[{key}] is only allowed in a layer (a file whose [catalog] has 'extends')",
                    (key,),
                    key=key,
                )
    else:
        _overrides(raw, check, draft)
    return draft if catalog_id is not None else None


def _coverage(
    catalog: Mapping[str, Any], check: _Checker
) -> list[tuple[Coverage, int | None, str]]:
    """Parse ``[[catalog.coverage]]``: what share of each source the catalog encodes."""
    value = catalog.get("coverage", [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        check.add(
            "must be an array of tables [[catalog.coverage]]",
            ("catalog", "coverage"),
            key="coverage",
            value=value,
        )
        return []
    out: list[tuple[Coverage, int | None, str]] = []
    for index, table in enumerate(value):
        at: PathT = ("catalog", "coverage", index)
        check.keys(
            table,
            at,
            ("source", "encoded", "share", "access", "note"),
            ("source", "encoded", "access"),
            what="[[catalog.coverage]]",
        )
        f = _Fields(check, table, at)
        source, encoded = f.string("source"), f.string("encoded")
        access = f.string("access")
        if access is not None and access not in ACCESS:
            f.bad("access", f"must be one of {', '.join(map(repr, ACCESS))}", access)
        share = f.get("share")
        if share is not _Missing and (
            isinstance(share, bool)
            or not isinstance(share, int | float)
            or not 0 <= float(share) <= 1
        ):
            f.bad("share", "must be a number from 0 to 1 (the encoded share)", share)
        if f.ok and source is not None and encoded is not None and access is not None:
            out.append(
                (
                    Coverage(
                        source=source,
                        encoded=encoded,
                        access=access,
                        share=None if share is _Missing else float(share),
                        note=f.string("note"),
                    ),
                    check.line(at),
                    check.name,
                )
            )
    return out


def _renamed(
    raw: Mapping[str, Any], check: _Checker
) -> list[tuple[dict[str, Any], int | None, str]]:
    """Parse ``[[renamed]]``: ids of earlier data versions and their successors."""
    out: list[tuple[dict[str, Any], int | None, str]] = []
    for index, table in enumerate(_array(raw, "renamed", check)):
        at: PathT = ("renamed", index)
        check.keys(
            table,
            at,
            ("id", "successors", "since", "reason"),
            ("id", "successors", "since", "reason"),
            what="[[renamed]]",
        )
        f = _Fields(check, table, at)
        entry = {
            "id": f.string("id", pattern=_ITEM_ID),
            "successors": f.strings("successors", pattern=_REF_ID),
            "since": f.string("since"),
            "reason": f.string("reason"),
        }
        if f.ok and None not in (entry["id"], entry["since"], entry["reason"]):
            out.append((entry, check.line(at), check.name))
    return out


def _tables(raw: Mapping[str, Any], key: str, check: _Checker) -> dict[str, dict[str, Any]]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        check.add(f"[{key}] must be tables [{key}.<id>]", (key,), key=key, value=value)
        return {}
    out = {}
    for name, table in value.items():
        if not isinstance(table, dict):
            check.add(f"[{key}.{name}] must be a table", (key, name), key=name, value=table)
            continue
        if not _ITEM_ID.match(name):
            check.add(
                "is not a valid id (letters, digits, '.', '_', '-')",
                (key, name),
                key=name,
                value=name,
            )
            continue
        out[name] = table
    return out


def _array(
    raw: Mapping[str, Any], key: str, check: _Checker, at: PathT = ()
) -> list[dict[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        check.add(f"must be an array of tables [[{key}]]", (*at, key), key=key, value=value)
        return []
    return value


def _sources(raw: Mapping[str, Any], check: _Checker) -> dict[str, Source]:
    out = {}
    for name, table in _tables(raw, "sources", check).items():
        at: PathT = ("sources", name)
        check.keys(
            table, at, ("title", "url", "date", "note"), ("title",), what=f"[sources.{name}]"
        )
        f = _Fields(check, table, at)
        title = f.string("title")
        if title is not None:
            out[name] = Source(
                id=name,
                title=title,
                url=f.string("url"),
                date=f.date("date"),
                note=f.string("note"),
            )
    return out


def _domains(raw: Mapping[str, Any], check: _Checker) -> dict[str, Domain]:
    out = {}
    for name, table in _tables(raw, "domains", check).items():
        at: PathT = ("domains", name)
        check.keys(table, at, ("title", "description"), ("title",), what=f"[domains.{name}]")
        f = _Fields(check, table, at)
        title = f.text("title")
        if title is not None:
            out[name] = Domain(id=name, title=title, description=f.text("description"))
    return out


def _bundles(raw: Mapping[str, Any], check: _Checker) -> dict[str, Bundle]:
    out = {}
    for name, table in _tables(raw, "bundles", check).items():
        at: PathT = ("bundles", name)
        check.keys(table, at, ("title",), ("title",), what=f"[bundles.{name}]")
        title = _Fields(check, table, at).text("title")
        if title is not None:
            out[name] = Bundle(id=name, title=title)
    return out


def _attributes(raw: Mapping[str, Any], check: _Checker) -> dict[str, tuple[Attribute, int | None]]:
    out = {}
    for name, table in _tables(raw, "attributes", check).items():
        at: PathT = ("attributes", name)
        check.keys(
            table, at, ("type", "values", "description"), ("type",), what=f"[attributes.{name}]"
        )
        f = _Fields(check, table, at)
        kind = f.string("type")
        if kind is not None and kind not in ("string", "integer", "boolean"):
            f.bad("type", "must be 'string', 'integer' or 'boolean'", kind)
            continue
        values = f.strings("values") if "values" in table else None
        if values is not None and kind != "string":
            f.bad("values", "only string attributes can list values", list(values))
            continue
        if name in STANDARD_ATTRIBUTES:
            check.add("is a standard facility attribute and cannot be redeclared", at, key=name)
            continue
        if kind is not None and f.ok:
            attribute = Attribute(
                name=name,
                type=cast("Any", kind),
                values=values,
                description=f.string("description"),
            )
            out[name] = (attribute, check.line(at))
    return out


def _levels(
    raw: Mapping[str, Any], check: _Checker, *, layer: bool
) -> list[tuple[Level, int | None]]:
    defaults = raw.get("levels", {})
    if not isinstance(defaults, dict):
        check.add("[levels] must be a table", ("levels",), value=defaults)
        defaults = {}
    if layer and ("levels" in raw or "level" in raw):
        check.add(
            "a layer cannot change levels or level rules",
            ("levels",) if "levels" in raw else ("level",),
            key="level",
        )
        return []
    check.keys(defaults, ("levels",), ("rule", "threshold"), what="[levels]")
    fd = _Fields(check, defaults, ("levels",))
    default_rule = _rule(fd, "rule") or Rule.ALL
    default_threshold = fd.number("threshold", unit=True)
    out = []
    for index, table in enumerate(_array(raw, "level", check)):
        at: PathT = ("level", index)
        check.keys(
            table,
            at,
            ("number", "title", "description", "rule", "threshold", "k", "bundles"),
            ("number", "title"),
            what="[[level]]",
        )
        f = _Fields(check, table, at)
        number = f.integer("number")
        if number is not None and number != index + 1:
            check.misnumbered = True
            f.bad(
                "number",
                f"levels must be numbered 1, 2, ... in file order; this is level {index + 1}",
                number,
            )
        rule = _rule(f, "rule") or default_rule
        threshold = f.number("threshold", unit=True)
        if threshold is None and rule is Rule.THRESHOLD and "threshold" not in table:
            threshold = default_threshold
            if threshold is None:
                check.add(
                    "a threshold level needs 'threshold' (here or in [levels])", at, key="threshold"
                )
        k = f.integer("k", low=1)
        bundles = f.strings("bundles", pattern=_ITEM_ID)
        if rule is Rule.K_OF_N:
            if k is None:
                check.add("a k-of-n level needs 'k'", at, key="k")
            if not bundles:
                check.add("a k-of-n level needs a non-empty 'bundles' array", at, key="bundles")
            if k is not None and bundles and k > len(bundles):
                f.bad(
                    "k",
                    f"is larger than the number of bundles ({len(bundles)}): "
                    "the level can never be earned",
                    k,
                )
        else:
            for key in ("k", "bundles"):
                if key in table:
                    f.bad(key, f"only k-of-n levels take '{key}'", table[key])
        if rule is not Rule.THRESHOLD and "threshold" in table:
            f.bad("threshold", "only threshold levels take 'threshold'", table["threshold"])
        title = f.text("title")
        # A level with a bad rule parameter is still recorded (its problem is reported), so
        # that criteria and bundles referring to it are not reported as well.
        if title is not None and number is not None:
            level = Level(
                number=number,
                title=title,
                rule=rule,
                threshold=threshold if rule is Rule.THRESHOLD else None,
                k=k if rule is Rule.K_OF_N else None,
                bundles=bundles if rule is Rule.K_OF_N else (),
                description=f.text("description"),
            )
            out.append((level, check.line(at)))
    return out


def _rule(f: _Fields, key: str) -> Rule | None:
    value = f.string(key)
    if value is None:
        return None
    try:
        return Rule(value)
    except ValueError:
        f.bad(key, "must be 'all', 'threshold' or 'k-of-n'", value)
        return None


def _items(
    raw: Mapping[str, Any],
    key: str,
    check: _Checker,
    draft: _Draft,
    parse: Callable[[dict[str, Any], PathT, _Checker, _Draft], _Item | None],
    into: dict[str, _Item],
) -> None:
    for index, table in enumerate(_array(raw, key, check)):
        at: PathT = (key, index)
        item = parse(table, at, check, draft)
        if item is None:
            continue
        if item.id in into:
            first = into[item.id].line()
            check.add(
                f"duplicate {key} id (first defined on line {first})",
                (*at, "id"),
                criterion=item.id if key == "criterion" else None,
                key="id" if key != "criterion" else None,
                value=item.id,
            )
            continue
        into[item.id] = item


def _lines(check: _Checker, at: PathT, table: Mapping[str, Any]) -> dict[str, int | None]:
    lines = {key: check.line((*at, key)) for key in table}
    lines[""] = check.line(at)
    return lines


def _citation(
    value: Any, at: PathT, check: _Checker, criterion: str | None, key: str
) -> Citation | None:
    if not isinstance(value, dict):
        check.add(
            "a citation must be a table { grade = ..., ref = ..., clause = ... }",
            at,
            criterion=criterion,
            key=key,
            value=value,
        )
        return None
    check.keys(
        value,
        at,
        ("grade", "ref", "clause", "note"),
        ("grade",),
        criterion=criterion,
        what=f"'{key}'",
    )
    f = _Fields(check, value, at, criterion)
    grade = f.string("grade")
    if grade is not None and grade not in GRADES:
        f.bad("grade", "must be 'primary', 'secondary' or 'inferred'", grade)
        return None
    ref = f.string("ref")
    if grade is not None and grade != "inferred" and ref is None and "ref" not in value:
        check.add(
            f"a {grade} citation needs 'ref' (a [sources.<id>] of the catalog)",
            at,
            criterion=criterion,
            key=key,
        )
        return None
    if grade is None or not f.ok:
        return None
    clause = f.string("clause")
    if check.format >= 2 and grade == "primary" and clause is None:
        check.add(
            "a primary citation must name the article or clause it was read in ('clause')",
            at,
            criterion=criterion,
            key=key,
        )
        return None
    return Citation(grade=grade, ref=ref, clause=clause, note=f.string("note"))


def _citations(
    value: Any, at: PathT, check: _Checker, criterion: str | None
) -> tuple[Citation, ...]:
    if isinstance(value, list):
        if not value:
            check.add("must cite at least one source", at, criterion=criterion, key="source")
        out = [_citation(v, at, check, criterion, "source") for v in value]
        return tuple(c for c in out if c is not None)
    citation = _citation(value, at, check, criterion, "source")
    return () if citation is None else (citation,)


def parse_condition(value: Any) -> Condition | tuple[str, Any]:
    """Parse an ``applies_to``-style condition; return it, or (problem, offending value).

    Shared by catalogs, report specifications and obligations, so the grammar is one.
    """
    clauses_raw = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        return ("an empty array matches no facility; omit the key to match every facility", value)
    clauses = []
    for clause in clauses_raw:
        if not isinstance(clause, dict):
            return ("a condition must be a table { attribute = test } or an array of them", clause)
        tests = []
        for attribute, test in clause.items():
            parsed = _test(attribute, test)
            if isinstance(parsed, str):
                return (f"condition on {attribute!r}: {parsed}", test)
            tests.append(parsed)
        clauses.append(tuple(sorted(tests, key=lambda t: t.attribute)))
    return Condition(tuple(clauses))


def _condition(
    value: Any,
    at: PathT,
    check: _Checker,
    draft: _Draft | None,
    criterion: str | None,
    key: str = "applies_to",
) -> Condition | None:
    parsed = parse_condition(value)
    if not isinstance(parsed, Condition):
        message, offending = parsed
        check.add(message, at, criterion=criterion, key=key, value=offending)
        return None
    if draft is not None:
        draft.conditions.append((parsed, check.name, check.line(at), criterion))
    return parsed


def _scalar(value: Any) -> bool:
    return isinstance(value, str | bool | int) and not isinstance(value, float)


def _test(attribute: str, test: Any) -> Test | str:
    if _scalar(test):
        return Test(attribute=attribute, op="in", values=frozenset([test]))
    if isinstance(test, list):
        if not test or not all(_scalar(v) for v in test):
            return "an array test needs one or more strings, integers or booleans"
        return Test(attribute=attribute, op="in", values=frozenset(test))
    if isinstance(test, dict):
        if set(test) == {"not"}:
            inner = test["not"]
            values = inner if isinstance(inner, list) else [inner]
            if not values or not all(_scalar(v) for v in values):
                return "'not' needs a value or an array of values"
            return Test(attribute=attribute, op="not_in", values=frozenset(values))
        if test and set(test) <= {"min", "max"}:
            low, high = test.get("min"), test.get("max")
            for bound in (low, high):
                if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
                    return "'min' and 'max' must be integers"
            if low is not None and high is not None and low > high:
                return "'min' is larger than 'max': nothing can match"
            return Test(attribute=attribute, op="range", low=low, high=high)
        return "a table test must be { not = ... } or { min = ..., max = ... }"
    return f"unsupported test of type {_type_name(test)}"


def _estimates(
    value: Any, at: PathT, check: _Checker, draft: _Draft, criterion: str
) -> tuple[Estimate, ...]:
    cases = value if isinstance(value, list) else [value]
    out = []
    for case in cases:
        if not isinstance(case, dict):
            check.add(
                "an estimate must be a table { effort_days, cost_vnd, basis }",
                at,
                criterion=criterion,
                key="estimate",
                value=case,
            )
            continue
        check.keys(
            case,
            at,
            ("effort_days", "cost_vnd", "basis", "applies_to", "assumed"),
            ("basis",),
            criterion=criterion,
            what="'estimate'",
        )
        f = _Fields(check, case, at, criterion)
        basis = f.string("basis")
        ranges: dict[str, Range[float] | None] = {}
        for name, limit in (("effort_days", MAX_EFFORT_DAYS), ("cost_vnd", MAX_COST_VND)):
            parsed_range = parse_range(case[name], limit) if name in case else None
            if isinstance(parsed_range, str):
                f.bad(name, parsed_range, case[name])
                parsed_range = None
            ranges[name] = parsed_range
        assumed = frozenset(ESTIMATE_PARTS)  # unless the estimate says otherwise
        if "assumed" in case:
            parsed_assumed = parse_assumed(case["assumed"])
            if isinstance(parsed_assumed, str):
                f.bad("assumed", parsed_assumed, case["assumed"])
            else:
                assumed = parsed_assumed
        if "effort_days" not in case and "cost_vnd" not in case:
            check.add(
                "an estimate needs 'effort_days' or 'cost_vnd'",
                at,
                criterion=criterion,
                key="estimate",
            )
            continue
        condition = ALWAYS
        if "applies_to" in case:
            parsed = _condition(case["applies_to"], at, check, draft, criterion, "estimate")
            if parsed is None:
                continue
            condition = parsed
        if basis is not None and f.ok:
            out.append(
                Estimate(
                    effort=ranges["effort_days"],
                    cost=ranges["cost_vnd"],
                    basis=basis,
                    applies_to=condition,
                    assumed=assumed,
                    origin=f"{check.name}:{check.line(at)}",
                )
            )
    return tuple(out)


def _requires(
    value: Any, at: PathT, check: _Checker, criterion: str
) -> list[tuple[str, Citation, str | None]]:
    if not isinstance(value, list):
        check.add(
            "must be an array of criterion ids or tables { id = ..., grade = ... }",
            at,
            criterion=criterion,
            key="requires",
            value=value,
        )
        return []
    out: list[tuple[str, Citation, str | None]] = []
    for entry in value:
        ref: Any
        because: str | None = None
        if isinstance(entry, str):
            citation = Citation(grade="inferred")
            ref = entry
        elif isinstance(entry, dict):
            check.keys(
                entry,
                at,
                ("id", "grade", "ref", "clause", "note", "because"),
                ("id",) if "because" in entry else ("id", "grade"),
                criterion=criterion,
                what="a prerequisite",
            )
            because = _Fields(check, entry, at, criterion).string("because")
            ref = entry.get("id")
            if not isinstance(ref, str):
                if "id" in entry:
                    check.add(
                        "prerequisite id must be a string",
                        at,
                        criterion=criterion,
                        key="requires",
                        value=ref,
                    )
                continue
            rest = {k: v for k, v in entry.items() if k not in ("id", "because")}
            if "grade" not in rest and "because" in entry:
                rest["grade"] = "inferred"  # a written reason is the authors' inference
            parsed = _citation(rest, at, check, criterion, "requires")
            if parsed is None:
                continue
            citation = parsed
        else:
            check.add(
                "a prerequisite must be an id or a table { id = ..., grade = ... }",
                at,
                criterion=criterion,
                key="requires",
                value=entry,
            )
            continue
        if not _REF_ID.match(ref):
            check.add(
                "is not a valid criterion reference ('id' or 'catalog-id:id')",
                at,
                criterion=criterion,
                key="requires",
                value=ref,
            )
            continue
        if any(existing == ref for existing, _, _ in out):
            check.add(
                "lists the same prerequisite twice",
                at,
                criterion=criterion,
                key="requires",
                value=ref,
            )
            continue
        if check.format >= 2 and citation.grade == "inferred" and not because:
            check.add(
                "prerequisite has neither a citation (grade primary or secondary with 'ref') "
                'nor a written reason; write { id = ..., because = "..." }',
                at,
                criterion=criterion,
                key="requires",
                value=ref,
            )
            continue
        out.append((ref, citation, because))
    return out


def _central(f: _Fields) -> bool | None:
    """``central = true``: a step a province (or another central body) can do once for all."""
    value = f.get("central")
    if not isinstance(value, bool):
        f.bad("central", "must be true or false", value)
        return None
    return value


def _criterion_values(
    table: dict[str, Any], at: PathT, check: _Checker, draft: _Draft, criterion: str
) -> dict[str, Any]:
    """Parse the keys a criterion (or an override of one) gives; omitted keys are absent."""
    f = _Fields(check, table, at, criterion)
    values: dict[str, Any] = {}
    parsers: dict[str, Callable[[], Any]] = {
        "title": lambda: f.text("title"),
        "description": lambda: f.text("description"),
        "domain": lambda: f.string("domain"),
        "level": lambda: f.integer("level"),
        "weight": lambda: f.number("weight", positive=True, maximum=MAX_WEIGHT),
        "deadline": lambda: f.string("deadline"),
        "min_coverage": lambda: f.number("min_coverage", unit=True),
        "bundle": lambda: f.string("bundle"),
        "legacy": lambda: f.string("legacy"),
        "accepts_not_applicable": lambda: f.boolean("accepts_not_applicable"),
        "note": lambda: f.string("note"),
        "central": lambda: _central(f),
        "requires": lambda: _requires(table["requires"], (*at, "requires"), check, criterion),
        "applies_to": lambda: _condition(
            table["applies_to"], (*at, "applies_to"), check, draft, criterion
        ),
        "estimate": lambda: _estimates(
            table["estimate"], (*at, "estimate"), check, draft, criterion
        ),
        "source": lambda: _citations(table["source"], (*at, "source"), check, criterion),
    }
    for key, parse in parsers.items():
        if key in table:
            parsed = parse()
            if parsed is not None:
                values[key] = parsed
    return values


def _criterion_item(
    table: dict[str, Any], at: PathT, check: _Checker, draft: _Draft
) -> _Item | None:
    raw_id = table.get("id")
    criterion = raw_id if isinstance(raw_id, str) else None
    check.keys(
        table, at, _CRITERION_KEYS, _CRITERION_REQUIRED, criterion=criterion, what="[[criterion]]"
    )
    f = _Fields(check, table, at, criterion)
    item_id = f.string("id", pattern=_ITEM_ID)
    if item_id is None:
        return None
    values = _criterion_values(table, at, check, draft, item_id)
    return _Item(item_id, check.name, at, values, _lines(check, at, table))


def _deadline_values(
    table: dict[str, Any], at: PathT, check: _Checker, draft: _Draft, deadline: str
) -> dict[str, Any]:
    f = _Fields(check, table, at)
    values: dict[str, Any] = {}
    if "title" in table:
        values["title"] = f.text("title")
    if "source" in table:
        citations = _citations(table["source"], (*at, "source"), check, None)
        if citations:
            values["source"] = citations[0]
    if "when" in table:
        cases = []
        whens = _array(table, "when", check, at)
        if not whens:
            check.add(
                f"deadline {deadline!r} needs at least one [[deadline.when]] case", at, key="when"
            )
        for index, case in enumerate(whens):
            case_at: PathT = (*at, "when", index)
            check.keys(
                case,
                case_at,
                ("date", "applies_to"),
                ("date",),
                what=f"a case of deadline {deadline!r}",
            )
            cf = _Fields(check, case, case_at)
            date = cf.date("date")
            condition: Condition | None = ALWAYS
            if "applies_to" in case:
                condition = _condition(
                    case["applies_to"], (*case_at, "applies_to"), check, draft, None
                )
            if date is not None and condition is not None:
                cases.append(DeadlineCase(date=date, applies_to=condition))
        values["cases"] = tuple(cases)
    return values


def _deadline_item(
    table: dict[str, Any], at: PathT, check: _Checker, draft: _Draft
) -> _Item | None:
    check.keys(
        table,
        at,
        ("id", "title", "source", "when"),
        ("id", "title", "source", "when"),
        what="[[deadline]]",
    )
    item_id = _Fields(check, table, at).string("id", pattern=_ITEM_ID)
    if item_id is None:
        return None
    values = _deadline_values(table, at, check, draft, item_id)
    return _Item(item_id, check.name, at, values, _lines(check, at, table))


def _milestone_values(table: dict[str, Any], at: PathT, check: _Checker) -> dict[str, Any]:
    f = _Fields(check, table, at)
    values: dict[str, Any] = {}
    if "title" in table:
        values["title"] = f.text("title")
    if "description" in table:
        values["description"] = f.text("description")
    if "criteria" in table:
        criteria = f.strings("criteria", pattern=_REF_ID)
        if not criteria and f.ok:
            f.bad("criteria", "a milestone needs at least one criterion", [])
        values["criteria"] = criteria
    if "deadline" in table:
        values["deadline"] = f.string("deadline")
    return values


def _milestone_item(
    table: dict[str, Any], at: PathT, check: _Checker, draft: _Draft
) -> _Item | None:
    del draft
    check.keys(
        table,
        at,
        ("id", "title", "criteria", "deadline", "description"),
        ("id", "title", "criteria"),
        what="[[milestone]]",
    )
    item_id = _Fields(check, table, at).string("id", pattern=_ITEM_ID)
    if item_id is None:
        return None
    return _Item(
        item_id, check.name, at, _milestone_values(table, at, check), _lines(check, at, table)
    )


def _overrides(raw: Mapping[str, Any], check: _Checker, draft: _Draft) -> None:
    override = raw.get("override", {})
    if not isinstance(override, dict):
        check.add(
            "[override] must hold [[override.criterion]], [[override.deadline]] "
            "or [[override.milestone]]",
            ("override",),
            value=override,
        )
        override = {}
    check.keys(override, ("override",), ("criterion", "deadline", "milestone"), what="[override]")
    for kind in ("criterion", "deadline", "milestone"):
        for index, table in enumerate(_array(override, kind, check, ("override",))):
            at: PathT = ("override", kind, index)
            item_id = _Fields(check, table, at).string("id", pattern=_ITEM_ID)
            if "id" not in table:
                check.add(f"[[override.{kind}]] needs 'id'", at, key="id")
            if item_id is None:
                continue
            values: dict[str, Any]
            if kind == "criterion":
                check.keys(
                    table, at, _CRITERION_KEYS, criterion=item_id, what="[[override.criterion]]"
                )
                values = _criterion_values(table, at, check, draft, item_id)
            elif kind == "deadline":
                check.keys(
                    table, at, ("id", "title", "source", "when"), what="[[override.deadline]]"
                )
                values = _deadline_values(table, at, check, draft, item_id)
            else:
                check.keys(
                    table,
                    at,
                    ("id", "title", "criteria", "deadline", "description"),
                    what="[[override.milestone]]",
                )
                values = _milestone_values(table, at, check)
            draft.overrides[kind].append(
                _Item(item_id, check.name, at, values, _lines(check, at, table))
            )
    for index, table in enumerate(_array(raw, "remove", check)):
        at = ("remove", index)
        check.keys(table, at, ("id", "reason"), ("id", "reason"), what="[[remove]]")
        f = _Fields(check, table, at)
        item_id, reason = f.string("id", pattern=_ITEM_ID), f.string("reason")
        if item_id is not None and reason is not None:
            draft.removes.append(
                _Item(item_id, check.name, at, {"reason": reason}, _lines(check, at, table))
            )


# --------------------------------------------------------------------------- layers


def _apply_layer(base: _Draft, layer: _Draft) -> tuple[_Draft, list[Problem]]:
    """Return ``base`` with ``layer`` merged in (a new draft) and the problems found."""
    problems: list[Problem] = []

    def problem(
        message: str,
        item: _Item,
        key: str | None = None,
        value: Any = NO_VALUE,
        criterion: str | None = None,
    ) -> None:
        problems.append(
            Problem(
                message=message,
                path=item.file,
                line=item.line(key),
                criterion=criterion,
                key=key,
                value=value,
            )
        )

    merged = dataclasses.replace(
        base,
        sources=dict(base.sources),
        domains=dict(base.domains),
        bundles=dict(base.bundles),
        attributes=dict(base.attributes),
        deadlines=dict(base.deadlines),
        milestones=dict(base.milestones),
        criteria=dict(base.criteria),
        conditions=base.conditions + layer.conditions,
        meta={
            **base.meta,
            # catalogs the layer's own prerequisites may name
            "requires": list(
                dict.fromkeys([*base.meta["requires"], *(layer.meta.get("requires") or [])])
            ),
            "layers": (
                *base.meta.get("layers", ()),
                Layer(
                    id=layer.id,
                    version=str(layer.meta["version"]),
                    path=layer.file,
                    sha256=layer.sha256,
                ),
            ),
            "coverage": [*base.meta.get("coverage", []), *layer.meta.get("coverage", [])],
            "renamed": [*base.meta.get("renamed", []), *layer.meta.get("renamed", [])],
        },
    )
    for name, table, what in (
        ("sources", layer.sources, "source"),
        ("domains", layer.domains, "domain"),
        ("bundles", layer.bundles, "bundle"),
        ("attributes", layer.attributes, "attribute"),
    ):
        target = getattr(merged, name)
        for key, value in table.items():
            if key in target:
                problems.append(
                    Problem(
                        message=f"{what} {key!r} already exists in {base.id!r}; "
                        "a layer cannot redefine it",
                        path=layer.file,
                    )
                )
            target[key] = value
    for name in ("deadlines", "milestones", "criteria"):
        target = getattr(merged, name)
        for key, item in getattr(layer, name).items():
            if key in target:
                what = name[:-1] if name != "criteria" else "criterion"
                problem(
                    f"{what} already exists in {base.id!r}; use [[override.{what}]] to change it",
                    item,
                    "id",
                    key,
                    key if name == "criteria" else None,
                )
                continue
            target[key] = item
    for kind, name in (
        ("criterion", "criteria"),
        ("deadline", "deadlines"),
        ("milestone", "milestones"),
    ):
        target = getattr(merged, name)
        for item in layer.overrides[kind]:
            if item.id not in target:
                problem(
                    f"cannot override unknown {kind} of {base.id!r}",
                    item,
                    "id",
                    item.id,
                    item.id if kind == "criterion" else None,
                )
                continue
            original = target[item.id]
            lines = {**original.lines, **{k: v for k, v in item.lines.items() if k}}
            files = dict.fromkeys(item.values, item.file)
            values = {**original.values, **item.values}
            values["__files"] = {**original.values.get("__files", {}), **files}
            values["__origin"] = (item.file, item.line())
            target[item.id] = _Item(item.id, original.file, original.at, values, lines)
    for item in layer.removes:
        if item.id not in merged.criteria:
            problem(f"cannot remove unknown criterion of {base.id!r}", item, "id", item.id, item.id)
            continue
        del merged.criteria[item.id]
        removed = dict(merged.meta.get("removed", {}))
        removed[item.id] = (item.file, item.line("id") or item.line())
        merged.meta = {**merged.meta, "removed": removed}
    return merged, problems


# --------------------------------------------------------------------------- assembly


@dataclasses.dataclass
class _Assembly:
    drafts: dict[str, _Draft]
    problems: list[Problem] = dataclasses.field(default_factory=list)

    def add(
        self,
        message: str,
        item: _Item | None,
        file: str,
        key: str | None = None,
        *,
        criterion: str | None = None,
        value: Any = NO_VALUE,
    ) -> None:
        path = file
        line = None
        if item is not None:
            files = item.values.get("__files", {})
            path = files.get(key, item.file) if key else item.file
            line = item.line(key)
        self.problems.append(
            Problem(
                message=message, path=path, line=line, criterion=criterion, key=key, value=value
            )
        )


def _resolve_drafts(
    sources: Sequence[Source_], layers: Sequence[Source_]
) -> tuple[dict[str, _Draft], list[Problem]]:
    """Read the requested files, the catalogs they require, and apply layers.

    Returns the drafts by catalog id and every problem found so far; a file that cannot be used
    at all (malformed TOML, no [catalog]) stops the load.
    """
    given: dict[str, _Draft] = {}
    layer_drafts: list[_Draft] = []
    problems: list[Problem] = []

    def read(source: Source_) -> _Draft:
        draft, found = _read(_handle(source))
        problems.extend(found)
        if draft is None:
            raise CatalogError(problems=problems)
        return draft

    for source in sources:
        draft = read(source)
        if draft.extends is not None:
            layer_drafts.append(draft)
            continue
        if draft.id in given and given[draft.id].file != draft.file:
            problems.append(
                Problem(
                    message=f"catalog id {draft.id!r} is also defined in {given[draft.id].file}",
                    path=draft.file,
                    line=draft.meta.get("line"),
                    value=draft.id,
                )
            )
            continue
        given[draft.id] = draft
    for source in layers:
        draft = read(source)
        if draft.extends is None:
            problems.append(
                Problem(
                    message="is not a layer: its [catalog] has no 'extends'",
                    path=draft.file,
                    line=draft.meta.get("line"),
                )
            )
            continue
        layer_drafts.append(draft)
    # Bring in required catalogs (given files first, then built-ins), breadth first.
    pending = [*given.values(), *layer_drafts]
    drafts = dict(given)
    while pending:
        draft = pending.pop(0)
        needed = list(draft.meta["requires"])
        if draft.extends is not None:
            needed.append(draft.extends)
        for catalog_id in needed:
            if catalog_id in drafts:
                continue
            try:
                required = read(catalog_id)
            except UnknownCatalogError:
                what = "extends" if catalog_id == draft.extends else "requires"
                problems.append(
                    Problem(
                        message=f"{what} a catalog that is neither given nor built in",
                        path=draft.file,
                        line=draft.line("catalog", what) or draft.meta.get("line"),
                        key=what,
                        value=catalog_id,
                    )
                )
                continue
            drafts[required.id] = required
            pending.append(required)
    for layer in layer_drafts:
        if layer.extends in drafts:
            merged, found = _apply_layer(drafts[layer.extends], layer)
            problems.extend(found)
            drafts[layer.extends] = merged
    return drafts, problems


def _qualify(ref: str, own: str) -> tuple[str, str]:
    if ":" in ref:
        catalog_id, item = ref.split(":", 1)
        return catalog_id, item
    return own, ref


def _assemble(root: str, drafts: dict[str, _Draft], problems: list[Problem]) -> Catalog:
    asm = _Assembly(drafts, list(problems))
    attributes = _merge_attributes(asm)
    for condition, file, line, criterion in (c for d in drafts.values() for c in d.conditions):
        for test in (t for clause in condition.clauses for t in clause):
            _check_test(asm, test, attributes, file, line, criterion)

    frameworks: dict[str, Framework] = {}
    criteria: dict[str, Criterion] = {}
    deadlines: dict[str, Deadline] = {}
    milestones: dict[str, Milestone] = {}
    edges: dict[str, tuple[Prerequisite, ...]] = {}
    for draft in drafts.values():
        _check_meta(asm, draft)
        for item in draft.deadlines.values():
            deadline = _build_deadline(asm, draft, item)
            if deadline is not None:
                deadlines[deadline.key] = deadline
        # estimates of a built-in catalog live in criteria/estimates/<id>.toml
        from_file = apply_estimates(draft, draft.criteria, asm.problems) if draft.builtin else {}
        for item in draft.criteria.values():
            requires, valid = _prerequisites(asm, draft, item)
            edges[f"{draft.id}:{item.id}"] = requires
            built = _build_criterion(asm, draft, item, requires if valid else None)
            if built is not None and item.id in from_file:
                built = attrs.evolve(built, estimates=from_file[item.id])
            if built is not None:
                criteria[built.key] = built
    renamed: dict[str, tuple[Renamed, ...]] = {}
    for draft in drafts.values():
        for item in draft.milestones.values():
            milestone = _build_milestone(asm, draft, item, criteria)
            if milestone is not None:
                milestones[milestone.key] = milestone
        renamed[draft.id] = _build_renamed(asm, draft, criteria)
    _check_levels(asm, criteria)
    every: nx.DiGraph[str] = nx.DiGraph()
    every.add_nodes_from(edges)
    every.add_edges_from((p.key, key) for key, requires in edges.items() for p in requires)
    cycles = _find_cycles(asm, every)
    if asm.problems:
        if cycles:
            raise CycleError(cycle=cycles[0], problems=asm.problems)
        raise CatalogError(problems=asm.problems)
    graph = _build_graph(criteria)
    order = list(nx.lexicographical_topological_sort(graph))
    ordered = {key: criteria[key] for key in order}
    for draft in drafts.values():
        frameworks[draft.id] = Framework(
            id=draft.id,
            title=draft.meta["title"],
            version=_version(draft),
            path=draft.file,
            levels=tuple(level for level, _ in draft.levels),
            domains=draft.domains,
            criteria=tuple(k for k in order if ordered[k].catalog == draft.id),
            sources=draft.sources,
            bundles=draft.bundles,
            requires=tuple(draft.meta["requires"]),
            released=draft.meta["released"],
            description=draft.meta["description"],
            disclaimer=draft.meta["disclaimer"],
            notes=draft.meta["notes"],
            layers=tuple(draft.meta.get("layers", ())),
            format=draft.meta.get("format", 1),
            coverage=tuple(c for c, _, _ in draft.meta.get("coverage", ())),
            renamed=renamed.get(draft.id, ()),
            builtin=draft.builtin,
            sha256=draft.sha256,
        )
    ordered_frameworks = _dependency_order(frameworks)
    return Catalog(
        id=root,
        frameworks=ordered_frameworks,
        criteria=ordered,
        deadlines=deadlines,
        milestones=milestones,
        attributes=attributes,
        graph=nx.freeze(graph),
    )


def _version(draft: _Draft) -> str:
    version = str(draft.meta["version"])
    for layer in draft.meta.get("layers", ()):
        version += f"+{layer.id}.{layer.version}"
    return version


def _dependency_order(frameworks: dict[str, Framework]) -> dict[str, Framework]:
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(frameworks)
    for framework in frameworks.values():
        graph.add_edges_from((r, framework.id) for r in framework.requires if r in frameworks)
    try:
        order = list(nx.lexicographical_topological_sort(graph))
    except nx.NetworkXUnfeasible:
        order = sorted(frameworks)
    return {k: frameworks[k] for k in order}


def _merge_attributes(asm: _Assembly) -> dict[str, Attribute]:
    attributes = dict(STANDARD_ATTRIBUTES)
    declared_in: dict[str, str] = {}
    for draft in asm.drafts.values():
        for name, (attribute, line) in draft.attributes.items():
            if name in declared_in and attributes[name] != attribute:
                asm.problems.append(
                    Problem(
                        message=f"attribute declared differently in {declared_in[name]}",
                        path=draft.file,
                        line=line,
                        key=name,
                    )
                )
                continue
            attributes[name] = attribute
            declared_in[name] = draft.file
    return attributes


def _check_test(
    asm: _Assembly,
    test: Test,
    attributes: Mapping[str, Attribute],
    file: str,
    line: int | None,
    criterion: str | None,
) -> None:
    attribute = attributes.get(test.attribute)
    if attribute is None:
        known = ", ".join(sorted(attributes))
        asm.problems.append(
            Problem(
                message=f"condition on an unknown facility attribute (known: {known}; "
                "declare others in [attributes])",
                path=file,
                line=line,
                criterion=criterion,
                key="applies_to",
                value=test.attribute,
            )
        )
        return
    if test.op == "range":
        if attribute.type != "integer":
            asm.problems.append(
                Problem(
                    message=f"min/max needs an integer attribute; "
                    f"{test.attribute!r} is {attribute.type}",
                    path=file,
                    line=line,
                    criterion=criterion,
                    key="applies_to",
                    value=test.attribute,
                )
            )
        return
    for value in sorted(test.values, key=str):
        why = attribute.check(value)
        if why is not None:
            asm.problems.append(
                Problem(
                    message=f"condition on {test.attribute!r}: value {why}",
                    path=file,
                    line=line,
                    criterion=criterion,
                    key="applies_to",
                    value=value,
                )
            )


def _check_meta(asm: _Assembly, draft: _Draft) -> None:
    file = draft.file
    line = draft.meta.get("line")
    _check_coverage(asm, draft)
    for required in draft.meta["requires"]:
        if required == draft.id:
            asm.problems.append(
                Problem(
                    message="a catalog cannot require itself",
                    path=file,
                    line=line,
                    key="requires",
                    value=required,
                )
            )
    default = draft.meta["default_deadline"]
    if default is not None and default not in draft.deadlines:
        asm.problems.append(
            Problem(
                message=f"unknown deadline (deadlines: {', '.join(draft.deadlines) or 'none'})",
                path=file,
                line=draft.line("catalog", "default_deadline") or line,
                key="default_deadline",
                value=default,
            )
        )
    levels = {level.number: level for level, _ in draft.levels}
    listed: set[str] = set()
    for level, level_line in draft.levels:
        for bundle in level.bundles:
            listed.add(bundle)
            if bundle not in draft.bundles:
                asm.problems.append(
                    Problem(
                        message=f"level {level.number} lists an unknown bundle "
                        f"(bundles: {', '.join(draft.bundles) or 'none'})",
                        path=file,
                        line=draft.line("level", level.number - 1, "bundles") or level_line,
                        key="bundles",
                        value=bundle,
                    )
                )
    members = {i.values.get("bundle") for i in draft.criteria.values()}
    for bundle in draft.bundles:
        if bundle not in listed:
            asm.problems.append(
                Problem(
                    message="bundle is not listed by any k-of-n level",
                    path=file,
                    line=draft.line("bundles", bundle) or line,
                    key=bundle,
                )
            )
        if bundle not in members:
            asm.problems.append(
                Problem(
                    message="bundle has no criteria",
                    path=file,
                    line=draft.line("bundles", bundle) or line,
                    key=bundle,
                )
            )
    scored = {
        i.values.get("level") for i in draft.criteria.values() if i.values.get("legacy") is None
    }
    for number, level in levels.items():
        if draft.meta.get("misnumbered"):
            break
        if level.rule is not Rule.K_OF_N and number not in scored:
            asm.problems.append(
                Problem(
                    message=f"level {number} has no (non-legacy) criteria, "
                    "so every facility would earn it",
                    path=file,
                    line={lv.number: ln for lv, ln in draft.levels}.get(number),
                    key="level",
                    value=number,
                )
            )


def _check_coverage(asm: _Assembly, draft: _Draft) -> None:
    seen: dict[str, int | None] = {}
    for coverage, line, file in draft.meta.get("coverage", ()):
        if coverage.source not in draft.sources:
            asm.problems.append(
                Problem(
                    message="coverage names an unknown source "
                    f"(sources: {', '.join(draft.sources) or 'none'})",
                    path=file,
                    line=line,
                    key="source",
                    value=coverage.source,
                )
            )
        elif coverage.source in seen:
            asm.problems.append(
                Problem(
                    message=f"coverage of this source is declared twice (first on line "
                    f"{seen[coverage.source]})",
                    path=file,
                    line=line,
                    key="source",
                    value=coverage.source,
                )
            )
        seen.setdefault(coverage.source, line)


def _build_renamed(
    asm: _Assembly, draft: _Draft, criteria: Mapping[str, Criterion]
) -> tuple[Renamed, ...]:
    """Check ``[[renamed]]``: an old id is no current criterion; every successor exists."""
    out: list[Renamed] = []
    seen: set[str] = set()
    for entry, line, file in draft.meta.get("renamed", ()):
        old = entry["id"]
        problems = []
        if old in draft.criteria:
            problems.append(("an old id in [[renamed]] is still a criterion of the catalog", old))
        if old in seen:
            problems.append(("the same old id is listed twice in [[renamed]]", old))
        successors = []
        for ref in entry["successors"]:
            catalog_id, short = _qualify(ref, draft.id)
            if f"{catalog_id}:{short}" not in criteria:
                problems.append(("[[renamed]] names an unknown successor", ref))
            successors.append(f"{catalog_id}:{short}")
        for message, value in problems:
            asm.problems.append(
                Problem(message=message, path=file, line=line, criterion=old, value=value)
            )
        seen.add(old)
        if not problems:
            out.append(
                Renamed(
                    key=f"{draft.id}:{old}",
                    id=old,
                    catalog=draft.id,
                    since=entry["since"],
                    reason=entry["reason"],
                    successors=tuple(successors),
                )
            )
    return tuple(out)


def _check_citation(
    asm: _Assembly, draft: _Draft, item: _Item, citation: Citation, key: str, criterion: str | None
) -> None:
    if citation.ref is not None and citation.ref not in draft.sources:
        known = ", ".join(draft.sources) or "none"
        asm.add(
            f"cites an unknown source (sources: {known})",
            item,
            draft.file,
            key,
            criterion=criterion,
            value=citation.ref,
        )


def _build_deadline(asm: _Assembly, draft: _Draft, item: _Item) -> Deadline | None:
    values = item.values
    if any(values.get(k) is None for k in ("title", "source", "cases")) or not values["cases"]:
        return None
    _check_citation(asm, draft, item, values["source"], "source", None)
    return Deadline(
        key=f"{draft.id}:{item.id}",
        id=item.id,
        catalog=draft.id,
        title=values["title"],
        source=values["source"],
        cases=values["cases"],
    )


def _build_milestone(
    asm: _Assembly, draft: _Draft, item: _Item, criteria: Mapping[str, Criterion]
) -> Milestone | None:
    values = item.values
    if values.get("title") is None or not values.get("criteria"):
        return None
    keys = []
    for ref in values["criteria"]:
        catalog_id, short = _qualify(ref, draft.id)
        key = f"{catalog_id}:{short}"
        if key not in criteria:
            target = asm.drafts.get(catalog_id)
            if target is None or short not in target.criteria:  # else: reported on its own line
                asm.add(
                    "milestone lists an unknown criterion", item, draft.file, "criteria", value=ref
                )
            continue
        keys.append(key)
    deadline = values.get("deadline")
    if deadline is not None and deadline not in draft.deadlines:
        asm.add(
            f"unknown deadline (deadlines: {', '.join(draft.deadlines) or 'none'})",
            item,
            draft.file,
            "deadline",
            value=deadline,
        )
    return Milestone(
        key=f"{draft.id}:{item.id}",
        id=item.id,
        catalog=draft.id,
        title=values["title"],
        criteria=tuple(keys),
        deadline=f"{draft.id}:{deadline}" if deadline else None,
        description=values.get("description"),
    )


def _prerequisites(
    asm: _Assembly, draft: _Draft, item: _Item
) -> tuple[tuple[Prerequisite, ...], bool]:
    """Resolve an item's ``requires``: the valid edges, and whether all were valid."""
    requires = []
    ok = True
    for ref, citation, because in item.values.get("requires", ()):
        catalog_id, short = _qualify(ref, draft.id)
        if citation.ref is not None:
            _check_citation(asm, draft, item, citation, "requires", item.id)
        if catalog_id != draft.id and catalog_id not in draft.meta["requires"]:
            asm.add(
                f"refers to catalog {catalog_id!r}, which [catalog] requires does not list",
                item,
                draft.file,
                "requires",
                criterion=item.id,
                value=ref,
            )
            ok = False
            continue
        target = asm.drafts.get(catalog_id)
        removed = target.meta.get("removed", {}) if target is not None else {}
        if short in removed:
            file, line = removed[short]
            asm.problems.append(
                Problem(
                    message=f"removes {ref!r}, which {draft.id}:{item.id} still requires",
                    path=file,
                    line=line,
                    criterion=short,
                    value=ref,
                )
            )
            ok = False
            continue
        if target is None or short not in target.criteria:
            hint = ""
            if target is not None:
                renamed = [e for e, _, _ in target.meta.get("renamed", ())]
                successors = [e["successors"] for e in renamed if e["id"] == short]
                if successors:
                    names = ", ".join(successors[0]) or "none"
                    version = target.meta["version"]
                    hint = f" (renamed in {catalog_id} {version}; successors: {names})"
            asm.add(
                f"unknown prerequisite{hint}",
                item,
                draft.file,
                "requires",
                criterion=item.id,
                value=ref,
            )
            ok = False
            continue
        requires.append(
            Prerequisite(key=f"{catalog_id}:{short}", citation=citation, because=because)
        )
    return tuple(requires), ok


def _build_criterion(
    asm: _Assembly, draft: _Draft, item: _Item, requires: tuple[Prerequisite, ...] | None
) -> Criterion | None:
    """Check the item's references; return the criterion, or None if anything is wrong."""
    values = item.values
    cid = item.id
    ok = requires is not None
    ok &= all(values.get(key) is not None for key in _CRITERION_REQUIRED[1:])
    ok &= bool(values.get("source"))
    domain = values.get("domain")
    if domain is not None and domain not in draft.domains:
        asm.add(
            f"unknown domain (domains: {', '.join(draft.domains) or 'none'})",
            item,
            draft.file,
            "domain",
            criterion=cid,
            value=domain,
        )
        ok = False
    numbers = [level.number for level, _ in draft.levels]
    level = values.get("level")
    if level is not None and level not in numbers:
        shown = ", ".join(map(str, numbers)) or "none"
        asm.add(
            f"level {level} is not defined (levels: {shown})",
            item,
            draft.file,
            "level",
            criterion=cid,
        )
        ok = False
    bundle = values.get("bundle")
    if bundle is not None and bundle not in draft.bundles:
        asm.add(
            f"unknown bundle (bundles: {', '.join(draft.bundles) or 'none'})",
            item,
            draft.file,
            "bundle",
            criterion=cid,
            value=bundle,
        )
        ok = False
    deadline = values.get("deadline", draft.meta["default_deadline"])
    if "deadline" in values and deadline not in draft.deadlines:
        asm.add(
            f"unknown deadline (deadlines: {', '.join(draft.deadlines) or 'none'})",
            item,
            draft.file,
            "deadline",
            criterion=cid,
            value=deadline,
        )
        ok = False
    for citation in values.get("source", ()):
        _check_citation(asm, draft, item, citation, "source", cid)
    if not ok or requires is None:
        return None
    origin_file, origin_line = values.get("__origin", (item.file, item.line()))
    return Criterion(
        key=f"{draft.id}:{cid}",
        id=cid,
        catalog=draft.id,
        title=values["title"],
        domain=values["domain"],
        level=values["level"],
        weight=values.get("weight", 1.0),
        requires=requires,
        applies_to=values.get("applies_to", ALWAYS),
        deadline=f"{draft.id}:{deadline}" if deadline else None,
        min_coverage=values.get("min_coverage"),
        bundle=bundle,
        legacy=values.get("legacy"),
        central=values.get("central", False),
        accepts_not_applicable=values.get("accepts_not_applicable", True),
        estimates=values.get("estimate", ()),
        sources=values["source"],
        description=values.get("description"),
        note=values.get("note"),
        origin=f"{origin_file}:{origin_line}" if origin_line else origin_file,
    )


def _build_graph(criteria: Mapping[str, Criterion]) -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph()
    for key, c in criteria.items():
        graph.add_node(
            key,
            catalog=c.catalog,
            id=c.id,
            title=c.title.en,
            title_vi=c.title.vi,
            domain=c.domain,
            level=c.level,
            weight=c.weight,
            grade=c.grade,
            legacy=c.legacy is not None,
            applies_to=str(c.applies_to),
        )
    for key, c in criteria.items():
        for prerequisite in c.requires:
            if prerequisite.key in criteria:
                graph.add_edge(prerequisite.key, key, grade=prerequisite.citation.grade)
    _read_only_attributes(graph)
    return graph


def _read_only_attributes(graph: nx.DiGraph[str]) -> None:
    """Replace the node and edge attribute dicts of ``graph`` by read-only views.

    Loaded catalogs are cached and shared by the whole process; ``nx.freeze`` stops adding
    nodes and edges, and this stops editing their attributes (``TypeError`` on assignment).
    The graph-level dict stays a dict, empty: ``networkx.write_graphml`` pops from it.
    """
    raw = cast("Any", graph)  # networkx keeps the attribute dicts in these private tables
    nodes: dict[str, Any] = raw._node  # noqa: SLF001
    for node, data in nodes.items():
        nodes[node] = types.MappingProxyType(dict(data))
    succ: dict[str, dict[str, Any]] = raw._succ  # noqa: SLF001
    pred: dict[str, dict[str, Any]] = raw._pred  # noqa: SLF001
    for source, targets in succ.items():
        for target, data in targets.items():
            frozen = types.MappingProxyType(dict(data))
            targets[target] = frozen
            pred[target][source] = frozen


def _item_of(asm: _Assembly, key: str) -> tuple[_Draft, _Item]:
    catalog_id, short = key.split(":", 1)
    draft = asm.drafts[catalog_id]
    return draft, draft.criteria[short]


def _check_levels(asm: _Assembly, criteria: Mapping[str, Criterion]) -> None:
    for key, c in criteria.items():
        for prerequisite in c.requires:
            other = criteria.get(prerequisite.key)
            if other is None or other.catalog != c.catalog or other.level <= c.level:
                continue
            draft, item = _item_of(asm, key)
            asm.add(
                f"prerequisite {other.id!r} is at level {other.level}, "
                f"higher than this criterion's level {c.level}",
                item,
                draft.file,
                "requires",
                criterion=c.id,
                value=other.id,
            )


def _find_cycles(asm: _Assembly, graph: nx.DiGraph[str]) -> list[tuple[str, ...]]:
    cycles = []
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        if len(component) == 1:
            (node,) = component
            if not graph.has_edge(node, node):
                continue
        sub = graph.subgraph(component)
        start = min(component)
        edges = nx.find_cycle(sub, source=start)
        # find_cycle follows prerequisite -> dependent; print as "a requires b requires ..."
        nodes = [u for u, _ in edges]
        cycle = (*reversed(nodes), nodes[-1]) if len(nodes) > 1 else (nodes[0], nodes[0])
        # rotate so that the smallest key leads
        body = list(cycle[:-1])
        first = body.index(min(body))
        body = body[first:] + body[:first]
        cycle = (*body, body[0])
        cycles.append(cycle)
        draft, item = _item_of(asm, cycle[0])
        shown = " -> ".join(cycle)
        asm.add(
            f"dependency cycle: {shown} (each requires the next)",
            item,
            draft.file,
            "requires",
            criterion=item.id,
        )
    return cycles


# --------------------------------------------------------------------------- public entry point


def _paths(value: Source_ | Iterable[Source_], whole: str, item: str) -> tuple[Source_, ...]:
    """One path or id, or an iterable of them, as a tuple; ``whole``/``item`` say what is wrong."""
    if isinstance(value, str | os.PathLike):
        return (value,)
    if not isinstance(value, Iterable):
        raise UnknownCatalogError(whole, value=repr(value))
    found = tuple(value)
    for one in found:
        if not isinstance(one, str | os.PathLike):
            raise UnknownCatalogError(item, value=repr(one))
    return found


def _as_sources(source: Source_ | Iterable[Source_]) -> tuple[Source_, ...]:
    sources = _paths(
        source,
        "a catalog is a built-in id, a file path, or a list of them",
        "a catalog is a built-in id or a file path",
    )
    if not sources:
        raise UnknownCatalogError("no catalog given")
    return sources


def _as_layers(layers: Source_ | Iterable[Source_]) -> tuple[Source_, ...]:
    return _paths(layers, "layers are file paths (or one path)", "a layer is a file path")


@functools.lru_cache(maxsize=64)
def _load_cached(
    keys: tuple[tuple[object, ...], ...], sources: tuple[Source_, ...], layers: tuple[Source_, ...]
) -> Catalog:
    del keys  # part of the cache key only: it changes when a file changes
    drafts, problems = _resolve_drafts(sources, layers)
    first, _ = _read(_handle(sources[0]))
    assert first is not None  # _resolve_drafts raised otherwise
    root = first.extends if first.extends is not None else first.id
    if root not in drafts:
        raise CatalogError(problems=problems)
    return _assemble(root, drafts, problems)


def load_catalog(
    source: Source_ | Iterable[Source_],
    *,
    layers: Source_ | Iterable[Source_] = (),
) -> Catalog:
    """Load one or more catalogs, and every catalog they require, as one validated graph.

    Parameters
    ----------
    source : str, path, or iterable of them
        A built-in catalog id (see :func:`list_catalogs`) or the path of a catalog file; several
        are loaded together. A layer file (one with ``extends``) loads the catalog it extends.
    layers : path or iterable of paths, optional
        Layer files applied, in order, over the catalogs they extend (``criteria/README.md``,
        "Layers").

    Returns
    -------
    Catalog
        Frozen; cached, so loading the same unchanged files again returns the same object.

    Raises
    ------
    readiness.errors.CatalogError
        Listing every problem of the files, each with file, line, criterion and value.
    readiness.errors.CycleError
        If prerequisites form a cycle (a ``CatalogError``; ``.cycle`` holds it).
    readiness.errors.UnknownCatalogError
        If a catalog id is neither built in nor an existing file.

    Examples
    --------
    >>> import readiness
    >>> catalog = readiness.load_catalog("vn-smart-hospital")
    >>> "vn-emr" in catalog.frameworks  # brought in by the smart-hospital catalog
    True
    >>> readiness.load_catalog("vn-smart-hospital") is catalog  # cached
    True
    """
    sources = _as_sources(source)
    layer_list = _as_layers(layers)
    keys = tuple(_handle(s).key for s in (*sources, *layer_list))
    layer_keys = keys[len(sources) :]
    for n, key in enumerate(layer_keys):
        if key in layer_keys[:n]:
            raise CatalogError("this layer is given twice", path=str(layer_list[n]))
    return _load_cached(keys, sources, layer_list)


def parse_problems(path: Source_) -> list[Problem]:
    """Return every problem of a catalog file (empty if it loads), for ``readiness validate``."""
    try:
        load_catalog(path)
    except CatalogError as error:
        return list(error.problems)
    except UnknownCatalogError as error:
        return list(error.problems)
    return []
