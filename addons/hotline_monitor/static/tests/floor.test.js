import { describe, expect, test } from "@odoo/hoot";
import { mask } from "@hotline_telephony/agent_state/agent_state";
import {
    formatDuration,
    formatPercent,
    mergeQueueBlock,
    queueView,
    shownState,
    tileLayout,
    tileLevel,
    TILE_FONT_MIN,
} from "@hotline_monitor/board/floor";

const NOW = Date.UTC(2026, 11, 7, 2, 0, 0); // 10:00 in the center
const THRESHOLDS = {
    call: [300, 600], // amber after 5 min on a call, red after 10
    pause: [600, 900],
    reasons: { 午餐: [1800, 3600] },
    wrapup: 30,
};
const CONFIG = {
    alarm: { waiting: 5, wait_seconds: 60, service_level: 80, no_idle: true, sound: false },
    surge: { factor: 2, min_calls: 10 },
};

function tile(state, secondsAgo, extra = {}) {
    return { id: 1, state, since: secondsAgo === null ? false : NOW - secondsAgo * 1000, reason: "", queues: ["12319"], ...extra };
}

describe("tile levels", () => {
    test("a call turns amber at the first threshold and red at the second", () => {
        expect(tileLevel(tile("oncall", 299), THRESHOLDS, NOW)).toBe("");
        expect(tileLevel(tile("oncall", 300), THRESHOLDS, NOW)).toBe("amber");
        expect(tileLevel(tile("oncall", 599), THRESHOLDS, NOW)).toBe("amber");
        expect(tileLevel(tile("oncall", 600), THRESHOLDS, NOW)).toBe("red");
    });

    test("a pause reads its reason's thresholds, else the pause's", () => {
        expect(tileLevel(tile("paused", 700, { reason: "小休" }), THRESHOLDS, NOW)).toBe("amber");
        expect(tileLevel(tile("paused", 1000, { reason: "小休" }), THRESHOLDS, NOW)).toBe("red");
        // lunch is allowed longer
        expect(tileLevel(tile("paused", 1000, { reason: "午餐" }), THRESHOLDS, NOW)).toBe("");
        expect(tileLevel(tile("paused", 1800, { reason: "午餐" }), THRESHOLDS, NOW)).toBe("amber");
        expect(tileLevel(tile("paused", 3600, { reason: "午餐" }), THRESHOLDS, NOW)).toBe("red");
    });

    test("idle, ringing, signed-out and untimed tiles are never coloured", () => {
        expect(tileLevel(tile("idle", 5000), THRESHOLDS, NOW)).toBe("");
        expect(tileLevel(tile("ringing", 5000), THRESHOLDS, NOW)).toBe("");
        expect(tileLevel(tile("offline", 50000), THRESHOLDS, NOW)).toBe("");
        expect(tileLevel(tile("oncall", null), THRESHOLDS, NOW)).toBe("");
    });

    test("a zero threshold is off", () => {
        const thresholds = { ...THRESHOLDS, call: [0, 600] };
        expect(tileLevel(tile("oncall", 500), thresholds, NOW)).toBe("");
        expect(tileLevel(tile("oncall", 600), thresholds, NOW)).toBe("red");
    });

    test("a wrap-up is over by itself when its time has run out", () => {
        const wrapup = tile("wrapup", 20, { wrapup_until: NOW + 10000 });
        expect(shownState(wrapup, NOW)).toBe("wrapup");
        expect(shownState(wrapup, NOW + 10000)).toBe("idle");
    });
});

describe("durations", () => {
    test("minutes and seconds, hours when there are", () => {
        expect(formatDuration(0)).toBe("00:00");
        expect(formatDuration(59.9)).toBe("00:59");
        expect(formatDuration(61)).toBe("01:01");
        expect(formatDuration(3599)).toBe("59:59");
        expect(formatDuration(3600)).toBe("1:00:00");
        expect(formatDuration(11400)).toBe("3:10:00");
    });

    test("nothing yet reads 00:00, a clock skew never goes negative", () => {
        expect(formatDuration(null)).toBe("00:00");
        expect(formatDuration(undefined)).toBe("00:00");
        expect(formatDuration(false)).toBe("00:00");
        expect(formatDuration(-5)).toBe("00:00");
    });

    test("rates: one decimal, a dash when nothing to divide, 0 % stays 0 %", () => {
        expect(formatPercent(0.866667)).toBe("86.7%");
        expect(formatPercent(1)).toBe("100%");
        expect(formatPercent(0)).toBe("0%");
        expect(formatPercent(null)).toBe("—");
        expect(formatPercent(undefined)).toBe("—");
    });
});

