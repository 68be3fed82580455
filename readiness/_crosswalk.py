"""Crosswalks between catalogs, and version maps between data versions of one catalog.

A crosswalk file (``criteria/crosswalks/*.toml``, format documented in
``criteria/crosswalks/README.md``) lists typed relations between the criteria of two catalogs:

``equivalent``
    Meeting one is meeting the other; the record is carried over as it is.
``covers``
    The source criterion includes the target: a met source makes the target met; anything else
    says nothing of the target.
``covered_by``
    The source is part of the target: a source that is not met (or only partly) makes the target
    not met; a met source says nothing of the target.
``overlaps``
    The two share part of their content (``share``, 0 to 1, of the target): a met source gives
    the target partial credit ``share`` (a partial source ``share`` x its progress). An overlap
    never yields a valid ``met`` on its own.

These say what a *valid* source record gives. A source record that has expired (rule 6) gives,
through every relation, an expired record.

A *version map* uses the same format between two data versions of one catalog, with the
relations ``renamed`` (one id to one id), ``split`` (one id to several) and ``merged`` (several
ids to one); :func:`migrate` applies it to stored assessments.

Rules of :func:`translate` (pinned by property tests):

1. A record the assessment already holds for a target criterion (anything but ``unknown``) is
   *direct* and is never overridden by a derived one.
2. Every derived record says it is derived: :attr:`Translation.derived` gives, per target
   criterion, the source records and relations it came from and its confidence.
3. The confidence of a derived record is the relation's confidence times the confidence of the
   source record (1 for a direct record), so it never increases along a chain of crosswalks.
4. When several relations derive a record for one target, the one with the highest confidence
   wins; between equal confidences the least favourable status wins: not met, then an expired
   record (it earns nothing, but it was once met or partly met), then the smaller partial
   progress, then met. Between two expired records the one that expired first wins; otherwise
   the first derived wins a tie.
5. ``not_applicable`` and ``unknown`` source records derive nothing: applicability is the target
   catalog's own business, and a data gap stays a data gap.
6. A derived record carries its source record's ``valid_until``, so it expires with its source
   (through a chain, the ``valid_until`` of the record the chain starts from: each link passes
   its own on). A source record that is *expired* at the assessment's date (``met`` or
   ``partial`` with ``valid_until`` before :attr:`Assessment.date`) derives, through every
   relation, an expired record: the source's status, progress and ``valid_until``, which the
   target scores as the source was scored, no credit with reason ``expired``. An expired
   certification in one framework never becomes credit in another. It does so also where a
   valid record of its status would say nothing of the target (a partial through ``covers``,
   a met through ``covered_by``, a partial of progress 0 through ``overlaps``): the array form
   (:mod:`readiness._crosswalk_matrix`), whose ``expired`` code does not say whether the
   record was met or partial, must derive the same, and of "nothing" and "expired" this errs
   toward no credit (the best case no longer counts that target met). Since an expired record
   earns nothing whether it was met or partial, the two forms give the same scores.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, cast

import attrs

from readiness._catalog import GRADES, Catalog, Citation, Grade, Text
from readiness._model import Assessment, Record, Status
from readiness._toml import Locator
from readiness.errors import CatalogError, OptionError, Problem, UnknownCriterionError

__all__ = [
    "CROSSWALK_RELATIONS",
    "VERSION_RELATIONS",
    "Crosswalk",
    "Derivation",
    "Relation",
    "Translation",
    "builtin_crosswalks",
    "crosswalks_into",
    "estimate_levels",
    "estimate_stage",
    "load_crosswalk",
    "translate",
]

RelationKind = Literal[
    "equivalent", "covers", "covered_by", "overlaps", "renamed", "split", "merged"
]
#: Relations between criteria of two different catalogs.
CROSSWALK_RELATIONS: Final = ("equivalent", "covers", "covered_by", "overlaps")
#: Relations between two data versions of one catalog.
VERSION_RELATIONS: Final = ("renamed", "split", "merged")

_TOP: Final = frozenset({"format", "crosswalk", "sources", "relation"})
_HEAD: Final = frozenset({"id", "title", "kind", "from", "to", "notes"})
_SIDE: Final = frozenset({"catalog", "version"})
_REL: Final = frozenset({"from", "to", "type", "confidence", "share", "source", "because", "note"})
_SOURCE: Final = frozenset({"title", "url", "date", "note"})
#: Largest crosswalk file read, in bytes.
MAX_BYTES: Final = 8 * 1024 * 1024


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@attrs.frozen(kw_only=True)
class Relation:
    """One typed relation between criteria (qualified keys) of two catalogs or versions."""

    kind: RelationKind
    source: tuple[str, ...]
    target: tuple[str, ...]
    confidence: float
    share: float | None = None
    citation: Citation | None = None
    because: str | None = None
    line: int | None = attrs.field(default=None, eq=False)
    from_line: int | None = attrs.field(default=None, eq=False)
    to_line: int | None = attrs.field(default=None, eq=False)

    @property
    def grade(self) -> Grade:
        """Provenance of the relation: its citation's grade, or inferred when only argued."""
        return self.citation.grade if self.citation is not None else "inferred"

    def __str__(self) -> str:
        """Render as ``a covers b (0.8)``."""
        left = ", ".join(self.source)
        right = ", ".join(self.target)
        return f"{left} {self.kind.replace('_', ' ')} {right} ({self.confidence:g})"


