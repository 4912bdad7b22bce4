"""The gateways' pushes: survey replies and delivery receipts (HTTP only; the models decide)."""

import hmac
import json
import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)
MAX_PUSH_BYTES = 1024 * 1024
MAX_ITEMS = 1000


class HotlineSmsPush(http.Controller):

    @http.route("/hotline/sms/push/<string:provider>/<string:kind>", type="http", auth="none", methods=["POST"],
                csrf=False, save_session=False, readonly=False)
    def push(self, provider, kind, token=None, **_kwargs):
        if provider not in ("aliyun", "tencent") or kind not in ("reply", "report"):
            return self._answer(provider, 404, ok=False)
        company = self._company(provider, token or request.httprequest.headers.get("X-Hotline-Token"))
        if company is None:
            return self._answer(provider, 403, ok=False)
        raw = request.httprequest.get_data()
        try:
            if len(raw) > MAX_PUSH_BYTES:
                raise ValueError("too large")
            items = json.loads(raw.decode("utf-8") or "null")
            if isinstance(items, dict):
                items = [items]
            if not isinstance(items, list) or len(items) > MAX_ITEMS or \
                    not all(isinstance(item, dict) for item in items):
                raise ValueError("not a list of objects")
        except (ValueError, UnicodeDecodeError):
            return self._answer(provider, 400, ok=False)
        env = request.env(su=True)
        if kind == "reply":
            env["hotline.sms.reply"]._receive(company, [self._reply(provider, item) for item in items])
        else:
            env["hotline.sms.message"]._receive_receipts(company, [self._receipt(provider, item) for item in items])
        return self._answer(provider, 200, ok=True)

    def _company(self, provider, token):
        if not token or not isinstance(token, str):
            return None
        companies = request.env(su=True)["res.company"].search([("hotline_sms_provider", "=", provider)])
        for company in companies:
            expected = company.hotline_sms_push_token
            if expected and hmac.compare_digest(expected.encode(), token.encode()):
                return company
        return None

    @staticmethod
    def _reply(provider, item):
        if provider == "aliyun":  # SmsUp: phone_number, content, send_time, sign_name, dest_code, sequence_id
            return {"number": item.get("phone_number"), "content": item.get("content"), "extend": item.get("dest_code")}
        # Tencent: mobile, text, extend
        return {"number": item.get("mobile"), "content": item.get("text"), "extend": item.get("extend")}

    @staticmethod
    def _receipt(provider, item):
        if provider == "aliyun":  # SmsReport: biz_id, out_id, success, err_code
            return {"ref": item.get("biz_id"), "uuid": item.get("out_id"), "delivered": item.get("success") is True,
                    "code": str(item.get("err_code") or "")}
        # Tencent: sid, report_status SUCCESS/FAIL, errmsg
        return {"ref": item.get("sid"), "delivered": item.get("report_status") == "SUCCESS",
                "code": str(item.get("errmsg") or "")}

    @staticmethod
    def _answer(provider, status, ok):
        # each gateway retries until it reads its own "received" answer
        code, text = (0, "成功") if ok else (status, "refused")
        if provider == "tencent":
            body = {"result": code, "errmsg": "OK" if ok else text}
        else:
            body = {"code": code, "msg": text}
        return request.make_json_response(body, status=status)
