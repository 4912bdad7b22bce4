from odoo import api, models


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    @api.model_create_multi
    def create(self, vals_list):
        cases = super().create(vals_list)
        self.env["hotline.burst.alert"]._check_cases(cases)
        self.env["hotline.monitor.live"]._push_cases_later()
        return cases

    def _transition(self, action, to_state, vals=None, note=None):
        result = super()._transition(action, to_state, vals=vals, note=note)
        self.env["hotline.monitor.live"]._push_cases_later()
        return result
