from odoo import api, models
from odoo.fields import Domain


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    @api.model
    def _auto_urge_domain(self):
        """Imported cases are urged for the time limits that run out after their go-live only: a legacy
        case left open past its deadline years ago is not urged (with messages, activities and mails to
        its unit) as if it were late today. The go-live is the source's (hotline.migration.source), else
        the time of the source's first import."""
        self.env["hotline.migration.source"].flush_model(["go_live"])
        self.env.cr.execute("""
            SELECT c.id
              FROM hotline_case c
              JOIN hotline_migration_xref x ON x.entity = 'cases' AND x.res_id = c.id
                                           AND x.res_model = 'hotline.case'
              JOIN hotline_migration_source s ON s.id = x.source_id
             WHERE c.state IN ('dispatched', 'processing')
               AND (c.deadline IS NULL OR c.deadline < COALESCE(s.go_live, s.create_date))
               AND (c.state <> 'dispatched' OR c.sign_deadline IS NULL
                    OR c.sign_deadline < COALESCE(s.go_live, s.create_date))
        """)
        before_go_live = [row[0] for row in self.env.cr.fetchall()]
        domain = super()._auto_urge_domain()
        return domain & Domain("id", "not in", before_go_live) if before_go_live else domain
