from odoo import fields, models


class HotlineMigrationXref(models.Model):
    """Legacy id → imported record. Makes a run idempotent and resumable: a row whose id is here is skipped.

    Written by the import command in bulk, in the same transaction as the record it points to.
    """

    _name = "hotline.migration.xref"
    _description = "Migrated Record"
    _order = "id desc"
    _log_access = False

    source_id = fields.Many2one("hotline.migration.source", required=True, ondelete="cascade", readonly=True)
    entity = fields.Char(required=True, readonly=True, help="Legacy entity, e.g. case, call, log.")
    legacy_id = fields.Char(string="Legacy ID", required=True, readonly=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", required=True, readonly=True)

    # the hourly urging job looks up whether an open case was imported (hotline.case._auto_urge_domain)
    _case_res_idx = models.Index("(res_id) WHERE entity = 'cases'")

    # the only index: every imported row adds a line here, and runs look lines up by legacy id
    _legacy_uniq = models.UniqueIndex("(source_id, entity, legacy_id)")
