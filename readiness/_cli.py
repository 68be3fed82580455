"""The ``readiness`` command (also ``python -m readiness``).

Exit codes: 0 ok; 1 findings (e.g. an invalid catalog); 2 usage or input error. Errors print one
line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import importlib
import io as io_module
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness import __version__, _files, _safe
from readiness.errors import ReadinessError, UnknownFacilityError

if TYPE_CHECKING:
    from readiness._catalog import Catalog, Coverage
    from readiness._matrix import StatusMatrix
    from readiness._model import Facility
    from readiness._score import ScoreTable

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors exit 2 with one line, as the other input errors do."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _date(text: str) -> dt.date:
    day = None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(text)
    if day is None:
        msg = f"not a date yyyy-mm-dd: {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return day


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _inputs(args: argparse.Namespace) -> list[str]:
    """Every input file named on the command line (an output may not replace one)."""
    from readiness._load import builtin_ids  # noqa: PLC0415

    found: list[str] = []
    for name in ("facilities", "assessments", "spec"):
        value = getattr(args, name, None)
        if isinstance(value, str):
            found.append(value)
    for name in ("catalog", "catalogs", "layer"):
        found.extend(
            v
            for v in getattr(args, name, None) or ()
            if isinstance(v, str) and v not in builtin_ids()
        )
    return found


def _emit(args: argparse.Namespace, text: str, *, human: bool = False) -> None:
    """Write ``text`` to ``--output`` (atomically) or stdout.

    ``human`` text (tables, explanations) shows control characters escaped wherever it goes;
    machine formats (JSON, CSV) are escaped only when stdout is a terminal.
    """
    target = getattr(args, "output", None)
    if target in (None, "-"):
        if human or sys.stdout.isatty():
            text = _safe.terminal(text, lines=True)
        sys.stdout.write(text)
    else:
        if human:
            text = _safe.terminal(text, lines=True)
        _files.write_text(target, text, inputs=_inputs(args))


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [
        [_safe.terminal(str(c)) for c in header],
        *[[_safe.terminal(str(c)) for c in row] for row in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- catalogs


def _coverage_cell(coverage: Coverage) -> str:
    """One coverage entry of ``catalogs --format csv``: ``source (~21%, text: secondary)``."""
    share = "" if coverage.share is None else f"~{coverage.share:.0%}, "
    return f"{coverage.source} ({share}text: {coverage.access})"


def _cmd_catalogs(args: argparse.Namespace) -> int:
    from readiness._load import list_catalogs  # noqa: PLC0415

    infos = list_catalogs()
    if args.format == "json":
        data = [
            {
                "id": i.id,
                "title": {"en": i.title.en, "vi": i.title.vi},
                "version": i.version,
                "criteria": i.criteria,
                "grades": dict(i.grades),
                "requires": list(i.requires),
                "disclaimer": i.disclaimer,
                "edges": dict(i.edges),
                "coverage": [c.to_dict() for c in i.coverage],
            }
            for i in infos
        ]
        _emit(args, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if args.format == "csv":
        _write_rows(
            args,
            [
                {
                    "id": i.id,
                    "version": i.version,
                    "criteria": i.criteria,
                    **{grade: i.grades[grade] for grade in ("primary", "secondary", "inferred")},
                    **{f"{kind}_edges": i.edges[kind] for kind in ("cited", "argued", "unargued")},
                    "coverage": "; ".join(_coverage_cell(c) for c in i.coverage),
                    "title": i.title.get(args.lang),
                    "disclaimer": i.disclaimer or "",
                }
                for i in infos
            ],
            (),
        )
        return EXIT_OK
    rows = [
        (
            i.id,
            i.version,
            i.criteria,
            i.grades["primary"],
            i.grades["secondary"],
            i.grades["inferred"],
            i.edges["cited"],
            i.edges["argued"],
            i.edges["unargued"],
            i.title.get(args.lang) + (" *" if i.disclaimer else ""),
        )
        for i in infos
    ]
    header = ("id", "version", "criteria", "primary", "secondary", "inferred")
    text = _table(rows, (*header, "cited-edges", "argued-edges", "unargued-edges", "title"))
    text += (
        "\nedges: cited = a document states the dependency; argued = the authors' written "
        "reason (graded inferred); unargued = neither (format-1 files only)\n"
    )
    coverage = [f"  {i.id}: {c}" for i in infos for c in i.coverage]
    if coverage:
        text += "\ncoverage (what each catalog encodes of its sources):\n"
        text += "\n".join(coverage) + "\n"
    notes = [f"* {i.id}: {_safe.terminal(i.disclaimer)}" for i in infos if i.disclaimer]
    if notes:
        text += "\n" + "\n".join(notes) + "\n"
    _emit(args, text, human=True)
    return EXIT_OK


# --------------------------------------------------------------------------- validate


def _cmd_validate(args: argparse.Namespace) -> int:
    from readiness._load import load_catalog  # noqa: PLC0415
    from readiness.errors import CatalogError, UnknownCatalogError  # noqa: PLC0415

    failed = False
    for file in args.files:
        try:
            catalog = load_catalog(file)
        except (CatalogError, UnknownCatalogError) as error:
            failed = True
            for problem in error.problems:
                shown = str(problem) if problem.path else f"{file}: {problem}"
                print(_safe.terminal(shown), file=sys.stderr)
            continue
        if not args.quiet:
            framework = catalog.frameworks[catalog.id]
            grades = catalog.grades(catalog.id)
            print(
                _safe.terminal(f"{file}: ok: catalog {catalog.id!r} {catalog.version}, ")
                + f"{len(framework.criteria)} criteria ({grades['primary']} primary, "
                f"{grades['secondary']} secondary, {grades['inferred']} inferred)"
            )
    return EXIT_FINDINGS if failed else EXIT_OK


# --------------------------------------------------------------------------- graph


def _cmd_form(args: argparse.Namespace) -> int:
    from readiness import io  # noqa: PLC0415

    catalog = _catalog(args)
    facilities = io.read_facilities(args.facilities, catalog=catalog, encoding=args.encoding)
    chosen = [
        f
        for f in facilities
        if (not args.facility or f.id in args.facility) and (not args.kind or f.kind == args.kind)
    ]
    missing = sorted(set(args.facility or ()) - {f.id for f in facilities})
    if missing:
        raise UnknownFacilityError("no such facility in the facility list", value=missing[0])
    if not chosen:
        raise UnknownFacilityError("no facility of this kind in the facility list", value=args.kind)
    rows = io.write_form(args.output, catalog, chosen, date=args.date)
    noun = "facility" if len(chosen) == 1 else "facilities"
    print(f"written: {args.output} ({len(chosen):,} {noun}, {rows:,} criterion rows)")
    return EXIT_OK


def _cmd_graph(args: argparse.Namespace) -> int:
    from readiness import graph as g  # noqa: PLC0415
    from readiness._load import load_catalog  # noqa: PLC0415

    catalog = load_catalog(args.catalogs, layers=args.layer or ())
    subgraph = _graph_subgraph(args, catalog) if args.target is not None else None
    if args.format == "graphml":
        data = g.graphml_bytes(catalog if subgraph is None else subgraph)
        if args.output in (None, "-"):
            sys.stdout.buffer.write(data)
        else:
            _files.write_bytes(args.output, data, inputs=_inputs(args))
        return EXIT_OK
    if args.format == "dot":
        _emit(args, g.to_dot(catalog, lang=args.lang, subgraph=subgraph))
    elif args.format == "svg":
        _emit(args, g.to_svg(catalog, lang=args.lang, subgraph=subgraph))
    else:
        _emit(args, g.dumps_node_link(catalog if subgraph is None else subgraph) + "\n")
    return EXIT_OK


def _graph_subgraph(args: argparse.Namespace, catalog: Catalog) -> Any:
    """Return the required subgraph of ``--target`` for ``--facility`` (latest assessment)."""
    from readiness import io  # noqa: PLC0415
    from readiness._plan import Target  # noqa: PLC0415
    from readiness.errors import OptionError  # noqa: PLC0415
    from readiness.graph import required_subgraph  # noqa: PLC0415

    missing = [
        f"--{name}" for name in ("facility", "facilities", "assessments") if not getattr(args, name)
    ]
    if missing:
        raise OptionError(
            "--target draws one facility's required subgraph: give " + ", ".join(missing),
            key="target",
            value=args.target,
        )
    facilities = io.read_facilities(args.facilities, catalog=catalog)
    assessments = io.read_assessments(args.assessments, catalog, facilities)
    mine = _select(
        sorted(assessments, key=lambda a: a.date), args.facility, lambda a: a.facility.id
    )
    return required_subgraph(catalog, mine[-1], Target.parse(args.target))


# --------------------------------------------------------------------------- inputs


def _catalog(args: argparse.Namespace) -> Catalog:
    from readiness._load import load_catalog  # noqa: PLC0415

    return load_catalog(args.catalog, layers=args.layer or ())


def _chunks(
    args: argparse.Namespace, catalog: Catalog, facilities: Sequence[Facility]
) -> Iterator[StatusMatrix]:
    from readiness import io  # noqa: PLC0415

    yield io.read_status_matrix(  # columnar: the whole file at once, every problem reported
        args.assessments,
        catalog,
        facilities,
        format=args.assessment_format,
        as_of=getattr(args, "as_of", None),
        encoding=getattr(args, "encoding", None),
    )


def _score_table(args: argparse.Namespace, catalog: Catalog, *, keep: bool = False) -> ScoreTable:
    """Score the input as the options say: one round (``--as-of``, ``--rounds``), every facility.

    Facilities of the facility file without an assessment (on or before ``--as-of``) get a
    not-assessed row, and a line on stderr says how many. ``keep`` keeps the status matrices
    (plans need them).
    """
    from readiness import io  # noqa: PLC0415
    from readiness._score import score_many  # noqa: PLC0415

    facilities = io.read_facilities(
        args.facilities, catalog=catalog, encoding=getattr(args, "encoding", None)
    )
    chunks = _chunks(args, catalog, facilities)
    table = score_many(
        catalog,
        list(chunks) if keep else chunks,
        policy=getattr(args, "policy", "strict"),
        as_of=args.as_of,
        rounds=getattr(args, "rounds", "latest"),
        facilities=facilities,
        not_applicable=args.not_applicable,
    )
    disputed = int(table.disputed.sum())
    if disputed:
        how = "trusted" if args.not_applicable == "trust" else "counted as not met"
        rows = int((table.disputed > 0).sum())
        print(
            f"readiness: {disputed} not-applicable claims in {rows} assessments are disputed "
            f"(the catalog says the criterion applies); {how} (--not-applicable)",
            file=sys.stderr,
        )
    missing = table.not_assessed
    if missing:
        day = "" if args.as_of is None else f" on or before {args.as_of.isoformat()}"
        shown = ", ".join(_printable(m) for m in missing[:5])
        shown += ", ..." if len(missing) > 5 else ""
        print(
            f"readiness: {len(missing)} of {len(facilities)} facilities had no assessment{day}; "
            f"scored as unknown: {shown}",
            file=sys.stderr,
        )
    return table


def _printable(text: str) -> str:
    """Return ``text`` with control and bidi characters escaped (for a terminal line)."""
    from readiness._safe import terminal  # noqa: PLC0415

    return terminal(text)


def _write_rows(
    args: argparse.Namespace, rows: list[dict[str, Any]], columns: Sequence[str]
) -> None:
    if args.format == "json":
        _emit(args, json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if args.format == "csv":
        # RFC 4180 line ends: the csv module then quotes every cell holding \r or \n
        buffer = io_module.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        fields = list(rows[0]) if rows else list(columns)
        guard = not getattr(args, "no_csv_guard", False)
        writer.writerow(_safe.csv_row(fields, guard=guard))
        for row in rows:
            values = ("" if row.get(k) is None else row.get(k) for k in fields)
            writer.writerow(_safe.csv_row(values, guard=guard))
        _emit(args, buffer.getvalue())
        return
    table = [[_cell(row.get(c), c) for c in columns] for row in rows]
    _emit(args, _table(table, columns), human=True)


def _cell(value: object, column: str = "") -> str:
    if value is None:
        return "-"
    if column.endswith("_vnd") and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.0f} VND"  # money: thousands separated, with its unit
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _select(rows: list[Any], facility: str | None, key: Any) -> list[Any]:
    if facility is None:
        return rows
    chosen = [r for r in rows if key(r) == facility]
    if not chosen:
        raise UnknownFacilityError("no assessment of this facility in the input", value=facility)
    return chosen


# --------------------------------------------------------------------------- score


def _cmd_score(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    table = _score_table(args, catalog)
    if args.facility is not None:
        scores = _select(list(table), args.facility, lambda s: s.facility.id)
        if args.format == "json":
            _emit(
                args, json.dumps([s.to_dict() for s in scores], ensure_ascii=False, indent=2) + "\n"
            )
        else:
            text = "\n\n".join(s.explain(lang=args.lang) for s in scores) + "\n"
            _emit(args, text, human=True)
        return EXIT_OK
    rows = table.to_records()
    columns = ["facility_id", "date", "overall"]
    columns += [f"level:{c}" for c in table.compiled.frameworks]
    columns += ["applicable", "met", "unsupported", "gaps", "disputed", "assessed"]
    _write_rows(args, rows, columns)
    return EXIT_OK


# --------------------------------------------------------------------------- plan


def _cmd_plan(args: argparse.Namespace) -> int:
    from readiness._plan import Target, plan_many  # noqa: PLC0415

    catalog = _catalog(args)
    target = Target.parse(args.target, due=args.due)
    table = plan_many(
        catalog,
        _score_table(args, catalog, keep=True),
        target,
        start=args.start,
        max_parallel=args.max_parallel,
        yearly_budget=args.yearly_budget,
        k=args.next,
    )
    if args.facility is not None:
        indices = _select(
            list(range(len(table))),
            args.facility,
            lambda j: table.facilities[int(table.rows[j])].id,
        )
        plans = [table.plan(j) for j in indices]
        if args.format == "json":
            data = [
                {**p.to_dict(), "next_steps": [s.to_dict() for s in table.next_steps(j)]}
                for p, j in zip(plans, indices, strict=True)
            ]
            _emit(args, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        elif args.format == "csv":
            columns = ["facility_id", "criterion", "title", "wave", "start", "finish"]
            columns += ["effort_days_low", "effort_days", "effort_days_high"]
            columns += ["cost_vnd_low", "cost_vnd", "cost_vnd_high", "assumed"]
            columns += ["estimated", "costed", "deadline", "reason"]
            step_rows = []
            for p in plans:
                for step in p.steps:
                    row = {**step.to_dict(), "facility_id": p.facility.id}
                    row["title"] = row["title"][args.lang]
                    # planning rule 9: each step's range beside its likely value
                    row["effort_days_low"] = step.effort_range.low
                    row["effort_days_high"] = step.effort_range.high
                    row["cost_vnd_low"] = step.cost_range.low
                    row["cost_vnd_high"] = step.cost_range.high
                    step_rows.append({c: row[c] for c in columns})
            _write_rows(args, step_rows, columns)
        else:
            texts = []
            for p, j in zip(plans, indices, strict=True):
                steps = table.next_steps(j)
                text = p.explain(lang=args.lang)
                if steps:
                    text += "\n  next steps:\n" + "\n".join(
                        f"    {s.rank}. {s.criterion}: {s.reason}" for s in steps
                    )
                texts.append(text)
            _emit(args, "\n\n".join(texts) + "\n", human=True)
        return EXIT_OK
    rows = table.to_records()
    columns = ["facility_id", "status", "steps", "assumed_steps", "start"]
    columns += ["finish_low", "finish", "finish_high", "effort_days"]
    columns += ["cost_vnd_low", "cost_vnd", "cost_vnd_high", "target_due", "target_verdict"]
    if args.format == "table":
        # planning rule 9: the totals as ranges with the assumed share, never a bare total
        cells = [[_cell(row.get(c)) for c in columns] for row in rows]
        _emit(args, _table(cells, columns) + table.headline() + "\n")
        return EXIT_OK
    _write_rows(args, rows, columns)
    return EXIT_OK


# --------------------------------------------------------------------------- summarize


def _cmd_summarize(args: argparse.Namespace) -> int:
    from readiness._portfolio import summarize  # noqa: PLC0415

    catalog = _catalog(args)
    table = _score_table(args, catalog)
    by = tuple(b.strip() for b in args.by.split(",") if b.strip()) if args.by else ()
    summary = summarize(table, by=by, target=args.target, spent=args.spent)
    if args.format == "json":
        _emit(args, json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    rows = []
    for group in (*summary.groups, summary.total):
        row: dict[str, Any] = {
            "group": ", ".join(f"{k}={v}" for k, v in group.key.items()) or "all"
        }
        row["rows"] = group.rows
        row["not_assessed"] = group.not_assessed
        row["disputed"] = group.disputed
        row["mean"] = group.overall.mean
        row["sd"] = group.overall.sd
        row["median"] = group.overall.median
        if summary.target is not None:
            row["meeting_target"] = group.meeting_target
        if group.spent_vnd is not None:
            row["spent_vnd"] = group.spent_vnd
        for catalog_id, levels in group.levels.items():
            row[f"levels:{catalog_id}"] = " ".join(
                f"{'-' if n is None else n}:{c}" for n, c in levels.items()
            )
        rows.append(row)
    _write_rows(args, rows, list(rows[0]) if rows else ["group"])
    return EXIT_OK


# --------------------------------------------------------------------------- report


def _cmd_report(args: argparse.Namespace) -> int:
    from readiness._spec import read_spec, run_spec  # noqa: PLC0415

    spec = read_spec(args.spec, allow_outside=args.allow_outside)
    folder = Path(args.output or f"{spec.stem}-report")
    inputs = spec.inputs()
    for suffix in (".json", ".md", ".html", "-facilities.html"):  # refuse before the work
        _files.check_output(folder / f"{spec.stem}{suffix}", inputs)
    outcome = run_spec(spec, lang=args.lang)
    written = _write_report(outcome.report, folder, spec.stem, inputs)
    from readiness.report._console import console_lines, written_line  # noqa: PLC0415

    # the report's own figures, in its language; the specification's notes on skipped parts
    notes = ("not assessed in this round", "no facility matches", "stage (estimate")
    skipped = [line for line in outcome.lines if any(note in line for note in notes)]
    print(_safe.terminal("\n".join([*console_lines(outcome.report.data), *skipped]), lines=True))
    print(written_line(outcome.report.data, [str(p) for p in written.values()]))
    return EXIT_OK


def _write_report(report: Any, folder: Path, stem: str, inputs: Sequence[str]) -> dict[str, Path]:
    """Write a report's files so that they appear together or not at all, never over an input.

    ``Report.write`` decides which files a report has; it writes them into a staging folder
    inside ``folder``, and :func:`readiness._files.write_group` then moves every one of them
    into place at once (checking each against the inputs and for symbolic links).
    """
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".readiness-", dir=folder))
    try:
        staged = report.write(staging, stem)
        files: dict[Path, bytes] = {}
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            target = folder / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            files[target] = path.read_bytes()
        _files.write_group(files, inputs=inputs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {name: folder / Path(path).relative_to(staging) for name, path in staged.items()}


# --------------------------------------------------------------------------- allocate


def _cmd_allocate(args: argparse.Namespace) -> int:
    from readiness import io  # noqa: PLC0415
    from readiness._load import load_catalog  # noqa: PLC0415
    from readiness._scenarios import render, run_allocation  # noqa: PLC0415
    from readiness._spec import (  # noqa: PLC0415
        _check_attributes,
        _check_targets,
        _pick,
        _rounds,
        read_spec,
    )
    from readiness.errors import InputError  # noqa: PLC0415

    spec = read_spec(args.spec)
    if spec.allocation is None:
        raise InputError(
            "the specification has no [allocation] section", path=str(spec.path), key="allocation"
        )
    section = spec.allocation
    if args.budget is not None:
        section = attrs_evolve(section, budget=args.budget)
    catalog = load_catalog(spec.catalog, layers=spec.layers)
    facilities = io.read_facilities(spec.facilities, catalog=catalog)
    _check_attributes(spec, catalog, facilities, tables={"allocation"})
    _check_targets(spec, catalog, tables={"allocation"})
    rounds = _rounds(io.read_assessments(spec.assessments, catalog, facilities))
    if not rounds:
        raise InputError("the assessments file holds no assessment", path=spec.assessments)
    day = _pick(rounds, spec, "date")
    comparison = run_allocation(section, catalog, rounds[day], draws=args.draws)
    text = render(comparison, args.format, label=section.label)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return EXIT_OK
    from readiness._files import write_text  # noqa: PLC0415

    write_text(args.output, text, inputs=(spec.path, spec.facilities, spec.assessments))
    return EXIT_OK


def attrs_evolve(value: Any, **changes: Any) -> Any:
    """``attrs.evolve`` imported on use (the command module stays light)."""
    import attrs  # noqa: PLC0415

    return attrs.evolve(value, **changes)


# --------------------------------------------------------------------------- parser


_EXAMPLES = {
    "score": (
        "example:\n  readiness score --catalog vn-emr --facilities facilities.csv "
        "--assessments assessments.csv\n"
        "  readiness score --catalog vn-emr --facilities f.csv --assessments a.csv "
        "--facility BV-01"
    ),
    "plan": (
        "example:\n  readiness plan --catalog vn-smart-hospital --facilities f.csv "
        "--assessments a.csv --target vn-smart-hospital@3 --due 2030-12-31\n"
        "  readiness plan ... --target milestone:vn-emr:emr-live --facility BV-01 "
        "--max-parallel 2 --yearly-budget 2e9"
    ),
    "summarize": (
        "example:\n  readiness summarize --catalog vn-emr --facilities f.csv "
        "--assessments a.csv --by region,kind --target milestone:vn-emr:emr-live"
    ),
    "catalogs": (
        "example:\n  readiness catalogs\n  readiness catalogs --format json\n"
        "  readiness catalogs --format csv"
    ),
    "validate": "example:\n  readiness validate my-province.toml criteria/vn-emr.toml",
    "report": (
        "example:\n  readiness report examples/bac_ninh/report.toml -o bac-ninh-report\n"
        "  readiness report examples/bac_ninh/report.toml --lang vi"
    ),
    "allocate": (
        "example:\n  readiness allocate examples/bac_ninh/allocation.toml\n"
        "  readiness allocate examples/bac_ninh/allocation.toml --budget 25e9 --format csv "
        "-o allocation.csv"
    ),
    "form": (
        "example:\n  readiness form --catalog vn-emr --facilities facilities.csv "
        "--facility BV-01 -o bv-01.xlsx\n"
        "  readiness form --catalog vn-smart-hospital --facilities f.csv --kind hospital "
        "--date 2026-06-30 -o hospitals.xlsx"
    ),
    "graph": (
        "example:\n  readiness graph vn-smart-hospital --format dot -o graph.dot\n"
        "  readiness graph vn-emr --format graphml -o vn-emr.graphml\n"
        "  readiness graph vn-emr --format svg --target milestone:vn-emr:emr-live "
        "--facility BV-01 --facilities f.csv --assessments a.csv -o bv-01.svg"
    ),
}


def _cli_versions_examples() -> dict[str, str]:
    from readiness._cli_versions import EXAMPLES  # noqa: PLC0415

    return EXAMPLES


def build_parser() -> argparse.ArgumentParser:
    """Return the command's argument parser."""
    parser = _Parser(
        prog="readiness",
        description=(
            "Score health facilities' readiness for paperless (EMR) and smart-hospital "
            "operation, and plan what to do next."
        ),
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"readiness {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    def add(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> _Parser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=_EXAMPLES.get(name) or _cli_versions_examples()[name],
            formatter_class=_formatter,
        )
        sub.set_defaults(handler=handler)
        return sub

    sub = add("catalogs", "List the built-in criteria catalogs.", _cmd_catalogs)
    sub.add_argument("--format", choices=("table", "json", "csv"), default="table")
    sub.add_argument("--lang", choices=("en", "vi"), default="en")
    sub.add_argument("-o", "--output", help="write here instead of stdout")

    sub = add("validate", "Check catalog files; print every problem with its line.", _cmd_validate)
    sub.add_argument("files", nargs="+", metavar="FILE", help="catalog file or built-in id")
    sub.add_argument("-q", "--quiet", action="store_true", help="print problems only")

    def inputs(sub: _Parser) -> None:
        sub.add_argument(
            "--catalog",
            action="append",
            required=True,
            metavar="ID_OR_FILE",
            help="catalog id or file (repeatable)",
        )
        sub.add_argument("--layer", action="append", metavar="FILE", help="layer file (repeatable)")
        sub.add_argument(
            "--facilities",
            required=True,
            metavar="FILE",
            help="facility list (CSV, JSON, .xlsx or Parquet)",
        )
        sub.add_argument(
            "--assessments",
            required=True,
            metavar="FILE",
            help="assessments (CSV, JSON, .xlsx or Parquet; long or wide)",
        )
        sub.add_argument("--assessment-format", choices=("long", "wide"), help="default: detected")
        sub.add_argument(
            "--encoding", help="text encoding of the CSV input files when not UTF-8 (e.g. cp1258)"
        )
        sub.add_argument("--format", choices=("table", "json", "csv"), default="table")
        sub.add_argument(
            "--no-csv-guard",
            action="store_true",
            help="write CSV text cells unchanged (no apostrophe before = + - @; for programs)",
        )
        sub.add_argument("--lang", choices=("en", "vi"), default="en")
        sub.add_argument("-o", "--output", help="write here instead of stdout")

    def rounds(sub: _Parser, *, choose: bool = True) -> None:
        sub.add_argument(
            "--as-of",
            type=_date,
            metavar="DATE",
            help="the latest assessment of each facility on or before this day (yyyy-mm-dd); "
            "expiry is judged on it (default: the latest of all)",
        )
        sub.add_argument(
            "--not-applicable",
            choices=("trust", "dispute"),
            default="trust",
            help="a not_applicable record of a criterion the catalog says applies: trust it "
            "(left out, default) or dispute it (counted as not met)",
        )
        if choose:
            sub.add_argument(
                "--rounds",
                choices=("latest", "all"),
                default="latest",
                help="latest: one row per facility (default); all: every assessment",
            )

    sub = add("score", "Score facilities: levels, scores, blockers.", _cmd_score)
    inputs(sub)
    rounds(sub)
    sub.add_argument("--policy", choices=("strict", "lenient"), default="strict")
    sub.add_argument("--facility", metavar="ID", help="explain one facility in full")

    sub = add(
        "plan", "Plan every facility toward a target: steps, dates, cost, verdicts.", _cmd_plan
    )
    inputs(sub)
    rounds(sub)
    sub.add_argument(
        "--target", required=True, help="CATALOG@LEVEL, milestone:KEY or criteria:KEY,KEY"
    )
    sub.add_argument("--due", type=_date, help="due date (yyyy-mm-dd); default from the catalog")
    sub.add_argument("--start", type=_date, help="start date; default: each assessment's date")
    sub.add_argument("--max-parallel", type=int, metavar="N")
    sub.add_argument("--yearly-budget", type=float, metavar="VND")
    sub.add_argument("--next", type=int, default=5, metavar="K", help="next steps per facility")
    sub.add_argument("--facility", metavar="ID", help="show one facility's roadmap in full")

    sub = add("summarize", "Roll facilities up by region, kind, ownership...", _cmd_summarize)
    inputs(sub)
    rounds(sub, choose=False)  # a summary counts each facility once: its latest assessment
    sub.add_argument("--policy", choices=("strict", "lenient"), default="strict")
    sub.add_argument("--by", default="region", help="attributes, comma-separated ('' for totals)")
    sub.add_argument("--target", help="count facilities meeting this target")
    sub.add_argument("--spent", metavar="ATTRIBUTE", help="facility attribute with money spent")

    sub = add(
        "report", "Write a province report (HTML, Markdown, JSON) from a spec file.", _cmd_report
    )
    sub.add_argument("spec", metavar="SPEC", help="report specification (TOML)")
    sub.add_argument("--lang", choices=("en", "vi"), help="labels (default: the spec's)")
    sub.add_argument("-o", "--output", metavar="DIR", help="folder for the files")
    sub.add_argument(
        "--allow-outside",
        action="store_true",
        help="let the spec name data files outside its own folder",
    )

    sub = add(
        "allocate",
        "Where to spend: fund facilities within a budget, with what-if scenarios.",
        _cmd_allocate,
    )
    sub.add_argument("spec", metavar="SPEC", help="report specification with [allocation]")
    sub.add_argument("--budget", type=float, metavar="VND", help="override the spec's budget")
    sub.add_argument("--draws", type=int, metavar="N", help="Monte Carlo draws (0: none)")
    sub.add_argument("--format", choices=("table", "json", "csv"), default="table")
    sub.add_argument("-o", "--output", help="write here instead of stdout")

    sub = add("form", "Write an assessment form (.xlsx) to fill in and read back.", _cmd_form)
    sub.add_argument("--catalog", action="append", required=True, metavar="ID_OR_FILE")
    sub.add_argument("--layer", action="append", metavar="FILE", help="layer file (repeatable)")
    sub.add_argument("--facilities", required=True, metavar="FILE", help="facility list")
    sub.add_argument("--facility", action="append", metavar="ID", help="only this one (repeatable)")
    sub.add_argument("--kind", help="only facilities of this kind")
    sub.add_argument("--date", type=_date, help="assessment date in every row (default: today)")
    sub.add_argument("--encoding", help="text encoding of the facility list when not UTF-8")
    sub.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")

    sub = add("graph", "Export the dependency graph of catalogs.", _cmd_graph)
    sub.add_argument("catalogs", nargs="+", metavar="CATALOG", help="built-in id or file")
    sub.add_argument("--layer", action="append", metavar="FILE", help="layer file (repeatable)")
    sub.add_argument(
        "--format",
        choices=("json", "dot", "graphml", "svg"),
        default="json",
        help="svg is drawn with matplotlib (pip install 'readiness[plot]')",
    )
    sub.add_argument(
        "--target",
        help="draw only what this target needs of --facility (CATALOG@LEVEL, milestone:KEY...)",
    )
    sub.add_argument("--facility", metavar="ID", help="the facility (its latest assessment)")
    sub.add_argument("--facilities", metavar="FILE", help="facility list, with --target")
    sub.add_argument("--assessments", metavar="FILE", help="assessments, with --target")
    sub.add_argument("--lang", choices=("en", "vi"), default="en")
    sub.add_argument("-o", "--output", help="write here instead of stdout")

    from readiness import _cli_versions  # noqa: PLC0415 - diff, migrate, crosswalks

    _cli_versions.register(add)
    return parser


