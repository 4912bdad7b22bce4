from odoo import api, models
from odoo.addons.hotline_reports.tools.xlsx import Column


class HotlineCallReportWizard(models.TransientModel):
    """坐席统计's XLSX gains the QA figures of the agents (kpi/quality.py through the KPI service)."""

    _inherit = "hotline.call.report.wizard"

    @api.model
    def _agent_columns(self):
        qa = self.env._("Quality Inspection")
        return super()._agent_columns() + [
            Column("qa_reviews", self.env._("Reviews"), group=qa),
            Column("qa_score", self.env._("QA Score"), "float", group=qa),
            Column("qa_fatal", self.env._("Fatal Items"), group=qa),
        ]

    @api.model
    def _agent_sum_keys(self):
        return super()._agent_sum_keys() + ("qa_reviews", "qa_points", "qa_fatal")

    @api.model
    def _agent_total(self, sums):
        sums = super()._agent_total(sums)
        # the mean over every review of the period, as for one agent: not a mean of the agents' means
        sums["qa_score"] = round(sums["qa_points"] / sums["qa_reviews"], 2) if sums["qa_reviews"] else None
        return sums
