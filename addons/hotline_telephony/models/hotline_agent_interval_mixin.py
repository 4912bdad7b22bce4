from odoo import api, fields, models


class HotlineAgentIntervalMixin(models.AbstractModel):
    """An interval of an agent on a queue, from one Asterisk event to another.

    Sessions (签入 ADDMEMBER -> 签出 REMOVEMEMBER) and pauses (示忙 PAUSE -> 示闲 UNPAUSE) share
    these columns, so reports read both the same way: `start`, `stop` (empty while open) and
    `duration` in seconds.
    """

    _name = "hotline.agent.interval.mixin"
    _description = "Hotline Agent Interval"
    _order = "start desc, id desc"

    pbx_id = fields.Many2one("hotline.pbx", string="PBX", readonly=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Agent", readonly=True, index=True)
    interface = fields.Char(required=True, readonly=True, index=True)
    queue = fields.Char(required=True, readonly=True)
    start = fields.Datetime(required=True, readonly=True)
    stop = fields.Datetime(readonly=True)
    duration = fields.Integer(string="Duration (s)", compute="_compute_duration", store=True)

    @api.depends("start", "stop")
    def _compute_duration(self):
        for interval in self:
            interval.duration = int((interval.stop - interval.start).total_seconds()) \
                if interval.start and interval.stop else 0

    def _close(self, when):
        """Close the open intervals at `when` (never before their start)."""
        for interval in self.filtered(lambda i: not i.stop):
            interval.stop = max(when, interval.start)
