import { Clocked } from "@hotline_monitor/components/clocked/clocked";

/** One agent: state colour, name, extension, a red dot while their call is recorded, the masked caller and
 * the time in state. */
export class AgentTile extends Clocked {
    static template = "hotline_monitor.AgentTile";
    static props = { tile: Object, board: Object };
}
