import json

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..ami.facts import from_queue_log_line
from ..ami.ingest import to_dt
from ..models.hotline_call import SCREEN_POP
from .common import T0, HotlineTelephonyCase, ami

# queue_log of: an answered call after one ring-no-answer at agent2, an abandon,
# a timeout, agent1 login/pause/unpause/logout
QUEUE_LOG = f"""{T0}|MANAGER|hotline|PJSIP/agent1|ADDMEMBER|
{T0}|MANAGER|hotline|PJSIP/agent2|ADDMEMBER|
{T0 + 10}|1.1|hotline|NONE|ENTERQUEUE||13800138000|1
{T0 + 16}|1.1|hotline|PJSIP/agent2|RINGNOANSWER|6000
{T0 + 18}|1.1|hotline|PJSIP/agent1|CONNECT|8|1.2|2
{T0 + 48}|1.1|hotline|PJSIP/agent1|COMPLETECALLER|8|30|1
{T0 + 50}|2.1|hotline|NONE|ENTERQUEUE||13900139000|1
{T0 + 55}|2.1|hotline|NONE|ABANDON|1|1|5
{T0 + 60}|3.1|hotline|NONE|ENTERQUEUE||13700137000|1
{T0 + 180}|3.1|hotline|NONE|EXITWITHTIMEOUT|1|1|120
{T0 + 200}|NONE|hotline|PJSIP/agent1|PAUSE|午休
{T0 + 260}|NONE|hotline|PJSIP/agent1|UNPAUSE|
{T0 + 300}|MANAGER|hotline|PJSIP/agent1|REMOVEMEMBER|
"""


# The same story as AMI would tell it (QueueCallerAbandon fires for the timeout too).
AMI_EVENTS = [
    ami("QueueMemberAdded", T0 + 0.25, Queue="hotline", Interface="PJSIP/agent1", LoginTime=str(T0), Paused="0"),
    ami("QueueMemberAdded", T0 + 0.25, Queue="hotline", Interface="PJSIP/agent2", LoginTime=str(T0), Paused="0"),
    ami("QueueCallerJoin", T0 + 10, Uniqueid="1.1", Linkedid="1.1", Queue="hotline", CallerIDNum="13800138000",
        Exten="12319", Position="1", Count="1"),
    ami("AgentRingNoAnswer", T0 + 16, Uniqueid="1.1", Queue="hotline", Interface="PJSIP/agent2", RingTime="6000"),
    ami("AgentConnect", T0 + 18, Uniqueid="1.1", Queue="hotline", Interface="PJSIP/agent1", HoldTime="8",
        RingTime="2", CallerIDNum="13800138000"),
    ami("AgentComplete", T0 + 48, Uniqueid="1.1", Queue="hotline", Interface="PJSIP/agent1", HoldTime="8",
        TalkTime="30", Reason="caller"),
    ami("QueueCallerJoin", T0 + 50, Uniqueid="2.1", Queue="hotline", CallerIDNum="13900139000", Position="1"),
    ami("QueueCallerAbandon", T0 + 55, Uniqueid="2.1", Queue="hotline", Position="1", OriginalPosition="1",
        HoldTime="5"),
    ami("QueueCallerJoin", T0 + 60, Uniqueid="3.1", Queue="hotline", CallerIDNum="13700137000", Position="1"),
    ami("QueueCallerAbandon", T0 + 180, Uniqueid="3.1", Queue="hotline", Position="1", OriginalPosition="1",
        HoldTime="120"),
    ami("UserEvent", T0 + 180, UserEvent="HotlineQueueExit", Uniqueid="3.1", Queue="hotline",
        QueueStatus="TIMEOUT"),
    ami("QueueMemberPause", T0 + 200, Queue="hotline", Interface="PJSIP/agent1", Paused="1", PausedReason="午休"),
    ami("QueueMemberPause", T0 + 260, Queue="hotline", Interface="PJSIP/agent1", Paused="0"),
    ami("QueueMemberRemoved", T0 + 300, Queue="hotline", Interface="PJSIP/agent1"),
]


