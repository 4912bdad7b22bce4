from odoo import fields, models


class HotlineCallAttempt(models.Model):
    """One ring of an agent's phone for a queue call; ring-no-answer (坐席漏接) is counted here."""

    _name = "hotline.call.attempt"
    _description = "Hotline Call Ring Attempt"
    _order = "time, id"

    call_id = fields.Many2one("hotline.call", required=True, ondelete="cascade", index=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True, index=True)
    interface = fields.Char(required=True, readonly=True)
    result = fields.Selection([("answered", "Answered"), ("noanswer", "No Answer")], required=True,
                              readonly=True, index=True)
    ring_ms = fields.Integer(string="Ring Time (ms)", readonly=True)
    time = fields.Datetime(string="End of Ring", required=True, readonly=True)
