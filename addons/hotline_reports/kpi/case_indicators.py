"""The registry of the case indicators (口径): each defined once, here.

An indicator has its code (the key of ``hotline.kpi.case.unit_figures`` and the field of the reports), its label
(the English term the screens and files translate: the addon's zh_CN.po gives it as ``zh``, checked by a test),
its Chinese label ``zh``, its formula text (the field help and USAGE.md's table), the population it counts, its
direction (higher or lower is better, or neither) and its SQL:

- ``count``: a number of dispatches (派单件次) of the unit, each placed in a period by one date of its own
  (``date``, a column of the dispatch rows of kpi/cases.py) when ``condition`` holds (SQL over the row ``d`` and
  the reading time ``r.now``);
- ``rate``: ``numerator / denominator``, two counts placed by the same date (None when the denominator is 0);
- ``hours``: an average or a total of durations, from the summed columns ``sums`` (key -> (date, condition,
  value));
- ``score``: 满意度得分, from the verdicts by level and the configured level scores;
- ``holding``: what the unit holds now (``condition`` over its cases ``c`` and ``r.now``), whatever the period.

The 单位统计分析 view's columns, 综合考核's result fields, the published figures, the scheme's indicators, the XLSX
columns and the KPI table of readme/USAGE.md all come from ``INDICATORS``, in its order.
"""
from dataclasses import dataclass, field

from odoo.tools import SQL

# (非常满意 + 满意 + 基本满意) count as satisfied
SATISFIED_KEYS = ("very_satisfied", "satisfied", "basically_satisfied")
# the satisfaction levels (hotline.satisfaction.level keys), for 满意度得分
LEVELS = (*SATISFIED_KEYS, "dissatisfied", "very_dissatisfied")
LEVEL_NAMES = {"very_satisfied": ("Very Satisfied", "非常满意"), "satisfied": ("Satisfied", "满意"),
               "basically_satisfied": ("Basically Satisfied", "基本满意"), "dissatisfied": ("Dissatisfied", "不满意"),
               "very_dissatisfied": ("Very Dissatisfied", "非常不满意")}

# the XLSX groups of the columns, in order: key -> label (translated where printed)
GROUPS = {"dispatch": "Dispatch", "sign": "Sign For", "handling": "Handling", "review": "Review",
          "callback": "Callback", "holding": "Held Now"}
# what places a dispatch in a period, per date column of the dispatch rows (USAGE.md's table)
PLACED_BY = {
    "dispatched_at": "the dispatch", "accepted_at": "the signing", "sign_due_at": "the signing in time, or the "
    "sign-for deadline passing", "ext_requested_at": "the first request", "ext_approved_at": "the first approval",
    "submitted_at": "the submission", "returned_at": "the return", "settled_at": "the submission or the return",
    "due_at": "the submission in time, or the deadline passing", "reviewed_at": "the review",
    "approved_at": "the approval", "rejected_at": "the rejection", "unreachable_at": "the callback's end",
    "refused_at": "the callback's end", "urged_at": "the first urging", "evaluated_at": "the caller's verdict",
    "concluded_at": "the rejection or the caller's verdict",
}

_SIGN_DUE = SQL("d.sign_due_at <= r.now")
_SIGNED_ON_TIME = SQL("d.accepted_at IS NOT NULL AND (d.sign_deadline IS NULL OR d.accepted_at <= d.sign_deadline)")
_DUE = SQL("d.due_at <= r.now")
_ON_TIME = SQL("d.submitted_at IS NOT NULL AND (d.deadline IS NULL OR d.submitted_at <= d.deadline)")
_SATISFIED = SQL("d.callback_at IS NOT NULL AND d.satisfaction IN %s", SATISFIED_KEYS)
_LATE_END = SQL("COALESCE(d.submitted_at, d.returned_at)")
TRUE = SQL("TRUE")


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    zh: str
    kind: str  # count | rate | hours | score | holding
    formula: str
    group: str
    direction: str = ""  # "up": higher is better; "down": lower is better; "": neither
    date: str = ""  # count: the dispatch's date placing it in a period
    condition: SQL = TRUE  # count, holding
    ratio: tuple = ()  # rate: (numerator, denominator)
    sums: dict = field(default_factory=dict)  # hours: summed key -> (date, condition, value in hours)
    figure: str = ""  # the key of the assessment's and the XLSX's figure, when not the code

    @property
    def key(self):
        """The figure's key on 综合考核's results, the published figures and the XLSX."""
        return self.figure or self.code

    @property
    def population(self):
        """What the indicator counts in, as USAGE.md's table prints it."""
        if self.kind == "count":
            return f"placed by {PLACED_BY[self.date]}"
        if self.kind == "rate":
            return f"`{self.ratio[0]}` ÷ `{self.ratio[1]}`"
        if self.kind == "hours":
            return f"placed by {PLACED_BY[next(iter(self.sums.values()))[0]]}"
        if self.kind == "holding":
            return "the unit's cases now, whatever the period"
        return "the verdicts (`rated_*`), by the levels' scores"


