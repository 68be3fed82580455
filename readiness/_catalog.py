"""Frozen records of a loaded catalog set: criteria, levels, deadlines, conditions.

Everything here is built by :mod:`readiness._load` from validated TOML and never changes after.
Criterion keys are qualified, ``catalog-id:criterion-id``, so several catalogs share one graph.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import attrs

from readiness.errors import OptionError, UnknownCriterionError, UnknownIdError

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ACCESS",
    "ESTIMATE_PARTS",
    "GRADES",
    "KINDS",
    "MAX_COST_VND",
    "MAX_EFFORT_DAYS",
    "MAX_WEIGHT",
    "OWNERSHIPS",
    "RATIONALES",
    "STANDARD_ATTRIBUTES",
    "Attribute",
    "Bundle",
    "Catalog",
    "Citation",
    "Condition",
    "Coverage",
    "Criterion",
    "Deadline",
    "DeadlineCase",
    "Domain",
    "Estimate",
    "Framework",
    "Layer",
    "Level",
    "Milestone",
    "Prerequisite",
    "Range",
    "Renamed",
    "Rule",
    "Source",
    "Test",
    "Text",
]

Grade = Literal["primary", "secondary", "inferred"]
#: Provenance grades, firmest first.
GRADES: tuple[Grade, ...] = ("primary", "secondary", "inferred")

#: Largest criterion weight (catalogs and weight profiles): weights are relative importance.
MAX_WEIGHT = 1_000_000.0
#: Largest effort of one criterion, in calendar days (100 years).
MAX_EFFORT_DAYS = 36_500
#: Largest cost of one criterion, in VND.
MAX_COST_VND = 1e15

#: The facility kinds catalogs and facilities share.
KINDS: tuple[str, ...] = (
    "hospital",
    "medical_centre",
    "disease_control_centre",
    "clinic",
    "commune_station",
    "other",
)
#: Facility ownerships.
OWNERSHIPS: tuple[str, ...] = ("public", "private")

AttributeValue = str | int | bool


def _frozen_mapping(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Text:
    """A bilingual text (English and Vietnamese)."""

    en: str
    vi: str

    def __str__(self) -> str:
        """Return the English text."""
        return self.en

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` (``"en"`` or ``"vi"``)."""
        if lang == "vi":
            return self.vi
        if lang == "en":
            return self.en
        raise OptionError("lang must be 'en' or 'vi'", key="lang", value=lang)


def check_lang(lang: object) -> str:
    """Return ``lang`` if it is ``"en"`` or ``"vi"``; raise OptionError otherwise."""
    if lang not in ("en", "vi"):
        raise OptionError("lang must be 'en' or 'vi'", key="lang", value=lang)
    return str(lang)


@attrs.frozen(kw_only=True)
class Source:
    """A document cited by a catalog."""

    id: str
    title: str
    url: str | None = None
    date: dt.date | None = None
    note: str | None = None


@attrs.frozen(kw_only=True)
class Citation:
    """Where a statement comes from and how firm it is."""

    grade: Grade
    ref: str | None = None
    clause: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        """Render as ``tt13 Art. 2.1 [secondary]``."""
        parts = [p for p in (self.ref, self.clause) if p]
        text = " ".join(parts) if parts else "no document"
        return f"{text} [{self.grade}]"


@attrs.frozen(kw_only=True)
class Attribute:
    """A facility attribute that applicability conditions may test."""

    name: str
    type: Literal["string", "integer", "boolean"]
    values: tuple[str, ...] | None = None
    description: str | None = None

    def check(self, value: object) -> str | None:
        """Return why ``value`` is not a valid value of this attribute, or None."""
        if self.type == "boolean":
            return None if isinstance(value, bool) else "must be true or false"
        if self.type == "integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
            return None if ok else "must be an integer"
        if not isinstance(value, str):
            return "must be a string"
        if self.values is not None and value not in self.values:
            return f"must be one of {', '.join(self.values)}"
        return None


#: Attributes every facility has.
STANDARD_ATTRIBUTES: Mapping[str, Attribute] = MappingProxyType(
    {
        "kind": Attribute(name="kind", type="string", values=KINDS),
        "ownership": Attribute(name="ownership", type="string", values=OWNERSHIPS),
        "beds": Attribute(name="beds", type="integer"),
        "has_beds": Attribute(name="has_beds", type="boolean"),
        "region": Attribute(name="region", type="string"),
    }
)


