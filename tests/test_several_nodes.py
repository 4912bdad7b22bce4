"""Several center nodes, run for real: two prefork Odoo servers (config/odoo-center-production.conf, two
HTTP workers, a cron worker and the websocket process each) on one database and one data dir, behind a
real nginx with config/nginx/hotline-internal-nodes.conf (an upstream of both).

Checked: a session opened on one node is served by the other; a file uploaded through one is sent by the
other; a board's websocket on node B receives what a request on node A pushed (the bus goes through
PostgreSQL); both nodes' cron workers compete for a job and it never runs twice at once; three AMI bridges
started for one PBX: one serves it, the others wait and one takes over within seconds of a SIGKILL, and a
bridge whose lock session is cut stops serving; node A
killed (every process, SIGKILL) while answering a POST: that POST fails with 502 and is not replayed,
nginx sends everything after to B and the user stays logged in; a wall screen whose websocket (through
nginx) node A held, A killed: it reconnects through nginx to B as Odoo's bus worker does (subscribing
with the last notification id) and receives every push sent while it was away, once each, then the
next ones (node A is started again first when the test before left it dead).

Every other scheduled job of the demo database is switched off while the nodes run (and on again after):
the suite's other tests expect the database as its jobs left it.

Ports: HT_NODES_PORT (node A HTTP, A websocket, B HTTP, B websocket, the fake AMI: five in a row) and
HT_NODES_PROXY_PORT (nginx); default: free ports.
"""

import base64
import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import psutil
import psycopg2
import pytest
import requests
import websocket

from .conftest import login
from .internal_proxy import NGINX_CONF, NODES_CONF, serve_internal_proxy
from .odoo_process import OdooProcess, fake_ami_class, free_port

ROOT = Path(__file__).resolve().parent.parent
ODOO_CONF = ROOT / "config" / "odoo-center-production.conf"
BRIDGE_LOCK_NAMESPACE = 0x48544D  # hotline_telephony/ami/bridge.py


def _ports():
    base = os.environ.get("HT_NODES_PORT")
    ports = [int(base) + i for i in range(5)] if base else [free_port() for _ in range(5)]
    proxy = int(os.environ.get("HT_NODES_PROXY_PORT") or free_port())
    return ports, proxy


def _tree(pid):
    """A process and all its descendants (a prefork node: main, HTTP workers, cron worker, gevent)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        main = psutil.Process(pid)
        return [main, *main.children(recursive=True)]
    return []


def _kill_tree(procs):
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.send_signal(signal.SIGKILL)
    psutil.wait_procs(procs, timeout=10)


def _call(session, url, model, method, *args, **kwargs):
    reply = session.post(f"{url}/web/dataset/call_kw/{model}/{method}", timeout=60, json={
        "jsonrpc": "2.0", "method": "call", "id": 1,
        "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs}})
    assert reply.status_code == 200, reply.text[:500]
    body = reply.json()
    assert "error" not in body, body.get("error")
    return body["result"]


def _uid(session, url):
    reply = session.post(f"{url}/web/session/get_session_info", timeout=30,
                         json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": {}})
    assert reply.status_code == 200, reply.text[:300]
    return reply.json()["result"].get("uid")


def _served_by(access_log, method, uri_prefix, since=0):
    """The upstream ports that answered `method uri_prefix...` in nginx's access log (from line `since`);
    a request tried on a dead node first logs both addresses ("A, B"): the last one answered."""
    ports = []
    for line in access_log.read_text().splitlines()[since:]:
        verb, uri, _status, upstream = line.split(" ", 3)
        if verb == method and uri.startswith(uri_prefix):
            ports.append(upstream.rsplit(":", 1)[-1])
    return ports


class Node(OdooProcess):
    def __init__(self, name, db, http_port, gevent_port, tmp):
        super().__init__(
            db, http_port, tmp / f"node-{name}.log", "--workers=2", "--max-cron-threads=1",
            f"--gevent-port={gevent_port}", "--log-level=info",
            # a cron worker that finds the job taken by the other node says so at DEBUG
            "--log-handler=odoo.addons.base.models.ir_cron:DEBUG",
            env={"ODOO_CONF": str(ODOO_CONF)}, start_timeout=180)
        self.name = name  # its gevent_port: OdooProcess reads it from the options

    def wait_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.ready():
                return
            assert self.running, f"node {self.name} died:\n{self.log.read_text()[-3000:]}"
            time.sleep(0.5)
        raise AssertionError(f"node {self.name} did not answer:\n{self.log.read_text()[-3000:]}")

    def crash(self):
        """The node's machine dies: every process of it gets SIGKILL at once."""
        procs = _tree(self.pid)
        _kill_tree(procs)
        self.proc.wait(timeout=10)
        self.proc = None

    def shutdown(self):
        procs = _tree(self.pid) if self.running else []
        self.stop(timeout=5)
        _kill_tree([p for p in procs if p.is_running()])  # a worker that outlived its master


