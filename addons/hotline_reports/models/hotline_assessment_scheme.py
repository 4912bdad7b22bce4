from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotlineAssessmentScheme(models.Model):
    """综合考核 scheme: the indicators a unit is scored on, their targets and weights, and deductions.

    score = Σ wᵢ/100 · min(100, rateᵢ / targetᵢ · 100) − deductions, the weights wᵢ adding up to 100;
    deductions = min(max_deduction, overdue_points × 超期件数 + return_points × 退单).
    A rate without data (no dispatch in its population, e.g. no callback yet) is never 0: by the scheme's
    `no_data`, the indicator is left out and its weight spread over the others in proportion, or the unit
    is not assessed (不参评: no score, no rank). A unit with no figure for any indicator is never assessed.
    """

    _name = "hotline.assessment.scheme"
    _description = "Assessment Scheme"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    line_ids = fields.One2many("hotline.assessment.scheme.line", "scheme_id", string="Indicators", copy=True)
    total_weight = fields.Float(compute="_compute_total_weight", help="Sum of the indicators' weights.")
    overdue_points = fields.Float(
        string="Points per Overdue Case", default=0.5, help="Deducted for each case handled late or not handled "
        "by its deadline (超期件数).",
    )
    return_points = fields.Float(string="Points per Return", default=0.0, help="Deducted for each return (退单).")
    max_deduction = fields.Float(default=10.0, help="The deductions never exceed this many points.")
    no_data = fields.Selection(
        [("spread", "Leave the indicator out, spread its weight"), ("exclude", "Do not assess the unit")],
        string="Indicator without Data", required=True, default="spread",
        help="A rate with no dispatch to count (e.g. no result reviewed yet) is never taken as 0: either the "
             "indicator is left out for that unit and its weight spread over the others in proportion, or the "
             "unit is marked 不参评 (not assessed) and left out of the ranking.")
    formula = fields.Text(compute="_compute_formula", help="The scoring formula as printed on the report.")

    _overdue_points_positive = models.Constraint(
        "CHECK(overdue_points >= 0 AND return_points >= 0 AND max_deduction >= 0)",
        "Deductions cannot be negative.",
    )

    @api.depends("line_ids.weight")
    def _compute_total_weight(self):
        for scheme in self:
            scheme.total_weight = sum(scheme.line_ids.mapped("weight"))

    @api.depends("line_ids.indicator", "line_ids.target", "line_ids.weight", "overdue_points", "return_points",
                 "max_deduction", "no_data")
    def _compute_formula(self):
        labels = dict(self.env["hotline.assessment.scheme.line"]._fields["indicator"]._description_selection(
            self.env))
        for scheme in self:
            terms = " + ".join(
                self.env._("%(weight)s × min(100, %(indicator)s ÷ %(target)s%%)",
                           weight=f"{line.weight:g}%", indicator=labels.get(line.indicator, ""),
                           target=f"{line.target:g}")
                for line in scheme.line_ids)
            no_data = (self.env._("an indicator without data is left out and the other weights scaled up")
                       if scheme.no_data == "spread" else
                       self.env._("a unit without data for an indicator is not assessed (不参评)"))
            scheme.formula = self.env._(
                "Score = %(terms)s − min(%(max)s, %(overdue)s × overdue cases + %(returns)s × returns); %(no_data)s.",
                terms=terms or "0", max=f"{scheme.max_deduction:g}", overdue=f"{scheme.overdue_points:g}",
                returns=f"{scheme.return_points:g}", no_data=no_data,
            )

    @api.constrains("line_ids")
    def _check_lines(self):
        for scheme in self:
            indicators = scheme.line_ids.mapped("indicator")
            if len(indicators) != len(set(indicators)):
                raise ValidationError(self.env._("Each indicator can appear only once in a scheme."))
            total = sum(scheme.line_ids.mapped("weight"))
            if scheme.line_ids and abs(total - 100.0) > 1e-6:
                raise ValidationError(self.env._(
                    "The weights of scheme %(scheme)s add up to %(total)s: they must add up to 100.",
                    scheme=scheme.name, total=f"{total:g}"))

    def score(self, figures):
        """(score, deduction, detail) of a unit's figures (a dict of `hotline.kpi.case.unit_figures`);
        score None when the unit is not assessed (不参评, see the class docstring)."""
        self.ensure_one()
        scored = [(line, figures.get(line.indicator)) for line in self.line_ids if line.weight]
        available = [(line, rate) for line, rate in scored if rate is not None]
        deduction = min(self.max_deduction, self.overdue_points * (figures.get("overdue_count") or 0)
                        + self.return_points * (figures.get("returned") or 0))
        if not available or (self.no_data == "exclude" and len(available) < len(scored)):
            return None, round(deduction, 2), []
        total = sum(line.weight for line, _rate in scored)
        used = sum(line.weight for line, _rate in available)
        points = 0.0
        detail = []
        for line, rate in available:
            weight = line.weight * total / used
            achieved = min(100.0, rate * 100.0 / line.target * 100.0)
            points += weight / 100.0 * achieved
            detail.append((line.indicator, rate, achieved, weight))
        return round(points - deduction, 2), round(deduction, 2), detail
