"""The wallboard tells the truth: after mixed traffic on the real Asterisk, the board's snapshot
(agent states, calls waiting, today's counters) equals Asterisk's own QueueStatus and queue_log.
Runs after test_pbx_e2e.py on the same rig, database and bridge (hotline_monitor is installed)."""

import json
import time
from datetime import UTC, datetime

import pytest
import pytz

from ..chromium import Browser
from ..odoo_process import OdooProcess
from .conftest import AGENTS, DB, HTTP_PORT, QUEUE_LOG, bridge_connected, rig, wait_for
from .test_pbx_e2e import settle, wait_calls_done

QUEUE = "hotline"
STATUS_STATE = {"1": "idle", "2": "oncall", "3": "oncall", "6": "ringing", "7": "ringing", "8": "oncall"}


def queue_log_today(start, end):
    """Offered / answered / abandoned of the center's day as Asterisk logged them."""
    offered, answered, abandoned = set(), set(), set()
    for line in QUEUE_LOG.read_text().splitlines():
        t, callid, queue, _agent, event, *_data = line.split("|")
        when = datetime.fromtimestamp(int(t), UTC).replace(tzinfo=None)
        if queue != QUEUE or not start <= when < end:
            continue
        if event == "ENTERQUEUE":
            offered.add(callid)
        elif event == "CONNECT":
            answered.add(callid)
        elif event == "ABANDON":
            abandoned.add(callid)
    return {"offered": len(offered), "answered": len(answered), "abandoned": len(abandoned)}


def asterisk_view(env):
    """Members and waiting callers of the queue, from QueueStatus."""
    client = env.ref("hotline_telephony.pbx_default")._ami_client()
    try:
        status = client.queue_status(QUEUE)
    finally:
        client.close()
    members = {}
    for m in status["members"]:
        iface = m.get("StateInterface") or m.get("Location")
        if m.get("Paused") == "1" and m.get("Status") == "1":
            members[iface] = ("paused", m.get("PausedReason") or "")
        else:
            members[iface] = (STATUS_STATE.get(m.get("Status"), "other:" + str(m.get("Status"))), "")
    return members, len(status["entries"])


def board_view(env, board):
    snapshot = env["hotline.monitor.live"]._snapshot(board)
    tiles = {t["interface"]: (t["state"], t["reason"] if t["state"] == "paused" else "") for t in snapshot["agents"]}
    block = next(q for q in snapshot["queues"] if q["name"] == QUEUE)
    return snapshot, tiles, block


def compare(odoo_db, board_id):
    """Agent states and calls waiting: the board against QueueStatus; True when equal."""
    with odoo_db.env() as env:
        board = env["hotline.wallboard"].browse(board_id)
        members, waiting = asterisk_view(env)
        _snapshot, tiles, block = board_view(env, board)
    expected = {iface: members.get(iface, ("offline", "")) for iface in tiles}
    return (tiles == expected and len(block["waiting"]) == waiting), (tiles, expected, block["waiting"], waiting)


@pytest.fixture(scope="module")
def floor(rig_traffic_ready):
    odoo_db = rig_traffic_ready
    with odoo_db.env() as env:
        board = env["hotline.wallboard"].create({"name": "对账大屏", "queue_names": QUEUE})
        token, board_id = board.access_token, board.id
    return odoo_db, board_id, token


def wait_equal(odoo_db, board_id, timeout=15):
    last = {}

    def check():
        ok, detail = compare(odoo_db, board_id)
        last["detail"] = detail
        return ok
    try:
        wait_for(check, timeout=timeout, interval=0.5, message="the board to agree with QueueStatus")
    except AssertionError:
        raise AssertionError(f"board vs Asterisk: {last.get('detail')}") from None


