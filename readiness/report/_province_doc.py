"""The blocks of a province report, section by section, in reading order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from readiness.report._blocks import (
    Block,
    Chart,
    Heading,
    Items,
    Listing,
    Span,
    Table,
    about_blocks,
    id_spans,
    para,
    work_line,
)
from readiness.report._decisions import decisions_blocks
from readiness.report._language import DASH, VERDICTS, Fmt
from readiness.report._records import shown_groups


def _level_columns(catalog: Mapping[str, Any], fmt: Fmt) -> list[tuple[str, str]]:
    columns = [("na", fmt.t("na")), ("0", fmt.t("level_n", n=0))]
    columns += [(str(lv["number"]), f"{lv['number']}: {lv['title']}") for lv in catalog["levels"]]
    return columns


#: Groups shown by name in tables and charts; the rest are summed in one "others" row.
MAX_GROUPS = 25

SectionBlocks = Callable[[Mapping[str, Any], Fmt], list[Block]]


def province_blocks(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    """Return the blocks of every section of a province report, in :data:`SECTIONS` order."""
    blocks: list[Block] = [para(assessed_text(data, fmt))]
    for _, build in SECTIONS:
        blocks += build(data, fmt)
    return blocks


def assessed_text(data: Mapping[str, Any], fmt: Fmt) -> str:
    """Say how many assessments of how many facilities the report holds, and when."""
    assessed = data["assessed"]
    if not assessed["rows"]:
        return fmt.t("assessed_none")
    return fmt.t(
        "assessed_line",
        rows=fmt.num(assessed["rows"]),
        facilities=fmt.num(assessed["facilities"]),
        first=fmt.date(assessed["first_date"]),
        last=fmt.date(assessed["last_date"]),
    )


def _strong_item(label: str, value: str) -> tuple[Span, ...]:
    return (("strong", label + ": "), ("", value))


def _key_figures(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    total = data["groups"]["total"]
    items = [_strong_item(fmt.t("assessments"), fmt.num(total["rows"]))]
    overall = total["overall"]
    if overall["count"]:
        mean = fmt.t(
            "mean_median",
            mean=fmt.score(overall["mean"]),
            median=fmt.score(overall["median"]),
            low=fmt.score(overall["min"]),
            high=fmt.score(overall["max"]),
        )
        items.append(_strong_item(fmt.t("mean_overall"), mean))
    if data["target"] is not None and total["meeting_target"] is not None:
        rows = total["rows"]
        share = fmt.pct(total["meeting_target"] / rows if rows else None)
        meeting = fmt.t("a_of_b", a=fmt.num(total["meeting_target"]), b=fmt.num(rows), share=share)
        items.append(_strong_item(fmt.t("meeting_target", target=data["target"]), meeting))
    obligation = data["obligation"]
    if obligation is not None:
        items.append((("strong", obligation_line(obligation, fmt)),))
    if total["spent_vnd"] is not None:
        items.append(_strong_item(fmt.t("spent"), fmt.money(total["spent_vnd"])))
    if total["planned_vnd"] is not None:
        items.append(_strong_item(fmt.t("planned"), planned_text(total, fmt)))
    deadlines = data["deadlines"]
    if deadlines is not None:
        items.append(
            _strong_item(
                fmt.t("deadlines_section"), _verdict_counts(deadlines["target_counts"], fmt)
            )
        )
    return [Heading(2, fmt.t("key_figures"), "key-figures"), Items(tuple(items))]


def _verdict_counts(counts: Mapping[str, int], fmt: Fmt) -> str:
    text = ", ".join(f"{fmt.t(name)} {fmt.num(counts[name])}" for name in VERDICTS if counts[name])
    return text or fmt.t("none")


def _obligation_blocks(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    obligation = data["obligation"]
    if obligation is None:
        return []
    return [
        Heading(2, fmt.t("obligation"), "obligation"),
        para(("strong", obligation_line(obligation, fmt))),
        para(
            fmt.t(
                "obligation_detail",
                done=fmt.num(obligation["done"]),
                extra=fmt.num(obligation["done_unobliged"]),
            )
        ),
        para(
            fmt.t(
                "obligation_target",
                target=obligation["target"] or DASH,
                deadline=fmt.date(obligation["deadline"]),
            )
            + " "
            + fmt.t("obligation_rule", rule=obligation["rule"])
        ),
        para(
            ("strong", fmt.t("missing_obliged") + ": "),
            *id_spans(obligation["missing"], obligation["missing_total"], fmt),
        ),
        para(
            ("strong", fmt.t("unobliged_done") + ": "),
            *id_spans(obligation["unobliged_done"], obligation["unobliged_done_total"], fmt),
        ),
    ]


def _counting_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    """Facilities not assessed, rounds left out and disputed not-applicable claims, if any."""
    counting = data.get("counting")
    if counting is None or not (
        counting["not_assessed_total"] or counting["superseded"] or counting["disputed"]
    ):
        return []
    blocks: list[Block] = [Heading(2, fmt.t("counting_section"), "counting")]
    if counting["not_assessed_total"]:
        blocks.append(
            para(
                ("strong", fmt.t("not_assessed", n=fmt.num(counting["not_assessed_total"])) + " "),
                *id_spans(counting["not_assessed"], counting["not_assessed_total"], fmt),
            )
        )
    if counting["superseded"]:
        blocks.append(para(fmt.t("superseded", n=fmt.num(counting["superseded"]))))
    if counting["disputed"]:
        policy = fmt.t(f"disputed_{counting['not_applicable']}")
        blocks += [
            Heading(3, fmt.t("disputed_section")),
            para(fmt.t("disputed_note", n=fmt.num(counting["disputed_rows"])) + " " + policy),
            Table(
                (fmt.t("criterion"), fmt.t("title"), fmt.t("facilities")),
                tuple(
                    (d["criterion"], d["title"], fmt.num(d["rows"])) for d in counting["disputed"]
                ),
                numeric=frozenset({2}),
                code=frozenset({0}),
            ),
        ]
    return blocks


def _decisions(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    """Say what to do first and where the money goes, from the sections below."""
    items: list[tuple[Span, ...]] = []
    deadlines = data["deadlines"]
    if deadlines is not None and deadlines["late_total"] is not None:
        for key, total in (("late", "late_total"), ("at_risk", "at_risk_total")):
            if deadlines[total]:
                items.append(
                    (
                        ("strong", fmt.t(f"{key}_facilities") + ": "),
                        *id_spans(deadlines[key][:10], deadlines[total], fmt),
                    )
                )
    blockers = sorted(data["blockers"], key=lambda b: -b["rows"])[:5]
    if blockers:
        text = "; ".join(f"{b['title']} ({fmt.num(b['rows'])})" for b in blockers)
        items.append(_strong_item(fmt.t("decide_blockers"), text))
    roadmap = data["roadmap"]
    if roadmap is not None and roadmap["first_steps"]:
        text = "; ".join(
            f"{s['title']} ({fmt.pct(s['share'], 0)})" for s in roadmap["first_steps"][:3]
        )
        items.append(_strong_item(fmt.t("decide_first_steps"), text))
    planned = [g for g in data["groups"]["rows"] if g["planned_vnd"]]
    if planned:
        planned.sort(key=lambda g: -g["planned_vnd"])
        # planning rule 9: each group's planned cost as a range, never a bare total
        text = "; ".join(
            f"{g['label']} {planned_range(g, fmt)}{assumed_cell(g, fmt)}" for g in planned[:5]
        )
        items.append(_strong_item(fmt.t("decide_money"), text))
    if not items:
        return []
    return [
        Heading(2, fmt.t("decisions_section"), "decisions"),
        para(fmt.t("decisions_note"), note=True),
        Items(tuple(items)),
    ]


def _spend_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    """Where to spend (only when the report was given a scenario comparison)."""
    decisions = data.get("decisions")
    return [] if decisions is None else decisions_blocks(decisions, fmt)


def _deadlines_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    if data["deadlines"] is None:
        return []
    return _deadline_blocks(data["deadlines"], _groups(data, fmt)[1:], fmt)


def _blockers_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    if not data["blockers"]:
        return []
    blocks: list[Block] = [
        Heading(2, fmt.t("blockers_section"), "blockers"),
        para(fmt.t("blockers_note"), note=True),
    ]
    for catalog in data["catalogs"]:
        found = [b for b in data["blockers"] if b["catalog"] == catalog["id"]]
        if found:
            blocks.append(Heading(3, catalog["title"]))
            blocks.append(
                Table(
                    (fmt.t("criterion"), fmt.t("title"), fmt.t("blocked")),
                    tuple((b["criterion"], b["title"], fmt.num(b["rows"])) for b in found),
                    numeric=frozenset({2}),
                    code=frozenset({0}),
                )
            )
    return blocks


def _roadmap_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    return [] if data["roadmap"] is None else _roadmap_blocks(data["roadmap"], fmt)


def _groups(data: Mapping[str, Any], fmt: Fmt) -> list[tuple[str, Mapping[str, Any]]]:
    """All facilities, then the groups (at most :data:`MAX_GROUPS`, then "others")."""
    total = data["groups"]["total"]
    return [(fmt.t("all"), total), *shown_groups(data["groups"]["rows"], fmt)]


def _levels_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    return _levels_blocks(_groups(data, fmt), data["catalogs"], fmt)


def _scores_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    return _scores_blocks(_groups(data, fmt), data["catalogs"], data["groups"]["total"], fmt)


def _domains_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    return [
        Heading(2, fmt.t("domains_section"), "domains"),
        Chart("domains"),
        Table(
            (fmt.t("catalog"), fmt.t("domain"), fmt.t("mean"), fmt.t("median"), fmt.t("scored")),
            tuple(
                (
                    d["catalog"],
                    d["title"],
                    fmt.score(d["mean"]),
                    fmt.score(d["median"]),
                    fmt.num(d["scored"]),
                )
                for d in data["domains"]
            ),
            numeric=frozenset({2, 3, 4}),
            code=frozenset({0}),
        ),
    ]


def _change_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    change = data["change"]
    if change is None:
        return []
    titles = {c["id"]: c["title"] for c in data["catalogs"]}
    delta = change["overall_delta"]
    blocks: list[Block] = [
        Heading(2, fmt.t("change_section"), "change"),
        para(fmt.t("matched", n=fmt.num(change["matched"]))),
        Table(
            (fmt.t("catalog"), fmt.t("up"), fmt.t("same"), fmt.t("down")),
            tuple(
                (titles.get(k, k), fmt.num(v["up"]), fmt.num(v["same"]), fmt.num(v["down"]))
                for k, v in change["levels"].items()
            ),
            numeric=frozenset({1, 2, 3}),
        ),
    ]
    if delta["count"]:
        blocks.append(
            para(
                fmt.t(
                    "overall_change",
                    mean=fmt.num(delta["mean"], 1),
                    low=fmt.num(delta["min"], 1),
                    high=fmt.num(delta["max"], 1),
                )
            )
        )
    if change["movers"]:
        blocks += [
            Heading(3, fmt.t("movers")),
            Table(
                (fmt.t("facility"), fmt.t("catalog"), fmt.t("before"), fmt.t("after")),
                tuple(
                    (m["facility"], m["catalog"], fmt.num(m["before"]), fmt.num(m["after"]))
                    for m in change["movers"]
                ),
                numeric=frozenset({2, 3}),
                code=frozenset({0}),
            ),
        ]
    return blocks


def _extra_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    return _extra_blocks(data["extra"], fmt)


def _listing_section(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    return _listing_blocks(data["facilities"], data["catalogs"], fmt)


#: The sections of a province report in reading order: the figures and decisions first, the
#: breakdowns next, "About", and the facility list last as an appendix. Each is a function of
#: the record and the language returning its blocks (none when its part of the record is empty).
#: A new section is a new entry here (see docs/reports.md, "Adding a section").
SECTIONS: tuple[tuple[str, SectionBlocks], ...] = (
    ("key-figures", _key_figures),
    ("obligation", _obligation_blocks),
    ("counting", _counting_section),
    ("decisions", _decisions),
    ("spend", _spend_section),
    ("deadlines", _deadlines_section),
    ("blockers", _blockers_section),
    ("roadmap", _roadmap_section),
    ("levels", _levels_section),
    ("scores", _scores_section),
    ("domains", _domains_section),
    ("change", _change_section),
    ("extra", _extra_section),
    ("about", about_blocks),
    ("facilities", _listing_section),
)


def _levels_blocks(
    groups: Sequence[tuple[str, Mapping[str, Any]]],
    catalogs: Sequence[Mapping[str, Any]],
    fmt: Fmt,
) -> list[Block]:
    blocks: list[Block] = []
    blocks += [
        Heading(2, fmt.t("levels_section"), "levels"),
        Chart("levels"),
        para(fmt.t("levels_note"), note=True),
    ]
    for catalog in catalogs:
        columns = _level_columns(catalog, fmt)
        rows = []
        for label, group in groups:
            counts = group["levels"].get(catalog["id"], {})
            rows.append(
                (
                    label,
                    *(fmt.num(counts.get(key, 0)) for key, _ in columns),
                    fmt.num(group["rows"]),
                )
            )
        blocks.append(Heading(3, f"{catalog['title']} ({catalog['id']} {catalog['version']})"))
        blocks.append(
            Table(
                (fmt.t("group"), *(name for _, name in columns), fmt.t("facilities")),
                tuple(rows),
                numeric=frozenset(range(1, len(columns) + 2)),
            )
        )
    return blocks


def _scores_blocks(
    groups: Sequence[tuple[str, Mapping[str, Any]]],
    catalogs: Sequence[Mapping[str, Any]],
    total: Mapping[str, Any],
    fmt: Fmt,
) -> list[Block]:
    columns = [
        fmt.t("group"),
        fmt.t("facilities"),
        f"{fmt.t('overall')}: {fmt.t('mean')}",
        fmt.t("sd"),
        fmt.t("median"),
    ]
    columns += [c["id"] for c in catalogs]
    has_target = total["meeting_target"] is not None
    if has_target:
        columns.append(fmt.t("target"))
    money_cols = [("spent_vnd", "spent"), ("planned_vnd", "planned")]
    money_cols = [(k, label) for k, label in money_cols if total[k] is not None]
    columns += [fmt.t(label) for _, label in money_cols]
    rows = []
    for label, group in groups:
        stats = group["overall"]
        row = [
            label,
            fmt.num(group["rows"]),
            fmt.score(stats["mean"]),
            fmt.num(stats["sd"], 1),
            fmt.score(stats["median"]),
        ]
        row += [fmt.score(group["by_catalog"][c["id"]]["mean"]) for c in catalogs]
        if has_target:
            row.append(fmt.num(group["meeting_target"]))
        row += [
            planned_range(group, fmt) + assumed_cell(group, fmt)
            if k == "planned_vnd"
            else fmt.money(group[k])
            for k, _ in money_cols
        ]
        rows.append(tuple(row))
    return [
        Heading(2, fmt.t("scores_section"), "scores"),
        para(fmt.t("scores_note"), note=True),
        Table(tuple(columns), tuple(rows), numeric=frozenset(range(1, len(columns)))),
    ]


def planned_range(group: Mapping[str, Any], fmt: Fmt) -> str:
    """Say the planned cost as low to high (likely): planning rule 9, never a bare total."""
    return fmt.t(
        "range",
        low=fmt.money(group["planned_vnd_low"]),
        likely=fmt.money(group["planned_vnd"]),
        high=fmt.money(group["planned_vnd_high"]),
    )


def planned_text(group: Mapping[str, Any], fmt: Fmt, by_owner: str = "") -> str:
    """Say the planned cost as a range with the share of steps whose values are assumed.

    Planning rule 9: when most of the steps use an assumed effort or cost, the text says so
    first; steps without a cost estimate (counted as 0) are said last. ``by_owner`` (the same
    range by ownership) follows the range.
    """
    text = planned_range(group, fmt) + by_owner
    steps, assumed = group.get("planned_steps"), group.get("assumed_steps")
    if not steps or assumed is None:
        return text
    mostly = 2 * assumed > steps
    share = fmt.t(
        "planned_mostly_assumed" if mostly else "planned_assumed_share",
        assumed=fmt.num(assumed),
        steps=fmt.num(steps),
        share=fmt.pct(assumed / steps),
    )
    text = f"{share} {text}" if mostly else f"{text}; {share}"
    if group.get("uncosted_steps"):
        text += "; " + fmt.t("planned_uncosted", uncosted=fmt.num(group["uncosted_steps"]))
    return text


def assumed_cell(group: Mapping[str, Any], fmt: Fmt) -> str:
    """Say, after a group's planned range, the share of its steps whose values are assumed."""
    steps, assumed = group.get("planned_steps"), group.get("assumed_steps")
    if not steps or assumed is None:
        return ""
    return ", " + fmt.t("assumed_cell", share=fmt.pct(assumed / steps, 0))


