import { Component, onMounted, onPatched, onWillStart, onWillUnmount, reactive, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { rpc } from "@web/core/network/rpc";
import { useService } from "@web/core/utils/hooks";
import { AgentPanel } from "@hotline_monitor/components/agent_panel/agent_panel";
import { AgentTile } from "@hotline_monitor/components/agent_tile/agent_tile";
import { BoardClock } from "@hotline_monitor/components/board_clock/board_clock";
import { BurstAlert } from "@hotline_monitor/components/burst_alert/burst_alert";
import { DelaySign } from "@hotline_monitor/components/delay_sign/delay_sign";
import { LinkFigure } from "@hotline_monitor/components/link_figure/link_figure";
import { QueueBlock } from "@hotline_monitor/components/queue_block/queue_block";
import { AGENT_STATES, stateClass, stateLabel } from "@hotline_telephony/agent_state/agent_state";
import {
    formatDuration,
    formatPercent,
    isRevoked,
    mergeQueueBlock,
    queueView,
    retryDelay,
    shownState,
    tileLayout,
    tileLevel,
} from "@hotline_monitor/board/floor";

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
            area: { width: 0, height: 0 }, // the agents' part of the screen, px
        });
        // the tiles scale to the floor: measured on every resize of their part of the screen
        this.agentsRef = useRef("agents");
        this.resizeObserver = new ResizeObserver(([entry]) => {
            const { width, height } = entry.contentRect;
            if (width !== this.state.area.width || height !== this.state.area.height) {
                this.state.area = { width, height };
            }
        });
        this.observed = null;
        const observe = () => {
            const el = this.agentsRef.el;
            if (el !== this.observed) {
                this.resizeObserver.disconnect();
                if (el) {
                    this.resizeObserver.observe(el);
                }
                this.observed = el;
            }
        };
        onMounted(observe);
        onPatched(observe);
        // the bridge's heartbeat: read by the sign on the clock's tick, so a heartbeat pushed every 10 s
        // does not re-render the board
        this.bridge = false;
        this.silence = 60; // seconds (system health's setting, with the snapshot)
        this.offset = 0; // server clock - browser clock
        this.clock = reactive({ now: Date.now() });
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
            this.resizeObserver.disconnect();
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
                this.state.queues[block.name] = mergeQueueBlock(this.state.queues[block.name], block, this.props.masked);
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

    get tiles() {
        return this.state.order.map((id) => this.state.agents[id]).filter(Boolean);
    }

    /** Columns, rows and font size of the tiles: as large as the floor's size lets them be. */
    get agentsStyle() {
        const { width, height } = this.state.area;
        const layout = tileLayout(this.state.order.length, width, height);
        return `grid-template-columns: repeat(${layout.columns}, minmax(0, 1fr)); font-size: ${layout.fontSize}px;`;
    }

    get legend() {
        return AGENT_STATES.map((s) => ({ state: s, label: stateLabel(s), cls: stateClass(s) }));
    }

    tileClass(tile, now) {
        const level = tileLevel(tile, this.state.config.thresholds, now);
        return `o_hm_tile ${stateClass(shownState(tile, now))}` + (level ? ` o_hm_${level}` : "");
    }

    elapsed(since, now) {
        return since ? formatDuration((now - since) / 1000) : "";
    }

    tileState(tile, now) {
        return stateLabel(shownState(tile, now), tile.direction);
    }

    avatarUrl(tile) {
        return this.props.token
            ? `/hotline_monitor/board/${this.props.token}/avatar/${tile.id}`
            : `/web/image/res.users/${tile.id}/avatar_128`;
    }

    /** A queue's block as shown at `now` (floor.queueView), sounding its alarm when it starts. */
    queueView(name, block, tiles, now) {
        const view = queueView(name, block, tiles, now, this.state.config);
        if (view.alarm && this.state.config.alarm.sound) {
            this.beep(name, now);
        }
        return view;
    }

    percent(value) {
        return formatPercent(value);
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
