"""Knowledge base figures, in one place so that the reports' KPI registry can take them over.

Every figure is over cases received (or uses, flags, searches made) in [date_from, date_to) in UTC.
"""


from odoo import api, fields, models

CONSULTATION_TYPE_CODE = "ZX"  # 咨询


class HotlineKnowledgeKpi(models.AbstractModel):
    _name = "hotline.knowledge.kpi"
    _description = "Knowledge Base Figures"

    @api.model
    def _consultation_domain(self, date_from, date_to):
        return [("type_id.code", "=", CONSULTATION_TYPE_CODE), ("date_received", ">=", date_from),
                ("date_received", "<", date_to), ("state", "!=", "cancelled")]

    @api.model
    def compute(self, date_from, date_to):
        """{direct_answer_rate, hit_rate, consultations, closed_on_call, with_knowledge, uses_by_day,
        uses_by_agent, flagged_items, stale_by_unit, searches_without_result}; rates in % or False."""
        if not self.env.user.has_group("hotline_knowledge.group_knowledge_editor"):
            self.env["hotline.knowledge.item"]._check_editor()
        date_from, date_to = fields.Datetime.to_datetime(date_from), fields.Datetime.to_datetime(date_to)
        cases = self.env["hotline.case"].sudo()
        base = self._consultation_domain(date_from, date_to)
        consultations = cases.search_count(base)
        closed_on_call = cases.search_count(base + [("closed_on_call", "=", True)])
        with_knowledge = cases.search_count(base + [("closed_on_call", "=", True),
                                                    ("knowledge_item_ids", "!=", False)])
        usage = self.env["hotline.knowledge.usage"].sudo()
        use_domain = [("kind", "=", "inserted"), ("date", ">=", date_from), ("date", "<", date_to)]
        today = fields.Date.context_today(self)
        searches = self.env["hotline.knowledge.search.log"].sudo()
        search_domain = [("create_date", ">=", date_from), ("create_date", "<", date_to)]
        return {
            "consultations": consultations,
            "closed_on_call": closed_on_call,
            "with_knowledge": with_knowledge,
            # 直接答复率: consultations closed on the call ÷ consultations
            "direct_answer_rate": round(100.0 * closed_on_call / consultations, 1) if consultations else False,
            # 知识命中率: closed-on-call consultations answered with a linked item ÷ those closed on the call
            "hit_rate": round(100.0 * with_knowledge / closed_on_call, 1) if closed_on_call else False,
            "uses_by_day": [(day.strftime("%Y-%m-%d") if day else "", count) for day, count in usage._read_group(
                use_domain, ["date:day"], ["__count"], order="date:day")],
            "uses_by_agent": [(user.name, count) for user, count in usage._read_group(
                use_domain, ["user_id"], ["__count"], order="__count desc")],
            "flagged_items": self.env["hotline.knowledge.feedback"].sudo().search_count(
                [("state", "=", "open")]),
            "stale_by_unit": [(unit.name, count) for unit, count in self.env["hotline.knowledge.item"].sudo()
                              ._read_group([("state", "=", "published"), ("review_due_date", "<", today)],
                                           ["unit_id"], ["__count"], order="__count desc")],
            "searches": searches.search_count(search_domain),
            "searches_without_result": searches.search_count(search_domain + [("result_count", "=", 0)]),
        }


class HotlineKnowledgeFigures(models.TransientModel):
    """The figures of a period on one screen, for the editors (the definitions stay in HotlineKnowledgeKpi)."""

    _name = "hotline.knowledge.figures"
    _description = "Knowledge Base Figures of a Period"

    date_from = fields.Date(required=True, default=lambda self: fields.Date.context_today(self).replace(day=1))
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    summary = fields.Html(compute="_compute_summary", sanitize=False)

    @api.depends("date_from", "date_to")
    def _compute_summary(self):
        for wizard in self:
            if not wizard.date_from or not wizard.date_to or wizard.date_to < wizard.date_from:
                wizard.summary = False
                continue
            # the period's days in the center's time zone, as the agents see them
            start, end = self.env.company._hotline_day_bounds(wizard.date_from, wizard.date_to)
            figures = self.env["hotline.knowledge.kpi"].compute(start, end)
            wizard.summary = self.env["ir.qweb"]._render("hotline_knowledge.knowledge_figures_summary",
                                                         {"figures": figures})
