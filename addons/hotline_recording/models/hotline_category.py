from odoo import fields, models


class HotlineCategory(models.Model):
    _inherit = "hotline.category"

    recording_retention_days = fields.Integer(
        string="Keep Recordings (days)",
        help="Days the recordings of calls about this category are kept; 0 uses the parent category's "
             "period, or the site's.")

    def _hotline_recording_retention(self):
        """This category's period, inherited from its parents (0: the site's)."""
        self.ensure_one()
        category = self
        while category:
            if category.recording_retention_days:
                return category.recording_retention_days
            category = category.parent_id
        return 0

    _retention_positive = models.Constraint("CHECK(recording_retention_days >= 0)",
                                            "A retention period cannot be negative.")
