from odoo import fields, models, tools
from odoo.tools import SQL

from ..kpi.facts import agent_report_sql

FORMULAS = {
    "inbound_answered": "Queue calls the agent answered, counted on the day they entered the queue.",
    "outbound_total": "Click-to-dial calls the agent placed.",
    "outbound_answered": "Click-to-dial calls the citizen answered.",
    "missed_rings": "Ring-no-answer attempts of the agent's phone (坐席漏接).",
    "talk_in": "Seconds of inbound talk inside the day.",
    "talk_out": "Seconds of outbound talk inside the day.",
    "signed_in": "Seconds signed in (签入 to 签出) inside the day; several queues count once.",
    "paused": "Seconds paused (示忙) while signed in; a pause open at sign-out ends there.",
    "paused_reason": "Seconds paused with this reason while signed in.",
    "on_call": "Seconds talking while signed in and not paused.",
    "idle": "Idle (示闲) = signed in − paused − on call (seconds).",
    "occupancy": "Occupancy = on call / (signed in − paused).",
    "rated_calls": "Calls the caller rated after the agent hung up (一次一评), on the day they entered the queue.",
    "rated_satisfied": "Rated calls rated 满意 or 基本满意.",
    "satisfaction_rate": "满意率 = rated 满意 or 基本满意 / rated calls.",
}


class HotlineAgentReport(models.Model):
    """Agent statistics per agent and day (center's time zone).

    Rows come from ``kpi.calls.agent_facts_sql()`` over the days of the calendar, the same
    SQL the KPI service runs over one period: intervals are clipped to each day, so the
    sum of a month's days equals the service's month. The closed days are read from their
    pre-aggregated rows (hotline_agent_fact, kpi/facts.py), the open days from the base tables.
    A second kind of row (``reason`` set, "" for a pause without reason) carries the paused time
    per reason, for the "busy by reason" breakdown.
    Occupancy is on_call / available, both summed: the avg aggregator would weight days
    equally, so ``_read_group_select`` computes it from the sums.
    """

    _name = "hotline.agent.report"
    _inherit = ["hotline.report.view.mixin"]
    _description = "Agent Statistics"
    _auto = False
    _order = "date desc, user_id"
    _rec_name = "user_id"

    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    date = fields.Date(readonly=True)
    reason = fields.Char(string="Pause Reason", readonly=True)
    inbound_answered = fields.Integer(readonly=True, aggregator="sum", help=FORMULAS["inbound_answered"])
    outbound_total = fields.Integer(string="Outbound Calls", readonly=True, aggregator="sum",
                                    help=FORMULAS["outbound_total"])
    outbound_answered = fields.Integer(readonly=True, aggregator="sum", help=FORMULAS["outbound_answered"])
    missed_rings = fields.Integer(string="Missed at Agent", readonly=True, aggregator="sum",
                                  help=FORMULAS["missed_rings"])
    talk_in = fields.Float(string="Inbound Talk (s)", readonly=True, aggregator="sum", help=FORMULAS["talk_in"])
    talk_out = fields.Float(string="Outbound Talk (s)", readonly=True, aggregator="sum", help=FORMULAS["talk_out"])
    signed_in = fields.Float(string="Signed In (s)", readonly=True, aggregator="sum", help=FORMULAS["signed_in"])
    paused = fields.Float(string="Paused (s)", readonly=True, aggregator="sum", help=FORMULAS["paused"])
    paused_reason = fields.Float(string="Paused by Reason (s)", readonly=True, aggregator="sum",
                                 help=FORMULAS["paused_reason"])
    available = fields.Float(string="Available (s)", readonly=True, aggregator="sum",
                             help="Signed in − paused (seconds).")
    on_call = fields.Float(string="On Call (s)", readonly=True, aggregator="sum", help=FORMULAS["on_call"])
    idle = fields.Float(string="Idle (s)", readonly=True, aggregator="sum", help=FORMULAS["idle"])
    occupancy = fields.Float(string="Occupancy", readonly=True, aggregator="avg", digits=(16, 4),
                             help=FORMULAS["occupancy"])

    rated_calls = fields.Integer(string="Rated Calls", readonly=True, aggregator="sum", help=FORMULAS["rated_calls"])
    rated_satisfied = fields.Integer(string="Rated Satisfied", readonly=True, aggregator="sum",
                                     help=FORMULAS["rated_satisfied"])
    satisfaction_rate = fields.Float(string="Caller Satisfaction", readonly=True, aggregator="avg", digits=(16, 4),
                                     help=FORMULAS["satisfaction_rate"])

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec.split(":")[0] == "satisfaction_rate":
            return SQL("SUM(%s)::numeric / NULLIF(SUM(%s), 0)",
                       self._field_to_sql(self._table, "rated_satisfied", query),
                       self._field_to_sql(self._table, "rated_calls", query))
        if aggregate_spec.split(":")[0] == "occupancy":
            return SQL("SUM(%s) / NULLIF(SUM(%s), 0)", self._field_to_sql(self._table, "on_call", query),
                       self._field_to_sql(self._table, "available", query))
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        self.env["hotline.report.fact"]._install()
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), agent_report_sql()))
