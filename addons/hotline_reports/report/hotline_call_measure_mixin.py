from odoo import fields, models

from .hotline_report_view_mixin import day_label_formatter

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
    "missed_rings": "Ring-no-answer attempts of agents on these calls (坐席漏接); grouped or filtered by agent, the "
                    "rings each agent let pass.",
}


class HotlineCallMeasureMixin(models.AbstractModel):
    """The call KPIs (kpi.calls.CALL_AGGREGATES) as report fields: per call in hotline.call.report,
    per hour in hotline.call.stat, which answers the former's read_group; one definition for both."""

    _name = "hotline.call.measure.mixin"
    _description = "Call KPI Measures"

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

    def _web_read_group_groupby_formatter(self, groupby_spec, values):
        return day_label_formatter(self, groupby_spec, super()._web_read_group_groupby_formatter(groupby_spec, values))
