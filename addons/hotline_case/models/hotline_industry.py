from odoo import fields, models


class HotlineIndustry(models.Model):
    _name = "hotline.industry"
    _description = "Industry"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint("UNIQUE(code)", "The code of an industry must be unique.")
