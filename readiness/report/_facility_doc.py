"""The blocks of a facility report, section by section, in reading order."""

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
from readiness.report._language import DASH, Fmt


def facility_blocks(data: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    facility = data["facility"]
    assessment = data["assessment"]
    catalogs = {c["id"]: c for c in data["catalogs"]}
    blocks: list[Block] = [
        para(
            ("code", facility["id"]),
            " ",
            fmt.t(
                "facility_line",
                kind=fmt.value("kind", facility["kind"]),
                ownership=fmt.value("ownership", facility["ownership"]).lower(),
                beds=fmt.num(facility["beds"]),
                region=facility["region"] or DASH,
            ),
            " ",
            fmt.t("assessed_single", date=fmt.date(assessment["date"])),
        )
    ]
    items: list[tuple[Span, ...]] = [
        (("strong", fmt.t("overall_score") + ": "), ("", fmt.score(assessment["overall"]))),
        (
            ("strong", fmt.t("criteria_met") + ": "),
            (
                "",
                fmt.t(
                    "criteria_met_value",
                    met=fmt.num(assessment["met"]),
                    applicable=fmt.num(assessment["applicable"]),
                ),
            ),
        ),
        (("strong", fmt.t("unsupported") + ": "), ("", fmt.num(len(data["unsupported"])))),
        (("strong", fmt.t("gaps") + ": "), ("", fmt.num(len(data["gaps"])))),
    ]
    for result in data["results"]:
        level = (
            fmt.t("na") if result["level"] is None else f"{result['level']}/{result['max_level']}"
        )
        items.append((("strong", f"{result['title']}: "), ("", f"{fmt.t('level')} {level}")))
    blocks += [Heading(2, fmt.t("key_figures"), "key-figures"), Items(tuple(items))]
    # levels
    rows = []
    for r in data["results"]:
        if r["level"] is None:
            level, nxt, progress = fmt.t("na"), DASH, DASH
        else:
            level = f"{r['level']}/{r['max_level']}" + (
                f" {r['level_title']}" if r["level_title"] else ""
            )
            nxt = (
                fmt.t("top_level")
                if r["next_level"] is None
                else f"{r['next_level']} {r['next_level_title']}"
            )
            progress = fmt.pct(r["progress"], 0)
        rows.append(
            (r["title"], level, nxt, progress, fmt.score(r["score"]), fmt.num(len(r["blockers"])))
        )
    blocks += [
        Heading(2, fmt.t("levels_section"), "levels"),
        Chart("facility_levels"),
        Table(
            (
                fmt.t("catalog"),
                fmt.t("level"),
                fmt.t("next_level"),
                fmt.t("progress"),
                fmt.t("score"),
                fmt.t("blockers"),
            ),
            tuple(rows),
            numeric=frozenset({3, 4, 5}),
        ),
    ]
    # domains
    with_peers = any(d["peer_mean"] is not None for d in data["domains"])
    columns = [fmt.t("catalog"), fmt.t("domain"), fmt.t("score")] + (
        [fmt.t("peer_mean")] if with_peers else []
    )
    blocks += [
        Heading(2, fmt.t("domains_section"), "domains"),
        Chart("facility_domains"),
        Table(
            tuple(columns),
            tuple(
                (
                    d["catalog"],
                    d["title"],
                    fmt.score(d["score"]) if d["score"] is not None else fmt.t("na"),
                )
                + ((fmt.score(d["peer_mean"]),) if with_peers else ())
                for d in data["domains"]
            ),
            numeric=frozenset({2, 3}),
            code=frozenset({0}),
        ),
    ]
    # blockers
    blocks.append(Heading(2, fmt.t("blockers"), "blockers"))
    any_blockers = False
    for r in data["results"]:
        if not r["blockers"]:
            continue
        any_blockers = True
        blocks.append(
            Heading(
                3,
                fmt.t(
                    "blockers_of",
                    catalog=r["title"],
                    n=r["next_level"],
                    title=r["next_level_title"],
                ),
            )
        )
        blocks.append(_blocker_table(r["blockers"], fmt))
    if not any_blockers:
        blocks.append(para(fmt.t("none")))
    if data["unsupported"]:
        blocks += [
            Heading(3, fmt.t("unsupported")),
            para(fmt.t("unsupported_note"), note=True),
            _blocker_table(data["unsupported"], fmt),
        ]
    if data["gaps"]:
        blocks += [
            Heading(3, fmt.t("gaps")),
            Table(
                (fmt.t("criterion"), fmt.t("title")),
                tuple((g["criterion"], g["title"]) for g in data["gaps"]),
                code=frozenset({0}),
            ),
        ]
    # next steps
    if data["next_steps"]:
        blocks += [
            Heading(2, fmt.t("next_steps"), "next-steps"),
            Table(
                (
                    "#",
                    fmt.t("criterion"),
                    fmt.t("title"),
                    fmt.t("why"),
                    fmt.t("due"),
                    fmt.t("effort"),
                    fmt.t("cost_estimate"),
                ),
                tuple(
                    (
                        str(s["rank"]),
                        s["criterion"],
                        s["title"],
                        s["reason"],
                        fmt.date(s["due"]),
                        fmt.num(s["effort_days"]),
                        fmt.money(s["cost_vnd"]),
                    )
                    for s in data["next_steps"]
                ),
                numeric=frozenset({0, 5, 6}),
                code=frozenset({1}),
            ),
        ]
    if data["plan"] is not None:
        blocks += _plan_blocks(data["plan"], fmt)
    peer_steps = data.get("peer_steps")
    if peer_steps is not None:
        blocks += [
            Heading(2, fmt.t("peer_steps_section"), "peer-steps"),
            para(peer_steps["note"]),
            para(fmt.t("peer_steps_note")),
        ]
        if peer_steps["items"]:
            blocks.append(
                Table(
                    (fmt.t("criterion"), fmt.t("support"), ""),
                    tuple(
                        (item["criterion"], fmt.pct(item["share"], 0), item["sentence"])
                        for item in peer_steps["items"][:10]
                    ),
                    numeric=frozenset({1}),
                    code=frozenset({0}),
                )
            )
    peers = data["peers"]
    if peers is not None:
        overall = peers["overall"]
        blocks += [
            Heading(2, fmt.t("peers_section"), "peers"),
            para(fmt.t("peers_line", n=fmt.num(peers["rows"]), mean=fmt.score(overall["mean"]))),
        ]
        if peers["share_below"] is not None:
            blocks.append(para(fmt.t("peers_rank", share=fmt.pct(peers["share_below"], 0))))
        peer_rows = [
            (
                fmt.t("overall"),
                fmt.score(assessment["overall"]),
                fmt.score(overall["mean"]),
                fmt.score(overall["median"]),
            )
        ]
        peer_rows += [
            (
                catalogs[r["catalog"]]["title"],
                fmt.score(r["score"]),
                fmt.score(peers["by_catalog"][r["catalog"]]["mean"]),
                fmt.score(peers["by_catalog"][r["catalog"]]["median"]),
            )
            for r in data["results"]
            if r["catalog"] in peers["by_catalog"]
        ]
        blocks.append(
            Table(
                ("", fmt.t("this_facility"), fmt.t("peer_mean"), fmt.t("median")),
                tuple(peer_rows),
                numeric=frozenset({1, 2, 3}),
            )
        )
    return blocks


def _blocker_table(blockers: Sequence[Mapping[str, Any]], fmt: Fmt) -> Table:
    rows = []
    rows = [(b["criterion"], b["title"], b["reason_text"], b["detail_text"]) for b in blockers]
    return Table(
        (fmt.t("criterion"), fmt.t("title"), fmt.t("reason"), fmt.t("detail")),
        tuple(rows),
        code=frozenset({0}),
    )


def _plan_blocks(plan: Mapping[str, Any], fmt: Fmt) -> list[Block]:
    blocks: list[Block] = [Heading(2, fmt.t("plan_section", target=plan["target"]), "plan")]
    status = plan["status"]
    if status == "done":
        blocks.append(para(fmt.t("plan_done")))
    elif status == "unreachable":
        blocks.append(para(fmt.t("plan_unreachable", note=plan["note"])))
    elif status == "not_applicable":
        blocks.append(para(fmt.t("plan_not_applicable", note=plan["note"])))
    else:
        blocks.append(
            work_line(
                fmt,
                "plan_line",
                plan,
                steps=fmt.num(len(plan["steps"])),
                start=fmt.date(plan["start"]),
                finish=fmt.date(plan["finish"]),
            )
        )
    if plan["verdicts"]:
        blocks += [
            Heading(3, fmt.t("verdicts")),
            Table(
                (
                    fmt.t("deadline"),
                    fmt.t("dates"),
                    fmt.t("finish"),
                    fmt.t("slack"),
                    fmt.t("verdict"),
                ),
                tuple(
                    (
                        v["title"],
                        fmt.date(v["date"]),
                        fmt.date(v["finish"]),
                        fmt.num(v["slack_days"]) if v["slack_days"] is not None else DASH,
                        fmt.t(v["verdict"]),
                    )
                    for v in plan["verdicts"]
                ),
                numeric=frozenset({3}),
            ),
        ]
    if plan["steps"]:
        blocks.append(Chart("gantt"))
        waves = sorted({s["wave"] for s in plan["steps"]})
        for wave in waves:
            blocks.append(Heading(3, fmt.t("wave_n", n=wave)))
            blocks.append(
                Table(
                    (
                        fmt.t("criterion"),
                        fmt.t("title"),
                        fmt.t("start"),
                        fmt.t("finish"),
                        fmt.t("effort"),
                        fmt.t("cost_estimate"),
                        fmt.t("note"),
                    ),
                    tuple(
                        (
                            s["criterion"],
                            s["title"],
                            fmt.date(s["start"]),
                            fmt.date(s["finish"]),
                            fmt.num(s["effort_days"]),
                            fmt.money(s["cost_vnd"]) if s["costed"] else DASH,
                            "" if s["reason"] == fmt.t("reason_needed") else s["reason"],
                        )
                        for s in plan["steps"]
                        if s["wave"] == wave
                    ),
                    numeric=frozenset({4, 5}),
                    code=frozenset({0}),
                )
            )
        if plan["critical_path"]:
            blocks.append(
                para(
                    ("strong", fmt.t("critical_path") + ": "),
                    *id_spans(plan["critical_path"], len(plan["critical_path"]), fmt),
                )
            )
    return blocks
