from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestRecordingHealth(TransactionCase):
    def test_row_says_use_oldest_and_backlog(self):
        Check = self.env["hotline.health.check"]
        pbx = self.env["hotline.pbx"].create({"name": "健康检查交换机"})
        call = self.env["hotline.call"].create({"uniqueid": "1795700000.1", "pbx_id": pbx.id,
                                                "end_time": fields.Datetime.now() - timedelta(hours=1)})
        Recording = self.env["hotline.recording"]
        old = fields.Datetime.now() - timedelta(days=30)
        Recording.create({"pbx_id": pbx.id, "call_id": call.id, "call_uniqueid": call.uniqueid,
                          "source_name": "20261107/q-1795700000.1-1795700000.2.raw", "citizen_channel": "right",
                          "state": "stored", "file_size": 300 * 1024 ** 2, "start_time": old})
        [row] = Check._probe_recordings()
        self.assertEqual(row["state"], "green")
        Check._refresh()
        check = Check.search([("key", "=", "recordings")])
        self.assertIn("300.0 MB", check.fact)
        self.assertIn(fields.Datetime.context_timestamp(Check, old).strftime("%Y-%m-%d"), check.fact)
        # a recording still waiting an hour after its call: the conversion is behind
        call2 = self.env["hotline.call"].create({"uniqueid": "1795700000.3", "pbx_id": pbx.id,
                                                 "end_time": fields.Datetime.now() - timedelta(hours=1)})
        Recording.create({"pbx_id": pbx.id, "call_id": call2.id, "call_uniqueid": call2.uniqueid,
                          "source_name": "20261207/q-1795700000.3-1795700000.4.raw", "citizen_channel": "right"})
        [row] = Check._probe_recordings()
        self.assertEqual(row["state"], "amber")
