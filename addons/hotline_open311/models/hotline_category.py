from odoo import api, fields, models
from odoo.fields import Domain


def service_code(code, category_id):
    """The service code of a category: its code, or C<id> for a category without one."""
    return code or f"C{category_id}"


class HotlineCategory(models.Model):
    _inherit = "hotline.category"

    open311_published = fields.Boolean(
        string="Open311 Service", default=True,
        help="Offered to Open311 client applications as a service (only categories without sub-categories are).",
    )

    @api.model
    def _open311_domain(self):
        """The services: active, published leaf categories."""
        return Domain("open311_published", "=", True) & Domain("child_ids", "=", False)

    @api.model
    def _open311_published(self):
        return self.sudo().search(self._open311_domain())

    def _open311_code(self):
        self.ensure_one()
        return service_code(self.code, self.id)

    @api.model
    def _open311_find(self, code):
        if not code:
            return self.browse()
        domain = Domain("code", "=", code)
        if code[:1] == "C" and code[1:].isdigit() and len(code) < 12:
            domain |= Domain("id", "=", int(code[1:])) & Domain("code", "=", False)
        return self.sudo().search(domain & self._open311_domain(), limit=1)

    def _open311_service(self):
        self.ensure_one()
        return {
            "service_code": self._open311_code(),
            "service_name": self.name,
            "description": self.complete_name,
            "metadata": True,
            "type": "realtime",
            "keywords": self._get_industry().sudo().name or None,
            "group": self.parent_id.name or self.name,
        }