@pytest.fixture(scope="module")
def cluster(demo_db, tmp_path_factory):
    """Two nodes on the demo database and the shared data dir, nginx in front of both; yields a dict."""
    tmp = tmp_path_factory.mktemp("nodes")
    (a_http, a_bus, b_http, b_bus, ami_port), proxy_port = _ports()
    data_dir = Path(os.environ.get("ODOO_DATA_DIR", ROOT / ".odoo" / "data"))
    db = psycopg2.connect(dbname=demo_db)
    db.autocommit = True
    with db.cursor() as cr:
        cr.execute("UPDATE ir_cron SET active = false WHERE active RETURNING id")
        crons_off = [row[0] for row in cr.fetchall()]
    nodes = {"A": Node("A", demo_db, a_http, a_bus, tmp), "B": Node("B", demo_db, b_http, b_bus, tmp)}
    try:
        started = time.monotonic()
        for node in nodes.values():  # both boot at once, as a site restarting its nodes
            node.spawn()
        for node in nodes.values():
            node.wait_ready()
        boot = time.monotonic() - started
        with serve_internal_proxy(tmp, proxy_port, None, None, data_dir / "filestore",
                                  nodes=[(a_http, a_bus), (b_http, b_bus)]) as url:
            yield {"url": url, "nodes": nodes, "db": demo_db, "pg": db, "tmp": tmp, "data_dir": data_dir,
                   "access_log": tmp / "access.log", "ami_port": ami_port, "boot": boot}
    finally:
        for node in nodes.values():
            node.shutdown()
        with db.cursor() as cr:
            cr.execute("UPDATE ir_cron SET active = true WHERE id = ANY(%s)", [crons_off])
        db.close()


# --- the file ------------------------------------------------------------------------------------------

def test_nodes_file_is_the_single_node_file_with_an_upstream_of_nodes():
    """Every location, header and timeout of the several-nodes file is the single-node file's: only the
    upstreams (and the header comment) differ, so the two cannot drift apart."""
    def body(path):
        text = re.sub(r"(?m)^#.*\n", "", path.read_text())
        return re.sub(r"upstream \S+ \{.*?\n\}\n", "", text, flags=re.S).strip()

    assert body(NODES_CONF) == body(NGINX_CONF)
    nodes = NODES_CONF.read_text()
    http = re.search(r"upstream hotline_center \{(.*?)\}", nodes, re.S)[1]
    bus = re.search(r"upstream hotline_center_bus \{(.*?)\}", nodes, re.S)[1]
    assert len(re.findall(r"server \S+:8069 ", http)) >= 2 and "keepalive" in http
    assert len(re.findall(r"server \S+:8072 ", bus)) >= 2
    # no stickiness (ip_hash, hash, sticky): any node serves any session
    assert not re.search(r"\b(ip_hash|hash|sticky)\b", http + bus)
    # a POST a node died answering is not replayed on another (no non_idempotent)
    assert "non_idempotent" not in nodes and "proxy_next_upstream error timeout" in nodes


