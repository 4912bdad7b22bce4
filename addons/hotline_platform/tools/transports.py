"""The three ways to a 12345 platform behind one interface (readme/USAGE.md documents the wire formats).

Each transport answers the same four calls:
  push(events)      send outbound events; returns {"acks": [keys], "refused": {key: reason}}
  pull(cursor)      the platform's new events and the next cursor: (events, cursor)
  confirm(keys)     tell the platform these events are stored here (it stops offering them)
  reconcile(day)    the platform's work orders of a day: [{"platform_ref": ..., "status": ...}]
and raises TransportError for anything that is not a valid answer (down, timeout, bad signature, bad JSON).
Events are the canonical dictionaries of hotline.platform.event._wire.
"""

import hashlib
import hmac
import json
import time

import requests

# a signed message older (or newer) than this is refused: a replay must come within the window, where the
# seen-signature table and the events' keys catch it
SIGNATURE_WINDOW_SECONDS = 300
MAX_ANSWER_BYTES = 64 * 1024 * 1024


class TransportError(Exception):
    pass


def canonical(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret, timestamp, body):
    """HMAC-SHA256 (hex) of "<timestamp>." followed by the body's bytes."""
    return hmac.new((secret or "").encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(secret, timestamp, signature, body, now=None):
    """Whether `signature` is the key's over `body` at `timestamp`, within the window."""
    if not secret or not signature or not timestamp:
        return False
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now or time.time()) - moment) > SIGNATURE_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, moment, body), str(signature))


def _decode(body):
    try:
        data = json.loads(body)
    except (TypeError, ValueError) as error:
        raise TransportError(f"the platform answered no JSON: {error}") from None
    if not isinstance(data, dict):
        raise TransportError("the platform answered no JSON object")
    return data


def _acks(data):
    acks = data.get("acks") or []
    refused = data.get("refused") or {}
    if not isinstance(acks, list) or not isinstance(refused, dict):
        raise TransportError("the platform's acknowledgement is malformed")
    return {"acks": [str(key) for key in acks], "refused": {str(k): str(v) for k, v in refused.items()}}


def _events(data):
    events = data.get("events") or []
    if not isinstance(events, list):
        raise TransportError("the platform's events are not a list")
    cursor = data.get("cursor")
    return events, (str(cursor) if cursor is not None else None)


class RestTransport:
    """REST/JSON: POST of signed JSON bodies to <address>/events, /events/pull, /events/confirm and
    /reconciliation; the platform's answers are signed the same way."""

    def __init__(self, counterpart):
        self.base = (counterpart.endpoint or "").rstrip("/")
        self.secret = counterpart.secret or ""
        self.timeout = max(counterpart.timeout or 10, 1)

    def _call(self, path, data):
        if not self.base.startswith(("http://", "https://")):
            raise TransportError("the platform's address is not an http(s) URL")
        body = canonical(data)
        timestamp = int(time.time())
        headers = {"Content-Type": "application/json", "X-Hotline-Timestamp": str(timestamp),
                   "X-Hotline-Signature": sign(self.secret, timestamp, body)}
        try:
            with requests.post(f"{self.base}{path}", data=body, headers=headers, timeout=self.timeout,
                               stream=True) as response:
                answer = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
                status = response.status_code
                answer_headers = response.headers
        except requests.RequestException as error:
            raise TransportError(f"platform unreachable: {type(error).__name__}") from None
        if len(answer) > MAX_ANSWER_BYTES:
            raise TransportError("the platform's answer is too large")
        if status != 200:
            raise TransportError(f"the platform answered HTTP {status}")
        if not verify(self.secret, answer_headers.get("X-Hotline-Timestamp"),
                      answer_headers.get("X-Hotline-Signature"), answer):
            raise TransportError("the platform's answer is not signed with the shared key")
        return _decode(answer)

    def push(self, events):
        return _acks(self._call("/events", {"events": events}))

    def pull(self, cursor):
        return _events(self._call("/events/pull", {"after": cursor, "limit": 500}))

    def confirm(self, keys):
        if keys:
            self._call("/events/confirm", {"keys": keys})

    def reconcile(self, day):
        return _orders(self._call("/reconciliation", {"date": str(day)}))


