"""Hostile text in every string field, through every output this branch owns (issue 10).

Markup, formula prefixes, control characters, bidi overrides, a lone CR, NUL, very long text and
NFD forms are placed in facility ids, names, regions and attributes, in assessment reasons,
evidence and notes, and in catalog titles. Each output must parse, round-trip where promised
(io writers and readers), and carry no formula, escape sequence or markup that came from data.
The HTML, Markdown and chart SVG of reports are checked by the report tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import readiness
from readiness import _safe
from readiness._cli import main
from readiness.io import read_assessments, read_facilities, write_assessments, write_facilities

DATA = Path(__file__).parent / "data"

HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "=cmd|' /C calc'!A0",
    "+1+cmd",
    "-2+3",
    "@SUM(A1)",
    "\tstarts with a tab",
    "\rstarts with CR",
    "lone\rCR",
    "two\nlines",
    "\x1b]0;PWNED\x07",
    "\x1b[2J\x1b[8m",
    "\x9b31mC1 CSI",
    "\u202eevil\u202c",
    "\u2066isolate\u2069",
    "NUL\x00inside",
    "vertical\x0btab",
    "`code` **bold** [a](javascript:alert(1)) # heading",
    'quote\' "double" \\ backslash',
    "&amp; ]]> -- <!-- -->",
    "Be\u0323\u0302nh vie\u0323\u0302n",  # NFD
    "x" * 5000,
)
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_TERMINAL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are a subset TOML reads)."""
    return json.dumps(text, ensure_ascii=True).replace("\\/", "/")


