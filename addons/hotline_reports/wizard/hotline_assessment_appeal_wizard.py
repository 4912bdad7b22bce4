from odoo import fields, models

from ..models.hotline_assessment_publication import FIGURE_CODES


class HotlineAssessmentAppealWizard(models.TransientModel):
    """The backend's form to appeal a published dispatch (the portal has its own); the rules are file_appeal's."""

    _name = "hotline.assessment.appeal.wizard"
    _description = "Appeal a Published Figure"

    item_id = fields.Many2one("hotline.assessment.published.item", string="Dispatch", required=True, readonly=True)
    code = fields.Selection(FIGURE_CODES, string="Indicator", required=True,
                            help="The figure the case should not count in (one it is counted in).")
    reason = fields.Text(required=True)
    attachment_ids = fields.Many2many(
        "ir.attachment", "hotline_assessment_appeal_wizard_attachment_rel", "wizard_id", "attachment_id",
        string="Files", help="Photos, PDF or office documents supporting the appeal (several may be attached).")

    def action_confirm(self):
        self.ensure_one()
        # read as the user: only files the user may read become the appeal's (never another unit's by its id)
        uploads = self.attachment_ids.with_env(self.env)
        uploads.check_access("read")
        files = [(attachment.name, attachment.raw) for attachment in uploads]
        appeal = self.item_id.file_appeal(self.code, self.reason, files)
        # the uploads were the wizard's own: the appeal keeps its copies
        uploads.filtered(lambda a: a.res_model == self._name and a.create_uid == self.env.user).sudo().unlink()
        return {"type": "ir.actions.act_window", "res_model": "hotline.assessment.appeal", "res_id": appeal.id,
                "view_mode": "form", "views": [(False, "form")]}


class HotlineAssessmentAppealDecision(models.TransientModel):
    """The center's decision on an appeal, with its reason."""

    _name = "hotline.assessment.appeal.decision"
    _description = "Decide an Appeal"

    appeal_id = fields.Many2one("hotline.assessment.appeal", required=True, readonly=True)
    decision = fields.Selection([("accept", "Accept"), ("reject", "Reject")], required=True, readonly=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if self.decision == "accept":
            self.appeal_id.action_accept(self.reason)
        else:
            self.appeal_id.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
