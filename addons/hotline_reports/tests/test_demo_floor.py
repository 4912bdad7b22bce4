from datetime import datetime, time, timedelta
from unittest.mock import patch

import pytz

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

PLAYED = "hotline_telephony.demo_floor_played"


@tagged("post_install", "-at_install")
class TestDemoFloor(TransactionCase):
    """The demo floor played through the AMI ingestion: the call and agent KPIs read exactly what its
    queue_log lines say (a morning three days ago, clear of the demo's own traffic of yesterday)."""

    def setUp(self):
        super().setUp()
        self.pbx = self.env.ref("hotline_telephony.pbx_default")
        self.env.company.resource_calendar_id.tz = "Asia/Shanghai"
        self.tz = pytz.timezone("Asia/Shanghai")
        self.day = fields.Date.context_today(self.pbx.with_context(tz="Asia/Shanghai")) - timedelta(days=3)
        self.midnight = self.tz.localize(datetime.combine(self.day, time.min))
        self.until = int((self.midnight + timedelta(hours=11)).timestamp())
        self.env["ir.config_parameter"].sudo().set_param(f"{PLAYED}.{self.pbx.id}",
                                                         repr(self.midnight.timestamp() - 1))
        # nobody signed in on the PBX since (a floor played up to now would keep the older sign-ins out)
        for model in ("hotline.agent.pause", "hotline.agent.session"):
            self.env[model].sudo().search([("pbx_id", "=", self.pbx.id)]).unlink()

    def utc(self, epoch):
        return datetime.fromtimestamp(epoch, pytz.utc).replace(tzinfo=None)

    def test_floor_gives_the_kpis_their_calls_agents_and_burst(self):
        lines, burst = self.pbx._demo_floor_plan(self.day)
        played = [line.split("|") for line in lines if int(line.split("|", 1)[0]) <= self.until]
        events = [line[4] for line in played]
        self.assertEqual(self.pbx._demo_floor_play(until=self.until), len(played))

        start, end = self.utc(self.midnight.timestamp()), self.utc(self.until + 1)
        Kpi = self.env["hotline.kpi.call"]
        center = Kpi.center_figures(start, end, queues=["hotline"])
        self.assertEqual(center["offered"], events.count("ENTERQUEUE"))
        self.assertEqual(center["answered"], events.count("CONNECT"))
        self.assertEqual(center["abandoned"], events.count("ABANDON"))
        self.assertGreater(center["answered"], 50)
        self.assertGreater(center["abandoned"], 0)  # the waves leave callers waiting too long
        self.assertEqual(center["missed_rings"], events.count("RINGNOANSWER"))

        # the three demo agents signed in since midnight, each with the 小休 its PAUSE lines give
        agents = self.env["res.users"].search([("hotline_interface", "!=", False)], order="id")
        self.assertEqual(len(agents), 3)
        sessions = self.env["hotline.agent.session"].search([("pbx_id", "=", self.pbx.id), ("start", ">=", start),
                                                             ("start", "<", end)])
        self.assertEqual(sessions.user_id, agents)
        self.assertFalse(any(sessions.mapped("stop")))
        figures = Kpi.agent_figures(start, end, agents=agents)
        for agent in agents:
            signed_in_at = next(int(line[0]) for line in played
                                if line[3] == agent.hotline_interface and line[4] == "ADDMEMBER")
            pauses = [int(line[0]) for line in played if line[3] == agent.hotline_interface
                      and line[4] in ("PAUSE", "UNPAUSE")]
            pauses += [self.until + 1] if len(pauses) % 2 else []  # a pause still going on at the end
            paused = sum(stop - begin for begin, stop in zip(pauses[::2], pauses[1::2], strict=True))
            with self.subTest(agent=agent.login):
                self.assertAlmostEqual(figures[agent.id]["signed_in"], self.until + 1 - signed_in_at)
                self.assertAlmostEqual(figures[agent.id]["paused"], paused)
                self.assertEqual(set(figures[agent.id]["paused_by_reason"]), {"小休"})
                self.assertEqual(figures[agent.id]["inbound_answered"],
                                 sum(1 for line in played if line[4] == "CONNECT"
                                     and line[3] == agent.hotline_interface))

        # answered calls became cases by their agents; a wave's calls one water outage in one street
        calls = self.env["hotline.call"].search([("pbx_id", "=", self.pbx.id), ("enter_time", ">=", start),
                                                 ("enter_time", "<", end)])
        waves = calls.filtered(lambda call: call.uniqueid in burst and call.case_ids)
        self.assertTrue(waves)
        outage = self.env.ref("hotline_case.category_water_outage")
        for wave in set(burst[call.uniqueid] for call in waves):
            cases = waves.filtered(lambda call, w=wave: burst[call.uniqueid] == w).case_ids
            self.assertEqual((cases.category_id, len(cases.street_id)), (outage, 1))
        for call in calls.filtered("case_ids"):
            self.assertEqual(call.case_ids.create_uid, call.user_id)  # taken by the agent who answered

        # played again from the same moment: the same records, nothing doubles
        counts = (len(calls), len(sessions), self.env["hotline.agent.pause"].search_count([]),
                  self.env["hotline.case"].search_count([]))
        self.env["ir.config_parameter"].sudo().set_param(f"{PLAYED}.{self.pbx.id}",
                                                         repr(self.midnight.timestamp() - 1))
        self.pbx._demo_floor_play(until=self.until)
        self.assertEqual(
            (self.env["hotline.call"].search_count([("pbx_id", "=", self.pbx.id), ("enter_time", ">=", start),
                                                    ("enter_time", "<", end)]),
             self.env["hotline.agent.session"].search_count([("pbx_id", "=", self.pbx.id), ("start", ">=", start),
                                                             ("start", "<", end)]),
             self.env["hotline.agent.pause"].search_count([]), self.env["hotline.case"].search_count([])),
            counts)

    def test_only_a_demo_database_plays(self):
        with patch.object(type(self.pbx), "_demo_floor_allowed", return_value=False), \
                self.assertRaisesRegex(UserError, "demo"):
            self.pbx._demo_floor_play(until=self.until)
        self.assertFalse(self.env["hotline.call"].search_count([("pbx_id", "=", self.pbx.id),
                                                                ("enter_time", ">=", self.utc(self.until - 3600)),
                                                                ("enter_time", "<", self.utc(self.until))]))
