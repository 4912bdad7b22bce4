import { registry } from "@web/core/registry";

// After login each role lands on its own work list, not on Discuss.
registry.category("web_tour.tours").add("hotline_case_home_agent_tour", {
    steps: () => [
        {
            content: "The agent's own cases are shown",
            trigger: ".o_breadcrumb .active:contains(我的工单), .o_breadcrumb .active:contains(My Cases)",
        },
        {
            content: "The list of cases, filtered on the agent",
            trigger: ".o_list_view .o_facet_value:contains(我的工单), .o_list_view .o_facet_value:contains(My Cases)",
        },
        {
            content: "Not Discuss",
            trigger: "body:not(:has(.o-mail-Discuss))",
        },
    ],
});

registry.category("web_tour.tours").add("hotline_case_home_unit_tour", {
    steps: () => [
        {
            content: "The unit's cases are shown",
            trigger: ".o_breadcrumb .active:contains(本单位工单), .o_breadcrumb .active:contains(My Unit's Cases)",
        },
        {
            trigger: "body:not(:has(.o-mail-Discuss))",
        },
    ],
});

// A case being recorded cannot be merged or cancelled before it exists.
registry.category("web_tour.tours").add("hotline_case_new_form_tour", {
    steps: () => [
        {
            content: "The intake buttons are there",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_self_dispatch]",
        },
        {
            content: "No merge nor cancel on a new case",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_open_merge_wizard])):not(:has(button[name=action_cancel]))",
        },
        {
            content: "Type the caller's phone: the case is saved",
            trigger: ".o_form_view .o_field_widget[name=caller_phone] input",
            run: "edit 13893112345",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=caller_name] input",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Once saved, the case can be cancelled",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_cancel]",
        },
    ],
});
