import json

from odoo.tests import tagged

from .common import HotlineAttackCommon, RpcDenied

SECRET_NAME = "孙保密"
SECRET_PHONE = "13612345678"
# Fields that lead from a case to other cases (of the same caller, merged...): the center's only.
CASE_LINK_FIELDS = ("duplicate_case_ids", "duplicate_count", "caller_case_ids", "caller_case_count", "repeat_caller",
                    "merged_into_id", "merged_case_ids")


@tagged("post_install", "-at_install")
class TestUnitDataSeparation(HotlineAttackCommon):
    """A unit's users (internal group_unit_user and portal) attack what the center keeps to itself, over ORM RPC
    (web session), /json/2, XML-RPC and the web client's HTTP routes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.case = cls._new_case(caller_name=SECRET_NAME, caller_phone=SECRET_PHONE, confidential=True,
                                 unit_id=cls.unit_a.id)
        cls.case.with_user(cls.agent).action_self_dispatch()
        cls.caller = cls.case.sudo().partner_id
        # the center's own notes about the caller, on the caller's contact
        cls.caller.with_user(cls.agent).message_post(
            body=f"{SECRET_NAME}（{SECRET_PHONE}）多次来电", message_type="comment", subtype_xmlid="mail.mt_note")
        cls.caller.message_subscribe(partner_ids=cls.agent.partner_id.ids)
        cls.unit_users = (cls.unit_user_a, cls.portal_a)

    def _thread_data(self, user, record, request_list):
        """What the chatter loads about a document (/mail/data, as the web client asks it)."""
        return self._jsonrpc_as(user, "/mail/data", {"fetch_params": [["mail.thread", {
            "thread_model": record._name, "thread_id": record.id, "request_list": request_list,
        }]]})

    def _assert_no_secret(self, data):
        text = json.dumps(data, ensure_ascii=False, default=str)
        self.assertNotIn(SECRET_NAME, text)
        self.assertNotIn(SECRET_PHONE, text)

    # ------------------------------------------------------------------
    # 1. Callers
    # ------------------------------------------------------------------
    def test_unit_users_never_read_callers(self):
        self.assertTrue(self.caller, "the case's caller is a contact")
        for user in self.unit_users:
            for channel in self.CHANNELS:
                with self.subTest(user=user.login, channel=channel):
                    for domain in ([("phone", "ilike", SECRET_PHONE[3:])], [("hotline_phone_norm", "=", SECRET_PHONE)],
                                   [("name", "ilike", SECRET_NAME)], [("id", "=", self.caller.id)]):
                        found = self._rpc(channel, user, "res.partner", "search_read", domain=domain,
                                          fields=["name", "phone"])
                        self.assertEqual(found, [], domain)
                    self.assertEqual(self._rpc(channel, user, "res.partner", "name_search", name=SECRET_NAME), [])
                    with self.assertRaises(RpcDenied):
                        self._rpc(channel, user, "res.partner", "read", [self.caller.id], fields=["name", "phone"])
                    messages = self._rpc(channel, user, "mail.message", "search_read",
                                         domain=[("model", "=", "res.partner"), ("res_id", "=", self.caller.id)],
                                         fields=["body", "record_name"])
                    self.assertEqual(messages, [])
        # nor the avatar /web/image draws from the caller's name (the center's staff get it)
        self.authenticate(self.agent.login, self.agent.login)
        self.assertIn(SECRET_NAME[0].encode(),
                      self.url_open(f"/web/image/res.partner/{self.caller.id}/avatar_128").content)
        for user in self.unit_users:
            self.authenticate(user.login, user.login)
            avatar = self.url_open(f"/web/image/res.partner/{self.caller.id}/avatar_128")
            self.assertNotIn(SECRET_NAME[0].encode(), avatar.content)
        # the caller's own case still shows the caller the way units may see it: masked
        values = self._rpc("call_kw", self.unit_user_a, "hotline.case", "read", [self.case.id],
                           fields=["unit_caller_name", "unit_caller_phone"])
        self._assert_no_secret(values)

    def test_message_feed_shows_no_caller(self):
        for user in self.unit_users:
            # an unreadable thread makes /mail/thread/messages fall back to the feed of every readable message
            for model, thread_id in (("res.partner", self.caller.id), ("hotline.case", 0), ("res.partner", 0)):
                with self.subTest(user=user.login, model=model, thread_id=thread_id):
                    result = self._jsonrpc_as(user, "/mail/thread/messages",
                                              {"thread_model": model, "thread_id": thread_id})
                    self._assert_no_secret(result)
        suggested = self._jsonrpc_as(self.unit_user_a, "/mail/thread/recipients/get_suggested_recipients", {
            "thread_model": "hotline.case", "thread_id": self.case.id, "partner_ids": [self.caller.id],
        })
        self._assert_no_secret(suggested)

    def test_web_client_still_works_for_unit_users(self):
        """The partner rule keeps what the web client needs: the user's own partner, company and colleagues."""
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                own = self._rpc(channel, self.unit_user_a, "res.partner", "read",
                                (self.unit_user_a.partner_id | self.env.company.partner_id
                                 | self.agent.partner_id | self.portal_a.partner_id).ids, fields=["name"])
                self.assertEqual(len(own), 4)
        data = self._thread_data(self.unit_user_a, self.case, ["followers", "attachments", "activities"])
        self._assert_no_secret(data)
        messages = self._jsonrpc_as(self.unit_user_a, "/mail/thread/messages",
                                    {"thread_model": "hotline.case", "thread_id": self.case.id})
        self.assertTrue(messages["messages"], "the dispatch message reaches the unit")
        self.assertEqual(self.url_open("/odoo").status_code, 200)

    # ------------------------------------------------------------------
    # 2. Internal notes and their files
    # ------------------------------------------------------------------
    def test_internal_notes_and_files_stay_with_the_center(self):
        note = self.case.with_user(self.agent).message_post(
            body="中心内部：来电录音已存档", subtype_xmlid="mail.mt_note",
            attachments=[("录音摘要.txt", b"internal recording summary")])
        sent = self.case.with_user(self.agent).message_post(
            body="请带上检测仪器到现场", message_type="comment", subtype_xmlid="mail.mt_comment",
            attachments=[("通知.txt", b"public notice")])
        own = self.case.with_user(self.unit_user_a).message_post(body="单位内部：已安排抢修班",
                                                                 subtype_xmlid="mail.mt_note")
        note_file, sent_file = note.attachment_ids, sent.attachment_ids
        self.assertTrue(note_file and sent_file)
        on_case = [("model", "=", "hotline.case"), ("res_id", "=", self.case.id)]
        files_on_case = [("res_model", "=", "hotline.case"), ("res_id", "=", self.case.id)]
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                ids = [m["id"] for m in self._rpc(channel, self.unit_user_a, "mail.message", "search_read",
                                                  domain=on_case, fields=["body"])]
                self.assertIn(sent.id, ids)
                self.assertIn(own.id, ids, "a unit reads its own notes")
                self.assertNotIn(note.id, ids)
                with self.assertRaises(RpcDenied):
                    self._rpc(channel, self.unit_user_a, "mail.message", "read", [note.id], fields=["body"])
                files = self._rpc(channel, self.unit_user_a, "ir.attachment", "search_read",
                                  domain=files_on_case, fields=["name"])
                self.assertEqual([f["id"] for f in files], sent_file.ids)
                with self.assertRaises(RpcDenied):
                    self._rpc(channel, self.unit_user_a, "ir.attachment", "read", note_file.ids, fields=["datas"])
                self.assertTrue(self._rpc(channel, self.unit_user_a, "ir.attachment", "read", sent_file.ids,
                                          fields=["datas"])[0]["datas"])
        for user in self.unit_users:
            self.authenticate(user.login, user.login)
            with self.subTest(user=user.login):
                self.assertNotEqual(self.url_open(f"/web/content/{note_file.id}").status_code, 200)
                self.assertNotEqual(self.url_open(f"/web/content/{note_file.id}?download=true").status_code, 200)
                fetched = self._jsonrpc_as(user, "/mail/thread/messages",
                                           {"thread_model": "hotline.case", "thread_id": self.case.id})
                self.assertIn(sent.id, fetched["messages"])
                self.assertNotIn(note.id, fetched["messages"])
                self.assertNotIn("录音摘要", json.dumps(fetched, ensure_ascii=False))
        self.authenticate(self.unit_user_a.login, self.unit_user_a.login)
        self.assertEqual(self.url_open(f"/web/content/{sent_file.id}").content, b"public notice")
        # the center still reads everything
        center = self._rpc("json2", self.agent, "mail.message", "search_read", domain=on_case, fields=["body"])
        self.assertIn(note.id, [m["id"] for m in center])

    # ------------------------------------------------------------------
    # 3. Fields leading to other cases
    # ------------------------------------------------------------------
    def test_no_field_leads_a_unit_to_other_cases(self):
        # the same caller again, not confidential, handled by the same unit: it would name the caller
        other = self._dispatched_case(caller_name=SECRET_NAME, caller_phone=SECRET_PHONE)
        self.assertIn(other, self.case.with_user(self.agent).duplicate_case_ids, "the center sees the duplicate")
        duplicate = self._new_case(caller_name=SECRET_NAME, caller_phone=SECRET_PHONE, unit_id=self.unit_b.id)
        duplicate.with_user(self.agent).action_merge(self.case)
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                for field in CASE_LINK_FIELDS:
                    with self.assertRaises(RpcDenied, msg=field):
                        self._rpc(channel, self.unit_user_a, "hotline.case", "read", [self.case.id], fields=[field])
                with self.assertRaises(RpcDenied):
                    self._rpc(channel, self.unit_user_a, "hotline.case", "web_read", [self.case.id],
                              specification={"duplicate_case_ids": {"fields": {"unit_caller_name": {}}}})
                described = self._rpc(channel, self.unit_user_a, "hotline.case", "fields_get", attributes=["type"])
                self.assertFalse(set(CASE_LINK_FIELDS) & set(described))
                values = self._rpc(channel, self.unit_user_a, "hotline.case", "read", [self.case.id])
                self.assertFalse(set(CASE_LINK_FIELDS) & set(values[0]))
                self.assertNotIn(other.id, [v for v in values[0].values() if isinstance(v, int)])
        with self.assertRaises(RpcDenied):
            self._rpc("call_kw", self.portal_a, "hotline.case", "read", [self.case.id], fields=["duplicate_case_ids"])

    # ------------------------------------------------------------------
    # 4. Workflow fields
    # ------------------------------------------------------------------
    def test_workflow_fields_only_through_transitions(self):
        case = self._dispatched_case()
        before = case.read(["state", "deadline", "sign_deadline", "unit_id", "extension_state", "urge_count"])[0]
        log_count = len(case.log_ids)
        forged = {"hotline_case_transition": True, "hotline_transition": True}
        attempts = [
            {"state": "closed"}, {"state": "draft"}, {"deadline": "2099-01-01 00:00:00"},
            {"sign_deadline": "2099-01-01 00:00:00"}, {"unit_id": self.unit_b.id}, {"extension_state": "approved"},
            {"date_closed": "2020-01-01 00:00:00"}, {"urge_count": 0}, {"merged_into_id": False},
        ]
        for user in (self.agent, self.reviewer, self.manager):
            for vals in attempts:
                self.assertRpcDenied(user, "hotline.case", "write", [case.id], vals=vals, context=forged)
        self.assertRpcDenied(self.agent, "hotline.case", "create", context=forged, vals_list=[{
            "description": "跳过流程", "state": "closed", "date_closed": "2020-01-01 00:00:00",
        }])
        self.assertRpcDenied(self.agent, "hotline.case", "create", vals_list=[{
            "description": "自定期限", "deadline": "2099-01-01 00:00:00",
        }])
        case.invalidate_recordset()
        self.assertEqual(case.read(list(before))[0], before)
        self.assertEqual(len(case.log_ids), log_count, "nothing happened, nothing logged")
        # what the center may still write: the unit of a case not yet sent, its own notes
        draft = self._new_case()
        for channel in self.CHANNELS:
            self.assertTrue(self._rpc(channel, self.agent, "hotline.case", "write", [draft.id],
                                      vals={"unit_id": self.unit_b.id, "description": f"经{channel}修改"}))
        self.assertEqual(draft.unit_id, self.unit_b)
        # the transitions themselves still write them
        self._rpc("json2", self.reviewer, "hotline.case", "action_urge", [case.id], context=forged)
        case.invalidate_recordset()
        self.assertEqual(case.urge_count, 1)
        self.assertEqual(len(case.log_ids), log_count + 1)

    # ------------------------------------------------------------------
    # 5. Extension request
    # ------------------------------------------------------------------
    def test_extension_request_frozen_once_made(self):
        case = self._processing_case()
        self._rpc("call_kw", self.unit_user_a, "hotline.case", "action_request_extension", [case.id],
                  days=3, reason="需要采购管材")
        for user in (self.unit_user_a, self.agent, self.reviewer):
            self.assertRpcDenied(user, "hotline.case", "write", [case.id], vals={"extension_days": 60})
            self.assertRpcDenied(user, "hotline.case", "write", [case.id], vals={"extension_reason": "改成两个月"})
        deadline = case.deadline
        case.with_user(self.reviewer).action_approve_extension()
        self.assertEqual(case.extension_days, 3)
        self.assertEqual(case.deadline, case._add_working_days(3, deadline), "the approval grants what was asked")
        log = case.log_ids.filtered(lambda line: line.action == "request_extension")
        self.assertIn("3", log.note)

    # ------------------------------------------------------------------
    # 8. Followers
    # ------------------------------------------------------------------
    def test_followers_of_foreign_documents_hidden(self):
        foreign = self._dispatched_case(unit=self.unit_b, caller_phone="13900000001", caller_name="钱先生")
        foreign.message_subscribe(partner_ids=self.unit_user_b.partner_id.ids)
        foreign_followers = foreign.message_follower_ids
        caller_followers = self.caller.message_follower_ids
        self.assertTrue(foreign_followers and caller_followers)
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                for model, res_id in (("hotline.case", foreign.id), ("res.partner", self.caller.id)):
                    found = self._rpc(channel, self.unit_user_a, "mail.followers", "search_read",
                                      domain=[("res_model", "=", model), ("res_id", "=", res_id)],
                                      fields=["partner_id"])
                    self.assertEqual(found, [], model)
                everything = self._rpc(channel, self.unit_user_a, "mail.followers", "search_read", domain=[],
                                       fields=["res_model", "res_id"])
                self.assertFalse({f["id"] for f in everything} & set((foreign_followers | caller_followers).ids))
                self.assertEqual(self._rpc(channel, self.unit_user_a, "mail.followers", "search_count",
                                           domain=[("res_id", "=", foreign.id), ("res_model", "=", "hotline.case")]),
                                 0)
                with self.assertRaises(RpcDenied):
                    self._rpc(channel, self.unit_user_a, "mail.followers", "read", foreign_followers.ids,
                              fields=["res_id", "partner_id"])
                own = self._rpc(channel, self.unit_user_a, "mail.followers", "search_read",
                                domain=[("res_model", "=", "hotline.case"), ("res_id", "=", self.case.id)],
                                fields=["partner_id"])
                self.assertEqual({f["id"] for f in own}, set(self.case.message_follower_ids.ids))
        with self.assertRaises(RpcDenied):
            self._jsonrpc_as(self.unit_user_a, "/mail/read_subscription_data", {"follower_id": foreign_followers[0].id})
        data = self._thread_data(self.unit_user_a, foreign, ["followers"])
        self.assertNotIn(foreign_followers[0].partner_id.name, json.dumps(data, ensure_ascii=False))

    # ------------------------------------------------------------------
    # 21. A unit keeps reading what it handled
    # ------------------------------------------------------------------
    def test_returned_case_stays_readable_not_writable(self):
        case = self._processing_case()
        case.with_user(self.unit_user_a).action_return(reason="非我单位职责")
        case.write({"unit_id": self.unit_b.id})
        case.with_user(self.dispatcher).action_dispatch()
        for user in self.unit_users:
            for channel in self.CHANNELS:
                if user.share and channel != "call_kw":
                    continue  # the portal's users do not get API keys from the center, the session is theirs
                with self.subTest(user=user.login, channel=channel):
                    values = self._rpc(channel, user, "hotline.case", "read", [case.id], fields=["name", "state"])
                    self.assertEqual(values[0]["state"], "dispatched")
                    found = self._rpc(channel, user, "hotline.case", "search", domain=[("id", "=", case.id)])
                    self.assertEqual(found, [case.id])
        for channel in self.CHANNELS:
            self.assertRpcDenied(self.unit_user_a, "hotline.case", "write", [case.id], vals={"result_note": "越权"})
            with self.assertRaises(RpcDenied):
                self._rpc(channel, self.unit_user_a, "hotline.case", "action_accept", [case.id])
        # nor its 办理结果, written or submitted
        self.assertRpcDenied(self.unit_user_a, "hotline.case", "write", [case.id], vals={"handling_result": "resolved"})
        self.assertRpcDenied(self.unit_user_a, "hotline.case", "action_submit", [case.id], note="越权",
                             result="resolved")
        self.assertEqual((case.state, case.handling_result), ("dispatched", False))
