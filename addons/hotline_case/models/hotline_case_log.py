from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .hotline_case import HANDLING_RESULT_SELECTION, STATE_SELECTION

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
    ("callback_attempt", "Callback attempt: no answer"),
    ("callback_done", "Called back"),
    ("callback_unreachable", "Closed: caller unreachable"),
    ("callback_refused", "Closed: caller declined to rate"),
    ("reopen", "Reopened"),
    ("cancel", "Cancelled"),
    ("merge", "Merged"),
    ("merge_in", "Duplicate merged in"),
    ("rule_return", "Return ruled"),
]
# 退单裁定: the center rules each return; only an improper one (不当退单) counts against the unit.
RETURN_RULING_SELECTION = [
    ("pending", "Awaiting Ruling"),
    ("justified", "Justified"),
    ("improper", "Improper"),
]
# who rules returns: dispatchers (and the reviewers and managers above them)
RULING_GROUP = "hotline_case.group_dispatcher"


class HotlineCaseLog(models.Model):
    """One line per workflow step; reports derive sign, handling and review durations from it.

    Lines are written by the case's transition methods only and never change afterwards, but for the
    center's ruling of a return (action_rule_return), itself logged as a line of its own.
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
    # The ruling of a return, kept on the return's own line: it belongs to the dispatch that line ends, and the
    # unit reads it where it reads its return. Each ruling is also logged as a line of its own (rule_return).
    return_ruling = fields.Selection(
        RETURN_RULING_SELECTION, string="Ruling", compute="_compute_return_ruling", store=True, readonly=True,
        help="退单裁定: a return is awaiting ruling (待裁定) until a dispatcher or reviewer rules it justified (合理) "
             "or improper (不当); only improper returns count against the unit (不当退单) and can cost it points.")
    ruling_note = fields.Text(string="Ruling Reason", readonly=True)
    # the 办理结果 a submission carried, on its own line: the unit figures count it per submission
    handling_result = fields.Selection(HANDLING_RESULT_SELECTION, string="Handling Result", readonly=True)
    ruling_user_id = fields.Many2one("res.users", string="Ruled By", readonly=True)
    ruling_date = fields.Datetime(string="Ruled On", readonly=True)

    @api.depends("action")
    def _compute_return_ruling(self):
        for line in self:
            if line.action != "return":
                line.return_ruling = False
            elif not line.return_ruling:
                line.return_ruling = "pending"

    def action_rule_return(self, ruling, reason):
        """Rule returns 合理 (justified) or 不当 (improper) with a reason; logged on the case (who, when, why)."""
        if not self.env.su and not self.env.user.has_group(RULING_GROUP):
            raise AccessError(self.env._("Only dispatchers and reviewers can rule on returns."))
        labels = dict(self._fields["return_ruling"]._description_selection(self.env))
        if ruling not in ("justified", "improper"):
            raise UserError(self.env._("Rule the return as justified or improper."))
        if not reason or not str(reason).strip():
            raise UserError(self.env._("Give the reason for the ruling."))
        now = fields.Datetime.now()
        for line in self.sudo():
            if line.action != "return":
                raise UserError(self.env._("Only returns can be ruled."))
            if not self.env.su and self.env.user in line.unit_id.member_ids:
                raise AccessError(self.env._("A unit cannot rule on its own return."))
            line.write({"return_ruling": ruling, "ruling_note": reason, "ruling_user_id": self.env.uid,
                        "ruling_date": now})
            # a step of the case like any other (the exchange and the board follow _transition), about the unit
            # that returned it, wherever the case is now
            line.case_id._transition(
                "rule_return", None, now=now, log_vals={"unit_id": line.unit_id.id},
                note=self.env._("%(ruling)s: %(reason)s", ruling=labels[ruling], reason=reason))
        return True

    def action_open_ruling_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Rule on the Return"),
            "res_model": "hotline.return.ruling.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_log_id": self.id, "default_ruling": self.env.context.get("ruling", "justified")},
        }

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("Case log lines cannot be modified."))
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_only_superuser(self):
        if not self.env.su:
            raise UserError(self.env._("Case log lines cannot be deleted."))
