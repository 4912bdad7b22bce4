from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import SECRET_NAME, HotlineExchangeCommon

CENTER_REF = 900001


@tagged("post_install", "-at_install")
class TestUnitServerApply(HotlineExchangeCommon):
    """The unit server applies the center's events: once each, in each case's order, only when well-formed."""

    def setUp(self):
        super().setUp()
        self.env["hotline.case"].sudo().search([("exchange_ref", "=", CENTER_REF)]).write({"exchange_ref": 0})
        # the center's real snapshot of a dispatched confidential case, as the unit server receives it
        self.set_role("center")
        self.center_case = self.new_case(confidential=True)
        self.snapshot = self.outbox(kind="case")[0].payload
        self.outbox_floor = self.outbox()[-1].id  # from here on, the unit server's outbox
        self.set_role("unit")
        self.Peer = self.env["hotline.exchange.peer"].with_user(self.peer)

    def receive(self, *events):
        return self.Peer.receive(list(events))

    def unit_copy(self):
        return self.env["hotline.case"].sudo().search([("exchange_ref", "=", CENTER_REF)])

    def test_dispatch_creates_the_copy_units_read(self):
        partners = self.env["res.partner"].sudo().search_count([])
        result = self.receive(self.event("case", self.snapshot, CENTER_REF, 1))
        self.assertEqual(result[0]["result"], "applied")
        copy = self.unit_copy()
        self.assertEqual(copy.state, "dispatched")
        self.assertEqual(copy.unit_id, self.unit)
        self.assertFalse(copy.caller_name)
        self.assertFalse(copy.caller_phone)
        self.assertFalse(copy.partner_id)
        # no contact for the caller on the unit server
        self.assertEqual(self.env["res.partner"].sudo().search_count([]), partners)
        # the unit's member reads it through the portal's record rule, masked, and got the dispatch message
        mine = self.env["hotline.case"].with_user(self.portal).search([("exchange_ref", "=", CENTER_REF)])
        self.assertEqual(mine, copy)
        # hotline_case's mask, as on the center's own case
        self.assertEqual(mine.unit_caller_name, self.center_case.with_user(self.portal).unit_caller_name)
        self.assertNotEqual(mine.unit_caller_name, SECRET_NAME)
        self.assertIn(self.portal.partner_id, copy.message_ids.partner_ids)
        self.assertEqual(copy.log_ids.mapped("action"), ["self_dispatch"])
        self.assertNotIn(SECRET_NAME, str(copy.message_ids.mapped("body")))

    def test_return_ruling_reaches_the_copy(self):
        """The unit reads the center's ruling of its return on its own server, also when ruled later."""
        self.set_role("center")
        self.center_case.with_user(self.portal).action_return(reason="非本单位职责。")
        self.commit_point()
        returned = self.outbox(kind="case")[-1].payload
        line = self.center_case.log_ids.filtered(lambda log: log.action == "return")
        line.with_user(self.dispatcher).action_rule_return("improper", "退单理由不成立。")
        self.commit_point()
        ruled = self.outbox(kind="case")[-1].payload
        self.set_role("unit")
        self.receive(self.event("case", returned, CENTER_REF, 2))
        copy_line = self.unit_copy().log_ids.filtered(lambda log: log.action == "return")
        self.assertEqual(copy_line.return_ruling, "pending")
        self.receive(self.event("case", ruled, CENTER_REF, 3))
        self.assertEqual((copy_line.return_ruling, copy_line.ruling_note), ("improper", "退单理由不成立。"))
        self.assertIn("rule_return", self.unit_copy().log_ids.mapped("action"))

    def test_ruling_is_a_step_of_the_case(self):
        """The ruling is logged by _transition like every step: its line goes with the center's snapshot, names
        the unit that returned the case, and the unit server, which takes only the unit's steps, refuses it."""
        self.set_role("center")
        self.center_case.with_user(self.portal).action_return(reason="非本单位职责。")
        self.commit_point()
        line = self.center_case.log_ids.filtered(lambda log: log.action == "return")
        line.with_user(self.dispatcher).action_rule_return("justified", "确属他单位职责。")
        self.commit_point()
        self.assertEqual([step["action"] for step in self.outbox(kind="case")[-1].payload["actions"]],
                         ["rule_return"])
        ruling = self.center_case.log_ids.filtered(lambda log: log.action == "rule_return")
        self.assertEqual((ruling.unit_id, ruling.user_id), (self.unit, self.dispatcher))
        self.assertFalse(self.center_case.unit_id, "the unit is the returning one, not the case's (none now)")
        self.set_role("unit")
        with self.assertRaises(UserError), self.env.cr.savepoint():
            line.with_user(self.dispatcher).action_rule_return("improper", "改判。")
        self.assertEqual(line.return_ruling, "justified")

    def test_applied_once(self):
        event = self.event("case", self.snapshot, CENTER_REF, 1)
        self.receive(event)
        messages = len(self.unit_copy().message_ids)
        result = self.receive(event, event)
        self.assertEqual([r["result"] for r in result], ["duplicate", "duplicate"])
        self.assertEqual(len(self.unit_copy()), 1)
        self.assertEqual(len(self.unit_copy().message_ids), messages)

    def test_per_case_order(self):
        """An older update arriving after a newer one changes nothing."""
        newer = dict(self.snapshot, state="processing", actions=[])
        self.receive(self.event("case", newer, CENTER_REF, 2))
        result = self.receive(self.event("case", self.snapshot, CENTER_REF, 1))
        self.assertEqual(result[0]["result"], "applied")
        self.assertEqual(self.unit_copy().state, "processing")
        self.assertEqual(self.unit_copy().exchange_seq, 2)

    def test_forged_and_corrupt_events_refused(self):
        good = self.event("case", self.snapshot, CENTER_REF, 1)
        self.receive(good)
        replay = dict(self.event("case", dict(self.snapshot, state="closed"), CENTER_REF, 1, uid=good["uid"]))
        corrupt = dict(self.event("case", self.snapshot, CENTER_REF, 3), payload=dict(self.snapshot, state="closed"))
        wrong_kind = self.event("accept", {}, CENTER_REF, 4)
        malformed = self.event("case", {"state": "nonsense"}, CENTER_REF, 5)
        no_id = {"kind": "case"}
        results = self.receive(replay, corrupt, wrong_kind, malformed, no_id)
        self.assertEqual([r["result"] for r in results], ["refused"] * 5)
        self.assertEqual(self.unit_copy().state, "dispatched")
        refused = self.inbox().filtered(lambda row: row.result == "refused")
        self.assertEqual(len(refused), 4)  # the event without id has nothing to be recorded under
        self.assertTrue(all(refused.mapped("reason")))

    def test_only_the_exchange_account(self):
        with self.assertRaises(AccessError):
            self.env["hotline.exchange.peer"].with_user(self.portal).receive([])
        with self.assertRaises(AccessError):
            self.env["hotline.exchange.peer"].with_user(self.agent).fetch_events()
        self.set_role("center")
        with self.assertRaises(UserError):
            self.Peer.receive([])

    def test_unit_steps_queued_for_the_center(self):
        self.receive(self.event("case", self.snapshot, CENTER_REF, 1))
        copy = self.unit_copy().with_user(self.portal)
        copy.action_accept()
        copy.action_request_extension(days=3, reason="Parts on order")
        copy.message_post(body="We are on site", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.commit_point()
        events = self.outbox()
        self.assertEqual(events.mapped("kind"), ["accept", "request_extension", "message"])
        self.assertEqual(set(events.mapped("case_ref")), {CENTER_REF})
        self.assertEqual(set(events.mapped("unit_code")), {"HXW"})
        self.assertEqual(events[1].payload, {"days": 3, "reason": "Parts on order"})
        self.assertEqual(events.mapped("sequence"), sorted(events.mapped("sequence")))
        # what the center fetches, and acknowledges
        wire = self.Peer.fetch_events(after=self.outbox_floor, limit=10)
        self.assertEqual([e["uid"] for e in wire], events.mapped("uid"))
        self.assertEqual(self.Peer.ack(uids=[wire[0]["uid"]]), 1)
        self.assertEqual([e["uid"] for e in self.Peer.fetch_events(after=self.outbox_floor)], events[1:].mapped("uid"))

    def test_unit_result_carries_its_handling_result(self):
        self.receive(self.event("case", self.snapshot, CENTER_REF, 1))
        copy = self.unit_copy().with_user(self.portal)
        copy.action_accept()
        copy.action_submit(note="已修复", result="not_handled")
        self.commit_point()
        submit = self.outbox().filtered(lambda event: event.kind == "submit")
        self.assertEqual((submit.payload["note"], submit.payload["result"]), ("已修复", "not_handled"))

    def test_center_steps_not_taken_here(self):
        self.receive(self.event("case", self.snapshot, CENTER_REF, 1))
        copy = self.unit_copy()
        with self.assertRaises(UserError):
            copy.with_user(self.reviewer).action_urge()

    def test_refusal_shown_and_center_state_restored(self):
        self.receive(self.event("case", self.snapshot, CENTER_REF, 1))
        copy = self.unit_copy().with_user(self.portal)
        copy.action_accept()
        self.commit_point()
        mine = self.outbox(kind="accept")
        self.assertEqual(copy._exchange_portal_notices(), mine)
        reason = "Case X cannot be signed for: it is “To Dispatch”."
        pool = dict(self.snapshot, state="pool", unit=False, actions=[])
        self.receive(self.event("refusal", {"event_uid": mine.uid, "reason": reason, "snapshot": pool},
                                CENTER_REF, 3))
        self.assertEqual(mine.state, "refused")
        self.assertEqual(mine.refusal_reason, reason)
        self.assertEqual(self.unit_copy().state, "pool")
        self.assertEqual(self.unit_copy().log_ids.mapped("action"), ["self_dispatch"])

    # ------------------------------------------------------------------
    # A delivery is one batch: applied together, mailed after
    # ------------------------------------------------------------------
    def schedules(self, copy):
        return self.env["mail.message.schedule"].sudo().search(
            [("mail_message_id.model", "=", "hotline.case"), ("mail_message_id.res_id", "=", copy.id)])

    def center_message(self, body, sequence):
        return self.event("message", {"body": f"<p>{body}</p>", "author": "Center", "date": "2026-01-01 08:00:00",
                                      "attachments": []}, CENTER_REF, sequence)

    def test_batch_with_a_bad_event(self):
        """The good events of a delivery apply; the bad one is refused, recorded, and changes nothing."""
        good = self.event("case", self.snapshot, CENTER_REF, 1)
        bad = self.center_message("forged", 2)
        bad["payload"] = dict(bad["payload"], body="<p>altered in transit</p>")
        later = self.center_message("Please call the caller back", 3)
        results = self.receive(good, bad, later)
        self.assertEqual([r["result"] for r in results], ["applied", "refused", "applied"])
        self.assertIn("checksum", results[1]["reason"])
        bodies = str(self.unit_copy().message_ids.mapped("body"))
        self.assertIn("Please call the caller back", bodies)
        self.assertNotIn("altered in transit", bodies)
        rows = self.inbox()
        self.assertEqual(sorted(rows.mapped("result")), ["applied", "applied", "refused"])
        self.assertEqual(rows.filtered(lambda row: row.result == "refused").uid, bad["uid"])

    def test_replayed_with_other_content_twice(self):
        """An id replayed with other content is refused each time, in one delivery or across deliveries."""
        good = self.event("case", self.snapshot, CENTER_REF, 1)
        self.receive(good)
        forged = self.event("case", dict(self.snapshot, state="closed"), CENTER_REF, 1, uid=good["uid"])
        self.assertEqual([r["result"] for r in self.receive(forged, forged)], ["refused", "refused"])
        self.assertEqual(self.receive(forged)[0]["result"], "refused")
        self.assertEqual(self.unit_copy().state, "dispatched")
        self.assertEqual(len(self.inbox().filtered(lambda row: row.result == "refused")), 1)

    def test_notices_mailed_after_the_delivery_once(self):
        """The dispatch notice is on the case at once and its mail is queued for after the delivery (Odoo's
        scheduled messages); a replay queues nothing more."""
        event = self.event("case", self.snapshot, CENTER_REF, 1)
        self.receive(event)
        copy = self.unit_copy()
        notice = copy.message_ids.filtered(lambda m: self.portal.partner_id in m.partner_ids)
        self.assertEqual(len(notice), 1)
        self.assertEqual(self.schedules(copy).mail_message_id, notice)
        self.assertFalse(self.env["mail.mail"].sudo().search([("mail_message_id", "=", notice.id)]))
        self.receive(event)
        self.assertEqual(len(self.schedules(copy)), 1)
        # the scheduled job mails the unit's member
        self.schedules(copy).force_send()
        self.assertTrue(self.env["mail.notification"].sudo().search(
            [("mail_message_id", "=", notice.id), ("res_partner_id", "=", self.portal.partner_id.id)]))
        self.assertFalse(self.schedules(copy))

    def test_burst_of_messages_one_mail_per_case(self):
        """Three center messages on a case in one delivery: all three on the case, one mail (the latest)."""
        self.receive(self.event("case", self.snapshot, CENTER_REF, 1))
        copy = self.unit_copy()
        self.schedules(copy).unlink()
        self.receive(*(self.center_message(f"update {n}", n + 2) for n in range(3)))
        posted = copy.message_ids.filtered(lambda m: "update" in str(m.body)).sorted("id")
        self.assertEqual([str(m.body) for m in posted], [f"<p>update {n}</p>" for n in range(3)])
        for message in posted:  # written together, each as message_post writes one
            self.assertEqual(message.partner_ids, self.portal.partner_id)
            self.assertEqual((message.message_type, message.subtype_id), ("comment", self.env.ref("mail.mt_comment")))
            self.assertEqual(message.author_id, self.env.company.partner_id)
        self.assertEqual(copy.with_user(self.portal)._portal_public_messages(posted), posted)
        self.assertEqual(self.schedules(copy).mail_message_id, posted[-1])
        # a message delivered alone is mailed on its own; a message for a case this server does not have is refused
        results = self.receive(self.center_message("update 3", 5), self.event(
            "message", {"body": "<p>lost</p>", "attachments": []}, CENTER_REF + 1, 1))
        self.assertEqual([r["result"] for r in results], ["applied", "refused"])
        self.assertEqual(len(self.schedules(copy)), 2)

    def test_burst_follows_a_move_to_another_unit(self):
        """Messages, then a case update moving the case to another unit, then messages, in one delivery: each
        message is addressed to the members of the unit that has the case when it arrives."""
        self.receive(self.event("case", self.snapshot, CENTER_REF, 1))
        other = new_test_user(self.env, "hx_portal_gas", groups="base.group_portal", name="HX Gas Member")
        self.unit_b.member_ids = [(6, 0, other.ids)]
        moved = dict(self.snapshot, unit=self.unit_b._exchange_payload(), actions=[],
                     handled_units=[self.unit._exchange_payload(), self.unit_b._exchange_payload()])
        results = self.receive(self.center_message("hxq-before 1", 2), self.center_message("hxq-before 2", 3),
                               self.event("case", moved, CENTER_REF, 4),
                               self.center_message("hxq-after 1", 5), self.center_message("hxq-after 2", 6))
        self.assertEqual([r["result"] for r in results], ["applied"] * 5)
        copy = self.unit_copy()
        self.assertEqual(copy.unit_id, self.unit_b)
        for text, partner in (("hxq-before", self.portal.partner_id), ("hxq-after", other.partner_id)):
            posted = copy.message_ids.filtered(lambda m, t=text: t in str(m.body))
            self.assertEqual(len(posted), 2)
            self.assertEqual(posted.partner_ids, partner)
