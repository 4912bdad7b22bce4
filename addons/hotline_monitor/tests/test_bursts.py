import json
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.addons.hotline_case.tests.common import HotlineCaseCommon
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import channel_with_db, json_dump


@tagged("post_install", "-at_install")
class TestBursts(HotlineCaseCommon):
    """突发事件: K cases of one category on one street (or district) inside a sliding window W."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Alert = cls.env["hotline.burst.alert"]
        cls.default_rule = cls.env.ref("hotline_monitor.burst_rule_default")
        cls.street2 = cls.env["hotline.street"].create({"name": "解放街道", "district_id": cls.district.id})
        cls.base = fields.Datetime.now() - timedelta(hours=6)

    def case_at(self, minutes, **vals):
        case = self._new_case(date_received=self.base + timedelta(minutes=minutes), **vals)
        self.Alert._check_queued()  # what the burst job does once the intake commits
        return case

    def alerts(self):
        self.Alert._check_queued()
        return self.Alert.search([("category_id", "in", (self.cat_no_water | self.cat_road).ids)], order="id")

    def test_intake_only_queues_the_check(self):
        """The intake writes no alert: it queues its case and wakes the burst job, which raises the alert."""
        cron = self.env.ref("hotline_monitor.ir_cron_burst_alerts")
        Trigger = self.env["ir.cron.trigger"].sudo()
        triggers = Trigger.search_count([("cron_id", "=", cron.id)])
        cases = self._new_case(date_received=self.base)
        for minute in range(1, 5):
            cases |= self._new_case(date_received=self.base + timedelta(minutes=minute))
        self.assertFalse(self.Alert.search([("case_ids", "in", cases.ids)]))
        queued = self.env["hotline.burst.queue"].search([("case_id", "in", cases.ids)])
        self.assertEqual(queued.case_id, cases)
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), triggers + 5)
        self.assertGreaterEqual(self.Alert._check_queued(), 5)
        self.assertFalse(self.env["hotline.burst.queue"].search([("case_id", "in", cases.ids)]))
        alert = self.Alert.search([("case_ids", "in", cases.ids)])
        self.assertEqual((len(alert), alert.case_ids), (1, cases))

    def test_default_rule(self):
        self.assertEqual((self.default_rule.case_count, self.default_rule.window_minutes, self.default_rule.grouping),
                         (5, 60, "street"))
        self.assertFalse(self.default_rule.category_id)

    def test_k_minus_one_then_k_then_no_repeat(self):
        for minute in (0, 10, 20, 30):
            self.case_at(minute)
        self.assertFalse(self.alerts(), "K-1 cases raise nothing")
        fifth = self.case_at(40)
        alert = self.alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.case_count, 5)
        self.assertIn(fifth, alert.case_ids)
        self.assertEqual(alert.street_id, self.street)
        self.assertEqual(alert.first_time, self.base)
        # more cases while the burst goes on join it: one alert per burst
        for minute in (45, 90, 140):
            self.case_at(minute)
        self.assertEqual(len(self.alerts()), 1)
        self.assertEqual(alert.case_count, 8)
        self.assertEqual(alert.last_time, self.base + timedelta(minutes=140))

    def test_window_slides(self):
        for minute in (0, 20, 40, 55):
            self.case_at(minute)
        self.case_at(70)  # (10, 70]: the case of minute 0 slid out - still 4
        self.assertFalse(self.alerts())
        self.case_at(75)  # (15, 75]: 20, 40, 55, 70, 75
        alert = self.alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.case_count, 5)
        self.assertEqual(alert.first_time, self.base + timedelta(minutes=20))
        # the burst ended (nothing for more than W); a new cluster is a new alert, but only at K again
        for minute in (140, 141, 142, 143):
            self.case_at(minute)
        self.assertEqual(len(self.alerts()), 1)
        self.case_at(144)
        self.assertEqual(len(self.alerts()), 2)

    def test_cases_of_one_second_all_join(self):
        """Cases received the same second: the alert holds each, also those checked before the burst was one
        (the burst job checks cases in the order their intakes committed, not in the order of their ids)."""
        early = self.env["hotline.case"]
        for _i in range(4):
            early |= self.case_at(0, street_id=self.street2.id)
        late = self.case_at(0) | self.case_at(0)
        self.assertFalse(self.alerts())
        early.with_user(self.agent).write({"street_id": self.street.id})
        alert = self.alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual(sorted(alert.case_ids.ids), sorted((early | late).ids))

    def test_other_street_category_and_cancelled_do_not_count(self):
        for minute in (0, 1):
            self.case_at(minute)
        self.case_at(2, street_id=self.street2.id)
        self.case_at(3, category_id=self.cat_road.id)
        cancelled = self.case_at(4)
        cancelled.sudo().state = "cancelled"
        self.case_at(5)
        self.assertFalse(self.alerts())

    def test_rule_per_category_district_grouping_and_parent(self):
        """A rule on 供水 applies to its sub-category 停水; grouped by district, two streets add up."""
        rule = self.env["hotline.burst.rule"].with_user(self.manager).create({
            "category_id": self.cat_water.id, "case_count": 3, "window_minutes": 30, "grouping": "district"})
        self.case_at(0)
        self.case_at(5, street_id=self.street2.id)
        self.assertFalse(self.alerts())
        self.case_at(10, street_id=self.street2.id)
        alert = self.alerts()
        self.assertEqual((len(alert), alert.rule_id, alert.district_id, alert.street_id),
                         (1, rule, self.district, self.env["hotline.street"]))
        with self.assertRaises(ValidationError):
            rule.case_count = 1

    def test_supervisors_are_told(self):
        for minute in range(5):
            self.case_at(minute)
        alert = self.alerts()
        self.assertEqual(len(alert), 1)
        activities = alert.activity_ids
        self.assertIn(self.reviewer, activities.user_id)
        self.assertIn(self.manager, activities.user_id)
        self.assertNotIn(self.agent, activities.user_id)
        self.env.cr.precommit.run()
        group = self.env.ref("hotline_case.group_reviewer")
        rows = self.env["bus.bus"].sudo().search([("channel", "=", json_dump(channel_with_db(self.env.cr.dbname,
                                                                                                group)))])
        bursts = [json.loads(r.message) for r in rows if "hotline_monitor/burst" in r.message]
        bursts = [b for b in bursts if b["payload"]["id"] == alert.id]  # not earlier bursts' messages
        self.assertEqual(len(bursts), 1)
        self.assertEqual((bursts[0]["payload"]["id"], bursts[0]["payload"]["count"]), (alert.id, 5))
        self.assertEqual(alert.action_view_cases()["domain"], [("id", "in", alert.case_ids.ids)])
        # the board lists it
        board = self.env["hotline.wallboard"].create({"name": "突发测试"})
        snapshot = self.env["hotline.monitor.live"]._snapshot(board)
        self.assertIn(alert.id, [a["id"] for a in snapshot["alerts"]])

    def test_alert_speaks_live_and_for_its_reader(self):
        """The alert's words follow its cases (not frozen at 5 when it holds 6) and the reader's language;
        each supervisor's activity is in their own language, due today in the center's calendar at 01:30
        Beijing time (17:30 UTC the day before)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_monitor"], ["zh_CN"], overwrite=True)
        self.env.company.resource_calendar_id.tz = "Asia/Shanghai"
        self.reviewer.lang = "zh_CN"
        self.manager.lang = "en_US"
        with freeze_time("2026-12-06 17:30:00"):
            self.base = fields.Datetime.now() - timedelta(minutes=30)
            for minute in range(5):
                self.case_at(minute)
            alert = self.alerts()
        self.assertEqual(len(alert), 1)
        place, category = self.street.display_name, self.cat_no_water.display_name
        by_user = {a.user_id: a for a in alert.activity_ids}
        self.assertEqual(by_user[self.reviewer].summary, f"{place} 5 件「{category}」")
        self.assertIn("突发事件", by_user[self.reviewer].note)
        self.assertIn("Several cases", str(by_user[self.manager].note))
        self.assertEqual(by_user[self.manager].summary, f"5 × {category} at {place}")
        self.assertEqual({a.date_deadline for a in alert.activity_ids}, {fields.Date.to_date("2026-12-07")})
        self.case_at(10)
        self.assertEqual(alert.case_count, 6)
        self.assertEqual(alert.with_context(lang="zh_CN").name, f"{place} 6 件「{category}」")
        self.assertEqual(alert.with_context(lang="en_US").display_name, f"6 × {category} at {place}")
        self.assertEqual(self.Alert.search([("id", "=", alert.id)]).ids, alert.ids)
        self.assertIn(alert, self.Alert.search([("display_name", "ilike", place)]))
        # what the screen shows is live: the count and the first case's time, ticking on the screen
        board_alert = alert._board_dict()
        self.assertEqual(board_alert["count"], 6)
        self.assertEqual(board_alert["first_ms"], datetime(2026, 12, 6, 17, 0, tzinfo=UTC).timestamp() * 1000)

    def test_rule_says_what_it_is(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_monitor"], ["zh_CN"], overwrite=True)
        self.assertEqual(self.default_rule.with_context(lang="zh_CN").display_name, "默认规则：60 分钟内同一街道 5 件")
        rule = self.env["hotline.burst.rule"].create({"category_id": self.cat_road.id, "case_count": 3,
                                                      "window_minutes": 30, "grouping": "district"})
        self.assertEqual(rule.with_context(lang="en_US").display_name,
                         f"{self.cat_road.display_name}: 3 cases within 30 min, Same District")

    # -- corrections: a case's category or street fixed after it was recorded ------------------------
    def test_corrected_cases_complete_a_burst_once(self):
        """受理员 often fix the category or the street later: the corrected case counts where it now belongs."""
        for minute in (0, 10, 30):
            self.case_at(minute)
        wrong_category = self.case_at(5, category_id=self.cat_road.id)
        wrong_street = self.case_at(20, street_id=self.street2.id)
        extra = self.case_at(25, street_id=self.street2.id)
        wrong_category.with_user(self.agent).write({"description": "停水，已核实。"})  # another field: nothing
        wrong_category.with_user(self.agent).write({"category_id": self.cat_no_water.id})
        self.assertFalse(self.alerts(), "K-1 cases after the first correction raise nothing")
        # the fifth case was received before the group's last one: the window (−30, 30] holds K
        wrong_street.with_user(self.agent).write({"street_id": self.street.id})
        alert = self.alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.case_count, 5)
        self.assertIn(wrong_street, alert.case_ids)
        self.assertEqual((alert.first_time, alert.last_time),
                         (self.base, self.base + timedelta(minutes=30)))
        self.assertEqual(len(alert.activity_ids.filtered(lambda a: a.user_id == self.reviewer)), 1)
        # no repeat inside the window: writing the same values again, or another correction, joins the burst
        wrong_street.with_user(self.agent).write({"street_id": self.street.id, "category_id": self.cat_no_water.id})
        extra.with_user(self.agent).write({"street_id": self.street.id})
        self.assertEqual(len(self.alerts()), 1)
        self.assertEqual(alert.case_count, 6)
        self.assertEqual(len(alert.activity_ids.filtered(lambda a: a.user_id == self.reviewer)), 1)
        # a case corrected away leaves the burst's list of cases
        extra.with_user(self.agent).write({"category_id": self.cat_road.id})
        self.Alert._check_queued()
        self.assertNotIn(extra, alert.case_ids)
        self.assertEqual(alert.case_count, 5)
        self.assertEqual(self.alerts(), alert)

    def test_corrected_case_outside_the_window(self):
        for minute in (0, 10, 20, 30):
            self.case_at(minute)
        late = self.case_at(95, category_id=self.cat_road.id)
        late.with_user(self.agent).write({"category_id": self.cat_no_water.id})
        self.assertFalse(self.alerts(), "(35, 95] holds only the corrected case")
        moved = self.case_at(50, street_id=self.street2.id)
        moved.with_user(self.agent).write({"street_id": self.street.id})
        alert = self.alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual(sorted(alert.case_ids.mapped("date_received")),
                         [self.base + timedelta(minutes=m) for m in (0, 10, 20, 30, 50)])
