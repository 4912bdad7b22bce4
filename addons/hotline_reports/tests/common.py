import io
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import openpyxl
import pytz
from freezegun import freeze_time

from odoo import Command
from odoo.addons.hotline_case.tests.common import HotlineCaseCommon
from odoo.tests import TransactionCase, new_test_user

from ..kpi.cases import COUNT_KEYS, HOLDING, RATES

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
        env.company.resource_calendar_id.tz = "Asia/Shanghai"  # the center's time zone
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
            "start": utc("2026-01-31 22:00:00"), "stop": utc("2026-02-01 02:00:00")})
        Pause = env["hotline.agent.pause"].sudo()
        Pause.create({"session_id": session.id, "user_id": a.id, "interface": "PJSIP/rc-a", "queue": QUEUE,
                      "start": utc("2026-01-31 22:30:00"), "stop": utc("2026-01-31 23:00:00"), "reason": "小休"})
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
        cls.March = (date(2020, 3, 1), date(2020, 3, 31))
        cls.April = (date(2020, 4, 1), date(2020, 4, 30))

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

    def _build_march(self):
        """The hand-made March 2020 of unit A (see TestKpiCase for the story of each case)."""
        a, b = self.unit_a, self.unit_b
        ua, ub, rv, ag = self.unit_user_a, self.unit_user_b, self.reviewer, self.agent

        def full(case, day, accept="11:00", submit="15:00", approve="16:00"):
            self._do(case, f"{day} {accept}", ua, "action_accept")
            self._do(case, f"{day} {submit}", ua, "action_submit", note="已处理完毕。")
            self._do(case, f"{day} {approve}", rv, "action_review_approve")

        self.c1 = self._case_at("2020-03-02 09:50")
        self._dispatch_at(self.c1, a, "2020-03-02 10:00")
        self._do(self.c1, "2020-03-02 11:00", ua, "action_accept")
        self._do(self.c1, "2020-03-03 10:00", ua, "action_submit", note="已恢复供水。")
        self._do(self.c1, "2020-03-03 12:00", rv, "action_review_approve")
        self._do(self.c1, "2020-03-04 10:00", ag, "action_callback_done", "satisfied", "市民表示满意。")

        self.c2 = self._case_at("2020-03-05 09:50")
        self._dispatch_at(self.c2, a, "2020-03-05 10:00")  # Thursday: sign for by 12:00
        self._do(self.c2, "2020-03-05 13:00", ua, "action_accept")
        self._do(self.c2, "2020-03-05 14:00", ua, "action_request_extension", days=2, reason="需更换管道。")
        self._do(self.c2, "2020-03-05 15:00", rv, "action_approve_extension")
        self._do(self.c2, "2020-03-07 12:00", ua, "action_submit", note="管道已更换。")
        self._do(self.c2, "2020-03-09 09:00", rv, "action_review_approve")
        self._do(self.c2, "2020-03-09 10:00", ag, "action_callback_done", "very_satisfied", "非常满意。")

        self.c3 = self._case_at("2020-03-06 09:50")
        self._dispatch_at(self.c3, a, "2020-03-06 10:00")
        self._do(self.c3, "2020-03-06 12:00", ua, "action_return", reason="不属于本单位职责。")
        self._dispatch_at(self.c3, b, "2020-03-07 09:00")
        self._do(self.c3, "2020-03-07 10:00", ub, "action_accept")
        self._do(self.c3, "2020-03-07 15:00", ub, "action_submit", note="已修复。")
        self._do(self.c3, "2020-03-08 09:00", rv, "action_review_approve")
        self._do(self.c3, "2020-03-08 10:00", ag, "action_callback_done", "dissatisfied", "不满意。")

        self.c4 = self._case_at("2020-03-09 09:50")
        self._dispatch_at(self.c4, a, "2020-03-09 10:00")
        full(self.c4, "2020-03-09")
        self._do(self.c4, "2020-03-10 09:00", ag, "action_reopen", note="问题仍未解决。")
        self._dispatch_at(self.c4, a, "2020-03-11 10:00")
        full(self.c4, "2020-03-11")
        self._do(self.c4, "2020-03-12 10:00", ag, "action_callback_done", "basically_satisfied", "基本满意。")

        self.c5 = self._case_at("2020-03-10 09:50")
        self._dispatch_at(self.c5, a, "2020-03-10 10:00")
        self._do(self.c5, "2020-03-10 11:00", ua, "action_accept")

        self.c6 = self._case_at("2020-03-31 23:20")
        self._dispatch_at(self.c6, a, "2020-03-31 23:30")
        self.c7 = self._case_at("2020-04-01 00:20")
        self._dispatch_at(self.c7, a, "2020-04-01 00:30")

        self.c8 = self._case_at("2020-03-16 09:50")
        self._dispatch_at(self.c8, a, "2020-03-16 10:00")
        self._do(self.c8, "2020-03-16 11:00", ua, "action_accept")
        self._do(self.c8, "2020-03-16 14:00", ua, "action_submit", note="已处理。")
        self._do(self.c8, "2020-03-16 16:00", rv, "action_review_reject", note="未附现场照片。")

        self.c9 = self._case_at("2020-03-18 09:50")
        self._dispatch_at(self.c9, a, "2020-03-18 10:00")
        full(self.c9, "2020-03-18")
        self._do(self.c9, "2020-03-19 10:00", ag, "action_callback_done", "dissatisfied", "不满意。")

        self.c10 = self._case_at("2020-03-20 09:50")
        self._dispatch_at(self.c10, a, "2020-03-20 10:00")
        self._do(self.c10, "2020-03-20 11:00", ua, "action_accept")
        self._do(self.c10, "2020-03-20 15:00", ua, "action_submit", note="已处理。")
        self._do(self.c10, "2020-03-21 09:00", rv, "action_review_approve")

    # ------------------------------------------------------------------
    # One unit's figures as every report gives them
    # ------------------------------------------------------------------
    def _everywhere(self, period, units, at):
        """{source: {unit: figures}} read at local time `at` by the KPI service, the 单位统计分析 view (its counts
        summed over the period), 综合考核 (the results' figures) and the 单位统计分析 XLSX (cells by column)."""
        with self.at(at):
            service = self.kpi.unit_figures(*period, units=units)
            view = self.env["hotline.report.case.unit"].with_user(self.reviewer)
            counts = [name for name, field in view._fields.items() if field.type == "integer" and name != "id"]
            counts += list(RATES)  # the view's rates: the ratio of the period's sums
            groups = view._read_group([("date", ">=", period[0]), ("date", "<=", period[1]),
                                       ("unit_id", "in", units.ids)], ["unit_id"],
                                      [f"{c}:{view._fields[c].aggregator}" for c in counts])
            assessment = self.env["hotline.assessment"].with_user(self.manager).create({
                "scheme_id": self.env.ref("hotline_reports.assessment_scheme_default").id,
                "date_from": period[0], "date_to": period[1], "unit_ids": [Command.set(units.ids)]})
            assessment.action_compute()
            wizard = self.env["hotline.case.report.wizard"].with_user(self.reviewer).create({
                "report": "unit", "date_from": period[0], "date_to": period[1],
                "unit_ids": [Command.set(units.ids)]})
            wizard.action_export()
        export = self.env["hotline.report.export"].search([], limit=1)
        sheet = openpyxl.load_workbook(io.BytesIO(export.file_bytes())).worksheets[0]
        keys = [column.key for column in export._unit_columns()]
        xlsx = {}
        for row in range(5, sheet.max_row + 1):
            unit = units.filtered(lambda u, r=row: u.name == sheet.cell(r, 1).value)
            if unit:
                xlsx[unit] = {key: sheet.cell(row, index).value for index, key in enumerate(keys, start=1)}
        return {
            "service": {unit: service[unit.id] for unit in units},
            # a rate without data reads False from the ORM (blank on the screen), None elsewhere
            "view": {unit: {key: None if key in RATES and value is False else value
                            for key, value in zip(counts, sums, strict=True)} for unit, *sums in groups},
            "assessment": {r.unit_id: {**r._figures(), "deduction": r.deduction,
                                       "score": r.score if r.participating else None,
                                       "rank": r.rank if r.participating else None}
                           for r in assessment.result_ids},
            "xlsx": xlsx,
        }

    def assertFigures(self, period, expected, at="2020-04-15 10:00"):
        """Every figure of `expected` ({unit: {key: value}}) as the service, the view, 综合考核 and the XLSX give it
        (each where it shows the key: counts and rates everywhere; a rate None is a blank)."""
        units = self.env["hotline.unit"].union(*expected)
        sources = self._everywhere(period, units, at)
        required = {key: ("service", "view", "assessment", "xlsx") for key in [*COUNT_KEYS, *RATES]}
        required.update({key: ("service", "assessment", "xlsx")
                         for key in [*HOLDING, "overdue_count", "satisfaction_score"]})
        required.update(score=("assessment",), rank=("assessment",))
        for unit, figures in expected.items():
            for key, value in figures.items():
                for source in required.get(key, ("service",)):
                    row = sources[source].get(unit, {})
                    msg = f"{unit.name} {key} in {source}"
                    got = row.get(key, None if key in RATES else 0) if source == "view" else row[key]
                    if isinstance(value, float):
                        self.assertAlmostEqual(got, value, places=4, msg=msg)
                    else:
                        self.assertEqual(got, value, msg)
        return sources
