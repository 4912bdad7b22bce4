from odoo import models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

PIVOT_NAMES = {
    "Texts by Template": _lt("Texts by Template"),
    "Survey Replies": _lt("Survey Replies"),
    "Evaluations by Channel": _lt("Evaluations by Channel"),
    "SMS Reply Outcomes": _lt("SMS Reply Outcomes"),
    "Callback Time Saved": _lt("Callback Time Saved"),
}


class SpreadsheetDashboard(models.Model):
    _inherit = "spreadsheet.dashboard"

    def _hotline_pivot_names(self):
        return super()._hotline_pivot_names() | {"hotline_sms_dashboard": PIVOT_NAMES}
