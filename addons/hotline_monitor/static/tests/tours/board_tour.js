import { registry } from "@web/core/registry";

/**
 * A supervisor opens 监控 › 大屏, sees the floor and clicks an agent: the agent panel shows their
 * profile and today's figures; the queue shows the abandoned caller's full number to call back.
 */
registry.category("web_tour.tours").add("hotline_monitor_board_tour", {
    url: "/odoo/action-hotline_monitor.action_hotline_monitor_board",
    steps: () => [
        {
            content: "The board shows the agents of its queue",
            trigger: ".o_hm_tile.o_agent_oncall:contains('陈静')",
        },
        {
            content: "The caller of the call in progress is masked on the tile",
            trigger: ".o_hm_tile.o_agent_oncall .o_hm_caller:contains('139****5678')",
        },
        {
            content: "The abandoned caller is listed in full for a supervisor, with a call-back button",
            trigger: ".o_hm_abandoned li:contains('13855556666') .o_hm_callback",
        },
        {
            content: "Click the agent",
            trigger: ".o_hm_tile:contains('陈静')",
            run: "click",
        },
        {
            content: "The agent panel: name, role and today's inbound answered calls",
            trigger: ".o_hm_panel .o_hm_panel_name:contains('陈静')",
        },
        {
            trigger: ".o_hm_panel .o_hm_inbound:contains('1')",
        },
        {
            content: "Close the panel",
            trigger: ".o_hm_panel .o_hm_close",
            run: "click",
        },
        {
            trigger: ".o_hm_board:not(:has(.o_hm_panel))",
        },
    ],
});