def _count(code, label, zh, date, formula, group, condition=TRUE, direction="", figure=""):
    return Indicator(code, label, zh, "count", formula, group, direction, date, condition, figure=figure)


def _rate(code, label, zh, ratio, formula, group, direction):
    return Indicator(code, label, zh, "rate", formula, group, direction, ratio=ratio)


def _hours(code, label, zh, sums, formula, group):
    return Indicator(code, label, zh, "hours", formula, group, "down", sums=sums)


def _holding(code, label, zh, condition, formula, direction=""):
    return Indicator(code, label, zh, "holding", formula, "holding", direction, condition=condition)


INDICATORS = (
    _count("dispatches", "Dispatches", "派单件次", "dispatched_at",
           "派单件次: dispatches to the unit (a case sent again counts again), by dispatch.", "dispatch"),
    _count("dispatched", "Cases Dispatched", "派单量（件）", "dispatched_at",
           "派单量: of the dispatches, the cases dispatched to the unit for the first time.", "dispatch",
           SQL("d.first_to_unit")),
    _count("signed", "Signed For", "签收", "accepted_at", "签收: dispatches signed for, by signing.", "sign"),
    _count("sign_due", "Sign-for Due", "应签收", "sign_due_at",
           "应签收: dispatches signed for in time, or whose sign-for deadline passed, by that moment.", "sign",
           _SIGN_DUE),
    _count("signed_on_time", "Signed For on Time", "及时签收", "sign_due_at",
           "及时签收: of the sign-for due, signed for by the sign-for deadline.", "sign",
           SQL("%s AND %s", _SIGN_DUE, _SIGNED_ON_TIME)),
    _rate("sign_on_time_rate", "On-time Sign-for Rate", "及时签收率", ("signed_on_time", "sign_due"),
          "及时签收率 = signed for on time ÷ sign-for due.", "sign", "up"),
    _hours("avg_sign_hours", "Average Sign-for Time", "平均签收用时",
           {"sign_hours": ("accepted_at", TRUE, SQL("EXTRACT(EPOCH FROM d.accepted_at - d.dispatched_at) / 3600.0"))},
           "平均签收用时: the mean of (signed for − dispatched) over the dispatches signed for.", "sign"),
    _count("submitted", "Submitted", "提交", "submitted_at", "提交: results submitted, by submission.", "handling"),
    _count("returned", "Returned", "退单", "returned_at", "退单: dispatches returned by the unit, by the return.",
           "handling"),
    _count("settled", "Submitted or Returned", "提交或退单", "settled_at",
           "The unit let the case go: result submitted or case returned.", "handling"),
    _rate("return_rate", "Return Rate", "退单率", ("returned", "settled"),
          "退单率 = returned ÷ submitted or returned.", "handling", "down"),
    # placed by the dispatch, so that 不当退单率 divides dispatches by dispatches; 合理 and 待裁定 never count
    _count("returned_improper", "Improper Returns", "不当退单", "dispatched_at",
           "不当退单: dispatches whose return the center ruled improper, by dispatch (justified returns and returns "
           "awaiting ruling are not counted).", "handling", SQL("d.return_ruling = 'improper'"), "down"),
    _rate("improper_return_rate", "Improper Return Rate", "不当退单率", ("returned_improper", "dispatches"),
          "不当退单率 = improper returns ÷ dispatches.", "handling", "down"),
    _count("extension_requested", "Extensions Requested", "延期申请", "ext_requested_at",
           "延期申请: dispatches with an extension requested, by the first request.", "handling"),
    _count("extended", "Extensions Approved", "延期批准", "ext_approved_at",
           "延期批准: dispatches with an extension approved, by the first approval.", "handling"),
    _count("due", "Due", "应办结", "due_at",
           "应办结: results submitted in time, or dispatches whose deadline passed, by that moment.", "handling",
           _DUE),
    _count("handled_on_time", "Handled on Time", "按时办结", "due_at",
           "按时办结: of the due, submitted by the (extended) deadline.", "handling", SQL("%s AND %s", _DUE, _ON_TIME)),
    _rate("on_time_rate", "On-time Rate", "按时办结率", ("handled_on_time", "due"),
          "按时办结率 = handled on time ÷ due.", "handling", "up"),
    _count("due_extended", "Due and Extended", "应办结中延期", "due_at",
           "Of the due, with an extension approved (延期率's numerator).", "handling",
           SQL("%s AND d.ext_approved_at IS NOT NULL", _DUE)),
    _rate("extension_rate", "Extension Rate", "延期率", ("due_extended", "due"),
          "延期率 = due and extended ÷ due.", "handling", "down"),
    _count("overdue", "Overdue Cases", "超期件数", "due_at",
           "超期: of the due, submitted or returned late, or still not submitted.", "handling",
           SQL("%s AND NOT (%s)", _DUE, _ON_TIME), "down", "overdue_count"),
    # the overdue time of a dispatch still open grows with the clock: its deadline is summed, the hours are
    # count × now − sum (exact, whatever the reading time)
    _hours("overdue_hours", "Overdue Time", "超期时长", {
        "overdue_late_hours": ("due_at", SQL("%s AND NOT (%s) AND %s IS NOT NULL", _DUE, _ON_TIME, _LATE_END),
                               SQL("EXTRACT(EPOCH FROM %s - d.deadline) / 3600.0", _LATE_END)),
        "overdue_open": ("due_at", SQL("%s AND %s IS NULL", _DUE, _LATE_END),
                         SQL("EXTRACT(EPOCH FROM d.deadline) / 3600.0")),
    }, "超期时长: Σ (submission, return or now − deadline) over the overdue cases.", "handling"),
    _count("urged", "Urged", "督办", "urged_at", "督办: dispatches a supervisor urged, by the first urging.",
           "handling", direction="down"),
    _hours("avg_handle_hours", "Average Handling Time", "平均办理用时", {
        "handle_hours": ("submitted_at", SQL("d.accepted_at IS NOT NULL"),
                         SQL("EXTRACT(EPOCH FROM d.submitted_at - d.accepted_at) / 3600.0")),
    }, "平均办理用时: the mean of (submitted − signed for) over the results submitted.", "handling"),
    # 办理结果: each dispatch ends with one result at most (a rejection sends the case back to the pool, a 重办 or
    # a new dispatch starts a new one), counted against the unit that submitted it, in the period it did
    _count("results_reported", "Handling Results Reported", "上报办理结果", "submitted_at",
           "上报办理结果: results submitted with their 办理结果 (解决, 部分解决, 未解决, 不办理), by submission.",
           "handling", SQL("d.submitted_result IS NOT NULL")),
    _count("results_resolved", "Reported Resolved", "上报解决", "submitted_at",
           "上报解决: of those, submitted as 解决 and not rejected at review.", "handling",
           SQL("d.submitted_result = 'resolved' AND d.rejected_at IS NULL"), "up"),
    _rate("resolution_rate", "Resolution Rate", "解决率", ("results_resolved", "results_reported"),
          "解决率 = reported resolved ÷ handling results reported (a returned case has no result; a rejected 解决 "
          "is not resolved).", "handling", "up"),
    _count("reviewed", "Reviewed", "审核", "reviewed_at", "审核: results reviewed, by the review.", "review"),
    _count("approved", "Approved", "审核通过", "approved_at", "审核通过: results approved at review.", "review"),
    _count("rejected", "Rejected", "驳回", "rejected_at", "驳回: results rejected at review.", "review"),
    _rate("close_rate", "Approval Rate", "审核通过率", ("approved", "reviewed"),
          "审核通过率 = approved ÷ reviewed.", "review", "up"),
    _hours("avg_review_hours", "Average Review Time", "平均审核用时", {
        "review_hours": ("reviewed_at", SQL("d.submitted_at IS NOT NULL"),
                         SQL("EXTRACT(EPOCH FROM d.reviewed_at - d.submitted_at) / 3600.0")),
    }, "平均审核用时: the mean of (review − submitted) over the results reviewed.", "review"),
    _count("callbacks_due", "Callbacks Due", "应回访", "approved_at",
           "应回访: results approved at review, by the approval.", "callback"),
    _count("callbacks_done", "Callbacks Done", "已回访", "approved_at",
           "已回访: of those, whose callback ended: rated, reopened (不满意 → 重办), caller unreachable after every "
           "attempt (无法联系) or declined to rate (拒绝评价). 回访率 = callbacks done ÷ callbacks due.", "callback",
           SQL("d.called_back_at IS NOT NULL")),
    _rate("callback_rate", "Callback Rate", "回访率", ("callbacks_done", "callbacks_due"),
          "回访率 = callbacks done ÷ callbacks due: a callback that reached no one after every attempt is done, an "
          "attempt alone is not.", "callback", "up"),
    _count("callback_unreachable", "Caller Unreachable", "无法联系", "unreachable_at",
           "无法联系: callbacks closed after every attempt failed; not an evaluation (not rated, not in 满意率).",
           "callback"),
    _count("callback_refused", "Declined to Rate", "拒绝评价", "refused_at",
           "拒绝评价: callbacks where the caller declined to rate; not an evaluation (not rated, not in 满意率).",
           "callback"),
    _count("rated", "Rated", "参评", "evaluated_at",
           "参评: the caller's verdicts on the unit's results (a rating, or 不满意 leading to 重办), by the callback.",
           "callback"),
    _count("satisfied", "Satisfied", "满意", "evaluated_at",
           "满意: of the rated, very satisfied, satisfied or basically satisfied.", "callback", _SATISFIED),
    _rate("satisfaction_rate", "Satisfaction Rate", "满意率", ("satisfied", "rated"),
          "满意率 = satisfied ÷ rated (无法联系 and 拒绝评价 are not rated).", "callback", "up"),
    *(_count(f"rated_{level}", f"Rated {LEVEL_NAMES[level][0]}", LEVEL_NAMES[level][1], "evaluated_at",
             {"dissatisfied": "Of the rated, dissatisfied (a 重办 included)."}.get(
                 level, f"Of the rated, {LEVEL_NAMES[level][0].lower()}."), "callback",
             SQL("d.verdict = %s", level)) for level in LEVELS),
    Indicator("satisfaction_score", "Satisfaction Score", "满意度得分", "score",
              "满意度得分: the mean score (Satisfaction Levels) of the callers' verdicts; blank without verdict.",
              "callback", "up"),
    _count("redone", "Redone", "重办", "evaluated_at",
           "重办: of the rated, 不满意 leading to 重办 (the redone result is rated again).", "callback",
           SQL("d.reopened_at IS NOT NULL"), "down"),
    _rate("redo_rate", "Redo Rate", "重办率", ("redone", "rated"), "重办率 = redone ÷ rated.", "callback", "down"),
    _count("concluded", "Concluded", "结果定论", "concluded_at",
           "Results rejected at review or judged by the caller, by that moment.", "callback"),
    _count("first_time_closed", "Closed First Time", "一次性办结", "concluded_at",
           "一次性办结: of the concluded, the unit's first result on the case, approved and the caller satisfied.",
           "callback", SQL("d.first_result AND %s", _SATISFIED)),
    _rate("first_time_closed_rate", "First-time Rate", "一次性办结率", ("first_time_closed", "concluded"),
          "一次性办结率 = closed first time ÷ concluded: other units' history does not count.", "callback", "up"),
    _holding("holding_dispatched", "Waiting to Be Signed For", "待签收", SQL("c.state = 'dispatched'"),
             "待签收: the unit's cases waiting to be signed for, now."),
    _holding("holding_processing", "Being Handled", "处理中", SQL("c.state = 'processing'"),
             "处理中: the unit's cases being handled, now."),
    _holding("holding_submitted", "Submitted, Waiting for Review", "已提交待审核", SQL("c.state = 'submitted'"),
             "已提交: the unit's results waiting for review, now."),
    # the case list's 已超期: past the deadline, or waiting to be signed for past the sign-for deadline
    _holding("holding_overdue", "Overdue Now", "当前超期",
             SQL("((c.state IN ('dispatched', 'processing') AND c.deadline < r.now)"
                 " OR (c.state = 'dispatched' AND c.sign_deadline < r.now))"),
             "超期: the unit's cases past their deadline, or waiting to be signed for past the sign-for deadline, "
             "now (the case list's 已超期).", "down"),
)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


def of_kind(*kinds):
    return [indicator for indicator in INDICATORS if indicator.kind in kinds]


# What a scheme scores (a higher rate is better; the others work as deductions, e.g. 不当退单, 重办)
SCORED_RATES = [indicator for indicator in of_kind("rate") if indicator.direction == "up"]


def markdown_table():
    """USAGE.md's KPI table (readme/USAGE.md between its markers; a test keeps them equal)."""
    arrows = {"up": "↑ higher is better", "down": "↓ lower is better", "": "—"}
    lines = ["| 指标 | code | 口径 (formula) | population | direction |", "|---|---|---|---|---|"]
    lines += [f"| {i.zh} | `{i.code}` | {i.formula.replace('|', '/')} | {i.population} | {arrows[i.direction]} |"
              for i in INDICATORS]
    return "\n".join(lines)
