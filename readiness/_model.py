"""Facilities, assessments and per-criterion records: frozen, validated value objects.

Validators name the field and the offending value; they raise ``ValueError`` (attrs' convention),
which the readers in :mod:`readiness.io` turn into located :class:`readiness.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterator, Mapping
from typing import Any, Final

import attrs

from readiness._catalog import KINDS, OWNERSHIPS
from readiness._unicode import nfc, nfc_data

__all__ = [
    "BED_BANDS",
    "AssessedBy",
    "Assessment",
    "Facility",
    "FrozenDict",
    "Record",
    "Status",
    "bed_band",
]

AttributeValue = str | int | float | bool

#: Bed bands ``(lowest, highest or None, label)``, roughly a factor 3 apart: used to group
#: facilities in summaries (``bed_band``) and in peer profiles.
BED_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 0, "no beds"),
    (1, 49, "1-49 beds"),
    (50, 149, "50-149 beds"),
    (150, 499, "150-499 beds"),
    (500, None, "500+ beds"),
)


def bed_band(beds: int) -> str:
    """Return the bed band label of a facility with ``beds`` beds.

    Examples
    --------
    >>> from readiness._model import bed_band
    >>> bed_band(0), bed_band(250), bed_band(1200)
    ('no beds', '150-499 beds', '500+ beds')
    """
    label = BED_BANDS[0][2]
    for low, _, name in BED_BANDS:
        if beds >= low:
            label = name
    return label


class Status(enum.StrEnum):
    """What an assessment says of one criterion (design rule 2)."""

    MET = "met"
    PARTIAL = "partial"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


class AssessedBy(enum.StrEnum):
    """Who vouches for a record: the facility itself, or a validation (audit, inspection)."""

    SELF = "self"
    VALIDATED = "validated"


class FrozenDict(Mapping[str, Any]):
    """An immutable, hashable mapping (used for free attributes and records)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, Any] | None = None, /) -> None:
        self._data: dict[str, Any] = dict(data or {})
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._data) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenDict({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (self._data,))


def _text(value: Any) -> Any:
    """Convert text to NFC (docs/formats.md, "Unicode"); leave other values to the validator."""
    return nfc(value) if isinstance(value, str) else value


def _attributes(value: Mapping[str, Any] | None) -> FrozenDict:
    """Freeze free attributes with their names and text values in NFC."""
    if isinstance(value, FrozenDict) and all(
        nfc(k) == k and (not isinstance(v, str) or nfc(v) == v) for k, v in value.items()
    ):
        return value
    if value is not None and not isinstance(value, Mapping):
        return value  # the validator names it
    if type(value) is dict and all(  # the readers' plain dicts of ASCII text: already NFC
        type(k) is str and k.isascii() and (type(v) is not str or v.isascii())
        for k, v in value.items()
    ):
        return FrozenDict(value)
    return FrozenDict(nfc_data(dict(value or {})))


def _choose(kind: type[enum.StrEnum], field: str, value: object) -> Any:
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value.strip().lower())
        except ValueError:
            pass
    choices = ", ".join(member.value for member in kind)
    msg = f"{field} must be one of {choices} (got {value!r})"
    raise ValueError(msg)


def _to_status(value: object) -> Status:
    """Convert ``met``, ``"MET "``, ``Status.MET``... to a :class:`Status`."""
    status: Status = _choose(Status, "status", value)
    return status


def _to_assessed_by(value: object) -> AssessedBy:
    """Convert ``self`` / ``validated`` to an :class:`AssessedBy`."""
    who: AssessedBy = _choose(AssessedBy, "assessed_by", value)
    return who


def _fraction(field: str) -> Any:
    def check(_instance: object, _attribute: object, value: float | None) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = f"{field} must be a number from 0 to 1 (got {value!r})"
            raise TypeError(msg)
        if not (math.isfinite(value) and 0 <= value <= 1):
            msg = f"{field} must be from 0 to 1 (got {value!r})"
            raise ValueError(msg)

    return check


