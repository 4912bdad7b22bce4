import json
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.hotline_report_export import REPORTS

BOUNDS_ZH = "统计期间的日期须在 1900-01-01 至 2999-12-31 之间。"


@tagged("post_install", "-at_install")
class TestPeriodBounds(HttpCase):
    """Every report period is bounded: year 9999 or 0001 gets the same Chinese answer everywhere, before
    any figure is computed or anything saved (they overflowed in the day's UTC bounds)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["hotline_reports"], ["zh_CN"], overwrite=True)
        cls.manager = new_test_user(cls.env, "rp_bounds_manager", groups="hotline_case.group_manager",
                                    lang="zh_CN", tz="Asia/Shanghai")
        cls.scheme = cls.env["hotline.assessment.scheme"].search([], limit=1)

    def env_zh(self):
        return self.env(user=self.manager, context={"lang": "zh_CN"})

    def test_case_report_exports(self):
        Wizard = self.env_zh()["hotline.case.report.wizard"]
        for report, _label in REPORTS:
            for date_from, date_to in (("9999-01-01", "9999-12-31"), ("0001-01-01", "0001-01-31"),
                                       ("2026-11-01", "9999-12-31")):
                with self.subTest(report=report, period=(date_from, date_to)), \
                        self.assertRaisesRegex(ValidationError, BOUNDS_ZH):
                    Wizard.create({"report": report, "date_from": date_from, "date_to": date_to,
                                   "scheme_id": self.scheme.id})
        # a good period still exports
        wizard = Wizard.create({"report": "unit", "date_from": "2026-11-01", "date_to": "2026-11-30"})
        self.assertTrue(wizard.action_export())
        # and the export record itself refuses a bad period (created over RPC, say)
        with self.assertRaisesRegex(ValidationError, BOUNDS_ZH):
            self.env_zh()["hotline.report.export"].sudo().create({
                "name": "x", "report": "unit", "date_from": "9999-12-01", "date_to": "9999-12-31"})

    def call_kw(self, model, method, args, kwargs=None):
        response = self.url_open("/web/dataset/call_kw", data=json.dumps({
            "jsonrpc": "2.0", "method": "call",
            "params": {"model": model, "method": method, "args": args,
                       "kwargs": {"context": {"lang": "zh_CN"}, **(kwargs or {})}}}),
            headers={"Content-Type": "application/json"})
        return response.json()

    def test_assessment_nothing_saved(self):
        """What the form does (save, then 计算), over RPC as the manager: refused in Chinese, nothing saved."""
        self.authenticate("rp_bounds_manager", "rp_bounds_manager")
        Assessment = self.env["hotline.assessment"].sudo()
        before = Assessment.search([]).ids
        for date_from, date_to in (("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-31")):
            answer = self.call_kw("hotline.assessment", "create", [{"scheme_id": self.scheme.id,
                                                                    "date_from": date_from, "date_to": date_to}])
            self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.ValidationError")
            self.assertEqual(answer["error"]["data"]["message"], BOUNDS_ZH)
        self.assertEqual(Assessment.search([]).ids, before)
        answer = self.call_kw("hotline.assessment", "create", [{"scheme_id": self.scheme.id,
                                                                "date_from": "2026-11-01", "date_to": "2026-11-30"}])
        assessment = Assessment.browse(answer["result"])
        answer = self.call_kw("hotline.assessment", "write", [assessment.ids, {"date_to": "9999-12-31"}])
        self.assertEqual(answer["error"]["data"]["message"], BOUNDS_ZH)
        self.assertEqual(str(assessment.date_to), "2026-11-30")
        # the KPI service itself (public over RPC) answers the same, not an overflow
        answer = self.call_kw("hotline.kpi.case", "unit_figures", ["9999-12-01", "9999-12-31"])
        self.assertEqual(answer["error"]["data"]["message"], BOUNDS_ZH)

    def test_call_statistics_export(self):
        Wizard = self.env_zh()["hotline.call.report.wizard"]
        with self.assertRaisesRegex(ValidationError, BOUNDS_ZH):
            Wizard.create({"date_from": "9999-12-01", "date_to": "9999-12-31"})
        with self.assertRaisesRegex(UserError, BOUNDS_ZH):
            Wizard._render_xlsx("0001-01-01", "0001-01-02")
        # the download's route (typed in the address bar): a clear refusal, not a 500
        self.authenticate("rp_bounds_manager", "rp_bounds_manager")
        response = self.url_open("/hotline_reports/calls.xlsx?date_from=9999-12-01&date_to=9999-12-31")
        self.assertEqual(response.status_code, 422)
        self.assertIn(BOUNDS_ZH, response.text)
        response = self.url_open("/hotline_reports/calls.xlsx?date_from=2026-11-01&date_to=2026-11-02")
        self.assertEqual(response.status_code, 200)


@tagged("post_install", "-at_install")
class TestCallListWords(HttpCase):
    def test_call_outcomes_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_telephony"], ["zh_CN"], overwrite=True)
        Report = self.env["hotline.call.report"].with_context(lang="zh_CN")
        labels = dict(Report.fields_get(["outcome"])["outcome"]["selection"])
        self.assertEqual(labels["abandoned"], "队列中放弃（队列中漏接）")
        self.assertNotEqual(labels["answered"], "Answered")
        self.assertEqual(dict(Report.with_context(lang="en_US").fields_get(["outcome"])["outcome"]["selection"])
                         ["answered"], "Answered")


@tagged("post_install", "-at_install")
class TestAssessmentScreens(HttpCase):
    def test_new_assessment_defaults_and_names(self):
        manager = new_test_user(self.env, "rp_assess_manager", groups="hotline_case.group_manager",
                                tz="Asia/Shanghai")
        with freeze_time("2026-12-01 02:00:00"):  # 10:00 on 1 December in Beijing
            defaults = self.env["hotline.assessment"].with_user(manager).default_get(["date_from", "date_to"])
        self.assertEqual((str(defaults["date_from"]), str(defaults["date_to"])), ("2026-11-01", "2026-11-30"))
        scheme = self.env["hotline.assessment.scheme"].search([], limit=1)
        assessment = self.env["hotline.assessment"].create({"scheme_id": scheme.id, "date_from": "2026-11-01",
                                                            "date_to": "2026-11-30"})
        assessment.action_compute()
        result = assessment.result_ids[:1]
        self.assertEqual(result.display_name, f"{result.unit_id.display_name} · {assessment.display_name}")
        self.assertNotIn("hotline.assessment.result", result.display_name)
        # every unit of a city on one page of the ranking
        arch = self.env["hotline.assessment.result"].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('limit="500"', arch)


@tagged("post_install", "-at_install")
class TestDayRows(HttpCase):
    def test_day_rows_in_the_readers_date_format(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        day = date(2026, 12, 5)
        for model in ("hotline.agent.report", "hotline.call.report", "hotline.call.stat",
                      "hotline.report.case.unit"):
            with self.subTest(model=model):
                Report = self.env[model].with_context(lang="zh_CN")
                zh_format = self.env["res.lang"]._get_data(code="zh_CN").date_format
                (key, label), _domain = Report._web_read_group_groupby_formatter("date:day", [day])(day)
                self.assertEqual((key, label), ("2026-12-05", day.strftime(zh_format)))
                self.assertNotEqual(label, "05 12月 2026")
                # a month keeps Odoo's label
                (_key, month), _domain = Report._web_read_group_groupby_formatter("date:month", [day])(day)
                self.assertIn("2026", month)


@tagged("post_install", "-at_install")
class TestStaffingScreen(HttpCase):
    def test_breadcrumb_and_one_page_of_half_hours(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_reports"], ["zh_CN"], overwrite=True)
        Staffing = self.env["hotline.staffing.report"].with_context(lang="zh_CN")
        self.assertEqual(Staffing.new({}).display_name, "排班测算（爱尔兰C）")
        report = Staffing.create({})
        self.assertEqual(report.display_name, "排班测算（爱尔兰C）")
        arch = Staffing.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('limit="48"', arch)
        self.assertIn("差额 = 可用 − 所需", arch)
