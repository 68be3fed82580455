"""Reading and writing facilities and assessments (``readiness.io``).

The corpus ``tests/corpus/assessments`` holds malformed files; each ``NAME.csv`` or ``NAME.json``
has a sidecar ``NAME.expect``::

    error=UnknownCriterionError row=3 line=4 column=criterion value=mini:lann message="no such ..."

* ``error=`` is the exception class (a name in :mod:`readiness.errors`); the error must be exactly
  of that class;
* ``row=``, ``line=``, ``column=`` must equal the problem's fields (``none``: not set);
* ``value=`` must equal ``str`` of the offending value (``-``: no value);
* ``message=`` must be a substring of the problem's text, and so of ``str(error)``;
* optional ``reader=facilities|assessments|matrix`` picks the reader (default: ``facilities``
  when the file name starts with it, else ``assessments``) and ``format=long|wide`` is passed on.

A file with several problems says ``error=InputError problems=3`` on the first line, then lists
one ``problem: ...`` line per problem in the order the error lists them (sorted by position).
Every file is read with ``tests/data/mini.toml`` and the facilities of
``tests/data/mini_facilities.csv``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import pickle
import re
import shlex
import string
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import readiness
from readiness import KINDS, OWNERSHIPS, AssessedBy, Assessment, Facility, Record, Status, errors
from readiness import io as rio
from readiness._compile import compile_catalog
from readiness._matrix import BELOW_COVERAGE, EXPIRED, MET
from readiness.errors import NO_VALUE

HERE = Path(__file__).parent
DATA = HERE / "data"
CORPUS = HERE / "corpus" / "assessments"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".csv", ".json"))
DOCS = HERE.parent / "docs" / "formats.md"


@pytest.fixture(scope="module")
def mini() -> readiness.Catalog:
    return readiness.load_catalog(str(DATA / "mini.toml"))


@pytest.fixture(scope="module")
def emr() -> readiness.Catalog:
    return readiness.load_catalog("vn-emr")


@pytest.fixture(scope="module")
def facilities(mini: readiness.Catalog) -> tuple[Facility, ...]:
    return rio.read_facilities(DATA / "mini_facilities.csv", catalog=mini)


# --------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Expected:
    row: int | None
    line: int | None
    column: str | None
    value: str | None  # None: not checked; "-": no value
    message: str


@dataclass(frozen=True)
class Expectation:
    error: type[errors.ReadinessError]
    reader: str
    format: str | None
    problems: tuple[Expected, ...]


def _fields(text: str) -> dict[str, str]:
    out = {}
    for token in shlex.split(text):
        name, sep, value = token.partition("=")
        assert sep, f"expectation token without '=': {token!r}"
        out[name] = value
    return out


def _optional_int(text: str) -> int | None:
    return None if text == "none" else int(text)


def _expected(fields: dict[str, str]) -> Expected:
    unknown = set(fields) - {"row", "line", "column", "value", "message"}
    assert not unknown, f"unknown expectation fields {unknown}"
    column = fields["column"]
    return Expected(
        row=_optional_int(fields["row"]),
        line=_optional_int(fields["line"]),
        column=None if column == "none" else column,
        value=fields.get("value"),
        message=fields["message"],
    )


def read_expectation(path: Path) -> Expectation:
    lines = path.with_suffix(".expect").read_text(encoding="utf-8").splitlines()
    head = _fields(lines[0])
    error = getattr(errors, head.pop("error"))
    assert isinstance(error, type)
    assert issubclass(error, errors.ReadinessError)
    reader = head.pop(
        "reader", "facilities" if path.name.startswith("facilities") else "assessments"
    )
    layout = head.pop("format", None)
    if "problems" in head:
        count = int(head.pop("problems"))
        assert not head, f"{path.name}: a multi-problem header takes only error=, problems="
        problems = tuple(
            _expected(_fields(line.removeprefix("problem: ")))
            for line in lines[1:]
            if line.startswith("problem: ")
        )
        assert len(problems) == count, f"{path.name}: problems={count} but {len(problems)} listed"
        assert count >= 2
    else:
        problems = (_expected(head),)
    return Expectation(error=error, reader=reader, format=layout, problems=problems)


def corpus_error(
    path: Path, expectation: Expectation, mini: readiness.Catalog, facilities: tuple[Facility, ...]
) -> errors.ReadinessError:
    layout: Any = expectation.format
    readers = {
        "facilities": lambda: rio.read_facilities(path, catalog=mini),
        "assessments": lambda: rio.read_assessments(path, mini, facilities, format=layout),
        "matrix": lambda: list(rio.read_matrix(path, mini, facilities, format=layout)),
    }
    read = readers[expectation.reader]
    with pytest.raises(errors.ReadinessError) as info:
        read()
    return info.value


def test_corpus_is_large_enough():
    assert len(FILES) >= 24
    kinds = {(p.suffix, read_expectation(p).reader) for p in FILES}
    assert {(".csv", "assessments"), (".json", "assessments"), (".csv", "facilities")} <= kinds
    assert {(".json", "facilities"), (".csv", "matrix")} <= kinds
    assert any(p.name.startswith("wide") for p in FILES)
    assert any(p.name.startswith("json_wide") for p in FILES)
    assert sum(len(read_expectation(p).problems) > 1 for p in FILES) >= 4


def test_every_corpus_file_has_an_expectation():
    expects = {p.stem for p in CORPUS.glob("*.expect")}
    assert expects == {p.stem for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_is_rejected_with_located_problems(path, mini, facilities):
    expectation = read_expectation(path)
    error = corpus_error(path, expectation, mini, facilities)
    assert type(error) is expectation.error, str(error)
    assert len(error.problems) == len(expectation.problems), str(error)
    text = str(error)
    for problem, expected in zip(error.problems, expectation.problems, strict=True):
        assert problem.path == str(path)
        assert (problem.row, problem.line, problem.column) == (
            expected.row,
            expected.line,
            expected.column,
        ), str(problem)
        if expected.value == "-":
            assert problem.value is NO_VALUE, str(problem)
        elif expected.value is not None:
            assert str(problem.value) == expected.value, str(problem)
        assert expected.message in str(problem)
        assert str(problem) in text
    assert pickle.loads(pickle.dumps(error)).problems == error.problems


ASSESSMENT_FILES = [p for p in FILES if read_expectation(p).reader == "assessments"]


@pytest.mark.parametrize("path", ASSESSMENT_FILES, ids=[p.name for p in ASSESSMENT_FILES])
def test_read_matrix_reports_the_same_problems(path, mini, facilities):
    """One row parser serves every reader: read_matrix finds what read_assessments finds."""
    expectation = read_expectation(path)
    expected = corpus_error(path, expectation, mini, facilities)
    matrix = Expectation(expectation.error, "matrix", expectation.format, expectation.problems)
    error = corpus_error(path, matrix, mini, facilities)
    assert type(error) is type(expected)
    assert error.problems == expected.problems


def test_wide_unknown_criterion_is_reported_once_per_column(mini, facilities):
    path = CORPUS / "wide_unknown_criterion.csv"
    with pytest.raises(errors.UnknownCriterionError) as info:
        rio.read_assessments(path, mini, facilities)
    assert len(info.value.problems) == 1
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3  # two rows use the column


def test_errors_subclass_the_builtins_they_resemble(mini, facilities):
    with pytest.raises(LookupError):
        rio.read_assessments(CORPUS / "long_unknown_criterion.csv", mini, facilities)
    with pytest.raises(LookupError):
        rio.read_assessments(CORPUS / "long_unknown_facility.csv", mini, facilities)
    with pytest.raises(ValueError, match="status must be one of"):
        rio.read_assessments(CORPUS / "long_bad_status.csv", mini, facilities)


def test_reading_stops_after_100_problems(tmp_path, mini, facilities):
    path = tmp_path / "many.csv"
    rows = "".join(f"h1,2026-01-{1 + n % 28:02d},lan,mett\n" for n in range(150))
    path.write_text("facility_id,date,criterion,status\n" + rows, encoding="utf-8")
    with pytest.raises(errors.InputError) as info:
        rio.read_assessments(path, mini, facilities)
    assert len(info.value.problems) == rio.MAX_PROBLEMS + 1
    assert "stopped reading at row 100 after 100 problems" in str(info.value)
    assert f"{path}:101: row 100, column 'status'" in str(info.value)


def test_dicts_go_through_the_same_parser(mini, facilities):
    rows = [
        {"facility_id": "h1", "date": "2026-01-05", "criterion": "lan", "status": "met"},
        {"facility_id": "h1", "date": dt.date(2026, 1, 5), "criterion": "his", "status": "mett"},
    ]
    with pytest.raises(errors.InputError) as info:
        rio.assessments_from_dicts(rows, mini, facilities)
    assert str(info.value) == (
        "<dicts>: row 2, column 'status': status must be one of met, partial, not_met, "
        "not_applicable, unknown (got 'mett')"
    )
    with pytest.raises(errors.InputError, match="<dicts>: row 1: each row must be an object"):
        rio.assessments_from_dicts(["h1"], mini, facilities)
    with pytest.raises(errors.DuplicateError, match="facility id appears twice"):
        rio.facilities_from_dicts([{"id": "a", "kind": "clinic", "ownership": "public"}] * 2)


# --------------------------------------------------------------------------- reading


def test_mini_facilities_keep_extra_columns_and_convert_declared_ones(mini, facilities):
    h1 = facilities[0]
    assert h1.name == "Bệnh viện Đa khoa tỉnh Bắc Ninh"
    assert h1.beds == 850
    assert h1.attributes == {"grade": 1, "teaching": True, "district": "Thành phố Bắc Ninh"}
    assert facilities[1].name == "Bệnh viện Hồng Ngọc, cơ sở 2"
    assert facilities[1].attributes["teaching"] is False
    assert facilities[3].attributes == {}  # empty cells leave attributes out
    plain = rio.read_facilities(DATA / "mini_facilities.csv")
    assert plain[0].attributes == {
        "grade": "1",
        "teaching": "true",
        "district": "Thành phố Bắc Ninh",
    }
    assert [f.id for f in plain] == ["h1", "h2", "m1", "c1", "s1"]


def test_integer_attribute_decides_applicability(mini, facilities):
    """``pacs`` applies to grade <= 2 only: h1 (grade 1) must do it, h2 (grade 3) need not."""
    records = {"mini:lan": "met", "mini:servers": "met", "mini:his": "met"}
    h1, h2 = facilities[0], facilities[1]
    s1 = readiness.score(mini, Assessment(facility=h1, date=dt.date(2026, 1, 1), records=records))
    s2 = readiness.score(mini, Assessment(facility=h2, date=dt.date(2026, 1, 1), records=records))
    assert s1.applicable == s2.applicable + 1


def test_json_facilities_keep_types_and_nested_attributes(tmp_path, mini):
    path = tmp_path / "f.json"
    path.write_text(
        json.dumps(
            [
                {"id": "h1", "kind": "Hospital", "ownership": "public", "beds": 10, "code": 7},
                {
                    "id": "h2",
                    "kind": "clinic",
                    "ownership": "private",
                    "attributes": {"grade": "2"},
                },
            ]
        ),
        encoding="utf-8",
    )
    plain = rio.read_facilities(path)
    assert plain[0].attributes == {"code": 7}
    assert plain[0].kind == "hospital"
    assert plain[1].attributes == {"grade": "2"}
    typed = rio.read_facilities(path, catalog=mini)
    assert typed[1].attributes == {"grade": 2}


def test_byte_order_mark_is_accepted(tmp_path, mini, facilities):
    fpath = tmp_path / "f.csv"
    fpath.write_bytes(b"\xef\xbb\xbfid,kind,ownership\nh1,hospital,public\n")
    assert [f.id for f in rio.read_facilities(fpath)] == ["h1"]
    apath = tmp_path / "a.csv"
    apath.write_bytes("\ufefffacility_id,date,lan\nh1,2026-01-05,met\n".encode())
    [a] = rio.read_assessments(apath, mini, facilities)
    assert a.records == {"mini:lan": Record(status="met")}
    jpath = tmp_path / "a.json"
    jpath.write_bytes(b'\xef\xbb\xbf[{"facility_id": "h1", "date": "2026-01-05", "lan": "met"}]')
    assert rio.read_assessments(jpath, mini, facilities) == [a]


def test_quoted_commas_newlines_and_vietnamese_text(tmp_path, mini, facilities):
    path = tmp_path / "a.csv"
    path.write_text(
        "facility_id,date,criterion,status,reason,evidence,note\n"
        'h1,2026-01-05,ward,not_applicable,"Khoa nội trú, ngoại trú\nđang xây",'
        '"QĐ số 12/QĐ-SYT, ""bản ký""", Ghi chú có dấu cách \n'
        "h1,2026-01-05,lan,MET ,,,\n",
        encoding="utf-8",
    )
    [a] = rio.read_assessments(path, mini, facilities)
    ward = a.records["mini:ward"]
    assert ward.reason == "Khoa nội trú, ngoại trú\nđang xây"
    assert ward.evidence == 'QĐ số 12/QĐ-SYT, "bản ký"'
    assert ward.note == " Ghi chú có dấu cách "  # free text is kept exactly
    assert a.records["mini:lan"].status is Status.MET


