"""Call recording and 一次一评 against the real Asterisk: SIPp phones speak (RTP) and press keys
(RFC 2833), the dialplan records with MixMonitor and reports the caller's key, the bridge ties each
file to its call by the PBX's uniqueids and Odoo converts it. Every figure is compared with what
Asterisk itself logged in queue_log."""

import time

import pytest

from .conftest import AGENTS, CHROOT, QUEUE_LOG, RECORDINGS, rig, wait_for
from .rtp import write_pcap
from .test_pbx_e2e import read_queue_log, settle, wait_calls_done

# Asterisk's CDRs (the Debian package's cdr.conf: cdr_csv on)
CDR_CSV = CHROOT / "var/log/asterisk/cdr-csv/Master.csv"
LOGINS = ("ht_agent1", "ht_agent2", "ht_agent3", "ht_agent4", "ht_agent5", "ht_agent6")


@pytest.fixture(scope="module")
def desk(rig_traffic_ready):
    odoo_db = rig_traffic_ready
    for login in LOGINS:  # start from no one signed in, whatever an earlier module left
        if odoo_db.as_agent(login, "hotline_agent_state")["logged_in"]:
            odoo_db.as_agent(login, "hotline_logout")
    yield odoo_db
    for login in LOGINS:
        if odoo_db.as_agent(login, "hotline_agent_state")["logged_in"]:
            odoo_db.as_agent(login, "hotline_logout")


def signed_in(odoo_db, *logins):
    for login in LOGINS:
        state = odoo_db.as_agent(login, "hotline_agent_state")
        if login in logins and not state["logged_in"]:
            odoo_db.as_agent(login, "hotline_login")
        elif login not in logins and state["logged_in"]:
            odoo_db.as_agent(login, "hotline_logout")


def converted(odoo_db):
    """Run the conversion job as its cron would (the PBX files of ended calls become stored sound)."""
    with odoo_db.env() as env:
        env["hotline.recording"]._cron_convert()


def recordings_of(odoo_db, caller=None, case_id=None):
    with odoo_db.env() as env:
        if case_id:
            calls = env["hotline.case"].browse(case_id).call_ids
        else:
            calls = env["hotline.call"].search([("caller_number", "=", caller)])
        return [dict(r.read(["state", "duration", "call_uniqueid", "source_name", "checksum", "timeline",
                             "file_size", "codec", "citizen_channel"])[0], call_uniqueid_of_call=r.call_id.uniqueid,
                     path=r.sudo()._stored_path(), talk=r.call_id.talk_seconds, cut_off=r.call_id.cut_off)
                for r in calls.recording_ids]


def stored(odoo_db, caller=None, case_id=None, n=1, timeout=30):
    def done():
        converted(odoo_db)
        recs = recordings_of(odoo_db, caller, case_id)
        return len(recs) == n and all(r["state"] == "stored" for r in recs) and recs
    return wait_for(done, timeout=timeout, interval=1, message=f"the recording of {caller or case_id} stored")


def log_talk(caller):
    """(uniqueid, CONNECT epoch, talk seconds) of the caller's call as Asterisk logged it."""
    calls = [(uid, c) for uid, c in read_queue_log()[0].items() if c["caller"] == caller]
    assert len(calls) == 1, calls
    uid, call = calls[0]
    connect = next(int(line.split("|")[0]) for line in QUEUE_LOG.read_text().splitlines()
                   if line.split("|")[1] == uid and line.split("|")[4] == "CONNECT")
    return uid, connect, call.get("talk")


def test_two_calls_answered_in_the_same_second_are_recorded_on_their_own_calls(desk, phones):
    odoo_db = desk
    signed_in(odoo_db, "ht_agent1", "ht_agent2")
    # two citizens speak for different lengths: each file must carry its own call's talk time
    for _attempt in range(3):
        while time.time() % 1 > 0.2:  # both calls enter early in a second: both connect in the same one
            time.sleep(0.02)
        short = phones.call(f"1351000{_attempt}001", 7000, 5101, scenario="caller_talk.xml")
        long = phones.call(f"1351000{_attempt}002", 11000, 5102, scenario="caller_talk.xml")
        wait_calls_done([short, long])
        settle(odoo_db, len(read_queue_log()[0]), timeout=30)
        a, b = log_talk(f"1351000{_attempt}001"), log_talk(f"1351000{_attempt}002")
        if a[1] == b[1]:
            break
    else:
        pytest.fail("Asterisk never connected the two calls in the same second")
    for caller, (uid, _connect, talk) in ((f"1351000{_attempt}001", a), (f"1351000{_attempt}002", b)):
        [rec] = stored(odoo_db, caller)
        assert rec["call_uniqueid"] == rec["call_uniqueid_of_call"] == uid
        assert rec["source_name"].split("/")[1].startswith(f"q-{uid}-")
        print(f"{caller}: recorded {rec['duration']:.2f} s, queue_log talk {talk} s, "
              f"{rec['file_size']} bytes {rec['codec']}")
        assert abs(rec["duration"] - talk) <= 1, (caller, rec["duration"], talk)
        assert rec["checksum"] and len(rec["checksum"]) == 64
        # the citizen spoke all along (left channel), the agents' phones sent no sound
        spoke = sum(b - a for a, b in rec["timeline"]["citizen"])
        assert spoke >= talk - 1 and rec["timeline"]["agent"] == [], rec["timeline"]
        with open(rec["path"], "rb") as fh:
            assert fh.read(4) == b"OggS"
        assert not (RECORDINGS / rec["source_name"]).exists(), "the PBX file of a stored recording is removed"