@attrs.frozen(kw_only=True, eq=False)
class Crosswalk:
    """A loaded crosswalk or version map.

    Attributes
    ----------
    id, title
        Identity of the file.
    kind : {"crosswalk", "version-map"}
    source_catalog, source_version, target_catalog, target_version : str
        The catalogs (and their data versions) the relations were written against.
    relations : tuple of Relation
    path : str
        Where the file was read from (``<built-in>/...`` for shipped files).
    """

    id: str
    title: Text
    kind: Literal["crosswalk", "version-map"]
    source_catalog: str
    source_version: str
    target_catalog: str
    target_version: str
    relations: tuple[Relation, ...]
    path: str
    notes: str | None = None

    def __repr__(self) -> str:
        """Show what maps to what."""
        return (
            f"<Crosswalk {self.id!r}: {self.source_catalog} {self.source_version} -> "
            f"{self.target_catalog} {self.target_version}, {len(self.relations)} relations>"
        )

    def counts(self) -> Mapping[str, int]:
        """Count relations per kind and per provenance (``cited``, ``argued``)."""
        out: dict[str, int] = {}
        for rel in self.relations:
            out[rel.kind] = out.get(rel.kind, 0) + 1
            side = "cited" if rel.citation is not None else "argued"
            out[side] = out.get(side, 0) + 1
        return MappingProxyType(out)

    def check_against(self, source: Catalog, target: Catalog) -> None:
        """Raise CatalogError unless both catalogs are at the versions the file names.

        Every relation's criteria must exist in the catalogs too.
        """
        problems: list[Problem] = []
        for side, catalog, cid, version in (
            ("from", source, self.source_catalog, self.source_version),
            ("to", target, self.target_catalog, self.target_version),
        ):
            framework = catalog.frameworks.get(cid)
            if framework is None:
                problems.append(
                    Problem(
                        message=f"'{side}' catalog {cid!r} is not in the loaded set "
                        f"({', '.join(catalog.frameworks)})",
                        path=self.path,
                        key=side,
                    )
                )
            elif _base_version(framework.version) != version:
                problems.append(
                    Problem(
                        message=f"written against {cid} {version}, but {cid} "
                        f"{framework.version} is loaded; use the version map between them",
                        path=self.path,
                        key=side,
                        value=framework.version,
                    )
                )
        if not problems:
            for rel in self.relations:
                problems.extend(
                    _unknown(self.path, rel.from_line, key, "from")
                    for key in rel.source
                    if key not in source.criteria
                )
                problems.extend(
                    _unknown(self.path, rel.to_line, key, "to")
                    for key in rel.target
                    if key not in target.criteria
                )
        if problems:
            raise CatalogError(problems=problems)


def _base_version(version: str) -> str:
    """Return a catalog's own data version without its layers (``2026.12.0+bn-emr.1``)."""
    return version.split("+", 1)[0]


def _unknown(path: str, line: int | None, key: str, side: str) -> Problem:
    return Problem(
        message=f"'{side}' names no criterion of the loaded catalog",
        path=path,
        line=line,
        key=side,
        value=key,
    )


class _Check:
    """Collects located problems of one file."""

    def __init__(self, path: str, locator: Locator) -> None:
        self.path = path
        self.locator = locator
        self.problems: list[Problem] = []

    def add(self, message: str, at: tuple[str | int, ...], **fields: Any) -> None:
        self.problems.append(
            Problem(message=message, path=self.path, line=self.locator.line(at), **fields)
        )

    def keys(
        self, table: Mapping[str, Any], allowed: frozenset[str], at: tuple[str | int, ...]
    ) -> None:
        for key in table:
            if key not in allowed:
                self.add(
                    f"unknown key (allowed: {', '.join(sorted(allowed))})", (*at, key), key=key
                )

    def text(self, table: Mapping[str, Any], key: str, at: tuple[str | int, ...]) -> str | None:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            self.add("must be non-empty text", (*at, key), key=key, value=value)
            return None
        return value


def _ids(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str) and value:
        return (value,)
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, str) and v for v in value)
        and len(set(value)) == len(value)
    ):
        return tuple(value)
    return None


def _qualify(key: str, catalog: str) -> str:
    return key if ":" in key else f"{catalog}:{key}"


