"""A call center's floor as Locust users, over the interfaces the web client, the portal and the wall screen use.

Run by bench/load/run_floor.py (which prepares the database, the users and the server, and reads the figures);
it runs in its own environment (bench/load/requirements.txt: Locust's gevent is not Odoo's). The floor is
described by the JSON file named in HT_LOAD_CONFIG:

    {"db": ..., "agents": [logins], "dispatchers": [...], "reviewers": [...], "managers": [...],
     "unit_users": [logins], "boards": [tokens], "refs": {"type": id, "categories": [ids], "streets": [ids],
     "units": [ids]}, "pace": 1.0}

Every password is the login. `pace` divides the think times (1 = real work: an agent takes a call every 2-4
minutes). The host serves /websocket too (the internal nginx, or the threaded development server).

Request names are the actions a manager would name ("agent: record case"); a refusal the workflow gives a user
(another dispatcher took the case first) is counted as a conflict, not as a failure.
"""

import json
import os
import random
import re
import threading
import time

import websocket
from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ["HT_LOAD_CONFIG"], encoding="utf-8").read())  # noqa: SIM115
PACE = float(CONFIG.get("pace") or 1.0)
REFS = CONFIG["refs"]
CONFLICTS = {"count": 0}
_pools = {role: list(CONFIG.get(role) or []) for role in
          ("agents", "dispatchers", "reviewers", "managers", "unit_users", "boards")}
_lock = threading.Lock()
CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
PORTAL_CASE = re.compile(r'/my/hotline/cases/(\d+)"')
# The workflow's refusals of a step another user already took: what a user reads, not an error of the server.
CONFLICT = re.compile(r"cannot be|不能|已被|已经|already", re.IGNORECASE)


def take(role):
    """The next free login (or token) of a role: each simulated user is a real account of its own."""
    with _lock:
        pool = _pools[role]
        return pool.pop(0) if pool else None


def think(low, high):
    return between(low / PACE, high / PACE)


class Rpc:
    """JSON-RPC as the web client sends it, each call reported to Locust under an action's name."""

    def __init__(self, user):
        self.user = user
        self.account = None
        self.logged_out = False  # a failed login or an expired session: the person logs in again first

    def call(self, name, route, params):
        if self.logged_out and name != "login":
            self.login(self.account)
        with self.user.client.post(route, json={"jsonrpc": "2.0", "method": "call", "params": params},
                                   name=name, catch_response=True) as response:
            try:
                body = response.json()
            except ValueError:
                response.failure(f"HTTP {response.status_code}, not JSON")
                self.logged_out = self.logged_out or name == "login"
                return None
            if "error" in body:
                data = body["error"].get("data") or {}
                if name == "login" or data.get("name", "").endswith("SessionExpiredException"):
                    self.logged_out = True
                message = data.get("message") or body["error"].get("message") or ""
                if data.get("name", "").endswith(("UserError", "ValidationError")) and CONFLICT.search(message):
                    CONFLICTS["count"] += 1
                    response.success()
                    return None
                response.failure(message[:200])
                return None
            return body["result"]

    def kw(self, name, model, method, args, kwargs=None):
        return self.call(name, f"/web/dataset/call_kw/{model}/{method}",
                         {"model": model, "method": method, "args": args, "kwargs": kwargs or {}})

    def login(self, login):
        self.account, self.logged_out = login, False
        return self.call("login", "/web/session/authenticate",
                         {"db": CONFIG["db"], "login": login, "password": login})


class CenterUser(HttpUser):
    abstract = True
    role = None

    def on_start(self):
        self.login = take(self.role)
        if not self.login:
            raise RuntimeError(f"no {self.role} account left: raise their number in the floor")
        self.rpc = Rpc(self)
        self.rpc.login(self.login)


