import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

from .hotline_exchange_event import event_checksum

_logger = logging.getLogger(__name__)


class ExchangeRefused(Exception):
    """An event that must not be applied: forged, corrupt, out of place. The message says why."""


# what refuses one event (the others of its batch apply); anything else fails the whole delivery (retried)
REFUSALS = (ExchangeRefused, UserError, AccessError, ValidationError, MissingError)


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
        uids = [event["uid"][:64] for event in events
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
        uid = event["uid"][:64]
        checksum = event.get("checksum") if isinstance(event.get("checksum"), str) else ""
        same = known.get((uid, checksum))
        if same:
            return {"uid": uid, "result": "duplicate" if same["result"] == "applied" else "refused",
                    "reason": same["reason"] or ""}, None
        values = {
            "uid": uid, "kind": str(event.get("kind"))[:32], "checksum": checksum,
            "case_ref": event.get("case_ref") if isinstance(event.get("case_ref"), int) else 0,
            "unit_code": str(event.get("unit_code") or "")[:64], "actor": str(event.get("actor") or "")[:128],
        }
        try:
            if known.get(uid):
                raise ExchangeRefused(self.env._("Event %s was already received with other content.", uid))
            self._check_envelope(event, allowed_kinds)
            staged = stage is not None and stage(event)
        except REFUSALS as error:
            return self._refused(values, error)
        if not staged:
            if flush:
                flush()  # outside the event's savepoint: a failure there fails the delivery, never this event
            try:
                with self.env.cr.savepoint():
                    handler(event)
            except REFUSALS as error:
                return self._refused(values, error)
        return {"uid": uid, "result": "applied", "reason": ""}, {**values, "result": "applied", "reason": False}

    @api.model
    def _refused(self, values, error):
        reason = error.args[0] if error.args else str(error)
        _logger.warning("hotline_exchange: refused event %s (%s): %s", values["uid"], values["kind"], reason)
        return ({"uid": values["uid"], "result": "refused", "reason": reason},
                {**values, "result": "refused", "reason": reason})

    @api.model
    def _check_envelope(self, event, allowed_kinds):
        if event.get("kind") not in allowed_kinds:
            raise ExchangeRefused(self.env._("Events of kind “%s” are not accepted from this sender.",
                                             str(event.get("kind"))[:32]))
        case_ref, sequence = event.get("case_ref"), event.get("sequence")
        if not isinstance(case_ref, int) or not isinstance(sequence, int) or not isinstance(event.get("payload"),
                                                                                             dict):
            raise ExchangeRefused(self.env._("The event is malformed."))
        expected = event_checksum(event["uid"], event["kind"], case_ref, sequence, event["payload"])
        if event.get("checksum") != expected:
            raise ExchangeRefused(self.env._("The event's checksum does not match its content: corrupt or "
                                             "altered in transit."))
