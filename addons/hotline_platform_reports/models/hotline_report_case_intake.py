from odoo import fields, models


class HotlineReportCaseIntake(models.Model):
    _inherit = "hotline.report.case.intake"

    # 受理业务统计 counts the platform's work orders as a channel of their own
    channel = fields.Selection(selection_add=[("platform", "12345 Platform")])
