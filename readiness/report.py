"""Province and facility reports: one JSON-ready record, rendered as JSON, Markdown and HTML.

A :class:`Report` holds one plain, JSON-ready mapping (:attr:`Report.data`, schema
``readiness.report/1``, documented key by key in ``docs/reports.md``). Everything else is rendered
from that mapping, so the three outputs always agree and a report read back from its JSON renders
the same bytes:

* :meth:`Report.to_json` for machines;
* :meth:`Report.to_markdown` for people and version control (tables, no images);
* :meth:`Report.to_html`: one self-contained file (inline CSS, charts as inline SVG, no script,
  no external URL; a Content-Security-Policy forbids fetching anything), which opens offline.

Assumptions and rules:

* *Charts* need matplotlib (``pip install 'readiness[plot]'``), imported only inside the chart
  functions. Without it the JSON and Markdown are unchanged and the HTML says the charts were
  left out; every chart's figures are also in a table, so nothing is lost.
* *Determinism.* The same input gives the same bytes: no clock is read, nothing iterates a set,
  charts use matplotlib's defaults with fixed fonts and sizes, a fixed ``svg.hashsalt`` and no
  metadata.
* *Language.* ``lang="en"`` or ``"vi"`` chooses every fixed label (:data:`LABELS`) and the
  catalog, level, domain, deadline and criterion titles (their :class:`~readiness._catalog.Text`).
  Free text from other sources (facility names, catalog disclaimers, obligation names) is shown
  as given. Numbers and dates follow the language (``1,234.5`` and ``30 Sep 2025`` in English,
  ``1.234,5`` and ``30/09/2025`` in Vietnamese).
* *Provenance.* A table labelled synthetic gets a banner; costs and durations are always called
  estimates; every catalog's data version and disclaimer is printed.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from readiness._catalog import Catalog, Text
from readiness._compile import compile_catalog
from readiness._plan import _NEVER, NextStep, Plan, PlanTable, Target
from readiness._portfolio import Group, Stats, Summary
from readiness._score import Blocker, CatalogResult, Score, ScoreTable
from readiness.errors import MissingDependencyError, OptionError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from readiness.peers import PeerSuggestions

__all__ = [
    "CHART_RC",
    "LABELS",
    "SCHEMA",
    "Report",
    "Section",
    "facility_report",
    "province_report",
]

#: Schema tag of :attr:`Report.data`; the number changes when a key changes meaning or goes.
SCHEMA = "readiness.report/1"

Lang = Literal["en", "vi"]
Cell = str | int | float | bool | None

#: Facilities listed by default in a province report (``max_facilities``).
MAX_FACILITIES = 2000
#: Facility ids listed in lists such as "obliged facilities not yet done".
MAX_IDS = 50
_DASH = "\u2013"  # shown for a missing value
_VERDICTS = ("done", "on_track", "at_risk", "late", "no_deadline")
_EPOCH = np.datetime64("1970-01-01", "D")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# --------------------------------------------------------------------------- labels

#: Every fixed label of the reports, in English and Vietnamese (same keys in both).
LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "province_title": "Province readiness report",
        "facility_title": "Facility readiness report: {name}",
        "synthetic_banner": "SYNTHETIC DATA: some or all of these figures describe generated "
        "facilities, not real ones.",
        "contents": "Contents",
        "assessed_line": "{rows} assessments of {facilities} facilities, assessed from {first} "
        "to {last}.",
        "assessed_none": "No assessments.",
        "charts_in_html": "Charts are in the HTML report; the tables hold the same figures.",
        "charts_missing": "Charts left out: matplotlib is not installed "
        "(pip install 'readiness[plot]'). The tables hold the same figures.",
        "charts_off": "Charts left out on request. The tables hold the same figures.",
        "key_figures": "Key figures",
        "facilities_assessed": "Facilities assessed",
        "assessments": "Assessments",
        "mean_overall": "Mean overall score",
        "mean_median": "{mean} (median {median}, from {low} to {high})",
        "meeting_target": "Meeting the target ({target})",
        "a_of_b": "{a} of {b} ({share})",
        "obligation": "Obligation",
        "obligation_line": "{name}: {counted} done of {obliged} obliged = {rate}",
        "obligation_detail": "{done} obliged facilities done, {extra} done without being obliged.",
        "obligation_rule": "Rule: {rule}.",
        "rule_with_unobliged": "(obliged facilities done + facilities done without being "
        "obliged) / obliged facilities",
        "rule_obliged_only": "obliged facilities done / obliged facilities",
        "obligation_target": "Target: {target}; deadline: {deadline}.",
        "missing_obliged": "Obliged facilities not yet done",
        "unobliged_done": "Done without being obliged",
        "and_more": "and {n} more",
        "spent": "Spent",
        "planned": "Still planned (estimate)",
        "levels_section": "Levels by catalog",
        "levels_note": "Number of facilities at each level (n/a: the catalog does not apply).",
        "group": "Group",
        "all": "All facilities",
        "na": "n/a",
        "level": "Level",
        "level_n": "Level {n}",
        "facilities": "Facilities",
        "scores_section": "Scores",
        "overall": "Overall",
        "mean": "Mean",
        "median": "Median",
        "sd": "SD",
        "scores_note": "Mean scores (0-100) over the facilities the catalog applies to.",
        "domains_section": "Scores by domain",
        "catalog": "Catalog",
        "domain": "Domain",
        "scored": "Scored",
        "deadlines_section": "Deadline status",
        "plans_toward": "Plans toward {target}; at risk: less than {margin} days of slack.",
        "plans_toward_unknown": "Plans toward the plans' target; at risk: less than {margin} "
        "days of slack.",
        "done": "Done",
        "on_track": "On track",
        "at_risk": "At risk",
        "late": "Late",
        "no_deadline": "No deadline",
        "deadline": "Deadline",
        "dates": "Dates",
        "target": "Target",
        "by_deadline_note": "Per deadline: done means the deadline applies and no step under "
        "it is left toward the plan target.",
        "late_facilities": "Facilities late for the target",
        "at_risk_facilities": "Facilities at risk for the target",
        "blockers_section": "Most common blockers",
        "blockers_note": "How many facilities each criterion keeps from their next level.",
        "criterion": "Criterion",
        "title": "Title",
        "blocked": "Facilities blocked",
        "change_section": "Change since the previous round",
        "matched": "{n} facilities were assessed in both rounds.",
        "up": "Up",
        "same": "Same",
        "down": "Down",
        "overall_change": "Overall score change: mean {mean}, from {low} to {high}.",
        "movers": "Facilities that changed level",
        "before": "Before",
        "after": "After",
        "facility": "Facility",
        "roadmap_section": "Roadmap toward {target}",
        "planned_status": "Planned",
        "done_status": "Already reached",
        "unreachable_status": "Unreachable",
        "not_applicable_status": "Not applicable",
        "roadmap_totals": "{steps} steps in {plans} plans, {effort} effort-days, estimated "
        "cost {cost}.",
        "roadmap_assumed": "{assumed} steps use an assumed effort and {uncosted} steps have no "
        "cost estimate.",
        "period": "Period",
        "quarter": "quarter",
        "year": "year",
        "steps_finishing": "Steps finishing",
        "facilities_reaching": "Facilities reaching the target",
        "reached_so_far": "Reached so far",
        "deadlines_marked": "Deadlines",
        "first_steps": "Most common first steps",
        "first_steps_note": "Steps that need no other step (wave 1), counted over facilities "
        "with a plan.",
        "share": "Share",
        "effort": "Effort (days)",
        "cost_estimate": "Cost (estimate)",
        "facilities_section": "Facilities",
        "shown_first": "First {shown} of {total} assessments, by facility ID.",
        "id": "ID",
        "name": "Name",
        "kind": "Kind",
        "ownership": "Ownership",
        "beds": "Beds",
        "region": "Region",
        "has_beds": "Beds",
        "bed_band": "Bed band",
        "assessed_on": "Assessed on",
        "verdict": "Target verdict",
        "about_section": "About this report",
        "data_label": "Data: {label}",
        "estimates_note": "Costs and durations are estimates from the catalogs (or given "
        "overrides), not quotes; amounts spent are as given.",
        "catalog_versions": "Catalogs (data versions)",
        "disclaimer": "Disclaimer",
        "policy_strict": "Scoring policy: strict (a criterion earns credit only when its "
        "prerequisites are met).",
        "policy_lenient": "Scoring policy: lenient (claims earn credit even when a prerequisite "
        "is not met; they are still reported).",
        "generator": "Generated by {generator}; schema {schema}.",
        "catalog_builtin": "Titles and versions are those of the built-in catalogs (the "
        "catalog was not given).",
        "none": "None.",
        "no_score": "no score",
        "chart_levels": "Share of facilities at each level, by group",
        "chart_domains": "Mean score by domain (0-100)",
        "chart_deadlines": "Deadline status of the plans (facilities)",
        "chart_roadmap": "Roadmap: steps finishing per {period} and facilities reaching the target",
        "chart_facility_domains": "Score by domain (0-100)",
        "chart_facility_levels": "Level reached in each catalog",
        "chart_gantt": "Plan: steps by wave",
        "pct_facilities": "% of facilities",
        "steps": "Steps",
        "facility_line": "{kind}, {ownership}, {beds} beds, {region}.",
        "assessed_single": "Assessed on {date}.",
        "overall_score": "Overall score",
        "criteria_met": "Criteria met",
        "criteria_met_value": "{met} of {applicable} applicable",
        "unsupported": "Unsupported claims",
        "unsupported_note": "Claimed met or partly done, but resting on a prerequisite that is "
        "not met.",
        "gaps": "Data gaps (unknown or not recorded)",
        "next_level": "Next level",
        "progress": "Progress",
        "score": "Score",
        "blockers": "Blockers",
        "blockers_of": "{catalog}: blockers of level {n} ({title})",
        "reason": "Reason",
        "detail": "Detail",
        "top_level": "top level reached",
        "not_applicable": "not applicable",
        "next_steps": "Next steps",
        "why": "Why",
        "due": "Due",
        "unblocks": "unblocks {n} of the {m} other remaining criteria",
        "needed_for_target": "needed for the target",
        "not_needed": "not needed for the target",
        "plan_section": "Plan toward {target}",
        "plan_line": "{steps} steps from {start} to {finish}, {effort} effort-days, estimated "
        "cost {cost}.",
        "plan_done": "The target is already reached.",
        "plan_unreachable": "The target cannot be reached: {note}.",
        "plan_not_applicable": "The target does not apply to this facility: {note}.",
        "plan_assumed": "{assumed} steps use an assumed effort and {uncosted} steps have no "
        "cost estimate.",
        "verdicts": "Deadlines",
        "slack": "Slack (days)",
        "start": "Start",
        "finish": "Finish",
        "wave": "Wave",
        "wave_n": "Wave {n}",
        "note": "Note",
        "critical_path": "Critical path",
        "peers_section": "Compared with peers",
        "peers_line": "{n} peer assessments; their mean overall score is {mean}.",
        "peers_rank": "This facility scores above {share} of them.",
        "peer_steps_section": "What similar facilities further along did",
        "peer_steps_note": (
            "Offered beside the rule-based next steps, never instead of them: "
            "a criterion of this facility's frontier and how many of its most similar "
            "facilities further along already meet it."
        ),
        "support": "Support",
        "peer_mean": "Peer mean",
        "this_facility": "This facility",
        "target_row": "Target ({target})",
        "yes": "yes",
        "no": "no",
        "level_target": "level {n} of {catalog} ({title})",
        "milestone_target": "milestone “{title}”",
        "criteria_target": "{n} criteria",
        "reason_needed": "needed",
        "reason_in_progress": "in progress ({share} done)",
        "reason_expired": "validation expired",
        "reason_coverage": "coverage below the minimum",
        "reason_claimed": "claimed, but rests on {keys}: re-check after it",
        "blocker_not_met": "not met",
        "blocker_partial": "partly done",
        "blocker_unknown": "no data",
        "blocker_unsupported": "a prerequisite is not met",
        "blocker_expired": "validation expired",
        "blocker_below_coverage": "coverage below the minimum",
        "detail_partial": "{share} done",
        "detail_expired": "expired on {date}",
        "detail_coverage": "coverage {got} is below the minimum {minimum}",
        "detail_no_coverage": "coverage not reported (minimum {minimum})",
        "detail_claimed": "claimed met, but rests on {keys}",
        "detail_claimed_partial": "partly done, but rests on {keys}",
        "target_due": "Target due date",
        "timeline_note": "Periods in which no step finishes are left out of the table.",
    },
    "vi": {
        "province_title": "Báo cáo mức độ sẵn sàng cấp tỉnh",
        "facility_title": "Báo cáo mức độ sẵn sàng của cơ sở: {name}",
        "synthetic_banner": "DỮ LIỆU GIẢ LẬP: một phần hoặc toàn bộ số liệu này mô tả cơ sở "
        "được tạo tự động, không phải cơ sở thật.",
        "contents": "Mục lục",
        "assessed_line": "{rows} lượt đánh giá của {facilities} cơ sở, đánh giá từ {first} "
        "đến {last}.",
        "assessed_none": "Chưa có lượt đánh giá nào.",
        "charts_in_html": "Biểu đồ nằm trong báo cáo HTML; các bảng chứa cùng số liệu.",
        "charts_missing": "Không có biểu đồ: chưa cài matplotlib "
        "(pip install 'readiness[plot]'). Các bảng chứa cùng số liệu.",
        "charts_off": "Đã bỏ biểu đồ theo yêu cầu. Các bảng chứa cùng số liệu.",
        "key_figures": "Số liệu chính",
        "facilities_assessed": "Số cơ sở được đánh giá",
        "assessments": "Số lượt đánh giá",
        "mean_overall": "Điểm tổng trung bình",
        "mean_median": "{mean} (trung vị {median}, từ {low} đến {high})",
        "meeting_target": "Đạt mục tiêu ({target})",
        "a_of_b": "{a}/{b} ({share})",
        "obligation": "Chỉ tiêu bắt buộc",
        "obligation_line": "{name}: {counted} cơ sở đạt trên {obliged} cơ sở bắt buộc = {rate}",
        "obligation_detail": "{done} cơ sở thuộc diện bắt buộc đã đạt, {extra} cơ sở đạt dù "
        "không thuộc diện bắt buộc.",
        "obligation_rule": "Cách tính: {rule}.",
        "rule_with_unobliged": "(cơ sở bắt buộc đã đạt + cơ sở đạt dù không bắt buộc) / số cơ "
        "sở bắt buộc",
        "rule_obliged_only": "cơ sở bắt buộc đã đạt / số cơ sở bắt buộc",
        "obligation_target": "Mục tiêu: {target}; thời hạn: {deadline}.",
        "missing_obliged": "Cơ sở thuộc diện bắt buộc chưa đạt",
        "unobliged_done": "Cơ sở đạt dù không thuộc diện bắt buộc",
        "and_more": "và {n} cơ sở khác",
        "spent": "Đã chi",
        "planned": "Dự kiến còn cần (ước tính)",
        "levels_section": "Mức đạt theo bộ tiêu chí",
        "levels_note": "Số cơ sở ở từng mức (không áp dụng: bộ tiêu chí không áp dụng cho cơ sở).",
        "group": "Nhóm",
        "all": "Tất cả cơ sở",
        "na": "không áp dụng",
        "level": "Mức",
        "level_n": "Mức {n}",
        "facilities": "Số cơ sở",
        "scores_section": "Điểm",
        "overall": "Tổng",
        "mean": "Trung bình",
        "median": "Trung vị",
        "sd": "Độ lệch chuẩn",
        "scores_note": "Điểm trung bình (0-100) trên các cơ sở mà bộ tiêu chí áp dụng.",
        "domains_section": "Điểm theo lĩnh vực",
        "catalog": "Bộ tiêu chí",
        "domain": "Lĩnh vực",
        "scored": "Số cơ sở có điểm",
        "deadlines_section": "Tình trạng thời hạn",
        "plans_toward": "Kế hoạch hướng tới {target}; có nguy cơ trễ: dự phòng dưới {margin} ngày.",
        "plans_toward_unknown": "Kế hoạch hướng tới mục tiêu của các kế hoạch; có nguy cơ trễ: "
        "dự phòng dưới {margin} ngày.",
        "done": "Đã đạt",
        "on_track": "Đúng tiến độ",
        "at_risk": "Có nguy cơ trễ",
        "late": "Trễ hạn",
        "no_deadline": "Không có thời hạn",
        "deadline": "Thời hạn",
        "dates": "Ngày đến hạn",
        "target": "Mục tiêu",
        "by_deadline_note": "Theo từng thời hạn: đã đạt nghĩa là thời hạn áp dụng cho cơ sở và "
        "không còn bước nào thuộc thời hạn đó trong kế hoạch.",
        "late_facilities": "Cơ sở trễ hạn mục tiêu",
        "at_risk_facilities": "Cơ sở có nguy cơ trễ hạn mục tiêu",
        "blockers_section": "Tiêu chí vướng mắc phổ biến nhất",
        "blockers_note": "Số cơ sở mà mỗi tiêu chí đang cản trở lên mức tiếp theo.",
        "criterion": "Tiêu chí",
        "title": "Tên",
        "blocked": "Số cơ sở bị cản trở",
        "change_section": "Thay đổi so với đợt đánh giá trước",
        "matched": "{n} cơ sở được đánh giá ở cả hai đợt.",
        "up": "Tăng",
        "same": "Giữ nguyên",
        "down": "Giảm",
        "overall_change": "Thay đổi điểm tổng: trung bình {mean}, từ {low} đến {high}.",
        "movers": "Cơ sở thay đổi mức",
        "before": "Trước",
        "after": "Sau",
        "facility": "Cơ sở",
        "roadmap_section": "Lộ trình hướng tới {target}",
        "planned_status": "Có kế hoạch",
        "done_status": "Đã đạt",
        "unreachable_status": "Không thể đạt",
        "not_applicable_status": "Không áp dụng",
        "roadmap_totals": "{steps} bước trong {plans} kế hoạch, {effort} ngày công, chi phí ước "
        "tính {cost}.",
        "roadmap_assumed": "{assumed} bước dùng công sức giả định và {uncosted} bước chưa có "
        "ước tính chi phí.",
        "period": "Giai đoạn",
        "quarter": "quý",
        "year": "năm",
        "steps_finishing": "Số bước hoàn thành",
        "facilities_reaching": "Số cơ sở đạt mục tiêu",
        "reached_so_far": "Tỷ lệ đạt lũy kế",
        "deadlines_marked": "Các thời hạn",
        "first_steps": "Các bước đầu tiên phổ biến nhất",
        "first_steps_note": "Các bước không phụ thuộc bước nào khác (đợt 1), đếm trên các cơ sở "
        "có kế hoạch.",
        "share": "Tỷ lệ",
        "effort": "Công sức (ngày công)",
        "cost_estimate": "Chi phí (ước tính)",
        "facilities_section": "Danh sách cơ sở",
        "shown_first": "{shown} lượt đánh giá đầu tiên trên tổng số {total}, theo mã cơ sở.",
        "id": "Mã",
        "name": "Tên",
        "kind": "Loại hình",
        "ownership": "Hình thức sở hữu",
        "beds": "Số giường",
        "region": "Địa bàn",
        "has_beds": "Giường bệnh",
        "bed_band": "Quy mô giường",
        "assessed_on": "Ngày đánh giá",
        "verdict": "Tiến độ mục tiêu",
        "about_section": "Về báo cáo này",
        "data_label": "Dữ liệu: {label}",
        "estimates_note": "Chi phí và thời gian là ước tính từ bộ tiêu chí (hoặc giá trị được "
        "cung cấp), không phải báo giá; số đã chi lấy theo dữ liệu đầu vào.",
        "catalog_versions": "Bộ tiêu chí (phiên bản dữ liệu)",
        "disclaimer": "Lưu ý",
        "policy_strict": "Quy tắc chấm điểm: chặt (tiêu chí chỉ được tính khi các điều kiện "
        "tiên quyết đã đạt).",
        "policy_lenient": "Quy tắc chấm điểm: nới lỏng (tiêu chí khai đạt vẫn được tính dù "
        "điều kiện tiên quyết chưa đạt; vẫn được báo cáo).",
        "generator": "Tạo bởi {generator}; lược đồ {schema}.",
        "catalog_builtin": "Tên và phiên bản lấy từ các bộ tiêu chí có sẵn (không truyền catalog).",
        "none": "Không có.",
        "no_score": "không có điểm",
        "chart_levels": "Tỷ lệ cơ sở ở từng mức, theo nhóm",
        "chart_domains": "Điểm trung bình theo lĩnh vực (0-100)",
        "chart_deadlines": "Tình trạng thời hạn của các kế hoạch (số cơ sở)",
        "chart_roadmap": "Lộ trình: số bước hoàn thành theo {period} và số cơ sở đạt mục tiêu",
        "chart_facility_domains": "Điểm theo lĩnh vực (0-100)",
        "chart_facility_levels": "Mức đạt trong từng bộ tiêu chí",
        "chart_gantt": "Kế hoạch: các bước theo đợt",
        "pct_facilities": "% số cơ sở",
        "steps": "Số bước",
        "facility_line": "{kind}, {ownership}, {beds} giường bệnh, {region}.",
        "assessed_single": "Đánh giá ngày {date}.",
        "overall_score": "Điểm tổng",
        "criteria_met": "Tiêu chí đạt",
        "criteria_met_value": "{met}/{applicable} tiêu chí áp dụng",
        "unsupported": "Khai đạt nhưng thiếu điều kiện tiên quyết",
        "unsupported_note": "Được khai là đạt hoặc đạt một phần, nhưng dựa trên một điều kiện "
        "tiên quyết chưa đạt.",
        "gaps": "Thiếu dữ liệu (chưa rõ hoặc chưa ghi nhận)",
        "next_level": "Mức tiếp theo",
        "progress": "Tiến độ",
        "score": "Điểm",
        "blockers": "Tiêu chí còn vướng",
        "blockers_of": "{catalog}: tiêu chí còn vướng để đạt mức {n} ({title})",
        "reason": "Lý do",
        "detail": "Chi tiết",
        "top_level": "đã đạt mức cao nhất",
        "not_applicable": "không áp dụng",
        "next_steps": "Các bước tiếp theo",
        "why": "Lý do",
        "due": "Hạn",
        "unblocks": "mở đường cho {n} trong {m} tiêu chí còn lại",
        "needed_for_target": "cần cho mục tiêu",
        "not_needed": "không cần cho mục tiêu",
        "plan_section": "Kế hoạch hướng tới {target}",
        "plan_line": "{steps} bước từ {start} đến {finish}, {effort} ngày công, chi phí ước "
        "tính {cost}.",
        "plan_done": "Cơ sở đã đạt mục tiêu.",
        "plan_unreachable": "Không thể đạt mục tiêu: {note}.",
        "plan_not_applicable": "Mục tiêu không áp dụng cho cơ sở: {note}.",
        "plan_assumed": "{assumed} bước dùng công sức giả định và {uncosted} bước chưa có ước "
        "tính chi phí.",
        "verdicts": "Các thời hạn",
        "slack": "Dự phòng (ngày)",
        "start": "Bắt đầu",
        "finish": "Hoàn thành",
        "wave": "Đợt",
        "wave_n": "Đợt {n}",
        "note": "Ghi chú",
        "critical_path": "Đường găng",
        "peers_section": "So sánh với các cơ sở cùng nhóm",
        "peers_line": "{n} lượt đánh giá cùng nhóm; điểm tổng trung bình của họ là {mean}.",
        "peers_rank": "Cơ sở này có điểm cao hơn {share} trong số đó.",
        "peer_steps_section": "Các cơ sở tương tự, tiến xa hơn đã làm gì",
        "peer_steps_note": (
            "Đưa ra bên cạnh các bước tiếp theo theo quy tắc, không thay thế chúng: "
            "một tiêu chí trong các bước có thể làm ngay của cơ sở này và số cơ sở tương tự "
            "nhất, đã tiến xa hơn, đã đáp ứng tiêu chí đó."
        ),
        "support": "Mức ủng hộ",
        "peer_mean": "Trung bình nhóm",
        "this_facility": "Cơ sở này",
        "target_row": "Mục tiêu ({target})",
        "yes": "có",
        "no": "không",
        "level_target": "mức {n} của {catalog} ({title})",
        "milestone_target": "cột mốc “{title}”",
        "criteria_target": "{n} tiêu chí",
        "reason_needed": "cần thực hiện",
        "reason_in_progress": "đang thực hiện (đã xong {share})",
        "reason_expired": "hết hạn xác nhận",
        "reason_coverage": "độ bao phủ dưới mức tối thiểu",
        "reason_claimed": "đã khai đạt nhưng dựa trên {keys}: kiểm tra lại sau khi hoàn thành",
        "blocker_not_met": "chưa đạt",
        "blocker_partial": "đạt một phần",
        "blocker_unknown": "chưa có dữ liệu",
        "blocker_unsupported": "điều kiện tiên quyết chưa đạt",
        "blocker_expired": "hết hạn xác nhận",
        "blocker_below_coverage": "độ bao phủ dưới mức tối thiểu",
        "detail_partial": "đã xong {share}",
        "detail_expired": "hết hạn ngày {date}",
        "detail_coverage": "độ bao phủ {got} dưới mức tối thiểu {minimum}",
        "detail_no_coverage": "chưa báo cáo độ bao phủ (tối thiểu {minimum})",
        "detail_claimed": "đã khai đạt nhưng dựa trên {keys} (chưa đạt)",
        "detail_claimed_partial": "đạt một phần nhưng dựa trên {keys} (chưa đạt)",
        "target_due": "Hạn của mục tiêu",
        "timeline_note": "Bảng bỏ qua các giai đoạn không có bước nào hoàn thành.",
    },
}

#: Labels of facility attribute values (kind, ownership, has_beds, bed_band).
VALUE_LABELS: Mapping[str, Mapping[object, Text]] = {
    "kind": {
        "hospital": Text("Hospital", "Bệnh viện"),
        "medical_centre": Text("Medical centre", "Trung tâm y tế"),
        "disease_control_centre": Text("Disease-control centre", "Trung tâm kiểm soát bệnh tật"),
        "clinic": Text("Clinic", "Phòng khám"),
        "commune_station": Text("Commune health station", "Trạm y tế xã"),
        "other": Text("Other", "Khác"),
    },
    "ownership": {
        "public": Text("Public", "Công lập"),
        "private": Text("Private", "Tư nhân"),
    },
    "has_beds": {
        True: Text("With beds", "Có giường bệnh"),
        False: Text("Without beds", "Không có giường bệnh"),
    },
    "bed_band": {
        "no beds": Text("No beds", "Không có giường"),
        "1-49 beds": Text("1-49 beds", "1-49 giường"),
        "50-149 beds": Text("50-149 beds", "50-149 giường"),
        "150-499 beds": Text("150-499 beds", "150-499 giường"),
        "500+ beds": Text("500+ beds", "Từ 500 giường"),
    },
}


def _lang(value: object) -> Lang:
    if value == "en":
        return "en"
    if value == "vi":
        return "vi"
    raise OptionError("lang must be 'en' or 'vi'", key="lang", value=value)


@attrs.frozen
class _Fmt:
    """Labels, numbers and dates in one language."""

    lang: Lang

    def t(self, key: str, **values: object) -> str:
        """Return the label ``key``, formatted with ``values``."""
        text = LABELS[self.lang][key]
        return text.format(**values) if values else text

    def text(self, value: Text | Mapping[str, str] | str | None) -> str:
        """Pick the language of a bilingual text."""
        if value is None:
            return ""
        if isinstance(value, Text):
            return value.get(self.lang)
        if isinstance(value, Mapping):
            return str(value.get(self.lang) or value.get("en") or "")
        return value

    def num(self, value: float | None, decimals: int = 0) -> str:
        """Format a number with thousands separators (``1,234.5`` or ``1.234,5``)."""
        if value is None:
            return _DASH
        text = f"{value:,.{decimals}f}"
        if text in {"-0", "-0.0", "-0.00"}:
            text = text[1:]
        if self.lang == "vi":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def pct(self, share: float | None, decimals: int = 1) -> str:
        """Format a share (1.037 -> ``103.7%``)."""
        return _DASH if share is None else f"{self.num(100 * share, decimals)}%"

    def score(self, value: float | None) -> str:
        """Format a 0-100 score."""
        return self.t("no_score") if value is None else self.num(value, 1)

    def money(self, vnd: float | None) -> str:
        """Format an amount of VND (``292.6 bn VND`` or ``292,6 tỷ đồng``)."""
        if vnd is None:
            return _DASH
        en = self.lang == "en"
        if abs(vnd) >= 1e9:
            return f"{self.num(vnd / 1e9, 1)} {'bn VND' if en else 'tỷ đồng'}"
        if abs(vnd) >= 1e6:
            return f"{self.num(vnd / 1e6, 1)} {'million VND' if en else 'triệu đồng'}"
        return f"{self.num(vnd)} {'VND' if en else 'đồng'}"

    def date(self, iso: str | None) -> str:
        """Format an ISO date (``30 Sep 2025`` or ``30/09/2025``)."""
        if not iso:
            return _DASH
        day = dt.date.fromisoformat(iso)
        if self.lang == "vi":
            return f"{day.day:02d}/{day.month:02d}/{day.year}"
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"

    def value(self, attribute: str, value: object) -> str:
        """Label an attribute value (``kind: hospital`` -> ``Bệnh viện``)."""
        labels = VALUE_LABELS.get(attribute, {})
        if value in labels:
            return labels[value].get(self.lang)
        if value is None:
            return _DASH
        if isinstance(value, bool):
            return self.t("yes" if value else "no")
        return str(value)

    def cell(self, value: Cell) -> str:
        """Format a cell of an extra section."""
        if value is None:
            return _DASH
        if isinstance(value, bool):
            return self.t("yes" if value else "no")
        if isinstance(value, int):
            return self.num(value)
        if isinstance(value, float):
            if value.is_integer():
                return self.num(value)
            return self.num(value, 2).rstrip("0").rstrip(",.") or "0"
        return value


# --------------------------------------------------------------------------- extra sections

_SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _bilingual(value: Any) -> Any:
    """Turn ``{"en": ..., "vi": ...}`` into a Text; leave anything else to the validator."""
    bilingual = isinstance(value, Mapping) and set(value) == {"en", "vi"}
    if bilingual and all(isinstance(v, str) for v in value.values()):
        return Text(value["en"], value["vi"])
    return value


def _texts(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str | Text | Mapping):
        return (_bilingual(value),)
    return tuple(_bilingual(v) for v in value)


def _rows(value: Any) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(row) for row in value)


@attrs.frozen(kw_only=True)
class Section:
    """An extra, example-specific section of a province report: a title, text and a table.

    Parameters
    ----------
    title : str, Text or mapping
        Heading. A bilingual text (a :class:`~readiness._catalog.Text`, or a mapping
        ``{"en": ..., "vi": ...}``) is shown in the report's language; so are ``text``, the
        column headers and ``note``.
    text : str, Text or mapping
        A paragraph under the heading (optional).
    columns : sequence of str, Text or mapping
        Column headers of the table (optional; no table without columns).
    rows : sequence of sequences of str, int, float, bool or None
        One value per column; numbers are formatted in the report's language (pass strings for
        full control).
    note : str, Text or mapping
        A note under the table (e.g. where the figures come from).

    Examples
    --------
    >>> from readiness.report import Section
    >>> Section(
    ...     title="Facilities without beds", columns=["Facility", "Steps left"], rows=[["CDC", 4]]
    ... ).rows
    (('CDC', 4),)
    >>> Section(title={"en": "Left to do", "vi": "Việc còn lại"}).title.vi
    'Việc còn lại'
    """

    title: Text | str = attrs.field(converter=_bilingual)
    text: Text | str = attrs.field(default="", converter=_bilingual)
    columns: tuple[Text | str, ...] = attrs.field(default=(), converter=_texts)
    rows: tuple[tuple[Cell, ...], ...] = attrs.field(default=(), converter=_rows)
    note: Text | str = attrs.field(default="", converter=_bilingual)

    def __attrs_post_init__(self) -> None:
        """Check the table's shape and cell types."""
        for field in ("title", "text", "note"):
            value = getattr(self, field)
            if not isinstance(value, str | Text):
                raise OptionError(
                    f"section {field} must be a string, a Text or {{'en': ..., 'vi': ...}}",
                    key=field,
                    value=value,
                )
        for column in self.columns:
            if not isinstance(column, str | Text):
                raise OptionError(
                    "section columns are strings, Texts or {'en': ..., 'vi': ...}",
                    key="columns",
                    value=column,
                )
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise OptionError(
                    f"section row {number} has {len(row)} cells for {len(self.columns)} columns",
                    key="rows",
                    value=row,
                )
            for cell in row:
                ok = cell is None or isinstance(cell, str | int | float | bool)
                if not ok or (isinstance(cell, float) and not math.isfinite(cell)):
                    raise OptionError(
                        "section cells are strings, finite numbers, booleans or None",
                        key="rows",
                        value=cell,
                    )

    def to_data(self, section_id: str, fmt: _Fmt) -> dict[str, Any]:
        """Return the JSON-ready form in one language."""
        return {
            "id": section_id,
            "title": fmt.text(self.title),
            "text": fmt.text(self.text),
            "columns": [fmt.text(c) for c in self.columns],
            "rows": [list(row) for row in self.rows],
            "note": fmt.text(self.note),
        }