def test_board_matches_queue_status_and_queue_log(floor, phones):
    odoo_db, board_id, token = floor
    for login in ("ht_agent1", "ht_agent2", "ht_agent4"):
        odoo_db.as_agent(login, "hotline_login")
    odoo_db.as_agent("ht_agent3", "hotline_logout")
    odoo_db.as_agent("ht_agent2", "hotline_pause", "小休")
    wait_equal(odoo_db, board_id)

    # a call in progress: the answering agent's tile says on call, as QueueStatus does. The caller stays
    # 20 s: the queue may first ring the agent who never answers (6 s) before an answering phone.
    call = phones.call("13800001111", 20000, 5095)
    wait_for(lambda: compare(odoo_db, board_id)[0] and any(
        s == "oncall" for s, _r in compare(odoo_db, board_id)[1][0].values()),
        timeout=30, interval=0.5, message="an agent on call on the board and in QueueStatus")
    wait_calls_done([call])
    # both answering agents paused: the next caller waits, then gives up
    odoo_db.as_agent("ht_agent1", "hotline_pause", "午休")
    abandon = phones.call("13900002222", 4000, 5096, scenario="caller_abandon.xml")
    wait_for(lambda: compare(odoo_db, board_id)[1][3] >= 1, timeout=10, interval=0.3,
             message="a caller waiting in QueueStatus")
    wait_equal(odoo_db, board_id, timeout=10)  # the waiting call shows on the board too
    wait_calls_done([abandon])
    odoo_db.as_agent("ht_agent1", "hotline_unpause")
    odoo_db.as_agent("ht_agent2", "hotline_unpause")
    settle(odoo_db, 0)
    wait_equal(odoo_db, board_id)

    with odoo_db.env() as env:
        board = env["hotline.wallboard"].browse(board_id)
        start, end = env.company._hotline_day_bounds()
        snapshot, tiles, block = board_view(env, board)
        expected = queue_log_today(start, end)
        assert {k: block["figures"][k] for k in expected} == expected
        assert expected["abandoned"] >= 1 and expected["answered"] >= 1
        # the reports' own figures for today
        reports = env["hotline.kpi.call"].queue_figures(start, end, queues=[QUEUE])[QUEUE]
        assert block["figures"] == reports
        # the abandoned caller is listed (masked: this is the logged-out snapshot)
        assert "139****2222" in [a["number"] for a in block["abandoned"]]
        assert "13900002222" not in json.dumps(snapshot)
        # the bridge pushed the changes over the bus on the board's token channel
        rows = env["bus.bus"].search([("channel", "like", token)])
        assert rows, "no live update reached the board's channel"
        pushed = [json.loads(r.message)["payload"] for r in rows]
        assert any(t["interface"] == AGENTS["ht_agent2"][0] and t["state"] == "paused"
                   for p in pushed for t in p.get("agents", []))
        assert "13900002222" not in json.dumps(pushed)


# seconds: above the bridge's heartbeat (every 10 s), as health's setting must be, with room for a loaded
# machine to push it before the live-bridge control reads the screen
SILENCE = 25
# the board's tiles and waiting callers, read from the page as a person sees them
SCREEN = """JSON.stringify({
    delay: document.querySelector(".o_hm_delay")?.innerText || "",
    waiting: Number(document.querySelector('.o_hm_queue[data-queue="QUEUE"] .o_hm_waiting')?.innerText),
    tiles: Object.fromEntries([...document.querySelectorAll(".o_hm_tile")].map((t) => [t.dataset.agent,
        ["idle", "paused", "oncall", "ringing", "wrapup", "offline"]
            .find((s) => t.classList.contains("o_agent_" + s))])),
})""".replace("QUEUE", QUEUE)


def screen(browser):
    return json.loads(browser.evaluate(SCREEN))


def screen_matches_asterisk(odoo_db, browser, logins):
    """The page's tiles (of `logins`) and calls waiting against QueueStatus; (equal, detail)."""
    shown = screen(browser)
    with odoo_db.env() as env:
        members, waiting = asterisk_view(env)
        users = env["res.users"].search([("login", "in", logins)])
        expected = {str(u.id): members.get(u.hotline_interface, ("offline", ""))[0] for u in users}
    tiles = {uid: shown["tiles"].get(uid) for uid in expected}
    return tiles == expected and shown["waiting"] == waiting, (shown, expected, waiting)


def asterisk_view_waiting(odoo_db):
    with odoo_db.env() as env:
        return asterisk_view(env)[1]


