"""Differences between two data versions of a catalog, and migration of stored assessments.

:func:`diff_catalogs` compares one catalog as loaded from two files (two data versions); given a
version map (a crosswalk file with ``kind = "version-map"``) it tells renamed, split and merged
criteria apart from plain additions and removals. :func:`migrate` carries an assessment written
against the old version into the new one.

Migration rules (documented in ``docs/crosswalks.md``, pinned by tests):

* unchanged ids keep their record;
* ``renamed``: the record moves to the new id unchanged;
* ``split`` (one old criterion into several new ones): a ``met`` or ``not_applicable`` record
  holds for every part; ``not_met``, ``partial`` and ``unknown`` say nothing of which part is
  missing, so every part becomes ``unknown`` (a data gap, reported);
* ``merged`` (several old criteria into one): ``met`` when every old record is met;
  ``not_met`` when any is not met; ``not_applicable`` when every one is; otherwise (some
  partial or unknown) ``partial`` with the mean progress of the known parts (met = 1) when at
  least one is known, else ``unknown``;
* a record of a removed criterion is dropped *and listed* in :attr:`Migration.dropped`; nothing
  is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from readiness._catalog import Catalog, Criterion
from readiness._crosswalk import Crosswalk, _frozen
from readiness._model import Assessment, Record, Status
from readiness.errors import CatalogError, OptionError, UnknownCriterionError

__all__ = [
    "CatalogDiff",
    "Change",
    "Migration",
    "Round",
    "align_history",
    "diff_catalogs",
    "migrate",
]

#: Kinds of change :func:`diff_catalogs` reports, in the order it lists them.
CHANGE_KINDS: Final = (
    "added",
    "removed",
    "renamed",
    "split",
    "merged",
    "reworded",
    "edges",
    "level",
    "weight",
    "domain",
    "deadline",
    "estimates",
    "applies_to",
)


@attrs.frozen(kw_only=True)
class Change:
    """One difference between two versions of a catalog."""

    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        """Render as ``renamed: a -> b``."""
        left = ", ".join(self.old) or "-"
        right = ", ".join(self.new) or "-"
        return f"{self.kind}: {left} -> {right}" + (f" ({self.detail})" if self.detail else "")

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "kind": self.kind,
            "old": list(self.old),
            "new": list(self.new),
            "detail": self.detail,
        }


@attrs.frozen(kw_only=True)
class CatalogDiff:
    """Every change of one catalog between two data versions."""

    catalog: str
    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    def counts(self) -> Mapping[str, int]:
        """Count changes per kind (kinds with none are left out)."""
        out: dict[str, int] = {}
        for change in self.changes:
            out[change.kind] = out.get(change.kind, 0) + 1
        return MappingProxyType(out)

    def __str__(self) -> str:
        """Render a headline and one line per change."""
        counts = ", ".join(f"{n} {kind}" for kind, n in self.counts().items()) or "no changes"
        lines = [f"{self.catalog} {self.old_version} -> {self.new_version}: {counts}"]
        lines.extend(f"  {change}" for change in self.changes)
        return "\n".join(lines)


def _own(catalog: Catalog, cid: str) -> dict[str, Criterion]:
    return {c.id: c for c in catalog.criteria.values() if c.catalog == cid}


def _requires(criterion: Criterion) -> frozenset[str]:
    return frozenset(p.key for p in criterion.requires)


def diff_catalogs(
    old: Catalog, new: Catalog, *, catalog: str | None = None, version_map: Crosswalk | None = None
) -> CatalogDiff:
    """List what changed in one catalog between two loaded versions.

    Parameters
    ----------
    old, new : Catalog
        The two versions, each loaded from its own file.
    catalog : str, optional
        Which catalog of the sets to compare (default: ``new.id``).
    version_map : Crosswalk, optional
        A version map from ``old`` to ``new``; its ``renamed``, ``split`` and ``merged``
        relations are reported as such instead of as removals and additions.

    Raises
    ------
    OptionError
        If a set does not hold the catalog, or the map is not a version map between the two.
    """
    cid = catalog or new.id
    for side, cat in (("old", old), ("new", new)):
        if cid not in cat.frameworks:
            raise OptionError(f"the {side} set has no catalog {cid!r}", key="catalog", value=cid)
    old_version = old.frameworks[cid].version
    new_version = new.frameworks[cid].version
    before = _own(old, cid)
    after = _own(new, cid)
    changes: list[Change] = []
    mapped_old: set[str] = set()
    mapped_new: set[str] = set()
    if version_map is not None:
        _check_map(version_map, cid, old_version, new_version)
        for rel in version_map.relations:
            olds = tuple(k.split(":", 1)[1] for k in rel.source)
            news = tuple(k.split(":", 1)[1] for k in rel.target)
            missing = [k for k in olds if k not in before] + [k for k in news if k not in after]
            if missing:
                raise CatalogError(
                    "the version map names a criterion the catalogs do not have",
                    path=version_map.path,
                    line=rel.line,
                    value=missing[0],
                )
            mapped_old.update(olds)
            mapped_new.update(news)
            because = rel.because or (str(rel.citation) if rel.citation else "")
            changes.append(Change(kind=rel.kind, old=olds, new=news, detail=because))
    changes.extend(
        Change(kind="removed", old=(key,), new=(), detail="")
        for key in sorted(set(before) - set(after) - mapped_old)
    )
    changes.extend(
        Change(kind="added", old=(), new=(key,), detail="")
        for key in sorted(set(after) - set(before) - mapped_new)
    )
    for key in sorted(set(before) & set(after)):
        a, b = before[key], after[key]
        if a.title != b.title:
            changes.append(Change(kind="reworded", old=(key,), new=(key,), detail=b.title.en))
        if _requires(a) != _requires(b):
            gone = sorted(_requires(a) - _requires(b))
            came = sorted(_requires(b) - _requires(a))
            detail = "; ".join(
                part
                for part in (
                    f"no longer requires {', '.join(gone)}" if gone else "",
                    f"now requires {', '.join(came)}" if came else "",
                )
                if part
            )
            changes.append(Change(kind="edges", old=(key,), new=(key,), detail=detail))
        for field in ("level", "weight", "domain", "deadline", "applies_to"):
            va, vb = getattr(a, field), getattr(b, field)
            if va != vb:
                changes.append(Change(kind=field, old=(key,), new=(key,), detail=f"{va} -> {vb}"))
        if a.estimates != b.estimates:
            changes.append(Change(kind="estimates", old=(key,), new=(key,), detail="changed"))
    order = {kind: n for n, kind in enumerate(CHANGE_KINDS)}
    changes.sort(key=lambda c: (order.get(c.kind, len(order)), c.old, c.new))
    return CatalogDiff(
        catalog=cid, old_version=old_version, new_version=new_version, changes=tuple(changes)
    )


def _check_map(version_map: Crosswalk, cid: str, old_version: str, new_version: str) -> None:
    if version_map.kind != "version-map":
        raise OptionError("not a version map", key="version_map", value=version_map.id)
    if (version_map.source_catalog, version_map.source_version) != (cid, old_version) or (
        version_map.target_catalog,
        version_map.target_version,
    ) != (cid, new_version):
        raise CatalogError(
            f"the version map goes from {version_map.source_catalog} "
            f"{version_map.source_version} to {version_map.target_catalog} "
            f"{version_map.target_version}, not {cid} {old_version} -> {new_version}",
            path=version_map.path,
            key="from",
        )


@attrs.frozen(kw_only=True)
class Migration:
    """An assessment carried from one data version of a catalog to the next.

    Attributes
    ----------
    assessment : Assessment
        The migrated assessment (qualified keys of the new version).
    old_version, new_version : str
        The versions it went from and to.
    moved : Mapping[str, tuple[str, ...]]
        New criterion -> the old criteria its record came from (renamed, split, merged).
    gaps : tuple of str
        New criteria left unknown because a split could not say which part was missing.
    dropped : tuple of str
        Old criteria whose records have no place in the new version (removed criteria).
    """

    assessment: Assessment
    old_version: str
    new_version: str
    moved: Mapping[str, tuple[str, ...]] = attrs.field(converter=_frozen)
    gaps: tuple[str, ...]
    dropped: tuple[str, ...]


def _merge(records: Iterable[Record]) -> Record | None:
    found = list(records)
    statuses = [r.status for r in found]
    if all(s is Status.MET for s in statuses):
        return Record(status=Status.MET)
    if any(s is Status.NOT_MET for s in statuses):
        return Record(status=Status.NOT_MET)
    if all(s is Status.NOT_APPLICABLE for s in statuses):
        return Record(
            status=Status.NOT_APPLICABLE, reason="every merged criterion was not applicable"
        )
    known = [
        1.0 if r.status is Status.MET else (r.progress or 0.0)
        for r in found
        if r.status in (Status.MET, Status.PARTIAL)
    ]
    if not known:
        return None
    progress = sum(known) / len(found)
    if progress >= 1.0:  # pragma: no cover - all met handled above
        return Record(status=Status.MET)
    return Record(status=Status.PARTIAL, progress=progress)


def migrate(
    assessment: Assessment,
    version_map: Crosswalk,
    *,
    new: Catalog,
    old: Catalog | None = None,
    final: bool = True,
) -> Migration:
    """Carry an assessment from the old data version of a catalog to the new one.

    Parameters
    ----------
    assessment : Assessment
        Written against ``old`` (qualified keys or short ids of the old set).
    version_map : Crosswalk
        A version map from ``old`` to ``new`` (``kind = "version-map"``).
    new : Catalog
        The new version, loaded.
    old : Catalog, optional
        The old version, when it can still be loaded: short ids are resolved against it and
        its version is checked. Without it, short ids are read as ids of the mapped catalog.
    final : bool, default True
        ``new`` holds the map's target version. :func:`align_history` passes False for the
        inner steps of a chain, whose target version is not loaded: their targets and
        carried-over records are then checked at the last step.

    Returns
    -------
    Migration

    Notes
    -----
    The rules are listed in the module documentation of :mod:`readiness._versions`. Records of
    other catalogs in the set (not the mapped one) are carried over unchanged when the new set
    holds them.
    """
    cid = version_map.source_catalog
    for side, cat in (("old", old), ("new", new)):
        if cat is not None and cid not in cat.frameworks:
            raise OptionError(f"the {side} set has no catalog {cid!r}", key="catalog", value=cid)
    old_version = old.frameworks[cid].version if old is not None else version_map.source_version
    new_version = new.frameworks[cid].version if final else version_map.target_version
    _check_map(version_map, cid, old_version, new_version)
    mapped = {key for rel in version_map.relations for key in rel.source}
    for rel in version_map.relations:
        for key in rel.target:
            if final and key not in new.criteria:
                raise CatalogError(
                    "the version map names a criterion the new catalog does not have",
                    path=version_map.path,
                    line=rel.to_line,
                    value=key,
                )
    records: dict[str, Record] = {}
    for key, record in assessment.records.items():
        if old is not None:
            try:
                qualified = old.resolve(key)
            except UnknownCriterionError:
                raise UnknownCriterionError(
                    f"assessment of {assessment.facility.id} on {assessment.date}: no such "
                    f"criterion in {cid} {old_version}",
                    value=key,
                ) from None
        elif ":" in key:
            qualified = key
        elif f"{cid}:{key}" in mapped or f"{cid}:{key}" in new.criteria:
            qualified = f"{cid}:{key}"
        else:
            qualified = new.resolve(key) if key in new else f"{cid}:{key}"
        records[qualified] = record
    out: dict[str, Record] = {}
    moved: dict[str, tuple[str, ...]] = {}
    gaps: list[str] = []
    used: set[str] = set()
    unknown = Record(status=Status.UNKNOWN)
    for rel in version_map.relations:
        used.update(rel.source)
        if rel.kind == "renamed":
            (src,) = rel.source
            (dst,) = rel.target
            if src in records:
                out[dst] = records[src]
                moved[dst] = rel.source
        elif rel.kind == "split":
            (src,) = rel.source
            record = records.get(src, unknown)
            for dst in rel.target:
                moved[dst] = rel.source
                if record.status in (Status.MET, Status.NOT_APPLICABLE):
                    out[dst] = record
                elif record.status is not Status.UNKNOWN:
                    gaps.append(dst)
        else:  # merged
            (dst,) = rel.target
            merged = _merge(records.get(src, unknown) for src in rel.source)
            moved[dst] = rel.source
            if merged is not None:
                out[dst] = merged
    dropped: list[str] = []
    for key, record in records.items():
        if key in used:
            continue
        if key in new.criteria or not final:
            out.setdefault(key, record)
        else:
            dropped.append(key)
    migrated = Assessment(facility=assessment.facility, date=assessment.date, records=out)
    return Migration(
        assessment=migrated,
        old_version=old_version,
        new_version=new_version,
        moved=moved,
        gaps=tuple(sorted(gaps)),
        dropped=tuple(sorted(dropped)),
    )


@attrs.frozen(kw_only=True)
class Round:
    """One round of a history, brought to the catalog version it is scored against.

    Attributes
    ----------
    assessment : Assessment
        The round as scored (migrated when it was written against an older version).
    written_against, scored_against : str
        The data version of the mapped catalog the round was written against, and the one
        it is scored against (the loaded catalog's).
    maps : tuple of str
        Ids of the version maps applied, oldest first (empty when none was needed).
    gaps, dropped : tuple of str
        As in :class:`Migration`, over every map applied.
    """

    assessment: Assessment
    written_against: str
    scored_against: str
    maps: tuple[str, ...]
    gaps: tuple[str, ...]
    dropped: tuple[str, ...]


def align_history(
    rounds: Iterable[tuple[Assessment, str]], catalog: Catalog, maps: Iterable[Crosswalk]
) -> tuple[Round, ...]:
    """Bring every round of a history to the loaded version of a catalog, saying which.

    Parameters
    ----------
    rounds : iterable of (Assessment, version)
        Each round with the data version of the mapped catalog it was written against.
    catalog : Catalog
        The set to score against; holds the mapped catalog at its newest version.
    maps : iterable of Crosswalk
        Version maps that chain the older versions to the loaded one (for example
        2026.11.0 -> 2026.12.0 -> 2027.1.0); each applies the rules of :func:`migrate`.

    Returns
    -------
    tuple of Round
        In the order given; ``readiness.score_many(catalog, [r.assessment for r in rounds])``
        scores them, and each round says which version it was written and scored against.

    Raises
    ------
    OptionError
        If no chain of maps leads from a round's version to the loaded one.
    """
    chain: dict[str, Crosswalk] = {}
    for vmap in maps:
        if vmap.kind != "version-map":
            raise OptionError("not a version map", key="maps", value=vmap.id)
        if chain and vmap.source_catalog != next(iter(chain.values())).source_catalog:
            raise OptionError("the maps concern different catalogs", key="maps", value=vmap.id)
        chain[vmap.source_version] = vmap
    cid = next(iter(chain.values())).source_catalog if chain else catalog.id
    if cid not in catalog.frameworks:
        raise OptionError(f"the loaded set has no catalog {cid!r}", key="catalog", value=cid)
    current = catalog.frameworks[cid].version
    out: list[Round] = []
    for assessment, written in rounds:
        steps: list[Crosswalk] = []
        version = written
        while version != current:
            step = chain.get(version)
            if step is None or step in steps:
                raise OptionError(
                    f"no chain of version maps leads from {cid} {written} to {current} "
                    f"(round of {assessment.facility.id} on {assessment.date})",
                    key="maps",
                    value=written,
                )
            steps.append(step)
            version = step.target_version
        moved = assessment
        gaps: list[str] = []
        dropped: list[str] = []
        for n, step in enumerate(steps):
            last = n == len(steps) - 1
            result = migrate(moved, step, new=catalog, final=last)
            moved = result.assessment
            gaps.extend(result.gaps)
            dropped.extend(result.dropped)
        out.append(
            Round(
                assessment=moved,
                written_against=written,
                scored_against=current,
                maps=tuple(step.id for step in steps),
                gaps=tuple(sorted(set(gaps))),
                dropped=tuple(sorted(set(dropped))),
            )
        )
    return tuple(out)
