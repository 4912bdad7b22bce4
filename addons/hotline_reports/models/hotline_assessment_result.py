from odoo import api, fields, models

COUNTS = [
    ("dispatched", "Dispatched"), ("signed_on_time", "Signed For on Time"), ("due", "Due"),
    ("handled_on_time", "Handled on Time"), ("closed", "Closed"), ("finished", "Closed after Callback"),
    ("first_time_closed", "Closed First Time"), ("dispatches", "Dispatches"), ("returned", "Returned"),
    ("redone", "Redone"), ("extended", "Extended"), ("callbacks_due", "Callbacks Due"),
    ("callbacks_done", "Callbacks Done"), ("rated", "Rated"), ("satisfied", "Satisfied"),
    ("overdue_count", "Overdue Cases"),
]
RATE_LABELS = [
    ("sign_on_time_rate", "Signed For on Time (%)"), ("on_time_rate", "Handled on Time (%)"),
    ("close_rate", "Closed (%)"), ("first_time_closed_rate", "Closed First Time (%)"),
    ("return_rate", "Returned (%)"), ("redo_rate", "Redone (%)"), ("extension_rate", "Extended (%)"),
    ("callback_rate", "Called Back (%)"), ("satisfaction_rate", "Satisfaction (%)"),
]
HOURS = [
    ("overdue_hours", "Overdue Hours"), ("avg_sign_hours", "Average Sign-for Hours"),
    ("avg_handle_hours", "Average Handling Hours"), ("avg_review_hours", "Average Review Hours"),
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
    deduction = fields.Float(readonly=True, digits=(16, 2))

    # the figures of hotline.kpi.case.unit_figures (see its docstring for each definition)
    dispatched = fields.Integer(string="Dispatched", readonly=True)
    signed_on_time = fields.Integer(string="Signed For on Time", readonly=True)
    due = fields.Integer(string="Due", readonly=True)
    handled_on_time = fields.Integer(string="Handled on Time", readonly=True)
    closed = fields.Integer(string="Closed", readonly=True)
    finished = fields.Integer(string="Closed after Callback", readonly=True)
    first_time_closed = fields.Integer(string="Closed First Time", readonly=True)
    dispatches = fields.Integer(string="Dispatches", readonly=True)
    returned = fields.Integer(string="Returned", readonly=True)
    redone = fields.Integer(string="Redone", readonly=True)
    extended = fields.Integer(string="Extended", readonly=True)
    callbacks_due = fields.Integer(string="Callbacks Due", readonly=True)
    callbacks_done = fields.Integer(string="Callbacks Done", readonly=True)
    rated = fields.Integer(string="Rated", readonly=True)
    satisfied = fields.Integer(string="Satisfied", readonly=True)
    overdue_count = fields.Integer(string="Overdue Cases", readonly=True)
    sign_on_time_rate = fields.Float(string="Signed For on Time (%)", readonly=True, aggregator=None, digits=(16, 4))
    on_time_rate = fields.Float(string="Handled on Time (%)", readonly=True, aggregator=None, digits=(16, 4))
    close_rate = fields.Float(string="Closed (%)", readonly=True, aggregator=None, digits=(16, 4))
    first_time_closed_rate = fields.Float(
        string="Closed First Time (%)", readonly=True, aggregator=None, digits=(16, 4))
    return_rate = fields.Float(string="Returned (%)", readonly=True, aggregator=None, digits=(16, 4))
    redo_rate = fields.Float(string="Redone (%)", readonly=True, aggregator=None, digits=(16, 4))
    extension_rate = fields.Float(string="Extended (%)", readonly=True, aggregator=None, digits=(16, 4))
    callback_rate = fields.Float(string="Called Back (%)", readonly=True, aggregator=None, digits=(16, 4))
    satisfaction_rate = fields.Float(string="Satisfaction (%)", readonly=True, aggregator=None, digits=(16, 4))
    overdue_hours = fields.Float(string="Overdue Hours", readonly=True, aggregator=None, digits=(16, 2))
    avg_sign_hours = fields.Float(string="Average Sign-for Hours", readonly=True, aggregator=None, digits=(16, 2))
    avg_handle_hours = fields.Float(string="Average Handling Hours", readonly=True, aggregator=None, digits=(16, 2))
    avg_review_hours = fields.Float(string="Average Review Hours", readonly=True, aggregator=None, digits=(16, 2))

    @api.model
    def _figure_fields(self):
        return [name for name, _label in COUNTS + RATE_LABELS + HOURS]

    def action_drilldown(self):
        """The cases behind one figure: the button's context gives the figure (`measure`)."""
        self.ensure_one()
        measure = self.env.context.get("measure", "dispatched")
        label = self._fields[measure].get_description(self.env)["string"] if measure in self._fields else measure
        return self.env["hotline.kpi.case"].action_cases(
            measure, self.date_from, self.date_to, self.unit_id,
            name=f"{self.unit_id.display_name} · {label}",
        )

