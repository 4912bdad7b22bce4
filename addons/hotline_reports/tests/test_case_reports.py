import io
from datetime import timedelta

import openpyxl
from openpyxl.utils import get_column_letter

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HotlineReportsCommon


@tagged("post_install", "-at_install")
class TestCaseReports(HotlineReportsCommon):
    """The report views, the assessment and the Excel files on the hand-made March 2020."""

    def setUp(self):
        super().setUp()
        self._build_march()

    def test_unit_view_sums_to_the_kpi(self):
        """单位统计分析 summed over March equals unit_figures for March (one definition)."""
        view = self.env["hotline.report.case.unit"].with_user(self.reviewer)
        columns = [name for name, field in view._fields.items() if field.type == "integer" and name != "id"]
        groups = view._read_group([("date", ">=", self.March[0]), ("date", "<=", self.March[1]),
                                   ("unit_id", "in", (self.unit_a | self.unit_b).ids)],
                                  ["unit_id"], [f"{name}:sum" for name in columns])
        with self.at("2020-04-15 10:00"):
            figures = self.kpi.unit_figures(*self.March, units=self.unit_a | self.unit_b)
        self.assertEqual(len(groups), 2)
        for unit, *sums in groups:
            self.assertEqual(dict(zip(columns, sums, strict=True)),
                             {name: figures[unit.id][name] for name in columns}, unit.name)
        self.assertEqual(dict(zip(columns, next(g for g in groups if g[0] == self.unit_a)[1:],
                                  strict=True))["dispatched"], 9)

    def test_intake_and_hotspot_views(self):
        intake = self.env["hotline.report.case.intake"].with_user(self.reviewer)
        march = [("date_received", ">=", self.local("2020-03-01 00:00")),
                 ("date_received", "<", self.local("2020-04-01 00:00"))]
        groups = dict(intake._read_group(march, ["intake_outcome"], ["__count"]))
        self.assertEqual(groups, {"self_dispatch": 9})
        hotspot = self.env["hotline.report.case.hotspot"].with_user(self.reviewer)
        top = hotspot.search([("kind", "=", "category"), ("month", "=", "2020-03-01"),
                              ("category_id", "=", self.cat_no_water.id)])
        self.assertEqual((top.case_count, top.rank), (9, 1))
        with self.at("2020-04-15 10:00"):
            ranking = self.kpi.hotspots("category", *self.March)
        self.assertEqual(ranking[0]["count"], top.case_count)

    def _assess(self):
        with self.at("2020-04-15 10:00"):
            assessment = self.env["hotline.assessment"].with_user(self.manager).create({
                "scheme_id": self.env.ref("hotline_reports.assessment_scheme_default").id,
                "date_from": self.March[0], "date_to": self.March[1],
                "unit_ids": [Command.set([self.unit_a.id, self.unit_b.id])],
            })
            assessment.action_compute()
        return assessment

    def test_assessment_score_and_rank(self):
        results = {r.unit_id: r for r in self._assess().result_ids}
        a, b = results[self.unit_a], results[self.unit_b]
        # A: 及时签收 7/8 vs 95 %, 按时办结 7/8 vs 90 %, 满意 3/5 vs 90 % (c4's 不满意 before its 重办 counts);
        # deductions: one overdue case −0.5, c4's 重办 −1 (c3's return is not ruled improper: no deduction)
        expected_a = 30 * (0.875 / 0.95) + 35 * (0.875 / 0.90) + 35 * (0.6 / 0.90) - 0.5 - 1
        self.assertAlmostEqual(a.score, round(expected_a, 2), places=2)
        self.assertAlmostEqual(a.deduction, 1.5)
        # B: signed on time, handled on time, its one rated caller dissatisfied (a rating, no 重办: no deduction)
        self.assertAlmostEqual(b.score, 65.0)
        self.assertEqual((a.rank, b.rank), (1, 2))
        action = a.with_context(measure="returned").action_drilldown()
        self.assertEqual(self.env["hotline.case.log"].search(action["domain"]).case_id, self.c3)
        action = a.with_context(measure="satisfaction_rate").action_drilldown()
        self.assertEqual(self.env["hotline.case.log"].search(action["domain"]).case_id, self.c1 | self.c2 | self.c4)

    def test_scheme_without_figures_and_caps(self):
        scheme = self.env.ref("hotline_reports.assessment_scheme_default")
        # no rated callback: the satisfaction weight goes to the two other indicators, in proportion
        score, deduction, _detail = scheme.score({"sign_on_time_rate": 1.0, "on_time_rate": 0.45,
                                                  "satisfaction_rate": None, "overdue_count": 0, "returned": 0})
        self.assertAlmostEqual(score, round(30 / 65 * 100 + 35 / 65 * 100 * 0.5, 2))
        self.assertEqual(deduction, 0)
        # a rate above its target earns the weight, no more; each deduction line stops at its cap (超期 5), a
        # return counts only when ruled improper
        score, deduction, _detail = scheme.score({"sign_on_time_rate": 1.0, "on_time_rate": 1.0,
                                                  "satisfaction_rate": 1.0, "overdue_count": 100, "returned": 9})
        self.assertEqual((score, deduction), (95.0, 5.0))
        self.assertIn("min(100", scheme.formula)

    def _export(self, report, user=None, **vals):
        with self.at("2020-04-15 10:00"):
            wizard = self.env["hotline.case.report.wizard"].with_user(user or self.reviewer).create({
                "report": report, "date_from": self.March[0], "date_to": self.March[1], **vals,
            })
            action = wizard.action_export()
        export = self.env["hotline.report.export"].search([], limit=1)
        return action, export

    def _sheet(self, export, index=0):
        return openpyxl.load_workbook(io.BytesIO(export.file_bytes())).worksheets[index]

    def test_unit_xlsx(self):
        action, export = self._export("unit", unit_ids=[Command.set([self.unit_a.id, self.unit_b.id])])
        self.assertEqual(export.state, "done")
        self.assertIn(f"/web/content/{export.attachment_id.id}", action["url"])
        sheet = self._sheet(export)
        self.assertIn("单位统计分析", sheet["A1"].value)
        self.assertIn("2020-03-01", sheet["A2"].value)
        self.assertIn("自来水公司", sheet["A2"].value)
        merged = {str(r) for r in sheet.merged_cells.ranges}
        self.assertIn(f"A1:{get_column_letter(len(export._unit_columns()))}1", merged)
        self.assertIn("A3:A4", merged)  # the unit column spans both header rows
        headers = {sheet.cell(4, col).value: col for col in range(1, sheet.max_column + 1)}
        headers.update({sheet.cell(3, col).value: col for col in range(1, sheet.max_column + 1)
                        if sheet.cell(3, col).value not in headers})
        rows = {sheet.cell(r, 1).value: r for r in range(5, sheet.max_row + 1)}
        row_a, total = rows["自来水公司"], rows["Total"]
        dispatched = headers["Cases Dispatched"]
        self.assertEqual(sheet.cell(row_a, dispatched).value, 9)
        self.assertEqual(sheet.cell(total, dispatched).value, 10)  # A 9 + B 1
        rate = sheet.cell(row_a, headers["On-time Sign-for Rate"])
        self.assertAlmostEqual(rate.value, 7 / 8)
        self.assertEqual(rate.number_format, "0.00%")
        self.assertAlmostEqual(sheet.cell(total, headers["On-time Sign-for Rate"]).value, 8 / 9)
        sign_time = sheet.cell(row_a, headers["Average Sign-for Time"])
        self.assertEqual(sign_time.number_format, "[h]:mm:ss")
        self.assertAlmostEqual(sign_time.value.total_seconds(), timedelta(hours=10 / 8).total_seconds(), places=2)
        self.assertEqual(sheet.page_setup.orientation, "landscape")
        self.assertEqual(str(sheet.page_setup.paperSize), "9")
        self.assertEqual(sheet.print_title_rows, "$3:$4")

    def test_assessment_and_hotspot_xlsx(self):
        kept = self.env["hotline.assessment"].search([])  # the demo database's published assessment, if any
        _action, export = self._export("assessment", unit_ids=[Command.set([self.unit_a.id, self.unit_b.id])])
        sheet = self._sheet(export)
        self.assertEqual([sheet.cell(5, c).value for c in (1, 2)], [1, "自来水公司"])
        self.assertEqual([sheet.cell(6, c).value for c in (1, 2, 3)], [2, "市政道路处", 65.0])
        self.assertTrue(any("min(100" in str(sheet.cell(r, 1).value) for r in range(7, sheet.max_row + 1)),
                        "the formula is printed under the table")
        self.assertEqual(self.env["hotline.assessment"].search([]), kept, "the export's assessment is not kept")
        _action, export = self._export("hotspot")
        sheet = self._sheet(export)
        self.assertEqual([sheet.cell(5, c).value for c in (1, 2, 3)], [1, "供水 / 停水", 9])

    def test_large_export_runs_in_background(self):
        self.env["ir.config_parameter"].sudo().set_param("hotline_reports.background_rows", "5")
        action, export = self._export("intake")
        self.assertEqual(action["res_model"], "hotline.report.export")
        self.assertEqual((export.state, export.rows_total, export.progress), ("queued", 9, 0.0))
        self.assertTrue(self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("hotline_reports.ir_cron_report_export").id)]))
        self.env["hotline.report.export"]._cron_run_exports()
        self.assertEqual((export.state, export.progress), ("done", 100.0))
        sheet = self._sheet(export)
        numbers = [sheet.cell(r, 1).value for r in range(4, 4 + 9)]
        self.assertEqual(numbers, [c.name for c in (self.c1, self.c2, self.c3, self.c4, self.c5, self.c8, self.c9,
                                                    self.c10, self.c6)])
        self.assertEqual(sheet.cell(13, 1).value, "Total: 9 cases")
        self.assertEqual(sheet.cell(4, 2).value.strftime("%Y-%m-%d %H:%M"), "2020-03-02 09:50")  # local time
        self.assertNotIn("陈先生", [c.value for row in sheet.iter_rows() for c in row], "no caller names")

    def test_units_and_agents_denied(self):
        for user in (self.agent, self.dispatcher, self.unit_user_a, self.portal_a):
            for model in ("hotline.report.case.unit", "hotline.report.case.intake", "hotline.report.case.industry",
                          "hotline.report.case.hotspot", "hotline.assessment", "hotline.assessment.result",
                          "hotline.report.export", "hotline.assessment.scheme"):
                with self.assertRaises(AccessError, msg=f"{user.login} reads {model}"):
                    self.env[model].with_user(user).search_read([], limit=1)
            with self.assertRaises(AccessError):
                self.env["hotline.case.report.wizard"].with_user(user).create({"report": "unit"})
        _action, export = self._export("unit")
        other = self.env["hotline.report.export"].with_user(self.env.ref("base.user_admin")).search([])
        self.assertIn(export, other, "managers see every export")
        reviewer2 = self.reviewer.copy({"login": "hr_reviewer2"})
        self.assertNotIn(export, self.env["hotline.report.export"].with_user(reviewer2).search([]))
