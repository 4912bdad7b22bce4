from odoo import fields, models

SATISFACTION_SELECTION = [
    ("very_satisfied", "Very Satisfied"),
    ("satisfied", "Satisfied"),
    ("basically_satisfied", "Basically Satisfied"),
    ("dissatisfied", "Dissatisfied"),
    ("very_dissatisfied", "Very Dissatisfied"),
]


class HotlineSatisfactionLevel(models.Model):
    _name = "hotline.satisfaction.level"
    _description = "Satisfaction Level"
    _order = "sequence, id"

    key = fields.Selection(SATISFACTION_SELECTION, required=True)
    name = fields.Char(string="Label", required=True, translate=True)
    score = fields.Float(help="Score used by the assessment reports, e.g. 100 for very satisfied.")
    sequence = fields.Integer(default=10)

    _key_uniq = models.Constraint("UNIQUE(key)", "Each satisfaction level can only be labelled once.")
