from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _serve_fallback(cls):
        # An unrouted path is looked up as an attachment URL; PostgreSQL refuses a NUL in the query, which made
        # any address with %00 a 500. Such a path names nothing: 404.
        if "\x00" in request.httprequest.path:
            return None
        return super()._serve_fallback()