class Agent(CenterUser):
    """受理员: a call every 2-4 minutes; the caller looked up, the intake form filled, the case closed on the
    call, dispatched to a unit or sent to the pool."""

    role = "agents"
    wait_time = think(120, 240)

    @task
    def take_call(self):
        phone = f"13{random.randint(0, 9)}{random.randint(10000000, 99999999)}"
        # the screen pop: the caller's history
        self.rpc.kw("agent: caller history", "hotline.case", "search_read",
                    [[("caller_phone", "=", phone)]], {"fields": ["name", "state", "date_received"], "limit": 10})
        spec = {"caller_phone": {}, "caller_name": {}, "category_id": {}, "type_id": {}, "street_id": {},
                "unit_id": {}, "description": {}, "urgency": {}}
        self.rpc.kw("agent: new form", "hotline.case", "onchange", [[], {}, [], spec])
        values = {"caller_phone": phone, "caller_name": "压测来电", "type_id": REFS["type"],
                  "category_id": random.choice(REFS["categories"]), "street_id": random.choice(REFS["streets"]),
                  "address": f"压测路{random.randint(1, 999)}号", "description": "压测：市民来电反映小区停水。"}
        self.rpc.kw("agent: form onchange", "hotline.case", "onchange", [[], values, ["caller_phone"], spec])
        outcome = random.random()
        if outcome < 0.35:
            values["resolution_note"] = "已答复市民。"
        elif outcome < 0.75:
            values["unit_id"] = random.choice(REFS["units"])
        created = self.rpc.kw("agent: record case", "hotline.case", "create", [[values]])
        if not created:
            return
        case_id = created[0] if isinstance(created, list) else created
        action = ("action_close_on_call" if outcome < 0.35 else
                  "action_self_dispatch" if outcome < 0.75 else "action_transfer")
        self.rpc.kw(f"agent: {action[7:].replace('_', ' ')}", "hotline.case", action, [[case_id]])


class Dispatcher(CenterUser):
    """分理: works the pool, a case every 20-40 seconds."""

    role = "dispatchers"
    wait_time = think(20, 40)

    @task
    def dispatch(self):
        cases = self.rpc.kw("dispatcher: pool", "hotline.case", "web_search_read",
                            [[("state", "=", "pool")]],
                            {"specification": {"name": {}, "category_id": {"fields": {"display_name": {}}}},
                             "limit": 80, "order": "date_received"}) or {}
        records = cases.get("records") or []
        if not records:
            return
        case = random.choice(records)
        self.rpc.kw("dispatcher: set unit", "hotline.case", "write",
                    [[case["id"]], {"unit_id": random.choice(REFS["units"])}])
        self.rpc.kw("dispatcher: dispatch", "hotline.case", "action_dispatch", [[case["id"]]])


class Reviewer(CenterUser):
    """审核员/班长: reviews submitted results and calls citizens back, every 30-60 seconds."""

    role = "reviewers"
    wait_time = think(30, 60)

    @task(2)
    def review(self):
        ids = self.rpc.kw("reviewer: to review", "hotline.case", "search",
                          [[("state", "=", "submitted")]], {"limit": 40}) or []
        if ids:
            self.rpc.kw("reviewer: approve", "hotline.case", "action_review_approve", [[random.choice(ids)]])

    @task(1)
    def call_back(self):
        ids = self.rpc.kw("reviewer: to call back", "hotline.case", "search",
                          [[("state", "=", "callback")]], {"limit": 40}) or []
        if ids:
            self.rpc.kw("reviewer: callback done", "hotline.case", "action_callback_done", [[random.choice(ids)]],
                        {"satisfaction": random.choice(["very_satisfied", "satisfied", "satisfied", "dissatisfied"]),
                         "note": "市民表示问题已解决。"})


class Manager(CenterUser):
    """A manager opening the unit statistics now and then."""

    role = "managers"
    wait_time = think(60, 120)

    @task
    def unit_statistics(self):
        self.rpc.kw("manager: unit statistics", "hotline.report.case.unit", "formatted_read_group",
                    [[]], {"groupby": ["unit_id"], "aggregates": ["__count"]})


