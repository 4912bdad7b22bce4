"""Fault run of the 12345 platform exchange (issue 26) with real processes killed mid-transfer.

A real Odoo server (on a copy of the demo database) and the stand-in platform (tests/platform_standin.py, a
process of its own that keeps its state in a file) exchange 50 events each way over REST: the platform
dispatches 10 work orders and urges each 4 times through the center's signed webhook; the center answers each
work order with its receipt and 4 interim replies, sent by the exchange's cron job (run on demand, as the
cron's trigger does). Mid-stream:
  (a) the platform is killed -9 after it took a push of the center and before its answer (the answer is lost,
      then the connection is refused until it is back);
  (b) Odoo is killed -9 while its sending job waits for the platform's answer and the platform is pushing a
      batch of events to its webhook.
Then retries and the daily reconciliation run, and every event must be there exactly once on each side, in
each work order's order, with no dead letter and no unexplained difference.

Ports: TEST_HTTP_PORT (Odoo) and HT_PLATFORM_STANDIN_PORT (the stand-in); default: free ports.
"""

import binascii
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2
import pytest
import pytz
import requests

from .exchange.servers import API_KEY_CRYPT, API_KEY_INDEX_SIZE, API_KEY_SIZE
from .odoo_process import OdooProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "故障-共享密钥-7c1e"
ORDERS, STEPS = 10, 4  # 10 work orders; 1 + 4 events each way on each: 50 each way


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


class Standin:
    """The stand-in platform's process: start, kill -9, start again on the same state file."""

    def __init__(self, port, state, log, webhook, day, tz):
        self.port, self.state, self.log, self.webhook, self.day, self.tz = port, state, log, webhook, day, tz
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None

    def start(self):
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "tests" / "platform_standin.py"), "--port", str(self.port),
                 "--state", str(self.state), "--secret", SECRET, "--webhook", self.webhook, "--day", self.day,
                 "--tz", self.tz],
                stdout=out, stderr=subprocess.STDOUT)
        _wait(lambda: self._answers(), 20, "the stand-in platform")
        return self

    def _answers(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"the stand-in platform died:\n{Path(self.log).read_text()[-2000:]}")
        try:
            self.control("state")
        except requests.RequestException:
            return False
        return True

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def control(self, name, **data):
        reply = requests.post(f"{self.url}/control/{name}", json=data, timeout=10)
        reply.raise_for_status()
        return reply.json()


class Rpc:
    """/json/2 as the administrator, with an API key written in SQL (see tests/exchange/servers.py)."""

    def __init__(self, url, db, key):
        self.url, self.db, self.key = url, db, key

    def __call__(self, model, method, ids=None, timeout=60, **kwargs):
        body = {**kwargs, **({"ids": list(ids)} if ids is not None else {})}
        reply = requests.post(f"{self.url}/json/2/{model}/{method}", json=body, timeout=timeout,
                              headers={"Authorization": f"bearer {self.key}", "X-Odoo-Database": self.db})
        if reply.status_code != 200:
            raise RuntimeError(f"/json/2/{model}/{method}: {reply.status_code} {reply.text[:1000]}")
        return reply.json()


def _admin_key(db):
    key = binascii.hexlify(os.urandom(API_KEY_SIZE)).decode()
    conn = psycopg2.connect(dbname=db)
    with conn, conn.cursor() as cr:
        cr.execute("INSERT INTO res_users_apikeys (name, user_id, scope, expiration_date, key, index)"
                   " VALUES ('platform fault run', 2, NULL, NULL, %s, %s)",
                   [API_KEY_CRYPT.hash(key), key[:API_KEY_INDEX_SIZE]])
    conn.close()
    return key


class Runner(threading.Thread):
    """The exchange's cron job, run again and again inside the server (ir.cron's direct trigger), as its
    trigger at each commit and its minute's round would; a round cut by a kill is just a failed call."""

    def __init__(self, rpc, cron_id):
        super().__init__(daemon=True)
        self.rpc, self.cron_id = rpc, cron_id
        self.stopped = threading.Event()
        self.rounds = self.failures = 0

    def run(self):
        while not self.stopped.is_set():
            try:
                self.rpc("ir.cron", "method_direct_trigger", ids=[self.cron_id], timeout=60)
                self.rounds += 1
            except (requests.RequestException, RuntimeError, ValueError):
                self.failures += 1
            self.stopped.wait(0.3)


def _copy_db(source, db):
    """A copy of the demo database; while another server of the session holds it (createdb -T refuses), a
    dump restored instead (slower, ~10 s)."""
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
    if subprocess.run(["createdb", "-T", source, db], capture_output=True).returncode:
        subprocess.run(["createdb", db], check=True)
        dump = subprocess.Popen(["pg_dump", "-Fc", source], stdout=subprocess.PIPE)
        subprocess.run(["pg_restore", "--no-owner", "-d", db], stdin=dump.stdout, check=True, capture_output=True)
        assert dump.wait() == 0, f"pg_dump {source} failed"


