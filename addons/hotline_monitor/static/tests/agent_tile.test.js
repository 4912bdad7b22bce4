import { expect, test } from "@odoo/hoot";
import { reactive } from "@odoo/owl";
import { mountWithCleanup } from "@web/../tests/web_test_helpers";
import { defineMailModels } from "@mail/../tests/mail_test_helpers";
import { Board } from "@hotline_monitor/board/board";
import { AgentTile } from "@hotline_monitor/components/agent_tile/agent_tile";

defineMailModels();

const NOW = Date.UTC(2026, 11, 7, 2, 0, 0);

/** The board's methods a tile reads, on a board that was never started (no server, no bus). */
function boardStub() {
    const board = Object.create(Board.prototype);
    board.clock = reactive({ now: NOW });
    board.props = { token: "abc", masked: true };
    board.state = { config: { tz: "Asia/Shanghai", thresholds: { call: [300, 600], pause: [600, 900], reasons: {}, wrapup: 30 } } };
    board.openAgent = () => {};
    return board;
}

function tile(extra) {
    return { id: 3, name: "王芳", extension: "1003", state: "oncall", direction: "inbound", since: NOW - 65000,
             reason: "", queues: ["hotline"], caller: "139****5678", wrapup_until: false, ...extra };
}

test("a tile whose call is being recorded shows the recording mark, others do not", async () => {
    const board = boardStub();
    await mountWithCleanup(AgentTile, { props: { tile: tile({ recording: true }), board } });
    expect(".o_hm_tile[data-agent='3'] .o_hm_state .o_hm_rec").toHaveCount(1);
    expect(".o_hm_rec").toHaveAttribute("title", "Recording");
});

test("no mark on a call that is not recorded", async () => {
    await mountWithCleanup(AgentTile, { props: { tile: tile({ recording: false }), board: boardStub() } });
    expect(".o_hm_tile[data-agent='3']").toHaveCount(1);
    expect(".o_hm_rec").toHaveCount(0);
});