def _extra(extra: Mapping[str, Section | Mapping[str, Any]] | None, fmt: _Fmt) -> list[Any]:
    if extra is None:
        return []
    if not isinstance(extra, Mapping):
        raise OptionError("extra maps section ids to sections", key="extra", value=extra)
    out = []
    for section_id, given in extra.items():
        section = given
        if not isinstance(section_id, str) or not _SECTION_ID.match(section_id):
            raise OptionError(
                "extra section ids are lower-case letters, digits, '-' and '_'",
                key="extra",
                value=section_id,
            )
        if isinstance(given, Mapping):
            unknown = sorted(set(given) - {"title", "text", "columns", "rows", "note"})
            if unknown:
                raise OptionError(
                    "a section takes title, text, columns, rows and note",
                    key=section_id,
                    value=unknown,
                )
            section = Section(**given)
        if not isinstance(section, Section):
            raise OptionError(
                "an extra section is a Section or a mapping", key=section_id, value=section
            )
        out.append(section.to_data(section_id, fmt))
    return out


# --------------------------------------------------------------------------- the report


def _canonical(data: Mapping[str, Any]) -> str:
    if not isinstance(data, Mapping):
        raise OptionError("report data must be a mapping", key="data", value=type(data).__name__)
    if data.get("schema") != SCHEMA:
        raise OptionError(
            f"report data must have schema {SCHEMA!r}", key="schema", value=data.get("schema")
        )
    if data.get("kind") not in ("province", "facility"):
        raise OptionError(
            "report kind must be 'province' or 'facility'", key="kind", value=data.get("kind")
        )
    _lang(data.get("lang"))
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise OptionError(f"report data must be plain JSON data: {error}", key="data") from None


