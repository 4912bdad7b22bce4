from odoo import api, fields, models


class HotlineCall(models.Model):
    _inherit = "hotline.call"

    recording_ids = fields.One2many("hotline.recording", "call_id", string="Recordings", readonly=True)
    recording_state = fields.Selection(
        [("recording", "Recording"), ("stored", "Recorded"), ("purged", "Sound Removed"), ("none", "None")],
        compute="_compute_recording_state", string="Recording")
    recording_player = fields.Html(compute="_compute_recording_player", sanitize=False, string="Player")

    @api.depends("recording_ids.state")
    def _compute_recording_state(self):
        for call in self:
            states = set(call.recording_ids.mapped("state"))
            call.recording_state = next((s for s in ("recording", "stored", "purged") if s in states), "none")

    @api.depends("recording_ids.state", "recording_ids.timeline", "recording_ids.duration")
    def _compute_recording_player(self):
        for call in self:
            call.recording_player = call.recording_ids._player_html()
