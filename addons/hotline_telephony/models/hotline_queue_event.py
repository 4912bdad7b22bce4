from odoo import fields, models

# An AMI event and the queue_log line Asterisk wrote for the same action are stamped by the same
# clock within microseconds, but the line has whole seconds and the event may fall in the next one.
PAIRING_WINDOW = 2.0


class HotlineQueueEvent(models.Model):
    """One agent event on a queue (sign-in/out, pause/unpause, ring-no-answer) as it was applied.

    The identity of an event is its source's: a queue_log line (`log_key`: byte offset + checksum)
    or an AMI event (`ami_key`: name, PBX timestamp to the microsecond, member, queue, channel).
    Asterisk reports each action twice, once on each source: the first to arrive is applied and
    recorded here; the other is paired with it (same kind, member, queue and channel, the oldest
    not yet paired within the window above) and changes nothing. Events are never merged because
    they are close in time: three pauses in one second are three rows, each paired once.
    """

    _name = "hotline.queue.event"
    _description = "Hotline Queue Event"
    _order = "time, id"

    pbx_id = fields.Many2one("hotline.pbx", string="PBX", required=True, readonly=True, ondelete="cascade")
    kind = fields.Selection([
        ("member_add", "Signed In"),
        ("member_remove", "Signed Out"),
        ("pause", "Paused"),
        ("unpause", "Resumed"),
        ("ring_noanswer", "Ring No Answer"),
    ], required=True, readonly=True)
    interface = fields.Char(required=True, readonly=True)
    queue = fields.Char(readonly=True)
    uniqueid = fields.Char(string="Unique ID", readonly=True)
    time = fields.Float(required=True, readonly=True, digits=(16, 6), help="Epoch seconds (PBX clock).")
    log_key = fields.Char(readonly=True)
    ami_key = fields.Char(readonly=True)

    _log_key_unique = models.UniqueIndex("(pbx_id, log_key) WHERE log_key IS NOT NULL")
    _ami_key_unique = models.UniqueIndex("(pbx_id, ami_key) WHERE ami_key IS NOT NULL")
    _pairing_idx = models.Index("(pbx_id, interface, kind, time)")

    def _seen(self, pbx, fact):
        """True when `fact` (with a `log_key` or an `ami_key`) is an event already applied: the same
        key, or its twin from the other source. Otherwise records it and returns False: apply it."""
        own = "log_key" if fact.get("log_key") else "ami_key"
        key = fact[own]
        if self.search_count([("pbx_id", "=", pbx.id), (own, "=", key)], limit=1):
            return True
        twin = self.search([
            ("pbx_id", "=", pbx.id), ("interface", "=", fact["interface"]), ("kind", "=", fact["kind"]),
            ("queue", "=", fact.get("queue") or False), ("uniqueid", "=", fact.get("uniqueid") or False),
            (own, "=", False), ("time", ">", fact["time"] - PAIRING_WINDOW),
            ("time", "<", fact["time"] + PAIRING_WINDOW),
        ], order="time, id", limit=1)
        if twin:
            twin[own] = key
            return True
        self._record(pbx, fact, **{own: key})
        return False

    def _record(self, pbx, fact, **keys):
        """Record an applied event; without keys (a change made from QueueStatus), both sources'
        reports of it will pair with this row."""
        return self.create({"pbx_id": pbx.id, "kind": fact["kind"], "interface": fact["interface"],
                            "queue": fact.get("queue"), "uniqueid": fact.get("uniqueid"), "time": fact["time"],
                            **keys})
