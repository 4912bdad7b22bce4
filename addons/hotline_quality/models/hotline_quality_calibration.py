from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class HotlineQualityCalibration(models.Model):
    """校准: two (or more) inspectors score the same call on the same scorecard, apart; once they have
    submitted, the spread per item (highest − lowest share of the item earned, in points of 100) shows where
    the standard is read differently. Calibration reviews never count in an agent's QA score."""

    _name = "hotline.quality.calibration"
    _description = "Quality Calibration"
    _order = "id desc"

    name = fields.Char(required=True)
    call_id = fields.Many2one("hotline.call", string="Call", required=True, ondelete="restrict")
    scorecard_id = fields.Many2one("hotline.quality.scorecard", required=True, ondelete="restrict")
    inspector_ids = fields.Many2many("res.users", "hotline_quality_calibration_inspector_rel", "calibration_id",
                                     "user_id", string="Inspectors")
    review_ids = fields.One2many("hotline.quality.review", "calibration_id", string="Reviews", readonly=True)
    state = fields.Selection([("draft", "Draft"), ("scoring", "Scoring"), ("done", "Done")], default="draft",
                             required=True, readonly=True)
    score_spread = fields.Float(compute="_compute_spread", digits=(5, 2),
                                help="Highest − lowest score of the submitted reviews.")
    spread_html = fields.Html(string="Spread per Item", compute="_compute_spread", sanitize=False)

    def action_start(self):
        group = self.env.ref("hotline_quality.group_inspector")
        for calibration in self:
            if calibration.state != "draft":
                raise UserError(self.env._("The calibration has already started."))
            if len(calibration.inspector_ids) < 2:
                raise ValidationError(self.env._("A calibration needs at least two inspectors."))
            if calibration.inspector_ids.filtered(lambda u: group not in u.all_group_ids):
                raise ValidationError(self.env._("Only quality inspectors can score a calibration call."))
            self.env["hotline.quality.review"].sudo().create([
                {"call_id": calibration.call_id.id, "scorecard_id": calibration.scorecard_id.id,
                 "inspector_id": inspector.id, "calibration_id": calibration.id, "sample_reason": "calibration"}
                for inspector in calibration.inspector_ids])
            calibration.state = "scoring"
        return True

    def item_spread(self):
        """[(item, {inspector: earned share 0..100 or None for N/A}, spread)] over the submitted reviews.

        The share is what the inspector gave the item out of its full rating (a deduction item: the points
        taken off; a fatal item: 100 when found, else 0), so items of any kind compare on one scale."""
        self.ensure_one()
        reviews = self.review_ids.filtered(lambda r: r.state != "draft")
        result = []
        for item in self.scorecard_id.item_ids:
            marks = {}
            for review in reviews:
                line = review.line_ids.filtered(lambda ln, item=item: ln.item_id == item)
                if not line or line.na:
                    marks[review.inspector_id] = None
                elif item.kind == "score":
                    full = item.weight if item.scorecard_id.scale == "points" else 100.0
                    marks[review.inspector_id] = round(100.0 * line.value / full, 2) if full else 0.0
                elif item.kind == "deduction":
                    marks[review.inspector_id] = item.deduction_points * line.occurrences
                else:
                    marks[review.inspector_id] = 100.0 if line.fatal_found else 0.0
            values = [v for v in marks.values() if v is not None]
            result.append((item, marks, round(max(values) - min(values), 2) if len(values) > 1 else None))
        return result

    @api.depends("review_ids.state", "review_ids.line_ids.value", "review_ids.final_score")
    def _compute_spread(self):
        for calibration in self:
            submitted = calibration.review_ids.filtered(lambda r: r.state != "draft")
            scores = submitted.mapped("score")
            calibration.score_spread = max(scores) - min(scores) if len(scores) > 1 else 0.0
            if len(submitted) < 2:
                calibration.spread_html = Markup("<p class='text-muted'>%s</p>") % escape(
                    self.env._("The spread shows once two inspectors have submitted."))
                continue
            inspectors = submitted.inspector_id
            head = Markup("").join(Markup("<th>%s</th>") % name for name in inspectors.mapped("name"))
            rows = Markup("")
            for item, marks, spread in calibration.item_spread():
                cells = Markup("").join(
                    Markup("<td>%s</td>") % ("N/A" if marks.get(user) is None else f"{marks[user]:g}")
                    for user in inspectors)
                rows += Markup("<tr><td>%s</td>%s<td><b>%s</b></td></tr>") % (
                    item.name, cells, "" if spread is None else f"{spread:g}")
            calibration.spread_html = Markup(
                "<table class='table table-sm o_hotline_quality_spread'><thead><tr><th>%s</th>%s<th>%s</th></tr>"
                "</thead><tbody>%s</tbody></table>") % (self.env._("Item"), head, self.env._("Spread"), rows)

    def action_done(self):
        for calibration in self:
            if len(calibration.review_ids.filtered(lambda r: r.state != "draft")) < 2:
                raise UserError(self.env._("Two inspectors at least must submit before the calibration ends."))
            calibration.state = "done"
        return True
