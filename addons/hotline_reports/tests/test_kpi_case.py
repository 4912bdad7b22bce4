from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HotlineReportsCommon


@tagged("post_install", "-at_install")
class TestKpiCase(HotlineReportsCommon):
    """Every case KPI on a hand-made March 2020 (Asia/Shanghai) with known answers.

    Unit A gets ten cases driven through the real transitions at set local times:
    c1 first-time closed; c2 signed late, extension approved then submitted after the original but
    before the extended deadline; c3 returned by A then handled by B; c4 reopened after the callback
    (重办) and redone; c5 never submitted (overdue); c6 dispatched 31 March 23:30 and c7 1 April 00:30
    (period boundary); c8 rejected at review; c9 dissatisfied; c10 waiting for its callback.
    """

    def setUp(self):
        super().setUp()
        self._build_march()

    def _figures(self, period, unit):
        with self.at("2020-04-15 10:00"):
            return self.kpi.unit_figures(*period, units=[unit.id])[unit.id]

    def test_unit_a_march(self):
        f = self._figures(self.March, self.unit_a)
        counts = {key: f[key] for key in (
            "dispatched", "dispatches", "signed_on_time", "closed", "due", "handled_on_time", "overdue_count",
            "finished", "rated", "satisfied", "first_time_closed", "returned", "redone", "extended",
            "callbacks_due", "callbacks_done")}
        self.assertEqual(counts, {
            "dispatched": 8,  # c1 c2 c4 c5 c6 c8 c9 c10 (c3 now B's, c7 in April)
            "dispatches": 10,  # + c3's dispatch to A and c4's first dispatch
            "signed_on_time": 6,  # c2 signed late, c6 not signed
            "closed": 5,  # c1 c2 c4 c9 c10
            "due": 7,  # c1 c2 c4 c5 c8 c9 c10; c6 falls due in April
            "handled_on_time": 6,  # c2 on time thanks to its extension
            "overdue_count": 1,  # c5
            "finished": 4,  # c1 c2 c4 c9
            "rated": 4,  # c4's first callback ended in a reopen: no rating
            "satisfied": 3,  # c9 dissatisfied
            "first_time_closed": 1,  # c1 only: c2 extended, c4 reopened, c9 dissatisfied
            "returned": 1,  # c3
            "redone": 2,  # c4 reopened, c8 rejected at review
            "extended": 1,  # c2
            "callbacks_due": 6,  # c1 c2 c4 (approved twice) c9 c10
            "callbacks_done": 5,  # c4's first callback ended in a reopen; c10 waits for its callback
        })
        self.assertAlmostEqual(f["sign_on_time_rate"], 6 / 8)
        self.assertAlmostEqual(f["on_time_rate"], 6 / 7)
        self.assertAlmostEqual(f["close_rate"], 5 / 8)
        self.assertAlmostEqual(f["first_time_closed_rate"], 1 / 4)
        self.assertAlmostEqual(f["return_rate"], 1 / 10)
        self.assertAlmostEqual(f["redo_rate"], 2 / 8)
        self.assertAlmostEqual(f["extension_rate"], 1 / 8)
        self.assertAlmostEqual(f["callback_rate"], 5 / 6)
        self.assertAlmostEqual(f["satisfaction_rate"], 3 / 4)
        # c5: deadline 12 March 10:00, still open on 15 April 10:00
        self.assertAlmostEqual(f["overdue_hours"], 34 * 24)
        # signed: c2 after 3 h, the others after 1 h (c4: its second dispatch)
        self.assertAlmostEqual(f["avg_sign_hours"], 9 / 7)
        # c1 23 h, c2 47 h, c4 4 h, c8 3 h, c9 4 h, c10 4 h
        self.assertAlmostEqual(f["avg_handle_hours"], 85 / 6)
        # decisions: c1 2 h, c2 45 h, c4 1 h twice, c8 2 h, c9 1 h, c10 18 h
        self.assertAlmostEqual(f["avg_review_hours"], 70 / 7)

    def test_unit_b_and_april(self):
        b = self._figures(self.March, self.unit_b)
        self.assertEqual((b["dispatched"], b["signed_on_time"], b["finished"], b["rated"], b["satisfied"]),
                         (1, 1, 1, 1, 0))
        self.assertEqual(b["satisfaction_rate"], 0.0)
        self.assertEqual(b["returned"], 0)
        self.assertEqual(b["extension_rate"], 0.0)
        april = self._figures(self.April, self.unit_a)
        # the 1 April 00:30 dispatch is April's in Shanghai even though it is 31 March in UTC
        self.assertEqual((april["dispatched"], april["dispatches"]), (1, 1))
        # c6 and c7 fall due in April, never submitted
        self.assertEqual((april["due"], april["handled_on_time"], april["overdue_count"]), (2, 0, 2))
        self.assertAlmostEqual(april["overdue_hours"], (12 * 24 + 10.5) + (12 * 24 + 9.5))
        self.assertIsNone(april["satisfaction_rate"], "no rated callback: no rate, not 0 %")

    def test_drilldown_matches_figures(self):
        with self.at("2020-04-15 10:00"):
            ids = {m: set(self.kpi.case_ids(m, *self.March, self.unit_a)) for m in (
                "signed_on_time", "returned", "first_time_closed_rate", "overdue_count", "redone", "due")}
            action = self.kpi.action_cases("extended", *self.March, self.unit_a.id)
        self.assertEqual(ids["signed_on_time"], {c.id for c in (self.c1, self.c4, self.c5, self.c8, self.c9,
                                                                self.c10)})
        self.assertEqual(ids["returned"], {self.c3.id})
        self.assertEqual(ids["first_time_closed_rate"], {self.c1.id})
        self.assertEqual(ids["overdue_count"], {self.c5.id})
        self.assertEqual(ids["redone"], {self.c4.id, self.c8.id})
        self.assertEqual(len(ids["due"]), 7)
        self.assertEqual(action["res_model"], "hotline.case")
        self.assertEqual(self.env["hotline.case"].search(action["domain"]), self.c2)

    def test_only_reviewers_and_managers(self):
        for user in (self.agent, self.dispatcher, self.unit_user_a, self.portal_a):
            kpi = self.env["hotline.kpi.case"].with_user(user)
            with self.assertRaises(AccessError):
                kpi.unit_figures(*self.March)
            with self.assertRaises(AccessError):
                kpi.situation()
            with self.assertRaises(AccessError):
                kpi.case_ids("dispatched", *self.March, self.unit_a.id)
        self.assertIn(self.unit_a.id, self.env["hotline.kpi.case"].with_user(self.manager).unit_figures(*self.March))

    def test_hotspots_rank_change(self):
        for day, category, phone in (("2020-02-03", self.cat_road, "13900000001"),
                                     ("2020-02-04", self.cat_road, "13900000002"),
                                     ("2020-02-29", self.cat_road, "13900000003"),
                                     ("2020-02-10", self.cat_water, "13900000004"),
                                     ("2020-03-03", self.cat_road, "13900000005"),
                                     ("2020-03-31", self.cat_road, "13900000005")):
            self._case_at(f"{day} 23:30", category_id=category.id, caller_phone=phone, caller_name="市民")
        with self.at("2020-04-15 10:00"):
            ranking = self.kpi.hotspots("category", *self.March)
            callers = self.kpi.hotspots("caller", *self.March)
        by_id = {r["key_id"]: r for r in ranking}
        no_water = by_id[self.cat_no_water.id]
        self.assertEqual((no_water["count"], no_water["rank"], no_water["previous_rank"], no_water["rank_change"]),
                         (9, 1, None, None))
        road = by_id[self.cat_road.id]
        self.assertEqual((road["count"], road["rank"], road["previous_count"], road["previous_rank"],
                          road["rank_change"]), (2, 2, 3, 1, -1))
        self.assertNotIn(self.cat_water.id, by_id)
        # repeat callers: 陈先生 (9 cases) and the caller of 13900000005 (2), not the single callers
        self.assertEqual([r["count"] for r in callers], [9, 2])

    def test_situation_today(self):
        now_text = "2020-05-06 09:00"
        with self.at(now_text):
            before = self.kpi.situation()
        self._case_at("2020-05-05 23:50")  # yesterday in Shanghai
        on_call = self._case_at("2020-05-06 08:10", channel="web", resolution_note="已答复。")
        self._do(on_call, "2020-05-06 08:15", self.agent, "action_close_on_call")
        self._dispatch_at(self._case_at("2020-05-06 08:20"), self.unit_a, "2020-05-06 08:25")
        transferred = self._case_at("2020-05-06 08:30")
        self._do(transferred, "2020-05-06 08:35", self.agent, "action_transfer")
        cancelled = self._case_at("2020-05-06 08:40")
        self._do(cancelled, "2020-05-06 08:45", self.agent, "action_cancel", reason="无效来电。")
        self._case_at("2020-05-06 00:05")  # still being recorded
        late = self._case_at("2020-05-04 09:00")
        self._dispatch_at(late, self.unit_b, "2020-05-04 09:10")  # sign for by 11:10 on the 4th
        with self.at(now_text):
            after = self.kpi.situation()
        self.assertEqual(after["date"], "2020-05-06")
        self.assertEqual(after["received"] - before["received"], 5)
        self.assertEqual(after["received_by_channel"]["web"] - before["received_by_channel"]["web"], 1)
        outcome = {k: after["intake_outcome"][k] - before["intake_outcome"][k] for k in after["intake_outcome"]}
        self.assertEqual(outcome, {"closed_on_call": 1, "self_dispatch": 1, "transfer": 1, "cancelled": 1,
                                   "recording": 1})
        self.assertEqual(after["open_by_state"]["dispatched"] - before["open_by_state"]["dispatched"], 2)
        self.assertEqual(after["sign_overdue"] - before["sign_overdue"], 1)
        self.assertEqual(after["overdue"] - before["overdue"], 1)
        # the same rule as the case list's 已超期 filter
        with self.at(now_text):
            self.assertEqual(after["overdue"], self.env["hotline.case"].search_count([("overdue", "=", True)]))
            self.assertEqual(after["near_deadline"],
                             self.env["hotline.case"].search_count([("near_deadline", "=", True)]))
        self.assertIn(self.unit_b.id, [u["unit_id"] for u in after["top_overdue_units"]])