describe("queue alarms", () => {
    const block = (extra = {}) => ({
        waiting: [],
        figures: { offered: 10, answered: 9, abandoned: 1, answer_rate: 0.9, service_level: 0.9 },
        abandoned: [],
        abandoned_count: 0,
        surge: null,
        ...extra,
    });
    const floor = [tile("idle", 10, { id: 1 }), tile("oncall", 10, { id: 2 }), tile("paused", 10, { id: 3 })];

    test("a quiet queue raises nothing and counts its agents by state", () => {
        const view = queueView("12319", block(), floor, NOW, CONFIG);
        expect(view.alarm).toBe(false);
        expect([view.signedIn, view.idle, view.oncall, view.paused]).toEqual([3, 1, 1, 1]);
        expect(view.longestLabel).toBe("00:00");
    });

    test("callers waiting: from the threshold on, not before", () => {
        const four = block({ waiting: [NOW - 1000, NOW - 2000, NOW - 3000, NOW - 4000] });
        expect(queueView("12319", four, floor, NOW, CONFIG).alarms.waiting).toBe(false);
        const five = block({ waiting: [...four.waiting, NOW - 5000] });
        const view = queueView("12319", five, floor, NOW, CONFIG);
        expect(view.alarms.waiting).toBe(true);
        expect(view.alarm).toBe(true);
    });

    test("the longest wait ticks with the clock and alarms at its threshold", () => {
        const waiting = block({ waiting: [NOW - 59000, NOW - 10000] });
        let view = queueView("12319", waiting, floor, NOW, CONFIG);
        expect(view.longestLabel).toBe("00:59");
        expect(view.alarms.wait).toBe(false);
        view = queueView("12319", waiting, floor, NOW + 1000, CONFIG);
        expect(view.longestLabel).toBe("01:00");
        expect(view.alarms.wait).toBe(true);
    });

    test("the service level (a fraction) against the threshold (a percentage)", () => {
        const low = block({ figures: { service_level: 0.79 } });
        expect(queueView("12319", low, floor, NOW, CONFIG).alarms.sl).toBe(true);
        const met = block({ figures: { service_level: 0.8 } });
        expect(queueView("12319", met, floor, NOW, CONFIG).alarms.sl).toBe(false);
        // no call yet today: no service level, no alarm
        const none = block({ figures: { service_level: null } });
        expect(queueView("12319", none, floor, NOW, CONFIG).alarms.sl).toBe(false);
    });

    test("no idle agent: only when someone is signed in, and an ended wrap-up is idle again", () => {
        const busy = [tile("oncall", 10, { id: 1 }), tile("wrapup", 10, { id: 2, wrapup_until: NOW + 5000 })];
        expect(queueView("12319", block(), busy, NOW, CONFIG).alarms.idle).toBe(true);
        expect(queueView("12319", block(), busy, NOW + 5000, CONFIG).alarms.idle).toBe(false);
        expect(queueView("12319", block(), [], NOW, CONFIG).alarms.idle).toBe(false);
        // another queue's agents do not count
        const elsewhere = [tile("idle", 10, { id: 4, queues: ["12345"] }), ...busy];
        expect(queueView("12319", block(), elsewhere, NOW, CONFIG).alarms.idle).toBe(true);
        const off = { ...CONFIG, alarm: { ...CONFIG.alarm, no_idle: false } };
        expect(queueView("12319", block(), busy, NOW, off).alarms.idle).toBe(false);
    });

    test("a surge: above the usual times the factor, with enough calls to mean something", () => {
        const surge = (last15, baseline) => block({ surge: { last15, baseline } });
        expect(queueView("12319", surge(12, 5), floor, NOW, CONFIG).surgeAlarm).toBe(true);
        expect(queueView("12319", surge(10, 5), floor, NOW, CONFIG).surgeAlarm).toBe(false); // not above 2 × 5
        expect(queueView("12319", surge(9, 1), floor, NOW, CONFIG).surgeAlarm).toBe(false); // below 10 calls
        expect(queueView("12319", surge(12, 5), floor, NOW, CONFIG).alarm).toBe(true);
    });

    test("a queue with no block pushed yet reads zeros", () => {
        const view = queueView("12319", undefined, floor, NOW, CONFIG);
        expect([view.waiting, view.abandonedCount, view.longestLabel]).toEqual([0, 0, "00:00"]);
        expect(view.alarms.waiting).toBe(false);
    });
});

