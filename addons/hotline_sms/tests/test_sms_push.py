import json

from odoo.tests import HttpCase, tagged

from .common import HotlineSmsCommon

TOKEN = "push-token-0123456789abcdef"


@tagged("post_install", "-at_install")
class TestSmsPush(HotlineSmsCommon, HttpCase):

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
