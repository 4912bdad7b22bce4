from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotlineCategory(models.Model):
    _name = "hotline.category"
    _description = "Case Category"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one("hotline.category", string="Parent Category", index=True, ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("hotline.category", "parent_id", string="Sub-categories")
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    industry_id = fields.Many2one("hotline.industry", string="Industry")
    active = fields.Boolean(default=True)

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A category cannot be its own ancestor."))

    def _get_industry(self):
        """Industry of the category or, failing that, of its closest ancestor."""
        if not self:
            return self.env["hotline.industry"]
        self.ensure_one()
        for category_id in reversed([int(x) for x in self.sudo().parent_path.split("/") if x]):
            industry = self.browse(category_id).sudo().industry_id
            if industry:
                return industry.sudo(False)
        return self.env["hotline.industry"]
