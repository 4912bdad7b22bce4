"""The case KPIs (口径) of the hotline, counted per dispatch (派单件次), defined once.

Every dispatch log line (分理 / 自调度) starts a *dispatch*: the unit named on that line holds the case
until the next dispatch line of the case. Every later step of the case up to then — signing for,
returning, extensions, the result, its review, the callback's verdict — belongs to that dispatch and so
to that unit, whatever happens to the case afterwards (returned, redone, handed over to another unit).

Each figure is a count of dispatches placed in a period by one date (``DISPATCH_MEASURES``: the date
column and the condition); a rate divides two counts placed by the same date (``RATES``), so its
numerator is always a part of its denominator. The figures, the stored per-day facts
(kpi/case_facts.py), the 单位统计分析 view and the drill-down are all built from these tables.
"""
from datetime import datetime

# (非常满意 + 满意 + 基本满意) count as satisfied
SATISFIED_KEYS = ("very_satisfied", "satisfied", "basically_satisfied")
# the satisfaction levels (hotline.satisfaction.level keys), for 满意度得分
LEVELS = (*SATISFIED_KEYS, "dissatisfied", "very_dissatisfied")

# One row per dispatch of the cases `cases` selects (SQL returning case ids), alias-free columns:
#   case_id, n (the dispatch's number in the case), dispatch_id (its log line), unit_id, dispatched_at,
#   sign_deadline, deadline (the dispatch's, moved by its approved extensions), accepted_at, returned_at,
#   ext_requested_at, ext_approved_at, submitted_at, approved_at, rejected_at, callback_at (closed with a
#   rating), reopened_at (重办: the caller not satisfied), unreachable_at / refused_at (closed after the callback
#   as 无法联系 / 拒绝评价: no evaluation), urged_at (the first 督办), return_ruling (the center's ruling of the
#   dispatch's return: pending / justified / improper), satisfaction (the case's rating: only a dispatch
#   ended by the callback has one), first_to_unit (the case's first dispatch to this unit), first_result (no
#   earlier result of this unit on the case), and the derived dates below. Cancelled cases (invalid calls,
#   merged duplicates) are left out.
_SEGMENT = """
    SELECT l.case_id, l.id, l.action, l.unit_id, l.date, l.deadline, l.sign_deadline, l.return_ruling,
           COUNT(*) FILTER (WHERE l.action IN ('dispatch', 'self_dispatch'))
               OVER (PARTITION BY l.case_id ORDER BY l.id) AS n
      FROM hotline_case_log l WHERE l.case_id IN ({cases})"""


def _first(action):
    return f"MIN(s.date) FILTER (WHERE s.action = '{action}')"


_DISPATCH = """s.action IN ('dispatch', 'self_dispatch')"""
_GROUPED = f"""
    SELECT s.case_id, s.n, MIN(s.id) AS dispatch_id,
           MAX(s.unit_id) FILTER (WHERE {_DISPATCH}) AS unit_id,
           MIN(s.date) FILTER (WHERE {_DISPATCH}) AS dispatched_at,
           MAX(s.sign_deadline) FILTER (WHERE {_DISPATCH}) AS sign_deadline,
           MAX(s.deadline) FILTER (WHERE {_DISPATCH} OR s.action = 'approve_extension') AS deadline,
           {_first("accept")} AS accepted_at, {_first("return")} AS returned_at,
           {_first("request_extension")} AS ext_requested_at, {_first("approve_extension")} AS ext_approved_at,
           {_first("submit")} AS submitted_at, {_first("review_approve")} AS approved_at,
           {_first("review_reject")} AS rejected_at, {_first("callback_done")} AS callback_at,
           {_first("reopen")} AS reopened_at, {_first("callback_unreachable")} AS unreachable_at,
           {_first("callback_refused")} AS refused_at, {_first("urge")} AS urged_at,
           MAX(s.return_ruling) FILTER (WHERE s.action = 'return') AS return_ruling
      FROM ({_SEGMENT}) s
     WHERE s.n > 0
  GROUP BY s.case_id, s.n"""

