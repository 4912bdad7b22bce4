from odoo import fields, models
from odoo.addons.hotline_case.models.hotline_case import CHANNEL_SELECTION, STATE_SELECTION

from ..models.hotline_kpi_case import INTAKE_OUTCOME_SQL, INTAKE_OUTCOMES


class HotlineReportCaseIntake(models.Model):
    """受理业务统计: one row per case received, by channel, type, agent and intake outcome."""

    _name = "hotline.report.case.intake"
    _description = "Intake Statistics"
    _auto = False
    _rec_name = "date_received"
    _order = "date_received desc"
    _depends = {
        "hotline.case": ["date_received", "channel", "type_id", "category_id", "industry_id", "district_id",
                         "agent_id", "unit_id", "state"],
        "hotline.case.log": ["case_id", "action", "from_state", "to_state", "date"],
    }

    case_id = fields.Many2one("hotline.case", string="Case", readonly=True)
    date_received = fields.Datetime(string="Received", readonly=True)
    channel = fields.Selection(CHANNEL_SELECTION, readonly=True)
    type_id = fields.Many2one("hotline.case.type", string="Type", readonly=True)
    category_id = fields.Many2one("hotline.category", string="Category", readonly=True)
    industry_id = fields.Many2one("hotline.industry", string="Industry", readonly=True)
    district_id = fields.Many2one("hotline.district", string="District", readonly=True)
    agent_id = fields.Many2one("res.users", string="Agent", readonly=True)
    unit_id = fields.Many2one("hotline.unit", string="Unit", readonly=True)
    intake_outcome = fields.Selection(
        INTAKE_OUTCOMES, string="Intake Outcome", readonly=True,
        help="The first step out of 受理: closed on the call (处理完毕), sent straight to a unit (自调度), "
             "transferred to the dispatch pool (转调度), cancelled, or still being recorded.",
    )
    state = fields.Selection(STATE_SELECTION, readonly=True)

    @property
    def _table_query(self):
        return f"""
            SELECT c.id, c.id AS case_id, c.date_received, c.channel, c.type_id, c.category_id, c.industry_id,
                   c.district_id, c.agent_id, c.unit_id, c.state, {INTAKE_OUTCOME_SQL} AS intake_outcome
              FROM hotline_case c
        """
