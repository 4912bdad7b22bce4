from odoo import api, fields, models

from ..kpi.cases import RATES

COUNTS = [
    ("dispatches", "Dispatches"), ("dispatched", "Cases Dispatched"), ("signed", "Signed For"),
    ("sign_due", "Sign-for Due"), ("signed_on_time", "Signed For on Time"),
    ("extension_requested", "Extensions Requested"), ("extended", "Extensions Approved"), ("submitted", "Submitted"),
    ("returned", "Returned"), ("returned_improper", "Improper Returns"), ("urged", "Urged"),
    ("settled", "Submitted or Returned"), ("due", "Due"),
    ("handled_on_time", "Handled on Time"), ("overdue_count", "Overdue Cases"), ("due_extended", "Due and Extended"),
    ("reviewed", "Reviewed"), ("approved", "Approved"), ("rejected", "Rejected"), ("callbacks_due", "Callbacks Due"),
    ("callbacks_done", "Callbacks Done"), ("callback_unreachable", "Caller Unreachable"),
    ("callback_refused", "Declined to Rate"), ("rated", "Rated"), ("satisfied", "Satisfied"), ("redone", "Redone"),
    ("concluded", "Concluded"), ("first_time_closed", "Closed First Time"),
    ("rated_very_satisfied", "Rated Very Satisfied"), ("rated_satisfied", "Rated Satisfied"),
    ("rated_basically_satisfied", "Rated Basically Satisfied"), ("rated_dissatisfied", "Rated Dissatisfied"),
    ("rated_very_dissatisfied", "Rated Very Dissatisfied"),
]
# what the unit held when the assessment was computed
HOLDING_LABELS = [
    ("holding_dispatched", "Waiting to Be Signed For"), ("holding_processing", "Being Handled"),
    ("holding_submitted", "Submitted, Waiting for Review"), ("holding_overdue", "Overdue Now"),
]
RATE_LABELS = [
    ("sign_on_time_rate", "Signed For on Time (%)"), ("on_time_rate", "Handled on Time (%)"),
    ("close_rate", "Approved at Review (%)"), ("first_time_closed_rate", "Closed First Time (%)"),
    ("return_rate", "Returned (%)"), ("improper_return_rate", "Improper Returns (%)"), ("redo_rate", "Redone (%)"),
    ("extension_rate", "Extended (%)"),
    ("callback_rate", "Called Back (%)"), ("satisfaction_rate", "Satisfaction (%)"),
]
HOURS = [
    ("overdue_hours", "Overdue Hours"), ("avg_sign_hours", "Average Sign-for Hours"),
    ("avg_handle_hours", "Average Handling Hours"), ("avg_review_hours", "Average Review Hours"),
    ("satisfaction_score", "Satisfaction Score"),
]


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
    deduction_detail = fields.Text(
        string="Deductions", readonly=True, help="Each deduction line: occurrences × points, and its cap.")

    participating = fields.Boolean(
        string="Assessed", readonly=True, default=True,
        help="Unchecked: 不参评 — the unit has no figure for an indicator of the scheme (or for any of them), "
             "and the scheme leaves such units out of the ranking.")

    # the figures of hotline.kpi.case.unit_figures (see its docstring for each definition); a rate whose
    # denominator is 0 has no value: the screens show it blank (kpi/cases.py RATES gives its denominator)
    locals().update({key: fields.Integer(string=label, readonly=True) for key, label in COUNTS + HOLDING_LABELS})
    locals().update({key: fields.Float(string=label, readonly=True, aggregator=None, digits=(16, 4))
                     for key, label in RATE_LABELS})
    overdue_hours = fields.Float(string="Overdue Hours", readonly=True, aggregator=None, digits=(16, 2))
    avg_sign_hours = fields.Float(string="Average Sign-for Hours", readonly=True, aggregator=None, digits=(16, 2))
    avg_handle_hours = fields.Float(string="Average Handling Hours", readonly=True, aggregator=None, digits=(16, 2))
    avg_review_hours = fields.Float(string="Average Review Hours", readonly=True, aggregator=None, digits=(16, 2))
    satisfaction_score = fields.Float(
        string="Satisfaction Score", readonly=True, aggregator=None, digits=(16, 2),
        help="满意度得分: the mean score (Satisfaction Levels) of the callers' verdicts; blank without verdict.")

    @api.model
    def _figure_fields(self):
        return [name for name, _label in COUNTS + HOLDING_LABELS + RATE_LABELS + HOURS]

    def _figures(self):
        """The result's figures as `hotline.kpi.case.unit_figures` gives them: a rate without data is None."""
        self.ensure_one()
        figures = {name: self[name] for name in self._figure_fields()}
        for rate, (_num, den) in RATES.items():
            if not figures[den]:
                figures[rate] = None
        figures["satisfaction_score"] = self.satisfaction_score if self.rated else None
        return figures

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

