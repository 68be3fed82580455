"""Write the Bac Ninh example data: ``facilities.csv`` and ``assessments.csv``.

Run from the repository root (same bytes on every run)::

    .venv/bin/python examples/bac_ninh/make_data.py              # writes next to this script
    .venv/bin/python examples/bac_ninh/make_data.py --out /tmp/bn

What is real and what is synthetic
----------------------------------
REAL (reported by the province in 2025, read through news reports; tags of the research note
``shared/reference/vn-regulations.md`` sections 3.1 and 8, all *secondary*):

* [BN-VJS] 349 public and more than 1,000 private health facilities; 54 facilities with beds
  (15 public hospitals, 16 medical centres, 23 private hospitals) had to finish EMR before
  30/09/2025; by 22/09/2025 all 54 had assessed and deployed EMR with digital signatures; the two
  disease-control centres without beds (Bắc Ninh CDC No.1 and No.2) also implemented it, 56 units =
  103.7 % of the target (the article dates only the 54 by 22/09/2025; recording the two CDCs on
  that day too is this example's assumption); EMR spending 2020-2025 "about" (nearly) 292.6 bn VND
  in all, "more than" 212.3 bn VND of it public; the province's goal of 100 % of facilities by the
  end of 2025 and its problem list (no central provincial database, faulty connections, shortage
  of IT staff, social insurance still asking for paper).
* [VNNEWS-BN] public hospitals and health centres run HIS, LIS, RIS, PACS and EMR "at basic
  level"; Bắc Ninh General Hospital No.2 was the first paperless hospital (EMR from 01/07/2024).
* [BN-TIENPHONG] the name Bắc Ninh General Hospital No.1.

SYNTHETIC (made up here, seeded, labelled in every file):

* every other name, every bed count, every district; the split of the 316 other public facilities
  without beds into 300 commune stations and 16 other units (the report gives no subtypes); 1,000
  private clinics for "more than 1,000" private facilities (1,023 private in all);
* ``spent_vnd`` per facility: an apportionment of the two reported totals (rule below);
* every criterion status not fixed by a reported fact (drawn with :mod:`readiness.synthetic`);
* the whole of round 2 (2026-06-30): a projection, not an observation.

Facilities
----------
Ids: ``bn-ph-NN`` public hospitals, ``bn-mc-NN`` medical centres, ``bn-cdc-N`` disease-control
centres, ``bn-cs-NNN`` commune stations, ``bn-pu-NN`` other public units, ``bn-prh-NN`` private
hospitals, ``bn-cl-NNNN`` private clinics. Extra columns: ``provenance`` (what is reported, what is
synthetic), ``obliged_2025`` (true for the 54 facilities with beds) and ``spent_vnd``.

Spending rule (``spent_vnd``, integer VND; only the 56 facilities that implemented EMR have one):
the article says "more than 212.3 bn" public and "about 292.6 bn" in all; this example takes both
figures as if exact (an assumption). That the public sum covers the 33 public implementers (15
hospitals, 16 medical centres, 2 CDCs) is an assumption too, and the private rest, 80,300,000,000
VND, is DERIVED (the difference of two rounded figures), not reported. Each implementer weighs
``100 + beds`` (a disease-control centre, without beds, weighs 100). The public figure,
212,300,000,000 VND, is split over the 33 public implementers and the derived private rest over
the 23 private hospitals, in proportion to weight, in whole millions of VND by the
largest-remainder method (ties broken by id). The two sums, and so 292,600,000,000 VND in all, are
reproduced exactly.

Assessments (catalog ``vn-smart-hospital`` + ``bn-emr-layer.toml``, long format)
-------------------------------------------------------------------------------
Scope (what each facility records; a missing record is unknown):

* the 54 facilities with beds and the 2 CDCs: every criterion in force of the four loaded catalogs;
* commune stations and other public units: the criteria in force of ``vn-emr`` and their
  prerequisites in other catalogs (what they need before 31/12/2026); the TT54 LIS and RIS-PACS
  criteria among them are ``not_applicable`` ("no laboratory or imaging information system",
  a synthetic assumption) in both rounds;
* private clinics: the milestone ``vn-emr:emr-live`` and its prerequisites only (20 criteria:
  whether a clinic that only examines and prescribes is bound by TT13's 31/12/2026 date is
  unclear, research note 3.1; it also keeps the file small);
* records the generator leaves unknown (4 % of cells) are omitted.

Round 1, 2025-09-22 (the report's date):

* REPORTED, for the 56 implementers: every criterion of milestone ``vn-emr:emr-live``, every
  prerequisite it has in any loaded catalog (graph ancestors, e.g. the ``vn-infosec`` approved
  level of the EMR system) and the smart-hospital gate ``vn.smart.emr_live`` are ``met``, with the
  source in ``evidence``. For the 15 public hospitals and 16 medical centres, the TT54 basic tiers
  of HIS, LIS and RIS-PACS and their items are ``met`` too. The report speaks of facilities, not of
  criteria: applying it criterion by criterion is this example's reading (``note`` says so). The
  province-wide problems ``bn.central_db`` and ``bn.insurer_paperless`` are ``not_met`` for every
  facility that records them (reported problems, same reading).
* SYNTHETIC FILLER, everything else (``note`` = "synthetic filler"): drawn by
  :func:`readiness.synthetic.history` (implementers: maturity shifted +0.15; everyone else:
  -0.15, low maturity with some partial progress). A facility that did not implement EMR is never
  left with ``vn.tt13.sign.methods`` (digital signing) met in round 1 (a drawn ``met`` becomes
  ``partial``, progress 0.3-0.9), so exactly the 56 facilities the report names meet
  ``emr-live``.

Round 2, 2026-06-30: SYNTHETIC PROJECTION (``note`` = "SYNTHETIC projection"): the generator's
second round (same facilities, maturity growing at ``pace`` per year), never below round 1 (a
criterion met stays met; partial progress never drops; a record not drawn is carried over).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import networkx as nx
import numpy as np

import readiness
from readiness import Assessment, Facility, Record, Status, synthetic
from readiness.io import write_assessments, write_facilities

HERE = Path(__file__).resolve().parent
LAYER = HERE / "bn-emr-layer.toml"

SEED = 20250922  # every random draw below derives from this seed
ROUND1 = dt.date(2025, 9, 22)  # the report's date: "by 22/09/2025 all 54 ..."
ROUND2 = dt.date(2026, 6, 30)  # synthetic projection

SPENT_TOTAL = 292_600_000_000  # [BN-VJS] "about" 292.6 bn: EMR cost 2020-2025, all (VND)
SPENT_PUBLIC = 212_300_000_000  # [BN-VJS] "more than" 212.3 bn: public facilities (VND)
SPENT_UNIT = 1_000_000  # apportion in whole millions of VND
SPENT_BASE_WEIGHT = 100  # weight of an implementer = 100 + beds

# Reported counts [BN-VJS] and this example's synthetic split of the rest.
N_PUBLIC = 349
N_PUBLIC_HOSPITALS = 15
N_MEDICAL_CENTRES = 16
N_CDC = 2
N_COMMUNE_STATIONS = 300  # synthetic split of the 316 other public facilities without beds
N_OTHER_PUBLIC = N_PUBLIC - N_PUBLIC_HOSPITALS - N_MEDICAL_CENTRES - N_CDC - N_COMMUNE_STATIONS
N_PRIVATE_HOSPITALS = 23
N_CLINICS = 1_000  # "more than 1,000" private facilities: 1,000 clinics + 23 hospitals = 1,023
N_DISTRICTS = 16  # synthetic districts, one medical centre each

PROVINCE = "Bắc Ninh"

MILESTONE = "vn-emr:emr-live"
EMR_GATE = "vn-smart-hospital:vn.smart.emr_live"
TIERS = (
    "vn-it-tt54:vn.tt54.his.basic",
    "vn-it-tt54:vn.tt54.lis.basic",
    "vn-it-tt54:vn.tt54.ris_pacs.basic",
)
SIGNING = "vn-emr:vn.tt13.sign.methods"

EVIDENCE_EMR = (
    "[BN-VJS] secondary: by 22/09/2025 all 54 facilities with beds had assessed and deployed "
    "EMR with digital signatures"
)
EVIDENCE_CDC = (
    "[BN-VJS] secondary: Bắc Ninh CDC No.1 and No.2 (without beds) also implemented EMR "
    "(56 units = 103.7 % of the target)"
)
EVIDENCE_TIERS = (
    "[VNNEWS-BN] secondary: all public hospitals and health centres run HIS, LIS, RIS, PACS "
    "and EMR at basic level (a different article; reading it as the Circular 54 basic tiers and "
    "all their items is this example's assumption: the article names no criteria)"
)
# Province-wide problems the article lists [BN-VJS]: recorded not_met in round 1 everywhere they
# are in scope (no central provincial database exists; social insurance still asks for paper).
PROBLEMS = ("vn-emr:bn.central_db", "vn-emr:bn.insurer_paperless")
EVIDENCE_PROBLEMS = "[BN-VJS] secondary: listed among the province's problems in 2025"
NOTE_REPORTED = (
    "REPORTED for the facility; status of this criterion inferred from the report "
    "(the report does not assess criteria one by one)"
)
NOTE_FILLER = "synthetic filler"
NOTE_PROJECTION = "SYNTHETIC projection"
# Commune stations and other public units without beds: no LIS or RIS-PACS (an assumption).
NO_LAB_PREFIXES = ("vn-it-tt54:vn.tt54.lis.", "vn-it-tt54:vn.tt54.ris_pacs.")
NO_LAB_REASON = "no laboratory or imaging information system (synthetic assumption)"

# Filler profiles (readiness.synthetic): no "not applicable", expired or below-coverage cells,
# so that every record is plain met / partial / not_met; 4 % of cells left unknown (omitted).
PROFILE_IMPLEMENTERS = synthetic.Profile(
    maturity=0.15, not_applicable=0.0, expired=0.0, below_coverage=0.0
)
PROFILE_OTHERS = synthetic.Profile(
    maturity=-0.15, partial=0.35, not_applicable=0.0, expired=0.0, below_coverage=0.0
)
PACE_IMPLEMENTERS = 0.10  # maturity gained per year (generator's own pace varies around it)
PACE_OTHERS = 0.20


# --------------------------------------------------------------------------- facilities


def _beds(rng: np.random.Generator, n: int, median: float, sigma: float, low: int) -> list[int]:
    """Log-normal bed counts around ``median``, at least ``low``, rounded to 5 (synthetic)."""
    values = median * np.exp(sigma * rng.standard_normal(n))
    return [max(low, 5 * round(float(v) / 5)) for v in values]


def _district(number: int) -> str:
    return f"Synthetic district {number:02d}"


# Provenance of each facility row (column ``provenance``).
PROV_GH1 = (
    "name reported [BN-TIENPHONG]; one of the 15 public hospitals obliged by 30/09/2025 "
    "[BN-VJS]; beds synthetic"
)
PROV_GH2 = (
    "name reported [VNNEWS-BN] (first paperless hospital in the province, EMR from "
    "01/07/2024); one of the 15 public hospitals obliged by 30/09/2025 [BN-VJS]; beds synthetic"
)
PROV_PUBLIC_HOSPITAL = (
    "count and kind reported [BN-VJS] (15 public hospitals); name and beds synthetic"
)
PROV_MEDICAL_CENTRE = (
    "count and kind reported [BN-VJS] (16 medical centres with beds); name, beds and district "
    "synthetic"
)
PROV_CDC = "name, kind (no beds) and EMR implementation reported [BN-VJS]"
PROV_PUBLIC_OTHER = (
    "one of 349 public facilities [BN-VJS]; without beds (54 with beds reported); subtype "
    "split, name and district synthetic"
)
PROV_PRIVATE_HOSPITAL = (
    "count and kind reported [BN-VJS] (23 private hospitals); name, beds and district synthetic"
)
PROV_CLINIC = (
    "'more than 1,000 private facilities' reported [BN-VJS]: 1,000 clinics is this example's "
    "choice; without beds; name and district synthetic"
)


def _row(
    fid: str, name: str, kind: str, ownership: str, beds: int, region: str, provenance: str
) -> dict[str, object]:
    obliged = beds > 0 and kind in {"hospital", "medical_centre"}
    return {
        "id": fid,
        "name": name,
        "kind": kind,
        "ownership": ownership,
        "beds": beds,
        "region": region,
        "provenance": provenance,
        "obliged_2025": obliged,
    }


def build_facilities() -> list[Facility]:
    """Return the 1,372 facilities (349 public, 1,023 private), in a fixed order."""
    rng = np.random.default_rng([SEED, 0])
    rows: list[dict[str, object]] = []
    # 15 public hospitals; the two general hospitals carry the names the sources give.
    beds = _beds(rng, N_PUBLIC_HOSPITALS - 2, 250, 0.6, 50)
    big = _beds(rng, 2, 900, 0.2, 400)
    rows.append(_row("bn-ph-01", "Bắc Ninh General Hospital No.1", "hospital", "public",
                     big[0], PROVINCE, PROV_GH1))  # fmt: skip
    rows.append(_row("bn-ph-02", "Bắc Ninh General Hospital No.2", "hospital", "public",
                     big[1], PROVINCE, PROV_GH2))  # fmt: skip
    for i in range(3, N_PUBLIC_HOSPITALS + 1):
        name = f"Public hospital {i:02d} (synthetic name)"
        rows.append(_row(f"bn-ph-{i:02d}", name, "hospital", "public", beds[i - 3], PROVINCE,
                         PROV_PUBLIC_HOSPITAL))  # fmt: skip
    # 16 medical centres with beds, one per synthetic district.
    beds = _beds(rng, N_MEDICAL_CENTRES, 120, 0.4, 30)
    for i in range(1, N_MEDICAL_CENTRES + 1):
        name = f"Medical centre {i:02d} (synthetic name)"
        rows.append(_row(f"bn-mc-{i:02d}", name, "medical_centre", "public", beds[i - 1],
                         _district(i), PROV_MEDICAL_CENTRE))  # fmt: skip
    # The two disease-control centres without beds: real names.
    rows.extend(
        _row(
            f"bn-cdc-{i}",
            f"Bắc Ninh CDC No.{i}",
            "disease_control_centre",
            "public",
            0,
            PROVINCE,
            PROV_CDC,
        )
        for i in range(1, N_CDC + 1)
    )
    # The other public facilities without beds: synthetic split.
    district = rng.integers(1, N_DISTRICTS + 1, N_COMMUNE_STATIONS + N_OTHER_PUBLIC)
    for i in range(1, N_COMMUNE_STATIONS + 1):
        name = f"Commune health station {i:03d} (synthetic name)"
        rows.append(_row(f"bn-cs-{i:03d}", name, "commune_station", "public", 0,
                         _district(int(district[i - 1])), PROV_PUBLIC_OTHER))  # fmt: skip
    for i in range(1, N_OTHER_PUBLIC + 1):
        name = f"Public health unit {i:02d} (synthetic name)"
        where = _district(int(district[N_COMMUNE_STATIONS + i - 1]))
        rows.append(_row(f"bn-pu-{i:02d}", name, "other", "public", 0, where,
                         PROV_PUBLIC_OTHER))  # fmt: skip
    # 23 private hospitals and 1,000 private clinics.
    beds = _beds(rng, N_PRIVATE_HOSPITALS, 60, 0.6, 20)
    district = rng.integers(1, N_DISTRICTS + 1, N_PRIVATE_HOSPITALS + N_CLINICS)
    for i in range(1, N_PRIVATE_HOSPITALS + 1):
        name = f"Private hospital {i:02d} (synthetic name)"
        rows.append(_row(f"bn-prh-{i:02d}", name, "hospital", "private", beds[i - 1],
                         _district(int(district[i - 1])), PROV_PRIVATE_HOSPITAL))  # fmt: skip
    for i in range(1, N_CLINICS + 1):
        name = f"Private clinic {i:04d} (synthetic name)"
        where = _district(int(district[N_PRIVATE_HOSPITALS + i - 1]))
        rows.append(_row(f"bn-cl-{i:04d}", name, "clinic", "private", 0, where, PROV_CLINIC))

    spent = apportion_spending(rows)
    out = []
    for row in rows:
        fid = str(row["id"])
        attributes: dict[str, object] = {
            "provenance": row["provenance"],
            "obliged_2025": row["obliged_2025"],
        }
        if fid in spent:
            attributes["spent_vnd"] = spent[fid]
        out.append(
            Facility(
                id=fid,
                name=str(row["name"]),
                kind=str(row["kind"]),
                ownership=str(row["ownership"]),
                beds=int(str(row["beds"])),
                region=str(row["region"]),
                attributes=attributes,
            )
        )
    assert sum(f.attributes["obliged_2025"] is True for f in out) == 54
    return out


def _implementer(row: Mapping[str, object]) -> bool:
    return bool(row["obliged_2025"]) or row["kind"] == "disease_control_centre"


def _largest_remainder(total_units: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total_units`` in proportion to ``weights`` (integers; ties by id)."""
    whole = sum(weights.values())
    shares = {k: total_units * w // whole for k, w in weights.items()}
    left = total_units - sum(shares.values())
    order = sorted(weights, key=lambda k: (-(total_units * weights[k] % whole), k))
    for k in order[:left]:
        shares[k] += 1
    return shares


def apportion_spending(rows: Sequence[Mapping[str, object]]) -> dict[str, int]:
    """Return ``spent_vnd`` per implementer (see the module docstring for the rule)."""
    out: dict[str, int] = {}
    for ownership, total in (("public", SPENT_PUBLIC), ("private", SPENT_TOTAL - SPENT_PUBLIC)):
        weights = {
            str(r["id"]): SPENT_BASE_WEIGHT + int(str(r["beds"]))
            for r in rows
            if _implementer(r) and r["ownership"] == ownership
        }
        for fid, units in _largest_remainder(total // SPENT_UNIT, weights).items():
            out[fid] = units * SPENT_UNIT
    assert sum(out.values()) == SPENT_TOTAL
    return out


# --------------------------------------------------------------------------- assessments


def _closure(catalog: readiness.Catalog, keys: Iterable[str]) -> set[str]:
    """``keys`` and every prerequisite of theirs in any loaded catalog (legacy left out)."""
    out: set[str] = set()
    for key in keys:
        out.add(key)
        out |= nx.ancestors(catalog.graph, key)
    return {k for k in out if catalog.criteria[k].legacy is None}


def _rank(record: Record) -> tuple[int, float]:
    order = {Status.NOT_MET: 0, Status.PARTIAL: 1, Status.MET: 2}
    return order.get(record.status, -1), record.progress or 0.0


def _ordered(catalog: readiness.Catalog, records: Mapping[str, Record]) -> dict[str, Record]:
    return {k: records[k] for k in catalog.criteria if k in records}


def build_assessments(
    catalog: readiness.Catalog, facilities: Sequence[Facility]
) -> list[Assessment]:
    """Return round 1 (every facility, in order) then round 2 (see the module docstring)."""
    in_force = [k for k in catalog.criteria if catalog.criteria[k].legacy is None]
    emr_live = _closure(catalog, catalog.milestone(MILESTONE).criteria)
    reported_emr = _closure(catalog, [*emr_live, EMR_GATE])
    tiers = _closure(catalog, TIERS)
    emr_scope = _closure(catalog, [k for k in in_force if k.startswith("vn-emr:")])
    no_lab = {k for k in emr_scope if k.startswith(NO_LAB_PREFIXES)}

    def implementer(f: Facility) -> bool:
        return f.attributes["obliged_2025"] is True or f.kind == "disease_control_centre"

    def scope(f: Facility) -> set[str]:
        if implementer(f):
            return set(in_force)
        if f.kind == "clinic":
            return emr_live
        return emr_scope

    def fixed(f: Facility, note: str) -> dict[str, Record]:
        """Records set by an assumption in both rounds (never drawn)."""
        if implementer(f) or f.kind == "clinic":
            return {}
        na = Record(status=Status.NOT_APPLICABLE, reason=NO_LAB_REASON, note=note)
        return dict.fromkeys(no_lab, na)

    groups = [
        ([f for f in facilities if implementer(f)], PROFILE_IMPLEMENTERS, PACE_IMPLEMENTERS, 1),
        ([f for f in facilities if not implementer(f)], PROFILE_OTHERS, PACE_OTHERS, 2),
    ]
    drawn: dict[tuple[str, dt.date], Mapping[str, Record]] = {}
    for members, profile, pace, stream in groups:
        matrix = synthetic.history(
            catalog, members, [ROUND1, ROUND2], seed=SEED + stream, pace=pace, profile=profile
        )
        for a in matrix.to_assessments():
            drawn[a.facility.id, a.date] = a.records
    rng = np.random.default_rng([SEED, 3])

    def filler(f: Facility, day: dt.date, note: str) -> dict[str, Record]:
        return {
            k: Record(status=r.status, progress=r.progress, coverage=r.coverage, note=note)
            for k, r in drawn[f.id, day].items()
            if k in scope(f)
        }

    first: list[Assessment] = []
    second: list[Assessment] = []
    for f in facilities:
        # Round 1: filler, then the reported facts (or the assumptions) on top.
        records = filler(f, ROUND1, NOTE_FILLER)
        if implementer(f):
            evidence = EVIDENCE_EMR if f.attributes["obliged_2025"] is True else EVIDENCE_CDC
            reported = dict.fromkeys(sorted(reported_emr), evidence)
            if f.ownership == "public" and f.kind in {"hospital", "medical_centre"}:
                reported.update(dict.fromkeys(sorted(tiers - reported_emr), EVIDENCE_TIERS))
            for k, text in reported.items():
                records[k] = Record(status=Status.MET, evidence=text, note=NOTE_REPORTED)
        else:
            signing = records.get(SIGNING)
            if signing is not None and signing.status is Status.MET:
                progress = round(float(rng.uniform(0.3, 0.9)), 2)
                records[SIGNING] = Record(
                    status=Status.PARTIAL, progress=progress, note=NOTE_FILLER
                )
        for k in PROBLEMS:
            if k in scope(f):
                records[k] = Record(
                    status=Status.NOT_MET, evidence=EVIDENCE_PROBLEMS, note=NOTE_REPORTED
                )
        assumed = fixed(f, NOTE_FILLER)
        records.update(assumed)
        records = _ordered(catalog, records)
        first.append(Assessment(facility=f, date=ROUND1, records=records))
        # Round 2: the projection, never below round 1.
        later = filler(f, ROUND2, NOTE_PROJECTION)
        projected = {}
        for k in scope(f) - assumed.keys():
            candidates = [r for r in (records.get(k), later.get(k)) if r is not None]
            if candidates:
                best = max(candidates, key=_rank)
                projected[k] = Record(
                    status=best.status,
                    progress=best.progress,
                    coverage=best.coverage,
                    note=NOTE_PROJECTION,
                )
        projected.update(fixed(f, NOTE_PROJECTION))
        second.append(Assessment(facility=f, date=ROUND2, records=_ordered(catalog, projected)))
    return first + second


# --------------------------------------------------------------------------- main


def load_catalog() -> readiness.Catalog:
    """The catalog the example is assessed against (as the test loads it)."""
    return readiness.load_catalog("vn-smart-hospital", layers=[str(LAYER)])


def main(argv: Sequence[str] | None = None) -> None:
    """Write ``facilities.csv`` and ``assessments.csv`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog()
    facilities = build_facilities()
    write_facilities(args.out / "facilities.csv", facilities)
    write_assessments(args.out / "assessments.csv", build_assessments(catalog, facilities), catalog)
    for name in ("facilities.csv", "assessments.csv"):
        size = (args.out / name).stat().st_size
        print(f"{args.out / name}: {size:,} bytes")


if __name__ == "__main__":
    main()
