from urllib.parse import urlencode

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..kpi.period import check_period
from ..tools.xlsx import Column, XlsxReport


class HotlineCallReportWizard(models.TransientModel):
    """Pick a period (and queues/agents) and download 系统话务量统计 and 坐席统计 as XLSX."""

    _name = "hotline.call.report.wizard"
    _description = "Call Statistics Export"

    date_from = fields.Date(string="From", required=True,
                            default=lambda self: fields.Date.context_today(self).replace(day=1))
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    queues = fields.Char(help="Queue names separated by commas; empty for all queues.")
    agent_ids = fields.Many2many("res.users", string="Agents", domain=[("share", "=", False)],
                                 help="Empty for all agents.")

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        # checked when the dialog saves: a bad year stays in the dialog, never reaches the download's page
        for wizard in self:
            check_period(self.env, wizard.date_from, wizard.date_to)

    def action_export(self):
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The end of the period must come after its start."))
        params = {"date_from": fields.Date.to_string(self.date_from), "date_to": fields.Date.to_string(self.date_to)}
        if self.queues:
            params["queues"] = self.queues
        if self.agent_ids:
            params["agents"] = ",".join(str(i) for i in self.agent_ids.ids)
        # the download runs on a read-only route: on the replica when one is configured
        return {"type": "ir.actions.act_url", "url": "/hotline_reports/calls.xlsx?" + urlencode(params),
                "target": "self"}

    @api.model
    def _render_xlsx(self, date_from, date_to, queues=None, agent_ids=None):
        """The workbook (bytes) and its file name; figures from hotline.kpi.call only."""
        Kpi = self.env["hotline.kpi.call"]
        try:
            date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        except ValueError:
            raise UserError(self.env._("Enter the dates of the period as YYYY-MM-DD.")) from None
        if not date_from or not date_to or date_to < date_from:
            raise UserError(self.env._("The end of the period must come after its start."))
        check_period(self.env, date_from, date_to)
        sl = Kpi._service_level_seconds()
        period = self.env._("%(start)s to %(end)s", start=date_from, end=date_to)
        scope = self.env._("queues: %s", ", ".join(queues)) if queues else self.env._("all queues")
        report = XlsxReport()
        sl_group = self.env._("Answered within %s s", sl)

        call_columns = [
            Column("label", self.env._("Date"), "text", 14),
            Column("offered", self.env._("Offered")),
            Column("answered", self.env._("Answered")),
            Column("answer_rate", self.env._("Answer Rate"), "percent"),
            Column("abandoned", self.env._("Total"), group=self.env._("Abandoned in Queue")),
            Column("abandoned_short", self.env._("Short (< %s s)", Kpi._short_abandon_seconds()),
                   group=self.env._("Abandoned in Queue")),
            Column("abandoned_long", self.env._("Other"), group=self.env._("Abandoned in Queue")),
            Column("timeouts", self.env._("Timeouts"), group=self.env._("Left the Queue")),
            Column("exit_empty", self.env._("No Agent"), group=self.env._("Left the Queue")),
            Column("exit_key", self.env._("By Key"), group=self.env._("Left the Queue")),
            Column("service_level", self.env._("Of Answered"), "percent", group=sl_group),
            Column("service_level_offered", self.env._("Of Offered"), "percent", group=sl_group),
            Column("asa", self.env._("ASA"), "duration"),
            Column("aht", self.env._("AHT"), "duration"),
            Column("longest_wait", self.env._("Longest Wait"), "duration"),
            Column("missed_rings", self.env._("Missed at Agent")),
        ]

        def as_row(label, figures):
            return dict(figures, label=label)  # rates are fractions: the "percent" format shows them

        by_day = Kpi._call_groups(date_from, date_to, queues, ["date:day"])
        rows = [as_row(fields.Date.to_string(groups[0]), figures) for groups, figures in by_day]
        total = as_row(self.env._("Total"), Kpi.center_figures(date_from, date_to, queues))
        title = self.env._("Call Statistics")
        subtitle = self.env._("Period: %(period)s; %(scope)s", period=period, scope=scope)
        report.add_table(self.env._("By Day"), title, subtitle,
                         call_columns, rows, total)
        by_queue = sorted(Kpi.queue_figures(date_from, date_to, queues).items())
        queue_columns = [Column("label", self.env._("Queue"), "text", 14)] + call_columns[1:]
        report.add_table(self.env._("By Queue"), title, subtitle,
                         queue_columns, [as_row(name, figures) for name, figures in by_queue], total)

        agents = Kpi.agent_figures(date_from, date_to, agents=agent_ids)
        users = self.env["res.users"].sudo().browse(list(agents)).with_context(active_test=False)
        names = {user.id: user.name for user in users}
        agent_columns = self._agent_columns()
        agent_rows, sums = [], dict.fromkeys(self._agent_sum_keys(), 0)
        for user_id, figures in sorted(agents.items(), key=lambda item: names.get(item[0], "")):
            agent_rows.append(dict(figures, label=names.get(user_id, str(user_id))))
            for key in sums:
                sums[key] += figures[key]
        sums["label"] = self.env._("Total")
        self._agent_total(sums)
        agent_scope = self.env._("%s agents", len(agent_ids)) if agent_ids else self.env._("all agents")
        report.add_table(self.env._("Agents"), self.env._("Agent Statistics"),
                         self.env._("Period: %(period)s; %(scope)s", period=period, scope=agent_scope),
                         agent_columns, agent_rows, sums)
        filename = self.env._("Call Statistics %(start)s %(end)s.xlsx", start=date_from, end=date_to)
        return report.close(), filename

    # -- the 坐席统计 sheet: its columns and total row, extended by the addons adding agent figures ------------
    @api.model
    def _agent_columns(self):
        return [
            Column("label", self.env._("Agent"), "text", 14),
            Column("inbound_answered", self.env._("Answered"), group=self.env._("Inbound")),
            Column("talk_in", self.env._("Talk Time"), "duration", group=self.env._("Inbound")),
            Column("outbound_total", self.env._("Total"), group=self.env._("Outbound")),
            Column("outbound_answered", self.env._("Answered"), group=self.env._("Outbound")),
            Column("talk_out", self.env._("Talk Time"), "duration", group=self.env._("Outbound")),
            Column("missed_rings", self.env._("Missed at Agent")),
            Column("signed_in", self.env._("Signed In"), "duration", group=self.env._("Time")),
            Column("paused", self.env._("Paused"), "duration", group=self.env._("Time")),
            Column("on_call", self.env._("On Call"), "duration", group=self.env._("Time")),
            Column("idle", self.env._("Idle"), "duration", group=self.env._("Time")),
            Column("occupancy", self.env._("Occupancy"), "percent"),
            Column("rated_calls", self.env._("Rated Calls"), group=self.env._("Caller's Rating")),
            Column("satisfaction_rate", self.env._("Satisfaction"), "percent", group=self.env._("Caller's Rating")),
        ]

    @api.model
    def _agent_sum_keys(self):
        """The agents' figures the total row sums."""
        return ("inbound_answered", "talk_in", "outbound_total", "outbound_answered", "talk_out", "missed_rings",
                "signed_in", "paused", "on_call", "idle", "available", "rated_calls", "rated_satisfied")

    @api.model
    def _agent_total(self, sums):
        """The total row's ratios, from its sums (never a mean of the agents' ratios)."""
        sums["occupancy"] = sums["on_call"] / sums["available"] if sums["available"] else None
        sums["satisfaction_rate"] = sums["rated_satisfied"] / sums["rated_calls"] if sums["rated_calls"] else None
        return sums
