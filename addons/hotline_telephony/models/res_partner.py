from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_hotline_dial(self):
        """Click-to-dial the partner's phone from the agent's phone."""
        self.ensure_one()
        self.check_access("read")
        return self.env["hotline.call"]._originate(self.phone, partner=self)
