import { beforeEach, describe, expect, test } from "@odoo/hoot";
import { makeMockEnv } from "@web/../tests/web_test_helpers";
import { defineMailModels } from "@mail/../tests/mail_test_helpers";
import { renderToElement } from "@web/core/utils/render";

defineMailModels();
// the template's own words are translated: the test environment loads the (mocked) translations
beforeEach(() => makeMockEnv());

const pop = (extra = {}) => ({
    call_id: 1,
    caller_number: "13800138000",
    partner: { id: 3, name: "王先生" },
    case_count: 2,
    cases: [
        { id: 11, name: "12319-20261207-0173", state: "processing", state_label: "办理中" },
        { id: 9, name: "12319-20261120-0042", state: "closed", state_label: "已办结" },
    ],
    ...extra,
});

describe("screen pop", () => {
    test("names the caller and lists their cases", () => {
        const el = renderToElement("hotline_telephony.ScreenPop", { pop: pop(), countLabel: "Previous cases: 2" });
        expect(el.querySelector(".o_hotline_pop_caller")).toHaveText("13800138000 · 王先生");
        expect(el.querySelector(".o_hotline_pop_count")).toHaveText("Previous cases: 2");
        expect([...el.querySelectorAll(".o_hotline_pop_case")].map((c) => c.textContent.trim())).toEqual([
            "12319-20261207-0173 · 办理中",
            "12319-20261120-0042 · 已办结",
        ]);
    });

    test("an unknown caller is said so", () => {
        const el = renderToElement("hotline_telephony.ScreenPop", {
            pop: pop({ partner: false, case_count: 0, cases: [] }),
            countLabel: "Previous cases: 0",
        });
        expect(el.querySelector(".o_hotline_pop_caller")).toHaveText("13800138000 · Unknown caller");
        expect(el.querySelectorAll(".o_hotline_pop_case").length).toBe(0);
    });

    test("what the caller and the cases bring is text, never markup", () => {
        const el = renderToElement("hotline_telephony.ScreenPop", {
            pop: pop({ partner: { id: 4, name: '<img src=x onerror="alert(1)">' } }),
            countLabel: "Previous cases: 2",
        });
        expect(el.querySelector("img")).toBe(null);
        expect(el.querySelector(".o_hotline_pop_caller").textContent).toInclude("<img src=x");
    });
});
