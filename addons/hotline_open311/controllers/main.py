"""Open311 GeoReport v2 over HTTP (external instance): formats, statuses and headers; the rules are the
hotline.open311 model's.

Each resource ends in .xml or .json (the specification's [format]); the GETs take no key (a key given counts
against the client's limit), POST requests needs one.
"""

from odoo import http
from odoo.http import request

from ..models.hotline_open311 import Open311Error
from ..tools import georeport

API = "/open311/v2"


class Open311Controller(http.Controller):

    @http.route("/open311/discovery.<string:fmt>", type="http", auth="public", methods=["GET"],
                sitemap=False, readonly=False)
    def discovery(self, fmt, **params):
        return self._answer(fmt, "discovery", params, lambda api, _p, _c: api._discovery(request.httprequest.url_root))

    @http.route(f"{API}/services.<string:fmt>", type="http", auth="public", methods=["GET"], sitemap=False,
                readonly=False)
    def services(self, fmt, **params):
        return self._answer(fmt, "services", params, lambda api, _p, _c: api._services())

    @http.route(f"{API}/services/<string:resource>", type="http", auth="public", methods=["GET"], sitemap=False,
                readonly=False)
    def service_definition(self, resource, **params):
        code, fmt = self._split(resource)
        return self._answer(fmt, "service_definition", params, lambda api, _p, _c, code: api._definition(code),
                            path=code)

    @http.route(f"{API}/requests.<string:fmt>", type="http", auth="public", methods=["GET", "POST"],
                sitemap=False, readonly=False, csrf=False)
    def requests(self, fmt, **params):
        if request.httprequest.method == "POST":
            return self._answer(fmt, "service_requests", params, lambda api, p, client: api._submit(client, p),
                                key_required=True)
        return self._answer(fmt, "service_requests", params, lambda api, p, _c: api._search_requests(p))

    @http.route(f"{API}/requests/<string:resource>", type="http", auth="public", methods=["GET"], sitemap=False,
                readonly=False)
    def service_request(self, resource, **params):
        number, fmt = self._split(resource)
        return self._answer(fmt, "service_requests", params, lambda api, _p, _c, number: api._request(number),
                            path=number)

    @http.route(f"{API}/tokens/<string:resource>", type="http", auth="public", methods=["GET"], sitemap=False,
                readonly=False)
    def token(self, resource, **params):
        token, fmt = self._split(resource)
        return self._answer(fmt, "service_requests", params, lambda api, _p, _c, token: api._token(token),
                            path=token)

    # ------------------------------------------------------------------
    @staticmethod
    def _split(resource):
        name, _dot, fmt = resource.rpartition(".")
        return name, fmt

    def _answer(self, fmt, root, params, method, key_required=False, path=None):
        """Run `method(api, params, client[, path value])` and render its data, or its Open311Error."""
        if request.env["res.lang"]._lang_get("zh_CN"):
            request.update_context(lang="zh_CN")
        api = request.env["hotline.open311"]
        if fmt not in georeport.FORMATS:
            return self._render("xml", "errors", georeport.errors(404, [api.env._("Unknown format.")]), 404)
        try:
            params = api._clean_params(params)
            client = api._authorize(params.pop("api_key", None), request.httprequest.remote_addr or "-",
                                    required=key_required)
            if path is None:
                data = method(api, params, client)
            else:
                data = method(api, params, client, api._clean_params({"resource": path})["resource"])
        except Open311Error as error:
            response = self._render(fmt, "errors", georeport.errors(error.status, error.descriptions), error.status)
            if error.retry_after:
                response.headers["Retry-After"] = str(error.retry_after)
            return response
        return self._render(fmt, root, data, 200)

    @staticmethod
    def _render(fmt, root, data, status):
        body, content_type = georeport.render(root, data, fmt)
        # answers about requests change with every step of a case: no shared cache keeps one
        return request.make_response(body, headers=[("Content-Type", content_type), ("Cache-Control", "no-store")],
                                     status=status)
