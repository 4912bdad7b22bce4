from odoo import fields, models
from odoo.addons.hotline_reports.kpi.facts import AGENT_COLUMNS, AGENT_REPORT_RATIOS, agent_report_sql
from odoo.tools import SQL

from ..kpi.quality import qa_facts_sql


class HotlineAgentReport(models.Model):
    """坐席统计 gains the QA score: one more kind of row, one per counted review (kpi/quality.py) on the day of its
    call, with every other figure 0; the agents' rows carry no review. ``qa_score`` over any group is
    SUM(points) / SUM(reviews), the mean over the group's reviews, as the KPI service computes it."""

    _inherit = "hotline.agent.report"

    qa_reviews = fields.Integer(string="QA Reviews", readonly=True, aggregator="sum",
                                help="Submitted quality reviews of the agent's calls (calibrations left out).")
    qa_points = fields.Float(string="QA Points", readonly=True, aggregator="sum",
                             help="Sum of the reviews' final scores.")
    qa_score = fields.Float(string="QA Score", readonly=True, aggregator="avg", digits=(5, 2),
                            help="Mean final score of the agent's submitted reviews of calls in the period.")

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec.split(":")[0] == "qa_score":
            return SQL("SUM(%s) / NULLIF(SUM(%s), 0)", self._field_to_sql(self._table, "qa_points", query),
                       self._field_to_sql(self._table, "qa_reviews", query))
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        result = super().init()
        # ids: the agent rows use the fact table's ids and negative ones; a review's row is above any of them
        self.env.cr.execute(SQL(
            """CREATE OR REPLACE VIEW %(view)s AS (
                   SELECT a.*, 0 AS qa_reviews, 0.0::numeric AS qa_points, NULL::numeric AS qa_score
                     FROM (%(agents)s) a
                   UNION ALL
                   SELECT 4294967296 + q.id, q.user_id, q.date, NULL::varchar, %(zeros)s, %(no_ratios)s,
                          q.qa_reviews, q.qa_score::numeric, q.qa_score::numeric
                     FROM (%(qa)s) q)""",
            view=SQL.identifier(self._table), agents=agent_report_sql(), qa=qa_facts_sql(),
            # a review's row: every call figure 0, no ratio (the agent report's columns, whatever they are)
            zeros=SQL(", ").join(SQL("0") for _column in AGENT_COLUMNS),
            no_ratios=SQL(", ").join(SQL("NULL::numeric") for _column in AGENT_REPORT_RATIOS)))
        return result