class UnitUser(HttpUser):
    """二级单位 staff on the portal: signs for what arrived and submits results with a photo."""

    wait_time = think(30, 60)
    photo = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 200 + b"\xff\xd9"  # a 51 KB JPEG

    def on_start(self):
        self.login = take("unit_users")
        if not self.login:
            raise RuntimeError("no unit account left: raise their number in the floor")
        self.rpc = Rpc(self)
        self.rpc.login(self.login)

    def _case_ids(self, state):
        if self.rpc.logged_out:
            self.rpc.login(self.login)
        response = self.client.get(f"/my/hotline/cases?state={state}", name=f"unit: list {state}")
        return [int(i) for i in PORTAL_CASE.findall(response.text)]

    def _post(self, name, case_id, path, data, files=None):
        page = self.client.get(f"/my/hotline/cases/{case_id}", name="unit: open case")
        token = CSRF.search(page.text)
        if not token:
            return
        with self.client.post(f"/my/hotline/cases/{case_id}/{path}", data={"csrf_token": token.group(1), **data},
                              files=files, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code == 422 and CONFLICT.search(response.text):
                CONFLICTS["count"] += 1  # another member of the unit took the step first: the page says so
                response.success()
            elif response.status_code not in (200, 303, 302):
                response.failure(f"HTTP {response.status_code}")

    @task(1)
    def sign_for(self):
        ids = self._case_ids("dispatched")
        if ids:
            self._post("unit: sign for", random.choice(ids), "accept", {})

    @task(1)
    def submit(self):
        ids = self._case_ids("processing")
        if ids:
            self._post("unit: submit result", random.choice(ids), "submit",
                       {"note": "已派员处理，恢复供水。", "result": "resolved"},
                       files={"attachments": ("现场.jpg", self.photo, "image/jpeg")})


class Board(HttpUser):
    """A wall screen: its snapshot, then the bus's pushes over the websocket (the latency is not measured here:
    bench_monitor.py does)."""

    wait_time = between(50, 70)

    def on_start(self):
        self.token = take("boards")
        if not self.token:
            raise RuntimeError("no board left: raise their number in the floor")
        self.snapshot()
        self.pushes = 0
        self.ws = None
        self.stopping = False
        threading.Thread(target=self.listen, daemon=True).start()

    def listen(self):
        host = self.host.split("://", 1)[1].split(":")[0]
        port = self.host.rsplit(":", 1)[1]
        began = time.perf_counter()
        try:
            self.ws = websocket.create_connection(f"ws://{host}:{port}/websocket?version=19.0-2",
                                                  origin=self.host, timeout=600)
            self.ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [self.token], "last": 0}}))
            events.request.fire(request_type="WS", name="board: subscribe", response_time=(
                time.perf_counter() - began) * 1000, response_length=0, exception=None, context={})
            while True:
                message = self.ws.recv()
                if message:
                    self.pushes += 1
                    events.request.fire(request_type="WS", name="board: push received", response_time=0,
                                        response_length=len(message), exception=None, context={})
        except Exception as error:  # noqa: BLE001 - a dropped screen is a failure of the floor
            if not self.stopping:
                events.request.fire(request_type="WS", name="board: subscribe", response_time=0, response_length=0,
                                    exception=error, context={})

    def on_stop(self):
        self.stopping = True  # the floor's end closes the screen: not a failure
        if self.ws:
            self.ws.close()

    @task
    def snapshot(self):
        Rpc(self).call("board: snapshot", f"/hotline_monitor/board/{self.token}/snapshot", {})


# Each role as many users as the floor has accounts for it (Locust would otherwise share users out evenly).
for _cls, _role in ((Agent, "agents"), (Dispatcher, "dispatchers"), (Reviewer, "reviewers"), (Manager, "managers"),
                    (UnitUser, "unit_users"), (Board, "boards")):
    _cls.fixed_count = len(_pools[_role])
del _cls, _role  # Locust takes every User class it finds among the module's names


@events.quitting.add_listener
def _report_conflicts(environment, **_kw):
    print(f"HT_LOAD_CONFLICTS {CONFLICTS['count']}", flush=True)
