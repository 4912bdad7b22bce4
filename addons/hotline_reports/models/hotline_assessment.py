from odoo import api, fields, models
from odoo.exceptions import UserError

from ..kpi.period import check_period


def rank_rows(rows):
    """Sort and rank rows ({score, participating}) in place: the assessed units by score (1, 2, 2, 4 on equal
    scores), then the units not assessed, unranked (rank 0). Published versions rank the same way."""
    rows.sort(key=lambda r: (not r["participating"], -r["score"]))
    previous = None
    for position, row in enumerate(rows, start=1):
        if not row["participating"]:
            row["rank"] = 0
            continue
        row["rank"] = previous[1] if previous and previous[0] == row["score"] else position
        previous = (row["score"], row["rank"])


class HotlineAssessment(models.Model):
    """综合考核 of the units over a period: the scheme applied to `hotline.kpi.case.unit_figures`.

    The results are a snapshot taken when computed (the date is on the report); compute again after
    late changes to the cases.
    """

    _name = "hotline.assessment"
    _description = "Unit Assessment"
    _order = "date_from desc, id desc"

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    scheme_id = fields.Many2one(
        "hotline.assessment.scheme", string="Scheme", required=True,
        default=lambda self: self.env["hotline.assessment.scheme"].search([], limit=1),
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    unit_ids = fields.Many2many("hotline.unit", string="Units", help="Leave empty to assess every active unit.")
    result_ids = fields.One2many("hotline.assessment.result", "assessment_id", string="Results", readonly=True)
    computed_at = fields.Datetime(readonly=True)
    formula = fields.Text(related="scheme_id.formula")

    _period_check = models.Constraint("CHECK(date_to >= date_from)", "The period ends before it starts.")

    @api.model
    def default_get(self, fields):
        # a new assessment starts on the usual one: the previous calendar month (as the report exports do)
        values = super().default_get(fields)
        first, last = self.env["hotline.case.report.wizard"]._default_period()
        if "date_from" in fields and not values.get("date_from"):
            values["date_from"] = first
        if "date_to" in fields and not values.get("date_to"):
            values["date_to"] = last
        return values

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for assessment in self:
            check_period(self.env, assessment.date_from, assessment.date_to)

    @api.depends("date_from", "date_to")
    def _compute_name(self):
        for assessment in self:
            if assessment.date_from and assessment.date_to:
                assessment.name = assessment._default_name()
            else:
                assessment.name = self.env._("New Assessment")

    def _default_name(self):
        self.ensure_one()
        return self.env._("Assessment %(start)s – %(end)s", start=self.date_from, end=self.date_to)

    def _title(self):
        """The name in the env's language: the default one (the period's, stored in the language of whoever
        created) is written again in it; a name someone wrote stays as written."""
        self.ensure_one()
        if self.date_from and self.date_to:
            langs = {code for code, _name in self.env["res.lang"].get_installed()} | {"en_US"}
            defaults = {self.with_context(lang=lang)._default_name() for lang in langs}
            if self.name in defaults:
                return self._default_name()
        return self.name

    def action_compute(self):
        """Score every unit of the period and rank the assessed ones (1, 2, 2, 4 on equal scores)."""
        kpi = self.env["hotline.kpi.case"]
        kpi._check_reader()
        result_fields = self.env["hotline.assessment.result"]._figure_fields()
        for assessment in self:
            if not assessment.scheme_id.line_ids:
                raise UserError(self.env._("The scheme %s has no indicator.", assessment.scheme_id.name))
            units = assessment.unit_ids or self.env["hotline.unit"].search([("active", "=", True)])
            figures = kpi.unit_figures(assessment.date_from, assessment.date_to, units)
            rows = []
            for unit in units:
                unit_figures = figures[unit.id]
                score, deduction, _detail = assessment.scheme_id.score(unit_figures)
                _total, deduction_lines = assessment.scheme_id.deductions(unit_figures)
                rows.append({
                    "unit_id": unit.id, "score": score or 0.0, "deduction": deduction,
                    "deduction_facts": assessment.scheme_id.deduction_facts(deduction_lines),
                    "participating": score is not None,
                    **{name: unit_figures[name] or 0 for name in result_fields},
                })
            rank_rows(rows)
            assessment.result_ids.unlink()
            assessment.write({
                "result_ids": [fields.Command.create(row) for row in rows],
                "computed_at": fields.Datetime.now(),
            })
        return True
