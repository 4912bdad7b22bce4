import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .hotline_case import MAIL_LATER_KEY
from .hotline_exchange_event import CENTER_KINDS
from .hotline_exchange_inbox import ExchangeRefused

_logger = logging.getLogger(__name__)
PEER_GROUP = "hotline_exchange.group_exchange_peer"
# one call carries at most this many events (the center sends and fetches in batches)
MAX_BATCH = 1000


class HotlineExchangePeer(models.AbstractModel):
    """The unit server's side of the exchange, called by the center only, over /json/2 with the API key of
    the exchange user (group Exchange Peer): `receive(events)`, `fetch_events(after, limit)` (the ORM's own
    `fetch` is private), `ack(uids)`, `status()`."""

    _name = "hotline.exchange.peer"
    _description = "Exchange Endpoint of the Unit Server"

    @api.model
    def _check_peer(self):
        if not self.env.user.has_group(PEER_GROUP):
            raise AccessError(self.env._("Only the center's exchange account may call the exchange."))
        if self.env["hotline.exchange.event"]._role() != "unit":
            raise UserError(self.env._("This server is not configured as the unit server."))

    @api.model
    def receive(self, events):
        """Apply the center's events in order; one result per event: applied, duplicate or refused."""
        self._check_peer()
        if not isinstance(events, list) or len(events) > MAX_BATCH:
            raise UserError(self.env._("Send a list of at most %s events.", MAX_BATCH))
        peer = self.with_context(hotline_exchange_mail_later=True)
        Case = peer.env["hotline.case"].sudo()
        copies, staged, firsts = {}, [], {}

        def stage(event):
            """A plain message of the center (no files) is checked now and written with its neighbours."""
            if event["kind"] != "message" or event["payload"].get("attachments"):
                return False
            case = copies.get(event["case_ref"]) or Case._exchange_find_copy(event["case_ref"])
            if not case:
                raise ExchangeRefused(self.env._("Unknown case."))
            copies[event["case_ref"]] = case
            staged.append((case, event["payload"]))
            return True

        def flush():
            if staged:
                Case._exchange_post_many(staged, peer.env.company.partner_id, firsts)
                staged.clear()

        try:
            results = peer.env["hotline.exchange.inbox"].sudo()._receive_batch(
                events, CENTER_KINDS, peer._apply_center_event, stage=stage, flush=flush)
            Case._exchange_schedule_mail()
        finally:
            self.env.cr.cache.pop(MAIL_LATER_KEY, None)  # a failed delivery leaves nothing for the next one
        return results

    @api.model
    def fetch_events(self, after=0, limit=500):
        """The unit server's outbox still to deliver, oldest first (ids above `after`)."""
        self._check_peer()
        if not isinstance(after, int) or not isinstance(limit, int):
            raise UserError(self.env._("`after` and `limit` are integers."))
        events = self.env["hotline.exchange.event"].sudo().search(
            [("state", "=", "pending"), ("id", ">", after)], order="id", limit=max(1, min(limit, MAX_BATCH)))
        return events._wire()

    @api.model
    def ack(self, uids):
        """The center has committed these events (applied or refused): they leave the outbox."""
        self._check_peer()
        if not isinstance(uids, list) or not all(isinstance(uid, str) for uid in uids):
            raise UserError(self.env._("Send the list of event ids to acknowledge."))
        events = self.env["hotline.exchange.event"].sudo().search([("uid", "in", uids), ("state", "=", "pending")])
        events.write({"state": "sent", "date_sent": fields.Datetime.now()})
        return len(events)

    @api.model
    def status(self):
        """The unit server's outbox backlog, for the center's lag figures."""
        self._check_peer()
        return self.env["hotline.exchange.event"]._backlog()

    # ------------------------------------------------------------------
    # Applying the center's events
    # ------------------------------------------------------------------
    @api.model
    def _apply_center_event(self, event):
        kind, payload, case_ref = event["kind"], event["payload"], event["case_ref"]
        Case = self.env["hotline.case"].sudo()
        if kind == "unit":
            if not payload.get("code"):
                raise ExchangeRefused(self.env._("The unit has no code."))
            self.env["hotline.unit"]._exchange_upsert(payload)
            return
        if kind == "case":
            self._check_snapshot(payload)
            case = Case._exchange_apply_snapshot(case_ref, event["sequence"], payload)
            if case:
                case._exchange_notify(payload.get("actions") or [])
            return
        if kind == "refusal":
            mine = self.env["hotline.exchange.event"].sudo().search([("uid", "=", payload.get("event_uid"))])
            mine.write({"state": "refused", "refusal_reason": str(payload.get("reason") or "")})
            if isinstance(payload.get("snapshot"), dict):
                self._check_snapshot(payload["snapshot"])
                Case._exchange_apply_snapshot(case_ref, event["sequence"], payload["snapshot"])
            return
        # a message of the center
        case = Case._exchange_find_copy(case_ref)
        if not case:
            raise ExchangeRefused(self.env._("Unknown case."))
        case._exchange_post(payload, author=self.env.company.partner_id, sanitize=False)

    @api.model
    def _check_snapshot(self, snapshot):
        if not isinstance(snapshot.get("name"), str) or snapshot.get("state") not in dict(
                self.env["hotline.case"]._fields["state"].selection):
            raise ExchangeRefused(self.env._("The case update is malformed."))
