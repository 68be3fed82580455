"""Malformed files, report specifications and command lines get located, typed errors.

Regression tests for problems found by fuzzing the readers, the report specification and the
command line: each used to escape as a bare Python exception (a traceback on the command line)
or to lose data without a word.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

import readiness
from readiness import errors, io, synthetic
from readiness._cli import main

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini.toml"
BAC_NINH = ROOT / "examples" / "bac_ninh"
HEADER = "id,kind,ownership,beds\n"
F1 = readiness.Facility(id="F1", kind="hospital", ownership="public")


@pytest.fixture(scope="module")
def mini() -> readiness.Catalog:
    return readiness.load_catalog(MINI)


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- readers


def test_a_json_integer_beyond_the_float_range_is_a_located_error(
    tmp_path: Path, mini: readiness.Catalog
) -> None:
    path = write(
        tmp_path / "a.json",
        '[{"facility_id": "F1", "date": "2026-01-01", "criterion": "lan", '
        '"status": "partial", "progress": 1' + "0" * 400 + "}]",
    )
    with pytest.raises(errors.InputError, match=r"row 1, column 'progress'.*401 characters"):
        io.read_assessments(path, mini, [F1])


def test_a_json_integer_too_long_to_read_is_invalid_json(tmp_path: Path) -> None:
    path = write(tmp_path / "f.json", '[{"id": "F1", "beds": ' + "9" * 5000 + "}]")
    with pytest.raises(errors.InputError, match="not valid JSON"):
        io.read_facilities(path)


def test_a_count_longer_than_18_digits_is_not_a_count(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", HEADER + "F1,hospital,public," + "9" * 5000 + "\n")
    with pytest.raises(errors.InputError, match=r"column 'beds'.*\(5,002 characters\)"):
        io.read_facilities(path)


def test_long_values_are_shortened_in_messages_but_kept_whole(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", HEADER + "F1,hospital,public," + "9" * 500 + "\n")
    with pytest.raises(errors.InputError) as caught:
        io.read_facilities(path)
    assert len(str(caught.value)) < 400
    assert caught.value.problems[0].value == "9" * 500


def test_a_status_of_the_wrong_type_is_reported_once(
    tmp_path: Path, mini: readiness.Catalog
) -> None:
    path = write(
        tmp_path / "a.json",
        '[{"facility_id": "F1", "date": "2026-01-01", "criterion": "lan", "status": 1}]',
    )
    with pytest.raises(errors.InputError) as caught:
        io.read_assessments(path, mini, [F1])
    assert [p.message for p in caught.value.problems] == ["status must be a string"]


def test_old_mac_line_endings_are_named(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", b"id,kind,ownership\rF1,hospital,public\r")
    with pytest.raises(errors.InputError, match="bare carriage return"):
        io.read_facilities(path)


def test_an_attribute_column_needs_a_name(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", "id,kind,ownership,attributes.\nF1,hospital,public,x\n")
    with pytest.raises(errors.InputError, match=re.escape("needs a name after 'attributes.'")):
        io.read_facilities(path)


# --------------------------------------------------------------------------- loading


def test_layers_are_checked_like_catalogs(tmp_path: Path) -> None:
    layer = BAC_NINH / "bn-emr-layer.toml"
    with pytest.raises(errors.UnknownCatalogError, match="layers are file paths"):
        readiness.load_catalog("vn-emr", layers=5)  # type: ignore[arg-type]
    with pytest.raises(errors.UnknownCatalogError, match="a layer is a file path"):
        readiness.load_catalog("vn-emr", layers=[None])  # type: ignore[list-item]
    with pytest.raises(errors.CatalogError, match="given twice"):
        readiness.load_catalog("vn-emr", layers=[layer, layer])
    one = readiness.load_catalog("vn-emr", layers=str(layer))  # one path is one layer
    assert one is readiness.load_catalog("vn-emr", layers=[str(layer)])
    with pytest.raises(errors.UnknownCatalogError, match="cannot use this path"):
        readiness.load_catalog("x" * 5000 + ".toml")


def test_a_layer_may_require_another_catalog(tmp_path: Path) -> None:
    """A layer's own ``requires`` lets its overrides name criteria of that catalog."""
    base = MINI.read_text(encoding="utf-8")
    write(tmp_path / "mini.toml", base)
    layer = write(
        tmp_path / "layer.toml",
        'format = 1\n[catalog]\nid = "lay"\nextends = "mini"\n'
        'title = { en = "L", vi = "L" }\nversion = "1"\nrequires = ["vn-emr"]\n'
        '[[override.criterion]]\nid = "lan"\nrequires = ["vn-emr:vn.tt13.it.network"]\n',
    )
    catalog = readiness.load_catalog(tmp_path / "mini.toml", layers=[layer])
    assert "vn-emr" in catalog.frameworks
    assert catalog.criteria["mini:lan"].prerequisites == ("vn-emr:vn.tt13.it.network",)


# --------------------------------------------------------------------------- portfolio


@pytest.mark.parametrize(
    ("spent", "message"),
    [
        ("nosuch", "no facility has the attribute 'nosuch'"),
        ({"ZZ": 5.0}, "spent names facilities that are not in the table"),
    ],
)
def test_spent_must_name_something(mini: readiness.Catalog, spent: object, message: str) -> None:
    table = readiness.score_many(
        mini, [readiness.Assessment(facility=F1, date=dt.date(2026, 1, 1))]
    )
    with pytest.raises(errors.OptionError, match=message):
        readiness.summarize(table, spent=spent)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [10**400, True, "1e999", -1])