@pytest.fixture
def rig(demo_db, tmp_path):
    db = f"{demo_db}_pfault"
    _copy_db(demo_db, db)
    # the other platforms of the demo data point nowhere: only the stand-in is reconciled
    conn = psycopg2.connect(dbname=db)
    with conn, conn.cursor() as cr:
        cr.execute("UPDATE hotline_platform_counterpart SET active = false")
        # the city's clock is the center's (res.company._hotline_tz, as its SQL mirror reads it)
        cr.execute("""SELECT COALESCE(rc.tz, p.tz, 'Asia/Shanghai') FROM res_company co
                        JOIN res_partner p ON p.id = co.partner_id
                   LEFT JOIN resource_calendar rc ON rc.id = co.resource_calendar_id
                    ORDER BY co.sequence, co.id LIMIT 1""")
        tz = cr.fetchone()[0]
    conn.close()
    key = _admin_key(db)
    port = int(os.environ.get("TEST_HTTP_PORT") or free_port())
    standin_port = int(os.environ.get("HT_PLATFORM_STANDIN_PORT") or free_port())
    code = f"flt{uuid.uuid4().hex[:8]}"
    # the platform dispatched its work orders yesterday (the center's day): the daily reconciliation's day
    day = (datetime.now(pytz.timezone(tz)).date() - timedelta(days=1)).isoformat()
    odoo = OdooProcess(db, port, tmp_path / "odoo.log", start_timeout=90)
    platform = Standin(standin_port, tmp_path / "platform.json", tmp_path / "platform.log",
                       f"{odoo.url}/hotline/platform/{code}/events", day, tz)
    try:
        odoo.start()
        platform.start()
        yield {"db": db, "key": key, "odoo": odoo, "platform": platform, "code": code, "day": day}
    finally:
        platform.stop()
        odoo.stop()
        subprocess.run(["dropdb", "--if-exists", "--force", db], check=False)
        shutil.rmtree(ROOT / ".odoo" / "data" / "filestore" / db, ignore_errors=True)


def _rows(db, query, params=None):
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()
    finally:
        conn.close()


