import { Clocked } from "@hotline_monitor/components/clocked/clocked";

/** The data's freshness: a sign as soon as the bridge's heartbeat is older than health's silence. */
export class DelaySign extends Clocked {
    static template = "hotline_monitor.DelaySign";
    static props = { board: Object };
}
