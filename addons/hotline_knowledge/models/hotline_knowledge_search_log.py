from odoo import fields, models


class HotlineKnowledgeSearchLog(models.Model):
    _name = "hotline.knowledge.search.log"
    _description = "Knowledge Search"
    _order = "create_date desc, id desc"

    query = fields.Char(readonly=True)
    result_count = fields.Integer(string="Results", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
