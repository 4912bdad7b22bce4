/**
 * What the wallboard shows, worked out from the pushed floor: pure functions of their arguments (and
 * the screen's clock passed in), so that the unit tests read them without a server or a screen.
 */
import { ConnectionLostError } from "@web/core/network/rpc";
import { mask } from "@hotline_telephony/agent_state/agent_state";

/** "1:02:03" / "02:03" from seconds. */
export function formatDuration(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** "86.7%" from the reports' fraction 0..1; "—" when there is nothing to divide. */
export function formatPercent(value) {
    return value === null || value === undefined || value === false ? "—" : `${Math.round(value * 1000) / 10}%`;
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

/** The state to show at `now`: a wrap-up is over by itself when its time has run out. */
export function shownState(tile, now) {
    return tile.state === "wrapup" && tile.wrapup_until && now >= tile.wrapup_until ? "idle" : tile.state;
}

/** Colour of a tile from its time in state: "", "amber" or "red". */
export function tileLevel(tile, thresholds, now) {
    if (!tile.since) {
        return "";
    }
    const elapsed = (now - tile.since) / 1000;
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
 * A queue's block as shown at `now`, from its pushed block, the board's tiles and the board's
 * configuration (alarm thresholds, surge rule).
 */
/**
 * A queue's block after a push: each AMI batch pushes the calls waiting alone, the figures and the
 * abandoned callers follow within a second; what a push leaves out stays as shown. A masked screen
 * masks the abandoned callers' numbers itself too.
 */
export function mergeQueueBlock(shown, block, masked) {
    const merged = { ...shown, ...block };
    if (masked && block.abandoned) {
        merged.abandoned = block.abandoned.map((a) => ({ ...a, number: mask(a.number) }));
    }
    return merged;
}

export function queueView(name, block, tiles, now, config) {
    block = block || { waiting: [], figures: {}, abandoned: [], surge: null };
    const members = tiles.filter((t) => t.queues.includes(name));
    const count = (state) => members.filter((t) => shownState(t, now) === state).length;
    const longest = block.waiting.length ? Math.max(0, (now - Math.min(...block.waiting)) / 1000) : 0;
    const alarm = config.alarm;
    const f = block.figures || {};
    const surge = block.surge;
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
            surge && surge.last15 >= config.surge.min_calls && surge.last15 > surge.baseline * config.surge.factor
        ),
    };
    view.alarms = {
        waiting: alarm.waiting > 0 && view.waiting >= alarm.waiting,
        wait: alarm.wait_seconds > 0 && longest >= alarm.wait_seconds,
        // the KPI is a fraction, the board's alarm threshold a percentage
        sl: f.service_level !== null && f.service_level !== undefined && f.service_level * 100 < alarm.service_level,
        idle: Boolean(alarm.no_idle) && view.signedIn > 0 && view.idle === 0,
    };
    view.alarm = Object.values(view.alarms).some(Boolean) || view.surgeAlarm;
    return view;
}

// A tile's proportions in its own font size (em): avatar, name, state and timer on a dark card.
export const TILE_WIDTH = 11;
export const TILE_HEIGHT = 5.2; // three lines at line-height 1.2 and the padding (board.scss)
export const TILE_GAP = 0.4; // of the tile's font size
// the tiles' font size: the demo's few agents grow no larger than this; a floor of 200 on a 1080p
// screen shrinks to the floor, still one glance for the state colour and the timer
export const TILE_FONT_MAX = 64;
export const TILE_FONT_MIN = 9;

/**
 * How `count` tiles fill a `width` × `height` px area: the columns and rows that give the largest
 * tiles, and the font size (px) their content is drawn in. A few agents fill the screen, a floor of
 * 200 fits it without scrolling.
 */
export function tileLayout(count, width, height) {
    if (!count || width <= 0 || height <= 0) {
        return { columns: 1, rows: 1, fontSize: TILE_FONT_MAX };
    }
    let best = { columns: 1, rows: count, fontSize: 0 };
    for (let columns = 1; columns <= count; columns++) {
        const rows = Math.ceil(count / columns);
        // the gaps scale with the font: width = c * w * f + (c - 1) * gap * f
        const byWidth = width / (columns * TILE_WIDTH + (columns - 1) * TILE_GAP);
        const byHeight = height / (rows * TILE_HEIGHT + (rows - 1) * TILE_GAP);
        const fontSize = Math.min(byWidth, byHeight);
        if (fontSize > best.fontSize) {
            best = { columns, rows, fontSize };
        }
    }
    best.fontSize = Math.floor(Math.max(TILE_FONT_MIN, Math.min(TILE_FONT_MAX, best.fontSize)));
    return best;
}