# The dates derived from a dispatch's steps (alias g = the grouped row):
DERIVED = {
    # 签收 falls due when signed for in time, else when the sign-for deadline passed (signed late, or
    # not at all and neither returned before it); a dispatch returned unsigned before its deadline never does
    "sign_due_at": """CASE WHEN g.accepted_at IS NOT NULL AND (g.sign_deadline IS NULL
                                                              OR g.accepted_at <= g.sign_deadline)
                           THEN g.accepted_at
                           WHEN g.sign_deadline < COALESCE(g.accepted_at, g.returned_at, 'infinity')
                           THEN g.sign_deadline END""",
    # 办理 falls due when the result is submitted in time, else when the deadline passed
    "due_at": """CASE WHEN g.submitted_at IS NOT NULL AND (g.deadline IS NULL OR g.submitted_at <= g.deadline)
                      THEN g.submitted_at
                      WHEN g.deadline < COALESCE(g.submitted_at, g.returned_at, 'infinity') THEN g.deadline END""",
    # the unit let the case go: by its result or by a return (a return is possible before a result only)
    "settled_at": "COALESCE(g.submitted_at, g.returned_at)",
    # the result's review: approved or rejected
    "reviewed_at": "COALESCE(g.approved_at, g.rejected_at)",
    # the caller's verdict on the result: a rating at the callback, or 不满意 leading to 重办
    "evaluated_at": "COALESCE(g.callback_at, g.reopened_at)",
    # the callback ended, with a verdict or without one (无法联系 after every attempt, 拒绝评价)
    "called_back_at": "COALESCE(g.callback_at, g.reopened_at, g.unreachable_at, g.refused_at)",
    # the result's last word: rejected at review, or the caller's verdict
    "concluded_at": "COALESCE(g.rejected_at, g.callback_at, g.reopened_at)",
}


def dispatch_rows_sql(cases):
    """SELECT of the dispatch rows of the cases `cases` (SQL returning case ids); see the table above."""
    derived = ", ".join(f"{expr} AS {name}" for name, expr in DERIVED.items())
    return f"""
    SELECT g.*, c.satisfaction, {derived},
           CASE WHEN g.callback_at IS NOT NULL THEN c.satisfaction
                WHEN g.reopened_at IS NOT NULL THEN 'dissatisfied' END AS verdict,
           ROW_NUMBER() OVER (PARTITION BY g.case_id, g.unit_id ORDER BY g.n) = 1 AS first_to_unit,
           COUNT(g.submitted_at) OVER (PARTITION BY g.case_id, g.unit_id ORDER BY g.n
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) = 0 AS first_result
      FROM ({_GROUPED.format(cases=cases)}) g
      JOIN hotline_case c ON c.id = g.case_id AND c.state <> 'cancelled'
     WHERE g.unit_id IS NOT NULL"""


def candidate_cases_sql(start, end, unit_filter=""):
    """Cases one of whose dispatches can have a date in [start, end): every date of a dispatch is the
    date, the deadline or the sign-for deadline of one of its log lines (all of them name the unit
    holding the case, the dispatch's). `unit_filter`: a condition on l.unit_id, or ''."""
    units = f"AND {unit_filter}" if unit_filter else ""
    return " UNION ".join(
        f"SELECT l.case_id FROM hotline_case_log l WHERE l.{column} >= {start} AND l.{column} < {end} {units}"
        for column in ("date", "deadline", "sign_deadline"))


# %(now)s: the time of the reading (a step not yet due is not counted); %(satisfied)s: SATISFIED_KEYS
_SIGN_DUE = "d.sign_due_at <= %(now)s"
_SIGNED_ON_TIME = "d.accepted_at IS NOT NULL AND (d.sign_deadline IS NULL OR d.accepted_at <= d.sign_deadline)"
_DUE = "d.due_at <= %(now)s"
_ON_TIME = "d.submitted_at IS NOT NULL AND (d.deadline IS NULL OR d.submitted_at <= d.deadline)"
_SATISFIED = "d.callback_at IS NOT NULL AND d.satisfaction IN %(satisfied)s"

