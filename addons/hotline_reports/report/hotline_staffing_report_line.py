from odoo import api, fields, models


class HotlineStaffingReportLine(models.TransientModel):
    _name = "hotline.staffing.report.line"
    _description = "Staffing per Half Hour"
    _order = "slot"

    report_id = fields.Many2one("hotline.staffing.report", required=True, ondelete="cascade", index=True)
    slot = fields.Integer(required=True)
    name = fields.Char(string="Half Hour", compute="_compute_name")
    calls = fields.Float(string="Calls per Day", digits=(16, 1),
                         help="Offered calls in this half hour, average per day of the period.")
    traffic = fields.Float(string="Traffic (Erlang)", digits=(16, 2), help="Calls × AHT / 1800 s.")
    agents_needed = fields.Integer(help="Erlang C: fewest agents reaching the target service level.")
    agents_signed_in = fields.Float(string="Signed In", digits=(16, 1),
                                    help="Agents signed in during this half hour, average per day.")
    agents_available = fields.Float(string="Available", digits=(16, 1),
                                    help="Agents signed in and not paused, average per day.")
    gap = fields.Float(compute="_compute_name", digits=(16, 1), help="Available − needed.")

    @api.depends("slot", "agents_needed", "agents_available")
    def _compute_name(self):
        for line in self:
            line.name = "%02d:%02d" % divmod(line.slot * 30, 60)
            line.gap = line.agents_available - line.agents_needed
