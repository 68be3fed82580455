"""The :class:`Report` record and its three outputs (JSON, Markdown, HTML) and files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from readiness.errors import MissingDependencyError, OptionError
from readiness.report._charts import render_charts
from readiness.report._document import build_blocks
from readiness.report._html import render_html
from readiness.report._language import Fmt, Lang, check_lang
from readiness.report._markdown import render_markdown

#: Schema tag of :attr:`Report.data`; the number changes when a key changes meaning or goes.
SCHEMA = "readiness.report/1"


def _canonical(data: Mapping[str, Any]) -> str:
    if not isinstance(data, Mapping):
        raise OptionError("report data must be a mapping", key="data", value=type(data).__name__)
    if data.get("schema") != SCHEMA:
        raise OptionError(
            f"report data must have schema {SCHEMA!r}", key="schema", value=data.get("schema")
        )
    if data.get("kind") not in ("province", "facility"):
        raise OptionError(
            "report kind must be 'province' or 'facility'", key="kind", value=data.get("kind")
        )
    check_lang(data.get("lang"))
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise OptionError(f"report data must be plain JSON data: {error}", key="data") from None


@attrs.frozen
class Report:
    """A province or facility report: JSON-ready data and its renderings.

    Build one with :func:`province_report` or :func:`facility_report`, or read one back with
    :meth:`from_json`. Reports are immutable and compare by content.

    Parameters
    ----------
    data : Mapping
        A report record (schema :data:`SCHEMA`, see ``docs/reports.md``).
    """

    _text: str = attrs.field(alias="data", converter=_canonical, repr=False)

    @property
    def data(self) -> dict[str, Any]:
        """The report as plain data (a fresh copy: changing it does not change the report)."""
        value: dict[str, Any] = json.loads(self._text)
        return value

    @property
    def kind(self) -> str:
        """``"province"`` or ``"facility"``."""
        return str(self.data["kind"])

    @property
    def lang(self) -> Lang:
        """The language of the labels."""
        return check_lang(self.data["lang"])

    def __repr__(self) -> str:
        """Show the kind, language and title."""
        data = self.data
        return f"<Report {data['kind']} {data['lang']}: {data['title']!r}>"

    @classmethod
    def from_json(cls, text: str) -> Report:
        """Read a report back from :meth:`to_json` output."""
        return cls(json.loads(text))

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the data as JSON text (UTF-8, keys in a fixed order, ends with a newline)."""
        return json.dumps(self.data, ensure_ascii=False, indent=indent) + "\n"

    def to_markdown(self) -> str:
        """Return the report as Markdown (tables; charts are only in the HTML)."""
        data = self.data
        fmt = Fmt(check_lang(data["lang"]))
        return render_markdown(build_blocks(data, fmt), fmt)

    def to_html(self, *, charts: bool | None = None) -> str:
        """Return the report as one self-contained HTML page.

        Parameters
        ----------
        charts : bool, optional
            ``None`` (default): include charts when matplotlib is installed, else say they were
            left out. ``True``: require them (raise when matplotlib is missing). ``False``: leave
            them out.

        Raises
        ------
        readiness.errors.MissingDependencyError
            ``charts=True`` and matplotlib is not installed.
        """
        data = self.data
        fmt = Fmt(check_lang(data["lang"]))
        svgs: Mapping[str, str] = {}
        note = None
        if charts is False:
            note = fmt.t("charts_off")
        else:
            try:
                svgs = render_charts(data, fmt)
            except MissingDependencyError:
                if charts:
                    raise
                note = fmt.t("charts_missing")
        return render_html(data, build_blocks(data, fmt), fmt, svgs, note)

    def charts(self) -> dict[str, str]:
        """Return every chart as SVG text, by name (e.g. ``levels``, ``domains``, ``gantt``).

        Raises
        ------
        readiness.errors.MissingDependencyError
            matplotlib is not installed (``pip install 'readiness[plot]'``).
        """
        data = self.data
        return dict(render_charts(data, Fmt(check_lang(data["lang"]))))

    def write(
        self, folder: str | Path, stem: str, *, charts: bool | None = None
    ) -> dict[str, Path]:
        """Write ``stem.json``, ``stem.md`` and ``stem.html`` into ``folder`` (created if needed).

        Returns
        -------
        dict
            The paths written, by format (``json``, ``md``, ``html``).
        """
        if (
            not isinstance(stem, str)
            or not stem
            or Path(stem).name != stem
            or stem in {".", ".."}
            or any(ord(ch) < 32 for ch in stem)
        ):
            raise OptionError("stem is a file name without a folder", key="stem", value=stem)
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "json": out / f"{stem}.json",
            "md": out / f"{stem}.md",
            "html": out / f"{stem}.html",
        }
        texts = {
            "json": self.to_json(),
            "md": self.to_markdown(),
            "html": self.to_html(charts=charts),
        }
        for name, path in paths.items():
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(texts[name])
        return paths
