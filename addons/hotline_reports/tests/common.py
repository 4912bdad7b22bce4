from contextlib import contextmanager
from datetime import datetime, timedelta

import pytz
from freezegun import freeze_time

from odoo.addons.hotline_case.tests.common import HotlineCaseCommon
from odoo.tests import TransactionCase, new_test_user

QUEUE = "kpi-test"


def utc(text):
    """Naive UTC datetime from an Asia/Shanghai wall-clock time (UTC+8, no DST)."""
    return datetime.fromisoformat(text) - timedelta(hours=8)


class CallKpiCommon(TransactionCase):
    """A hand-made day at the month end (2026-01-31 → 2026-02-01, Asia/Shanghai) with known answers.

    Calls of queue kpi-test, local times (wait / talk in seconds):
      c1 10:00:00 answered wait 0  talk 100  agent A (outside A's session)
      c2 10:05:00 answered wait 20 talk 200  agent B, rang A first without answer
      c3 23:10:00 answered wait 21 talk 300  agent A
      c4 11:00:00 abandoned wait 4 (short)   c5 11:01:00 abandoned wait 5 (not short)
      c6 12:00:00 timeout wait 120  c7 12:10:00 exit_empty wait 0  c8 12:20:00 exit_key wait 10
      c9 23:59:00 answered wait 15 talk 600 agent A: talk 23:59:15 → 00:09:15, crosses midnight and month end
      c10 02-01 00:00:05 abandoned wait 3 (short): UTC date 01-31, local date 02-01
    Agent A: signed in 01-31 22:00 → 02-01 02:00; pause 小休 22:30-23:00; pause 培训 from 01:30, still
    open at sign-out (02:00); an outbound call answered 00:30 (talk 60 ending 00:32) and one unanswered.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        icp = env["ir.config_parameter"].sudo()
        icp.set_param("hotline_reports.timezone", "Asia/Shanghai")
        icp.set_param("hotline_reports.short_abandon_seconds", "5")
        icp.set_param("hotline_reports.service_level_seconds", "20")
        cls.agent_a = new_test_user(env, "rc_kpi_a", groups="hotline_case.group_agent", name="坐席甲")
        cls.agent_b = new_test_user(env, "rc_kpi_b", groups="hotline_case.group_agent", name="坐席乙")
        Call = env["hotline.call"].sudo()
        cls.calls = {}

        def call(key, local, outcome, wait, talk=0, agent=None, direction="inbound"):
            enter = utc(local)
            vals = {"uniqueid": f"rc-{key}", "direction": direction,
                    "queue": QUEUE if direction == "inbound" else False, "enter_time": enter, "outcome": outcome,
                    "wait_seconds": wait, "user_id": agent.id if agent else False}
            if outcome in ("answered", "outbound_answered"):
                answer = enter + timedelta(seconds=wait)
                vals.update(answer_time=answer, talk_seconds=talk, end_time=answer + timedelta(seconds=talk))
            else:
                vals["end_time"] = enter + timedelta(seconds=wait)
            cls.calls[key] = Call.create(vals)

        a, b = cls.agent_a, cls.agent_b
        call("c1", "2026-01-31 10:00:00", "answered", 0, 100, a)
        call("c2", "2026-01-31 10:05:00", "answered", 20, 200, b)
        call("c3", "2026-01-31 23:10:00", "answered", 21, 300, a)
        call("c4", "2026-01-31 11:00:00", "abandoned", 4)
        call("c5", "2026-01-31 11:01:00", "abandoned", 5)
        call("c6", "2026-01-31 12:00:00", "timeout", 120)
        call("c7", "2026-01-31 12:10:00", "exit_empty", 0)
        call("c8", "2026-01-31 12:20:00", "exit_key", 10)
        call("c9", "2026-01-31 23:59:00", "answered", 15, 600, a)
        call("c10", "2026-02-01 00:00:05", "abandoned", 3)
        # outbound: dialled 00:30:00, the citizen answers at 00:31:00 and talks 60 s
        call("o1", "2026-02-01 00:30:00", "outbound_answered", 0, 0, a, direction="outbound")
        cls.calls["o1"].write({"talk_seconds": 60, "end_time": utc("2026-02-01 00:32:00")})
        call("o2", "2026-02-01 00:40:00", "outbound_unanswered", 30, 0, a, direction="outbound")
        env["hotline.call.attempt"].sudo().create({
            "call_id": cls.calls["c2"].id, "user_id": a.id, "interface": "PJSIP/rc-a", "result": "noanswer",
            "ring_ms": 6000, "time": utc("2026-01-31 10:05:06")})
        session = env["hotline.agent.session"].sudo().create({
            "user_id": a.id, "interface": "PJSIP/rc-a", "queue": QUEUE,
            "login_time": utc("2026-01-31 22:00:00"), "logout_time": utc("2026-02-01 02:00:00")})
        Pause = env["hotline.agent.pause"].sudo()
        Pause.create({"session_id": session.id, "user_id": a.id, "interface": "PJSIP/rc-a", "queue": QUEUE,
                      "start": utc("2026-01-31 22:30:00"), "end": utc("2026-01-31 23:00:00"), "reason": "小休"})
        # signed out while paused: the pause was never closed
        Pause.create({"session_id": session.id, "user_id": a.id, "interface": "PJSIP/rc-a", "queue": QUEUE,
                      "start": utc("2026-02-01 01:30:00"), "reason": "培训"})
        env.flush_all()
        cls.kpi = env["hotline.kpi.call"]


SHANGHAI = pytz.timezone("Asia/Shanghai")


class HotlineReportsCommon(HotlineCaseCommon):
    """HotlineCaseCommon in the center's real time zone, with clock-hour deadlines easy to reason about.

    Deadline rule: sign for within 2 working hours (calendar Mon-Fri 8-12, 13-17 Asia/Shanghai),
    finish within 48 clock hours of the dispatch.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar.tz = "Asia/Shanghai"
        cls.rule_default.write({"sign_hours": 2, "finish_amount": 48, "finish_unit": "hours"})
        cls.kpi = cls.env["hotline.kpi.case"].with_user(cls.reviewer)

    @staticmethod
    def local(text):
        """UTC naive datetime of a local Asia/Shanghai 'YYYY-MM-DD HH:MM'."""
        return SHANGHAI.localize(datetime.strptime(text, "%Y-%m-%d %H:%M")).astimezone(pytz.utc).replace(tzinfo=None)

    @contextmanager
    def at(self, text):
        """Run the block at local time `text` (transitions and their log lines take that date)."""
        with freeze_time(self.local(text)):
            yield

    def _case_at(self, text, **vals):
        with self.at(text):
            return self._new_case(**vals)

    def _dispatch_at(self, case, unit, text):
        with self.at(text):
            if case.state == "draft":
                case.with_user(self.agent).write({"unit_id": unit.id})
                case.with_user(self.agent).action_self_dispatch()
            else:
                case.with_user(self.dispatcher).write({"unit_id": unit.id})
                case.with_user(self.dispatcher).action_dispatch()

    def _unit_user(self, unit):
        return self.unit_user_a if unit == self.unit_a else self.unit_user_b

    def _do(self, case, text, user, method, *args, **kwargs):
        with self.at(text):
            getattr(case.with_user(user), method)(*args, **kwargs)
