import { Clocked } from "@hotline_monitor/components/clocked/clocked";

/** An agent's profile and today's figures, opened from their tile. */
export class AgentPanel extends Clocked {
    static template = "hotline_monitor.AgentPanel";
    static props = { panel: Object, board: Object };
}
