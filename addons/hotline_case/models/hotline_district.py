from odoo import fields, models


class HotlineDistrict(models.Model):
    _name = "hotline.district"
    _description = "District"
    _order = "code, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    street_ids = fields.One2many("hotline.street", "district_id", string="Streets")
    active = fields.Boolean(default=True)