def test_postgresql_drops_a_vanished_hosts_sessions():
    """A node's host gone silent holds the AMI bridge's lock until PostgreSQL notices: its keepalives bound
    that (idle + count x interval <= 30 s), in the plain file and in Compose alike."""
    pg = dict(re.findall(r"^\s*(tcp_keepalives_\w+)\s*=\s*(\d+)", (ROOT / "config" / "postgresql" /
                                                                "hotline-center.conf").read_text(), re.M))
    idle, interval, count = (int(pg[f"tcp_keepalives_{k}"]) for k in ("idle", "interval", "count"))
    assert idle + count * interval <= 30
    compose = (ROOT / "docker-compose.yml").read_text()
    for key, value in pg.items():
        assert f'"{key}={value}"' in compose, key


# --- the nodes, running -------------------------------------------------------------------------------

def test_a_session_opened_on_one_node_is_served_by_the_other(cluster):
    node_a, node_b = cluster["nodes"]["A"], cluster["nodes"]["B"]
    session = login(node_a.url, "agent", "agent")
    uid = _uid(session, node_a.url)
    assert uid
    # the same cookie on node B: the session file is read from the shared data dir
    on_b = requests.Session()
    on_b.cookies.set("session_id", session.cookies["session_id"])
    assert _uid(on_b, node_b.url) == uid
    cases = _call(on_b, node_b.url, "hotline.case", "search_read", [], ["name"], limit=3)
    assert cases
    # through nginx, without stickiness: both nodes answer the one session's requests
    through = login(cluster["url"], "agent", "agent")
    since = len(cluster["access_log"].read_text().splitlines())
    for _ in range(6):
        assert _uid(through, cluster["url"]) == uid
    served = _served_by(cluster["access_log"], "POST", "/web/session/get_session_info", since)
    assert set(served) == {str(node_a.port), str(node_b.port)}, served


def test_a_file_uploaded_through_one_node_is_sent_by_the_other(cluster):
    node_a, node_b = cluster["nodes"]["A"], cluster["nodes"]["B"]
    admin = login(node_a.url, "admin", "admin")
    body = os.urandom(200_000)
    attachment = _call(admin, node_a.url, "ir.attachment", "create", {
        "name": "多节点照片.bin", "datas": base64.b64encode(body).decode(), "res_model": "res.partner",
        "res_id": 1})
    try:
        # node B names the file in the shared file store for nginx to send (X-Accel-Redirect)
        own = requests.get(f"{node_b.url}/web/content/{attachment}?download=true", timeout=30,
                           cookies={"session_id": admin.cookies["session_id"]})
        assert own.status_code == 200, own.text[:300]
        redirect = own.headers.get("X-Accel-Redirect", "")
        assert redirect.startswith(f"/web/filestore/{cluster['db']}/"), own.headers
        stored = cluster["data_dir"] / "filestore" / redirect.removeprefix("/web/filestore/")
        assert hashlib.sha256(stored.read_bytes()).digest() == hashlib.sha256(body).digest()
        # through nginx, whichever node answers, the bytes are the uploaded ones
        through = login(cluster["url"], "admin", "admin")
        since = len(cluster["access_log"].read_text().splitlines())
        for _ in range(4):
            reply = through.get(f"{cluster['url']}/web/content/{attachment}?download=true", timeout=30)
            assert reply.status_code == 200 and reply.content == body
        served = _served_by(cluster["access_log"], "GET", f"/web/content/{attachment}", since)
        assert set(served) == {str(node_a.port), str(node_b.port)}, served
    finally:
        _call(admin, node_a.url, "ir.attachment", "unlink", [attachment])