def test_assessments_group_by_facility_and_date_in_first_appearance_order(mini, facilities):
    rows = [
        {"facility_id": "h2", "date": "2026-02-01", "criterion": "lan", "status": "met"},
        {"facility_id": "h1", "date": "2026-01-01", "criterion": "lan", "status": "not_met"},
        {"facility_id": "h2", "date": "2026-02-01", "criterion": "his", "status": "unknown"},
        {"facility_id": "h2", "date": "2026-01-01"},
    ]
    out = rio.assessments_from_dicts(rows, mini, facilities)
    assert [(a.facility.id, a.date.isoformat(), list(a.records)) for a in out] == [
        ("h2", "2026-02-01", ["mini:lan", "mini:his"]),
        ("h1", "2026-01-01", ["mini:lan"]),
        ("h2", "2026-01-01", []),
    ]


def test_format_detection_and_override(tmp_path, mini, facilities):
    path = tmp_path / "a.csv"
    path.write_text("facility_id,date,his\nh1,2026-01-05,partial:0.25\n", encoding="utf-8")
    [wide] = rio.read_assessments(path, mini, facilities)
    assert wide.records["mini:his"] == Record(status="partial", progress=0.25)
    with pytest.raises(errors.InputError, match="missing required column 'criterion'"):
        rio.read_assessments(path, mini, facilities, format="long")
    with pytest.raises(errors.OptionError, match="format must be 'long' or 'wide'"):
        rio.read_assessments(path, mini, facilities, format="tall")


