import hashlib
import logging
import re

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .hotline_exchange_event import event_checksum

_logger = logging.getLogger(__name__)


class ExchangeRefused(Exception):
    """An event that must not be applied: forged, corrupt, out of place. The message says why."""


class ExchangeMalformed(ExchangeRefused):
    """An event that is not a sound event at all (its id, numbers, characters, kind or checksum): a dead letter."""


# what refuses one event (the others of its batch apply)
REFUSALS = (ExchangeRefused, UserError, AccessError, ValidationError, MissingError)
# what fails the whole delivery, retried later: the database is busy or gone, not the event at fault. Any
# other error applying one event makes it a dead letter (its own savepoint rolled back), never a stop.
TRANSIENT = (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, psycopg2.OperationalError, psycopg2.InterfaceError)
# an event id as both servers make them (uuid4 hex): compared whole, never cut to fit
UID_RE = re.compile(r"[0-9A-Za-z_.:-]{1,64}")
CHECKSUM_RE = re.compile(r"[0-9a-f]{64}")
PG_INT_MAX = 2 ** 31 - 1  # case_ref and sequence are PostgreSQL integers
MAX_ACTOR, MAX_UNIT_CODE = 128, 64


def storable(value, pattern):
    """`value` when it matches `pattern`, else a readable head and a digest of the whole: fits the column, says
    what came, and the same value always gives the same text (a replay is recognised)."""
    if isinstance(value, str) and pattern.fullmatch(value):
        return value
    text = value if isinstance(value, str) else repr(value)
    head = "".join(c if c.isprintable() else "?" for c in text[:24])
    return f"{head}…{hashlib.sha256(text.encode(errors='replace')).hexdigest()[:16]}"


def clean(value, limit):
    """A text the inbox row can hold: NUL characters dropped, cut to `limit`."""
    return ("" if value is None else str(value)).replace("\x00", "")[:limit]


