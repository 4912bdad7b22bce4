from odoo import fields, models


class HotlineUnit(models.Model):
    _inherit = "hotline.unit"

    knowledge_manager_ids = fields.Many2many(
        "res.users", "hotline_unit_knowledge_manager_rel", "unit_id", "user_id", string="Knowledge Managers",
        help="Users (internal or portal) who propose and keep current the knowledge items this unit owns.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "knowledge_manager_ids" in vals:
            # record rules use user.hotline_knowledge_unit_ids and are cached per user
            self.env.registry.clear_cache()
        return res
