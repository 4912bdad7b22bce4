from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import HotlineCaseCommon


@tagged("post_install", "-at_install")
class TestCaseNumber(HotlineCaseCommon):
    """12319-YYYYMMDD-NNNN by the center's local date, the counter restarting every day."""

    def setUp(self):
        super().setUp()
        self.calendar.tz = "Asia/Shanghai"

    def test_local_date_and_daily_counter(self):
        # 05:18 on 26 Nov in Beijing is still 25 Nov in UTC
        with freeze_time("2026-11-25 21:18:00"):
            first = self._new_case()
            second = self._new_case()
        self.assertEqual(first.name, "12319-20261126-0001")
        self.assertEqual(second.name, "12319-20261126-0002")
        with freeze_time("2026-11-26 16:30:00"):  # 00:30 on 27 Nov in Beijing: a new day, a new count
            third = self._new_case()
        self.assertEqual(third.name, "12319-20261127-0001")

    def test_number_follows_the_reception_time(self):
        # a call recorded after the fact keeps the day it was received
        late = self._new_case(date_received=datetime(2026, 11, 20, 17, 0))  # 01:00 on 21 Nov, Beijing
        self.assertTrue(late.name.startswith("12319-20261121-"), late.name)

    def test_one_counter_per_day(self):
        with freeze_time("2026-11-25 02:00:00"):
            self._new_case()
            self._new_case()
        ranges = self.env["ir.sequence.date_range"].search([
            ("sequence_id", "=", self.env.ref("hotline_case.seq_hotline_case").id),
            ("date_from", "=", "2026-11-25"),
        ])
        self.assertEqual(len(ranges), 1)
        self.assertEqual(ranges.date_to, ranges.date_from)