@attrs.frozen
class Report:
    """A province or facility report: JSON-ready data and its renderings.

    Build one with :func:`province_report` or :func:`facility_report`, or read one back with
    :meth:`from_json`. Reports are immutable and compare by content.

    Parameters
    ----------
    data : Mapping
        A report record (schema :data:`SCHEMA`, see ``docs/reports.md``).
    """

    _text: str = attrs.field(alias="data", converter=_canonical, repr=False)

    @property
    def data(self) -> dict[str, Any]:
        """The report as plain data (a fresh copy: changing it does not change the report)."""
        value: dict[str, Any] = json.loads(self._text)
        return value

    @property
    def kind(self) -> str:
        """``"province"`` or ``"facility"``."""
        return str(self.data["kind"])

    @property
    def lang(self) -> Lang:
        """The language of the labels."""
        return _lang(self.data["lang"])

    def __repr__(self) -> str:
        """Show the kind, language and title."""
        data = self.data
        return f"<Report {data['kind']} {data['lang']}: {data['title']!r}>"

    @classmethod
    def from_json(cls, text: str) -> Report:
        """Read a report back from :meth:`to_json` output."""
        return cls(json.loads(text))

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the data as JSON text (UTF-8, keys in a fixed order, ends with a newline)."""
        return json.dumps(self.data, ensure_ascii=False, indent=indent) + "\n"

    def to_markdown(self) -> str:
        """Return the report as Markdown (tables; charts are only in the HTML)."""
        data = self.data
        fmt = _Fmt(_lang(data["lang"]))
        return _markdown(_blocks(data, fmt), fmt)

    def to_html(self, *, charts: bool | None = None) -> str:
        """Return the report as one self-contained HTML page.

        Parameters
        ----------
        charts : bool, optional
            ``None`` (default): include charts when matplotlib is installed, else say they were
            left out. ``True``: require them (raise when matplotlib is missing). ``False``: leave
            them out.

        Raises
        ------
        readiness.errors.MissingDependencyError
            ``charts=True`` and matplotlib is not installed.
        """
        data = self.data
        fmt = _Fmt(_lang(data["lang"]))
        svgs: Mapping[str, str] = {}
        note = None
        if charts is False:
            note = fmt.t("charts_off")
        else:
            try:
                svgs = _charts(data, fmt)
            except MissingDependencyError:
                if charts:
                    raise
                note = fmt.t("charts_missing")
        return _html(data, _blocks(data, fmt), fmt, svgs, note)

    def charts(self) -> dict[str, str]:
        """Return every chart as SVG text, by name (e.g. ``levels``, ``domains``, ``gantt``).

        Raises
        ------
        readiness.errors.MissingDependencyError
            matplotlib is not installed (``pip install 'readiness[plot]'``).
        """
        data = self.data
        return dict(_charts(data, _Fmt(_lang(data["lang"]))))

    def write(
        self, folder: str | Path, stem: str, *, charts: bool | None = None
    ) -> dict[str, Path]:
        """Write ``stem.json``, ``stem.md`` and ``stem.html`` into ``folder`` (created if needed).

        Returns
        -------
        dict
            The paths written, by format (``json``, ``md``, ``html``).
        """
        if (
            not isinstance(stem, str)
            or not stem
            or Path(stem).name != stem
            or stem in {".", ".."}
            or any(ord(ch) < 32 for ch in stem)
        ):
            raise OptionError("stem is a file name without a folder", key="stem", value=stem)
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "json": out / f"{stem}.json",
            "md": out / f"{stem}.md",
            "html": out / f"{stem}.html",
        }
        texts = {
            "json": self.to_json(),
            "md": self.to_markdown(),
            "html": self.to_html(charts=charts),
        }
        for name, path in paths.items():
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(texts[name])
        return paths


# --------------------------------------------------------------------------- shared data pieces


def _iso(days: int) -> str:
    return str(_EPOCH + np.timedelta64(int(days), "D"))


def _stats(stats: Stats) -> dict[str, Any]:
    return attrs.asdict(stats)


def _catalogs(catalog: Catalog, fmt: _Fmt) -> list[dict[str, Any]]:
    out = []
    for catalog_id in compile_catalog(catalog).frameworks:
        framework = catalog.frameworks[catalog_id]
        out.append(
            {
                "id": catalog_id,
                "title": fmt.text(framework.title),
                "version": framework.version,
                "disclaimer": framework.disclaimer,
                "levels": [
                    {"number": level.number, "title": fmt.text(level.title)}
                    for level in framework.levels
                ],
            }
        )
    return out


def _target_text(target: Target, catalog: Catalog, fmt: _Fmt) -> str:
    if target.catalog is not None and target.level is not None:
        title = target.catalog
        level_title = ""
        if target.catalog in catalog.frameworks:
            framework = catalog.frameworks[target.catalog]
            title = fmt.text(framework.title)
            if 1 <= target.level <= len(framework.levels):
                level_title = fmt.text(framework.levels[target.level - 1].title)
        return fmt.t("level_target", n=target.level, catalog=title, title=level_title)
    if target.milestone is not None:
        try:
            milestone = catalog.milestone(target.milestone)
        except LookupError:
            return fmt.t("milestone_target", title=target.milestone)
        return fmt.t("milestone_target", title=fmt.text(milestone.title))
    return fmt.t("criteria_target", n=len(target.criteria))


def _translate_target(text: str | None, catalog: Catalog, fmt: _Fmt) -> str | None:
    """Say a target described in English by :meth:`Target.describe` in the report's language."""
    if text is None:
        return None
    candidates = [Target(milestone=key) for key in catalog.milestones]
    for catalog_id, framework in catalog.frameworks.items():
        candidates += [
            Target(catalog=catalog_id, level=n) for n in range(1, len(framework.levels) + 1)
        ]
    for target in candidates:
        if target.describe(catalog) == text:
            return _target_text(target, catalog, fmt)
    return text


def _provenance(
    label: str | None, synthetic: bool, policy: str, fmt: _Fmt, *, builtin: bool = False
) -> dict[str, Any]:
    return {
        "label": label,
        "synthetic": synthetic,
        "policy": policy,
        "estimates_note": fmt.t("estimates_note"),
        "catalogs_builtin": builtin,
    }


def _is_synthetic(label: str | None) -> bool:
    return label is not None and "SYNTHETIC" in label.upper()


def _generator() -> str:
    from readiness import __version__  # noqa: PLC0415 - the package imports this module lazily

    return f"readiness {__version__}"


def _group_label(key: Mapping[str, Any], fmt: _Fmt) -> str:
    return " / ".join(fmt.value(name, value) for name, value in key.items()) or fmt.t("all")


def _group(group: Group, fmt: _Fmt) -> dict[str, Any]:
    return {
        "key": dict(group.key),
        "label": _group_label(group.key, fmt),
        "rows": group.rows,
        "unscored": group.unscored,
        "overall": _stats(group.overall),
        "by_catalog": {k: _stats(v) for k, v in group.by_catalog.items()},
        "levels": {
            k: {("na" if n is None else str(n)): c for n, c in v.items()}
            for k, v in group.levels.items()
        },
        "meeting_target": group.meeting_target,
        "spent_vnd": group.spent_vnd,
        "planned_vnd": group.planned_vnd,
        "verdicts": None
        if group.verdicts is None
        else {_verdict_key(k): v for k, v in group.verdicts.items()},
    }


def _verdict_key(name: str) -> str:
    return "no_deadline" if name in ("no deadline", "no_deadline") else name


def _mean_median(values: npt.NDArray[Any]) -> tuple[int, float | None, float | None]:
    present = values[~np.isnan(values)].astype(np.float64)
    if not len(present):
        return 0, None, None
    return len(present), round(float(present.mean()), 4), round(float(np.median(present)), 4)


