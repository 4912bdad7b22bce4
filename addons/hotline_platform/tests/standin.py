"""A stand-in 12345 platform for the tests and the bench: the other side of every transport, written from
the documented contract (readme/USAGE.md, data/hotline_platform.wsdl) and not from the center's code, so
that a drift of either side shows.

It keeps what a platform keeps: its work orders and their status (for the reconciliation), the events it
received from the center (each key once, duplicates counted) and the events it has for the center (offered
until confirmed, or pushed to the center's webhook). `down` makes it refuse every call, as when the
platform's service is stopped."""

import hmac
import json
import threading
import time
from collections import Counter
from datetime import date, datetime
from datetime import time as day_time
from pathlib import Path

from lxml import etree

from odoo.addons.hotline_case.tests.standin_server import StandInHandler, StandInServer, hmac_sha256

WSDL = Path(__file__).resolve().parent.parent / "data" / "hotline_platform.wsdl"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "urn:hotline:platform:1"
# the status a work order has on the platform after each event (either way)
STATUS_AFTER = {"dispatch": "open", "reopen": "open", "finish": "finished", "callback": "closed",
                "withdraw": "cancelled", "merge": "cancelled"}
# the platform's rulings of the center's requests: request kind -> ruling kind; an upheld one returns the order
RULINGS = {"return_ruling": "return_request", "dispute_ruling": "dispute_request"}


def sign(secret, timestamp, body):
    return hmac_sha256(secret, f"{timestamp}.".encode() + body)


