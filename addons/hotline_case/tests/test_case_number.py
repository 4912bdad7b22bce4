from datetime import date, datetime

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

    def test_values_survive_a_retried_request(self):
        """A request retried after a serialization failure calls create() again with the same values: the
        attempt rolled back must not leave its number or its new caller's contact in them."""
        vals = {"caller_phone": "13912340001", "caller_name": "重试先生", "type_id": self.type_complaint.id,
                "category_id": self.cat_no_water.id, "street_id": self.street.id, "description": "停水。"}
        sent = dict(vals)
        case = self.env["hotline.case"].with_user(self.agent).create(vals)
        self.assertTrue(case.name.startswith("12319-") and case.partner_id)
        self.assertEqual(vals, sent)

    def test_counters_made_ahead(self):
        """The job makes today's and tomorrow's counters (center's dates) before their first case."""
        ranges = self.env["ir.sequence.date_range"]
        sequence = self.env.ref("hotline_case.seq_hotline_case")
        with freeze_time("2030-04-01 17:00:00"):  # 01:00 on 2 Apr in Beijing
            self.env["hotline.case"]._prepare_case_numbers()
            made = ranges.search([("sequence_id", "=", sequence.id), ("date_from", ">=", "2030-04-01")])
            self.assertEqual(sorted(made.mapped("date_from")), [date(2030, 4, 2), date(2030, 4, 3)])
            self.assertEqual(self._new_case().name, "12319-20300402-0001")
        self.assertEqual(ranges.search([("sequence_id", "=", sequence.id), ("date_from", ">=", "2030-04-01")]), made)
