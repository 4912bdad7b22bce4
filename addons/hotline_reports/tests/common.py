from contextlib import contextmanager
from datetime import datetime

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
