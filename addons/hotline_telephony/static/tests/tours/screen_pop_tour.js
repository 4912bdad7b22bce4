import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

/**
 * A repeat caller's call reaches the agent: the screen pop shows the known caller
 * and their previous case, and "New Case" opens a case form pre-filled from the call.
 * The pop is sent through the bus, as the AMI bridge does on AgentConnect.
 */
registry.category("web_tour.tours").add("hotline_screen_pop_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "The agent's phone control is in the systray",
            trigger: ".o_hotline_agent_toggle",
            run: async () => {
                const [call] = await rpc("/web/dataset/call_kw/hotline.call/search_read", {
                    model: "hotline.call",
                    method: "search_read",
                    args: [[["caller_number", "=", "13800138000"]], ["id"]],
                    kwargs: { limit: 1 },
                });
                await rpc("/web/dataset/call_kw/hotline.call/action_screen_pop", {
                    model: "hotline.call",
                    method: "action_screen_pop",
                    args: [[call.id]],
                    kwargs: {},
                });
            },
        },
        {
            content: "The pop names the known caller",
            trigger: ".o_hotline_screen_pop:contains(王先生):contains(13800138000)",
        },
        {
            content: "... with their previous case",
            trigger: ".o_hotline_screen_pop:contains(12319-)",
        },
        {
            // the first button, whatever the agent's language
            content: "Open a new case from the call",
            trigger: ".o_hotline_screen_pop .o_notification_buttons button:first",
            run: "click",
        },
        {
            content: "The case form is pre-filled with the caller's phone",
            trigger: ".o_form_view .o_field_widget[name=caller_phone] input:value(13800138000)",
        },
        {
            content: "Describe the request",
            trigger: ".o_form_view .o_field_widget[name=description] textarea",
            run: "edit 路灯又不亮了，位于人民路与解放路口",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the case got its number",
            trigger: ".o_breadcrumb:contains(12319-)",
        },
    ],
});
