"""Text for people in one language: the label files and the number and date formats.

Every fixed text of the reports lives in ``labels/<lang>.toml`` beside this module (TOML read with
the standard library's :mod:`tomllib`; the format is explained at the top of ``labels/en.toml``).
The files are read once, on first use, and checked against each other: the same tables and keys
in every language, the same ``{placeholders}`` in each label, nothing but text. A translator edits
those files and never this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
import tomllib
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

import attrs

from readiness._catalog import Text
from readiness.errors import OptionError, Problem, ReadinessError

Lang = Literal["en", "vi"]
LANGS: tuple[Lang, ...] = ("en", "vi")
Cell = str | int | float | bool | None

DASH = "\u2013"  # shown for a missing value
#: Verdicts of a plan against a deadline, in the order of every table and chart.
VERDICTS = ("done", "on_track", "at_risk", "late", "no_deadline")


def check_lang(value: object) -> Lang:
    """Return ``value`` as a language code, or raise :class:`OptionError`."""
    if value == "en":
        return "en"
    if value == "vi":
        return "vi"
    raise OptionError("lang must be 'en' or 'vi'", key="lang", value=value)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@functools.cache
def label_files() -> Mapping[str, Mapping[str, Any]]:
    """Read and check ``labels/<lang>.toml`` for every language (cached, read-only)."""
    folder = resources.files("readiness.report").joinpath("labels")
    raw: dict[str, dict[str, Any]] = {
        lang: tomllib.loads(folder.joinpath(f"{lang}.toml").read_text("utf-8")) for lang in LANGS
    }
    problems: list[Problem] = []

    def check(where: str, en: Any, other: Any, lang: str) -> None:
        path = f"labels/{lang}.toml"
        if isinstance(en, Mapping):
            if not isinstance(other, Mapping):
                problems.append(Problem(message=f"[{where}] must be a table", path=path))
                return
            for key in sorted(set(en) ^ set(other)):
                side = "missing" if key in en else "not in en.toml"
                problems.append(Problem(message=f"{where}.{key}: {side}", path=path, key=key))
            for key in en:
                if key in other:
                    check(f"{where}.{key}" if where else key, en[key], other[key], lang)
        elif isinstance(en, str):
            if not isinstance(other, str):
                problems.append(Problem(message=f"{where} must be text", path=path, value=other))
            elif not where.startswith("format.") and _fields(en) != _fields(other):
                problems.append(
                    Problem(
                        message=f"{where}: placeholders {sorted(_fields(other))} differ from "
                        f"en.toml's {sorted(_fields(en))}",
                        path=path,
                    )
                )
        elif isinstance(en, list) and (
            not isinstance(other, list)
            or len(other) != len(en)
            or not all(isinstance(v, str) for v in other)
        ):
            problems.append(
                Problem(message=f"{where} must be a list of {len(en)} texts", path=path)
            )

    for lang in LANGS:
        check("", raw["en"], raw[lang], lang)
        date = raw[lang].get("format", {}).get("date", "")
        if isinstance(date, str) and not _fields(date) <= {"day", "month", "month_name", "year"}:
            problems.append(
                Problem(
                    message="format.date may use {day}, {month}, {month_name} and {year}",
                    path=f"labels/{lang}.toml",
                    value=date,
                )
            )
    if problems:
        raise ReadinessError(problems=problems)
    return MappingProxyType(raw)


def _value_key(attribute: str, key: str) -> object:
    if attribute == "has_beds":
        return key == "true"
    return key


def _labels() -> Mapping[str, Mapping[str, str]]:
    files = label_files()
    return MappingProxyType({lang: MappingProxyType(files[lang]["labels"]) for lang in LANGS})


def _value_labels() -> Mapping[str, Mapping[object, Text]]:
    files = label_files()
    out: dict[str, Mapping[object, Text]] = {}
    for attribute, values in files["en"]["values"].items():
        out[attribute] = MappingProxyType(
            {
                _value_key(attribute, key): Text(en, files["vi"]["values"][attribute][key])
                for key, en in values.items()
            }
        )
    return MappingProxyType(out)


#: Every fixed label of the reports, by language (the same keys in both), from ``labels/*.toml``.
LABELS: Mapping[str, Mapping[str, str]] = _labels()
#: Labels of facility attribute values (kind, ownership, has_beds, bed_band).
VALUE_LABELS: Mapping[str, Mapping[object, Text]] = _value_labels()


@attrs.frozen
class Fmt:
    """Labels, numbers and dates in one language."""

    lang: Lang

    @property
    def _format(self) -> Mapping[str, Any]:
        format_: Mapping[str, Any] = label_files()[self.lang]["format"]
        return format_

    def t(self, key: str, **values: object) -> str:
        """Return the label ``key``, formatted with ``values``."""
        text = LABELS[self.lang][key]
        return text.format(**values) if values else text

    def text(self, value: Text | Mapping[str, str] | str | None) -> str:
        """Pick the language of a bilingual text."""
        if value is None:
            return ""
        if isinstance(value, Text):
            return value.get(self.lang)
        if isinstance(value, Mapping):
            return str(value.get(self.lang) or value.get("en") or "")
        return value

    def num(self, value: float | None, decimals: int = 0) -> str:
        """Format a number with thousands separators (``1,234.5`` or ``1.234,5``)."""
        if value is None:
            return DASH
        text = f"{value:,.{decimals}f}"
        if text in {"-0", "-0.0", "-0.00"}:
            text = text[1:]
        format_ = self._format
        swap = {",": format_["thousands"], ".": format_["decimal"]}
        return "".join(swap.get(ch, ch) for ch in text)

    def pct(self, share: float | None, decimals: int = 1) -> str:
        """Format a share (1.037 -> ``103.7%``)."""
        return DASH if share is None else f"{self.num(100 * share, decimals)}%"

    def score(self, value: float | None) -> str:
        """Format a 0-100 score."""
        return self.t("no_score") if value is None else self.num(value, 1)

    def money(self, vnd: float | None) -> str:
        """Format an amount of VND (``292.6 bn VND`` or ``292,6 tỷ đồng``)."""
        if vnd is None:
            return DASH
        format_ = self._format
        if abs(vnd) >= 1e9:
            return str(format_["money_billion"]).format(value=self.num(vnd / 1e9, 1))
        if abs(vnd) >= 1e6:
            return str(format_["money_million"]).format(value=self.num(vnd / 1e6, 1))
        return str(format_["money"]).format(value=self.num(vnd))

    def date(self, iso: str | None) -> str:
        """Format an ISO date (``30 Sep 2025`` or ``30/09/2025``)."""
        if not iso:
            return DASH
        day = dt.date.fromisoformat(iso)
        format_ = self._format
        return str(format_["date"]).format(
            day=day.day,
            month=day.month,
            year=day.year,
            month_name=format_["months"][day.month - 1],
        )

    def period(self, name: str) -> str:
        """Format a period of a timeline: a year (``2027``) or a quarter (``2026-Q3``)."""
        if "-Q" not in name:
            return name
        year, quarter = name.split("-Q")
        return str(self._format["quarter"]).format(year=year, quarter=quarter)

    def value(self, attribute: str, value: object) -> str:
        """Label an attribute value (``kind: hospital`` -> ``Bệnh viện``)."""
        labels = VALUE_LABELS.get(attribute, {})
        if value in labels:
            return labels[value].get(self.lang)
        if value is None:
            return DASH
        if isinstance(value, bool):
            return self.t("yes" if value else "no")
        return str(value)

    def cell(self, value: Cell) -> str:
        """Format a cell of an extra section."""
        if value is None:
            return DASH
        if isinstance(value, bool):
            return self.t("yes" if value else "no")
        if isinstance(value, int):
            return self.num(value)
        if isinstance(value, float):
            if value.is_integer():
                return self.num(value)
            return self.num(value, 2).rstrip("0").rstrip(",.") or "0"
        return value