# Counts: key -> (the dispatch's date placing it in a period, the condition). A dispatch of unit u counts
# in figure k for period P when that date is in P and the condition holds.
DISPATCH_MEASURES = {
    # 派单件次: dispatches to the unit (a case returned and sent again counts again)
    "dispatches": ("dispatched_at", "TRUE"),
    # 派单量（件）: cases dispatched to the unit for the first time (a case counts once per unit)
    "dispatched": ("dispatched_at", "d.first_to_unit"),
    # 签收
    "signed": ("accepted_at", "TRUE"),
    # 应签收: signed for in time, or the sign-for deadline passed
    "sign_due": ("sign_due_at", _SIGN_DUE),
    # 及时签收: of those, signed for by the sign-for deadline (none = in time)
    "signed_on_time": ("sign_due_at", f"{_SIGN_DUE} AND {_SIGNED_ON_TIME}"),
    # 延期申请 / 延期批准: dispatches with an extension asked / approved (the first of each)
    "extension_requested": ("ext_requested_at", "TRUE"),
    "extended": ("ext_approved_at", "TRUE"),
    # 提交: results submitted
    "submitted": ("submitted_at", "TRUE"),
    # 退单: returns
    "returned": ("returned_at", "TRUE"),
    # 不当退单: of the dispatches, those whose return the center ruled improper (placed by the dispatch, so that
    # 不当退单率 divides dispatches by dispatches; a 合理 or 待裁定 return never counts here)
    "returned_improper": ("dispatched_at", "d.return_ruling = 'improper'"),
    # 办理完毕: the unit let the case go, by its result (提交) or by a return (退单)
    "settled": ("settled_at", "TRUE"),
    # 应办结: submitted in time, or the deadline passed
    "due": ("due_at", _DUE),
    # 按时办结: of those, submitted by the (extended) deadline
    "handled_on_time": ("due_at", f"{_DUE} AND {_ON_TIME}"),
    # 超期: of those, submitted late, returned after the deadline or still not submitted
    "overdue": ("due_at", f"{_DUE} AND NOT ({_ON_TIME})"),
    # 延期（应办结中）: of those, with an extension approved
    "due_extended": ("due_at", f"{_DUE} AND d.ext_approved_at IS NOT NULL"),
    # 审核 / 审核通过 / 驳回: results reviewed, approved, rejected
    "reviewed": ("reviewed_at", "TRUE"),
    "approved": ("approved_at", "TRUE"),
    "rejected": ("rejected_at", "TRUE"),
    # 应回访: results approved at review; 已回访: of those, whose callback ended — rated, reopened (不满意 → 重办),
    # caller unreachable after every attempt (无法联系) or declined to rate (拒绝评价)
    "callbacks_due": ("approved_at", "TRUE"),
    "callbacks_done": ("approved_at", "d.called_back_at IS NOT NULL"),
    # 无法联系 / 拒绝评价: callbacks ended without an evaluation (never in 参评 nor 满意率), by that moment
    "callback_unreachable": ("unreachable_at", "TRUE"),
    "callback_refused": ("refused_at", "TRUE"),
    # 督办: dispatches a supervisor urged (督办, not the automatic reminder), by the first urging
    "urged": ("urged_at", "TRUE"),
    # 参评: the caller's verdicts on the unit's results (a rating, or 不满意 leading to 重办)
    "rated": ("evaluated_at", "TRUE"),
    # 满意: of those, 非常满意 / 满意 / 基本满意
    "satisfied": ("evaluated_at", _SATISFIED),
    # 重办: of those, 不满意 leading to 重办 (the redone result is a new dispatch, rated again)
    "redone": ("evaluated_at", "d.reopened_at IS NOT NULL"),
    # 满意度分布: the verdicts by level (不满意 leading to 重办 counts as 不满意), for 满意度得分
    **{f"rated_{level}": ("evaluated_at", f"d.verdict = '{level}'") for level in LEVELS},
    # 结果定论: results rejected at review or judged by the caller
    "concluded": ("concluded_at", "TRUE"),
    # 一次性办结: of those, the unit's first result on the case, approved and the caller satisfied
    "first_time_closed": ("concluded_at", f"d.first_result AND {_SATISFIED}"),
}

