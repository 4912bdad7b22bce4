from odoo import fields, models, tools
from odoo.tools import SQL

from ..kpi.calls import CALL_AGGREGATES
from ..kpi.facts import call_stat_sql

# the dimensions of the hourly facts: a read_group of the call report on these alone can read them
STAT_DIMENSIONS = ("date", "hour_of_day", "hour_start", "queue", "pbx_id")


class HotlineCallStat(models.Model):
    """系统话务量统计 per local hour × queue × PBX: the call report's KPIs, pre-aggregated.

    Closed days come from hotline_call_fact, the open days from the base view's rows summed the
    same way (kpi/facts.py). Averages (rates, ASA, AHT) are SUM(sum) / SUM(n) over the hours,
    i.e. the AVG of hotline.call.report over the same calls: the call report hands its
    read_group here whenever it groups and filters by these dimensions only.
    """

    _name = "hotline.call.stat"
    _inherit = ["hotline.call.measure.mixin", "hotline.report.view.mixin"]
    _description = "Call Statistics per Hour"
    _auto = False
    _order = "hour_start desc"
    _rec_name = "hour_start"

    hour_start = fields.Datetime(string="Hour", readonly=True)
    date = fields.Date(readonly=True)
    hour_of_day = fields.Integer(string="Hour of Day", readonly=True, aggregator=None)
    queue = fields.Char(readonly=True)
    pbx_id = fields.Many2one("hotline.pbx", string="PBX", readonly=True)

    def _read_group_select(self, aggregate_spec, query):
        name = aggregate_spec.split(":")[0]
        if CALL_AGGREGATES.get(name) == "avg":
            table = SQL.identifier(self._table)
            return SQL("SUM(%s.%s) / NULLIF(SUM(%s.%s), 0)", table, SQL.identifier(f"{name}_sum"),
                       table, SQL.identifier(f"{name}_n"))
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        self.env["hotline.report.fact"]._install()
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), call_stat_sql()))