def _optional_date(field: str) -> Any:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
            msg = f"{field} must be a date (got {value!r})"
            raise TypeError(msg)

    return check


def _optional_text(field: str) -> Any:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if value is not None and not isinstance(value, str):
            msg = f"{field} must be text (got {value!r})"
            raise TypeError(msg)

    return check


@attrs.frozen(kw_only=True)
class Record:
    """What an assessment says of one criterion.

    Parameters
    ----------
    status : Status or str
        ``met``, ``partial``, ``not_met``, ``not_applicable`` or ``unknown``.
    progress : float, optional
        Required for ``partial`` (0 to 1), not allowed otherwise.
    reason : str, optional
        Required for ``not_applicable``: why the criterion does not apply.
    coverage : float, optional
        Share of the facility actually using it (0 to 1); compared with a criterion's
        ``min_coverage``.
    evidence : str, optional
        A reference to the evidence (document number, URL).
    note : str, optional
        Free text.
    assessed_by : AssessedBy or str
        ``self`` (default) or ``validated``.
    valid_until : datetime.date, optional
        Last day the record holds; after it a ``met`` or ``partial`` record earns nothing.
    """

    status: Status = attrs.field(converter=_to_status)
    progress: float | None = attrs.field(default=None, validator=_fraction("progress"))
    reason: str | None = attrs.field(
        default=None, converter=_text, validator=_optional_text("reason")
    )
    coverage: float | None = attrs.field(default=None, validator=_fraction("coverage"))
    evidence: str | None = attrs.field(
        default=None, converter=_text, validator=_optional_text("evidence")
    )
    note: str | None = attrs.field(default=None, converter=_text, validator=_optional_text("note"))
    assessed_by: AssessedBy = attrs.field(default=AssessedBy.SELF, converter=_to_assessed_by)
    valid_until: dt.date | None = attrs.field(default=None, validator=_optional_date("valid_until"))

    def __attrs_post_init__(self) -> None:
        """Check the fields that depend on the status."""
        if self.status is Status.PARTIAL and self.progress is None:
            msg = "progress is required when status is partial (got None)"
            raise ValueError(msg)
        if self.status is not Status.PARTIAL and self.progress is not None:
            msg = f"progress is only allowed when status is partial (got {self.progress!r})"
            raise ValueError(msg)
        if self.status is Status.NOT_APPLICABLE and not (self.reason and self.reason.strip()):
            msg = f"reason is required when status is not_applicable (got {self.reason!r})"
            raise ValueError(msg)


#: The record of a criterion an assessment does not mention.
UNKNOWN_RECORD: Final = Record(status=Status.UNKNOWN)


