"""docs/reports.md, "The report spec, key by key", says what the parser does.

* Every key the parser accepts, in every table, is documented, and every documented key is
  accepted: the parser's own list of allowed keys (its "unknown key" error names them) equals the
  keys of the table's documentation.
* The keys documented as required are those whose absence the parser reports.
* The worked example shown is the file in docs/report-example/, its output is what the command
  prints, and the error lines shown are those the command prints.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readiness._cli import main
from readiness._spec import read_spec
from readiness.errors import InputError
from tests.docblocks import ROOT, blocks, check_output, commands

DOC = ROOT / "docs" / "reports.md"
EXAMPLE = ROOT / "docs" / "report-example"
SECTION = "## The report spec, key by key"

#: The headings of the key tables, and how the parser names each table in its messages.
TABLES = {
    "Top level": "the file",
    "`[report]`": "[report]",
    "`[obligation]`": "[obligation]",
    "`[[section]]`": "[[section]]",
    "`[allocation]`": "[allocation]",
    "`[[allocation.scenario]]`": "[[allocation.scenario]]",
    "`[roadmap]`": "[roadmap]",
    "`[estimate]`": "[estimate]",
}


def section_text() -> str:
    text = DOC.read_text(encoding="utf-8")
    assert text.count(SECTION) == 1
    return text.split(SECTION, 1)[1].split("\n## ", 1)[0]


def documented() -> dict[str, dict[str, bool]]:
    """Each table's documented keys, and whether each is required (its column says "yes")."""
    found: dict[str, dict[str, bool]] = {}
    for chunk in section_text().split("\n### ")[1:]:
        heading, body = chunk.split("\n", 1)
        if heading not in TABLES:
            continue
        rows = [line for line in body.splitlines() if line.startswith("| `")]
        table: dict[str, bool] = {}
        for row in rows:
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            key = cells[0].strip("`").strip("[]")
            assert key not in table, f"{heading}: {key} documented twice"
            table[key] = cells[2].startswith("yes")
        found[TABLES[heading]] = table
    assert set(found) == set(TABLES.values()), "a key table of the spec is missing"
    return found


def example_text() -> str:
    return (EXAMPLE / "report.toml").read_text(encoding="utf-8")


def problems(text: str, folder: Path) -> list[tuple[str, str | None]]:
    """The (message, key) of every problem the parser reports in ``text``."""
    spec = folder / "report.toml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_spec(spec)
    return [(p.message, p.key) for p in caught.value.problems]


def after_each_header(text: str, line: str) -> str:
    """Insert ``line`` after ``format = 1`` and after every table header of the example."""
    out = []
    for row in text.splitlines():
        out.append(row)
        if row == "format = 1" or re.fullmatch(r"\[\[?[a-z.]+\]\]?", row):
            out.append(line)
    return "\n".join(out) + "\n"


def test_every_key_the_parser_accepts_is_documented_and_no_other(tmp_path: Path) -> None:
    doc = documented()
    allowed: dict[str, set[str]] = {}
    for message, key in problems(after_each_header(example_text(), "zz_unknown = 1"), tmp_path):
        match = re.fullmatch(
            r"unknown key in (.+?)(?:; did you mean .*)? \(allowed: (.*)\)", message
        )
        if key == "zz_unknown" and match:
            allowed[match[1]] = set(match[2].split(", "))
    assert set(allowed) == set(TABLES.values())  # every table of the example reached
    for table, keys in allowed.items():
        assert set(doc[table]) == keys, table


def test_the_required_keys_are_documented_as_required(tmp_path: Path) -> None:
    doc = documented()
    headers = [row for row in example_text().splitlines() if row.startswith("[")]
    emptied = "format = 1\n" + "\n".join(headers) + "\n"  # every table without its keys
    required: dict[str, set[str]] = {table: set() for table in TABLES.values()}
    for text in ("", emptied):
        for message, key in problems(text, tmp_path):
            match = re.fullmatch(r"missing required key in (.+)", message)
            if match and key is not None:
                required[match[1]].add(key)
    for table, keys in doc.items():
        assert {k for k, needed in keys.items() if needed} == required[table], table


def test_the_example_shown_is_the_example_file() -> None:
    shown = {b.info: "\n".join(b.lines) + "\n" for b in blocks(DOC) if b.info in ("toml", "csv")}
    section = section_text()
    assert shown["toml"] in section
    assert shown["toml"] == example_text()
    facilities = (EXAMPLE / "facilities.csv").read_text(encoding="utf-8")
    assert shown["csv"] in section
    assert shown["csv"] == facilities
    assert "SYNTHETIC" in example_text()


def test_the_example_prints_what_the_doc_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (command,) = [c for b in blocks(DOC) for c in commands(b) if c.output]
    assert command.text == "readiness report docs/report-example/report.toml -o example-report"
    shutil.copytree(EXAMPLE, tmp_path / "docs" / "report-example")
    monkeypatch.chdir(tmp_path)
    assert main(command.text.split()[1:]) == 0
    assert command.output is not None
    check_output(command.output, capsys.readouterr().out)
    assert (tmp_path / "example-report" / "example.html").is_file()


