from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import PlatformCommon


@tagged("post_install", "-at_install")
class TestPlatformFaults(PlatformCommon):
    """Duplicates, events out of order, a platform down then back, answers lost mid-transfer, refusals:
    nothing lost, nothing applied twice, the reconciliation explains every difference."""

    def _due_now(self):
        """Time passes: every retry is due (the back-off itself is checked in test_backoff)."""
        self.env["hotline.platform.event"].search([("state", "=", "pending")]).sudo().write({"next_attempt": False})

    def test_duplicates_are_applied_once(self):
        self.platform.dispatch("GD1")
        urge = self.platform.emit("GD1", "urge", {"note": "催办"})
        self.platform.outbox.append(dict(urge))  # the platform offers the same event twice
        self.run_exchange()
        case = self.case_of("GD1")
        self.assertEqual(case.urge_count, 1)
        # the platform did not get our confirmation and offers everything again
        self.platform.confirmed.clear()
        self.run_exchange()
        self.assertEqual(case.urge_count, 1)
        self.assertEqual(len(self.events("GD1", "in")), 2)
        # once in the first batch, then both copies offered again
        self.assertEqual(self.events("GD1", "in").filtered(lambda e: e.kind == "urge").duplicates, 3)
        self.assertEqual(self.platform.pending_for_center(), [])

    def test_out_of_order_events_wait_for_the_missing_one(self):
        self.platform.dispatch("GD2")
        self.platform.emit("GD2", "urge", {"note": "第一次催办"}, seq=2)
        withdraw = self.platform.emit("GD2", "withdraw", {"note": "撤单"}, seq=3)
        self.platform.outbox.reverse()  # 3, 2, 1 on the wire
        second = self.platform.outbox.pop(1)  # and 2 comes late
        self.run_exchange()
        case = self.case_of("GD2")
        self.assertEqual(case.state, "pool")  # 1 applied, 3 waits for 2
        self.assertEqual(self.events("GD2", "in").mapped("state"), ["applied", "received"])
        self.assertEqual(self.counterpart.waiting_count, 1)
        self.platform.outbox.append(second)
        self.run_exchange()
        self.assertEqual((case.state, case.urge_count), ("cancelled", 1))
        self.assertEqual(self.events("GD2", "in").mapped("state"), ["applied"] * 3)
        self.assertTrue(withdraw)

    def test_platform_down_then_back_nothing_lost_nothing_twice(self):
        cases = [self.received_case(f"GD3-{n}") for n in range(3)]
        self.run_exchange()
        self.platform.down = True
        for case in cases:
            case.with_user(self.dispatcher).action_dispatch()
            case.with_user(self.agent)._platform_send_progress("已派单位处理")
        before = self.platform.calls["push"]
        self.run_exchange()
        pending = self.env["hotline.platform.event"].search([("state", "=", "pending")])
        self.assertEqual(len(pending), 6)
        self.assertEqual(set(pending.mapped("attempts")), {1})
        self.assertTrue(all(event.next_attempt > fields.Datetime.now() for event in pending))
        self.assertEqual(self.counterpart.failures, 1)
        # a retry waits for its back-off: the next round makes no call
        self.run_exchange()
        self.assertEqual(self.platform.calls["push"], before)
        # during the outage the reconciliation explains every difference by the events on their way
        recon = self.env["hotline.platform.reconciliation"]
        self.platform.down = False
        outage = recon._reconcile(self.counterpart, self.env.company._hotline_local_day())
        self.assertEqual(outage.unexplained_count, 0)
        # back: the answers are lost once (the platform took the events), then delivered
        self.platform.lose_answers = True
        self._due_now()
        self.run_exchange()
        self.platform.lose_answers = False
        self._due_now()
        self.run_exchange()
        self.assertFalse(self.env["hotline.platform.event"].search([("state", "=", "pending")]))
        self.assertEqual(self.counterpart.failures, 0)
        for case in cases:
            ref = case.platform_ref
            self.assertEqual(self.platform.kinds_received(ref), ["receive", "accept", "progress"])
            # per work order, in sequence order
            keys = sorted((k for k in self.platform.received if k.startswith(f"{ref}:")),
                          key=self.platform.received_at.get)
            self.assertEqual(keys, [f"{ref}:1", f"{ref}:2", f"{ref}:3"])
        self.assertEqual(sum(self.platform.duplicates.values()), 6)  # resent after the lost answers, ignored
        after = recon._reconcile(self.counterpart, self.env.company._hotline_local_day())
        self.assertEqual((after.local_total, after.remote_total, after.unexplained_count), (3, 3, 0))

    def test_backoff_grows_and_dead_letter_blocks_the_work_order_until_resent(self):
        case = self.received_case("GD4")
        self.run_exchange()
        self.platform.down = True
        case.with_user(self.dispatcher).action_dispatch()
        case.with_user(self.agent)._platform_send_progress("进展一")
        accept = self.events("GD4", "out").filtered(lambda e: e.kind == "accept")
        waits = []
        for _attempt in range(5):
            self._due_now()
            now = fields.Datetime.now()
            self.run_exchange()
            if accept.state == "pending":
                waits.append((accept.next_attempt - now).total_seconds())
        self.assertEqual(waits, sorted(waits))
        self.assertGreater(waits[-1], waits[0])
        # 5 failures (max_attempts): the batch held both events of the work order, in order
        progress = self.events("GD4", "out").filtered(lambda e: e.kind == "progress")
        self.assertEqual((accept.state, progress.state), ("dead", "dead"))
        self.counterpart.invalidate_recordset()
        self.assertEqual(self.counterpart.dead_count, 2)
        # back up: nothing of the work order moves until its dead letters are resent, in order
        self.platform.down = False
        self._due_now()
        self.run_exchange()
        self.assertEqual(self.platform.kinds_received("GD4"), ["receive"])
        progress.with_user(self.dispatcher).action_resend()
        self.run_exchange()
        self.assertEqual(self.platform.kinds_received("GD4"), ["receive"])  # progress waits behind accept
        accept.with_user(self.dispatcher).action_resend()
        self.run_exchange()
        self.assertEqual(self.platform.kinds_received("GD4"), ["receive", "accept", "progress"])
        self.assertEqual((accept.state, progress.state), ("sent", "sent"))

    def test_refused_event_is_a_dead_letter_with_the_reason(self):
        case = self.received_case("GD5")
        self.platform.refuse_kinds = {"progress"}
        case.with_user(self.agent)._platform_send_progress("进展")
        self.run_exchange()
        progress = self.events("GD5", "out").filtered(lambda e: e.kind == "progress")
        self.assertEqual((progress.state, progress.last_error), ("dead", "该事件类型不被接受"))
        recon = self.reconcile_today()
        self.assertEqual(recon.unexplained_count, 0)

    def test_inbound_dead_letter_applied_again_after_the_mapping_is_fixed(self):
        self.platform.dispatch("GD6", category="0999")
        self.platform.emit("GD6", "urge", {"note": "催办"})
        self.run_exchange()
        dispatch, urge = self.events("GD6", "in")
        self.assertEqual((dispatch.state, urge.state), ("dead", "received"))
        self.env["hotline.platform.code"].create({"table_id": self.code_table.id, "kind": "category",
                                                  "code": "0999", "category_id": self.cat_road.id})
        dispatch.with_user(self.dispatcher).action_resend()
        self.assertEqual((dispatch.state, urge.state), ("applied", "applied"))
        self.assertEqual(self.case_of("GD6").urge_count, 1)

    def test_unexplained_difference_is_listed_by_work_order(self):
        self.received_case("GD7")
        self.run_exchange()
        # the platform has a work order the center never received, and says GD7 is closed
        self.platform.orders["GD8"] = {"date": self.platform.day, "status": "open"}
        self.platform.orders["GD7"]["status"] = "closed"
        recon = self.reconcile_today()
        self.assertEqual(recon.unexplained_count, 2)
        self.assertEqual(recon.difference_ids.mapped("platform_ref"), ["GD7", "GD8"])
        self.assertEqual(recon.difference_ids.mapped("local_status"), ["open", False])
        line = recon.line_ids.filtered(lambda line: line.status == "open")
        self.assertEqual((line.local_count, line.remote_count), (1, 1))
        # a day with nothing on either side
        empty = self.env["hotline.platform.reconciliation"]._reconcile(
            self.counterpart, self.env.company._hotline_local_day() - timedelta(days=30))
        self.assertEqual((empty.local_total, empty.remote_total, empty.unexplained_count), (0, 0, 0))
