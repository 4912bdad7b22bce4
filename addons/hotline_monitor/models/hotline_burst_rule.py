from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotlineBurstRule(models.Model):
    """When do cases of one category make an emergency (突发事件): K cases on one street (or district)
    within a sliding window of W minutes. A rule without category is the default for the others."""

    _name = "hotline.burst.rule"
    _description = "Burst Alert Rule"
    _order = "category_id, id"

    category_id = fields.Many2one("hotline.category", string="Category", ondelete="cascade",
                                  help="Empty: the default for categories without their own rule. A rule applies "
                                       "to its category's sub-categories too.")
    case_count = fields.Integer(string="Cases (K)", required=True, default=5)
    window_minutes = fields.Integer(string="Window (min)", required=True, default=60)
    grouping = fields.Selection([("street", "Same Street"), ("district", "Same District")], required=True,
                                default="street")
    active = fields.Boolean(default=True)

    _category_unique = models.UniqueIndex("(COALESCE(category_id, 0)) WHERE active",
                                          "One active rule per category (and one default).")

    @api.depends_context("lang")
    @api.depends("category_id", "case_count", "window_minutes", "grouping")
    def _compute_display_name(self):
        # what the rule says, e.g. "供水：60 分钟内同一街道 5 件", not "hotline.burst.rule,1"
        for rule in self:
            place = dict(rule._fields["grouping"]._description_selection(self.env)).get(rule.grouping, "")
            rule.display_name = self.env._(
                "%(category)s: %(count)s cases within %(minutes)s min, %(place)s",
                category=rule.category_id.display_name or self.env._("Default rule"),
                count=rule.case_count, minutes=rule.window_minutes, place=place)

    @api.constrains("case_count", "window_minutes")
    def _check_numbers(self):
        for rule in self:
            if rule.case_count < 2 or rule.window_minutes < 1:
                raise ValidationError(self.env._("A burst needs at least 2 cases and a window of at least 1 minute."))

    @api.model
    def _for_category(self, category):
        """The rule of the category or of its closest ancestor, else the default rule."""
        rules = self.sudo().search([("active", "=", True)])
        by_category = {r.category_id.id: r for r in rules}
        if category:
            for category_id in reversed([int(x) for x in (category.sudo().parent_path or "").split("/") if x]):
                if category_id in by_category:
                    return by_category[category_id]
        return by_category.get(False, self.browse())