def test_kill_either_side_mid_transfer(rig):
    started = time.monotonic()
    db, odoo, platform = rig["db"], rig["odoo"], rig["platform"]
    rpc = Rpc(odoo.url, db, rig["key"])
    [counterpart_id] = rpc("hotline.platform.counterpart", "create", vals_list=[{
        "name": "故障演练平台", "code": rig["code"], "transport": "rest", "endpoint": f"{platform.url}/api",
        "secret": SECRET, "poll": False, "timeout": 5, "max_attempts": 30}])
    rpc("hotline.platform.code.table", "create", vals_list=[{"counterpart_id": counterpart_id, "version": "F1",
                                                             "date_start": "2020-01-01"}])
    cron_id = rpc("ir.model.data", "check_object_reference", module="hotline_platform",
                  xml_id="ir_cron_hotline_platform_run")[1]
    refs = [f"GD-F{n:02d}" for n in range(ORDERS)]
    platform.control("emit", events=[{"ref": ref, "kind": "dispatch", "payload": {
        "content": f"故障演练工单 {ref}", "deadline": "2030-01-01T18:00:00+08:00"}} for ref in refs])

    def cases():
        return dict(_rows(db, "SELECT platform_ref, id FROM hotline_case WHERE platform_counterpart_id = %s",
                          [counterpart_id]))

    runner = Runner(rpc, cron_id)
    runner.start()
    try:
        case_ids = _wait(lambda: len(cases()) == ORDERS and cases(), 30, "the dispatched work orders")
        # the same-run baseline: 10 events each way, no fault
        _wait(lambda: len(platform.control("state")["received"]) == ORDERS, 30, "the receipts of the work orders")
        baseline = time.monotonic() - started

        def reply(step):
            for ref in refs:
                wizard = rpc("hotline.platform.reply.wizard", "create", vals_list=[
                    {"case_id": case_ids[ref], "kind": "progress", "note": f"进展 {step}"}])
                rpc("hotline.platform.reply.wizard", "action_send", ids=wizard)

        def urge(step):
            platform.control("emit", events=[{"ref": ref, "kind": "urge", "payload": {"note": f"催办 {step}"}}
                                             for ref in refs])

        # (a) the platform killed after taking a push, before answering; down a moment, then back
        platform.control("hold", seconds=30)
        reply(1)
        urge(1)
        lost = _wait(lambda: platform.control("state")["held"] and platform.control("state")["held_keys"], 20,
                     "a push of the center held by the platform")
        platform.kill()
        time.sleep(1.5)  # the center's calls meanwhile: connection refused
        platform.start()

        # (b) Odoo killed while its sending job waits for the platform and the platform pushes to its webhook
        platform.control("hold", seconds=30)
        platform.control("hold_webhook", seconds=30)
        reply(2)
        urge(2)
        urge(3)
        lost += _wait(lambda: platform.control("state")["held"] and platform.control("state")["held_keys"], 20,
                      "the center's sending job under way")
        _wait(lambda: platform.control("state")["webhook_held"], 20, "a push to the center's webhook under way")
        odoo.kill()
        platform.control("release")
        odoo.start()

        reply(3)
        reply(4)
        urge(4)
        faults_done = time.monotonic()

        def settled():
            state = platform.control("state")
            open_here = _rows(db, """SELECT count(*) FROM hotline_platform_event WHERE counterpart_id = %s
                                     AND state NOT IN ('sent', 'applied')""", [counterpart_id])[0][0]
            return not state["unconfirmed"] and len(state["received"]) == ORDERS * (1 + STEPS) and not open_here
        _wait(settled, 60, "every event delivered both ways")
        drained = time.monotonic()
    finally:
        runner.stopped.set()
        runner.join(timeout=70)

    state = platform.control("state")
    # the platform: each of the center's events once, in each work order's order
    expected = {f"{ref}:{seq}" for ref in refs for seq in range(1, STEPS + 2)}
    assert set(state["received"]) == expected
    assert sorted(state["arrivals"]) == sorted(expected)
    for ref in refs:
        arrived = [state["received"][key] for key in state["arrivals"] if key.startswith(f"{ref}:")]
        assert [e["seq"] for e in arrived] == list(range(1, STEPS + 2)), ref
        assert [e["kind"] for e in arrived] == ["receive"] + ["progress"] * STEPS, ref
        assert [e["payload"].get("note") for e in arrived[1:]] == [f"进展 {n}" for n in range(1, STEPS + 1)], ref
    # the held answers were lost (the platform killed, then the center): the center sent those events again,
    # the platform took them once
    assert lost and all(state["duplicates"].get(key) for key in lost), (lost, state["duplicates"])

    # the center: one case per work order, each of the platform's events applied once, in order
    rows = _rows(db, """SELECT c.platform_ref, count(*), min(c.urge_count), max(c.urge_count), min(c.state)
                          FROM hotline_case c WHERE c.platform_counterpart_id = %s GROUP BY c.platform_ref""",
                 [counterpart_id])
    assert sorted(rows) == [(ref, 1, STEPS, STEPS, "pool") for ref in refs]
    events = _rows(db, """SELECT platform_ref, direction, sequence, kind, state, payload->>'note', date_ack
                            FROM hotline_platform_event WHERE counterpart_id = %s
                           ORDER BY platform_ref, direction, sequence""", [counterpart_id])
    inbound = [e for e in events if e[1] == "in"]
    outbound = [e for e in events if e[1] == "out"]
    assert len(inbound) == len(outbound) == ORDERS * (1 + STEPS)
    assert {e[4] for e in inbound} == {"applied"} and {e[4] for e in outbound} == {"sent"}
    for ref in refs:
        mine = [e for e in inbound if e[0] == ref]
        assert [e[2] for e in mine] == list(range(1, STEPS + 2))
        assert [e[3] for e in mine] == ["dispatch"] + ["urge"] * STEPS
        assert [e[5] for e in mine[1:]] == [f"催办 {n}" for n in range(1, STEPS + 1)]
        # applied in sequence order (a later event waits for the earlier one)
        assert [e[6] for e in mine] == sorted(e[6] for e in mine)
    # the urges reached the case's history once each
    urges = _rows(db, """SELECT c.platform_ref, count(*) FROM hotline_case_log l JOIN hotline_case c ON c.id = l.case_id
                          WHERE c.platform_counterpart_id = %s AND l.action = 'urge' GROUP BY c.platform_ref""",
                  [counterpart_id])
    assert sorted(urges) == [(ref, STEPS) for ref in refs]

    # the daily reconciliation (its cron, for yesterday): the same work orders, no unexplained difference
    reconcile_cron = rpc("ir.model.data", "check_object_reference", module="hotline_platform",
                         xml_id="ir_cron_hotline_platform_reconcile")[1]
    rpc("ir.cron", "method_direct_trigger", ids=[reconcile_cron])
    recon = rpc("hotline.platform.reconciliation", "search_read",
                domain=[("counterpart_id", "=", counterpart_id), ("date", "=", rig["day"])],
                fields=["local_total", "remote_total", "unexplained_count", "difference_ids"])
    assert len(recon) == 1
    assert recon[0]["local_total"] == recon[0]["remote_total"] == ORDERS
    assert recon[0]["unexplained_count"] == 0 and recon[0]["difference_ids"] == []
    # the webhook's calls and the sending job never failed each other on the platform's row (a job's round
    # rolled back after the platform took its events)
    assert 'bad query: b\' UPDATE "hotline_platform_counterpart"' not in Path(odoo.log).read_text()
    elapsed = time.monotonic() - started
    print(f"fault run: {elapsed:.1f} s (baseline, 10 events each way without fault: {baseline:.1f} s; "
          f"drained {drained - faults_done:.1f} s after the last step), {len(set(lost))} events whose answer was lost, "
          f"{runner.rounds} exchange rounds ({runner.failures} cut), "
          f"{sum(state['duplicates'].values())} duplicates taken once by the platform, "
          f"{state['pushes']} webhook pushes")
