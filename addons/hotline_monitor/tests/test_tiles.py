import json
import time
from datetime import timedelta

from odoo import fields
from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.tests import tagged

from ..models.hotline_wallboard import UPDATE
from .common import QUEUE, MonitorCase, ami


@tagged("post_install", "-at_install")
class TestTiles(MonitorCase):
    """Each tile state from AMI events as the bridge ingests them, and its push to the boards."""

    def member(self, event, t, iface, **headers):
        return ami(event, t, Queue=QUEUE, Interface=iface, MemberName=iface, StateInterface=iface, **headers)

    def test_signed_out_then_idle(self):
        self.assertEqual(self.tile(self.agent1)["state"], "offline")
        self.ingest([self.member("QueueMemberAdded", self.t0, "PJSIP/mon1", LoginTime=str(self.t0), Paused="0",
                                 Status="1")])
        tile = self.tile(self.agent1)
        self.assertEqual((tile["state"], tile["queues"], tile["extension"]), ("idle", [QUEUE], "8101"))
        self.assertEqual(tile["since"], self.t0 * 1000)  # idle since sign-in, to the second

    def test_paused_with_reason_then_idle_again(self):
        self.ingest([self.member("QueueMemberAdded", self.t0, "PJSIP/mon1", LoginTime=str(self.t0), Paused="0"),
                     self.member("QueueMemberPause", self.t0 + 60, "PJSIP/mon1", Paused="1", PausedReason="小休")])
        tile = self.tile(self.agent1)
        self.assertEqual((tile["state"], tile["reason"], tile["since"]), ("paused", "小休", (self.t0 + 60) * 1000))
        self.ingest([self.member("QueueMemberPause", self.t0 + 200, "PJSIP/mon1", Paused="0")])
        tile = self.tile(self.agent1)
        self.assertEqual((tile["state"], tile["since"]), ("idle", (self.t0 + 200) * 1000))

    def test_ringing(self):
        self.ingest([self.member("QueueMemberAdded", self.t0, "PJSIP/mon2", LoginTime=str(self.t0), Paused="0"),
                     self.member("QueueMemberStatus", self.t0 + 5, "PJSIP/mon2", Status="6", Paused="0")])
        self.assertEqual(self.tile(self.agent2)["state"], "ringing")

    def test_inbound_call_masked_then_wrapup(self):
        self.board.wrapup_seconds = 3600  # long enough to still be in wrap-up when the test looks
        t = self.t0
        self.ingest([
            self.member("QueueMemberAdded", t, "PJSIP/mon1", LoginTime=str(t), Paused="0"),
            ami("QueueCallerJoin", t + 10, Uniqueid="m1.1", Linkedid="m1.1", Queue=QUEUE,
                CallerIDNum="13912345678", Position="1", Count="1"),
            ami("AgentConnect", t + 15, Uniqueid="m1.1", Queue=QUEUE, Interface="PJSIP/mon1", HoldTime="5",
                RingTime="2", CallerIDNum="13912345678"),
        ])
        tile = self.tile(self.agent1)
        self.assertEqual((tile["state"], tile["direction"], tile["since"]), ("oncall", "inbound", (t + 15) * 1000))
        self.assertEqual(tile["caller"], "139****5678")
        self.ingest([ami("AgentComplete", t + 75, Uniqueid="m1.1", Queue=QUEUE, Interface="PJSIP/mon1",
                         HoldTime="5", TalkTime="60", Reason="caller")])
        tile = self.tile(self.agent1)
        self.assertEqual((tile["state"], tile["since"]), ("wrapup", (t + 75) * 1000))
        self.assertEqual(tile["wrapup_until"], (t + 75 + 3600) * 1000)
        self.assertFalse(tile["caller"])
        self.board.wrapup_seconds = 0  # a queue without wrapuptime: idle right after the call
        self.assertEqual(self.tile(self.agent1)["state"], "idle")

    def test_outbound_call(self):
        self.ingest([self.member("QueueMemberAdded", self.t0, "PJSIP/mon2", LoginTime=str(self.t0), Paused="0")])
        self.env["hotline.call"].create({
            "uniqueid": "odoo-dial-x", "pbx_id": self.pbx.id, "direction": "outbound", "user_id": self.agent2.id,
            "interface": "PJSIP/mon2", "called_number": "02788886666", "enter_time": fields.Datetime.now(),
        })
        tile = self.tile(self.agent2)
        self.assertEqual((tile["state"], tile["direction"], tile["caller"]), ("oncall", "outbound", "027****6666"))

    def test_signed_out(self):
        t = self.t0
        self.ingest([self.member("QueueMemberAdded", t, "PJSIP/mon1", LoginTime=str(t), Paused="0"),
                     self.member("QueueMemberRemoved", t + 300, "PJSIP/mon1")])
        tile = self.tile(self.agent1)
        self.assertEqual((tile["state"], tile["since"], tile["queues"]), ("offline", (t + 300) * 1000, []))

    def test_changes_are_pushed_masked_to_the_token_channel(self):
        """One ingestion batch -> one message per board (masked) and one to the supervisors' group, with the
        tiles and the calls waiting; the bridge's settling -> the queue's figures and abandoned callers."""
        t = self.t0
        facts = self.ingest([
            self.member("QueueMemberAdded", t, "PJSIP/mon1", LoginTime=str(t), Paused="0"),
            ami("QueueCallerJoin", t + 10, Uniqueid="m2.1", Linkedid="m2.1", Queue=QUEUE,
                CallerIDNum="13912345678", Position="1", Count="1"),
            ami("QueueCallerAbandon", t + 40, Uniqueid="m2.1", Queue=QUEUE, Position="1", OriginalPosition="1",
                HoldTime="30"),
        ])
        self.commit_bus()
        token = self.board.access_token
        public = self.bus_messages(token)
        self.assertEqual(len(public), 1)
        self.assertEqual([a["state"] for a in public[0]["agents"]], ["idle"])
        self.assertEqual(public[0]["queues"], [{"name": QUEUE, "waiting": []}], "the batch's push stays cheap")
        self.settle(facts)
        self.commit_bus()
        public = self.bus_messages(token)
        self.assertEqual(len(public), 2)
        self.assertEqual(public[1]["agents"], [], "the tiles went with the batch")
        block = public[1]["queues"][0]
        self.assertEqual((block["name"], block["figures"]["offered"], block["figures"]["abandoned"]), (QUEUE, 1, 1))
        self.assertEqual([a["number"] for a in block["abandoned"]], ["139****5678"])
        self.assertNotIn("13912345678", str(public))
        supervisors = self.bus_messages(self.env.ref("hotline_case.group_reviewer"))
        self.assertEqual([a["number"] for a in supervisors[-1]["queues"][0]["abandoned"]], ["13912345678"])

    def test_a_caller_waiting_reaches_the_board_with_the_batch(self):
        t = int(time.time())
        self.ingest([ami("QueueCallerJoin", t - 5, Uniqueid="m2.2", Linkedid="m2.2", Queue=QUEUE,
                         CallerIDNum="13912345678", Position="1", Count="1")])
        self.commit_bus()
        pushed = self.bus_messages(self.board.access_token)
        self.assertEqual(pushed[-1]["queues"], [{"name": QUEUE, "waiting": [(t - 5) * 1000]}])

    def test_waiting_call_and_snapshot_share(self):
        t = self.t0
        self.ingest([ami("QueueCallerJoin", t + 10, Uniqueid="m3.1", Linkedid="m3.1", Queue=QUEUE,
                         CallerIDNum="13700001111", Position="1", Count="1")])
        Live = self.env["hotline.monitor.live"]
        snapshot = Live._snapshot(self.board)
        block = snapshot["queues"][0]
        self.assertEqual(block["waiting"], [(t + 10) * 1000])  # the board ticks from the start time
        self.assertEqual(block["figures"]["offered"], 1)
        # the same figures as the reports' KPI service for today
        start, end = self.env.company._hotline_day_bounds()
        kpi = self.env["hotline.kpi.call"].sudo().queue_figures(start, end, queues=[QUEUE])[QUEUE]
        self.assertEqual(block["figures"], kpi)
        # within the second, every screen of the board gets the very same snapshot: only its settings are read
        self.env.invalidate_all()
        with self.assertQueryCount(5):  # the board's own settings (record, agents, pause thresholds), by key
            again = Live._snapshot(self.board)
        self.assertIs(again, snapshot)
        # another board with the same settings shares it too, under its own name
        twin = self.board.copy({"name": "二楼大屏", "threshold_ids": [
            (0, 0, {"reason": t.reason, "amber_seconds": t.amber_seconds, "red_seconds": t.red_seconds})
            for t in self.board.threshold_ids]})
        shared = Live._snapshot(twin)
        self.assertEqual((shared["config"]["name"], shared["config"]["id"]), ("二楼大屏", twin.id))
        self.assertIs(shared["agents"], snapshot["agents"])
        self.assertNotIn("13700001111", str(snapshot))

    def test_rotation_blanks_the_screens_on_the_old_url(self):
        old = self.board.access_token
        self.board.with_user(self.manager).action_rotate_token()
        self.commit_bus()
        self.assertEqual(self.bus_messages(old), [{"revoked": True}])
        self.assertEqual(self.bus_messages(self.board.access_token), [])
        # later changes go to the new channel only
        self.ingest([ami("QueueMemberAdded", self.t0, Queue=QUEUE, Interface="PJSIP/mon1", LoginTime=str(self.t0),
                         Paused="0")])
        self.commit_bus()
        self.assertEqual(len(self.bus_messages(old)), 1)
        self.assertEqual([t["state"] for t in self.bus_messages(self.board.access_token)[0]["agents"]], ["idle"])

    def test_abandoned_callers_until_reached(self):
        """Listed once per number (the latest abandon) until called back or answered on a later call."""
        now = fields.Datetime.now().replace(microsecond=0)
        Call = self.env["hotline.call"]

        def call(uid, minutes_ago, **vals):
            t = now - timedelta(minutes=minutes_ago)
            return Call.create({"uniqueid": uid, "pbx_id": self.pbx.id, "queue": QUEUE, "direction": "inbound",
                                "enter_time": t, "end_time": t + timedelta(seconds=30), **vals})
        call("ab1", 50, caller_number="13800000001", outcome="abandoned")
        latest = call("ab2", 40, caller_number="13800000001", outcome="abandoned")
        call("ab3", 30, caller_number="13800000002", outcome="abandoned")
        call("ab4", 20, caller_number="13800000003", outcome="abandoned")
        call("an4", 10, caller_number="13800000003", outcome="answered")  # called again and got through
        call("ab5", 25, caller_number="13800000004", outcome="abandoned")
        Call.create({"uniqueid": "out5", "pbx_id": self.pbx.id, "direction": "outbound", "queue": False,
                     "called_number": "13800000004", "enter_time": now - timedelta(minutes=5),
                     "user_id": self.agent1.id})  # 回拨
        call("an6", 60, caller_number="13800000005", outcome="answered")  # reached before: still listed
        call("ab6", 15, caller_number="13800000005", outcome="abandoned")
        Live = self.env["hotline.monitor.live"]
        # the last two hours (the board reads today: just after midnight these calls are yesterday's)
        start = now - timedelta(hours=2)
        result = Live._abandoned_callers([QUEUE], start, now + timedelta(seconds=1))[QUEUE]
        self.assertEqual([a["number"] for a in result["items"]], ["13800000005", "13800000002", "13800000001"])
        self.assertEqual(result["items"][-1]["call_id"], latest.id)
        self.assertEqual(result["count"], 3)
        short = Live._abandoned_callers([QUEUE], start, now + timedelta(seconds=1), limit=1)[QUEUE]
        self.assertEqual((len(short["items"]), short["count"]), (1, 3))

    def test_old_pushes_leave_the_bus_within_minutes(self):
        """The boards' pushes older than PUSH_RETENTION go (the screens' own and the supervisors'), the
        rest of the bus stays: the supervisors' other messages, other channels, recent pushes."""
        Bus = self.env["bus.bus"].sudo()
        before = Bus.search([], order="id desc", limit=1).id
        t = self.t0
        self.ingest([self.member("QueueMemberAdded", t, "PJSIP/mon1", LoginTime=str(t), Paused="0")])
        self.commit_bus()
        reviewers = self.env.ref("hotline_case.group_reviewer")
        Bus._sendone(reviewers, "mail.record/insert", {"note": "其他通知"})
        Bus._sendone("another-channel", "hotline_monitor/update", {"agents": []})
        self.commit_bus()
        old = Bus.search([("id", ">", before)])
        channels = {row.id: row.channel for row in old}
        screens = {json_dump(channel_with_db(self.env.cr.dbname, channel)) for channel in
                   [*self.env["hotline.monitor.live"]._boards().mapped("access_token"), reviewers]}
        pushes = {row.id for row in old if row.channel in screens and '"hotline_monitor/update"' in row.message}
        self.env.cr.execute("UPDATE bus_bus SET create_date = create_date - interval '11 minutes' WHERE id > %s",
                            [before])
        self.ingest([self.member("QueueMemberPause", t + 5, "PJSIP/mon1", Paused="1", PausedReason="小休")])
        self.commit_bus()
        recent = Bus.search([("id", ">", old[-1:].id)])
        self.assertEqual(len(self.bus_messages(self.board.access_token)), 2)
        Live = self.env["hotline.monitor.live"]
        self.assertGreaterEqual(Live._gc_pushes(), len(pushes))
        shown = self.bus_messages(self.board.access_token)
        self.assertEqual([[a["state"] for a in push["agents"]] for push in shown], [["paused"]],
                         "the old push went, the recent one stays")
        gone = set(old.ids) - set(old.exists().ids)
        self.assertEqual(gone, pushes, "only the boards' pushes went (not the group's other message, nor the "
                                       "same type on another channel, nor the agent's own channel)")
        kept = {(channels[row.id], json.loads(row.message)["type"]) for row in old.exists()}
        self.assertIn((json_dump(channel_with_db(self.env.cr.dbname, reviewers)), "mail.record/insert"), kept)
        self.assertIn((json_dump(channel_with_db(self.env.cr.dbname, "another-channel")), UPDATE), kept)
        self.assertTrue({channels[i] for i in gone} >= screens, "to every board and the group")
        self.assertEqual(recent.exists(), recent)
