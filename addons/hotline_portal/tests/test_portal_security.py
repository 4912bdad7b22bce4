from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .common import SECRET_NAME, SECRET_PHONE, HotlinePortalCase


@tagged("post_install", "-at_install")
class TestPortalSecurity(HotlinePortalCase):
    """Another unit's member and a portal user of no unit attack a case of the water unit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.case = cls._new_case(cls)
        cls.attachment = cls.env["ir.attachment"].create({
            "name": "evidence.jpg", "raw": b"jpeg", "res_model": "hotline.case", "res_id": cls.case.id,
        })
        # the center sends the photo to the unit in a public message
        cls.case.with_user(cls.dispatcher).message_post(
            body="Photo from the caller", attachment_ids=cls.attachment.ids, message_type="comment",
            subtype_xmlid="mail.mt_comment")
        # ... and keeps a recording in an internal note
        cls.internal_attachment = cls.env["ir.attachment"].create({
            "name": "call_recording.wav", "raw": b"RIFF", "res_model": "hotline.case", "res_id": cls.case.id,
        })
        cls.case.with_user(cls.dispatcher).message_post(
            body="Recording of the call", attachment_ids=cls.internal_attachment.ids, message_type="comment",
            subtype_xmlid="mail.mt_note")

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", {
            "model": model, "method": method, "args": args, "kwargs": kwargs or {},
        })

    def _assert_chatter_closed(self, **params):
        try:
            result = self.make_jsonrpc_request("/mail/chatter_fetch", {
                "thread_model": "hotline.case", "thread_id": self.case.id, **params})
        except JsonRpcException:
            return
        self.assertFalse(result["messages"], f"chatter opened with {params}")

    def _assert_no_secret(self, text):
        self.assertNotInHtml(SECRET_NAME, text)
        self.assertNotInHtml(SECRET_PHONE, text)
        self.assertNotInHtml("139 1234 5678", text)

    def test_foreign_case_by_url(self):
        for login in ("hp_portal_b", "hp_portal_plain"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                html = self.url_open("/my/hotline/cases").text
                self.assertNotInHtml(self.case.name, html)
                response = self.url_open(f"/my/hotline/cases/{self.case.id}")
                self.assertEqual(response.status_code, 403)
                self.assertNotInHtml(self.case.name, response.text)
                self.assertInHtml("o_hotline_denied", response.text)
                # a missing id answers exactly like a forbidden one: existence is not disclosed
                missing = self.url_open("/my/hotline/cases/987654321")
                self.assertEqual(missing.status_code, 403)
                # actions by URL, with a valid CSRF token of the attacker's own session
                page = "/my/hotline/cases"
                for action, data in (("accept", {}), ("return", {"reason": "x"}),
                                     ("extension", {"days": "5", "reason": "x"}), ("submit", {"note": "x"}),
                                     ("message", {"message": "hello"})):
                    response = self._portal_post(f"/my/hotline/cases/{self.case.id}/{action}", data, page=page)
                    self.assertEqual(response.status_code, 403, action)
                self.assertEqual(self.case.state, "dispatched")
                self.assertFalse(self.case.return_reason)
                self.assertFalse(self.case.sudo().message_ids.filtered(
                    lambda m, login=login: m.author_id.user_ids.login == login))

    def test_foreign_case_by_jsonrpc(self):
        for login in ("hp_portal_b", "hp_portal_plain"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                with self.assertRaises(JsonRpcException):
                    self._call_kw("hotline.case", "read", [[self.case.id], ["name", "description"]])
                found = self._call_kw("hotline.case", "search_read", [[]], {"fields": ["name"]})
                self.assertNotIn(self.case.id, [r["id"] for r in found])
                with self.assertRaises(JsonRpcException):
                    self._call_kw("hotline.case", "write", [[self.case.id], {"address": "hacked"}])
                with self.assertRaises(JsonRpcException):
                    self._call_kw("hotline.case", "action_accept", [[self.case.id]])
                logs = self._call_kw("hotline.case.log", "search_read", [[["case_id", "=", self.case.id]]],
                                     {"fields": ["note"]})
                self.assertEqual(logs, [])
                with self.assertRaises(JsonRpcException):
                    self._call_kw("ir.attachment", "read", [[self.attachment.id], ["datas"]])
                messages = self._call_kw("mail.message", "search_read",
                                         [[["model", "=", "hotline.case"], ["res_id", "=", self.case.id]]],
                                         {"fields": ["body"]})
                self.assertEqual(messages, [])
        self.assertEqual(self.case.address, "HP Road 12")
        self.assertEqual(self.case.state, "dispatched")

    def test_unit_directory_closed(self):
        self.authenticate("hp_portal_b", "hp_portal_b")
        units = self._call_kw("hotline.unit", "search_read", [[]], {"fields": ["name"]})
        self.assertEqual([u["id"] for u in units], self.unit_b.ids)
        with self.assertRaises(JsonRpcException):
            self._call_kw("hotline.unit", "read", [self.unit_a.ids, ["member_ids"]])

    def test_own_unit_cannot_write_directly(self):
        """Even the unit in charge only acts through the workflow methods (read-only ACL)."""
        self.authenticate("hp_portal_a", "hp_portal_a")
        with self.assertRaises(JsonRpcException):
            self._call_kw("hotline.case", "write", [[self.case.id], {"address": "moved"}])
        with self.assertRaises(JsonRpcException):
            self._call_kw("hotline.case", "create", [{"description": "fake"}])
        with self.assertRaises(JsonRpcException):
            self._call_kw("hotline.case.log", "create", [{"case_id": self.case.id, "action": "x"}])
        self.assertEqual(self.case.address, "HP Road 12")

    def test_attachment_url(self):
        url = f"/web/content/{self.attachment.id}?download=true"
        for login in ("hp_portal_b", "hp_portal_plain", None):
            with self.subTest(login=login):
                self.authenticate(login, login)
                self.assertIn(self.url_open(url).status_code, (403, 404))
                # /web/image answers a placeholder picture, never the file
                self.assertNotEqual(self.url_open(f"/web/image/{self.attachment.id}").content, b"jpeg")
        self.authenticate("hp_portal_a", "hp_portal_a")
        links = self._attachment_links(self.url_open(f"/my/hotline/cases/{self.case.id}").text)
        self.assertIn(self.attachment.id, links)
        self.assertNotIn(self.internal_attachment.id, links, "files of internal notes stay internal")
        response = self.url_open(f"/web/content/{self.attachment.id}?access_token={links[self.attachment.id]}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"jpeg")
        # the token opens that file only
        response = self.url_open(f"/web/content/{self.internal_attachment.id}?access_token={links[self.attachment.id]}")
        self.assertIn(response.status_code, (403, 404))

    def test_guessed_access_tokens(self):
        guesses = ["0", "a" * 32, "00000000-0000-0000-0000-000000000000", "1' OR '1'='1"]
        if "access_token" in self.case._fields:
            # a real token of the case, if one exists, must not open it to another unit either
            guesses.append(self.case.sudo().access_token or "")
        for login in ("hp_portal_b", "hp_portal_plain", None):
            self.authenticate(login, login)
            for token in guesses:
                with self.subTest(login=login, token=token):
                    response = self.url_open(f"/my/hotline/cases/{self.case.id}?access_token={token}")
                    self.assertNotInHtml("o_hotline_case_page", response.text)
                    self.assertNotInHtml("Water pipe burst", response.text)
                    response = self.url_open(f"/web/content/{self.attachment.id}?access_token={token}")
                    self.assertIn(response.status_code, (403, 404))
                    self._assert_chatter_closed(token=token)
                    self._assert_chatter_closed(hash=token, pid=self.portal_a.partner_id.id)
                    with self.assertRaises(JsonRpcException):
                        self.make_jsonrpc_request("/mail/message/post", {
                            "thread_model": "hotline.case", "thread_id": self.case.id,
                            "post_data": {"body": "spam", "message_type": "comment"}, "token": token,
                        })
        self.assertFalse(self.case.sudo().message_ids.filtered(lambda m: "spam" in str(m.body)))

    def test_confidential_caller_never_leaks(self):
        self.authenticate("hp_portal_a", "hp_portal_a")
        html = self.url_open(f"/my/hotline/cases/{self.case.id}").text
        self.assertInHtml(self.case.name, html)
        self._assert_no_secret(html)
        self._assert_no_secret(self.url_open("/my/hotline/cases").text)
        self._assert_no_secret(self.url_open("/my").text)
        # every field the portal user may read, over RPC
        readable = self._call_kw("hotline.case", "fields_get", [], {"attributes": ["type"]})
        for field in ("caller_name", "caller_phone", "partner_id"):
            self.assertNotIn(field, readable)
        # (the activity fields need access to mail.activity, which portal users never have)
        fnames = [name for name in readable if not name.startswith("activity_")]
        records = self._call_kw("hotline.case", "read", [[self.case.id], fnames])
        self._assert_no_secret(str(records))
        self.assertEqual(records[0]["unit_caller_name"], self.case.with_user(self.portal_a).unit_caller_name)
        for field in ("caller_name", "caller_phone", "partner_id"):
            self.assertNotIn(field, records[0])
            with self.assertRaises(JsonRpcException):
                self._call_kw("hotline.case", "read", [[self.case.id], [field]])
        with self.assertRaises(JsonRpcException):
            self._call_kw("hotline.case", "search_read", [[["caller_phone", "=", SECRET_PHONE]]], {"fields": ["name"]})
        self._assert_no_secret(str(self._call_kw("hotline.case.log", "search_read", [[]], {})))
        chatter = self.make_jsonrpc_request("/mail/chatter_fetch", {
            "thread_model": "hotline.case", "thread_id": self.case.id})
        self._assert_no_secret(str(chatter))

    def test_internal_notes_stay_internal(self):
        self.authenticate("hp_portal_a", "hp_portal_a")
        chatter = self.make_jsonrpc_request("/mail/chatter_fetch", {
            "thread_model": "hotline.case", "thread_id": self.case.id})
        bodies = str(chatter)
        self.assertIn("Photo from the caller", bodies, "public messages reach the unit")
        self.assertNotIn("Recording of the call", bodies)
        domain = [["model", "=", "hotline.case"], ["res_id", "=", self.case.id]]
        messages = self._call_kw("mail.message", "search_read", [domain], {"fields": ["body"]})
        self.assertNotIn("Recording of the call", str(messages))

    def test_non_confidential_caller_shown_to_unit(self):
        case = self._new_case(confidential=False)
        self.authenticate("hp_portal_a", "hp_portal_a")
        html = self.url_open(f"/my/hotline/cases/{case.id}").text
        self.assertInHtml(SECRET_NAME, html)
        self.assertInHtml(SECRET_PHONE, html)
