import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Board } from "@hotline_monitor/board/board";

/** 监控 › 大屏 inside the web client: the supervisor's board (first board, or the one in the action's context). */
export class BoardAction extends Component {
    static template = "hotline_monitor.BoardAction";
    static components = { Board };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.state = useState({ boards: [], boardId: null });
        onWillStart(async () => {
            this.state.boards = await this.orm.searchRead("hotline.wallboard", [], ["name"]);
            const wanted = this.props.action.context?.active_id;
            this.state.boardId = wanted || this.state.boards[0]?.id || null;
        });
    }

    select(ev) {
        this.state.boardId = parseInt(ev.target.value);
    }

    get fullScreenUrl() {
        return `/hotline_monitor/supervisor/${this.state.boardId}`;
    }
}

registry.category("actions").add("hotline_monitor.board", BoardAction);