def _orders(data):
    orders = data.get("orders")
    if not isinstance(orders, list) or any(not isinstance(o, dict) or "platform_ref" not in o for o in orders):
        raise TransportError("the platform's reconciliation is malformed")
    return orders


class SoapTransport:
    """SOAP/WebService through zeep: the WSDL (data/hotline_platform.wsdl is the reference) offers PushEvents,
    PullEvents, ConfirmEvents and Reconcile, each taking and answering (timestamp, signature, body): the body
    is the REST transport's JSON, signed the same way."""

    def __init__(self, counterpart):
        self.wsdl = counterpart.endpoint or ""
        self.secret = counterpart.secret or ""
        self.timeout = max(counterpart.timeout or 10, 1)
        self._client = None

    def _service(self):
        import zeep  # noqa: PLC0415  (only a SOAP platform needs it)
        from zeep.transports import Transport  # noqa: PLC0415

        if self._client is None:
            try:
                self._client = zeep.Client(self.wsdl, transport=Transport(timeout=self.timeout,
                                                                          operation_timeout=self.timeout))
            except Exception as error:  # noqa: BLE001  (zeep raises many kinds while loading a WSDL)
                raise TransportError(f"the platform's WSDL cannot be loaded: {type(error).__name__}") from None
        return self._client.service

    def _call(self, operation, data):
        import zeep.exceptions  # noqa: PLC0415

        body = canonical(data)
        timestamp = int(time.time())
        try:
            answer = getattr(self._service(), operation)(
                timestamp=str(timestamp), signature=sign(self.secret, timestamp, body), body=body.decode())
        except (zeep.exceptions.Error, requests.RequestException) as error:
            raise TransportError(f"SOAP call {operation} failed: {type(error).__name__}: {error}"[:300]) from None
        answer_body = (answer.body or "").encode()
        if not verify(self.secret, answer.timestamp, answer.signature, answer_body):
            raise TransportError("the platform's answer is not signed with the shared key")
        return _decode(answer_body)

    def push(self, events):
        return _acks(self._call("PushEvents", {"events": events}))

    def pull(self, cursor):
        return _events(self._call("PullEvents", {"after": cursor, "limit": 500}))

    def confirm(self, keys):
        if keys:
            self._call("ConfirmEvents", {"keys": keys})

    def reconcile(self, day):
        return _orders(self._call("Reconcile", {"date": str(day)}))


# The intermediate database's tables (MariaDB/MySQL). The platform reads hotline_out and marks rows taken
# (status 1); the center reads hotline_in and marks its rows taken; hotline_order is the platform's own
# list of work orders (day, status) for the reconciliation.
MIDDB_TABLES = (
    """CREATE TABLE IF NOT EXISTS hotline_out (
        event_key VARCHAR(100) PRIMARY KEY, platform_ref VARCHAR(64) NOT NULL, seq INT NOT NULL,
        kind VARCHAR(32) NOT NULL, occurred_at VARCHAR(40), code_version VARCHAR(32), payload LONGTEXT NOT NULL,
        created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, status TINYINT NOT NULL DEFAULT 0,
        taken_at DATETIME NULL, KEY status_idx (status)) DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE IF NOT EXISTS hotline_in (
        id BIGINT AUTO_INCREMENT PRIMARY KEY, event_key VARCHAR(100) NOT NULL UNIQUE,
        platform_ref VARCHAR(64) NOT NULL, seq INT NOT NULL, kind VARCHAR(32) NOT NULL,
        occurred_at VARCHAR(40), code_version VARCHAR(32), payload LONGTEXT NOT NULL,
        created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, status TINYINT NOT NULL DEFAULT 0,
        taken_at DATETIME NULL, KEY status_idx (status, id)) DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE IF NOT EXISTS hotline_order (
        platform_ref VARCHAR(64) PRIMARY KEY, order_date DATE NOT NULL, status VARCHAR(16) NOT NULL,
        KEY date_idx (order_date)) DEFAULT CHARSET=utf8mb4""",
)


