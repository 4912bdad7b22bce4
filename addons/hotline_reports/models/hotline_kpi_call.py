from datetime import time, timedelta

import pytz

from odoo import api, models
from odoo.tools import SQL

from ..kpi import calls as kpi
from ..kpi import facts
from ..kpi.period import period_utc

COUNT_KEYS = ("inbound_answered", "outbound_total", "outbound_answered", "missed_rings", "rated_calls",
              "rated_satisfied")
SECOND_KEYS = ("talk_in", "talk_out", "signed_in", "paused", "available", "on_call", "idle")


class HotlineKpiCall(models.AbstractModel):
    """The call-center KPI service: the one place code (reports, XLSX, wallboard) asks for figures.

    Periods: ``date_from`` / ``date_to`` are either dates (inclusive, days of the center's
    time zone: res.company._hotline_tz) or
    naive UTC datetimes (``date_to`` excluded), e.g. ``(today's midnight, now)`` for a
    wallboard.  Strings in Odoo's date/datetime format are accepted.

    ``queue_figures(date_from, date_to, queues=None)`` → ``{queue name: figures}`` and
    ``center_figures(date_from, date_to, queues=None)`` → ``figures`` of all (selected)
    queues together, computed from the calls (never an average of the queues' rates), with
    ``figures`` = {
        offered, answered, abandoned, abandoned_short, abandoned_long, timeouts, exit_empty,
        exit_key, answered_in_sl, talk_seconds, missed_rings: int counts / seconds,
        answer_rate, abandon_rate, service_level, service_level_offered: fractions 0–1
            (None when the denominator is 0; every rate of the reports is a fraction, shown as %),
        asa, aht: seconds (None when no call), longest_wait: seconds}.
    A call counts in the period in which it entered the queue.  Thresholds and time zone for
    Python callers: ``_short_abandon_seconds()``, ``_service_level_seconds()``; the period's
    UTC bounds: ``kpi/period.py::period_utc``, the center's clock: ``res.company._hotline_tz()``.  Definitions (口径):
    ``kpi/calls.py::call_facts_sql`` and readme/USAGE.md; thresholds: settings
    ``hotline_reports.short_abandon_seconds`` (5) and ``hotline_reports.service_level_seconds`` (20).

    ``agent_figures(date_from, date_to, agents=None)`` → ``{user id: figures}`` with
    ``figures`` = {
        inbound_answered, outbound_total, outbound_answered, missed_rings: int counts,
        talk_in, talk_out, signed_in, paused, available, on_call, idle: seconds (float)
            inside the period (intervals clipped to it, open ones running until now),
        paused_by_reason: {reason: seconds}, occupancy: fraction 0–1 (None when never available),
        rated_calls, rated_satisfied: int counts (一次一评), satisfaction_rate: rated_satisfied / rated_calls
            (None when no call was rated)}.
    Definitions: ``kpi/calls.py::agent_facts_sql``.

    Periods made of whole local hours (calls) or days (agents) are read from the report views,
    whose closed days are pre-aggregated (kpi/facts.py: the same definitions, summed per hour or
    day); other periods (the wallboard's "today until now") from the base tables directly.

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

    # -- calls -----------------------------------------------------------------------
    @api.model
    def _on_local_hour(self, moment):
        local = pytz.utc.localize(moment).astimezone(self.env.company._hotline_tz())
        return not (local.minute or local.second or local.microsecond)

    @api.model
    def _facts_state(self, thresholds=True):
        """(closed_day, closed_end, hours_end) of the pre-aggregated facts when they hold today's settings
        (agent facts: the days up to closed_day; call facts also today's hours before hours_end), else None
        (never refreshed, or settings changed since: the base tables answer until the refresh).
        Context ``hotline_kpi_base``: always None, the definitions read the base tables (tests, bench)."""
        if self.env.context.get("hotline_kpi_base"):
            return None
        self.env.cr.execute(facts.valid_state_sql(thresholds))
        return self.env.cr.fetchone()

    @api.model
    def _call_groups(self, date_from, date_to, queues, groupby):
        start, end = period_utc(self.env, date_from, date_to)
        # the view reads calls, settings and the company's time zone in SQL: pending writes first
        self.env.flush_all()
        state = self._facts_state()
        # whole hours touching the stored ones (closed days, today's past hours): the current hour alone is read
        # from the calls (the wallboard's "today": the stored hours plus the current one)
        if state and start < state[2] and self._on_local_hour(start) and self._on_local_hour(end):
            # whole hours: the hourly facts (closed days pre-aggregated), same definitions
            report = self.env["hotline.call.stat"]
            domain = [("hour_start", ">=", start), ("hour_start", "<", end)]
        else:
            report = self.env["hotline.call.report"].with_context(hotline_call_report_base=True)
            domain = [("enter_time", ">=", start), ("enter_time", "<", end)]
        self.env["hotline.call.report"].check_access("read")
        if queues:
            domain.append(("queue", "in", list(queues)))
        aggregates = [f"{name}:{agg}" for name, agg in kpi.CALL_AGGREGATES.items()]
        keys = list(kpi.CALL_AGGREGATES)
        result = []
        for row in report._read_group(domain, groupby, aggregates):
            groups, values = row[:len(groupby)], row[len(groupby):]
            figures = {key: (None if value is False else value) for key, value in zip(keys, values, strict=False)}
            for key in keys:
                if kpi.CALL_AGGREGATES[key] == "sum" or key == "longest_wait":
                    figures[key] = int(figures[key] or 0)
                elif figures[key] is not None:
                    figures[key] = float(figures[key])
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
        start, end = period_utc(self.env, date_from, date_to)
        user_ids = None
        if agents is not None:
            user_ids = agents.ids if isinstance(agents, models.BaseModel) else list(agents)
        self.env.flush_all()
        result = {}
        state = self._facts_state(thresholds=False)
        if state and state[1] > start:
            tz = self.env.company._hotline_tz()
            first = pytz.utc.localize(start).astimezone(tz)
            if first.time() == time.min:
                # the closed days of a period starting at midnight: sums of the stored days, the same measures
                last = pytz.utc.localize(min(end, state[1])).astimezone(tz)
                self._add_agent_days(result, first.date(), last.date() - timedelta(days=1), user_ids)
                start = min(end, state[1])
        if start < end:
            periods = SQL("SELECT %s::timestamp AS pstart, %s::timestamp AS pend, %s::date AS day",
                          start, end, start.date())
            self.env.cr.execute(kpi.agent_facts_sql(periods, user_ids))
            for row in self.env.cr.dictfetchall():
                figures = result.setdefault(row["user_id"], self._empty_agent_figures())
                for key in COUNT_KEYS:
                    figures[key] += row[key] or 0
                for key in SECOND_KEYS:
                    figures[key] += float(row[key] or 0)
                for reason, seconds in (row["paused_by_reason"] or {}).items():
                    figures["paused_by_reason"][reason] = figures["paused_by_reason"].get(reason, 0.0) + float(seconds)
        for figures in result.values():
            figures["occupancy"] = figures["on_call"] / figures["available"] if figures["available"] else None
            figures["satisfaction_rate"] = (figures["rated_satisfied"] / figures["rated_calls"]
                                            if figures["rated_calls"] else None)
        return result

    @api.model
    def _empty_agent_figures(self):
        return {**dict.fromkeys(COUNT_KEYS, 0), **dict.fromkeys(SECOND_KEYS, 0.0), "paused_by_reason": {}}

    @api.model
    def _add_agent_days(self, result, first_day, last_day, user_ids):
        """Add the stored agent facts of the local days first_day..last_day to `result`."""
        if last_day < first_day:
            return
        user_filter = SQL("AND f.user_id IN %s", tuple(user_ids) or (None,)) if user_ids is not None else SQL()
        self.env.cr.execute(SQL(
            """SELECT f.user_id, f.reason, SUM(f.paused_reason), %(sums)s
                 FROM hotline_agent_fact f
                WHERE f.date >= %(first)s AND f.date <= %(last)s %(uf)s
                GROUP BY f.user_id, f.reason""",
            sums=SQL(", ").join(SQL("SUM(%s)", SQL.identifier("f", key)) for key in COUNT_KEYS + SECOND_KEYS),
            first=first_day, last=last_day, uf=user_filter))
        for user_id, reason, by_reason, *values in self.env.cr.fetchall():
            figures = result.setdefault(user_id, self._empty_agent_figures())
            if reason is not None:
                figures["paused_by_reason"][reason] = figures["paused_by_reason"].get(reason, 0.0) + float(by_reason)
                continue
            for key, value in zip(COUNT_KEYS + SECOND_KEYS, values, strict=True):
                figures[key] += int(value) if key in COUNT_KEYS else float(value)
