"""The README's Quick start commands, and CI running the exact test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.DOTALL)


def test_quick_start_has_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert all("\n" not in c for c in commands)


def test_ci_runs_the_readme_test_command() -> None:
    """CI must run the README's test command verbatim, so what users run is what CI checks."""
    test_command = quick_start_commands()[1]
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci


def test_catalog_table_matches_the_catalogs() -> None:
    """The README's provenance counts are those of the shipped catalogs."""
    import readiness

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for info in readiness.list_catalogs():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{info.id}` |"))
        claimed = {
            grade: int(number)
            for number, grade in re.findall(r"(\d+) (primary|secondary|inferred)", row)
        }
        actual = {grade: count for grade, count in info.grades.items() if count}
        assert claimed == actual, (info.id, claimed, actual)