def _board_updates(ws, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            frame = ws.recv()
        except websocket.WebSocketTimeoutException:
            continue
        if [n for n in json.loads(frame) if n["message"]["type"] == "hotline_monitor/update"]:
            return time.monotonic()
    return None


def test_a_board_on_node_b_receives_a_push_from_node_a(cluster):
    """The bus crosses nodes (PostgreSQL NOTIFY): a board's websocket on B's websocket process receives
    the push of a case edited through A's HTTP workers, about as fast as one on A itself."""
    node_a, node_b = cluster["nodes"]["A"], cluster["nodes"]["B"]
    admin = login(node_a.url, "admin", "admin")
    board = _call(admin, node_a.url, "hotline.wallboard", "create", {"name": "多节点测试大屏"})
    token = _call(admin, node_a.url, "hotline.wallboard", "read", [board], ["access_token"])[0]["access_token"]
    case = _call(admin, node_a.url, "hotline.case", "search_read", [["category_id", "!=", False]],
                 ["category_id"], limit=1)[0]
    sockets = {}
    try:
        for name, node in (("B", node_b), ("A", node_a)):
            # the websocket process loads the registry on its first connection: slow on a loaded machine
            ws = websocket.create_connection(f"ws://127.0.0.1:{node.gevent_port}/websocket", timeout=120,
                                             header=[f"Origin: {node.url}"])
            ws.settimeout(2)
            assert ws.getstatus() == 101
            ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [token], "last": 0}}))
            sockets[name] = ws
        time.sleep(1)
        latency = {}
        for name in ("B", "A"):
            sent = time.monotonic()
            _call(admin, node_a.url, "hotline.case", "write", [case["id"]], {"category_id": case["category_id"][0]})
            received = _board_updates(sockets[name])
            assert received, f"the board on node {name} got no push of the write handled by node A"
            latency[name] = received - sent
            for ws in sockets.values():  # the other socket's copy of this push, out of the way
                with contextlib.suppress(websocket.WebSocketTimeoutException):
                    ws.settimeout(0.5)
                    while ws.recv():
                        pass
                ws.settimeout(2)
        print(f"\nboard push latency: node B {latency['B'] * 1000:.0f} ms, node A {latency['A'] * 1000:.0f} ms")
        # the other node's board is no later than the writing node's own, beyond the loaded machine's noise
        assert latency["B"] < 5 and latency["B"] <= latency["A"] + 1.0, latency
    finally:
        for ws in sockets.values():
            ws.close()
        _call(admin, node_a.url, "hotline.wallboard", "unlink", [board])


def test_a_cron_job_never_runs_on_both_nodes_at_once(cluster):
    """Both nodes' cron workers are woken for one due job again and again while it runs: one runs it, the
    other finds it locked (FOR NO KEY UPDATE SKIP LOCKED) and skips it: it runs once, not twice at once."""
    url, db = cluster["nodes"]["A"].url, cluster["db"]
    admin = login(url, "admin", "admin")
    model = _call(admin, url, "ir.model", "search", [["model", "=", "res.partner"]])[0]
    name = f"several nodes test {os.getpid()}"
    job = _call(admin, url, "ir.cron", "create", {
        "name": name, "model_id": model, "state": "code", "interval_number": 1, "interval_type": "days",
        "code": "log('nodes-cron start')\ntime.sleep(5)\nlog('nodes-cron end')",
        "nextcall": "2000-01-01 00:00:00", "active": True})
    pg = cluster["pg"]
    # cron workers LISTEN on the `postgres` database, where Odoo's own _notifydb() sends
    wake = psycopg2.connect(dbname="postgres")
    wake.autocommit = True
    try:
        # wake both nodes' cron workers again and again until the job has run (it takes 5 s)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with wake.cursor() as cr:
                cr.execute("SELECT pg_notify('cron_trigger', %s)", [db])
            with pg.cursor() as cr:
                cr.execute("SELECT nextcall > now() at time zone 'UTC' FROM ir_cron WHERE id = %s", [job])
                if cr.fetchone()[0]:
                    break
            time.sleep(0.5)
        with pg.cursor() as cr:
            cr.execute("""SELECT message, create_date FROM ir_logging
                           WHERE type = 'server' AND path = 'action' AND message LIKE 'nodes-cron %%'
                             AND func = %s ORDER BY create_date, id""", [name])
            marks = [m.split()[1] for m, _at in cr.fetchall()]
        assert marks == ["start", "end"], marks
        logs = {n: node.log.read_text() for n, node in cluster["nodes"].items()}
        runs = {n: len(re.findall(rf"Job '{re.escape(name)}' \(\d+\) starting", text)) for n, text in logs.items()}
        assert sum(runs.values()) == 1, runs
        skipped = {n: len(re.findall(rf"job {job} is being processed by another worker, skip", text))
                   for n, text in logs.items()}
        # the node that did not run it tried while it ran (the lock, not luck, kept it to one run)
        assert sum(skipped.values()) >= 1, (runs, skipped)
        print(f"\ncron: runs per node {runs}, skips (found locked) per node {skipped}")
    finally:
        wake.close()
        _call(admin, url, "ir.cron", "unlink", [job])
        with pg.cursor() as cr:
            cr.execute("DELETE FROM ir_logging WHERE func = %s", [name])


