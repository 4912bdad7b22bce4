from datetime import timedelta

from odoo import api, fields, models

# A case typed right after hanging up still belongs to the call (the agent's wrap-up).
WRAP_UP = timedelta(minutes=5)


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    call_ids = fields.Many2many("hotline.call", "hotline_call_case_rel", "case_id", "call_id", string="Calls",
                                groups="hotline_case.group_agent")
    call_count = fields.Integer(compute="_compute_call_count", groups="hotline_case.group_agent")

    def _compute_call_count(self):
        for case in self:
            case.call_count = len(case.call_ids)

    @api.model_create_multi
    def create(self, vals_list):
        cases = super().create(vals_list)
        cases._link_calls()
        return cases

    def _link_calls(self):
        """Tie each phone case to the call it was taken on, and that call to the caller.

        The screen pop passes the call; otherwise it is the creating agent's answered call from the
        same number that is in progress or ended within the wrap-up.
        """
        Call = self.env["hotline.call"].sudo()
        for case in self.sudo():
            calls = case.call_ids
            if not calls and case.caller_phone and case.channel == "phone":
                calls = Call.search([
                    ("direction", "=", "inbound"), ("caller_phone", "=", case.caller_phone),
                    ("user_id", "=", self.env.uid), ("answer_time", "<=", case.date_received),
                    "|", ("end_time", "=", False), ("end_time", ">=", case.date_received - WRAP_UP),
                ], order="answer_time desc", limit=1)
                case.call_ids = calls
            if case.partner_id:
                calls.filtered(lambda c: not c.partner_id).partner_id = case.partner_id

    def action_hotline_dial(self):
        """回访: call the citizen back from the agent's phone; the call is linked to the case."""
        self.ensure_one()
        self.check_access("read")
        return self.env["hotline.call"]._originate(self.caller_phone, partner=self.partner_id, cases=self)

    def action_view_calls(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "hotline.call",
            "name": self.env._("Calls"),
            "view_mode": "list,form",
            "domain": [("id", "in", self.call_ids.ids)],
        }
