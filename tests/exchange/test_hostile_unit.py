"""The center's exchange loop against a hostile or broken unit server (issue 30): hostile_unit.py answers the
peer methods with each malformed shape, hangs, drips, floods and serves poison events, from where the unit
server runs (its namespace, its user). With the real loop (`scripts/odoo hotline_exchange`), after each: the
loop is alive, the health row says what happened, the valid events behind a poison one apply, nothing is
applied twice, and the loop holds no transaction open while the unit server keeps it waiting."""

import hashlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
import requests

from .servers import NET, NETNS, PG_SOCKET_DIR, unit_prefix
from .test_exchange_walk import Center, demo_unit_code, wait_for

HOSTILE = Path(__file__).with_name("hostile_unit.py")
HOSTILE_PORT = 8626
CALL_TIMEOUT = 3  # hotline_exchange.call_timeout while these tests run


def checksum(uid, kind, case_ref, sequence, payload):
    """hotline_exchange_event.event_checksum, as a unit server computes it."""
    envelope = {"uid": uid, "kind": kind, "case_ref": case_ref, "sequence": sequence, "payload": payload}
    text = json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def unit_event(kind, case_ref, unit_code, uid=None, sequence=1, payload=None, actor="单位办理人"):
    uid = uid or uuid.uuid4().hex
    payload = payload or {}
    return {"uid": uid, "kind": kind, "case_ref": case_ref, "sequence": sequence, "payload": payload,
            "checksum": checksum(uid, kind, case_ref, sequence, payload), "unit_code": unit_code, "actor": actor,
            "lang": "zh_CN"}


class Hostile:
    def __init__(self, url):
        self.url = url

    def set(self, mode, outbox=None):
        body = {"mode": mode} if outbox is None else {"mode": mode, "outbox": outbox}
        requests.post(f"{self.url}/control", json=body, timeout=10).raise_for_status()

    def seen(self):
        return requests.get(f"{self.url}/control", timeout=10).json()


@pytest.fixture
def hostile(two_servers, tmp_path):
    assert two_servers.exchange_installed, "hotline_exchange is not installed on the two-server rig"
    center = two_servers.center
    host = f"{NET}.2" if NETNS else "127.0.0.1"
    log = open(tmp_path / "hostile.log", "w")  # noqa: SIM115  # closed below
    server = subprocess.Popen([*unit_prefix(), sys.executable, str(HOSTILE), host, str(HOSTILE_PORT)],
                              stdout=log, stderr=subprocess.STDOUT)
    hostile = Hostile(f"http://{host}:{HOSTILE_PORT}")
    wait_for("the hostile unit server", lambda: _answers(hostile), timeout=30)
    real_url = center.params("hotline_exchange.unit_url")["hotline_exchange.unit_url"]
    center.set_param("hotline_exchange.unit_url", hostile.url)
    center.set_param("hotline_exchange.call_timeout", str(CALL_TIMEOUT))
    reset_link(center)
    loop = two_servers.exchange_loop(tmp_path / "exchange-loop.log", "--log-level=info", interval=0.2)
    loop.start()
    hostile.loop, hostile.center, hostile.log = loop, center, tmp_path / "exchange-loop.log"
    try:
        yield hostile
    finally:
        loop.stop()
        server.kill()
        server.wait(timeout=30)
        log.close()
        center.set_param("hotline_exchange.unit_url", real_url)
        center.set_param("hotline_exchange.call_timeout", False)
        reset_link(center)


def _answers(hostile):
    try:
        return hostile.seen()
    except requests.RequestException:
        return None


def reset_link(center):
    """No pause before the next round (the back-off after a failure) and no failure counted."""
    center.sql("update hotline_exchange_link set next_attempt = null, failures = 0, last_error = null")


def link(center):
    """The link's failures in a row and last error (none before the loop's first round made the link)."""
    rows = center.sql("select failures, coalesce(last_error, '') from hotline_exchange_link order by id limit 1")
    return dict(zip(("failures", "last_error"), rows[0] if rows else (0, ""), strict=True))


def health_row(center):
    center.json2("hotline.health.check", "action_refresh", ids=[])
    return center.json2("hotline.health.check", "search_read", domain=[("key", "=", "exchange")],
                        fields=["state", "fact"])[0]


def recovered(hostile):
    hostile.set("ok")
    reset_link(hostile.center)
    wait_for("the loop back to a clean round", lambda: link(hostile.center)["failures"] == 0 and hostile.seen()[
        "calls"] > 0 and not link(hostile.center)["last_error"], timeout=30)


def idle_in_transaction(center, pid):
    return center.sql("select count(*) from pg_stat_activity where application_name = %s"
                      " and state like 'idle in transaction%%'", (f"odoo-{pid}",))[0][0]


