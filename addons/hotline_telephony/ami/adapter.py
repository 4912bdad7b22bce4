"""A small, safe adapter over pyst2's ``asterisk.manager``.

pyst2 0.5.1 is used for the socket reader and message framing, but:

* ``ManagerMsg.parse`` calls ``dict.has_key`` on ``ChanVariable`` headers, which
  does not exist on Python 3: patched once, at import.
* ``Manager.send_action`` writes without a lock and waits, without timeout, on a
  queue shared by every caller, so replies are not matched to requests. Here
  every action gets its own ActionID and a waiter that is resolved by the reply
  carrying that ActionID, with a timeout.
* "... will follow" lists (QueueStatus) arrive as raw text in ``response.data``;
  any unrelated event that Asterisk interleaved there is recovered and
  dispatched as an event instead of being lost.
* Its threads cannot be restarted: reconnecting means a new ``AmiClient``
  (which creates a new ``Manager``).

Nothing here imports Odoo: the bridge, the benchmark and the tests use it alone.
"""

import contextlib
import itertools
import logging
import queue
import socket
import threading
import time
import warnings

from asterisk import manager as pyst

_logger = logging.getLogger(__name__)

EOL = "\r\n"
DISCONNECTED = object()  # sentinel put on the event queue when the link drops


class AmiError(Exception):
    """AMI failure (connection, login, timeout or an Error response)."""


class AmiTimeout(AmiError):
    pass


class AmiDisconnected(AmiError):
    pass


def _parse_fixed(self, response):
    """pyst2's ManagerMsg.parse without ``dict.has_key`` (Python 3)."""
    data = []
    for n, line in enumerate(response):
        if not line.endswith("\r\n"):
            data.extend(response[n:])
            break
        try:
            k, v = (x.strip() for x in line.split(":", 1))
            if "ChanVariable" in k:
                # ChanVariable may repeat: keep them all as a dict name -> value
                name, _sep, value = v.partition("=")
                self.headers.setdefault("ChanVariable", {})[name.strip()] = value.strip()
            else:
                self.headers[k] = v
        except ValueError:
            # invalid header: start of a multi-line data response
            data.extend(response[n:])
            break
    self.data = "".join(data)


pyst.ManagerMsg.parse = _parse_fixed


def parse_blocks(text):
    """Split raw AMI text (``response.data``) into header dicts, one per message."""
    blocks = []
    current = {}
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            if current:
                blocks.append(current)
                current = {}
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue  # not a header line (e.g. --END COMMAND--)
        current[key.strip()] = value.strip()
    if current:
        blocks.append(current)
    return blocks


class _Waiter:
    __slots__ = ("event", "message")

    def __init__(self):
        self.event = threading.Event()
        self.message = None


class _Flag(threading.Event):
    """threading.Event with pyst2's camelCase spelling, without the deprecation warning."""

    def isSet(self):  # noqa: N802 - pyst2's name
        return self.is_set()


