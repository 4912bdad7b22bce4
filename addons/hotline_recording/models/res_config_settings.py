from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hotline_recording_retention_days = fields.Integer(related="company_id.hotline_recording_retention_days",
                                                      readonly=False)
    hotline_recording_agent_scope = fields.Selection(related="company_id.hotline_recording_agent_scope",
                                                     readonly=False)
    hotline_recording_storage = fields.Selection(related="company_id.hotline_recording_storage", readonly=False)
    hotline_recording_folder = fields.Char(related="company_id.hotline_recording_folder", readonly=False)
    hotline_recording_codec = fields.Selection(related="company_id.hotline_recording_codec", readonly=False)
    hotline_recording_bitrate = fields.Integer(related="company_id.hotline_recording_bitrate", readonly=False)
