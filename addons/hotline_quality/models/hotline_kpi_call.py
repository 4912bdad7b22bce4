from odoo import api, models
from odoo.addons.hotline_reports.kpi.period import period_utc
from odoo.tools import SQL

from ..kpi.quality import qa_facts_sql


class HotlineKpiCall(models.AbstractModel):
    """The agents' figures gain the QA score (kpi/quality.py): ``qa_reviews`` (int), ``qa_points`` (sum of the
    final scores), ``qa_score`` (their mean, None without a review) and ``qa_fatal``, of the reviews of calls
    that entered in the period."""

    _inherit = "hotline.kpi.call"

    @api.model
    def _empty_agent_figures(self):
        return dict(super()._empty_agent_figures(), qa_reviews=0, qa_points=0.0, qa_score=None, qa_fatal=0)

    @api.model
    @api.readonly
    def agent_figures(self, date_from, date_to, agents=None):
        result = super().agent_figures(date_from, date_to, agents=agents)
        start, end = period_utc(self.env, date_from, date_to)
        user_filter = SQL()
        if agents is not None:
            user_ids = agents.ids if isinstance(agents, models.BaseModel) else list(agents)
            user_filter = SQL("AND q.user_id IN %s", tuple(user_ids) or (None,))
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """SELECT q.user_id, SUM(q.qa_reviews), SUM(q.qa_score), SUM(q.qa_fatal)
                 FROM (%(facts)s) q
                WHERE q.call_time >= %(start)s AND q.call_time < %(end)s %(uf)s
                GROUP BY q.user_id""",
            facts=qa_facts_sql(), start=start, end=end, uf=user_filter))
        for user_id, reviews, points, fatal in self.env.cr.fetchall():
            figures = result.setdefault(user_id, self._empty_agent_figures())
            figures.update(qa_reviews=int(reviews), qa_points=float(points), qa_fatal=int(fatal))
        for figures in result.values():
            figures["qa_score"] = (round(figures["qa_points"] / figures["qa_reviews"], 2)
                                   if figures["qa_reviews"] else None)
        return result
