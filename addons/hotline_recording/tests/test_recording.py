import hashlib
import os
import time
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PBX_FOLDER, T0, RecordingCase


@tagged("post_install", "-at_install")
class TestRecording(RecordingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # two calls answered in the same second by two agents, talking 5 s and 9 s
        cls.call1 = cls.answered_call("1795600000.1", "1795600000.3", "PJSIP/agent1", 5)
        cls.call2 = cls.answered_call("1795600000.2", "1795600000.4", "PJSIP/agent2", 9, caller="13900139000")
        cls.path1 = cls.pbx_file("1795600000.1", "1795600000.3", 5)
        cls.path2 = cls.pbx_file("1795600000.2", "1795600000.4", 9)
        cls.ingest([cls.recording_event("1795600000.2", "1795600000.4", cls.path2, T0 + 2),
                              cls.recording_event("1795600000.1", "1795600000.3", cls.path1, T0 + 2)])
        cls.env["hotline.recording"]._cron_convert()
        cls.rec1, cls.rec2 = cls.call1.recording_ids, cls.call2.recording_ids

    # -- from the PBX to the store ------------------------------------------------------------
    def test_each_file_is_tied_to_its_call_by_the_pbx_ids(self):
        self.assertEqual((len(self.rec1), len(self.rec2)), (1, 1))
        self.assertEqual(self.rec1.call_uniqueid, self.call1.uniqueid)
        self.assertEqual(self.rec1.channel_uniqueid, "1795600000.3")
        self.assertEqual((self.rec1.state, self.rec2.state), ("stored", "stored"))
        self.assertEqual((self.rec1.duration, self.rec2.duration), (5.0, 9.0), "each call's own sound")
        self.assertEqual(self.rec1.agent_id, self.agent1)
        self.assertEqual(self.call1.recording_state, "stored")

    def test_stored_sound_is_opus_with_its_checksum_and_the_citizen_on_the_left(self):
        path = self.rec1._stored_path()
        self.assertTrue(path.startswith(self.store + os.sep))
        with open(path, "rb") as fh:
            data = fh.read()
        self.assertEqual(data[:4], b"OggS")
        self.assertIn(b"OpusHead", data[:100])
        self.assertEqual(self.rec1.checksum, hashlib.sha256(data).hexdigest())
        self.assertEqual(self.rec1.file_size, len(data))
        self.assertLess(len(data), 5 * 8000 * 4 / 5, "compressed well below the raw size")
        # the PBX recorded the citizen on the right (agent's channel); stored on the left
        self.assertEqual(self.rec1.timeline, {"citizen": [[0, 5]], "agent": []})

    def test_a_name_not_made_by_the_dialplan_is_never_opened(self):
        Recording = self.env["hotline.recording"]
        before = Recording.search_count([])
        for path in ("/etc/passwd", "/var/spool/asterisk/monitor/hotline/../../../../etc/shadow",
                     "/var/spool/asterisk/monitor/hotline/20261207/q-1.2-3.4.raw;rm -rf x",
                     "/var/spool/asterisk/monitor/hotline/20261207/q-13800138000-1.raw"):
            self.ingest([self.recording_event("1795600000.1", "9.9", path, T0 + 3)])
        self.assertEqual(Recording.search_count([]), before)

    def test_a_file_whose_event_was_lost_is_collected_from_the_folder(self):
        call = self.answered_call("1795600100.1", "1795600100.2", "PJSIP/agent1", 4, t=T0 + 100)
        self.pbx_file("1795600100.1", "1795600100.2", 4)
        self.env["hotline.recording"]._cron_collect()
        self.env["hotline.recording"]._cron_convert()
        self.assertEqual(call.recording_ids.state, "stored")
        self.assertEqual(call.recording_ids.duration, 4.0)

    def test_a_transfer_targets_leg_is_recorded_on_the_call_for_that_agent(self):
        """agent1 answers, then transfers to agent2: the dialplan records agent2's channel as well (its
        Interface in the event); both legs belong to the call, each to the agent who spoke on it."""
        call = self.answered_call("1795600300.1", "1795600300.2", "PJSIP/agent1", 3, t=T0 + 300,
                                  caller="13700137000")
        first = self.pbx_file("1795600300.1", "1795600300.2", 3)
        second = self.pbx_file("1795600300.1", "1795600300.7", 6)
        self.ingest([self.recording_event("1795600300.1", "1795600300.2", first, T0 + 302, Interface="PJSIP/agent1"),
                     self.recording_event("1795600300.1", "1795600300.7", second, T0 + 306,
                                          Interface="PJSIP/agent2"),
                     # a forged interface is not stored (the call's agent stands)
                     self.recording_event("1795600300.1", "1795600300.9", self.pbx_file("1795600300.1",
                                          "1795600300.9", 1), T0 + 307, Interface="PJSIP/agent2;rm")])
        self.env["hotline.recording"]._cron_convert()
        legs = call.recording_ids.sorted("channel_uniqueid")
        self.assertEqual(legs.mapped("channel_uniqueid"), ["1795600300.2", "1795600300.7", "1795600300.9"])
        self.assertEqual(legs.mapped("interface"), ["PJSIP/agent1", "PJSIP/agent2", False])
        self.assertEqual(legs.mapped("agent_id"), self.agent1 | self.agent2)
        self.assertEqual([leg.agent_id for leg in legs], [self.agent1, self.agent2, self.agent1])
        self.assertEqual(legs.mapped("duration"), [3.0, 6.0, 1.0])
        # agents who hear only their own calls: agent2 hears the leg they spoke, not agent1's
        mine = self.env["hotline.recording"].with_user(self.agent2).search([("call_id", "=", call.id)])
        self.assertEqual(mine, legs[1])
        self.assertIn("受理员乙", str(call.recording_player))

    def test_no_conversion_while_the_call_goes_on(self):
        call = self.answered_call("1795600200.1", "1795600200.2", "PJSIP/agent1", 4, t=T0 + 200)
        call.end_time = False  # still talking
        path = self.pbx_file("1795600200.1", "1795600200.2", 4)
        self.ingest([self.recording_event("1795600200.1", "1795600200.2", path, T0 + 202)])
        self.env["hotline.recording"]._cron_convert()
        self.assertEqual(call.recording_ids.state, "recording")
        self.assertEqual(call.recording_state, "recording")

    def test_a_call_without_sound_is_said_so(self):
        call = self.answered_call("1795600300.1", "1795600300.2", "PJSIP/agent1", 4, t=T0 + 300)
        self.ingest([self.recording_event("1795600300.1", "1795600300.2",
                                          "/var/spool/asterisk/monitor/hotline/20261207/q-1795600300.1-1795600300.2.raw",
                                          T0 + 302)])
        self.env["hotline.recording"]._cron_convert()
        self.assertEqual(call.recording_ids.state, "missing")

    # -- playback over HTTP ---------------------------------------------------------------------
    def test_range_request_streams_part_and_logs_the_listen(self):
        self.authenticate("rec_agent1", "rec_agent1")
        url = f"/hotline/recording/{self.call1.id}"
        response = self.url_open(url, headers={"Range": "bytes=0-99"})
        self.assertEqual(response.status_code, 206)
        with open(self.rec1._stored_path(), "rb") as fh:
            data = fh.read()
        self.assertEqual(response.content, data[:100])
        self.assertEqual(response.headers["Content-Range"], f"bytes 0-99/{len(data)}")
        self.assertEqual(response.headers["Content-Type"], "audio/ogg")
        log = self.env["hotline.recording.access"].search([("recording_id", "=", self.rec1.id)])
        self.assertEqual([(a.user_id, a.kind, a.call_id) for a in log], [(self.agent1, "play", self.call1)])
        # a seek in the same listen is not a new listen
        response = self.url_open(url, headers={"Range": f"bytes={len(data) // 2}-"})
        self.assertEqual(response.status_code, 206)
        self.assertEqual(response.content, data[len(data) // 2:])
        self.assertEqual(self.env["hotline.recording.access"].search_count([("recording_id", "=", self.rec1.id)]), 1)
        response = self.url_open(url + "?download=1")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertEqual(response.content, data)
        kinds = self.env["hotline.recording.access"].search([("recording_id", "=", self.rec1.id)]).mapped("kind")
        self.assertEqual(sorted(kinds), ["download", "play"])

    def test_a_seek_without_a_recent_listen_is_logged(self):
        self.authenticate("rec_reviewer", "rec_reviewer")
        response = self.url_open(f"/hotline/recording/{self.call2.id}", headers={"Range": "bytes=500-"})
        self.assertEqual(response.status_code, 206)
        log = self.env["hotline.recording.access"].search([("recording_id", "=", self.rec2.id)])
        self.assertEqual(log.user_id, self.reviewer)

    def test_attackers_over_http(self):
        url1, url2 = f"/hotline/recording/{self.call1.id}", f"/hotline/recording/{self.call2.id}"
        # agents hear their own calls only (the site's default)
        self.authenticate("rec_agent2", "rec_agent2")
        self.assertEqual(self.url_open(url1).status_code, 404)
        self.assertEqual(self.url_open(url2, headers={"Range": "bytes=0-9"}).status_code, 206)
        self.assertEqual(self.url_open(f"{url2}?recording={self.rec1.id}").status_code, 404, "another call's id")
        self.assertEqual(self.url_open("/hotline/recording/999999999").status_code, 404)
        # units and the portal never
        for login in ("rec_water", "rec_portal"):
            self.authenticate(login, login)
            for url in (url1, url2, f"{url1}?download=1"):
                self.assertEqual(self.url_open(url).status_code, 403, (login, url))
            self.assertIn(self.url_open(f"/web/content/hotline.recording/{self.rec1.id}/store_path").status_code,
                          (403, 404))
        self.authenticate(None, None)
        response = self.url_open(url1, allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"OggS", response.content)
        # nothing of the denied attempts was logged; agent2's own listen was
        logged = self.env["hotline.recording.access"].search([])
        self.assertEqual(logged.mapped("user_id"), self.agent2)
        self.assertEqual(logged.recording_id, self.rec2)

    def test_site_may_let_agents_hear_every_call(self):
        self.env.company.hotline_recording_agent_scope = "all"
        self.authenticate("rec_agent2", "rec_agent2")
        self.assertEqual(self.url_open(f"/hotline/recording/{self.call1.id}", headers={"Range": "bytes=0-9"})
                         .status_code, 206)

    def test_attackers_over_the_orm(self):
        for user in (self.unit_user, self.portal):
            for model in ("hotline.recording", "hotline.recording.access"):
                with self.subTest(user=user.login, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(user).search_read([], ["id"])
        with self.assertRaises(AccessError):
            self.env["hotline.recording.access"].with_user(self.agent1).search_read([], ["id"])
        with self.assertRaises(AccessError):
            self.env["hotline.recording"].with_user(self.manager).browse(self.rec1.id).write({"state": "purged"})
        self.assertEqual(self.env["hotline.recording"].with_user(self.agent2).search([]), self.rec2)
        self.assertEqual(self.env["hotline.recording"].with_user(self.reviewer).search([]) & (self.rec1 | self.rec2),
                         self.rec1 | self.rec2)
        self.env["hotline.recording.access"].with_user(self.manager).search_read([], ["user_id", "call_id"])
        # no attachment carries the sound: /web/content and the attachment API have nothing to give
        self.assertFalse(self.env["ir.attachment"].sudo().search([("res_model", "=", "hotline.recording")]))
        with self.assertRaises(AccessError):
            self.env["hotline.recording"].with_user(self.agent1).browse(self.rec1.id).action_set_legal_hold()

    def test_the_case_plays_its_calls_recordings_for_the_center_only(self):
        case = self.env["hotline.case"].create({"caller_phone": "13800138000", "description": "路灯不亮"})
        self.call1.case_ids = case
        self.assertEqual(case.with_user(self.reviewer).recording_ids, self.rec1)
        self.assertIn(f'src="/hotline/recording/{self.call1.id}?recording={self.rec1.id}"',
                      str(case.with_user(self.reviewer).recording_player))
        self.assertIn('preload="none"', str(self.call1.recording_player), "opening the form is not a listen")
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user).read(["recording_ids"])

    # -- retention --------------------------------------------------------------------------------
    def test_purge_removes_old_sound_and_keeps_the_call(self):
        Recording = self.env["hotline.recording"]
        old = fields.Datetime.now() - timedelta(days=400)
        (self.rec1 | self.rec2).start_time = old
        self.rec2.action_set_legal_hold()  # as superuser: a manager's right, checked below
        purged = Recording._cron_purge()
        self.assertEqual(purged, self.rec1)
        self.assertEqual(self.rec1.state, "purged")
        self.assertTrue(self.rec1.purged_at)
        self.assertIn("365", self.rec1.purge_reason)
        self.assertFalse(self.rec1._stored_path())
        self.assertTrue(self.call1.exists())
        self.assertIn(self.rec1.purge_reason, str(self.call1.recording_player))
        self.assertEqual(self.rec2.state, "stored", "held")
        self.authenticate("rec_agent1", "rec_agent1")
        self.assertEqual(self.url_open(f"/hotline/recording/{self.call1.id}").status_code, 404)

    def test_open_complaint_and_category_period_keep_the_sound(self):
        Recording = self.env["hotline.recording"]
        (self.rec1 | self.rec2).start_time = fields.Datetime.now() - timedelta(days=400)
        complaint = self.env["hotline.case.type"].search([("code", "=", "complaint")], limit=1) or \
            self.env["hotline.case.type"].create({"name": "投诉", "code": "complaint"})
        case1 = self.env["hotline.case"].create({"caller_phone": "13800138000", "description": "投诉受理员态度",
                                                 "type_id": complaint.id})
        self.call1.case_ids = case1
        category = self.env["hotline.category"].create({"name": "燃气安全", "recording_retention_days": 730})
        case2 = self.env["hotline.case"].create({"caller_phone": "13900139000", "description": "燃气泄漏",
                                                 "category_id": category.id})
        self.call2.case_ids = case2
        self.assertFalse(Recording._cron_purge())
        self.assertEqual((self.rec1.state, self.rec2.state), ("stored", "stored"))
        self.assertIn(case1.name, self.rec1._held_by())
        self.assertEqual(self.rec2._retention_days(), 730)
        case1.sudo().write({"state": "closed"})
        self.assertEqual(Recording._cron_purge(), self.rec1)
        self.assertEqual(self.rec2.state, "stored")


@tagged("post_install", "-at_install")
class TestRecordingMark(RecordingCase):
    """The floor's `recording` (hotline.agent.state): on while the agent's leg of a call is being recorded."""

    def test_the_agent_on_a_recorded_call_and_a_transfers_second_agent_show_recording(self):
        from odoo.addons.hotline_telephony.ami.facts import parse_queue_log  # noqa: PLC0415
        from odoo.addons.hotline_telephony.ami.ingest import Ingestor  # noqa: PLC0415

        State = self.env["hotline.agent.state"]
        t = int(time.time()) - 30
        uid = f"{t}.1"
        Ingestor(self.env, self.pbx).apply(parse_queue_log(
            f"{t}|{uid}|hotline|NONE|ENTERQUEUE||13800138000|1\n"
            f"{t + 1}|{uid}|hotline|PJSIP/agent1|CONNECT|1|{t}.2|1\n"))
        self.assertEqual([s["recording"] for s in State._states(self.agent1)], [False], "on a call, not recorded")
        self.ingest([self.recording_event(uid, f"{t}.2", f"{PBX_FOLDER}/20261207/q-{uid}-{t}.2.raw", t + 1,
                                          Interface="PJSIP/agent1")])
        [agent1] = State._states(self.agent1)
        self.assertEqual((agent1["state"], agent1["recording"]), ("oncall", True))
        # agent1 transfers blind to agent2, whose phone is in use; agent2's leg is recorded
        events = [{"Event": "QueueMemberAdded", "Timestamp": f"{t + 2}.0", "Queue": "hotline",
                   "Interface": "PJSIP/agent2", "LoginTime": str(t + 2), "Paused": "0"},
                  {"Event": "QueueMemberStatus", "Timestamp": f"{t + 6}.0", "Queue": "hotline",
                   "Interface": "PJSIP/agent2", "Status": "2", "Paused": "0"}]
        self.ingest(events)
        Ingestor(self.env, self.pbx).apply(parse_queue_log(
            f"{t + 5}|{uid}|hotline|PJSIP/agent1|BLINDTRANSFER|8002|hotline-agents|1|4|1\n"))
        self.ingest([self.recording_event(uid, f"{t}.7", f"{PBX_FOLDER}/20261207/q-{uid}-{t}.7.raw", t + 6,
                                          Interface="PJSIP/agent2")])
        [agent2] = State._states(self.agent2)
        self.assertEqual((agent2["state"], agent2["recording"]), ("oncall", True))
        self.assertFalse(State._states(self.agent1)[0]["recording"], "agent1 left the call")
        # once the PBX file is stored, nobody is recording any more
        self.env["hotline.recording"].search([("call_uniqueid", "=", uid)]).state = "stored"
        self.assertFalse(State._states(self.agent2)[0]["recording"])
