from datetime import UTC, timedelta

from odoo import fields

from ..models import hotline_monitor_live
from .common import QUEUE, MonitorCase, ami


def ms(dt):
    """A naive UTC datetime as the browser's epoch milliseconds."""
    return int(dt.replace(tzinfo=UTC).timestamp() * 1000)


class TestFreshness(MonitorCase):
    """The board carries the bridge's heartbeat in its snapshot and in every push, with system health's
    silence: the screen shows its data is delayed (finding: a killed bridge left a frozen, silent board)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("hotline_health.bridge_silent_seconds", "42")
        cls.facts = {"host": "pbx-bridge-1", "pid": 4242, "connected_since": None, "last_event": None}

    def setUp(self):
        super().setUp()
        hotline_monitor_live._snapshot_cache.clear()  # a snapshot of the second before shows another heartbeat

    def test_snapshot_carries_the_heartbeat_and_the_health_silence(self):
        seen = fields.Datetime.now() - timedelta(seconds=90)
        self.pbx.write({"bridge_heartbeat": seen, "bridge_status": "connected"})
        snapshot = self.env["hotline.monitor.live"]._snapshot(self.board)
        self.assertEqual(snapshot["bridge"], {"heartbeat": ms(seen), "connected": True})
        self.assertEqual(snapshot["bridge_silence"], 42)
        # the screen judges the age on its clock, set from the server's
        self.assertGreaterEqual(snapshot["server_time"] - snapshot["bridge"]["heartbeat"], 90000)
        self.assertEqual(snapshot["config"]["tz"], self.env.company._hotline_tz().zone)
        # one definition of the silence: health's setting, as health reads it
        self.assertEqual(self.env["hotline.health.check"]._bridge_silence(), 42)

    def test_a_bridge_that_never_ran(self):
        self.pbx.write({"bridge_heartbeat": False, "bridge_status": False})
        bridge = self.env["hotline.monitor.live"]._snapshot(self.board, masked=False)["bridge"]
        self.assertEqual((bridge["heartbeat"], bridge["connected"]), (False, False))

    def test_every_heartbeat_is_pushed_to_every_screen(self):
        self.pbx._bridge_report("connected", self.facts)
        self.commit_bus()
        beat = self.pbx.bridge_heartbeat
        self.assertTrue(beat)
        self.assertEqual(len(self.bus_messages(self.board.access_token)), 1)
        for channel in (self.board.access_token, self.env.ref("hotline_case.group_reviewer")):
            pushed = self.bus_messages(channel)[-1]
            self.assertEqual(pushed["bridge"], {"heartbeat": ms(beat), "connected": True})
            self.assertGreaterEqual(pushed["server_time"], ms(beat))
        # the link drops: the screens learn it at once, with the last moment the PBX was seen
        self.pbx._bridge_report("disconnected", self.facts)
        self.commit_bus()
        last = self.bus_messages(self.board.access_token)[-1]["bridge"]
        self.assertEqual((last["connected"], last["heartbeat"]), (False, ms(self.pbx.bridge_heartbeat)))

    def test_another_pbx_does_not_speak_for_the_boards(self):
        other = self.env["hotline.pbx"].create({"name": "备用交换机", "queue_names": "other"})
        other._bridge_report("connected", self.facts)
        self.commit_bus()
        self.assertEqual(self.bus_messages(self.board.access_token), [])

    def test_floor_and_case_pushes_carry_it_too(self):
        seen = fields.Datetime.now() - timedelta(seconds=5)
        self.pbx.write({"bridge_heartbeat": seen, "bridge_status": "connected"})
        self.ingest([ami("QueueMemberAdded", self.t0, Queue=QUEUE, Interface="PJSIP/mon1", LoginTime=str(self.t0),
                         Paused="0")])
        self.env["hotline.monitor.live"]._push_cases()
        self.commit_bus()
        pushed = self.bus_messages(self.board.access_token)
        self.assertEqual([bool(p.get("agents")) for p in pushed], [True, False])
        self.assertTrue(pushed[1]["cases"])
        for payload in pushed:
            self.assertEqual(payload["bridge"]["heartbeat"], ms(seen))
