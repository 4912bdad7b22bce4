"""The case KPI service of the hotline.

Every report, export, assessment and the wallboard reads its case figures from `hotline.kpi.case`.
The definitions (口径), counted per dispatch, are in kpi/cases.py; the figures and the drill-down to
the dispatches behind a figure are both built from them, so a figure and its list cannot disagree.
"""
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..kpi import case_facts
from ..kpi.case_indicators import BY_CODE
from ..kpi.cases import (
    DISPATCH_MEASURES,
    HOLDING,
    RATES,
    SUM_COLUMNS,
    dispatch_hits_sql,
    figures_from_sums,
    holding_sql,
    merged_hits_sql,
    unit_sums_sql,
)
from ..kpi.period import check_period, days_utc

READER_GROUP = "hotline_case.group_reviewer"
# 热点排名 keys: the case column and the model of its records
HOTSPOT_KINDS = {
    "category": ("c.category_id", "hotline.category"),
    "street": ("c.street_id", "hotline.street"),
    "district": ("c.district_id", "hotline.district"),
    "caller": ("c.partner_id", "res.partner"),
}
OPEN_CASE_STATES = ("draft", "pool", "dispatched", "processing", "submitted", "callback")

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
        the center's time zone (``res.company._hotline_tz()``). ``units``: ids or recordset, None = every unit with
        figures. ``figures`` is a dict with, for every key below, an int (counts), a float (hours)
        or a rate in 0..1 (None when its denominator is 0):

        Every count is a number of *dispatches* (派单件次: one per dispatch log line, to the unit named
        on it), each placed in the period by one date of its own (kpi/cases.py, DISPATCH_MEASURES): a
        step counts for the unit of the dispatch it happened in, in the period it happened, whatever
        became of the case later.

        - ``dispatches``: 派单件次, by dispatch date; ``dispatched``: 派单量（件）, the cases among them
          dispatched to this unit for the first time
        - ``signed``: 签收, by signing; ``sign_due``: 应签收, signed in time or sign-for deadline passed
          (by that moment); ``signed_on_time``: of those, in time; ``sign_on_time_rate`` = signed_on_time /
          sign_due
        - ``extension_requested`` / ``extended``: dispatches with an extension asked / approved, by the
          first request / approval
        - ``submitted``: 提交; ``returned``: 退单; ``settled``: either (the unit let the case go);
          ``return_rate`` = returned / settled
        - ``returned_improper``: 不当退单, of the dispatches (by dispatch date) those whose return the center ruled
          improper (合理 and 待裁定 returns never count); ``improper_return_rate`` (不当退单率) =
          returned_improper / dispatches
        - ``urged``: 督办, dispatches a supervisor urged, by the first urging
        - ``due``: 应办结, submitted in time or deadline passed (by that moment); ``handled_on_time``: of
          those, submitted by the (extended) deadline; ``overdue`` (``overdue_count``): the others;
          ``due_extended``: of ``due``, with an extension approved; ``on_time_rate`` = handled_on_time / due;
          ``extension_rate`` = due_extended / due
        - ``reviewed`` / ``approved`` / ``rejected``: results reviewed / approved / rejected, by the review;
          ``close_rate`` (审核通过率) = approved / reviewed
        - ``callbacks_due``: results approved, by approval; ``callbacks_done``: of those, whose callback ended
          (rated, 不满意 → 重办, 无法联系 after every attempt, or 拒绝评价); ``callback_rate`` (回访率) =
          callbacks_done / callbacks_due
        - ``callback_unreachable`` (无法联系) / ``callback_refused`` (拒绝评价): callbacks ended without an evaluation,
          by that moment; neither is in ``rated`` nor in ``satisfaction_rate``
        - ``rated``: 参评, the caller's verdicts on the unit's results (a rating, or 不满意 leading to 重办);
          ``satisfied``: of those, 非常满意/满意/基本满意; ``redone``: of those, 重办;
          ``satisfaction_rate`` = satisfied / rated; ``redo_rate`` = redone / rated
        - ``concluded``: results rejected at review or judged by the caller; ``first_time_closed``: of those,
          the unit's first result on the case, approved and the caller satisfied;
          ``first_time_closed_rate`` = first_time_closed / concluded
        - ``rated_<level>``: the verdicts by satisfaction level (不满意 leading to 重办 as ``dissatisfied``);
          ``satisfaction_score``: 满意度得分, their mean score (hotline.satisfaction.level), None without verdict
        - ``overdue_hours``: 超期时长: Σ (submission, return, or now − deadline) over ``overdue``
        - ``avg_sign_hours`` (signed − dispatched, over ``signed``), ``avg_handle_hours`` (submitted −
          signed, over ``submitted``), ``avg_review_hours`` (review − submitted, over ``reviewed``)
        - what the unit holds now, whatever the period: ``holding_dispatched`` 待签收,
          ``holding_processing`` 处理中, ``holding_submitted`` 已提交, ``holding_overdue`` 超期 (the
          case list's 已超期)

    ``dispatch_ids(measure, date_from, date_to, unit)`` → ids of the dispatch log lines behind a count
    (drill-down, one per 件次); ``case_ids(...)`` → their cases; ``action_cases(...)`` → the window action
    listing the dispatches.

    ``situation(now=None)`` → today's situation (实时情况检查), see `_situation`.

    ``hotspots(kind, date_from, date_to, limit=10)`` → ranking with the previous period.
    """

    _name = "hotline.kpi.case"
    _description = "Case KPIs"

    # ------------------------------------------------------------------
    # Periods
    # ------------------------------------------------------------------
    @api.model
    def _previous_period(self, date_from, date_to):
        """The period of the same length just before (a calendar month gives the previous month)."""
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        check_period(self.env, date_from, date_to)
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
        start, end = days_utc(self.env, date_from, date_to)
        unit_ids = None
        if units is not None:
            unit_ids = list(units.ids if isinstance(units, models.BaseModel) else units)
        return {"start": start, "end": end, "now": fields.Datetime.now(), "units": unit_ids}

    @api.model
    def _unit_figures(self, date_from, date_to, units=None):
        params = self._params(date_from, date_to, units)
        self._flush()
        sums = {}
        for unit_id in params["units"] or ():
            sums[unit_id] = {}
        state = self._facts_state()
        if state and state[1] > params["start"]:
            # the closed days: their stored sums (kpi/case_facts.py), the same definitions per local day
            last = min(fields.Date.to_date(date_to), state[0])
            self._add_sums(sums, self._stored_sums(fields.Date.to_date(date_from), last, params["units"]))
            params["start"] = min(params["end"], state[1])
        if params["start"] < params["end"]:
            self._add_sums(sums, self._live_sums(params))
        scores = {level.key: level.score for level in self.env["hotline.satisfaction.level"].sudo().search([])}
        figures = {unit_id: figures_from_sums(row, params["now"], scores) for unit_id, row in sums.items()}
        holding = self._holding(params)
        for unit_id, unit_figures in figures.items():
            unit_figures.update(holding.get(unit_id) or dict.fromkeys(HOLDING, 0))
        return figures

    @api.model
    def _holding(self, params):
        """{unit_id: {holding_*: count}}: what each unit holds at params' `now` (kpi/cases.py HOLDING)."""
        units = SQL("%s::int[]", params["units"]) if params["units"] is not None else None
        self.env.cr.execute(holding_sql(params["now"], units))
        return {row.pop("unit_id"): row for row in self.env.cr.dictfetchall()}

    @staticmethod
    def _add_sums(sums, rows):
        for row in rows:
            target = sums.setdefault(row.pop("unit_id"), {})
            for key, value in row.items():
                if value is not None:
                    target[key] = target.get(key, 0) + value

    @api.model
    def _live_sums(self, params):
        """The summed columns per unit over params' period, from the log (and the cases' state and rating)."""
        units = SQL("%s::int[]", params["units"]) if params["units"] is not None else None
        end = self._placed_end(params)
        if params["start"] >= end:
            return []
        self.env.cr.execute(unit_sums_sql(SQL("%s", params["start"]), SQL("%s", end), params["now"], units=units))
        return self.env.cr.dictfetchall()

    @api.model
    def _placed_end(self, params):
        """The end of params' period as far as anything can be placed in it: nothing is placed after the reading
        time (a second on: exact), so the cases whose deadlines are still to come are not read at all."""
        return min(params["end"], params["now"] + timedelta(seconds=1))

    @api.model
    def _stored_sums(self, first_day, last_day, unit_ids):
        self.env.cr.execute(SQL("""
            SELECT f.unit_id, %(sums)s
              FROM hotline_case_fact f
             WHERE f.date >= %(first)s AND f.date <= %(last)s %(units)s
          GROUP BY f.unit_id""",
            sums=SQL(", ").join(SQL("SUM(%s) AS %s", SQL.identifier("f", key), SQL.identifier(key))
                                for key in SUM_COLUMNS),
            first=first_day, last=last_day,
            units=SQL("AND f.unit_id = ANY(%s)", unit_ids) if unit_ids is not None else SQL()))
        return self.env.cr.dictfetchall()

    @api.model
    def _hits_sql(self, date_from, date_to, unit_ids):
        """SELECT of (unit_id, dispatch_id, case_id, dispatched_at, codes): every dispatch of `unit_ids` counted in
        the period and the codes of its counts, as dispatch_hits_sql computes it — the closed days from the stored
        hits (kpi/case_facts.py), the days after from the log. The caller has flushed."""
        params = self._params(date_from, date_to, unit_ids)
        units = SQL("%s::int[]", params["units"])
        parts = []
        state = self._facts_state()
        if state and state[1] > params["start"]:
            last = min(fields.Date.to_date(date_to), state[0])
            parts.append(SQL("""SELECT f.unit_id, f.dispatch_id, f.case_id, f.dispatched_at, f.mask
                                  FROM hotline_case_dispatch_fact f
                                 WHERE f.date >= %s AND f.date <= %s AND f.unit_id = ANY(%s)""",
                             fields.Date.to_date(date_from), last, units))
            params["start"] = min(params["end"], state[1])
        end = self._placed_end(params)
        if not parts:
            return dispatch_hits_sql(SQL("%s", params["start"]), SQL("%s", end), params["now"], units)
        if params["start"] < end:
            parts.append(dispatch_hits_sql(SQL("%s", params["start"]), SQL("%s", end), params["now"], units,
                                           mask=True))
        return merged_hits_sql(parts)

    @api.model
    def _facts_state(self):
        """(closed_day, closed_end) of the stored case facts when computed in today's time zone, else None.
        Context ``hotline_kpi_base``: None (the definitions over the base tables: tests, bench)."""
        if self.env.context.get("hotline_kpi_base"):
            return None
        self.env.cr.execute(case_facts.valid_state_sql())
        return self.env.cr.fetchone()

    # ------------------------------------------------------------------
    # Drill-down
    # ------------------------------------------------------------------
    @api.model
    def measures(self):
        """The count keys a drill-down accepts (rates drill down to their numerator)."""
        return [*DISPATCH_MEASURES, "overdue_count", *RATES]

    @api.model
    def dispatch_ids(self, measure, date_from, date_to, unit):
        """Ids of the dispatch log lines (one per 件次) counted in `measure` for `unit` in the period."""
        self._check_reader()
        unit_id = unit.id if isinstance(unit, models.BaseModel) else int(unit)
        measure = RATES.get(measure, (measure,))[0]
        if measure == "overdue_count":
            measure = "overdue"
        if measure not in DISPATCH_MEASURES:
            raise UserError(self.env._("Unknown indicator: %s", measure))
        self._flush()
        # the dispatches as the figures count them (placed in the period, not in the future, the condition met)
        hits = self._hits_sql(date_from, date_to, [unit_id])
        self.env.cr.execute(SQL("SELECT h.dispatch_id FROM (%s) h WHERE %s = ANY(h.codes) ORDER BY h.dispatch_id",
                                hits, BY_CODE[measure].key))
        return [r[0] for r in self.env.cr.fetchall()]

    @api.model
    def case_ids(self, measure, date_from, date_to, unit):
        """Ids of the cases of the dispatches counted in `measure` for `unit` in the period."""
        lines = self.env["hotline.case.log"].sudo().browse(self.dispatch_ids(measure, date_from, date_to, unit))
        return list(dict.fromkeys(lines.case_id.ids))

    @api.model
    def action_cases(self, measure, date_from, date_to, unit, name=None):
        """Window action listing the dispatches behind a figure (one line per 件次, opening its case)."""
        ids = self.dispatch_ids(measure, date_from, date_to, unit)
        return {
            "type": "ir.actions.act_window",
            "name": name or self.env._("Dispatches"),
            "res_model": "hotline.case.log",
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
        - ``received_by_channel``: {channel: count} (every channel of the case, zeros included)
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
        today = self.env.company._hotline_local_day(now)
        start, end = self.env.company._hotline_day_bounds(today)
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
        start, end = days_utc(self.env, date_from, date_to)
        prev_start, prev_end = days_utc(self.env, prev_from, prev_to)
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
        start, end = days_utc(self.env, date_from, date_to)
        prev_start, prev_end = days_utc(self.env, prev_from, prev_to)
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
