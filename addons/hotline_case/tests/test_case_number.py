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
        # 05:18 on 12 Mar in Beijing is still 11 Mar in UTC (a day the demo data never reaches)
        with freeze_time("2030-03-11 21:18:00"):
            first = self._new_case()
            second = self._new_case()
        self.assertEqual(first.name, "12319-20300312-0001")
        self.assertEqual(second.name, "12319-20300312-0002")
        with freeze_time("2030-03-12 16:30:00"):  # 00:30 on 13 Mar in Beijing: a new day, a new count
            third = self._new_case()
        self.assertEqual(third.name, "12319-20300313-0001")

    def test_number_follows_the_reception_time(self):
        # a call recorded after the fact keeps the day it was received
        late = self._new_case(date_received=datetime(2030, 2, 20, 17, 0))  # 01:00 on 21 Feb, Beijing
        self.assertEqual(late.name, "12319-20300221-0001")

    def test_one_counter_per_day(self):
        with freeze_time("2030-03-20 02:00:00"):
            self._new_case()
            self._new_case()
        ranges = self.env["ir.sequence.date_range"].search([
            ("sequence_id", "=", self.env.ref("hotline_case.seq_hotline_case").id),
            ("date_from", "=", "2030-03-20"),
        ])
        self.assertEqual(len(ranges), 1)
        self.assertEqual(ranges.date_to, ranges.date_from)
