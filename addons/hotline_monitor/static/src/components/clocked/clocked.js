import { Component, useState } from "@odoo/owl";

/**
 * What shows a time reads the board's clock (`board.clock`, one reactive value ticking every second)
 * through its own useState: a tick re-renders these small components only, never the board and
 * its 300 tiles at once; a pushed change re-renders the board, whose unchanged tiles are skipped
 * (same props).
 */
export class Clocked extends Component {
    setup() {
        this.clock = useState(this.props.board.clock);
    }
}
