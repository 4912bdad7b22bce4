"""Events are the same event only when they are the same queue_log line or the same AMI event
(issue 8, items 10-13): never because they are close in time."""

from odoo.tests import tagged

from ..ami.ingest import to_dt
from .common import T0, HotlineTelephonyCase, ami, epoch

A1 = {"Queue": "hotline", "Interface": "PJSIP/agent1"}


def added(t):
    return ami("QueueMemberAdded", t, LoginTime=str(int(t)), Paused="0", **A1)


def removed(t):
    return ami("QueueMemberRemoved", t, **A1)


def paused(t, on, reason=""):
    return ami("QueueMemberPause", t, Paused="1" if on else "0", PausedReason=reason, **A1)


@tagged("post_install", "-at_install")
class TestEventIdentity(HotlineTelephonyCase):
    def state(self):
        return self.agent1._hotline_recorded_state(self.agent1._hotline_empty_state())

    # -- 10: sign-out and sign-in in the same second --------------------------------
    SIGN_LOG = f"""{T0}|MANAGER|hotline|PJSIP/agent1|ADDMEMBER|
{T0 + 40}|MANAGER|hotline|PJSIP/agent1|REMOVEMEMBER|
{T0 + 40}|MANAGER|hotline|PJSIP/agent1|ADDMEMBER|
{T0 + 114}|MANAGER|hotline|PJSIP/agent1|REMOVEMEMBER|
"""
    SIGN_AMI = [added(T0 + 0.1), removed(T0 + 40.2), added(T0 + 40.7), removed(T0 + 114.3)]

    def test_sign_out_and_in_within_a_second_live_then_backfill(self):
        self.ingest(self.from_ami(self.SIGN_AMI[:3], live=True))
        self.assertEqual(self.intervals("hotline.agent.session"), [(T0, T0 + 40), (T0 + 40, None)])
        self.assertTrue(self.state()["logged_in"], "signed in again, taking calls")
        # the queue_log catch-up of the same three lines changes nothing
        self.ingest(self.from_log(self.SIGN_LOG.split(f"{T0 + 114}|")[0]))
        self.assertEqual(self.intervals("hotline.agent.session"), [(T0, T0 + 40), (T0 + 40, None)])
        self.assertTrue(self.state()["logged_in"])
        self.ingest(self.from_ami(self.SIGN_AMI[3:], live=True))
        self.ingest(self.from_log(self.SIGN_LOG))
        self.ingest(self.from_ami(self.SIGN_AMI))  # a replayed stream
        sessions = self.env["hotline.agent.session"].search([("pbx_id", "=", self.pbx.id)], order="start, id")
        self.assertEqual(sessions.mapped("duration"), [40, 74])
        self.assertEqual(len(self.env["hotline.queue.event"].search([("pbx_id", "=", self.pbx.id)])), 4,
                         "four events, each known by its AMI event and its queue_log line")

    def test_sign_out_and_in_within_a_second_from_queue_log_only(self):
        self.ingest(self.from_log(self.SIGN_LOG))
        self.ingest(self.from_log(self.SIGN_LOG))
        self.assertEqual(self.intervals("hotline.agent.session"), [(T0, T0 + 40), (T0 + 40, T0 + 114)])

    # -- 11: 示忙 / 示闲 / 示忙 within a second ------------------------------------------
    PAUSE_LOG = f"""{T0}|MANAGER|hotline|PJSIP/agent1|ADDMEMBER|
{T0 + 10}|NONE|hotline|PJSIP/agent1|PAUSE|小休
{T0 + 10}|NONE|hotline|PJSIP/agent1|UNPAUSE|
{T0 + 10}|NONE|hotline|PJSIP/agent1|PAUSE|小休
{T0 + 62}|NONE|hotline|PJSIP/agent1|UNPAUSE|
"""
    PAUSE_AMI = [added(T0 + 0.1), paused(T0 + 10.1, True, "小休"), paused(T0 + 10.4, False),
                 paused(T0 + 10.8, True, "小休"), paused(T0 + 62.5, False)]

    def test_pause_unpause_pause_within_a_second(self):
        self.ingest(self.from_ami(self.PAUSE_AMI[:4], live=True))
        self.assertEqual(self.intervals("hotline.agent.pause"), [(T0 + 10, T0 + 10), (T0 + 10, None)])
        self.assertTrue(self.state()["paused"], "Asterisk has the agent paused")
        self.ingest(self.from_log(self.PAUSE_LOG.split(f"{T0 + 62}|")[0]))
        self.assertTrue(self.state()["paused"])
        self.ingest(self.from_ami(self.PAUSE_AMI[4:], live=True))
        self.ingest(self.from_log(self.PAUSE_LOG))
        self.ingest(self.from_ami(self.PAUSE_AMI))
        pauses = self.env["hotline.agent.pause"].search([("pbx_id", "=", self.pbx.id)], order="start, id")
        self.assertEqual(pauses.mapped("duration"), [0, 52])
        self.assertEqual(pauses.mapped("reason"), ["小休", "小休"])
        self.assertFalse(self.state()["paused"])

    def test_pause_unpause_pause_from_queue_log_only(self):
        self.ingest(self.from_log(self.PAUSE_LOG))
        self.ingest(self.from_log(self.PAUSE_LOG))
        self.assertEqual(self.intervals("hotline.agent.pause"), [(T0 + 10, T0 + 10), (T0 + 10, T0 + 62)])

    def test_queue_log_read_in_two_pieces_keeps_the_offsets(self):
        data = self.PAUSE_LOG.encode()
        cut = data.index(b"UNPAUSE|\n") + len(b"UNPAUSE|\n")  # the reader stopped after the first UNPAUSE
        self.ingest(self.from_log(data[:cut].decode()))
        self.ingest(self.from_log(data[cut:].decode(), offset=cut))
        self.ingest(self.from_log(self.PAUSE_LOG))  # the whole file again (rotation check, restart)
        self.assertEqual(self.intervals("hotline.agent.pause"), [(T0 + 10, T0 + 10), (T0 + 10, T0 + 62)])

    def test_ring_no_answer_twice_within_a_second_counts_twice(self):
        log = f"""{T0}|5.1|hotline|NONE|ENTERQUEUE||13800138000|1
{T0 + 6}|5.1|hotline|PJSIP/agent2|RINGNOANSWER|1000
{T0 + 6}|5.1|hotline|PJSIP/agent2|RINGNOANSWER|200
{T0 + 9}|5.1|hotline|NONE|ABANDON|1|1|9
"""
        self.ingest(self.from_log(log))
        self.ingest(self.from_log(log))
        self.assertEqual(self.calls(uniqueid="5.1").missed_attempt_count, 2)

    # -- 12: a call answered at once ---------------------------------------------------
    def test_zero_wait_is_a_wait(self):
        log = f"""{T0}|6.1|hotline|NONE|ENTERQUEUE||13800138000|1
{T0}|6.1|hotline|PJSIP/agent1|CONNECT|0|6.2|0
{T0 + 30}|6.1|hotline|PJSIP/agent1|COMPLETEAGENT|0|30|1
{T0 + 40}|7.1|hotline|NONE|ENTERQUEUE||13900139000|1
{T0 + 51}|7.1|hotline|PJSIP/agent2|CONNECT|11|7.2|1
{T0 + 70}|7.1|hotline|PJSIP/agent2|COMPLETECALLER|11|19|1
"""
        for facts in (self.from_ami([ami("QueueCallerJoin", T0 + 0.1, Uniqueid="6.1", Queue="hotline",
                                         CallerIDNum="13800138000", Position="1"),
                                     ami("AgentConnect", T0 + 0.3, Uniqueid="6.1", HoldTime="0", RingTime="0",
                                         **dict(A1, Queue="hotline"))]),
                      self.from_log(log)):
            self.ingest(facts)
            self.env.cr.execute("SELECT wait_seconds FROM hotline_call WHERE pbx_id = %s AND uniqueid = '6.1'",
                                [self.pbx.id])
            self.assertEqual(self.env.cr.fetchone()[0], 0)
        groups = self.env["hotline.call"]._read_group([("pbx_id", "=", self.pbx.id)], [], ["wait_seconds:avg"])
        self.assertEqual(groups[0][0], 5.5, "the 0 s wait counts in the average")

    # -- 13: the PBX killed during a call ------------------------------------------------
    CUT_LOG = f"""{T0}|8.1|hotline|NONE|ENTERQUEUE||13800138000|1
{T0 + 4}|8.1|hotline|PJSIP/agent1|CONNECT|4|8.2|1
{T0 + 20}|9.1|hotline|NONE|ENTERQUEUE||13900139000|1
{T0 + 95}|NONE|NONE|NONE|QUEUESTART|
{T0 + 99}|10.1|hotline|NONE|ENTERQUEUE||13700137000|1
"""

    def test_call_cut_off_by_a_pbx_crash_ends_when_the_pbx_was_last_seen(self):
        self.pbx.bridge_heartbeat = to_dt(T0 + 61)  # the bridge lost the PBX then
        self.ingest(self.from_log(self.CUT_LOG))
        answered, waiting, after = self.calls()
        self.assertTrue(answered.cut_off and waiting.cut_off)
        self.assertEqual((epoch(answered.end_time), answered.talk_seconds, answered.outcome),
                         (T0 + 61, 57, "answered"))
        self.assertEqual(epoch(waiting.end_time), T0 + 61)
        self.assertFalse(after.end_time or after.cut_off, "a call after the restart is not touched")
        self.ingest(self.from_log(self.CUT_LOG))
        self.assertEqual(answered.talk_seconds, 57)

    def test_pbx_start_seen_over_ami_cuts_calls_older_than_the_start(self):
        self.ingest(self.from_log(self.CUT_LOG.split(f"{T0 + 95}|")[0]))
        booted = {"Event": "FullyBooted", "Uptime": "3", "Status": "Fully Booted", "_received": T0 + 98.5}
        self.ingest(self.from_ami([booted]))
        self.assertEqual(self.calls(cut_off=True).mapped("uniqueid"), ["8.1", "9.1"])
        # the same login much later (nothing new to cut) and a real end logged after all
        self.ingest(self.from_ami([dict(booted, Uptime="900", _received=T0 + 1000)]))
        self.ingest(self.from_log(f"{T0 + 90}|8.1|hotline|PJSIP/agent1|COMPLETECALLER|4|86|1\n"))
        call = self.calls(uniqueid="8.1")
        self.assertEqual((call.cut_off, call.talk_seconds, epoch(call.end_time)), (False, 86, T0 + 90))

    def test_transfers_from_queue_log(self):
        # Asterisk 22's lines: BLINDTRANSFER|exten|context|hold|talk|pos, ATTENDEDTRANSFER|BRIDGE|id|hold|talk|pos
        log = f"""{T0}|11.1|hotline|NONE|ENTERQUEUE||13800138000|1
{T0 + 3}|11.1|hotline|PJSIP/agent1|CONNECT|3|11.2|1
{T0 + 33}|11.1|hotline|PJSIP/agent1|BLINDTRANSFER|8002|hotline-agents|3|30|1
{T0 + 40}|12.1|hotline|NONE|ENTERQUEUE||13900139000|1
{T0 + 42}|12.1|hotline|PJSIP/agent2|CONNECT|2|12.2|1
{T0 + 67}|12.1|hotline|PJSIP/agent2|ATTENDEDTRANSFER|BRIDGE|a1b2c3|2|25|1
"""
        self.ingest(self.from_log(log))
        self.assertEqual([(c.outcome, c.completed_by, c.wait_seconds, c.talk_seconds, c.user_id)
                          for c in self.calls()],
                         [("transferred", "transfer", 3, 30, self.agent1),
                          ("transferred", "transfer", 2, 25, self.agent2)])

