import { loadBundle } from "@web/core/assets";
import { getColor } from "@web/core/colors/colors";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

import { Component, onWillStart, useEffect, useRef } from "@odoo/owl";

/**
 * 排班测算's chart: per half hour, the agents Erlang C needs (steps) against the agents signed in and
 * available on average; where the available line runs under the needed steps the floor is short.
 */
export class StaffingChart extends Component {
    static template = "hotline_reports.StaffingChart";
    static props = { ...standardFieldProps };

    setup() {
        this.canvasRef = useRef("canvas");
        this.chart = null;
        onWillStart(() => loadBundle("web.chartjs_lib"));
        useEffect(
            () => {
                this.renderChart();
                return () => this.chart?.destroy();
            },
            () => [this.props.record.data[this.props.name]]
        );
    }

    get data() {
        return this.props.record.data[this.props.name] || { labels: [] };
    }

    renderChart() {
        this.chart?.destroy();
        const data = this.data;
        const line = (label, values, colorIndex, extra = {}) => ({
            label,
            data: values,
            borderColor: getColor(colorIndex, "light", "odoo"),
            backgroundColor: getColor(colorIndex, "light", "odoo"),
            borderWidth: 2,
            pointRadius: 0,
            fill: false,
            ...extra,
        });
        this.chart = new Chart(this.canvasRef.el, {
            type: "line",
            data: {
                labels: data.labels,
                datasets: [
                    line(_t("Agents needed"), data.needed, 1, { stepped: "middle" }),
                    line(_t("Signed in"), data.signed_in, 3),
                    line(_t("Available"), data.available, 5, { borderDash: [6, 3] }),
                ],
            },
            options: {
                maintainAspectRatio: false,
                animation: false,
                interaction: { mode: "index", intersect: false },
                scales: {
                    y: { beginAtZero: true, title: { display: true, text: _t("Agents") } },
                    x: { ticks: { autoSkip: true, maxTicksLimit: 24 } },
                },
                plugins: { legend: { position: "top" } },
            },
        });
    }
}

registry.category("fields").add("hotline_staffing_chart", {
    component: StaffingChart,
    supportedTypes: ["json"],
});