def has_nul(data):
    """A NUL character anywhere in the event (keys or values): PostgreSQL cannot store it."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class HotlineExchangeInbox(models.Model):
    """Every event this server received, once: applying is idempotent by event id. A refused event (forged,
    corrupt, replayed with other content, refused by the workflow) is kept here with its reason."""

    _name = "hotline.exchange.inbox"
    _description = "Exchange Inbox"
    _order = "id desc"

    uid = fields.Char(string="Event ID", required=True, readonly=True, index=True)
    kind = fields.Char(readonly=True)
    case_ref = fields.Integer(string="Center Case ID", readonly=True)
    checksum = fields.Char(readonly=True)
    unit_code = fields.Char(string="Unit", readonly=True)
    actor = fields.Char(readonly=True)
    result = fields.Selection(
        [("applied", "Applied"), ("refused", "Refused")], required=True, readonly=True,
    )
    reason = fields.Text(readonly=True)
    dead_letter = fields.Boolean(readonly=True, help="The event could not be read or applied as sent (an id, a "
                                 "number or a character no event has, content not matching its checksum, an error "
                                 "applying it): refused and acknowledged, so that the events behind it go on.")
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    # one row per (id, content): the first is what was applied; a replay with other content gets its own
    # refused row
    _uid_checksum_uniq = models.Constraint("UNIQUE(uid, checksum)", "An event is recorded once.")

    @api.model
    def _receive(self, event, allowed_kinds, handler):
        """Apply one received event at most once; returns {uid, result, reason} for the sender."""
        return self._receive_batch([event], allowed_kinds, handler)[0]

    @api.model
    def _receive_batch(self, events, allowed_kinds, handler, stage=None, flush=None):
        """Apply received events in order, each at most once; one {uid, result, reason} per event.

        `handler(event)` applies one (raising ExchangeRefused or a workflow error to refuse it). A refused
        event changes nothing (its own savepoint) and is logged; the others of the batch apply. The ids
        already received are read in one query and the inbox rows written in one insert.

        `stage(event)`, when given, may take an event whose checks need no write and return True: it is
        written later by `flush()`, with the events staged next to it, in one go (a backlog's messages).
        `flush()` runs before any other event applies and at the end, so the batch's order holds.
        """
        Inbox = self.sudo()
        uids = [storable(event["uid"], UID_RE) for event in events
                if isinstance(event, dict) and isinstance(event.get("uid"), str) and event["uid"]]
        # (uid, checksum) -> the row recorded for it; uid -> True once received with any content
        known = {}
        for row in Inbox.search_read([("uid", "in", uids)], ["uid", "checksum", "result", "reason"], order="id"):
            known.setdefault((row["uid"], row["checksum"]), row)
            known[row["uid"]] = True
        rows, results = [], []
        for event in events:
            result, row = self._receive_one(event, known, allowed_kinds, handler, stage, flush)
            results.append(result)
            if row:
                rows.append(row)
                known[row["uid"], row["checksum"]] = row  # the same id twice in one batch: the second is a replay
                known[row["uid"]] = True
        if flush:
            flush()
        Inbox.create(rows)
        return results

    @api.model
    def _receive_one(self, event, known, allowed_kinds, handler, stage=None, flush=None):
        """(result for the sender, inbox row to record or None)."""
        if not isinstance(event, dict) or not isinstance(event.get("uid"), str) or not event["uid"]:
            _logger.warning("hotline_exchange: refused an event without id: %.200r", event)
            return {"uid": "", "result": "refused", "reason": self.env._("The event has no id.")}, None
        # the sender's id exactly as sent (acknowledged as such); the row keeps it, or a digest of an unsound one
        sent_uid, uid = event["uid"], storable(event["uid"], UID_RE)
        checksum = storable(event.get("checksum") or "", CHECKSUM_RE) if event.get("checksum") else ""
        same = known.get((uid, checksum))
        if same:
            return {"uid": sent_uid, "result": "duplicate" if same["result"] == "applied" else "refused",
                    "reason": same["reason"] or "", "again": True}, None
        case_ref = event.get("case_ref")
        values = {
            "uid": uid, "kind": clean(event.get("kind"), 32), "checksum": checksum,
            "case_ref": case_ref if type(case_ref) is int and 0 <= case_ref <= PG_INT_MAX else 0,
            "unit_code": clean(event.get("unit_code"), MAX_UNIT_CODE), "actor": clean(event.get("actor"), MAX_ACTOR),
        }
        try:
            if known.get(uid):
                raise ExchangeMalformed(self.env._("Event %s was already received with other content.", uid))
            self._check_envelope(event, allowed_kinds)
            staged = stage is not None and stage(event)
        except REFUSALS as error:
            return self._refused(sent_uid, values, error)
        if not staged:
            if flush:
                flush()  # outside the event's savepoint: a failure there fails the delivery, never this event
            try:
                with self.env.cr.savepoint():
                    handler(event)
            except REFUSALS as error:
                return self._refused(sent_uid, values, error)
            except TRANSIENT:
                raise
            except Exception as error:  # noqa: BLE001  # pylint: disable=broad-exception-caught
                # a value the workflow cannot take (out of range, ...): this event only, never the exchange
                _logger.exception("hotline_exchange: event %s (%s) could not be applied", uid, values["kind"])
                return self._refused(sent_uid, values, ExchangeMalformed(self.env._(
                    "The event could not be applied: %s", clean(str(error) or type(error).__name__, 300))))
        return ({"uid": sent_uid, "result": "applied", "reason": ""},
                {**values, "result": "applied", "reason": False})

    @api.model
    def _refused(self, sent_uid, values, error):
        reason = clean(error.args[0] if error.args else str(error), 2000)
        _logger.warning("hotline_exchange: refused event %s (%s): %s", values["uid"], values["kind"], reason)
        return ({"uid": sent_uid, "result": "refused", "reason": reason},
                {**values, "result": "refused", "reason": reason,
                 "dead_letter": isinstance(error, ExchangeMalformed)})

    @api.model
    def _check_envelope(self, event, allowed_kinds):
        """What makes an event sound before anything reads it: an id both sides make, numbers PostgreSQL holds,
        no NUL character, a kind this sender may send and the checksum of its content."""
        if not UID_RE.fullmatch(event["uid"]):
            raise ExchangeMalformed(self.env._(
                "The event id is not valid: at most 64 letters, digits and the characters - _ . : (got %s "
                "characters).", len(event["uid"])))
        for key in ("case_ref", "sequence"):
            value = event.get(key)
            if type(value) is not int or not 0 <= value <= PG_INT_MAX:
                raise ExchangeMalformed(self.env._("The event's %(key)s is not a number from 0 to %(max)s.",
                                                   key=key, max=PG_INT_MAX))
        if has_nul(event):
            raise ExchangeMalformed(self.env._("The event contains a NUL character."))
        if event.get("kind") not in allowed_kinds:
            raise ExchangeMalformed(self.env._("Events of kind “%s” are not accepted from this sender.",
                                               clean(event.get("kind"), 32)))
        if not isinstance(event.get("payload"), dict):
            raise ExchangeMalformed(self.env._("The event is malformed."))
        expected = event_checksum(event["uid"], event["kind"], event["case_ref"], event["sequence"], event["payload"])
        if event.get("checksum") != expected:
            raise ExchangeMalformed(self.env._("The event's checksum does not match its content: corrupt or "
                                             "altered in transit."))