@attrs.frozen(kw_only=True)
class Test:
    """One attribute test of a condition.

    ``op`` is ``"in"`` (value is one of ``values``), ``"not_in"`` or ``"range"`` (inclusive
    ``low``/``high``, either may be None).
    """

    attribute: str
    op: Literal["in", "not_in", "range"]
    values: frozenset[AttributeValue] = frozenset()
    low: int | None = None
    high: int | None = None

    def holds(self, value: object) -> bool:
        """Return whether the attribute value passes this test (a missing value never does)."""
        if value is None:
            return False
        if self.op == "in":
            return value in self.values
        if self.op == "not_in":
            return value not in self.values
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def __str__(self) -> str:
        """Render as ``kind in {hospital, clinic}`` or ``beds >= 1``."""
        if self.op == "range":
            if self.low is not None and self.high is not None:
                return f"{self.low} <= {self.attribute} <= {self.high}"
            if self.low is not None:
                return f"{self.attribute} >= {self.low}"
            return f"{self.attribute} <= {self.high}"
        shown = ", ".join(sorted(_show(v) for v in self.values))
        if len(self.values) == 1:
            verb = "is" if self.op == "in" else "is not"
            return f"{self.attribute} {verb} {shown}"
        verb = "in" if self.op == "in" else "not in"
        return f"{self.attribute} {verb} {{{shown}}}"


