import json
import time

from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.hotline_telephony.ami.facts import from_event
from odoo.addons.hotline_telephony.ami.ingest import Ingestor
from odoo.tests import TransactionCase, new_test_user

QUEUE = "mon-test"


def ami(name, t, **headers):
    return {"Event": name, "Timestamp": f"{t}.250000", **headers}


def setup_floor(cls):
    """A PBX, a queue of its own, two agents with phones, a reviewer, a board on that queue."""
    env = cls.env
    env["hotline.pbx"].search([]).active = False  # the boards follow this PBX's bridge
    cls.pbx = env["hotline.pbx"].create({"name": "大屏测试交换机", "queue_names": QUEUE})
    env["res.users"].search([("hotline_interface", "!=", False)]).hotline_interface = False
    ctx = {"no_reset_password": True}
    cls.agent1 = new_test_user(env, "mon_agent1", context=ctx, groups="hotline_case.group_agent", name="陈静")
    cls.agent2 = new_test_user(env, "mon_agent2", context=ctx, groups="hotline_case.group_agent", name="刘洋")
    cls.agent1.write({"hotline_interface": "PJSIP/mon1", "hotline_extension": "8101"})
    cls.agent2.write({"hotline_interface": "PJSIP/mon2", "hotline_extension": "8102"})
    cls.reviewer = new_test_user(env, "mon_reviewer", context=ctx, groups="hotline_case.group_reviewer",
                                 name="赵班长")
    cls.manager = new_test_user(env, "mon_manager", context=ctx, groups="hotline_case.group_manager", name="孙主任")
    cls.board = env["hotline.wallboard"].create({
        "name": "测试大屏", "queue_names": QUEUE, "user_ids": [(6, 0, (cls.agent1 | cls.agent2).ids)],
        "threshold_ids": [(0, 0, {"reason": "小休", "amber_seconds": 60, "red_seconds": 120})],
    })


class MonitorCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_floor(cls)
        cls.t0 = int(time.time()) - 900  # events of the last quarter hour: "today", never stale

    def ingest(self, events):
        facts = [from_event(e, time.time()) for e in events]
        for f in facts:
            if f:
                f["live"] = True
        Ingestor(self.env, self.pbx).apply([f for f in facts if f])

    def commit_bus(self):
        """What the bridge's commit does: bus rows are written by the precommit hooks."""
        self.env.cr.precommit.run()

    def bus_messages(self, channel, kind="hotline_monitor/update"):
        """Payloads of `kind` sent on `channel` (a token or a record), oldest first."""
        key = json_dump(channel_with_db(self.env.cr.dbname, channel))
        rows = self.env["bus.bus"].sudo().search([("channel", "=", key)], order="id")
        messages = [json.loads(row.message) for row in rows]
        return [m["payload"] for m in messages if m.get("type") == kind]

    def tile(self, user):
        tiles = self.env["hotline.monitor.live"]._agent_tiles(user, [QUEUE], self.board.wrapup_seconds)
        return tiles[0]
