import { expect, test } from "@odoo/hoot";
import { queryAllTexts } from "@odoo/hoot-dom";
import { reactive } from "@odoo/owl";
import { mountWithCleanup } from "@web/../tests/web_test_helpers";
import { defineMailModels } from "@mail/../tests/mail_test_helpers";
import { Board } from "@hotline_monitor/board/board";
import { AgentPanel } from "@hotline_monitor/components/agent_panel/agent_panel";

defineMailModels();

/** The board's methods the panel reads, on a board that was never started (no server, no bus). */
function boardStub() {
    const board = Object.create(Board.prototype);
    board.clock = reactive({ now: Date.UTC(2026, 11, 7, 2, 0, 0) });
    board.props = { token: "abc", masked: true };
    board.state = { config: { tz: "Asia/Shanghai" } };
    return board;
}

test("an agent with no activity today reads 0 and 00:00, not blanks", async () => {
    const panel = {
        id: 7,
        name: "刘洋",
        role: "Agent",
        company: "12319",
        interface: "PJSIP/1007",
        extension: "1007",
        tile: { state: "offline", since: false },
        figures: {
            inbound_answered: 0,
            outbound_answered: 0,
            outbound_total: 0,
            missed_rings: 0,
            talk_in: 0,
            talk_out: 0,
            signed_in: 0,
            paused: 0,
            idle: 0,
            cases: 0,
            first_login: false,
            paused_by_reason: {},
        },
    };
    await mountWithCleanup(AgentPanel, { props: { panel, board: boardStub() } });
    expect(queryAllTexts(".o_hm_panel .o_hm_kpi b")).toEqual([
        "0",
        "0 / 0",
        "0",
        "00:00",
        "00:00",
        "00:00",
        "00:00",
        "00:00",
        "0",
    ]);
    expect(".o_hm_panel_name").toHaveText("刘洋");
});
