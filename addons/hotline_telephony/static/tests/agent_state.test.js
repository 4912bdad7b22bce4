import { beforeEach, describe, expect, test } from "@odoo/hoot";
import { makeMockEnv } from "@web/../tests/web_test_helpers";
import { defineMailModels } from "@mail/../tests/mail_test_helpers";
import { AGENT_STATES, STATE_COLOURS, mask, stateClass, stateLabel } from "@hotline_telephony/agent_state/agent_state";

defineMailModels();
// the labels are translated: the test environment loads the (mocked) translations
beforeEach(() => makeMockEnv());

describe("agent state", () => {
    test("every state has its own label, class and colour", () => {
        const labels = AGENT_STATES.map((s) => String(stateLabel(s)));
        expect(labels).toEqual(["Idle", "Paused", "On Call", "Ringing", "Wrap-up", "Signed Out"]);
        expect(AGENT_STATES.map(stateClass)).toEqual([
            "o_agent_idle",
            "o_agent_paused",
            "o_agent_oncall",
            "o_agent_ringing",
            "o_agent_wrapup",
            "o_agent_offline",
        ]);
        expect(AGENT_STATES.every((s) => STATE_COLOURS[s])).toBe(true);
    });

    test("a call says which way it goes; a state nobody knows reads as signed out", () => {
        expect(String(stateLabel("oncall", "inbound"))).toBe("On Call (in)");
        expect(String(stateLabel("oncall", "outbound"))).toBe("On Call (out)");
        expect(String(stateLabel("idle", "outbound"))).toBe("Idle");
        expect(String(stateLabel("logged_out"))).toBe("Signed Out");
        expect(stateClass("logged_out")).toBe("o_agent_offline");
    });

    test("masking keeps the first three and last four digits of a long number", () => {
        expect(mask("13912345678")).toBe("139****5678");
        expect(mask("110")).toBe("***");
        expect(mask("")).toBe("");
    });
});
