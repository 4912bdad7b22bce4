from odoo import fields, models

# Indicators a unit can be scored on: higher is better (退单率, 重办率, 延期率 work as deductions instead).
INDICATORS = [
    ("sign_on_time_rate", "Signed For on Time (及时签收率)"),
    ("on_time_rate", "Handled on Time (按时办结率)"),
    ("close_rate", "Approved at Review (审核通过率)"),
    ("first_time_closed_rate", "Closed First Time (一次性办结率)"),
    ("callback_rate", "Called Back (回访率)"),
    ("satisfaction_rate", "Satisfaction (满意率)"),
]


class HotlineAssessmentSchemeLine(models.Model):
    _name = "hotline.assessment.scheme.line"
    _description = "Assessment Indicator"
    _order = "sequence, id"

    scheme_id = fields.Many2one("hotline.assessment.scheme", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    indicator = fields.Selection(INDICATORS, required=True)
    target = fields.Float(
        string="Target (%)", required=True, default=90.0,
        help="Rate earning the full weight; a lower rate earns its share (rate ÷ target).",
    )
    weight = fields.Float(required=True, default=30.0, help="Points of the indicator out of the scheme's total.")

    _target_positive = models.Constraint(
        "CHECK(target > 0 AND target <= 100)", "The target must be a percentage above 0 and at most 100.",
    )
    _weight_positive = models.Constraint("CHECK(weight >= 0)", "The weight cannot be negative.")
