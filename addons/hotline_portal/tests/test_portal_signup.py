import re
from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests import tagged

from .common import HotlinePortalCase
from .nginx_allowlist import CONFIG_PATH, ProxyRules


@tagged("post_install", "-at_install")
class TestPortalSignup(HotlinePortalCase):
    """Nobody makes his own account; the center's invitation and password reset work through the proxy."""

    @contextmanager
    def _sent_links(self):
        """Links with a token in the e-mails handed to mail.mail._send (their records are dropped afterwards)."""
        links = []
        send = type(self.env["mail.mail"])._send

        def recording_send(mails, *args, **kwargs):
            links.extend(link for body in mails.mapped("body_html") for link in self._token_links(str(body)))
            return send(mails, *args, **kwargs)

        with patch.object(type(self.env["mail.mail"]), "_send", recording_send):
            yield links

    @staticmethod
    def _token_links(html):
        links = re.findall(r'href="[^"]*?(/web/[a-z_]+\?[^"]*token=[^"]+)"', html)
        return [link.replace("&amp;", "&") for link in links]

    def test_signup_closed(self):
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("auth_signup.invitation_scope"), "b2b")
        self.assertEqual(self.env["res.users"]._get_signup_invitation_scope(), "b2b")
        self.assertEqual(self.url_open("/web/signup").status_code, 404)
        login_page = self.url_open("/web/login").text
        self.assertNotInHtml("/web/signup", login_page, "no sign-up link on the login page")
        self.assertInHtml("/web/reset_password", login_page, "the reset link stays")
        before = self.env["res.users"].search_count([])
        response = self.url_open("/web/signup", data={
            "login": "intruder@example.com", "name": "Intruder", "password": "Intruder-12345",
            "confirm_password": "Intruder-12345", "csrf_token": self._csrf(login_page)})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.env["res.users"].search_count([]), before, "no account was created")
        self.assertFalse(ProxyRules(CONFIG_PATH).is_reachable("/web/signup"), "not published on the internet")

    def test_invitation_opens_the_published_reset_form(self):
        # the center creates the account of a unit member: Odoo e-mails an invitation
        with self._sent_links() as links:
            self.env["res.users"].with_context(no_reset_password=False).create({
                "name": "新单位人员", "login": "hp_invited", "email": "hp_invited@example.com",
                "group_ids": [(6, 0, self.env.ref("base.group_portal").ids)],
            })
        self.assertTrue(links, "the invitation e-mail carries a link with a token")
        link = links[0]
        self.assertTrue(link.startswith("/web/reset_password?"), link)
        self.assertTrue(ProxyRules(CONFIG_PATH).is_reachable(link), "the invitation link passes the proxy")
        # the invited member opens it and chooses a password, then logs in
        form = self.url_open(link)
        self.assertEqual(form.status_code, 200)
        self.assertInHtml('name="confirm_password"', form.text)
        token = re.search(r"token=([^&]+)", link).group(1)
        response = self.url_open("/web/reset_password", data={
            "token": token, "login": "hp_invited", "password": "Unit-Password-2026",
            "confirm_password": "Unit-Password-2026", "csrf_token": self._csrf(form.text)})
        self.assertEqual(response.status_code, 200)
        self.assertNotInHtml("alert-danger", response.text)
        self.authenticate("hp_invited", "Unit-Password-2026")
        self.assertEqual(self.url_open("/my").status_code, 200)

    def test_password_reset_request(self):
        form = self.url_open("/web/reset_password")
        self.assertEqual(form.status_code, 200)
        self.assertTrue(ProxyRules(CONFIG_PATH).is_reachable("/web/reset_password"))
        with self._sent_links() as links:
            response = self.url_open("/web/reset_password", data={
                "login": "hp_portal_a", "csrf_token": self._csrf(form.text)})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(links, "a reset link was e-mailed")
        self.assertTrue(links[0].startswith("/web/reset_password?"), links[0])
        self.assertTrue(ProxyRules(CONFIG_PATH).is_reachable(links[0]))
