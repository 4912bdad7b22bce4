"""The stand-in 12345 platform (addons/hotline_platform/tests/standin.py) as a process of its own, for the fault
runs that kill it: what it keeps (events received, events for the center, confirmations, work orders) is written
to a state file before any answer, as a platform's database would be, and read back when it starts again.

    python tests/platform_standin.py --port P --state FILE --secret S [--webhook URL]

With --webhook it pushes its events for the center there (signed), until the center acknowledges them. The test
drives it through /control/* on the same port:
  /control/emit    {"events": [{"ref", "kind", "payload"}]}  the platform writes events for the center
  /control/state   what it received (in arrival order), duplicates, events not yet confirmed, work orders
  /control/hold    {"seconds": s}  the next push of the center is stored, then the answer waits (a kill lands
                   between the two: the center's events are taken, the answer is lost)
  /control/hold_webhook {"seconds": s}  the next push to the center's webhook sends half its body, then waits
  /control/release what is held goes on
Standard library and the stand-in's own imports only: it loads standin.py by path, without Odoo.
"""

import argparse
import http.client
import importlib.util
import json
import os
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytz

ADDONS = Path(__file__).resolve().parent.parent / "addons"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# standin.py imports the shared server by its addon path: registered under that name, no Odoo needed
_load("odoo.addons.hotline_case.tests.standin_server", ADDONS / "hotline_case/tests/standin_server.py")
standin = _load("hotline_platform_standin", ADDONS / "hotline_platform/tests/standin.py")


class DurablePlatform(standin.StandInPlatform):
    def __init__(self, secret, tz, port, state_path, webhook=None, day=None):
        super().__init__(secret, tz, port=port, day=day)
        self.state_path = Path(state_path)
        self.webhook = webhook
        self.arrivals = []          # keys of the center's events in their first arrival's order
        self.hold_seconds = 0.0
        self.held = False
        self.held_keys = []         # the keys of the push whose answer was held last
        self.release = threading.Event()
        self.pushing = 0            # events in the webhook call under way (0: none)
        self.webhook_hold_seconds = 0.0
        self.webhook_held = False
        self.pushes = 0
        self._load_state()

    # -- durability ------------------------------------------------------------------------
    def _load_state(self):
        if not self.state_path.exists():
            return
        state = json.loads(self.state_path.read_text())
        self.day = state["day"]
        self.received = state["received"]
        self.arrivals = state["arrivals"]
        self.duplicates.update(state["duplicates"])
        self.outbox = state["outbox"]
        self.confirmed = set(state["confirmed"])
        self.orders = state["orders"]
        self.sequences.update(state["sequences"])

    def _save(self):
        """Under self.lock: the whole state, atomically (a kill leaves the old file or the new one)."""
        state = {"day": self.day, "received": self.received, "arrivals": self.arrivals,
                 "duplicates": dict(self.duplicates), "outbox": self.outbox, "confirmed": sorted(self.confirmed),
                 "orders": self.orders, "sequences": dict(self.sequences)}
        tmp = self.state_path.with_suffix(".tmp")
        with open(tmp, "w") as out:
            json.dump(state, out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.state_path)

    # -- the platform's steps, made durable ---------------------------------------------------
    def emit(self, ref, kind, payload=None, seq=None, day=None):
        event = super().emit(ref, kind, payload, seq, day)
        with self.lock:
            self._save()
        return event

    def take(self, events):
        before = set(self.received)
        result = super().take(events)
        with self.lock:
            self.arrivals += [e["key"] for e in events if e["key"] in self.received and e["key"] not in before
                              and e["key"] not in self.arrivals]
            self._save()
            hold, self.hold_seconds = self.hold_seconds, 0.0
        if hold:
            self.held_keys = [e["key"] for e in events]
            self.held = True
            self.release.wait(hold)
            self.held = False
        return result

    def answer(self, operation, data):
        result = super().answer(operation, data)
        if operation == "confirm":
            with self.lock:
                self._save()
        return result

    def control(self, path, data):
        if path == "/control/emit":
            return {"keys": [self.emit(e["ref"], e["kind"], e.get("payload"))["key"] for e in data["events"]]}
        if path == "/control/hold":
            self.release.clear()
            self.hold_seconds = float(data["seconds"])
            return {}
        if path == "/control/hold_webhook":
            self.release.clear()
            self.webhook_hold_seconds = float(data["seconds"])
            return {}
        if path == "/control/release":
            self.release.set()
            return {}
        if path == "/control/state":
            with self.lock:
                return {"day": self.day, "arrivals": self.arrivals, "received": self.received,
                        "duplicates": dict(self.duplicates), "orders": self.orders,
                        "unconfirmed": [e["key"] for e in self.pending_for_center()],
                        "held": self.held, "held_keys": self.held_keys, "webhook_held": self.webhook_held,
                        "pushing": self.pushing, "pushes": self.pushes}
        raise KeyError(path)

    # -- the platform pushes to the center's webhook ------------------------------------------
    def _post(self, body):
        """One signed push; with a hold armed, half the body goes, then the rest once released (or the hold
        ends): the center is killed while it receives."""
        url = urllib.parse.urlsplit(self.webhook)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        try:
            conn.putrequest("POST", url.path)
            for name, value in {**standin.signed_headers(self.secret, body),
                                "Content-Length": str(len(body))}.items():
                conn.putheader(name, value)
            conn.endheaders()
            hold, self.webhook_hold_seconds = self.webhook_hold_seconds, 0.0
            if hold:
                conn.send(body[:len(body) // 2])
                self.webhook_held = True
                self.release.wait(hold)
                self.webhook_held = False
                conn.send(body[len(body) // 2:])
            else:
                conn.send(body)
            response = conn.getresponse()
            answer = response.read()
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            return json.loads(answer)
        finally:
            conn.close()

    def push_loop(self):
        while True:
            with self.lock:
                batch = self.pending_for_center()[:100]
            if not batch:
                time.sleep(0.1)
                continue
            body = json.dumps({"events": batch}, ensure_ascii=False).encode()
            self.pushing = len(batch)
            try:
                answer = self._post(body)
            except (OSError, ValueError, http.client.HTTPException):
                # the center is down or cut the call (a 409 replay within the same second included): again
                time.sleep(0.3)
                continue
            finally:
                self.pushing = 0
            with self.lock:
                self.pushes += 1
                self.confirmed.update(answer.get("acks") or [])
                self._save()


class ControlHandler(standin.PlatformHandler):
    def do_POST(self):
        if not self.path.startswith("/control/"):
            return super().do_POST()
        data = json.loads(self._read_body() or b"{}")
        answer = json.dumps(self.server.standin.control(self.path, data), ensure_ascii=False).encode()
        return self._send(200, answer, {"Content-Type": "application/json"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--webhook")
    parser.add_argument("--day", help="the platform's working day (YYYY-MM-DD, in --tz)")
    parser.add_argument("--tz", default="Asia/Shanghai", help="the city's time zone (the center's)")
    args = parser.parse_args()
    platform = DurablePlatform(args.secret, pytz.timezone(args.tz), args.port, args.state, webhook=args.webhook,
                               day=args.day)
    platform.server.RequestHandlerClass = ControlHandler
    if args.webhook:
        threading.Thread(target=platform.push_loop, daemon=True).start()
    print(f"stand-in platform on {platform.base_url}", flush=True)
    platform.server.serve_forever()


if __name__ == "__main__":
    main()
