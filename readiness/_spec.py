"""Report specifications: a small TOML file that says what a province report contains.

``readiness report SPEC.toml -o DIR`` reads it, scores the round, plans, summarises and writes
the report in HTML, Markdown and JSON. Paths inside the file are relative to the file. The file
is data: nothing in it is executed. docs/reports.md ("The report spec, key by key") documents
every key with a worked example (docs/report-example/); a test keeps the two in step. Keys (every
other key is an error, located by line)::

    format = 1
    [report]
    title = { en = "...", vi = "..." }        # required
    label = "..."                             # provenance (a SYNTHETIC label shows a banner)
    catalog = ["vn-smart-hospital"]           # catalog ids or files (required)
    layers = ["bn-emr-layer.toml"]            # layer files
    facilities = "facilities.csv"             # required
    assessments = "assessments.csv"           # required (long or wide format)
    date = 2025-09-22                         # the round reported (default: the latest)
    compare = 2026-06-30                      # another round: change between the two
    by = ["kind", "ownership"]                # groups of the summary
    spent = "spent_vnd"                       # facility attribute of money spent
    target = "milestone:vn-emr:emr-live"      # facilities meeting it; plans toward it
    lang = "en"                               # "en" or "vi"
    stem = "report"                           # output file names (stem.html, .md, .json)
    allow_outside = false                     # true: data files may lie outside this folder

    [obligation]                              # progress against a numeric obligation
    name = "..."
    target = "milestone:vn-emr:emr-live"
    obliged = { obliged_2025 = true }         # a condition, as catalogs' applies_to
    deadline = 2025-09-30
    count_unobliged = true

    [[section]]                               # what is left for some facilities
    id = "no-beds"
    title = { en = "...", vi = "..." }
    facilities = { has_beds = false }         # which facilities (a condition)
    target = "milestone:vn-emr:emr-live"
    due = 2026-12-31                          # optional; default from the catalog

    [allocation]                              # where to spend (docs/decisions.md)
    target = "milestone:vn-emr:emr-live"
    budget = 20e9                             # VND
    facilities = { has_beds = false }
    due = 2026-12-31
    [[allocation.scenario]]                   # what-ifs, side by side
    name = "budget +20 %"
    budget_factor = 1.2

    [roadmap]                                 # a long-term roadmap, shown as a timeline
    target = "vn-smart-hospital@3"
    due = 2030-12-31
    facilities = { kind = ["hospital", "medical_centre"] }
    start = 2026-01-01
    max_parallel = 3                          # optional limits
    yearly_budget = 5e9

    [estimate]                                # an estimated stage of another framework
    framework = "himss-emram"                 # a built-in catalog reached by built-in crosswalks
    facilities = { has_beds = true }          # which facilities (a condition; default all)
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import Catalog, Condition, Text
from readiness._load import _Checker, _condition, _Fields, _Handle, _parse_text
from readiness._matrix import StatusMatrix
from readiness._model import Assessment
from readiness._scenarios import AllocationSpec, parse_allocation
from readiness._toml import Locator
from readiness.errors import CatalogError, InputError, Problem, ReadinessError

__all__ = ["ReportSpec", "read_spec", "run_spec"]

_REPORT_KEYS = {
    "title",
    "label",
    "catalog",
    "layers",
    "facilities",
    "assessments",
    "date",
    "compare",
    "by",
    "spent",
    "target",
    "lang",
    "stem",
    "allow_outside",
}


@attrs.frozen(kw_only=True)
class SectionSpec:
    """A planned section: what is left for some facilities toward a target."""

    id: str
    title: Text
    facilities: Condition
    target: str
    due: dt.date | None


@attrs.frozen(kw_only=True)
class RoadmapSpec:
    """A long-term roadmap for some facilities."""

    target: str
    due: dt.date | None
    facilities: Condition
    start: dt.date | None
    max_parallel: int | None
    yearly_budget: float | None


@attrs.frozen(kw_only=True)
class EstimateSpec:
    """An estimated-stage section (``docs/crosswalks.md``): a framework and some facilities."""

    framework: str
    facilities: Condition


@attrs.frozen(kw_only=True)
class ReportSpec:
    """A parsed report specification (see the module documentation)."""

    path: Path
    title: Text
    label: str | None
    catalog: tuple[str, ...]
    layers: tuple[str, ...]
    facilities: str
    assessments: str
    date: dt.date | None
    compare: dt.date | None
    by: tuple[str, ...]
    spent: str | None
    target: str | None
    lang: str
    stem: str
    obligation: Mapping[str, Any] | None
    sections: tuple[SectionSpec, ...]
    roadmap: RoadmapSpec | None
    allocation: AllocationSpec | None = None
    estimate: EstimateSpec | None = None
    #: Finds the line of a key, for problems found once the data is read.
    locator: Locator | None = attrs.field(default=None, eq=False, repr=False)

    def line(self, *at: str | int) -> int | None:
        """Return the line of the key at ``at`` (e.g. ``"report", "date"``) in the file."""
        return None if self.locator is None else self.locator.line(at)

    def inputs(self) -> tuple[str, ...]:
        """Every file the report reads: the spec, catalog and layer files, facilities, assessments.

        A report's outputs may not replace any of them (``readiness._files.check_output``).
        """
        from readiness._load import builtin_ids  # noqa: PLC0415

        files = [c for c in self.catalog if c not in builtin_ids()]
        return (str(self.path), *files, *self.layers, self.facilities, self.assessments)


#: A section's id: it becomes the report's ``extra`` key and the HTML anchor ``extra-<id>``.
_SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: The ``extra`` key of the ``[estimate]`` section; a ``[[section]]`` may not take it.
_ESTIMATE_ID = "estimated-stage"

#: Longest report specification read (bytes); a spec is a few kilobytes.
SPEC_LIMIT = 1 << 20


def _inside(base: Path, value: str, key: str, f: _Fields, *, allow_outside: bool) -> str:
    """Return ``value`` resolved against the spec's folder; outside it only when allowed."""
    candidate = base / value
    if not allow_outside:
        try:
            candidate.resolve(strict=False).relative_to(base.resolve(strict=False))
        except ValueError:
            f.bad(
                key,
                "path lies outside the specification's folder (set allow_outside = true in "
                "[report], or pass --allow-outside, to allow it)",
                value,
            )
        except (OSError, RuntimeError) as error:  # a symlink loop, a name too long
            f.bad(key, f"cannot use this path: {error}", value)
    return str(candidate)


