import { expect, test } from "@odoo/hoot";
import { animationFrame, click } from "@odoo/hoot-dom";
import { mountWithCleanup, onRpc } from "@web/../tests/web_test_helpers";
import { defineMailModels } from "@mail/../tests/mail_test_helpers";
import { HotlineAgentMenu } from "@hotline_telephony/agent_menu/agent_menu";

defineMailModels();

const RATED_AT = Date.UTC(2026, 11, 7, 2, 5, 0); // 10:05 in the center

function agentState(lastRating) {
    return { configured: true, logged_in: true, paused: false, reason: "", state: "idle", since: false,
             queues: ["hotline"], interface: "PJSIP/agent1", recording: false, last_rating: lastRating };
}

test("the systray shows the caller's rating of the agent's last rated call", async () => {
    onRpc("res.users", "has_group", () => true);
    onRpc("res.users", "hotline_agent_state", () =>
        agentState({ rating: "unsatisfied", label: "不满意", time: RATED_AT }));
    await mountWithCleanup(HotlineAgentMenu);
    await click(".o_hotline_agent_toggle");
    await animationFrame();
    expect(".o_hotline_last_rating b").toHaveText("不满意");
    expect(".o_hotline_last_rating i").toHaveClass("text-danger");
});

test("no rated call yet: no rating line", async () => {
    onRpc("res.users", "has_group", () => true);
    onRpc("res.users", "hotline_agent_state", () => agentState(false));
    await mountWithCleanup(HotlineAgentMenu);
    await click(".o_hotline_agent_toggle");
    await animationFrame();
    expect(".o_hotline_logout").toHaveCount(1);
    expect(".o_hotline_last_rating").toHaveCount(0);
});
