import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { TextField, textField } from "@web/views/fields/text/text_field";

import { useEffect, useState } from "@odoo/owl";

// Time to wait after the last keystroke before asking the server: fast typists are not slowed down.
const DEBOUNCE_MS = 250;

/**
 * The case description with the knowledge items it suggests beside it (知识推荐): every pause in typing and
 * every change of category asks the server for the items valid today; Alt+1..5 (or a click) inserts an
 * item's standard answer into the reply and links the item to the case.
 */
export class KnowledgeTextField extends TextField {
    static template = "hotline_knowledge.KnowledgeTextField";

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.action = useService("action");
        this.knowledge = useState({
            items: [], loading: false, inserted: [], latency: false, query: "", cases: [],
        });
        // time from the first keystroke to the first suggestion shown (read by the browser test)
        this.firstInputAt = null;
        this.requestId = 0;
        this.debouncedSuggest = useDebounced((text) => this.suggest(text), DEBOUNCE_MS);
        this.debouncedSearch = useDebounced(() => this.search(false), DEBOUNCE_MS);
        useEffect(
            (textarea) => {
                if (!textarea) {
                    return;
                }
                const onInput = () => {
                    this.firstInputAt ??= performance.now();
                    this.debouncedSuggest(textarea.value);
                };
                textarea.addEventListener("input", onInput);
                return () => textarea.removeEventListener("input", onInput);
            },
            () => [this.textareaRef.el]
        );
        useEffect(
            () => {
                if (this.showPanel) {
                    this.suggest(this.textareaRef.el?.value ?? this.props.record.data[this.props.name] ?? "");
                }
            },
            () => [this.props.record.data.category_id?.id, this.props.record.data.partner_id?.id, this.showPanel]
        );
    }

    get showPanel() {
        return !this.props.readonly && this.props.record.data.state === "draft";
    }

    async suggest(text) {
        if (this.knowledge.query.trim()) {
            return; // the agent's own search box wins over the description
        }
        const requestId = ++this.requestId;
        const categoryId = this.props.record.data.category_id?.id || false;
        // before a category is chosen, the caller's previous cases' categories suggest (screen pop)
        const partnerId = this.props.record.data.partner_id?.id || false;
        if (!(text || "").trim() && !categoryId && !partnerId) {
            this.knowledge.items = [];
            return;
        }
        this.knowledge.loading = true;
        const items = await this.orm.call("hotline.knowledge.item", "search_knowledge", [text || ""], {
            limit: 5,
            match_all: false,
            case_category_id: categoryId,
            partner_id: partnerId,
        });
        if (requestId === this.requestId) {
            // an older answer arriving late never replaces a newer one
            this.knowledge.items = items;
            this.knowledge.loading = false;
            if (items.length && this.firstInputAt !== null && this.knowledge.latency === false) {
                this.knowledge.latency = Math.round(performance.now() - this.firstInputAt);
            }
        }
    }

    onSearchInput(ev) {
        this.knowledge.query = ev.target.value;
        this.debouncedSearch();
    }

    onSearchKeydown(ev) {
        if (ev.key === "Enter") {
            // a search the agent settled on is counted (searches without a result show what to write next)
            ev.preventDefault();
            this.search(true);
        }
    }

    async search(log) {
        const query = this.knowledge.query.trim();
        if (!query) {
            this.knowledge.cases = [];
            return this.suggest(this.textareaRef.el?.value ?? "");
        }
        const requestId = ++this.requestId;
        this.knowledge.loading = true;
        const record = this.props.record;
        const [items, cases] = await Promise.all([
            this.orm.call("hotline.knowledge.item", "search_knowledge", [query], {
                limit: 5,
                match_all: true,
                case_category_id: record.data.category_id?.id || false,
                log,
            }),
            this.orm.call("hotline.case", "search_similar_cases", [query], {
                limit: 3,
                exclude_id: record.resId || false,
            }),
        ]);
        if (requestId === this.requestId) {
            this.knowledge.items = items;
            this.knowledge.cases = cases;
            this.knowledge.loading = false;
        }
    }

    async insert(item) {
        const record = this.props.record;
        if (!(await record.save())) {
            return;
        }
        await this.orm.call("hotline.case", "action_use_knowledge", [[record.resId], item.id]);
        await record.load();
        this.knowledge.inserted.push(item.id);
        this.notification.add(_t("Answer inserted: %s", item.name), { type: "success" });
    }

    async flag(item) {
        // wrong, outdated or unclear: the owner unit gets a task, with this case attached once it is saved
        await this.action.doAction("hotline_knowledge.hotline_knowledge_flag_action", {
            additionalContext: { active_id: item.id, default_case_id: this.props.record.resId || false },
        });
    }
}

export const knowledgeTextField = {
    ...textField,
    component: KnowledgeTextField,
    displayName: _t("Text with knowledge suggestions"),
};

registry.category("fields").add("hotline_knowledge_text", knowledgeTextField);
