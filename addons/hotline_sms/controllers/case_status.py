"""The public case-status page /case (external instance): HTTP only, the lookup and its limits are the model's."""

from markupsafe import Markup

from odoo import http
from odoo.http import request

from ..models.hotline_case_lookup import HotlineCaseLookupError

TEMPLATE = "hotline_sms.case_status_page"


class HotlineCaseStatus(http.Controller):

    @http.route("/case", type="http", auth="public", methods=["GET", "POST"], sitemap=False, readonly=False)
    def case_status(self, number="", secret="", **_kwargs):
        if request.env["res.lang"]._lang_get("zh_CN"):
            request.update_context(lang="zh_CN")
        values = {"number": "", "outcome": False, "status": False}
        if request.httprequest.method == "GET":
            try:
                values["number"] = request.env["hotline.case.lookup"]._clean(number, 40)
            except HotlineCaseLookupError:
                return self._render(values, 400, "invalid")
            return self._render(values, 200)
        ip = request.httprequest.remote_addr or "-"
        try:
            outcome, status = request.env["hotline.case.lookup"]._lookup(number, secret, ip)
        except HotlineCaseLookupError:
            return self._render(values, 400, "invalid")
        values["number"] = status["number"] if status else ""
        values["status"] = status
        return self._render(values, 429 if outcome == "limited" else 200, outcome)

    def _render(self, values, status, outcome=False):
        # a text node before <html> in the template would keep its words out of the translations
        values.update(outcome=outcome, doctype=Markup("<!DOCTYPE html>\n"))
        response = request.render(TEMPLATE, values, status=status)
        # nothing of a case stays in a shared phone's cache or a proxy
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
