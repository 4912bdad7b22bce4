"""The center's HTTP client to the unit server, whose answers are untrusted: every call is bounded in total time
(connecting, sending, waiting for and reading the answer, however slowly it drips) and in the answer's size.

requests' timeouts bound each socket operation, not the call: a server sending a byte every few seconds holds it
for ever. Here a timer shuts the socket at the call's deadline, whatever the call is doing.
"""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

CONNECT_SECONDS = 3
CHUNK = 1 << 16
# one idle keep-alive connection per unit server, taken out while a call uses it (the loop, the cron and a
# button may call at once)
_IDLE = {}
_IDLE_LOCK = threading.Lock()


class CallFailed(Exception):
    """`kind`: url (not an http(s) address), unreachable, timeout or too_large; `detail` the low-level reason."""

    def __init__(self, kind, detail=""):
        super().__init__(kind, detail)
        self.kind, self.detail = kind, detail


class _Stale(Exception):
    """A kept-alive connection the server had closed: the call is made again on a new one."""


def post(url, body, headers, seconds, max_bytes):
    """POST `body` (bytes) to `url`; returns (HTTP status, answer bytes) within `seconds` in all, the answer at
    most `max_bytes` long, else CallFailed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallFailed("url", url)
    key = (parts.scheme, parts.hostname, parts.port)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    deadline = time.monotonic() + seconds
    with _IDLE_LOCK:
        conn = _IDLE.pop(key, None)
    if conn is not None:
        with contextlib.suppress(_Stale):  # closed by the server meanwhile: a new connection below
            return _exchange(key, conn, path, body, headers, deadline, max_bytes, reused=True)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    extra = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
    conn = conn_class(parts.hostname, parts.port, timeout=min(CONNECT_SECONDS, seconds), **extra)
    return _exchange(key, conn, path, body, headers, deadline, max_bytes)


def _exchange(key, conn, path, body, headers, deadline, max_bytes, reused=False):
    expired = threading.Event()

    def cut():
        expired.set()
        sock = conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked recv/send at once

    timer = threading.Timer(max(deadline - time.monotonic(), 0.0), cut)
    timer.daemon = True
    timer.start()
    answered = connected = False
    try:
        if conn.sock is None:
            conn.connect()
        connected = True
        conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        conn.request("POST", path, body=body, headers={
            **headers, "Content-Type": "application/json", "Accept-Encoding": "identity"})
        reply = conn.getresponse()
        answered = True
        length = reply.getheader("Content-Length") or ""
        if length.isdigit() and int(length) > max_bytes:
            raise CallFailed("too_large", length)
        data = bytearray()
        while chunk := reply.read1(CHUNK):
            data += chunk
            if len(data) > max_bytes:
                raise CallFailed("too_large", str(len(data)))
        reply.close()  # read to the end: the connection can carry the next call
        if expired.is_set() or (length.isdigit() and len(data) != int(length)):
            raise CallFailed("timeout" if expired.is_set() else "unreachable", "answer cut short")
    except CallFailed:
        conn.close()
        raise
    except (OSError, http.client.HTTPException) as error:
        conn.close()
        if expired.is_set() or (connected and isinstance(error, TimeoutError)):
            raise CallFailed("timeout") from None
        if reused and not answered and isinstance(
                error, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError):
            raise _Stale() from None
        raise CallFailed("unreachable", str(error) or type(error).__name__) from None
    finally:
        timer.cancel()
    if reply.will_close or expired.is_set():
        conn.close()
    else:
        with _IDLE_LOCK:
            old = _IDLE.pop(key, None)
            _IDLE[key] = conn
        if old is not None:
            old.close()
    return reply.status, bytes(data)
