import base64
import contextlib
from contextvars import ContextVar
from datetime import timedelta

import psycopg2.errors
import pytz
from dateutil import parser as date_parser

from odoo import api, fields, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError, ValidationError
from odoo.tools import SQL

from .hotline_platform_counterpart import backoff_seconds

# Advisory locks the inbox spreads the work orders over (_lock_work_order): at most this many per transaction.
LOCK_SLOTS = 1024

# The canonical events of a work order, both ways. Inbound: what the platform tells the center; outbound:
# what the center reports. readme/USAGE.md documents each payload.
INBOUND_KINDS = [
    ("dispatch", "Dispatched (派发)"),
    ("return_ruling", "Return Ruling (退单审核)"),
    ("dispute_ruling", "Dispute Ruling (派单异议审核)"),
    ("extension_ruling", "Extension Ruling (延期审核)"),
    ("callback", "Callback Result (回访)"),
    ("reopen", "Reopened (重办)"),
    ("urge", "Reminder (催办)"),
    ("supervise", "Supervision (督办)"),
    ("merge", "Merged (并单)"),
    ("withdraw", "Withdrawn (撤单)"),
]
OUTBOUND_KINDS = [
    ("receive", "Received (接收)"),
    ("accept", "Signed For (签收)"),
    ("return_request", "Return Request (退单申请)"),
    ("dispute_request", "Dispatch Objection (派单异议)"),
    ("extension_request", "Extension Request (延期申请)"),
    ("progress", "Interim Reply (阶段性回复)"),
    ("finish", "Finished (办结)"),
]
INBOUND = {key for key, _label in INBOUND_KINDS}
OUTBOUND = {key for key, _label in OUTBOUND_KINDS}
STATE_SELECTION = [
    # outbound
    ("pending", "To Send"),
    ("sent", "Acknowledged"),
    ("relay", "To Relay by Hand"),
    ("relayed", "Relayed by Hand"),
    # inbound
    ("received", "Received, Waiting"),
    ("applied", "Applied"),
    # both
    ("dead", "Dead Letter"),
]
# The center's platform work orders as the platform sees them: the status each event leaves (reconciliation).
STATUS_AFTER = {
    "dispatch": "open", "reopen": "open", "finish": "finished", "callback": "closed", "withdraw": "cancelled",
    "merge": "cancelled",
}
STATUS_SELECTION = [
    ("open", "Being Handled"),
    ("finished", "Finished"),
    ("closed", "Closed After Callback"),
    ("returned", "Returned"),
    ("cancelled", "Withdrawn or Merged"),
]
# Set while an inbound event is applied: the steps it makes are the platform's, not to be reported back.
APPLYING = ContextVar("hotline_platform_applying", default=False)
# one wake-up of the exchange per transaction, however many events it writes
WAKE_KEY = "hotline_platform_wake"


@contextlib.contextmanager
def applying():
    token = APPLYING.set(True)
    try:
        yield
    finally:
        APPLYING.reset(token)


def parse_moment(value, tz):
    """An ISO 8601 moment from the platform (with its offset; a bare one is in `tz`, the center's time zone:
    res.company._hotline_tz) as naive UTC."""
    if not value:
        return False
    try:
        moment = date_parser.isoparse(str(value))
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(f"bad date {value!r}") from None
    if moment.tzinfo is None:
        moment = tz.localize(moment)
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


def wire_moment(value, tz):
    """A naive UTC moment as ISO 8601 in `tz`, the center's time zone, with its offset."""
    return pytz.utc.localize(value).astimezone(tz).isoformat() if value else None


