import { Clocked } from "@hotline_monitor/components/clocked/clocked";

/** The center's time, in the board's header. */
export class BoardClock extends Clocked {
    static template = "hotline_monitor.BoardClock";
    static props = { board: Object };
}
