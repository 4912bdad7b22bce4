"""The case KPIs (口径) of the hotline, counted per dispatch (派单件次): the SQL of the registry's indicators.

Every dispatch log line (分理 / 自调度) starts a *dispatch*: the unit named on that line holds the case
until the next dispatch line of the case. Every later step of the case up to then — signing for,
returning, extensions, the result, its review, the callback's verdict — belongs to that dispatch and so
to that unit, whatever happens to the case afterwards (returned, redone, handed over to another unit).

Each indicator is defined once in kpi/case_indicators.py (label, formula, direction and SQL); this module
builds from it the dispatch rows and the statements: each count is a number of dispatches placed in a period
by one date (``DISPATCH_MEASURES``: the date column and the condition); a rate divides two counts placed by the
same date (``RATES``), so its numerator is always a part of its denominator. The figures, the stored per-day
facts (kpi/case_facts.py), the 单位统计分析 view, the drill-down and the published dispatches are all built
from these tables. Every statement reads the time of the reading as ``r.now`` (a step not yet due is not
counted).
"""
from datetime import datetime

from odoo.tools import SQL

from .case_indicators import BY_CODE, LEVELS, of_kind

# One row per dispatch of the cases `cases` selects (SQL returning case ids), alias-free columns:
#   case_id, n (the dispatch's number in the case), dispatch_id (its log line), unit_id, dispatched_at,
#   sign_deadline, deadline (the dispatch's, moved by its approved extensions), accepted_at, returned_at,
#   ext_requested_at, ext_approved_at, submitted_at, approved_at, rejected_at, callback_at (closed with a
#   rating), reopened_at (重办: the caller not satisfied), unreachable_at / refused_at (closed after the callback
#   as 无法联系 / 拒绝评价: no evaluation), urged_at (the first 督办), return_ruling (the center's ruling of the
#   dispatch's return: pending / justified / improper), submitted_result (the 办理结果 of its result),
#   satisfaction (the case's rating: only a dispatch ended by the callback has one), first_to_unit (the case's
#   first dispatch to this unit), first_result (no earlier result of this unit on the case), and the derived
#   dates below. Cancelled cases (invalid calls,
#   merged duplicates) are left out.
_IS_DISPATCH = SQL("s.action IN ('dispatch', 'self_dispatch')")
# the first date of each step of a dispatch: column -> log action
_STEPS = {
    "accepted_at": "accept", "returned_at": "return", "ext_requested_at": "request_extension",
    "ext_approved_at": "approve_extension", "submitted_at": "submit", "approved_at": "review_approve",
    "rejected_at": "review_reject", "callback_at": "callback_done", "reopened_at": "reopen",
    "unreachable_at": "callback_unreachable", "refused_at": "callback_refused", "urged_at": "urge",
}

# The dates derived from a dispatch's steps (alias g = the grouped row):
DERIVED = {
    # 签收 falls due when signed for in time, else when the sign-for deadline passed (signed late, or
    # not at all and neither returned before it); a dispatch returned unsigned before its deadline never does
    "sign_due_at": SQL("""CASE WHEN g.accepted_at IS NOT NULL AND (g.sign_deadline IS NULL
                                                                   OR g.accepted_at <= g.sign_deadline)
                               THEN g.accepted_at
                               WHEN g.sign_deadline < COALESCE(g.accepted_at, g.returned_at, 'infinity')
                               THEN g.sign_deadline END"""),
    # 办理 falls due when the result is submitted in time, else when the deadline passed
    "due_at": SQL("""CASE WHEN g.submitted_at IS NOT NULL AND (g.deadline IS NULL OR g.submitted_at <= g.deadline)
                          THEN g.submitted_at
                          WHEN g.deadline < COALESCE(g.submitted_at, g.returned_at, 'infinity') THEN g.deadline END"""),
    # the unit let the case go: by its result or by a return (a return is possible before a result only)
    "settled_at": SQL("COALESCE(g.submitted_at, g.returned_at)"),
    # the result's review: approved or rejected
    "reviewed_at": SQL("COALESCE(g.approved_at, g.rejected_at)"),
    # the caller's verdict on the result: a rating at the callback, or 不满意 leading to 重办
    "evaluated_at": SQL("COALESCE(g.callback_at, g.reopened_at)"),
    # the callback ended, with a verdict or without one (无法联系 after every attempt, 拒绝评价)
    "called_back_at": SQL("COALESCE(g.callback_at, g.reopened_at, g.unreachable_at, g.refused_at)"),
    # the result's last word: rejected at review, or the caller's verdict
    "concluded_at": SQL("COALESCE(g.rejected_at, g.callback_at, g.reopened_at)"),
}


