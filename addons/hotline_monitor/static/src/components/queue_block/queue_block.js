import { Clocked } from "@hotline_monitor/components/clocked/clocked";

/** A queue: callers waiting, today's figures, its alarms, the surge, abandoned callers to call back. */
export class QueueBlock extends Clocked {
    static template = "hotline_monitor.QueueBlock";
    static props = { name: String, block: { type: Object, optional: true }, tiles: Array, board: Object };

    get view() {
        return this.props.board.queueView(this.props.name, this.props.block, this.props.tiles, this.clock.now);
    }
}