class _Manager(pyst.Manager):
    """pyst2 Manager routing replies by ActionID and events to one queue."""

    def __init__(self, client):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # Thread.setDaemon in pyst2
            super().__init__()
        self._connected = _Flag()
        self._running = _Flag()
        self._client = client
        self._write_lock = threading.Lock()
        self._waiters = {}
        self._waiters_lock = threading.Lock()
        self._greeting = _Waiter()

    # -- writing -----------------------------------------------------------
    def write_action(self, cdict):
        """Send an action and return the waiter for its ActionID."""
        if not self._connected.is_set():
            raise AmiDisconnected("not connected")
        lines = []
        for key, value in cdict.items():
            for item in value if isinstance(value, list | tuple) else [value]:
                # CR/LF inside a value would inject headers: refuse them.
                item = str(item)
                if "\r" in item or "\n" in item:
                    raise AmiError(f"invalid character in AMI header {key}")
                lines.append(f"{key}: {item}")
        payload = (EOL.join(lines) + EOL + EOL).encode("utf-8")
        waiter = _Waiter()
        with self._waiters_lock:
            self._waiters[cdict["ActionID"]] = waiter
        try:
            with self._write_lock:
                self._sock.write(payload)
                self._sock.flush()
        except (OSError, ValueError, AttributeError) as exc:
            with self._waiters_lock:
                self._waiters.pop(cdict["ActionID"], None)
            raise AmiDisconnected(str(exc)) from exc
        return waiter

    def forget(self, action_id):
        with self._waiters_lock:
            self._waiters.pop(action_id, None)

    # -- reading (replaces pyst2's message_loop) ----------------------------
    def message_loop(self):
        reader = threading.Thread(target=self._receive_data, daemon=True)
        reader.start()
        try:
            while self._running.is_set():
                data = self._message_queue.get()
                if not data:
                    break
                try:
                    message = pyst.ManagerMsg(data)
                except Exception:  # noqa: BLE001 - malformed traffic must not kill the reader
                    _logger.warning("AMI: unparsable message skipped: %r", data[:5])
                    continue
                self._route(message)
        finally:
            self._connected.clear()
            self._event_queue.put(None)  # ends pyst2's (unused) dispatch thread
            with self._waiters_lock:
                waiters, self._waiters = list(self._waiters.values()), {}
            for waiter in waiters:
                waiter.event.set()  # message stays None: disconnected
            self._greeting.event.set()
            self._client._on_disconnect()

    def _route(self, message):
        headers = message.headers
        if "Event" in headers:
            self._client._on_event(dict(headers), message.data)
            return
        if self.title and not self._greeting.event.is_set():
            self._greeting.message = message
            self._greeting.event.set()
            return
        action_id = headers.get("ActionID")
        with self._waiters_lock:
            waiter = self._waiters.pop(action_id, None) if action_id else None
        if waiter is None:
            _logger.debug("AMI: reply without a waiter skipped: %s", headers)
            return
        waiter.message = message
        waiter.event.set()

    def connect(self, host, port=5038, timeout=5.0):
        if self._connected.is_set():
            raise AmiError("already connected")
        try:
            sock = socket.create_connection((host, int(port)), timeout=timeout)
            sock.settimeout(None)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            # buffered: pyst2 reads line by line, unbuffered reads cost a syscall per byte
            self._sock = sock.makefile(mode="rwb")
            self._raw_sock = sock
        except OSError as exc:
            raise AmiDisconnected(f"cannot connect to {host}:{port}: {exc}") from exc
        self._connected.set()
        self._running.set()
        self.message_thread.start()
        self.event_dispatch_thread.start()
        if not self._greeting.event.wait(timeout) or self._greeting.message is None:
            self.shutdown()
            raise AmiTimeout(f"no AMI greeting from {host}:{port}")
        return self._greeting.message

    def shutdown(self):
        """Close the socket; the reader threads then end by themselves."""
        self._connected.clear()
        self._running.clear()
        self._message_queue.put(None)
        raw = getattr(self, "_raw_sock", None)
        if raw is not None:
            with contextlib.suppress(OSError):  # already closed by the peer
                raw.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                raw.close()

    def close(self):  # pyst2 calls close() from __del__: keep it quiet
        self.shutdown()


