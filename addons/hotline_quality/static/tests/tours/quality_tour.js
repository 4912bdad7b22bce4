import { registry } from "@web/core/registry";

/**
 * The inspector opens 我的质检任务, opens the sampled call: no recording (a clear "无录音"), the case beside the
 * scorecard; scores the items (知识库答复 N/A), saves and submits: the review is locked.
 */
registry.category("web_tour.tours").add("hotline_quality_inspector_tour", {
    url: "/odoo/action-hotline_quality.action_hotline_quality_review_queue",
    steps: () => [
        {
            content: "Open the sampled call of the queue",
            trigger: ".o_data_row:contains('受理员丁') td[name=agent_id]",
            run: "click",
        },
        {
            content: "No recording for this call: the player says so",
            trigger: ".o_hotline_quality_no_recording",
        },
        {
            content: "The case beside the scorecard",
            trigger: ".o_field_widget[name=case_description]:contains('小区停水两天')",
        },
        {
            trigger: ".o_data_row:contains('开头语含工号') td[name=value]",
            run: "click",
        },
        {
            content: "开头语含工号: full points",
            trigger: ".o_data_row:contains('开头语含工号') td[name=value] input",
            run: "edit 10",
        },
        {
            trigger: ".o_data_row:contains('工单录入准确') td[name=value]",
            run: "click",
        },
        {
            content: "工单录入准确: full points",
            trigger: ".o_data_row:contains('工单录入准确') td[name=value] input",
            run: "edit 60",
        },
        {
            trigger: ".o_data_row:contains('知识库答复') td[name=note]",
            run: "click",
        },
        {
            content: "知识库答复 does not apply to this call",
            trigger: ".o_data_row:contains('知识库答复') td[name=na] input[type=checkbox]",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "N/A re-weights: (10 + 60) / (10 + 60) = 100",
            trigger: ".o_field_widget[name=score]:contains('100')",
        },
        {
            content: "Submit",
            trigger: "button[name=action_submit]",
            run: "click",
        },
        {
            content: "Confirm: the review will be locked",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Submitted",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=submitted]",
        },
        {
            content: "Locked: no submit button any more",
            trigger: ".o_form_view:not(:has(button[name=action_submit]))",
        },
    ],
});

/** The agent opens 我的质检结果, appeals the review with a reason. */
registry.category("web_tour.tours").add("hotline_quality_appeal_tour", {
    url: "/odoo/action-hotline_quality.action_hotline_quality_review_mine",
    steps: () => [
        {
            content: "Open the submitted review",
            trigger: ".o_data_row:contains('质检员甲') td[name=inspector_id]",
            run: "click",
        },
        {
            content: "Appeal",
            trigger: "button[name=action_open_appeal]",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal div[name=reason] textarea",
            run: "edit 录音第15秒已报工号，请复核。",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Appealed: the button is gone (an appeal is allowed once)",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=appealed]",
        },
        {
            trigger: ".o_form_view:not(:has(button[name=action_open_appeal]))",
        },
    ],
});
