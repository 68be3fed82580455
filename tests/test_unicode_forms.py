"""Text enters in one Unicode form, NFC (issue 10, item 3; docs/formats.md, "Unicode").

The same Vietnamese text written precomposed (NFC) and decomposed (NFD) must be one id, one
region and one condition value: duplicates are found across forms, groups do not split, and
obligations count every facility.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import readiness
from readiness import Assessment, Facility, Obligation, Record, errors
from readiness import io as rio
from readiness._spec import read_spec, run_spec

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini.toml"
DAY = dt.date(2026, 1, 1)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


BAC_NINH = nfc("Bắc Ninh")
HOA_BINH = nfc("BV-Hòa-Bình")
assert nfd(BAC_NINH) != BAC_NINH
assert nfd(HOA_BINH) != HOA_BINH


@pytest.fixture(scope="module")
def mini() -> readiness.Catalog:
    return readiness.load_catalog(MINI)


def test_model_fields_are_nfc() -> None:
    """Ids, names, regions, attribute names and values, record keys and texts become NFC."""
    facility = Facility(
        id=nfd(HOA_BINH),
        name=nfd("Bệnh viện"),
        kind="hospital",
        ownership="public",
        region=nfd(BAC_NINH),
        attributes={nfd("huyện"): nfd("Gia Bình")},
    )
    assert facility.id == HOA_BINH
    assert facility.name == nfc("Bệnh viện")
    assert facility.region == BAC_NINH
    assert dict(facility.attributes) == {nfc("huyện"): nfc("Gia Bình")}
    assert facility == Facility(
        id=HOA_BINH,
        name=nfc("Bệnh viện"),
        kind="hospital",
        ownership="public",
        region=BAC_NINH,
        attributes={nfc("huyện"): nfc("Gia Bình")},
    )
    record = Record(status="not_applicable", reason=nfd("Không có"), note=nfd("ghi chú"))
    assert (record.reason, record.note) == (nfc("Không có"), nfc("ghi chú"))
    with pytest.raises(ValueError, match="different Unicode forms"):
        Facility(id="x", kind="clinic", ownership="private", attributes={"ắ": 1, nfd("ắ"): 2})


@given(st.text(min_size=1, max_size=12).map(str.strip).filter(bool))
def test_any_text_is_one_value_in_both_forms(text: str) -> None:
    """For any text, a facility built from its NFD form equals one built from its NFC form."""
    made = [
        Facility(id=form(text), kind="clinic", ownership="private", region=form(text))
        for form in (nfc, nfd)
    ]
    if made[0].id.strip() == made[0].id:  # ids may not start or end with spaces
        assert made[0] == made[1]
        assert made[0].id == nfc(text)


def facility_file(tmp_path: Path, ids: tuple[str, str], regions: tuple[str, str]) -> Path:
    path = tmp_path / "f.csv"
    rows = "".join(f"{i},A,hospital,public,9,{r}\n" for i, r in zip(ids, regions, strict=True))
    path.write_text("id,name,kind,ownership,beds,region\n" + rows, encoding="utf-8")
    return path


def test_duplicate_ids_are_found_across_forms(tmp_path: Path, mini: readiness.Catalog) -> None:
    """The repro 07 facility file: one id in two forms is one id twice."""
    path = facility_file(tmp_path, (HOA_BINH, nfd(HOA_BINH)), (BAC_NINH, nfd(BAC_NINH)))
    with pytest.raises(errors.InputError, match="facility id appears twice"):
        rio.read_facilities(path, catalog=mini)


def test_assessments_match_facilities_across_forms(tmp_path: Path, mini: readiness.Catalog) -> None:
    """An assessment naming the facility in NFD finds the facility listed in NFC."""
    facilities = rio.read_facilities(
        facility_file(tmp_path, (HOA_BINH, "h2"), (BAC_NINH, BAC_NINH)), catalog=mini
    )
    path = tmp_path / "a.csv"
    path.write_text(
        f"facility_id,date,criterion,status\n{nfd(HOA_BINH)},2026-01-01,mini:lan,met\n",
        encoding="utf-8",
    )
    [assessment] = rio.read_assessments(path, mini, facilities)
    assert assessment.facility.id == HOA_BINH


def test_regions_group_and_obligations_count_across_forms(
    tmp_path: Path, mini: readiness.Catalog
) -> None:
    """One region in two forms is one group; an obligation on it counts both facilities."""
    path = facility_file(tmp_path, ("h1", "h2"), (BAC_NINH, nfd(BAC_NINH)))
    facilities = rio.read_facilities(path, catalog=mini)
    items = [Assessment(facility=f, date=DAY, records={"lan": "met"}) for f in facilities]
    table = readiness.score_many(mini, items)
    for region in (BAC_NINH, nfd(BAC_NINH)):
        duty = Obligation(name="BN", target="mini@1", obliged={"region": region})
        summary = readiness.summarize(table, by="region", obligation=duty)
        assert [g.key for g in summary.groups] == [{"region": BAC_NINH}]
        assert summary.obligation is not None
        assert summary.obligation.obliged == 2
    ids = Obligation(name="ids", target="mini@1", obliged=[nfd("h1")])
    assert ids.is_obliged(facilities[0])


def test_json_input_with_escaped_nfd_is_nfc(tmp_path: Path, mini: readiness.Catalog) -> None:
    """JSON escapes (\\u0301...) are normalised too; keys in two forms are a located error."""
    path = tmp_path / "f.json"
    item = {"id": "h1", "kind": "hospital", "ownership": "public", "region": nfd(BAC_NINH)}
    path.write_text(json.dumps([item], ensure_ascii=True), encoding="utf-8")
    [facility] = rio.read_facilities(path, catalog=mini)
    assert facility.region == BAC_NINH
    precomposed, decomposed = "\\u1eaf", "a\\u0306\\u0301"  # JSON escapes of one letter
    text = (
        '[{"id": "h1", "kind": "clinic", "ownership": "private", '
        f'"{precomposed}": 1, "{decomposed}": 2}}]'
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(errors.InputError, match="different Unicode forms") as caught:
        rio.read_facilities(path, catalog=mini)
    assert caught.value.problems[0].row == 1


CATALOG = """format = 1
[catalog]
id = "uni"
title = {{ en = "U", vi = "U" }}
version = "1"
[attributes.district]
type = "string"
[domains.core]
title = {{ en = "Core", vi = "Lõi" }}
[[level]]
number = 1
title = {{ en = "L1", vi = "M1" }}
[[criterion]]
id = "a"
title = {{ en = "A", vi = "A" }}
domain = "core"
level = 1
applies_to = {{ district = "{district}" }}
source = {{ grade = "inferred" }}
"""


def test_catalog_conditions_match_across_forms(tmp_path: Path) -> None:
    """A condition written in NFD matches the facility attribute written in NFC (and back)."""
    for written, held in ((nfd("Gia Bình"), nfc("Gia Bình")), (nfc("Gia Bình"), nfd("Gia Bình"))):
        path = tmp_path / f"uni-{len(written)}.toml"
        path.write_text(CATALOG.format(district=written), encoding="utf-8")
        catalog = readiness.load_catalog(path)
        facility = Facility(
            id="m", kind="clinic", ownership="public", attributes={"district": held}
        )
        result = readiness.score(catalog, Assessment(facility=facility, date=DAY))
        assert result.applicable == 1


def test_catalog_keys_in_two_forms_are_one_key(tmp_path: Path) -> None:
    """Two domains whose ids differ only in form are a duplicate TOML key, with its line."""
    text = CATALOG.format(district="x").replace(
        "[domains.core]",
        f'[domains."{nfc("lõi")}"]\ntitle = {{ en = "x", vi = "x" }}\n'
        f'[domains."{nfd("lõi")}"]\ntitle = {{ en = "y", vi = "y" }}\n[domains.core]',
    )
    path = tmp_path / "twice.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(errors.CatalogError, match="malformed TOML") as caught:
        readiness.load_catalog(path)
    assert caught.value.problems[0].line is not None


def test_report_spec_obligation_counts_both_forms(tmp_path: Path) -> None:
    """A report spec's obligation on a region (repro 07): 2 obliged, whatever the forms."""
    facility_file(tmp_path, ("h1", "h2"), (BAC_NINH, nfd(BAC_NINH)))
    (tmp_path / "a.csv").write_text(
        "facility_id,date,criterion,status\nh1,2026-01-01,mini:lan,met\n"
        f"{nfd('h2')},2026-01-01,mini:lan,met\n",
        encoding="utf-8",
    )
    (tmp_path / "mini.toml").write_bytes(MINI.read_bytes())  # data paths stay in the folder
    (tmp_path / "spec.toml").write_text(
        'format = 1\n[report]\ntitle = { en = "T", vi = "T" }\ncatalog = ["mini.toml"]\n'
        'facilities = "f.csv"\nassessments = "a.csv"\nstem = "r"\n'
        f'[obligation]\nname = "BN"\ntarget = "mini@1"\nobliged = {{ region = "{nfd(BAC_NINH)}" }}\n',
        encoding="utf-8",
    )
    outcome = run_spec(read_spec(tmp_path / "spec.toml"))
    [line] = [line for line in outcome.lines if "obliged" in line]
    assert "0 done of 2 obliged" in line
