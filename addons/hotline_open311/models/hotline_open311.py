"""Open311 GeoReport v2: the methods of the API as the center answers them (the controller only speaks HTTP).

Each method returns the document's data (see tools/georeport.py) or raises Open311Error with the HTTP status
and the description the specification's error document carries. What is published of a case is decided here
(_request_rows): never the requester (name, phone, e-mail, account), a confidential case's description,
address, location and result withheld, personal data (numbers, e-mails, the caller's name) masked out of every
published text, coordinates in WGS84.
"""

import re
import secrets
import unicodedata
from datetime import datetime, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..tools import gcj02
from ..tools.masking import mask

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The date of the last change of the API as published (discovery's changeset): change it with the API.
CHANGESET = "2026-12-07T00:00:00+08:00"
# Open311's two statuses over the case's workflow.
CLOSED_STATES = ("closed", "cancelled")
OPEN_STATES = ("draft", "pool", "dispatched", "processing", "submitted", "callback")
# Results the center approved: published as the request's status notes (the status page's rule, hotline_sms).
RESULT_STATES = ("callback", "closed")
# GET requests: the window when no date is given, the page size (the specification's maximum is 1000).
DEFAULT_DAYS = 90
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_PAGE = 1000
MAX_IDS = 100
# Lengths of what a client sends (characters); anything longer is refused, not cut.
MAX_LENGTHS = {"description": 4000, "address_string": 500, "media_url": 1000}
MAX_LENGTH = 200
MAX_PARAMETERS = 50
# What _request_rows reads of a case: fetched in one query with the search (not column by column)
PUBLISHED_FIELDS = [
    "name", "state", "confidential", "category_id", "unit_id", "street_id", "description", "address",
    "result_note", "resolution_note", "caller_name", "date_received", "write_date", "deadline", "latitude",
    "longitude",
]
# Control characters refused in every parameter (line breaks and tabs are text in a description).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]{1,40})\]$")


class Open311Error(Exception):
    """A request the API refuses: `status` is the HTTP status, `descriptions` the error document's texts."""

    def __init__(self, status, *descriptions, retry_after=None):
        super().__init__(status, descriptions)
        self.status = status
        self.descriptions = descriptions
        self.retry_after = retry_after


class HotlineOpen311(models.AbstractModel):
    _name = "hotline.open311"
    _description = "Open311 GeoReport v2"

    # ------------------------------------------------------------------
    # Input
    # ------------------------------------------------------------------
    @api.model
    def _clean_params(self, params):
        """The request's parameters as stripped text, refused (400) when one is too long, holds control
        characters, or there are too many of them."""
        if len(params) > MAX_PARAMETERS:
            raise Open311Error(400, self.env._("Too many parameters."))
        cleaned = {}
        for key, value in params.items():
            if not isinstance(value, str) or _CONTROL.search(key) or len(key) > 60:
                raise Open311Error(400, self.env._("Invalid parameter."))
            value = unicodedata.normalize("NFC", value).strip()
            limit = MAX_LENGTHS.get(key, MAX_LENGTH)
            if len(value) > limit:
                raise Open311Error(400, self.env._("%(name)s is longer than %(limit)s characters.",
                                                   name=key, limit=limit))
            if _CONTROL.search(value):
                raise Open311Error(400, self.env._("%s holds control characters.", key))
            cleaned[key] = value
        return cleaned

    @api.model
    def _authorize(self, api_key, ip, required=False):
        """The client of `api_key` (empty without a key), after its rate limit; anonymous requests and wrong
        keys count against the visitor's address. 400 without a required key, 403 for a wrong one, 429 over
        the limit."""
        Usage = self.env["hotline.open311.usage"].sudo()
        client = self.env["hotline.open311.client"]._from_key(api_key) if api_key else None
        if client:
            allowed, retry = Usage._hit(f"client:{client.id}", client.rate_limit)
        else:
            limit = int(self.env["ir.config_parameter"].sudo().get_param(
                "hotline_open311.anonymous_rate_limit", 30))
            allowed, retry = Usage._hit(f"ip:{ip}", limit)
        if not allowed:
            raise Open311Error(429, self.env._("Too many requests: try again in %s seconds.", retry),
                               retry_after=retry)
        if api_key and not client:
            raise Open311Error(403, self.env._("Invalid api_key."))
        if required and not client:
            raise Open311Error(400, self.env._("api_key was not provided."))
        return client or self.env["hotline.open311.client"]

    # ------------------------------------------------------------------
    # Discovery and services
    # ------------------------------------------------------------------
    @api.model
    def _discovery(self, base_url):
        contact = self.env["ir.config_parameter"].sudo().get_param("hotline_open311.contact") or \
            self.env.company.name
        return {
            "changeset": CHANGESET,
            "contact": contact,
            "key_service": self.env._("API keys are issued by the hotline center to each client application."),
            "endpoints": [{
                "specification": SPECIFICATION,
                "url": f"{base_url.rstrip('/')}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }],
        }

    @api.model
    def _services(self):
        return [category._open311_service() for category in self.env["hotline.category"]._open311_published()]

    @api.model
    def _service(self, code):
        category = self.env["hotline.category"]._open311_find(code)
        if not category:
            raise Open311Error(404, self.env._("Service %s not found.", code))
        return category

    @api.model
    def _attributes(self):
        """The attributes every service takes (all optional): case type, district, confidentiality."""
        # every type and district (a few dozen): the attributes' values
        types = self.env["hotline.case.type"].sudo().search_fetch([], ["code", "name"])
        districts = self.env["hotline.district"].sudo().search_fetch([], ["code", "name"])
        no, yes = self.env._("No"), self.env._("Yes")
        confidential = self.env._("Keep the requester's name and contact from the handling unit (the request's "
                                  "description is then not published either).")
        return [
            self._attribute(1, "case_type", self.env._("Type of request (consultation, complaint...)."),
                            [(case_type.code, case_type.name) for case_type in types]),
            self._attribute(2, "district", self.env._("District where the problem is."),
                            [(district.code or str(district.id), district.name) for district in districts]),
            self._attribute(3, "confidential", confidential, [("false", no), ("true", yes)]),
        ]

    @api.model
    def _attribute(self, order, code, description, values):
        return {
            "variable": True, "code": code, "datatype": "singlevaluelist", "required": False,
            "datatype_description": None, "order": order, "description": description,
            "values": [{"key": key, "name": name} for key, name in values],
        }

    @api.model
    def _definition(self, code):
        category = self._service(code)
        return {"service_code": category._open311_code(), "attributes": self._attributes()}

    # ------------------------------------------------------------------
    # POST requests
    # ------------------------------------------------------------------
    @api.model
    def _submit(self, client, params):
        """File the request as a case of the client's channel; [{service_request_id, token, service_notice,
        account_id}]."""
        if not params.get("service_code"):
            raise Open311Error(400, self.env._("service_code was not provided."))
        category = self._service(params["service_code"])
        values = self._attribute_values(client, params)
        lat, lng = params.get("lat"), params.get("long")
        if lat or lng:
            values.update(self._location(lat, lng))
        elif not params.get("address_string") and not params.get("address_id"):
            raise Open311Error(400, self.env._("lat/long, address_string or address_id was not provided."))
        email = params.get("email")
        if email and not _EMAIL.match(email):
            raise Open311Error(400, self.env._("email is not an e-mail address."))
        # Chinese order: family name first
        name = "".join(part for part in (params.get("last_name"), params.get("first_name")) if part)
        values.update({
            "channel": "open311",
            "category_id": category.id,
            "description": params.get("description") or False,
            "address": params.get("address_string") or params.get("address_id") or False,
            "caller_name": name or False,
            "caller_phone": params.get("phone") or False,
            "agent_id": False,
            "open311_client_id": client.id,
            "open311_token": secrets.token_hex(16),
            "open311_email": email or False,
            "open311_account_id": params.get("account_id") or False,
            "open311_device_id": params.get("device_id") or False,
            "open311_media_url": params.get("media_url") or False,
        })
        Case = self.env["hotline.case"].sudo()
        try:
            with self.env.cr.savepoint():
                case = Case.create(values)
        except (UserError, ValidationError) as error:
            raise Open311Error(400, error.args[0]) from None
        notice = self.env._("Received: an agent checks the request before it is dispatched.")
        if client.intake == "pool" and not case._missing_for("transfer"):
            case.action_transfer()
            notice = self.env._("Received and sent to dispatch.")
        return [{"service_request_id": case.name, "token": case.open311_token, "service_notice": notice,
                 "account_id": params.get("account_id") or None}]

    @api.model
    def _attribute_values(self, client, params):
        """Case values from the attribute[CODE] parameters (each checked against its list)."""
        given = {}
        for key, value in params.items():
            match = _ATTRIBUTE.match(key)
            if match and value:
                given[match.group(1)] = value
            elif key.startswith("attribute"):
                raise Open311Error(400, self.env._("Invalid attribute parameter %s.", key[:60]))
        allowed = {attribute["code"]: {v["key"] for v in attribute["values"]} for attribute in self._attributes()}
        for code, value in given.items():
            if code not in allowed:
                raise Open311Error(400, self.env._("Unknown attribute %s.", code))
            if value not in allowed[code]:
                raise Open311Error(400, self.env._("Attribute %(code)s does not take the value %(value)s.",
                                                   code=code, value=value))
        values = {"confidential": given.get("confidential") == "true"}
        case_type = self.env["hotline.case.type"].sudo().search([("code", "=", given["case_type"])], limit=1) \
            if "case_type" in given else client.sudo().type_id
        values["type_id"] = case_type.id or False
        if "district" in given:
            District = self.env["hotline.district"].sudo()
            district = District.search([("code", "=", given["district"])], limit=1)
            if not district and given["district"].isdigit():
                district = District.search([("id", "=", int(given["district"])), ("code", "=", False)])
            values["district_id"] = district.id or False
        return values

    @api.model
    def _location(self, lat, lng):
        """WGS84 lat/long as sent -> the case's GCJ-02 coordinates."""
        try:
            lat, lng = float(lat), float(lng)
        except (TypeError, ValueError):
            raise Open311Error(400, self.env._("lat and long must both be decimal degrees (WGS84).")) from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise Open311Error(400, self.env._("lat/long out of range."))
        gcj_lng, gcj_lat = gcj02.wgs84_to_gcj02(lng, lat)
        return {"latitude": gcj_lat, "longitude": gcj_lng}

    # ------------------------------------------------------------------
    # GET requests, GET requests/{id}, tokens/{id}
    # ------------------------------------------------------------------
    @api.model
    def _published_domain(self):
        """Cases the API publishes: every case once out of 受理, and the requests of the clients already there
        (a case an agent is still recording from a call is not yet a request)."""
        return Domain("state", "!=", "draft") | Domain("channel", "=", "open311")

    @api.model
    def _search_requests(self, params):
        if params.get("service_request_id"):
            ids = [value.strip() for value in params["service_request_id"].split(",") if value.strip()]
            if len(ids) > MAX_IDS:
                raise Open311Error(400, self.env._("At most %s service_request_id at once.", MAX_IDS))
            domain = Domain("name", "in", ids)
            limit, offset = MAX_IDS, 0
        else:
            domain = self._filter_domain(params)
            page = self._integer(params, "page", 1, 1, MAX_PAGE)
            limit = self._integer(params, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
            offset = (page - 1) * limit
        cases = self.env["hotline.case"].sudo().search_fetch(
            domain & self._published_domain(), PUBLISHED_FIELDS, limit=limit, offset=offset,
            order="date_received desc, id desc")
        return self._request_rows(cases)

    @api.model
    def _filter_domain(self, params):
        now = fields.Datetime.now()
        end = self._date(params, "end_date") or now
        start = self._date(params, "start_date") or end - timedelta(days=DEFAULT_DAYS)
        if start > end:
            raise Open311Error(400, self.env._("start_date is after end_date."))
        domain = Domain("date_received", ">=", start) & Domain("date_received", "<=", end)
        if params.get("service_code"):
            category = self._service(params["service_code"])
            domain &= Domain("category_id", "=", category.id)
        if params.get("status"):
            statuses = {value.strip() for value in params["status"].split(",")}
            if not statuses <= {"open", "closed"}:
                raise Open311Error(400, self.env._("status takes open, closed or both."))
            states = (OPEN_STATES if "open" in statuses else ()) + (CLOSED_STATES if "closed" in statuses else ())
            domain &= Domain("state", "in", states)
        return domain

    @api.model
    def _date(self, params, name):
        """An ISO 8601 date-time with its offset (as the specification requires) -> UTC naive."""
        value = params.get(name)
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise Open311Error(400, self.env._(
                "%s must be an ISO 8601 date-time with its time zone, e.g. 2026-12-07T08:00:00+08:00.", name))
        return moment.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _integer(self, params, name, default, low, high):
        value = params.get(name)
        if not value:
            return default
        if not value.isdigit() or not low <= int(value) <= high:
            raise Open311Error(400, self.env._("%(name)s must be a whole number from %(low)s to %(high)s.",
                                               name=name, low=low, high=high))
        return int(value)

    @api.model
    def _request(self, number):
        case = self.env["hotline.case"].sudo().search_fetch(
            Domain("name", "=", number) & self._published_domain(), PUBLISHED_FIELDS, limit=1)
        if not case:
            raise Open311Error(404, self.env._("Service request %s not found.", number))
        return self._request_rows(case)

    @api.model
    def _token(self, token):
        case = self.env["hotline.case"].sudo().search([("open311_token", "=", token)], limit=1) if token else None
        if not case:
            raise Open311Error(404, self.env._("Token %s not found.", token))
        return [{"service_request_id": case.name, "token": token}]

    @api.model
    def _request_rows(self, cases):
        """The published rows of `cases` (sudo): what a citizen or another system may see, nothing personal."""
        tz = self.env.company._hotline_tz()
        withheld = self.env._("Withheld: the requester asked for confidentiality.")
        cancelled = self.env._("Cancelled or merged into another request.")

        def when(value):
            return pytz.utc.localize(value).astimezone(tz).isoformat(timespec="seconds") if value else None

        rows = []
        for case in cases:
            names = (case.caller_name,)
            if case.state == "cancelled":
                notes = cancelled
            elif case.state in RESULT_STATES:
                notes = withheld if case.confidential else mask(case.result_note or case.resolution_note, names)
            else:
                notes = None
            lat = lng = None
            if (case.latitude or case.longitude) and not case.confidential:
                lng, lat = gcj02.gcj02_to_wgs84(case.longitude, case.latitude)
            address = withheld if case.confidential else mask(case.address or case.street_id.name, names)
            rows.append({
                "service_request_id": case.name,
                "status": "closed" if case.state in CLOSED_STATES else "open",
                "status_notes": notes or None,
                "service_name": case.category_id.name or None,
                "service_code": case.category_id._open311_code() if case.category_id else None,
                "description": withheld if case.confidential else (mask(case.description, names) or None),
                "agency_responsible": case.unit_id.name or None,
                "service_notice": None,
                "requested_datetime": when(case.date_received),
                "updated_datetime": when(max(case.write_date, case.date_received)),
                "expected_datetime": when(case.deadline),
                "address": address or None,
                "address_id": None,
                "zipcode": None,
                "lat": round(lat, 7) if lat is not None else None,
                "long": round(lng, 7) if lng is not None else None,
                "media_url": None,
            })
        return rows
