import time
from unittest.mock import patch

from odoo.addons.hotline_case.tests.common import sample_file
from odoo.tests import tagged

from ..models.hotline_exchange_link import _PUSH_SIZE, ExchangeTransportError
from .common import HotlineExchangeCommon


@tagged("post_install", "-at_install")
class TestCenterApply(HotlineExchangeCommon):
    """The center applies the unit server's events through hotline_case's workflow, once, and refuses the rest."""

    def setUp(self):
        super().setUp()
        self.set_role("center")
        self.case = self.new_case(confidential=True)
        self.Link = self.env["hotline.exchange.link"]

    def apply(self, *events):
        stats = {"pulled": 0, "refused": 0}
        uids = self.Link._apply_unit_events(list(events), stats)
        self.commit_point()
        return uids, stats

    def unit_event(self, kind, payload=None, case=None, unit_code="HXW", **kw):
        case = case or self.case
        return self.event(kind, payload or {}, case.id, kw.pop("sequence", 1), unit_code=unit_code,
                          actor="HX Water Member", **kw)

    def test_unit_steps_through_the_workflow(self):
        uids, stats = self.apply(
            self.unit_event("accept", sequence=1),
            self.unit_event("request_extension", {"days": 2, "reason": "Parts"}, sequence=2),
            self.unit_event("submit", {"note": "Fixed", "result": "partly_resolved", "attachments": [
                {"name": "after.jpg", "mimetype": "image/jpeg", "datas": self.b64(sample_file("jpg"))}]}, sequence=3),
        )
        self.assertEqual(stats, {"pulled": 3, "refused": 0})
        self.assertEqual(self.case.handling_result, "partly_resolved")
        self.assertEqual(self.case.log_ids.filtered(lambda log: log.action == "submit").handling_result,
                         "partly_resolved")
        self.assertEqual(len(uids), 3)
        case = self.case
        self.assertEqual(case.state, "submitted")
        self.assertEqual(case.extension_state, "requested")
        self.assertEqual(case.result_note, "Fixed")
        self.assertEqual(case.result_attachment_ids.mapped("name"), ["after.jpg"])
        self.assertEqual(case.result_attachment_ids.raw, sample_file("jpg"))
        logs = case.log_ids.filtered(lambda log: log.action in ("accept", "request_extension", "submit"))
        self.assertEqual(len(logs), 3)
        self.assertEqual(set(logs.mapped("exchange_actor")), {"HX Water Member (HX Water)"})
        self.assertEqual(logs.user_id, self.env.ref("hotline_exchange.user_unit_server"))
        # the center's new state goes back to the unit server
        last = self.outbox(kind="case")[-1]
        self.assertEqual(last.payload["state"], "submitted")

    def test_applied_once(self):
        event = self.unit_event("accept")
        self.apply(event)
        _uids, stats = self.apply(event)
        self.assertEqual(stats, {"pulled": 0, "refused": 0})
        self.assertEqual(len(self.case.log_ids.filtered(lambda log: log.action == "accept")), 1)
        self.assertEqual(len(self.inbox()), 1)

    def test_moved_on_refused_with_reason_sent_back(self):
        """The center re-dispatched the case to another unit: the first unit's late step is refused, and the
        unit server is told why, with the case as it stands."""
        self.case.with_user(self.portal).action_return(reason="Not ours")
        self.case.with_user(self.dispatcher).write({"unit_id": self.unit_b.id})
        self.case.with_user(self.dispatcher).action_dispatch()
        self.commit_point()
        event = self.unit_event("accept")
        _uids, stats = self.apply(event)
        self.assertEqual(stats["refused"], 1)
        self.assertEqual(self.case.state, "dispatched")
        self.assertEqual(self.case.unit_id, self.unit_b)
        refusal = self.outbox(kind="refusal")
        self.assertEqual(len(refusal), 1)
        self.assertEqual(refusal.payload["event_uid"], event["uid"])
        self.assertIn(self.case.name, refusal.payload["reason"])
        self.assertEqual(refusal.payload["snapshot"]["unit"]["code"], "HXG")
        self.assertEqual(self.inbox().result, "refused")

    def test_state_moved_on_refused(self):
        """Same unit, but the step no longer fits the state (submit before sign-for): the workflow refuses."""
        _uids, stats = self.apply(self.unit_event("submit", {"note": "Done", "attachments": []}))
        self.assertEqual(stats["refused"], 1)
        self.assertEqual(self.case.state, "dispatched")
        self.assertIn("cannot be submitted", self.inbox().reason)
        self.assertEqual(self.outbox(kind="refusal").payload["snapshot"]["state"], "dispatched")

    def test_forged_events_refused_and_logged(self):
        other = self.new_case(confidential=False, unit=self.unit_b)
        replay_source = self.unit_event("accept")
        self.apply(replay_source)
        replay = self.unit_event("return", {"reason": "x"}, uid=replay_source["uid"])
        forged = [
            replay,
            self.unit_event("accept", case=other),  # a case never dispatched to this unit
            self.event("accept", {}, 987654321, unit_code="HXW"),  # unknown case
            self.unit_event("review_approve"),  # a step units may not take
            dict(self.unit_event("return", {"reason": "x"}), payload={"reason": "y"}),  # altered in transit
            self.unit_event("message", {"body": "<p>hi</p>", "attachments": [{"name": "a", "datas": "!!notb64"}]}),
            self.unit_event("request_extension", {"days": "many", "reason": "x"}),
        ]
        _uids, stats = self.apply(*forged)
        self.assertEqual(stats, {"pulled": 0, "refused": len(forged)})
        self.assertEqual(self.case.state, "processing")
        self.assertEqual(other.state, "dispatched")
        refused = self.inbox().filtered(lambda row: row.result == "refused")
        self.assertEqual(len(refused), len(forged))
        self.assertTrue(all(refused.mapped("reason")))

    def test_unit_message_posted_sanitised(self):
        self.apply(self.unit_event("message", {"body": "<p>On site</p><script>alert(1)</script>", "attachments": [
            {"name": "site.jpg", "datas": self.b64(sample_file("jpg"))}]}))
        message = self.case.message_ids.filtered(lambda m: "On site" in str(m.body))
        self.assertEqual(len(message), 1)
        self.assertNotIn("<script", str(message.body))
        self.assertEqual(message.attachment_ids.mapped("name"), ["site.jpg"])
        # not echoed back to the unit server
        self.assertFalse(self.outbox(kind="message"))


