from odoo import api, fields, models

from .health_message import render


class HotlineHealthEvent(models.Model):
    """What went wrong and what recovered, for the administrators' record.

    An incident opens when a health row turns red and closes when it is no longer
    red; a recovery is written by a part that healed itself (the AMI bridge
    reconnecting and catching up on queue_log)."""

    _name = "hotline.health.event"
    _description = "Hotline Health Event"
    _order = "start desc, id desc"

    check_key = fields.Char(string="Part", required=True, index=True, readonly=True)
    # stored as facts, worded for the reader (see health_message)
    name_message = fields.Json(readonly=True)
    detail_message = fields.Json(readonly=True)
    name = fields.Char(string="What", compute="_compute_words", search="_search_name")
    kind = fields.Selection(
        [("incident", "Incident"), ("recovery", "Automatic Recovery")], required=True, readonly=True,
    )
    start = fields.Datetime(string="Down Since", required=True, readonly=True)
    stop = fields.Datetime(string="Recovered At", readonly=True)
    duration = fields.Float(string="Down (minutes)", compute="_compute_duration", store=True, readonly=True)
    detail = fields.Char(compute="_compute_words", help="The fact behind the colour when it turned red.")
    caught_up = fields.Integer(
        string="Caught Up", readonly=True, help="Events recovered after the outage (queue_log lines backfilled).",
    )

    @api.depends_context("lang", "tz", "uid")
    @api.depends("name_message", "detail_message")
    def _compute_words(self):
        tz = self.env["hotline.health.check"]._reader_tz()
        for event in self:
            event.name = render(self.env, event.name_message, tz)
            event.detail = render(self.env, event.detail_message, tz)

    def _search_name(self, operator, value):
        if operator not in ("ilike", "not ilike") or not isinstance(value, str):
            return NotImplemented
        rows = self.sudo().search_fetch([], ["name_message"], limit=5000)
        hits = [row.id for row in rows if value.lower() in row.with_env(self.env).name.lower()]
        return [("id", "in" if operator == "ilike" else "not in", hits)]

    @api.depends("start", "stop")
    def _compute_duration(self):
        for event in self:
            event.duration = (event.stop - event.start).total_seconds() / 60 if event.stop else 0.0
