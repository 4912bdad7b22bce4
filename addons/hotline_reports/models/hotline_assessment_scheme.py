from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotlineAssessmentScheme(models.Model):
    """综合考核 scheme: the indicators a unit is scored on, their targets and weights, and deductions.

    score = max(0, Σ wᵢ/100 · min(100, rateᵢ / targetᵢ · 100) − deductions), the weights wᵢ adding up to 100;
    deductions = Σ over the deduction lines (扣分项) min(capⱼ, pointsⱼ × occurrencesⱼ), the occurrences being the
    unit's 不当退单, 超期, 督办 or 重办 of the period (only improper returns: a justified one costs nothing).
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
    deduction_ids = fields.One2many("hotline.assessment.scheme.deduction", "scheme_id", string="Deductions",
                                    copy=True)
    no_data = fields.Selection(
        [("spread", "Leave the indicator out, spread its weight"), ("exclude", "Do not assess the unit")],
        string="Indicator without Data", required=True, default="spread",
        help="A rate with no dispatch to count (e.g. no result reviewed yet) is never taken as 0: either the "
             "indicator is left out for that unit and its weight spread over the others in proportion, or the "
             "unit is marked 不参评 (not assessed) and left out of the ranking.")
    formula = fields.Text(compute="_compute_formula", help="The scoring formula as printed on the report.")

    @api.depends("line_ids.weight")
    def _compute_total_weight(self):
        for scheme in self:
            scheme.total_weight = sum(scheme.line_ids.mapped("weight"))

    @api.depends("line_ids.indicator", "line_ids.target", "line_ids.weight", "deduction_ids.kind",
                 "deduction_ids.points", "deduction_ids.cap", "no_data")
    def _compute_formula(self):
        labels = dict(self.env["hotline.assessment.scheme.line"]._fields["indicator"]._description_selection(
            self.env))
        kinds = dict(self.env["hotline.assessment.scheme.deduction"]._fields["kind"]._description_selection(self.env))
        for scheme in self:
            terms = " + ".join(
                self.env._("%(weight)s × min(100, %(indicator)s ÷ %(target)s%%)",
                           weight=f"{line.weight:g}%", indicator=labels.get(line.indicator, ""),
                           target=f"{line.target:g}")
                for line in scheme.line_ids)
            no_data = (self.env._("an indicator without data is left out and the other weights scaled up")
                       if scheme.no_data == "spread" else
                       self.env._("a unit without data for an indicator is not assessed (不参评)"))
            deductions = " − ".join(
                self.env._("min(%(cap)s, %(points)s × %(kind)s)", cap=f"{line.cap:g}", points=f"{line.points:g}",
                           kind=kinds.get(line.kind, ""))
                for line in scheme.deduction_ids)
            scheme.formula = self.env._(
                "Score = max(0, %(terms)s%(deductions)s); %(no_data)s.",
                terms=terms or "0", deductions=f" − {deductions}" if deductions else "", no_data=no_data,
            )

    @api.constrains("line_ids", "deduction_ids")
    def _check_lines(self):
        for scheme in self:
            indicators = scheme.line_ids.mapped("indicator")
            if len(indicators) != len(set(indicators)):
                raise ValidationError(self.env._("Each indicator can appear only once in a scheme."))
            kinds = scheme.deduction_ids.mapped("kind")
            if len(kinds) != len(set(kinds)):
                raise ValidationError(self.env._("Each deduction can appear only once in a scheme."))
            total = sum(scheme.line_ids.mapped("weight"))
            if scheme.line_ids and abs(total - 100.0) > 1e-6:
                raise ValidationError(self.env._(
                    "The weights of scheme %(scheme)s add up to %(total)s: they must add up to 100.",
                    scheme=scheme.name, total=f"{total:g}"))

    def deductions(self, figures):
        """(total points deducted, [(deduction line, occurrences, points)]) of a unit's figures."""
        self.ensure_one()
        lines = []
        for line in self.deduction_ids:
            points, count = line.deduct(figures)
            lines.append((line, count, points))
        return round(sum(points for _line, _count, points in lines), 2), lines

    def deduction_facts(self, lines):
        """The facts behind the deduction detail, stored as such (the words are the reader's, see
        `hotline.assessment.scheme.deduction._render_facts`): one {kind, count, points, cap, deducted} per line
        that deducted anything."""
        # a published figure is a float: its counts are whole numbers all the same
        return [{"kind": line.kind, "count": round(count), "points": line.points, "cap": line.cap,
                 "deducted": points} for line, count, points in lines if count]

    def deduction_text(self, lines):
        """The deduction detail as printed on 综合考核 and its XLSX, in the reader's language."""
        return self.env["hotline.assessment.scheme.deduction"]._render_facts(self.deduction_facts(lines))

    def score(self, figures):
        """(score, deduction, detail) of a unit's figures (a dict of `hotline.kpi.case.unit_figures`);
        score None when the unit is not assessed (不参评, see the class docstring)."""
        self.ensure_one()
        scored = [(line, figures.get(line.indicator)) for line in self.line_ids if line.weight]
        available = [(line, rate) for line, rate in scored if rate is not None]
        deduction, _lines = self.deductions(figures)
        if not available or (self.no_data == "exclude" and len(available) < len(scored)):
            return None, deduction, []
        total = sum(line.weight for line, _rate in scored)
        used = sum(line.weight for line, _rate in available)
        points = 0.0
        detail = []
        for line, rate in available:
            weight = line.weight * total / used
            achieved = min(100.0, rate * 100.0 / line.target * 100.0)
            points += weight / 100.0 * achieved
            detail.append((line.indicator, rate, achieved, weight))
        # the deductions can take every point, never more
        return round(max(0.0, points - deduction), 2), deduction, detail