def test_unknown_suffix_is_sniffed(tmp_path, mini, facilities):
    path = tmp_path / "a.txt"
    path.write_text('[{"facility_id": "h1", "date": "2026-01-05", "lan": "met"}]', encoding="utf-8")
    assert len(rio.read_assessments(path, mini, facilities)) == 1
    fpath = tmp_path / "f.data"
    fpath.write_text("id,kind,ownership\nx,clinic,private\n", encoding="utf-8")
    assert rio.read_facilities(fpath)[0].id == "x"
    assert rio.read_facilities(fpath, format="csv")[0].id == "x"


def test_snapshot_without_date_column_takes_as_of(tmp_path, mini, facilities):
    path = tmp_path / "a.csv"
    path.write_text("facility_id,lan\nh1,met\ns1,not_met\n", encoding="utf-8")
    day = dt.date(2026, 3, 1)
    out = rio.read_assessments(path, mini, facilities, as_of=day)
    assert [a.date for a in out] == [day, day]
    [matrix] = rio.read_matrix(path, mini, facilities, as_of=day)
    assert matrix.date(1) == day
    with pytest.raises(errors.InputError, match="missing required column 'date'"):
        rio.read_assessments(path, mini, facilities)


def test_header_only_file_has_no_assessments(tmp_path, mini, facilities):
    path = tmp_path / "a.csv"
    path.write_text("facility_id,date,criterion,status\n\n", encoding="utf-8")
    assert rio.read_assessments(path, mini, facilities) == []
    assert list(rio.read_matrix(path, mini, facilities)) == []