def tune_process() -> None:
    """Stop numpy advising huge pages for this process, unless NUMPY_MADVISE_HUGEPAGE is set.

    numpy asks the kernel for transparent huge pages for every array of 4 MiB or more. Where
    the kernel's setting is ``madvise`` (common on servers and virtual machines), the first
    touch of such an array can wait while the kernel compacts memory: ``readiness report`` on
    100,000 facilities took 20.1-20.5 s with the advice and 15.0-15.6 s without
    (docs/reports.md, "Large provinces"). The command is a process of its own, so it turns the
    advice off, as ``NUMPY_MADVISE_HUGEPAGE=0`` would; the library, which runs in other
    programs' processes, leaves the setting alone. Only speed changes, never a result.
    """
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:  # the user's choice wins
        return
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy 2, numpy 1
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        setter = getattr(module, "_set_madvise_hugepage", None)
        if callable(setter):
            setter(False)  # noqa: FBT003 - numpy's own signature
        return


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit code."""
    tune_process()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ReadinessError as error:
        for problem in error.problems:
            print(_safe.terminal(f"readiness: {problem}"), file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(_safe.terminal(f"readiness: {where}{error.strerror or error}"), file=sys.stderr)
        return EXIT_USAGE
    except RecursionError:  # a last guard: readers report deep nesting themselves
        print("readiness: input nested too deeply", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:  # a last guard: readers cap what they read
        print("readiness: out of memory (is an input far larger than expected?)", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover - interactive
        return 130
    finally:
        sys.stdout.flush()
