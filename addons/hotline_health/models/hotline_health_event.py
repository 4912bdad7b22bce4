from odoo import api, fields, models


class HotlineHealthEvent(models.Model):
    """What went wrong and what recovered, for the administrators' record.

    An incident opens when a health row turns red and closes when it is no longer
    red; a recovery is written by a part that healed itself (the AMI bridge
    reconnecting and catching up on queue_log)."""

    _name = "hotline.health.event"
    _description = "Hotline Health Event"
    _order = "start desc, id desc"

    check_key = fields.Char(string="Part", required=True, index=True, readonly=True)
    name = fields.Char(string="What", required=True, readonly=True)
    kind = fields.Selection(
        [("incident", "Incident"), ("recovery", "Automatic Recovery")], required=True, readonly=True,
    )
    start = fields.Datetime(string="Down Since", required=True, readonly=True)
    stop = fields.Datetime(string="Recovered At", readonly=True)
    duration = fields.Float(string="Down (minutes)", compute="_compute_duration", store=True, readonly=True)
    detail = fields.Char(readonly=True, help="The fact behind the colour when it turned red.")
    caught_up = fields.Integer(
        string="Caught Up", readonly=True, help="Events recovered after the outage (queue_log lines backfilled).",
    )

    @api.depends("start", "stop")
    def _compute_duration(self):
        for event in self:
            event.duration = (event.stop - event.start).total_seconds() / 60 if event.stop else 0.0