@tagged("post_install", "-at_install")
class TestIngest(HotlineTelephonyCase):
    def from_log(self, text=QUEUE_LOG, offset=0):
        return super().from_log(text, offset)

    def from_ami(self, events=AMI_EVENTS, live=False):
        return super().from_ami(events, live)

    def test_agent_complete_without_channel_headers_lands_on_the_agents_call(self):
        """Asterisk drops the channel headers of AgentComplete when both sides hang up together."""
        base = {"Privilege": "agent,all", "Queue": "hotline", "Interface": "PJSIP/agent2",
                "MemberName": "PJSIP/agent2"}
        join = {"Event": "QueueCallerJoin", "Uniqueid": "9001.1", "Linkedid": "9001.1", "Queue": "hotline",
                "CallerIDNum": "13800000009", "Position": "1", "Timestamp": "1795634223.0"}
        connect = dict(base, Event="AgentConnect", Uniqueid="9001.1", Linkedid="9001.1", HoldTime="1",
                       RingTime="1", CallerIDNum="13800000009", Timestamp="1795634224.0")
        bare_complete = dict(base, Event="AgentComplete", HoldTime="1", TalkTime="12", Reason="caller",
                             Timestamp="1795634236.1")
        # connect and complete in separate batches (complete finds the open call in the database) ...
        self.ingest(self.from_ami([join, connect]))
        self.ingest(self.from_ami([bare_complete]))
        call = self.env["hotline.call"].search([("pbx_id", "=", self.pbx.id), ("uniqueid", "=", "9001.1")])
        self.assertEqual((call.talk_seconds, call.outcome, call.user_id), (12, "answered", self.agent2))
        self.assertTrue(call.end_time)
        # ... and both in one batch
        self.ingest(self.from_ami([dict(join, Uniqueid="9002.1", Linkedid="9002.1"),
                                   dict(connect, Uniqueid="9002.1", Linkedid="9002.1"), bare_complete]))
        call = self.env["hotline.call"].search([("pbx_id", "=", self.pbx.id), ("uniqueid", "=", "9002.1")])
        self.assertEqual(call.talk_seconds, 12)
        # an AgentComplete nobody is connected for is skipped, not pinned on an ended call
        before = self.snapshot()
        with self.assertLogs("odoo.addons.hotline_telephony", "WARNING") as logged:
            self.ingest(self.from_ami([bare_complete]))
        self.assertIn("matches no open call", logged.output[0])
        self.assertEqual(self.snapshot(), before)

    def snapshot(self):
        calls = self.env["hotline.call"].search([("pbx_id", "=", self.pbx.id)], order="uniqueid")
        return (
            [(c.uniqueid, c.outcome, c.user_id.login, c.wait_seconds, c.talk_seconds, c.caller_number)
             for c in calls],
            sorted((a.call_id.uniqueid, a.interface, a.result) for a in calls.attempt_ids),
            sorted((s.interface, str(s.start), str(s.stop))
                   for s in self.env["hotline.agent.session"].search([("pbx_id", "=", self.pbx.id)])),
            sorted((p.interface, p.reason, p.duration)
                   for p in self.env["hotline.agent.pause"].search([("pbx_id", "=", self.pbx.id)])),
        )

    def check_story(self):
        calls, attempts, sessions, pauses = self.snapshot()
        self.assertEqual(calls, [
            ("1.1", "answered", "ht_agent1", 8, 30, "13800138000"),
            ("2.1", "abandoned", False, 5, 0, "13900139000"),
            ("3.1", "timeout", False, 120, 0, "13700137000"),
        ])
        self.assertEqual(attempts, [("1.1", "PJSIP/agent1", "answered"), ("1.1", "PJSIP/agent2", "noanswer")])
        self.assertEqual(len(sessions), 2)
        self.assertIn(("PJSIP/agent2", str(to_dt(T0)), "False"), sessions)
        self.assertEqual(pauses, [("PJSIP/agent1", "午休", 60)])
        session1 = self.env["hotline.agent.session"].search([("interface", "=", "PJSIP/agent1"),
                                                             ("pbx_id", "=", self.pbx.id)])
        self.assertEqual(session1.duration, 300)

    def test_queue_log_backfill_and_replay_is_idempotent(self):
        self.ingest(self.from_log())
        self.check_story()
        first = self.snapshot()
        self.ingest(self.from_log())
        self.assertEqual(self.snapshot(), first)

    def test_ami_then_queue_log_gives_the_same_records(self):
        self.ingest(self.from_ami())
        self.check_story()
        first = self.snapshot()
        self.ingest(self.from_log())  # backfill after an outage overlaps what AMI already gave
        self.ingest(self.from_ami())  # and a replayed stream
        self.assertEqual(self.snapshot(), first)

    def test_partial_outage_completed_by_queue_log(self):
        # the bridge saw the first half of the day over AMI, then lost the link
        self.ingest(self.from_ami(AMI_EVENTS[:5]))
        call = self.env["hotline.call"].search([("uniqueid", "=", "1.1")])
        self.assertFalse(call.end_time)
        self.ingest(self.from_log())
        self.check_story()

    def test_abandon_is_not_a_timeout(self):
        self.ingest(self.from_ami())
        self.assertEqual(self.env["hotline.call"].search([("uniqueid", "=", "2.1")]).outcome, "abandoned")
        self.assertEqual(self.env["hotline.call"].search([("uniqueid", "=", "3.1")]).outcome_source, "dialplan")

    def test_malformed_facts_are_skipped_not_fatal(self):
        facts = self.from_log()
        bad = [{"kind": "connect", "uniqueid": "9.9", "time": T0},  # missing holdtime
               {"kind": "nonsense", "time": T0}]
        ingestor = self.ingest(facts[:3] + bad + facts[3:])
        self.assertEqual(ingestor.stats["skipped"], 2)
        self.check_story()
        with self.assertRaises(ValueError):
            from_queue_log_line("garbage")

    def test_screen_pop_reaches_only_the_answering_agent(self):
        partner = self.env["res.partner"].create({"name": "王先生", "phone": "13800138000"})
        self.env["hotline.case"].create({"caller_phone": "13800138000", "partner_id": partner.id,
                                         "description": "小区停水"})
        self.env["bus.bus"].search([]).unlink()
        self.ingest(self.from_ami(AMI_EVENTS[:5], live=True))
        pops = self.env["bus.bus"].search([]).filtered(lambda b: SCREEN_POP in b.message)
        self.assertEqual(len(pops), 1)
        self.assertIn(f'"res.partner",{self.agent1.partner_id.id}]', pops.channel)
        payload = json.loads(pops.message)["payload"]
        self.assertEqual(payload["partner"], {"id": partner.id, "name": "王先生"})
        self.assertEqual(payload["case_count"], 1)
        self.assertEqual(payload["caller_number"], "13800138000")
        # replaying the connect does not pop twice; backfilled facts never pop
        self.ingest(self.from_ami(AMI_EVENTS[:5], live=True))
        self.ingest(self.from_log())
        self.assertEqual(len(self.env["bus.bus"].search([]).filtered(lambda b: SCREEN_POP in b.message)), 1)

    def test_agents_see_only_their_calls(self):
        self.ingest(self.from_log())
        Call = self.env["hotline.call"]
        mine = [("pbx_id", "=", self.pbx.id)]
        self.assertEqual(Call.with_user(self.agent1).search(mine).mapped("uniqueid"), ["1.1"])
        self.assertFalse(Call.with_user(self.agent2).search(mine))
        self.assertEqual(len(Call.with_user(self.manager).search(mine)), 3)
        self.assertFalse(self.env["hotline.agent.pause"].with_user(self.agent2).search(mine))
        self.assertEqual(len(self.env["hotline.agent.pause"].with_user(self.agent1).search(mine)), 1)
        with self.assertRaises(AccessError):
            Call.with_user(self.agent1).search(mine).write({"talk_seconds": 1})
        with self.assertRaises(AccessError):
            self.pbx.with_user(self.agent1).read(["secret"])

    def test_new_case_from_call_is_prefilled(self):
        self.ingest(self.from_log())
        call = self.env["hotline.call"].search([("uniqueid", "=", "1.1")])
        action = call.with_user(self.agent1).action_new_case()
        self.assertEqual(action["context"]["default_caller_phone"], "13800138000")
        self.assertEqual(action["context"]["default_call_ids"], [(6, 0, call.ids)])

    def test_resync_after_pbx_restart_keeps_sessions(self):
        self.ingest(self.from_log(QUEUE_LOG.split(f"{T0 + 300}|")[0]))  # agent1 still logged in
        self.ingest([{"kind": "member_add", "queue": "hotline", "interface": "PJSIP/agent1", "time": T0 + 999,
                      "resync": True}])
        sessions = self.env["hotline.agent.session"].search([("interface", "=", "PJSIP/agent1"),
                                                             ("pbx_id", "=", self.pbx.id)])
        self.assertEqual(len(sessions), 1)
        self.assertFalse(sessions.stop)

    def test_live_agent_state_pushed_to_that_agent_only(self):
        self.env["bus.bus"].search([]).unlink()
        facts = self.from_ami(AMI_EVENTS[:1] + AMI_EVENTS[-3:-2], live=True)  # agent1 logs in, pauses
        self.ingest(facts)
        msgs = self.env["bus.bus"].search([]).filtered(lambda b: "hotline_telephony/agent_state" in b.message)
        self.assertTrue(msgs)
        self.assertTrue(all(f'"res.partner",{self.agent1.partner_id.id}]' in m.channel for m in msgs))
        last = json.loads(msgs.sorted("id")[-1].message)["payload"]
        self.assertEqual((last["logged_in"], last["paused"], last["reason"]), (True, True, "午休"))