def _show(value: AttributeValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@attrs.frozen
class Condition:
    """Who a criterion, deadline case or estimate applies to.

    A condition is a disjunction of clauses; a clause is a conjunction of attribute tests. The
    empty condition (one empty clause) applies to every facility.
    """

    clauses: tuple[tuple[Test, ...], ...] = ((),)

    @property
    def always(self) -> bool:
        """Whether the condition matches every facility."""
        return any(not clause for clause in self.clauses)

    @property
    def attributes(self) -> frozenset[str]:
        """The attributes the condition reads."""
        return frozenset(t.attribute for clause in self.clauses for t in clause)

    def matches(self, attributes: Mapping[str, object]) -> bool:
        """Return whether a facility with these attribute values matches."""
        return any(
            all(test.holds(attributes.get(test.attribute)) for test in clause)
            for clause in self.clauses
        )

    def __str__(self) -> str:
        """Render as ``kind is hospital or (kind is medical_centre and beds >= 50)``."""
        if self.always:
            return "every facility"
        rendered = [" and ".join(str(t) for t in clause) for clause in self.clauses]
        if len(rendered) == 1:
            return rendered[0]
        return " or ".join(f"({r})" if " and " in r else r for r in rendered)


#: The condition that matches every facility.
ALWAYS = Condition()


T = TypeVar("T", float, int, dt.date)


def _ordered(instance: Range[Any], attribute: attrs.Attribute[Any], value: object) -> None:
    del attribute
    if not instance.low <= instance.likely <= instance.high:
        msg = (
            f"a range needs low <= likely <= high "
            f"(got {instance.low}, {instance.likely}, {instance.high})"
        )
        raise OptionError(msg, key="range", value=(instance.low, instance.likely, instance.high))
    del value


@attrs.frozen
class Range(Generic[T]):
    """Three-point estimate: ``low <= likely <= high`` (days, VND or dates).

    ``low`` and ``high`` are plausible bounds, not guaranteed ones; ``likely`` is the single
    figure a plan uses when it needs one (``docs/planning.md``, "Ranges").

    Examples
    --------
    >>> from readiness import Range
    >>> Range(2, 3, 5).likely
    3
    >>> Range.point(4.0)
    Range(low=4.0, likely=4.0, high=4.0)
    """

    low: T
    likely: T
    high: T = attrs.field(validator=_ordered)

    @classmethod
    def point(cls, value: T) -> Range[T]:
        """Return the range of one known value (no spread)."""
        return cls(value, value, value)

    def __iter__(self) -> Iterator[T]:
        """Yield low, likely, high."""
        return iter((self.low, self.likely, self.high))

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"low", "likely", "high"}`` (dates as ISO text)."""
        return {
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in zip(("low", "likely", "high"), self, strict=True)
        }


#: Values of an estimate that can be the authors' assumption.
ESTIMATE_PARTS: tuple[str, ...] = ("effort", "cost")


@attrs.frozen(kw_only=True)
class Estimate:
    """Effort and cost to put a criterion in place, for facilities matching ``applies_to``.

    Always an estimate: ``basis`` says where the numbers come from. ``effort`` (elapsed calendar
    days) and ``cost`` (VND) are ranges; ``effort_days`` and ``cost_vnd`` are their likely values.
    ``assumed`` names the parts (``"effort"``, ``"cost"``) that are the catalog authors'
    assumptions rather than derived from a reported figure (the basis names the figure).
    """

    effort: Range[float] | None
    cost: Range[float] | None
    basis: str
    applies_to: Condition = ALWAYS
    assumed: frozenset[str] = frozenset(ESTIMATE_PARTS)
    origin: str | None = attrs.field(default=None, eq=False)

    @property
    def effort_days(self) -> float | None:
        """Likely elapsed days (None when the estimate gives no effort)."""
        return None if self.effort is None else self.effort.likely

    @property
    def cost_vnd(self) -> float | None:
        """Likely cost in VND (None when the estimate gives no cost)."""
        return None if self.cost is None else self.cost.likely


#: How a prerequisite edge is justified: a citation of a document, a written reason
#: (``because``, graded inferred), or nothing (only format-1 files may leave an edge unargued).
Rationale = Literal["cited", "argued", "unargued"]
RATIONALES: tuple[Rationale, ...] = ("cited", "argued", "unargued")


@attrs.frozen(kw_only=True)
class Prerequisite:
    """An edge ``key -> dependent`` with the provenance of the dependency itself.

    Attributes
    ----------
    key : str
        Qualified key of the prerequisite.
    citation : Citation
        Where the dependency is stated; grade ``inferred`` when no document states it.
    because : str or None
        The catalog authors' written reason for an edge no document states.
    """

    key: str
    citation: Citation
    because: str | None = None

    @property
    def rationale(self) -> Rationale:
        """``cited`` (a primary/secondary citation), ``argued`` (a reason) or ``unargued``."""
        if self.citation.grade != "inferred":
            return "cited"
        return "argued" if self.because else "unargued"


@attrs.frozen(kw_only=True)
class Coverage:
    """How much of one source document a catalog encodes (``[[catalog.coverage]]``).

    Attributes
    ----------
    source : str
        Id of a ``[sources.<id>]`` of the catalog.
    encoded : str
        What is encoded, in words (e.g. "31 of 146 numbered criteria of Appendix I").
    share : float or None
        The authors' estimate of the encoded share, 0 to 1 (None: not estimated).
    access : str
        How the authors reached the text: ``official`` (an official or full-text copy),
        ``secondary`` (summaries or analyses only) or ``none`` (the text was not available).
    note : str or None
        What is missing and why.
    """

    source: str
    encoded: str
    access: str
    share: float | None = None
    note: str | None = None

    def __str__(self) -> str:
        """Render as ``tt54: 31 of 146 ... (~21 %, text: secondary)``."""
        share = f"~{self.share:.0%}, " if self.share is not None else ""
        return f"{self.source}: {self.encoded} ({share}text: {self.access})"

    def to_dict(self) -> dict[str, Any]:
        """Return plain data: ``source``, ``encoded``, ``share``, ``access``, ``note``."""
        return {
            "source": self.source,
            "encoded": self.encoded,
            "share": self.share,
            "access": self.access,
            "note": self.note,
        }


#: Values of ``access`` in ``[[catalog.coverage]]``.
ACCESS = ("official", "secondary", "none")


@attrs.frozen(kw_only=True)
class Renamed:
    """A criterion id of an earlier data version and what replaced it (``[[renamed]]``).

    ``successors`` are qualified keys; empty when the criterion was removed without one.
    """

    key: str
    id: str
    catalog: str
    since: str
    reason: str
    successors: tuple[str, ...] = ()

    def message(self) -> str:
        """Say what happened to the id, naming its successors."""
        if not self.successors:
            then = "it was removed without a successor"
        elif len(self.successors) == 1:
            then = f"its successor is {self.successors[0]!r}"
        else:
            then = "its successors are " + ", ".join(repr(s) for s in self.successors)
        return (
            f"criterion {self.key!r} was changed in {self.catalog} data version {self.since}: "
            f"{then} ({self.reason})"
        )


class Rule(enum.StrEnum):
    """How a level is satisfied; see ``criteria/README.md``."""

    ALL = "all"
    THRESHOLD = "threshold"
    K_OF_N = "k-of-n"


@attrs.frozen(kw_only=True)
class Level:
    """One level of a catalog's ladder (numbered from 1; level 0 is implicit)."""

    number: int
    title: Text
    rule: Rule
    threshold: float | None = None
    k: int | None = None
    bundles: tuple[str, ...] = ()
    description: Text | None = None

    def describe(self) -> str:
        """Say in words how the level is earned."""
        if self.rule is Rule.ALL:
            return "every applicable criterion of this level and below is met"
        if self.rule is Rule.THRESHOLD:
            assert self.threshold is not None
            return f"at least {self.threshold:.0%} of this level's weight is earned"
        return f"at least {self.k} of {len(self.bundles)} bundles are complete"


