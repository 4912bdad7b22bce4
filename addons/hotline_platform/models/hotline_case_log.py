from odoo import fields, models


class HotlineCaseLog(models.Model):
    _inherit = "hotline.case.log"

    action = fields.Selection(selection_add=[
        ("platform_receive", "Received from the 12345 platform"),
        ("platform_return", "Returned to the 12345 platform"),
        ("platform_return_refused", "Return refused by the 12345 platform"),
        ("platform_dispute_upheld", "Dispute upheld: withdrawn by the 12345 platform"),
        ("platform_dispute_refused", "Dispute refused by the 12345 platform"),
    ], ondelete={"platform_receive": "cascade", "platform_return": "cascade",
                 "platform_return_refused": "cascade", "platform_dispute_upheld": "cascade",
                 "platform_dispute_refused": "cascade"})