def _ident(n: int, text: str) -> str:
    """A facility id holding ``text`` (ids may not start or end with spaces)."""
    return text if text == text.strip() and text.strip() else f"id{n}{text}end"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Hostile catalog, facilities and assessments, written by the io writers (CSV and JSON)."""
    folder = tmp_path_factory.mktemp("hostile")
    text = (DATA / "mini.toml").read_text(encoding="utf-8")
    titles = re.findall(r'title = \{ en = "([^"]*)", vi = "([^"]*)" \}', text)
    for n, (en, vi) in enumerate(titles):
        hostile = HOSTILE[n % len(HOSTILE)]
        text = text.replace(
            f'title = {{ en = "{en}", vi = "{vi}" }}',
            f"title = {{ en = {_toml(hostile)}, vi = {_toml(HOSTILE[-n % len(HOSTILE)])} }}",
            1,
        )
    (folder / "hostile.toml").write_text(text, encoding="utf-8")
    catalog = readiness.load_catalog(folder / "hostile.toml")
    facilities = [
        readiness.Facility(
            id=_ident(n, h),
            name=h,
            kind="hospital",
            ownership="public",
            beds=10,
            region=HOSTILE[(n + 3) % len(HOSTILE)],
            attributes={"district": HOSTILE[(n + 7) % len(HOSTILE)]},
        )
        for n, h in enumerate(HOSTILE)
    ]
    assessments = [
        readiness.Assessment(
            facility=f,
            date=dt.date(2026, 1, 1),
            records={
                "mini:lan": {"status": "met", "evidence": h, "note": h},
                "mini:servers": {"status": "not_applicable", "reason": HOSTILE[-n - 1]},
            },
        )
        for n, (f, h) in enumerate(zip(facilities, HOSTILE, strict=True))
    ]
    out = {"catalog": folder / "hostile.toml"}
    for suffix in ("csv", "json"):
        out[f"f.{suffix}"] = folder / f"f.{suffix}"
        out[f"a.{suffix}"] = folder / f"a.{suffix}"
        write_facilities(out[f"f.{suffix}"], facilities)
        write_assessments(out[f"a.{suffix}"], assessments, catalog)
    return out


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_io_round_trip(files: dict[str, Path], suffix: str) -> None:
    """Facilities and assessments read back equal after a write and a second read."""
    catalog = readiness.load_catalog(files["catalog"])
    facilities = read_facilities(files[f"f.{suffix}"])
    assessments = read_assessments(files[f"a.{suffix}"], catalog, facilities)
    assert len(facilities) == len(HOSTILE)
    folder = files["catalog"].parent
    write_facilities(folder / f"again.{suffix}", facilities)
    write_assessments(folder / f"again_a.{suffix}", assessments, catalog)
    again = read_facilities(folder / f"again.{suffix}")
    assert again == facilities
    assert list(read_assessments(folder / f"again_a.{suffix}", catalog, again)) == list(assessments)
    names = {unicodedata.normalize("NFC", f.name) for f in facilities}
    assert names == {unicodedata.normalize("NFC", h) for h in HOSTILE}


def _cli(capsys: pytest.CaptureFixture[str], files: dict[str, Path], *args: str) -> str:
    code = main(
        [
            *args,
            "--catalog",
            str(files["catalog"]),
            "--facilities",
            str(files["f.csv"]),
            "--assessments",
            str(files["a.csv"]),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    # notices on stderr (data gaps, disputed claims) carry no control character from the data
    assert not any(ord(c) < 32 and c != "\n" for c in err), err
    return out


COMMANDS = [["score"], ["plan", "--target", "mini@2"], ["summarize", "--by", "region,district"]]


@pytest.mark.parametrize("command", COMMANDS)
def test_csv_outputs(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], command: list[str]
) -> None:
    """CSV parses to rows of one width; no text cell starts like a formula."""
    rows = list(
        csv.reader(io.StringIO(_cli(capsys, files, *command, "--format", "csv"), newline=""))
    )
    assert len({len(r) for r in rows}) == 1
    assert len(rows) > len(HOSTILE) if command[0] != "summarize" else len(rows) > 1
    for cell in (c for r in rows for c in r):
        if cell.startswith(_TRIGGERS):
            float(cell)


@pytest.mark.parametrize("command", COMMANDS)
def test_json_outputs(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], command: list[str]
) -> None:
    """JSON parses and holds the data exactly (JSON escapes every control character)."""
    text = _cli(capsys, files, *command, "--format", "json")
    data = json.loads(text)
    assert data
    assert not re.search("[\x00-\x09\x0b-\x1f]", text)
    if command[0] == "score":
        ids = {row["facility_id"] for row in data}
        catalog = readiness.load_catalog(files["catalog"])
        expected = {f.id for f in read_facilities(files["f.csv"], catalog=catalog)}
        assert ids == expected


@pytest.mark.parametrize(
    "command", [*COMMANDS, ["score", "--facility"], ["plan", "--target", "mini@2", "--facility"]]
)
def test_terminal_outputs(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], command: list[str]
) -> None:
    """Tables and explanations carry no control or bidi character from data (newline aside)."""
    if command[-1] == "--facility":
        ids = [f.id for f in read_facilities(files["f.csv"])]
        escapes = next(i for i in ids if "\x1b" in i)
        text = _cli(capsys, files, *command, escapes)
        assert "\\x1b]0;PWNED\\x07" in text
    else:
        text = _cli(capsys, files, *command)
    assert not _UNSAFE_TERMINAL.search(text)


def test_graph_outputs(files: dict[str, Path], tmp_path: Path) -> None:
    """GraphML and SVG parse with no element or handler from data; DOT holds no control
    character and its quotes balance; node-link JSON parses and keeps titles exactly."""
    catalog = readiness.load_catalog(files["catalog"])
    for fmt in ("graphml", "svg", "dot", "json"):
        out = tmp_path / f"g.{fmt}"
        assert main(["graph", str(files["catalog"]), "--format", fmt, "-o", str(out)]) == 0
        data = out.read_bytes()
        if fmt in ("graphml", "svg"):
            root = ET.fromstring(data)
            tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
            assert not tags & {"img", "script", "foreignObject", "iframe"}
            for element in root.iter():
                assert not any(name.lower().startswith("on") for name in element.attrib)
        elif fmt == "dot":
            text = data.decode("utf-8")
            assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text)
            unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', "", text)
            assert '"' not in unquoted
            assert unquoted.count("{") == unquoted.count("}")
        else:
            nodes = {n["id"]: n for n in json.loads(data)["nodes"]}
            for key, criterion in catalog.criteria.items():
                assert nodes[key]["title"] == criterion.title.en


_TEXT = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
    .map(lambda s: unicodedata.normalize("NFC", s))
    .filter(lambda s: bool(s.strip()))
)
_ID = _TEXT.filter(lambda s: s == s.strip())


@given(
    ident=_ID,
    name=_TEXT,
    region=_TEXT,
    district=_TEXT,
    reason=_TEXT,
    note=_TEXT,
    evidence=_TEXT,
    suffix=st.sampled_from(["csv", "json"]),
    guard=st.booleans(),
)
def test_random_text_round_trips(
    tmp_path_factory: pytest.TempPathFactory,
    ident: str,
    name: str,
    region: str,
    district: str,
    reason: str,
    note: str,
    evidence: str,
    suffix: str,
    guard: bool,
) -> None:
    """Any text in string fields reads back equal from CSV (guarded or not) and JSON."""
    catalog = readiness.load_catalog(DATA / "mini.toml")
    facility = readiness.Facility(
        id=ident,
        name=name,
        kind="hospital",
        ownership="public",
        region=region,
        attributes={"district": district},
    )
    assessment = readiness.Assessment(
        facility=facility,
        date=dt.date(2026, 1, 1),
        records={
            "mini:lan": {"status": "met", "note": note, "evidence": evidence},
            "mini:servers": {"status": "not_applicable", "reason": reason},
        },
    )
    folder = tmp_path_factory.mktemp("rt")
    write_facilities(folder / f"f.{suffix}", [facility], csv_guard=guard)
    write_assessments(folder / f"a.{suffix}", [assessment], catalog, csv_guard=guard)
    back = read_facilities(folder / f"f.{suffix}")
    assert back == (facility,)
    assert list(read_assessments(folder / f"a.{suffix}", catalog, back)) == [assessment]


@settings(max_examples=25)
@given(ident=_ID, name=_TEXT, region=_TEXT, fmt=st.sampled_from(["csv", "json"]))
def test_command_outputs_read_back(
    tmp_path_factory: pytest.TempPathFactory, ident: str, name: str, region: str, fmt: str
) -> None:
    """score's CSV (guard removed) and JSON give back the facility id and attributes exactly."""
    folder = tmp_path_factory.mktemp("cli")
    facility = readiness.Facility(
        id=ident, name=name, kind="hospital", ownership="public", region=region
    )
    write_facilities(folder / "f.json", [facility])
    (folder / "a.json").write_text(
        json.dumps(
            [
                {
                    "facility_id": ident,
                    "date": "2026-01-01",
                    "criterion": "mini:lan",
                    "status": "met",
                }
            ]
        ),
        encoding="utf-8",
    )
    out = folder / f"s.{fmt}"
    code = main(
        [
            "score",
            "--catalog",
            str(DATA / "mini.toml"),
            "--facilities",
            str(folder / "f.json"),
            "--assessments",
            str(folder / "a.json"),
            "--format",
            fmt,
            "-o",
            str(out),
        ]
    )
    assert code == 0
    if fmt == "json":
        [row] = json.loads(out.read_text(encoding="utf-8"))
    else:
        with out.open(encoding="utf-8", newline="") as handle:
            [row] = [
                {k: _safe.csv_unguard(v) for k, v in r.items()} for r in csv.DictReader(handle)
            ]
    assert (row["facility_id"], row["name"], row["region"]) == (ident, name, region)
