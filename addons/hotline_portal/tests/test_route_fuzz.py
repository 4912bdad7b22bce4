import inspect
import json
import re
from urllib.parse import quote

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HotlinePortalCase

# What an attacker or a broken client puts in a parameter: NUL, a number out of every range, a negative one, dates
# out of range, an encoded lone surrogate, a very long text (the portal's own fuzz, test_portal_input, tries more
# values on its routes).
BAD_VALUES = ["\x00", "99999999999999999999", "-1", "9999-12-31", "0001-01-01", "%ED%A0%80", "x" * 5000]
# A parameter no route declares
UNKNOWN_VALUES = ["\x00", "99999999999999999999"]
# Path segments: ids out of PostgreSQL's integer range, zero; tokens with NUL (long enough to pass a length
# check), an encoded lone surrogate, far too long.
BAD_PATH = {
    "int": ["0", "2147483648", "99999999999999999999"],
    "string": ["a" * 40 + "%00", "%ED%A0%80", "x" * 3000],
}
# A well-formed value per converter, so that the parameters reach the code behind the path
GOOD_PATH = {"int": "1", "string": "a" * 43}
# Plausible values of the parameters that are not being fuzzed: the fuzzed one must get past the others
# (a report checks its dates before its queues)
DEFAULTS = {"date_from": "2026-01-01", "date_to": "2026-01-31", "days": "2", "page": "1"}
CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@tagged("post_install", "-at_install")
class TestRouteFuzz(HotlinePortalCase):
    """Every route the hotline addons declare, read from the registry's routing map (a new route is fuzzed
    without anyone listing it), as every role and logged out, with malformed paths, parameters and bodies:
    a page or a clean 4xx (a JSON-RPC error of Odoo's own kinds), never a 5xx or an unexpected exception."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = mail_new_test_user(cls.env, "hp_manager", groups="base.group_user,hotline_case.group_manager",
                                         name="Manager HP", email="hp_manager@example.com")
        cls.unit_internal = mail_new_test_user(cls.env, "hp_unit_internal",
                                               groups="base.group_user,hotline_case.group_unit_user",
                                               name="Water Internal HP", email="hp_unit_internal@example.com")
        cls.plain = mail_new_test_user(cls.env, "hp_plain", groups="base.group_user", name="Plain HP",
                                       email="hp_plain@example.com")
        for user in (cls.manager, cls.unit_internal, cls.plain):
            user.password = user.login
        cls.unit_a.member_ids += cls.unit_internal
        cls.roles = [None, cls.agent, cls.dispatcher, cls.reviewer, cls.manager, cls.unit_internal, cls.portal_a,
                     cls.plain]

    def _routes(self):
        """(rule, routing, parameter names) of every route whose endpoint a hotline addon defines or overrides."""
        routes = []
        for rule in self.env["ir.http"].routing_map().iter_rules():
            func = rule.endpoint.func
            owners = {klass.__module__ for klass in type(func.__self__).__mro__ if func.__name__ in vars(klass)}
            if not any(owner.startswith("odoo.addons.hotline_") for owner in owners):
                continue
            path_args = {name for _conv, name in CONVERTER.findall(rule.rule)}
            names = [name for name, param in inspect.signature(func).parameters.items()
                     if param.kind is param.POSITIONAL_OR_KEYWORD and name not in path_args]
            routes.append((rule.rule, rule.endpoint.routing, names))
        return routes

    @staticmethod
    def _path(rule, bad=None):
        """The rule's path with every converter filled: well-formed, or the `bad` value of its kind."""
        def fill(match):
            kind = "int" if match.group(1) == "int" else "string"
            if bad is None:
                return GOOD_PATH[kind]
            return bad.get(kind, GOOD_PATH[kind])
        return CONVERTER.sub(fill, rule)

    def _csrf(self, user):
        page = "/web/login" if user is None else ("/my" if user.share else "/odoo")
        return super()._csrf(self.url_open(page).text)

    def _send(self, routing, path, params, csrf, raw_body=None):
        methods = routing.get("methods") or ["GET", "POST"]
        if routing["type"] == "jsonrpc":
            body = raw_body if raw_body is not None else json.dumps(
                {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
            return self.url_open(path, data=body, headers={"Content-Type": "application/json"})
        if "GET" in methods:
            query = "&".join(f"{quote(name)}={value if value.startswith('%') else quote(value)}"
                             for name, value in params.items())
            return self.url_open(f"{path}?{query}" if query else path)
        data = {k: v.replace("%ED%A0%80", "\udcff").encode("utf-8", "surrogateescape") for k, v in params.items()}
        return self.url_open(path, data=dict(data, csrf_token=csrf))

    def _check(self, response, what, failures):
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {what}")
            return
        if response.headers.get("Content-Type", "").startswith("application/json"):
            try:
                body = response.json()
            except ValueError:
                return
            if not isinstance(body, dict) or "jsonrpc" not in body:
                return  # an API of its own (12345 platform, Open311): its errors are its own JSON, a 4xx
            error = body.get("error")
            name = ((error or {}).get("data") or {}).get("name", "")
            if error and not name.startswith(("odoo.exceptions.", "werkzeug.exceptions.", "odoo.http.")):
                failures.append(f"{name} {what}: {error.get('data', {}).get('message', '')[:200]}")

    def test_every_route_every_role(self):
        routes = self._routes()
        rules = {rule for rule, _routing, _names in routes}
        # the registry lists the routes of every hotline addon installed, the portal's own as well
        self.assertIn("/my/hotline/cases/<int:case_id>/submit", rules)
        if "hotline_reports" in self.env.registry._init_modules:
            self.assertIn("/hotline_reports/calls.xlsx", rules)
        if "hotline_monitor" in self.env.registry._init_modules:
            self.assertIn("/hotline_monitor/board/<string:token>", rules)
        failures, sent = [], 0
        with mute_logger("odoo.http", "werkzeug", "odoo.addons.base.models.ir_rule",
                         "odoo.addons.base.models.ir_model", "odoo.addons.base.models.res_users",
                         "odoo.addons.hotline_monitor", "odoo.addons.http_routing"):
            for user in self.roles:
                login = user.login if user else None
                self.authenticate(login, login)
                csrf = self._csrf(user)
                for rule, routing, names in routes:
                    where = f"as {login} {rule}"
                    # malformed paths
                    if CONVERTER.search(rule):
                        for index in range(max(len(values) for values in BAD_PATH.values())):
                            bad = {kind: values[index] for kind, values in BAD_PATH.items() if index < len(values)}
                            path = self._path(rule, bad)
                            self._check(self._send(routing, path, {}, csrf), f"{where} path {path[:60]}", failures)
                            sent += 1
                    path = self._path(rule)
                    # each parameter in turn (and one no route declares), the others plausible
                    for name in [*names, "hotline_unknown"]:
                        for value in BAD_VALUES if name in names else UNKNOWN_VALUES:
                            params = {key: DEFAULTS[key] for key in names if key in DEFAULTS and key != name}
                            params[name] = value
                            response = self._send(routing, path, params, csrf)
                            self._check(response, f"{where} {name}={value[:24]!r}", failures)
                            sent += 1
                    if routing["type"] == "jsonrpc":
                        for body in ("{", "[]", '{"params": "x"}', '{"params": [1]}'):
                            response = self._send(routing, path, {}, csrf, raw_body=body)
                            self._check(response, f"{where} body {body!r}", failures)
                            sent += 1
                    elif "GET" not in (routing.get("methods") or ["GET"]):
                        # a form without its CSRF token: refused, never an error
                        response = self.url_open(path, data={"x": "1"})
                        self.assertLess(response.status_code, 500, f"{where} without CSRF")
                        sent += 1
        self.assertFalse(failures, "\n".join(failures[:40]))
        self.assertGreater(sent, 1000)

    def test_reported_500s(self):
        """The addresses of the report answer a clean 4xx, the export's with its reason."""
        if "hotline_monitor" in self.env.registry._init_modules:
            self.authenticate(None, None)
            for token in ("a" * 32 + "%00", "%00" + "b" * 40, "a" * 20 + "%00" + "b" * 20):
                response = self.url_open(f"/hotline_monitor/board/{token}")
                self.assertEqual(response.status_code, 404, token)
                response = self.url_open(f"/hotline_monitor/board/{token}/snapshot", data="{}",
                                         headers={"Content-Type": "application/json"})
                self.assertEqual(response.json()["error"]["code"], 404)
        if "hotline_reports" in self.env.registry._init_modules:
            self.authenticate(self.reviewer.login, self.reviewer.login)
            url = "/hotline_reports/calls.xlsx?date_from={}&date_to={}&queues={}"
            for args, reason in ((("9999-12-31", "9999-12-31", ""), "between 1900-01-01 and 2999-12-31"),
                                 (("0001-01-01", "2026-01-31", ""), "between 1900-01-01 and 2999-12-31"),
                                 (("2026-01-01", "2026-01-31", "%00"), "The queues of the export are not valid"),
                                 (("2026-01-01", "2026-01-31", "8001,%00"), "The queues of the export are not valid")):
                response = self.url_open(url.format(*args))
                self.assertEqual(response.status_code, 422, args)  # a UserError: the request is understood, refused
                self.assertIn(reason, response.text)
            # the control: a valid period still exports
            response = self.url_open(url.format("2026-01-01", "2026-01-31", "8001"))
            self.assertEqual(response.status_code, 200)
            # in the user's language
            if self.env["res.lang"]._lang_get("zh_CN"):
                self.reviewer.lang = "zh_CN"
                self.authenticate(self.reviewer.login, self.reviewer.login)  # the session takes the language
                response = self.url_open(url.format("2026-01-01", "2026-01-31", "%00"))
                self.assertIn("导出的队列无效", response.text)
