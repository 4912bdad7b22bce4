from odoo import api, fields, models
from odoo.addons.html_editor.models.diff_utils import generate_comparison
from odoo.tools import html_escape


class HotlineKnowledgeVersion(models.Model):
    _name = "hotline.knowledge.version"
    _description = "Knowledge Item Version"
    _order = "item_id, version desc"

    item_id = fields.Many2one("hotline.knowledge.item", required=True, index=True, ondelete="cascade",
                              readonly=True)
    version = fields.Integer(readonly=True)
    name = fields.Char(string="Title", readonly=True)
    answer = fields.Text(string="Standard Answer", readonly=True)
    content = fields.Html(readonly=True, sanitize=False)  # copied from the item, sanitized there
    keywords = fields.Char(readonly=True)
    date_start = fields.Date(string="Effective From", readonly=True)
    date_end = fields.Date(string="Effective Until", readonly=True)
    user_id = fields.Many2one("res.users", string="Published by", readonly=True)
    create_date = fields.Datetime(string="Published on", readonly=True)
    previous_id = fields.Many2one("hotline.knowledge.version", compute="_compute_diff")
    # generate_comparison(a, b) marks what b lacks of a as added: called (previous, this) so that <added>
    # holds the text this version brought and <removed> the text it dropped
    diff = fields.Html(string="Changes", compute="_compute_diff", sanitize=False,
                       help="What changed since the previous version: added text underlined, removed struck out.")

    _item_version_unique = models.Constraint("UNIQUE(item_id, version)", "A version number is used once per item.")

    def _as_html(self):
        self.ensure_one()
        return (f"<h4>{html_escape(self.name or '')}</h4>"
                f"<p>{html_escape(self.answer or '')}</p>"
                f"<p>{html_escape(self.keywords or '')} {self.date_start or ''} — {self.date_end or ''}</p>"
                f"{self.content or ''}")

    @api.depends("item_id", "version", "answer", "content", "name")
    def _compute_diff(self):
        for version in self:
            previous = self.search([("item_id", "=", version.item_id.id), ("version", "<", version.version)],
                                   order="version desc", limit=1)
            version.previous_id = previous
            version.diff = generate_comparison(previous._as_html() if previous else "", version._as_html())
