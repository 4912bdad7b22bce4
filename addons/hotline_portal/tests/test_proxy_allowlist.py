import re

from odoo.addons.hotline_case.models import hotline_case as case_module
from odoo.tests import tagged

from ..controllers import portal
from .common import HotlinePortalCase
from .nginx_allowlist import CONFIG_PATH, ProxyRules

# Controllers that make up the internal surface: ORM over JSON, database manager, actions, exports,
# reports, view editing, the RPC APIs. None of their routes may reach Odoo through the external proxy.
INTERNAL_MODULES = (
    "odoo.addons.rpc.",
    "odoo.addons.web.controllers.action",
    "odoo.addons.web.controllers.database",
    "odoo.addons.web.controllers.dataset",
    "odoo.addons.web.controllers.domain",
    "odoo.addons.web.controllers.export",
    "odoo.addons.web.controllers.json",
    "odoo.addons.web.controllers.model",
    "odoo.addons.web.controllers.pivot",
    "odoo.addons.web.controllers.profiling",
    "odoo.addons.web.controllers.report",
    "odoo.addons.web.controllers.view",
    "odoo.addons.web.controllers.session",
)
# The only routes of the session controller the portal needs.
SESSION_ALLOWED = {"/web/session/logout"}
BACKEND_ENTRIES = ["/web", "/web/", "/odoo", "/odoo/action-hotline_case.action", "/web/webclient/load_menus",
                   "/web/become", "/web/binary/upload_attachment", "/web/health", "/web/filestore/ab/cd"]

# The chatter routes the portal page uses (odoo.addons.mail / portal): every other route of mail, Discuss and
# calls stays on the internal side.
CHATTER_ROUTES = {
    "/portal/chatter_init", "/portal/attachment/remove", "/mail/chatter_fetch", "/mail/message/post",
    "/mail/message/update_content", "/mail/message/reaction", "/mail/attachment/upload", "/mail/attachment/delete",
    "/mail/data", "/mail/view",
}
# What the attacks of the review tried, and neighbours of what is published.
ATTACK_URLS = [
    "/doc/my", "/doc/my/hotline/cases", "/xx/my", "/abc/my", "/zh/my", "/en_US/my", "/sr@latin/my",
    "/mail/link_preview", "/mail/link_preview/hide", "/mail/action", "/mail/thread/messages",
    "/mail/inbox/messages", "/mail/unfollow", "/mail/partner/from_email", "/mail/message/translate",
    "/discuss/channel/messages", "/mail/rtc/channel/join_call",
    "/web/content?model=res.partner&id=3&field=image_1920", "/web/content/?model=res.partner&id=3&field=image_128",
    "/web/content", "/web/content/", "/web/content/res.partner/3/image_128", "/web/content/base.main_company",
    "/web/image?model=res.users&id=2&field=avatar_128", "/web/image", "/web/image/res.users/2/avatar_128",
    "/web/signup", "/web/signup?token=abc",
]

ATTRIBUTE_RE = re.compile(r'\b(?:href|src|action|data-src)="([^"#][^"]*)"')


def _sample_url(pattern):
    """A concrete URL for a werkzeug rule pattern: every <converter:arg> becomes 1."""
    return re.sub(r"<[^>]+>", "1", pattern)


def _defining_modules(endpoint):
    """Modules of every class that declares the endpoint's method (overrides included)."""
    method = endpoint.func
    name = method.__name__
    owner = type(method.__self__)
    return {klass.__module__ for klass in owner.__mro__ if name in vars(klass)}


