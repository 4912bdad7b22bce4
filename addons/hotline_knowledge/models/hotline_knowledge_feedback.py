from odoo import fields, models
from odoo.exceptions import AccessError


class HotlineKnowledgeFeedback(models.Model):
    _name = "hotline.knowledge.feedback"
    _description = "Knowledge Item Feedback"
    _order = "create_date desc, id desc"

    item_id = fields.Many2one("hotline.knowledge.item", required=True, index=True, ondelete="cascade",
                              readonly=True)
    unit_id = fields.Many2one(related="item_id.unit_id", store=True, string="Owner Unit")
    case_id = fields.Many2one("hotline.case", string="Case", readonly=True, ondelete="set null")
    user_id = fields.Many2one("res.users", string="Flagged by", readonly=True)
    reason = fields.Selection([("wrong", "Wrong"), ("outdated", "Outdated"), ("unclear", "Unclear")],
                              required=True, readonly=True)
    note = fields.Text(readonly=True)
    state = fields.Selection([("open", "Open"), ("done", "Handled")], default="open", required=True,
                             readonly=True, index=True)

    def action_done(self):
        """The owner unit (or an editor) has dealt with the remark."""
        for feedback in self:
            feedback.item_id._check_proposer()
        self.sudo().write({"state": "done"})
        self.item_id.sudo().activity_feedback(["hotline_knowledge.mail_activity_knowledge_feedback"])
        return True

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Feedback changes only through its buttons."))
        return super().write(vals)
