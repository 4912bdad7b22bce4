"""End to end against a real Asterisk: SIPp calls in, Odoo's records must match
what Asterisk itself wrote to queue_log. Tests run in order and share one rig,
one database and one bridge; each compares everything seen so far."""

import json
import time
from collections import Counter, defaultdict
from datetime import UTC

import pytest

from .conftest import AGENTS, QUEUE_LOG, bridge_connected, wait_for

TERMINAL = {"COMPLETECALLER": "answered", "COMPLETEAGENT": "answered", "ABANDON": "abandoned",
            "EXITWITHTIMEOUT": "timeout", "EXITEMPTY": "exit_empty", "EXITWITHKEY": "exit_key"}
TRANSFERS = {"BLINDTRANSFER", "ATTENDEDTRANSFER"}
INTERFACE_LOGIN = {v[0]: k for k, v in AGENTS.items()}


def epoch(dt):
    return dt.replace(tzinfo=UTC).timestamp() if dt else None


def _cut_off(calls, restart):
    """Calls still open when Asterisk started again were cut off by its death."""
    for call in calls.values():
        if "outcome" not in call and "cut_before" not in call:
            call.update(cut_before=restart, outcome="answered" if call.get("agent") else None)


def _end_open(intervals, t):
    """End the last of an agent's intervals at t if it is still open."""
    if intervals and intervals[-1][1] is None:
        intervals[-1][1] = t


def read_queue_log():
    """Calls, ring-no-answers and pauses as Asterisk logged them. A call still open at a QUEUESTART
    (Asterisk killed and started again) was cut off: it ended before that line."""
    calls = defaultdict(dict)
    rna = Counter()
    pauses = defaultdict(list)
    sessions = defaultdict(list)
    for line in QUEUE_LOG.read_text().splitlines():
        t, callid, _queue, agent, event, *data = line.split("|")
        t = int(t)
        if event == "ENTERQUEUE":
            calls[callid].update(enter=t, caller=data[1])
        elif event == "CONNECT":
            calls[callid].update(agent=agent, wait=int(data[0]))
        elif event in ("COMPLETECALLER", "COMPLETEAGENT"):
            calls[callid].update(outcome="answered", agent=agent, wait=int(data[0]), talk=int(data[1]))
        elif event in TRANSFERS:  # ...|holdtime|calltime|origposition
            calls[callid].update(outcome="transferred", agent=agent, wait=int(data[-3]), talk=int(data[-2]))
        elif event == "QUEUESTART":
            _cut_off(calls, t)
        elif event in TERMINAL:
            calls[callid].update(outcome=TERMINAL[event], wait=int(data[-1]))
        elif event == "RINGNOANSWER":
            rna[agent] += 1
        elif event == "PAUSE":  # a PAUSE while paused (new reason) starts a new interval
            _end_open(pauses[agent], t)
            pauses[agent].append([t, None, data[0] if data else ""])
        elif event == "UNPAUSE":
            _end_open(pauses[agent], t)
        elif event == "ADDMEMBER":
            sessions[agent].append([t, None])
        elif event == "REMOVEMEMBER":  # a pause ends with the session: a paused member signed out has no UNPAUSE
            _end_open(sessions[agent], t)
            _end_open(pauses[agent], t)
    return calls, rna, pauses, sessions


def odoo_facts(odoo_db):
    with odoo_db.env() as env:
        calls = {}
        for c in env["hotline.call"].search([("direction", "=", "inbound")]):
            calls[c.uniqueid] = {
                "outcome": c.outcome or None, "agent": c.interface or None, "wait": c.wait_seconds,
                "talk": c.talk_seconds, "caller": c.caller_number, "user": c.user_id.login or None,
                "enter": epoch(c.enter_time), "answer": epoch(c.answer_time), "end": epoch(c.end_time),
                "cut_off": c.cut_off,
            }
        rna = Counter(a.interface for a in env["hotline.call.attempt"].search([("result", "=", "noanswer")]))
        pauses = defaultdict(list)
        for p in env["hotline.agent.pause"].search([], order="start, id"):
            pauses[p.interface].append([epoch(p.start), epoch(p.stop), p.reason or ""])
        sessions = defaultdict(list)
        for s in env["hotline.agent.session"].search([], order="start, id"):
            sessions[s.interface].append([epoch(s.start), epoch(s.stop)])
        n_calls = env["hotline.call"].search_count([("direction", "=", "inbound")])
    return calls, rna, pauses, sessions, n_calls


