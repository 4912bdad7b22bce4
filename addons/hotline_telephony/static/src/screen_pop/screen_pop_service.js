import { markup } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { escape } from "@web/core/utils/strings";

/**
 * Screen pop: when a queue call connects to this agent, the bridge sends
 * "hotline_telephony/screen_pop" on the agent's own bus channel. Show who calls,
 * their previous cases, and one click to a new case pre-filled from the call.
 */
export const hotlineScreenPopService = {
    dependencies: ["bus_service", "notification", "action", "orm"],
    start(env, { bus_service, notification, action, orm }) {
        const show = (payload) => {
            const who = payload.partner ? payload.partner.name : _t("Unknown caller");
            const lines = [
                `<div class="o_hotline_pop_caller"><b>${escape(payload.caller_number)}</b> · ${escape(who)}</div>`,
                `<div>${escape(_t("Previous cases: %s", payload.case_count))}</div>`,
            ];
            for (const c of payload.cases) {
                lines.push(`<div class="small text-muted">${escape(c.name)} · ${escape(c.state_label)}</div>`);
            }
            const close = notification.add(markup(lines.join("")), {
                title: _t("Incoming hotline call"),
                type: "info",
                sticky: true,
                className: "o_hotline_screen_pop",
                buttons: [
                    {
                        name: _t("New Case"),
                        primary: true,
                        onClick: async () => {
                            close();
                            const act = await orm.call("hotline.call", "action_new_case", [[payload.call_id]]);
                            await action.doAction(act);
                        },
                    },
                    ...payload.cases.slice(0, 1).map((c) => ({
                        name: _t("Open %s", c.name),
                        onClick: () => {
                            close();
                            action.doAction({
                                type: "ir.actions.act_window",
                                res_model: "hotline.case",
                                res_id: c.id,
                                views: [[false, "form"]],
                            });
                        },
                    })),
                ],
            });
        };
        bus_service.subscribe("hotline_telephony/screen_pop", show);
        bus_service.start();
        return { show };
    },
};

registry.category("services").add("hotline_screen_pop", hotlineScreenPopService);
