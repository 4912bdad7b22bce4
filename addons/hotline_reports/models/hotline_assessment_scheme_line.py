from odoo import api, fields, models

from ..kpi.case_indicators import BY_CODE, SCORED_RATES

# Indicators a unit can be scored on: the registry's rates where higher is better (退单率, 重办率, 延期率 and the
# like work as deductions instead)
INDICATORS = [(indicator.code, indicator.label) for indicator in SCORED_RATES]


class HotlineAssessmentSchemeLine(models.Model):
    _name = "hotline.assessment.scheme.line"
    _description = "Assessment Indicator"
    _order = "sequence, id"

    scheme_id = fields.Many2one("hotline.assessment.scheme", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    indicator = fields.Selection(INDICATORS, required=True)
    formula = fields.Char(string="Formula", compute="_compute_formula", help="The indicator's definition (口径).")
    direction = fields.Selection([("up", "Higher is better"), ("down", "Lower is better")],
                                 compute="_compute_formula", help="Which way the indicator improves.")
    target = fields.Float(
        string="Target (%)", required=True, default=90.0,
        help="Rate earning the full weight; a lower rate earns its share (rate ÷ target).",
    )
    weight = fields.Float(required=True, default=30.0, help="Points of the indicator out of the scheme's total.")

    _target_positive = models.Constraint(
        "CHECK(target > 0 AND target <= 100)", "The target must be a percentage above 0 and at most 100.",
    )
    _weight_positive = models.Constraint("CHECK(weight >= 0)", "The weight cannot be negative.")

    @api.depends("indicator")
    def _compute_formula(self):
        # the registry's formula, as the result's field help gives it (translated)
        results = self.env["hotline.assessment.result"]
        for line in self:
            indicator = BY_CODE.get(line.indicator)
            line.formula = results._fields[indicator.key].get_description(self.env)["help"] if indicator else False
            line.direction = indicator.direction if indicator else False
