"""The AMI bridge's settling: the boards' figures of the day leave the batch's transaction and are
computed at most once per settle_interval, whatever the number of batches (hotline.pbx._hotline_facts_settled)."""

import json
import time
from datetime import datetime, timedelta
from datetime import time as day_time

import pytz

from odoo import fields
from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.hotline_telephony.ami.bridge import Bridge
from odoo.tests import TransactionCase, tagged

from .common import QUEUE, MonitorCase, ami


@tagged("post_install", "-at_install")
class TestSettling(MonitorCase):

    def setUp(self):
        super().setUp()
        self.registry_enter_test_mode()  # the bridge's cursors wrap the test transaction
        self.bridge = Bridge(self.env.cr.dbname, pbx_id=self.pbx.id, settle_interval=3600)
        Kpi = type(self.env["hotline.monitor.kpi"])
        figures = Kpi._queue_figures
        self.figured = []

        def queue_figures(kpi, queues):
            self.figured.append(sorted(queues))
            return figures(kpi, queues)
        self.patch(Kpi, "_queue_figures", queue_figures)

    def join(self, uid, t):
        facts = self.from_ami([ami("QueueCallerJoin", t, Uniqueid=uid, Linkedid=uid, Queue=QUEUE,
                                   CallerIDNum="13912345678", Position="1", Count="1")], live=True)
        self.bridge.ingest(facts)

    def pushed(self):
        return self.bus_messages(self.board.access_token)

    def test_batches_push_the_calls_waiting_the_settling_their_figures_once(self):
        t = int(time.time())
        self.join("s1.1", t - 20)
        self.assertEqual(self.figured, [], "no figure of the day in the batch's transaction")
        self.assertEqual(self.pushed()[-1]["queues"], [{"name": QUEUE, "waiting": [(t - 20) * 1000]}])
        self.assertTrue(self.bridge.settle())
        self.assertEqual(self.figured, [[QUEUE]])
        block = self.pushed()[-1]["queues"][0]
        self.assertEqual((block["figures"]["offered"], block["waiting"]), (1, [(t - 20) * 1000]))
        # a busy second: three more batches, no settling before the interval is over
        for n in range(3):
            self.join(f"s1.{n + 2}", t - 10 + n)
        self.assertFalse(self.bridge.settle())
        self.assertEqual(self.figured, [[QUEUE]])
        self.assertEqual(len(self.pushed()[-1]["queues"][0]["waiting"]), 4, "the batches were pushed")
        # once the interval is over, one settling covers them all
        self.bridge._settle_at = time.monotonic()
        self.assertTrue(self.bridge.settle())
        self.assertEqual(self.figured, [[QUEUE], [QUEUE]])
        self.assertEqual(self.pushed()[-1]["queues"][0]["figures"]["offered"], 4)
        self.assertFalse(self.bridge.settle(force=True), "nothing left to settle")

    def test_a_failing_settling_loses_no_call(self):
        Pbx = type(self.env["hotline.pbx"])

        def broken(pbx, facts):
            raise RuntimeError("board down")
        self.patch(Pbx, "_hotline_facts_settled", broken)
        t = int(time.time())
        self.join("s2.1", t - 5)
        with self.assertLogs("odoo.addons.hotline_telephony.ami.bridge", "ERROR") as logs:
            self.assertTrue(self.bridge.settle())
        self.assertIn("settling 1 facts failed", logs.output[0])
        self.assertTrue(self.env["hotline.call"].search([("uniqueid", "=", "s2.1")]), "the call was kept")
        self.join("s2.2", t - 4)  # the bridge goes on
        self.assertEqual(self.env["hotline.call"].search_count([("uniqueid", "in", ["s2.1", "s2.2"])]), 2)


@tagged("post_install", "-at_install")
class TestDemoFloorSettles(TransactionCase):

    def test_the_demo_floor_pushes_the_figures_too(self):
        """The demo's floor (a scheduled job, no bridge) settles what it played itself: its boards get figures."""
        pbx = self.env.ref("hotline_telephony.pbx_default")
        self.env["hotline.wallboard"].create({"name": "演示大屏", "queue_names": "hotline"})
        tz = pytz.timezone("Asia/Shanghai")
        self.env.company.resource_calendar_id.tz = "Asia/Shanghai"
        day = fields.Date.context_today(pbx.with_context(tz="Asia/Shanghai")) - timedelta(days=3)
        midnight = tz.localize(datetime.combine(day, day_time.min))
        self.env["ir.config_parameter"].sudo().set_param(f"hotline_telephony.demo_floor_played.{pbx.id}",
                                                         repr(midnight.timestamp() - 1))
        settled = []
        Pbx = type(pbx)
        settle = Pbx._hotline_facts_settled

        def recorded(record, facts):
            settled.append(len(facts))
            return settle(record, facts)
        self.patch(Pbx, "_hotline_facts_settled", recorded)
        played = pbx._demo_floor_play(until=int((midnight + timedelta(hours=11)).timestamp()))
        self.assertTrue(played and settled and settled[0] > 0, (played, settled))
        self.env.cr.precommit.run()
        reviewers = self.env.ref("hotline_case.group_reviewer")
        key = json_dump(channel_with_db(self.env.cr.dbname, reviewers))
        pushes = [json.loads(m)["payload"] for m in self.env["bus.bus"].sudo().search([("channel", "=", key)])
                  .mapped("message") if json.loads(m)["type"] == "hotline_monitor/update"]
        self.assertTrue(any("figures" in block for push in pushes for block in push.get("queues", [])))