def _grouped_sql(cases, few=False):
    steps = [SQL("MIN(s.date) FILTER (WHERE s.action = %s) AS %s", action, SQL.identifier(column))
             for column, action in _STEPS.items()]
    return SQL("""
        SELECT s.case_id, s.n, MIN(s.id) AS dispatch_id,
               MAX(s.unit_id) FILTER (WHERE %(dispatch)s) AS unit_id,
               MIN(s.date) FILTER (WHERE %(dispatch)s) AS dispatched_at,
               MAX(s.sign_deadline) FILTER (WHERE %(dispatch)s) AS sign_deadline,
               MAX(s.deadline) FILTER (WHERE %(dispatch)s OR s.action = 'approve_extension') AS deadline,
               %(steps)s,
               MAX(s.return_ruling) FILTER (WHERE s.action = 'return') AS return_ruling,
               (ARRAY_AGG(s.handling_result ORDER BY s.id) FILTER (WHERE s.action = 'submit'))[1] AS submitted_result
          FROM (SELECT l.case_id, l.id, l.action, l.unit_id, l.date, l.deadline, l.sign_deadline, l.return_ruling,
                       l.handling_result,
                       COUNT(*) FILTER (WHERE l.action IN ('dispatch', 'self_dispatch'))
                           OVER (PARTITION BY l.case_id ORDER BY l.id) AS n
                  FROM hotline_case_log l WHERE %(in_cases)s) s
         WHERE s.n > 0
      GROUP BY s.case_id, s.n""", dispatch=_IS_DISPATCH, steps=SQL(", ").join(steps),
               # `few`: the cases as an array, which the planner reads by the case index whatever it guesses of
               # the bounds (a view's bounds are read from the facts' state: unknown when planning)
               in_cases=SQL("l.case_id = ANY(ARRAY(%s))", cases) if few else SQL("l.case_id IN (%s)", cases))


def dispatch_rows_sql(cases, few=False):
    """SELECT of the dispatch rows of the cases `cases` (SQL returning case ids); see the table above. `few`: they
    are few (the open days), read by the case index."""
    derived = SQL(", ").join(SQL("%s AS %s", expr, SQL.identifier(name)) for name, expr in DERIVED.items())
    return SQL("""
        SELECT g.*, c.satisfaction, %s,
               CASE WHEN g.callback_at IS NOT NULL THEN c.satisfaction
                    WHEN g.reopened_at IS NOT NULL THEN 'dissatisfied' END AS verdict,
               ROW_NUMBER() OVER (PARTITION BY g.case_id, g.unit_id ORDER BY g.n) = 1 AS first_to_unit,
               COUNT(g.submitted_at) OVER (PARTITION BY g.case_id, g.unit_id ORDER BY g.n
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) = 0 AS first_result
          FROM (%s) g
          JOIN hotline_case c ON c.id = g.case_id AND c.state <> 'cancelled'
         WHERE g.unit_id IS NOT NULL""", derived, _grouped_sql(cases, few))


