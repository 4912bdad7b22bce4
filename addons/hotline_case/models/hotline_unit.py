from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotlineUnit(models.Model):
    _name = "hotline.unit"
    _description = "Handling Unit"
    _parent_store = True
    _order = "sequence, code, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one("hotline.unit", string="Parent Unit", index=True, ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("hotline.unit", "parent_id", string="Sub-units")
    partner_id = fields.Many2one("res.partner", string="Contact")
    member_ids = fields.Many2many(
        "res.users", "hotline_unit_member_rel", "unit_id", "user_id", string="Members",
        help="Users (internal or portal) who work for this unit and handle its cases.",
    )
    industry_ids = fields.Many2many("hotline.industry", string="Industries")
    phone = fields.Char()
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint("UNIQUE(code)", "The code of a unit must be unique.")

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A unit cannot be its own parent."))

    @api.model_create_multi
    def create(self, vals_list):
        units = super().create(vals_list)
        if any(vals.get("member_ids") for vals in vals_list):
            # record rules use user.hotline_unit_ids and are cached per user
            self.env.registry.clear_cache()
        return units

    def write(self, vals):
        res = super().write(vals)
        if "member_ids" in vals:
            self.env.registry.clear_cache()
        return res