def _parse(text: str, path: str) -> Crosswalk:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"malformed TOML: {exc}", path=path) from None
    except RecursionError:
        raise CatalogError("malformed TOML: nested too deeply", path=path) from None
    check = _Check(path, Locator(text))
    check.keys(raw, _TOP, ())
    if raw.get("format") != 1:
        check.add("format must be 1", ("format",), key="format", value=raw.get("format", None))
    head = raw.get("crosswalk")
    if not isinstance(head, dict):
        check.add("a [crosswalk] table is required", ("crosswalk",), key="crosswalk")
        raise CatalogError(problems=check.problems)
    check.keys(head, _HEAD, ("crosswalk",))
    cid = check.text(head, "id", ("crosswalk",))
    kind = head.get("kind", "crosswalk")
    if kind not in ("crosswalk", "version-map"):
        check.add(
            "must be 'crosswalk' or 'version-map'", ("crosswalk", "kind"), key="kind", value=kind
        )
        kind = "crosswalk"
    title = _title(head.get("title"), check)
    sides: dict[str, tuple[str, str]] = {}
    for side in ("from", "to"):
        table = head.get(side)
        if not isinstance(table, dict):
            check.add(
                "must be a table { catalog = ..., version = ... }", ("crosswalk", side), key=side
            )
            continue
        check.keys(table, _SIDE, ("crosswalk", side))
        catalog = check.text(table, "catalog", ("crosswalk", side))
        version = check.text(table, "version", ("crosswalk", side))
        if catalog and version:
            sides[side] = (catalog, version)
    if len(sides) == 2:
        same = sides["from"][0] == sides["to"][0]
        if kind == "version-map" and not same:
            check.add(
                "a version map relates two versions of one catalog",
                ("crosswalk", "to"),
                key="to",
                value=sides["to"][0],
            )
        if kind == "crosswalk" and same:
            check.add(
                "a crosswalk relates two catalogs; use kind = 'version-map'",
                ("crosswalk", "to"),
                key="to",
                value=sides["to"][0],
            )
        if same and sides["from"][1] == sides["to"][1]:
            check.add(
                "'from' and 'to' are the same version",
                ("crosswalk", "to"),
                key="to",
                value=sides["to"][1],
            )
    sources = raw.get("sources", {})
    if not isinstance(sources, dict):
        check.add("must be a table of [sources.<id>]", ("sources",), key="sources")
        sources = {}
    for sid, table in sources.items():
        if not isinstance(table, dict):
            check.add("must be a table", ("sources", sid), key=sid)
            continue
        check.keys(table, _SOURCE, ("sources", sid))
        check.text(table, "title", ("sources", sid))
    items = raw.get("relation", [])
    if not isinstance(items, list) or (not items and kind == "crosswalk"):
        # a version map may have none: every id kept its meaning between the two versions
        check.add("at least one [[relation]] is required", ("relation",), key="relation")
        items = []
    allowed = VERSION_RELATIONS if kind == "version-map" else CROSSWALK_RELATIONS
    relations: list[Relation] = []
    for i, item in enumerate(items):
        rel = _relation(item, i, check, allowed, sources, sides)
        if rel is not None:
            relations.append(rel)
    _check_consistency(relations, check)
    if check.problems or cid is None or title is None or len(sides) != 2:
        raise CatalogError(problems=check.problems)
    return Crosswalk(
        id=cid,
        title=title,
        kind=kind,
        source_catalog=sides["from"][0],
        source_version=sides["from"][1],
        target_catalog=sides["to"][0],
        target_version=sides["to"][1],
        relations=tuple(relations),
        path=path,
        notes=head.get("notes") if isinstance(head.get("notes"), str) else None,
    )


def _title(value: object, check: _Check) -> Text | None:
    if (
        isinstance(value, dict)
        and set(value) == {"en", "vi"}
        and all(isinstance(v, str) and v.strip() for v in value.values())
    ):
        return Text(en=value["en"], vi=value["vi"])
    check.add("must be { en = ..., vi = ... }", ("crosswalk", "title"), key="title", value=value)
    return None


