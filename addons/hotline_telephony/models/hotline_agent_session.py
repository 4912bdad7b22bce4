from odoo import api, fields, models


class HotlineAgentSession(models.Model):
    """An agent's queue membership interval (签入 ADDMEMBER -> 签出 REMOVEMEMBER)."""

    _name = "hotline.agent.session"
    _description = "Hotline Agent Session"
    _order = "login_time desc, id desc"

    pbx_id = fields.Many2one("hotline.pbx", string="PBX", readonly=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Agent", readonly=True, index=True)
    interface = fields.Char(required=True, readonly=True, index=True)
    queue = fields.Char(required=True, readonly=True)
    login_time = fields.Datetime(required=True, readonly=True)
    logout_time = fields.Datetime(readonly=True)
    duration = fields.Integer(string="Duration (s)", compute="_compute_duration", store=True)
    pause_ids = fields.One2many("hotline.agent.pause", "session_id", string="Pauses", readonly=True)
    member_status = fields.Integer(readonly=True, help="Last Asterisk device state of the member (0-8).")

    @api.depends("login_time", "logout_time")
    def _compute_duration(self):
        for session in self:
            if session.login_time and session.logout_time:
                session.duration = int((session.logout_time - session.login_time).total_seconds())
            else:
                session.duration = 0
