"""Open311 GeoReport v2: the methods of the API as the center answers them (the controller only speaks HTTP).

Each method returns the document's data (see tools/georeport.py) or raises Open311Error with the HTTP status
and the description the specification's error document carries. What is published of a case is decided here
(_published_row): never the requester (name, phone, e-mail, account), a confidential case's description,
address, location and result withheld, personal data (numbers, e-mails, the caller's name) masked out of every
published text, coordinates in WGS84.
"""

import hashlib
import json
import re
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.mimetypes import guess_mimetype

from ..tools import gcj02
from ..tools.masking import mask
from .hotline_case import OPEN311_PHOTO_TYPES
from .hotline_category import service_code
from .hotline_open311_submission import DEFAULT_WINDOW_MINUTES, KEY_HOURS

MEDIA_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

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
# The columns of a case the published rows are made of (_published_rows: one query, not records)
PUBLISHED_COLUMNS = (
    "name", "state", "confidential", "description", "address", "result_note", "resolution_note", "caller_name",
    "date_received", "write_date", "deadline", "latitude", "longitude", "open311_media_token",
)
# The public address of a published photo (the controller's route); its token is the case's open311_media_token.
MEDIA_PATH = "/open311/v2/media/"
# Control characters refused in every parameter (line breaks and tabs are text in a description).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]{1,40})\]$")
# An Idempotency-Key header (IETF httpapi draft): printable ASCII, at most 255 characters.
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


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
    def _jurisdiction(self):
        """The jurisdiction_id this endpoint serves: the parameter set by the center, else the site's host."""
        ICP = self.env["ir.config_parameter"].sudo()
        return ICP.get_param("hotline_open311.jurisdiction_id") or \
            urlsplit(ICP.get_param("web.base.url") or "").hostname or ""

    @api.model
    def _check_jurisdiction(self, jurisdiction_id):
        """The specification's optional jurisdiction_id: an endpoint serving one jurisdiction takes its own
        (in any letter case) and answers 404 for another, as for any unknown resource."""
        if jurisdiction_id and jurisdiction_id.casefold() != self._jurisdiction().casefold():
            raise Open311Error(404, self.env._("jurisdiction_id %s not found.", jurisdiction_id))

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
    def _submit(self, client, params, idempotency_key=None, media=None):
        """File the request as a case of the client's channel; [{service_request_id, token, service_notice,
        account_id}].

        A request sent again answers as the first one did, filing nothing: the same Idempotency-Key from the
        client within a day, or without a key the same parameters within the duplicate window (the
        specification says nothing of retries; a client that lost the answer of a POST sends it again).

        `media` is the raw photo the client sent as the multipart `media` file (an extension of the
        specification, as SeeClickFix and FixMyStreet take it), or None: checked before anything is claimed, part
        of the request's fingerprint."""
        if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise Open311Error(400, self.env._("Idempotency-Key must be 1 to 255 printable ASCII characters."))
        photo_type = self._photo_type(media) if media is not None else None
        fingerprinted = {**params, "media": hashlib.sha256(media).hexdigest()} if media is not None else params
        fingerprint = hashlib.sha256(json.dumps(fingerprinted, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        now = fields.Datetime.now()
        if idempotency_key:
            key, expires = f"key:{idempotency_key}", now - timedelta(hours=KEY_HOURS)
        else:
            window = int(self.env["ir.config_parameter"].sudo().get_param(
                "hotline_open311.duplicate_window_minutes", DEFAULT_WINDOW_MINUTES))
            key, expires = f"fp:{fingerprint}", now - timedelta(minutes=window)
        claimed, submission = self.env["hotline.open311.submission"].sudo()._claim(client, key, fingerprint,
                                                                                   expires)
        if not claimed:
            if submission.fingerprint != fingerprint:
                raise Open311Error(422, self.env._("This Idempotency-Key was used for another request."))
            return self._submitted(submission.case_id, params)
        case = self._file(client, params)
        if media is not None:
            case._open311_attach_photo(media, photo_type)
        submission.case_id = case
        return self._submitted(case, params)

    @api.model
    def _submitted(self, case, params):
        """The answer to the POST that filed `case`."""
        if case.state == "draft":
            notice = self.env._("Received: an agent checks the request before it is dispatched.")
        else:
            notice = self.env._("Received and sent to dispatch.")
        return [{"service_request_id": case.name, "token": case.open311_token, "service_notice": notice,
                 "account_id": params.get("account_id") or None}]

    @api.model
    def _photo_type(self, raw):
        """The type of the photo a client sent, read from its content (its name and declared type are not
        trusted): JPEG, PNG or WebP within the size a case's file may have, else 400."""
        if not raw:
            raise Open311Error(400, self.env._("media is empty."))
        try:
            self.env["hotline.case"]._check_result_sizes([("media", len(raw))])
        except UserError as error:
            raise Open311Error(400, error.args[0]) from None
        mimetype = guess_mimetype(raw, default="application/octet-stream")
        if mimetype not in OPEN311_PHOTO_TYPES:
            raise Open311Error(400, self.env._("media must be a JPEG, PNG or WebP photo."))
        return mimetype

    @api.model
    def _file(self, client, params):
        """The case of a new request (sudo)."""
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
        if client.intake == "pool" and not case._missing_for("transfer"):
            case.action_transfer()
        return case

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
        return self._published_rows(domain, limit, offset)

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
        rows = self._published_rows(Domain("name", "=", number), 1)
        if not rows:
            raise Open311Error(404, self.env._("Service request %s not found.", number))
        return rows

    @api.model
    def _token(self, token):
        case = self.env["hotline.case"].sudo().search([("open311_token", "=", token)], limit=1) if token else None
        if not case:
            raise Open311Error(404, self.env._("Token %s not found.", token))
        return [{"service_request_id": case.name, "token": token}]

    @api.model
    def _published_rows(self, domain, limit, offset=0):
        """The published rows of the cases of `domain` the API publishes, newest first.

        One SQL query reads the columns the rows need, with the names of the category, unit and street
        joined: no records, no prefetch of the case's other columns, no per-record field access (the public
        API reads as superuser; what it publishes is decided in _published_row)."""
        Case = self.env["hotline.case"].sudo()
        order = "date_received desc, id desc"
        # the page's ids first: the names are joined to its rows only, not to the rows an offset skips
        page = Case._search(domain & self._published_domain(), offset=offset, limit=limit, order=order)
        query = Case._search(Domain("id", "in", page), order=order)
        table = Case._table
        category = query.left_join(table, "category_id", "hotline_category", "id", "category_id")
        unit = query.left_join(table, "unit_id", "hotline_unit", "id", "unit_id")
        street = query.left_join(table, "street_id", "hotline_street", "id", "street_id")
        rows = self.env.execute_query(query.select(
            *(Case._field_to_sql(table, column, query) for column in PUBLISHED_COLUMNS),
            SQL.identifier(table, "category_id"), SQL.identifier(category, "code"),
            self.env["hotline.category"].sudo()._field_to_sql(category, "name", query),
            self.env["hotline.unit"].sudo()._field_to_sql(unit, "name", query),
            self.env["hotline.street"].sudo()._field_to_sql(street, "name", query),
        ))
        # zoneinfo converts in C: a page of 1,000 rows converts 3,000 moments (pytz's were a third of its cost)
        tz = ZoneInfo(self.env.company._hotline_tz().zone)
        texts = (self.env._("Withheld: the requester asked for confidentiality."),
                 self.env._("Cancelled or merged into another request."))
        return [self._published_row(dict(zip(PUBLISHED_COLUMNS + ("category_id", "category_code", "category",
                                                                    "unit", "street"), row, strict=True)), tz, texts)
                for row in rows]

    @api.model
    def _published_row(self, case, tz, texts):
        """What a citizen or another system may see of a case (a dict of its columns), nothing personal."""
        withheld, cancelled = texts

        def when(value):
            return value.replace(tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds") if value else None

        names = (case["caller_name"],)
        if case["state"] == "cancelled":
            notes = cancelled
        elif case["state"] in RESULT_STATES:
            notes = withheld if case["confidential"] else mask(case["result_note"] or case["resolution_note"], names)
        else:
            notes = None
        lat = lng = None
        if (case["latitude"] or case["longitude"]) and not case["confidential"]:
            lng, lat = gcj02.gcj02_to_wgs84(float(case["longitude"] or 0), float(case["latitude"] or 0))
        address = withheld if case["confidential"] else mask(case["address"] or case["street"], names)
        return {
            "service_request_id": case["name"],
            "status": "closed" if case["state"] in CLOSED_STATES else "open",
            "status_notes": notes or None,
            "service_name": case["category"] or None,
            "service_code": service_code(case["category_code"], case["category_id"]) if case["category_id"] else None,
            "description": withheld if case["confidential"] else (mask(case["description"], names) or None),
            "agency_responsible": case["unit"] or None,
            "service_notice": None,
            "requested_datetime": when(case["date_received"]),
            "updated_datetime": when(max(case["write_date"], case["date_received"])),
            "expected_datetime": when(case["deadline"]),
            "address": address or None,
            "address_id": None,
            "zipcode": None,
            "lat": round(lat, 7) if lat is not None else None,
            "long": round(lng, 7) if lng is not None else None,
            "media_url": f"{self._media_base()}{case['open311_media_token']}"
            if case["open311_media_token"] and not case["confidential"] else None,
        }

    @api.model
    def _media_base(self):
        return f"{self.get_base_url().rstrip('/')}{MEDIA_PATH}"

    @api.model
    def _published_photo(self, token):
        """The attachment a public photo URL serves (sudo), or an empty recordset: the photo the center
        publishes with a case the API publishes, not confidential, still a photo of that case."""
        Attachment = self.env["ir.attachment"].sudo()
        # only what token_urlsafe() makes reaches the query (a NUL in the path would fail it)
        if not token or not MEDIA_TOKEN.fullmatch(token):
            return Attachment
        case = self.env["hotline.case"].sudo().search(
            Domain("open311_media_token", "=", token) & Domain("confidential", "=", False)
            & self._published_domain(), limit=1)
        photo = case.open311_media_id
        # its content read again: a file stored under a photo's type by hand is not served as one
        if not photo or photo.res_model != "hotline.case" or photo.res_id != case.id \
                or photo.mimetype not in OPEN311_PHOTO_TYPES or guess_mimetype(photo.raw or b"") != photo.mimetype:
            return Attachment
        return photo
