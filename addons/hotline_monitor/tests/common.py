import json
import time

from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.hotline_telephony.ami.ingest import Ingestor
from odoo.addons.hotline_telephony.tests.common import HotlineTelephonyCase
from odoo.tests import new_test_user

QUEUE = "mon-test"


def ami(name, t, **headers):
    return {"Event": name, "Timestamp": f"{t}.250000", **headers}


class MonitorCase(HotlineTelephonyCase):
    """The telephony fixture on a queue of the board's own, the only active PBX (the boards follow its
    bridge), with a reviewer and a board on that queue. HttpCase classes inherit it beside HttpCase."""

    PBX_NAME = "大屏测试交换机"
    PBX_QUEUES = QUEUE
    AGENTS = (("mon_agent1", "陈静", "PJSIP/mon1", "8101"), ("mon_agent2", "刘洋", "PJSIP/mon2", "8102"))
    MANAGER = ("mon_manager", "孙主任")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["hotline.pbx"].search([("id", "!=", cls.pbx.id)]).active = False
        cls.reviewer = new_test_user(env, "mon_reviewer", context={"no_reset_password": True},
                                     groups="hotline_case.group_reviewer", name="赵班长")
        cls.board = env["hotline.wallboard"].create({
            "name": "测试大屏", "queue_names": QUEUE, "user_ids": [(6, 0, (cls.agent1 | cls.agent2).ids)],
            "threshold_ids": [(0, 0, {"reason": "小休", "amber_seconds": 60, "red_seconds": 120})],
        })
        cls.t0 = int(time.time()) - 900  # events of the last quarter hour: "today", never stale

    def ingest(self, events):  # pylint: disable=arguments-renamed
        """Live AMI events applied as the bridge applies them, without its commit (see commit_bus).
        Returns the facts applied (what the bridge settles next, see settle)."""
        ingestor = Ingestor(self.env, self.pbx)
        ingestor.apply([f for f in self.from_ami(events, live=True) if f])
        return ingestor.applied

    def settle(self, facts):
        """What the bridge does after the batches' commits, at most once a second (Bridge.settle)."""
        self.pbx._hotline_facts_settled(facts)

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