@attrs.frozen(kw_only=True)
class Domain:
    """An area that scores are broken down by."""

    id: str
    title: Text
    description: Text | None = None


@attrs.frozen(kw_only=True)
class Bundle:
    """A named group of criteria for k-of-n levels."""

    id: str
    title: Text


@attrs.frozen(kw_only=True)
class DeadlineCase:
    """One dated case of a deadline: facilities matching ``applies_to`` are due on ``date``."""

    date: dt.date
    applies_to: Condition = ALWAYS


@attrs.frozen(kw_only=True)
class Deadline:
    """A dated obligation whose date depends on the facility class (first matching case wins)."""

    key: str
    id: str
    catalog: str
    title: Text
    source: Citation
    cases: tuple[DeadlineCase, ...]

    def date_for(self, attributes: Mapping[str, object]) -> dt.date | None:
        """Return the date due for a facility with these attributes, or None if none applies."""
        for case in self.cases:
            if case.applies_to.matches(attributes):
                return case.date
        return None


@attrs.frozen(kw_only=True)
class Milestone:
    """A named target inside a catalog, e.g. "EMR in operation"."""

    key: str
    id: str
    catalog: str
    title: Text
    criteria: tuple[str, ...]
    deadline: str | None = None
    description: Text | None = None


@attrs.frozen(kw_only=True)
class Criterion:
    """One criterion of a catalog.

    Attributes
    ----------
    key : str
        Qualified id, ``catalog-id:criterion-id``; the node name in :attr:`Catalog.graph`.
    id : str
        Id within its catalog.
    catalog : str
        Catalog id.
    requires : tuple of Prerequisite
        Direct prerequisites (qualified keys, each with the citation of the edge).
    applies_to : Condition
        Which facilities must meet it.
    legacy : str or None
        Why the criterion is kept for history only; legacy criteria are never scored.
    central : bool
        The step can be done once, centrally, for every facility that needs it (a provincial
        database, a shared PACS or signing service); :func:`readiness.allocate` pays it once.
    accepts_not_applicable : bool
        False when a ``not_applicable`` record is never accepted for it (where its
        ``applies_to`` matches, such a record counts as not met under every policy).
    sources : tuple of Citation
        Where it comes from; :attr:`grade` is the firmest of their grades.
    origin : str or None
        ``file:line`` where it was defined (or last overridden).
    """

    key: str
    id: str
    catalog: str
    title: Text
    domain: str
    level: int
    weight: float = 1.0
    requires: tuple[Prerequisite, ...] = ()
    applies_to: Condition = ALWAYS
    deadline: str | None = None
    min_coverage: float | None = None
    bundle: str | None = None
    legacy: str | None = None
    central: bool = False
    accepts_not_applicable: bool = True
    estimates: tuple[Estimate, ...] = ()
    sources: tuple[Citation, ...] = ()
    description: Text | None = None
    note: str | None = None
    origin: str | None = attrs.field(default=None, eq=False)

    @property
    def grade(self) -> Grade:
        """The firmest provenance grade among the criterion's citations."""
        return min((c.grade for c in self.sources), key=GRADES.index, default="inferred")

    @property
    def prerequisites(self) -> tuple[str, ...]:
        """Keys of the direct prerequisites."""
        return tuple(p.key for p in self.requires)

    def estimate_for(self, attributes: Mapping[str, object]) -> Estimate | None:
        """Return the first estimate case matching a facility with these attributes."""
        for estimate in self.estimates:
            if estimate.applies_to.matches(attributes):
                return estimate
        return None


@attrs.frozen(kw_only=True)
class Layer:
    """A layer file applied over a catalog."""

    id: str
    version: str
    path: str
    sha256: str = attrs.field(default="", eq=False)  # of the file's bytes, as read

    @property
    def origin(self) -> str:
        """Say where the layer came from: ``file PATH (SHA-256 ...)``."""
        return f"file {self.path} (SHA-256 {self.sha256})"