def test_the_error_lines_shown_are_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The section's first block: a misspelt catalog id and a misspelt key, as printed."""
    shown = next(
        b for b in blocks(DOC) if b.info == "" and b.lines[0].startswith("readiness: report.toml:")
    )
    text = example_text().replace('catalog = ["vn-emr"]', 'catalog = ["vn-emrr"]')
    text = text.replace('stem = "example"\n', 'stem = "example"\nstm = "x"\n')
    shutil.copytree(EXAMPLE, tmp_path / "spec")
    spec = tmp_path / "spec" / "report.toml"
    spec.write_text(text, encoding="utf-8")
    monkeypatch.chdir(spec.parent)
    assert main(["report", "report.toml", "-o", str(tmp_path / "out")]) == 2
    assert list(shown.lines) == capsys.readouterr().err.splitlines()


def test_problems_found_with_the_data_name_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round not in the file and conditions the facilities cannot meet: file, line and key."""
    lines = example_text().splitlines()
    edits = {  # line of the example -> its replacement
        "compare = ": "compare = 2025-09-21",
        "facilities = { has_beds = false }": 'facilities = { colour = "red" }',
        'facilities = { kind = "hospital" }': 'facilities = { beds = "many" }',
        "budget_factor = ": 'budget_factor = 0.5\nexempt = { shade = "x" }',
    }
    for n, line in enumerate(lines):
        for start, new in edits.items():
            if line.startswith(start):
                lines[n] = new
    text = "\n".join(lines) + "\n"
    where: dict[str, list[int]] = {}  # each edited line's number in the file written
    for n, line in enumerate(text.splitlines(), 1):
        where.setdefault(line.split(" = ", 1)[1] if " = " in line else line, []).append(n)
    shutil.copytree(EXAMPLE, tmp_path / "spec")
    spec = tmp_path / "spec" / "report.toml"
    spec.write_text(text.replace("compare = 2025-09-21", "compare = 2025-09-22"))
    monkeypatch.chdir(spec.parent)
    assert main(["report", "report.toml", "-o", str(tmp_path / "out")]) == 2
    section, allocation = where['{ colour = "red" }']
    (exempt,) = where['{ shade = "x" }']
    (roadmap,) = where['{ beds = "many" }']
    assert [line.split(": key ")[0] for line in capsys.readouterr().err.splitlines()] == [
        f"readiness: report.toml:{n}" for n in (section, allocation, exempt, roadmap)
    ]
    spec.write_text(example_text().replace("compare = 2025-09-22", "compare = 2025-09-21"))
    assert main(["report", "report.toml", "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith(
        f"readiness: report.toml:{where['2025-09-21'][0]}: key 'compare': "
        "no assessment round on this date"
    )
    text = example_text().replace('target = "vn-emr@3"', 'target = "vn-emr@9"')
    spec.write_text(text, encoding="utf-8")
    assert main(["report", "report.toml", "-o", str(tmp_path / "out")]) == 2
    line = text.splitlines().index('target = "vn-emr@9"') + 1
    assert capsys.readouterr().err == (
        f"readiness: report.toml:{line}: key 'target': catalog 'vn-emr' has levels 1..3 (got 9)\n"
    )
    # readiness allocate checks its own table the same way (and only its own)
    text = text.replace("budget_factor = 0.5", 'budget_factor = 0.5\nexempt = { shade = "x" }')
    spec.write_text(text, encoding="utf-8")
    assert main(["allocate", "report.toml"]) == 2
    line = text.splitlines().index('exempt = { shade = "x" }') + 1
    assert capsys.readouterr().err.startswith(
        f"readiness: report.toml:{line}: key 'exempt': scenario budget halved: condition on an "
        "attribute no facility has"
    )


# --------------------------------------------------------------------------- section ids


_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
ID_LINE = example_text().splitlines().index('id = "without-beds"') + 1


@given(
    st.one_of(
        st.from_regex(_ID, fullmatch=True),
        st.text(alphabet=st.sampled_from("aZ09-_ .:/\\\"'é\u0301"), max_size=12),
        st.just("estimated-stage"),
    )
)
def test_a_section_id_is_accepted_exactly_when_the_doc_says(section_id: str) -> None:
    """Lower-case letters, digits, '-' and '_', and not the [estimate] section's id; a refused
    id is reported with the spec's line, key and value."""
    text = example_text().replace('id = "without-beds"', f"id = {json.dumps(section_id)}")
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "report.toml"
        spec.write_text(text, encoding="utf-8")
        try:
            read_spec(spec)
        except InputError as error:
            (problem,) = error.problems
            read = unicodedata.normalize("NFC", section_id)  # the spec's text is read as NFC
            assert (problem.key, problem.value, problem.line) == ("id", read, ID_LINE)
            accepted = False
        else:
            accepted = True
    assert accepted == (_ID.fullmatch(section_id) is not None and section_id != "estimated-stage")


def test_the_estimated_stage_section_keeps_its_own_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A section may not take the [estimate] section's id (it used to replace it silently)."""
    shutil.copytree(EXAMPLE, tmp_path / "spec")
    spec = tmp_path / "spec" / "report.toml"
    spec.write_text(
        example_text().replace('id = "without-beds"', 'id = "estimated-stage"'), encoding="utf-8"
    )
    assert main(["report", str(spec), "-o", str(tmp_path / "out")]) == 2
    assert f"report.toml:{ID_LINE}: key 'id': 'estimated-stage' is the [estimate] section's id" in (
        capsys.readouterr().err
    )
