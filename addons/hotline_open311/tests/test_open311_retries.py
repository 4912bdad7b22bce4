import uuid
from datetime import timedelta

import requests

from odoo import SUPERUSER_ID, api, fields
from odoo.addons.hotline_case.tests.common import at_once, sample_file
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config

from ..models.hotline_open311_client import key_hash
from .common import KEY_POOL, KEY_REVIEW, Open311Common

HEADER = "Idempotency-Key"


@tagged("post_install", "-at_install")
class TestOpen311Retries(Open311Common):
    """A client that sends a POST again (its answer lost, a timeout) gets the first answer, not a second case:
    by its Idempotency-Key, or without one when the same request comes again within the window."""

    def _values(self, key=KEY_REVIEW, **params):
        return {"api_key": key, "service_code": "T_ROAD", "lat": "39.915", "long": "116.404",
                "address_string": "和平路2号", "description": "井盖缺失。", "first_name": "明", "last_name": "王",
                **params}

    def _send(self, values, idempotency_key=None, fmt="json"):
        headers = {HEADER: idempotency_key} if idempotency_key is not None else {}
        return self.url_open(f"/open311/v2/requests.{fmt}", data=values, headers=headers)

    def _cases(self, client):
        return self.env["hotline.case"].search([("open311_client_id", "=", client.id)])

    def test_same_request_again_answers_the_first(self):
        first = self._data(self._send(self._values()))[0]
        again = self._send(self._values())
        self.assertEqual(again.status_code, 200)
        self.assertEqual(self._data(again)[0], first)
        self.assertEqual(len(self._cases(self.client_review)), 1)
        # in the other format too: the same request
        self.assertEqual(self._data(self._send(self._values(), fmt="xml"), "xml")[0]["service_request_id"],
                         first["service_request_id"])
        # another requester's request, another key's, another text: new cases
        self._send(self._values(description="井盖缺失，已有人摔倒。"))
        self._send(self._values(key=KEY_POOL))
        self.assertEqual(len(self._cases(self.client_review)), 2)
        self.assertEqual(len(self._cases(self.client_pool)), 1)

    def test_same_request_after_the_window_is_a_new_case(self):
        first = self._data(self._send(self._values()))[0]
        self.env["hotline.open311.submission"].search([]).date = fields.Datetime.now() - timedelta(minutes=11)
        second = self._data(self._send(self._values()))[0]
        self.assertNotEqual(second["service_request_id"], first["service_request_id"])
        self.assertEqual(len(self._cases(self.client_review)), 2)

    def test_idempotency_key(self):
        first = self._data(self._send(self._values(), "retry-1"))[0]
        self.assertEqual(self._data(self._send(self._values(), "retry-1"))[0], first)
        # the key, not the text, tells requests apart: the same text under two keys is two reports
        other = self._data(self._send(self._values(), "retry-2"))[0]
        self.assertNotEqual(other["service_request_id"], first["service_request_id"])
        # a key used again for another request is refused (the IETF draft's 422), filing nothing
        self.assertErrors(self._send(self._values(description="别的事"), "retry-1"), 422)
        self.assertEqual(len(self._cases(self.client_review)), 2)
        # keys are the client's own: another client's request under the same key is its own case
        pool = self._data(self._send(self._values(key=KEY_POOL), "retry-1"))[0]
        self.assertNotEqual(pool["service_request_id"], first["service_request_id"])
        # a day later the key is free again
        self.env["hotline.open311.submission"].search([]).date = fields.Datetime.now() - timedelta(hours=25)
        self.assertNotEqual(self._data(self._send(self._values(), "retry-1"))[0]["service_request_id"],
                            first["service_request_id"])
        for bad in ("", "clé", "a" * 256, "a b"):
            self.assertErrors(self._send(self._values(), bad), 400)
        self.assertEqual(len(self._cases(self.client_review)), 3)

    def test_refused_request_can_be_sent_again(self):
        """A request refused (400) holds no key: corrected, the same key files it."""
        self.assertErrors(self._send(self._values(service_code="NOPE"), "fix-1"), 404)
        self.assertErrors(self._send(self._values(lat="x"), "fix-1"), 400)
        row = self._data(self._send(self._values(), "fix-1"))[0]
        self.assertTrue(self._case(row["service_request_id"]))

    def test_the_answer_follows_the_case(self):
        """Sent again after an agent transferred the case: the same request, the notice of its step now."""
        first = self._data(self._send(self._values(), "k"))[0]
        case = self._case(first["service_request_id"])
        case.write({"type_id": self.type_complaint.id})
        case.action_transfer()
        again = self._data(self._send(self._values(), "k"))[0]
        self.assertEqual((again["service_request_id"], again["token"]), (first["service_request_id"], first["token"]))
        self.assertNotEqual(again["service_notice"], first["service_notice"])


