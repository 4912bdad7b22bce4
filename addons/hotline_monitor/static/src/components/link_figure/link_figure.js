import { Clocked } from "@hotline_monitor/components/clocked/clocked";

/** A link's lag (e.g. the unit server exchange), ticking from the oldest undelivered item's time. */
export class LinkFigure extends Clocked {
    static template = "hotline_monitor.LinkFigure";
    static props = { link: Object, board: Object };
}