# --------------------------------------------------------------------------- province report


def province_report(
    table: ScoreTable,
    summary: Summary,
    *,
    plans: PlanTable | None = None,
    roadmap: PlanTable | None = None,
    title: str | None = None,
    lang: str = "en",
    extra: Mapping[str, Section | Mapping[str, Any]] | None = None,
    max_facilities: int | None = MAX_FACILITIES,
) -> Report:
    """Build the report of a province (or any set of facilities).

    Parameters
    ----------
    table : ScoreTable
        The scored assessments (:func:`readiness.score_many`).
    summary : Summary
        Its roll-up (:func:`readiness.summarize` of ``table``): groups, target, obligation,
        blockers, change between rounds, spending.
    plans : PlanTable, optional
        Plans of the same rows (same order), e.g. toward the obligation's target: deadline
        status per facility and per catalog deadline, and the late facilities.
    roadmap : PlanTable, optional
        Plans toward a long-term target (e.g. ``vn-smart-hospital@3``), any rows: shown as a
        timeline of steps finishing per quarter (or year) with the deadlines as markers, and the
        most common first steps.
    title : str, optional
        Default: "Province readiness report" in the report's language.
    lang : {"en", "vi"}
        Language of labels and titles.
    extra : mapping of str to Section (or mapping), optional
        Example-specific sections, by id (see :class:`Section`), shown after the facility list
        in the given order.
    max_facilities : int or None
        Facility rows listed (the first ones by facility id); ``None`` lists all.

    Returns
    -------
    Report

    Examples
    --------
    >>> import readiness as r
    >>> from readiness import synthetic
    >>> from readiness.report import province_report
    >>> catalog = r.load_catalog("vn-emr")
    >>> table = r.score_many(catalog, synthetic.status_matrix(catalog, 20, seed=1))
    >>> report = province_report(table, r.summarize(table, by="kind"))
    >>> report.data["schema"], report.data["provenance"]["synthetic"]
    ('readiness.report/1', True)
    """
    fmt = _Fmt(_lang(lang))
    if not isinstance(table, ScoreTable):
        raise OptionError("table must be a ScoreTable", key="table", value=type(table).__name__)
    if not isinstance(summary, Summary):
        raise OptionError("summary must be a Summary", key="summary", value=type(summary).__name__)
    if summary.total.rows != len(table):
        raise OptionError(
            f"summary must summarize this table ({len(table)} rows)",
            key="summary",
            value=summary.total.rows,
        )
    ids = [table.facility(j).id for j in range(len(table))]
    if plans is not None:
        if not isinstance(plans, PlanTable):
            raise OptionError("plans must be a PlanTable", key="plans", value=type(plans).__name__)
        plan_ids = [plans.facilities[int(i)].id for i in plans.rows]
        if plan_ids != ids:
            raise OptionError(
                "plans must have one row per row of the table, in the same order",
                key="plans",
                value=len(plans),
            )
    if roadmap is not None and not isinstance(roadmap, PlanTable):
        raise OptionError(
            "roadmap must be a PlanTable", key="roadmap", value=type(roadmap).__name__
        )
    if max_facilities is not None and (
        not isinstance(max_facilities, int)
        or isinstance(max_facilities, bool)
        or max_facilities < 0
    ):
        raise OptionError(
            "max_facilities must be a whole number >= 0 or None",
            key="max_facilities",
            value=max_facilities,
        )
    if title is not None and not isinstance(title, str):
        raise OptionError("title must be a string", key="title", value=title)
    catalog = table.catalog
    verdicts = None if plans is None else _target_verdicts(plans)
    dates = table.dates.astype("datetime64[D]")
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "province",
        "lang": fmt.lang,
        "title": title or fmt.t("province_title"),
        "generator": _generator(),
        "provenance": _provenance(table.label, _is_synthetic(table.label), table.policy, fmt),
        "catalogs": _catalogs(catalog, fmt),
        "assessed": {
            "rows": len(table),
            "facilities": len(set(ids)),
            "first_date": str(dates.min()) if len(table) else None,
            "last_date": str(dates.max()) if len(table) else None,
        },
        "target": _translate_target(summary.target, catalog, fmt),
        "obligation": _obligation(summary, catalog, fmt),
        "groups": {
            "by": list(summary.by),
            "total": _group(summary.total, fmt),
            "rows": [_group(g, fmt) for g in summary.groups],
        },
        "domains": _domains(table, fmt),
        "deadlines": _deadlines(summary, plans, verdicts, ids, fmt),
        "blockers": [
            {
                "catalog": catalog_id,
                "criterion": key,
                "title": fmt.text(catalog.criteria[key].title),
                "rows": count,
            }
            for catalog_id, found in summary.blockers.items()
            for key, count in found
        ],
        "change": _change(summary),
        "roadmap": None if roadmap is None else _roadmap(roadmap, fmt),
        "facilities": _facility_rows(table, ids, verdicts, max_facilities),
        "extra": _extra(extra, fmt),
    }
    return Report(data)


def _obligation(summary: Summary, catalog: Catalog, fmt: _Fmt) -> dict[str, Any] | None:
    progress = summary.obligation
    if progress is None:
        return None
    obliged, done, extra = progress.obliged, progress.done, progress.done_unobliged
    # ObligationProgress keeps no flag for the convention; its rule says it (see _portfolio)
    with_unobliged = progress.count_unobliged
    counted = done + extra if with_unobliged else done
    return {
        "name": progress.name,
        "target": _translate_target(progress.target, catalog, fmt),
        "deadline": None if progress.deadline is None else progress.deadline.isoformat(),
        "obliged": obliged,
        "done": done,
        "done_unobliged": extra,
        "counted": counted,
        "rate": progress.rate,
        "rule": fmt.t("rule_with_unobliged" if with_unobliged else "rule_obliged_only"),
        "missing_total": len(progress.missing),
        "missing": list(progress.missing[:MAX_IDS]),
        "unobliged_done_total": len(progress.unobliged_done),
        "unobliged_done": list(progress.unobliged_done[:MAX_IDS]),
    }


def _domains(table: ScoreTable, fmt: _Fmt) -> list[dict[str, Any]]:
    compiled = table.compiled
    out = []
    for d, key in enumerate(compiled.domains):
        catalog_id, domain_id = key.split(":", 1)
        count, mean, median = _mean_median(table.domains[d])
        out.append(
            {
                "key": key,
                "catalog": catalog_id,
                "title": fmt.text(table.catalog.frameworks[catalog_id].domains[domain_id].title),
                "scored": count,
                "mean": mean,
                "median": median,
            }
        )
    return out


def _target_verdicts(
    plans: PlanTable, finish_day: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.str_]:
    """Verdict of each plan for its target's due date (as in ``PlanTable.to_records``)."""
    work = plans.required.any(axis=0)
    end = plans.start_day + (plans.finish_day if finish_day is None else finish_day)
    due = plans.target_due
    slack = due - end
    margin = plans.options.risk_margin_days
    verdict = np.where(slack < 0, "late", np.where(slack < margin, "at_risk", "on_track"))
    verdict = np.where(work, verdict, "done")
    return np.asarray(np.where(due >= _NEVER, "no_deadline", verdict))


def _deadline_of(catalog: Catalog, keys: tuple[str, ...]) -> npt.NDArray[np.intp]:
    """Index into ``keys`` of each criterion's deadline (kernel order), -1 when none."""
    names = [catalog.criteria[k].deadline for k in compile_catalog(catalog).keys]
    return np.array([-1 if name is None else keys.index(name) for name in names], dtype=np.intp)


def _counts(values: npt.NDArray[np.str_]) -> dict[str, int]:
    names, numbers = np.unique(values, return_counts=True)
    found = {str(n): int(c) for n, c in zip(names, numbers, strict=True)}
    return {name: found.get(name, 0) for name in _VERDICTS}


def _deadlines(
    summary: Summary,
    plans: PlanTable | None,
    verdicts: npt.NDArray[np.str_] | None,
    ids: Sequence[str],
    fmt: _Fmt,
) -> dict[str, Any] | None:
    if plans is None or verdicts is None:
        if summary.total.verdicts is None:
            return None
        counts = dict.fromkeys(_VERDICTS, 0)
        for name, count in summary.total.verdicts.items():
            counts[_verdict_key(name)] += count
        return {
            "target": None,
            "risk_margin_days": 30,
            "target_counts": counts,
            "by_deadline": [],
            "late_total": None,
            "late": [],
            "at_risk_total": None,
            "at_risk": [],
        }
    catalog = plans.catalog
    keys = tuple(catalog.deadlines)
    deadline_of = _deadline_of(catalog, keys)
    margin = plans.options.risk_margin_days
    rows: list[dict[str, Any]] = []
    for d, key in enumerate(keys):
        day = plans.deadline_day[d]
        applies = day < _NEVER
        if not applies.any():
            continue
        members = np.flatnonzero(deadline_of == d)
        covered = plans.required[members]
        work = covered.any(axis=0)
        if not work.any():  # none of its criteria is left toward the target anywhere
            continue
        last = np.where(covered, plans.finish[members], np.iinfo(np.int64).min).max(axis=0)
        last = last + plans.start_day
        slack = day - last
        verdict = np.where(slack < 0, "late", np.where(slack < margin, "at_risk", "on_track"))
        verdict = np.where(work, verdict, "done")[applies]
        distinct = np.unique(day[applies])
        rows.append(
            {
                "key": key,
                "title": fmt.text(catalog.deadlines[key].title),
                "dates": [_iso(int(x)) for x in distinct],
                "counts": _counts(np.asarray(verdict)),
            }
        )
    rows.sort(key=lambda r: (r["dates"][0], r["key"]))
    late = sorted(i for i, v in zip(ids, verdicts, strict=True) if v == "late")
    risk = sorted(i for i, v in zip(ids, verdicts, strict=True) if v == "at_risk")
    return {
        "target": _target_text(plans.target, catalog, fmt),
        "risk_margin_days": margin,
        "target_counts": _counts(verdicts),
        "by_deadline": rows,
        "late_total": len(late),
        "late": late[:MAX_IDS],
        "at_risk_total": len(risk),
        "at_risk": risk[:MAX_IDS],
    }


def _change(summary: Summary) -> dict[str, Any] | None:
    change = summary.change
    if change is None:
        return None
    return {
        "matched": change.matched,
        "levels": {k: dict(v) for k, v in change.levels.items()},
        "overall_delta": _stats(change.overall_delta),
        "movers": [
            {"facility": f, "catalog": c, "before": b, "after": a} for f, c, b, a in change.movers
        ],
    }