def test_garbage_answers_refused_loop_alive_health_amber(hostile):
    center = hostile.center
    for mode, expected in [("not_json", "it is not JSON"), ("dict", "a list of events was expected, not dict"),
                           ("strings", "not an event with an id"), ("int", "a list of events was expected, not int"),
                           ("too_many", "events when at most"), ("oversize", "larger than"), ("flood", "larger than")]:
        hostile.set(mode)
        reset_link(center)
        state = wait_for(f"the {mode} answer refused", lambda expected=expected: (row := link(center))[
            "failures"] and expected in row["last_error"] and row, timeout=60)
        assert hostile.loop.running, f"the loop died on the {mode} answer:\n{hostile.log.read_text()[-3000:]}"
        row = health_row(center)
        assert row["state"] in ("amber", "red") and expected in row["fact"], (mode, row, state)
        recovered(hostile)
        assert health_row(center)["state"] == "green"
    with open(f"/proc/{hostile.loop.pid}/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    assert peak < 600 * 1024, f"the loop's memory peaked at {peak // 1024} MiB on the floods"


def test_hang_and_drip_bounded_no_transaction_held(hostile, two_servers):
    center = hostile.center
    # the check below sees a session idle in a transaction: one of ours, held open on purpose
    probe = psycopg2.connect(host=PG_SOCKET_DIR, port=center.pg_port, dbname=center.db,
                             application_name=f"odoo-{hostile.loop.pid}x")
    try:
        probe.cursor().execute("select 1")
        assert center.sql("select count(*) from pg_stat_activity where application_name = %s and state = "
                          "'idle in transaction'", (f"odoo-{hostile.loop.pid}x",))[0][0] == 1
    finally:
        probe.close()
    for mode in ("hang", "drip"):
        hostile.set(mode)
        reset_link(center)
        calls = hostile.seen()["calls"]
        wait_for(f"the loop calling the {mode}ing server", lambda calls=calls: hostile.seen()["calls"] > calls,
                 timeout=30)
        held, started = 0, time.monotonic()
        while time.monotonic() - started < CALL_TIMEOUT - 0.5:  # while the call waits
            held = max(held, idle_in_transaction(center, hostile.loop.pid))
            time.sleep(0.1)
        assert held == 0, f"the loop sat idle in a transaction while the unit server was {mode}ing"
        wait_for(f"the {mode} cut at {CALL_TIMEOUT} s", lambda: f"within {CALL_TIMEOUT} s" in link(center)[
            "last_error"], timeout=CALL_TIMEOUT * 4)
        assert hostile.loop.running
        assert "within" in health_row(center)["fact"]
        recovered(hostile)


def test_poison_events_dead_lettered_valid_ones_apply_once(hostile):
    center, hub = hostile.center, Center(hostile.center)
    code = demo_unit_code(hub)
    case_id = hub.new_case(code, "保密人毒", "13700009999")
    wait_for("the dispatch at the (hostile) unit server", lambda: any(
        e["case_ref"] == case_id for e in hostile.seen()["received"]))
    poison = [unit_event("accept", case_id, code, uid=f"{n}" + "f" * 68) for n in range(3)]  # 69 characters
    poison += [unit_event("accept", 2 ** 40, code), unit_event("accept", case_id, code, actor="单位\x00办理人"),
               unit_event("message", case_id, code, payload={"body": "<p>空\x00字符</p>"})]
    valid = unit_event("accept", case_id, code, sequence=2)
    hostile.set("ok", outbox=[*poison, valid])
    wait_for("the step behind the poison applied", lambda: hub.case(case_id)["state"] == "processing")
    wait_for("every event acknowledged", lambda: set(hostile.seen()["acked"]) >= {e["uid"] for e in [*poison, valid]})
    assert hostile.loop.running
    # acknowledged exactly as sent (the 69-character ids too), so they do not come back
    assert {e["uid"] for e in [*poison, valid]} <= set(hostile.seen()["acked"])
    dead = center.sql("select reason from hotline_exchange_inbox where dead_letter and date > now() at time zone"
                      " 'utc' - interval '10 minutes'")
    assert len(dead) >= len(poison), dead
    row = health_row(center)
    assert row["state"] == "amber" and ("死信" in row["fact"] or "Dead Letters" in row["fact"]), row
    # a dispatch made meanwhile still reaches the unit server
    other = hub.new_case(code, "保密人后", "13700009998")
    wait_for("a later dispatch delivered", lambda: any(e["case_ref"] == other for e in hostile.seen()["received"]))
    # served again and again (acknowledgements ignored): nothing applied twice, no new dead letter
    hostile.set("ignore_ack", outbox=[*poison, valid])
    calls = hostile.seen()["calls"]
    wait_for("several rounds", lambda: hostile.seen()["calls"] > calls + 6)
    assert center.sql("select count(*) from hotline_case_log where case_id = %s and action = 'accept'",
                      (case_id,))[0][0] == 1
    assert len(center.sql("select 1 from hotline_exchange_inbox where dead_letter and date > now() at time zone"
                          " 'utc' - interval '10 minutes'")) == len(dead)
    assert hostile.loop.running
    hostile.set("ok", outbox=[])


def test_run_now_pressed_while_the_loop_runs(hostile):
    """The button and the loop meet on the link's row and the exchange's lock: the loop survives every press."""
    center, hub = hostile.center, Center(hostile.center)
    link_id = center.json2("hotline.exchange.link", "search", domain=[])[0]
    code = demo_unit_code(hub)
    for n in range(20):
        hub.new_case(code, f"保密人按{n}", f"137000{n:05d}")
        center.json2("hotline.exchange.link", "action_run_now", ids=[link_id])
    assert hostile.loop.running, hostile.log.read_text()[-3000:]
    wait_for("the outbox delivered", lambda: hub.outbox_pending() == 0)
