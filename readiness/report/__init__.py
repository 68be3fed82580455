"""Province and facility reports: one JSON-ready record, rendered as JSON, Markdown and HTML.

A :class:`Report` holds one plain, JSON-ready mapping (:attr:`Report.data`, schema
``readiness.report/1``, documented key by key in ``docs/reports.md``). Everything else is rendered
from that mapping, so the three outputs always agree and a report read back from its JSON renders
the same bytes:

* :meth:`Report.to_json` for machines;
* :meth:`Report.to_markdown` for people and version control (tables, no images);
* :meth:`Report.to_html`: one self-contained file (inline CSS, charts as inline SVG, no external
  URL; a Content-Security-Policy forbids fetching anything), which opens offline.

Assumptions and rules:

* *Charts* need matplotlib (``pip install 'readiness[plot]'``), imported only inside the chart
  functions. Without it the JSON and Markdown are unchanged and the HTML says the charts were
  left out; every chart's figures are also in a table, so nothing is lost.
* *Determinism.* The same input gives the same bytes: no clock is read, nothing iterates a set,
  charts use matplotlib's defaults with fixed fonts and sizes, a fixed ``svg.hashsalt`` and no
  metadata.
* *Language.* ``lang="en"`` or ``"vi"`` chooses every fixed label (:data:`LABELS`, read from the
  data files ``labels/en.toml`` and ``labels/vi.toml``) and the catalog, level, domain, deadline
  and criterion titles (their :class:`~readiness._catalog.Text`). Free text from other sources
  (facility names, catalog disclaimers, obligation names) is shown as given. Numbers and dates
  follow the language (``1,234.5`` and ``30 Sep 2025`` in English, ``1.234,5`` and
  ``30/09/2025`` in Vietnamese).
* *Provenance.* A table labelled synthetic gets a banner; costs and durations are always called
  estimates; every catalog's data version and disclaimer is printed.

Layout of the package, one concern per module:

========================  ==================================================================
``_language``             labels (``labels/*.toml``), numbers, money and dates per language
``_section``              :class:`Section`, the extra sections of a province report
``_records``              record pieces shared by both reports
``_province``             :func:`province_report`: the province record
``_facility``             :func:`facility_report`: the facility record
``_report``               :class:`Report`: the record, its outputs and files
``_blocks``               the document model (headings, paragraphs, lists, tables, charts)
``_document``             a record as blocks (title, sections, "About")
``_province_doc``         the blocks of each province section
``_facility_doc``         the blocks of each facility section
``_markdown``, ``_html``  the two renderers of blocks
``_charts``               the charts (matplotlib, SVG)
========================  ==================================================================
"""

from __future__ import annotations

from readiness.report._charts import CHART_RC
from readiness.report._facility import facility_report
from readiness.report._language import LABELS
from readiness.report._language import VALUE_LABELS as VALUE_LABELS
from readiness.report._province import MAX_FACILITIES as MAX_FACILITIES
from readiness.report._province import province_report
from readiness.report._report import SCHEMA, Report
from readiness.report._section import Section

__all__ = [
    "CHART_RC",
    "LABELS",
    "SCHEMA",
    "Report",
    "Section",
    "facility_report",
    "province_report",
]