def test_spent_values_must_be_finite_amounts(mini: readiness.Catalog, value: object) -> None:
    table = readiness.score_many(
        mini, [readiness.Assessment(facility=F1, date=dt.date(2026, 1, 1))]
    )
    with pytest.raises(errors.OptionError, match="finite number of VND"):
        readiness.summarize(table, spent={"F1": value})  # type: ignore[dict-item]


def test_synthetic_history_needs_distinct_dates(mini: readiness.Catalog) -> None:
    day = dt.date(2026, 1, 1)
    with pytest.raises(ValueError, match="distinct dates"):
        synthetic.history(mini, 3, [day, day], seed=1)


# --------------------------------------------------------------------------- report specs


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    for name in ("facilities.csv", "assessments.csv", "bn-emr-layer.toml", "report.toml"):
        shutil.copy(BAC_NINH / name, tmp_path / name)
    return tmp_path


def edit(folder: Path, old: str, new: str) -> Path:
    spec = folder / "report.toml"
    text = spec.read_text(encoding="utf-8")
    assert old in text, old
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")
    return spec


def append(folder: Path, text: str) -> Path:
    """Add ``text`` (TOML tables) at the end of the specification."""
    spec = folder / "report.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")
    return spec


def run_report(spec: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["report", str(spec), "-o", str(out)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("format = 1", "format = true", "unsupported format"),
        ("[roadmap]", "[roadmap_was_here]", "must be a table: write [roadmap]"),
        ("[[section]]", "[section]", "must be an array of tables: write [[section]]"),
        ('id = "without-beds"', "id = [1]", "key 'id': must be a non-empty string, not array"),
        (
            "obliged = { obliged_2025 = true }",
            'obliged = { obliged_2025 = "yes" }',
            "obligation: attribute 'obliged_2025' must be true or false",
        ),
    ],
)
def test_malformed_specs_are_refused_with_the_line(
    spec_dir: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    spec = edit(spec_dir, old, new)
    if new == "[roadmap_was_here]":  # a value where the [roadmap] table belongs
        spec = edit(spec_dir, "format = 1", 'format = 1\nroadmap = "x"')
    code, output = run_report(spec, spec_dir / "out", capsys)
    assert code == 2
    assert message in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("framework", "message"),
    [
        ('"emram"', "key 'framework': must be a built-in catalog"),
        ("7", "key 'framework'"),
    ],
)
def test_a_bad_estimate_framework_is_refused_with_the_line(
    spec_dir: Path, capsys: pytest.CaptureFixture[str], framework: str, message: str
) -> None:
    spec = edit(spec_dir, 'framework = "himss-emram"', f"framework = {framework}")
    code, output = run_report(spec, spec_dir / "out", capsys)
    assert code == 2
    assert "report.toml:" in output
    assert message in output


def test_two_sections_with_one_id_are_refused(
    spec_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (spec_dir / "report.toml").read_text(encoding="utf-8")
    start = text.index("[[section]]")
    end = text.find("\n[", start + 1)
    code, output = run_report(append(spec_dir, text[start:end]), spec_dir / "out", capsys)
    assert code == 2
    assert "two sections have this id" in output


def test_a_section_nobody_matches_says_so(
    spec_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = (
        '[[section]]\nid = "nobody"\ntitle = { en = "Nobody", vi = "Không ai" }\n'
        'facilities = { region = "Atlantis" }\ntarget = "vn-emr@1"\n'
    )
    code, output = run_report(append(spec_dir, extra), spec_dir / "out", capsys)
    assert code == 0
    assert "Nobody: no facility matches this section" in output


def test_a_report_stem_with_a_control_character_is_refused(
    spec_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = edit(spec_dir, 'stem = "bac-ninh"', 'stem = "a\\u0000b"')
    code, output = run_report(spec, spec_dir / "out", capsys)
    assert code == 2
    assert "stem is a file name without a folder" in output


# --------------------------------------------------------------------------- command line


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_an_output_that_is_a_device_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """-o names a device: refused (outputs are regular files, replaced atomically), one line."""
    assert main(["catalogs", "-o", "/dev/full"]) == 2
    assert capsys.readouterr().err == (
        "readiness: /dev/full: refusing to replace something that is not a regular file\n"
    )


def test_dates_on_the_command_line_must_be_written_yyyy_mm_dd(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["plan", "--catalog", "vn-emr", "--facilities", "F", "--assessments", "A",
              "--target", "vn-emr@1", "--start", "20260101"])  # fmt: skip
    assert caught.value.code == 2
    assert "not a date yyyy-mm-dd: '20260101'" in capsys.readouterr().err


def test_plan_of_one_facility_as_csv_lists_its_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "plan", "--catalog", "vn-smart-hospital",
            "--layer", str(BAC_NINH / "bn-emr-layer.toml"),
            "--facilities", str(BAC_NINH / "facilities.csv"),
            "--assessments", str(BAC_NINH / "assessments.csv"),
            "--target", "vn-smart-hospital@3", "--facility", "bn-ph-01", "--format", "csv",
        ]
    )  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == (
        "facility_id,criterion,title,wave,start,finish,effort_days,cost_vnd,estimated,costed,"
        "deadline,reason"
    )
    assert len(lines) > 2
    assert all(line.startswith("bn-ph-01,") for line in lines[1:])
