from contextlib import contextmanager
from datetime import date, datetime

import pytz
from freezegun import freeze_time

from odoo.addons.hotline_case.tests.common import HotlineCaseCommon

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
