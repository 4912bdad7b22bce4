from odoo.addons.hotline_case.models.secret import SECRET_MASK
from odoo.addons.hotline_case.tests.attack_roles import HotlineRolesAttackCommon
from odoo.addons.hotline_case.tests.common import RpcDenied
from odoo.tests import tagged
from odoo.tools import mute_logger

AMI_SECRET = "ami-secret-attack-5678"


@tagged("post_install", "-at_install")
class TestHealthSecurity(HotlineRolesAttackCommon):
    """The health refresh, the metrics token and the AMI secret attacked as each role over call_kw, /json/2 and
    XML-RPC; the administrator (and the scheduled job) keep using them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["hotline.pbx"].search([]).active = False
        cls.pbx = cls.env["hotline.pbx"].create({"name": "攻击测试交换机", "secret": AMI_SECRET})
        # an agent signed in and no bridge: a refresh opens an incident and warns every administrator
        cls.env["hotline.agent.session"].create({
            "pbx_id": cls.pbx.id, "user_id": cls.agent.id, "interface": "PJSIP/agent1", "queue": "hotline",
            "start": "2026-11-25 01:00:00",
        })
        cls.Check = cls.env["hotline.health.check"]
        cls.Check.search([]).unlink()
        cls.env["hotline.health.event"].search([]).unlink()

    def _incidents(self):
        return self.env["hotline.health.event"].search_count([("kind", "=", "incident")])

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_refresh_for_administrators_and_the_cron_only(self):
        for user in self.attackers:
            self.assertRpcDenied(user, "hotline.health.check", "action_refresh", [])
        self.assertFalse(self.Check.search([]), "no probe ran")
        self.assertEqual(self._incidents(), 0, "no incident opened, nobody warned")
        # the administrator checks now, on every API
        for channel in self.CHANNELS:
            self._rpc(channel, self.admin, "hotline.health.check", "action_refresh", [])
        bridge = self.Check.search([("key", "=", f"bridge:{self.pbx.id}")])
        self.assertEqual(bridge.state, "red")
        self.assertEqual(self._incidents(), 1)
        # and the scheduled job, which runs as its own user
        bridge.checked = "2000-01-01 00:00:00"
        self.env.ref("hotline_health.ir_cron_health_refresh").method_direct_trigger()
        self.assertGreater(bridge.checked.year, 2000)

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_metrics_token_rotated_by_administrators_only(self):
        token = self.env["ir.config_parameter"].sudo().get_param("hotline_health.metrics_token")

        def metrics(token):
            return self.url_open("/hotline/metrics", headers={"Authorization": f"Bearer {token}"}).status_code

        self.assertEqual(metrics(token), 200)
        for user in self.attackers:
            self.assertRpcDenied(user, "res.config.settings", "action_hotline_rotate_metrics_token", [])
        self.assertEqual(metrics(token), 200, "nobody else stopped the monitoring")
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                action = self._rpc(channel, self.admin, "res.config.settings", "action_hotline_rotate_metrics_token",
                                   [])
                new = self.env["ir.config_parameter"].sudo().get_param("hotline_health.metrics_token")
                self.assertNotEqual(new, token)
                self.assertIn(new, action["params"]["message"], "shown once, to the administrator who made it")
                self.assertEqual(metrics(token), 403, "the old token is dead")
                self.assertEqual(metrics(new), 200)
                shown = self._rpc(channel, self.admin, "res.config.settings", "default_get",
                                  fields=["hotline_metrics_token"])
                self.assertEqual(shown["hotline_metrics_token"], SECRET_MASK, "and never again")
                token = new

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_ami_secret_set_but_never_read_back(self):
        for user in self.attackers:
            self.assertRpcDenied(user, "hotline.pbx", "read", [self.pbx.id], fields=["secret"])
            for channel in self.CHANNELS:
                with self.subTest(user=user.login, channel=channel):
                    try:
                        found = self._rpc(channel, user, "hotline.pbx", "search_read", domain=[], fields=["name"])
                    except RpcDenied as error:  # denied is fine; the secret must not be in the answer either
                        found = str(error)
                    self.assertNotIn(AMI_SECRET, str(found))
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                for method, kwargs in (("read", {"fields": ["secret"]}),
                                       ("web_read", {"specification": {"secret": {}}})):
                    values = self._rpc(channel, self.admin, "hotline.pbx", method, [self.pbx.id], **kwargs)
                    self.assertEqual(values[0]["secret"], SECRET_MASK, method)
                values = self._rpc(channel, self.admin, "hotline.pbx", "search_read", domain=[("id", "=", self.pbx.id)],
                                   fields=["secret"])
                self.assertEqual(values[0]["secret"], SECRET_MASK)
                # the form saved with the mask keeps the secret; a new one replaces it for the bridge
                self._rpc(channel, self.admin, "hotline.pbx", "write", [self.pbx.id], vals={"secret": SECRET_MASK})
                self.assertEqual(self.pbx.sudo().secret, AMI_SECRET)
        self._rpc("call_kw", self.admin, "hotline.pbx", "write", [self.pbx.id], vals={"secret": "new-ami-secret"})
        self.assertEqual(self.pbx.sudo().secret, "new-ami-secret")
