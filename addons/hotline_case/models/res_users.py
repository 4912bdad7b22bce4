from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    hotline_unit_ids = fields.Many2many(
        "hotline.unit", "hotline_unit_member_rel", "user_id", "unit_id", string="Hotline Units",
    )

    def write(self, vals):
        res = super().write(vals)
        if "hotline_unit_ids" in vals:
            # record rules use user.hotline_unit_ids and are cached per user
            self.env.registry.clear_cache()
        return res