def signed_headers(secret, body, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {"Content-Type": "application/json", "X-Hotline-Timestamp": str(timestamp),
            "X-Hotline-Signature": sign(secret, timestamp, body)}


def platform_moment(day, tz):
    """09:30 of the platform's working day `day` ('YYYY-MM-DD') in `tz`, as the platform writes it (ISO 8601)."""
    return tz.localize(datetime.combine(date.fromisoformat(day), day_time(9, 30))).isoformat()


class StandInPlatform(StandInServer):
    def __init__(self, secret, tz, port=0, day=None):
        """`tz`: the city's time zone (pytz), the center's (res.company._hotline_tz)."""
        super().__init__(PlatformHandler, port)
        self.secret = secret
        self.tz = tz
        # the platform's working day: today in the city, unless a test names one
        self.day = day or datetime.now(tz).date().isoformat()
        self.lock = threading.Lock()
        self.received = {}          # key -> event the center sent
        self.received_at = {}       # key -> time.monotonic() of its first arrival
        self.duplicates = Counter()  # key -> times the center sent it again
        self.outbox = []            # events for the center, in the platform's order
        self.confirmed = set()
        self.confirmed_at = {}      # key -> time.monotonic() of the center's confirmation
        self.orders = {}            # platform_ref -> {"date", "status"}
        self.sequences = Counter()  # platform_ref -> last sequence the platform used
        self.down = False
        self.lose_answers = False   # takes the center's events, then the answer is lost (killed mid-transfer)
        self.calls = Counter()
        self.refuse_kinds = set()   # kinds the platform refuses (as a platform refusing bad data)

    @property
    def url(self):
        return f"{self.base_url}/api"

    @property
    def wsdl_url(self):
        return f"{self.base_url}/soap?wsdl"

    # -- the platform's own steps ----------------------------------------------------------
    def emit(self, ref, kind, payload=None, seq=None, day=None):
        """The platform writes an event for the center; returns it (as offered on the wire)."""
        with self.lock:
            seq = seq or self.sequences[ref] + 1
            self.sequences[ref] = max(self.sequences[ref], seq)
            event = {"key": f"{ref}:{seq}", "platform_ref": ref, "seq": seq, "kind": kind,
                     "occurred_at": platform_moment(day or self.day, self.tz), "code_version": None,
                     "payload": payload or {}}
            self.outbox.append(event)
            self._status(ref, kind, payload or {}, day)
            return event

    def dispatch(self, ref, deadline="2026-12-14T18:00:00+08:00", **payload):
        return self.emit(ref, "dispatch", {"content": "小区停水两天，无人通知。", "address": "和平路1号",
                                           "category": "0301", "caller_name": "陈先生",
                                           "caller_phone": "13812345678", "deadline": deadline, **payload})

    def rule(self, ref, kind, approved, note="", deadline=None):
        """The platform rules the center's request (`kind`: return_ruling or dispute_ruling); a ruling without a
        request received is an error of the test. A dispute received after the center signed for the work order
        is refused by the platform's rule (派单异议 before 签收), whatever `approved` says."""
        request = RULINGS[kind]
        kinds = self.kinds_received(ref)
        if request not in kinds:
            raise AssertionError(f"{ref}: no {request} received")
        if request == "dispute_request" and "accept" in kinds[:kinds.index(request)]:
            approved, note = False, "已签收工单不得提出派单异议"
        payload = {"approved": approved, "note": note}
        if deadline and not approved:
            payload["deadline"] = deadline
        return self.emit(ref, kind, payload)

    def _status(self, ref, kind, payload, day=None):
        status = STATUS_AFTER.get(kind)
        if kind in RULINGS and payload.get("approved"):
            status = "returned"
        if status:
            order = self.orders.setdefault(ref, {"date": day or self.day, "status": status})
            order["status"] = status

    def pending_for_center(self):
        return [e for e in self.outbox if e["key"] not in self.confirmed]

    # -- what the center sends --------------------------------------------------------------
    def take(self, events):
        acks, refused = [], {}
        with self.lock:
            for event in events:
                key = event["key"]
                if event["kind"] in self.refuse_kinds:
                    refused[key] = "该事件类型不被接受"
                    continue
                if key in self.received:
                    self.duplicates[key] += 1
                else:
                    self.received[key] = event
                    self.received_at[key] = time.monotonic()
                    self._status(event["platform_ref"], event["kind"], event["payload"])
                acks.append(key)
        return {"acks": acks, "refused": refused}

    def kinds_received(self, ref):
        return [e["kind"] for e in sorted(self.received.values(), key=lambda e: e["seq"])
                if e["platform_ref"] == ref]

    def answer(self, operation, data):
        """The platform's answer to one call of the center (REST path or SOAP operation)."""
        self.calls[operation] += 1
        if operation == "push":
            return self.take(data.get("events") or [])
        if operation == "pull":
            with self.lock:
                return {"events": self.pending_for_center()[:data.get("limit") or 500], "cursor": None}
        if operation == "confirm":
            with self.lock:
                now = time.monotonic()
                for key in data.get("keys") or []:
                    self.confirmed_at.setdefault(key, now)
                self.confirmed.update(data.get("keys") or [])
            return {}
        if operation == "reconcile":
            with self.lock:
                return {"orders": [{"platform_ref": ref, "status": order["status"]}
                                   for ref, order in sorted(self.orders.items()) if order["date"] == data["date"]]}
        raise KeyError(operation)


REST_PATHS = {"/api/events": "push", "/api/events/pull": "pull", "/api/events/confirm": "confirm",
              "/api/reconciliation": "reconcile"}
SOAP_OPERATIONS = {"PushEvents": "push", "PullEvents": "pull", "ConfirmEvents": "confirm", "Reconcile": "reconcile"}


class PlatformHandler(StandInHandler):
    """The stand-in's HTTP side: REST paths, the WSDL and the SOAP endpoint."""

    # one call a connection (HTTP/1.0), the behaviour the fault tests were written against
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        if self.path.startswith("/soap") and not self.server.standin.down:
            address = f"{self.server.standin.base_url}/soap"
            wsdl = WSDL.read_bytes().replace(b"http://platform.example/soap", address.encode())
            return self._send(200, wsdl, {"Content-Type": "text/xml"})
        return self._send(404 if not self.server.standin.down else 503, b"")

    def do_POST(self):
        body = self._read_body()
        if self.server.standin.down:
            return self._send(503, b"service unavailable")
        if self.path == "/soap":
            return self._soap(body)
        operation = REST_PATHS.get(self.path)
        if not operation:
            return self._send(404, b"")
        timestamp, signature = self.headers.get("X-Hotline-Timestamp"), self.headers.get("X-Hotline-Signature")
        if not self._valid(timestamp, signature, body):
            return self._send(401, b'{"error":"signature"}', {"Content-Type": "application/json"})
        answer = json.dumps(self.server.standin.answer(operation, json.loads(body)), ensure_ascii=False).encode()
        if self.server.standin.lose_answers:
            return self._send(502, b"bad gateway")
        return self._send(200, answer, signed_headers(self.server.standin.secret, answer))

    def _valid(self, timestamp, signature, body):
        try:
            fresh = abs(time.time() - int(timestamp)) < 300
        except (TypeError, ValueError):
            return False
        return fresh and hmac.compare_digest(sign(self.server.standin.secret, int(timestamp), body), signature or "")

    def _soap(self, body):
        envelope = etree.fromstring(body)
        request = envelope.find(f"{{{SOAP_NS}}}Body")[0]
        name = etree.QName(request).localname
        values = {etree.QName(child).localname: child.text or "" for child in request}
        if not self._valid(values.get("timestamp"), values.get("signature"), values.get("body", "").encode()):
            fault = (f'<s:Envelope xmlns:s="{SOAP_NS}"><s:Body><s:Fault><faultcode>s:Client</faultcode>'
                     '<faultstring>signature</faultstring></s:Fault></s:Body></s:Envelope>').encode()
            return self._send(500, fault, {"Content-Type": "text/xml; charset=utf-8"})
        answer = json.dumps(self.server.standin.answer(SOAP_OPERATIONS[name], json.loads(values["body"])),
                            ensure_ascii=False)
        timestamp = int(time.time())
        root = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"s": SOAP_NS})
        response = etree.SubElement(etree.SubElement(root, f"{{{SOAP_NS}}}Body"),
                                    f"{{{TNS}}}{name}Response", nsmap={"t": TNS})
        for field, value in (("timestamp", str(timestamp)),
                             ("signature", sign(self.server.standin.secret, timestamp, answer.encode())),
                             ("body", answer)):
            etree.SubElement(response, f"{{{TNS}}}{field}").text = value
        return self._send(200, etree.tostring(root, xml_declaration=True, encoding="utf-8"),
                          {"Content-Type": "text/xml; charset=utf-8"})


