from odoo import fields, models

from ..models.hotline_platform_code import DISPUTE_REASON_SELECTION


class HotlinePlatformReplyWizard(models.TransientModel):
    _name = "hotline.platform.reply.wizard"
    _description = "Reply to the 12345 Platform"

    case_id = fields.Many2one("hotline.case", required=True, ondelete="cascade")
    kind = fields.Selection([("progress", "Interim Reply (阶段性回复)"),
                             ("return_request", "Return Request (退单申请)"),
                             ("dispute_request", "Dispatch Objection (派单异议)")], required=True, default="progress")
    dispute_reason = fields.Selection(DISPUTE_REASON_SELECTION, string="Kind of Objection")
    note = fields.Text(required=True)

    def action_send(self):
        self.ensure_one()
        if self.kind == "progress":
            self.case_id._platform_send_progress(self.note)
        elif self.kind == "dispute_request":
            self.case_id._platform_dispute(self.note, self.dispute_reason)
        else:
            self.case_id._platform_request_return(self.note)
        return {"type": "ir.actions.act_window_close"}
