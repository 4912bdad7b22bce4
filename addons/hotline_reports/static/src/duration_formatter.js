import { registry } from "@web/core/registry";

/**
 * Seconds as 时:分:秒 ("3:10:00", "0:01:05"), as the XLSX files show durations: the pivots' sums and
 * averages of seconds read as times, not as "11,400.00".
 */
export function formatSecondsDuration(value) {
    if (value === false || value === null || value === undefined) {
        return "";
    }
    const total = Math.round(value);
    const abs = Math.abs(total);
    const pad = (n) => String(n).padStart(2, "0");
    const text = `${Math.floor(abs / 3600)}:${pad(Math.floor((abs % 3600) / 60))}:${pad(abs % 60)}`;
    return total < 0 ? `-${text}` : text;
}

registry.category("formatters").add("hotline_duration", formatSecondsDuration);
