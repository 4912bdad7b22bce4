import queue
import threading
import time

from odoo.tests import BaseCase, tagged

from ..ami.adapter import DISCONNECTED, AmiClient, AmiDisconnected, AmiError, AmiTimeout, parse_blocks
from .fakeami import FakeAmi


def _next_event(client, name, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = client.events.get(timeout=0.1)
        except queue.Empty:
            continue
        if event is DISCONNECTED or event.get("Event") == name:
            return event
    return None


@tagged("post_install", "-at_install")
class TestAmiAdapter(BaseCase):
    def setUp(self):
        super().setUp()
        self.fake = FakeAmi(secret="s3cret").start()
        self.addCleanup(self.fake.stop)

    def client(self, **kw):
        client = AmiClient(self.fake.host, self.fake.port, "hotline", kw.pop("secret", "s3cret"), **kw)
        self.addCleanup(client.close)
        return client

    def test_chanvariable_headers_parse(self):
        # pyst2's parse used dict.has_key: a message with ChanVariable headers broke the reader
        from asterisk.manager import ManagerMsg  # noqa: PLC0415

        msg = ManagerMsg(["Event: Newchannel\r\n", "ChanVariable: A=1\r\n", "ChanVariable: B=x=y\r\n"])
        self.assertEqual(msg.headers["ChanVariable"], {"A": "1", "B": "x=y"})
        self.assertEqual(msg.headers["Event"], "Newchannel")

    def test_login_and_bad_secret(self):
        self.client().connect()
        with self.assertRaises(AmiError):
            self.client(secret="wrong").connect()

    def test_replies_matched_by_action_id(self):
        client = self.client().connect()
        results = {}

        def slow():
            results["slow"] = client.action({"Action": "Test", "Delay": "0.4", "Tag": "slow"})

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.05)
        fast = client.action({"Action": "Test", "Delay": "0", "Tag": "fast"})
        thread.join(3)
        self.assertEqual(fast["Message"], "fast")
        self.assertEqual(results["slow"]["Message"], "slow")

    def test_timeout_then_link_still_usable(self):
        client = self.client().connect()
        started = time.monotonic()
        with self.assertRaises(AmiTimeout):
            client.action({"Action": "Test", "Delay": "1.0", "Tag": "late"}, timeout=0.2)
        self.assertLess(time.monotonic() - started, 0.8)
        # the late reply (arriving later) must not be taken for the next action's reply
        reply = client.action({"Action": "Test", "Delay": "1.2", "Tag": "next"}, timeout=3)
        self.assertEqual(reply["Message"], "next")
        self.assertEqual(client.ping()["Ping"], "Pong")

    def test_queue_status_raw_data_and_interleaved_event(self):
        self.fake.members["hotline"] = [
            {"Name": "PJSIP/agent1", "Location": "PJSIP/agent1", "StateInterface": "PJSIP/agent1",
             "Paused": "1", "PausedReason": "培训", "LoginTime": "1700000000", "Status": "1"},
            {"Name": "PJSIP/agent2", "Location": "PJSIP/agent2", "StateInterface": "PJSIP/agent2",
             "Paused": "0", "LoginTime": "1700000100", "Status": "2"},
        ]
        self.fake.interleave = {"Event": "QueueMemberStatus", "Queue": "hotline", "Interface": "PJSIP/agent3",
                                "Status": "6"}
        client = self.client().connect()
        status = client.queue_status("hotline")
        self.assertEqual([m["StateInterface"] for m in status["members"]], ["PJSIP/agent1", "PJSIP/agent2"])
        self.assertEqual(status["members"][0]["PausedReason"], "培训")
        self.assertEqual(len(status["params"]), 1)
        event = _next_event(client, "QueueMemberStatus")
        self.assertEqual(event and event.get("Interface"), "PJSIP/agent3", "interleaved event must not be lost")

    def test_async_originate_response(self):
        client = self.client().connect()
        action_id = client.originate("PJSIP/agent1", "13800138000", "hotline-originate",
                                     variables={"HOTLINE_CALL_ID": 7})
        event = _next_event(client, "OriginateResponse")
        self.assertEqual(event["ActionID"], action_id)
        self.assertEqual(event["Response"], "Success")
        sent = [a for a in self.fake.actions if a.get("Action") == "Originate"][0]
        self.assertEqual(sent["Async"], "true")
        self.assertEqual(sent["Variable"], "HOTLINE_CALL_ID=7")

    def test_disconnect_signalled_and_reconnect_with_new_client(self):
        client = self.client().connect()
        self.assertTrue(self.fake.wait_clients(1))
        self.fake.drop()
        self.assertIs(_next_event(client, "never"), DISCONNECTED)
        with self.assertRaises(AmiDisconnected):
            client.ping(timeout=1)
        again = self.client().connect()
        self.assertEqual(again.ping()["Ping"], "Pong")

    def test_malformed_traffic_does_not_kill_reader(self):
        client = self.client().connect()
        self.assertTrue(self.fake.wait_clients(1))
        self.fake.push_raw(b"\xff\xfe garbage without colon\r\nmore junk\r\n\r\n")
        self.fake.push({"Event": "QueueCallerJoin", "Uniqueid": "1.1", "Queue": "hotline"})
        event = _next_event(client, "QueueCallerJoin")
        self.assertEqual(event and event["Uniqueid"], "1.1")
        self.assertEqual(client.ping()["Ping"], "Pong")

    def test_header_injection_refused(self):
        client = self.client().connect()
        with self.assertRaises(AmiError):
            client.action({"Action": "Test", "Tag": "x\r\nAction: Originate"})

    def test_parse_blocks(self):
        blocks = parse_blocks("Event: A\r\nX: 1\r\n\r\nEvent: B\r\nY: a:b\r\n\r\n--END COMMAND--\r\n")
        self.assertEqual(blocks, [{"Event": "A", "X": "1"}, {"Event": "B", "Y": "a:b"}])