def _relation(
    item: object,
    i: int,
    check: _Check,
    allowed: tuple[str, ...],
    sources: Mapping[str, Any],
    sides: Mapping[str, tuple[str, str]],
) -> Relation | None:
    at: tuple[str | int, ...] = ("relation", i)
    line = check.locator.line(at)
    if not isinstance(item, dict):
        check.add("must be a table", at)
        return None
    before = len(check.problems)
    check.keys(item, _REL, at)
    kind = item.get("type")
    if kind not in allowed:
        check.add(
            f"type must be one of {', '.join(allowed)}", (*at, "type"), key="type", value=kind
        )
    source = _ids(item.get("from"))
    target = _ids(item.get("to"))
    for side, ids in (("from", source), ("to", target)):
        if ids is None:
            check.add(
                "must be a criterion id or a list of distinct ids",
                (*at, side),
                key=side,
                value=item.get(side),
            )
    if kind in ("equivalent", "covers", "covered_by", "overlaps", "renamed") and (
        (source and len(source) != 1) or (target and len(target) != 1)
    ):
        check.add(f"'{kind}' relates one criterion to one criterion", at, key="to")
    if kind == "split" and target is not None and len(target) < 2:
        check.add(
            "'split' needs at least two 'to' criteria", (*at, "to"), key="to", value=item.get("to")
        )
    if kind == "split" and source is not None and len(source) != 1:
        check.add(
            "'split' has one 'from' criterion", (*at, "from"), key="from", value=item.get("from")
        )
    if kind == "merged" and source is not None and len(source) < 2:
        check.add(
            "'merged' needs at least two 'from' criteria",
            (*at, "from"),
            key="from",
            value=item.get("from"),
        )
    if kind == "merged" and target is not None and len(target) != 1:
        check.add("'merged' has one 'to' criterion", (*at, "to"), key="to", value=item.get("to"))
    confidence = item.get("confidence", 1.0 if kind in VERSION_RELATIONS else None)
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not (math.isfinite(confidence) and 0 < confidence <= 1)
    ):
        check.add(
            "confidence must be a number above 0 and at most 1",
            (*at, "confidence"),
            key="confidence",
            value=confidence,
        )
        confidence = None
    share = item.get("share")
    if kind == "overlaps":
        if (
            isinstance(share, bool)
            or not isinstance(share, int | float)
            or not (math.isfinite(share) and 0 < share < 1)
        ):
            check.add(
                "an overlap needs share, a number between 0 and 1 (exclusive)",
                (*at, "share"),
                key="share",
                value=share,
            )
    elif share is not None:
        check.add("share is only for 'overlaps'", (*at, "share"), key="share", value=share)
    citation = _citation(item.get("source"), at, check, sources)
    because = item.get("because")
    if because is not None and not (isinstance(because, str) and because.strip()):
        check.add("because must be non-empty text", (*at, "because"), key="because", value=because)
        because = None
    if citation is None and because is None and "source" not in item:
        check.add(
            'every relation needs a citation (source = {...}) or a reason (because = "...")',
            at,
            key="because",
        )
    if len(check.problems) > before or source is None or target is None or confidence is None:
        return None
    src_cat = sides.get("from", ("", ""))[0]
    dst_cat = sides.get("to", ("", ""))[0]
    qsource = tuple(_qualify(k, src_cat) for k in source)
    qtarget = tuple(_qualify(k, dst_cat) for k in target)
    if set(qsource) & set(qtarget):
        check.add(
            "a relation cannot relate a criterion to itself", at, key="to", value=item.get("to")
        )
        return None
    return Relation(
        kind=cast("RelationKind", kind),
        source=qsource,
        target=qtarget,
        confidence=float(confidence),
        share=float(cast("float", share)) if kind == "overlaps" else None,
        citation=citation,
        because=because,
        line=line,
        from_line=check.locator.line((*at, "from")),
        to_line=check.locator.line((*at, "to")),
    )


def _citation(
    value: object, at: tuple[str | int, ...], check: _Check, sources: Mapping[str, Any]
) -> Citation | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        check.add(
            "source must be a table { grade, ref, clause }",
            (*at, "source"),
            key="source",
            value=value,
        )
        return None
    check.keys(value, frozenset({"grade", "ref", "clause", "note"}), (*at, "source"))
    grade = value.get("grade")
    ref = value.get("ref")
    if grade not in GRADES:
        check.add(
            "grade must be 'primary', 'secondary' or 'inferred'",
            (*at, "source"),
            key="grade",
            value=grade,
        )
        return None
    if ref is not None and ref not in sources:
        check.add("ref names no [sources.<id>] of the file", (*at, "source"), key="ref", value=ref)
        return None
    if grade != "inferred" and ref is None:
        check.add(f"a {grade} citation needs 'ref'", (*at, "source"), key="ref")
        return None
    clause = value.get("clause")
    note = value.get("note")
    return Citation(
        grade=grade,
        ref=ref if isinstance(ref, str) else None,
        clause=clause if isinstance(clause, str) else None,
        note=note if isinstance(note, str) else None,
    )


