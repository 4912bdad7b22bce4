from freezegun import freeze_time

from odoo.tests import tagged

from ..models.hotline_open311_client import key_hash
from .common import KEY_POOL, KEY_REVIEW, REQUESTER, Open311Common
from .test_georeport import FORMATS


@tagged("post_install", "-at_install")
class TestOpen311Privacy(Open311Common):
    """Nothing of the requester leaves through the API, whoever asks (the client that filed the request
    included); a confidential case publishes neither its description, address, location nor result."""

    def _all_answers(self, number, token, key=None):
        """Every answer of the API naming the request, raw, in both formats (with a client's key if given)."""
        extra = {"api_key": key} if key else {}
        bodies = []
        for fmt in FORMATS:
            for path, params in ((f"v2/requests/{number}", {}), ("v2/requests", {"service_code": "T_ROAD"}),
                                 ("v2/requests", {"service_request_id": number}), (f"v2/tokens/{token}", {})):
                response = self._get(path, fmt, **params, **extra)
                self.assertEqual(response.status_code, 200, response.text)
                bodies.append(response.content.decode())
        return bodies

    def test_requester_never_published(self):
        row = self._file(description="路面塌陷，我是欧阳小明，电话13912345678，邮箱oyxm@example.com。")
        number = row["service_request_id"]
        for key in (None, KEY_REVIEW, KEY_POOL):  # anonymous, the client that filed it, another client
            for body in self._all_answers(number, row["token"], key):
                self.assertIn(number, body)
                for value in REQUESTER.values():
                    self.assertNotIn(value, body, f"requester data published (key {key})")
                self.assertNotIn("欧阳", body)
        published = self._data(self._get(f"v2/requests/{number}"))[0]
        self.assertEqual(published["description"], "路面塌陷，我是***，电话***，邮箱***。")

    def test_phone_case_caller_never_published(self):
        case = self._dispatched_case(category_id=self.cat_road.id, caller_name="诸葛明亮", caller_phone="13700001111",
                                     description="诸葛明亮来电：路灯不亮，回电13700001111。")
        body = self._get("v2/requests", "xml", service_code="T_ROAD").content.decode()
        self.assertIn(case.name, body)
        self.assertNotIn("诸葛明亮", body)
        self.assertNotIn("13700001111", body)

    def test_confidential_withheld(self):
        row = self._file(**{"attribute[confidential]": "true"})
        case = self._case(row["service_request_id"])
        case.with_user(self.agent).write({"type_id": self.type_complaint.id, "unit_id": self.unit_a.id})
        case.with_user(self.agent).action_self_dispatch()
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="已修复。")
        case.with_user(self.reviewer).action_review_approve()
        for fmt in FORMATS:
            published = self._data(self._get(f"v2/requests/{case.name}", fmt), fmt)[0]
            withheld = published["description"]
            self.assertTrue(withheld)
            self.assertEqual((published["address"], published["status_notes"]), (withheld, withheld))
            self.assertEqual((published["lat"], published["long"]), (None, None))
            self.assertNotIn("塌陷", str(published))
            self.assertNotIn("和平路", str(published))
            # what is not personal stays: the service, the unit in charge, the status
            self.assertEqual((published["service_code"], published["agency_responsible"], published["status"]),
                             ("T_ROAD", "自来水公司", "open"))


