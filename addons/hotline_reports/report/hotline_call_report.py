from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.tools import SQL

from ..kpi.calls import CALL_AGGREGATES, call_facts_sql

# the dimensions of the hourly facts (hotline.call.stat)
STAT_DIMENSIONS = ("date", "hour_of_day", "hour_start", "queue", "pbx_id")

FORMULAS = {
    "offered": "Calls that entered a queue (ENTERQUEUE), whatever happened next.",
    "answered": "Calls connected to an agent (CONNECT), transferred calls included.",
    "abandoned": "Callers who hung up while waiting in the queue (ABANDON); timeouts, empty-queue and key "
                 "exits are not abandons.",
    "abandoned_short": "Abandoned with a wait shorter than the short-abandon threshold (settings, default 5 s).",
    "abandoned_long": "Abandoned with a wait of at least the short-abandon threshold.",
    "timeouts": "Calls that left the queue when its time limit ran out (EXITWITHTIMEOUT).",
    "exit_empty": "Calls that left because no agent was signed in (EXITEMPTY).",
    "exit_key": "Callers who left the queue by pressing a key (EXITWITHKEY).",
    "answered_in_sl": "Answered with a wait of at most N seconds (service-level threshold in the settings).",
    "answer_rate": "Answer rate = answered / offered.",
    "abandon_rate": "Abandon rate = abandoned in queue / offered.",
    "service_level": "Service level = answered within N s / answered.",
    "service_level_offered": "Service level over offered calls = answered within N s / offered.",
    "asa": "Average speed of answer = total wait of answered calls / answered (seconds, ring time included).",
    "aht": "Average handling time = total talk time / answered calls that ended (seconds).",
    "talk_seconds": "Talk time of answered calls (seconds).",
    "longest_wait": "Longest wait of any offered call (seconds).",
    "missed_rings": "Ring-no-answer attempts of agents on these calls (坐席漏接).",
}


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
    offered = fields.Integer(readonly=True, aggregator="sum", help=FORMULAS["offered"])
    answered = fields.Integer(readonly=True, aggregator="sum", help=FORMULAS["answered"])
    abandoned = fields.Integer(string="Abandoned in Queue", readonly=True, aggregator="sum",
                               help=FORMULAS["abandoned"])
    abandoned_short = fields.Integer(string="Short Abandons", readonly=True, aggregator="sum",
                                     help=FORMULAS["abandoned_short"])
    abandoned_long = fields.Integer(string="Other Abandons", readonly=True, aggregator="sum",
                                    help=FORMULAS["abandoned_long"])
    timeouts = fields.Integer(string="Queue Timeouts", readonly=True, aggregator="sum", help=FORMULAS["timeouts"])
    exit_empty = fields.Integer(string="Left Empty Queue", readonly=True, aggregator="sum",
                                help=FORMULAS["exit_empty"])
    exit_key = fields.Integer(string="Left by Key", readonly=True, aggregator="sum", help=FORMULAS["exit_key"])
    answered_in_sl = fields.Integer(string="Answered within N s", readonly=True, aggregator="sum",
                                    help=FORMULAS["answered_in_sl"])
    answer_rate = fields.Float(string="Answer Rate", readonly=True, aggregator="avg", digits=(16, 4),
                               help=FORMULAS["answer_rate"])
    abandon_rate = fields.Float(string="Abandon Rate", readonly=True, aggregator="avg", digits=(16, 4),
                                help=FORMULAS["abandon_rate"])
    service_level = fields.Float(string="Service Level (of Answered)", readonly=True, aggregator="avg",
                                 digits=(16, 4), help=FORMULAS["service_level"])
    service_level_offered = fields.Float(string="Service Level (of Offered)", readonly=True, aggregator="avg",
                                         digits=(16, 4), help=FORMULAS["service_level_offered"])
    asa = fields.Float(string="ASA (s)", readonly=True, aggregator="avg", digits=(16, 1), help=FORMULAS["asa"])
    aht = fields.Float(string="AHT (s)", readonly=True, aggregator="avg", digits=(16, 1), help=FORMULAS["aht"])
    talk_seconds = fields.Integer(string="Talk Time (s)", readonly=True, aggregator="sum",
                                  help=FORMULAS["talk_seconds"])
    longest_wait = fields.Integer(string="Longest Wait (s)", readonly=True, aggregator="max",
                                  help=FORMULAS["longest_wait"])
    missed_rings = fields.Integer(string="Missed at Agent", readonly=True, aggregator="sum",
                                  help=FORMULAS["missed_rings"])

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
