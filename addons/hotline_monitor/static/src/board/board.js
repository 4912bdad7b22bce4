import { Component, onWillStart, onWillUnmount, reactive, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { ConnectionLostError, rpc } from "@web/core/network/rpc";
import { useService } from "@web/core/utils/hooks";

const STATES = ["idle", "paused", "oncall", "ringing", "wrapup", "offline"];

/** "1:02:03" / "02:03" from seconds. */
export function formatDuration(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** Whether a failed snapshot is the server saying the board's URL is no longer valid (its 404 answer). */
export function isRevoked(error) {
    return Boolean(error && error.code === 404 && !(error instanceof ConnectionLostError));
}

/** Milliseconds before the try after `failures` failed ones: doubling from 1 s to 30 s, ±25 % at random. */
export function retryDelay(failures) {
    const base = Math.min(30000, 1000 * 2 ** Math.min(failures, 5));
    return Math.round(base * (0.75 + Math.random() / 2));
}

/** Colour of a tile from its time in state: "", "amber" or "red". */
export function tileLevel(tile, thresholds, nowMs) {
    if (!tile.since) {
        return "";
    }
    const elapsed = (nowMs - tile.since) / 1000;
    let limits = null;
    if (tile.state === "oncall") {
        limits = thresholds.call;
    } else if (tile.state === "paused") {
        limits = thresholds.reasons[tile.reason] || thresholds.pause;
    }
    if (!limits) {
        return "";
    }
    if (limits[1] && elapsed >= limits[1]) {
        return "red";
    }
    return limits[0] && elapsed >= limits[0] ? "amber" : "";
}

/**
 * What shows a time reads the board's clock (`board.clock`, one reactive value ticking every second)
 * through its own useState: a tick re-renders these small components only, never the board and
 * its 300 tiles at once; a pushed change re-renders the board, whose unchanged tiles are skipped
 * (same props).
 */
class Clocked extends Component {
    setup() {
        this.clock = useState(this.props.board.clock);
    }
}

class AgentTile extends Clocked {
    static template = "hotline_monitor.AgentTile";
    static props = { tile: Object, board: Object };
}

class QueueBlock extends Clocked {
    static template = "hotline_monitor.QueueBlock";
    static props = { name: String, block: { type: Object, optional: true }, tiles: Array, board: Object };

    get view() {
        return this.props.board.queueView(this.props.name, this.props.block, this.props.tiles, this.clock.now);
    }
}

class BoardClock extends Clocked {
    static template = "hotline_monitor.BoardClock";
    static props = { board: Object };
}

/** The data's freshness: a sign as soon as the bridge's heartbeat is older than health's silence. */
class DelaySign extends Clocked {
    static template = "hotline_monitor.DelaySign";
    static props = { board: Object };
}

/** A link's lag (e.g. the unit server exchange), ticking from the oldest undelivered item's time. */
class LinkFigure extends Clocked {
    static template = "hotline_monitor.LinkFigure";
    static props = { link: Object, board: Object };
}

/** A burst: its live count and the time since its first case, ticking. */
class BurstAlert extends Clocked {
    static template = "hotline_monitor.BurstAlert";
    static props = { alert: Object, board: Object };
}

class AgentPanel extends Clocked {
    static template = "hotline_monitor.AgentPanel";
    static props = { panel: Object, board: Object };
}

/**
 * The wallboard. Loads one snapshot (on start and on every bus reconnection), then applies the
 * changes the server pushes over the bus; only the clock ticks locally.
 */
export class Board extends Component {
    static template = "hotline_monitor.Board";
    static components = { AgentTile, QueueBlock, BoardClock, LinkFigure, AgentPanel, DelaySign, BurstAlert };
    static props = {
        boardId: Number,
        token: { type: String, optional: true },
        masked: Boolean,
        embedded: { type: Boolean, optional: true },
    };

    setup() {
        this.bus = useService("bus_service");
        this.state = useState({
            loaded: false,
            config: null,
            agents: {},
            order: [],
            queues: {},
            cases: null,
            alerts: [],
            panel: null,
            message: "",
            revoked: false,
            offline: false, // the last snapshot failed or the bus is down: what shows may be behind
        });
        // the bridge's heartbeat: read by the sign on the clock's tick, so a heartbeat pushed every 10 s
        // does not re-render the board
        this.bridge = false;
        this.silence = 60; // seconds (system health's setting, with the snapshot)
        this.offset = 0; // server clock - browser clock
        this.clock = reactive({ now: Date.now() });
        this.stateLabels = {
            idle: _t("Idle"),
            paused: _t("Paused"),
            oncall: _t("On Call"),
            ringing: _t("Ringing"),
            wrapup: _t("Wrap-up"),
            offline: _t("Signed Out"),
        };
        this.onUpdate = (payload) => this.applyChanges(payload);
        // pushes are lost while the bus is down: every way back (a reconnection after an unclean close, a
        // connection restarted after the browser went offline, the network back) reloads the floor
        this.busDown = false;
        this.onDisconnect = () => {
            this.busDown = true;
            this.state.offline = true;
        };
        this.onConnect = () => {
            if (this.busDown) {
                this.busDown = false;
                this.load();
            }
        };
        this.onReconnect = () => {
            this.busDown = false;
            this.load();
        };
        this.failures = 0;
        this.retryTimer = null;
        this.loading = null;
        onWillStart(async () => {
            // a first snapshot that fails is retried in the background: the screen says it is connecting
            await this.load();
            this.bus.subscribe("hotline_monitor/update", this.onUpdate);
            this.bus.addEventListener("BUS:DISCONNECT", this.onDisconnect);
            this.bus.addEventListener("BUS:CONNECT", this.onConnect);
            this.bus.addEventListener("BUS:RECONNECT", this.onReconnect);
            window.addEventListener("online", this.onOnline);
            if (this.props.token) {
                this.bus.addChannel(this.props.token);
            } else {
                this.bus.start();
            }
        });
        this.timer = setInterval(() => (this.clock.now = Date.now() + this.offset), 1000);
        onWillUnmount(() => {
            clearInterval(this.timer);
            clearTimeout(this.retryTimer);
            this.unmounted = true;
            this.bus.unsubscribe("hotline_monitor/update", this.onUpdate);
            this.bus.removeEventListener("BUS:DISCONNECT", this.onDisconnect);
            this.bus.removeEventListener("BUS:CONNECT", this.onConnect);
            this.bus.removeEventListener("BUS:RECONNECT", this.onReconnect);
            window.removeEventListener("online", this.onOnline);
            if (this.props.token) {
                this.bus.deleteChannel(this.props.token);
            }
        });
    }

    get base() {
        return this.props.token
            ? `/hotline_monitor/board/${this.props.token}`
            : `/hotline_monitor/supervisor/${this.props.boardId}`;
    }

    /** Loads the floor's snapshot; one load at a time, a load asked meanwhile runs after it. */
    load() {
        if (this.loading) {
            this.loadAgain = true;
            return this.loading;
        }
        clearTimeout(this.retryTimer);
        this.loading = this.fetchSnapshot().finally(() => {
            this.loading = null;
            if (this.loadAgain && !this.unmounted) {
                this.loadAgain = false;
                this.load();
            }
        });
        return this.loading;
    }

    async fetchSnapshot() {
        let snapshot;
        try {
            snapshot = await rpc(`${this.base}/snapshot`, {}, { silent: true });
        } catch (error) {
            if (isRevoked(error)) {
                // the server's own answer for a rotated or revoked URL: blank the screen, for good
                this.state.revoked = true;
                this.state.loaded = false;
                return;
            }
            // anything else (a 502 from a proxy while the server restarts, the network cut, a server error)
            // passes: keep what is shown, say so, and ask again later
            this.state.offline = true;
            this.scheduleRetry();
            return;
        }
        this.failures = 0;
        this.state.offline = this.busDown;
        this.state.revoked = false;
        this.offset = snapshot.server_time - Date.now();
        this.state.config = snapshot.config;
        this.state.agents = Object.fromEntries(snapshot.agents.map((a) => [a.id, a]));
        this.state.order = snapshot.agents.map((a) => a.id);
        this.state.queues = Object.fromEntries(snapshot.queues.map((q) => [q.name, q]));
        this.state.cases = snapshot.cases;
        this.state.alerts = snapshot.alerts;
        this.bridge = snapshot.bridge;
        this.silence = snapshot.bridge_silence;
        this.clock.now = Date.now() + this.offset;
        this.state.loaded = true;
    }

    /** Another try after 1, 2, 4… up to 30 s, spread so that a hall of screens does not come back at once. */
    scheduleRetry() {
        if (this.unmounted) {
            return;
        }
        const delay = retryDelay(this.failures++);
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.load(), delay);
    }

    /**
     * Whether the figures may be behind the floor at `now` (server clock): the bridge is not connected,
     * or its last heartbeat is older than system health's silence. Judged on the screen's own clock,
     * so a dead bridge (which pushes nothing) shows too.
     */
    delayed(now) {
        const bridge = this.bridge;
        if (!bridge) {
            return false;
        }
        return !bridge.connected || !bridge.heartbeat || now - bridge.heartbeat > this.silence * 1000;
    }

    delayLabel() {
        const heartbeat = this.bridge && this.bridge.heartbeat;
        if (!heartbeat) {
            return _t("Data delayed · nothing received from the PBX yet");
        }
        return _t("Data delayed · not updated since %(time)s", { time: this.centerTime(heartbeat) });
    }

    /** hh:mm:ss on the center's clock (the room reads the center's time, whatever the screen's zone). */
    centerTime(ms) {
        const options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
        try {
            return new Date(ms).toLocaleTimeString("zh-CN", { ...options, timeZone: this.state.config.tz });
        } catch {
            return new Date(ms).toLocaleTimeString("zh-CN", options); // a zone this browser does not know
        }
    }

    applyChanges(payload) {
        if (payload.revoked) {
            this.state.revoked = true;
            this.state.loaded = false;
            return;
        }
        const config = this.state.config;
        if (!config) {
            return;
        }
        if (payload.bridge !== undefined) {
            const wasDelayed = this.delayed(Date.now() + this.offset);
            this.bridge = payload.bridge;
            if (wasDelayed && !this.delayed(Date.now() + this.offset)) {
                // the bridge caught up: what changed meanwhile is in a new snapshot, not in the pushes missed
                this.load();
                return;
            }
        }
        for (const tile of payload.agents || []) {
            if (config.user_ids.includes(tile.id)) {
                this.state.agents[tile.id] = tile;
                if (!this.state.order.includes(tile.id)) {
                    this.state.order.push(tile.id);
                }
            }
        }
        for (const block of payload.queues || []) {
            if (config.queues.includes(block.name)) {
                if (this.props.masked) {
                    block.abandoned = block.abandoned.map((a) => ({ ...a, number: this.mask(a.number) }));
                }
                this.state.queues[block.name] = block;
            }
        }
        if (payload.cases) {
            this.state.cases = payload.cases;
        }
        if (payload.alerts) {
            this.state.alerts = payload.alerts;
        }
        if (this.state.panel && (payload.agents || []).some((t) => t.id === this.state.panel.id)) {
            this.openAgent(this.state.panel.id);
        }
    }

    /** A supervisor's channel carries numbers; a logged-out board never shows them. */
    mask(number) {
        if (!number || number.includes("*")) {
            return number || "";
        }
        return number.length >= 8
            ? number.slice(0, 3) + "*".repeat(number.length - 7) + number.slice(-4)
            : "*".repeat(number.length);
    }

    get tiles() {
        return this.state.order.map((id) => this.state.agents[id]).filter(Boolean);
    }

    get legend() {
        return STATES.map((s) => ({ state: s, label: this.stateLabels[s] }));
    }

    /** The state to show: a wrap-up is over by itself when its time has run out. */
    shownState(tile, now) {
        return tile.state === "wrapup" && tile.wrapup_until && now >= tile.wrapup_until ? "idle" : tile.state;
    }

    tileClass(tile, now) {
        const level = tileLevel(tile, this.state.config.thresholds, now);
        return `o_hm_tile o_hm_${this.shownState(tile, now)}` + (level ? ` o_hm_${level}` : "");
    }

    elapsed(since, now) {
        return since ? formatDuration((now - since) / 1000) : "";
    }

    tileState(tile, now) {
        if (tile.state === "oncall" && tile.direction) {
            return tile.direction === "outbound" ? _t("On Call (out)") : _t("On Call (in)");
        }
        return this.stateLabels[this.shownState(tile, now)];
    }

    avatarUrl(tile) {
        return this.props.token
            ? `/hotline_monitor/board/${this.props.token}/avatar/${tile.id}`
            : `/web/image/res.users/${tile.id}/avatar_128`;
    }

    /** A queue's block as shown at `now`, from its pushed block and the board's tiles. */
    queueView(name, block, tiles, now) {
        block = block || { waiting: [], figures: {}, abandoned: [], surge: null };
        const members = tiles.filter((t) => t.queues.includes(name));
        const count = (state) => members.filter((t) => this.shownState(t, now) === state).length;
        const longest = block.waiting.length ? (now - Math.min(...block.waiting)) / 1000 : 0;
        const alarm = this.state.config.alarm;
        const f = block.figures || {};
        const surge = block.surge;
        const factor = this.state.config.surge.factor;
        const view = {
            name,
            waiting: block.waiting.length,
            longest,
            longestLabel: formatDuration(longest),
            figures: f,
            signedIn: members.length,
            idle: count("idle"),
            paused: count("paused"),
            oncall: count("oncall") + count("ringing"),
            abandoned: block.abandoned,
            abandonedCount: block.abandoned_count || 0,
            surge,
            surgeAlarm: Boolean(
                surge &&
                    surge.last15 >= this.state.config.surge.min_calls &&
                    surge.last15 > surge.baseline * factor
            ),
        };
        view.alarms = {
            waiting: alarm.waiting > 0 && view.waiting >= alarm.waiting,
            wait: alarm.wait_seconds > 0 && longest >= alarm.wait_seconds,
            // the KPI is a fraction, the board's alarm threshold a percentage
            sl: f.service_level !== null && f.service_level !== undefined && f.service_level * 100 < alarm.service_level,
            idle: alarm.no_idle && view.signedIn > 0 && view.idle === 0,
        };
        view.alarm = Object.values(view.alarms).some(Boolean) || view.surgeAlarm;
        if (view.alarm && alarm.sound) {
            this.beep(name, now);
        }
        return view;
    }

    percent(value) {
        // the reports' rates are fractions 0..1
        return value === null || value === undefined ? "—" : `${Math.round(value * 1000) / 10}%`;
    }

    beep(name, now) {
        // once per alarm start and queue, not on every tick
        this._beeped = this._beeped || {};
        if (this._beeped[name] && now - this._beeped[name] < 60000) {
            return;
        }
        this._beeped[name] = now;
        try {
            const ctx = new AudioContext();
            const osc = ctx.createOscillator();
            osc.connect(ctx.destination);
            osc.start();
            osc.stop(ctx.currentTime + 0.4);
        } catch {
            // no audio device on this screen
        }
    }

    alertCount(alert) {
        return _t("%(count)s cases", { count: alert.count });
    }

    /** Open: how long since its first case; handled: its span, first to last case. */
    alertSince(alert, now) {
        if (alert.state !== "open") {
            return `${this.centerTime(alert.first_ms).slice(0, 5)} – ${this.centerTime(alert.last_ms).slice(0, 5)}`;
        }
        return _t("%(time)s since the first case", { time: formatDuration((now - alert.first_ms) / 1000) });
    }

    clockLabel(now) {
        return new Date(now).toLocaleTimeString("zh-CN", { hour12: false });
    }

    async openAgent(id) {
        const panel = await rpc(`${this.base}/agent/${id}`);
        this.state.panel = panel && panel.id ? panel : null;
    }

    closePanel() {
        this.state.panel = null;
    }

    pauseRows(pauses) {
        return Object.entries(pauses || {}).map(([reason, seconds]) => ({
            reason: reason || _t("Busy"),
            duration: formatDuration(seconds),
        }));
    }

    async callBack(callId) {
        const result = await rpc(`/hotline_monitor/supervisor/${this.props.boardId}/callback/${callId}`);
        this.state.message = result.error || result.message || "";
    }

    formatDuration(seconds) {
        return formatDuration(seconds);
    }

    formatTime(ms) {
        return ms ? new Date(ms).toLocaleTimeString("zh-CN", { hour12: false }) : "";
    }

    formatUtc(text) {
        return text ? new Date(text.replace(" ", "T") + "Z").toLocaleTimeString("zh-CN", { hour12: false }) : "—";
    }
}
