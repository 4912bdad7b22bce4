import { registry } from "@web/core/registry";

// A caller asks how to transfer a gas account: the agent types the question, the knowledge panel beside the
// description suggests the item, one click (Alt+1) puts its standard answer in the reply, 处理完毕 closes.
registry.category("web_tour.tours").add("hotline_knowledge_answer_tour", {
    url: "/odoo/action-hotline_case.hotline_case_action_new",
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=caller_phone] input",
            run: "edit 13893199876",
        },
        {
            trigger: ".o_field_widget[name=caller_name] input",
            run: "edit 李先生",
        },
        {
            trigger: ".o_field_widget[name=type_id] input",
            run: "edit 咨询",
        },
        {
            trigger: ".o_field_widget[name=type_id] .o-autocomplete--dropdown-item > a:contains(咨询)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=category_id] input",
            run: "edit 开户过户",
        },
        {
            trigger: ".o_field_widget[name=category_id] .o-autocomplete--dropdown-item > a:contains(开户过户)",
            run: "click",
        },
        {
            content: "The agent types the caller's question",
            trigger: ".o_field_widget[name=description] textarea",
            run: "edit 房子买了二手的，想问燃气过户要带什么",
        },
        {
            content: "The panel suggests the item as the agent types, without a click",
            trigger: ".o_hotline_knowledge_panel .o_hotline_knowledge_item:first .o_hotline_knowledge_title:contains(燃气过户需要哪些材料)",
        },
        {
            content: "Time from the first keystroke to the suggestion shown",
            trigger: ".o_hotline_knowledge_panel[data-latency-ms]",
            run() {
                const latency = Number(this.anchor.dataset.latencyMs);
                console.info(`hotline_knowledge: first keystroke to suggestion ${latency} ms`);
                // 250 ms of debounce plus one call: seconds mean the suggestions do not follow the typing
                if (!(latency > 0 && latency < 5000)) {
                    throw new Error(`suggestion shown ${latency} ms after the first keystroke`);
                }
            },
        },
        {
            content: "The answer is read out, then inserted in one click",
            trigger: ".o_hotline_knowledge_item:first .o_hotline_knowledge_insert",
            run: "click",
        },
        {
            content: "The reply holds the standard answer",
            trigger: ".o_field_widget[name=resolution_note] textarea:value(/不动产权证/)",
        },
        {
            content: "The agent also searches in the panel, in pinyin initials",
            trigger: ".o_hotline_knowledge_panel .o_hotline_knowledge_search",
            run: "edit gjj",
        },
        {
            trigger: ".o_hotline_knowledge_panel .o_hotline_knowledge_search",
            run: "press Enter",
        },
        {
            trigger: ".o_hotline_knowledge_item .o_hotline_knowledge_title:contains(住房公积金提取条件)",
        },
        {
            content: "处理完毕",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_close_on_call]",
            run: "click",
        },
        {
            content: "The case is closed on the call",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=closed]",
        },
    ],
});