describe("masking", () => {
    test("a mobile number keeps its first three and last four digits", () => {
        expect(mask("13912345678")).toBe("139****5678");
        expect(mask("057112345678")).toBe("057*****5678");
        expect(mask("12345678")).toBe("123*5678");
    });

    test("a short number is masked whole; an empty one stays empty", () => {
        expect(mask("1234567")).toBe("*******");
        expect(mask("110")).toBe("***");
        expect(mask("")).toBe("");
        expect(mask(false)).toBe("");
    });

    test("a number the server masked already is left as it is", () => {
        expect(mask("139****5678")).toBe("139****5678");
    });
});

describe("tiles scale to the floor", () => {
    // the agents' part of a 1920×1080 board (the side column and the header taken)
    const [W, H] = [1224, 960];

    test("a few agents fill the screen", () => {
        for (const count of [1, 2, 3, 4]) {
            const { columns, rows, fontSize } = tileLayout(count, W, H);
            expect(columns * rows).toBeGreaterThan(count - 1);
            // the tiles cover most of the area: their font is many times the board's 24 px...
            expect(fontSize).toBeGreaterThan(47);
        }
        // ...and the demo's 3 agents use the height as well as the width
        const three = tileLayout(3, W, H);
        expect(three.rows * 5.2 * three.fontSize).toBeGreaterThan(H * 0.6);
    });

    test("a mid-size floor stays readable from the back of a hall", () => {
        expect(tileLayout(40, W, H).fontSize).toBeGreaterThan(19);
    });

    test("200 agents fit without scrolling", () => {
        const { columns, rows, fontSize } = tileLayout(200, W, H);
        expect(columns * rows).toBeGreaterThan(199);
        expect(fontSize).toBeGreaterThan(TILE_FONT_MIN - 1);
        expect(columns * 11 * fontSize + (columns - 1) * 0.4 * fontSize).toBeLessThan(W + 1);
        expect(rows * 5.2 * fontSize + (rows - 1) * 0.4 * fontSize).toBeLessThan(H + 1);
    });

    test("more agents never get larger tiles", () => {
        let previous = Infinity;
        for (const count of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 200]) {
            const { fontSize } = tileLayout(count, W, H);
            expect(fontSize).toBeLessThan(previous + 1);
            previous = fontSize;
        }
    });

    test("before the screen is measured: one column, the largest tiles", () => {
        expect(tileLayout(3, 0, 0)).toEqual({ columns: 1, rows: 1, fontSize: 64 });
        expect(tileLayout(0, W, H).columns).toBe(1);
    });
});

describe("queue blocks pushed", () => {
    const shown = {
        name: "12319",
        waiting: [NOW - 30000],
        figures: { offered: 40, answered: 36 },
        abandoned: [{ call_id: 7, number: "139****5678", time: NOW - 600000, wait: 42 }],
        abandoned_count: 1,
        surge: { last15: 3, baseline: 2.5 },
    };

    test("a batch's calls waiting replace the waiting, the figures stay until theirs come", () => {
        const merged = mergeQueueBlock(shown, { name: "12319", waiting: [] }, true);
        expect(merged.waiting).toEqual([]);
        expect(merged.figures).toEqual({ offered: 40, answered: 36 });
        expect(merged.abandoned).toEqual(shown.abandoned);
        expect(shown.waiting).toEqual([NOW - 30000]); // what was shown is not changed in place
    });

    test("the figures' push replaces them and a masked screen masks the callers", () => {
        const block = {
            ...shown,
            figures: { offered: 41, answered: 36 },
            abandoned: [{ call_id: 8, number: "13700001111", time: NOW, wait: 61 }],
            abandoned_count: 2,
        };
        const merged = mergeQueueBlock(shown, block, true);
        expect(merged.figures.offered).toBe(41);
        expect(merged.abandoned_count).toBe(2);
        expect(merged.abandoned.map((a) => a.number)).toEqual([mask("13700001111")]);
        expect(mergeQueueBlock(shown, block, false).abandoned[0].number).toBe("13700001111");
    });
});