def _periods(days: npt.NDArray[np.int64], period: str) -> npt.NDArray[np.int64]:
    """Index of the quarter (year * 4 + q) or year of each day."""
    when = _EPOCH + days.astype("timedelta64[D]")
    years = when.astype("datetime64[Y]").astype(np.int64) + 1970
    if period == "year":
        return np.asarray(years)
    months = when.astype("datetime64[M]").astype(np.int64) % 12
    return np.asarray(years * 4 + months // 3)


def _period_start(index: int, period: str) -> dt.date:
    if period == "year":
        return dt.date(index, 1, 1)
    return dt.date(index // 4, 3 * (index % 4) + 1, 1)


def _period_name(index: int, period: str) -> str:
    return str(index) if period == "year" else f"{index // 4}-Q{index % 4 + 1}"


def _roadmap(roadmap: PlanTable, fmt: _Fmt) -> dict[str, Any]:
    catalog = roadmap.catalog
    compiled = compile_catalog(catalog)
    required = roadmap.required
    n = len(roadmap)
    status_names, status_counts = np.unique(roadmap.status, return_counts=True)
    found = {str(s): int(c) for s, c in zip(status_names, status_counts, strict=True)}
    statuses = {s: found.get(s, 0) for s in ("planned", "done", "unreachable", "not_applicable")}
    work = required.any(axis=0)
    finish = roadmap.start_day[None, :] + roadmap.finish
    step_days = finish[required]
    finish_day = roadmap.finish_day
    facility_days = (roadmap.start_day + finish_day)[work]
    verdicts = _target_verdicts(roadmap, finish_day)
    # deadlines covering any required step, and the target's due dates
    keys = tuple(catalog.deadlines)
    deadline_of = _deadline_of(catalog, keys)
    markers: list[dict[str, Any]] = []
    for d, key in enumerate(keys):
        covered = required[deadline_of == d].any(axis=0)
        days = roadmap.deadline_day[d][covered]
        title = fmt.text(catalog.deadlines[key].title)
        markers += [
            {"key": key, "title": title, "date": _iso(int(day))}
            for day in np.unique(days[days < _NEVER])
        ]
    due = roadmap.target_due[work]
    markers += [
        {"key": "target", "title": fmt.t("target_due"), "date": _iso(int(day))}
        for day in np.unique(due[due < _NEVER])
    ]
    markers.sort(key=lambda m: (m["date"], m["key"]))
    timeline: list[dict[str, Any]] = []
    period = "quarter"
    if len(step_days):
        marker_days = [
            (dt.date.fromisoformat(m["date"]) - dt.date(1970, 1, 1)).days for m in markers
        ]
        low = int(min(int(roadmap.start_day[work].min()), *marker_days))
        high = int(max(int(step_days.max()), *marker_days))
        if high - low > 6 * 365:
            period = "year"
        first, last = (int(x) for x in _periods(np.array([low, high], dtype=np.int64), period))
        span = last - first + 1
        steps = np.bincount(_periods(step_days.astype(np.int64), period) - first, minlength=span)
        reaching = np.bincount(
            _periods(facility_days.astype(np.int64), period) - first, minlength=span
        )
        already = statuses["done"]
        cumulative = already + np.cumsum(reaching)
        timeline = [
            {
                "period": _period_name(first + i, period),
                "start": _period_start(first + i, period).isoformat(),
                "steps": int(steps[i]),
                "facilities": int(reaching[i]),
                "reached_share": round(float(cumulative[i]) / n, 4) if n else None,
            }
            for i in range(span)
        ]
    wave1 = (required & (roadmap.wave == 1)).sum(axis=1)
    planned = int(work.sum())
    order = sorted(np.flatnonzero(wave1).tolist(), key=lambda c: (-int(wave1[c]), compiled.keys[c]))
    return {
        "target": _target_text(roadmap.target, catalog, fmt),
        "rows": n,
        "status": statuses,
        "verdicts": _counts(verdicts),
        "steps": int(required.sum()),
        "effort_days": int(roadmap.effort[required].sum()),
        "cost_vnd": round(float(roadmap.cost[required].sum()), 2),
        "assumed_effort_steps": int((required & ~roadmap.estimated).sum()),
        "uncosted_steps": int((required & ~roadmap.costed).sum()),
        "period": period,
        "timeline": timeline,
        "deadlines": markers,
        "first_steps": [
            {
                "criterion": compiled.keys[c],
                "title": fmt.text(catalog.criteria[compiled.keys[c]].title),
                "facilities": int(wave1[c]),
                "share": round(int(wave1[c]) / planned, 4) if planned else None,
            }
            for c in order[:10]
        ],
    }


def _facility_rows(
    table: ScoreTable,
    ids: Sequence[str],
    verdicts: npt.NDArray[np.str_] | None,
    limit: int | None,
) -> dict[str, Any]:
    compiled = table.compiled
    dates = table.dates.astype("datetime64[D]")
    order = sorted(range(len(table)), key=lambda j: (ids[j], str(dates[j])))
    shown = order if limit is None else order[:limit]
    rows = []
    for j in shown:
        facility = table.facility(j)
        overall = float(table.overall[j])
        rows.append(
            {
                "id": facility.id,
                "name": facility.name,
                "kind": facility.kind,
                "ownership": facility.ownership,
                "beds": facility.beds,
                "region": facility.region,
                "date": str(dates[j]),
                "overall": None if math.isnan(overall) else round(overall, 4),
                "levels": {
                    catalog_id: (None if (v := int(table.level[k, j])) < 0 else v)
                    for k, catalog_id in enumerate(compiled.frameworks)
                },
                "verdict": None if verdicts is None else str(verdicts[j]),
            }
        )
    return {"total": len(table), "shown": len(rows), "rows": rows}


# --------------------------------------------------------------------------- facility report


def facility_report(
    score: Score,
    *,
    plan: Plan | None = None,
    next_steps: Sequence[NextStep] = (),
    peers: Summary | ScoreTable | None = None,
    peer_steps: PeerSuggestions | None = None,
    lang: str = "en",
    catalog: Catalog | None = None,
    title: str | None = None,
) -> Report:
    """Build the report of one facility-assessment.

    Parameters
    ----------
    score : Score
        The facility's score (:func:`readiness.score`).
    plan : Plan, optional
        Its plan toward a target (:func:`readiness.plan`): waves as a Gantt chart, verdicts.
    next_steps : sequence of NextStep
        Its ranked next steps (:func:`readiness.next_steps`).
    peers : Summary or ScoreTable, optional
        Similar facilities to compare with: a summary gives their means; a score table also
        gives the facility's rank and the peers' mean per domain.
    peer_steps : readiness.peers.PeerSuggestions, optional
        Peer-informed next steps (:meth:`readiness.peers.PeerAdvisor.suggest`), shown beside the
        rule-based ones.
    lang : {"en", "vi"}
    catalog : Catalog, optional
        The catalog set the score was computed with, for titles, versions and disclaimers.
        Default: the peers' catalog, else the built-in catalog set (said in the report).
    title : str, optional
        Default: "Facility readiness report: NAME".

    Returns
    -------
    Report
    """
    fmt = _Fmt(_lang(lang))
    if not isinstance(score, Score):
        raise OptionError("score must be a Score", key="score", value=type(score).__name__)
    if plan is not None and not isinstance(plan, Plan):
        raise OptionError("plan must be a Plan", key="plan", value=type(plan).__name__)
    steps = tuple(next_steps)
    if not all(isinstance(s, NextStep) for s in steps):
        raise OptionError("next_steps must be NextStep objects", key="next_steps", value=steps)
    if peers is not None and not isinstance(peers, Summary | ScoreTable):
        raise OptionError(
            "peers must be a Summary or a ScoreTable", key="peers", value=type(peers).__name__
        )
    builtin = False
    if catalog is None and isinstance(peers, ScoreTable):
        catalog = peers.catalog
    if catalog is None:
        catalog = _builtin_for(score)
        builtin = True
    if not isinstance(catalog, Catalog):
        raise OptionError("catalog must be a Catalog", key="catalog", value=type(catalog).__name__)
    missing = sorted(set(score.catalogs) - set(catalog.frameworks))
    if missing:
        raise OptionError(
            "the catalog does not hold every catalog of the score", key="catalog", value=missing
        )
    facility = score.facility
    peer_data = _peers(score, peers)
    domain_peers = peer_data.pop("domain_means") if peer_data is not None else {}
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "facility",
        "lang": fmt.lang,
        "title": title or fmt.t("facility_title", name=facility.name or facility.id),
        "generator": _generator(),
        "provenance": _provenance(
            peers.label if isinstance(peers, ScoreTable | Summary) else None,
            facility.attributes.get("synthetic") is True
            or (isinstance(peers, ScoreTable | Summary) and _is_synthetic(peers.label)),
            score.policy,
            fmt,
            builtin=builtin,
        ),
        "catalogs": [c for c in _catalogs(catalog, fmt) if c["id"] in score.catalogs],
        "facility": {
            "id": facility.id,
            "name": facility.name,
            "kind": facility.kind,
            "ownership": facility.ownership,
            "beds": facility.beds,
            "region": facility.region,
        },
        "assessment": {
            "date": score.date.isoformat(),
            "overall": score.overall,
            "applicable": score.applicable,
            "met": score.met,
        },
        "results": [_result(result, catalog, fmt) for result in score.catalogs.values()],
        "domains": [
            {
                "key": key,
                "catalog": key.split(":", 1)[0],
                "title": fmt.text(
                    catalog.frameworks[key.split(":", 1)[0]].domains[key.split(":", 1)[1]].title
                ),
                "score": value,
                "peer_mean": domain_peers.get(key),
            }
            for key, value in score.by_domain.items()
        ],
        "unsupported": [_blocker(b, catalog, fmt) for b in score.unsupported],
        "gaps": [
            {"criterion": key, "title": fmt.text(catalog.criteria[key].title)} for key in score.gaps
        ],
        "plan": None if plan is None else _plan(plan, catalog, fmt),
        "next_steps": [_next_step(s, fmt) for s in steps],
        "peers": peer_data,
        "peer_steps": None if peer_steps is None else _peer_steps(peer_steps),
    }
    return Report(data)


def _peer_steps(suggestions: PeerSuggestions) -> dict[str, Any]:
    return {
        "catalog": suggestions.catalog,
        "level": suggestions.level,
        "peer_level": suggestions.peer_level,
        "peers": list(suggestions.peers),
        "note": suggestions.note,
        "items": [
            {
                "criterion": item.criterion,
                "title": item.title,
                "support": item.support,
                "peers": item.peers,
                "share": item.share,
                "sentence": item.sentence,
            }
            for item in suggestions.items
        ],
    }


def _builtin_for(score: Score) -> Catalog:
    from readiness._load import load_catalog  # noqa: PLC0415 - only when no catalog is given

    last = list(score.catalogs)[-1]
    try:
        return load_catalog(last)
    except LookupError:
        raise OptionError(
            "the score's catalogs are not built in; pass catalog=", key="catalog", value=last
        ) from None


_DETAILS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"^(not met|no data \(unknown\)|partly done|validation expired)$"), None),
    (re.compile(r"^partly done \((?P<share>\d+%)\)$"), "detail_partial"),
    (re.compile(r"^validation expired on (?P<date>\d{4}-\d\d-\d\d)$"), "detail_expired"),
    (
        re.compile(r"^coverage (?P<got>\d+%) is below the minimum (?P<minimum>\d+%)$"),
        "detail_coverage",
    ),
    (re.compile(r"^coverage not reported \(minimum (?P<minimum>\d+%)\)$"), "detail_no_coverage"),
    (re.compile(r"^claimed met, but rests on (?P<keys>.+), not met$"), "detail_claimed"),
    (re.compile(r"^partly done, but rests on (?P<keys>.+), not met$"), "detail_claimed_partial"),
)


def _detail_text(detail: str, fmt: _Fmt) -> str:
    """Say a blocker's detail in the report's language ("" when the reason says it all)."""
    for pattern, key in _DETAILS:
        found = pattern.match(detail)
        if found:
            if key is None:
                return ""
            values = found.groupdict()
            if "date" in values:
                values["date"] = fmt.date(values["date"])
            return fmt.t(key, **values)
    return detail


def _blocker(blocker: Blocker, catalog: Catalog, fmt: _Fmt) -> dict[str, Any]:
    reason = blocker.reason.value
    return {
        "criterion": blocker.criterion,
        "title": fmt.text(catalog.criteria[blocker.criterion].title),
        "reason": reason,
        "reason_text": fmt.t(f"blocker_{reason}"),
        "detail": blocker.detail,
        "detail_text": _detail_text(blocker.detail, fmt),
        "missing": list(blocker.missing),
    }


def _result(result: CatalogResult, catalog: Catalog, fmt: _Fmt) -> dict[str, Any]:
    framework = catalog.frameworks[result.catalog]
    next_level = result.next_level
    return {
        "catalog": result.catalog,
        "title": fmt.text(framework.title),
        "level": result.level,
        "level_title": fmt.text(result.level_title) if result.level_title else None,
        "max_level": len(framework.levels),
        "next_level": next_level,
        "next_level_title": None
        if next_level is None
        else fmt.text(framework.levels[next_level - 1].title),
        "progress": result.progress,
        "score": result.score,
        "blockers": [_blocker(b, catalog, fmt) for b in result.blockers],
    }


_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^needed$"), "reason_needed"),
    (re.compile(r"^in progress \((?P<share>\d+%) done\)$"), "reason_in_progress"),
    (re.compile(r"^validation expired$"), "reason_expired"),
    (re.compile(r"^coverage below the minimum$"), "reason_coverage"),
    (re.compile(r"^claimed, but rests on (?P<keys>.+): re-check after it$"), "reason_claimed"),
)


def _step_reason(reason: str, fmt: _Fmt) -> str:
    for pattern, key in _REASONS:
        found = pattern.match(reason)
        if found:
            return fmt.t(key, **found.groupdict())
    return reason


def _plan(plan: Plan, catalog: Catalog, fmt: _Fmt) -> dict[str, Any]:
    target = _target_text(plan.target, catalog, fmt)
    verdicts = []
    for verdict in plan.verdicts:
        if verdict.key == "target":
            name = fmt.t("target_row", target=target)
        elif verdict.key in catalog.deadlines:
            name = fmt.text(catalog.deadlines[verdict.key].title)
        else:
            name = verdict.title
        verdicts.append({**verdict.to_dict(), "title": name})
    return {
        "target": target,
        "status": plan.status,
        "note": plan.note,
        "start": plan.start.isoformat(),
        "finish": None if plan.finish is None else plan.finish.isoformat(),
        "effort_days": plan.effort_days,
        "cost_vnd": plan.cost_vnd,
        "assumed_effort_steps": plan.assumed_effort,
        "uncosted_steps": plan.uncosted,
        "critical_path": list(plan.critical_path),
        "verdicts": verdicts,
        "steps": [
            {
                **step.to_dict(),
                "title": fmt.text(step.title),
                "reason": _step_reason(step.reason, fmt),
            }
            for step in sorted(plan.steps, key=lambda s: (s.wave, s.start, s.criterion))
        ],
    }


def _next_step(step: NextStep, fmt: _Fmt) -> dict[str, Any]:
    if not step.toward_target:
        why = fmt.t("not_needed")
    elif step.unblocks:
        why = fmt.t("unblocks", n=step.unblocks, m=step.remaining - 1)
    else:
        why = fmt.t("needed_for_target")
    return {**step.to_dict(), "title": fmt.text(step.title), "reason": why}


def _peers(score: Score, peers: Summary | ScoreTable | None) -> dict[str, Any] | None:
    if peers is None:
        return None
    below = None
    domain_means: dict[str, float | None] = {}
    if isinstance(peers, ScoreTable):
        compiled = peers.compiled
        overall = Stats.of(peers.overall)
        by_catalog = {c: Stats.of(peers.catalogs[k]) for k, c in enumerate(compiled.frameworks)}
        present = peers.overall[~np.isnan(peers.overall)].astype(np.float64)
        if score.overall is not None and len(present):
            value = float(score.overall)
            ties = np.abs(present - value) <= 1e-6
            below = float(((present < value) & ~ties).sum() + 0.5 * ties.sum()) / len(present)
        domain_means = {
            key: _mean_median(peers.domains[d])[1] for d, key in enumerate(compiled.domains)
        }
        rows = len(peers)
    else:
        overall = peers.total.overall
        by_catalog = dict(peers.total.by_catalog)
        rows = peers.total.rows
    return {
        "rows": rows,
        "label": peers.label,
        "overall": _stats(overall),
        "by_catalog": {k: _stats(v) for k, v in by_catalog.items() if k in score.catalogs},
        "share_below": None if below is None else round(below, 4),
        "domain_means": domain_means,
    }


# --------------------------------------------------------------------------- document blocks

Span = tuple[str, str]  # (style, text): style "", "strong" or "code"


@attrs.frozen
class _Heading:
    level: int
    text: str
    anchor: str | None = None


@attrs.frozen
class _Para:
    spans: tuple[Span, ...]
    note: bool = False


@attrs.frozen
class _List:
    items: tuple[tuple[Span, ...], ...]


@attrs.frozen
class _Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    code: frozenset[int] = frozenset()
    caption: str | None = None


@attrs.frozen
class _Banner:
    text: str


@attrs.frozen
class _Chart:
    name: str


Block = _Heading | _Para | _List | _Table | _Banner | _Chart


def _p(*parts: str | Span, note: bool = False) -> _Para:
    return _Para(tuple(("", p) if isinstance(p, str) else p for p in parts), note=note)


def _ids(ids: Sequence[str], total: int, fmt: _Fmt) -> tuple[Span, ...]:
    spans: list[Span] = []
    for i, value in enumerate(ids):
        if i:
            spans.append(("", ", "))
        spans.append(("code", value))
    if total > len(ids):
        spans.append(("", f", {fmt.t('and_more', n=fmt.num(total - len(ids)))}"))
    return tuple(spans) or (("", fmt.t("none")),)


