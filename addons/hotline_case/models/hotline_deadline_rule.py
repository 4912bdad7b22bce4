from odoo import api, fields, models

URGENCY_SELECTION = [("normal", "Normal"), ("urgent", "Urgent"), ("critical", "Critical")]


class HotlineDeadlineRule(models.Model):
    _name = "hotline.deadline.rule"
    _description = "Deadline Rule"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(compute="_compute_name")
    type_id = fields.Many2one("hotline.case.type", string="Case Type", ondelete="cascade")
    category_id = fields.Many2one("hotline.category", string="Category", ondelete="cascade")
    urgency = fields.Selection(URGENCY_SELECTION, help="Leave empty for a rule valid for every urgency.")
    sign_hours = fields.Float(
        string="Hours to Sign For", default=8.0, help="Working hours the unit has to sign for the case.",
    )
    finish_amount = fields.Float(string="Time to Finish", default=10.0)
    finish_unit = fields.Selection(
        [("hours", "Hours"), ("working_days", "Working Days")], required=True, default="working_days",
        help="Hours are counted around the clock (emergencies); working days follow the working-time calendar.",
    )
    active = fields.Boolean(default=True)

    _sign_hours_positive = models.Constraint("CHECK(sign_hours >= 0)", "The hours to sign for cannot be negative.")
    _finish_amount_positive = models.Constraint("CHECK(finish_amount > 0)", "The time to finish must be positive.")

    @api.depends("type_id", "category_id", "urgency", "finish_amount", "finish_unit")
    def _compute_name(self):
        urgency_labels = dict(self._fields["urgency"]._description_selection(self.env))
        unit_labels = dict(self._fields["finish_unit"]._description_selection(self.env))
        for rule in self:
            parts = [
                rule.category_id.complete_name or rule.type_id.name or self.env._("Any"),
                urgency_labels.get(rule.urgency) or self.env._("Any urgency"),
                f"{rule.finish_amount:g} {unit_labels.get(rule.finish_unit, '')}",
            ]
            rule.name = " / ".join(parts)

    @api.model
    def _find_rule(self, case_type, category, urgency):
        """Most specific rule for a case: category (the deepest ancestor) beats type beats neither,
        then a rule of the exact urgency beats a rule for every urgency, then the sequence."""
        ancestor_ids = []
        if category:
            ancestor_ids = [int(x) for x in category.sudo().parent_path.split("/") if x]
        rules = self.sudo().search([
            ("category_id", "in", [False, *ancestor_ids]),
            ("type_id", "in", [False, case_type.id] if case_type else [False]),
            ("urgency", "in", [False, urgency] if urgency else [False]),
        ])
        if not rules:
            return self.browse()
        depth = {cid: i for i, cid in enumerate(ancestor_ids)}

        def specificity(rule):
            category_rank = depth[rule.category_id.id] if rule.category_id else -1
            return (-category_rank, 0 if rule.type_id else 1, 0 if rule.urgency else 1, rule.sequence, rule.id)

        return min(rules, key=specificity)
