from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..kpi import erlang
from ..kpi.calls import PARAMS_SQL, agent_facts_sql

SLOT = 1800  # half an hour


class HotlineStaffingReport(models.TransientModel):
    """Agents needed per half hour (Erlang C) next to the agents actually signed in.

    Calls per half hour = offered calls of the last N weeks in that half hour of the day
    (center's time zone) / number of days; AHT = the period's AHT (hotline.call.report);
    needed = the fewest agents whose Erlang C service level reaches the target.  Signed in
    = agent-seconds signed in during that half hour / (1800 × days), available the same
    without paused time (hotline.kpi.call's definitions).  Shrinkage is not added.
    """

    _name = "hotline.staffing.report"
    _description = "Staffing (Erlang C)"

    weeks = fields.Integer(default=4, required=True, help="History used: the last N weeks up to yesterday.")
    target_level = fields.Float(string="Target Service Level (%)", default=80.0, required=True)
    sl_seconds = fields.Integer(string="Answer Within (s)", required=True,
                                default=lambda self: self.env["hotline.kpi.call"]._service_level_seconds())
    queue = fields.Char(help="Leave empty for all queues.")
    aht = fields.Float(string="AHT (s)", readonly=True, digits=(16, 1))
    line_ids = fields.One2many("hotline.staffing.report.line", "report_id", string="Half Hours", readonly=True)
    chart_data = fields.Json(compute="_compute_chart_data", string="Chart")

    def _compute_display_name(self):
        # the breadcrumb: the screen's name, not "hotline.staffing.report,NewId_…"
        for report in self:
            report.display_name = self.env._("Staffing (Erlang C)")

    @api.depends("line_ids.agents_needed", "line_ids.agents_signed_in", "line_ids.agents_available")
    def _compute_chart_data(self):
        # the curves of the chart above the table: needed against signed in and available, per half hour
        for report in self:
            lines = report.line_ids.sorted("slot")
            report.chart_data = {
                "labels": lines.mapped("name"),
                "needed": lines.mapped("agents_needed"),
                "signed_in": [round(value, 2) for value in lines.mapped("agents_signed_in")],
                "available": [round(value, 2) for value in lines.mapped("agents_available")],
            }

    @api.model
    def action_open(self):
        """The menu: the last weeks computed with the default settings at once, rather than an empty form
        (leaving which would save an empty record); 计算 recomputes with other settings."""
        report = self.create({})
        report.action_compute()
        return {
            "type": "ir.actions.act_window", "name": self.env._("Staffing (Erlang C)"), "res_model": self._name,
            "res_id": report.id, "view_mode": "form", "views": [(False, "form")], "target": "current",
        }

    @api.constrains("weeks", "target_level", "sl_seconds")
    def _check_inputs(self):
        for report in self:
            if not 1 <= report.weeks <= 52 or not 0 < report.target_level < 100 or report.sl_seconds <= 0:
                raise UserError(self.env._(
                    "Use 1 to 52 weeks, a target between 0 and 100 % and a positive answer time."))

    def action_compute(self):
        self.ensure_one()
        Kpi = self.env["hotline.kpi.call"]
        today = self.env.company._hotline_local_day()
        first = today - timedelta(weeks=self.weeks)
        start, end = self.env.company._hotline_day_bounds(first, today - timedelta(days=1))
        days = (today - first).days
        queues = [self.queue] if self.queue else None
        center = Kpi.center_figures(start, end, queues=queues)
        aht = center["aht"] or 0.0
        self.env["hotline.call.report"].check_access("read")
        queue_filter = SQL("AND r.queue = %s", self.queue) if self.queue else SQL("")
        self.env.cr.execute(SQL(
            """SELECT floor(EXTRACT(EPOCH FROM (r.enter_time AT TIME ZONE 'UTC' AT TIME ZONE p.tz)::time)
                            / %(slot)s)::int,
                      SUM(r.offered)
                 FROM hotline_call_report r, (%(params)s) p
                WHERE r.enter_time >= %(start)s AND r.enter_time < %(end)s %(qf)s
                GROUP BY 1""",
            slot=SLOT, params=PARAMS_SQL, start=start, end=end, qf=queue_filter))
        calls = dict(self.env.cr.fetchall())
        # one period per half hour of each day, labelled by the half hour: the facts add the days up
        periods = SQL(
            """SELECT (((d::date)::timestamp + s * interval '30 minutes') AT TIME ZONE p.tz) AT TIME ZONE 'UTC'
                          AS pstart,
                      (((d::date)::timestamp + (s + 1) * interval '30 minutes') AT TIME ZONE p.tz) AT TIME ZONE 'UTC'
                          AS pend,
                      s AS day
                 FROM (%(params)s) p, generate_series(%(first)s::date, %(last)s::date, interval '1 day') d,
                      generate_series(0, 47) s""",
            params=PARAMS_SQL, first=first, last=today - timedelta(days=1))
        self.env.cr.execute(SQL("SELECT day, SUM(signed_in), SUM(available) FROM (%s) f GROUP BY day",
                                agent_facts_sql(periods)))
        presence = {slot: (signed, available) for slot, signed, available in self.env.cr.fetchall()}
        lines = []
        for slot in range(48):
            per_day = calls.get(slot, 0) / days
            signed, available = presence.get(slot, (0, 0))
            needed = erlang.agents_needed(per_day, SLOT, aht, self.sl_seconds, self.target_level / 100)
            lines.append({
                "slot": slot,
                "calls": per_day,
                "traffic": per_day * aht / SLOT,
                "agents_needed": needed,
                "agents_signed_in": float(signed) / SLOT / days,
                "agents_available": float(available) / SLOT / days,
            })
        self.line_ids.unlink()
        self.write({"aht": aht, "line_ids": [fields.Command.create(vals) for vals in lines]})
        return True