def _bridge_holder(pg, pbx_id):
    """The pid of the process whose session holds the PBX's bridge lock (Odoo names it odoo-<pid>)."""
    with pg.cursor() as cr:
        cr.execute("""SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                       WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.objsubid = 2
                         AND l.granted""", [BRIDGE_LOCK_NAMESPACE, pbx_id])
        row = cr.fetchone()
    return int(row[0].removeprefix("odoo-")) if row else None


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    return predicate()


def test_one_ami_bridge_writes_the_other_stands_by_and_takes_over(cluster):
    """A bridge started on each node for one PBX: one holds the PBX's lock and is AMI's only client, the
    other waits; the first killed (SIGKILL), the second takes the lock and the AMI link within seconds. A
    bridge whose lock session is cut stops serving: the fence."""
    url, db, pg, tmp = cluster["nodes"]["A"].url, cluster["db"], cluster["pg"], cluster["tmp"]
    admin = login(url, "admin", "admin")
    FakeAmi = fake_ami_class()  # noqa: N806
    bridges, logs = [], {}
    with FakeAmi(port=cluster["ami_port"]) as ami:
        pbx = _call(admin, url, "hotline.pbx", "create", {
            "name": "多节点测试交换机", "host": "127.0.0.1", "port": ami.port, "username": ami.username,
            "secret": ami.secret, "queue_names": "nodes-test", "originate_context": "from-internal"})

        def bridge(name):
            log = open(tmp / f"bridge-{name}.log", "w")  # noqa: SIM115 - kept open for the process's life
            proc = subprocess.Popen(
                [str(ROOT / "scripts" / "odoo"), "hotline_ami", "-d", db, "--pbx-id", str(pbx),
                 "--log-level=info"], env={**os.environ, "ODOO_CONF": str(ODOO_CONF)},
                stdout=log, stderr=subprocess.STDOUT)
            bridges.append(proc)
            logs[proc.pid] = tmp / f"bridge-{name}.log"
            return proc

        try:
            # one bridge per node, all started at once (a site booting): one serves, the others wait
            procs = {proc.pid: proc for proc in (bridge(name) for name in ("one", "two", "three"))}
            holder = _wait(lambda: len(ami.clients()) == 1 and _bridge_holder(pg, pbx), 120)
            assert holder in procs, [log.read_text()[-1500:] for log in logs.values()]
            assert _wait(lambda: all("standby" in log.read_text() for pid, log in logs.items() if pid != holder), 90)
            time.sleep(2)  # the standbys keep trying: they still neither hold the lock nor talk to AMI
            assert _bridge_holder(pg, pbx) == holder and len(ami.clients()) == 1
            # the serving bridge's node dies: a standby takes the PBX within seconds
            procs[holder].send_signal(signal.SIGKILL)
            procs.pop(holder).wait(timeout=10)
            killed = time.monotonic()
            assert _wait(lambda: _bridge_holder(pg, pbx) in procs and len(ami.clients()) == 1, 10), \
                [log.read_text()[-1500:] for log in logs.values()]
            takeover = time.monotonic() - killed
            holder = _bridge_holder(pg, pbx)
            status = _call(admin, url, "hotline.pbx", "read", [pbx], ["bridge_status"])[0]["bridge_status"]
            assert status == "connected"
            # the fence: the serving bridge's lock session is cut (a network cut, a DBA's kill) while it
            # lives: it lets go of AMI and stands by; whichever bridge takes the lock then is AMI's only client
            with pg.cursor() as cr:
                cr.execute("""SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'
                                AND classid = %s AND objid = %s AND objsubid = 2 AND granted""",
                           [BRIDGE_LOCK_NAMESPACE, pbx])
            assert _wait(lambda: "back to standby" in logs[holder].read_text(), 10), logs[holder].read_text()[-2000:]
            assert _wait(lambda: _bridge_holder(pg, pbx) in procs and len(ami.clients()) == 1, 10)
            time.sleep(2)  # and it stays so: the other one keeps standing by
            assert _bridge_holder(pg, pbx) in procs and len(ami.clients()) == 1
            print(f"\nAMI bridge takeover after SIGKILL: {takeover:.1f} s")
            assert takeover < 5
            for proc in procs.values():
                proc.send_signal(signal.SIGTERM)
            assert [proc.wait(timeout=30) for proc in procs.values()] == [0, 0]
            assert _bridge_holder(pg, pbx) is None
            assert not [pid for pid, log in logs.items() if pid in procs and " ERROR " in log.read_text()]
        finally:
            for proc in bridges:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=10)
            _call(admin, url, "hotline.pbx", "unlink", [pbx])


