from odoo import fields, models


class HotlineRecordingAccess(models.Model):
    """Who heard or downloaded which recording, and when (recordings are personal information).
    Written by the playback route only; managers read it."""

    _name = "hotline.recording.access"
    _description = "Recording Listen Log"
    _order = "create_date desc, id desc"
    _log_access = True

    recording_id = fields.Many2one("hotline.recording", required=True, readonly=True, index=True,
                                   ondelete="cascade")
    call_id = fields.Many2one("hotline.call", string="Call", readonly=True, index=True, ondelete="set null")
    user_id = fields.Many2one("res.users", string="User", required=True, readonly=True, index=True)
    kind = fields.Selection([("play", "Listened"), ("download", "Downloaded")], required=True, readonly=True)
    create_date = fields.Datetime(string="When", readonly=True)
