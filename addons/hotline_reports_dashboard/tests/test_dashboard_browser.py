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
    // the grid is a canvas: read the evaluated cells from the spreadsheet's model
    const findModel = (node) => {
        const model = node.component && node.component.env && node.component.env.model;
        if (model && model.getters && model.getters.getEvaluatedCell) { return model; }
        for (const child of Object.values(node.children || {})) {
            const found = findModel(child);
            if (found) { return found; }
        }
        return null;
    };
    const model = await wait(() => findModel(odoo.__WOWL_DEBUG__.root.__owl__), "the spreadsheet model");
    const sheetId = model.getters.getActiveSheetId();
    const cell = (col, row) => model.getters.getEvaluatedCell({ sheetId, col, row });
    const text = (col, row) => String(cell(col, row).value ?? "");
    const column = () => [...Array(200).keys()].map((row) => text(0, row));
    // every unit's row, none hidden behind #SPILL!
    await wait(() => column().includes("UNIT-DASH-60") && !column().some((v) => v === "Loading..."), "60 units");
    const errors = [];
    for (let row = 0; row < 200; row++) {
        for (let col = 0; col < 12; col++) {
            if (text(col, row).startsWith("#")) { errors.push(`${col},${row}: ${text(col, row)}`); }
        }
    }
    if (errors.length) { throw new Error("errors in the sheet: " + errors.join("; ")); }
    // 热点诉求分类: the ten largest categories, largest first
    const top = column().indexOf("%(top_caption)s");
    if (top < 0) { throw new Error("no top categories pivot: " + column().slice(0, 40).join("|")); }
    let first = top + 1;
    while (typeof cell(1, first).value !== "number" && first < top + 5) { first++; }
    const counts = [...Array(10).keys()].map((i) => Number(cell(1, first + i).value));
    const names = [...Array(10).keys()].map((i) => text(0, first + i));
    if (counts.some((c, i) => i && c > counts[i - 1])) { throw new Error("not by count: " + names + " " + counts); }
    if (!names.includes("A看板类别12") || names.includes("A看板类别01")) { throw new Error("top ten: " + names); }
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
        # and its log lines, which place the dispatch on a day of the unit figures (today in the center's time
        # zone can be tomorrow in the browser's): the log is written only by the workflow, moved here in SQL
        self.env.cr.execute("UPDATE hotline_case_log SET date = date - interval '3 days' WHERE case_id = %s",
                            [case.id])
        self.env.invalidate_all()
        # a city of 60 units, and categories whose order by name is the reverse of their order by count
        units = self.env["hotline.unit"].create([{"name": f"UNIT-DASH-{i:02d}", "code": f"UD{i:02d}"}
                                                  for i in range(1, 61)])
        categories = self.env["hotline.category"].create([{"name": f"A看板类别{i:02d}"} for i in range(1, 13)])
        kinds = [categories[i - 1] for i in range(1, 13) for _n in range(i * 3)]  # 3 to 36 cases each
        values = {"caller_phone": "13812340000", "description": "看板测试", "type_id": case.type_id.id,
                  "district_id": district.id, "street_id": case.street_id.id, "address": "看板路2号"}
        cases = self.env["hotline.case"].create([
            dict(values, unit_id=units[i % 60].id, category_id=kinds[i % len(kinds)].id)
            for i in range(max(60, len(kinds)))])
        for one in cases:
            one.action_self_dispatch()
        cases.flush_recordset()
        self.env.cr.execute("UPDATE hotline_case SET date_dispatched = date_dispatched - interval '3 days', "
                            "date_received = date_received - interval '3 days' WHERE id = ANY(%s)", [cases.ids])
        self.env.cr.execute("UPDATE hotline_case_log SET date = date - interval '3 days' WHERE case_id = ANY(%s)",
                            [cases.ids])
        self.env.invalidate_all()
        self.browser_js("/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
                        OPEN_DASHBOARD % {"top_caption": "Top Categories"}, login="rd_manager", timeout=240)
