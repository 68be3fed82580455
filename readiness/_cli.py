"""The ``readiness`` command (also ``python -m readiness``).

Exit codes: 0 ok; 1 findings (e.g. an invalid catalog); 2 usage or input error. Errors print one
line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from readiness import __version__
from readiness.errors import ReadinessError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors exit 2 with one line, as the other input errors do."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _emit(args: argparse.Namespace, text: str) -> None:
    """Write ``text`` to ``--output`` (a file) or stdout."""
    target = getattr(args, "output", None)
    if target in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8")


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- catalogs


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
            }
            for i in infos
        ]
        _emit(args, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    rows = [
        (
            i.id,
            i.version,
            i.criteria,
            i.grades["primary"],
            i.grades["secondary"],
            i.grades["inferred"],
            i.title.get(args.lang) + (" *" if i.disclaimer else ""),
        )
        for i in infos
    ]
    text = _table(rows, ("id", "version", "criteria", "primary", "secondary", "inferred", "title"))
    notes = [f"* {i.id}: {i.disclaimer}" for i in infos if i.disclaimer]
    if notes:
        text += "\n" + "\n".join(notes) + "\n"
    _emit(args, text)
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
                shown = problem if problem.path else f"{file}: {problem}"
                print(shown, file=sys.stderr)
            continue
        if not args.quiet:
            framework = catalog.frameworks[catalog.id]
            grades = catalog.grades(catalog.id)
            print(
                f"{file}: ok: catalog {catalog.id!r} {catalog.version}, "
                f"{len(framework.criteria)} criteria ({grades['primary']} primary, "
                f"{grades['secondary']} secondary, {grades['inferred']} inferred)"
            )
    return EXIT_FINDINGS if failed else EXIT_OK


# --------------------------------------------------------------------------- graph


def _cmd_graph(args: argparse.Namespace) -> int:
    from readiness import graph as g  # noqa: PLC0415
    from readiness._load import load_catalog  # noqa: PLC0415

    catalog = load_catalog(args.catalogs, layers=args.layer or ())
    if args.format == "graphml":
        if args.output in (None, "-"):
            g.to_graphml(catalog, sys.stdout.buffer)
        else:
            g.to_graphml(catalog, args.output)
        return EXIT_OK
    if args.format == "dot":
        _emit(args, g.to_dot(catalog, lang=args.lang))
    else:
        _emit(args, g.dumps_node_link(catalog) + "\n")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


_EXAMPLES = {
    "catalogs": "example:\n  readiness catalogs\n  readiness catalogs --format json",
    "validate": "example:\n  readiness validate my-province.toml criteria/vn-emr.toml",
    "graph": (
        "example:\n  readiness graph vn-smart-hospital --format dot -o graph.dot\n"
        "  readiness graph vn-emr --format graphml -o vn-emr.graphml"
    ),
}


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
            epilog=_EXAMPLES[name],
            formatter_class=_formatter,
        )
        sub.set_defaults(handler=handler)
        return sub

    sub = add("catalogs", "List the built-in criteria catalogs.", _cmd_catalogs)
    sub.add_argument("--format", choices=("table", "json"), default="table")
    sub.add_argument("--lang", choices=("en", "vi"), default="en")
    sub.add_argument("-o", "--output", help="write here instead of stdout")

    sub = add("validate", "Check catalog files; print every problem with its line.", _cmd_validate)
    sub.add_argument("files", nargs="+", metavar="FILE", help="catalog file or built-in id")
    sub.add_argument("-q", "--quiet", action="store_true", help="print problems only")

    sub = add("graph", "Export the dependency graph of catalogs.", _cmd_graph)
    sub.add_argument("catalogs", nargs="+", metavar="CATALOG", help="built-in id or file")
    sub.add_argument("--layer", action="append", metavar="FILE", help="layer file (repeatable)")
    sub.add_argument("--format", choices=("json", "dot", "graphml"), default="json")
    sub.add_argument("--lang", choices=("en", "vi"), default="en")
    sub.add_argument("-o", "--output", help="write here instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ReadinessError as error:
        for problem in error.problems:
            print(f"readiness: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"readiness: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover - interactive
        return 130
    finally:
        sys.stdout.flush()
