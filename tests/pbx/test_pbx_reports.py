"""The report service's call and agent KPIs for the run's period equal what queue_log says.

Runs after test_pbx_e2e (same rig, database and bridge); run alone it places its own calls.
Figures are computed here independently from Asterisk's queue_log with the definitions of
addons/hotline_reports/readme/USAGE.md, then compared with hotline.kpi.call over the same
period (the whole run, in UTC).
"""

import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from .conftest import AGENTS, QUEUE_LOG
from .test_pbx_e2e import read_queue_log, settle, wait_calls_done

SHORT, SL = 5, 20
INTERFACE_LOGIN = {v[0]: k for k, v in AGENTS.items()}


def queue_log_figures(until):
    """Call and agent figures from queue_log alone, intervals clipped at `until` (epoch)."""
    calls = {}
    rings = defaultdict(int)
    sessions, pauses = defaultdict(list), defaultdict(list)
    answered_by, talk_iv = defaultdict(int), defaultdict(list)
    for line in QUEUE_LOG.read_text().splitlines():
        t, callid, queue, agent, event, *data = line.split("|")
        t = int(t)
        if event == "ENTERQUEUE":
            calls.setdefault(callid, {"queue": queue})
        elif event == "CONNECT":
            calls.setdefault(callid, {"queue": queue}).update(answered=True, wait=int(data[0]))
            answered_by[agent] += 1
        elif event in ("COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"):
            # the call ends for the agent, after a talk of `calltime` (second-to-last field); a transferred
            # call is an answered call that ended, as for the AHT of the reports
            talk = int(data[-2])
            calls[callid].update(talk=talk)
            talk_iv[agent].append((t - talk, t))
        elif event in ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"):
            calls.setdefault(callid, {"queue": queue}).update(exit=event, wait=int(data[-1]))
        elif event == "RINGNOANSWER":
            rings[agent] += 1
        elif event == "ADDMEMBER":
            sessions[agent].append([t, None])
        elif event == "REMOVEMEMBER" and sessions[agent] and sessions[agent][-1][1] is None:
            sessions[agent][-1][1] = t
        elif event == "PAUSE":
            if pauses[agent] and pauses[agent][-1][1] is None:
                pauses[agent][-1][1] = t  # a new reason while paused: a new interval
            pauses[agent].append([t, None, data[0] if data else ""])
        elif event == "UNPAUSE" and pauses[agent] and pauses[agent][-1][1] is None:
            pauses[agent][-1][1] = t
    answered = [c for c in calls.values() if c.get("answered")]
    abandoned = [c for c in calls.values() if c.get("exit") == "ABANDON"]
    center = {
        "offered": len(calls),
        "answered": len(answered),
        "abandoned": len(abandoned),
        "abandoned_short": sum(c["wait"] < SHORT for c in abandoned),
        "timeouts": sum(c.get("exit") == "EXITWITHTIMEOUT" for c in calls.values()),
        "exit_empty": sum(c.get("exit") == "EXITEMPTY" for c in calls.values()),
        "exit_key": sum(c.get("exit") == "EXITWITHKEY" for c in calls.values()),
        "answered_in_sl": sum(c["wait"] <= SL for c in answered),
        "missed_rings": sum(rings.values()),
        "asa": sum(c["wait"] for c in answered) / len(answered) if answered else None,
        "longest_wait": max((c.get("wait", 0) for c in calls.values()), default=0),
    }
    ended = [c for c in answered if "talk" in c]
    center["aht"] = sum(c["talk"] for c in ended) / len(ended) if ended else None

    def clip(intervals):
        return [(s, min(e if e is not None else until, until)) for s, e, *_r in intervals]

    def overlap(a, b):
        return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)

    agents = {}
    for agent in set(sessions) | set(answered_by) | set(rings):
        signed = clip(sessions.get(agent, []))
        by_reason = defaultdict(float)
        for s, e, reason in pauses.get(agent, []):
            by_reason[reason] += overlap(clip([(s, e)]), signed)
        agents[INTERFACE_LOGIN[agent]] = {
            "signed_in": sum(e - s for s, e in signed),
            "paused": sum(by_reason.values()),
            "paused_by_reason": {r: v for r, v in by_reason.items() if v},
            "inbound_answered": answered_by.get(agent, 0),
            "missed_rings": rings.get(agent, 0),
            "talk_in": sum(e - s for s, e in talk_iv.get(agent, [])),
            "calls_talked": len(talk_iv.get(agent, [])),
            "intervals": len(signed) + len(pauses.get(agent, [])),
        }
    return center, agents


