import json

from odoo.tests import HttpCase, new_test_user, tagged

from ..kpi.case_indicators import BY_CODE
from .common import HotlineReportsCommon

# Runs in the Agent Statistics pivot: durations read as 时:分:秒, the occupancy with at most two decimals,
# no sum of seconds shown as a float ("11,400.00").
PIVOT_CHECK = """
(async () => {
    for (let i = 0; i < 600 && !document.querySelector(".o_pivot td.o_pivot_cell_value"); i++) {
        await new Promise((r) => setTimeout(r, 100));
    }
    const cells = [...document.querySelectorAll(".o_pivot td.o_pivot_cell_value")].map((td) => td.innerText.trim());
    if (!cells.length) { throw new Error("no pivot cell"); }
    const times = cells.filter((text) => /^\\d+:\\d\\d:\\d\\d$/.test(text));
    if (times.length < 4) { throw new Error("durations not as 时:分:秒: " + cells.join(" | ")); }
    const floats = cells.filter((text) => /^[\\d,]+\\.\\d\\d$/.test(text));
    if (floats.length) { throw new Error("seconds as floats: " + floats.join(" | ")); }
    const long = cells.filter((text) => /\\.\\d{3,}%$/.test(text));
    if (long.length) { throw new Error("rates with more than two decimals: " + long.join(" | ")); }
    const { registry } = odoo.loader.modules.get("@web/core/registry");
    const format = registry.category("formatters").get("hotline_duration");
    const got = [format(11400), format(65.4), format(0), format(false)];
    if (JSON.stringify(got) !== JSON.stringify(["3:10:00", "0:01:05", "0:00:00", ""])) {
        throw new Error("formatter: " + got);
    }
    console.log("test successful");
})().catch((e) => console.error(e.message));
"""


@tagged("post_install", "-at_install")
class TestPivotFormats(HttpCase):
    def test_agent_statistics_pivot_reads_times_and_rates(self):
        new_test_user(self.env, "rp_pivot_manager", groups="hotline_case.group_manager")
        self.browser_js("/odoo/action-hotline_reports.hotline_agent_report_action", PIVOT_CHECK,
                        login="rp_pivot_manager", timeout=120)


# Runs in the Unit Statistics pivot: the rates are among the measures, as percentages with two decimals.
UNIT_PIVOT_CHECK = """
(async () => {
    for (let i = 0; i < 600 && !document.querySelector(".o_pivot td.o_pivot_cell_value"); i++) {
        await new Promise((r) => setTimeout(r, 100));
    }
    const headers = [...document.querySelectorAll(".o_pivot thead th")].map((th) => th.innerText.trim());
    for (const title of TITLES) {
        if (!headers.includes(title)) { throw new Error("no measure " + title + ": " + headers.join(" | ")); }
    }
    const cells = [...document.querySelectorAll(".o_pivot td.o_pivot_cell_value")].map((td) => td.innerText.trim());
    const rates = cells.filter((text) => text.endsWith("%"));
    if (!rates.length) { throw new Error("no rate: " + cells.join(" | ")); }
    const bad = rates.filter((text) => !/^\\d{1,3}\\.\\d\\d%$/.test(text));
    if (bad.length) { throw new Error("rates not with two decimals: " + bad.join(" | ")); }
    console.log("test successful");
})().catch((e) => console.error(e.message));
"""


@tagged("post_install", "-at_install")
class TestUnitPivotRates(HotlineReportsCommon, HttpCase):
    def test_unit_statistics_pivot_shows_rates(self):
        """The March of the common fixture, read in the pivot by a zh_CN reviewer: the rates are measures."""
        self._build_march()
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_reports"], ["zh_CN"], overwrite=True)
        self.reviewer.lang = "zh_CN"
        # the screen's pivot over every day (its menu starts on this month)
        action = self.env["ir.actions.act_window"].create({
            "name": "单位统计分析", "res_model": "hotline.report.case.unit", "view_mode": "pivot",
            "view_id": self.env.ref("hotline_reports.hotline_report_case_unit_view_pivot").id})
        # the measures' Chinese labels are the registry's
        titles = json.dumps([BY_CODE[code].zh for code in ("sign_on_time_rate", "on_time_rate", "satisfaction_rate")],
                            ensure_ascii=False)
        self.browser_js(f"/odoo/action-{action.id}", UNIT_PIVOT_CHECK.replace("TITLES", titles),
                        login=self.reviewer.login, timeout=120)
