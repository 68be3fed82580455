"""Command lines and shown output in the documentation's fenced blocks (for the doc tests).

A fenced block whose info string is empty, ``sh``, ``bash``, ``shell`` or ``console`` may show
commands. Two ways of writing them are read:

* a block with lines starting ``$ `` (a console session): each such line is a command, and the
  lines after it, up to the next ``$ `` line or the end of the block, are its output as shown;
* any other such block: each line whose first word is a program below is a command (a trailing
  ``\\`` continues it on the next line; a ``#`` comment is part of the text, not of the command).

Programs: ``readiness``, ``python``, ``python3``, ``pip``, ``pip3`` and ``bash``, bare or under
``.venv/bin/``. Other lines (output, file contents) are not commands.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent

#: The documents whose commands are run: the README, the docs and every example's README.
DOCUMENTS = (
    "README.md",
    "criteria/README.md",
    "criteria/crosswalks/README.md",
    "criteria/estimates/README.md",
    "docs/*.md",
    "examples/**/README.md",
)

SHELL_FENCES = frozenset({"", "sh", "bash", "shell", "console"})
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
_PROGRAM = re.compile(r"^(?:\.venv/bin/)?(?:readiness|python3?|pip3?|bash)(?=\s|$)")


@attrs.frozen
class Command:
    """One command line of a document, where it is, and the output shown after it (if any)."""

    document: str
    line: int
    text: str
    output: tuple[str, ...] | None

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}"


@attrs.frozen
class Block:
    """A fenced block: its document, first line (of content), info string and lines."""

    document: str
    line: int
    info: str
    lines: tuple[str, ...]


def documents() -> list[Path]:
    """Return the documents of :data:`DOCUMENTS` that exist, sorted, each once."""
    found: set[Path] = set()
    for pattern in DOCUMENTS:
        found.update(p for p in ROOT.glob(pattern) if p.is_file())
    return sorted(found)


def blocks(path: Path) -> Iterator[Block]:
    """Yield the fenced blocks of a Markdown file (indented fences in list items too)."""
    name = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        indent, fence, info = match.groups()
        start = index + 1
        end = start
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        body = tuple(line.removeprefix(indent) for line in lines[start:end])
        yield Block(document=name, line=start + 1, info=info, lines=body)
        index = end + 1


def commands(block: Block) -> list[Command]:
    """Return the commands of one block (none unless its info string is a shell's)."""
    if block.info not in SHELL_FENCES:
        return []
    found: list[Command] = []
    if any(line.startswith("$ ") for line in block.lines):
        current: tuple[int, str] | None = None
        output: list[str] = []
        for number, line in enumerate(block.lines, block.line):
            if line.startswith("$ "):
                if current is not None:
                    found.append(Command(block.document, current[0], current[1], tuple(output)))
                current, output = (number, line[2:].strip()), []
            elif current is not None:
                output.append(line)
        if current is not None:
            found.append(Command(block.document, current[0], current[1], tuple(output)))
        return found
    pending: tuple[int, str] | None = None
    for number, line in enumerate(block.lines, block.line):
        if pending is not None:
            first, text = pending
            text = text + " " + line.strip()
        elif _PROGRAM.match(line.strip()):
            first, text = number, line.strip()
        else:
            continue
        if text.endswith("\\"):
            pending = (first, text[:-1].rstrip())
            continue
        pending = None
        found.append(Command(block.document, first, text, None))
    return found


def help_commands() -> list[Command]:
    """Return the examples of every subcommand's ``--help`` (the lines after ``example:``)."""
    from readiness._cli import build_parser

    parser = build_parser()
    found: list[Command] = []
    for action in parser._actions:  # argparse keeps its subparsers here
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, sub in action.choices.items():
            epilog = (sub.epilog or "").split("example:", 1)
            text = "\n".join(line.strip() for line in epilog[1].splitlines()) if epilog[1:] else ""
            block = Block(f"readiness {name} --help", 1, "", tuple(text.splitlines()))
            found += commands(block)
    return found


def all_commands() -> list[Command]:
    """Return every command of every document, in document order, then the --help examples."""
    shown = [c for path in documents() for block in blocks(path) for c in commands(block)]
    return shown + help_commands()


def output_matches(shown: str, printed: str) -> bool:
    """Whether a printed line matches a line as a document shows it.

    ``...`` in the shown line stands for any text (as doctest's ELLIPSIS); trailing spaces are
    ignored. Everything else must be equal.
    """
    parts = [re.escape(part) for part in shown.rstrip().split("...")]
    return re.fullmatch(".*".join(parts), printed.rstrip(), flags=re.DOTALL) is not None


#: Printed lines other work changes often: a shown line starting with one of these matches a
#: printed line with the same start holding the same amounts of money, in order (so a share of
#: assumed steps may be added to the line without the documentation going wrong).
LOOSE_LINES = ("Still planned",)

_MONEY = re.compile(r"\d[\d,.]* (?:bn|million|M) VND")


def line_matches(shown: str, printed: str) -> bool:
    """Whether a printed line matches a shown one (:func:`output_matches`, or a loose line)."""
    stripped = shown.lstrip()
    indent = shown[: len(shown) - len(stripped)]
    for start in LOOSE_LINES:
        if stripped.startswith(start):
            if not printed.startswith(indent + start):
                return False
            printed_amounts = iter(_MONEY.findall(printed))
            # the shown amounts, in order, among the printed ones (text may be added between)
            return all(amount in printed_amounts for amount in _MONEY.findall(shown))
    return output_matches(shown, printed)


def check_output(shown: tuple[str, ...], printed: str) -> None:
    """Every line shown matches the printed line at its place (a shown output may be cut).

    Blank lines are left out on both sides.
    """
    lines = [line for line in printed.splitlines() if line.strip()]
    shown = tuple(line for line in shown if line.strip())
    assert len(lines) >= len(shown), f"printed {len(lines)} lines, the document shows {len(shown)}"
    wrong = [
        f"shown:   {s}\nprinted: {p}"
        for s, p in zip(shown, lines, strict=False)
        if not line_matches(s, p)
    ]
    assert not wrong, "\n".join(wrong)
