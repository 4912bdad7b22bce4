import json
import time

from odoo.addons.hotline_case.models.secret import SECRET_MASK
from odoo.addons.hotline_case.tests.common import HotlineAttackCommon
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import SECRET, PlatformCommon
from .standin import sign, signed_headers

REST_PORT_SECURITY = 8358


@tagged("post_install", "-at_install")
class TestPlatformWebhook(PlatformCommon, HotlineAttackCommon):
    """The platform's push to /hotline/platform/<code>/events: signed, fresh, once."""

    @classmethod
    def _standin_port(cls):
        return REST_PORT_SECURITY

    def _post(self, events, secret=SECRET, timestamp=None, code="city", body=None):
        body = body if body is not None else json.dumps({"events": events}, ensure_ascii=False).encode()
        return self.url_open(f"/hotline/platform/{code}/events", data=body,
                             headers=signed_headers(secret, body, timestamp))

    def _dispatch_event(self, ref, seq=1):
        return {"key": f"{ref}:{seq}", "platform_ref": ref, "seq": seq, "kind": "dispatch",
                "occurred_at": "2026-12-07T10:00:00+08:00",
                "payload": {"content": "井盖缺失，存在安全隐患", "category": "0405",
                            "deadline": "2026-12-09T18:00:00+08:00"}}

    def test_signed_push_applies_once_and_answers_signed(self):
        response = self._post([self._dispatch_event("WH-1")])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"acks": ["WH-1:1"], "refused": {}})
        # the answer is signed with the shared key
        self.assertEqual(response.headers["X-Hotline-Signature"],
                         sign(SECRET, int(response.headers["X-Hotline-Timestamp"]), response.content))
        case = self.case_of("WH-1")
        self.assertEqual(case.category_id, self.cat_road)
        # the platform did not get the answer and pushes again (new signature): acknowledged, not re-applied
        urge = {"platform_ref": "WH-1", "seq": 2, "kind": "urge", "payload": {"note": "催办"}}
        self.assertEqual(self._post([self._dispatch_event("WH-1"), urge]).json()["acks"], ["WH-1:2", "WH-1:1"])
        self.assertEqual(self._post([urge], timestamp=int(time.time()) - 1).json()["acks"], ["WH-1:2"])
        self.assertEqual(len(self.case_of("WH-1")), 1)
        self.assertEqual(case.urge_count, 1)

    def test_replayed_request_is_refused(self):
        body = json.dumps({"events": [self._dispatch_event("WH-2")]}).encode()
        headers = signed_headers(SECRET, body)
        first = self.url_open("/hotline/platform/city/events", data=body, headers=headers)
        replay = self.url_open("/hotline/platform/city/events", data=body, headers=headers)
        self.assertEqual((first.status_code, replay.status_code), (200, 409))
        self.assertEqual(len(self.events("WH-2", "in")), 1)

    def test_forged_stale_and_misdirected_pushes_are_refused(self):
        attempts = {
            "forged": self._post([self._dispatch_event("WH-3")], secret="猜测的密钥"),
            "stale": self._post([self._dispatch_event("WH-3")], timestamp=int(time.time()) - 3600),
            "future": self._post([self._dispatch_event("WH-3")], timestamp=int(time.time()) + 3600),
            "unknown platform": self._post([self._dispatch_event("WH-3")], code="nowhere"),
            "a code no platform can have": self._post([self._dispatch_event("WH-3")], code="city%00"),
            "unsigned": self.url_open("/hotline/platform/city/events",
                                      data=json.dumps({"events": [self._dispatch_event("WH-3")]})),
        }
        for what, response in attempts.items():
            with self.subTest(what):
                self.assertEqual(response.status_code, 401)
                self.assertNotIn("X-Hotline-Signature", response.headers)
        self.assertFalse(self.events("WH-3"))
        self.assertFalse(self.case_of("WH-3"))
        # a body altered after signing
        body = json.dumps({"events": [self._dispatch_event("WH-3")]}).encode()
        headers = signed_headers(SECRET, body)
        tampered = self.url_open("/hotline/platform/city/events", data=body.replace(b"0405", b"0301"),
                                 headers=headers)
        self.assertEqual(tampered.status_code, 401)
        # a platform reached by another transport has no webhook
        self.counterpart.transport = "soap"
        self.assertEqual(self._post([self._dispatch_event("WH-3")]).status_code, 401)
        self.counterpart.transport = "rest"
        # a signed body that is not the schema: 400, nothing stored
        self.assertEqual(self._post(None, body=b"{not json").status_code, 400)
        self.assertEqual(self._post(None, body=b'{"events": {}}').status_code, 400)
        self.assertFalse(self.events("WH-3"))
        # a code no webhook address can carry is refused at entry, in the platform's words
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.counterpart.write({"code": "city/../x"})
        # positive control
        self.assertEqual(self._post([self._dispatch_event("WH-3")]).status_code, 200)


