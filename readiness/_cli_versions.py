"""The ``diff``, ``migrate`` and ``crosswalks`` subcommands (catalog versions and crosswalks)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.errors import OptionError

if TYPE_CHECKING:
    from readiness._catalog import Catalog

__all__ = ["EXAMPLES", "register"]

EXAMPLES = {
    "diff": (
        "example:\n  readiness diff old/vn-emr.toml vn-emr --map vn-emr-2026.11.0-to-2026.12.0\n"
        "  readiness diff tests/data/mini.toml tests/data/crosswalk/mini-2.toml --format json\n"
    ),
    "migrate": (
        "example:\n  readiness migrate --catalog old/vn-emr.toml --to vn-emr "
        "--map vn-emr-2026.11.0-to-2026.12.0 \\\n"
        "    --facilities f.csv --assessments old-a.csv -o new-a.csv\n"
    ),
    "crosswalks": "example:\n  readiness crosswalks\n  readiness crosswalks --format json\n",
}


def _cmd_diff(args: argparse.Namespace) -> int:
    from readiness._cli import _emit, _write_rows  # noqa: PLC0415
    from readiness._crosswalk import load_crosswalk  # noqa: PLC0415
    from readiness._versions import diff_catalogs  # noqa: PLC0415

    old = _load_side(args.old)
    new = _load_side(args.new)
    vmap = load_crosswalk(args.map) if args.map else None
    if args.catalog is None and Path(args.new).is_dir():
        args.catalog = vmap.target_catalog if vmap is not None else None
    if args.catalog is None and Path(args.new).is_dir():
        raise OptionError("name the catalog to compare with --catalog", key="catalog")
    diff = diff_catalogs(old, new, catalog=args.catalog, version_map=vmap)
    if args.format == "json":
        data = {
            "catalog": diff.catalog,
            "old_version": diff.old_version,
            "new_version": diff.new_version,
            "counts": dict(diff.counts()),
            "changes": [c.to_dict() for c in diff.changes],
        }
        _emit(args, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        rows = [
            {"kind": c.kind, "old": " ".join(c.old), "new": " ".join(c.new), "detail": c.detail}
            for c in diff.changes
        ]
        _write_rows(args, rows, ("kind", "old", "new", "detail"))
    else:
        _emit(args, str(diff) + "\n")
    return 0


def _load_side(text: str) -> Catalog:
    """Load a catalog id, a file, or every ``*.toml`` file of a folder (an old catalog set)."""
    from readiness._load import load_catalog  # noqa: PLC0415

    folder = Path(text)
    if folder.is_dir():
        files = sorted(folder.glob("*.toml"))
        if not files:
            raise OptionError("the folder holds no .toml catalog files", key="catalog", value=text)
        return load_catalog(files)
    return load_catalog(text)


def _cmd_migrate(args: argparse.Namespace) -> int:
    from readiness import io  # noqa: PLC0415
    from readiness._crosswalk import load_crosswalk  # noqa: PLC0415
    from readiness._files import check_output  # noqa: PLC0415
    from readiness._versions import migrate  # noqa: PLC0415

    check_output(args.output, [args.assessments, args.facilities])
    old = _load_side(args.catalog)
    new = _load_side(args.to)
    vmap = load_crosswalk(args.map)
    facilities = io.read_facilities(args.facilities, catalog=old)
    assessments = io.read_assessments(args.assessments, old, facilities)
    migrated = [migrate(a, vmap, old=old, new=new) for a in assessments]
    io.write_assessments(args.output, [m.assessment for m in migrated], new)
    gaps = sum(len(m.gaps) for m in migrated)
    dropped = sorted({key for m in migrated for key in m.dropped})
    print(
        f"migrated {len(migrated):,} assessment(s) from {vmap.source_catalog} "
        f"{vmap.source_version} to {vmap.target_version}; {gaps:,} record(s) became unknown "
        "(split criteria)"
        + (f"; records of removed criteria dropped: {', '.join(dropped)}" if dropped else ""),
        file=sys.stderr,
    )
    return 0


def _cmd_crosswalks(args: argparse.Namespace) -> int:
    from readiness._cli import _write_rows  # noqa: PLC0415
    from readiness._crosswalk import builtin_crosswalks, load_crosswalk  # noqa: PLC0415

    rows = []
    for cid in builtin_crosswalks():
        cw = load_crosswalk(cid)
        counts = cw.counts()
        rows.append(
            {
                "id": cw.id,
                "kind": cw.kind,
                "from": f"{cw.source_catalog} {cw.source_version}",
                "to": f"{cw.target_catalog} {cw.target_version}",
                "relations": len(cw.relations),
                "cited": counts.get("cited", 0),
                "argued": counts.get("argued", 0),
            }
        )
    _write_rows(args, rows, ("id", "kind", "from", "to", "relations", "cited", "argued"))
    return 0


def register(add: Callable[[str, str, Callable[[argparse.Namespace], int]], Any]) -> None:
    """Add the subcommands to the parser (``add`` is the main parser's helper)."""
    sub = add("diff", "List what changed between two versions of a catalog.", _cmd_diff)
    sub.add_argument("old", metavar="OLD", help="the old catalog: file, built-in id or folder")
    sub.add_argument("new", metavar="NEW", help="the new catalog: file, built-in id or folder")
    sub.add_argument("--map", metavar="ID_OR_FILE", help="version map from OLD to NEW")
    sub.add_argument("--catalog", metavar="ID", help="which catalog of the sets (default: NEW's)")
    sub.add_argument("--format", choices=("table", "json", "csv"), default="table")
    sub.add_argument("-o", "--output", help="write here instead of stdout")

    sub = add(
        "migrate", "Carry stored assessments to a new catalog version (version map).", _cmd_migrate
    )
    sub.add_argument("--catalog", required=True, metavar="ID_OR_FILE", help="the old version")
    sub.add_argument("--to", required=True, metavar="ID_OR_FILE", help="the new version")
    sub.add_argument("--map", required=True, metavar="ID_OR_FILE", help="version map")
    sub.add_argument("--facilities", required=True, metavar="FILE", help="facility list")
    sub.add_argument("--assessments", required=True, metavar="FILE", help="old assessments")
    sub.add_argument("-o", "--output", required=True, metavar="FILE", help="new assessments")

    sub = add("crosswalks", "List the built-in crosswalks and version maps.", _cmd_crosswalks)
    sub.add_argument("--format", choices=("table", "json", "csv"), default="table")
    sub.add_argument("-o", "--output", help="write here instead of stdout")