def test_bad_arguments_are_option_errors(tmp_path, mini, facilities):
    path = tmp_path / "a.csv"
    with pytest.raises(errors.OptionError, match="chunk_size"):
        rio.read_matrix(path, mini, facilities, chunk_size=0)
    with pytest.raises(errors.OptionError, match="facilities must be an iterable"):
        rio.read_assessments(path, mini, facilities[0])
    other = Facility(id="h1", kind="clinic", ownership="private")
    with pytest.raises(
        errors.DuplicateError, match="two different facilities in the facility list share this id"
    ):
        rio.read_assessments(path, mini, [*facilities, other])
    with pytest.raises(errors.OptionError, match=r"name the file \.csv or \.json"):
        rio.write_assessments(tmp_path / "a.txt", [], mini)
    with pytest.raises(errors.OptionError, match="format must be 'csv' or 'json'"):
        rio.write_facilities(path, facilities, format="xlsx")


# --------------------------------------------------------------------------- writing


def test_wide_writer_refuses_what_it_cannot_hold(tmp_path, mini, facilities):
    a = Assessment(
        facility=facilities[0],
        date=dt.date(2026, 1, 5),
        records={"mini:ward": Record(status="met", coverage=0.95)},
    )
    with pytest.raises(
        errors.OptionError, match=r"cannot hold the record of 'mini:ward'.*coverage"
    ):
        rio.write_assessments(tmp_path / "w.csv", [a], mini, format="wide")
    assert not (tmp_path / "w.csv").exists()


