from odoo import api, fields, models


class HotlineCaseMergeWizard(models.TransientModel):
    _name = "hotline.case.merge.wizard"
    _description = "Merge Duplicate Case"

    case_id = fields.Many2one("hotline.case", string="Duplicate Case", required=True, ondelete="cascade")
    candidate_ids = fields.Many2many("hotline.case", compute="_compute_candidate_ids")
    target_id = fields.Many2one(
        "hotline.case", string="Merge Into", required=True, ondelete="cascade",
        domain="[('id', '!=', case_id), ('state', 'not in', ['closed', 'cancelled'])]",
    )

    @api.depends("case_id")
    def _compute_candidate_ids(self):
        for wizard in self:
            wizard.candidate_ids = wizard.case_id.duplicate_case_ids.filtered(
                lambda c: c.state not in ("closed", "cancelled")
            )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        case = self.env["hotline.case"].browse(values.get("case_id"))
        if case and "target_id" in fields_list:
            candidates = case.duplicate_case_ids.filtered(lambda c: c.state not in ("closed", "cancelled"))
            values["target_id"] = candidates[:1].id
        return values

    def action_merge(self):
        self.ensure_one()
        self.case_id.action_merge(self.target_id)
        return {"type": "ir.actions.act_window_close"}
