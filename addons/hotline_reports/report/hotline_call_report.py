from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.tools import SQL

from ..kpi.calls import CALL_AGGREGATES, call_facts_sql
from .hotline_call_stat import STAT_DIMENSIONS


class HotlineCallReport(models.Model):
    """系统话务量统计: one row per call offered to a queue; every KPI is the aggregate of a column.

    The SELECT is ``kpi.calls.call_facts_sql()``, shared with the KPI service
    (``hotline.kpi.call``): the ratio measures are averages of 0/1 (or NULL outside their
    denominator) columns, fractions shown as percentages, so the pivot's figure for any
    grouping equals the service's figure for the same calls.

    A read_group that groups and filters by day, hour, queue or PBX only (the pivot and graph
    of every period) is answered by ``hotline.call.stat``, the same KPIs pre-aggregated per
    hour (kpi/facts.py); by agent, outcome or time of entry it reads the calls.
    """

    _name = "hotline.call.report"
    _inherit = ["hotline.call.measure.mixin"]
    _description = "Call Statistics"
    _auto = False
    _order = "enter_time desc"
    _rec_name = "enter_time"

    pbx_id = fields.Many2one("hotline.pbx", string="PBX", readonly=True)
    queue = fields.Char(readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    outcome = fields.Selection(selection=lambda self: self.env["hotline.call"]._fields["outcome"].selection,
                               readonly=True)
    enter_time = fields.Datetime(string="Entered Queue", readonly=True)
    date = fields.Date(readonly=True, help="Day the call entered the queue, in the center's time zone.")
    hour_of_day = fields.Integer(string="Hour of Day", readonly=True, aggregator=None,
                                 help="Hour (0-23) the call entered the queue, in the center's time zone.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), call_facts_sql()))

    @api.model
    def _stat_spec(self, domain, groupby, aggregates, having):
        """The aggregates for hotline.call.stat when it can answer this read_group (else None)."""
        if having or self.env.context.get("hotline_call_report_base"):
            return None
        if not self.env["hotline.kpi.call"]._facts_state():
            return None  # facts never built or of other settings: the calls answer
        if any(spec.split(":")[0] not in STAT_DIMENSIONS for spec in groupby):
            return None
        if any(cond.field_expr.split(".")[0] not in STAT_DIMENSIONS for cond in Domain(domain).iter_conditions()):
            return None
        specs = []
        for spec in aggregates:
            name, _sep, func = spec.partition(":")
            if spec == "__count":
                specs.append("offered:sum")  # one row per offered call
            elif name in CALL_AGGREGATES and func == CALL_AGGREGATES[name]:
                specs.append(spec)
            else:
                return None
        return specs

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        specs = self._stat_spec(domain, groupby, aggregates, having)
        if specs is None:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        self.browse().check_access("read")
        if order:
            order = order.replace("__count", "offered:sum")
        rows = self.env["hotline.call.stat"]._read_group(domain, groupby, specs, (), offset, limit, order)
        count_at = [i + len(groupby) for i, spec in enumerate(aggregates) if spec == "__count"]
        if not count_at:
            return rows
        return [tuple(int(v or 0) if i in count_at else v for i, v in enumerate(row)) for row in rows]