@tagged("post_install", "-at_install")
class TestCenterPush(HotlineExchangeCommon):
    """The center delivers its outbox in batches that grow while a backlog drains."""

    def test_backlog_in_growing_batches(self):
        self.set_role("center")
        Event = self.env["hotline.exchange.event"].sudo()
        Event.search([("state", "=", "pending")]).write({"state": "sent"})
        case = self.new_case()
        for n in range(350 - len(self.outbox(state="pending"))):  # with the dispatch's case update
            Event._enqueue("message", {"body": f"<p>{n}</p>", "author": "", "date": "", "attachments": []},
                           case=case)
        self.commit_point()
        pending = self.outbox(state="pending")
        self.assertEqual(len(pending), 350)
        refused_uid = pending[7].uid
        calls = []

        def receive(method, events):
            self.assertEqual(method, "receive")
            calls.append(len(events))
            if len(calls) == 2:
                raise ExchangeTransportError("cut")
            return [{"uid": e["uid"], "result": "refused" if e["uid"] == refused_uid else "applied",
                     "reason": "bad" if e["uid"] == refused_uid else ""} for e in events]

        stats = {"pushed": 0, "push_refused": 0}
        Link = self.env["hotline.exchange.link"]
        with patch.object(type(Link), "_call", lambda _self, method, **kw: receive(method, kw["events"])), \
                patch.dict(_PUSH_SIZE, clear=True):
            # a round ending mid-backlog (here: the unit server gone): the next one goes on at the size reached
            failure = None
            try:  # not assertRaises: its savepoint would undo the batch delivered before
                Link._push_all(stats, time.monotonic(), commit=False)
            except ExchangeTransportError as error:
                failure = error
            self.assertEqual(str(failure), "cut", "the unit server's failure ends the round")
            self.assertEqual(calls, [100, 200])
            Link._push_all(stats, time.monotonic(), commit=False)
            self.assertFalse(_PUSH_SIZE)  # drained: back to the base size
        self.assertEqual(calls, [100, 200, 200, 50])
        self.assertEqual(stats, {"pushed": 349, "push_refused": 1})
        self.assertFalse(self.outbox(state="pending"))
        refused = self.outbox(state="refused")
        self.assertEqual(refused.uid, refused_uid)
        self.assertEqual(refused.refusal_reason, "bad")
