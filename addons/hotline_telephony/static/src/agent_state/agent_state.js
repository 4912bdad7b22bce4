/**
 * The agent's state as the systray and the wall boards show it: the vocabulary of
 * hotline.agent.state (offline / idle / paused / ringing / oncall / wrapup), its labels, its
 * classes, and the masking of a caller's number (the Python `mask_number` is the same rule).
 */
import { _t } from "@web/core/l10n/translation";

/** The states, in the boards' legend order. */
export const AGENT_STATES = ["idle", "paused", "oncall", "ringing", "wrapup", "offline"];

/** Bootstrap's colour of each state (the systray's headset). */
export const STATE_COLOURS = {
    idle: "success",
    wrapup: "success",
    paused: "warning",
    ringing: "danger",
    oncall: "danger",
    offline: "muted",
};

/** What a state is called; a call says which way it goes when it is known. */
export function stateLabel(state, direction = "") {
    if (state === "oncall" && direction) {
        return direction === "outbound" ? _t("On Call (out)") : _t("On Call (in)");
    }
    const labels = {
        idle: _t("Idle"),
        paused: _t("Paused"),
        oncall: _t("On Call"),
        ringing: _t("Ringing"),
        wrapup: _t("Wrap-up"),
        offline: _t("Signed Out"),
    };
    return labels[state] || labels.offline;
}

/** The class that colours an element by a state: o_agent_<state>. */
export function stateClass(state) {
    return `o_agent_${AGENT_STATES.includes(state) ? state : "offline"}`;
}

/** 139****5678: enough to tell two callers apart, not enough to call them; a short number is masked whole. */
export function mask(number) {
    if (!number || number.includes("*")) {
        return number || "";
    }
    return number.length >= 8
        ? number.slice(0, 3) + "*".repeat(number.length - 7) + number.slice(-4)
        : "*".repeat(number.length);
}