class MiddbPlatform:
    """The platform's side of the intermediate database (中间库) on MariaDB: it writes its events into
    hotline_in, takes the center's from hotline_out (status 0 -> 1) and keeps hotline_order."""

    def __init__(self, database, tz, host="127.0.0.1", port=3306, user="root", password="", day="2026-12-07"):
        import pymysql  # noqa: PLC0415

        self.pymysql = pymysql
        self.params = {"host": host, "port": port, "user": user, "password": password}
        self.database = database
        self.tz = tz
        self.day = day
        self.sequences = Counter()
        self.duplicates = 0
        self.received = {}

    def _conn(self, database=True):
        return self.pymysql.connect(**self.params, database=self.database if database else None,
                                    charset="utf8mb4", autocommit=True)

    def create_database(self):
        conn = self._conn(database=False)
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{self.database}`")
            cursor.execute(f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4")
        conn.close()

    def drop_database(self):
        conn = self._conn(database=False)
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{self.database}`")
        conn.close()

    def emit(self, ref, kind, payload=None, seq=None):
        seq = seq or self.sequences[ref] + 1
        self.sequences[ref] = max(self.sequences[ref], seq)
        conn = self._conn()
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO hotline_in (event_key, platform_ref, seq, kind, occurred_at, payload) "
                           "VALUES (%s, %s, %s, %s, %s, %s)",
                           [f"{ref}:{seq}", ref, seq, kind, platform_moment(self.day, self.tz),
                            json.dumps(payload or {}, ensure_ascii=False)])
            status = STATUS_AFTER.get(kind) or ("returned" if kind in RULINGS and (payload or {}).get(
                "approved") else None)
            if status:
                cursor.execute("INSERT INTO hotline_order (platform_ref, order_date, status) VALUES (%s, %s, %s) "
                               "ON DUPLICATE KEY UPDATE status = VALUES(status)", [ref, self.day, status])
        conn.close()

    def take(self):
        """Read the center's new rows, mark them taken, follow the work orders' status."""
        conn = self._conn()
        with conn.cursor() as cursor:
            cursor.execute("SELECT event_key, platform_ref, kind, payload FROM hotline_out WHERE status = 0 "
                           "ORDER BY created_at, platform_ref, seq")
            rows = cursor.fetchall()
            for key, ref, kind, payload in rows:
                self.received[key] = {"platform_ref": ref, "kind": kind, "payload": json.loads(payload)}
                status = STATUS_AFTER.get(kind)
                if status:
                    cursor.execute("UPDATE hotline_order SET status = %s WHERE platform_ref = %s", [status, ref])
            if rows:
                cursor.execute("UPDATE hotline_out SET status = 1, taken_at = NOW() WHERE event_key IN %s",
                               [tuple(row[0] for row in rows)])
        conn.close()
        return rows

    def count(self, table, where="1=1"):
        conn = self._conn()
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}")  # noqa: S608  (the tests' own SQL)
            value = cursor.fetchone()[0]
        conn.close()
        return value
