from urllib.parse import urlsplit

from odoo.addons.hotline_case.tests.common import HotlineCaseCommon
from odoo.tests import common as test_common

from . import gateway


class HotlineSmsCommon(HotlineCaseCommon):
    """The center texts through a local stand-in of a gateway (Aliyun unless a test says otherwise)."""

    PROVIDER = "aliyun"

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo's test guard raises the timeout of local requests, but compares it as a number: the Aliyun SDK
        # gives (connect, read). The stand-ins are local: let those through untouched.
        if urlsplit(r.url).hostname == "127.0.0.1" and isinstance(kw.get("timeout"), tuple):
            return test_common._super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.aliyun = gateway.AliyunGateway().start()
        cls.tencent = gateway.TencentGateway().start()
        cls.addClassCleanup(cls.aliyun.stop)
        cls.addClassCleanup(cls.tencent.stop)
        cls.env.company.write({
            "hotline_sms_provider": cls.PROVIDER,
            "hotline_sms_endpoint": (cls.aliyun if cls.PROVIDER == "aliyun" else cls.tencent).endpoint,
            "hotline_sms_sign_name": "12319热线",
            "hotline_sms_access_key": gateway.ACCESS_KEY,
            "hotline_sms_access_secret": gateway.ACCESS_SECRET,
            "hotline_sms_app_id": gateway.TENCENT_APP_ID,
            "hotline_sms_push_token": "push-token-0123456789abcdef",
            "hotline_sms_quiet_start": 0.0,
            "hotline_sms_quiet_end": 0.0,
        })
        templates = cls.env["hotline.sms.template"].with_context(active_test=False).search([])
        templates.write({"active": True, "company_id": cls.env.company.id})
        cls.env["hotline.sms.message"].search([]).unlink()

    def setUp(self):
        super().setUp()
        for stand_in in (self.aliyun, self.tencent):
            stand_in.sent.clear()
            stand_in.extend_codes.clear()
            stand_in.bad_signatures = 0
            stand_in.delay = stand_in.fail_next = stand_in.throttle_next = stand_in.drop_next = 0

    @property
    def gateway(self):
        return self.aliyun if self.PROVIDER == "aliyun" else self.tencent

    def _messages(self, case, kind=None):
        domain = [("case_id", "=", case.id)] + ([("kind", "=", kind)] if kind else [])
        return self.env["hotline.sms.message"].search(domain)

    def _send_queue(self):
        """What Odoo's SMS cron does, keeping the records to look at."""
        sms = self.env["sms.sms"].sudo().search([("state", "=", "outgoing"), ("hotline_message_id", "!=", False)])
        sms.send(unlink_sent=False, unlink_failed=False)
        return sms

    def _surveyed_case(self, phone="13812345678", **vals):
        case = self._callback_case(caller_phone=phone, **vals)
        self._send_queue()
        return case