def test_writer_rejects_duplicates_and_unknown_keys(tmp_path, mini, facilities):
    day = dt.date(2026, 1, 5)
    a = Assessment(facility=facilities[0], date=day, records={"lan": "met"})
    with pytest.raises(errors.DuplicateError, match="assessed twice"):
        rio.write_assessments(tmp_path / "a.csv", [a, a], mini)
    both = Assessment(facility=facilities[0], date=day, records={"lan": "met", "mini:lan": "met"})
    with pytest.raises(errors.DuplicateError, match="name the same criterion"):
        rio.write_assessments(tmp_path / "a.csv", [both], mini)
    bad = Assessment(facility=facilities[0], date=day, records={"nope": "met"})
    with pytest.raises(errors.UnknownCriterionError):
        rio.write_assessments(tmp_path / "a.csv", [bad], mini)


def test_short_keys_are_written_and_read_back_qualified(tmp_path, mini, facilities):
    a = Assessment(facility=facilities[0], date=dt.date(2026, 1, 5), records={"lan": "met"})
    rio.write_assessments(tmp_path / "a.csv", [a], mini)
    assert "mini:lan" in (tmp_path / "a.csv").read_text(encoding="utf-8")
    [back] = rio.read_assessments(tmp_path / "a.csv", mini, facilities)
    assert back.records == {"mini:lan": Record(status="met")}


# --------------------------------------------------------------------------- round trips

# Free text: anything UTF-8 can hold, including separators, quotes, line breaks and Vietnamese,
# that is not blank (blank optional text reads back as absent).
_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(
    ",;:\"'\n\r\tệĐưở "
)
TEXT = st.text(_CHARS, min_size=1, max_size=12).filter(str.strip)
STRIPPED = TEXT.map(str.strip).filter(bool)
IDS = st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=6)
DATES = st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))
FRACTIONS = st.floats(0, 1, allow_nan=False)