def _blocks(data: Mapping[str, Any], fmt: _Fmt) -> list[Block]:
    blocks: list[Block] = [_Heading(1, data["title"])]
    if data["provenance"]["synthetic"]:
        blocks.append(_Banner(fmt.t("synthetic_banner")))
    if data["provenance"]["label"]:
        blocks.append(_p(fmt.t("data_label", label=data["provenance"]["label"]), note=True))
    if data["kind"] == "province":
        blocks += _province_blocks(data, fmt)
    else:
        blocks += _facility_blocks(data, fmt)
    blocks += _about_blocks(data, fmt)
    return blocks


def _level_columns(catalog: Mapping[str, Any], fmt: _Fmt) -> list[tuple[str, str]]:
    columns = [("na", fmt.t("na")), ("0", fmt.t("level_n", n=0))]
    columns += [(str(lv["number"]), f"{lv['number']}: {lv['title']}") for lv in catalog["levels"]]
    return columns


def _province_blocks(data: Mapping[str, Any], fmt: _Fmt) -> list[Block]:
    blocks: list[Block] = []
    assessed = data["assessed"]
    if assessed["rows"]:
        blocks.append(
            _p(
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
        blocks.append(_p(fmt.t("assessed_none")))
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
        items.append((("strong", _obligation_line(obligation, fmt)),))
    if total["spent_vnd"] is not None:
        items.append((("strong", fmt.t("spent") + ": "), ("", fmt.money(total["spent_vnd"]))))
    if total["planned_vnd"] is not None:
        items.append((("strong", fmt.t("planned") + ": "), ("", fmt.money(total["planned_vnd"]))))
    deadlines = data["deadlines"]
    if deadlines is not None:
        counts = deadlines["target_counts"]
        text = ", ".join(
            f"{fmt.t(name)} {fmt.num(counts[name])}" for name in _VERDICTS if counts[name]
        )
        items.append((("strong", fmt.t("deadlines_section") + ": "), ("", text or fmt.t("none"))))
    blocks += [_Heading(2, fmt.t("key_figures"), "key-figures"), _List(tuple(items))]
    # obligation
    if obligation is not None:
        blocks += [
            _Heading(2, fmt.t("obligation"), "obligation"),
            _p(("strong", _obligation_line(obligation, fmt))),
            _p(
                fmt.t(
                    "obligation_detail",
                    done=fmt.num(obligation["done"]),
                    extra=fmt.num(obligation["done_unobliged"]),
                )
            ),
            _p(
                fmt.t(
                    "obligation_target",
                    target=obligation["target"],
                    deadline=fmt.date(obligation["deadline"]),
                )
                + " "
                + fmt.t("obligation_rule", rule=obligation["rule"])
            ),
            _p(
                ("strong", fmt.t("missing_obliged") + ": "),
                *_ids(obligation["missing"], obligation["missing_total"], fmt),
            ),
            _p(
                ("strong", fmt.t("unobliged_done") + ": "),
                *_ids(obligation["unobliged_done"], obligation["unobliged_done_total"], fmt),
            ),
        ]
    groups = [(fmt.t("all"), total), *((g["label"], g) for g in data["groups"]["rows"])]
    blocks += _levels_blocks(groups, catalogs, fmt)
    blocks += _scores_blocks(groups, catalogs, total, fmt)
    # domains
    titles = {c["id"]: c["title"] for c in catalogs}
    blocks += [
        _Heading(2, fmt.t("domains_section"), "domains"),
        _Chart("domains"),
        _Table(
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
            _Heading(2, fmt.t("blockers_section"), "blockers"),
            _p(fmt.t("blockers_note"), note=True),
        ]
        for catalog in catalogs:
            found = [b for b in data["blockers"] if b["catalog"] == catalog["id"]]
            if not found:
                continue
            blocks.append(_Heading(3, catalog["title"]))
            blocks.append(
                _Table(
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
            _Heading(2, fmt.t("change_section"), "change"),
            _p(fmt.t("matched", n=fmt.num(change["matched"]))),
            _Table(
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
                _p(
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
                _Heading(3, fmt.t("movers")),
                _Table(
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
    fmt: _Fmt,
) -> list[Block]:
    blocks: list[Block] = []
    blocks += [
        _Heading(2, fmt.t("levels_section"), "levels"),
        _Chart("levels"),
        _p(fmt.t("levels_note"), note=True),
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
        blocks.append(_Heading(3, f"{catalog['title']} ({catalog['id']} {catalog['version']})"))
        blocks.append(
            _Table(
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
    fmt: _Fmt,
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
        _Heading(2, fmt.t("scores_section"), "scores"),
        _p(fmt.t("scores_note"), note=True),
        _Table(tuple(columns), tuple(rows), numeric=frozenset(range(1, len(columns)))),
    ]


def _listing_blocks(
    listing: Mapping[str, Any], catalogs: Sequence[Mapping[str, Any]], fmt: _Fmt
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
            row.append(fmt.t(r["verdict"]) if r["verdict"] else _DASH)
        rows.append(tuple(row))
    blocks.append(_Heading(2, fmt.t("facilities_section"), "facilities"))
    if listing["shown"] < listing["total"]:
        blocks.append(
            _p(
                fmt.t(
                    "shown_first", shown=fmt.num(listing["shown"]), total=fmt.num(listing["total"])
                ),
                note=True,
            )
        )
    blocks.append(
        _Table(
            tuple(columns),
            tuple(rows),
            numeric=frozenset({4, 6, *range(7, 7 + len(catalogs))}),
            code=frozenset({0}),
        )
    )
    return blocks


def _extra_blocks(sections: Sequence[Mapping[str, Any]], fmt: _Fmt) -> list[Block]:
    blocks: list[Block] = []
    for section in sections:
        blocks.append(_Heading(2, section["title"], f"extra-{section['id']}"))
        if section["text"]:
            blocks.append(_p(section["text"]))
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
                _Table(tuple(section["columns"]), tuple(tuple(v) for v in values), numeric=numeric)
            )
        if section["note"]:
            blocks.append(_p(section["note"], note=True))
    return blocks


def _obligation_line(obligation: Mapping[str, Any], fmt: _Fmt) -> str:
    return fmt.t(
        "obligation_line",
        name=obligation["name"],
        counted=fmt.num(obligation["counted"]),
        obliged=fmt.num(obligation["obliged"]),
        rate=fmt.pct(obligation["rate"]),
    )


def _deadline_blocks(
    deadlines: Mapping[str, Any], groups: Mapping[str, Any], fmt: _Fmt
) -> list[Block]:
    margin = fmt.num(deadlines["risk_margin_days"])
    head = (
        fmt.t("plans_toward", target=deadlines["target"], margin=margin)
        if deadlines["target"]
        else fmt.t("plans_toward_unknown", margin=margin)
    )
    counts = deadlines["target_counts"]
    rows = [(fmt.t("target"), "", *(fmt.num(counts[v]) for v in _VERDICTS))]
    rows += [
        (
            row["title"],
            "; ".join(fmt.date(d) for d in row["dates"]),
            *(fmt.num(row["counts"][v]) for v in _VERDICTS),
        )
        for row in deadlines["by_deadline"]
    ]
    blocks: list[Block] = [
        _Heading(2, fmt.t("deadlines_section"), "deadlines"),
        _p(head),
        _Chart("deadlines"),
        _Table(
            (fmt.t("deadline"), fmt.t("dates"), *(fmt.t(v) for v in _VERDICTS)),
            tuple(rows),
            numeric=frozenset(range(2, 7)),
        ),
    ]
    if deadlines["by_deadline"]:
        blocks.append(_p(fmt.t("by_deadline_note"), note=True))
    group_rows = [g for g in groups["rows"] if g["verdicts"] is not None]
    if group_rows:
        blocks.append(
            _Table(
                (fmt.t("group"), *(fmt.t(v) for v in _VERDICTS)),
                tuple(
                    (g["label"], *(fmt.num(g["verdicts"].get(v, 0)) for v in _VERDICTS))
                    for g in group_rows
                ),
                numeric=frozenset(range(1, 6)),
            )
        )
    if deadlines["late_total"] is not None:
        blocks.append(
            _p(
                ("strong", fmt.t("late_facilities") + ": "),
                *_ids(deadlines["late"], deadlines["late_total"], fmt),
            )
        )
        blocks.append(
            _p(
                ("strong", fmt.t("at_risk_facilities") + ": "),
                *_ids(deadlines["at_risk"], deadlines["at_risk_total"], fmt),
            )
        )
    return blocks


def _roadmap_blocks(roadmap: Mapping[str, Any], fmt: _Fmt) -> list[Block]:
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
                ", ".join(f"{fmt.t(v)} {fmt.num(verdicts[v])}" for v in _VERDICTS if verdicts[v])
                or fmt.t("none"),
            ),
        )
    )
    blocks: list[Block] = [
        _Heading(2, fmt.t("roadmap_section", target=roadmap["target"]), "roadmap"),
        _List(tuple(items)),
        _p(
            fmt.t(
                "roadmap_totals",
                steps=fmt.num(roadmap["steps"]),
                plans=fmt.num(planned),
                effort=fmt.num(roadmap["effort_days"]),
                cost=fmt.money(roadmap["cost_vnd"]),
            )
            + " "
            + fmt.t(
                "roadmap_assumed",
                assumed=fmt.num(roadmap["assumed_effort_steps"]),
                uncosted=fmt.num(roadmap["uncosted_steps"]),
            ),
        ),
    ]
    if roadmap["timeline"]:
        blocks += [
            _Chart("roadmap"),
            _Table(
                (
                    fmt.t("period"),
                    fmt.t("steps_finishing"),
                    fmt.t("facilities_reaching"),
                    fmt.t("reached_so_far"),
                ),
                tuple(
                    (
                        _period_label(t["period"], fmt),
                        fmt.num(t["steps"]),
                        fmt.num(t["facilities"]),
                        fmt.pct(t["reached_share"]),
                    )
                    for t in roadmap["timeline"]
                    if t["steps"] or t["facilities"]
                ),
                numeric=frozenset({1, 2, 3}),
            ),
            _p(fmt.t("timeline_note"), note=True),
        ]
    if roadmap["deadlines"]:
        blocks += [
            _Heading(3, fmt.t("deadlines_marked")),
            _Table(
                (fmt.t("dates"), fmt.t("deadline")),
                tuple((fmt.date(m["date"]), m["title"]) for m in roadmap["deadlines"]),
            ),
        ]
    if roadmap["first_steps"]:
        blocks += [
            _Heading(3, fmt.t("first_steps")),
            _p(fmt.t("first_steps_note"), note=True),
            _Table(
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


def _period_label(name: str, fmt: _Fmt) -> str:
    if "-Q" not in name:
        return name
    year, quarter = name.split("-Q")
    return f"{year} Q{quarter}" if fmt.lang == "en" else f"Q{quarter}/{year}"


def _facility_blocks(data: Mapping[str, Any], fmt: _Fmt) -> list[Block]:
    facility = data["facility"]
    assessment = data["assessment"]
    catalogs = {c["id"]: c for c in data["catalogs"]}
    blocks: list[Block] = [
        _p(
            ("code", facility["id"]),
            " ",
            fmt.t(
                "facility_line",
                kind=fmt.value("kind", facility["kind"]),
                ownership=fmt.value("ownership", facility["ownership"]).lower(),
                beds=fmt.num(facility["beds"]),
                region=facility["region"] or _DASH,
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
    blocks += [_Heading(2, fmt.t("key_figures"), "key-figures"), _List(tuple(items))]
    # levels
    rows = []
    for r in data["results"]:
        if r["level"] is None:
            level, nxt, progress = fmt.t("na"), _DASH, _DASH
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
        _Heading(2, fmt.t("levels_section"), "levels"),
        _Chart("facility_levels"),
        _Table(
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
        _Heading(2, fmt.t("domains_section"), "domains"),
        _Chart("facility_domains"),
        _Table(
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
    blocks.append(_Heading(2, fmt.t("blockers"), "blockers"))
    any_blockers = False
    for r in data["results"]:
        if not r["blockers"]:
            continue
        any_blockers = True
        blocks.append(
            _Heading(
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
        blocks.append(_p(fmt.t("none")))
    if data["unsupported"]:
        blocks += [
            _Heading(3, fmt.t("unsupported")),
            _p(fmt.t("unsupported_note"), note=True),
            _blocker_table(data["unsupported"], fmt),
        ]
    if data["gaps"]:
        blocks += [
            _Heading(3, fmt.t("gaps")),
            _Table(
                (fmt.t("criterion"), fmt.t("title")),
                tuple((g["criterion"], g["title"]) for g in data["gaps"]),
                code=frozenset({0}),
            ),
        ]
    # next steps
    if data["next_steps"]:
        blocks += [
            _Heading(2, fmt.t("next_steps"), "next-steps"),
            _Table(
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
            _Heading(2, fmt.t("peer_steps_section"), "peer-steps"),
            _p(peer_steps["note"]),
            _p(fmt.t("peer_steps_note")),
        ]
        if peer_steps["items"]:
            blocks.append(
                _Table(
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
            _Heading(2, fmt.t("peers_section"), "peers"),
            _p(fmt.t("peers_line", n=fmt.num(peers["rows"]), mean=fmt.score(overall["mean"]))),
        ]
        if peers["share_below"] is not None:
            blocks.append(_p(fmt.t("peers_rank", share=fmt.pct(peers["share_below"], 0))))
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
            _Table(
                ("", fmt.t("this_facility"), fmt.t("peer_mean"), fmt.t("median")),
                tuple(peer_rows),
                numeric=frozenset({1, 2, 3}),
            )
        )
    return blocks


def _blocker_table(blockers: Sequence[Mapping[str, Any]], fmt: _Fmt) -> _Table:
    rows = []
    rows = [(b["criterion"], b["title"], b["reason_text"], b["detail_text"]) for b in blockers]
    return _Table(
        (fmt.t("criterion"), fmt.t("title"), fmt.t("reason"), fmt.t("detail")),
        tuple(rows),
        code=frozenset({0}),
    )


def _plan_blocks(plan: Mapping[str, Any], fmt: _Fmt) -> list[Block]:
    blocks: list[Block] = [_Heading(2, fmt.t("plan_section", target=plan["target"]), "plan")]
    status = plan["status"]
    if status == "done":
        blocks.append(_p(fmt.t("plan_done")))
    elif status == "unreachable":
        blocks.append(_p(fmt.t("plan_unreachable", note=plan["note"])))
    elif status == "not_applicable":
        blocks.append(_p(fmt.t("plan_not_applicable", note=plan["note"])))
    else:
        blocks.append(
            _p(
                fmt.t(
                    "plan_line",
                    steps=fmt.num(len(plan["steps"])),
                    start=fmt.date(plan["start"]),
                    finish=fmt.date(plan["finish"]),
                    effort=fmt.num(plan["effort_days"]),
                    cost=fmt.money(plan["cost_vnd"]),
                )
                + " "
                + fmt.t(
                    "plan_assumed",
                    assumed=fmt.num(plan["assumed_effort_steps"]),
                    uncosted=fmt.num(plan["uncosted_steps"]),
                )
            )
        )
    if plan["verdicts"]:
        blocks += [
            _Heading(3, fmt.t("verdicts")),
            _Table(
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
                        fmt.num(v["slack_days"]) if v["slack_days"] is not None else _DASH,
                        fmt.t(v["verdict"]),
                    )
                    for v in plan["verdicts"]
                ),
                numeric=frozenset({3}),
            ),
        ]
    if plan["steps"]:
        blocks.append(_Chart("gantt"))
        waves = sorted({s["wave"] for s in plan["steps"]})
        for wave in waves:
            blocks.append(_Heading(3, fmt.t("wave_n", n=wave)))
            blocks.append(
                _Table(
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
                            fmt.money(s["cost_vnd"]) if s["costed"] else _DASH,
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
                _p(
                    ("strong", fmt.t("critical_path") + ": "),
                    *_ids(plan["critical_path"], len(plan["critical_path"]), fmt),
                )
            )
    return blocks


def _about_blocks(data: Mapping[str, Any], fmt: _Fmt) -> list[Block]:
    provenance = data["provenance"]
    items: list[tuple[Span, ...]] = []
    if provenance["label"]:
        items.append((("", fmt.t("data_label", label=provenance["label"])),))
    items.append((("", fmt.t("estimates_note")),))
    items.append((("", fmt.t(f"policy_{provenance['policy']}")),))
    if provenance["catalogs_builtin"]:
        items.append((("", fmt.t("catalog_builtin")),))
    items.append((("", fmt.t("generator", generator=data["generator"], schema=data["schema"])),))
    rows = tuple(
        (c["id"], c["title"], c["version"], c["disclaimer"] or _DASH) for c in data["catalogs"]
    )
    return [
        _Heading(2, fmt.t("about_section"), "about"),
        _List(tuple(items)),
        _Heading(3, fmt.t("catalog_versions")),
        _Table(
            (fmt.t("id"), fmt.t("title"), fmt.t("catalog_versions"), fmt.t("disclaimer")),
            rows,
            code=frozenset({0}),
        ),
    ]


# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _md_code(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}"


def _md_spans(spans: Iterable[Span]) -> str:
    out = []
    for style, text in spans:
        if style == "strong":
            out.append(f"**{_md(text.strip())}**" + (" " if text.endswith(" ") else ""))
        elif style == "code":
            out.append(_md_code(text))
        else:
            out.append(_md(text))
    return "".join(out)


def _markdown(blocks: Sequence[Block], fmt: _Fmt) -> str:
    lines: list[str] = []
    charted = not any(isinstance(b, _Chart) for b in blocks)
    for block in blocks:
        if isinstance(block, _Heading) and block.level == 2 and not charted:
            charted = True
            lines += [f"_{_md(fmt.t('charts_in_html'))}_", ""]
        if isinstance(block, _Heading):
            lines += ["#" * block.level + " " + _md(block.text), ""]
            if block.level == 1:
                continue
        elif isinstance(block, _Banner):
            lines += [f"> **{_md(block.text)}**", ""]
        elif isinstance(block, _Para):
            text = _md_spans(block.spans)
            lines += [f"_{text}_" if block.note and "_" not in text else text, ""]
        elif isinstance(block, _List):
            lines += [f"- {_md_spans(item)}" for item in block.items]
            lines.append("")
        elif isinstance(block, _Table):
            lines += _md_table(block)
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _md_table(table: _Table) -> list[str]:
    def cell(i: int, text: str) -> str:
        if i in table.code and text:
            return _md_code(text).replace("|", "\\|")
        return _md(text) or " "

    head = "| " + " | ".join(_md(c) or " " for c in table.columns) + " |"
    rule = (
        "|"
        + "|".join("---:" if i in table.numeric else "---" for i in range(len(table.columns)))
        + "|"
    )
    rows = ["| " + " | ".join(cell(i, v) for i, v in enumerate(row)) + " |" for row in table.rows]
    return [head, rule, *rows]


# --------------------------------------------------------------------------- HTML

_CSS = """
:root{--ink:#1d2733;--muted:#5b6675;--line:#d5dbe3;--band:#f4f6f9;--accent:#1f5f99}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 "Segoe UI","Noto Sans","DejaVu Sans",Arial,sans-serif;
 color:var(--ink);background:#fff}
main,.wrap{max-width:1100px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:1.7em;margin:.2em 0 .4em;color:var(--accent)}
h2{font-size:1.3em;margin:1.8em 0 .5em;padding-bottom:.2em;border-bottom:2px solid var(--line)}
h3{font-size:1.05em;margin:1.3em 0 .4em}
p{margin:.5em 0}
.note{color:var(--muted);font-size:.92em}
.banner{margin:.8em 0;padding:.7em 1em;border:2px solid #b2182b;background:#fdecea;
 color:#7a0f1c;font-weight:700;border-radius:4px}
nav{margin:1em 0;padding:.6em 1em;background:var(--band);border-radius:4px}
nav h2{font-size:1em;margin:0 0 .3em;border:0;padding:0}
nav ol{margin:0;padding-left:1.3em;columns:2}
a{color:var(--accent)}
code{font:.86em/1.3 "DejaVu Sans Mono",Consolas,monospace;background:var(--band);
 padding:0 .25em;border-radius:3px;white-space:nowrap}
td code,th code{white-space:normal;overflow-wrap:break-word}
tbody th{font-weight:600;min-width:11em}
.table-wrap{overflow-x:auto;margin:.6em 0 1em}
table{border-collapse:collapse;font-size:.9em;min-width:40%}
caption{text-align:left;color:var(--muted);padding:.2em 0}
th,td{border:1px solid var(--line);padding:.28em .55em;vertical-align:top;text-align:left}
thead th{background:var(--band)}
tbody tr:nth-child(even){background:#fafbfc}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1em 0;padding:0}
figure svg{display:block;max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.9em;margin-top:.3em}
footer{color:var(--muted);font-size:.85em;border-top:1px solid var(--line)}
footer .wrap{padding-top:.8em}
@media print{nav{display:none}main{max-width:none;padding:0}h2{break-after:avoid}
 figure,table{break-inside:avoid}}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_spans(spans: Iterable[Span]) -> str:
    out = []
    for style, text in spans:
        if style == "strong":
            out.append(f"<strong>{_h(text)}</strong>")
        elif style == "code":
            out.append(f"<code>{_h(text)}</code>")
        else:
            out.append(_h(text))
    return "".join(out)


def _html_table(table: _Table) -> str:
    parts = ['<div class="table-wrap"><table>']
    if table.caption:
        parts.append(f"<caption>{_h(table.caption)}</caption>")
    parts.append("<thead><tr>")
    for i, column in enumerate(table.columns):
        cls = ' class="num"' if i in table.numeric else ""
        parts.append(f'<th scope="col"{cls}>{_h(column)}</th>')
    parts.append("</tr></thead><tbody>")
    for row in table.rows:
        parts.append("<tr>")
        for i, value in enumerate(row):
            text = f"<code>{_h(value)}</code>" if i in table.code and value else _h(value)
            cls = ' class="num"' if i in table.numeric else ""
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if i == 0 else ""
            parts.append(f"<{tag}{scope}{cls}>{text}</{tag}>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return "".join(parts)


def _html(
    data: Mapping[str, Any],
    blocks: Sequence[Block],
    fmt: _Fmt,
    svgs: Mapping[str, str],
    note: str | None,
) -> str:
    titles = _chart_titles(data, fmt)
    body: list[str] = []
    toc = [
        (b.anchor, b.text) for b in blocks if isinstance(b, _Heading) and b.level == 2 and b.anchor
    ]
    navigated = False
    for block in blocks:
        if isinstance(block, _Heading) and block.level == 2 and not navigated:
            # the charts note and the contents go just before the first section
            navigated = True
            if note:
                body.append(f'<p class="note" role="note">{_h(note)}</p>')
            links = "".join(f'<li><a href="#{_h(a)}">{_h(t)}</a></li>' for a, t in toc)
            contents = _h(fmt.t("contents"))
            body.append(
                f'<nav aria-labelledby="toc"><h2 id="toc">{contents}</h2><ol>{links}</ol></nav>'
            )
        if isinstance(block, _Heading):
            anchor = f' id="{_h(block.anchor)}"' if block.anchor else ""
            body.append(f"<h{block.level}{anchor}>{_h(block.text)}</h{block.level}>")
        elif isinstance(block, _Banner):
            body.append(f'<div class="banner" role="note">{_h(block.text)}</div>')
        elif isinstance(block, _Para):
            cls = ' class="note"' if block.note else ""
            body.append(f"<p{cls}>{_html_spans(block.spans)}</p>")
        elif isinstance(block, _List):
            body.append(
                "<ul>" + "".join(f"<li>{_html_spans(i)}</li>" for i in block.items) + "</ul>"
            )
        elif isinstance(block, _Table):
            body.append(_html_table(block))
        elif block.name in svgs:
            caption = f"<figcaption>{_h(titles[block.name])}</figcaption>"
            body.append(f'<figure id="chart-{block.name}">{svgs[block.name]}{caption}</figure>')
    footer = _h(fmt.t("generator", generator=data["generator"], schema=data["schema"]))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{fmt.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{_h(data["generator"])}">\n'
        f"<title>{_h(data['title'])}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f'\n</main>\n<footer><div class="wrap">{footer}</div></footer>\n</body>\n</html>\n'
    )


# --------------------------------------------------------------------------- charts

#: matplotlib settings of every chart (on top of matplotlib's defaults), for identical output.
CHART_RC: Mapping[str, Any] = {
    "svg.hashsalt": "readiness-report",
    "svg.fonttype": "none",
    "font.family": ["DejaVu Sans"],
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "text.parse_math": False,
    "figure.dpi": 100,
    "path.simplify": True,
}
_FONT_STACK = "'DejaVu Sans', 'Noto Sans', 'Segoe UI', Arial, sans-serif"
_WIDTH = 7.6  # inches
_VERDICT_COLORS = {
    "done": "#2166ac",
    "on_track": "#92c5de",
    "at_risk": "#f4a582",
    "late": "#b2182b",
    "no_deadline": "#d9d9d9",
}
_CATALOG_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
)
_NA_COLOR = "#d9d9d9"
_ZERO_COLOR = "#fdd9b5"


def _matplotlib() -> Any:
    try:
        import matplotlib as mpl  # noqa: PLC0415 - optional dependency
        import matplotlib.figure  # noqa: PLC0415
        import matplotlib.style  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError(
            "charts need matplotlib: pip install 'readiness[plot]'"
        ) from None
    return mpl


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=True)) or text


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _chart_titles(data: Mapping[str, Any], fmt: _Fmt) -> dict[str, str]:
    period = (data.get("roadmap") or {}).get("period", "quarter")
    return {
        "levels": fmt.t("chart_levels"),
        "domains": fmt.t("chart_domains"),
        "deadlines": fmt.t("chart_deadlines"),
        "roadmap": fmt.t("chart_roadmap", period=fmt.t(period)),
        "facility_levels": fmt.t("chart_facility_levels"),
        "facility_domains": fmt.t("chart_facility_domains"),
        "gantt": fmt.t("chart_gantt"),
    }


def _charts(data: Mapping[str, Any], fmt: _Fmt) -> dict[str, str]:
    """Render every chart of a report as SVG text (deterministic)."""
    mpl = _matplotlib()
    from matplotlib.figure import Figure  # noqa: PLC0415

    titles = _chart_titles(data, fmt)
    builders: list[tuple[str, Callable[[Any, Mapping[str, Any], _Fmt], str | None]]]
    if data["kind"] == "province":
        builders = [("levels", _chart_levels), ("domains", _chart_domains)]
        if data["deadlines"] is not None:
            builders.append(("deadlines", _chart_deadlines))
        if data["roadmap"] is not None and data["roadmap"]["timeline"]:
            builders.append(("roadmap", _chart_roadmap))
    else:
        builders = [
            ("facility_levels", _chart_facility_levels),
            ("facility_domains", _chart_facility_domains),
        ]
        if data["plan"] is not None and data["plan"]["steps"]:
            builders.append(("gantt", _chart_gantt))
    out = {}
    with mpl.style.context("default"), mpl.rc_context(dict(CHART_RC)):
        for name, build in builders:
            fig = Figure(figsize=(_WIDTH, 3), layout="constrained")
            desc = build(fig, data, fmt)
            if desc is None:
                continue
            buffer = io.StringIO()
            fig.savefig(
                buffer,
                format="svg",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
            )
            out[name] = _finish_svg(buffer.getvalue(), name, titles[name], desc)
    return out


def _finish_svg(raw: str, name: str, title: str, desc: str) -> str:
    """Make matplotlib's SVG fit inline: no prolog, unique ids, a title and a description."""
    svg = raw[raw.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    prefix = f"{name}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}{m[1]}"', svg)
    svg = svg.replace("font-family: 'DejaVu Sans'", f"font-family: {_FONT_STACK}")
    end = svg.index(">")
    head = svg[:end] + f' role="img" aria-labelledby="{prefix}title {prefix}desc" class="chart">'
    labels = (
        f'<title id="{prefix}title">{_h(title)}</title><desc id="{prefix}desc">{_h(desc)}</desc>'
    )
    return head + labels + svg[end + 1 :].strip() + "\n"


def _number_axis(ax: Axes, fmt: _Fmt, axis: str = "x") -> None:
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    formatter = FuncFormatter(
        lambda value, _pos: fmt.num(value, 0 if float(value).is_integer() else 1)
    )
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _level_colors(count: int) -> list[str]:
    from matplotlib import colormaps  # noqa: PLC0415
    from matplotlib.colors import to_hex  # noqa: PLC0415

    cmap = colormaps["Blues"]
    if count <= 1:
        return [to_hex(cmap(0.75))] * count
    return [to_hex(cmap(0.35 + 0.6 * i / (count - 1))) for i in range(count)]


def _label(text: str, width: int) -> str:
    """Wrap an axis label on at most two lines of ``width`` characters."""
    lines = textwrap.wrap(text, width, break_long_words=True) or [text]
    if len(lines) > 2:
        lines = [lines[0], _short(" ".join(lines[1:]), width)]
    return "\n".join(lines)


def _chart_levels(fig: Figure, data: Mapping[str, Any], fmt: _Fmt) -> str:
    total = data["groups"]["total"]
    groups = [(fmt.t("all"), total), *((g["label"], g) for g in data["groups"]["rows"])]
    catalogs = data["catalogs"]
    n = len(groups)
    fig.set_size_inches(_WIDTH, sum(0.8 + 0.26 * max(n, len(c["levels"]) + 2) for c in catalogs))
    axes = fig.subplots(len(catalogs), 1, squeeze=False)[:, 0]
    y = np.arange(n)
    desc = []
    for ax, catalog in zip(axes, catalogs, strict=True):
        keys = ["na", "0", *(str(lv["number"]) for lv in catalog["levels"])]
        colors = [_NA_COLOR, _ZERO_COLOR, *_level_colors(len(catalog["levels"]))]
        names = [fmt.t("na"), fmt.t("level_n", n=0)]
        names += [_short(f"{lv['number']}: {lv['title']}", 28) for lv in catalog["levels"]]
        left = np.zeros(n)
        for key, color, label in zip(keys, colors, names, strict=True):
            values = np.array(
                [
                    100 * g["levels"].get(catalog["id"], {}).get(key, 0) / g["rows"]
                    if g["rows"]
                    else 0.0
                    for _, g in groups
                ]
            )
            ax.barh(
                y,
                values,
                left=left,
                color=color,
                label=label,
                height=0.72,
                edgecolor="white",
                linewidth=0.4,
            )
            left += values
        ax.set_yticks(y, labels=[_label(label, 26) for label, _ in groups])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel(fmt.t("pct_facilities"))
        _number_axis(ax, fmt)
        ax.set_title(_wrap(f"{catalog['title']} ({catalog['id']})", 70), loc="left")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
        counts = total["levels"].get(catalog["id"], {})
        desc.append(
            f"{catalog['id']}: "
            + ", ".join(
                f"{name} {fmt.num(counts.get(key, 0))}"
                for key, name in zip(keys, names, strict=True)
            )
        )
    return "; ".join(desc)


def _chart_domains(fig: Figure, data: Mapping[str, Any], fmt: _Fmt) -> str:
    domains = data["domains"]
    catalogs = [c["id"] for c in data["catalogs"]]
    fig.set_size_inches(_WIDTH, 1.1 + 0.24 * len(domains))
    ax = fig.add_subplot()
    y = np.arange(len(domains))
    values = [d["mean"] if d["mean"] is not None else 0.0 for d in domains]
    colors = [_CATALOG_COLORS[catalogs.index(d["catalog"]) % len(_CATALOG_COLORS)] for d in domains]
    ax.barh(y, values, color=colors, height=0.7)
    for i, d in enumerate(domains):
        ax.text(values[i] + 1, i, fmt.score(d["mean"]), va="center", fontsize=7.5)
    ax.set_yticks(y, labels=[_short(d["title"], 44) for d in domains])
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    _number_axis(ax, fmt)
    _catalog_legend(ax, catalogs, [d["catalog"] for d in domains])
    return "; ".join(f"{d['catalog']} {d['title']}: {fmt.score(d['mean'])}" for d in domains)


def _catalog_legend(ax: Axes, catalogs: Sequence[str], used: Sequence[str]) -> None:
    from matplotlib.patches import Patch  # noqa: PLC0415

    handles = [
        Patch(color=_CATALOG_COLORS[catalogs.index(c) % len(_CATALOG_COLORS)], label=c)
        for c in catalogs
        if c in used
    ]
    ax.legend(handles=handles, loc="lower right", framealpha=0.9, frameon=True)


def _chart_deadlines(fig: Figure, data: Mapping[str, Any], fmt: _Fmt) -> str:
    deadlines = data["deadlines"]
    target = deadlines["target"]
    rows = [
        (
            fmt.t("target_row", target=target) if target else fmt.t("target"),
            deadlines["target_counts"],
        )
    ]
    rows += [
        (f"{r['title']} ({', '.join(fmt.date(d) for d in r['dates'])})", r["counts"])
        for r in deadlines["by_deadline"]
    ]
    fig.set_size_inches(_WIDTH, 1.3 + 0.42 * len(rows))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for verdict in _VERDICTS:
        values = np.array([float(c[verdict]) for _, c in rows])
        ax.barh(
            y,
            values,
            left=left,
            color=_VERDICT_COLORS[verdict],
            label=fmt.t(verdict),
            height=0.7,
            edgecolor="white",
            linewidth=0.4,
        )
        left += values
    ax.set_yticks(y, labels=[_label(label, 40) for label, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel(fmt.t("facilities"))
    _number_axis(ax, fmt)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    counts = deadlines["target_counts"]
    return ", ".join(f"{fmt.t(v)} {fmt.num(counts[v])}" for v in _VERDICTS)


def _date_position(iso: str, timeline: Sequence[Mapping[str, Any]], period: str) -> float:
    day = dt.date.fromisoformat(iso)
    starts = [dt.date.fromisoformat(t["start"]) for t in timeline]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else _next_period(start, period)
        if start <= day < end:
            return i + (day - start).days / (end - start).days
    return 0.0 if day < starts[0] else float(len(starts))


def _next_period(start: dt.date, period: str) -> dt.date:
    if period == "year":
        return dt.date(start.year + 1, 1, 1)
    month = start.month + 3
    return dt.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)


def _chart_roadmap(fig: Figure, data: Mapping[str, Any], fmt: _Fmt) -> str:
    roadmap = data["roadmap"]
    timeline = roadmap["timeline"]
    period = roadmap["period"]
    fig.set_size_inches(_WIDTH, 4.8)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(2, 1.2))
    x = np.arange(len(timeline)) + 0.5
    top.bar(x, [t["steps"] for t in timeline], width=0.8, color="#4a90c2")
    top.set_ylabel(fmt.t("steps_finishing"))
    _number_axis(top, fmt, "y")
    shares = [100 * (t["reached_share"] or 0.0) for t in timeline]
    bottom.plot(x, shares, marker="o", markersize=3, color="#1b7837")
    bottom.set_ylim(0, 105)
    bottom.set_ylabel(_label(fmt.t("reached_so_far") + " (%)", 18))
    _number_axis(bottom, fmt, "y")
    bottom.set_xlim(0, len(timeline))
    labels = [_period_label(t["period"], fmt) for t in timeline]
    step = max(1, math.ceil(len(timeline) / 16))
    rotate = len(timeline) > 8
    bottom.set_xticks(
        x[::step],
        labels=labels[::step],
        rotation=45 if rotate else 0,
        ha="right" if rotate else "center",
    )
    ymax = max([t["steps"] for t in timeline] + [1])
    top.set_ylim(0, ymax * 1.4)
    labelled = -math.inf
    for marker in roadmap["deadlines"]:
        pos = _date_position(marker["date"], timeline, period)
        for ax in (top, bottom):
            ax.axvline(pos, color="#b2182b", linestyle="--", linewidth=0.7)
        if pos - labelled >= 0.6:  # keep labels apart
            labelled = pos
            top.text(
                pos,
                ymax * 1.38,
                fmt.date(marker["date"]) + " ",
                rotation=90,
                va="top",
                ha="right",
                fontsize=6.5,
                color="#b2182b",
            )
    busiest = max(timeline, key=lambda t: t["steps"])
    return (
        f"{fmt.t('steps_finishing')}: {fmt.num(roadmap['steps'])}; "
        f"{_period_label(busiest['period'], fmt)}: {fmt.num(busiest['steps'])}; "
        f"{fmt.t('reached_so_far')} {_period_label(timeline[-1]['period'], fmt)}: "
        f"{fmt.pct(timeline[-1]['reached_share'])}; {fmt.t('deadlines_marked')}: "
        + ", ".join(fmt.date(m["date"]) for m in roadmap["deadlines"])
    )


def _chart_facility_levels(fig: Figure, data: Mapping[str, Any], fmt: _Fmt) -> str:
    results = data["results"]
    fig.set_size_inches(_WIDTH, 0.5 + 0.5 * len(results))
    ax = fig.add_subplot()
    desc = []
    for row, result in enumerate(results):
        count = result["max_level"]
        width = 1 / count
        level = result["level"]
        colors = _level_colors(count)
        for i in range(count):
            left = i * width
            if level is None:
                color = _NA_COLOR
            elif i < level:
                color = colors[i]
            else:
                color = "#eef1f5"
            ax.barh(
                row,
                width * 0.96,
                left=left,
                color=color,
                height=0.6,
                edgecolor="#9aa5b1",
                linewidth=0.4,
            )
            if level is not None and i == level and result["progress"]:
                ax.barh(
                    row,
                    width * 0.96 * result["progress"],
                    left=left,
                    color=colors[i],
                    alpha=0.4,
                    height=0.6,
                )
            ink = "white" if level is not None and i < level and i >= count / 2 else "#1d2733"
            ax.text(
                left + width * 0.48,
                row,
                str(i + 1),
                ha="center",
                va="center",
                fontsize=7,
                color=ink,
            )
        shown = fmt.t("na") if level is None else f"{level}/{count}"
        desc.append(f"{result['title']}: {fmt.t('level')} {shown}")
    ax.set_yticks(range(len(results)), labels=[_label(r["title"], 34) for r in results])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    return "; ".join(desc)


def _chart_facility_domains(fig: Figure, data: Mapping[str, Any], fmt: _Fmt) -> str:
    domains = data["domains"]
    catalogs = [c["id"] for c in data["catalogs"]]
    fig.set_size_inches(_WIDTH, 1.1 + 0.24 * len(domains))
    ax = fig.add_subplot()
    y = np.arange(len(domains))
    values = [d["score"] if d["score"] is not None else 0.0 for d in domains]
    colors = [
        _CATALOG_COLORS[catalogs.index(d["catalog"]) % len(_CATALOG_COLORS)]
        if d["catalog"] in catalogs
        else _NA_COLOR
        for d in domains
    ]
    ax.barh(y, values, color=colors, height=0.7)
    for i, d in enumerate(domains):
        text = fmt.score(d["score"]) if d["score"] is not None else fmt.t("na")
        ax.text(values[i] + 1, i, text, va="center", fontsize=7.5)
    peers = [(i, d["peer_mean"]) for i, d in enumerate(domains) if d["peer_mean"] is not None]
    if peers:
        ax.scatter(
            [p for _, p in peers],
            [i for i, _ in peers],
            marker="D",
            s=14,
            color="#1d2733",
            zorder=3,
            label=fmt.t("peer_mean"),
        )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0), ncols=1)
    ax.set_yticks(y, labels=[_short(d["title"], 44) for d in domains])
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    _number_axis(ax, fmt)
    return "; ".join(
        f"{d['catalog']} {d['title']}: "
        + (fmt.score(d["score"]) if d["score"] is not None else fmt.t("na"))
        for d in domains
    )


def _chart_gantt(fig: Figure, data: Mapping[str, Any], fmt: _Fmt) -> str:
    plan = data["plan"]
    steps = plan["steps"]
    fig.set_size_inches(_WIDTH, 1.6 + 0.17 * len(steps))
    ax = fig.add_subplot()
    origin = min(dt.date.fromisoformat(s["start"]) for s in steps)
    ends = []
    for i, step in enumerate(steps):
        start = (dt.date.fromisoformat(step["start"]) - origin).days
        finish = (dt.date.fromisoformat(step["finish"]) - origin).days
        ends.append(finish)
        color = _CATALOG_COLORS[(step["wave"] - 1) % len(_CATALOG_COLORS)]
        ax.barh(i, max(finish - start, 1), left=start, color=color, height=0.7)
    ax.set_yticks(range(len(steps)), labels=[_short(s["title"], 52) for s in steps], fontsize=6.5)
    # deadlines shown when they fall near the plan (a year before its start to a year after)
    span = max(ends)
    dates = sorted({v["date"] for v in plan["verdicts"]})
    marks = [
        (day, iso)
        for iso in dates
        if -365 <= (day := (dt.date.fromisoformat(iso) - origin).days) <= span + 365
    ]
    low = min([0] + [d for d, _ in marks]) - 10
    high = max([span] + [d for d, _ in marks]) + 10
    ax.set_xlim(low, high)
    ax.set_ylim(len(steps) - 0.5, -3.2)  # three rows of room above the first step for labels
    for day, iso in marks:
        ax.axvline(day, color="#b2182b", linestyle="--", linewidth=0.8)
        ax.text(
            day,
            -3.1,
            fmt.date(iso) + " ",
            rotation=90,
            va="top",
            ha="right",
            fontsize=6,
            color="#b2182b",
        )
    ticks = _month_ticks(origin, low, high)
    ax.set_xticks(
        [t for t, _ in ticks], labels=[label for _, label in ticks], rotation=45, ha="right"
    )
    from matplotlib.patches import Patch  # noqa: PLC0415

    waves = sorted({s["wave"] for s in steps})
    ax.legend(
        handles=[
            Patch(color=_CATALOG_COLORS[(w - 1) % len(_CATALOG_COLORS)], label=fmt.t("wave_n", n=w))
            for w in waves
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    return (
        f"{fmt.num(len(steps))} {fmt.t('steps').lower()}, "
        f"{fmt.date(plan['start'])} {_DASH} {fmt.date(plan['finish'])}; "
        + ", ".join(
            f"{fmt.t('wave_n', n=w)}: {sum(1 for s in steps if s['wave'] == w)}" for w in waves
        )
    )


def _month_ticks(origin: dt.date, low: int, high: int) -> list[tuple[int, str]]:
    first = origin + dt.timedelta(days=low)
    last = origin + dt.timedelta(days=high)
    months = (last.year - first.year) * 12 + last.month - first.month
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= 14)
    ticks = []
    year, month = first.year, first.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = dt.date(year, month, 1)
        if day > last:
            break
        if (year * 12 + month - 1) % step == 0:
            ticks.append(((day - origin).days, f"{month:02d}/{year}"))
    return ticks
