from datetime import date, datetime, timedelta

from odoo.tests import tagged

from .common import QUEUE, CallKpiCommon, utc

# the pre-aggregated days are closed up to yesterday of this (UTC) moment
NOW = datetime(2026, 3, 1, 4, 0)
PERIODS = [(date(2026, 1, 31), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 1)),
           (date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 1, 31), date(2026, 2, 28))]


@tagged("post_install", "-at_install")
class TestCallFacts(CallKpiCommon):
    """The hourly call facts and daily agent facts (kpi/facts.py) equal the definitions over the base
    tables, after the refresh and after every kind of change to calls, rings, sessions and pauses."""

    def setUp(self):
        super().setUp()
        self.env["hotline.report.fact"]._refresh(now=NOW)
        self.cr.execute("SELECT closed_day FROM hotline_report_fact_state")
        self.assertEqual(self.cr.fetchone()[0], date(2026, 2, 28))

    def _stored(self, day):
        """The stored facts of a local day: {queue: (offered, answered, asa_sum, longest_wait)}."""
        self.env.flush_all()
        self.cr.execute("""SELECT queue, SUM(offered), SUM(answered), COALESCE(SUM(asa_sum), 0), MAX(longest_wait)
                             FROM hotline_call_fact WHERE date = %s GROUP BY queue""", [day])
        return {row[0]: tuple(float(v) for v in row[1:]) for row in self.cr.fetchall()}

    def _stored_agent(self, user, day):
        self.env.flush_all()
        self.cr.execute("""SELECT SUM(signed_in), SUM(paused), SUM(talk_in), SUM(missed_rings)
                             FROM hotline_agent_fact WHERE user_id = %s AND date = %s AND reason IS NULL""",
                        [user.id, day])
        return tuple(float(v or 0) for v in self.cr.fetchone())

    def assertSameFigures(self, fast, base, msg=None):
        self.assertEqual(set(fast), set(base), msg)
        for key, value in base.items():
            if isinstance(value, dict):
                self.assertSameFigures(fast[key], value, msg=(msg, key))
            elif value is None or fast[key] is None:
                self.assertEqual(fast[key], value, (msg, key))
            else:
                self.assertAlmostEqual(fast[key], value, places=6, msg=(msg, key))

    def assertFactsExact(self):
        base = self.kpi.with_context(hotline_kpi_base=True)
        for first, last in PERIODS:
            label = f"{first}..{last}"
            self.assertSameFigures(self.kpi.queue_figures(first, last), base.queue_figures(first, last), label)
            self.assertSameFigures(self.kpi.center_figures(first, last), base.center_figures(first, last), label)
            fast, slow = self.kpi.agent_figures(first, last), base.agent_figures(first, last)
            self.assertEqual(set(fast), set(slow), label)
            for user_id, figures in slow.items():
                self.assertSameFigures(fast[user_id], figures, (label, user_id))
        # the pivot's read_group on the call report equals its read_group on the calls
        Report = self.env["hotline.call.report"]
        spec = (["date:day", "queue"], ["__count", "answered:sum", "answer_rate:avg", "asa:avg", "longest_wait:max"])
        domain = [("date", ">=", "2026-01-01"), ("date", "<=", "2026-02-28")]
        fast = Report._read_group(domain, *spec)
        slow = Report.with_context(hotline_call_report_base=True)._read_group(domain, *spec)
        self.assertEqual(len(fast), len(slow))
        for row_fast, row_slow in zip(fast, slow, strict=True):
            self.assertEqual(row_fast[:4], row_slow[:4])
            for got, expected in zip(row_fast[4:], row_slow[4:], strict=True):
                self.assertAlmostEqual(got, expected, places=6)

    def test_known_answers_from_the_facts(self):
        """The hand-made day read from the stored facts: the figures of test_call_kpi."""
        self.assertEqual(self._stored(date(2026, 1, 31)), {QUEUE: (9.0, 4.0, 56.0, 120.0)})
        self.assertEqual(self._stored(date(2026, 2, 1)), {QUEUE: (1.0, 0.0, 0.0, 3.0)})
        jan = self.kpi.center_figures("2026-01-31", "2026-01-31")
        self.assertEqual((jan["offered"], jan["answered"], jan["abandoned_short"], jan["answered_in_sl"]),
                         (9, 4, 1, 3))
        self.assertAlmostEqual(jan["answer_rate"], 4 / 9)  # a fraction, as every rate
        self.assertAlmostEqual(jan["service_level"], 3 / 4)
        self.assertEqual(jan["asa"], 14.0)
        a = self.agent_a.id
        self.assertEqual(self._stored_agent(self.agent_a, date(2026, 1, 31)),
                         (7200.0, 1800.0, 100.0 + 300.0 + 45.0, 1.0))
        feb = self.kpi.agent_figures("2026-02-01", "2026-02-01", agents=[a])[a]
        self.assertEqual((feb["signed_in"], feb["paused"], feb["talk_in"]), (7200.0, 1800.0, 555.0))
        self.assertEqual(set(feb["paused_by_reason"]), {"培训"})
        self.assertFactsExact()

    def test_calls_created_changed_deleted(self):
        Call = self.env["hotline.call"].sudo()
        new = Call.create({"uniqueid": "rc-new", "direction": "inbound", "queue": QUEUE,
                           "enter_time": utc("2026-01-31 15:00:00"), "answer_time": utc("2026-01-31 15:00:40"),
                           "end_time": utc("2026-01-31 15:05:40"), "outcome": "answered", "wait_seconds": 40,
                           "talk_seconds": 300, "user_id": self.agent_b.id})
        self.assertEqual(self._stored(date(2026, 1, 31))[QUEUE][:2], (10.0, 5.0))
        self.assertFactsExact()
        self.calls["c4"].write({"outcome": "answered", "wait_seconds": 4, "user_id": self.agent_b.id,
                                "answer_time": utc("2026-01-31 11:00:04"), "talk_seconds": 30,
                                "end_time": utc("2026-01-31 11:00:34")})
        self.assertEqual(self._stored(date(2026, 1, 31))[QUEUE][:2], (10.0, 6.0))
        self.assertFactsExact()
        # the longest wait leaves with its call: the maximum is recomputed, not kept
        self.calls["c6"].unlink()
        self.assertEqual(self._stored(date(2026, 1, 31))[QUEUE][3], 40.0)
        new.unlink()
        self.assertEqual(self._stored(date(2026, 1, 31))[QUEUE][:2], (8.0, 5.0))
        self.assertFactsExact()

    def test_call_moved_across_midnight(self):
        """A call whose entry moves from 01-31 23:59 to 02-01 00:01 leaves one day for the other."""
        self.calls["c9"].write({"enter_time": utc("2026-02-01 00:01:00"), "answer_time": utc("2026-02-01 00:01:15"),
                                "end_time": utc("2026-02-01 00:11:15")})
        self.assertEqual(self._stored(date(2026, 1, 31))[QUEUE][:2], (8.0, 3.0))
        self.assertEqual(self._stored(date(2026, 2, 1))[QUEUE][:2], (2.0, 1.0))
        self.assertFactsExact()

    def test_sessions_pauses_and_rings(self):
        a = self.agent_a
        session = self.env["hotline.agent.session"].sudo().search([("user_id", "=", a.id)])
        # signed out an hour earlier: 02-01 shrinks, 01-31 does not change
        session.stop = utc("2026-02-01 01:00:00")
        self.assertEqual(self._stored_agent(a, date(2026, 2, 1))[0], 3600.0)
        self.assertFactsExact()
        Pause = self.env["hotline.agent.pause"].sudo()
        pause = Pause.create({"session_id": session.id, "user_id": a.id, "interface": "PJSIP/rc-a",
                              "queue": QUEUE, "start": utc("2026-01-31 23:50:00"),
                              "stop": utc("2026-02-01 00:20:00"), "reason": "午餐"})
        self.assertEqual(self._stored_agent(a, date(2026, 1, 31))[1], 1800.0 + 600.0)
        self.assertFactsExact()
        pause.write({"reason": False})
        self.assertFactsExact()
        pause.unlink()
        self.assertEqual(self._stored_agent(a, date(2026, 1, 31))[1], 1800.0)
        # a new session on a closed day, then deleted with its pause
        other = self.env["hotline.agent.session"].sudo().create({
            "user_id": self.agent_b.id, "interface": "PJSIP/rc-b", "queue": QUEUE,
            "start": utc("2026-01-31 09:00:00"), "stop": utc("2026-01-31 12:00:00")})
        Pause.create({"session_id": other.id, "user_id": self.agent_b.id, "interface": "PJSIP/rc-b",
                      "queue": QUEUE, "start": utc("2026-01-31 10:30:00"), "stop": utc("2026-01-31 10:45:00")})
        self.assertEqual(self._stored_agent(self.agent_b, date(2026, 1, 31))[:2], (10800.0, 900.0))
        self.assertFactsExact()
        other.unlink()
        self.assertFactsExact()
        # as the bridge records a ring-no-answer: the attempt, and the call's count of them
        ring = self.env["hotline.call.attempt"].sudo().create({
            "call_id": self.calls["c9"].id, "user_id": self.agent_b.id, "interface": "PJSIP/rc-b",
            "result": "noanswer", "ring_ms": 5000, "time": utc("2026-02-01 00:00:02")})
        self.calls["c9"].missed_attempt_count = 1
        # the ring counts on the day its call entered the queue, before midnight
        self.assertEqual(self._stored_agent(self.agent_b, date(2026, 1, 31))[3], 1.0)
        self.assertFactsExact()
        ring.unlink()
        self.assertEqual(self._stored_agent(self.agent_b, date(2026, 1, 31))[3], 0.0)
        self.assertFactsExact()

    def test_settings_change_until_rebuilt(self):
        """Facts of other thresholds are ignored (the base tables answer) until the refresh rebuilds them."""
        self.env["ir.config_parameter"].sudo().set_param("hotline_reports.service_level_seconds", "15")
        self.assertEqual(self.kpi.center_figures("2026-01-31", "2026-01-31")["answered_in_sl"], 2)
        self.assertFactsExact()
        self.env["hotline.report.fact"]._refresh(now=NOW + timedelta(days=1))
        self.cr.execute("SELECT closed_day, sl_seconds FROM hotline_report_fact_state")
        self.assertEqual(self.cr.fetchone(), (date(2026, 3, 1), 15))
        self.cr.execute("SELECT SUM(answered_in_sl) FROM hotline_call_fact WHERE date = '2026-01-31'")
        self.assertEqual(self.cr.fetchone()[0], 2)
        self.assertFactsExact()

    def _stored_hours(self):
        """The stored call facts of NOW's local day: {local hour: (offered, answered, talk_seconds)}."""
        self.env.flush_all()
        # a call still waiting has no outcome: its answered is NULL, as in the definition
        self.cr.execute("""SELECT hour_of_day, SUM(offered), COALESCE(SUM(answered), 0), SUM(talk_seconds)
                             FROM hotline_call_fact WHERE date = '2026-03-01' GROUP BY hour_of_day""")
        return {row[0]: tuple(int(v) for v in row[1:]) for row in self.cr.fetchall()}

    def assertTodayExact(self):
        """The wallboard's "today so far" (stored hours + the current hour from the calls) equals the calls."""
        base = self.kpi.with_context(hotline_kpi_base=True)
        today = (utc("2026-03-01 00:00:00"), utc("2026-03-02 00:00:00"))
        self.assertSameFigures(self.kpi.queue_figures(*today), base.queue_figures(*today))
        self.assertSameFigures(self.kpi.center_figures(*today), base.center_figures(*today))

    def test_today_past_hours(self):
        """Today's hours before the refresh's are stored too and kept exact when a call changes (answered
        or ended after the close, moved out of them, deleted); the next refresh stores the next hours."""
        self.cr.execute("SELECT hours_end FROM hotline_report_fact_state")
        self.assertEqual(self.cr.fetchone()[0], NOW)  # local 12:00, a local hour's start
        Call = self.env["hotline.call"].sudo()
        # entered at 11:58 local (a stored hour), still waiting when the hour was closed
        waiting = Call.create({"uniqueid": "rc-today", "direction": "inbound", "queue": QUEUE,
                               "enter_time": utc("2026-03-01 11:58:00")})
        current = Call.create({"uniqueid": "rc-now", "direction": "inbound", "queue": QUEUE,
                               "enter_time": utc("2026-03-01 12:01:00"), "outcome": "abandoned",
                               "wait_seconds": 9, "end_time": utc("2026-03-01 12:01:09")})
        self.assertEqual(self._stored_hours(), {11: (1, 0, 0)})  # the current hour (12:00) is not stored
        self.assertTodayExact()
        waiting.write({"answer_time": utc("2026-03-01 11:58:30"), "outcome": "answered", "wait_seconds": 30,
                       "user_id": self.agent_a.id})
        waiting.write({"end_time": utc("2026-03-01 12:03:30"), "talk_seconds": 300})
        self.assertEqual(self._stored_hours(), {11: (1, 1, 300)})
        self.assertTodayExact()
        # the next hourly refresh stores 12:00; the day itself stays open
        self.env["hotline.report.fact"]._refresh(now=NOW + timedelta(hours=1, minutes=5))
        self.cr.execute("SELECT closed_day, hours_end FROM hotline_report_fact_state")
        self.assertEqual(self.cr.fetchone(), (date(2026, 2, 28), NOW + timedelta(hours=1)))
        self.assertEqual(self._stored_hours(), {11: (1, 1, 300), 12: (1, 0, 0)})
        self.assertTodayExact()
        # entry corrected into the current hour (13:00): it leaves 11:00
        waiting.write({"enter_time": utc("2026-03-01 13:02:00"), "answer_time": utc("2026-03-01 13:02:30"),
                       "end_time": utc("2026-03-01 13:07:30")})
        self.assertEqual(self._stored_hours(), {12: (1, 0, 0)})
        self.assertTodayExact()
        current.unlink()
        self.assertEqual(self._stored_hours(), {})
        self.assertTodayExact()
