from odoo import api, fields, models


class HotlineRoutingRule(models.Model):
    _name = "hotline.routing.rule"
    _description = "Routing Rule"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    category_id = fields.Many2one("hotline.category", required=True, index=True, ondelete="cascade")
    district_id = fields.Many2one(
        "hotline.district", ondelete="cascade", help="Leave empty for a rule valid in every district.",
    )
    unit_id = fields.Many2one("hotline.unit", required=True, ondelete="cascade")
    active = fields.Boolean(default=True)

    @api.model
    def _find_unit(self, category, district=None):
        """Unit suggested for a category and district.

        The most specific rule wins: the deepest category in the category's ancestry, then a rule of the
        district over a rule for every district, then the sequence.
        """
        if not category:
            return self.env["hotline.unit"]
        ancestor_ids = [int(x) for x in category.sudo().parent_path.split("/") if x]
        district_ids = [False] + ([district.id] if district else [])
        rules = self.sudo().search([("category_id", "in", ancestor_ids), ("district_id", "in", district_ids)])
        if not rules:
            return self.env["hotline.unit"]
        depth = {cid: i for i, cid in enumerate(ancestor_ids)}
        best = min(rules, key=lambda r: (-depth[r.category_id.id], 0 if r.district_id else 1, r.sequence, r.id))
        return best.unit_id.sudo(False)