# Rates: (numerator, denominator), both placed by the same date. None when the denominator is 0.
RATES = {
    "sign_on_time_rate": ("signed_on_time", "sign_due"),  # 及时签收率
    "on_time_rate": ("handled_on_time", "due"),  # 按时办结率
    "close_rate": ("approved", "reviewed"),  # 审核通过率
    "first_time_closed_rate": ("first_time_closed", "concluded"),  # 一次性办结率
    "return_rate": ("returned", "settled"),  # 退单率
    "improper_return_rate": ("returned_improper", "dispatches"),  # 不当退单率
    "redo_rate": ("redone", "rated"),  # 重办率
    "extension_rate": ("due_extended", "due"),  # 延期率
    "callback_rate": ("callbacks_done", "callbacks_due"),  # 回访率
    "satisfaction_rate": ("satisfied", "rated"),  # 满意率
}

_LATE_END = "COALESCE(d.submitted_at, d.returned_at)"
# Durations (hours) summed and counted per period: key -> (date, condition, value); avg = sum / count. The
# overdue time of a dispatch still open grows with the clock: its deadline is summed, the hours are
# count * now - sum (exact, whatever the reading time).
HOUR_MEASURES = {
    # 签收用时: signed − dispatched
    "sign_hours": ("accepted_at", "TRUE", "EXTRACT(EPOCH FROM d.accepted_at - d.dispatched_at) / 3600.0"),
    # 办理用时: submitted − signed
    "handle_hours": ("submitted_at", "d.accepted_at IS NOT NULL",
                     "EXTRACT(EPOCH FROM d.submitted_at - d.accepted_at) / 3600.0"),
    # 审核用时: review decision − submitted
    "review_hours": ("reviewed_at", "d.submitted_at IS NOT NULL",
                     "EXTRACT(EPOCH FROM d.reviewed_at - d.submitted_at) / 3600.0"),
    # 超期时长 of the overdue dispatches ended (submitted late, returned late): end − deadline
    "overdue_late_hours": ("due_at", f"{_DUE} AND NOT ({_ON_TIME}) AND {_LATE_END} IS NOT NULL",
                           f"EXTRACT(EPOCH FROM {_LATE_END} - d.deadline) / 3600.0"),
    # 超期时长 of the overdue dispatches still open: now − deadline, from the sum of their deadlines
    "overdue_open": ("due_at", f"{_DUE} AND {_LATE_END} IS NULL", "EXTRACT(EPOCH FROM d.deadline) / 3600.0"),
}

# every summed column of a unit's figures (the stored facts hold these per unit and local day)
SUM_COLUMNS = [*DISPATCH_MEASURES, *(f"{key}_{part}" for key in HOUR_MEASURES for part in ("sum", "n"))]
COUNT_KEYS = list(DISPATCH_MEASURES)
DATE_COLUMNS = list(dict.fromkeys([*(d for d, _c in DISPATCH_MEASURES.values()),
                                   *(d for d, _c, _v in HOUR_MEASURES.values())]))


def _family(date_column, by_day, days):
    """Per unit (and local day), the columns placed by `date_column` (the others NULL), over the rows d.
    A date still to come (a deadline) places nothing yet: no figure counts a future moment."""
    columns = []
    for key, (date, cond) in DISPATCH_MEASURES.items():
        columns.append(f"COUNT(*) FILTER (WHERE {cond}) AS {key}" if date == date_column else f"NULL::numeric AS {key}")
    for key, (date, cond, value) in HOUR_MEASURES.items():
        if date == date_column:
            columns += [f"SUM({value}) FILTER (WHERE {cond}) AS {key}_sum",
                        f"COUNT({value}) FILTER (WHERE {cond}) AS {key}_n"]
        else:
            columns += [f"NULL::numeric AS {key}_sum", f"NULL::numeric AS {key}_n"]
    day = f", (d.{date_column} AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date" if by_day else ""
    day_filter = f"AND (d.{date_column} AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date = ANY({days})" if days else ""
    return f"""
        SELECT d.unit_id{day}, {", ".join(columns)} FROM d {"CROSS JOIN tz" if by_day else ""}
         WHERE d.{date_column} >= {{start}} AND d.{date_column} < {{end}} AND d.{date_column} <= %(now)s {day_filter}
         GROUP BY 1{", 2" if by_day else ""}"""


