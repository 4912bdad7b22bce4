"""Open311 GeoReport v2 over HTTP (external instance): formats, statuses and headers; the rules are the
hotline.open311 model's.

Each resource ends in .xml or .json (the specification's [format]); the GETs take no key (a key given counts
against the client's limit), POST requests needs one. Every method takes jurisdiction_id (checked, then
dropped).
"""

from collections import namedtuple

from odoo import http
from odoo.http import request

from ..models.hotline_open311 import Open311Error
from ..tools import georeport

API = "/open311/v2"
ROUTE = {"type": "http", "auth": "public", "methods": ["GET"], "sitemap": False, "readonly": False}

# What a route's method gets: the cleaned parameters, the client of the key (empty without one) and the
# resource's name in the path (service code, request number, token) when the route has one.
Call = namedtuple("Call", "params client path")


class Open311Controller(http.Controller):

    @http.route("/open311/discovery.<string:resource>", **ROUTE)
    def discovery(self, resource, **params):
        return self._serve(resource, params, "discovery",
                           lambda api, _call: api._discovery(request.httprequest.url_root))

    @http.route(f"{API}/services.<string:resource>", **ROUTE)
    def services(self, resource, **params):
        return self._serve(resource, params, "services", lambda api, _call: api._services())

    @http.route(f"{API}/services/<string:resource>", **ROUTE)
    def service_definition(self, resource, **params):
        return self._serve(resource, params, "service_definition", lambda api, call: api._definition(call.path),
                           path=True)

    @http.route(f"{API}/requests.<string:resource>", **{**ROUTE, "methods": ["GET", "POST"]}, csrf=False)
    def requests(self, resource, **params):
        if request.httprequest.method == "POST":
            key = request.httprequest.headers.get("Idempotency-Key")
            media = params.pop("media", None)
            return self._serve(resource, params, "service_requests",
                               lambda api, call: api._submit(call.client, call.params, key, self._media(api, media)),
                               key_required=True)
        return self._serve(resource, params, "service_requests", lambda api, call: api._search_requests(call.params))

    @http.route(f"{API}/requests/<string:resource>", **ROUTE)
    def service_request(self, resource, **params):
        return self._serve(resource, params, "service_requests", lambda api, call: api._request(call.path),
                           path=True)

    @http.route(f"{API}/tokens/<string:resource>", **ROUTE)
    def token(self, resource, **params):
        return self._serve(resource, params, "service_requests", lambda api, call: api._token(call.path),
                           path=True)

    @http.route(f"{API}/media/<string:token>", type="http", auth="public", methods=["GET"], sitemap=False,
                readonly=True)
    def media(self, token):
        """A photo the center publishes with a request (its media_url): the same 404 for every other token."""
        if request.env["res.lang"]._lang_get("zh_CN"):
            request.update_context(lang="zh_CN")
        photo = request.env["hotline.open311"]._published_photo(token)
        if not photo:
            return self._render("xml", "errors", georeport.errors(404, [request.env._("Photo not found.")]), 404)
        return request.make_response(photo.raw, headers=[
            ("Content-Type", photo.mimetype),
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", "default-src 'none'; sandbox"),
            ("Content-Disposition", "inline"),
            # the URL changes with the photo; a photo taken back leaves shared caches within the hour
            ("Cache-Control", "public, max-age=3600"),
        ])

    @staticmethod
    def _media(api, media):
        """The raw bytes of the multipart `media` file (None without one); 400 for a `media` that is not a file,
        read no further than one byte over the size a case's file may have."""
        if media is None:
            return None
        if not hasattr(media, "read"):
            raise Open311Error(400, api.env._("media must be sent as a file (multipart/form-data)."))
        limit = api.env["hotline.case"]._result_file_limits()["max_file_bytes"]
        return media.read(limit + 1)

    # ------------------------------------------------------------------
    def _serve(self, resource, params, root, method, path=False, key_required=False):
        """Parse `resource` ('<format>', or '<name>.<format>' when the route has a `path`), check the
        parameters, the jurisdiction and the key, run `method(api, Call)` and render its data under `root`,
        or its Open311Error as the specification's error document."""
        if request.env["res.lang"]._lang_get("zh_CN"):
            request.update_context(lang="zh_CN")
        api = request.env["hotline.open311"]
        name, _dot, fmt = resource.rpartition(".") if path else ("", "", resource)
        if fmt not in georeport.FORMATS:
            return self._render("xml", "errors", georeport.errors(404, [api.env._("Unknown format.")]), 404)
        try:
            params = api._clean_params(params)
            api._check_jurisdiction(params.pop("jurisdiction_id", None))
            client = api._authorize(params.pop("api_key", None), request.httprequest.remote_addr or "-",
                                    required=key_required)
            data = method(api, Call(params, client, api._clean_params({"resource": name})["resource"]))
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
