"""A hostile (or broken) unit server for the two-server rig: `python hostile_unit.py HOST PORT`, run where the
unit server runs (its namespace, its user). Standard library only.

It answers the peer methods the center calls (POST /json/2/hotline.exchange.peer/<method>) as the mode says:
  ok          a well-behaved unit server: fetch_events serves its outbox (at most `limit`), ack removes the ids
              acknowledged (exactly), receive answers `applied` for each event, status its backlog
  ignore_ack  as ok, but acknowledged events are served again (a lost acknowledgement)
  not_json, dict, strings, int   a 200 whose body is broken JSON, an object, a list of strings, a number
  too_many    the outbox plus 300 events more than asked for
  oversize    a Content-Length of 300 MiB, then bytes as fast as they go
  flood       no Content-Length, an endless JSON string
  hang        accepts, reads the call, never answers
  drip        the answer's headers one byte every half second
The test drives it over the same port: POST /control {"mode": ..., "outbox": [events]} sets the mode (and the
outbox); GET /control returns what it saw {"mode", "acked", "received", "calls", "busy"}.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"mode": "ok", "outbox": [], "acked": [], "received": [], "calls": 0, "busy": 0}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self):
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")

    def answer(self, data, status=200):
        raw = data if isinstance(data, bytes) else json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):
        with LOCK:
            self.answer({key: STATE[key] for key in ("mode", "acked", "received", "calls", "busy")})

    def do_POST(self):
        body = self.body()
        if self.path == "/control":
            with LOCK:
                STATE["mode"] = body.get("mode", STATE["mode"])
                if "outbox" in body:
                    STATE["outbox"] = body["outbox"]
            return self.answer({"mode": STATE["mode"]})
        method = self.path.rsplit("/", 1)[-1]
        with LOCK:
            STATE["calls"] += 1
            STATE["busy"] += 1
            mode = STATE["mode"]
        try:
            self.peer(mode, method, body)
        except OSError:
            pass  # the center hung up on us
        finally:
            with LOCK:
                STATE["busy"] -= 1

    def peer(self, mode, method, body):
        if mode == "hang":
            time.sleep(3600)
        elif mode == "drip":
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"." * 3600:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.5)
        elif mode == "not_json":
            self.answer(b'[{"uid": "half')
        elif mode == "dict":
            self.answer({"uid": "x", "kind": "accept"})
        elif mode == "strings":
            self.answer(["a", "b", "c"])
        elif mode == "int":
            self.answer(42)
        elif mode in ("oversize", "flood"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if mode == "oversize":
                self.send_header("Content-Length", str(300 << 20))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'["')
            chunk = b"x" * (1 << 20)
            while True:
                self.wfile.write(chunk)
        else:
            self.answer(self.well_behaved(mode, method, body))

    def well_behaved(self, mode, method, body):
        with LOCK:
            if method == "fetch_events":
                events = list(STATE["outbox"])
                if mode == "too_many":
                    return events + [{"uid": f"extra{n}", "kind": "accept"} for n in range(body["limit"] + 300)]
                return events[:body["limit"]]
            if method == "ack":
                STATE["acked"].extend(body["uids"])
                if mode != "ignore_ack":
                    STATE["outbox"] = [e for e in STATE["outbox"] if e.get("uid") not in set(body["uids"])]
                return len(body["uids"])
            if method == "receive":
                STATE["received"].extend(body["events"])
                return [{"uid": e["uid"], "result": "applied", "reason": ""} for e in body["events"]]
            if method == "status":
                return {"pending": len(STATE["outbox"])}
        return {}


if __name__ == "__main__":
    server = ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
    server.daemon_threads = True
    server.serve_forever()