class MiddbTransport:
    """The shared intermediate database (中间库): rows with status columns in the platform's MariaDB/MySQL,
    through PyMySQL. Another engine plugs in as a subclass overriding `connect` (its DB-API driver) and,
    where its SQL differs, `INSERT_OUT` (an insert that ignores a key already there)."""

    INSERT_OUT = ("INSERT IGNORE INTO hotline_out (event_key, platform_ref, seq, kind, occurred_at, code_version, "
                  "payload) VALUES (%s, %s, %s, %s, %s, %s, %s)")

    def __init__(self, counterpart):
        self.params = {"host": counterpart.db_host or "127.0.0.1", "port": counterpart.db_port or 3306,
                       "user": counterpart.db_user or "", "password": counterpart.db_password or "",
                       "database": counterpart.db_name or ""}
        self.timeout = max(counterpart.timeout or 10, 1)

    def connect(self):
        import pymysql  # noqa: PLC0415

        try:
            return pymysql.connect(**self.params, charset="utf8mb4", connect_timeout=self.timeout,
                                   read_timeout=self.timeout, write_timeout=self.timeout, autocommit=False)
        except pymysql.MySQLError as error:
            raise TransportError(f"intermediate database unreachable: {error}"[:300]) from None

    def _run(self, work):
        import pymysql  # noqa: PLC0415

        conn = self.connect()
        try:
            with conn.cursor() as cursor:
                result = work(cursor)
            conn.commit()
            return result
        except pymysql.MySQLError as error:
            raise TransportError(f"intermediate database error: {error}"[:300]) from None
        finally:
            conn.close()

    def prepare(self):
        def work(cursor):
            for statement in MIDDB_TABLES:
                cursor.execute(statement)
        self._run(work)

    def push(self, events):
        """A row committed in hotline_out is the platform's acknowledgement: it is in the platform's hands."""
        def work(cursor):
            cursor.executemany(self.INSERT_OUT, [
                (e["key"], e["platform_ref"], e["seq"], e["kind"], e["occurred_at"], e["code_version"],
                 json.dumps(e["payload"], ensure_ascii=False)) for e in events])
        self._run(work)
        return {"acks": [e["key"] for e in events], "refused": {}}

    def pull(self, cursor_value):
        def work(cursor):
            cursor.execute("SELECT event_key, platform_ref, seq, kind, occurred_at, code_version, payload "
                           "FROM hotline_in WHERE status = 0 ORDER BY id LIMIT 500")
            return cursor.fetchall()
        events = []
        for key, ref, seq, kind, occurred_at, version, payload in self._run(work):
            try:
                payload = json.loads(payload)
            except ValueError:
                payload = None  # refused as malformed by the inbox, with the reason
            events.append({"key": key, "platform_ref": ref, "seq": seq, "kind": kind, "occurred_at": occurred_at,
                           "code_version": version, "payload": payload})
        return events, None

    def confirm(self, keys):
        if not keys:
            return

        def work(cursor):
            cursor.execute("UPDATE hotline_in SET status = 1, taken_at = NOW() WHERE event_key IN %s",
                           [tuple(keys)])
        self._run(work)

    def reconcile(self, day):
        def work(cursor):
            cursor.execute("SELECT platform_ref, status FROM hotline_order WHERE order_date = %s", [str(day)])
            return cursor.fetchall()
        return [{"platform_ref": ref, "status": status} for ref, status in self._run(work)]


class ManualTransport:
    """A platform without an interface: operators relay the events by hand (the relay console)."""

    def __init__(self, counterpart):
        pass

    def push(self, events):
        return {"acks": [], "refused": {}}

    def pull(self, cursor):
        return [], None

    def confirm(self, keys):
        pass

    def reconcile(self, day):
        raise TransportError("a platform without an interface has no reconciliation")


TRANSPORTS = {"rest": RestTransport, "soap": SoapTransport, "middb": MiddbTransport, "manual": ManualTransport}


def for_counterpart(counterpart):
    return TRANSPORTS[counterpart.transport](counterpart)
