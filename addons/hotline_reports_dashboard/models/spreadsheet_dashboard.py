import json

from odoo import models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# The spreadsheet shows a pivot's name above its table, and Odoo translates only the formulas' _t():
# the hotline dashboard's pivot names are worded here for the reader.
PIVOT_NAMES = {
    "Unit Statistics": _lt("Unit Statistics"),
    "Intake Statistics": _lt("Intake Statistics"),
    "Top Categories": _lt("Top Categories"),
}


class SpreadsheetDashboard(models.Model):
    _inherit = "spreadsheet.dashboard"

    def _hotline_pivot_names(self):
        """{translation namespace (the dashboard's module): {pivot name: lazy translation}}: the hotline's
        dashboards whose pivot names are translated when served."""
        return {"hotline_reports_dashboard": PIVOT_NAMES}

    def _get_serialized_readonly_dashboard(self):
        serialized = super()._get_serialized_readonly_dashboard()
        names = self._hotline_pivot_names().get(self._get_dashboard_translation_namespace())
        if not names:
            return serialized
        data = json.loads(serialized)
        lang = self.env.lang or "en_US"
        for pivot in data["snapshot"].get("pivots", {}).values():
            name = names.get(pivot.get("name"))
            if name:
                pivot["name"] = name._translate(lang)
        return json.dumps(data)
