from odoo import fields, models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    # A legacy system's files carry no uploader the hotline's rules know (no message, no unit member):
    # the units that handled the case read them (rule_attachment_legacy_unit); set by the importer only.
    hotline_legacy_case_id = fields.Many2one(
        "hotline.case", string="Imported with Case", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null", bypass_search_access=True,
    )
