from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import HotlineTelephonyCase
from .fakeami import FakeAmi


@tagged("post_install", "-at_install")
class TestAgentDesk(HotlineTelephonyCase):
    """Agent actions and PBX settings against a fake AMI server (the real one is in tests/pbx)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeAmi(secret="desk-secret").start()
        cls.addClassCleanup(cls.fake.stop)
        # the agents' actions go to the PBX in use (the first one)
        cls.pbx = cls.env.ref("hotline_telephony.pbx_default")
        cls.pbx.write({"host": cls.fake.host, "port": cls.fake.port, "secret": "desk-secret",
                       "queue_names": "hotline, hotline-vip"})
        cls.agent, cls.other = cls.agent1, cls.agent2

    def setUp(self):
        super().setUp()
        self.fake.actions.clear()
        self.fake.members.clear()

    def sent(self, action):
        return [a for a in self.fake.actions if a.get("Action") == action]

    def test_login_pause_unpause_logout_on_every_queue(self):
        agent = self.agent.with_user(self.agent)
        agent.hotline_login()
        self.assertEqual([(a["Queue"], a["Interface"]) for a in self.sent("QueueAdd")],
                         [("hotline", "PJSIP/agent1"), ("hotline-vip", "PJSIP/agent1")])
        agent.hotline_pause("午休")
        pauses = self.sent("QueuePause")
        self.assertEqual({(a["Paused"], a["Reason"]) for a in pauses}, {("true", "午休")})
        agent.hotline_unpause()
        self.assertEqual(self.sent("QueuePause")[-1]["Paused"], "false")
        agent.hotline_logout()
        self.assertEqual(len(self.sent("QueueRemove")), 2)

    def test_state_reported_by_asterisk(self):
        self.fake.members["hotline"] = [{"Name": "PJSIP/agent1", "Location": "PJSIP/agent1",
                                         "StateInterface": "PJSIP/agent1", "Paused": "1",
                                         "PausedReason": "培训", "Status": "1"}]
        state = self.agent.with_user(self.agent).hotline_agent_state()
        self.assertEqual((state["logged_in"], state["paused"], state["reason"], state["state"]),
                         (True, True, "培训", "paused"))
        self.assertFalse(self.other.with_user(self.other).hotline_agent_state()["logged_in"])

    def test_agent_cannot_drive_someone_elses_phone(self):
        with self.assertRaises(UserError):
            self.other.with_user(self.agent).hotline_pause("x")
        self.other.with_user(self.manager).hotline_logout()  # a manager may sign an agent out
        self.assertEqual(self.sent("QueueRemove")[0]["Interface"], "PJSIP/agent2")

    def test_no_interface_is_a_clear_error(self):
        self.agent.hotline_interface = False
        with self.assertRaisesRegex(UserError, "phone interface"):
            self.agent.with_user(self.agent).hotline_login()

    def test_click_to_dial_from_case(self):
        case = self.env["hotline.case"].with_user(self.agent).create(
            {"caller_phone": "0571-88886666", "description": "回访：道路积水已处理"})
        case.action_hotline_dial()
        originate = self.sent("Originate")[0]
        self.assertEqual(originate["Channel"], "PJSIP/agent1")
        self.assertEqual(originate["Exten"], "057188886666")
        self.assertEqual(originate["Context"], "hotline-originate")
        self.assertEqual(originate["Async"], "true")
        call = case.sudo().call_ids
        self.assertEqual(call.direction, "outbound")
        self.assertEqual(call.user_id, self.agent)
        self.assertEqual(originate["Variable"], f"HOTLINE_CALL_ID={call.id}")
        self.assertEqual(originate["ActionID"], call.originate_action_id)

    def test_click_to_dial_refuses_garbage_number(self):
        partner = self.env["res.partner"].create({"name": "李女士", "phone": "abc"})
        with self.assertRaises(UserError):
            partner.with_user(self.agent).action_hotline_dial()
        self.assertFalse(self.sent("Originate"))

    def test_test_connection_reports_missing_queue(self):
        self.fake.members["hotline"] = []
        self.pbx.queue_names = "hotline"
        result = self.pbx.with_user(self.manager).action_test_connection()
        self.assertEqual(result["params"]["type"], "success")
        self.pbx.queue_names = "hotline,nope"
        result = self.pbx.with_user(self.manager).action_test_connection()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("nope", result["params"]["message"])

    def test_agents_cannot_test_or_read_the_secret(self):
        with self.assertRaises(AccessError):
            self.pbx.with_user(self.agent).action_test_connection()

    def test_test_connection_bad_secret_is_clear(self):
        self.pbx.secret = "wrong"
        with self.assertRaisesRegex(UserError, "Cannot reach the PBX"):
            self.pbx.with_user(self.manager).action_test_connection()
