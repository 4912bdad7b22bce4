from odoo import api, models

# the fields that decide which burst group a case belongs to
BURST_FIELDS = {"category_id", "street_id", "district_id", "date_received"}


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    @api.model_create_multi
    def create(self, vals_list):
        cases = super().create(vals_list)
        # the burst check runs after the commit (hotline.burst.queue): no alert row is written here
        self.env["hotline.burst.queue"]._enqueue(cases)
        self.env["hotline.monitor.live"]._push_cases_later()
        return cases

    def write(self, vals):
        result = super().write(vals)
        # a corrected category or place (a common edit at intake) may complete a burst
        if BURST_FIELDS.intersection(vals):
            self.env["hotline.burst.queue"]._enqueue(self)
            self.env["hotline.monitor.live"]._push_cases_later()
        return result

    def _transition(self, action, to_state, vals=None, note=None, now=None, log_vals=None):
        result = super()._transition(action, to_state, vals=vals, note=note, now=now, log_vals=log_vals)
        self.env["hotline.monitor.live"]._push_cases_later()
        return result