@pytest.mark.parametrize(("key", "state", "rating"), [
    ("1", "rated", "satisfied"), ("2", "rated", "basic"), ("3", "rated", "unsatisfied"), (None, "no_key", False)])
def test_caller_rates_the_agent_who_hung_up_first(desk, phones, key, state, rating):
    odoo_db = desk
    signed_in(odoo_db, "ht_agent3")  # answers, talks 3 s, hangs up first
    write_pcap(phones.log_dir / "key.pcap", 0.2, key)
    caller = f"1352000000{key or 0}"
    call = phones.call(caller, 6000, 5103, scenario="caller_rating.xml")
    wait_calls_done([call], timeout=40)
    assert call.returncode == 0, "the PBX hung up on the caller after the rating"

    def rated():
        with odoo_db.env() as env:
            c = env["hotline.call"].search([("caller_number", "=", caller)])
            return c.rating_state and (c.rating_state, c.rating, c.rating_key, c.completed_by)
    got = wait_for(rated, timeout=20, message="the rating to be stored")
    assert got == (state, rating, key or False, "agent"), got


def test_click_to_dial_is_recorded_on_the_case(desk):
    odoo_db = desk
    signed_in(odoo_db)
    with odoo_db.env("ht_agent3") as env:
        case = env["hotline.case"].create({"caller_phone": "13800138001", "description": "回访：积水已排除"})
        case.action_hotline_dial()
        case_id = case.id
    [rec] = stored(odoo_db, case_id=case_id, timeout=40)
    assert rec["source_name"].split("/")[1].startswith(f"o-{rec['call_uniqueid_of_call']}-")
    assert rec["citizen_channel"] == "left"
    assert abs(rec["duration"] - rec["talk"]) <= 1, rec
    assert rec["timeline"]["citizen"], "the citizen's leg carries the citizen"
    with odoo_db.env("ht_agent3") as env:  # the agent who called back hears it on the case
        assert env["hotline.case"].browse(case_id).recording_ids


def test_pbx_killed_mid_call_leaves_a_readable_partial_recording(desk, bridge, phones):
    odoo_db = desk
    signed_in(odoo_db, "ht_agent1")
    caller = "13530000001"
    call = phones.call(caller, 40000, 5104, scenario="caller_talk.xml")
    wait_for(lambda: any(c.get("agent") for c in read_queue_log()[0].values() if c["caller"] == caller),
             timeout=20, message="the call to connect")
    time.sleep(4)
    rig("crash")
    crashed = time.time()
    rig("start", timeout=120)
    from .conftest import bridge_connected  # noqa: PLC0415

    wait_for(lambda: bridge_connected(odoo_db, crashed), timeout=90, message="the bridge to reconnect")
    call.terminate()
    settle(odoo_db, len(read_queue_log()[0]), timeout=30)
    [rec] = stored(odoo_db, caller, timeout=30)
    uid, connect, _talk = log_talk(caller)
    assert rec["cut_off"] and rec["call_uniqueid"] == uid
    print(f"cut-off call: recorded {rec['duration']:.2f} s of the {crashed - connect:.1f} s before the kill")
    assert 3 <= rec["duration"] <= crashed - connect + 1


