from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..kpi import calls as kpi


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hotline_short_abandon_seconds = fields.Integer(
        string="Short Abandon Threshold (s)", config_parameter=kpi.SHORT_ABANDON_KEY,
        default=kpi.DEFAULT_SHORT_ABANDON,
        help="Callers who hang up in the queue within fewer seconds are counted as short abandons.")
    hotline_service_level_seconds = fields.Integer(
        string="Service Level Threshold (s)", config_parameter=kpi.SERVICE_LEVEL_KEY,
        default=kpi.DEFAULT_SERVICE_LEVEL,
        help="A call answered within this many seconds counts for the service level (e.g. 15, 20 or 30).")

    @api.constrains("hotline_short_abandon_seconds", "hotline_service_level_seconds")
    def _check_hotline_thresholds(self):
        for settings in self:
            if settings.hotline_short_abandon_seconds < 0 or settings.hotline_service_level_seconds <= 0:
                raise ValidationError(self.env._(
                    "The short-abandon threshold cannot be negative and the service-level threshold must be "
                    "positive."))

    def set_values(self):
        result = super().set_values()
        # facts computed with other thresholds are ignored from now on: rebuild them soon
        self.env.ref("hotline_reports.ir_cron_report_facts")._trigger()
        return result