def candidate_cases_sql(start, end, unit_filter=None):
    """Cases one of whose dispatches can have a date in [start, end): every date of a dispatch is the
    date, the deadline or the sign-for deadline of one of its log lines (all of them name the unit
    holding the case, the dispatch's). `unit_filter`: SQL, a condition on l.unit_id, or None."""
    units = SQL("AND %s", unit_filter) if unit_filter else SQL()
    return SQL(" UNION ").join(
        SQL("SELECT l.case_id FROM hotline_case_log l WHERE %(col)s >= %(start)s AND %(col)s < %(end)s %(units)s",
            col=SQL.identifier("l", column), start=start, end=end, units=units)
        for column in ("date", "deadline", "sign_deadline"))


def reading_time_sql(now):
    """The CTE body giving the reading time `r.now` (SQL of a UTC timestamp, or a naive UTC datetime)."""
    return SQL("SELECT %s::timestamp AS now", now)


# Counts: key -> (the dispatch's date placing it in a period, the condition). A dispatch of unit u counts
# in figure k for period P when that date is in P (and past) and the condition holds.
DISPATCH_MEASURES = {indicator.code: (indicator.date, indicator.condition) for indicator in of_kind("count")}
# Rates: (numerator, denominator), both placed by the same date. None when the denominator is 0.
RATES = {indicator.code: indicator.ratio for indicator in of_kind("rate")}
# Durations (hours) summed and counted per period: key -> (date, condition, value); avg = sum / count
HOUR_MEASURES = {key: spec for indicator in of_kind("hours") for key, spec in indicator.sums.items()}
# What a unit holds now (not a period's figure): key -> condition on its cases c at r.now
HOLDING = {indicator.code: indicator.condition for indicator in of_kind("holding")}

# every summed column of a unit's figures (the stored facts hold these per unit and local day)
SUM_COLUMNS = [*DISPATCH_MEASURES, *(f"{key}_{part}" for key in HOUR_MEASURES for part in ("sum", "n"))]
COUNT_KEYS = list(DISPATCH_MEASURES)
DATE_COLUMNS = list(dict.fromkeys([*(d for d, _c in DISPATCH_MEASURES.values()),
                                   *(d for d, _c, _v in HOUR_MEASURES.values())]))
_NULL = SQL("NULL::numeric")


def _family(date_column, by_day, days, start, end):
    """Per unit (and local day), the columns placed by `date_column` (the others NULL), over the rows d.
    A date still to come (a deadline) places nothing yet: no figure counts a future moment."""
    columns = []
    for key, (date, cond) in DISPATCH_MEASURES.items():
        value = SQL("COUNT(*) FILTER (WHERE %s)", cond) if date == date_column else _NULL
        columns.append(SQL("%s AS %s", value, SQL.identifier(key)))
    for key, (date, cond, value) in HOUR_MEASURES.items():
        placed = date == date_column
        columns += [SQL("%s AS %s", SQL("SUM(%s) FILTER (WHERE %s)", value, cond) if placed else _NULL,
                        SQL.identifier(f"{key}_sum")),
                    SQL("%s AS %s", SQL("COUNT(%s) FILTER (WHERE %s)", value, cond) if placed else _NULL,
                        SQL.identifier(f"{key}_n"))]
    column = SQL.identifier("d", date_column)
    local_day = SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date", column)
    return SQL("""
        SELECT d.unit_id%(day)s, %(columns)s FROM d CROSS JOIN r%(tz)s
         WHERE %(col)s >= %(start)s AND %(col)s < %(end)s AND %(col)s <= r.now%(day_filter)s
         GROUP BY 1%(group)s""",
               day=SQL(", %s", local_day) if by_day else SQL(), columns=SQL(", ").join(columns),
               tz=SQL(" CROSS JOIN tz") if by_day else SQL(), col=column, start=start, end=end,
               day_filter=SQL(" AND %s = ANY(%s)", local_day, days) if days else SQL(),
               group=SQL(", 2") if by_day else SQL())