#: A facility list longer than this prints from its own page, not inside the report.
PRINT_ROWS = 60


def _listing_blocks(
    listing: Mapping[str, Any], catalogs: Sequence[Mapping[str, Any]], fmt: Fmt
) -> list[Block]:
    columns = [
        fmt.t("id"),
        fmt.t("name"),
        fmt.t("kind"),
        fmt.t("ownership"),
        fmt.t("region"),
        fmt.t("beds"),
        fmt.t("overall"),
    ]
    columns += [c["id"] for c in catalogs]
    with_verdict = any(r["verdict"] is not None for r in listing["rows"])
    if with_verdict:
        columns.append(fmt.t("verdict"))
    filters = [
        ("kind", fmt.t("kind")),
        ("ownership", fmt.t("ownership")),
        ("region", fmt.t("region")),
    ]
    if with_verdict:
        filters.append(("verdict", fmt.t("verdict")))
    rows, values, sort, details = [], [], [], []
    for r in listing["rows"]:
        levels = [r["levels"].get(c["id"]) for c in catalogs]
        verdict = fmt.t(r["verdict"]) if r["verdict"] else DASH
        shown = [
            fmt.value("kind", r["kind"]),
            fmt.value("ownership", r["ownership"]),
            r["region"] or DASH,
        ]
        row = [r["id"], r["name"], *shown, fmt.num(r["beds"]), fmt.score(r["overall"])]
        row += [fmt.t("na") if level is None else str(level) for level in levels]
        numbers = [r["beds"], r["overall"], *levels]
        keys = [r["id"], r["name"], *shown, *("" if n is None else repr(n) for n in numbers)]
        if with_verdict:
            row.append(verdict)
            keys.append(str(VERDICTS.index(r["verdict"])) if r["verdict"] else "")
            shown.append(verdict)
        rows.append(tuple(row))
        values.append(tuple(shown))
        sort.append(tuple(keys))
        lines = [(fmt.t("name"), r["name"]), (fmt.t("assessed_on"), fmt.date(r["date"]))]
        for catalog, level in zip(catalogs, levels, strict=True):
            titles = {lv["number"]: lv["title"] for lv in catalog["levels"]}
            text = fmt.t("na") if level is None else fmt.t("level_n", n=level)
            if level in titles:
                text += f" ({titles[level]})"
            lines.append((catalog["title"], text))
        details.append(tuple(lines))
    notes = []
    if listing["shown"] < listing["total"]:
        notes.append(
            para(
                fmt.t(
                    "shown_first", shown=fmt.num(listing["shown"]), total=fmt.num(listing["total"])
                ),
                note=True,
            )
        )
    numeric = frozenset(range(5, 7 + len(catalogs)))
    controls = (
        ("search", fmt.t("list_search")),
        ("all", fmt.t("list_all")),
        ("count", fmt.t("list_count")),
        ("sort", fmt.t("list_sort")),
        ("apart", fmt.t("list_apart")),
    )
    return [
        Listing(
            heading=Heading(2, fmt.t("facilities_section"), "facilities"),
            notes=tuple(notes),
            table=Table(tuple(columns), tuple(rows), numeric=numeric, code=frozenset({0})),
            filters=tuple(filters),
            values=tuple(values),
            sort=tuple(sort),
            details=tuple(details),
            controls=controls,
            apart=len(rows) > PRINT_ROWS,
        )
    ]


