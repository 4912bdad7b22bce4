import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

from .hotline_exchange_event import event_checksum

_logger = logging.getLogger(__name__)


class ExchangeRefused(Exception):
    """An event that must not be applied: forged, corrupt, out of place. The message says why."""


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
        """Apply one received event at most once; returns {uid, result, reason} for the sender.

        `handler(event)` applies it (raising ExchangeRefused or a workflow error to refuse it). A refused
        event changes nothing (savepoint) and is logged.
        """
        Inbox = self.sudo()
        if not isinstance(event, dict) or not isinstance(event.get("uid"), str) or not event["uid"]:
            _logger.warning("hotline_exchange: refused an event without id: %.200r", event)
            return {"uid": "", "result": "refused", "reason": self.env._("The event has no id.")}
        uid = event["uid"][:64]
        checksum = event.get("checksum") if isinstance(event.get("checksum"), str) else ""
        known = Inbox.search([("uid", "=", uid)], order="id", limit=1)
        if known and known.checksum == checksum:
            return {"uid": uid, "result": "duplicate" if known.result == "applied" else "refused",
                    "reason": known.reason or ""}
        values = {
            "uid": uid, "kind": str(event.get("kind"))[:32], "checksum": checksum,
            "case_ref": event.get("case_ref") if isinstance(event.get("case_ref"), int) else 0,
            "unit_code": str(event.get("unit_code") or "")[:64], "actor": str(event.get("actor") or "")[:128],
        }
        try:
            if known:
                raise ExchangeRefused(self.env._("Event %s was already received with other content.", uid))
            self._check_envelope(event, allowed_kinds)
            with self.env.cr.savepoint():
                handler(event)
        except (ExchangeRefused, UserError, AccessError, ValidationError, MissingError) as error:
            reason = error.args[0] if error.args else str(error)
            _logger.warning("hotline_exchange: refused event %s (%s): %s", uid, values["kind"], reason)
            Inbox.create({**values, "result": "refused", "reason": reason})
            return {"uid": uid, "result": "refused", "reason": reason}
        Inbox.create({**values, "result": "applied"})
        return {"uid": uid, "result": "applied", "reason": ""}

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