def _check_consistency(relations: Sequence[Relation], check: _Check) -> None:
    """Reject a pair related twice, and equivalence classes with different confidences."""
    seen: dict[tuple[tuple[str, ...], tuple[str, ...]], Relation] = {}
    for rel in relations:
        pair = (rel.source, rel.target)
        if pair in seen:
            check.problems.append(
                Problem(
                    message=f"these criteria are already related at line {seen[pair].line}",
                    path=check.path,
                    line=rel.line,
                    key="to",
                    value=", ".join(rel.target),
                )
            )
        else:
            seen[pair] = rel
    # equivalence classes (within the file) must agree on their confidence
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    conf: dict[str, tuple[float, Relation]] = {}
    for rel in relations:
        if rel.kind != "equivalent":
            continue
        a, b = find(rel.source[0]), find(rel.target[0])
        known = [conf[r] for r in (a, b) if r in conf]
        if a != b:
            parent[b] = a
        root = find(a)
        for value, other in known:
            if value != rel.confidence:
                check.problems.append(
                    Problem(
                        message=f"equivalences form a class with different confidences "
                        f"({rel.confidence:g} here, {value:g} at line {other.line})",
                        path=check.path,
                        line=rel.line,
                        key="confidence",
                        value=rel.confidence,
                    )
                )
                break
        conf[root] = (rel.confidence, rel)


def load_crosswalk(source: str | Path | Traversable) -> Crosswalk:
    """Load and validate a crosswalk or version map.

    Parameters
    ----------
    source : str, Path or Traversable
        A path to a ``.toml`` file, or the id of a built-in crosswalk (see
        :func:`builtin_crosswalks`).

    Raises
    ------
    CatalogError
        Every problem of the file at once, each with its line.
    """
    if isinstance(source, str) and not source.endswith(".toml"):
        builtins = _builtin_files()
        if source not in builtins:
            known = ", ".join(sorted(builtins)) or "none"
            raise UnknownCriterionError(
                f"no built-in crosswalk of that id (built-in: {known}); "
                "name a file with its .toml extension",
                value=source,
            )
        handle: Traversable | Path = builtins[source]
        name = f"<built-in>/crosswalks/{source}.toml"
    else:
        handle = source if not isinstance(source, str) else Path(source)
        name = str(source)
    try:
        if isinstance(handle, Path) and not handle.is_file():
            raise CatalogError("not a regular file", path=name)
        with handle.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CatalogError(f"cannot read file: {exc.strerror}", path=name) from None
    if len(data) > MAX_BYTES:
        raise CatalogError(f"larger than {MAX_BYTES:,} bytes", path=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"not valid UTF-8 at byte {exc.start}", path=name) from None
    return _parse(text, name)


def _builtin_files() -> dict[str, Traversable]:
    from readiness._load import _builtin_root  # noqa: PLC0415 - shares the catalogs' root

    folder = _builtin_root() / "crosswalks"
    if not folder.is_dir():
        return {}
    return {
        item.name.removesuffix(".toml"): item
        for item in folder.iterdir()
        if item.name.endswith(".toml") and item.is_file()
    }


def builtin_crosswalks() -> tuple[str, ...]:
    """Return the ids of the crosswalks and version maps shipped with the package."""
    return tuple(sorted(_builtin_files()))


# --- translation -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Derivation:
    """How a derived record came about.

    Attributes
    ----------
    criterion : str
        The target criterion (qualified key).
    record : Record
        The derived record (its ``evidence`` says it is derived).
    confidence : float
        Relation confidence times the source record's confidence.
    sources : tuple of str
        The source criteria whose records it was derived from.
    relations : tuple of Relation
        The relations used (one, the winning one).
    crosswalk : str
        Id of the crosswalk.
    """

    criterion: str
    record: Record
    confidence: float
    sources: tuple[str, ...]
    relations: tuple[Relation, ...]
    crosswalk: str


@attrs.frozen(kw_only=True)
class Translation:
    """An assessment carried into another catalog.

    Attributes
    ----------
    assessment : Assessment
        Same facility and date; records are the direct ones plus the derived ones, keyed by
        qualified target keys.
    direct : frozenset of str
        Target criteria whose record was in the input (never overridden).
    derived : Mapping[str, Derivation]
        Target criteria whose record was derived, with how.
    """

    assessment: Assessment
    direct: frozenset[str]
    derived: Mapping[str, Derivation] = attrs.field(converter=_frozen)

    def confidence(self, criterion: str) -> float:
        """Return 1 for a direct record, the derivation's confidence, or 0 when unknown."""
        if criterion in self.direct:
            return 1.0
        found = self.derived.get(criterion)
        return found.confidence if found is not None else 0.0


#: Rule 4's order of derived records (least favourable first); an expired record ranks 1.
_ORDER: Final = {Status.NOT_MET: 0, Status.PARTIAL: 2, Status.MET: 3}
_EXPIRED_RANK: Final = 1


def _expired(record: Record, day: dt.date) -> bool:
    """Whether ``record`` is expired on ``day`` (a met or partial record past its validity)."""
    return (
        record.status in (Status.MET, Status.PARTIAL)
        and record.valid_until is not None
        and record.valid_until < day
    )


