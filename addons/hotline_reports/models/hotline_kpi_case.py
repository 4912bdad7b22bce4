"""The case KPIs (口径) of the hotline, defined once.

Every report, export, assessment and the wallboard reads its case figures from `hotline.kpi.case`.
The definitions are SQL conditions kept in two tables below (CASE_MEASURES on the case row,
LOG_MEASURES on the transition log); the figures and the drill-down to the cases behind a figure
are both built from them, so a figure and its list of cases cannot disagree.
"""
from datetime import date, datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..kpi import case_facts
from ..kpi.center import center_tz

READER_GROUP = "hotline_case.group_reviewer"
# (非常满意 + 满意 + 基本满意) count as satisfied
SATISFIED_KEYS = ("very_satisfied", "satisfied", "basically_satisfied")
# 热点排名 keys: the case column and the model of its records
HOTSPOT_KINDS = {
    "category": ("c.category_id", "hotline.category"),
    "street": ("c.street_id", "hotline.street"),
    "district": ("c.district_id", "hotline.district"),
    "caller": ("c.partner_id", "res.partner"),
}
OPEN_CASE_STATES = ("draft", "pool", "dispatched", "processing", "submitted", "callback")

# The result the unit submitted for the current dispatch (an older submission, before a redo, is ignored).
_SUBMITTED = "(CASE WHEN c.date_submitted >= c.date_dispatched THEN c.date_submitted END)"
# A case falls due when it is submitted or when its deadline passes, whichever comes first
# (a case neither submitted nor past its deadline is not due yet).
_DUE_AT = f"LEAST(c.deadline, {_SUBMITTED})"
_DUE = f"c.deadline IS NOT NULL AND {_DUE_AT} <= %(now)s"
_SIGNED = "c.date_accepted >= c.date_dispatched"
_CLOSED = "c.state = 'closed'"

# Case-row measures: key -> (the date placing the case in a period, the condition for counting it).
# A case of unit u counts in measure k for period P when the date is in P and the condition holds.
# Alias c = hotline_case; %(now)s = the time of the reading; %(satisfied)s = SATISFIED_KEYS.
CASE_MEASURES = {
    # 派单量: cases the unit holds whose (last) dispatch falls in the period
    "dispatched": ("c.date_dispatched", "TRUE"),
    # 及时签收: of those, signed for after that dispatch and by the sign-for deadline
    "signed_on_time": ("c.date_dispatched",
                       f"{_SIGNED} AND (c.sign_deadline IS NULL OR c.date_accepted <= c.sign_deadline)"),
    # 办结: of those, the result approved at review (now to call back or closed)
    "closed": ("c.date_dispatched", "c.state IN ('callback', 'closed')"),
    # 应办结 (due): submitted or past the deadline in the period, whichever first
    "due": (_DUE_AT, _DUE),
    # 按时办结: of the due cases, submitted by the (possibly extended) deadline
    "handled_on_time": (_DUE_AT, f"{_DUE} AND {_SUBMITTED} <= c.deadline"),
    # 超期: of the due cases, submitted late or still not submitted
    "overdue": (_DUE_AT, f"{_DUE} AND ({_SUBMITTED} IS NULL OR {_SUBMITTED} > c.deadline)"),
    # 回访办结: closed after the callback in the period
    "finished": ("c.date_closed", _CLOSED),
    # 参评: of those, with a satisfaction recorded
    "rated": ("c.date_closed", f"{_CLOSED} AND c.satisfaction IS NOT NULL"),
    # 满意: of those, 非常满意 / 满意 / 基本满意
    "satisfied": ("c.date_closed", f"{_CLOSED} AND c.satisfaction IN %(satisfied)s"),
    # 一次性办结: satisfied, and never returned, reopened (重办 after callback), rejected at review or extended
    "first_time_closed": ("c.date_closed", f"{_CLOSED} AND c.satisfaction IN %(satisfied)s"
                          " AND COALESCE(c.return_count, 0) = 0 AND COALESCE(c.reopen_count, 0) = 0"
                          # a hashed set of the few cases ever rejected or extended (partial index)
                          " AND c.id NOT IN (SELECT x.case_id FROM hotline_case_log x"
                          " WHERE x.action IN ('review_reject', 'approve_extension'))"),
}


