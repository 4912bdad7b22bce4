from odoo import api, fields, models
from odoo.exceptions import UserError


class HotlineQualityAppealWizard(models.TransientModel):
    """The agent's appeal (a reason) or the team leader's ruling (维持 / 改判 with the new score) of a review:
    the rules are the review's (action_appeal, action_rule), the dialog only collects the input."""

    _name = "hotline.quality.appeal.wizard"
    _description = "Quality Review Appeal or Ruling"

    review_id = fields.Many2one("hotline.quality.review", required=True, ondelete="cascade")
    mode = fields.Selection([("appeal", "Appeal"), ("rule", "Ruling")], required=True, default="appeal")
    reason = fields.Text()
    current_score = fields.Float(related="review_id.score", string="Submitted Score")
    appeal_reason = fields.Text(related="review_id.appeal_reason")
    decision = fields.Selection([("upheld", "Upheld (维持)"), ("revised", "Revised (改判)")], default="upheld")
    new_score = fields.Float(string="Revised Score", digits=(5, 2))

    @api.model
    def _open(self, review, mode):
        wizard = self.create({"review_id": review.id, "mode": mode})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Appeal") if mode == "appeal" else self.env._("Rule the Appeal"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "appeal":
            self.review_id.action_appeal(self.reason)
        elif self.mode == "rule":
            self.review_id.action_rule(self.decision, self.new_score if self.decision == "revised" else None,
                                       self.reason)
        else:
            raise UserError(self.env._("Unknown step."))
        return {"type": "ir.actions.act_window_close"}
