import hmac

from odoo import fields, http
from odoo.http import request


class HotlineHealth(http.Controller):
    @http.route("/hotline/metrics", type="http", auth="none", methods=["GET"], save_session=False, readonly=True)
    def metrics(self, **_kwargs):
        """Prometheus text format; internal network only, with the token of Settings › 系统监控
        as ``Authorization: Bearer <token>`` (never in the URL, where proxies log it)."""
        if not request.db:
            return request.make_response("no database\n", status=404)
        expected = request.env["ir.config_parameter"].sudo().get_param("hotline_health.metrics_token")
        header = request.httprequest.headers.get("Authorization", "")
        given = header[7:].strip() if header[:7].lower() == "bearer " else ""
        if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
            return request.make_response("forbidden\n", status=403, headers=[("Content-Type", "text/plain")])
        body = request.env["hotline.health.metrics"].sudo()._text()
        return request.make_response(body, headers=[("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])

    @http.route("/hotline/health/bundle", type="http", auth="user", methods=["GET"])
    def bundle(self, **_kwargs):
        if not request.env.user.has_group("base.group_system"):
            return request.not_found()
        data = request.env["hotline.health.bundle"].sudo()._build()
        stamp = fields.Datetime.now().strftime("%Y%m%d-%H%M%S")
        return request.make_response(data, headers=[
            ("Content-Type", "application/zip"),
            ("Content-Disposition", f'attachment; filename="hotline-diagnostics-{stamp}.zip"'),
        ])