def case_condition(key):
    """SQL condition for counting a case in measure `key` in the period %(start)s..%(end)s."""
    date_expr, cond = CASE_MEASURES[key]
    return f"({date_expr} >= %(start)s AND {date_expr} < %(end)s AND {cond})"


# Log measures: log lines (件次) of unit u (the unit holding the case at that step) dated in the period.
# Alias l = hotline_case_log, c = its case.
LOG_MEASURES = {
    # 派单件次: dispatches to the unit (a case returned and sent again counts twice)
    "dispatches": "l.action IN ('dispatch', 'self_dispatch')",
    # 退单: returns by the unit
    "returned": "l.action = 'return'",
    # 重办: the unit's result rejected at review (再分理) or reopened after the callback
    "redone": "l.action IN ('review_reject', 'reopen')",
    # 延期: extensions approved
    "extended": "l.action = 'approve_extension'",
    # 应回访: results approved at review
    "callbacks_due": "l.action = 'review_approve'",
    # 已回访: of those, followed by the callback (closed with the caller's rating, or reopened: 重办).
    # An approval leaves the case 待回访, which only the callback (closed or reopened) or a cancellation
    # ends: the log is searched only for the cases now waiting or cancelled (c = the line's case).
    "callbacks_done": "l.action = 'review_approve' AND (c.state NOT IN ('callback', 'cancelled') OR EXISTS ("
                      "SELECT 1 FROM hotline_case_log n WHERE n.case_id = l.case_id AND n.id > l.id"
                      " AND n.action IN ('callback_done', 'reopen')))",
}
LOG_ACTIONS = ("dispatch", "self_dispatch", "return", "review_reject", "reopen", "approve_extension",
               "review_approve")

# Rates: (numerator, denominator). None when the denominator is 0.
RATES = {
    "sign_on_time_rate": ("signed_on_time", "dispatched"),  # 及时签收率
    "on_time_rate": ("handled_on_time", "due"),  # 按时办结率
    "close_rate": ("closed", "dispatched"),  # 办结率
    "first_time_closed_rate": ("first_time_closed", "finished"),  # 一次性办结率
    "return_rate": ("returned", "dispatches"),  # 退单率
    "redo_rate": ("redone", "dispatched"),  # 重办率
    "extension_rate": ("extended", "dispatched"),  # 延期率
    "callback_rate": ("callbacks_done", "callbacks_due"),  # 回访率
    "satisfaction_rate": ("satisfied", "rated"),  # 满意率
}

# Durations (hours) summed and counted per period, for the averages and the overdue time: key -> (the date placing
# the case in a period, the condition, the value). avg = sum / count; the overdue time of a case not submitted
# grows with the clock: its deadline is summed, the hours are count * now - sum (exact, whatever the reading time).
HOUR_MEASURES = {
    # 签收用时: signed − dispatched, over the dispatched cases signed for
    "sign_hours": ("c.date_dispatched", _SIGNED, "EXTRACT(EPOCH FROM c.date_accepted - c.date_dispatched) / 3600.0"),
    # 办理用时: submitted − signed, over the due cases submitted
    "handle_hours": (_DUE_AT, f"{_DUE} AND {_SUBMITTED} IS NOT NULL AND {_SIGNED}",
                     f"EXTRACT(EPOCH FROM {_SUBMITTED} - c.date_accepted) / 3600.0"),
    # 超期时长 of the cases submitted late: submitted − deadline
    "overdue_late_hours": (_DUE_AT, f"{_DUE} AND {_SUBMITTED} > c.deadline",
                           f"EXTRACT(EPOCH FROM {_SUBMITTED} - c.deadline) / 3600.0"),
    # 超期时长 of the cases not submitted: now − deadline, from the sum of their deadlines (hours since 1970)
    "overdue_open": (_DUE_AT, f"{_DUE} AND {_SUBMITTED} IS NULL", "EXTRACT(EPOCH FROM c.deadline) / 3600.0"),
}
# the log's durations: 审核用时 = review decision − the last submission before it
REVIEW_HOURS = ("l.action IN ('review_approve', 'review_reject')", "EXTRACT(EPOCH FROM l.date - s.date) / 3600.0")


def case_family_columns(date_expr):
    """The columns of case_family_sql(date_expr) besides unit_id (and day)."""
    columns = [key for key, (expr, _cond) in CASE_MEASURES.items() if expr == date_expr]
    for key, (expr, _cond, _value) in HOUR_MEASURES.items():
        if expr == date_expr:
            columns += [f"{key}_sum", f"{key}_n"]
    return columns


