from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from ..models.res_company import HOTLINE_TZ_SQL


@tagged("post_install", "-at_install")
class TestCenterClock(TransactionCase):
    """The center's clock and phone rules live on res.company and follow its settings, not a fixed zone.

    Fixed dates and frozen moments only: nothing here depends on the day the tests run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.calendar = cls.company.resource_calendar_id

    def set_tz(self, name):
        self.calendar.tz = name
        self.env.flush_all()

    def sql_tz(self):
        self.env.cr.execute(f"SELECT {HOTLINE_TZ_SQL}")  # noqa: S608 - a constant
        return self.env.cr.fetchone()[0]

    def test_time_zone_follows_the_calendar(self):
        for name in ("Asia/Shanghai", "Asia/Urumqi", "Europe/Berlin"):
            with self.subTest(tz=name):
                self.set_tz(name)
                self.assertEqual(self.company._hotline_tz().zone, name)
                self.assertEqual(self.sql_tz(), name, "the SQL mirror reads the same setting")

    def test_default_time_zone(self):
        """Neither the calendar nor the company's partner has one: Asia/Shanghai, in Python and in SQL."""
        self.company.partner_id.tz = False
        self.company.resource_calendar_id = False
        self.env.flush_all()
        self.assertEqual(self.company._hotline_tz().zone, "Asia/Shanghai")
        self.assertEqual(self.sql_tz(), "Asia/Shanghai")
        self.company.partner_id.tz = "Europe/Berlin"
        self.env.flush_all()
        self.assertEqual(self.company._hotline_tz().zone, "Europe/Berlin")
        self.assertEqual(self.sql_tz(), "Europe/Berlin")

    def test_day_bounds(self):
        day = date(2026, 1, 15)
        self.set_tz("Asia/Shanghai")
        self.assertEqual(self.company._hotline_day_bounds(day),
                         (datetime(2026, 1, 14, 16), datetime(2026, 1, 15, 16)))
        self.assertEqual(self.company._hotline_day_bounds(day, date(2026, 1, 31)),
                         (datetime(2026, 1, 14, 16), datetime(2026, 1, 31, 16)))
        self.set_tz("Europe/Berlin")
        self.assertEqual(self.company._hotline_day_bounds(day),
                         (datetime(2026, 1, 14, 23), datetime(2026, 1, 15, 23)))
        # summer time: the day starts an hour earlier in UTC
        self.assertEqual(self.company._hotline_day_bounds(date(2026, 7, 1)),
                         (datetime(2026, 6, 30, 22), datetime(2026, 7, 1, 22)))

    def test_local_day(self):
        """17:30 UTC is already tomorrow in Beijing, still today in Berlin (and the default is now)."""
        moment = datetime(2026, 1, 15, 17, 30)
        self.set_tz("Asia/Shanghai")
        self.assertEqual(self.company._hotline_local_day(moment), date(2026, 1, 16))
        with freeze_time(moment):
            self.assertEqual(self.company._hotline_local_day(), date(2026, 1, 16))
            self.assertEqual(self.company._hotline_day_bounds(),
                             (datetime(2026, 1, 15, 16), datetime(2026, 1, 16, 16)))
        self.set_tz("Europe/Berlin")
        self.assertEqual(self.company._hotline_local_day(moment), date(2026, 1, 15))

    def test_case_numbers_job_follows_the_setting(self):
        """The job making the day counters of case numbers prepares the center's today and tomorrow."""
        sequence = self.env.ref("hotline_case.seq_hotline_case")
        DateRange = self.env["ir.sequence.date_range"].sudo()

        days = [date(2026, 3, day) for day in (10, 11, 12)]
        DateRange.search([("sequence_id", "=", sequence.id), ("date_from", "in", days)]).unlink()

        def prepared():
            ranges = DateRange.search([("sequence_id", "=", sequence.id), ("date_from", "in", days)])
            return set(ranges.mapped("date_from"))

        with freeze_time("2026-03-10 20:00:00"):  # Berlin 21:00 on the 10th, Beijing 04:00 on the 11th
            self.set_tz("Europe/Berlin")
            self.env["hotline.case"]._prepare_case_numbers()
            self.assertEqual(prepared(), {days[0], days[1]})
            self.set_tz("Asia/Shanghai")
            self.env["hotline.case"]._prepare_case_numbers()
            self.assertEqual(prepared(), set(days), "Beijing's tomorrow is Berlin's day after")

    def test_normalize_phone_reads_the_area_code(self):
        self.company.hotline_default_area_code = "0931"
        self.assertEqual(self.company._hotline_normalize_phone("8888 8888"), "0931-88888888")
        self.assertEqual(self.company._hotline_phone_search_term("8888 8888"), "0931-88888888")
        self.company.hotline_default_area_code = "0571"
        self.assertEqual(self.company._hotline_normalize_phone("8888 8888"), "0571-88888888")
        self.company.hotline_default_area_code = False
        with self.assertRaises(UserError):
            self.company._hotline_normalize_phone("8888 8888")
