from datetime import date

from odoo.tests import new_test_user, tagged

from .common import QUEUE, CallKpiCommon, utc


@tagged("post_install", "-at_install")
class TestCallKpi(CallKpiCommon):

    def test_queue_figures_of_the_month_end_day(self):
        figures = self.kpi.queue_figures(date(2026, 1, 31), date(2026, 1, 31), queues=[QUEUE])[QUEUE]
        expected = {
            "offered": 9, "answered": 4, "abandoned": 2, "abandoned_short": 1, "abandoned_long": 1,
            "timeouts": 1, "exit_empty": 1, "exit_key": 1, "answered_in_sl": 3, "talk_seconds": 1200,
            "longest_wait": 120, "missed_rings": 1,
        }
        for key, value in expected.items():
            self.assertEqual(figures[key], value, key)
        self.assertAlmostEqual(figures["answer_rate"], 4 / 9)
        self.assertAlmostEqual(figures["abandon_rate"], 2 / 9)
        self.assertAlmostEqual(figures["service_level"], 0.75)  # 0 s, 20 s (= N) and 15 s; 21 s is late
        self.assertAlmostEqual(figures["service_level_offered"], 3 / 9)
        self.assertAlmostEqual(figures["asa"], (0 + 20 + 21 + 15) / 4)  # the 0 s wait counts
        self.assertAlmostEqual(figures["aht"], (100 + 200 + 300 + 600) / 4)

    def test_local_day_not_utc_day(self):
        # c10 entered at 00:00:05 Beijing time = 16:00:05 UTC the day before: it belongs to February
        feb = self.kpi.queue_figures("2026-02-01", "2026-02-28", queues=[QUEUE])[QUEUE]
        self.assertEqual((feb["offered"], feb["abandoned_short"], feb["answered"]), (1, 1, 0))
        self.assertIsNone(feb["asa"])
        self.assertIsNone(feb["service_level"])
        self.assertEqual(feb["service_level_offered"], 0.0)
        jan = self.kpi.center_figures("2026-01-01", "2026-01-31", queues=[QUEUE])
        self.assertEqual(jan["offered"], 9)
        # an explicit UTC window: the last minute of January in Beijing
        last = self.kpi.center_figures(utc("2026-01-31 23:59:00"), utc("2026-02-01 00:00:00"), queues=[QUEUE])
        self.assertEqual((last["offered"], last["answered"]), (1, 1))

    def test_thresholds_come_from_the_settings(self):
        self.env["ir.config_parameter"].sudo().set_param("hotline_reports.service_level_seconds", "15")
        self.env["ir.config_parameter"].sudo().set_param("hotline_reports.short_abandon_seconds", "6")
        figures = self.kpi.center_figures("2026-01-31", "2026-01-31", queues=[QUEUE])
        self.assertEqual(figures["answered_in_sl"], 2)  # 0 s and 15 s
        self.assertEqual((figures["abandoned_short"], figures["abandoned_long"]), (2, 0))

    def test_pivot_matches_the_service(self):
        """The report view's aggregates by day, hour of day and month are the service's figures."""
        Report = self.env["hotline.call.report"]
        dom = [("queue", "=", QUEUE)]
        by_day = dict(Report._read_group(dom, ["date:day"], ["offered:sum"]))
        self.assertEqual({d.date() if hasattr(d, "date") else d: n for d, n in by_day.items()},
                         {date(2026, 1, 31): 9, date(2026, 2, 1): 1})
        by_hour = dict(Report._read_group(dom, ["hour_of_day"], ["offered:sum"]))
        self.assertEqual(by_hour[23], 2)
        self.assertEqual(by_hour[0], 1)
        self.assertEqual(by_hour[10], 2)
        (sl, asa, rate), = Report._read_group(dom + [("date", "=", "2026-01-31")], [],
                                              ["service_level:avg", "asa:avg", "answer_rate:avg"])
        service = self.kpi.center_figures("2026-01-31", "2026-01-31", queues=[QUEUE])
        self.assertAlmostEqual(sl, service["service_level"])
        self.assertAlmostEqual(asa, service["asa"])
        self.assertAlmostEqual(rate, service["answer_rate"])
        # the web client's aggregation path (formatted read group) gives the same ratio
        groups = Report.formatted_read_group(dom, ["date:month"], ["service_level:avg", "offered:sum"])
        january = next(g for g in groups if g["offered:sum"] == 9)
        self.assertAlmostEqual(january["service_level:avg"], 0.75)

    def test_agent_figures_cut_at_midnight_and_month_end(self):
        a = self.agent_a.id
        jan = self.kpi.agent_figures("2026-01-31", "2026-01-31", agents=[a])[a]
        self.assertEqual((jan["inbound_answered"], jan["missed_rings"], jan["outbound_total"]), (3, 1, 0))
        self.assertEqual(jan["signed_in"], 7200)
        self.assertEqual(jan["paused"], 1800)
        self.assertEqual(jan["paused_by_reason"], {"小休": 1800})
        self.assertEqual(jan["talk_in"], 100 + 300 + 45)  # c9's first 45 s are in January
        self.assertEqual(jan["on_call"], 300 + 45)  # c1 was taken while not signed in
        self.assertEqual(jan["idle"], 7200 - 1800 - 345)
        self.assertAlmostEqual(jan["occupancy"], 345 / 5400)

        feb = self.kpi.agent_figures("2026-02-01", "2026-02-01", agents=[a])[a]
        self.assertEqual((feb["inbound_answered"], feb["outbound_total"], feb["outbound_answered"]), (0, 2, 1))
        self.assertEqual(feb["signed_in"], 7200)
        self.assertEqual(feb["paused"], 1800)  # the open pause ends at sign-out (02:00)
        self.assertEqual(feb["paused_by_reason"], {"培训": 1800})
        self.assertEqual((feb["talk_in"], feb["talk_out"]), (555, 60))
        self.assertEqual(feb["idle"], 5400 - 615)

        # two days at once = the sum of the days; agent B never signed in
        both = self.kpi.agent_figures("2026-01-31", "2026-02-01")
        for key in ("signed_in", "paused", "talk_in", "talk_out", "on_call", "idle", "inbound_answered"):
            self.assertEqual(both[a][key], jan[key] + feb[key], key)
        b = both[self.agent_b.id]
        self.assertEqual((b["inbound_answered"], b["signed_in"], b["talk_in"]), (1, 0, 200))
        self.assertIsNone(b["occupancy"])

    def test_agent_report_view_sums_to_the_service(self):
        # the days up to yesterday pre-aggregated (else the view computes every day since January here)
        self.env["hotline.report.fact"]._refresh()
        a = self.agent_a.id
        Report = self.env["hotline.agent.report"]
        dom = [("user_id", "=", a), ("date", ">=", "2026-01-01"), ("date", "<=", "2026-02-28")]
        (signed, paused, idle, talk_in, occupancy), = Report._read_group(
            dom, [], ["signed_in:sum", "paused:sum", "idle:sum", "talk_in:sum", "occupancy:avg"])
        service = self.kpi.agent_figures("2026-01-01", "2026-02-28", agents=[a])[a]
        self.assertEqual((signed, paused, idle, talk_in),
                         (service["signed_in"], service["paused"], service["idle"], service["talk_in"]))
        self.assertAlmostEqual(occupancy, service["occupancy"])
        by_reason = dict(Report._read_group(dom + [("reason", "!=", False)], ["reason"], ["paused_reason:sum"]))
        self.assertEqual(by_reason, {"小休": 1800, "培训": 1800})

    def test_missed_rings_by_agent_count_the_agent_rung(self):
        """系统话务量统计 by agent: 坐席漏接 is the rings each agent let pass (per ring attempt), as 坐席统计 counts
        them, not the rings missed on the calls the agent answered. A silent agent C, rung on c1 and c3 without
        answering, gets its own row."""
        silent = new_test_user(self.env, "rc_kpi_c", groups="hotline_case.group_agent", name="坐席丙")
        for key, at in (("c1", "2026-01-31 10:00:00"), ("c3", "2026-01-31 23:10:05")):
            self.env["hotline.call.attempt"].sudo().create({
                "call_id": self.calls[key].id, "user_id": silent.id, "interface": "PJSIP/rc-c", "result": "noanswer",
                "ring_ms": 5000, "time": utc(at)})
        self.env.flush_all()
        report = self.env["hotline.call.report"]
        day = [("queue", "=", QUEUE), ("date", "=", "2026-01-31")]
        groups = {user: (missed, answered) for user, missed, answered in report._read_group(
            day, ["user_id"], ["missed_rings:sum", "answered:sum"])}
        a, b = self.agent_a, self.agent_b
        self.assertEqual(groups[a], (1, 3))  # rang on c2 (answered by B); answered c1 c3 c9
        self.assertEqual(groups[b], (0, 1))
        self.assertEqual(groups[silent], (2, 0))
        agents = self.kpi.agent_figures(date(2026, 1, 31), date(2026, 1, 31), agents=[a.id, b.id, silent.id])
        self.assertEqual({u: groups[u][0] for u in (a, b, silent)},
                         {u: agents[u.id]["missed_rings"] for u in (a, b, silent)})
        # by agent and day, and filtered on the agent: the same
        by_day = report._read_group(day, ["user_id", "date:day"], ["missed_rings:sum"])
        self.assertIn((silent, date(2026, 1, 31), 2), by_day)
        self.assertEqual(report._read_group(day + [("user_id", "=", silent.id)], [], ["missed_rings:sum"]), [(2,)])
        # not by agent: the rings of the calls, whoever was rung
        self.assertEqual(report._read_group(day, [], ["missed_rings:sum"]), [(3,)])

    def test_caller_ratings_per_agent(self):
        """一次一评: rated calls and 满意率 (满意 + 基本满意 over rated) per agent, from the service and the
        report view alike; no key and a hang-up during the prompt are no rating."""
        ratings = {"c1": ("rated", "satisfied"), "c3": ("rated", "unsatisfied"), "c9": ("no_key", False),
                   "c2": ("rated", "basic")}
        for key, (state, rating) in ratings.items():
            self.calls[key].sudo().write({"rating_state": state, "rating": rating})
        a, b = self.agent_a.id, self.agent_b.id
        figures = self.kpi.agent_figures("2026-01-31", "2026-01-31", agents=[a, b])
        self.assertEqual((figures[a]["rated_calls"], figures[a]["rated_satisfied"], figures[a]["satisfaction_rate"]),
                         (2, 1, 0.5))
        self.assertEqual((figures[b]["rated_calls"], figures[b]["satisfaction_rate"]), (1, 1.0))
        self.env["hotline.report.fact"]._refresh()  # the day closed: read from the stored facts
        Report = self.env["hotline.agent.report"]
        (rated, rate), = Report._read_group([("user_id", "=", a), ("date", "=", "2026-01-31")], [],
                                            ["rated_calls:sum", "satisfaction_rate:avg"])
        self.assertEqual((rated, rate), (2, 0.5))
        self.assertIsNone(self.kpi.agent_figures("2026-02-01", "2026-02-01", agents=[a])[a]["satisfaction_rate"])

    def test_bad_period_is_a_clear_error(self):
        from odoo.exceptions import UserError
        with self.assertRaises(UserError):
            self.kpi.center_figures("2026-02-01", "2026-01-01")
        with self.assertRaises(UserError):
            self.kpi.center_figures(False, "2026-01-01")

    def test_days_follow_the_company_time_zone(self):
        """The center's day is the company's setting, not a fixed zone: in Berlin (UTC+1 in winter) c10,
        entered at 00:00:05 Beijing time, is still on January 31 — in the service's figures (Python bounds)
        and in the report view (SQL mirror of the time zone)."""
        def offered(day):
            figures = self.kpi.queue_figures(day, day, queues=[QUEUE])
            return figures[QUEUE]["offered"] if QUEUE in figures else 0  # a queue without calls is left out

        def view_days():
            self.env.invalidate_all()
            rows = self.env["hotline.call.report"].search_read([("queue", "=", QUEUE)], ["date"])
            return sorted(str(row["date"]) for row in rows)

        self.assertEqual((offered("2026-01-31"), offered("2026-02-01")), (9, 1))
        self.assertEqual(view_days(), ["2026-01-31"] * 9 + ["2026-02-01"])
        self.env.company.resource_calendar_id.tz = "Europe/Berlin"
        self.env.flush_all()
        self.assertEqual((offered("2026-01-31"), offered("2026-02-01")), (10, 0))
        self.assertEqual(view_days(), ["2026-01-31"] * 10)
