"""System health against the real rig: the bridge killed while agents are signed in
turns its row red within the configured silence, warns the administrators once, and
its return is recorded as a recovery with what it caught up from queue_log."""

import re
import time

from .conftest import wait_for

SILENCE = 5


def health(odoo_db, key):
    with odoo_db.env() as env:
        env["hotline.health.check"]._refresh()
        row = env["hotline.health.check"].search([("key", "=", key)])
        admin = env.ref("base.user_admin")
        warnings = len(row.activity_ids.filtered(lambda a: a.user_id == admin))
        return row.state, row.fact, warnings


def test_bridge_killed_turns_red_then_recovers(odoo_db, bridge, phones):
    with odoo_db.env() as env:
        env["ir.config_parameter"].set_param("hotline_health.bridge_silent_seconds", SILENCE)
        pbx_id = env.ref("hotline_telephony.pbx_default").id
    key = f"bridge:{pbx_id}"
    started = time.time()
    bridge.stop()
    bridge.start()

    def connected():
        with odoo_db.env() as env:
            pbx = env["hotline.pbx"].browse(pbx_id)
            return pbx.bridge_status == "connected" and pbx.bridge_pid == bridge.proc.pid and \
                pbx.bridge_heartbeat.timestamp() >= started - 1
    wait_for(connected, timeout=60, message="the bridge to connect")
    assert odoo_db.as_agent("ht_agent1", "hotline_login")["logged_in"]
    state, fact, warnings = health(odoo_db, key)
    assert state == "green", fact

    # kill -9: the bridge says nothing; only its silence tells
    bridge.proc.kill()
    bridge.proc.wait()
    bridge.proc = None
    killed = time.time()
    call = phones.call("13300000001", 3000, 5095)  # queue_log lines the dead bridge misses
    assert health(odoo_db, key)[0] == "green", "still within the silence allowed"
    red = wait_for(lambda: health(odoo_db, key)[0] == "red", timeout=SILENCE + 15, interval=1,
                   message="the bridge row to turn red")
    assert red and time.time() - killed <= SILENCE + 12  # heartbeats come every 10 s
    state, fact, warnings = health(odoo_db, key)
    assert re.search(r"\d+ (agents are signed in|名坐席)", fact), fact
    assert warnings == 1
    call.wait(timeout=30)
    assert health(odoo_db, key)[2] == 1, "one warning per incident"

    restarted = time.time()
    bridge.start()
    wait_for(connected, timeout=60, message="the bridge to come back")
    with odoo_db.env() as env:
        recovery = env["hotline.health.event"].search([("kind", "=", "recovery"), ("check_key", "=", key)],
                                                      order="id desc", limit=1)
        assert recovery, "the restart is recorded as a recovery"
        assert recovery.caught_up >= 2, "ENTERQUEUE and the call's end were caught up from queue_log"
        assert recovery.start.timestamp() <= killed and recovery.stop.timestamp() >= restarted - 1
    state, fact, warnings = health(odoo_db, key)
    assert state == "green", fact
    assert warnings == 0, "the warning is closed on recovery"
    with odoo_db.env() as env:
        incident = env["hotline.health.event"].search([("kind", "=", "incident"), ("check_key", "=", key)],
                                                      order="id desc", limit=1)
        assert incident.stop, "the incident is closed"
