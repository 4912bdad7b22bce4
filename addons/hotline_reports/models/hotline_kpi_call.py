from datetime import date, datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..kpi import calls as kpi
from ..kpi.center import center_tz

QUEUE_KEYS = ("offered", "answered", "answer_rate", "abandoned", "abandoned_short", "abandoned_long",
              "abandon_rate", "timeouts", "exit_empty", "exit_key", "answered_in_sl", "service_level",
              "service_level_offered", "asa", "aht", "talk_seconds", "longest_wait", "missed_rings")
AGENT_KEYS = ("inbound_answered", "outbound_total", "outbound_answered", "missed_rings", "talk_in", "talk_out",
              "signed_in", "paused", "paused_by_reason", "available", "on_call", "idle", "occupancy")


class HotlineKpiCall(models.AbstractModel):
    """The call-center KPI service: the one place code (reports, XLSX, wallboard) asks for figures.

    Periods: ``date_from`` / ``date_to`` are either dates (inclusive, days of the center's
    time zone, the working calendar's: kpi/center.py) or
    naive UTC datetimes (``date_to`` excluded), e.g. ``(today's midnight, now)`` for a
    wallboard.  Strings in Odoo's date/datetime format are accepted.

    ``queue_figures(date_from, date_to, queues=None)`` → ``{queue name: figures}`` and
    ``center_figures(date_from, date_to, queues=None)`` → ``figures`` of all (selected)
    queues together, computed from the calls (never an average of the queues' rates), with
    ``figures`` = {
        offered, answered, abandoned, abandoned_short, abandoned_long, timeouts, exit_empty,
        exit_key, answered_in_sl, talk_seconds, missed_rings: int counts / seconds,
        answer_rate, abandon_rate, service_level, service_level_offered: percent 0–100
            (None when the denominator is 0),
        asa, aht: seconds (None when no call), longest_wait: seconds}.
    A call counts in the period in which it entered the queue.  Thresholds and time zone for
    Python callers: ``_short_abandon_seconds()``, ``_service_level_seconds()``, ``_center_tz()``,
    ``_bounds(date_from, date_to)`` → (start, end) naive UTC.  Definitions (口径):
    ``kpi/calls.py::call_facts_sql`` and readme/USAGE.md; thresholds: settings
    ``hotline_reports.short_abandon_seconds`` (5) and ``hotline_reports.service_level_seconds`` (20).

    ``agent_figures(date_from, date_to, agents=None)`` → ``{user id: figures}`` with
    ``figures`` = {
        inbound_answered, outbound_total, outbound_answered, missed_rings: int counts,
        talk_in, talk_out, signed_in, paused, available, on_call, idle: seconds (float)
            inside the period (intervals clipped to it, open ones running until now),
        paused_by_reason: {reason: seconds}, occupancy: percent (None when never available)}.
    Definitions: ``kpi/calls.py::agent_facts_sql``.

    Every method reads through the caller's access rights on the report models
    (reviewers and managers); a wallboard serving other users calls it with ``sudo()``.
    The methods are ``@api.readonly``: over RPC they run on a read-only cursor, i.e. on the
    replica when ``db_replica_host``/``db_replica_port`` are configured.
    """

    _name = "hotline.kpi.call"
    _description = "Call-Center KPI Service"

    # -- configuration -------------------------------------------------------------
    @api.model
    def _param_int(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value not in (None, False, "") else default
        except ValueError:
            return default

    @api.model
    def _short_abandon_seconds(self):
        return self._param_int(kpi.SHORT_ABANDON_KEY, kpi.DEFAULT_SHORT_ABANDON)

    @api.model
    def _service_level_seconds(self):
        return self._param_int(kpi.SERVICE_LEVEL_KEY, kpi.DEFAULT_SERVICE_LEVEL)

    @api.model
    def _center_tz(self):
        """The center's time zone (kpi/center.py): the working calendar's, as for deadlines."""
        return center_tz(self.env)

    @api.model
    def _bounds(self, date_from, date_to):
        """(start, end) as naive UTC datetimes, end excluded, from dates or UTC datetimes."""
        def parse(value):
            if isinstance(value, str):
                value = fields.Datetime.to_datetime(value) if len(value) > 10 else fields.Date.to_date(value)
            return value

        try:
            start, end = parse(date_from), parse(date_to)
        except ValueError:
            raise UserError(self.env._("Enter the dates of the period as YYYY-MM-DD.")) from None
        if not start or not end:
            raise UserError(self.env._("Choose the start and the end of the period."))
        tz = self._center_tz()
        if not isinstance(start, datetime) and isinstance(start, date):
            start = tz.localize(datetime.combine(start, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        if not isinstance(end, datetime) and isinstance(end, date):
            end = tz.localize(datetime.combine(end + timedelta(days=1), time.min)).astimezone(
                pytz.utc).replace(tzinfo=None)
        if end <= start:
            raise UserError(self.env._("The end of the period must come after its start."))
        return start, end

    # -- calls -----------------------------------------------------------------------
    @api.model
    def _call_groups(self, date_from, date_to, queues, groupby):
        start, end = self._bounds(date_from, date_to)
        domain = [("enter_time", ">=", start), ("enter_time", "<", end)]
        if queues:
            domain.append(("queue", "in", list(queues)))
        aggregates = [f"{name}:{agg}" for name, agg in kpi.CALL_AGGREGATES.items()]
        keys = list(kpi.CALL_AGGREGATES)
        # the view reads calls, settings and the company's time zone in SQL: pending writes first
        self.env.flush_all()
        result = []
        for row in self.env["hotline.call.report"]._read_group(domain, groupby, aggregates):
            groups, values = row[:len(groupby)], row[len(groupby):]
            figures = {key: (None if value is False else value) for key, value in zip(keys, values, strict=False)}
            for key in keys:
                if kpi.CALL_AGGREGATES[key] == "sum" or key == "longest_wait":
                    figures[key] = int(figures[key] or 0)
            result.append((groups, figures))
        return result

    @api.model
    @api.readonly
    def queue_figures(self, date_from, date_to, queues=None):
        """Per queue name, the call KPIs of the calls that entered it in the period (see class doc)."""
        return {groups[0]: figures for groups, figures in self._call_groups(date_from, date_to, queues, ["queue"])}

    @api.model
    @api.readonly
    def center_figures(self, date_from, date_to, queues=None):
        """The call KPIs of all (selected) queues together (see class doc)."""
        rows = self._call_groups(date_from, date_to, queues, [])
        if rows:
            return rows[0][1]
        return self._empty_call_figures()

    @api.model
    def _empty_call_figures(self):
        return {key: (None if kpi.CALL_AGGREGATES[key] == "avg" else 0) for key in kpi.CALL_AGGREGATES}

    # -- agents ----------------------------------------------------------------------
    @api.model
    @api.readonly
    def agent_figures(self, date_from, date_to, agents=None):
        """Per agent (res.users id), the agent KPIs of the period (see class doc)."""
        self.env["hotline.agent.report"].check_access("read")
        start, end = self._bounds(date_from, date_to)
        user_ids = None
        if agents is not None:
            user_ids = agents.ids if isinstance(agents, models.BaseModel) else list(agents)
        periods = SQL("SELECT %s::timestamp AS pstart, %s::timestamp AS pend, %s::date AS day",
                      start, end, start.date())
        self.env.flush_all()
        self.env.cr.execute(kpi.agent_facts_sql(periods, user_ids))
        result = {}
        for row in self.env.cr.dictfetchall():
            figures = {key: row[key] for key in AGENT_KEYS}
            for key in ("talk_in", "talk_out", "signed_in", "paused", "available", "on_call", "idle"):
                figures[key] = float(figures[key] or 0)
            figures["occupancy"] = float(row["occupancy"]) if row["occupancy"] is not None else None
            figures["paused_by_reason"] = {k: float(v) for k, v in (row["paused_by_reason"] or {}).items()}
            result[row["user_id"]] = figures
        return result