def cdr_rows_since(offset):
    """Asterisk's CDRs (cdr_csv Master.csv) written after byte `offset`: the one record Asterisk keeps of
    a transfer's second leg (queue_log's lines end with the transfer)."""
    import csv  # noqa: PLC0415

    path = CDR_CSV
    with open(path, "rb") as fh:
        fh.seek(offset)
        text = fh.read().decode(errors="replace")
    # accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end,
    # duration, billsec, disposition, amaflags, uniqueid, userfield
    return [dict(zip(("src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "answer", "billsec"),
                     (r[1], r[2], r[3], r[5], r[6], r[7], r[10], int(r[13])), strict=True))
            for r in csv.reader(text.splitlines()) if len(r) >= 17]


def cdr_offset():
    return CDR_CSV.stat().st_size if CDR_CSV.exists() else 0


def transfer_legs(odoo_db, caller, first_login, cdr_from):
    """The caller's call as queue_log tells it, its two recorded legs, and Asterisk's CDRs of the caller's
    bridges with the first agent and with agent2 (dialled as 8002): queue_log's lines of a call end with
    its transfer, the CDRs go on."""
    uid, _connect, first_talk = log_talk(caller)
    assert read_queue_log()[0][uid]["outcome"] == "transferred"
    legs = stored(odoo_db, caller, n=2, timeout=40)
    by_agent = {}
    with odoo_db.env() as env:
        for leg in legs:
            rec = env["hotline.recording"].browse(leg["id"])
            by_agent[rec.agent_id.login] = dict(leg, interface=rec.interface, call_caller=rec.call_id.caller_number)
    assert set(by_agent) == {first_login, "ht_agent2"}, by_agent
    rows = [r for r in cdr_rows_since(cdr_from) if r["src"] == caller and not r["channel"].startswith("Local/")]

    def bridge(agent):
        [row] = [r for r in rows if r["dstchannel"].startswith(agent + "-")]
        return row["billsec"]
    return uid, first_talk, by_agent[first_login], by_agent["ht_agent2"], bridge(AGENTS[first_login][0]), \
        bridge("PJSIP/agent2")


def within_a_second_of(duration, billsec):
    """A CDR's billsec is rounded down: the bridge lasted [billsec, billsec + 1) seconds."""
    return billsec - 1 <= duration < billsec + 2


def test_blind_and_attended_transfers_are_recorded_on_both_agents(desk, phones):
    """agent5 answers and transfers blind (SIP REFER to 8002), agent6 answers and transfers attended (AMI
    Atxfer to 8002): agent2's leg is recorded too, on the same call, as agent2's, as long as Asterisk's CDR
    says the caller was bridged with agent2. The first agent's leg is as long as queue_log's talk time
    (blind); on an attended transfer it lasts the talk with the caller and the ringback of the transfer,
    queue_log's talk time adds the consultation. MixMonitor writes the frames it sees: the rig's agent
    phones send no sound, so the consultation between two silent phones adds nothing to either file."""
    from .test_pbx_e2e import ami_client, bridged_channel  # noqa: PLC0415

    odoo_db = desk
    cdr_from = cdr_offset()
    signed_in(odoo_db, "ht_agent5")
    blind = phones.call("13540000001", 12000, 5105, scenario="caller_talk.xml")
    wait_calls_done([blind], timeout=60)
    signed_in(odoo_db, "ht_agent6")
    attended = phones.call("13540000002", 20000, 5106, scenario="caller_talk.xml")
    channel = wait_for(lambda: bridged_channel("PJSIP/agent6-"), timeout=20,
                       message="agent6's channel to be bridged with the caller")
    talk_from = time.monotonic()

    def agent6_shown_recording():
        with odoo_db.env() as env:
            user = env["res.users"].search([("login", "=", "ht_agent6")])
            return env["hotline.agent.state"]._states(user)[0]["recording"]
    # the floor (tiles, systray) says agent6's call is being recorded, from the dialplan's event
    wait_for(agent6_shown_recording, timeout=4, interval=0.2, message="agent6 shown recording")
    time.sleep(max(0, 3 - (time.monotonic() - talk_from)))  # agent6 talks 3 s before the transfer
    with ami_client() as client:
        client.check({"Action": "Atxfer", "Channel": channel, "Exten": "8002", "Context": "hotline-agents"})
    wait_calls_done([attended], timeout=60)
    signed_in(odoo_db)
    settle(odoo_db, len(read_queue_log()[0]), timeout=30)
    for caller, first_login in (("13540000001", "ht_agent5"), ("13540000002", "ht_agent6")):
        uid, first_talk, first, second, first_bridge, second_bridge = transfer_legs(
            odoo_db, caller, first_login, cdr_from)
        print(f"{caller}: {first_login} recorded {first['duration']:.2f} s (queue_log talk {first_talk} s, "
              f"CDR bridge {first_bridge} s), agent2 recorded {second['duration']:.2f} s "
              f"(CDR bridge {second_bridge} s)")
        for leg in (first, second):  # both legs on the caller's own call, by the PBX's ids
            assert leg["call_uniqueid"] == leg["call_uniqueid_of_call"] == uid, leg
            assert leg["call_caller"] == caller and leg["source_name"].split("/")[1].startswith(f"q-{uid}-")
            assert leg["timeline"]["citizen"], leg["timeline"]
        assert first["interface"] == AGENTS[first_login][0] and second["interface"] == "PJSIP/agent2"
        assert first["source_name"] != second["source_name"]
        assert second_bridge >= 5 and within_a_second_of(second["duration"], second_bridge), (caller, second)
        if first_login == "ht_agent5":
            assert abs(first["duration"] - first_talk) <= 1, (first["duration"], first_talk)
        else:
            assert first_bridge >= 2 and first_bridge - 1 <= first["duration"] <= first_talk, \
                (first["duration"], first_bridge, first_talk)
