"""The agent's state, one vocabulary for the systray, the boards and the metrics."""

import time

from odoo.tests import tagged

from ..models.hotline_agent_state import mask_number, member_state
from .common import HotlineTelephonyCase, ami

A1 = {"Queue": "hotline", "Interface": "PJSIP/agent1"}


@tagged("post_install", "-at_install")
class TestAgentState(HotlineTelephonyCase):
    def test_member_state_reads_asterisk_in_the_floors_order(self):
        cases = [
            ((False, False, 0, False), "offline"),
            ((False, False, 0, True), "oncall"),  # a direct call after signing out still shows
            ((True, False, 0, False), "idle"),  # unknown device state
            ((True, False, 1, False), "idle"),
            ((True, False, 5, False), "idle"),  # unavailable
            ((True, False, 6, False), "ringing"),
            ((True, True, 7, False), "ringing"),  # ringing wins over the pause
            ((True, True, 1, False), "paused"),
            ((True, True, 2, False), "paused"),  # a paused phone in use: the pause shows
            ((True, False, 2, False), "oncall"),
            ((True, False, 3, False), "oncall"),
            ((True, False, 8, False), "oncall"),  # on hold
            ((True, True, 1, True), "oncall"),  # paused to call out: on the call
        ]
        for args, expected in cases:
            self.assertEqual(member_state(*args), expected, args)

    def test_masking(self):
        self.assertEqual(mask_number("13912345678"), "139****5678")
        self.assertEqual(mask_number(" 057112345678 "), "057*****5678")
        self.assertEqual(mask_number("110"), "***")
        self.assertEqual(mask_number(False), "")

    def test_the_systray_reads_the_floors_state(self):
        """Signed in, paused with a reason, back, signed out: what the agent's systray says is the
        state, since and queues the boards' tiles read, at each step."""
        agent = self.agent1
        t = int(time.time()) - 60
        State = self.env["hotline.agent.state"]

        def both():
            [floor] = State._states(agent)
            mine = agent._hotline_recorded_state(agent._hotline_empty_state())
            self.assertEqual((mine["state"], mine["reason"], mine["queues"]),
                             (floor["state"], floor["reason"], floor["queues"]))
            return mine

        self.assertEqual(both()["state"], "offline")
        self.ingest(self.from_ami([ami("QueueMemberAdded", t, LoginTime=str(t), Paused="0", **A1)], live=True))
        mine = both()
        self.assertEqual((mine["state"], mine["logged_in"], mine["queues"]), ("idle", True, ["hotline"]))
        self.ingest(self.from_ami([ami("QueueMemberPause", t + 5, Paused="1", PausedReason="午休", **A1)], live=True))
        mine = both()
        self.assertEqual((mine["state"], mine["paused"], mine["reason"]), ("paused", True, "午休"))
        self.assertEqual(mine["since"], (t + 5) * 1000, "since the pause")
        self.ingest(self.from_ami([ami("QueueMemberPause", t + 9, Paused="0", **A1)], live=True))
        self.assertEqual(both()["state"], "idle")
        self.ingest(self.from_ami([ami("QueueMemberRemoved", t + 20, **A1)], live=True))
        mine = both()
        self.assertEqual((mine["state"], mine["logged_in"]), ("offline", False))
        # another agent's phone is not this agent's
        self.assertEqual(State._states(self.agent2)[0]["state"], "offline")
