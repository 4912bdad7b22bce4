from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import HotlineReportsCommon

# Runs in an assessment's form: the ranking rows name their units whole; the dialog a row opens has a drill-down
# for every figure and its deduction detail in Chinese; 退单 opens the unit's returned dispatches, named by unit
# and figure, not by the record.
DIALOG_CHECK = """
(async () => {
    const wait = async (selector, root = document) => {
        for (let i = 0; i < 600; i++) {
            const found = root.querySelector(selector);
            if (found) { return found; }
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error("never shown: " + selector);
    };
    await wait(".o_field_one2many .o_data_row");
    const names = [...document.querySelectorAll(".o_field_one2many td[name=unit_id]")];
    const cut = names.filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.innerText);
    if (cut.length) { throw new Error("unit names cut: " + cut.join(" | ")); }
    const heads = [...document.querySelectorAll(".o_field_one2many thead th[data-name]")];
    const cutHeads = heads.filter((th) => {
        const label = th.querySelector(".o_list_header_label, span");
        return label && label.scrollWidth > label.clientWidth + 1;
    }).map((th) => th.innerText);
    if (cutHeads.length) { throw new Error("headers cut: " + cutHeads.join(" | ")); }
    const row = [...document.querySelectorAll(".o_field_one2many .o_data_row")]
        .find((tr) => tr.querySelector("td[name=unit_id]").innerText.includes(UNIT));
    row.querySelector("td[name=unit_id]").click();
    const dialog = await wait(".modal .o_form_view");
    // the deduction detail in the reader's language (stored as facts, written when read)
    const detail = (await wait("div[name=deduction_detail]", dialog)).innerText.trim();
    if (!detail.includes("超期件数：1 × 0.5 = 0.5（封顶 5）") || /[A-Za-z]/.test(detail)) {
        throw new Error("deduction detail reads: " + detail);
    }
    const buttons = [...dialog.querySelectorAll("button[name=action_drilldown]")];
    if (buttons.length !== FIGURES) {
        throw new Error(`${buttons.length} drill-downs in the dialog, not ${FIGURES}`);
    }
    const returned = buttons.find((b) => b.querySelector(".o_stat_text")?.innerText.trim() === "退单");
    if (!returned) { throw new Error("no 退单 figure: " + buttons.map((b) => b.innerText).join(" | ")); }
    if (returned.querySelector(".o_stat_value").innerText.trim() !== "1") {
        throw new Error("退单 reads " + returned.innerText);
    }
    returned.click();
    // the dispatches' own list (not the ranking of the form left behind)
    for (let i = 0; i < 600 && !document.querySelector(".o_action_manager > .o_list_view .o_data_row"); i++) {
        await new Promise((r) => setTimeout(r, 100));
    }
    const rows = document.querySelectorAll(".o_action_manager > .o_list_view .o_data_row").length;
    if (rows !== 1) { throw new Error(rows + " dispatches behind 退单 = 1"); }
    const crumbs = document.querySelector(".o_breadcrumb").innerText;
    if (!crumbs.includes(UNIT + " · 退单") || crumbs.includes("hotline.")) {
        throw new Error("breadcrumb: " + crumbs);
    }
    console.log("test successful");
})().catch((e) => console.error(e.message));
"""


@tagged("post_install", "-at_install")
class TestAssessmentDialog(HotlineReportsCommon, HttpCase):
    def test_ranking_row_dialog_drills_every_figure(self):
        """March of the common fixture assessed; a zh_CN manager opens unit A's row and drills 退单 (c3)."""
        self._build_march()
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_reports"], ["zh_CN"], overwrite=True)
        self.manager.lang = "zh_CN"
        self.unit_a.name = "东关街道城市管理综合执法中队"  # a long name, as cities have
        with self.at("2020-04-15 10:00"):
            assessment = self.env["hotline.assessment"].with_user(self.manager).create({
                "scheme_id": self.env.ref("hotline_reports.assessment_scheme_default").id,
                "date_from": self.March[0], "date_to": self.March[1],
                "unit_ids": [Command.set([self.unit_a.id, self.unit_b.id])]})
            assessment.action_compute()
        arch = self.env["hotline.assessment.result"].get_views([(False, "form")])["views"]["form"]["arch"]
        figures = arch.count('name="action_drilldown"')
        self.assertGreaterEqual(figures, 20)
        code = DIALOG_CHECK.replace("UNIT", repr(self.unit_a.name)).replace("FIGURES", str(figures))
        self.browser_js(f"/odoo/action-hotline_reports.hotline_assessment_action/{assessment.id}", code,
                        login=self.manager.login, timeout=180)
