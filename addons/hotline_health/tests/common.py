import time

from odoo.tests import TransactionCase, new_test_user


class HotlineHealthCommon(TransactionCase):
    """A PBX whose bridge reports like Bridge.report() does, and an administrator to warn."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(cls.env, "hh_admin", groups="base.group_system", name="系统管理员甲",
                                  tz="Asia/Shanghai")
        cls.agent = new_test_user(cls.env, "hh_agent", groups="hotline_case.group_agent", name="受理员甲")
        cls.manager = new_test_user(cls.env, "hh_manager", groups="hotline_case.group_manager", name="管理员甲")
        cls.pbx = cls.env["hotline.pbx"].create({"name": "测试交换机", "secret": "ami-secret-never-shown-1234"})
        cls.env["hotline.pbx"].search([("id", "!=", cls.pbx.id)]).active = False
        cls.Check = cls.env["hotline.health.check"]

    def report(self, status="connected", pid=4242, caught_up=0, **facts):
        now = time.time()
        values = {"host": "pbx-bridge-1", "pid": pid, "connected_since": now - 600, "last_event": now - 2,
                  "events_last_minute": 17, "caught_up": caught_up, "backfill_at": now - 5, "queue_log_lag": 0,
                  "pop_p95_ms": 42, "log": ["INFO hotline-ami: connected"]}
        values.update(facts)
        self.pbx._bridge_report(status, values)

    def sign_in(self, interface="PJSIP/agent1"):
        return self.env["hotline.agent.session"].create({
            "pbx_id": self.pbx.id, "user_id": self.agent.id, "interface": interface, "queue": "hotline",
            "start": "2026-11-25 01:00:00",
        })

    def row(self, key):
        return self.Check.search([("key", "=", key)])
