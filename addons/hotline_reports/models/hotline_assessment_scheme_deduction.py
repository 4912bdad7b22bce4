from odoo import api, fields, models
from odoo.exceptions import ValidationError

# 扣分项: what a unit loses points for, each the count of a figure of hotline.kpi.case.unit_figures
DEDUCTION_KINDS = [
    ("returned_improper", "Improper Return (不当退单)"),
    ("overdue_count", "Overdue Case (超期)"),
    ("urged", "Urged by a Supervisor (督办)"),
    ("redone", "Redone after the Callback (重办)"),
]


class HotlineAssessmentSchemeDeduction(models.Model):
    """One deduction line (扣分项) of a scheme: points per occurrence of a figure, never more than its cap."""

    _name = "hotline.assessment.scheme.deduction"
    _description = "Assessment Deduction"
    _order = "sequence, id"

    scheme_id = fields.Many2one("hotline.assessment.scheme", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(DEDUCTION_KINDS, string="Deducted For", required=True)
    points = fields.Float(string="Points per Occurrence", required=True, default=0.5,
                          help="Points deducted for each occurrence in the period.")
    cap = fields.Float(string="Cap", required=True, default=5.0,
                       help="This line never deducts more than this many points.")

    @api.constrains("points", "cap")
    def _check_points(self):
        for line in self:
            if line.points <= 0:
                raise ValidationError(self.env._(
                    "The points of the deduction “%(line)s” must be above 0 (got %(points)s).",
                    line=line._kind_label(), points=f"{line.points:g}"))
            if line.cap < line.points:
                raise ValidationError(self.env._(
                    "The cap of the deduction “%(line)s” (%(cap)s) cannot be below its points per occurrence "
                    "(%(points)s).", line=line._kind_label(), cap=f"{line.cap:g}", points=f"{line.points:g}"))

    def _kind_label(self):
        return dict(self._fields["kind"]._description_selection(self.env)).get(self.kind, "")

    @api.model
    def _render_facts(self, facts):
        """The deduction detail of stored facts (`hotline.assessment.scheme.deduction_facts`) in the reader's
        language: one "figure: n × points = deducted (cap c)" a line, the figure named by the KPI registry."""
        labels = dict(self.env["hotline.assessment.published.figure"]._fields["code"]._description_selection(
            self.env))
        return "\n".join(
            self.env._("%(kind)s: %(count)s × %(points)s = %(deducted)s (cap %(cap)s)",
                       kind=labels.get(fact["kind"], fact["kind"]), count=f"{fact['count']:g}",
                       points=f"{fact['points']:g}", deducted=f"{fact['deducted']:g}", cap=f"{fact['cap']:g}")
            for fact in facts or () if fact.get("count"))

    def deduct(self, figures):
        """(points deducted, occurrences) of this line for a unit's figures."""
        self.ensure_one()
        count = figures.get(self.kind) or 0
        return min(self.cap, self.points * count), count