def _derive(rel: Relation, record: Record, day: dt.date) -> Record | None:
    """Apply one relation to one source record (rules in the module docstring)."""
    status = record.status
    if status in (Status.UNKNOWN, Status.NOT_APPLICABLE):
        return None
    until = record.valid_until  # rule 6: the derived record expires with its source
    if _expired(record, day):
        return Record(status=status, progress=record.progress, valid_until=until)
    if rel.kind == "equivalent":
        return Record(status=status, progress=record.progress, valid_until=until)
    if rel.kind == "covers":
        return Record(status=Status.MET, valid_until=until) if status is Status.MET else None
    if rel.kind == "covered_by":
        return None if status is Status.MET else Record(status=Status.NOT_MET, valid_until=until)
    # overlaps
    assert rel.share is not None
    if status is Status.MET:
        return Record(status=Status.PARTIAL, progress=rel.share, valid_until=until)
    if status is Status.PARTIAL and record.progress:
        return Record(
            status=Status.PARTIAL, progress=rel.share * record.progress, valid_until=until
        )
    return None


def _rank(candidate: Derivation, day: dt.date) -> tuple[float, int, float, int]:
    """Rule 4's key: higher confidence first; then the least favourable status."""
    record = candidate.record
    if _expired(record, day):
        assert record.valid_until is not None
        return (-candidate.confidence, _EXPIRED_RANK, 0.0, record.valid_until.toordinal())
    progress = record.progress if record.progress is not None else 0.0
    return (-candidate.confidence, _ORDER[record.status], progress, 0)


def translate(
    assessment: Assessment | Translation,
    crosswalk: Crosswalk | Iterable[Crosswalk],
    *,
    to: Catalog,
    source: Catalog | None = None,
) -> Translation:
    """Derive records of another catalog from an assessment, through one or more crosswalks.

    Parameters
    ----------
    assessment : Assessment or Translation
        Records of the crosswalks' source catalogs (qualified keys or short ids). A
        :class:`Translation` keeps its direct and derived records (with their confidences),
        so translations chain and several crosswalks can feed one target catalog.
    crosswalk : Crosswalk or iterable of Crosswalk
        Crosswalks (not version maps: use :func:`readiness.migrate`), applied in order; a
        later one may derive from records an earlier one derived.
    to : Catalog
        A loaded set that holds the crosswalks' target catalogs at their versions.
    source : Catalog, optional
        A loaded set holding the source catalogs, to check their versions and ids (defaults to
        ``to``, which then holds both sides).

    Returns
    -------
    Translation

    Raises
    ------
    OptionError
        If a crosswalk is a version map.
    CatalogError
        If a catalog's version is not the one a crosswalk was written against, or a relation
        names a criterion the catalogs do not have.

    Notes
    -----
    The rules are listed in the module documentation (:mod:`readiness._crosswalk`) and in
    ``docs/crosswalks.md``.
    """
    steps = (crosswalk,) if isinstance(crosswalk, Crosswalk) else tuple(crosswalk)
    origin = source if source is not None else to
    for step in steps:
        if step.kind != "crosswalk":
            raise OptionError(
                "a version map migrates assessments (readiness.migrate), it does not "
                "translate them",
                key="crosswalk",
                value=step.id,
            )
        step.check_against(origin, to)
    if isinstance(assessment, Translation):
        base = assessment.assessment
        derivations = dict(assessment.derived)
    else:
        base = assessment
        derivations = {}
    records: dict[str, Record] = {}
    for key, record in base.records.items():
        qualified = key
        if key not in to.criteria:
            with contextlib.suppress(UnknownCriterionError):
                qualified = origin.resolve(key)
        records[qualified] = record
    direct = frozenset(
        k
        for k, r in records.items()
        if k in to.criteria and r.status is not Status.UNKNOWN and k not in derivations
    )

    def confidence_of(key: str) -> float:
        if key in derivations:
            return derivations[key].confidence
        return 1.0 if key in records else 0.0

    for step in steps:
        candidates: dict[str, list[Derivation]] = {}
        for rel in step.relations:
            (src,) = rel.source
            (dst,) = rel.target
            if dst in direct or src not in records:
                continue
            derived = _derive(rel, records[src], base.date)
            weight = confidence_of(src)
            if derived is None or weight <= 0:
                continue
            confidence = rel.confidence * weight
            state = records[src].status.value
            if _expired(records[src], base.date):
                assert derived.valid_until is not None
                state += f", expired: valid until {derived.valid_until.isoformat()}"
            note = (
                f"derived from {src} ({state}) via "
                f"{rel.kind.replace('_', ' ')} in crosswalk {step.id}, "
                f"confidence {confidence:.2f}"
            )
            candidates.setdefault(dst, []).append(
                Derivation(
                    criterion=dst,
                    record=attrs.evolve(derived, evidence=note),
                    confidence=confidence,
                    sources=(src,),
                    relations=(rel,),
                    crosswalk=step.id,
                )
            )
        for dst, found in sorted(candidates.items()):
            if dst in derivations:
                found.append(derivations[dst])
            derivations[dst] = min(found, key=lambda c: _rank(c, base.date))
            records[dst] = derivations[dst].record
    out = {k: r for k, r in records.items() if k in direct}
    out.update({k: d.record for k, d in derivations.items()})
    result = Assessment(facility=base.facility, date=base.date, records=out)
    return Translation(assessment=result, direct=direct, derived=derivations)