def _ctes(start, end, now, units=None, tz_sql=None, few=False):
    """The WITH list shared by the unit sums and the dispatch hits: [tz,] r (the reading time) and d (the dispatch
    rows of the candidate cases, MATERIALIZED: read once whatever reads them)."""
    unit_filter = SQL("(%s IS NULL OR l.unit_id = ANY(%s))", units, units) if units else None
    return SQL("%(tz)sr AS (%(now)s), d AS MATERIALIZED (%(rows)s)",
               tz=SQL("tz AS (SELECT %s AS name), ", tz_sql) if tz_sql is not None else SQL(),
               now=reading_time_sql(now),
               rows=dispatch_rows_sql(candidate_cases_sql(start, end, unit_filter), few))


def _sums_select(start, end, units=None, days=None, by_day=False):
    """The SELECT of unit_sums_sql over the CTEs of _ctes."""
    families = SQL(" UNION ALL ").join(_family(column, by_day, days, start, end) for column in DATE_COLUMNS)
    day_cols = ("unit_id", "day") if by_day else ("unit_id",)
    return SQL("""
        SELECT %(keys)s, %(sums)s
          FROM (%(families)s) f(%(names)s)
          %(final)s
      GROUP BY %(keys)s""",
               keys=SQL(", ").join(SQL.identifier("f", c) for c in day_cols),
               sums=SQL(", ").join(SQL("SUM(%s) AS %s", SQL.identifier("f", k), SQL.identifier(k))
                                   for k in SUM_COLUMNS),
               families=families,
               names=SQL(", ").join(SQL.identifier(c) for c in (*day_cols, *SUM_COLUMNS)),
               final=SQL("WHERE (%s IS NULL OR f.unit_id = ANY(%s))", units, units) if units else SQL())


def unit_sums_sql(start, end, now, units=None, days=None, tz_sql=None, few=False):
    """One statement: per unit (and local day when `tz_sql` is given), every column of SUM_COLUMNS over the
    dispatch dates in [start, end) (SQL), read at `now` (SQL or a naive UTC datetime). `units`: SQL of an int[]
    (None: every unit); `tz_sql`: SQL of the center's time zone, to group by local day as well; `days`: SQL of a
    date[] the local day must be in; `few`: the period holds few cases (see dispatch_rows_sql)."""
    return SQL("WITH %s %s", _ctes(start, end, now, units, tz_sql, few),
               _sums_select(start, end, units, days, by_day=tz_sql is not None))


# the codes of the counts, in the order a dispatch's `codes` lists them (the figures' keys: 超期 is overdue_count);
# the stored hits keep them as a bit mask (bit i: HIT_CODES[i]), so that merging days is a bit_or
HIT_CODES = [BY_CODE[key].key for key in DISPATCH_MEASURES]
assert len(HIT_CODES) < 64, "the dispatch hits' bit mask is a bigint"


def _hits_values():
    """VALUES (ord, code, date, condition) of every count, for a LATERAL over the dispatch rows d."""
    return SQL(", ").join(
        SQL("(%s, %s, %s, (%s))", position, BY_CODE[key].key, SQL.identifier("d", date), cond)
        for position, (key, (date, cond)) in enumerate(DISPATCH_MEASURES.items()))


def _hits_select(start, end, units, days=None, by_day=False, mask=False):
    """Per dispatch of `units` (and local day of the date placing each count, when `by_day`), the counts it is in
    with a date in [start, end), as the figures place them (over the CTEs of _ctes): `codes` (an array in
    HIT_CODES' order), or `mask` (their bits) when `mask`."""
    local_day = SQL("(m.at AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date")
    hits = SQL("bit_or(1::bigint << m.ord) AS mask") if mask else SQL("array_agg(m.code ORDER BY m.ord) AS codes")
    return SQL("""
        SELECT d.unit_id, %(day)sd.dispatch_id, d.case_id, d.dispatched_at, %(hits)s
          FROM d CROSS JOIN r%(tz)s CROSS JOIN LATERAL (VALUES %(values)s) m(ord, code, at, hit)
         WHERE m.hit AND m.at >= %(start)s AND m.at < %(end)s AND m.at <= r.now%(day_filter)s
               AND (%(units)s IS NULL OR d.unit_id = ANY(%(units)s))
      GROUP BY d.unit_id, %(day)sd.dispatch_id, d.case_id, d.dispatched_at""",
               day=SQL("%s, ", local_day) if by_day else SQL(), hits=hits,
               tz=SQL(" CROSS JOIN tz") if by_day else SQL(), values=_hits_values(), start=start, end=end,
               day_filter=SQL(" AND %s = ANY(%s)", local_day, days) if days else SQL(), units=units)