@tagged("post_install", "-at_install")
class TestOpen311Limits(Open311Common):
    """Rate limits per key and per address, and bad input answered 400, never 500."""

    def test_rate_limit_per_key(self):
        self.client_review.rate_limit = 3
        with freeze_time("2026-12-07 02:00:10"):
            for _i in range(3):
                self.assertEqual(self._get("v2/services", api_key=KEY_REVIEW).status_code, 200)
            for fmt in FORMATS:
                response = self._get("v2/services", fmt, api_key=KEY_REVIEW)
                self.assertErrors(response, 429, fmt)
                self.assertEqual(response.headers["Retry-After"], "50")
            # POSTs count against the same key; other clients and visitors are not affected
            self.assertErrors(self._post(api_key=KEY_REVIEW, service_code="T_ROAD", address_string="x"), 429)
            self.assertEqual(self._get("v2/services", api_key=KEY_POOL).status_code, 200)
            self.assertEqual(self._get("v2/services").status_code, 200)
        with freeze_time("2026-12-07 02:01:00"):  # the next minute
            self.assertEqual(self._get("v2/services", api_key=KEY_REVIEW).status_code, 200)

    def test_rate_limit_per_address_and_wrong_keys(self):
        """Without a key the visitor's address counts; wrong keys count there too (no key guessing)."""
        self.env["ir.config_parameter"].sudo().set_param("hotline_open311.anonymous_rate_limit", 4)
        with freeze_time("2026-12-07 02:00:00"):
            self.assertEqual(self._get("v2/services").status_code, 200)
            self.assertEqual(self._get("v2/requests").status_code, 200)
            self.assertErrors(self._get("v2/services", api_key="guess-1"), 403)
            self.assertErrors(self._post(api_key="guess-2", service_code="T_ROAD", address_string="x"), 403)
            self.assertErrors(self._get("v2/services", api_key="guess-3"), 429)
            self.assertErrors(self._get("v2/services"), 429)
            # a client with its key is counted on its own
            self.assertTrue(self._file()["service_request_id"])

    def test_archived_client_key_refused(self):
        self.client_review.active = False
        self.assertErrors(self._post(api_key=KEY_REVIEW, service_code="T_ROAD", address_string="x"), 403)

    def test_generated_key(self):
        """A key made on the client's form works at once, the old one stops; only its hash is kept."""
        action = self.client_review.with_user(self.manager).action_generate_key()
        new_key = action["params"]["message"].rsplit(" ", 1)[-1]
        self.assertEqual(self.client_review.sudo().key_hash, key_hash(new_key))
        self.assertEqual(self.client_review.key_prefix, new_key[:6])
        self.assertNotIn(new_key, str(self.client_review.sudo().read()))
        self.assertEqual(self._post(api_key=new_key, service_code="T_ROAD", address_string="和平路").status_code, 200)
        self.assertErrors(self._post(api_key=KEY_REVIEW, service_code="T_ROAD", address_string="和平路"), 403)

    def test_nul_and_long_parameters(self):
        before = self.env["hotline.case"].search_count([])
        long_text = "长" * 5000
        for fmt in FORMATS:
            for path, params in (
                ("v2/requests", {"service_code": "T_ROAD\x00"}),
                ("v2/requests", {"service_request_id": "12319\x00"}),
                ("v2/requests", {"status": "open\x00closed"}),
                ("v2/requests", {"service_request_id": "1" * 300}),
                ("v2/requests", {"start_date": "2" * 10000}),
                ("v2/services", {"jurisdiction_id": "x" * 1000}),
                ("v2/services", {f"p{i}": "x" for i in range(60)}),
                ("v2/requests/12319%00", {}),
                (f"v2/requests/{'9' * 500}", {}),
                ("v2/tokens/%00", {}),
                ("v2/services/T_ROAD%00", {}),
                (f"v2/services/{'A' * 300}", {}),
            ):
                with self.subTest(fmt=fmt, path=path, params=str(params)[:40]):
                    self.assertErrors(self._get(path, fmt, **params), 400, fmt)
            for params in ({"description": "路面\x00塌陷"}, {"description": long_text}, {"first_name": "小\x00明"},
                           {"address_string": "x" * 600}, {"phone": "139\x0012345678"},
                           {"api_key": KEY_REVIEW + "\x00"}):
                values = {"api_key": KEY_REVIEW, "service_code": "T_ROAD", "address_string": "和平路", **params}
                with self.subTest(fmt=fmt, params=str(params)[:40]):
                    self.assertErrors(self._post(fmt, **values), 400, fmt)
        self.assertEqual(self.env["hotline.case"].search_count([]), before)
        # the longest accepted description goes through
        self.assertEqual(len(self._case(self._file(description="长" * 4000)["service_request_id"]).description), 4000)


