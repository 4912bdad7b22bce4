from odoo import api, fields, models


class HotlineAgentPause(models.Model):
    """A pause interval (示忙, with its reason) until unpause (示闲)."""

    _name = "hotline.agent.pause"
    _description = "Hotline Agent Pause"
    _order = "start desc, id desc"

    session_id = fields.Many2one("hotline.agent.session", readonly=True, index=True, ondelete="set null")
    pbx_id = fields.Many2one("hotline.pbx", string="PBX", readonly=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Agent", readonly=True, index=True)
    interface = fields.Char(required=True, readonly=True, index=True)
    queue = fields.Char(required=True, readonly=True)
    start = fields.Datetime(required=True, readonly=True)
    end = fields.Datetime(readonly=True)
    reason = fields.Char(readonly=True)
    duration = fields.Integer(string="Duration (s)", compute="_compute_duration", store=True)

    @api.depends("start", "end")
    def _compute_duration(self):
        for pause in self:
            pause.duration = int((pause.end - pause.start).total_seconds()) if pause.start and pause.end else 0
