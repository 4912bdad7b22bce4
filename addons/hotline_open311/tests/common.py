import json
from urllib.parse import urlencode

from lxml import etree

from odoo.addons.hotline_case.tests.common import HotlineAttackCommon

from ..models.hotline_open311_client import key_hash
from ..tools.georeport import ITEMS

KEY_REVIEW = "review-key-0123456789abcdef"
KEY_POOL = "pool-key-0123456789abcdef"
# the requester of every request filed by the tests: none of it may ever come out of the API
REQUESTER = {"first_name": "小明", "last_name": "欧阳", "phone": "13912345678", "email": "oyxm@example.com",
             "account_id": "wx-openid-8812", "device_id": "device-77aa"}
BOOLEANS = {"metadata", "variable", "required"}
INTEGERS = {"code", "order"}
FLOATS = {"lat", "long"}


def xml_data(element):
    """An XML document of the API as the data its JSON twin holds (lists by ITEMS, typed scalars)."""
    children = list(element)
    if element.tag in ITEMS:
        return [xml_data(child) for child in children]
    if children:
        return {child.tag: xml_data(child) for child in children}
    text = element.text
    if text is None:
        return None
    if element.tag in BOOLEANS:
        return {"true": True, "false": False}[text]
    if element.tag in INTEGERS and text.isdigit():
        return int(text)
    if element.tag in FLOATS:
        return float(text)
    return text


class Open311Common(HotlineAttackCommon):
    """The hotline_case attack fixture with two client applications (agent review, dispatch pool) and their
    keys, and helpers speaking the API in both formats."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Client = cls.env["hotline.open311.client"]
        cls.client_review = Client.create({"name": "随手拍小程序", "intake": "review", "rate_limit": 1000})
        cls.client_pool = Client.create({"name": "网格化系统", "intake": "pool", "rate_limit": 1000,
                                         "type_id": cls.type_complaint.id})
        cls.client_review.sudo().key_hash = key_hash(KEY_REVIEW)
        cls.client_pool.sudo().key_hash = key_hash(KEY_POOL)
        cls.cat_road.code = "T_ROAD"
        # the tests' own limits are set where they are tested
        cls.env["ir.config_parameter"].sudo().set_param("hotline_open311.anonymous_rate_limit", 100000)

    def _get(self, path, fmt="json", **params):
        query = f"?{urlencode(params)}" if params else ""
        return self.url_open(f"/open311/{path}.{fmt}{query}")

    def _post(self, fmt="json", **params):
        return self.url_open(f"/open311/v2/requests.{fmt}", data=params)

    def _data(self, response, fmt="json"):
        expected = "application/json" if fmt == "json" else "text/xml"
        self.assertEqual(response.headers["Content-Type"], f"{expected}; charset=utf-8")
        if fmt == "json":
            return json.loads(response.content)
        self.assertTrue(response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>"))
        return xml_data(etree.fromstring(response.content))

    def _file(self, key=KEY_REVIEW, fmt="json", **params):
        """A request filed by a client (the requester above): the POST answer's first row."""
        values = {"api_key": key, "service_code": "T_ROAD", "lat": "39.915", "long": "116.404",
                  "address_string": "和平路1号", "description": "路面塌陷一米见方，夜间危险。", **REQUESTER}
        values.update(params)
        response = self._post(fmt, **values)
        self.assertEqual(response.status_code, 200, response.text)
        return self._data(response, fmt)[0]

    def _case(self, number):
        return self.env["hotline.case"].search([("name", "=", number)])

    def assertErrors(self, response, status, fmt="json", contains=None):
        """The specification's error document: the HTTP status, and [{code: status, description}] in fmt."""
        self.assertEqual(response.status_code, status, response.text[:300])
        errors = self._data(response, fmt)
        self.assertIsInstance(errors, list)
        self.assertTrue(errors)
        for error in errors:
            self.assertEqual(set(error), {"code", "description"})
            self.assertEqual(error["code"], status)
            self.assertTrue(error["description"])
        if contains:
            self.assertIn(contains, " ".join(error["description"] for error in errors))
        return errors