def _run_job_through(session, url, job, replies):
    """Run a scheduled job by hand (a POST whose answer waits for the job), as the web client's button."""
    reply = session.post(f"{url}/web/dataset/call_kw/ir.cron/method_direct_trigger", timeout=120, json={
        "jsonrpc": "2.0", "method": "call", "id": 1,
        "params": {"model": "ir.cron", "method": "method_direct_trigger", "args": [[job]], "kwargs": {}}})
    replies[job] = reply.status_code


def test_node_a_killed_nginx_serves_everything_from_b(cluster):
    """Node A's machine dies (every process SIGKILLed) while users work through nginx: the POST it was
    answering fails with 502 and is not replayed on B; the next requests go to node B and the user is still
    logged in (the session is in the shared data dir)."""
    url, node_a, node_b, pg = cluster["url"], cluster["nodes"]["A"], cluster["nodes"]["B"], cluster["pg"]
    session = login(url, "agent", "agent")
    uid = _uid(session, url)
    for _ in range(4):
        _call(session, url, "hotline.case", "search_read", [], ["name"], limit=1)
    # two slow POSTs in flight, one on each node (nginx takes the nodes in turn): a job run by hand
    admin = login(url, "admin", "admin")
    model = _call(admin, url, "ir.model", "search", [["model", "=", "res.partner"]])[0]
    name = f"several nodes in flight {os.getpid()}"
    jobs = [_call(admin, url, "ir.cron", "create", {
        "name": name, "model_id": model, "state": "code", "interval_number": 1, "interval_type": "days",
        "code": "log('nodes-flight start')\ntime.sleep(6)\nlog('nodes-flight end')", "active": False})
        for _ in range(2)]
    replies = {}
    try:
        since = len(cluster["access_log"].read_text().splitlines())
        threads = [threading.Thread(target=_run_job_through, args=(admin, url, job, replies)) for job in jobs]
        for thread in threads:
            thread.start()
            time.sleep(0.2)

        def started():
            with pg.cursor() as cr:
                cr.execute("SELECT count(*) FROM ir_logging WHERE func = %s AND message = 'nodes-flight start'",
                           [name])
                return cr.fetchone()[0] == 2

        assert _wait(started, 60), "the two jobs did not start"
        node_a.crash()
        for thread in threads:
            thread.join(timeout=60)
        # the POST node A was answering failed (not replayed: the job ran once there, cut); B's finished
        assert sorted(replies.values()) == [200, 502], replies
        with pg.cursor() as cr:
            cr.execute("SELECT message FROM ir_logging WHERE func = %s ORDER BY id", [name])
            assert sorted(m for (m,) in cr.fetchall()) == ["nodes-flight end", "nodes-flight start",
                                                           "nodes-flight start"]
        flight = [line.split(" ", 3) for line in cluster["access_log"].read_text().splitlines()[since:]
                  if "method_direct_trigger" in line]
        assert sorted((status, upstream.split(":")[-1]) for _v, _u, status, upstream in flight) == \
            [("200", str(node_b.port)), ("502", str(node_a.port))], flight
        since = len(cluster["access_log"].read_text().splitlines())
        started_at = time.monotonic()
        for _ in range(6):
            assert _uid(session, url) == uid
            assert _call(session, url, "hotline.case", "search_read", [], ["name"], limit=1)
            assert session.get(f"{url}/odoo", timeout=30, allow_redirects=False).status_code == 200
        print(f"\nafter node A's death: 18 requests through nginx in {time.monotonic() - started_at:.1f} s, "
              f"nodes booted in {cluster['boot']:.0f} s")
        served = _served_by(cluster["access_log"], "POST", "/web/", since)
        assert served and set(served) == {str(node_b.port)}, served
    finally:
        _call(admin, url, "ir.cron", "unlink", jobs)
        with pg.cursor() as cr:
            cr.execute("DELETE FROM ir_logging WHERE func = %s", [name])


