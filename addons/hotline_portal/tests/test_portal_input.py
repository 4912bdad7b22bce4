import inspect
from urllib.parse import quote

from odoo.addons.hotline_case.tests.common import sample_file
from odoo.tests import tagged

from .common import HotlinePortalCase

# What an attacker or a broken client puts in a parameter: impossible or extreme dates, numbers out of every
# range or in other scripts, NUL, a very long text, odd Unicode (emoji, right-to-left override, an encoded
# lone surrogate), nothing at all.
VALUES = [
    "9999-12-31", "0001-01-01", "2026-02-30", "-1", "99999999999999999999", "²", "١٢", "\x00", "a\x00b",
    "x" * 20000, "😀\u202e\u200b", "%ED%A0%80", "",
]
# Ids in the path: zero, negative (no route), beyond PostgreSQL's integer, other scripts, not a number.
PATH_IDS = ["0", "-1", "2147483648", "99999999999999999999", "١", "1.5", "%00"]
# Parameters no route declares, sent to every route (the portal's own, those Odoo's portal reads), with the
# values most likely to break something.
EXTRA_PARAMS = ["page", "sortby", "access_token", "pid", "hash", "error", "redirect"]
EXTRA_VALUES = ["\x00", "99999999999999999999"]


def _encode(value):
    # "%ED%A0%80" is sent as is (an invalid UTF-8 sequence), everything else percent-encoded
    return value if value.startswith("%") else quote(value, safe="")


@tagged("post_install", "-at_install")
class TestPortalInput(HotlinePortalCase):
    """Every portal route, GET and POST, with malformed parameters: a page or a clean 4xx, never a 500 and
    never an ERROR in the log."""

    def _portal_routes(self):
        """(rule, methods, {parameter: values}) of every route the hotline portal defines; a method with two
        routes (/my and /my/home, a list and its pages) is fuzzed once, its paths are all tried."""
        routes, seen = [], set()
        for rule in self.env["ir.http"].routing_map().iter_rules():
            func = rule.endpoint.func
            owners = {klass.__module__ for klass in type(func.__self__).__mro__ if func.__name__ in vars(klass)}
            if not any(owner.startswith("odoo.addons.hotline_portal.") for owner in owners):
                continue
            names = [name for name, param in inspect.signature(func).parameters.items()
                     if param.kind is param.POSITIONAL_OR_KEYWORD and f"<int:{name}>" not in rule.rule]
            methods = rule.endpoint.routing.get("methods") or ["GET"]
            params = {}
            if func.__name__ not in seen:
                params = dict.fromkeys(names, VALUES)
                params.update({name: EXTRA_VALUES for name in EXTRA_PARAMS if name not in names})
            seen.add(func.__name__)
            routes.append((rule.rule, methods, params))
        return routes

    def _open_case(self):
        case = self._new_case()
        case.with_user(self.portal_a).action_accept()
        return case

    def _assert_clean(self, response, what):
        self.assertLess(response.status_code, 500, what)

    def test_fuzz_every_route(self):
        routes = self._portal_routes()
        self.assertGreaterEqual(len(routes), 7, "list, page, detail, four actions and /my")
        self.assertIn("/my/hotline/cases/<int:case_id>/submit", [rule for rule, _m, _n in routes])
        case = self._open_case()
        self.authenticate("hp_portal_a", "hp_portal_a")
        csrf = self._csrf(self.url_open("/my/hotline/cases").text)
        requests = 0
        with self.assertNoLogs("odoo", "ERROR"):
            for rule, methods, params in routes:
                for name, values in params.items():
                    for value in values:
                        if case.state != "processing":  # a value was accepted: the next one needs an open case
                            case = self._open_case()
                        url = rule.replace("<int:case_id>", str(case.id)).replace("<int:page>", "2")
                        what = f"{methods} {rule} {name}={value[:20]!r}"
                        if "POST" in methods:
                            # the other fields stay valid, so the fuzzed one reaches the workflow
                            data = {"csrf_token": csrf, "note": "ok", "reason": "ok", "days": "2", "message": "ok"}
                            data[name] = value.replace("%ED%A0%80", "\udcff")
                            response = self.url_open(url, data={k: v.encode("utf-8", "surrogateescape")
                                                                for k, v in data.items()})
                        else:
                            response = self.url_open(f"{url}?{name}={_encode(value)}")
                        self._assert_clean(response, what)
                        requests += 1
                    if values is EXTRA_VALUES:
                        continue
                    url = rule.replace("<int:case_id>", str(case.id)).replace("<int:page>", "2")
                    if "POST" in methods:
                        # a text field sent as a file, and repeated
                        response = self.url_open(url, data={"csrf_token": csrf},
                                                 files=[(name, ("x.txt", b"\x00\xff", "text/plain")),
                                                        (name, ("y.txt", b"y", "text/plain"))])
                    else:
                        response = self.url_open(f"{url}?{name}=a&{name}=b&{name}[]=c")
                    self._assert_clean(response, f"{methods} {rule} {name} repeated")
                    requests += 1
                # ids in the path
                if "<int:case_id>" in rule or "<int:page>" in rule:
                    for bad in PATH_IDS:
                        url = rule.replace("<int:case_id>", bad).replace("<int:page>", bad)
                        if "POST" in methods:
                            response = self.url_open(url, data={"csrf_token": csrf})
                        else:
                            response = self.url_open(url)
                        self._assert_clean(response, f"{methods} {url}")
                        requests += 1
        self.assertGreater(requests, 250)

    def test_reported_500s(self):
        """The two addresses of the report, answered with the list, the filter ignored or kept."""
        case = self._new_case(description="Burst pipe at the market")
        self.authenticate("hp_portal_a", "hp_portal_a")
        response = self.url_open("/my/hotline/cases?date_to=9999-12-31")
        self.assertEqual(response.status_code, 200)
        self.assertInHtml(case.name, response.text, "no end date: every case")
        self.assertInHtml('value="9999-12-31"', response.text, "the filter stays in the form")
        response = self.url_open("/my/hotline/cases?search=%00")
        self.assertEqual(response.status_code, 200)
        self.assertInHtml(case.name, response.text, "an empty search after NUL is dropped: every case")
        response = self.url_open("/my/hotline/cases?search=market%00")
        self.assertInHtml(case.name, response.text, "NUL removed, the words kept")
        response = self.url_open("/my/hotline/cases?category=%C2%B2&page=%C2%B2")
        self.assertEqual(response.status_code, 200, "a superscript digit is not a number")

    def test_nul_in_forms_is_stored_without_it(self):
        case = self._open_case()
        self.authenticate("hp_portal_a", "hp_portal_a")
        page = f"/my/hotline/cases/{case.id}"
        response = self._portal_post(f"{page}/submit", {"note": "Valve\x00 replaced", "result": "resolved"}, page=page,
                                     files={"attachments": ("photo\x00.jpg", sample_file("jpg"), "image/jpeg")})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(case.state, "submitted")
        self.assertEqual(case.result_note, "Valve replaced")