def _extra_blocks(sections: Sequence[Mapping[str, Any]], fmt: Fmt) -> list[Block]:
    blocks: list[Block] = []
    for section in sections:
        blocks.append(Heading(2, section["title"], f"extra-{section['id']}"))
        if section["text"]:
            blocks.append(para(section["text"]))
        if section["columns"]:
            values = [[fmt.cell(c) for c in row] for row in section["rows"]]
            numeric = frozenset(
                i
                for i in range(len(section["columns"]))
                if section["rows"]
                and all(
                    isinstance(row[i], int | float) and not isinstance(row[i], bool)
                    for row in section["rows"]
                )
            )
            blocks.append(
                Table(tuple(section["columns"]), tuple(tuple(v) for v in values), numeric=numeric)
            )
        if section["note"]:
            blocks.append(para(section["note"], note=True))
    return blocks


def obligation_line(obligation: Mapping[str, Any], fmt: Fmt) -> str:
    return fmt.t(
        "obligation_line",
        name=obligation["name"],
        counted=fmt.num(obligation["counted"]),
        obliged=fmt.num(obligation["obliged"]),
        rate=fmt.pct(obligation["rate"]),
    )


def _deadline_blocks(
    deadlines: Mapping[str, Any], groups: Sequence[tuple[str, Mapping[str, Any]]], fmt: Fmt
) -> list[Block]:
    margin = fmt.num(deadlines["risk_margin_days"])
    head = (
        fmt.t("plans_toward", target=deadlines["target"], margin=margin)
        if deadlines["target"]
        else fmt.t("plans_toward_unknown", margin=margin)
    )
    counts = deadlines["target_counts"]
    rows = [(fmt.t("target"), "", *(fmt.num(counts[v]) for v in VERDICTS))]
    rows += [
        (
            row["title"],
            "; ".join(fmt.date(d) for d in row["dates"]),
            *(fmt.num(row["counts"][v]) for v in VERDICTS),
        )
        for row in deadlines["by_deadline"]
    ]
    blocks: list[Block] = [
        Heading(2, fmt.t("deadlines_section"), "deadlines"),
        para(head),
        Chart("deadlines"),
        Table(
            (fmt.t("deadline"), fmt.t("dates"), *(fmt.t(v) for v in VERDICTS)),
            tuple(rows),
            numeric=frozenset(range(2, 7)),
        ),
    ]
    if deadlines["by_deadline"]:
        blocks.append(para(fmt.t("by_deadline_note"), note=True))
    group_rows = [(label, g) for label, g in groups if g["verdicts"] is not None]
    if group_rows:
        blocks.append(
            Table(
                (fmt.t("group"), *(fmt.t(v) for v in VERDICTS)),
                tuple(
                    (label, *(fmt.num(g["verdicts"].get(v, 0)) for v in VERDICTS))
                    for label, g in group_rows
                ),
                numeric=frozenset(range(1, 6)),
            )
        )
    if deadlines["late_total"] is not None:
        blocks.append(
            para(
                ("strong", fmt.t("late_facilities") + ": "),
                *id_spans(deadlines["late"], deadlines["late_total"], fmt),
            )
        )
        blocks.append(
            para(
                ("strong", fmt.t("at_risk_facilities") + ": "),
                *id_spans(deadlines["at_risk"], deadlines["at_risk_total"], fmt),
            )
        )
    return blocks


