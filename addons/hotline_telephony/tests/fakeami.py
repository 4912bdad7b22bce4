"""A fake AMI server on a local socket, for fast tests and the benchmark.

It speaks enough of the protocol: greeting, Login/Logoff, Ping, QueueStatus (an
event list, optionally with an unrelated event interleaved as Asterisk may do),
QueueAdd/QueueRemove/QueuePause, async Originate (+ OriginateResponse), and a
"Test" action whose reply can be delayed (``Delay`` header, seconds) to check
that replies are matched by ActionID. ``push()`` broadcasts events; ``drop()``
cuts every connection (a PBX restart, seen from the bridge).
"""

import contextlib
import socket
import socketserver
import threading
import time

EOL = "\r\n"


def encode(headers):
    return "".join(f"{k}: {v}{EOL}" for k, v in headers.items()) + EOL


class _Handler(socketserver.StreamRequestHandler):
    def setup(self):
        result = super().setup()
        self.server.fake._register(self)
        self.lock = threading.Lock()
        self.logged_in = False
        return result

    def finish(self):
        self.server.fake._unregister(self)
        with contextlib.suppress(OSError):  # client gone
            return super().finish()

    def send(self, data):
        with self.lock, contextlib.suppress(OSError):  # client gone: nothing to deliver
            self.wfile.write(data.encode("utf-8") if isinstance(data, str) else data)
            self.wfile.flush()

    def handle(self):
        self.send("Asterisk Call Manager/9.0.0" + EOL)
        block = {}
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line:
                key, _sep, value = line.partition(":")
                block.setdefault(key.strip(), value.strip())
                continue
            if block:
                self.server.fake._action(self, block)
                block = {}


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class FakeAmi:
    def __init__(self, host="127.0.0.1", port=0, username="hotline", secret="secret"):
        self.username = username
        self.secret = secret
        self.members = {}  # queue -> list of QueueMember header dicts
        self.interleave = None  # an event dict sent in the middle of QueueStatus lists
        self.actions = []  # every action received (header dicts)
        self.originate_result = "Success"
        self._clients = set()
        self._clients_lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.fake = self
        self.host, self.port = self._server.server_address
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.drop()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- clients --------------------------------------------------------------------
    def _register(self, handler):
        with self._clients_lock:
            self._clients.add(handler)

    def _unregister(self, handler):
        with self._clients_lock:
            self._clients.discard(handler)

    def clients(self):
        with self._clients_lock:
            return [c for c in self._clients if c.logged_in]

    def wait_clients(self, n=1, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.clients()) >= n:
                return True
            time.sleep(0.01)
        return False

    def push(self, headers):
        """Broadcast one event (dict with "Event") to every logged-in client."""
        self.push_raw(encode(headers))

    def push_raw(self, data):
        for client in self.clients():
            client.send(data)

    def drop(self):
        with self._clients_lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):
                client.connection.shutdown(socket.SHUT_RDWR)

    # -- actions ----------------------------------------------------------------------
    def _reply(self, handler, block, headers):
        out = {"Response": headers.pop("Response", "Success")}
        if "ActionID" in block:
            out["ActionID"] = block["ActionID"]
        out.update(headers)
        handler.send(encode(out))

    def _action(self, handler, block):
        self.actions.append(block)
        name = (block.get("Action") or "").lower()
        if name == "login":
            if block.get("Username") == self.username and block.get("Secret") == self.secret:
                handler.logged_in = True
                self._reply(handler, block, {"Message": "Authentication accepted"})
            else:
                self._reply(handler, block, {"Response": "Error", "Message": "Authentication failed"})
            return
        if not handler.logged_in:
            self._reply(handler, block, {"Response": "Error", "Message": "Permission denied"})
            return
        if name == "logoff":
            self._reply(handler, block, {"Response": "Goodbye", "Message": "Thanks for all the fish."})
        elif name == "ping":
            self._reply(handler, block, {"Ping": "Pong", "Timestamp": f"{time.time():.6f}"})
        elif name == "test":
            delay = float(block.get("Delay") or 0)
            threading.Timer(delay, self._reply, (handler, block, {"Message": block.get("Tag", "")})).start()
        elif name == "queuestatus":
            self._queue_status(handler, block)
        elif name in ("queueadd", "queueremove", "queuepause"):
            self._reply(handler, block, {"Message": f"{block.get('Action')} done"})
        elif name == "originate":
            self._reply(handler, block, {"Message": "Originate successfully queued"})
            event = {"Event": "OriginateResponse", "ActionID": block.get("ActionID", ""),
                     "Response": self.originate_result, "Channel": block.get("Channel", ""),
                     "Context": block.get("Context", ""), "Exten": block.get("Exten", ""),
                     "Reason": "4" if self.originate_result == "Success" else "0",
                     "Uniqueid": f"{time.time():.2f}", "Timestamp": f"{time.time():.6f}"}
            threading.Timer(0.05, handler.send, (encode(event),)).start()
        else:
            self._reply(handler, block, {"Response": "Error", "Message": "Invalid/unknown command"})

    def _queue_status(self, handler, block):
        aid = block.get("ActionID", "")
        # an unknown queue gives an empty list, as Asterisk does
        queues = ([block["Queue"]] if block["Queue"] in self.members else []) if block.get("Queue") \
            else list(self.members)
        parts = [encode({"Response": "Success", "ActionID": aid, "EventList": "start",
                         "Message": "Queue status will follow"})]
        count = 0
        for queue_name in queues:
            parts.append(encode({"Event": "QueueParams", "Queue": queue_name, "Max": "0", "Strategy": "rrmemory",
                                 "Calls": "0", "ActionID": aid}))
            count += 1
            if self.interleave:
                parts.append(encode(self.interleave))
            for member in self.members.get(queue_name, []):
                parts.append(encode({"Event": "QueueMember", "Queue": queue_name, **member, "ActionID": aid}))
                count += 1
        parts.append(encode({"Event": "QueueStatusComplete", "ActionID": aid, "EventList": "Complete",
                             "ListItems": str(count)}))
        handler.send("".join(parts))