# --- a board's websocket, its node killed ---------------------------------------------------------------

BUS_VERSION = "19.0-2"  # odoo/addons/bus/websocket.py WebsocketConnectionHandler._VERSION


def _bus_connections(port):
    """Established TCP connections to a node's websocket port (nginx's, one per client websocket)."""
    return sum(1 for conn in psutil.net_connections(kind="tcp")
               if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_ESTABLISHED)


class BusClient:
    """A websocket client as Odoo 19's bus worker (bus/static/src/workers/websocket_worker.js): it keeps
    the id of the last notification received; its socket closed uncleanly, it reconnects with a growing
    delay (1 s x 1.5 each try) and subscribes again with `last` = that id, so the server sends what it
    missed (bus.bus._poll: id > last) and nothing it had already sent."""

    def __init__(self, url, channels, last):
        self.url = url.replace("http://", "ws://") + f"/websocket?version={BUS_VERSION}"
        self.origin = url
        self.channels = channels
        self.last = last
        self.ws = None
        self.received = []  # every notification, in order of arrival

    def connect(self, timeout=120):
        delay, deadline = 1.0, time.monotonic() + timeout
        while True:
            try:
                # a node's websocket process loads the registry on its first connection: slow when loaded
                self.ws = websocket.create_connection(self.url, timeout=120, header=[f"Origin: {self.origin}"])
                break
            except (OSError, websocket.WebSocketException):
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay *= 1.5
        assert self.ws.getstatus() == 101
        self.ws.settimeout(1)
        self.ws.send(json.dumps({"event_name": "subscribe",
                                 "data": {"channels": self.channels, "last": self.last}}))

    def receive(self, until, timeout=30):
        """Notifications until `until(received)` holds; False if the socket closed or time ran out."""
        deadline = time.monotonic() + timeout
        while not until(self.received):
            if time.monotonic() > deadline:
                return False
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except (OSError, websocket.WebSocketConnectionClosedException):
                return False
            if not frame:  # closed by the peer
                return False
            notifications = json.loads(frame)
            self.received.extend(notifications)
            self.last = notifications[-1]["id"]
        return True

    def closed(self, timeout=30):
        """True once the socket is closed from the other side (the node behind nginx died)."""
        return not self.receive(lambda _received: False, timeout)

    def close(self):
        if self.ws:
            self.ws.close()