def _facility_id(_instance: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"id must be a non-empty string (got {value!r})"
        raise ValueError(msg)
    if value != value.strip():
        # files trim their cells, so such an id would not read back equal
        msg = f"id must not start or end with spaces (got {value!r})"
        raise ValueError(msg)


def _vocabulary(field: str, allowed: tuple[str, ...]) -> Any:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if value not in allowed:
            msg = f"{field} must be one of {', '.join(allowed)} (got {value!r})"
            raise ValueError(msg)

    return check


def _beds(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"beds must be a whole number >= 0 (got {value!r})"
        raise ValueError(msg)


_STANDARD = frozenset({"id", "name", "kind", "ownership", "beds", "has_beds", "region"})


def _free_attributes(_instance: object, _attribute: object, value: Mapping[str, object]) -> None:
    for key, item in value.items():
        if key in _STANDARD:
            msg = f"attributes cannot redefine the standard field {key!r}"
            raise ValueError(msg)
        if not isinstance(item, str | int | float | bool):
            msg = f"attribute {key!r} must be text, a number or a boolean (got {item!r})"
            raise TypeError(msg)


@attrs.frozen(kw_only=True)
class Facility:
    """A health facility.

    Parameters
    ----------
    id : str
        Unique among the facilities of an analysis.
    name : str
    kind : str
        One of ``readiness.KINDS``: hospital, medical_centre, disease_control_centre, clinic,
        commune_station, other.
    ownership : str
        ``public`` or ``private``.
    beds : int
        0 for a facility without beds.
    region : str
        Province, district or any grouping used in reports.
    attributes : Mapping[str, str | int | float | bool]
        Free attributes (e.g. a hospital class) that catalogs may declare and test.
    """

    id: str = attrs.field(converter=_text, validator=_facility_id)
    name: str = attrs.field(default="", converter=_text, validator=_optional_text("name"))
    kind: str = attrs.field(validator=_vocabulary("kind", KINDS))
    ownership: str = attrs.field(validator=_vocabulary("ownership", OWNERSHIPS))
    beds: int = attrs.field(default=0, validator=_beds)
    region: str = attrs.field(default="", converter=_text, validator=_optional_text("region"))
    attributes: FrozenDict = attrs.field(
        factory=FrozenDict, converter=_attributes, validator=_free_attributes
    )

    @property
    def has_beds(self) -> bool:
        """Whether the facility has beds (``beds > 0``)."""
        return self.beds > 0

    def attribute_values(self) -> dict[str, AttributeValue]:
        """Return every attribute applicability conditions can test."""
        return {
            "kind": self.kind,
            "ownership": self.ownership,
            "beds": self.beds,
            "has_beds": self.has_beds,
            "region": self.region,
            **self.attributes,
        }


def _records(value: Mapping[str, Record | Mapping[str, Any] | str]) -> FrozenDict:
    out = {}
    for raw, record in value.items():
        if not isinstance(raw, str) or not raw:
            msg = f"record keys must be criterion ids (got {raw!r})"
            raise ValueError(msg)
        key = nfc(raw)
        if key in out:
            msg = f"two record keys are the same criterion id in different Unicode forms ({key!r})"
            raise ValueError(msg)
        if isinstance(record, Record):
            out[key] = record
        elif isinstance(record, str):
            out[key] = Record(status=record)
        elif isinstance(record, Mapping):
            out[key] = Record(**record)
        else:
            msg = f"record for {key!r} must be a Record, a status or a mapping (got {record!r})"
            raise TypeError(msg)
    return FrozenDict(out)


def _date(_instance: object, _attribute: object, value: dt.date) -> None:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        msg = f"date must be a datetime.date (got {value!r})"
        raise TypeError(msg)


def _facility(_instance: object, _attribute: object, value: Facility) -> None:
    if not isinstance(value, Facility):
        msg = f"facility must be a Facility (got {value!r})"
        raise TypeError(msg)


@attrs.frozen(kw_only=True)
class Assessment:
    """One dated assessment of a facility: a record per criterion.

    A criterion the assessment does not mention is ``unknown`` (design rule 7): it counts as a
    data gap, never silently as "no". Record keys are criterion ids as the catalog resolves them
    (qualified ``catalog-id:criterion-id`` or a short id unique in the loaded set).

    Examples
    --------
    >>> import datetime as dt
    >>> from readiness import Assessment, Facility
    >>> clinic = Facility(id="c1", kind="clinic", ownership="private")
    >>> a = Assessment(
    ...     facility=clinic,
    ...     date=dt.date(2026, 6, 1),
    ...     records={"vn.tt13.it.servers": "met"},
    ... )
    >>> a.record("vn.tt13.it.network").status
    <Status.UNKNOWN: 'unknown'>
    """

    facility: Facility = attrs.field(validator=_facility)
    date: dt.date = attrs.field(validator=_date)
    records: FrozenDict = attrs.field(factory=FrozenDict, converter=_records)

    def record(self, criterion: str) -> Record:
        """Return the record for ``criterion`` as written (unknown if absent)."""
        found: Record = self.records.get(criterion, UNKNOWN_RECORD)
        return found
