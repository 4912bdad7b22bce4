import json
import re

from odoo.tests import tagged

from .common import HotlineAttackCommon, RpcDenied, sample_file

# B's result photo: real content (results are checked by type), told apart from every other file
PHOTO_B = sample_file("jpg") + b"photo of B"


@tagged("post_install", "-at_install")
class TestHandedOverCase(HotlineAttackCommon):
    """Unit A returns a case, the center dispatches it to unit B: A (internal user and portal user) keeps reading
    what it did and what was sent to it while it held the case, reads nothing of B's time, and writes nothing
    there any more, over every API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.center_user = cls.agent
        case = cls._new_case(unit_id=cls.unit_a.id)
        case.with_user(cls.agent).action_self_dispatch()
        cls.case = case
        post = cls._post
        # A's time: the center writes to A with a file, A answers with a file, the center keeps an internal note
        cls.to_a = post(cls.agent, "中心致甲：请核实管线", "to_a.txt", b"file for A")
        cls.from_a = post(cls.unit_user_a, "甲单位：非我单位管辖", "from_a.txt", b"file of A")
        cls.portal_from_a = post(cls.portal_a, "甲门户：已转交")
        cls.note = post(cls.agent, "中心内部备注", subtype="mail.mt_note")
        case.with_user(cls.unit_user_a).action_accept()
        case.with_user(cls.unit_user_a).action_return(reason="非我单位职责")
        # nobody's time: the case waits in the pool
        cls.in_pool = post(cls.agent, "待分理期间的说明")
        case.with_user(cls.dispatcher).write({"unit_id": cls.unit_b.id})
        case.with_user(cls.dispatcher).action_dispatch()
        # B's time: B answers with a file, the center writes to B with a file, B submits its result with a photo
        case.with_user(cls.unit_user_b).action_accept()
        cls.from_b = post(cls.unit_user_b, "乙单位：已派人抢修", "from_b.txt", b"file of B")
        cls.to_b = post(cls.agent, "中心致乙：请拍照", "to_b.txt", b"file for B")
        cls.result_file = cls.env["ir.attachment"].with_user(cls.unit_user_b).create({
            "name": "result_b.jpg", "raw": PHOTO_B, "res_model": "hotline.case", "res_id": case.id,
        })
        case.with_user(cls.unit_user_b).action_submit(note="乙单位：已修复", attachment_ids=cls.result_file.ids,
                                                      result="partly_resolved")
        cls.a_messages = cls.to_a | cls.from_a | cls.portal_from_a
        cls.b_messages = cls.from_b | cls.to_b | case.sudo().message_ids.filtered(
            lambda m: m.id > cls.in_pool.id and (
                m.author_id == cls.unit_user_b.partner_id
                or not (m.is_internal or not m.subtype_id or m.subtype_id.internal)))
        cls.a_files = cls.to_a.attachment_ids | cls.from_a.attachment_ids
        cls.b_files = cls.from_b.attachment_ids | cls.to_b.attachment_ids | cls.result_file
        cls.unit_users = (cls.unit_user_a, cls.portal_a)

    @classmethod
    def _post(cls, user, body, filename=None, content=None, subtype="mail.mt_comment"):
        attachments = [(filename, content)] if filename else None
        # the portal user posts as on its page; the others as in the chatter
        return cls.case.with_user(user).message_post(body=body, message_type="comment", subtype_xmlid=subtype,
                                                     attachments=attachments)

    def _channels(self, user):
        # the portal's users have no API keys: their session is all they have
        return ("call_kw",) if user.share else self.CHANNELS

    def _message_ids(self, channel, user):
        return {m["id"] for m in self._rpc(channel, user, "mail.message", "search_read", domain=[
            ("model", "=", "hotline.case"), ("res_id", "=", self.case.id)], fields=["body"])}

    def test_setup(self):
        self.assertEqual(self.case.state, "submitted")
        self.assertEqual(self.case.unit_id, self.unit_b)
        self.assertEqual(self.case.handled_unit_ids, self.unit_a | self.unit_b)
        self.assertEqual(self.to_a.hotline_unit_id, self.unit_a)
        self.assertFalse(self.in_pool.hotline_unit_id, "nobody holds a case in the pool after a return")
        self.assertEqual(self.to_b.hotline_unit_id, self.unit_b)
        self.assertGreater(len(self.b_messages), 2, "B's dispatch notice and result are B's too")

    def test_a_reads_its_time_only(self):
        for user in self.unit_users:
            for channel in self._channels(user):
                with self.subTest(user=user.login, channel=channel):
                    ids = self._message_ids(channel, user)
                    self.assertLessEqual(set(self.a_messages.ids), ids, "A keeps what it did and received")
                    self.assertFalse(ids & set(self.b_messages.ids), "nothing of B's time")
                    self.assertNotIn(self.in_pool.id, ids, "nor what was written while nobody held the case")
                    self.assertNotIn(self.note.id, ids)
                    for message in (self.from_b, self.to_b):
                        with self.assertRaises(RpcDenied):
                            self._rpc(channel, user, "mail.message", "read", message.ids, fields=["body"])
                    counted = self._rpc(channel, user, "mail.message", "search_count", domain=[
                        ("id", "in", self.b_messages.ids)])
                    self.assertEqual(counted, 0)
            with self.subTest(user=user.login, route="chatter"):
                for route, params in (
                    ("/mail/thread/messages", {"thread_model": "hotline.case", "thread_id": self.case.id}),
                    ("/mail/chatter_fetch", {"thread_model": "hotline.case", "thread_id": self.case.id}),
                    # the feed a thread the user cannot read falls back to
                    ("/mail/thread/messages", {"thread_model": "hotline.case", "thread_id": 0}),
                ):
                    fetched = self._jsonrpc_as(user, route, params)
                    text = json.dumps(fetched, ensure_ascii=False)
                    self.assertNotIn("乙单位", text, route)
                    self.assertNotIn("中心致乙", text, route)
                    self.assertNotIn("from_b.txt", text, route)
                    if params["thread_id"]:
                        self.assertIn("中心致甲", text, f"{route}: what was sent to A")
                        self.assertIn("甲门户" if user.share else "甲单位", text, f"{route}: A's own messages")

    def test_a_downloads_no_file_of_b(self):
        files_on_case = [("res_model", "=", "hotline.case"), ("res_id", "=", self.case.id)]
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                found = {f["id"] for f in self._rpc(channel, self.unit_user_a, "ir.attachment", "search_read",
                                                    domain=files_on_case, fields=["name"])}
                self.assertEqual(found, set(self.a_files.ids))
                for attachment in self.b_files:
                    with self.assertRaises(RpcDenied):
                        self._rpc(channel, self.unit_user_a, "ir.attachment", "read", attachment.ids,
                                  fields=["datas"])
                # the case's own field names B's result files: the relation hides them
                values = self._rpc(channel, self.unit_user_a, "hotline.case", "read", [self.case.id],
                                   fields=["result_attachment_ids"])
                self.assertFalse(values[0]["result_attachment_ids"])
        for user in self.unit_users:
            self.authenticate(user.login, user.login)
            for attachment in self.b_files:
                with self.subTest(user=user.login, file=attachment.name):
                    for url in (f"/web/content/{attachment.id}", f"/web/content/{attachment.id}?download=true",
                                f"/web/image/{attachment.id}"):
                        self.assertNotIn(attachment.raw, self.url_open(url).content, url)
        self.authenticate(self.unit_user_a.login, self.unit_user_a.login)
        self.assertEqual(self.url_open(f"/web/content/{self.from_a.attachment_ids.id}").content, b"file of A")
        self.assertEqual(self.url_open(f"/web/content/{self.to_a.attachment_ids.id}").content, b"file for A")

    def test_a_reads_nothing_of_b_on_the_case(self):
        """B's result, its files and its review are on the case record too: not for A, whatever the method."""
        holder_fields = ["result_note", "handling_result", "result_attachment_ids", "review_note", "return_reason",
                         "extension_reason"]
        found_by_result = [("id", "=", self.case.id), ("result_note", "ilike", "乙单位")]
        found_by_verdict = [("id", "=", self.case.id), ("handling_result", "=", "partly_resolved")]
        for user in self.unit_users:
            for channel in self._channels(user):
                with self.subTest(user=user.login, channel=channel):
                    values = self._rpc(channel, user, "hotline.case", "read", [self.case.id],
                                       fields=["name", "state", *holder_fields])[0]
                    self.assertEqual(values["state"], "submitted", "the case's progress stays readable")
                    self.assertFalse(any(values[name] for name in holder_fields), values)
                    listed = self._rpc(channel, user, "hotline.case", "search_read", domain=[("id", "=", self.case.id)],
                                       fields=["result_note"])
                    self.assertFalse(listed[0]["result_note"])
                    web = self._rpc(channel, user, "hotline.case", "web_read", [self.case.id],
                                    specification={"result_note": {}, "review_note": {}})
                    self.assertFalse(web[0]["result_note"])
                    self.assertEqual(self._rpc(channel, user, "hotline.case", "search_count",
                                               domain=found_by_result), 0)
                    self.assertEqual(self._rpc(channel, user, "hotline.case", "search_count",
                                               domain=found_by_verdict), 0)
        for channel in self.CHANNELS:
            for user in (self.unit_user_b, self.agent):
                with self.subTest(user=user.login, channel=channel):
                    values = self._rpc(channel, user, "hotline.case", "read", [self.case.id], fields=holder_fields)[0]
                    self.assertEqual(values["result_note"], "乙单位：已修复")
                    self.assertEqual(values["handling_result"], "partly_resolved")
                    self.assertEqual(values["result_attachment_ids"], self.result_file.ids)
                    self.assertEqual(self._rpc(channel, user, "hotline.case", "search_count",
                                               domain=found_by_result), 1)

    def _csrf(self, user, page):
        self.authenticate(user.login, user.login)
        html = self.url_open(page).text
        match = re.search(r'csrf_token["\']?\s*:\s*["\']([^"\']+)', html) or re.search(
            r'name="csrf_token" value="([^"]+)"', html)
        return match.group(1)

    def test_a_writes_nothing_any_more(self):
        before = set(self.case.sudo().message_ids.ids)
        for user in self.unit_users:
            for channel in self._channels(user):
                with self.subTest(user=user.login, channel=channel):
                    with self.assertRaises(RpcDenied):
                        self._rpc(channel, user, "hotline.case", "message_post", [self.case.id], body="甲还在说话",
                                  message_type="comment", subtype_xmlid="mail.mt_comment")
                    with self.assertRaises(RpcDenied):
                        self._rpc(channel, user, "mail.message", "create", vals_list=[{
                            "model": "hotline.case", "res_id": self.case.id, "body": "甲直接建消息",
                            "message_type": "comment", "subtype_id": self.env.ref("mail.mt_comment").id}])
                    # nor edits what it wrote while it held the case
                    own = self.portal_from_a if user.share else self.from_a
                    with self.assertRaises(RpcDenied):
                        self._rpc(channel, user, "mail.message", "write", own.ids, vals={"body": "改写"})
                    with self.assertRaises(RpcDenied):
                        self._rpc(channel, user, "ir.attachment", "create", vals_list=[{
                            "name": "late.txt", "raw": "bGF0ZQ==", "res_model": "hotline.case",
                            "res_id": self.case.id}])
            with self.subTest(user=user.login, route="/mail/message/post"):
                with self.assertRaises(RpcDenied):
                    self._jsonrpc_as(user, "/mail/message/post", {
                        "thread_model": "hotline.case", "thread_id": self.case.id,
                        "post_data": {"body": "甲经聊天框", "message_type": "comment"}})
            with self.subTest(user=user.login, route="/mail/message/update_content"):
                own = self.portal_from_a if user.share else self.from_a
                with self.assertRaises(RpcDenied):
                    self._jsonrpc_as(user, "/mail/message/update_content", {
                        "message_id": own.id, "update_data": {"body": "改写", "attachment_ids": []}})
            with self.subTest(user=user.login, route="/mail/attachment/upload"):
                csrf = self._csrf(user, "/my" if user.share else "/odoo")
                response = self.url_open("/mail/attachment/upload", data={
                    "csrf_token": csrf, "thread_id": self.case.id, "thread_model": "hotline.case"},
                    files={"ufile": ("late.txt", b"late", "text/plain")})
                self.assertEqual(response.status_code, 404)
        self.assertEqual(set(self.case.sudo().message_ids.ids), before)
        self.assertEqual(self.from_a.body, "<p>甲单位：非我单位管辖</p>")
        self.assertFalse(self.env["ir.attachment"].search([("name", "=", "late.txt")]))
        # and no mail tells A what B does: its members follow the case no more
        followers = self.case.sudo().message_partner_ids
        self.assertFalse(followers & (self.unit_user_a | self.portal_a).partner_id)
        self.assertIn(self.unit_user_b.partner_id, followers)

    def test_b_and_center_work_as_before(self):
        """Positive controls: the unit holding the case reads and writes its time; the center reads everything."""
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                ids = self._message_ids(channel, self.unit_user_b)
                self.assertLessEqual(set(self.b_messages.ids), ids)
                self.assertFalse(ids & set(self.a_messages.ids), "nor does B read A's time")
                posted = self._rpc(channel, self.unit_user_b, "hotline.case", "message_post", [self.case.id],
                                   body=f"乙经{channel}补充", message_type="comment",
                                   subtype_xmlid="mail.mt_comment")
                self.assertTrue(posted)
                files = {f["id"] for f in self._rpc(channel, self.unit_user_b, "ir.attachment", "search_read",
                                                    domain=[("res_model", "=", "hotline.case"),
                                                            ("res_id", "=", self.case.id)], fields=["name"])}
                self.assertLessEqual(set(self.b_files.ids), files)
                center = self._message_ids(channel, self.agent)
                self.assertLessEqual(set((self.a_messages | self.b_messages | self.note | self.in_pool).ids),
                                     center)
        fetched = self._jsonrpc_as(self.unit_user_b, "/mail/message/post", {
            "thread_model": "hotline.case", "thread_id": self.case.id,
            "post_data": {"body": "乙经聊天框", "message_type": "comment"}})
        self.assertTrue(fetched["message_id"])
        self.authenticate(self.unit_user_b.login, self.unit_user_b.login)
        self.assertEqual(self.url_open(f"/web/content/{self.result_file.id}").content, PHOTO_B)
        self.assertEqual(self.case.sudo().message_ids.filtered(lambda m: "乙经" in str(m.body)).hotline_unit_id,
                         self.unit_b)

    def test_a_holding_again_reads_and_writes_again(self):
        """Sent back to A after B: A's new time is its own again, B's stays B's."""
        self.case.with_user(self.reviewer).action_review_reject(note="重新派单")
        self.case.with_user(self.dispatcher).write({"unit_id": self.unit_a.id})
        self.case.with_user(self.dispatcher).action_dispatch()
        again = self._rpc("json2", self.unit_user_a, "hotline.case", "message_post", [self.case.id],
                          body="甲再次接手", message_type="comment", subtype_xmlid="mail.mt_comment")
        ids = self._message_ids("json2", self.unit_user_a)
        self.assertIn(again[0], ids, "/json/2 answers the new message's id in a list")
        self.assertLessEqual(set(self.a_messages.ids), ids)
        self.assertFalse(ids & set((self.from_b | self.to_b).ids))
        with self.assertRaises(RpcDenied):
            self._rpc("json2", self.unit_user_b, "hotline.case", "message_post", [self.case.id], body="乙",
                      message_type="comment")
