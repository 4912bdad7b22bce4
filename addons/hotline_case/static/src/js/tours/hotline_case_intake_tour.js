import { registry } from "@web/core/registry";

// An agent takes a call from a frequent caller and dispatches the case to the suggested unit,
// all in the intake form: the phone number finds the caller, the category and district find the unit.
registry.category("web_tour.tours").add("hotline_case_intake_tour", {
    url: "/odoo/action-hotline_case.hotline_case_action_new",
    steps: () => [
        {
            content: "Type the caller's phone number first, as dictated",
            trigger: ".o_form_view .o_field_widget[name=caller_phone] input",
            run: "edit +86 138 9311 2345",
        },
        {
            content: "Leave the phone field: it is normalised and the caller is looked up",
            trigger: ".o_form_view .o_field_widget[name=caller_name] input",
            run: "click",
        },
        {
            content: "The number is normalised",
            trigger: ".o_field_widget[name=caller_phone] input:value(13893112345)",
        },
        {
            content: "The caller's name is filled in",
            trigger: ".o_field_widget[name=caller_name] input:value(王秀英)",
        },
        {
            content: "The caller is flagged as a repeat caller",
            trigger: ".o_hotline_repeat_badge:visible",
        },
        {
            content: "The caller's previous cases are listed",
            trigger: ".o_notebook a[name=caller_cases]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=caller_case_ids] .o_data_row",
        },
        {
            content: "Case type",
            trigger: ".o_field_widget[name=type_id] input",
            run: "edit 求助",
        },
        {
            trigger: ".o_field_widget[name=type_id] .o-autocomplete--dropdown-item > a:contains(求助)",
            run: "click",
        },
        {
            content: "Category",
            trigger: ".o_field_widget[name=category_id] input",
            run: "edit 停水",
        },
        {
            trigger: ".o_field_widget[name=category_id] .o-autocomplete--dropdown-item > a:contains(停水)",
            run: "click",
        },
        {
            content: "The industry follows the category",
            trigger: ".o_field_widget[name=industry_id] input:value(供水)",
        },
        {
            content: "District",
            trigger: ".o_field_widget[name=district_id] input",
            run: "edit 城关",
        },
        {
            trigger: ".o_field_widget[name=district_id] .o-autocomplete--dropdown-item > a:contains(城关区)",
            run: "click",
        },
        {
            content: "The routing rules choose the unit",
            trigger: ".o_field_widget[name=unit_id] input:value(市供水集团管网抢修中心)",
        },
        {
            content: "Describe the request",
            trigger: ".o_field_widget[name=description] textarea",
            run: "edit 小区3号楼从昨晚开始停水，至今未恢复，家中有老人。",
        },
        {
            content: "Dispatch to the unit in one click (自调度)",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_self_dispatch]",
            run: "click",
        },
        {
            content: "The case is now waiting for the unit to sign for it",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=dispatched]",
        },
    ],
});
