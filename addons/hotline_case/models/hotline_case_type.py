from odoo import fields, models


class HotlineCaseType(models.Model):
    _name = "hotline.case.type"
    _description = "Case Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint("UNIQUE(code)", "The code of a case type must be unique.")