def unit_sums_sql(start="%(start)s", end="%(end)s", units=None, days=None, tz_sql=None):
    """One statement: per unit (and local day when `tz_sql` is given), every column of SUM_COLUMNS over the
    dispatch dates in [start, end). `units`: SQL of an int[] (None: every unit); `tz_sql`: the center's time
    zone, to group by local day as well; `days`: SQL of a date[] the local day must be in. %(now)s and
    %(satisfied)s remain parameters (the caller substitutes them)."""
    by_day = tz_sql is not None
    unit_filter = f"({units} IS NULL OR l.unit_id = ANY({units}))" if units else ""
    families = " UNION ALL ".join(_family(column, by_day, days).format(start=start, end=end)
                                  for column in DATE_COLUMNS)
    sums = ", ".join(f"SUM(f.{key}) AS {key}" for key in SUM_COLUMNS)
    final_units = f"WHERE ({units} IS NULL OR f.unit_id = ANY({units}))" if units else ""
    tz = f"tz AS (SELECT {tz_sql} AS name), " if by_day else ""
    day_cols = ("unit_id", "day") if by_day else ("unit_id",)
    return f"""
        WITH {tz}d AS MATERIALIZED ({dispatch_rows_sql(candidate_cases_sql(start, end, unit_filter))})
        SELECT f.{", f.".join(day_cols)}, {sums}
          FROM ({families}) f({", ".join(day_cols)}, {", ".join(SUM_COLUMNS)})
          {final_units}
      GROUP BY {", ".join(f"f.{c}" for c in day_cols)}"""


def figures_from_sums(row, now, level_scores=None):
    """The unit's figures (see HotlineKpiCase) from the summed columns, at the reading time `now` (UTC naive);
    `level_scores`: {level: score} of hotline.satisfaction.level, for 满意度得分."""
    figures = {key: int(row.get(key) or 0) for key in COUNT_KEYS}
    # 满意度得分: the mean score of the verdicts, from their counts by level (the scores as configured now)
    scored = [(figures[f"rated_{level}"], (level_scores or {}).get(level)) for level in LEVELS]
    scored = [(n, score) for n, score in scored if n and score is not None]
    n_scored = sum(n for n, _score in scored)
    figures["satisfaction_score"] = sum(n * score for n, score in scored) / n_scored if n_scored else None

    def avg(key):
        n = row.get(f"{key}_n") or 0
        return float(row[f"{key}_sum"]) / n if n else None

    now_hours = (now - datetime(1970, 1, 1)).total_seconds() / 3600.0
    figures["overdue_count"] = figures["overdue"]
    figures["overdue_hours"] = (float(row.get("overdue_late_hours_sum") or 0)
                                + (row.get("overdue_open_n") or 0) * now_hours
                                - float(row.get("overdue_open_sum") or 0))
    figures["avg_sign_hours"] = avg("sign_hours")
    figures["avg_handle_hours"] = avg("handle_hours")
    figures["avg_review_hours"] = avg("review_hours")
    for rate, (num, den) in RATES.items():
        figures[rate] = figures[num] / figures[den] if figures[den] else None
    return figures


# What a unit holds now (not a period's figure): key -> condition on its cases c at %(now)s
HOLDING = {
    "holding_dispatched": "c.state = 'dispatched'",  # 待签收
    "holding_processing": "c.state = 'processing'",  # 处理中
    "holding_submitted": "c.state = 'submitted'",  # 已提交
    # 超期: the case list's 已超期 (past the deadline, or waiting to be signed for past the sign-for deadline)
    "holding_overdue": "((c.state IN ('dispatched', 'processing') AND c.deadline < %(now)s)"
                       " OR (c.state = 'dispatched' AND c.sign_deadline < %(now)s))",
}


def holding_sql(unit_filter=""):
    columns = ", ".join(f"COUNT(*) FILTER (WHERE {cond}) AS {key}" for key, cond in HOLDING.items())
    return f"""SELECT c.unit_id, {columns} FROM hotline_case c
                WHERE c.state IN ('dispatched', 'processing', 'submitted') AND c.unit_id IS NOT NULL {unit_filter}
             GROUP BY c.unit_id"""
