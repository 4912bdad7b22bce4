from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hotline_duplicate_window_days = fields.Integer(
        related="company_id.hotline_duplicate_window_days", readonly=False,
    )
    hotline_near_deadline_hours = fields.Float(related="company_id.hotline_near_deadline_hours", readonly=False)
    hotline_default_area_code = fields.Char(related="company_id.hotline_default_area_code", readonly=False)
    hotline_callback_attempts = fields.Integer(related="company_id.hotline_callback_attempts", readonly=False)
