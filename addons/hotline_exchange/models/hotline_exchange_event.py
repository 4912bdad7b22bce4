import hashlib
import json
import uuid
from datetime import timedelta

from odoo import api, fields, models

ROLE_PARAM = "hotline_exchange.role"
# What the center sends (kinds of the center's outbox) and what a unit server may send (its outbox).
CENTER_KINDS = ("unit", "case", "message", "refusal")
UNIT_KINDS = ("accept", "return", "request_extension", "submit", "message")
KIND_SELECTION = [
    ("unit", "Unit"),
    ("case", "Case update"),
    ("message", "Message"),
    ("refusal", "Refusal"),
    ("accept", "Sign for"),
    ("return", "Return"),
    ("request_extension", "Extension request"),
    ("submit", "Result"),
]
# Retries of a failed delivery wait 1, 2, 4 … seconds, at most this long: a unit server back after an hour
# gets its backlog within half a minute.
MAX_BACKOFF_SECONDS = 30


def canonical(data):
    """The one serialisation that is checksummed: keys sorted, no spaces, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_checksum(uid, kind, case_ref, sequence, payload):
    """SHA-256 over everything the receiver applies: a bit flipped in transit, or a replayed id carrying
    other content, no longer matches."""
    envelope = {"uid": uid, "kind": kind, "case_ref": case_ref or 0, "sequence": sequence or 0, "payload": payload}
    return hashlib.sha256(canonical(envelope).encode()).hexdigest()


def backoff_seconds(attempts):
    return min(2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


class HotlineExchangeEvent(models.Model):
    """The outbox of this server: what it must send to the other side, written in the same transaction as the
    change (a case transition, a message, a unit's action). Delivered at least once, in id order; the
    receiver applies each uid once (hotline.exchange.inbox) and each case's updates in `sequence` order."""

    _name = "hotline.exchange.event"
    _description = "Exchange Outbox Event"
    _order = "id desc"

    @api.model
    def _role(self):
        """What this server is in the exchange: 'single' (one database, no exchange), 'center' or 'unit'
        (Settings › Exchange Role). Every branch of the exchange reads it here."""
        return self.env["ir.config_parameter"].sudo().get_param(ROLE_PARAM, "single") or "single"

    uid = fields.Char(string="Event ID", required=True, readonly=True, copy=False,
                      default=lambda self: uuid.uuid4().hex)
    kind = fields.Selection(KIND_SELECTION, required=True, readonly=True)
    case_ref = fields.Integer(string="Center Case ID", readonly=True,
                             help="The case's id on the center, the key of the copy on the unit server.")
    case_id = fields.Many2one("hotline.case", string="Case", readonly=True, index="btree_not_null",
                              ondelete="set null")
    sequence = fields.Integer(readonly=True, help="Order of the case's events on this server.")
    payload = fields.Json(readonly=True)
    checksum = fields.Char(readonly=True)
    unit_code = fields.Char(string="Unit", readonly=True)
    actor = fields.Char(readonly=True, help="The user whose action this is, on the server that wrote it.")
    lang = fields.Char(readonly=True)
    state = fields.Selection(
        [("pending", "To Send"), ("sent", "Delivered"), ("refused", "Refused")],
        required=True, default="pending", readonly=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt = fields.Datetime(string="Next Retry", readonly=True)
    last_error = fields.Text(readonly=True)
    date_sent = fields.Datetime(string="Delivered On", readonly=True)
    refusal_reason = fields.Text(readonly=True, help="Why the other side refused to apply this event.")

    _uid_uniq = models.Constraint("UNIQUE(uid)", "An event id is used once.")
    # the sender reads what is left to send, oldest first; on 10,000 pending events the partial index keeps
    # that read to the pending rows only
    _pending_idx = models.Index("(id) WHERE state = 'pending'")
    _case_sequence_idx = models.Index("(case_ref, sequence)")

    @api.model
    def _enqueue(self, kind, payload, case=None, case_ref=None, unit_code=None, actor=None, lang=None):
        """Write one event to the outbox (sudo: whoever made the change, the exchange must carry it)."""
        case_ref = case_ref or (case.exchange_ref if case and case.exchange_ref else case.id if case else 0)
        sequence = 0
        if case_ref:
            self.env.cr.execute("SELECT COALESCE(MAX(sequence), 0) + 1 FROM hotline_exchange_event "
                                "WHERE case_ref = %s", [case_ref])
            sequence = self.env.cr.fetchone()[0]
        uid = uuid.uuid4().hex
        event = self.sudo().create({
            "uid": uid, "kind": kind, "case_ref": case_ref, "case_id": case.id if case else False,
            "sequence": sequence, "payload": payload,
            "checksum": event_checksum(uid, kind, case_ref, sequence, payload),
            "unit_code": unit_code, "actor": actor, "lang": lang or self.env.lang,
        })
        # wakes the exchange loop at commit (NOTIFY is delivered then, or never if the change rolls back)
        self.env.cr.execute("NOTIFY hotline_exchange")
        return event

    def _wire(self):
        """The events as they travel."""
        return [{
            "uid": e.uid, "kind": e.kind, "case_ref": e.case_ref, "sequence": e.sequence, "payload": e.payload or {},
            "checksum": e.checksum, "unit_code": e.unit_code or "", "actor": e.actor or "", "lang": e.lang or "",
            "date": fields.Datetime.to_string(e.create_date),
        } for e in self]

    def kind_label(self):
        self.ensure_one()
        return dict(self._fields["kind"]._description_selection(self.env)).get(self.kind, self.kind)

    def _mark_failed(self, error):
        now = fields.Datetime.now()
        for event in self.sudo():
            attempts = event.attempts + 1
            event.write({"attempts": attempts, "last_error": error,
                         "next_attempt": now + timedelta(seconds=backoff_seconds(attempts))})

    @api.model
    def _backlog(self):
        """Events still to send, the oldest one's time and its age in seconds: the lag of the exchange."""
        self.env.cr.execute("SELECT count(*), min(create_date) FROM hotline_exchange_event WHERE state = 'pending'")
        count, oldest = self.env.cr.fetchone()
        age = (fields.Datetime.now() - oldest).total_seconds() if oldest else 0.0
        return {"pending": count, "oldest": oldest, "oldest_age": max(age, 0.0)}
