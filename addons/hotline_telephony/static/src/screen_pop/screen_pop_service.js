import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { renderToMarkup } from "@web/core/utils/render";

/**
 * Screen pop: when a queue call connects to this agent, the bridge sends
 * "hotline_telephony/screen_pop" on the agent's own bus channel. Show who calls,
 * their previous cases, and one click to a new case pre-filled from the call.
 */
export const hotlineScreenPopService = {
    dependencies: ["bus_service", "notification", "action", "orm"],
    start(env, { bus_service, notification, action, orm }) {
        const show = (payload) => {
            // the template escapes what the caller and the cases bring
            const body = renderToMarkup("hotline_telephony.ScreenPop", {
                pop: payload,
                countLabel: _t("Previous cases: %s", payload.case_count),
            });
            const close = notification.add(body, {
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
