from odoo import api, fields, models
from odoo.exceptions import UserError

from .hotline_case import STATE_SELECTION

# The steps of the workflow, labelled once for every screen (log lists, the portal's case history).
LOG_ACTION_SELECTION = [
    ("close_on_call", "Answered on the call"),
    ("transfer", "Sent to dispatch"),
    ("self_dispatch", "Dispatched by the agent"),
    ("dispatch", "Dispatched"),
    ("accept", "Signed for"),
    ("return", "Returned"),
    ("request_extension", "Extension requested"),
    ("approve_extension", "Extension approved"),
    ("reject_extension", "Extension refused"),
    ("submit", "Result submitted"),
    ("review_approve", "Result approved"),
    ("review_reject", "Result rejected"),
    ("urge", "Urged by a supervisor"),
    ("auto_urge", "Deadline reminder"),
    ("callback_done", "Called back"),
    ("reopen", "Reopened"),
    ("cancel", "Cancelled"),
    ("merge", "Merged"),
    ("merge_in", "Duplicate merged in"),
]


class HotlineCaseLog(models.Model):
    """One line per workflow step; reports derive sign, handling and review durations from it.

    Lines are written by the case's transition methods only and never change afterwards.
    """

    _name = "hotline.case.log"
    _description = "Case Log"
    _order = "date desc, id desc"

    case_id = fields.Many2one("hotline.case", required=True, index=True, ondelete="cascade", readonly=True)
    action = fields.Selection(LOG_ACTION_SELECTION, required=True, readonly=True, index=True)
    from_state = fields.Selection(STATE_SELECTION, readonly=True)
    to_state = fields.Selection(STATE_SELECTION, readonly=True)
    user_id = fields.Many2one("res.users", string="User", readonly=True, index=True, default=lambda s: s.env.user)
    unit_id = fields.Many2one("hotline.unit", string="Unit", readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    note = fields.Text(readonly=True)
    # the time limits this step set (dispatch: both; extension approved: the deadline), so that every dispatch
    # keeps its own after the case moves on (the unit figures count each dispatch against them)
    sign_deadline = fields.Datetime(string="Sign-for Deadline Set", readonly=True)
    deadline = fields.Datetime(string="Deadline Set", readonly=True)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("Case log lines cannot be modified."))
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_only_superuser(self):
        if not self.env.su:
            raise UserError(self.env._("Case log lines cannot be deleted."))
