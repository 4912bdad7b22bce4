from odoo import fields, models


class HotlineKnowledgeUsage(models.Model):
    _name = "hotline.knowledge.usage"
    _description = "Knowledge Item Use"
    _order = "date desc, id desc"

    item_id = fields.Many2one("hotline.knowledge.item", required=True, index=True, ondelete="cascade")
    case_id = fields.Many2one("hotline.case", required=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Agent", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    kind = fields.Selection([("inserted", "Answer inserted"), ("closed", "Case closed with it")], required=True)
    unit_id = fields.Many2one(related="item_id.unit_id", string="Owner Unit")