# --- estimated levels ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LevelEstimate:
    """An estimated level (an EMRAM stage, a Circular 54 level) from direct and derived records.

    This is an estimate, not a validated stage: it rests on derived records of stated
    confidence, and unknown criteria may move it anywhere between ``worst`` and ``best``.

    Attributes
    ----------
    catalog : str
        The catalog whose level is estimated.
    level : int or None
        The level under the records as they are (unknowns earn nothing).
    worst, best : int or None
        The level if every unknown applicable criterion of the catalog turned out not met
        (``worst``) or met (``best``). ``worst == best`` means the unknowns cannot change it.
    direct, derived, unknown : int
        How many applicable criteria of the catalog have a direct record, a derived one, or none.
    confidence : float or None
        Mean confidence of the derived records (None when none is derived).
    """

    catalog: str
    level: int | None
    worst: int | None
    best: int | None
    direct: int
    derived: int
    unknown: int
    confidence: float | None

    @property
    def applicable(self) -> int:
        """Applicable criteria of the catalog."""
        return self.direct + self.derived + self.unknown

    def shares(self) -> Mapping[str, float]:
        """Share of applicable criteria that are direct, derived and unknown (0 to 1)."""
        n = self.applicable
        if n == 0:
            return MappingProxyType({"direct": 0.0, "derived": 0.0, "unknown": 0.0})
        return MappingProxyType(
            {"direct": self.direct / n, "derived": self.derived / n, "unknown": self.unknown / n}
        )

    def __str__(self) -> str:
        """Render as ``himss-emram: estimated level 2 (range 1-4; 30% derived, 50% unknown)``."""
        shares = self.shares()
        span = "" if self.worst == self.best else f" (range {self.worst}-{self.best})"
        return (
            f"{self.catalog}: estimated level {self.level}{span}; "
            f"{shares['direct']:.0%} direct, {shares['derived']:.0%} derived, "
            f"{shares['unknown']:.0%} unknown"
        )


def estimate_level(
    catalog: Catalog, assessment: Assessment | Translation, *, framework: str | None = None
) -> LevelEstimate:
    """Estimate the level of one catalog of ``catalog`` from direct and derived records.

    Parameters
    ----------
    catalog : Catalog
        A loaded set holding ``framework``.
    assessment : Assessment or Translation
        A translation gives the derived records their confidence; a plain assessment counts
        every record as direct.
    framework : str, optional
        The catalog whose level is estimated (default: ``catalog.id``).

    Returns
    -------
    LevelEstimate

    Notes
    -----
    Each bound is computed by the scoring kernel itself (:func:`readiness.score_many`, strict
    policy) on the assessment with every unknown applicable criterion of the whole set set to
    ``not_met`` (worst) or ``met`` with full coverage (best), so the range holds for the
    catalog's own level rule. A record derived through an ``overlaps`` relation shows only part
    of its criterion, so the best case counts it met too (the rest of it is unknown), unless it
    is expired (rule 6): an expired derived record counts as recorded in every case, as an
    expired direct record does. Derived records, expired ones too, count as ``derived``.
    """
    (estimate,) = estimate_levels(catalog, [assessment], framework=framework)
    return estimate


