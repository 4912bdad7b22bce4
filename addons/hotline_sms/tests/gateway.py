"""Local stand-ins of Aliyun's and Tencent's SMS APIs that check each request's signature as the real
services document it (Aliyun ACS3-HMAC-SHA256, Tencent TC3-HMAC-SHA256), written from the specifications and
not from the SDKs, so that the real SDK, pointed here, proves it signs the way the service checks.

Behaviours: `delay` (slow gateway), `fail_next` (n requests answered with a server error), `throttle_next`
(n requests refused by rate limiting), `drop_next` (n requests accepted then the connection is closed
without an answer, as a timeout after the gateway took the message).
"""

import hashlib
import hmac
import json
import threading
import time
import uuid
from urllib.parse import parse_qsl, quote, urlsplit

from odoo.addons.hotline_case.tests.standin_server import StandInHandler, StandInServer, hmac_sha256

ACCESS_KEY = "LTAI5tHotlineTestKey"
ACCESS_SECRET = "hotline-test-secret-不外传"
TENCENT_APP_ID = "1400123456"


def _sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


class _Handler(StandInHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        gateway = self.server.standin
        body = self._read_body()
        with gateway.lock:
            gateway.requests += 1
        if gateway.delay:
            time.sleep(gateway.delay)
        status, answer = gateway.handle(self, body)
        if answer is None:  # accepted, then the connection drops before the answer
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self._send(status, json.dumps(answer, ensure_ascii=False).encode(), {"Content-Type": gateway.content_type})


class StandInGateway(StandInServer):
    """Base: a threaded HTTP server on 127.0.0.1 recording every message it accepted."""

    content_type = "application/json;charset=utf-8"

    def __init__(self):
        super().__init__(_Handler)
        self.lock = threading.Lock()
        self.sent = []  # (project id, phone, template, params)
        self.extend_codes = {}  # project id: extend code
        self.requests = 0
        self.bad_signatures = 0
        self.delay = 0
        self.fail_next = 0
        self.throttle_next = 0
        self.drop_next = 0

    @property
    def endpoint(self):
        return self.base_url

    def _take(self, name):
        with self.lock:
            if getattr(self, name) > 0:
                setattr(self, name, getattr(self, name) - 1)
                return True
        return False

    def handle(self, request, body):
        if not self.check_signature(request, body):
            with self.lock:
                self.bad_signatures += 1
            return self.signature_error()
        if self._take("fail_next"):
            return self.server_error()
        if self._take("throttle_next"):
            return self.throttled()
        message = self.parse(request, body)
        ref = uuid.uuid4().hex[:20]
        with self.lock:
            self.sent.append(message)
        if self._take("drop_next"):
            return 200, None
        return self.accepted(message, ref)

    def ids_sent(self):
        return [message[0] for message in self.sent]


class AliyunGateway(StandInGateway):
    """dysmsapi SendSms (RPC style, 2017-05-25) with the V3 signature (ACS3-HMAC-SHA256)."""

    def check_signature(self, request, body):
        auth = request.headers.get("Authorization") or ""
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            return False
        parts = dict(item.split("=", 1) for item in auth[len("ACS3-HMAC-SHA256 "):].split(","))
        if parts.get("Credential") != ACCESS_KEY:
            return False
        if request.headers.get("x-acs-content-sha256") != _sha256_hex(body):
            return False
        signed = parts.get("SignedHeaders", "").split(";")
        if not {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce"} <= set(signed):
            return False
        url = urlsplit(request.path)
        query = sorted(parse_qsl(url.query, keep_blank_values=True))
        canonical_query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in query)
        canonical_headers = "".join(f"{name}:{(request.headers.get(name) or '').strip()}\n" for name in signed)
        canonical = "\n".join(["POST", url.path or "/", canonical_query, canonical_headers,
                               ";".join(signed), _sha256_hex(body)])
        to_sign = "ACS3-HMAC-SHA256\n" + _sha256_hex(canonical.encode())
        expected = hmac_sha256(ACCESS_SECRET, to_sign)
        return hmac.compare_digest(expected, parts.get("Signature", ""))

    def parse(self, request, body):
        query = dict(parse_qsl(urlsplit(request.path).query))
        if query.get("SmsUpExtendCode"):
            self.extend_codes[query.get("OutId")] = query["SmsUpExtendCode"]
        return (query.get("OutId"), query.get("PhoneNumbers"), query.get("TemplateCode"),
                json.loads(query.get("TemplateParam") or "{}"))

    def accepted(self, message, ref):
        return 200, {"Code": "OK", "Message": "OK", "BizId": ref, "RequestId": uuid.uuid4().hex}

    def signature_error(self):
        return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched.",
                     "RequestId": uuid.uuid4().hex}

    def server_error(self):
        return 500, {"Code": "ServiceUnavailable", "Message": "The request has failed due to a temporary failure.",
                     "RequestId": uuid.uuid4().hex}

    def throttled(self):
        return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发号码天级流控Permits:10",
                     "RequestId": uuid.uuid4().hex}