class HotlinePlatformEvent(models.Model):
    """Outbox and inbox of the exchange with the platforms, one row per event either way.

    Each event is keyed by its work order's platform number and its sequence within that work order (the
    idempotency key, unique per platform and direction): an inbound event received twice is stored and applied
    once, an outbound one is retried until the platform acknowledges it. Inbound events are applied in their
    sequence order per work order; outbound ones are sent in theirs."""

    _name = "hotline.platform.event"
    _description = "Platform Exchange Event"
    _order = "id desc"
    _rec_name = "key"

    counterpart_id = fields.Many2one("hotline.platform.counterpart", string="Platform", required=True,
                                     readonly=True, index=True, ondelete="restrict")
    direction = fields.Selection([("in", "From the Platform"), ("out", "To the Platform")], required=True,
                                 readonly=True)
    case_id = fields.Many2one("hotline.case", readonly=True, index="btree_not_null", ondelete="set null")
    platform_ref = fields.Char(string="Platform Number", required=True, readonly=True)
    sequence = fields.Integer(required=True, readonly=True)
    key = fields.Char(string="Event Key", compute="_compute_key", store=True)
    kind = fields.Selection(INBOUND_KINDS + OUTBOUND_KINDS, required=True, readonly=True)
    payload = fields.Json(readonly=True)
    code_version = fields.Char(string="Code Table", readonly=True)
    occurred_at = fields.Datetime(string="Occurred", readonly=True)
    state = fields.Selection(STATE_SELECTION, required=True, readonly=True, index=True)
    attempts = fields.Integer(readonly=True)
    next_attempt = fields.Datetime(string="Next Retry", readonly=True)
    last_error = fields.Text(readonly=True)
    duplicates = fields.Integer(readonly=True, help="Times the platform sent this event again (ignored).")
    date_ack = fields.Datetime(string="Acknowledged / Applied On", readonly=True)
    relayed_by = fields.Many2one("res.users", readonly=True)
    summary = fields.Char(compute="_compute_summary")

    _key_uniq = models.Constraint("UNIQUE(counterpart_id, direction, platform_ref, sequence)",
                                  "An event of a work order is stored once.")
    # the sender's and the health page's reads: the few rows not yet done
    _open_idx = models.Index("(counterpart_id, id) WHERE state IN ('pending', 'received', 'dead', 'relay')")
    _ref_idx = models.Index("(counterpart_id, platform_ref, direction, sequence)")

    @api.depends("platform_ref", "sequence")
    def _compute_key(self):
        for event in self:
            event.key = f"{event.platform_ref}:{event.sequence}"

    @api.depends("kind", "payload")
    def _compute_summary(self):
        for event in self:
            payload = event.payload or {}
            event.summary = next((str(payload[name])[:120] for name in ("reply", "note", "reason", "content")
                                  if payload.get(name)), "")

    # ------------------------------------------------------------------
    # Outbox
    # ------------------------------------------------------------------
    @api.model
    def _enqueue(self, case, kind, payload):
        """Write one outbound event of `case`'s work order, in the transaction of the local step."""
        counterpart = case.platform_counterpart_id
        # the case row is locked by the step being written: sequences of one work order cannot race
        self.env.cr.execute("""SELECT COALESCE(MAX(sequence), 0) + 1 FROM hotline_platform_event
                                WHERE counterpart_id = %s AND platform_ref = %s AND direction = 'out'""",
                            [counterpart.id, case.platform_ref])
        sequence = self.env.cr.fetchone()[0]
        if counterpart.transport != "manual":
            self._wake_exchange()
        return self.sudo().create({
            "counterpart_id": counterpart.id, "direction": "out", "case_id": case.id,
            "platform_ref": case.platform_ref, "sequence": sequence, "kind": kind, "payload": payload,
            "code_version": counterpart._code_table().version if kind in ("accept", "finish", "dispute_request")
            else False,
            "occurred_at": fields.Datetime.now(),
            "state": "relay" if counterpart.transport == "manual" else "pending",
        })

    @api.model
    def _wake_exchange(self):
        """Run the exchange as soon as this transaction commits (the cron's trigger, once per transaction):
        an event reaches the platform within a second or so, not at the next minute's round."""
        if WAKE_KEY not in self.env.cr.precommit.data:
            self.env.cr.precommit.data[WAKE_KEY] = True
            self.env.ref("hotline_platform.ir_cron_hotline_platform_run").sudo()._trigger()

    def _wire(self):
        """The events as they travel (readme/USAGE.md): files of a result are read when sent, not copied."""
        wired = []
        tz = self.env.company._hotline_tz()
        for event in self:
            payload = dict(event.payload or {})
            if "attachment_ids" in payload:
                files = self.env["ir.attachment"].sudo().browse(payload.pop("attachment_ids")).exists()
                payload["files"] = [{"name": f.name, "mimetype": f.mimetype,
                                     "data": base64.b64encode(f.raw or b"").decode()} for f in files]
            wired.append({"key": event.key, "platform_ref": event.platform_ref, "seq": event.sequence,
                          "kind": event.kind, "occurred_at": wire_moment(event.occurred_at, tz),
                          "code_version": event.code_version or None, "payload": payload})
        return wired

    def _mark_failed(self, error, max_attempts):
        now = fields.Datetime.now()
        for event in self:
            attempts = event.attempts + 1
            event.write({"attempts": attempts, "last_error": error,
                         "state": "dead" if attempts >= max_attempts else "pending",
                         "next_attempt": now + timedelta(seconds=backoff_seconds(attempts))})

    def _refuse(self, reason):
        self.write({"state": "dead", "last_error": reason or self.env._("Refused by the platform.")})

    def action_resend(self):
        """重发: a dead letter goes back to the outbox (outbound) or is applied again (inbound)."""
        self._check_operator()
        for event in self.sudo():
            if event.state != "dead":
                raise UserError(self.env._("Event %s is not a dead letter.", event.key))
            if event.direction == "out":
                event.write({"state": "pending", "attempts": 0, "next_attempt": False})
            else:
                event.write({"state": "received", "last_error": False})
                event._apply_ready(event.counterpart_id, event.platform_ref)
        return True

    def action_mark_relayed(self):
        """The operator relayed the event to a platform without an interface (by its web screens, by phone)."""
        self._check_operator()
        for event in self.sudo():
            if event.state != "relay":
                raise UserError(self.env._("Event %s is not waiting to be relayed by hand.", event.key))
            event.write({"state": "relayed", "relayed_by": self.env.uid, "date_ack": fields.Datetime.now()})
        return True

    def _check_operator(self):
        if not self.env.user.has_group("hotline_case.group_dispatcher"):
            raise AccessError(self.env._("Only dispatchers and managers handle the exchange with the platform."))

    # ------------------------------------------------------------------
    # Inbox
    # ------------------------------------------------------------------
    @api.model
    def _receive(self, counterpart, events):
        """Store the platform's `events` (each key once) and apply those whose turn it is.

        Returns the keys stored (acks), the keys already had (duplicates, acknowledged again: the platform
        missed our first answer) and the events refused as malformed {key: reason}."""
        result = {"acks": [], "duplicates": [], "refused": {}}
        touched = set()
        for index, raw in enumerate(events):
            try:
                values = self._inbound_values(counterpart, raw)
            except ValidationError as error:
                key = raw.get("key") if isinstance(raw, dict) else None
                result["refused"][str(key or f"#{index}")] = str(error.args[0])
                continue
            self._lock_work_order(counterpart, values["platform_ref"])
            existing = self.search([("counterpart_id", "=", counterpart.id), ("direction", "=", "in"),
                                    ("platform_ref", "=", values["platform_ref"]),
                                    ("sequence", "=", values["sequence"])])
            if existing:
                existing.duplicates += 1
                result["duplicates"].append(existing.key)
                continue
            try:
                with self.env.cr.savepoint():
                    event = self.create(values)
            except psycopg2.errors.UniqueViolation as error:
                # stored by a transaction committed after this one began (and invisible to it)
                raise ConcurrencyError(f"platform event {values['platform_ref']}:{values['sequence']}") from error
            result["acks"].append(event.key)
            touched.add(event.platform_ref)
        for ref in sorted(touched):
            self._apply_ready(counterpart, ref)
        return result

    @api.model
    def _lock_work_order(self, counterpart, ref):
        """Hold the work order's inbox until the transaction ends. Another transaction storing events of the
        same work order at this moment (the same push sent twice at once) makes this one fail as a
        concurrency error: Odoo replays the request, which then sees the other's events as duplicates and
        acknowledges them, instead of failing on the events' unique key. Work orders share LOCK_SLOTS locks, so
        that a large push holds a bounded number of them."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s) %% %s)", counterpart.id, ref,
                                LOCK_SLOTS))
        if not self.env.cr.fetchone()[0]:
            raise ConcurrencyError(f"platform work order {ref} is being received by another transaction")

    @api.model
    def _inbound_values(self, counterpart, raw):
        if not isinstance(raw, dict):
            raise ValidationError(self.env._("An event must be a JSON object."))
        ref, seq, kind, payload = raw.get("platform_ref"), raw.get("seq"), raw.get("kind"), raw.get("payload")
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 64:
            raise ValidationError(self.env._("The platform number is missing or too long."))
        if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**31:
            raise ValidationError(self.env._("The event sequence must be a positive integer."))
        if kind not in INBOUND:
            raise ValidationError(self.env._("Unknown event kind: %s.", str(kind)[:40]))
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise ValidationError(self.env._("The payload must be a JSON object."))
        if raw.get("key") not in (None, f"{ref}:{seq}"):
            raise ValidationError(self.env._("The event key does not match its platform number and sequence."))
        return {"counterpart_id": counterpart.id, "direction": "in", "platform_ref": ref.strip(), "sequence": seq,
                "kind": kind, "payload": payload, "code_version": raw.get("code_version") or False,
                "occurred_at": parse_moment(raw.get("occurred_at"), self.env.company._hotline_tz())
                or fields.Datetime.now(),
                "state": "received"}

    @api.model
    def _apply_ready(self, counterpart, ref):
        """Apply the work order's received events whose turn it is (the next sequence after the last one applied
        or refused); a later one waits for the missing one."""
        events = self.search([("counterpart_id", "=", counterpart.id), ("direction", "=", "in"),
                              ("platform_ref", "=", ref)], order="sequence")
        done = 0
        for event in events:
            if event.state in ("applied",):
                done = event.sequence
                continue
            if event.state == "dead" or event.sequence != done + 1:
                break
            event._apply()
            if event.state != "applied":
                break
            done = event.sequence

    def _apply(self):
        """Apply one inbound event through the case's workflow; a refusal (bad code, step not possible in the
        case's state) makes it a dead letter with the reason, nothing half-applied."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint(), applying():
                case = self._case_for()
                created = getattr(case, f"_platform_apply_{self.kind}")(self)
                if self.kind == "dispatch":
                    case = created
        except (UserError, ValidationError) as error:
            self.write({"state": "dead", "last_error": str(error.args[0]), "attempts": self.attempts + 1})
            return False
        self.write({"state": "applied", "date_ack": fields.Datetime.now(), "last_error": False,
                    "case_id": case.id})
        return True

    def _case_for(self):
        Case = self.env["hotline.case"].sudo()
        case = Case.search([("platform_counterpart_id", "=", self.counterpart_id.id),
                            ("platform_ref", "=", self.platform_ref)], limit=1)
        if self.kind == "dispatch":
            if case:
                raise UserError(self.env._("Work order %s was already received.", self.platform_ref))
            return Case
        if not case:
            raise UserError(self.env._("Work order %s is unknown here.", self.platform_ref))
        return case

    def _code_table(self):
        return self.counterpart_id._code_table(self.code_version)