def _catalog_source(base: Path, value: str, f: _Fields, *, allow_outside: bool) -> str:
    """Return a built-in id as it is; anything else must be a ``.toml`` path (beside the spec)."""
    from readiness._load import builtin_ids  # noqa: PLC0415

    if value in builtin_ids():
        return value
    if not value.endswith(".toml"):
        f.bad(
            "catalog",
            "is neither a built-in catalog id nor a file ending in .toml (built-ins: "
            + ", ".join(builtin_ids())
            + ")",
            value,
        )
        return value
    return _inside(base, value, "catalog", f, allow_outside=allow_outside)


def _facilities(
    table: Mapping[str, Any], at: tuple[str | int, ...], check: _Checker
) -> Condition | None:
    """Return the ``facilities`` condition of a section or roadmap (all when absent)."""
    if not table.get("facilities"):
        return Condition()
    return _condition(table["facilities"], (*at, "facilities"), check, None, None, "facilities")


def read_spec(path: str | Path, *, allow_outside: bool = False) -> ReportSpec:
    """Read and check a report specification; every problem is reported with its line.

    Parameters
    ----------
    path : str or Path
        The specification (TOML). Only a regular file of at most :data:`SPEC_LIMIT` bytes is read.
    allow_outside : bool
        Let the spec name data files outside its own folder (as ``allow_outside = true`` in
        ``[report]`` does). By default every file path must resolve inside the folder.
    """
    path = Path(path)
    handle = _Handle(str(path), ("spec", str(path)))
    try:
        if path.exists() and not path.is_file():
            raise InputError("the report specification is not a regular file", path=str(path))
        with path.open("rb") as stream:
            data = stream.read(SPEC_LIMIT + 1)
    except OSError as exc:
        raise InputError(
            f"cannot read the report specification: {exc.strerror}", path=str(path)
        ) from None
    if len(data) > SPEC_LIMIT:
        raise InputError(
            f"the report specification is larger than {SPEC_LIMIT:,} bytes", path=str(path)
        )
    try:
        raw, locator = _parse_text(handle, data)
    except CatalogError as error:
        raise InputError(problems=error.problems) from None
    check = _Checker(str(path), locator)
    check.keys(
        raw,
        (),
        {"format", "report", "obligation", "section", "roadmap", "allocation", "estimate"},
        ("format", "report"),
        what="the file",
    )
    version = raw.get("format")
    if not isinstance(version, int) or isinstance(version, bool) or version != 1:
        check.add(
            "unsupported format; this version reads format 1",
            ("format",),
            key="format",
            value=raw.get("format"),
        )
    report = raw.get("report", {})
    if not isinstance(report, dict):
        raise InputError("[report] must be a table", path=str(path))
    check.keys(
        report,
        ("report",),
        _REPORT_KEYS,
        ("title", "catalog", "facilities", "assessments"),
        what="[report]",
    )
    f = _Fields(check, report, ("report",))
    base = path.parent
    catalogs = report.get("catalog", [])
    catalogs = [catalogs] if isinstance(catalogs, str) else catalogs
    if not isinstance(catalogs, list) or not all(isinstance(c, str) for c in catalogs):
        f.bad("catalog", "must be a catalog id, a file, or an array of them", catalogs)
        catalogs = []
    title = f.text("title")
    lang = f.string("lang") or "en"
    if lang not in ("en", "vi"):
        f.bad("lang", "must be 'en' or 'vi'", lang)
    sections = []
    at: tuple[str | int, ...]
    tables = raw.get("section", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        check.add("must be an array of tables: write [[section]]", ("section",), key="section")
        tables = []
    seen: set[str] = set()
    for index, table in enumerate(tables):
        at = ("section", index)
        section_key = table.get("id")
        if isinstance(section_key, str) and section_key.strip():  # else: not a string (below)
            if section_key in seen:
                check.add("two sections have this id", (*at, "id"), key="id", value=section_key)
            elif not _SECTION_ID.match(section_key):
                check.add(
                    "a section id is lower-case letters, digits, '-' and '_' (it names the "
                    "section's anchor)",
                    (*at, "id"),
                    key="id",
                    value=section_key,
                )
            elif section_key == _ESTIMATE_ID:
                check.add(
                    f"{_ESTIMATE_ID!r} is the [estimate] section's id; choose another",
                    (*at, "id"),
                    key="id",
                    value=section_key,
                )
            seen.add(section_key)
        check.keys(
            table,
            at,
            {"id", "title", "facilities", "target", "due"},
            ("id", "title", "target"),
            what="[[section]]",
        )
        sf = _Fields(check, table, at)
        condition = _facilities(table, at, check)
        section_id, section_title, target = sf.string("id"), sf.text("title"), sf.string("target")
        if section_id and section_title and target and condition is not None:
            sections.append(
                SectionSpec(
                    id=section_id,
                    title=section_title,
                    facilities=condition,
                    target=target,
                    due=sf.date("due"),
                )
            )
    for name in ("roadmap", "obligation", "estimate"):
        if name in raw and not isinstance(raw[name], dict):
            check.add(f"must be a table: write [{name}]", (name,), key=name, value=raw[name])
    roadmap = None
    if isinstance(raw.get("roadmap"), dict):
        table = raw["roadmap"]
        at = ("roadmap",)
        check.keys(
            table,
            at,
            {"target", "due", "facilities", "start", "max_parallel", "yearly_budget"},
            ("target",),
            what="[roadmap]",
        )
        rf = _Fields(check, table, at)
        condition = _facilities(table, at, check)
        target = rf.string("target")
        if target and condition is not None:
            roadmap = RoadmapSpec(
                target=target,
                due=rf.date("due"),
                facilities=condition,
                start=rf.date("start"),
                max_parallel=rf.integer("max_parallel", low=1),
                yearly_budget=rf.number("yearly_budget", positive=True),
            )
    estimate = None
    if isinstance(raw.get("estimate"), dict):
        table = raw["estimate"]
        at = ("estimate",)
        check.keys(table, at, {"framework", "facilities"}, ("framework",), what="[estimate]")
        ef = _Fields(check, table, at)
        condition = _facilities(table, at, check)
        framework = ef.string("framework")
        if framework is not None:
            from readiness._load import builtin_ids  # noqa: PLC0415

            if framework not in builtin_ids():
                ef.bad(
                    "framework",
                    f"must be a built-in catalog ({', '.join(builtin_ids())})",
                    framework,
                )
            elif condition is not None:
                estimate = EstimateSpec(framework=framework, facilities=condition)
    obligation = None
    if isinstance(raw.get("obligation"), dict):
        table = raw["obligation"]
        at = ("obligation",)
        check.keys(
            table,
            at,
            {"name", "target", "obliged", "deadline", "count_unobliged"},
            ("name", "target", "obliged"),
            what="[obligation]",
        )
        of = _Fields(check, table, at)
        obliged = _condition(
            table.get("obliged", {}), (*at, "obliged"), check, None, None, "obliged"
        )
        count_unobliged = table.get("count_unobliged", True)
        if not isinstance(count_unobliged, bool):
            of.bad("count_unobliged", "must be true or false", count_unobliged)
        obligation = {
            "name": of.string("name"),
            "target": of.string("target"),
            "obliged": obliged,
            "deadline": of.date("deadline"),
            "count_unobliged": count_unobliged,
        }
    allocation = parse_allocation(raw["allocation"], check) if "allocation" in raw else None
    by = report.get("by", ["region"])
    by = [by] if isinstance(by, str) else by
    if not isinstance(by, list) or not all(isinstance(b, str) for b in by):
        f.bad("by", "must be an array of attribute names", by)
        by = []
    facilities = f.string("facilities")
    assessments = f.string("assessments")
    day, compare = f.date("date"), f.date("compare")
    spent, target = f.string("spent"), f.string("target")
    stem = f.string("stem") or "report"
    if Path(stem).name != stem or stem in {".", ".."} or any(ord(c) < 32 for c in stem):
        f.bad("stem", "stem is a file name without a folder", stem)
    label = f.string("label")
    layers = f.strings("layers")
    outside = report.get("allow_outside", False)
    if not isinstance(outside, bool):
        f.bad("allow_outside", "must be true or false", outside)
        outside = False
    allow_outside = allow_outside or outside
    catalog_sources = tuple(
        _catalog_source(base, c, f, allow_outside=allow_outside) for c in catalogs
    )
    layer_paths = tuple(_inside(base, x, "layers", f, allow_outside=allow_outside) for x in layers)
    data_paths = [
        None if name is None else _inside(base, name, key, f, allow_outside=allow_outside)
        for key, name in (("facilities", facilities), ("assessments", assessments))
    ]
    if check.problems or title is None or facilities is None or assessments is None:
        raise InputError(
            problems=check.problems
            or [Problem(message="invalid report specification", path=str(path))]
        )
    return ReportSpec(
        locator=locator,
        path=path,
        title=title,
        label=label,
        catalog=catalog_sources,
        layers=layer_paths,
        facilities=str(data_paths[0]),
        assessments=str(data_paths[1]),
        date=day,
        compare=compare,
        by=tuple(by),
        spent=spent,
        target=target,
        lang=lang,
        stem=stem,
        obligation=obligation,
        sections=tuple(sections),
        roadmap=roadmap,
        allocation=allocation,
        estimate=estimate,
    )


def _check_attributes(
    spec: ReportSpec, catalog: Catalog, facilities: Any, tables: Collection[str] | None = None
) -> None:
    """Check that every condition of the specification reads attributes the facilities have.

    ``tables`` limits the check to some tables (``{"allocation"}`` for ``readiness allocate``).
    """
    known = set(catalog.attributes) | {a for f in facilities for a in f.attributes}
    # (where in words, the key's path in the file, the condition)
    conditions: list[tuple[str, tuple[str | int, ...], Condition]] = [
        (f"section {s.id}", ("section", n, "facilities"), s.facilities)
        for n, s in enumerate(spec.sections)
    ]
    if spec.roadmap is not None:
        conditions.append(("roadmap", ("roadmap", "facilities"), spec.roadmap.facilities))
    if spec.estimate is not None:
        conditions.append(("estimate", ("estimate", "facilities"), spec.estimate.facilities))
    if spec.obligation is not None:
        conditions.append(("obligation", ("obligation", "obliged"), spec.obligation["obliged"]))
    if spec.allocation is not None:
        conditions.append(("allocation", ("allocation", "facilities"), spec.allocation.facilities))
        conditions += [
            (f"scenario {s.name}", ("allocation", "scenario", n, "exempt"), s.exempt)
            for n, s in enumerate(spec.allocation.scenarios)
            if s.exempt
        ]

    if tables is not None:
        conditions = [c for c in conditions if c[1][0] in tables]

    def problem(message: str, at: tuple[str | int, ...], value: object) -> Problem:
        line = spec.line(*at)
        key = str(at[-1])  # the condition's own key: facilities, obliged or exempt
        return Problem(message=message, path=str(spec.path), line=line, key=key, value=value)

    problems = [
        problem(
            f"{where}: condition on an attribute no facility has "
            f"(known: {', '.join(sorted(known))})",
            at,
            attribute,
        )
        for where, at, condition in conditions
        for attribute in sorted(condition.attributes - known)
    ]
    # values must fit the attribute's declared type (as in the catalogs' applies_to)
    for where, at, condition in conditions:
        for test in (t for clause in condition.clauses for t in clause):
            attribute = catalog.attributes.get(test.attribute)
            if attribute is None:
                continue
            if test.op == "range":
                if attribute.type != "integer":
                    message = (
                        f"{where}: min/max needs an integer attribute; "
                        f"{test.attribute!r} is {attribute.type}"
                    )
                    problems.append(problem(message, at, test.attribute))
                continue
            for value in sorted(test.values, key=str):
                why = attribute.check(value)
                if why is not None:
                    message = f"{where}: attribute {test.attribute!r} {why}"
                    problems.append(problem(message, at, value))
    if problems:
        raise InputError(problems=problems)


def _check_targets(
    spec: ReportSpec, catalog: Catalog, tables: Collection[str] | None = None
) -> None:
    """Check that every target of the specification (of ``tables``) is one the catalogs have.

    The problems name the file, the line and the key.
    """
    from readiness._compile import compile_catalog  # noqa: PLC0415
    from readiness._plan import Target, _resolve_target  # noqa: PLC0415

    targets: list[tuple[tuple[str | int, ...], str, dt.date | None]] = []
    if spec.target is not None:
        targets.append((("report", "target"), spec.target, None))
    if spec.obligation is not None:
        targets.append((("obligation", "target"), spec.obligation["target"], None))
    targets += [(("section", n, "target"), s.target, s.due) for n, s in enumerate(spec.sections)]
    if spec.roadmap is not None:
        targets.append((("roadmap", "target"), spec.roadmap.target, spec.roadmap.due))
    if spec.allocation is not None:
        targets.append((("allocation", "target"), spec.allocation.target, spec.allocation.due))
    if tables is not None:
        targets = [t for t in targets if t[0][0] in tables]
    compiled = compile_catalog(catalog)
    failed: list[ReadinessError] = []
    for at, text, due in targets:
        try:
            _resolve_target(catalog, compiled, Target.parse(text, due=due))
        except ReadinessError as error:
            line = spec.line(*at)
            failed.append(
                type(error)(
                    problems=[
                        attrs.evolve(p, path=str(spec.path), line=line, key="target")
                        for p in error.problems
                    ]
                )
            )
    if failed:
        kinds = {type(error) for error in failed}
        kind = kinds.pop() if len(kinds) == 1 else InputError
        raise kind(problems=[p for error in failed for p in error.problems])


def _rounds(assessments: list[Assessment]) -> dict[dt.date, list[Assessment]]:
    rounds: dict[dt.date, list[Assessment]] = {}
    for assessment in assessments:
        rounds.setdefault(assessment.date, []).append(assessment)
    return rounds


def _pick(rounds: Collection[dt.date], spec: ReportSpec, key: str) -> dt.date:
    """Return the round of ``[report]``'s ``key`` (``date`` or ``compare``); the latest if unset."""
    day: dt.date | None = getattr(spec, key)
    if day is None:
        return max(rounds)
    if day not in rounds:
        shown = ", ".join(d.isoformat() for d in sorted(rounds))
        raise InputError(
            f"no assessment round on this date (rounds: {shown})",
            path=str(spec.path),
            line=spec.line("report", key),
            key=key,
            value=day.isoformat(),
        )
    return day


#: Assessments planned at once; larger sets are planned chunk by chunk.
PLAN_CHUNK = 5_000
#: Next steps ranked per plan: none, since a province report reads plans' figures, steps and
#: dates, never a facility's ranked next steps (ranking them took a tenth of the planning).
NO_STEPS = 0


class _Clock:
    """Add the time since the last call to ``phases[name]`` (when timing is asked for)."""

    def __init__(self, phases: dict[str, float] | None) -> None:
        self.phases = phases
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.phases is not None:
            self.phases[name] = self.phases.get(name, 0.0) + now - self.last
        self.last = now


@attrs.frozen(kw_only=True)
class Outcome:
    """What ``readiness report`` made: the report and the lines it prints."""

    report: Any
    lines: tuple[str, ...]


def run_spec(
    spec: ReportSpec, *, lang: str | None = None, phases: dict[str, float] | None = None
) -> Outcome:
    """Score, plan and summarise as the specification says; return the report.

    The assessment file is read once, column by column, into one status matrix
    (:func:`readiness.io.read_status_matrix`); the round reported, the compared round and the
    facilities of every part (``[[section]]``, ``[roadmap]``, ``[estimate]``, ``[allocation]``)
    are slices of it, never rebuilt from objects. ``phases``, when given, receives the wall
    time (seconds) of each phase of the work, by name (``benchmarks/bench_report.py`` prints
    them).
    """
    from readiness import io  # noqa: PLC0415
    from readiness._load import load_catalog  # noqa: PLC0415
    from readiness._matrix import to_date  # noqa: PLC0415
    from readiness._plan import Target, plan_many  # noqa: PLC0415
    from readiness._portfolio import (  # noqa: PLC0415
        Obligation,
        PlanFigures,
        change_between,
        spent_by,
        summarize,
    )
    from readiness._score import score_many  # noqa: PLC0415
    from readiness.report import Section, province_report  # noqa: PLC0415

    clock = _Clock(phases)
    lang = lang or spec.lang
    catalog: Catalog = load_catalog(spec.catalog, layers=spec.layers)
    facilities = io.read_facilities(spec.facilities, catalog=catalog)
    _check_attributes(spec, catalog, facilities)
    _check_targets(spec, catalog)
    clock("read catalogs and facilities")
    matrix = io.read_status_matrix(spec.assessments, catalog, facilities)
    if not len(matrix):
        raise InputError("the assessments file holds no assessment", path=spec.assessments)
    days = matrix.dates.astype("datetime64[D]")
    rounds = {to_date(d) for d in np.unique(days)}
    day = _pick(rounds, spec, "date")
    other = None if spec.compare is None else _pick(rounds, spec, "compare")
    current = matrix.take(np.flatnonzero(days == np.datetime64(day, "D")))
    earlier = None if other is None else _taken(matrix, days == np.datetime64(other, "D"))
    del matrix, days  # the rounds are copies: the file's matrix is not kept
    _release_arrow_memory()
    clock("read assessments")
    # every listed facility gets a row: those not assessed in this round are "not assessed"
    table = score_many(catalog, current, facilities=facilities, as_of=day)
    whole = _whole_round(current, table)  # the table's rows as one matrix, sliced below
    del current
    if spec.label is not None:
        table = attrs.evolve(table, label=spec.label)
    obligation = None
    if spec.obligation is not None:
        obligation = Obligation(
            name=spec.obligation["name"],
            target=spec.obligation["target"],
            obliged=spec.obligation["obliged"],
            deadline=spec.obligation["deadline"],
            count_unobliged=spec.obligation["count_unobliged"],
        )
    clock("score")
    plan_target = spec.target or (None if obligation is None else obligation.target)
    plans = None
    if plan_target is not None:
        # chunk by chunk, keeping each chunk's figures only (a plan table holds several
        # numbers per criterion and row)
        plans = PlanFigures.join(
            [
                PlanFigures.of(
                    plan_many(
                        catalog, part, plan_target, k=NO_STEPS, not_applicable=table.not_applicable
                    )
                )
                for part in whole.chunks(PLAN_CHUNK)
            ]
        )
    clock("plan toward the target")
    previous = None
    if earlier is not None:
        previous = score_many(catalog, earlier)
        del earlier
        clock("score the compared round")
    summary = summarize(
        table,
        by=spec.by,
        target=spec.target,
        obligation=obligation,
        plans=plans,
        spent=spec.spent,
        previous=previous if previous is not None and other is not None and other < day else None,
    )
    if previous is not None and other is not None and other > day:
        summary = attrs.evolve(summary, change=change_between(previous, table))
    clock("summarize")
    extra: dict[str, Section] = {}
    lines = [
        f"{spec.title.get(lang)}",
        f"  round {day.isoformat()}: {int(table.assessed.sum()):,} facility-assessments; catalogs "
        + ", ".join(f"{k} {v}" for k, v in catalog.versions.items()),
    ]
    if table.not_assessed:
        from readiness._safe import terminal  # noqa: PLC0415 - ids are data, printed

        missing = table.not_assessed
        shown = ", ".join(terminal(m) for m in missing[:10])
        shown += ", ..." if len(missing) > 10 else ""
        lines.append(
            f"  not assessed in this round: {len(missing)} of "
            f"{len(facilities)} listed facilities, scored as unknown ({shown})"
        )
    if summary.obligation is not None:
        o = summary.obligation
        extra_text = (
            f" (+{o.done_unobliged} not obliged: {', '.join(o.unobliged_done)})"
            if o.done_unobliged
            else ""
        )
        rate = "-" if o.rate is None else f"{100 * o.rate:.1f}%"
        counted = o.done + o.done_unobliged if obligation and obligation.count_unobliged else o.done
        lines.append(
            f"  {o.name}: {counted} done of {o.obliged} obliged = {rate}{extra_text}; "
            f"still missing: {len(o.missing)}"
        )
    if spec.spent is not None:
        in_all, by_owner = spent_by(table, spec.spent, "ownership")
        parts = [f"{owner} {(amount / 1e9):,.1f} bn" for owner, amount in by_owner.items()]
        total = in_all / 1e9
        lines.append(f"  spent: {total:,.1f} bn VND in all ({', '.join(parts)})")
    clock("summarize")
    for section in spec.sections:
        chosen = _select(whole, section.facilities)
        target = Target.parse(section.target, due=section.due)
        if not len(chosen):  # (its target was checked with the others: _check_targets)
            lines.append(f"  {section.title.get(lang)}: no facility matches this section")
            continue
        section_plans = (
            plan_many(catalog, part, target, k=NO_STEPS) for part in chosen.chunks(PLAN_CHUNK)
        )
        extra[section.id], line = _section(section, section_plans, target, catalog, lang)
        lines.append(f"  {line}")
        clock("sections")
    roadmap = None
    if spec.roadmap is not None:
        chosen = _select(whole, spec.roadmap.facilities)
        if not len(chosen):
            lines.append("  roadmap: no facility matches the roadmap's facilities")
        else:
            roadmap = plan_many(  # chunk by chunk: the work arrays stay small
                catalog,
                chosen.chunks(PLAN_CHUNK),
                Target.parse(spec.roadmap.target, due=spec.roadmap.due),
                start=spec.roadmap.start,
                max_parallel=spec.roadmap.max_parallel,
                yearly_budget=spec.roadmap.yearly_budget,
                k=NO_STEPS,
            )
            # planning rule 9: cost and last finish as ranges, with the assumed share
            lines.append(
                f"  roadmap to {spec.roadmap.target}: {len(chosen)} facilities, "
                + roadmap.headline()
            )
        clock("roadmap")
    decisions = None
    if spec.allocation is not None:
        from readiness._scenarios import run_allocation  # noqa: PLC0415

        # the assessed facilities of the round that the allocation names, as objects
        assessed = whole.take(np.flatnonzero(table.assessed))
        chosen_objects = _select(assessed, spec.allocation.facilities).to_assessments()
        decisions = run_allocation(spec.allocation, catalog, chosen_objects)
        lines.append(f"  where to spend: {decisions.results[0].allocation.headline()}")
        clock("allocation")
    if spec.estimate is not None:
        chosen = _select(whole, spec.estimate.facilities)
        if len(chosen):
            extra[_ESTIMATE_ID], line = _estimate_section(spec, chosen)
            lines.append(f"  {line}")
        else:
            lines.append("  estimated stage: no facility matches the estimate's facilities")
        clock("estimated stage")
    report = province_report(
        table,
        summary,
        plans=plans,
        roadmap=roadmap,
        title=spec.title.get(lang),
        lang=lang,
        extra=extra or None,
        decisions=decisions,
    )
    clock("report record")
    return Outcome(report=report, lines=tuple(lines))


def _release_arrow_memory() -> None:
    """Return the memory pyarrow's pool keeps after reading a file to the system (if loaded)."""
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()


def _taken(matrix: StatusMatrix, columns: npt.NDArray[np.bool_]) -> StatusMatrix:
    """Return the assessments ``columns`` of ``matrix`` with only their own facilities listed.

    :func:`readiness.score_many` gives every listed facility of a matrix a row; a compared
    round holds only the facilities it assessed, as its own file would.
    """
    index = np.flatnonzero(columns)
    used, rows = np.unique(matrix.rows[index], return_inverse=True)
    return StatusMatrix(
        catalog=matrix.catalog,
        facilities=tuple(matrix.facilities[int(i)] for i in used),
        rows=rows.astype(np.intp).reshape(-1),
        dates=matrix.dates[index],
        status=matrix.status[:, index],
        progress=matrix.partial_progress.take(index),
        label=matrix.label,
    )


def _whole_round(current: StatusMatrix, table: Any) -> StatusMatrix:
    """Return the status matrix of every row of ``table``: the round, then the not-assessed.

    ``table`` is ``score_many(catalog, current, facilities=...)``: its rows are the columns of
    ``current`` in order, then one row (every record unknown) per listed facility that the
    round did not assess. Sections and the roadmap plan slices of this matrix, as they would
    plan the same assessments given as objects.
    """
    from readiness._matrix import UNKNOWN  # noqa: PLC0415

    count = len(current)
    position = {f.id: n for n, f in enumerate(current.facilities)}
    extra = np.fromiter(
        (position[table.facility(j).id] for j in range(count, len(table))),
        dtype=np.intp,
        count=len(table) - count,
    )
    if not len(extra):
        return current
    size = current.status.shape[0]
    return StatusMatrix(
        catalog=current.catalog,
        facilities=current.facilities,
        rows=np.concatenate([current.rows, extra]),
        dates=np.asarray(table.dates, dtype=current.dates.dtype),
        status=np.concatenate(
            [current.status, np.full((size, len(extra)), UNKNOWN, dtype=np.uint8)], axis=1
        ),
        progress=current.partial_progress.extended(len(extra)),
        label=current.label,
        facility_columns=current.columns,
    )


def _select(matrix: StatusMatrix, condition: Condition) -> StatusMatrix:
    """Return the columns of ``matrix`` whose facility matches ``condition`` (in order)."""
    return matrix.take(np.flatnonzero(matrix.columns.mask(condition)[matrix.rows]))


def _section(
    section: SectionSpec, plans: Any, target: Any, catalog: Catalog, lang: str
) -> tuple[Any, str]:
    from readiness.report._plan_section import plan_section  # noqa: PLC0415

    return plan_section(section.title, plans, target, catalog, lang)


def _estimate_section(spec: ReportSpec, chosen: StatusMatrix) -> tuple[Any, str]:
    """Return the estimated-stage section (facilities per estimated level, with ranges)."""
    from readiness._crosswalk import crosswalks_into  # noqa: PLC0415
    from readiness._crosswalk_matrix import estimate_stage_matrix  # noqa: PLC0415
    from readiness._load import load_catalog  # noqa: PLC0415
    from readiness.report import Section  # noqa: PLC0415

    assert spec.estimate is not None
    framework = spec.estimate.framework
    catalog = load_catalog([*spec.catalog, framework], layers=spec.layers)
    estimates = [  # chunk by chunk: the work arrays stay small
        estimate
        for part in chosen.chunks(PLAN_CHUNK)
        for estimate in estimate_stage_matrix(catalog, part, framework=framework)
    ]
    used = ", ".join(c.id for c in crosswalks_into(catalog, framework))
    name = catalog.frameworks[framework].title
    levels = [lv.number for lv in catalog.frameworks[framework].levels]
    top = max(levels, default=0)
    rows = [
        (
            level,
            sum(e.level == level for e in estimates),
            sum(e.worst == level for e in estimates),
            sum(e.best == level for e in estimates),
        )
        for level in range(top + 1)
    ]
    n = len(estimates)
    exact = sum(e.worst == e.best for e in estimates)
    applicable = sum(e.applicable for e in estimates) or 1
    derived = sum(e.derived for e in estimates) / applicable
    unknown = sum(e.unknown for e in estimates) / applicable
    direct = sum(e.direct for e in estimates) / applicable
    title = Text(
        en=f"Estimated stage: {name.en} (an estimate, not a validated stage)",
        vi=f"Giai đoạn ước tính: {name.vi} (ước tính, không phải giai đoạn đã được thẩm định)",
    )
    text = Text(
        en=(
            f"{n:,} facilities' assessments read through the authors' unofficial crosswalks "
            f"({used}); each facility's stage as recorded, and the range its unknown criteria "
            f"leave open (worst: every unknown not met; best: every unknown, and every criterion "
            f"an overlap shows only in part, met). For "
            f"{exact:,} of {n:,} the unknowns cannot change the estimate. Of the framework's "
            f"applicable criteria, {direct:.0%} were assessed directly, {derived:.0%} derived, "
            f"{unknown:.0%} unknown."
        ),
        vi=(
            f"Đánh giá của {n:,} cơ sở được quy đổi qua các bảng đối chiếu không chính thức của "
            f"nhóm tác giả ({used}); giai đoạn theo dữ liệu hiện có của mỗi cơ sở, và khoảng mà "
            f"các tiêu chí chưa rõ còn để ngỏ (xấu nhất: mọi tiêu chí chưa rõ đều chưa đạt; tốt "
            f"nhất: chúng và các tiêu chí chỉ được suy ra một phần đều đạt). "
            f"Với {exact:,} trên {n:,} cơ sở, các tiêu chí chưa rõ không làm "
            f"thay đổi ước tính. Trong các tiêu chí áp dụng của khung, {direct:.0%} được đánh "
            f"giá trực tiếp, {derived:.0%} được suy ra, {unknown:.0%} chưa rõ."
        ),
    )
    columns = (
        Text(en="Estimated stage", vi="Giai đoạn ước tính"),
        Text(en="Facilities (as recorded)", vi="Số cơ sở (theo dữ liệu hiện có)"),
        Text(en="Worst case", vi="Trường hợp xấu nhất"),
        Text(en="Best case", vi="Trường hợp tốt nhất"),
    )
    note = Text(
        en="Derived records carry the confidence of the relations they rest on; see "
        "docs/crosswalks.md. No facility's stage here was validated by the framework's owner.",
        vi="Bản ghi suy ra mang độ tin cậy của các quan hệ đối chiếu; xem docs/crosswalks.md. "
        "Không giai đoạn nào ở đây được chủ sở hữu khung thẩm định.",
    )
    section = Section(title=title, text=text, columns=columns, rows=rows, note=note)
    most = max(rows, key=lambda r: (r[1], -r[0]))[0] if rows else 0
    line = (
        f"estimated {framework} stage (estimate, not validated): {n:,} facilities, most at "
        f"stage {most}; unknowns leave the stage open for {n - exact:,}"
    )
    return section, line