def test_a_board_whose_node_dies_reconnects_to_b_and_misses_nothing(cluster):
    """A wall screen's websocket through nginx is held by node A; A dies (every process SIGKILLed); cases
    are edited through nginx (node B) meanwhile. The screen reconnects as Odoo's bus worker does, nginx
    sends it to B, and it receives every push sent while it was away, once each, then the next ones."""
    url, node_a, node_b, pg, db = (cluster["url"], cluster["nodes"]["A"], cluster["nodes"]["B"],
                                   cluster["pg"], cluster["db"])
    if not node_a.running:  # killed by the test before (the module run in full): A's machine is back
        node_a.spawn()
        node_a.wait_ready()
    admin = login(url, "admin", "admin")
    board = _call(admin, url, "hotline.wallboard", "create", {"name": "多节点重连测试大屏"})
    token = _call(admin, url, "hotline.wallboard", "read", [board], ["access_token"])[0]["access_token"]
    case = _call(admin, url, "hotline.case", "search_read", [["category_id", "!=", False]],
                 ["category_id"], limit=1)[0]

    def edit_case():
        # a real product action: a case edited, every board's token channel gets the case panel
        _call(admin, url, "hotline.case", "write", [case["id"]], {"category_id": case["category_id"][0]})

    def sent_since(last):
        with pg.cursor() as cr:
            cr.execute("SELECT id FROM bus_bus WHERE channel = %s AND id > %s ORDER BY id",
                       [json.dumps([db, token], separators=(",", ":")), last])
            return [row[0] for row in cr.fetchall()]

    def updates(notifications):
        return [n for n in notifications if n["message"]["type"] == "hotline_monitor/update"]

    with pg.cursor() as cr:  # the page gives the worker the bus's last id: it starts from there
        cr.execute("SELECT coalesce(max(id), 0) FROM bus_bus")
        start = cr.fetchone()[0]
    clients = []
    try:
        # websockets through nginx until one is held by node A (least_conn: the one on B makes A the next;
        # A just restarted may still be marked failed for its fail_timeout)
        deadline = time.monotonic() + 60
        while True:
            on_a = _bus_connections(node_a.gevent_port)
            client = BusClient(url, [token], start)
            client.connect()
            clients.append(client)
            if _wait(lambda on_a=on_a: _bus_connections(node_a.gevent_port) > on_a, 3):
                break
            assert time.monotonic() < deadline, "no websocket through nginx reached node A"
            time.sleep(2)
        screen, others = clients[-1], clients[:-1]
        for other in others:
            other.close()
        time.sleep(1)  # subscribed
        edit_case()
        assert screen.receive(lambda got: updates(got)), "the screen on node A got no push"
        before = [n["id"] for n in screen.received]
        assert before == sent_since(start), (before, sent_since(start))

        node_a.crash()
        assert screen.closed(), "the screen's websocket stayed open after its node died"
        away_from = screen.last
        since = len(cluster["access_log"].read_text().splitlines())
        for _ in range(3):  # the floor goes on while the screen is away
            edit_case()
        missed = sent_since(away_from)
        assert len(missed) >= 3, missed
        assert set(_served_by(cluster["access_log"], "POST", "/web/dataset/call_kw/hotline.case/write",
                              since)) == {str(node_b.port)}
        reconnecting = time.monotonic()
        on_b = _bus_connections(node_b.gevent_port)
        screen.connect()
        assert _wait(lambda: _bus_connections(node_b.gevent_port) > on_b, 5), "the screen is not on node B"
        assert screen.receive(lambda got: {n["id"] for n in got} >= set(missed), 30), \
            ("the pushes sent while the screen was away did not all arrive", missed, screen.received)
        caught_up = time.monotonic() - reconnecting
        edit_case()  # and the next ones keep coming, through B
        after = sent_since(screen.last)
        assert after, "the edit after the reconnection pushed nothing"
        assert screen.receive(lambda got: got[-1]["id"] >= after[-1], 30)
        time.sleep(1)
        screen.receive(lambda _got: False, 1)  # nothing more (no replay)
        ids = [n["id"] for n in screen.received]
        assert ids == sent_since(start), (ids, sent_since(start))  # none lost, none twice, in order
        assert len(updates(screen.received)) == len(ids) >= 5
        print(f"\nscreen on node A (websocket {len(clients)} through nginx) reconnected to node B and caught up "
              f"{len(missed)} pushes in {caught_up:.1f} s")
    finally:
        for client in clients:
            client.close()
        _call(admin, url, "hotline.wallboard", "unlink", [board])