def assert_reconciled(odoo_db):
    log_calls, log_rna, log_pauses, log_sessions = read_queue_log()
    calls, rna, pauses, sessions, n_calls = odoo_facts(odoo_db)
    assert n_calls == len(calls), "duplicate call records"
    assert set(calls) == set(log_calls), "calls missing or extra in Odoo"
    outcomes_log = Counter(c.get("outcome") for c in log_calls.values())
    outcomes_odoo = Counter(c["outcome"] for c in calls.values())
    assert outcomes_odoo == outcomes_log
    for callid, lc in log_calls.items():
        oc = calls[callid]
        assert oc["outcome"] == lc.get("outcome"), callid
        assert oc["agent"] == lc.get("agent"), callid
        if lc.get("agent"):
            assert oc["user"] == INTERFACE_LOGIN[lc["agent"]], callid
        assert oc["caller"] == lc["caller"], callid
        assert abs(oc["enter"] - lc["enter"]) <= 1, callid
        if "wait" in lc:
            assert abs(oc["wait"] - lc["wait"]) <= 1, callid
        if "talk" in lc:
            assert abs(oc["talk"] - lc["talk"]) <= 1, callid
        assert oc["cut_off"] == ("cut_before" in lc), callid
        if "cut_before" in lc:
            assert oc["end"] and (oc["answer"] or oc["enter"]) <= oc["end"] <= lc["cut_before"], (callid, oc, lc)
    assert +rna == +log_rna, "ring-no-answer per agent"
    for agent in set(log_pauses) | set(pauses):
        lp, op = log_pauses.get(agent, []), pauses.get(agent, [])
        assert len(op) == len(lp), f"pauses of {agent}: {op} vs {lp}"
        for (ls, le, lr), (os_, oe, orr) in zip(lp, op, strict=True):
            assert abs(ls - os_) <= 1 and lr == orr, agent
            assert (le is None) == (oe is None) and (le is None or abs(le - oe) <= 1), agent
    for agent in set(log_sessions) | set(sessions):
        ls, os_ = log_sessions.get(agent, []), sessions.get(agent, [])
        assert len(ls) == len(os_), f"sessions of {agent}: {os_} vs {ls}"
        for (li, lo), (oi, oo) in zip(ls, os_, strict=True):
            assert abs(li - oi) <= 1, agent
            assert (lo is None) == (oo is None) and (lo is None or abs(lo - oo) <= 1), agent
    return outcomes_log, log_rna


def wait_calls_done(procs, timeout=60):
    deadline = time.monotonic() + timeout
    for proc in procs:
        proc.wait(timeout=max(1, deadline - time.monotonic()))


def settle(odoo_db, n_calls, timeout=20):
    """Wait until Odoo agrees with queue_log (the last events may still be in flight)."""
    def done():
        if len(read_queue_log()[0]) < n_calls:
            return False
        try:
            assert_reconciled(odoo_db)
        except AssertionError:
            return False
        return True
    try:
        wait_for(done, timeout=timeout, message="Odoo to catch up with queue_log")
    except AssertionError:
        print(QUEUE_LOG.read_text()[-4000:])
        assert_reconciled(odoo_db)  # show the real difference
        raise


@pytest.fixture(scope="module")
def desk(pbx, odoo_db, bridge, phones):
    for login in AGENTS:
        phones.agent(login)
    phones.citizen()
    started = time.time()
    bridge.start()
    wait_for(lambda: bridge_connected(odoo_db, started), timeout=60, message="the bridge to connect")
    return odoo_db


