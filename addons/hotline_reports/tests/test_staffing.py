from datetime import datetime, time, timedelta

import pytz

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestStaffing(TransactionCase):
    """100 calls every day at 10:00-10:30 (AHT 180 s), one agent signed in 10:00-10:30: 14 are needed."""

    def test_erlang_staffing_per_half_hour(self):
        env = self.env
        env.company.resource_calendar_id.tz = "Asia/Shanghai"  # the center's time zone
        env["hotline.agent.pause"].sudo().search([]).unlink()
        env["hotline.agent.session"].sudo().search([]).unlink()
        tz = pytz.timezone("Asia/Shanghai")
        today = fields.Date.context_today(self.env["hotline.call"].with_context(tz="Asia/Shanghai"))
        agent = env.ref("base.user_admin")
        vals, sessions = [], []
        for back in range(1, 8):
            day = today - timedelta(days=back)
            ten = tz.localize(datetime.combine(day, time(10, 0))).astimezone(pytz.utc).replace(tzinfo=None)
            for n in range(100):
                enter = ten + timedelta(seconds=n * 17)
                vals.append({"uniqueid": f"rc-staff-{back}-{n}", "queue": "kpi-staff", "enter_time": enter,
                             "answer_time": enter + timedelta(seconds=5), "end_time": enter + timedelta(seconds=185),
                             "wait_seconds": 5, "talk_seconds": 180, "outcome": "answered", "user_id": agent.id})
            sessions.append({"user_id": agent.id, "interface": "PJSIP/rc-staff", "queue": "kpi-staff",
                             "start": ten, "stop": ten + timedelta(minutes=30)})
        env["hotline.call"].sudo().create(vals)
        env["hotline.agent.session"].sudo().create(sessions)
        report = env["hotline.staffing.report"].create({"weeks": 1, "target_level": 80, "sl_seconds": 20,
                                                        "queue": "kpi-staff"})
        report.action_compute()
        self.assertAlmostEqual(report.aht, 180)
        self.assertEqual(len(report.line_ids), 48)
        ten = report.line_ids.filtered(lambda line: line.name == "10:00")
        self.assertAlmostEqual(ten.calls, 100)
        self.assertAlmostEqual(ten.traffic, 10)
        self.assertEqual(ten.agents_needed, 14)
        self.assertAlmostEqual(ten.agents_signed_in, 1.0)
        self.assertAlmostEqual(ten.gap, 1.0 - 14)
        nine = report.line_ids.filtered(lambda line: line.name == "09:30")
        self.assertEqual((nine.calls, nine.agents_needed, nine.agents_signed_in), (0, 0, 0))
        # the chart's curves are the table's columns
        chart = report.chart_data
        self.assertEqual(len(chart["labels"]), 48)
        self.assertEqual((chart["labels"][20], chart["needed"][20], chart["signed_in"][20]), ("10:00", 14, 1.0))
        self.assertEqual(chart["needed"], report.line_ids.sorted("slot").mapped("agents_needed"))


# Runs on 排班测算 opened from its menu: the figures are there at once, the 48 half hours on one page under a
# chart of needed / signed in / available, the breadcrumb names the screen.
STAFFING_CHECK = """
(async () => {
    for (let i = 0; i < 600 && !document.querySelector(".o_hotline_staffing_chart canvas"); i++) {
        await new Promise((r) => setTimeout(r, 100));
    }
    const canvas = document.querySelector(".o_hotline_staffing_chart canvas");
    if (!canvas) { throw new Error("no chart"); }
    const chart = Chart.getChart(canvas);
    const labels = chart.data.datasets.map((d) => d.label);
    if (JSON.stringify(labels) !== JSON.stringify(["所需坐席", "签入", "可用"])) {
        throw new Error("curves: " + labels);
    }
    if (chart.data.labels.length !== 48) { throw new Error(chart.data.labels.length + " half hours in the chart"); }
    const rows = document.querySelectorAll(".o_field_one2many .o_data_row").length;
    if (rows !== 48) { throw new Error(rows + " half hours in the table"); }
    const crumbs = document.querySelector(".o_breadcrumb").innerText;
    if (!crumbs.includes("排班测算（爱尔兰C）") || crumbs.includes("NewId") || crumbs.includes("hotline.")) {
        throw new Error("breadcrumb: " + crumbs);
    }
    console.log("test successful");
})().catch((e) => console.error(e.message));
"""


@tagged("post_install", "-at_install")
class TestStaffingMenu(HttpCase):
    def test_menu_opens_the_computed_figures(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_reports"], ["zh_CN"], overwrite=True)
        reviewer = new_test_user(self.env, "rp_staffing_reviewer", groups="hotline_case.group_reviewer",
                                 lang="zh_CN", tz="Asia/Shanghai")
        Staffing = self.env["hotline.staffing.report"]
        before = Staffing.search([])
        self.browser_js("/odoo/action-hotline_reports.hotline_staffing_report_action_open", STAFFING_CHECK,
                        login=reviewer.login, timeout=120)
        made = Staffing.search([]) - before
        # the visit keeps one record, computed: nothing empty
        self.assertEqual(len(made), 1)
        self.assertEqual((made.create_uid, len(made.line_ids)), (reviewer, 48))