@tagged("post_install", "-at_install")
class TestOpen311Access(Open311Common):
    """The client applications and the requester fields, attacked as each role over every RPC channel."""

    def test_units_and_portal_see_no_client(self):
        for user in (self.unit_user_a, self.unit_user_b, self.portal_a):
            self.assertRpcDenied(user, "hotline.open311.client", "search_read", domain=[], fields=["name"])
            self.assertRpcDenied(user, "hotline.open311.client", "create", vals_list=[{"name": "伪造客户端"}])
            self.assertRpcDenied(user, "hotline.open311.client", "action_generate_key", self.client_review.ids)
            self.assertRpcDenied(user, "hotline.open311.usage", "search_read", domain=[], fields=["bucket"])

    def test_received_requests_are_administrators_only(self):
        """The POSTs kept for the retries (their key and fingerprint): no role but the administrators'."""
        self._file()
        for user in (self.unit_user_a, self.portal_a, self.agent, self.dispatcher, self.manager):
            self.assertRpcDenied(user, "hotline.open311.submission", "search_read", domain=[],
                                 fields=["key", "case_id"])
            self.assertRpcDenied(user, "hotline.open311.submission", "create",
                                 vals_list=[{"client_id": self.client_review.id, "key": "key:x", "fingerprint": "f",
                                             "date": "2026-12-07 00:00:00"}])

    def test_center_staff_read_managers_keep(self):
        for user in (self.agent, self.dispatcher, self.reviewer):
            for channel in self.CHANNELS:
                rows = self._rpc(channel, user, "hotline.open311.client", "search_read",
                                 domain=[("id", "=", self.client_review.id)], fields=["name", "intake"])
                self.assertEqual(rows, [{"id": self.client_review.id, "name": "随手拍小程序", "intake": "review"}])
            self.assertRpcDenied(user, "hotline.open311.client", "write", self.client_review.ids,
                                 vals={"rate_limit": 100000})
            self.assertRpcDenied(user, "hotline.open311.client", "action_generate_key", self.client_review.ids)
            self.assertRpcDenied(user, "hotline.open311.usage", "search_read", domain=[], fields=["bucket"])
        # the key's hash is the administrators' only, managers included
        for user in (self.agent, self.manager):
            self.assertRpcDenied(user, "hotline.open311.client", "read", self.client_review.ids,
                                 fields=["key_hash"])
        # positive control: the manager creates a client and makes its key
        for channel in self.CHANNELS:
            vals = [{"name": f"区数字城管 {channel}", "rate_limit": 30}]
            # the web client's call_kw and XML-RPC take the values positionally, /json/2 by name
            created = self._rpc(channel, self.manager, "hotline.open311.client", "create",
                                **({"vals_list": vals} if channel == "json2" else {"ids": vals}))
            created = created if isinstance(created, list) else [created]
            action = self._rpc(channel, self.manager, "hotline.open311.client", "action_generate_key", created)
            self.assertEqual(action["tag"], "display_notification")

    def test_requester_fields_center_only(self):
        case = self._case(self._file()["service_request_id"])
        case.with_user(self.agent).write({"type_id": self.type_complaint.id, "unit_id": self.unit_a.id})
        case.with_user(self.agent).action_self_dispatch()
        fields = ["open311_email", "open311_account_id", "open311_device_id", "open311_client_id", "open311_token"]
        for user in (self.unit_user_a, self.portal_a):
            for field in fields:
                self.assertRpcDenied(user, "hotline.case", "read", case.ids, fields=[field])
        # positive control: the unit holding the case reads it, its location included
        for channel in self.CHANNELS:
            rows = self._rpc(channel, self.unit_user_a, "hotline.case", "read", case.ids, fields=["name", "latitude"])
            self.assertEqual(rows[0]["name"], case.name)
            self.assertTrue(rows[0]["latitude"])
        for channel in self.CHANNELS:
            rows = self._rpc(channel, self.agent, "hotline.case", "read", case.ids, fields=fields)
            self.assertEqual(rows[0]["open311_email"], REQUESTER["email"])