def dispatch_hits_sql(start, end, now, units, mask=False):
    """Per dispatch of units `units` (SQL of an int[]) with a date in [start, end): the codes of the counts it is
    in (`codes`, an array of the figures' keys in HIT_CODES' order; `mask`: their bits), as the figures place them
    — the drill-down and the published dispatches read this (through merged_hits_sql for the closed days)."""
    return SQL("WITH %s %s", _ctes(start, end, now, units), _hits_select(start, end, units, mask=mask))


def day_facts_sql(start, end, now, units, days, tz_sql, sums_table, hits_table):
    """One statement storing, for the local `days` of units `units` (NULL: all), both the unit sums (`sums_table`)
    and every dispatch's hits per local day (`hits_table`, as a mask) from one read of the dispatch rows
    (kpi/case_facts.py)."""
    return SQL("""WITH %(ctes)s,
                       hits AS (INSERT INTO %(hits_table)s (unit_id, date, dispatch_id, case_id, dispatched_at, mask)
                                %(hits)s)
                  INSERT INTO %(sums_table)s (unit_id, date, %(columns)s) %(sums)s""",
               ctes=_ctes(start, end, now, units, tz_sql), hits_table=SQL.identifier(hits_table),
               hits=_hits_select(start, end, units, days, by_day=True, mask=True),
               sums_table=SQL.identifier(sums_table),
               columns=SQL(", ").join(SQL.identifier(c) for c in SUM_COLUMNS),
               sums=_sums_select(start, end, units, days, by_day=True))


def merged_hits_sql(parts):
    """The hits of SELECTs of (unit_id, dispatch_id, case_id, dispatched_at, mask) — stored days (a row per day)
    and live ones — as one row per dispatch with its `codes` (as dispatch_hits_sql: each once, in HIT_CODES'
    order)."""
    codes = SQL(", ").join(SQL("CASE WHEN h.mask & %s <> 0 THEN %s END", 1 << position, code)
                           for position, code in enumerate(HIT_CODES))
    return SQL("""
        SELECT h.unit_id, h.dispatch_id, h.case_id, h.dispatched_at, array_remove(ARRAY[%(codes)s], NULL) AS codes
          FROM (SELECT p.unit_id, p.dispatch_id, p.case_id, p.dispatched_at, bit_or(p.mask) AS mask
                  FROM (%(parts)s) p
              GROUP BY p.unit_id, p.dispatch_id, p.case_id, p.dispatched_at) h""",
               codes=codes, parts=SQL(" UNION ALL ").join(SQL("(%s)", part) for part in parts))


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


def holding_sql(now, units=None):
    """Per unit, what it holds at `now` (HOLDING); `units`: SQL of an int[] to keep, or None (every unit)."""
    columns = SQL(", ").join(SQL("COUNT(*) FILTER (WHERE %s) AS %s", cond, SQL.identifier(key))
                             for key, cond in HOLDING.items())
    return SQL("""SELECT c.unit_id, %(columns)s FROM hotline_case c CROSS JOIN (%(now)s) r
                   WHERE c.state IN ('dispatched', 'processing', 'submitted') AND c.unit_id IS NOT NULL %(units)s
                GROUP BY c.unit_id""", columns=columns, now=reading_time_sql(now),
               units=SQL("AND c.unit_id = ANY(%s)", units) if units is not None else SQL())