@attrs.frozen(kw_only=True, eq=False)
class Framework:
    """One catalog file's framework inside a loaded :class:`Catalog`."""

    id: str
    title: Text
    version: str
    path: str
    levels: tuple[Level, ...]
    domains: Mapping[str, Domain] = attrs.field(converter=_frozen_mapping)
    criteria: tuple[str, ...]
    sources: Mapping[str, Source] = attrs.field(converter=_frozen_mapping, factory=dict)
    bundles: Mapping[str, Bundle] = attrs.field(converter=_frozen_mapping, factory=dict)
    requires: tuple[str, ...] = ()
    released: dt.date | None = None
    description: Text | None = None
    disclaimer: str | None = None
    notes: str | None = None
    layers: tuple[Layer, ...] = ()
    format: int = 1
    coverage: tuple[Coverage, ...] = ()
    renamed: tuple[Renamed, ...] = ()
    builtin: bool = False  # shipped with readiness (loaded by id)
    sha256: str = ""  # of the catalog file's bytes, as read

    @property
    def origin(self) -> str:
        """Say where the catalog came from: ``built-in`` or ``file PATH (SHA-256 ...)``.

        A built-in id always means the catalog shipped with readiness; any other catalog is a
        file, named with the digest of its bytes so that a report says exactly which file it
        used (:attr:`sha256` holds the digest of built-ins too).
        """
        if self.builtin:
            return "built-in"
        return f"file {self.path} (SHA-256 {self.sha256})"

    def level(self, number: int) -> Level:
        """Return level ``number`` (1-based)."""
        if not 1 <= number <= len(self.levels):
            msg = f"catalog {self.id!r} has levels 1..{len(self.levels)} (got {number!r})"
            raise ValueError(msg)
        return self.levels[number - 1]


