from odoo import api, fields, models

from ..kpi.case_indicators import INDICATORS
from ..kpi.cases import RATES

# the result's fields by kind (kpi/case_indicators.py): counts and holdings are integers, rates fractions 0..1,
# durations hours, 满意度得分 a mean score
_FIELD_TYPES = {
    "count": lambda i: fields.Integer(string=i.label, readonly=True, help=i.formula),
    "holding": lambda i: fields.Integer(string=i.label, readonly=True, help=i.formula),
    "rate": lambda i: fields.Float(string=i.label, readonly=True, aggregator=None, digits=(16, 4), help=i.formula),
    "hours": lambda i: fields.Float(string=i.label, readonly=True, aggregator=None, digits=(16, 2), help=i.formula),
    "score": lambda i: fields.Float(string=i.label, readonly=True, aggregator=None, digits=(16, 2), help=i.formula),
}


class HotlineAssessmentResult(models.Model):
    """One unit's figures, score and rank in an assessment; every count drills down to its cases."""

    _name = "hotline.assessment.result"
    _description = "Unit Assessment Result"
    _order = "assessment_id, rank, id"

    assessment_id = fields.Many2one("hotline.assessment", required=True, index=True, ondelete="cascade")
    date_from = fields.Date(related="assessment_id.date_from")
    date_to = fields.Date(related="assessment_id.date_to")
    unit_id = fields.Many2one("hotline.unit", string="Unit", required=True, readonly=True)
    rank = fields.Integer(readonly=True, aggregator=None)
    score = fields.Float(readonly=True, digits=(16, 2), aggregator="avg")
    deduction = fields.Float(
        string="Points Deducted", readonly=True, digits=(16, 2),
        help="扣分: the total of the scheme's deduction lines (each capped); the score never falls below 0.")
    # the facts of the deduction lines as computed; the detail is written from them in the reader's language
    deduction_facts = fields.Json(readonly=True)
    # a detail stored as text before the facts were (19.0.1.1.0's migration keeps what it could not read back)
    deduction_legacy = fields.Text(readonly=True)
    deduction_detail = fields.Text(
        string="Deductions", compute="_compute_deduction_detail",
        help="Each deduction line: occurrences × points, and its cap.")

    participating = fields.Boolean(
        string="Assessed", readonly=True, default=True,
        help="Unchecked: 不参评 — the unit has no figure for an indicator of the scheme (or for any of them), "
             "and the scheme leaves such units out of the ranking.")

    # every indicator of the registry, under its figure key; a rate whose denominator is 0 has no value: the
    # screens show it blank
    locals().update({i.key: _FIELD_TYPES[i.kind](i) for i in INDICATORS})

    @api.model
    def _figure_fields(self):
        return [indicator.key for indicator in INDICATORS]

    def _figures(self):
        """The result's figures as `hotline.kpi.case.unit_figures` gives them: a rate without data is None."""
        self.ensure_one()
        figures = {name: self[name] for name in self._figure_fields()}
        for rate, (_num, den) in RATES.items():
            if not figures[den]:
                figures[rate] = None
        figures["satisfaction_score"] = self.satisfaction_score if self.rated else None
        return figures

    @api.depends("deduction_facts", "deduction_legacy")
    @api.depends_context("lang")
    def _compute_deduction_detail(self):
        render = self.env["hotline.assessment.scheme.deduction"]._render_facts
        for result in self:
            result.deduction_detail = render(result.deduction_facts) or result.deduction_legacy or False

    @api.depends("unit_id", "assessment_id.name")
    def _compute_display_name(self):
        # the breadcrumb of a ranking row: its unit in its assessment, not "hotline.assessment.result,28"
        for result in self:
            result.display_name = f"{result.unit_id.display_name} · {result.assessment_id.display_name}"

    def action_drilldown(self):
        """The dispatches behind one figure: the button's context gives the figure (`measure`)."""
        self.ensure_one()
        measure = self.env.context.get("measure", "dispatched")
        label = self._fields[measure].get_description(self.env)["string"] if measure in self._fields else measure
        return self.env["hotline.kpi.case"].action_cases(
            measure, self.date_from, self.date_to, self.unit_id,
            name=f"{self.unit_id.display_name} · {label}",
        )

