from odoo import fields, models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    # A legacy system's files carry no uploader the hotline's rules know (no message, no unit member):
    # the units that handled the case read them (rule_attachment_legacy_unit). Set by the importer only
    # (in SQL): administrators alone may read or write it, so nobody hands a file to other units with it.
    hotline_legacy_case_id = fields.Many2one(
        "hotline.case", string="Imported with Case", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null", bypass_search_access=True, groups="base.group_system",
    )