@tagged("post_install", "-at_install")
class TestPlatformAccess(PlatformCommon, HotlineAttackCommon):
    """Who reads what: the platforms' keys are the administrators'; units and portal users read nothing of the
    exchange."""

    @classmethod
    def _standin_port(cls):
        return REST_PORT_SECURITY + 1

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.counterpart.write({"db_user": "platform_reader", "db_password": "中间库口令"})
        cls.platform.dispatch("ACL-1")
        cls.counterpart._run()
        cls.event = cls.env["hotline.platform.event"].search([("platform_ref", "=", "ACL-1")], limit=1)
        cls.case = cls.env["hotline.case"].search([("platform_ref", "=", "ACL-1")])
        cls.case.write({"unit_id": cls.unit_a.id, "type_id": cls.type_complaint.id, "district_id": cls.district.id})
        cls.case.with_user(cls.dispatcher).action_dispatch()
        cls.admin = cls.env.ref("base.user_admin")

    def test_units_and_portal_read_nothing_of_the_exchange(self):
        for user in (self.unit_user_a, self.unit_user_b, self.portal_a):
            for model, ids in (("hotline.platform.counterpart", self.counterpart.ids),
                               ("hotline.platform.event", self.event.ids),
                               ("hotline.platform.code.table", self.code_table.ids)):
                with self.subTest(user=user.login, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(user).browse(ids).read(["display_name"])
                self.assertRpcDenied(user, model, "read", ids, fields=["display_name"])
            self.assertRpcDenied(user, "hotline.platform.counterpart", "search_read", fields=["secret"])
            self.assertRpcDenied(user, "hotline.platform.event", "action_resend", self.event.ids)

    def test_secrets_are_the_administrators(self):
        for user in (self.agent, self.dispatcher, self.reviewer, self.manager):
            with self.subTest(user=user.login):
                counterpart = self.counterpart.with_user(user)
                for field in ("secret", "db_password", "db_user", "poll_cursor"):
                    with self.assertRaises(AccessError):
                        counterpart.read([field])
                    self.assertRpcDenied(user, "hotline.platform.counterpart", "read", self.counterpart.ids,
                                         fields=[field])
                with self.assertRaises(AccessError):
                    counterpart.write({"secret": "新密钥"})
        # positive controls: a dispatcher reads the state of the link; the administrator sees the key masked
        self.assertEqual(self.counterpart.with_user(self.dispatcher).read(["name", "failures"])[0]["failures"], 0)
        shown = self._rpc("json2", self.manager, "hotline.platform.counterpart", "read", self.counterpart.ids,
                          fields=["name", "transport"])
        self.assertEqual(shown[0]["transport"], "rest")
        admin_view = self.counterpart.with_user(self.admin).read(["secret", "db_password"])[0]
        self.assertEqual((admin_view["secret"], admin_view["db_password"]), (SECRET_MASK, SECRET_MASK))
        # the mask written back keeps the key
        self.counterpart.with_user(self.admin).write({"secret": SECRET_MASK})
        self.assertEqual(self.counterpart.secret, SECRET)

    def test_only_dispatchers_resend_or_relay(self):
        self.event.sudo().write({"state": "dead"})
        with self.assertRaises(AccessError):
            self.event.with_user(self.agent).action_resend()
        self.assertRpcDenied(self.agent, "hotline.platform.event", "action_resend", self.event.ids)
        with self.assertRaises(AccessError):
            self.event.with_user(self.dispatcher).write({"state": "applied"})
        # a unit member reads the case, not its exchanged events
        case = self.case.with_user(self.unit_user_a)
        self.assertEqual(case.platform_ref, "ACL-1")
        with self.assertRaises(AccessError):
            case.read(["platform_event_ids"])
        # positive control
        self.assertEqual(self.case.with_user(self.agent).platform_event_ids.mapped("kind"),
                         ["accept", "receive", "dispatch"])
