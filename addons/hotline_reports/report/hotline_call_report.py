from odoo import fields, models, tools
from odoo.tools import SQL

from ..kpi.calls import call_facts_sql

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
    "answer_rate": "Answer rate = answered / offered × 100.",
    "abandon_rate": "Abandon rate = abandoned in queue / offered × 100.",
    "service_level": "Service level = answered within N s / answered × 100.",
    "service_level_offered": "Service level over offered calls = answered within N s / offered × 100.",
    "asa": "Average speed of answer = total wait of answered calls / answered (seconds, ring time included).",
    "aht": "Average handling time = total talk time / answered calls that ended (seconds).",
    "talk_seconds": "Talk time of answered calls (seconds).",
    "longest_wait": "Longest wait of any offered call (seconds).",
    "missed_rings": "Ring-no-answer attempts of agents on these calls (坐席漏接).",
}


class HotlineCallReport(models.Model):
    """系统话务量统计: one row per call offered to a queue; every KPI is the aggregate of a column.

    The SELECT is ``kpi.calls.call_facts_sql()``, shared with the KPI service
    (``hotline.kpi.call``): the ratio measures are averages of 0/100 (or NULL outside their
    denominator) columns, so the pivot's figure for any grouping equals the service's
    figure for the same calls.
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
    answer_rate = fields.Float(string="Answer Rate (%)", readonly=True, aggregator="avg", digits=(16, 2),
                               help=FORMULAS["answer_rate"])
    abandon_rate = fields.Float(string="Abandon Rate (%)", readonly=True, aggregator="avg", digits=(16, 2),
                                help=FORMULAS["abandon_rate"])
    service_level = fields.Float(string="Service Level (% of answered)", readonly=True, aggregator="avg",
                                 digits=(16, 2), help=FORMULAS["service_level"])
    service_level_offered = fields.Float(string="Service Level (% of offered)", readonly=True, aggregator="avg",
                                         digits=(16, 2), help=FORMULAS["service_level_offered"])
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
