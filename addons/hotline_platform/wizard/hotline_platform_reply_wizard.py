from odoo import fields, models


class HotlinePlatformReplyWizard(models.TransientModel):
    _name = "hotline.platform.reply.wizard"
    _description = "Reply to the 12345 Platform"

    case_id = fields.Many2one("hotline.case", required=True, ondelete="cascade")
    kind = fields.Selection([("progress", "Interim Reply (阶段性回复)"),
                             ("return_request", "Return Request (退单申请)")], required=True, default="progress")
    note = fields.Text(required=True)

    def action_send(self):
        self.ensure_one()
        if self.kind == "progress":
            self.case_id._platform_send_progress(self.note)
        else:
            self.case_id._platform_request_return(self.note)
        return {"type": "ir.actions.act_window_close"}