def test_mixed_calls_reconcile_with_queue_log(desk, phones):
    odoo_db = desk
    # 签入 through Odoo: the answering agents and the one whose phone never answers
    for login in ("ht_agent1", "ht_agent2", "ht_agent4"):
        state = odoo_db.as_agent(login, "hotline_login")
        assert state["logged_in"], login
    wait_for(lambda: len(odoo_facts(odoo_db)[3]) == 3, message="three open sessions")

    # answered calls (some ring the silent agent4 first: RINGNOANSWER, then another agent)
    batch = [phones.call(f"1380000000{i}", 13000, 5080 + i) for i in range(1, 4)]
    time.sleep(0.3)
    wait_calls_done(batch)

    # 示忙 both answering agents: a caller rings only agent4 and gives up (ABANDON)
    odoo_db.as_agent("ht_agent1", "hotline_pause", "午休")
    odoo_db.as_agent("ht_agent2", "hotline_pause", "培训")
    abandon = phones.call("13900000001", 4000, 5084, scenario="caller_abandon.xml")
    wait_calls_done([abandon])
    odoo_db.as_agent("ht_agent1", "hotline_unpause")
    odoo_db.as_agent("ht_agent2", "hotline_unpause")
    assert odoo_db.as_agent("ht_agent1", "hotline_agent_state")["paused"] is False

    batch = [phones.call(f"1370000000{i}", 13000, 5085 + i) for i in range(1, 3)]
    wait_calls_done(batch)
    settle(odoo_db, 6)
    outcomes, rna = assert_reconciled(odoo_db)
    assert outcomes["answered"] >= 4 and outcomes["abandoned"] >= 1, outcomes
    assert rna["PJSIP/agent4"] >= 1, rna

    # screen pop: one per answered call, on the answering agent's channel only
    with odoo_db.env() as env:
        pops = env["bus.bus"].search([("message", "like", "hotline_telephony/screen_pop")])
        answered = env["hotline.call"].search([("outcome", "=", "answered")])
        assert len(pops) == len(answered)
        by_uniqueid = {json.loads(p.message)["payload"]["uniqueid"]: json.loads(p.channel) for p in pops}
        for call in answered:
            channel = by_uniqueid[call.uniqueid]
            assert channel[1:] == ["res.partner", call.user_id.partner_id.id], call.uniqueid


def test_second_bridge_stands_by(desk, bridge):
    """A second bridge for the PBX waits as its standby (alive, not connected to AMI); with --no-standby it
    exits with status 3. The takeover itself: tests/test_several_nodes.py."""
    from .conftest import BridgeProcess  # noqa: PLC0415

    other = BridgeProcess(bridge.log_dir, name="second-bridge", extra=["--no-standby"]).start()
    try:
        assert other.proc.wait(timeout=60) == 3
        assert "already running" in other.text()
    finally:
        other.stop()
    standby = BridgeProcess(bridge.log_dir, name="standby-bridge").start()
    try:
        deadline = time.monotonic() + 60
        while "standby, PBX" not in standby.text() and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)
        assert "standby, PBX" in standby.text() and standby.proc.poll() is None, standby.text()[-2000:]
        assert "connected to" not in standby.text() and bridge.proc.poll() is None
    finally:
        standby.stop()


def test_click_to_dial_records_the_call_on_the_case(desk):
    odoo_db = desk
    with odoo_db.env("ht_agent3") as env:
        case = env["hotline.case"].create({"caller_phone": "13800138000", "description": "回访：路灯已修复"})
        case.action_hotline_dial()
        case_id = case.id

    def answered():
        with odoo_db.env() as env:
            call = env["hotline.case"].browse(case_id).call_ids
            return call.outcome == "outbound_answered" and call.read(["uniqueid", "talk_seconds", "user_id"])
    info = wait_for(answered, timeout=30, message="the callback to be answered and recorded")[0]
    assert not info["uniqueid"].startswith("odoo-dial-")
    assert 2 <= info["talk_seconds"] <= 4


def test_bridge_stopped_mid_run_backfills(desk, bridge, phones):
    odoo_db = desk
    bridge.stop()
    batch = [phones.call("13600000001", 8000, 5091), phones.call("13600000002", 8000, 5092)]
    odoo_db.as_agent("ht_agent2", "hotline_pause", "会议")
    time.sleep(1.5)
    odoo_db.as_agent("ht_agent2", "hotline_unpause")
    wait_calls_done(batch)
    n = len(read_queue_log()[0])
    started = time.time()
    bridge.start()
    wait_for(lambda: bridge_connected(odoo_db, started), timeout=60, message="the bridge to come back")
    settle(odoo_db, n)
    assert_reconciled(odoo_db)


def test_asterisk_restart_mid_run(desk, bridge, phones):
    from .conftest import rig  # noqa: PLC0415

    odoo_db = desk
    call = phones.call("13500000001", 15000, 5093)
    wait_for(lambda: any(c.get("agent") for c in read_queue_log()[0].values()
                         if c["caller"] == "13500000001"), timeout=20, message="the call to connect")
    restarted = time.time()
    rig("restart", timeout=120)
    call.wait(timeout=30)
    # persistent members survive the restart; the bridge reconnects with backoff
    wait_for(lambda: bridge_connected(odoo_db, restarted), timeout=60, message="the bridge to reconnect")
    after = phones.call("13500000002", 8000, 5094)
    after.wait(timeout=40)
    settle(odoo_db, len(read_queue_log()[0]), timeout=30)
    assert_reconciled(odoo_db)
    assert "connected to 127.0.0.1:5038" in bridge.text()