def test_board_shows_the_bridge_killed_then_catches_up(floor, phones, bridge, tmp_path):
    """kill -9 of the bridge while a caller waits: the wall screen (Chromium, logged out) says within
    health's silence that its data is delayed since the last heartbeat; the bridge back, the sign clears
    and the screen agrees with Asterisk again, including what changed while it was dead."""
    odoo_db, _board_id, token = floor
    with odoo_db.env() as env:
        env["ir.config_parameter"].set_param("hotline_health.bridge_silent_seconds", SILENCE)
        tz = env.company._hotline_tz()
    for login in ("ht_agent1", "ht_agent2"):
        odoo_db.as_agent(login, "hotline_login")
        odoo_db.as_agent(login, "hotline_pause", "小休")  # nobody answers: callers wait
    for login in ("ht_agent3", "ht_agent4"):
        odoo_db.as_agent(login, "hotline_logout")
    shown = ["ht_agent1", "ht_agent2", "ht_agent3"]
    server = OdooProcess(DB, HTTP_PORT, tmp_path / "odoo.log").start()
    browser = Browser(1920, 1080)
    try:
        browser.goto(f"{server.url}/hotline_monitor/board/{token}")
        browser.wait_for("document.querySelector('.o_hm_tile')")
        wait_for(lambda: screen_matches_asterisk(odoo_db, browser, shown)[0], timeout=20, interval=0.5,
                 message="the screen to agree with Asterisk before the kill")
        # control: a live bridge keeps the screen clear for longer than the silence (its heartbeats are pushed)
        deadline = time.monotonic() + SILENCE + 5
        while time.monotonic() < deadline:
            assert not screen(browser)["delay"], "delay sign with a live bridge"
            time.sleep(1)

        bridge.proc.kill()  # kill -9: the bridge says nothing more
        bridge.proc.wait()
        bridge.proc = None
        killed = time.time()
        with odoo_db.env() as env:
            last_seen = env.ref("hotline_telephony.pbx_default").bridge_heartbeat
        since = pytz.utc.localize(last_seen).astimezone(tz).strftime("%H:%M:%S")
        caller = phones.call("13700003333", 90000, 5097, scenario="caller_abandon.xml")
        odoo_db.as_agent("ht_agent2", "hotline_logout")  # a change only Asterisk sees
        wait_for(lambda: asterisk_view_waiting(odoo_db) == 1, timeout=10, interval=0.3,
                 message="a caller waiting in QueueStatus")
        sign = wait_for(lambda: screen(browser)["delay"], timeout=SILENCE + 5, interval=0.25,
                        message="the delay sign")
        assert time.time() - killed <= SILENCE + 2, "the sign came later than health's silence"
        assert since in sign, (since, sign)
        assert screen(browser)["waiting"] == 0, "the dead bridge never told the board about the caller"

        restarted = time.time()
        bridge.start()
        wait_for(lambda: bridge_connected(odoo_db, restarted), timeout=90, message="the bridge to come back")
        wait_for(lambda: not screen(browser)["delay"], timeout=10, interval=0.25, message="the sign to clear")
        last = {}

        def agrees():
            ok, last["detail"] = screen_matches_asterisk(odoo_db, browser, shown)
            return ok
        try:
            wait_for(agrees, timeout=15, interval=0.5, message="the screen to agree with Asterisk again")
        except AssertionError:
            raise AssertionError(f"screen vs Asterisk: {last.get('detail')}") from None
        detail = last["detail"]
        assert detail[2] == 1, "the caller still waits (the figures compared include them)"
        with odoo_db.env() as env:
            agent2 = env["res.users"].search([("login", "=", "ht_agent2")])
        assert detail[0]["tiles"][str(agent2.id)] == "offline", "the sign-out made while the bridge was dead"
    finally:
        browser.close()
        server.stop()
    # the caller hangs up in Asterisk (an abandon in queue_log) before anyone could answer: a SIPp process
    # killed would leave its channel in the queue, answered once agent1 is back and never completed
    rig("cli", "channel request hangup all")
    wait_for(lambda: asterisk_view_waiting(odoo_db) == 0, timeout=10, interval=0.3, message="the caller gone")
    caller.terminate()
    caller.wait(timeout=10)
    odoo_db.as_agent("ht_agent1", "hotline_unpause")
    odoo_db.as_agent("ht_agent2", "hotline_login")
