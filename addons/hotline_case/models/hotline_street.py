from odoo import fields, models


class HotlineStreet(models.Model):
    _name = "hotline.street"
    _description = "Street / Township"
    _order = "district_id, code, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    district_id = fields.Many2one("hotline.district", required=True, index=True, ondelete="cascade")
    active = fields.Boolean(default=True)
