"""The blocks of a province report, section by section, in reading order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from readiness.report._blocks import (
    Block,
    Chart,
    Heading,
    Items,
    Span,
    Table,
    id_spans,
    para,
    work_line,
)
from readiness.report._language import DASH, VERDICTS, Fmt


def _level_columns(catalog: Mapping[str, Any], fmt: Fmt) -> list[tuple[str, str]]:
    columns = [("na", fmt.t("na")), ("0", fmt.t("level_n", n=0))]
    columns += [(str(lv["number"]), f"{lv['number']}: {lv['title']}") for lv in catalog["levels"]]
    return columns


def province_blocks(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    blocks: list[Block] = []
    assessed = data["assessed"]
    if assessed["rows"]:
        blocks.append(
            para(
                fmt.t(
                    "assessed_line",
                    rows=fmt.num(assessed["rows"]),
                    facilities=fmt.num(assessed["facilities"]),
                    first=fmt.date(assessed["first_date"]),
                    last=fmt.date(assessed["last_date"]),
                )
            )
        )
    else:
        blocks.append(para(fmt.t("assessed_none")))
    total = data["groups"]["total"]
    catalogs = data["catalogs"]
    # key figures
    items: list[tuple[Span, ...]] = [
        (("strong", fmt.t("assessments") + ": "), ("", fmt.num(total["rows"]))),
    ]
    overall = total["overall"]
    if overall["count"]:
        items.append(
            (
                ("strong", fmt.t("mean_overall") + ": "),
                (
                    "",
                    fmt.t(
                        "mean_median",
                        mean=fmt.score(overall["mean"]),
                        median=fmt.score(overall["median"]),
                        low=fmt.score(overall["min"]),
                        high=fmt.score(overall["max"]),
                    ),
                ),
            )
        )
    if data["target"] is not None and total["meeting_target"] is not None:
        rows = total["rows"]
        items.append(
            (
                ("strong", fmt.t("meeting_target", target=data["target"]) + ": "),
                (
                    "",
                    fmt.t(
                        "a_of_b",
                        a=fmt.num(total["meeting_target"]),
                        b=fmt.num(rows),
                        share=fmt.pct(total["meeting_target"] / rows if rows else None),
                    ),
                ),
            )
        )
    obligation = data["obligation"]
    if obligation is not None:
        items.append((("strong", obligation_line(obligation, fmt)),))
    if total["spent_vnd"] is not None:
        items.append((("strong", fmt.t("spent") + ": "), ("", fmt.money(total["spent_vnd"]))))
    if total["planned_vnd"] is not None:
        items.append((("strong", fmt.t("planned") + ": "), ("", fmt.money(total["planned_vnd"]))))
    deadlines = data["deadlines"]
    if deadlines is not None:
        counts = deadlines["target_counts"]
        text = ", ".join(
            f"{fmt.t(name)} {fmt.num(counts[name])}" for name in VERDICTS if counts[name]
        )
        items.append((("strong", fmt.t("deadlines_section") + ": "), ("", text or fmt.t("none"))))
    blocks += [Heading(2, fmt.t("key_figures"), "key-figures"), Items(tuple(items))]
    # obligation
    if obligation is not None:
        blocks += [
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
                    target=obligation["target"],
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
    groups = [(fmt.t("all"), total), *((g["label"], g) for g in data["groups"]["rows"])]
    blocks += _levels_blocks(groups, catalogs, fmt)
    blocks += _scores_blocks(groups, catalogs, total, fmt)
    # domains
    titles = {c["id"]: c["title"] for c in catalogs}
    blocks += [
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
    # deadlines
    if deadlines is not None:
        blocks += _deadline_blocks(deadlines, data["groups"], fmt)
    # blockers
    if data["blockers"]:
        blocks += [
            Heading(2, fmt.t("blockers_section"), "blockers"),
            para(fmt.t("blockers_note"), note=True),
        ]
        for catalog in catalogs:
            found = [b for b in data["blockers"] if b["catalog"] == catalog["id"]]
            if not found:
                continue
            blocks.append(Heading(3, catalog["title"]))
            blocks.append(
                Table(
                    (fmt.t("criterion"), fmt.t("title"), fmt.t("blocked")),
                    tuple((b["criterion"], b["title"], fmt.num(b["rows"])) for b in found),
                    numeric=frozenset({2}),
                    code=frozenset({0}),
                )
            )
    # change
    change = data["change"]
    if change is not None:
        delta = change["overall_delta"]
        blocks += [
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
    # roadmap
    if data["roadmap"] is not None:
        blocks += _roadmap_blocks(data["roadmap"], fmt)
    blocks += _listing_blocks(data["facilities"], catalogs, fmt)
    blocks += _extra_blocks(data["extra"], fmt)
    return blocks


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
        row += [fmt.money(group[k]) for k, _ in money_cols]
        rows.append(tuple(row))
    return [
        Heading(2, fmt.t("scores_section"), "scores"),
        para(fmt.t("scores_note"), note=True),
        Table(tuple(columns), tuple(rows), numeric=frozenset(range(1, len(columns)))),
    ]


def _listing_blocks(
    listing: Mapping[str, Any], catalogs: Sequence[Mapping[str, Any]], fmt: Fmt
) -> list[Block]:
    blocks: list[Block] = []
    columns = [
        fmt.t("id"),
        fmt.t("name"),
        fmt.t("kind"),
        fmt.t("ownership"),
        fmt.t("beds"),
        fmt.t("assessed_on"),
        fmt.t("overall"),
    ]
    columns += [c["id"] for c in catalogs]
    with_verdict = any(r["verdict"] is not None for r in listing["rows"])
    if with_verdict:
        columns.append(fmt.t("verdict"))
    rows = []
    for r in listing["rows"]:
        row = [
            r["id"],
            r["name"],
            fmt.value("kind", r["kind"]),
            fmt.value("ownership", r["ownership"]),
            fmt.num(r["beds"]),
            fmt.date(r["date"]),
            fmt.score(r["overall"]),
        ]
        row += [
            fmt.t("na") if r["levels"][c["id"]] is None else str(r["levels"][c["id"]])
            for c in catalogs
        ]
        if with_verdict:
            row.append(fmt.t(r["verdict"]) if r["verdict"] else DASH)
        rows.append(tuple(row))
    blocks.append(Heading(2, fmt.t("facilities_section"), "facilities"))
    if listing["shown"] < listing["total"]:
        blocks.append(
            para(
                fmt.t(
                    "shown_first", shown=fmt.num(listing["shown"]), total=fmt.num(listing["total"])
                ),
                note=True,
            )
        )
    blocks.append(
        Table(
            tuple(columns),
            tuple(rows),
            numeric=frozenset({4, 6, *range(7, 7 + len(catalogs))}),
            code=frozenset({0}),
        )
    )
    return blocks


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
    deadlines: Mapping[str, Any], groups: Mapping[str, Any], fmt: Fmt
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
    group_rows = [g for g in groups["rows"] if g["verdicts"] is not None]
    if group_rows:
        blocks.append(
            Table(
                (fmt.t("group"), *(fmt.t(v) for v in VERDICTS)),
                tuple(
                    (g["label"], *(fmt.num(g["verdicts"].get(v, 0)) for v in VERDICTS))
                    for g in group_rows
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