class TencentGateway(StandInGateway):
    """sms SendSms and PullSmsReplyStatus (2021-01-11) with the TC3-HMAC-SHA256 signature."""

    content_type = "application/json"

    def __init__(self):
        super().__init__()
        self.replies = []  # waiting to be pulled: (phone, content, extend code)
        self.pulls = 0

    def handle(self, request, body):
        if request.headers.get("X-TC-Action") != "PullSmsReplyStatus":
            return super().handle(request, body)
        if not self.check_signature(request, body):
            with self.lock:
                self.bad_signatures += 1
            return self.signature_error()
        data = json.loads(body)
        if data.get("SmsSdkAppId") != TENCENT_APP_ID:
            return self._error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist.")
        with self.lock:
            self.pulls += 1
            # each reply is handed out once, at most Limit a call, as Tencent does
            taken, self.replies = self.replies[:int(data.get("Limit") or 0)], self.replies[int(data.get("Limit") or 0):]
        now = int(time.time())
        return 200, {"Response": {"PullSmsReplyStatusSet": [{
            "ExtendCode": extend or "", "CountryCode": "86", "SubscriberNumber": phone,
            "PhoneNumber": f"+86{phone}", "ReplyTime": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)),
            "ReplyUnixTime": now, "Sign": "12319热线", "ReplyContent": content,
        } for phone, content, extend in taken], "RequestId": uuid.uuid4().hex}}

    def check_signature(self, request, body):
        auth = request.headers.get("Authorization") or ""
        if not auth.startswith("TC3-HMAC-SHA256 "):
            return False
        parts = dict(item.strip().split("=", 1) for item in auth[len("TC3-HMAC-SHA256 "):].split(","))
        secret_id, date, service, terminator = (parts.get("Credential", "").split("/") + [""] * 4)[:4]
        timestamp = request.headers.get("X-TC-Timestamp") or "0"
        if secret_id != ACCESS_KEY or terminator != "tc3_request" or service != "sms":
            return False
        if abs(time.time() - int(timestamp)) > 300 or time.strftime("%Y-%m-%d", time.gmtime(int(timestamp))) != date:
            return False
        signed = parts.get("SignedHeaders", "").split(";")
        canonical_headers = "".join(f"{name}:{(request.headers.get(name) or '').strip().lower()}\n"
                                    for name in signed)
        canonical = "\n".join(["POST", urlsplit(request.path).path or "/", "", canonical_headers,
                               ";".join(signed), _sha256_hex(body)])
        to_sign = "\n".join(["TC3-HMAC-SHA256", timestamp, f"{date}/{service}/tc3_request",
                             _sha256_hex(canonical.encode())])

        key = "TC3" + ACCESS_SECRET
        for part in (date, service, "tc3_request"):
            key = hmac_sha256(key, part, hexdigest=False)
        expected = hmac_sha256(key, to_sign)
        return hmac.compare_digest(expected, parts.get("Signature", ""))

    def parse(self, request, body):
        data = json.loads(body)
        if data.get("SmsSdkAppId") != TENCENT_APP_ID:
            raise ValueError("app")
        if data.get("ExtendCode"):
            self.extend_codes[data.get("SessionContext")] = data["ExtendCode"]
        return (data.get("SessionContext"), (data.get("PhoneNumberSet") or [""])[0], data.get("TemplateId"),
                data.get("TemplateParamSet"))

    def _error(self, code, message):
        return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": uuid.uuid4().hex}}

    def accepted(self, message, ref):
        return 200, {"Response": {"SendStatusSet": [{
            "SerialNo": ref, "PhoneNumber": message[1], "Fee": 1, "SessionContext": message[0], "Code": "Ok",
            "Message": "send success", "IsoCode": "CN",
        }], "RequestId": uuid.uuid4().hex}}

    def signature_error(self):
        return self._error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")

    def server_error(self):
        return self._error("InternalError.Timeout", "Request timed out.")

    def throttled(self):
        return self._error("RequestLimitExceeded", "Your current request times exceed the limit.")