@pytest.fixture(scope="module")
def traffic(rig_traffic_ready, phones):
    """Signed-in agents and finished calls of every kind, whether or not test_pbx_e2e ran first."""
    odoo_db = rig_traffic_ready
    for login in ("ht_agent1", "ht_agent2", "ht_agent4"):
        assert odoo_db.as_agent(login, "hotline_login")["logged_in"], login
    batch = [phones.call(f"1360000000{i}", 6000, 5090 + i) for i in range(1, 3)]
    wait_calls_done(batch)
    odoo_db.as_agent("ht_agent1", "hotline_pause", "小休")
    odoo_db.as_agent("ht_agent2", "hotline_pause", "小休")
    abandon = phones.call("13600000009", 3000, 5093, scenario="caller_abandon.xml")
    wait_calls_done([abandon])
    odoo_db.as_agent("ht_agent1", "hotline_unpause")
    odoo_db.as_agent("ht_agent2", "hotline_unpause")
    settle(odoo_db, len(read_queue_log()[0]), timeout=30)
    return odoo_db


def test_report_figures_equal_queue_log(traffic):
    odoo_db = traffic
    first = min(int(line.split("|", 1)[0]) for line in QUEUE_LOG.read_text().splitlines())
    until = int(time.time())
    start = datetime.fromtimestamp(first - 1, UTC).replace(tzinfo=None)
    end = datetime.fromtimestamp(until, UTC).replace(tzinfo=None)
    log_center, log_agents = queue_log_figures(until)
    with odoo_db.env() as env:
        icp = env["ir.config_parameter"]
        icp.set_param("hotline_reports.short_abandon_seconds", str(SHORT))
        icp.set_param("hotline_reports.service_level_seconds", str(SL))
        kpi = env["hotline.kpi.call"]
        center = kpi.center_figures(start, end)
        agents = kpi.agent_figures(start, end)
        logins = {u.id: u.login for u in env["res.users"].browse(list(agents))}
        # nothing of the run falls outside its period
        assert kpi.center_figures(start - timedelta(days=1), start)["offered"] == 0
    assert center["offered"] >= 3 and center["answered"] >= 2 and center["abandoned"] >= 1, center
    for key in ("offered", "answered", "abandoned", "abandoned_short", "timeouts", "exit_empty", "exit_key",
                "answered_in_sl", "missed_rings"):
        assert center[key] == log_center[key], (key, center[key], log_center[key])
    # Odoo's wait/talk come from AMI within 1 s of queue_log's
    assert abs(center["asa"] - log_center["asa"]) <= 1
    assert abs(center["aht"] - log_center["aht"]) <= 1
    assert abs(center["longest_wait"] - log_center["longest_wait"]) <= 1
    assert abs(center["answer_rate"] - log_center["answered"] / log_center["offered"]) < 1e-9  # a fraction
    by_login = {logins[uid]: figures for uid, figures in agents.items()}
    assert set(log_agents) <= set(by_login), (set(log_agents), set(by_login))
    for login, expected in log_agents.items():
        got = by_login[login]
        assert got["inbound_answered"] == expected["inbound_answered"], login
        assert got["missed_rings"] == expected["missed_rings"], login
        # every interval end may differ by 1 s between AMI (Odoo) and queue_log
        assert abs(got["signed_in"] - expected["signed_in"]) <= 2 * expected["intervals"], (login, got, expected)
        assert abs(got["paused"] - expected["paused"]) <= 2 * expected["intervals"], (login, got, expected)
        assert set(got["paused_by_reason"]) == set(expected["paused_by_reason"]), login
        assert abs(got["talk_in"] - expected["talk_in"]) <= 2 * expected["calls_talked"], (login, got, expected)
    assert by_login["ht_agent1"]["paused_by_reason"].get("小休", 0) > 0
