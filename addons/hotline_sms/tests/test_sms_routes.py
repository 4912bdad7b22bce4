import importlib.util
import json
import re
from pathlib import Path

from odoo.addons.hotline_case.tests.attack_roles import HotlineRolesAttackCommon
from odoo.tests import tagged

from .common import HotlineSmsCommon

TOKEN = "push-token-0123456789abcdef"
READER = Path(__file__).resolve().parents[2] / "hotline_portal" / "tests" / "nginx_allowlist.py"


@tagged("post_install", "-at_install")
class TestSmsRoutes(HotlineSmsCommon, HotlineRolesAttackCommon):
    """The public routes (the case-status page, the gateways' pushes) and the new models and fields over every
    RPC channel, as each role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.case = cls._new_case(unit_id=cls.unit_a.id, caller_phone="13812349876", caller_name="王女士")
        cls.case.with_user(cls.agent).action_self_dispatch()
        cls.case.with_user(cls.unit_user_a).action_accept()
        cls.case.with_user(cls.unit_user_a).action_submit(note="已于当日修复供水管道，恢复供水。")
        cls.case.review_note = "内部审核意见：处理及时"
        cls.case.with_user(cls.reviewer).action_review_approve()
        cls.other = cls._new_case(caller_phone="13900005555")
        cls.other.with_user(cls.agent).action_transfer()

    def _token(self):
        page = self.url_open("/case").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _lookup(self, number, secret, token=None):
        return self.url_open("/case", data={"number": number, "secret": secret,
                                            "csrf_token": token or self._token()})

    @staticmethod
    def _without_token(html):
        return re.sub(r'name="csrf_token" value="[^"]+"', "", html)

    def test_timeline_and_approved_result_and_nothing_else(self):
        response = self._lookup(self.case.name, self.case.hotline_retrieval_code)
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("已于当日修复供水管道", page)
        self.assertIn(self.unit_a.name, page)
        steps = re.findall(r"<li>\s*<time>[^<]+</time>\s*([^<]+?)\s*</li>", page)
        self.assertEqual(len(steps), 4, "received, sent to the unit, being handled, handled: no other step")
        self.assertIn(self.unit_a.name, steps[1])
        for private in ("王女士", "13812349876", "9876", "受理员甲", "水务甲", "审核员甲", "内部审核意见",
                        self.case.hotline_retrieval_code, "/web/content"):
            self.assertNotIn(private, page)
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        # the last four digits of the caller's phone open it too, full-width digits included
        self.assertIn("已于当日修复供水管道", self._lookup(self.case.name, "９８７６").text)

    def test_result_shown_only_once_approved(self):
        page = self._lookup(self.other.name, self.other.hotline_retrieval_code).text
        self.assertIn(self.other.name, page)
        self.assertNotIn('class="result"', page)

    def test_no_enumeration_difference(self):
        token = self._token()
        answers = [self._lookup(number, secret, token) for number, secret in (
            (self.case.name, "000000"),                            # right number, wrong code
            ("12319-20990101-0001", "000000"),                     # no such number
            (self.other.name, self.case.hotline_retrieval_code),   # another case's number, this case's code
            (self.case.name, "9875"),                              # wrong last four
        )]
        self.assertEqual({answer.status_code for answer in answers}, {200})
        bodies = {self._without_token(answer.text).replace(self.case.name, "").replace(self.other.name, "")
                  .replace("12319-20990101-0001", "") for answer in answers}
        self.assertEqual(len(bodies), 1, "the same page whatever was wrong")
        self.assertNotIn("已于当日修复供水管道", bodies.pop())

    def test_bad_input_is_a_clean_400(self):
        token = self._token()
        for number, secret in (("12319\x00", "123456"), (self.case.name, "12\x003456"), ("9" * 5000, "1"),
                               (self.case.name, "1" * 5000), ("<script>", "\x1b")):
            self.assertEqual(self._lookup(number, secret, token).status_code, 400, (number[:20], secret[:20]))
        self.assertEqual(self.url_open("/case?number=%00").status_code, 400)
        self.assertEqual(self.url_open("/case?number=" + "1" * 5000).status_code, 400)
        self.assertEqual(self.url_open("/case", data={"number": self.case.name, "secret": "1"}).status_code, 400,
                         "no CSRF token: refused")
        echoed = self.url_open("/case?number=%3Cscript%3Ealert(1)%3C/script%3E").text
        self.assertNotIn("<script>alert(1)", echoed)

    def test_rate_limited_per_visitor_and_per_number(self):
        token = self._token()
        self.env["hotline.case.lookup"].search([]).unlink()  # the other tests' lookups from this address
        for attempt in range(10):
            self.assertEqual(self._lookup(f"12319-20990101-{attempt:04d}", "000000", token).status_code, 200)
        limited = self._lookup(self.case.name, self.case.hotline_retrieval_code, token)
        self.assertEqual(limited.status_code, 429)
        self.assertNotIn("已于当日修复供水管道", limited.text)
        # five wrong codes for one number lock it for everyone (other addresses included), existing or not
        lookup = self.env["hotline.case.lookup"]
        for number in (self.other.name, "12319-20990102-0002"):
            for attempt in range(5):
                self.assertEqual(lookup._lookup(number, "000000", f"10.0.0.{attempt}")[0], "not_found")
            self.assertEqual(lookup._lookup(number, self.other.hotline_retrieval_code, "10.0.1.1")[0], "limited")
        self.assertEqual(lookup._lookup(self.case.name, self.case.hotline_retrieval_code, "10.0.1.1")[0], "ok")

    def test_published_by_the_external_proxy_and_pushes_are_not(self):
        spec = importlib.util.spec_from_file_location("hotline_nginx_allowlist", READER)
        reader = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(reader)
        rules = reader.ProxyRules(reader.CONFIG_PATH)
        self.assertTrue(rules.is_allowed("/case"))
        for url in ("/case/1", "/hotline/sms/push/aliyun/reply", "/hotline/sms/push/tencent/report",
                    "/case/../hotline/sms/push/aliyun/reply"):
            self.assertFalse(rules.is_reachable(url), url)

    # ------------------------------------------------------------------
    # Gateway pushes
    # ------------------------------------------------------------------

    def _push(self, path, payload, token=TOKEN):
        url = path + (f"?token={token}" if token is not None else "")
        data = payload if isinstance(payload, bytes | str) else json.dumps(payload)
        return self.url_open(url, data=data, headers={"Content-Type": "application/json"})

    def test_aliyun_reply_and_report_pushes(self):
        case = self._surveyed_case()
        survey = self._messages(case, "survey")
        response = self._push("/hotline/sms/push/aliyun/reply", [{
            "phone_number": "13812345678", "send_time": "2026-12-07 10:00:00", "content": "2",
            "sign_name": "12319热线", "dest_code": "", "sequence_id": 1234,
        }])
        self.assertEqual((response.status_code, response.json()), (200, {"code": 0, "msg": "成功"}))
        self.assertEqual((case.state, case.hotline_evaluation_channel), ("closed", "sms"))
        response = self._push("/hotline/sms/push/aliyun/report", [{
            "phone_number": "13812345678", "success": True, "err_code": "DELIVERED", "biz_id": survey.provider_ref,
            "out_id": survey.uuid,
        }])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(survey.state, "delivered")

    def test_tencent_reply_push(self):
        self.env.company.hotline_sms_provider = "tencent"
        self.env.company.hotline_sms_endpoint = self.tencent.endpoint
        case = self._surveyed_case()
        response = self._push("/hotline/sms/push/tencent/reply", {
            "extend": "", "mobile": "13812345678", "nationcode": "86", "sign": "12319热线", "text": "5",
            "time": 1544428339,
        })
        self.assertEqual(response.json(), {"result": 0, "errmsg": "OK"})
        self.assertEqual(case.satisfaction, "very_dissatisfied")

    def test_forged_and_bad_pushes_refused_cleanly(self):
        case = self._surveyed_case()
        body = [{"phone_number": "13812345678", "content": "1"}]
        for token in (None, "", "wrong", TOKEN + "x", TOKEN[:-1]):
            self.assertEqual(self._push("/hotline/sms/push/aliyun/reply", body, token=token).status_code, 403)
        # the token of one gateway does not open the other's route
        self.assertEqual(self._push("/hotline/sms/push/tencent/reply", body).status_code, 403)
        self.assertEqual(self._push("/hotline/sms/push/other/reply", body).status_code, 404)
        for bad in (b"{not json", b"\x00\xff", json.dumps([1, 2]), json.dumps([{"x": 1}] * 1001),
                    b"[" + b" " * (1024 * 1024) + b"]"):
            self.assertEqual(self._push("/hotline/sms/push/aliyun/reply", bad).status_code, 400)
        self.assertEqual(self.url_open("/hotline/sms/push/aliyun/reply?token=" + TOKEN).status_code, 405)
        self.assertEqual(case.state, "callback")
        self.assertFalse(self.env["hotline.sms.reply"].search([("case_id", "=", case.id)]))

    # ------------------------------------------------------------------
    # Models and fields over RPC, as each role
    # ------------------------------------------------------------------
    def test_texts_replies_lookups_and_secrets_over_rpc(self):
        self._send_queue()
        message = self._messages(self.case, "survey")
        fields = ["number", "body", "case_id"]
        # positive controls: the center reads the texts and the code; the administrator manages templates
        for channel in self.CHANNELS:
            rows = self._rpc(channel, self.agent, "hotline.sms.message", "search_read",
                             domain=[("id", "=", message.id)], fields=fields)
            self.assertEqual(rows[0]["number"], "13812349876", channel)
            code = self._rpc(channel, self.agent, "hotline.case", "read", [self.case.id],
                             fields=["hotline_retrieval_code"])
            self.assertEqual(code[0]["hotline_retrieval_code"], self.case.hotline_retrieval_code)
        self._rpc("json2", self.admin, "hotline.sms.template", "write",
                  [self.env.ref("hotline_sms.template_survey").id], vals={"template_code": "SMS_99"})
        secret = self._rpc("xmlrpc", self.admin, "res.company", "read", [self.env.company.id],
                           fields=["hotline_sms_access_secret", "hotline_sms_push_token"])
        self.assertEqual(set(secret[0].values()) - {self.env.company.id}, {"••••••••"})
        for user in self.attackers:
            if user not in (self.agent, self.dispatcher, self.reviewer, self.manager):
                self.assertRpcDenied(user, "hotline.sms.message", "search_read", domain=[], fields=fields)
                self.assertRpcDenied(user, "hotline.sms.reply", "search_read", domain=[], fields=["content"])
                self.assertRpcDenied(user, "hotline.case", "read", [self.case.id],
                                     fields=["hotline_retrieval_code"])
            self.assertRpcDenied(user, "hotline.sms.message", "write", [message.id], vals={"number": "13000000000"})
            self.assertRpcDenied(user, "hotline.sms.message", "create",
                                 vals_list=[{"case_id": self.case.id, "kind": "intake", "number": "13000000000",
                                             "company_id": self.env.company.id}])
            self.assertRpcDenied(user, "hotline.sms.template", "write",
                                 [self.env.ref("hotline_sms.template_intake").id], vals={"template_code": "X"})
            self.assertRpcDenied(user, "hotline.sms.optout", "create", vals_list=[{"number": "13812349876"}])
            self.assertRpcDenied(user, "hotline.case.lookup", "search_read", domain=[], fields=["ip"])
            self.assertRpcDenied(user, "res.company", "read", [self.env.company.id],
                                 fields=["hotline_sms_access_secret"])
        self.assertEqual(message.number, "13812349876")
        self.assertEqual(self.env.ref("hotline_sms.template_intake").template_code, "SMS_12319001")
