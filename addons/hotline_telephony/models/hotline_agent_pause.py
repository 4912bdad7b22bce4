from odoo import fields, models


class HotlineAgentPause(models.Model):
    """A pause interval (示忙, with its reason) until unpause (示闲)."""

    _name = "hotline.agent.pause"
    _inherit = ["hotline.agent.interval.mixin"]
    _description = "Hotline Agent Pause"

    session_id = fields.Many2one("hotline.agent.session", readonly=True, index=True, ondelete="set null")
    start = fields.Datetime(string="Paused")
    stop = fields.Datetime(string="Resumed")
    reason = fields.Char(readonly=True)
