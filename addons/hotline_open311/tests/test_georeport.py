import re
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import KEY_POOL, KEY_REVIEW, Open311Common

FORMATS = ("xml", "json")
# ISO 8601 with the zone, as the specification requires of every date-time (w3 note subset)
W3_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}


@tagged("post_install", "-at_install")
class TestGeoReportValidator(Open311Common):
    """The checks of the public GeoReport v2 validator, method by method, in both formats: the XML and the
    JSON of one answer carry the same data."""

    def _both(self, path, **params):
        """The answer in XML and in JSON (statuses 200, same data)."""
        answers = []
        for fmt in FORMATS:
            response = self._get(path, fmt, **params)
            self.assertEqual(response.status_code, 200, f"{path}.{fmt}: {response.text[:300]}")
            answers.append(self._data(response, fmt))
        self.assertEqual(answers[0], answers[1], f"{path}: XML and JSON differ")
        return answers[1]

    def assertDatetime(self, value, name):
        self.assertRegex(value or "", W3_DATETIME, name)

    # ------------------------------------------------------------------ discovery
    def test_discovery(self):
        data = self._both("discovery")
        self.assertTrue(data["contact"])
        self.assertDatetime(data["changeset"], "changeset")
        self.assertEqual(len(data["endpoints"]), 1)
        endpoint = data["endpoints"][0]
        self.assertEqual(endpoint["specification"], "http://wiki.open311.org/GeoReport_v2")
        self.assertTrue(endpoint["url"].endswith("/open311/v2"))
        self.assertIn(endpoint["type"], ("production", "test"))
        self.assertDatetime(endpoint["changeset"], "endpoint changeset")
        self.assertEqual(endpoint["formats"], ["text/xml", "application/json"])
        # the endpoint given answers
        self.assertEqual(self.url_open(endpoint["url"].split("/open311/")[0] + "/open311/v2/services.xml")
                         .status_code, 200)

    # ------------------------------------------------------------------ services
    def test_service_list(self):
        services = self._both("v2/services")
        self.assertIsInstance(services, list)
        codes = [service["service_code"] for service in services]
        self.assertEqual(len(codes), len(set(codes)), "service codes are unique")
        for service in services:
            self.assertTrue({"service_code", "service_name", "description", "metadata", "type", "keywords",
                             "group"} <= set(service), service)
            self.assertTrue(service["service_code"] and service["service_name"])
            self.assertIn(service["metadata"], (True, False))
            self.assertIn(service["type"], ("realtime", "batch", "blackbox"))
        # leaves only: a category with sub-categories is a group, not a service
        self.assertIn("T_ROAD", codes)
        self.assertIn(f"C{self.cat_no_water.id}", codes)
        self.assertNotIn(f"C{self.cat_water.id}", codes)
        water = next(s for s in services if s["service_code"] == f"C{self.cat_no_water.id}")
        self.assertEqual((water["group"], water["description"], water["keywords"]), ("供水", "供水 / 停水", "供水"))
        # a category taken off the catalogue, or archived, is no service
        self.cat_road.open311_published = False
        self.assertNotIn("T_ROAD", [s["service_code"] for s in self._both("v2/services")])
        self.cat_road.open311_published = True
        self.cat_road.active = False
        self.assertNotIn("T_ROAD", [s["service_code"] for s in self._both("v2/services")])

    def test_service_definition(self):
        services = self._both("v2/services")
        for service in [s for s in services if s["metadata"]][:5] + [{"service_code": "T_ROAD"}]:
            definition = self._both(f"v2/services/{service['service_code']}")
            self.assertEqual(definition["service_code"], service["service_code"])
            self.assertTrue(definition["attributes"])
            orders = [attribute["order"] for attribute in definition["attributes"]]
            self.assertEqual(orders, sorted(set(orders)))
            for attribute in definition["attributes"]:
                self.assertIn(attribute["variable"], (True, False))
                self.assertIn(attribute["datatype"], ("string", "number", "datetime", "text", "singlevaluelist",
                                                      "multivaluelist"))
                self.assertIn(attribute["required"], (True, False))
                self.assertTrue(attribute["code"] and attribute["description"])
                if attribute["datatype"].endswith("valuelist"):
                    self.assertTrue(attribute["values"], attribute["code"])
                    for value in attribute["values"]:
                        self.assertEqual(set(value), {"key", "name"})
                        self.assertTrue(value["key"] and value["name"])
        definition = self._both("v2/services/T_ROAD")
        attributes = {attribute["code"]: attribute for attribute in definition["attributes"]}
        self.assertEqual(set(attributes), {"case_type", "district", "confidential"})
        self.assertIn({"key": "T01", "name": "测试区"}, attributes["district"]["values"])
        self.assertIn({"key": "T_COMPLAINT", "name": "投诉"}, attributes["case_type"]["values"])

    def test_service_definition_unknown(self):
        for fmt in FORMATS:
            self.assertErrors(self._get("v2/services/NO_SUCH", fmt), 404, fmt, contains="NO_SUCH")
            # a group (category with sub-categories) is not a service either
            self.assertErrors(self._get(f"v2/services/C{self.cat_water.id}", fmt), 404, fmt)

    # ------------------------------------------------------------------ POST requests
    def test_post_request_both_formats(self):
        for fmt in FORMATS:
            row = self._file(fmt=fmt)
            self.assertTrue(row["service_request_id"].startswith("12319-"))
            self.assertTrue(row["token"])
            self.assertTrue(row["service_notice"])
            self.assertEqual(row["account_id"], "wx-openid-8812")  # the client's own account id, echoed
            # the request is there at once (realtime), and its token gives its id
            request = self._both(f"v2/requests/{row['service_request_id']}")
            self.assertEqual(len(request), 1)
            self.assertEqual(request[0]["service_code"], "T_ROAD")
            self.assertEqual(request[0]["status"], "open")
            tokens = self._both(f"v2/tokens/{row['token']}")
            self.assertEqual(tokens, [{"service_request_id": row["service_request_id"], "token": row["token"]}])

    def test_post_errors(self):
        base = {"api_key": KEY_REVIEW, "service_code": "T_ROAD", "address_string": "和平路1号"}
        cases = [
            ({k: v for k, v in base.items() if k != "api_key"}, 400, "api_key"),
            ({**base, "api_key": "wrong-key"}, 403, "api_key"),
            ({k: v for k, v in base.items() if k != "service_code"}, 400, "service_code"),
            ({**base, "service_code": "NO_SUCH"}, 404, "NO_SUCH"),
            ({"api_key": KEY_REVIEW, "service_code": "T_ROAD"}, 400, "address_string"),
            ({**base, "lat": "north", "long": "116.4"}, 400, "lat"),
            ({**base, "lat": "39.9"}, 400, "lat"),
            ({**base, "lat": "91", "long": "116.4"}, 400, "lat"),
            ({**base, "attribute[district]": "T99"}, 400, "district"),
            ({**base, "attribute[colour]": "red"}, 400, "colour"),
            ({**base, "attribute[bad key]": "x"}, 400, "attribute"),
            ({**base, "email": "not-an-address"}, 400, "email"),
            ({**base, "phone": "12"}, 400, "12"),
        ]
        before = self.env["hotline.case"].search_count([])
        for fmt in FORMATS:
            for params, status, contains in cases:
                with self.subTest(fmt=fmt, params=params):
                    self.assertErrors(self._post(fmt, **params), status, fmt, contains=contains)
        self.assertEqual(self.env["hotline.case"].search_count([]), before, "a refused request files nothing")

    # ------------------------------------------------------------------ GET requests
    def test_get_requests_fields(self):
        filed = [self._file(), self._file(key=KEY_POOL, description="")]
        rows = self._both("v2/requests", service_code="T_ROAD")
        self.assertEqual([row["service_request_id"] for row in rows][:2][::-1],
                         [row["service_request_id"] for row in filed], "newest first")
        for row in rows:
            self.assertEqual(set(row), REQUEST_FIELDS)
            self.assertIn(row["status"], ("open", "closed"))
            self.assertDatetime(row["requested_datetime"], "requested_datetime")
            self.assertDatetime(row["updated_datetime"], "updated_datetime")
            self.assertLessEqual(datetime.fromisoformat(row["requested_datetime"]),
                                 datetime.fromisoformat(row["updated_datetime"]))
            self.assertEqual(row["service_code"], "T_ROAD")
            self.assertEqual(row["service_name"], "道路破损")

    def test_get_requests_filters(self):
        first = self._file()["service_request_id"]
        second = self._file(description="另一处路面塌陷。")["service_request_id"]  # not the first sent again
        closed = self._callback_case(category_id=self.cat_road.id)
        closed.with_user(self.agent).action_callback_done(satisfaction="satisfied", note="市民表示满意。")
        old = self._new_case(category_id=self.cat_road.id, date_received=datetime.now() - timedelta(days=200))
        old.with_user(self.agent).action_transfer()

        def ids(**params):
            return [row["service_request_id"] for row in self._both("v2/requests", **params)]

        self.assertEqual(ids(service_request_id=f"{first},{second}"), [second, first])
        self.assertEqual(ids(service_request_id=first, service_code="NO_MATTER"), [first],
                         "with ids the other filters are ignored")
        road = ids(service_code="T_ROAD")
        self.assertEqual(set(road), {first, second, closed.name}, "the default window is 90 days")
        self.assertEqual(ids(service_code="T_ROAD", status="closed"), [closed.name])
        self.assertEqual(set(ids(service_code="T_ROAD", status="open")), {first, second})
        self.assertEqual(set(ids(service_code="T_ROAD", status="open,closed")), set(road))
        start = (datetime.now() - timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        end = (datetime.now() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual(ids(service_code="T_ROAD", start_date=start, end_date=end), [old.name])
        self.assertIn(old.name, ids(service_code="T_ROAD", start_date=start))
        # a case an agent is still recording is not published; once out of 受理 it is
        recording = self._new_case(category_id=self.cat_road.id)
        self.assertNotIn(recording.name, ids(service_code="T_ROAD"))
        for fmt in FORMATS:
            self.assertErrors(self._get(f"v2/requests/{recording.name}", fmt), 404, fmt)
        recording.with_user(self.agent).action_transfer()
        self.assertIn(recording.name, ids(service_code="T_ROAD"))

    def test_get_requests_paging(self):
        filed = [self._file(description=f"路面塌陷第{i}处。")["service_request_id"] for i in range(5)][::-1]
        pages = [[row["service_request_id"] for row in self._both("v2/requests", service_code="T_ROAD",
                                                                    page=page, page_size=2)]
                 for page in (1, 2, 3, 4)]
        self.assertEqual(pages, [filed[0:2], filed[2:4], filed[4:5], []])
        # the default page and the specification's maximum
        self.assertEqual(len(self._both("v2/requests", service_code="T_ROAD")), 5)
        self.assertEqual(len(self._both("v2/requests", service_code="T_ROAD", page_size=1000)), 5)

    def test_get_requests_errors(self):
        bad = [
            {"page_size": "1001"}, {"page_size": "0"}, {"page": "-1"}, {"page": "x"},
            {"start_date": "2026-12-01"}, {"start_date": "yesterday"},
            {"start_date": "2026-12-07T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"},
            {"status": "pending"}, {"service_code": "NO_SUCH"},
            {"service_request_id": ",".join(str(i) for i in range(101))},
        ]
        for fmt in FORMATS:
            for params in bad:
                with self.subTest(fmt=fmt, params=params):
                    status = 404 if params.get("service_code") == "NO_SUCH" else 400
                    self.assertErrors(self._get("v2/requests", fmt, **params), status, fmt)
            self.assertErrors(self._get("v2/requests/12319-19990101-0001", fmt), 404, fmt)
            self.assertErrors(self._get("v2/tokens/0123456789abcdef", fmt), 404, fmt)

    def test_unknown_format(self):
        for path in ("discovery.html", "v2/services.csv", "v2/services/T_ROAD.yaml", "v2/requests.txt",
                     "v2/services/T_ROAD", "v2/tokens/abc"):
            response = self.url_open(f"/open311/{path}")
            # the specification's error document, in its required format
            self.assertErrors(response, 404, "xml")

    def test_jurisdiction_id(self):
        """Optional on every method; this endpoint serves one jurisdiction: its own is taken (any letter case),
        another answers 404 as an unknown resource, and the POST files nothing under it."""
        self.env["ir.config_parameter"].sudo().set_param("hotline_open311.jurisdiction_id", "zz.12319.example")
        number = self._file()["service_request_id"]
        for path in ("discovery", "v2/services", "v2/services/T_ROAD", "v2/requests", f"v2/requests/{number}"):
            for fmt in FORMATS:
                with self.subTest(path=path, fmt=fmt):
                    self.assertEqual(self._get(path, fmt, jurisdiction_id="ZZ.12319.example").status_code, 200)
                    self.assertErrors(self._get(path, fmt, jurisdiction_id="other.city"), 404, fmt, "other.city")
        self.assertTrue(self._file(jurisdiction_id="zz.12319.example", description="另一件事")["service_request_id"])
        cases = self.env["hotline.case"].search_count([("channel", "=", "open311")])
        self.assertErrors(self._post(api_key=KEY_REVIEW, service_code="T_ROAD", lat="39.9", long="116.4",
                                     jurisdiction_id="other.city"), 404, contains="other.city")
        self.assertEqual(self.env["hotline.case"].search_count([("channel", "=", "open311")]), cases)
        # unset: the site's host name
        self.env["ir.config_parameter"].sudo().set_param("hotline_open311.jurisdiction_id", "")
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://open311.hotline.example:8443")
        self.assertEqual(self._get("v2/services", jurisdiction_id="open311.hotline.example").status_code, 200)
        self.assertErrors(self._get("v2/services", jurisdiction_id="zz.12319.example"), 404)
