import { registry } from "@web/core/registry";

// A member of a unit signs for a confidential case and submits the result, without ever seeing the caller.
registry.category("web_tour.tours").add("hotline_case_unit_tour", {
    steps: () => [
        {
            content: "The case waits for the unit to sign for it",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=dispatched]",
        },
        {
            content: "The caller is masked for the unit",
            trigger: ".o_field_widget[name=unit_caller_name]:not(:contains(王秀英))",
        },
        {
            content: "No caller phone field for units",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=caller_phone])):not(:contains(13893112345))",
        },
        {
            content: "Sign for the case (签收)",
            trigger: ".o_statusbar_buttons button[name=action_accept]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=processing]",
        },
        {
            content: "Describe the result",
            trigger: ".o_field_widget[name=result_note] textarea",
            run: "edit 已更换加压泵，当日恢复供水。",
        },
        {
            content: "Submit the result for review",
            trigger: ".o_statusbar_buttons button[name=action_submit]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=submitted]",
        },
    ],
});