LOG_FAMILY_COLUMNS = [*LOG_MEASURES, "review_hours_sum", "review_hours_n"]


def case_family_sql(date_expr, by_day=False, extra_where=""):
    """Per unit (and local day of `date_expr` when `by_day`), the case measures dated by `date_expr`:
    the counts of CASE_MEASURES and the sums and counts of HOUR_MEASURES (<key>_sum, <key>_n).
    Cases whose `date_expr` is in %(start)s..%(end)s; %(now)s, %(satisfied)s; tz.name: the center's."""
    columns = [f"COUNT(*) FILTER (WHERE {cond}) AS {key}"
               for key, (expr, cond) in CASE_MEASURES.items() if expr == date_expr]
    for key, (expr, cond, value) in HOUR_MEASURES.items():
        if expr == date_expr:
            columns += [f"SUM({value}) FILTER (WHERE {cond}) AS {key}_sum",
                        f"COUNT({value}) FILTER (WHERE {cond}) AS {key}_n"]
    day = f", ({date_expr} AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date AS day" if by_day else ""
    return f"""
        SELECT c.unit_id{day}, {", ".join(columns)}
          FROM hotline_case c {"CROSS JOIN tz" if by_day else ""}
         WHERE c.unit_id IS NOT NULL AND c.state <> 'cancelled' AND c.date_dispatched IS NOT NULL
           AND {date_expr} >= %(start)s AND {date_expr} < %(end)s {extra_where}
         GROUP BY 1{", 2" if by_day else ""}
    """


def log_family_sql(by_day=False, extra_where=""):
    """Per unit (and local day), the counts of LOG_MEASURES and the review durations (review_hours_sum/_n)
    of the log lines dated in %(start)s..%(end)s."""
    columns = [f"COUNT(*) FILTER (WHERE {cond}) AS {key}" for key, cond in LOG_MEASURES.items()]
    columns += [f"SUM({REVIEW_HOURS[1]}) FILTER (WHERE {REVIEW_HOURS[0]}) AS review_hours_sum",
                f"COUNT({REVIEW_HOURS[1]}) FILTER (WHERE {REVIEW_HOURS[0]}) AS review_hours_n"]
    day = ", (l.date AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date AS day" if by_day else ""
    return f"""
        SELECT l.unit_id{day}, {", ".join(columns)}
          FROM hotline_case_log l {"CROSS JOIN tz" if by_day else ""}
          JOIN hotline_case c ON c.id = l.case_id
          LEFT JOIN LATERAL (
                SELECT MAX(s.date) AS date FROM hotline_case_log s
                 WHERE l.action IN ('review_approve', 'review_reject')
                   AND s.case_id = l.case_id AND s.action = 'submit' AND s.date <= l.date
          ) s ON TRUE
         WHERE l.unit_id IS NOT NULL AND l.date >= %(start)s AND l.date < %(end)s
           AND l.action IN %(log_actions)s {extra_where}
         GROUP BY 1{", 2" if by_day else ""}
    """


# every summed column of a unit's figures (the stored facts hold these per unit and local day)
SUM_COLUMNS = [*CASE_MEASURES, *LOG_MEASURES,
               *(f"{key}_{part}" for key in [*HOUR_MEASURES, "review_hours"] for part in ("sum", "n"))]


def figures_from_sums(row, now):
    """The unit's figures (see HotlineKpiCase) from the summed columns, at the reading time `now` (UTC naive)."""
    figures = {key: int(row.get(key) or 0) for key in [*CASE_MEASURES, *LOG_MEASURES]}

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


# 受理结果 of a case: the first step out of 受理 (draft). Alias c = hotline_case.
INTAKE_OUTCOME_SQL = """COALESCE((
    SELECT CASE WHEN i.action = 'close_on_call' THEN 'closed_on_call'
                WHEN i.action = 'self_dispatch' THEN 'self_dispatch'
                WHEN i.action = 'transfer' THEN 'transfer'
                ELSE 'cancelled' END
      FROM hotline_case_log i
     WHERE i.case_id = c.id AND i.from_state = 'draft' AND i.to_state <> 'draft'
     ORDER BY i.date, i.id LIMIT 1), 'recording')"""