# -- issue 8: events are the same event only when they are the same line / AMI event ------------
def ami_client():
    from odoo.addons.hotline_telephony.ami.adapter import AmiClient  # noqa: PLC0415

    return AmiClient("127.0.0.1", 5038, "hotline", "hotline-rig-secret")  # connects in `with`


def log_lines(event, agent):
    return [line.split("|") for line in QUEUE_LOG.read_text().splitlines()
            if line.split("|")[4] == event and line.split("|")[3] == agent]


def within_one_second(actions, check):
    """Send the AMI actions back to back early in a second, until queue_log shows them in one second."""
    for _attempt in range(5):
        with ami_client() as client:
            while time.time() % 1 > 0.3:
                time.sleep(0.02)
            for action in actions:
                client.check(action)
        time.sleep(0.5)
        if check():
            return
    raise AssertionError("Asterisk never logged the actions within one second")


def bridged_channel(prefix):
    """The name of the first channel named `prefix`... that is in a bridge (BridgeID, the 13th field of
    `core show channels concise`, is set), or None."""
    from .conftest import rig  # noqa: PLC0415

    for line in rig("cli", "core show channels concise").stdout.splitlines():
        fields = line.split("!")
        if fields[0].startswith(prefix) and len(fields) > 12 and fields[12]:
            return fields[0]
    return None


def recorded_state(odoo_db, login):
    """What the agent's systray shows (the bridge's records, no AMI round trip)."""
    with odoo_db.env(login) as env:
        return env.user._hotline_recorded_state(env.user._hotline_empty_state())


def test_sign_out_and_in_within_one_second(desk, bridge, phones):
    odoo_db = desk
    member = {"Queue": "hotline", "Interface": "PJSIP/agent1"}

    def same_second():
        out, back = log_lines("REMOVEMEMBER", "PJSIP/agent1"), log_lines("ADDMEMBER", "PJSIP/agent1")
        return out and back and out[-1][0] == back[-1][0] and back[-1] != back[0]

    within_one_second([dict(member, Action="QueueRemove"), dict(member, Action="QueueAdd")], same_second)
    wait_for(lambda: recorded_state(odoo_db, "ht_agent1")["logged_in"] and
             len(odoo_facts(odoo_db)[3]["PJSIP/agent1"]) == len(read_queue_log()[3]["PJSIP/agent1"]),
             message="the new session of agent1")
    # signed in again: a call reaches agent1 or agent2 while the catch-up re-reads the same lines
    call = phones.call("13400000001", 6000, 5095)
    bridge.restart()
    call.wait(timeout=40)
    settle(odoo_db, len(read_queue_log()[0]), timeout=60)
    assert recorded_state(odoo_db, "ht_agent1")["logged_in"]
    last = odoo_facts(odoo_db)[3]["PJSIP/agent1"][-1]
    assert last[1] is None and last[0] == int(log_lines("ADDMEMBER", "PJSIP/agent1")[-1][0])


def test_pause_unpause_pause_within_one_second(desk, bridge):
    odoo_db = desk
    member = {"Action": "QueuePause", "Queue": "hotline", "Interface": "PJSIP/agent2"}

    def same_second():
        lines = [line.split("|") for line in QUEUE_LOG.read_text().splitlines()[-3:]]
        return [line[4] for line in lines] == ["PAUSE", "UNPAUSE", "PAUSE"] and len({line[0] for line in lines}) == 1

    within_one_second([dict(member, Paused="true", Reason="示忙"), dict(member, Paused="false"),
                       dict(member, Paused="true", Reason="示忙")], same_second)
    wait_for(lambda: recorded_state(odoo_db, "ht_agent2")["paused"], message="agent2 shown paused")
    time.sleep(2)
    bridge.restart()  # the catch-up reads the three lines AMI already gave
    wait_for(lambda: bridge_connected(odoo_db, time.time() - 1), timeout=60, message="the bridge")
    assert recorded_state(odoo_db, "ht_agent2")["paused"], "Asterisk still has agent2 paused"
    odoo_db.as_agent("ht_agent2", "hotline_unpause")
    settle(odoo_db, len(read_queue_log()[0]), timeout=60)
    pauses = odoo_facts(odoo_db)[2]["PJSIP/agent2"]
    assert pauses[-2][0] == pauses[-2][1] == pauses[-1][0] and pauses[-1][1] - pauses[-1][0] >= 2, pauses


