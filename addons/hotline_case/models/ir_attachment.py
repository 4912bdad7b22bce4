from odoo import fields, models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    # Inverse of mail.message.attachment_ids: the record rules give a unit the files of the messages it may
    # read, never those of the center's internal notes. The rules only look at the messages' flags: searched
    # without mail.message's per-document access checks (bypass_search_access), which the attachment has anyway.
    hotline_message_ids = fields.Many2many(
        "mail.message", "message_attachment_rel", "attachment_id", "message_id", string="Messages", copy=False,
        bypass_search_access=True,
    )
