from datetime import datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged

# Opens the dashboard in the Dashboards app and reads the evaluated cells (the grid is a canvas) from the
# spreadsheet's model: the callback time saved tile shows its title, its formula and the minutes, in Chinese.
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
    const entry = await wait(() => [...document.querySelectorAll(".o_search_panel_field li, a, span")]
        .find((el) => el.textContent.trim() === "短信与回访"), "the dashboard in the list");
    entry.click();
    await wait(() => document.querySelector(".o-spreadsheet"), "the spreadsheet");
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
    const value = (col, row) => model.getters.getEvaluatedCell({ sheetId, col, row }).value;
    const text = (col, row) => String(value(col, row) ?? "");
    const cells = () => [...Array(60).keys()].flatMap((row) => [0, 1, 2, 3].map((col) => [col, row, value(col, row)]));
    const column = () => [...Array(60).keys()].map((row) => text(0, row));
    const title = await wait(() => column().indexOf("短信回复节省的坐席回访时间") + 1, "the tile's title")
        .catch(() => { throw new Error("no tile's title in: " + column().filter(Boolean).join(" | ")); }) - 1;
    if (!text(0, title + 1).startsWith("节省分钟数 = 节省的回访次数 × 平均回访时长")) {
        throw new Error("formula line: " + text(0, title + 1));
    }
    await wait(() => !cells().some(([, , v]) => String(v) === "Loading..."), "the pivots loaded");
    const tile = cells().filter(([, row]) => row > title + 1 && row < title + 8);
    if (!tile.some(([, , v]) => v === 9) || !tile.some(([, , v]) => v === 2)) {
        throw new Error("tile: " + tile.filter(([, , v]) => v !== null && v !== "").map(
            ([c, r, v]) => `${c},${r}=${v}`).join(" "));
    }
    const errors = cells().filter(([, , v]) => String(v ?? "").startsWith("#"));
    if (errors.length) { throw new Error("errors in the sheet: " + errors.join("; ")); }
    if (document.querySelector(".o_error_dialog")) { throw new Error("error dialog"); }
    console.log("test successful");
})().catch((error) => console.error(error.message));
"""


@tagged("post_install", "-at_install")
class TestSmsDashboardBrowser(HttpCase):
    """Two callbacks saved two days ago (4.5 minutes each), one evaluation that saved none: the tile reads 2
    and 9 minutes."""

    def test_callback_time_saved_tile(self):
        # a zh_CN manager, as the center's
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_sms_dashboard"], ["zh_CN"], overwrite=True)
        new_test_user(self.env, "sd_manager", groups="hotline_case.group_manager,base.group_user", lang="zh_CN")
        # two days back: inside the default last 30 days whatever the browser's day
        when = datetime.now() - timedelta(days=2)
        Reply = self.env["hotline.sms.reply"].sudo()
        values = {"company_id": self.env.company.id, "content": "1", "outcome": "evaluated", "date_received": when}
        Reply.create([
            dict(values, number="13800001111", callback_saved=True, callback_minutes_saved=4.5),
            dict(values, number="13800002222", callback_saved=True, callback_minutes_saved=4.5),
            dict(values, number="13800003333", callback_saved=False, callback_minutes_saved=0.0),
        ])
        self.browser_js("/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action", OPEN_DASHBOARD,
                        login="sd_manager", timeout=240)
