"""Shared set-up of the telephony tests: a PBX of their own, two agents and a manager, and the
two ways facts reach the ingestion (queue_log text, AMI events)."""

import time
from datetime import UTC

from odoo.tests import TransactionCase, new_test_user

from ..ami.facts import from_event, parse_queue_log
from ..ami.ingest import Ingestor

T0 = 1_795_600_000


def epoch(dt):
    """Odoo's naive UTC datetime -> epoch seconds (None for an empty one)."""
    return int(dt.replace(tzinfo=UTC).timestamp()) if dt else None


def ami(name, t, **headers):
    """An AMI event stamped by the PBX clock at `t` (epoch seconds, float)."""
    return {"Event": name, "Timestamp": f"{t:.6f}", **headers}


class HotlineTelephonyCase(TransactionCase):
    """A PBX of the test's own with agent1, agent2 and a manager. The addons built on telephony (the
    wallboard) inherit it and change the PBX and the people through the class attributes below."""

    PBX_NAME = "测试交换机"
    PBX_QUEUES = "hotline"
    AGENTS = (("ht_agent1", "受理员甲", "PJSIP/agent1", False),  # login, name, interface, extension
              ("ht_agent2", "受理员乙", "PJSIP/agent2", False))
    MANAGER = ("ht_mgr", "班长")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a PBX of its own: demo traffic (on the default PBX) stays out of the figures
        cls.pbx = cls.env["hotline.pbx"].create({"name": cls.PBX_NAME, "queue_names": cls.PBX_QUEUES})
        # demo agents own PJSIP/agent1..3: free the interfaces for this test's agents
        cls.env["res.users"].search([("hotline_interface", "!=", False)]).hotline_interface = False
        ctx = {"no_reset_password": True}
        for number, (login, name, interface, extension) in enumerate(cls.AGENTS, start=1):
            user = new_test_user(cls.env, login, context=ctx, groups="hotline_case.group_agent", name=name)
            user.write({"hotline_interface": interface, "hotline_extension": extension})
            setattr(cls, f"agent{number}", user)
        login, name = cls.MANAGER
        cls.manager = new_test_user(cls.env, login, context=ctx, groups="hotline_case.group_manager", name=name)

    def ingest(self, facts):
        ingestor = Ingestor(self.env, self.pbx)
        ingestor.apply([f for f in facts if f])
        self.env.cr.precommit.run()  # what the commit would do: bus messages are written then
        return ingestor

    @staticmethod
    def from_log(text, offset=0):
        """Facts of queue_log `text` written at byte `offset` of the file."""
        return parse_queue_log(text, offset)

    @staticmethod
    def from_ami(events, live=False):
        facts = [from_event(e, time.time()) for e in events]
        for f in facts:
            if f:
                f["live"] = live
        return facts

    def calls(self, **where):
        domain = [("pbx_id", "=", self.pbx.id)] + [(k, "=", v) for k, v in where.items()]
        return self.env["hotline.call"].search(domain, order="enter_time, id")

    def intervals(self, model, interface="PJSIP/agent1"):
        """(start, stop) of an agent's sessions or pauses, in epoch seconds (None while open)."""
        records = self.env[model].search([("pbx_id", "=", self.pbx.id), ("interface", "=", interface)],
                                         order="start, id")
        return [(epoch(r.start), epoch(r.stop)) for r in records]