def _roadmap_blocks(roadmap: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    status = roadmap["status"]
    verdicts = roadmap["verdicts"]
    planned = status["planned"]
    items: list[tuple[Span, ...]] = [
        (("strong", fmt.t(f"{name}_status") + ": "), ("", fmt.num(count)))
        for name, count in status.items()
    ]
    items.append(
        (
            ("strong", fmt.t("deadlines_section") + ": "),
            (
                "",
                ", ".join(f"{fmt.t(v)} {fmt.num(verdicts[v])}" for v in VERDICTS if verdicts[v])
                or fmt.t("none"),
            ),
        )
    )
    blocks: list[Block] = [
        Heading(2, fmt.t("roadmap_section", target=roadmap["target"]), "roadmap"),
        Items(tuple(items)),
        work_line(
            fmt,
            "roadmap_totals",
            roadmap,
            steps=fmt.num(roadmap["steps"]),
            plans=fmt.num(planned),
        ),
    ]
    if roadmap["timeline"]:
        blocks += [
            Chart("roadmap"),
            Table(
                (
                    fmt.t("period"),
                    fmt.t("steps_finishing"),
                    fmt.t("facilities_reaching"),
                    fmt.t("reached_so_far"),
                ),
                tuple(
                    (
                        fmt.period(t["period"]),
                        fmt.num(t["steps"]),
                        fmt.num(t["facilities"]),
                        fmt.pct(t["reached_share"]),
                    )
                    for t in roadmap["timeline"]
                    if t["steps"] or t["facilities"]
                ),
                numeric=frozenset({1, 2, 3}),
            ),
            para(fmt.t("timeline_note"), note=True),
        ]
    if roadmap["deadlines"]:
        blocks += [
            Heading(3, fmt.t("deadlines_marked")),
            Table(
                (fmt.t("dates"), fmt.t("deadline")),
                tuple((fmt.date(m["date"]), m["title"]) for m in roadmap["deadlines"]),
            ),
        ]
    if roadmap["first_steps"]:
        blocks += [
            Heading(3, fmt.t("first_steps")),
            para(fmt.t("first_steps_note"), note=True),
            Table(
                (fmt.t("criterion"), fmt.t("title"), fmt.t("facilities"), fmt.t("share")),
                tuple(
                    (s["criterion"], s["title"], fmt.num(s["facilities"]), fmt.pct(s["share"]))
                    for s in roadmap["first_steps"]
                ),
                numeric=frozenset({2, 3}),
                code=frozenset({0}),
            ),
        ]
    return blocks