def test_transfers_reconcile_with_queue_log(desk, phones):
    """Blind (the phone's SIP REFER) and attended (Asterisk's *2 feature, started over AMI, completed by the
    phone's *2 during the consultation) transfers."""

    odoo_db = desk
    # only the transferring phone takes queue calls; agent2 (paused) is still rung by the transfer
    for login in ("ht_agent1", "ht_agent2", "ht_agent4"):
        odoo_db.as_agent(login, "hotline_pause", "培训")
    try:
        odoo_db.as_agent("ht_agent5", "hotline_login")
        blind = phones.call("13300000001", 9000, 5096)
        wait_calls_done([blind])
        odoo_db.as_agent("ht_agent5", "hotline_logout")
        odoo_db.as_agent("ht_agent6", "hotline_login")
        attended = phones.call("13300000002", 20000, 5097)

        # Atxfer needs agent6 in the bridge with the caller: a channel that is Up but not bridged yet
        # transfers nothing, and the call ends as COMPLETEAGENT
        channel = wait_for(lambda: bridged_channel("PJSIP/agent6-"), timeout=20,
                           message="agent6's channel to be bridged with the caller")
        with ami_client() as client:  # what the phone's *2 8002 does
            client.check({"Action": "Atxfer", "Channel": channel, "Exten": "8002", "Context": "hotline-agents"})
        wait_calls_done([attended])
        odoo_db.as_agent("ht_agent6", "hotline_logout")
    finally:
        for login in ("ht_agent1", "ht_agent2", "ht_agent4"):
            odoo_db.as_agent(login, "hotline_unpause")
    settle(odoo_db, len(read_queue_log()[0]), timeout=30)
    log_calls = read_queue_log()[0]
    transferred = {c["caller"]: c for c in log_calls.values() if c.get("outcome") == "transferred"}
    assert {"13300000001", "13300000002"} <= set(transferred), transferred
    with odoo_db.env() as env:
        calls = env["hotline.call"].search([("caller_number", "in", ["13300000001", "13300000002"])],
                                           order="enter_time")
        assert [(c.outcome, c.completed_by, c.user_id.login) for c in calls] == \
            [("transferred", "transfer", "ht_agent5"), ("transferred", "transfer", "ht_agent6")]
        lines = QUEUE_LOG.read_text()
        assert "|BLINDTRANSFER|8002|hotline-agents|" in lines and "|ATTENDEDTRANSFER|" in lines


def test_zero_second_waits_are_stored(desk):
    """An instantly answered call (the transfer phones answer at once) waited 0 s, not 'unknown'."""
    log_calls = read_queue_log()[0]
    answered = [c for c in log_calls.values() if c.get("agent") and "wait" in c]
    assert any(c["wait"] == 0 for c in answered), "no call was answered at once"
    with desk.env() as env:
        env.cr.execute("SELECT count(*) FILTER (WHERE wait_seconds IS NULL), avg(wait_seconds) "
                       "FROM hotline_call WHERE direction = 'inbound' AND answer_time IS NOT NULL")
        missing, average = env.cr.fetchone()
    assert missing == 0
    expected = sum(c["wait"] for c in answered) / len(answered)
    print(f"average wait of answered calls: queue_log {expected:.2f} s, Odoo {float(average):.2f} s")
    assert abs(float(average) - expected) < 0.01


def test_pbx_killed_mid_call_cuts_the_call_off(desk, bridge, phones):
    from .conftest import rig  # noqa: PLC0415

    odoo_db = desk
    call = phones.call("13200000001", 30000, 5098)
    wait_for(lambda: any(c.get("agent") for c in read_queue_log()[0].values()
                         if c["caller"] == "13200000001"), timeout=20, message="the call to connect")
    time.sleep(3)
    before = time.time()
    rig("crash")
    crashed = time.time()
    rig("start", timeout=120)
    wait_for(lambda: bridge_connected(odoo_db, crashed), timeout=90, message="the bridge to reconnect")
    call.terminate()
    log_calls = read_queue_log()[0]
    cut = [c for c in log_calls.values() if c["caller"] == "13200000001"][0]
    assert cut.get("cut_before") and cut["outcome"] == "answered", "queue_log has no end for the call"
    settle(odoo_db, len(log_calls), timeout=30)
    with odoo_db.env() as env:
        odoo_call = env["hotline.call"].search([("caller_number", "=", "13200000001")])
        assert odoo_call.cut_off and odoo_call.end_time
        print(f"cut-off call: answered {odoo_call.answer_time}, ended {odoo_call.end_time} "
              f"(kill -9 between {before:.1f} and {crashed:.1f}, QUEUESTART {cut['cut_before']}), "
              f"talk {odoo_call.talk_seconds} s")
        # the moment the bridge lost the PBX, to the second
        assert int(before) <= epoch(odoo_call.end_time) <= crashed, "ends when the bridge lost the PBX"