class AmiClient:
    """One AMI connection. Create a new one to reconnect.

    Events are put on ``self.events`` (a ``queue.Queue``) as header dicts;
    ``DISCONNECTED`` is put there when the link drops.
    """

    _ids = itertools.count(1)

    def __init__(self, host, port, username, secret, timeout=5.0, events=None):
        self.host = host
        self.port = int(port)
        self.username = username
        self.secret = secret
        self.timeout = timeout
        self.events = events if events is not None else queue.Queue()
        self._list_ids = set()  # ActionIDs of list actions in progress
        self._prefix = f"ht{next(self._ids)}-{int(time.time() * 1000) % 10**8}-"
        self._seq = itertools.count(1)
        self._manager = _Manager(self)
        self.connected = False
        self.version = None

    # -- lifecycle -----------------------------------------------------------
    def connect(self):
        self._manager.connect(self.host, self.port, self.timeout)
        self.version = getattr(self._manager, "version", None)
        self.connected = True
        reply = self.action({"Action": "Login", "Username": self.username, "Secret": self.secret})
        if reply.get("Response") != "Success":
            self.close()
            raise AmiError(reply.get("Message") or "AMI login failed")
        return self

    def close(self):
        if self.connected:
            with contextlib.suppress(AmiError):  # the link may already be gone
                self.action({"Action": "Logoff"}, timeout=1.0)
        self.connected = False
        self._manager.shutdown()

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc):
        self.close()

    # -- callbacks from the reader thread --------------------------------------
    def _on_event(self, headers, data=""):
        headers["_received"] = time.time()  # for latency figures (screen pop)
        self.events.put(headers)

    def _on_disconnect(self):
        if self.connected:
            self.connected = False
            self.events.put(DISCONNECTED)

    # -- actions ---------------------------------------------------------------
    def next_action_id(self):
        return f"{self._prefix}{next(self._seq)}"

    def send(self, cdict):
        """Write an action without waiting; returns its ActionID."""
        cdict = dict(cdict)
        cdict.setdefault("ActionID", self.next_action_id())
        self._manager.write_action(cdict)
        self._manager.forget(cdict["ActionID"])
        return cdict["ActionID"]

    def action(self, cdict, timeout=None):
        """Send an action and return its reply headers (dict) + ``_data`` raw text.

        Raises AmiTimeout when no reply with our ActionID comes in time, and
        AmiDisconnected when the link drops meanwhile.
        """
        cdict = dict(cdict)
        cdict.setdefault("ActionID", self.next_action_id())
        waiter = self._manager.write_action(cdict)
        if not waiter.event.wait(self.timeout if timeout is None else timeout):
            self._manager.forget(cdict["ActionID"])
            raise AmiTimeout(f"no reply to {cdict.get('Action')} within {timeout or self.timeout}s")
        if waiter.message is None:
            raise AmiDisconnected(f"link lost while waiting for {cdict.get('Action')}")
        reply = dict(waiter.message.headers)
        reply["_data"] = waiter.message.data
        return reply

    def check(self, cdict, timeout=None):
        """Like action() but raises AmiError on an Error response."""
        reply = self.action(cdict, timeout)
        if reply.get("Response") == "Error":
            raise AmiError(reply.get("Message") or f"{cdict.get('Action')} failed")
        return reply

    def ping(self, timeout=None):
        return self.check({"Action": "Ping"}, timeout)

    def queue_status(self, queue_name=None, timeout=None):
        """QueueStatus: returns {"params": [...], "members": [...], "entries": [...]}.

        pyst2 folds the whole event list into the reply's raw ``data``; parse it
        here, keep the blocks carrying our ActionID and re-dispatch the others
        (events Asterisk interleaved) so that none is lost.
        """
        cdict = {"Action": "QueueStatus"}
        if queue_name:
            cdict["Queue"] = queue_name
        reply = self.check(cdict, timeout)
        action_id = reply.get("ActionID")
        result = {"params": [], "members": [], "entries": []}
        kinds = {"QueueParams": "params", "QueueMember": "members", "QueueEntry": "entries"}
        for block in parse_blocks(reply.get("_data", "")):
            name = block.get("Event")
            if block.get("ActionID") == action_id and name in kinds:
                result[kinds[name]].append(block)
            elif block.get("ActionID") == action_id:
                continue  # QueueStatusComplete
            elif name:
                self.events.put(block)
        return result

    def originate(self, channel, exten, context, caller_id=None, variables=None, timeout_ms=30000,
                  action_id=None):
        """Async Originate: returns the ActionID; the outcome arrives later as an
        ``OriginateResponse`` event carrying the same ActionID."""
        cdict = {
            "Action": "Originate",
            "Channel": channel,
            "Exten": exten,
            "Context": context,
            "Priority": 1,
            "Timeout": int(timeout_ms),
            "Async": "true",
            "ActionID": action_id or self.next_action_id(),
        }
        if caller_id:
            cdict["CallerID"] = caller_id
        if variables:
            cdict["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        self.check(cdict)
        return cdict["ActionID"]

    def queue_pause(self, queue_name, interface, paused, reason=None):
        cdict = {"Action": "QueuePause", "Queue": queue_name, "Interface": interface,
                 "Paused": "true" if paused else "false"}
        if reason:
            cdict["Reason"] = reason
        return self.check(cdict)