def estimate_levels(
    catalog: Catalog,
    assessments: Iterable[Assessment | Translation],
    *,
    framework: str | None = None,
) -> tuple[LevelEstimate, ...]:
    """:func:`estimate_level` for many assessments, scored in three batches."""
    from readiness._score import score_many  # noqa: PLC0415 - avoids an import cycle

    fid = framework or catalog.id
    if fid not in catalog.frameworks:
        raise OptionError(
            f"no such catalog in the loaded set ({', '.join(catalog.frameworks)})",
            key="framework",
            value=fid,
        )
    rows: list[tuple[Assessment, Assessment, Assessment]] = []
    counts: list[tuple[int, int, int, float | None]] = []
    unknown_record = Record(status=Status.UNKNOWN)
    for item in assessments:
        if isinstance(item, Translation):
            base, derived = item.assessment, item.derived
        else:
            base, derived = item, {}
        records: dict[str, Record] = {}
        for key, record in base.records.items():
            if key in catalog.criteria:
                records[key] = record
            elif key in catalog:
                records[catalog.resolve(key)] = record
        attributes = base.facility.attribute_values()
        unknown: list[str] = []
        n_direct = n_derived = n_unknown = 0
        confidences: list[float] = []
        for key, criterion in catalog.criteria.items():
            if not criterion.applies_to.matches(attributes):
                continue
            status = records.get(key, unknown_record).status
            if status is Status.UNKNOWN:
                unknown.append(key)
            if criterion.catalog != fid or status is Status.NOT_APPLICABLE:
                continue
            if status is Status.UNKNOWN:
                n_unknown += 1
            elif key in derived:
                n_derived += 1
                confidences.append(derived[key].confidence)
            else:
                n_direct += 1
        # an overlap shows part of a criterion; the rest is unknown, so the best case may meet it
        # (not an expired one: what it shows has lapsed, and it counts as recorded)
        open_keys = [
            key
            for key, derivation in derived.items()
            if key in records
            and derivation.relations[0].kind == "overlaps"
            and not _expired(records[key], base.date)
        ]
        base = attrs.evolve(base, records=records)
        worst = attrs.evolve(
            base, records={**records, **dict.fromkeys(unknown, Record(status=Status.NOT_MET))}
        )
        best = attrs.evolve(  # full coverage, so a minimum-coverage rule cannot hold it back
            base,
            records={
                **records,
                **dict.fromkeys([*unknown, *open_keys], Record(status=Status.MET, coverage=1.0)),
            },
        )
        rows.append((base, worst, best))
        mean = sum(confidences) / len(confidences) if confidences else None
        counts.append((n_direct, n_derived, n_unknown, mean))
    if not rows:
        return ()
    position = list(catalog.frameworks).index(fid)
    levels = []
    for column in range(3):
        table = score_many(catalog, [row[column] for row in rows])
        levels.append([None if v < 0 else int(v) for v in table.level[position].tolist()])
    return tuple(
        LevelEstimate(
            catalog=fid,
            level=levels[0][n],
            worst=levels[1][n],
            best=levels[2][n],
            direct=direct,
            derived=n_derived,
            unknown=n_unknown,
            confidence=mean,
        )
        for n, (direct, n_derived, n_unknown, mean) in enumerate(counts)
    )


def crosswalks_for_estimate(catalog: Catalog, framework: str) -> tuple[Crosswalk, ...]:
    """Return :func:`crosswalks_into` ``framework``, refusing a set that cannot estimate it.

    Raises
    ------
    OptionError
        If the set does not hold ``framework`` or no built-in crosswalk leads into it.
    """
    if framework not in catalog.frameworks:
        raise OptionError(
            f"load the framework with the assessed catalogs, e.g. load_catalog([..., "
            f"{framework!r}]) (loaded: {', '.join(catalog.frameworks)})",
            key="framework",
            value=framework,
        )
    crosswalks = crosswalks_into(catalog, framework)
    if not crosswalks:
        raise OptionError(
            "no built-in crosswalk leads from the loaded catalogs into this framework",
            key="framework",
            value=framework,
        )
    return crosswalks


def crosswalks_into(catalog: Catalog, framework: str) -> tuple[Crosswalk, ...]:
    """Return the built-in crosswalks from catalogs of ``catalog`` into ``framework``.

    Only crosswalks written against the loaded versions of both sides are returned, sorted by
    id, so :func:`translate` applies them in a fixed order.
    """
    found = []
    for cid in builtin_crosswalks():
        crosswalk = load_crosswalk(cid)
        if crosswalk.kind != "crosswalk" or crosswalk.target_catalog != framework:
            continue
        source = catalog.frameworks.get(crosswalk.source_catalog)
        target = catalog.frameworks.get(framework)
        if (
            source is not None
            and target is not None
            and _base_version(source.version) == crosswalk.source_version
            and _base_version(target.version) == crosswalk.target_version
        ):
            found.append(crosswalk)
    return tuple(found)


def estimate_stage(
    catalog: Catalog,
    assessments: Assessment | Iterable[Assessment],
    *,
    framework: str = "himss-emram",
) -> tuple[LevelEstimate, ...]:
    """Estimate another framework's level (by default the HIMSS EMRAM stage) of facilities.

    Translates each assessment through the built-in crosswalks into ``framework``
    (:func:`crosswalks_into`) and estimates its level with a best/worst range
    (:func:`estimate_levels`). The result is an *estimate*: reports label it so and keep it
    apart from validated stages.

    Parameters
    ----------
    catalog : Catalog
        A loaded set holding the assessed catalogs and ``framework``, for example
        ``load_catalog(["vn-emr", "himss-emram"])``.
    assessments : Assessment or iterable of Assessment
    framework : str
        The framework whose level is estimated.

    Raises
    ------
    OptionError
        If the set does not hold ``framework`` or no built-in crosswalk leads into it.
    """
    crosswalks = crosswalks_for_estimate(catalog, framework)
    items = [assessments] if isinstance(assessments, Assessment) else list(assessments)
    translated = [translate(a, crosswalks, to=catalog) for a in items]
    return estimate_levels(catalog, translated, framework=framework)
