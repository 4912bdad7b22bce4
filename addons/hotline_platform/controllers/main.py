import json
import time

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..models.hotline_platform_counterpart import CODE
from ..tools.transports import canonical, sign, verify

MAX_BODY_BYTES = 64 * 1024 * 1024


class HotlinePlatformWebhook(http.Controller):
    """The platform pushes its events here (REST transport). The HTTP layer only checks the signature and the
    body; the inbox (hotline.platform.event._receive) decides what is new and applies it."""

    @http.route("/hotline/platform/<string:code>/events", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False, readonly=False)
    def events(self, code, **_kwargs):
        # kept (cache): a call that meets a concurrent one is replayed by Odoo and reads its body again
        body = request.httprequest.get_data()
        env = request.env(user=SUPERUSER_ID)
        # a code no platform can have (a NUL, a path) is an unknown platform, not a query
        counterpart = CODE.fullmatch(code) and env["hotline.platform.counterpart"].search(
            [("code", "=", code), ("transport", "=", "rest")], limit=1)
        headers = request.httprequest.headers
        timestamp, signature = headers.get("X-Hotline-Timestamp"), headers.get("X-Hotline-Signature")
        # an unknown platform and a bad signature read the same to the caller
        if not counterpart or len(body) > MAX_BODY_BYTES or not verify(counterpart.secret, timestamp, signature,
                                                                        body):
            return self._answer(None, {"error": "signature"}, 401)
        if not env["hotline.platform.signature"]._first_use(signature):
            return self._answer(None, {"error": "replayed"}, 409)
        try:
            data = json.loads(body)
            events = data["events"]
            if not isinstance(events, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return self._answer(counterpart, {"error": "body"}, 400)
        result = env["hotline.platform.event"]._receive(counterpart, events)
        counterpart._contact_ok()
        return self._answer(counterpart, {"acks": result["acks"] + result["duplicates"],
                                          "refused": result["refused"]}, 200)

    @staticmethod
    def _answer(counterpart, data, status):
        body = canonical(data)
        headers = [("Content-Type", "application/json")]
        if counterpart:
            timestamp = int(time.time())
            headers += [("X-Hotline-Timestamp", str(timestamp)),
                        ("X-Hotline-Signature", sign(counterpart.secret, timestamp, body))]
        return request.make_response(body, headers=headers, status=status)
