from odoo import fields, models


class HotlineAgentSession(models.Model):
    """An agent's queue membership interval (签入 ADDMEMBER -> 签出 REMOVEMEMBER)."""

    _name = "hotline.agent.session"
    _inherit = ["hotline.agent.interval.mixin"]
    _description = "Hotline Agent Session"

    start = fields.Datetime(string="Signed In")
    stop = fields.Datetime(string="Signed Out")
    pause_ids = fields.One2many("hotline.agent.pause", "session_id", string="Pauses", readonly=True)
    member_status = fields.Integer(readonly=True, help="Last Asterisk device state of the member (0-8).")

    def _close(self, when):
        # pauses end with the session (a REMOVEMEMBER of a paused member has no UNPAUSE)
        self.pause_ids._close(when)
        return super()._close(when)