@tagged("post_install", "-at_install")
class TestProxyAllowlist(HotlinePortalCase):
    """config/nginx/hotline-external.conf against the routes the portal really uses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rules = ProxyRules(CONFIG_PATH)

    def _routing_rules(self):
        return list(self.env["ir.http"].routing_map().iter_rules())

    def test_internal_routes_denied(self):
        checked = 0
        for rule in self._routing_rules():
            modules = _defining_modules(rule.endpoint)
            if not any(module.startswith(INTERNAL_MODULES) for module in modules):
                continue
            if rule.rule in SESSION_ALLOWED:
                continue
            url = _sample_url(rule.rule)
            self.assertFalse(self.rules.is_allowed(url), f"internal route {rule.rule} is published by the proxy")
            checked += 1
        self.assertGreater(checked, 40, "the internal controllers were found in the routing map")
        for url in BACKEND_ENTRIES:
            self.assertFalse(self.rules.is_allowed(url), url)

    def test_wallboard_not_published(self):
        """The wallboard (secret token URLs included) stays on the internal network."""
        routes = [rule.rule for rule in self._routing_rules()
                  if any(m.startswith("odoo.addons.hotline_monitor.") for m in _defining_modules(rule.endpoint))]
        self.assertIn("/hotline_monitor/board/<string:token>", routes)
        for route in routes:
            self.assertFalse(self.rules.is_allowed(_sample_url(route)), f"wallboard route {route} is published")

    def test_bus_not_published(self):
        """The bus follows any channel a client names (a wall screen's token included): the portal opens no
        websocket, and none of the bus's routes reach Odoo from outside (the mobile tour checks the portal
        does without)."""
        routes = [rule.rule for rule in self._routing_rules()
                  if any(m.startswith("odoo.addons.bus.") for m in _defining_modules(rule.endpoint))]
        self.assertIn("/websocket/peek_notifications", routes)
        for route in routes:
            self.assertFalse(self.rules.is_reachable(_sample_url(route)), f"bus route {route} is published")

    def test_portal_controller_routes_allowed(self):
        routes = [rule.rule for rule in self._routing_rules()
                  if any(m.startswith("odoo.addons.hotline_portal.") for m in _defining_modules(rule.endpoint))]
        self.assertIn("/my/hotline/cases/<int:case_id>/submit", routes)
        for route in routes:
            self.assertTrue(self.rules.is_allowed(_sample_url(route)), f"portal route {route} is not published")

    def test_mail_routes_narrowed_to_the_chatter(self):
        checked = 0
        for rule in self._routing_rules():
            modules = _defining_modules(rule.endpoint)
            if not any(m.startswith(("odoo.addons.mail.", "odoo.addons.portal.", "odoo.addons.bus."))
                       for m in modules):
                continue
            if not rule.rule.startswith(("/mail/", "/discuss/", "/portal/")):
                continue
            published = self.rules.is_reachable(_sample_url(rule.rule))
            self.assertEqual(published, rule.rule in CHATTER_ROUTES, rule.rule)
            checked += 1
        self.assertGreater(checked, 30)

    def test_attack_urls_refused(self):
        for url in ATTACK_URLS:
            self.assertFalse(self.rules.is_reachable(url), f"{url} passes the proxy")

    def test_language_prefixes_are_the_active_languages(self):
        url_codes = [lang.url_code for lang in self.env["res.lang"]._get_frontend().values()]
        self.assertIn("zh_CN", url_codes, "the demo works in Chinese")
        for code in url_codes:
            self.assertTrue(self.rules.is_allowed(f"/{code}/my/hotline/cases/3"), code)
            self.assertFalse(self.rules.is_allowed(f"/{code}/web/dataset/call_kw"), code)
        # nothing else: the rule lists exactly the active languages
        prefix = next(loc for loc in self.rules.locations if loc.modifier == "~" and "/my(" in loc.pattern)
        listed = set(re.match(r"\^/\(([^)]*)\)/my", prefix.pattern).group(1).split("|"))
        self.assertEqual(listed, set(url_codes), "language prefixes of the proxy and active languages differ")

    def test_body_limit_is_the_portal_limit(self):
        self.assertEqual(self.rules.client_max_body_size, portal.MAX_REQUEST_BYTES,
                         "client_max_body_size of the proxy and MAX_REQUEST_BYTES of the portal differ")
        self.assertGreaterEqual(case_module.MAX_RESULT_BYTES, case_module.MAX_RESULT_FILE_BYTES)
        self.assertGreater(portal.MAX_REQUEST_BYTES, case_module.MAX_RESULT_BYTES)

    def test_rendered_pages_use_published_urls(self):
        case = self._new_case()
        attachment = self.env["ir.attachment"].create({
            "name": "photo.jpg", "raw": b"jpg", "res_model": "hotline.case", "res_id": case.id})
        case.message_post(body="photo", attachment_ids=attachment.ids, message_type="comment",
                          subtype_xmlid="mail.mt_comment")
        self.authenticate("hp_portal_a", "hp_portal_a")
        urls = set()
        for page in ("/my", "/my/hotline/cases", f"/my/hotline/cases/{case.id}"):
            response = self.url_open(page)
            self.assertEqual(response.status_code, 200, page)
            self.assertTrue(self.rules.is_allowed(page))
            for value in ATTRIBUTE_RE.findall(response.text):
                if value.startswith("/") and not value.startswith("//"):
                    urls.add(value.replace("&amp;", "&"))
        self.assertTrue(any(url.startswith(f"/web/content/{attachment.id}?access_token=") for url in urls))
        self.assertIn(f"/my/hotline/cases/{case.id}/accept", urls)
        self.assertTrue(any(url.startswith("/web/assets/") for url in urls), "asset bundles are referenced")
        refused = sorted(url for url in urls if not self.rules.is_reachable(url))
        self.assertFalse(refused, f"the portal pages link to URLs the proxy refuses: {refused}")

    def test_login_pages_use_published_urls(self):
        urls = set()
        for page in ("/web/login", "/web/reset_password", "/my"):
            response = self.url_open(page)  # anonymous: /my redirects to the login page
            self.assertEqual(response.status_code, 200, page)
            for value in ATTRIBUTE_RE.findall(response.text):
                if value.startswith("/") and not value.startswith("//"):
                    urls.add(value.replace("&amp;", "&"))
        self.assertIn("/web/login", urls)
        refused = sorted(url for url in urls if not self.rules.is_reachable(url))
        self.assertFalse(refused, f"the login pages link to URLs the proxy refuses: {refused}")
