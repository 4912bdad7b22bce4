from datetime import timedelta

from odoo.tests import HttpCase, new_test_user, tagged

OPEN_DASHBOARD = """
(async () => {
    const wait = (test, what) => new Promise((resolve, reject) => {
        let tries = 0;
        const timer = setInterval(() => {
            const found = test();
            if (found) { clearInterval(timer); resolve(found); }
            if (++tries > 900) { clearInterval(timer); reject(new Error("timeout: " + what)); }
        }, 100);
    });
    // the grid is drawn on a canvas: watch the pivot's data arrive instead
    const seen = [];
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (body) {
        this.addEventListener("load", () => seen.push(String(body) + " => " + this.responseText));
        return send.call(this, body);
    };
    const entry = await wait(() => [...document.querySelectorAll(".o_search_panel_field li, a, span")]
        .find((el) => el.textContent.trim() === "Hotline Cases"), "the dashboard in the list");
    entry.click();
    await wait(() => document.querySelector(".o-spreadsheet"), "the spreadsheet");
    await wait(() => seen.find((call) => call.includes("hotline.report.case.unit") && call.includes("UNIT-DASH")),
               "the unit figures read by the pivot");
    if (document.querySelector(".o_error_dialog")) { throw new Error("error dialog"); }
    console.log("test successful");
})().catch((error) => console.error(error.message));
"""


@tagged("post_install", "-at_install")
class TestDashboardBrowser(HttpCase):
    """The dashboard opens in the Dashboards app and its pivot shows the units' figures."""

    def test_dashboard_renders(self):
        new_test_user(self.env, "rd_manager", groups="hotline_case.group_manager,base.group_user")
        unit = self.env["hotline.unit"].create({"name": "UNIT-DASH", "code": "UNIT_DASH"})
        district = self.env["hotline.district"].create({"name": "看板区", "code": "DASH"})
        case = self.env["hotline.case"].create({
            "caller_phone": "13812340000", "caller_name": "测试", "description": "看板测试",
            "type_id": self.env["hotline.case.type"].create({"name": "看板类型", "code": "DASH"}).id,
            "category_id": self.env["hotline.category"].create({"name": "看板类别"}).id,
            "district_id": district.id,
            "street_id": self.env["hotline.street"].create({"name": "看板街道", "district_id": district.id}).id,
            "address": "看板路1号", "unit_id": unit.id,
        })
        case.action_self_dispatch()
        # days before "today" in any time zone: inside the dashboard's default last-30-days filter
        case.write({"date_dispatched": case.date_dispatched - timedelta(days=3)})
        self.browser_js("/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action", OPEN_DASHBOARD,
                        login="rd_manager", timeout=240)