INTAKE_OUTCOMES = [
    ("closed_on_call", "Closed on the Call"),
    ("self_dispatch", "Self-dispatched"),
    ("transfer", "Transferred to Dispatch"),
    ("cancelled", "Cancelled"),
    ("recording", "Being Recorded"),
]


class HotlineKpiCase(models.AbstractModel):
    """Case KPIs: one definition each, computed in SQL from hotline_case and hotline_case_log.

    Public API (reviewers and managers; others get AccessError; `_unit_figures` / `_situation`
    skip the check for trusted server code such as the wallboard's own controller):

    ``unit_figures(date_from, date_to, units=None)`` → ``{unit_id: figures}``
        Period = local days ``date_from`` .. ``date_to`` inclusive (``date`` or ``'YYYY-MM-DD'``) in
        the center's time zone (``_tz()``). ``units``: ids or recordset, None = every unit with
        figures. ``figures`` is a dict with, for every key below, an int (counts), a float (hours)
        or a rate in 0..1 (None when its denominator is 0):

        - ``dispatched``: 派单量: cases the unit holds whose last dispatch is in the period
        - ``dispatches``: 派单件次: dispatch log lines to the unit in the period (a case returned and
          sent again counts twice)
        - ``signed_on_time``: of `dispatched`, signed for after that dispatch, at or before the
          sign-for deadline (no deadline = on time)
        - ``sign_on_time_rate``: 及时签收率 = signed_on_time / dispatched
        - ``due``: 应办结: cases whose due moment = min(deadline, submission) is in the period and
          already past (each case counts in exactly one period; one neither submitted nor past its
          deadline is not due yet)
        - ``handled_on_time``: of `due`, submitted at or before the deadline (extensions included)
        - ``on_time_rate``: 按时办结率 = handled_on_time / due
        - ``closed``: of `dispatched`, result approved at review (state 待回访 or 已办结)
        - ``close_rate``: 办结率 = closed / dispatched
        - ``finished``: cases of the unit closed after the callback in the period
        - ``first_time_closed``: of `finished`: satisfied (非常满意/满意/基本满意) and never returned,
          rejected at review, reopened after a callback, or extended
        - ``first_time_closed_rate``: 一次性办结率 = first_time_closed / finished
        - ``returned``: 退单: returns by the unit in the period (log lines, 件次)
        - ``return_rate``: 退单率 = returned / dispatches
        - ``redone``: 重办: the unit's results rejected at review or reopened after the callback in
          the period (log lines)
        - ``redo_rate``: 重办率 = redone / dispatched
        - ``extended``: 延期: extensions approved in the period (log lines)
        - ``extension_rate``: 延期率 = extended / dispatched
        - ``callbacks_due``: 应回访: results of the unit approved at review in the period (log lines)
        - ``callbacks_done``: of those, followed by the callback (closed with a rating, or reopened)
        - ``callback_rate``: 回访率 = callbacks_done / callbacks_due
        - ``rated``: of `finished`, with a satisfaction recorded
        - ``satisfied``: of `rated`, 非常满意 + 满意 + 基本满意
        - ``satisfaction_rate``: 满意率 = satisfied / rated
        - ``overdue_count`` (also ``overdue``): 超期件数: of `due`, submitted late or not submitted
        - ``overdue_hours``: 超期时长: Σ (submission, or now, − deadline) over `overdue_count`
        - ``avg_sign_hours``: 签收用时: mean (signed − dispatched) over `dispatched` signed for
        - ``avg_handle_hours``: 办理用时: mean (submitted − signed) over `due` submitted
        - ``avg_review_hours``: 审核用时: mean (review decision − last submission) over the review
          decisions (approve or reject) on the unit's cases in the period

        The case dates used (date_dispatched, date_accepted, date_submitted, date_closed) are
        written by the same transition and with the same timestamp as the log line of that step.
        Case-row figures follow the case's current dispatch: if a case is redone later, its
        earlier dispatch leaves the period's figures (the log measures keep the history).

    ``case_ids(measure, date_from, date_to, unit)`` → ids of the cases behind a count (drill-down);
    ``action_cases(...)`` → the window action listing them.

    ``situation(now=None)`` → today's situation (实时情况检查), see `_situation`.

    ``hotspots(kind, date_from, date_to, limit=10)`` → ranking with the previous period.
    """

    _name = "hotline.kpi.case"
    _description = "Case KPIs"

    # ------------------------------------------------------------------
    # Periods
    # ------------------------------------------------------------------
    @api.model
    def _tz(self):
        """The center's time zone (kpi/center.py)."""
        return center_tz(self.env)

    @api.model
    def _period_bounds(self, date_from, date_to):
        """UTC bounds [start, end) of the local days date_from..date_to (inclusive)."""
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        if not date_from or not date_to:
            raise UserError(self.env._("Choose the first and the last day of the period."))
        if date_to < date_from:
            raise UserError(self.env._("The period ends before it starts."))
        tz = self._tz()

        def utc(day):
            return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

        return utc(date_from), utc(date_to + timedelta(days=1))

    @api.model
    def _previous_period(self, date_from, date_to):
        """The period of the same length just before (a calendar month gives the previous month)."""
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        month_end = (date_to + timedelta(days=1)).day == 1
        if date_from.day == 1 and month_end:
            months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
            year, month = date_from.year, date_from.month - months
            while month < 1:
                month += 12
                year -= 1
            return date(year, month, 1), date_from - timedelta(days=1)
        length = (date_to - date_from).days + 1
        return date_from - timedelta(days=length), date_from - timedelta(days=1)

    @api.model
    def _flush(self):
        """Raw SQL reads the tables: write pending ORM changes first."""
        for model in ("hotline.case", "hotline.case.log", "hotline.unit"):
            self.env[model].flush_model()

    @api.model
    def _check_reader(self):
        if not self.env.su and not self.env.user.has_group(READER_GROUP):
            raise AccessError(self.env._("Only reviewers and managers can read the hotline's reports."))

    # ------------------------------------------------------------------
    # Unit figures
    # ------------------------------------------------------------------
    @api.model
    def unit_figures(self, date_from, date_to, units=None):
        """Per unit, every case indicator of the period (see the class docstring for each formula)."""
        self._check_reader()
        return self._unit_figures(date_from, date_to, units)

    @api.model
    def _params(self, date_from, date_to, units=None):
        start, end = self._period_bounds(date_from, date_to)
        unit_ids = None
        if units is not None:
            unit_ids = list(units.ids if isinstance(units, models.BaseModel) else units)
        return {
            "start": start, "end": end, "now": fields.Datetime.now(),
            "satisfied": SATISFIED_KEYS, "units": unit_ids, "log_actions": LOG_ACTIONS,
        }

    @api.model
    def _case_dates(self):
        return list(dict.fromkeys(date_expr for date_expr, _cond in CASE_MEASURES.values()))

    def _case_candidates_sql(self, params):
        """Cases of a unit that can count in the period (any of their measure dates in it)."""
        unit_filter = "AND c.unit_id = ANY(%(units)s)" if params["units"] is not None else ""
        return f"""
            SELECT c.* FROM hotline_case c
             WHERE c.unit_id IS NOT NULL AND c.state <> 'cancelled' AND c.date_dispatched IS NOT NULL
                   {unit_filter}
               AND ({" OR ".join(f"({d} >= %(start)s AND {d} < %(end)s)" for d in self._case_dates())})
        """

    def _log_lines_sql(self, params):
        unit_filter = "AND l.unit_id = ANY(%(units)s)" if params["units"] is not None else ""
        return f"""
            SELECT l.* FROM hotline_case_log l
             WHERE l.unit_id IS NOT NULL AND l.date >= %(start)s AND l.date < %(end)s {unit_filter}
               AND l.action IN %(log_actions)s
        """

    @api.model
    def _unit_figures(self, date_from, date_to, units=None):
        params = self._params(date_from, date_to, units)
        self._flush()
        sums = {}
        for unit_id in params["units"] or ():
            sums[unit_id] = {}
        state = self._facts_state()
        if state and state[1] > params["start"]:
            # the closed days: their stored sums (kpi/facts.py), the same definitions per local day
            last = min(fields.Date.to_date(date_to), state[0])
            self._add_sums(sums, self._stored_sums(fields.Date.to_date(date_from), last, params["units"]))
            params["start"] = min(params["end"], state[1])
        if params["start"] < params["end"]:
            self._add_sums(sums, self._live_sums(params))
        return {unit_id: figures_from_sums(row, params["now"]) for unit_id, row in sums.items()}

    @staticmethod
    def _add_sums(sums, rows):
        for row in rows:
            target = sums.setdefault(row.pop("unit_id"), {})
            for key, value in row.items():
                if value is not None:
                    target[key] = target.get(key, 0) + value

    @api.model
    def _live_sums(self, params):
        """The summed columns per unit over params' period, from the cases and the log."""
        unit_filter = "AND c.unit_id = ANY(%(units)s)" if params["units"] is not None else ""
        rows = []
        for date_expr in self._case_dates():
            self.env.cr.execute(case_family_sql(date_expr, extra_where=unit_filter), params)
            rows += self.env.cr.dictfetchall()
        log_filter = "AND l.unit_id = ANY(%(units)s)" if params["units"] is not None else ""
        self.env.cr.execute(log_family_sql(extra_where=log_filter), params)
        return rows + self.env.cr.dictfetchall()

    @api.model
    def _stored_sums(self, first_day, last_day, unit_ids):
        unit_filter = "AND f.unit_id = ANY(%(units)s)" if unit_ids is not None else ""
        self.env.cr.execute(f"""
            SELECT f.unit_id, {", ".join(f"SUM(f.{key}) AS {key}" for key in SUM_COLUMNS)}
              FROM hotline_case_fact f
             WHERE f.date >= %(first)s AND f.date <= %(last)s {unit_filter}
          GROUP BY f.unit_id
        """, {"first": first_day, "last": last_day, "units": unit_ids})
        return self.env.cr.dictfetchall()

    @api.model
    def _facts_state(self):
        """(closed_day, closed_end) of the stored case facts when computed in today's time zone, else None.
        Context ``hotline_kpi_base``: None (the definitions over the base tables: tests, bench)."""
        if self.env.context.get("hotline_kpi_base"):
            return None
        self.env.cr.execute(case_facts.valid_state_sql())
        return self.env.cr.fetchone()

    @api.model
    def _empty_counts(self):
        row = dict.fromkeys([*CASE_MEASURES, *LOG_MEASURES], 0)
        row.update(overdue_hours=0.0, avg_sign_hours=None, avg_handle_hours=None, avg_review_hours=None)
        return row

    # ------------------------------------------------------------------
    # Drill-down
    # ------------------------------------------------------------------
    @api.model
    def measures(self):
        """The count keys a drill-down accepts (rates drill down to their numerator)."""
        return [*CASE_MEASURES, *LOG_MEASURES, "overdue_count", *RATES]

    @api.model
    def case_ids(self, measure, date_from, date_to, unit):
        """Ids of the cases counted in `measure` for `unit` (id or record) in the period."""
        self._check_reader()
        unit_id = unit.id if isinstance(unit, models.BaseModel) else int(unit)
        measure = RATES.get(measure, (measure,))[0]
        if measure == "overdue_count":
            measure = "overdue"
        params = self._params(date_from, date_to, [unit_id])
        self._flush()
        if measure in CASE_MEASURES:
            query = (f"SELECT c.id FROM ({self._case_candidates_sql(params)}) c "
                     f"WHERE {case_condition(measure)}")
        elif measure in LOG_MEASURES:
            query = (f"SELECT DISTINCT l.case_id FROM ({self._log_lines_sql(params)}) l "
                     f"JOIN hotline_case c ON c.id = l.case_id WHERE {LOG_MEASURES[measure]}")
        else:
            raise UserError(self.env._("Unknown indicator: %s", measure))
        self.env.cr.execute(query, params)
        return [r[0] for r in self.env.cr.fetchall()]

    @api.model
    def action_cases(self, measure, date_from, date_to, unit, name=None):
        """Window action listing the cases behind a figure."""
        ids = self.case_ids(measure, date_from, date_to, unit)
        return {
            "type": "ir.actions.act_window",
            "name": name or self.env._("Cases"),
            "res_model": "hotline.case",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", ids)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Today's situation (实时情况检查)
    # ------------------------------------------------------------------
    @api.model
    def situation(self, now=None):
        """Today's situation; see `_situation`."""
        self._check_reader()
        return self._situation(now)

    @api.model
    def _situation(self, now=None):
        """实时情况检查 at `now` (UTC naive datetime, default now); "today" is the local day of `now`.

        Returns a JSON-serialisable dict:

        - ``date``: today, local, 'YYYY-MM-DD'
        - ``received``: cases received today (date_received today, cancelled included)
        - ``received_by_channel``: {channel: count} (phone/web/walk_in/other, zeros included)
        - ``intake_outcome``: {outcome: count} of today's cases: the first step out of 受理:
          closed_on_call (处理完毕), self_dispatch (自调度), transfer (转调度), cancelled (作废/合并),
          recording (still being recorded)
        - ``open_by_state``: {state: count} of every open case (any date): draft, pool, dispatched,
          processing, submitted, callback
        - ``overdue``: open cases past their deadline, or waiting to be signed for past the
          sign-for deadline (hotline_case's own 已超期 filter)
        - ``near_deadline``: not overdue, a deadline within the near-deadline hours and in the second half of
          its time limit (hotline.case._is_near)
          (即将超期 filter)
        - ``sign_overdue``: waiting to be signed for (state 待签收) past the sign-for deadline
        - ``top_overdue_units``: up to 5 [{unit_id, name, overdue}], most overdue cases first
        """
        now = now or fields.Datetime.now()
        tz = self._tz()
        today = pytz.utc.localize(now).astimezone(tz).date()
        start, end = self._period_bounds(today, today)
        self._flush()
        cr = self.env.cr
        channels = [key for key, _label in self.env["hotline.case"]._fields["channel"].selection]
        cr.execute(f"""
            SELECT c.channel, {INTAKE_OUTCOME_SQL} AS outcome, COUNT(*)
              FROM hotline_case c
             WHERE c.date_received >= %s AND c.date_received < %s
          GROUP BY 1, 2
        """, [start, end])
        by_channel = dict.fromkeys(channels, 0)
        by_outcome = dict.fromkeys([key for key, _label in INTAKE_OUTCOMES], 0)
        for channel, outcome, count in cr.fetchall():
            by_channel[channel] = by_channel.get(channel, 0) + count
            by_outcome[outcome] += count
        cr.execute("SELECT state, COUNT(*) FROM hotline_case WHERE state IN %s GROUP BY state",
                   [OPEN_CASE_STATES])
        open_by_state = dict.fromkeys(OPEN_CASE_STATES, 0)
        open_by_state.update(dict(cr.fetchall()))

        near_hours = self.env["hotline.case"]._near_deadline_hours()
        near = now + timedelta(hours=near_hours)
        # same conditions as hotline.case._overdue_domain / _near_deadline_domain, evaluated at `now`
        overdue_sql = """((c.state IN ('dispatched', 'processing') AND c.deadline < %(now)s)
                          OR (c.state = 'dispatched' AND c.sign_deadline < %(now)s))"""
        cr.execute(f"""
            SELECT COUNT(*) FILTER (WHERE {overdue_sql}),
                   COUNT(*) FILTER (WHERE NOT {overdue_sql} AND (
                        (c.state IN ('dispatched', 'processing') AND c.deadline BETWEEN %(now)s AND %(near)s
                         AND (c.date_dispatched IS NULL
                              OR c.deadline - %(now)s <= (c.deadline - c.date_dispatched) / 2))
                        OR (c.state = 'dispatched' AND c.sign_deadline BETWEEN %(now)s AND %(near)s
                            AND (c.date_dispatched IS NULL
                                 OR c.sign_deadline - %(now)s <= (c.sign_deadline - c.date_dispatched) / 2)))),
                   COUNT(*) FILTER (WHERE c.state = 'dispatched' AND c.sign_deadline < %(now)s)
              FROM hotline_case c WHERE c.state IN ('dispatched', 'processing')
        """, {"now": now, "near": near})
        overdue, near_deadline, sign_overdue = cr.fetchone()
        cr.execute(f"""
            SELECT c.unit_id, COUNT(*) FROM hotline_case c
             WHERE c.state IN ('dispatched', 'processing') AND c.unit_id IS NOT NULL AND {overdue_sql}
          GROUP BY c.unit_id ORDER BY 2 DESC, c.unit_id LIMIT 5
        """, {"now": now})
        top = cr.fetchall()
        names = {u.id: u.name for u in self.env["hotline.unit"].sudo().browse([r[0] for r in top])}
        return {
            "date": today.isoformat(),
            "received": sum(by_channel.values()),
            "received_by_channel": by_channel,
            "intake_outcome": by_outcome,
            "open_by_state": open_by_state,
            "overdue": overdue,
            "near_deadline": near_deadline,
            "sign_overdue": sign_overdue,
            "top_overdue_units": [{"unit_id": uid, "name": names[uid], "overdue": n} for uid, n in top],
        }

    # ------------------------------------------------------------------
    # 热点排名
    # ------------------------------------------------------------------
    @api.model
    def hotspots(self, kind, date_from, date_to, limit=10):
        """热点排名: the `limit` most frequent keys of cases received in the period.

        kind: category | street | district | caller (repeat callers: 2 cases or more). Cancelled cases
        (invalid calls, merged duplicates) are left out. Returns a list of dicts
        {key_id, name, count, rank, previous_count, previous_rank, rank_change} where rank is the
        competition rank (1, 2, 2, 4) by count, previous_* are of the previous period of the same
        length (`_previous_period`), rank_change = previous_rank − rank (positive = climbed), None
        when the key was not ranked before. Callers' names only for reviewers/managers (the check
        of this API); others never reach it.
        """
        self._check_reader()
        if kind not in HOTSPOT_KINDS:
            raise UserError(self.env._("Unknown ranking: %s", kind))
        column, model = HOTSPOT_KINDS[kind]
        minimum = 2 if kind == "caller" else 1
        prev_from, prev_to = self._previous_period(date_from, date_to)
        self._flush()
        start, end = self._period_bounds(date_from, date_to)
        prev_start, prev_end = self._period_bounds(prev_from, prev_to)
        query = f"""
            WITH counts AS (
                SELECT {column} AS key_id,
                       COUNT(*) FILTER (WHERE c.date_received >= %(start)s) AS n,
                       COUNT(*) FILTER (WHERE c.date_received < %(prev_end)s) AS prev_n
                  FROM hotline_case c
                 WHERE c.date_received >= %(prev_start)s AND c.date_received < %(end)s
                   AND c.state <> 'cancelled' AND {column} IS NOT NULL
              GROUP BY 1
            ), ranked AS (
                SELECT key_id, n, prev_n,
                       CASE WHEN n >= %(min)s THEN RANK() OVER (ORDER BY n DESC) END AS rank,
                       CASE WHEN prev_n >= %(min)s THEN RANK() OVER (ORDER BY prev_n DESC) END AS prev_rank
                  FROM counts
            )
            SELECT key_id, n, rank, prev_n, prev_rank FROM ranked
             WHERE n >= %(min)s ORDER BY rank, key_id LIMIT %(limit)s
        """
        self.env.cr.execute(query, {
            "start": start, "end": end, "prev_start": prev_start, "prev_end": prev_end,
            "min": minimum, "limit": limit,
        })
        rows = self.env.cr.fetchall()
        records = self.env[model].sudo().browse([r[0] for r in rows])
        names = {r.id: r.display_name for r in records}
        return [{
            "key_id": key_id, "name": names.get(key_id), "count": n, "rank": rank,
            "previous_count": prev_n, "previous_rank": prev_rank,
            "rank_change": (prev_rank - rank) if prev_rank else None,
        } for key_id, n, rank, prev_n, prev_rank in rows]

    # ------------------------------------------------------------------
    # 行业分析
    # ------------------------------------------------------------------
    @api.model
    def industry_table(self, date_from, date_to):
        """行业分析表: cases received (cancelled left out) per (industry_id, type_id) in the period and in the
        previous period (`_previous_period`). Returns [{industry_id, type_id, count, previous_count}],
        ids False when the case has none; pairs present in either period."""
        self._check_reader()
        prev_from, prev_to = self._previous_period(date_from, date_to)
        start, end = self._period_bounds(date_from, date_to)
        prev_start, prev_end = self._period_bounds(prev_from, prev_to)
        self._flush()
        self.env.cr.execute("""
            SELECT c.industry_id, c.type_id,
                   COUNT(*) FILTER (WHERE c.date_received >= %(start)s),
                   COUNT(*) FILTER (WHERE c.date_received < %(prev_end)s)
              FROM hotline_case c
             WHERE c.date_received >= %(prev_start)s AND c.date_received < %(end)s AND c.state <> 'cancelled'
               AND (c.date_received >= %(start)s OR c.date_received < %(prev_end)s)
          GROUP BY 1, 2
          ORDER BY 3 DESC, 1, 2
        """, {"start": start, "end": end, "prev_start": prev_start, "prev_end": prev_end})
        return [{"industry_id": industry or False, "type_id": type_ or False, "count": n, "previous_count": prev}
                for industry, type_, n, prev in self.env.cr.fetchall()]
