from odoo import fields, models


class HotlineKnowledgeSendBack(models.TransientModel):
    _name = "hotline.knowledge.send.back"
    _description = "Send a Knowledge Item Back"

    item_id = fields.Many2one("hotline.knowledge.item", required=True, ondelete="cascade")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.item_id.action_send_back(self.reason)
        return {"type": "ir.actions.act_window_close"}


class HotlineKnowledgeFlag(models.TransientModel):
    _name = "hotline.knowledge.flag"
    _description = "Flag a Knowledge Item"

    item_id = fields.Many2one("hotline.knowledge.item", required=True, ondelete="cascade")
    case_id = fields.Many2one("hotline.case", string="Case")
    reason = fields.Selection([("wrong", "Wrong"), ("outdated", "Outdated"), ("unclear", "Unclear")],
                              required=True, default="outdated")
    note = fields.Text()

    def action_confirm(self):
        self.item_id.action_flag(self.reason, self.note, self.case_id.id)
        return {"type": "ir.actions.act_window_close"}
