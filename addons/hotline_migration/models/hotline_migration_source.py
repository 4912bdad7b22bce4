import logging

from odoo import api, fields, models

from ..importer import indexes
from ..tools.sources import redact_location

_logger = logging.getLogger(__name__)


class HotlineMigrationSource(models.Model):
    """One legacy system imported (or being imported): the scope of its legacy ids."""

    _name = "hotline.migration.source"
    _description = "Migration Source"
    _order = "id"

    name = fields.Char(required=True)
    code = fields.Char(required=True, help="Short name given to the import command (--source).")
    location = fields.Char(help="Folder, workbook or database URL read last (never its password: give it in the "
                                "HOTLINE_LEGACY_PASSWORD environment variable).")
    go_live = fields.Datetime(
        string="Go-live",
        help="The deadline reminders (催办) of the imported cases start here: an imported case open past a "
             "time limit that ran out before is not urged. Empty: the time of the source's first import. Set it "
             "to a later date to keep reminders off until the units work in the hotline.")
    last_run = fields.Datetime(readonly=True)
    last_report = fields.Text(readonly=True, help="Counts per entity of the last run.")
    xref_count = fields.Integer(string="Imported Records", compute="_compute_xref_count")

    _code_uniq = models.Constraint("UNIQUE(code)", "The code of a migration source must be unique.")

    def init(self):
        indexes.ensure_table(self.env.cr)
        # locations stored before passwords were kept out of them
        self.env.cr.execute("SELECT id, location FROM hotline_migration_source WHERE location LIKE '%%:%%'")
        for source_id, location in self.env.cr.fetchall():
            if redact_location(location) != location:
                self.env.cr.execute("UPDATE hotline_migration_source SET location = %s WHERE id = %s",
                                    [redact_location(location), source_id])

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._redact(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._redact(vals))

    @api.model
    def _redact(self, vals):
        """Whoever writes a location (the import command, a form), no password is stored with it."""
        if vals.get("location"):
            vals = dict(vals, location=redact_location(vals["location"]))
        return vals

    def _register_hook(self):
        """An import killed while the big tables' indexes were set aside: put them back at server start
        (unless an import holds the lock: that run restores them itself)."""
        super()._register_hook()
        cr = self.env.cr
        if indexes.pending(cr) and indexes.try_lock(cr):
            try:
                _logger.warning("restoring the indexes and foreign keys an interrupted legacy import left dropped")
                indexes.restore(cr)
            finally:
                indexes.unlock(cr)

    def _compute_xref_count(self):
        counts = dict(self.env["hotline.migration.xref"]._read_group(
            [("source_id", "in", self.ids)], ["source_id"], ["__count"]))
        for source in self:
            source.xref_count = counts.get(source, 0)

    def action_view_xrefs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imported Records"),
            "res_model": "hotline.migration.xref",
            "view_mode": "list",
            "domain": [("source_id", "=", self.id)],
        }
