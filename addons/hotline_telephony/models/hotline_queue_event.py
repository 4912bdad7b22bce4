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

    def _ledger(self, pbx, facts):
        """The events of a batch of facts, read in two queries, written in one (see `_Ledger`)."""
        return _Ledger(self, pbx, [f for f in facts if f.get("log_key") or f.get("ami_key")])

    def _record(self, pbx, fact, **keys):
        """Record an applied event; without keys (a change made from QueueStatus), both sources'
        reports of it will pair with this row."""
        return self.create(_row(pbx, fact, keys))


def _row(pbx, fact, keys):
    return {"pbx_id": pbx.id, "kind": fact["kind"], "interface": fact["interface"], "queue": fact.get("queue"),
            "uniqueid": fact.get("uniqueid"), "time": fact["time"], **keys}


class _Ledger:
    """Which facts of a batch are events already applied: the same key (a replay), or the other
    source's report of an event not yet paired (the oldest within PAIRING_WINDOW)."""

    def __init__(self, events, pbx, facts):
        self.events, self.pbx = events, pbx
        self.new = []
        log_keys = [f["log_key"] for f in facts if f.get("log_key")]
        ami_keys = [f["ami_key"] for f in facts if f.get("ami_key")]
        self.known = set()
        self.unpaired = []
        if not facts:
            return
        for row in events.search_fetch([("pbx_id", "=", pbx.id), "|", ("log_key", "in", log_keys),
                                        ("ami_key", "in", ami_keys)], ["log_key", "ami_key"]):
            self.known.update(k for k in (row.log_key, row.ami_key) if k)
        times = [f["time"] for f in facts]
        rows = events.search_fetch([
            ("pbx_id", "=", pbx.id), ("interface", "in", list({f["interface"] for f in facts})),
            ("time", ">", min(times) - PAIRING_WINDOW), ("time", "<", max(times) + PAIRING_WINDOW),
            "|", ("log_key", "=", False), ("ami_key", "=", False),
        ], ["kind", "interface", "queue", "uniqueid", "time", "log_key", "ami_key"], order="time, id")
        self.unpaired = [{"record": r, "kind": r.kind, "interface": r.interface, "queue": r.queue or False,
                          "uniqueid": r.uniqueid or False, "time": r.time, "log_key": r.log_key,
                          "ami_key": r.ami_key} for r in rows]

    def seen(self, fact):
        """True when `fact` was applied already; otherwise it is recorded as applied (apply it)."""
        own = "log_key" if fact.get("log_key") else "ami_key"
        key = fact[own]
        if key in self.known:
            return True
        self.known.add(key)
        same = (fact["kind"], fact["interface"], fact.get("queue") or False, fact.get("uniqueid") or False)
        for twin in self.unpaired:
            if not twin[own] and (twin["kind"], twin["interface"], twin["queue"], twin["uniqueid"]) == same \
                    and abs(twin["time"] - fact["time"]) < PAIRING_WINDOW:
                twin[own] = key
                if twin.get("record") is not None:
                    twin["record"][own] = key
                else:
                    twin["vals"][own] = key
                return True
        vals = _row(self.pbx, fact, {own: key})
        self.new.append(vals)
        self.unpaired.append({"vals": vals, "kind": same[0], "interface": same[1], "queue": same[2],
                              "uniqueid": same[3], "time": fact["time"], "log_key": vals.get("log_key"),
                              "ami_key": vals.get("ami_key")})
        return False

    def flush(self):
        if self.new:
            self.events.create(self.new)
            self.new = []
