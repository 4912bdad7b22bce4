from odoo import fields, models

from ..models.hotline_case_log import RETURN_RULING_SELECTION


class HotlineReturnRulingWizard(models.TransientModel):
    """退单裁定: the dispatcher's or reviewer's ruling on one return, with its reason."""

    _name = "hotline.return.ruling.wizard"
    _description = "Rule on a Return"

    log_id = fields.Many2one("hotline.case.log", string="Return", required=True, ondelete="cascade")
    case_id = fields.Many2one(related="log_id.case_id")
    unit_id = fields.Many2one(related="log_id.unit_id")
    return_note = fields.Text(related="log_id.note", string="Return Reason")
    ruling = fields.Selection([r for r in RETURN_RULING_SELECTION if r[0] != "pending"], required=True,
                              default="justified")
    reason = fields.Text(string="Ruling Reason", required=True)

    def action_confirm(self):
        self.ensure_one()
        self.log_id.action_rule_return(self.ruling, self.reason)
        return {"type": "ir.actions.act_window_close"}