@st.composite
def facility_lists(draw: Any, *, typed: bool) -> list[Facility]:
    """Facilities with unique ids; ``typed`` adds mini's integer and boolean attributes."""
    ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    out = []
    for fid in ids:
        attributes: dict[str, Any] = draw(
            st.dictionaries(st.sampled_from(["district", "code", "nhóm"]), TEXT, max_size=2)
        )
        if typed:
            attributes.update(
                draw(
                    st.fixed_dictionaries(
                        {},
                        optional={"grade": st.integers(-5, 10**12), "teaching": st.booleans()},
                    )
                )
            )
        out.append(
            Facility(
                id=fid,
                name=draw(st.just("") | TEXT),
                kind=draw(st.sampled_from(KINDS)),
                ownership=draw(st.sampled_from(OWNERSHIPS)),
                beds=draw(st.integers(0, 5000)),
                region=draw(st.just("") | TEXT),
                attributes=attributes,
            )
        )
    return out


@st.composite
def long_records(draw: Any) -> Record:
    status = draw(st.sampled_from(Status))
    return Record(
        status=status,
        progress=draw(FRACTIONS) if status is Status.PARTIAL else None,
        reason=draw(TEXT) if status is Status.NOT_APPLICABLE else draw(st.none() | TEXT),
        coverage=draw(st.none() | FRACTIONS),
        evidence=draw(st.none() | TEXT),
        note=draw(st.none() | TEXT),
        assessed_by=draw(st.sampled_from(AssessedBy)),
        valid_until=draw(st.none() | DATES),
    )


@st.composite
def wide_records(draw: Any) -> Record:
    status = draw(st.sampled_from(Status))
    return Record(
        status=status,
        progress=draw(FRACTIONS) if status is Status.PARTIAL else None,
        reason=draw(STRIPPED) if status is Status.NOT_APPLICABLE else None,
    )


@st.composite
def histories(
    draw: Any, catalog: readiness.Catalog, records: Any, *, max_size: int = 8
) -> tuple[list[Facility], list[Assessment]]:
    """Facilities and assessments of them (unique facility x date, qualified record keys)."""
    facilities = draw(facility_lists(typed=True))
    keys = list(catalog.criteria)
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(facilities), DATES),
            max_size=max_size,
            unique_by=lambda p: (p[0].id, p[1]),
        )
    )
    assessments = [
        Assessment(
            facility=f,
            date=day,
            records=draw(st.dictionaries(st.sampled_from(keys), records, max_size=6)),
        )
        for f, day in pairs
    ]
    return facilities, assessments


# Example counts come from the hypothesis profile of tests/conftest.py (dev or ci), except for
# the streaming tests, which score and are capped to keep this module under 20 s on two cores.
ROUND_TRIP = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
STREAMING = settings(ROUND_TRIP, max_examples=30)


