from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HotlineReportsCommon


@tagged("post_install", "-at_install")
class TestKpiCase(HotlineReportsCommon):
    """Every case KPI on a hand-made March 2020 (Asia/Shanghai) with known answers, counted per dispatch.

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
        """Unit A's March, every figure counted per dispatch (kpi/cases.py), as every report gives it."""
        self.assertFigures(self.March, {self.unit_a: {
            "dispatches": 10,  # c1 c2 c3 c4 (twice) c5 c6 c8 c9 c10: c3 returned stays A's dispatch
            "dispatched": 9,  # c4's second dispatch is no new case
            "signed": 8,  # c3 returned unsigned, c6 not signed
            "sign_due": 8,  # c3 returned before its sign-for deadline; c6's falls due on 1 April
            "signed_on_time": 7,  # c2 signed late
            "sign_on_time_rate": 7 / 8,
            "extension_requested": 1, "extended": 1,  # c2
            "submitted": 7,  # c1 c2 c4 (twice) c8 c9 c10
            "returned": 1, "settled": 8, "return_rate": 1 / 8,  # c3
            "due": 8,  # the submissions and c5 (deadline 12 March); c6's deadline is April's
            "handled_on_time": 7, "overdue_count": 1,  # c5
            "on_time_rate": 7 / 8,
            "due_extended": 1, "extension_rate": 1 / 8,  # c2 on time thanks to its extension
            "reviewed": 7, "approved": 6, "rejected": 1, "close_rate": 6 / 7,  # c8 rejected
            "callbacks_due": 6, "callbacks_done": 5, "callback_rate": 5 / 6,  # c10 waits for its callback
            # the caller's verdicts: c1 c2 satisfied, c4 不满意 → 重办 (counted), c4's redone result 基本满意, c9 不满意
            "rated": 5, "satisfied": 3, "satisfaction_rate": 3 / 5, "redone": 1, "redo_rate": 1 / 5,
            # c1 and c2 first results satisfied; c4's satisfied result is A's second on the case; c8 rejected
            "concluded": 6, "first_time_closed": 2, "first_time_closed_rate": 2 / 6,
            # held on 15 April: c6 c7 to sign for, c5 being handled, all three past a deadline
            "holding_dispatched": 2, "holding_processing": 1, "holding_submitted": 0, "holding_overdue": 3,
        }})
        f = self._figures(self.March, self.unit_a)
        # c5: deadline 12 March 10:00, still open on 15 April 10:00
        self.assertAlmostEqual(f["overdue_hours"], 34 * 24)
        # signed: c2 after 3 h, the others after 1 h (c4 twice)
        self.assertAlmostEqual(f["avg_sign_hours"], 10 / 8)
        # c1 23 h, c2 47 h, c4 4 h twice, c8 3 h, c9 4 h, c10 4 h
        self.assertAlmostEqual(f["avg_handle_hours"], 89 / 7)
        # decisions: c1 2 h, c2 45 h, c4 1 h twice, c8 2 h, c9 1 h, c10 18 h
        self.assertAlmostEqual(f["avg_review_hours"], 70 / 7)

    def test_unit_b_and_april(self):
        self.assertFigures(self.March, {self.unit_b: {
            # c3, handed over by A: B's own dispatch, signed and handled in time, its caller dissatisfied
            "dispatches": 1, "dispatched": 1, "sign_due": 1, "signed_on_time": 1, "due": 1, "handled_on_time": 1,
            "rated": 1, "satisfied": 0, "satisfaction_rate": 0.0, "returned": 0, "return_rate": 0.0,
            "extension_rate": 0.0, "concluded": 1, "first_time_closed": 0, "first_time_closed_rate": 0.0,
        }})
        self.assertFigures(self.April, {self.unit_a: {
            # the 1 April 00:30 dispatch is April's in Shanghai even though it is 31 March in UTC
            "dispatched": 1, "dispatches": 1,
            # c6 (31 March 23:30) and c7: their sign-for deadlines pass on 1 April 10:00, unsigned
            "sign_due": 2, "signed_on_time": 0, "sign_on_time_rate": 0.0,
            # and their deadlines in April, never submitted
            "due": 2, "handled_on_time": 0, "overdue_count": 2,
            # no verdict in April: no rate, not 0 %
            "rated": 0, "satisfaction_rate": None, "close_rate": None, "return_rate": None,
        }})
        april = self._figures(self.April, self.unit_a)
        self.assertAlmostEqual(april["overdue_hours"], (12 * 24 + 10.5) + (12 * 24 + 9.5))

    def test_drilldown_matches_figures(self):
        """A figure drills down to its dispatches, one line per 件次."""
        with self.at("2020-04-15 10:00"):
            lines = {m: self.env["hotline.case.log"].browse(self.kpi.dispatch_ids(m, *self.March, self.unit_a))
                     for m in ("dispatches", "signed_on_time", "returned", "first_time_closed_rate", "overdue_count",
                               "redone", "due", "rejected")}
            action = self.kpi.action_cases("dispatches", *self.March, self.unit_a.id)
            cases = self.kpi.case_ids("dispatches", *self.March, self.unit_a)
        self.assertEqual(len(lines["dispatches"]), 10)
        self.assertEqual(set(lines["dispatches"].mapped("action")), {"self_dispatch", "dispatch"})
        self.assertEqual(len(lines["dispatches"].filtered(lambda line: line.case_id == self.c4)), 2)
        self.assertEqual(len(cases), 9)
        self.assertEqual(lines["signed_on_time"].case_id, self.c1 | self.c4 | self.c5 | self.c8 | self.c9 | self.c10)
        self.assertEqual(len(lines["signed_on_time"]), 7)
        self.assertEqual(lines["returned"].case_id, self.c3)
        self.assertEqual(lines["first_time_closed_rate"].case_id, self.c1 | self.c2)
        self.assertEqual(lines["overdue_count"].case_id, self.c5)
        self.assertEqual(lines["redone"].case_id, self.c4)
        self.assertEqual(lines["rejected"].case_id, self.c8)
        self.assertEqual(len(lines["due"]), 8)
        self.assertEqual(action["res_model"], "hotline.case.log")
        self.assertEqual(len(self.env["hotline.case.log"].search(action["domain"])), 10)

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

    def test_intake_by_channel(self):
        """受理业务统计 counts every channel apart: phone, the 12345 platform, Open311 clients, the portal."""
        with self.at("2020-05-07 12:00"):
            before = self.kpi.situation()["received_by_channel"]
        cases = self.env["hotline.case"]
        for channel in ("phone", "platform", "open311", "open311", "web"):
            cases |= self._case_at("2020-05-07 10:00", channel=channel)
        self._do(cases[1], "2020-05-07 10:05", self.agent, "action_transfer")
        rows = self.env["hotline.report.case.intake"]._read_group(
            [("case_id", "in", cases.ids)], ["channel", "intake_outcome"], ["__count"])
        self.assertEqual(sorted(rows), sorted([
            ("phone", "recording", 1), ("platform", "transfer", 1), ("open311", "recording", 2),
            ("web", "recording", 1),
        ]))
        with self.at("2020-05-07 12:00"):
            after = self.kpi.situation()["received_by_channel"]
        self.assertEqual({k: after[k] - before[k] for k in ("phone", "platform", "open311", "web", "walk_in")},
                         {"phone": 1, "platform": 1, "open311": 2, "web": 1, "walk_in": 0})

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
