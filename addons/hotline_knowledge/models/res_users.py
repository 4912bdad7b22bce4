from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    hotline_knowledge_unit_ids = fields.Many2many(
        "hotline.unit", "hotline_unit_knowledge_manager_rel", "user_id", "unit_id", string="Knowledge of Units",
        help="Units whose knowledge items this user manages.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "hotline_knowledge_unit_ids" in vals:
            self.env.registry.clear_cache()
        return res