@tagged("post_install", "-at_install")
class TestOpen311RetriesAtOnce(BaseCase):
    """The same POST twice at the same moment against the running server (real transactions: the second one
    waits for the first, fails to serialize and is replayed by Odoo): one case, both answers name it.

    Unlike the other tests, this one commits; it makes its own client and category and deletes all it made."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = uuid.uuid4().hex[:8]
        cls.api_key = f"at-once-{cls.tag}"
        cls.addClassCleanup(cls._cleanup)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.category_id = env["hotline.category"].create({"name": f"井盖 {cls.tag}", "code": f"A{cls.tag}"}).id
            cls.client_id = env["hotline.open311.client"].create({
                "name": f"并发客户端 {cls.tag}", "rate_limit": 1000, "key_hash": key_hash(cls.api_key)}).id

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            cr.execute("SELECT id, partner_id FROM hotline_case WHERE open311_client_id = %s", [cls.client_id])
            rows = cr.fetchall()
            cases, partners = [r[0] for r in rows] or [0], [r[1] for r in rows if r[1]] or [0]
            api.Environment(cr, SUPERUSER_ID, {})["ir.attachment"].search(
                [("res_model", "=", "hotline.case"), ("res_id", "in", cases)]).unlink()
            cr.execute("""
                DELETE FROM mail_followers WHERE res_model = 'hotline.case' AND res_id = ANY(%(cases)s);
                DELETE FROM mail_message WHERE model = 'hotline.case' AND res_id = ANY(%(cases)s);
                DELETE FROM hotline_case WHERE id = ANY(%(cases)s);
                DELETE FROM res_partner WHERE id = ANY(%(partners)s)
                   AND NOT EXISTS (SELECT 1 FROM hotline_case c WHERE c.partner_id = res_partner.id);
            """, {"cases": cases, "partners": partners})
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["hotline.open311.client"].browse(cls.client_id).unlink()
            env["hotline.category"].browse(cls.category_id).unlink()

    def _post(self, description, idempotency_key=None, media=None):
        url = f"http://127.0.0.1:{config['http_port']}/open311/v2/requests.json"
        data = {"api_key": self.api_key, "service_code": f"A{self.tag}", "lat": "39.915", "long": "116.404",
                "description": description, "last_name": "赵", "phone": "13800000000"}
        headers = {HEADER: idempotency_key} if idempotency_key else {}
        files = {"media": ("photo.jpg", media, "image/jpeg")} if media else None
        return lambda: requests.post(url, data=data, headers=headers, files=files, timeout=120)

    def _case_count(self, description):
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM hotline_case WHERE open311_client_id = %s AND description = %s",
                       [self.client_id, description])
            return cr.fetchone()[0]

    def _check(self, answers, description):
        self.assertEqual([a.status_code if isinstance(a, requests.Response) else repr(a) for a in answers],
                         [200] * len(answers), [getattr(a, "text", "")[:300] for a in answers])
        ids = {answer.json()[0]["service_request_id"] for answer in answers}
        self.assertEqual(len(ids), 1, "every answer names the same request")
        self.assertEqual(self._case_count(description), 1, "one case")

    def test_sequential_retry(self):
        answers = at_once(self._post("路灯不亮（先后）")) + at_once(self._post("路灯不亮（先后）"))
        self._check(answers, "路灯不亮（先后）")

    def test_two_at_once_without_a_key(self):
        self._check(at_once(self._post("路灯不亮（同时）"), self._post("路灯不亮（同时）")), "路灯不亮（同时）")

    def test_two_at_once_with_a_key(self):
        self._check(at_once(self._post("路灯不亮（键）", "same-key"), self._post("路灯不亮（键）", "same-key")),
                    "路灯不亮（键）")

    def test_two_at_once_with_a_photo(self):
        """The replayed copy reads its photo again (Odoo rewinds the uploaded files): one case, one photo."""
        photo = sample_file("jpg")
        self._check(at_once(self._post("路灯不亮（照片）", media=photo), self._post("路灯不亮（照片）", media=photo)),
                    "路灯不亮（照片）")
        with self.registry.cursor() as cr:
            cr.execute("""SELECT a.mimetype FROM ir_attachment a JOIN hotline_case c ON c.id = a.res_id
                          WHERE a.res_model = 'hotline.case' AND c.open311_client_id = %s
                            AND c.description = %s""", [self.client_id, "路灯不亮（照片）"])
            self.assertEqual(cr.fetchall(), [("image/jpeg",)])
