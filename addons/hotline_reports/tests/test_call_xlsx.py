import io

import openpyxl

from odoo.tests import HttpCase, new_test_user, tagged

from .common import QUEUE, CallKpiCommon


@tagged("post_install", "-at_install")
class TestCallXlsx(HttpCase, CallKpiCommon):
    """The XLSX downloaded by a reviewer holds the service's figures, in Chinese, formatted for print."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reviewer = new_test_user(cls.env, "rc_xlsx_rev", groups="hotline_case.group_reviewer", lang="zh_CN")
        new_test_user(cls.env, "rc_xlsx_agent", groups="hotline_case.group_agent")

    def _download(self, **params):
        return self.url_open("/hotline_reports/calls.xlsx", params=params)

    def test_workbook(self):
        self.authenticate("rc_xlsx_rev", "rc_xlsx_rev")
        action = self.env["hotline.call.report.wizard"].with_user(self.reviewer).create({
            "date_from": "2026-01-31", "date_to": "2026-01-31", "queues": QUEUE,
            "agent_ids": [(6, 0, self.agent_a.ids)]}).action_export()
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames, ["按日", "按队列", "坐席"])
        day = book["按日"]
        self.assertEqual(day["A1"].value, "系统话务量统计")
        self.assertIn("2026-01-31", day["A2"].value)
        self.assertIn(QUEUE, day["A2"].value)
        self.assertIn("A1:P1", [str(r) for r in day.merged_cells.ranges])
        self.assertIn("E3:G3", [str(r) for r in day.merged_cells.ranges])  # 队列中漏接 over three columns
        self.assertEqual(day["E3"].value, "队列中漏接")
        self.assertEqual(day["A5"].value, "2026-01-31")
        self.assertEqual(day["B5"].value, 9)
        self.assertAlmostEqual(day["D5"].value, 4 / 9)
        self.assertEqual(day["D5"].number_format, "0.00%")
        self.assertAlmostEqual(day["K5"].value, 0.75)
        self.assertAlmostEqual(day["M5"].value.total_seconds(), 14)  # ASA 14 s as a time of day
        self.assertEqual(day["M5"].number_format, "[h]:mm:ss")
        self.assertEqual(day["A6"].value, "合计")
        self.assertEqual(day["B6"].value, 9)
        self.assertEqual(day.page_setup.orientation, "landscape")
        self.assertEqual(str(day.page_setup.paperSize), "9")
        self.assertEqual(day.print_title_rows, "$3:$4")
        agents = book["坐席"]
        self.assertEqual(agents["A5"].value, self.agent_a.name)
        self.assertEqual(agents["B5"].value, 3)
        self.assertAlmostEqual(agents["H5"].value.total_seconds(), 7200)
        self.assertEqual(agents["A6"].value, "合计")

    def test_access_and_bad_input(self):
        self.authenticate("rc_xlsx_agent", "rc_xlsx_agent")
        response = self._download(date_from="2026-01-01", date_to="2026-01-31")
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn("spreadsheetml", response.headers.get("Content-Type", ""))
        self.authenticate("rc_xlsx_rev", "rc_xlsx_rev")
        for params in ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, {"date_from": "x", "date_to": "y"},
                       {"date_from": "2026-01-01", "date_to": "2026-01-31", "agents": "1,abc"}):
            with self.subTest(params=params):
                response = self._download(**params)
                self.assertLess(response.status_code, 500)
                self.assertNotIn("spreadsheetml", response.headers.get("Content-Type", ""))
