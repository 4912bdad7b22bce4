from odoo import fields, models, tools
from odoo.tools import SQL

from ..kpi.quality import qa_facts_sql


class HotlineQualityAgentReport(models.Model):
    """质检成绩: the agents' QA score by day, week or month of the call (kpi/quality.py, one row per review)."""

    _name = "hotline.quality.agent.report"
    _description = "Agent QA Score"
    _auto = False
    _order = "date desc, user_id"
    _rec_name = "user_id"

    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    call_time = fields.Datetime(readonly=True)
    date = fields.Date(string="Call Date", readonly=True)
    scorecard_id = fields.Many2one("hotline.quality.scorecard", readonly=True)
    qa_reviews = fields.Integer(string="Reviews", readonly=True, aggregator="sum")
    qa_score = fields.Float(string="QA Score", readonly=True, aggregator="avg", digits=(5, 2),
                            help="Mean final score of the agent's submitted reviews (a ruled appeal's score "
                                 "replaces the submitted one), calibration reviews left out.")
    qa_fatal = fields.Integer(string="Fatal Items", readonly=True, aggregator="sum")
    qa_failed = fields.Integer(string="Failed Reviews", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), qa_facts_sql()))
