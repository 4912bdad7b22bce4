from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotlineKnowledgeCategory(models.Model):
    _name = "hotline.knowledge.category"
    _description = "Knowledge Category"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one("hotline.knowledge.category", string="Parent Category", index=True,
                                ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("hotline.knowledge.category", "parent_id", string="Sub-categories")
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    case_category_ids = fields.Many2many(
        "hotline.category", string="Case Categories",
        help="Case categories whose cases this knowledge category answers: its items rank first for them.",
    )
    review_months = fields.Integer(
        string="Review Every (Months)",
        help="Items of this category (and of its sub-categories without their own interval) are to be reviewed "
             "by their owner unit this often. 0: the parent's interval, or no review.",
    )
    active = fields.Boolean(default=True)

    _review_months_positive = models.Constraint("CHECK(review_months >= 0)",
                                                "The review interval cannot be negative.")

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

    def _review_interval(self):
        """Months between reviews: the category's own, else the closest ancestor's (0: never)."""
        self.ensure_one()
        for category_id in reversed([int(x) for x in self.sudo().parent_path.split("/") if x]):
            months = self.browse(category_id).sudo().review_months
            if months:
                return months
        return 0
