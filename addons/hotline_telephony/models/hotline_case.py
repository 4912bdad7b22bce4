from odoo import fields, models


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    call_ids = fields.Many2many("hotline.call", "hotline_call_case_rel", "case_id", "call_id", string="Calls",
                                groups="hotline_case.group_agent")
    call_count = fields.Integer(compute="_compute_call_count", groups="hotline_case.group_agent")

    def _compute_call_count(self):
        for case in self:
            case.call_count = len(case.call_ids)

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
