import { Clocked } from "@hotline_monitor/components/clocked/clocked";

/** A burst: its live count and the time since its first case, ticking. */
export class BurstAlert extends Clocked {
    static template = "hotline_monitor.BurstAlert";
    static props = { alert: Object, board: Object };
}