@contextlib.contextmanager
def scratch(name: str) -> Iterator[Path]:
    """A path in a fresh temporary directory (hypothesis cannot use ``tmp_path``)."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / name


@ROUND_TRIP
@given(facility_lists(typed=True), st.sampled_from(["csv", "json"]))
def test_facilities_round_trip_with_the_catalog(mini, facilities, suffix):
    with scratch(f"f.{suffix}") as path:
        rio.write_facilities(path, facilities)
        assert rio.read_facilities(path, catalog=mini) == tuple(facilities)


@ROUND_TRIP
@given(facility_lists(typed=True))
def test_facilities_round_trip_through_json_without_a_catalog(facilities):
    with scratch("f.json") as path:
        rio.write_facilities(path, facilities)
        assert rio.read_facilities(path) == tuple(facilities)


def _round_trip(catalog, facilities, assessments, suffix, layout):
    with scratch(f"a.{suffix}") as path:
        rio.write_assessments(path, assessments, catalog, format=layout)
        back = rio.read_assessments(path, catalog, facilities, format=layout)
    assert back == assessments


@ROUND_TRIP
@given(data=st.data(), suffix=st.sampled_from(["csv", "json"]))
def test_long_format_round_trip_over_mini(mini, data, suffix):
    facilities, assessments = data.draw(histories(mini, long_records()))
    _round_trip(mini, facilities, assessments, suffix, "long")


@ROUND_TRIP
@given(data=st.data(), suffix=st.sampled_from(["csv", "json"]))
def test_wide_format_round_trip_over_mini(mini, data, suffix):
    facilities, assessments = data.draw(histories(mini, wide_records()))
    _round_trip(mini, facilities, assessments, suffix, "wide")


@ROUND_TRIP
@given(
    data=st.data(),
    suffix=st.sampled_from(["csv", "json"]),
    layout=st.sampled_from(["long", "wide"]),
)
def test_round_trip_over_vn_emr(emr, data, suffix, layout):
    records = long_records() if layout == "long" else wide_records()
    facilities, assessments = data.draw(histories(emr, records, max_size=4))
    _round_trip(emr, facilities, assessments, suffix, layout)


def test_detected_format_round_trips_too(tmp_path, mini, facilities):
    """Without ``format=``, the header tells long from wide."""
    day = dt.date(2026, 1, 5)
    assessments = [
        Assessment(facility=facilities[0], date=day, records={"mini:his": "met"}),
        Assessment(facility=facilities[1], date=day),
    ]
    for layout in ("long", "wide"):
        for suffix in ("csv", "json"):
            path = tmp_path / f"{layout}.{suffix}"
            rio.write_assessments(path, assessments, mini, format=layout)
            assert rio.read_assessments(path, mini, facilities) == assessments
    rio.write_assessments(tmp_path / "none.json", [], mini)
    assert rio.read_assessments(tmp_path / "none.json", mini, facilities) == []


# --------------------------------------------------------------------------- streaming


def _assert_same_matrix(got, expected):
    np.testing.assert_array_equal(got.dates, expected.dates)
    np.testing.assert_array_equal(got.status, expected.status)
    np.testing.assert_array_equal(got.progress, expected.progress)
    assert [got.facility(j) for j in range(len(got))] == [
        expected.facility(j) for j in range(len(expected))
    ]


@STREAMING
@given(
    data=st.data(),
    suffix=st.sampled_from(["csv", "json"]),
    layout=st.sampled_from(["long", "wide"]),
    chunk_size=st.integers(1, 4),
)
def test_read_matrix_equals_from_assessments(mini, data, suffix, layout, chunk_size):
    records = long_records() if layout == "long" else wide_records()
    facilities, assessments = data.draw(histories(mini, records, max_size=10))
    as_of = data.draw(st.none() | DATES)
    with scratch(f"h.{suffix}") as path:
        rio.write_assessments(path, assessments, mini, format=layout)
        chunks = list(rio.read_matrix(path, mini, facilities, chunk_size=chunk_size, as_of=as_of))
    sizes = [min(chunk_size, len(assessments) - s) for s in range(0, len(assessments), chunk_size)]
    assert [len(c) for c in chunks] == sizes
    start = 0
    for chunk in chunks:
        part = assessments[start : start + len(chunk)]
        _assert_same_matrix(chunk, readiness.StatusMatrix.from_assessments(mini, part, as_of=as_of))
        assert chunk.columns is chunks[0].columns
        assert chunk.facilities == tuple(facilities)
        start += len(chunk)


TABLE_ARRAYS = (
    "rows",
    "dates",
    "overall",
    "domains",
    "levels",
    "catalogs",
    "level",
    "progress",
    "applicable",
    "met",
    "unsupported",
    "gaps",
    "state",
)


@STREAMING
@given(data=st.data())
def test_chunks_of_three_score_like_one_chunk(mini, data):
    facilities, assessments = data.draw(histories(mini, long_records(), max_size=10))
    with scratch("h.csv") as path:
        rio.write_assessments(path, assessments, mini)
        one = readiness.score_many(mini, rio.read_matrix(path, mini, facilities))
        three = readiness.score_many(mini, rio.read_matrix(path, mini, facilities, chunk_size=3))
    for name in TABLE_ARRAYS:
        np.testing.assert_array_equal(getattr(one, name), getattr(three, name), err_msg=name)
    assert one.facilities == three.facilities
    assert one.to_records() == three.to_records()
    if assessments:
        # read_matrix lists every facility of the file: those without assessment get a row
        direct = readiness.score_many(mini, assessments, facilities=facilities)
        assert direct.to_records() == three.to_records()


def test_streaming_a_history_over_vn_emr(tmp_path, emr):
    facilities = [
        Facility(id=f"f{n}", kind=KINDS[n % len(KINDS)], ownership="public", beds=n * 10)
        for n in range(6)
    ]
    keys = list(emr.criteria)
    assessments = [
        Assessment(
            facility=f,
            date=dt.date(2025 + year, 1, 1),
            records={k: ("met" if (n + i + year) % 3 else "not_met") for i, k in enumerate(keys)},
        )
        for n, f in enumerate(facilities)
        for year in range(3)
    ]
    path = tmp_path / "history.csv"
    rio.write_assessments(path, assessments, emr)
    chunked = readiness.score_many(emr, rio.read_matrix(path, emr, facilities, chunk_size=4))
    direct = readiness.score_many(emr, assessments)
    assert chunked.to_records() == direct.to_records()


def test_read_matrix_judges_coverage_and_expiry(tmp_path, mini, facilities):
    path = tmp_path / "h.csv"
    path.write_text(
        "facility_id,date,criterion,status,coverage,valid_until\n"
        "h1,2026-01-05,ward,met,0.5,\n"
        "h1,2026-01-05,lan,met,,2026-01-04\n"
        "h1,2026-01-05,his,met,,2026-06-01\n",
        encoding="utf-8",
    )
    keys = compile_catalog(mini).keys
    [matrix] = rio.read_matrix(path, mini, facilities)
    codes = dict(zip(keys, matrix.status[:, 0], strict=True))
    assert codes["mini:ward"] == BELOW_COVERAGE
    assert codes["mini:lan"] == EXPIRED
    assert codes["mini:his"] == MET
    [later] = rio.read_matrix(path, mini, facilities, as_of=dt.date(2026, 7, 1), label="TEST")
    codes = dict(zip(keys, later.status[:, 0], strict=True))
    assert codes["mini:his"] == EXPIRED
    assert later.label == "TEST"


def test_read_matrix_yields_nothing_once_a_problem_is_found(tmp_path, mini, facilities):
    path = tmp_path / "h.csv"
    good = "".join(f"h1,2026-01-{day:02d},lan,met\n" for day in range(1, 8))
    path.write_text(
        "facility_id,date,criterion,status\n" + good + "h1,2026-02-01,lan,mett\n", encoding="utf-8"
    )
    stream = rio.read_matrix(path, mini, facilities, chunk_size=3)
    got = []
    with pytest.raises(errors.InputError, match="row 8"):
        got.extend(stream)
    assert [len(m) for m in got] == [3, 3]  # the chunks before the bad row; never the last one
    with pytest.raises(errors.InputError):
        readiness.score_many(mini, rio.read_matrix(path, mini, facilities, chunk_size=3))


# --------------------------------------------------------------------------- documentation


def test_docs_examples_read(tmp_path, mini, facilities):
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```(csv|json)\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) >= 6
    for n, (suffix, body) in enumerate(blocks):
        path = tmp_path / f"example{n}.{suffix}"
        path.write_text(body, encoding="utf-8")
        if body.startswith(("id,", '[\n{"id"')):
            assert rio.read_facilities(path, catalog=mini)
        else:
            assert rio.read_assessments(path, mini, facilities)


def test_public_names():
    assert set(rio.__all__) == {
        "FACILITY_COLUMNS",
        "LONG_COLUMNS",
        "MAX_PROBLEMS",
        "assessments_from_dicts",
        "facilities_from_dicts",
        "from_pandas",
        "read_assessments",
        "read_facilities",
        "read_matrix",
        "read_status_matrix",
        "to_pandas",
        "write_assessments",
        "write_facilities",
        "write_form",
    }
