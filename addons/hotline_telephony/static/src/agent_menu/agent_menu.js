import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { STATE_COLOURS, stateLabel } from "@hotline_telephony/agent_state/agent_state";

/** Reasons offered for 示忙 (pause); Asterisk records the text in queue_log. */
export const PAUSE_REASONS = [_t("Short Break"), _t("Lunch"), _t("Training"), _t("Meeting"), _t("After-call Work")];

/**
 * Systray control of the agent's phone: 签入/签出 (queue login/logout),
 * 示忙/示闲 (pause with a reason / unpause), showing the live state as Asterisk reports it.
 */
export class HotlineAgentMenu extends Component {
    static components = { Dropdown, DropdownItem };
    static props = [];
    static template = "hotline_telephony.AgentMenu";

    setup() {
        this.orm = useService("orm");
        this.bus = useService("bus_service");
        this.notification = useService("notification");
        this.reasons = PAUSE_REASONS;
        this.state = useState({ loading: true, configured: false, logged_in: false, paused: false,
                                reason: "", state: "offline", last_rating: false });
        // the bridge pushes the state Asterisk reports (QueueMemberStatus, pause, login...)
        this.onState = (state) => Object.assign(this.state, state);
        this.bus.subscribe("hotline_telephony/agent_state", this.onState);
        onWillUnmount(() => this.bus.unsubscribe("hotline_telephony/agent_state", this.onState));
        onWillStart(async () => {
            this.state.visible = await user.hasGroup("hotline_case.group_agent");
            if (this.state.visible) {
                this.refresh();
            }
        });
        this.timer = setInterval(() => this.state.visible && this.refresh(), 60000);
        onWillUnmount(() => clearInterval(this.timer));
    }

    /** The state as the boards name it, with the pause's reason. */
    get label() {
        const label = stateLabel(this.state.state);
        return this.state.state === "paused" && this.state.reason ? `${label} · ${this.state.reason}` : label;
    }

    /** 一次一评 of the agent's latest rated call: green, amber or red as the caller judged it. */
    get ratingClass() {
        const colours = { satisfied: "text-success", basic: "text-warning", unsatisfied: "text-danger" };
        return colours[this.state.last_rating?.rating] || "text-muted";
    }

    get ratingTime() {
        const time = this.state.last_rating?.time;
        return time ? luxon.DateTime.fromMillis(time).toFormat("HH:mm") : "";
    }

    get badgeClass() {
        return `text-${STATE_COLOURS[this.state.state] || "muted"}`;
    }

    async refresh() {
        try {
            Object.assign(
                this.state,
                await this.orm.call("res.users", "hotline_agent_state", [], { live: false })
            );
        } finally {
            this.state.loading = false;
        }
    }

    async run(method, args = []) {
        this.state.loading = true;
        try {
            Object.assign(this.state, await this.orm.call("res.users", method, [[user.userId], ...args]));
        } finally {
            this.state.loading = false;
        }
    }

    login() {
        return this.run("hotline_login");
    }
    logout() {
        return this.run("hotline_logout");
    }
    pause(reason) {
        return this.run("hotline_pause", [reason]);
    }
    unpause() {
        return this.run("hotline_unpause");
    }
}

registry.category("systray").add("hotline_telephony.agent_menu", { Component: HotlineAgentMenu }, { sequence: 90 });