def _short_index(catalog: Catalog) -> Mapping[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for key, criterion in catalog.criteria.items():
        index.setdefault(criterion.id, []).append(key)
    return MappingProxyType({k: tuple(v) for k, v in index.items()})


@attrs.frozen(kw_only=True, eq=False)
class Catalog:
    """A loaded set of catalogs: every criterion of them, in one dependency graph.

    Returned by :func:`readiness.load_catalog`. Immutable; compare by identity.

    Attributes
    ----------
    id : str
        The catalog that was asked for (the first one, when several were).
    frameworks : Mapping[str, Framework]
        Every catalog of the set, prerequisites first.
    criteria : Mapping[str, Criterion]
        Every criterion by qualified key, in topological order (ties broken by key).
    deadlines, milestones : Mapping
        By qualified key, ``catalog-id:id``.
    attributes : Mapping[str, Attribute]
        Facility attributes the set knows (standard ones and those the catalogs declare).
    graph : networkx.DiGraph
        Frozen; nodes are criterion keys with their attributes, edges prerequisite -> dependent.

    Notes
    -----
    :attr:`coverage` says how much of each source every catalog of the set encodes (for a
    report's "About"); :meth:`edge_rationales` counts edges that are cited, argued or unargued;
    :attr:`renamed` lists ids of earlier data versions, which :meth:`resolve` refuses with their
    successors.
    """

    id: str
    frameworks: Mapping[str, Framework] = attrs.field(converter=_frozen_mapping)
    criteria: Mapping[str, Criterion] = attrs.field(converter=_frozen_mapping)
    deadlines: Mapping[str, Deadline] = attrs.field(converter=_frozen_mapping)
    milestones: Mapping[str, Milestone] = attrs.field(converter=_frozen_mapping)
    attributes: Mapping[str, Attribute] = attrs.field(converter=_frozen_mapping)
    graph: nx.DiGraph[str] = attrs.field(repr=False)
    _short: Mapping[str, tuple[str, ...]] = attrs.field(
        init=False, repr=False, default=attrs.Factory(_short_index, takes_self=True)
    )

    @property
    def version(self) -> str:
        """Data version of the catalog that was asked for."""
        return self.frameworks[self.id].version

    @property
    def layers(self) -> tuple[Layer, ...]:
        """Every layer applied to the catalogs of the set, in order."""
        return tuple(layer for f in self.frameworks.values() for layer in f.layers)

    @property
    def versions(self) -> Mapping[str, str]:
        """Data version of every catalog in the set."""
        return MappingProxyType({k: f.version for k, f in self.frameworks.items()})

    @property
    def origins(self) -> Mapping[str, str]:
        """Where every catalog of the set came from (:attr:`Framework.origin`), by id."""
        return MappingProxyType({k: f.origin for k, f in self.frameworks.items()})

    def __len__(self) -> int:
        """Return the number of criteria in the set."""
        return len(self.criteria)

    def __iter__(self) -> Iterator[Criterion]:
        """Iterate over criteria in topological order."""
        return iter(self.criteria.values())

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` (qualified or unambiguous short id) names a criterion."""
        if not isinstance(key, str):
            return False
        return key in self.criteria or len(self._short.get(key, ())) == 1

    def __repr__(self) -> str:
        """Show the catalogs and their size."""
        parts = ", ".join(f"{k} {f.version}" for k, f in self.frameworks.items())
        return f"<Catalog {self.id!r}: {len(self.criteria)} criteria from {parts}>"

    def resolve(self, key: str) -> str:
        """Return the qualified key for ``key`` (qualified, or a short id unique in the set).

        Raises
        ------
        UnknownCriterionError
            If no criterion has that id, or a short id is ambiguous.
        """
        if key in self.criteria:
            return key
        matches = self._short.get(key, ())
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UnknownCriterionError(
                f"short id is ambiguous; write one of {', '.join(matches)}", value=key
            )
        renamed = self.renamed_from(key)
        if renamed is not None:
            raise UnknownCriterionError(renamed.message(), value=key)
        raise UnknownCriterionError(_unknown_message(key, self.criteria), value=key)

    @property
    def renamed(self) -> Mapping[str, Renamed]:
        """Criterion ids of earlier data versions (qualified) and what replaced them."""
        return MappingProxyType({r.key: r for f in self.frameworks.values() for r in f.renamed})

    def renamed_from(self, key: str) -> Renamed | None:
        """Return the ``[[renamed]]`` entry for an old id (qualified or unique short), or None."""
        table = self.renamed
        if key in table:
            return table[key]
        matches = [r for r in table.values() if r.id == key]
        return matches[0] if len(matches) == 1 else None

    @property
    def coverage(self) -> Mapping[str, tuple[Coverage, ...]]:
        """What share of its sources each catalog of the set encodes (for reports' "About")."""
        return MappingProxyType({k: f.coverage for k, f in self.frameworks.items()})

    def edge_rationales(self, catalog: str | None = None) -> Mapping[str, int]:
        """Count prerequisite edges by rationale (cited, argued, unargued).

        An edge counts for the catalog of its dependent (where it is written).
        """
        counts: dict[str, int] = dict.fromkeys(RATIONALES, 0)
        for criterion in self.criteria.values():
            if catalog is None or criterion.catalog == catalog:
                for prerequisite in criterion.requires:
                    counts[prerequisite.rationale] += 1
        return MappingProxyType(counts)

    def criterion(self, key: str) -> Criterion:
        """Return the criterion for a qualified key or an unambiguous short id."""
        return self.criteria[self.resolve(key)]

    def deadline(self, key: str) -> Deadline:
        """Return a deadline by ``catalog-id:id`` (or a short id unique in the set)."""
        return _lookup(self.deadlines, key, "deadline")

    def milestone(self, key: str) -> Milestone:
        """Return a milestone by ``catalog-id:id`` (or a short id unique in the set)."""
        return _lookup(self.milestones, key, "milestone")

    def grades(self, catalog: str | None = None) -> Mapping[str, int]:
        """Count criteria per provenance grade, for one catalog or the whole set."""
        counts: dict[str, int] = dict.fromkeys(GRADES, 0)
        for criterion in self.criteria.values():
            if catalog is None or criterion.catalog == catalog:
                counts[criterion.grade] += 1
        return MappingProxyType(counts)


def _unknown_message(key: str, known: Mapping[str, object]) -> str:
    import difflib  # noqa: PLC0415 - only on the error path

    names = list(known)
    if ":" not in key:  # a short id: compare with the short ids too
        names += [k.split(":", 1)[1] for k in known]
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.75)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"no such criterion in the loaded catalogs{hint}"


_T = TypeVar("_T", Deadline, Milestone)


def _lookup(table: Mapping[str, _T], key: str, what: str) -> _T:
    if key in table:
        return table[key]
    matches = [k for k, v in table.items() if v.id == key]
    if len(matches) == 1:
        return table[matches[0]]
    known = ", ".join(table) or "none"
    raise UnknownIdError(f"no such {what} in the loaded catalogs (known: {known})", value=key)
