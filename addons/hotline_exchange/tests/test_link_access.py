from datetime import datetime, timedelta

from odoo.addons.hotline_case.tests.common import HotlineAttackCommon, RpcDenied
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

LINK = "hotline.exchange.link"


@tagged("post_install", "-at_install")
class TestLinkAccess(HotlineAttackCommon):
    """The exchange's figures (last error, the unit server's address in it) are for managers and administrators;
    starting a round is for administrators and the exchange's own process: as every role, over every API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("hotline_exchange.role", "single")
        cls.plain = new_test_user(cls.env, "hx_plain_internal", groups="base.group_user")
        cls.admin = new_test_user(cls.env, "hx_admin", groups="base.group_user,base.group_system")
        expiry = datetime.now() + timedelta(days=1)
        for user in (cls.plain, cls.admin):
            cls.api_keys[user.id] = cls.env["res.users.apikeys"].with_user(user)._generate("rpc", "attack", expiry)

    def test_status_for_managers_and_administrators(self):
        for user in (self.agent, self.dispatcher, self.reviewer, self.unit_user_a, self.portal_a, self.plain):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, LINK, "status")
        for user in (self.manager, self.admin):  # positive controls
            for channel in self.CHANNELS:
                with self.subTest(user=user.login, channel=channel):
                    status = self._rpc(channel, user, LINK, "status")
                    self.assertIn(status["level"], ("green", "amber", "red"))
                    self.assertIn("last_error", status)

    def test_run_once_for_administrators(self):
        for user in (self.agent, self.dispatcher, self.reviewer, self.manager, self.unit_user_a, self.portal_a,
                     self.plain):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, LINK, "run_once")
        for channel in self.CHANNELS:  # positive control (this database is no center: the round stops there)
            with self.subTest(channel=channel):
                self.assertEqual(self._rpc(channel, self.admin, LINK, "run_once")["error"], "role")
        # the exchange's own process and the cron run as the superuser
        self.assertEqual(self.env[LINK].run_once()["error"], "role")

    def test_logged_out(self):
        for method in ("status", "run_once"):
            with self.subTest(method=method):
                if getattr(self, "session", None):
                    self.logout()
                with self.assertRaises(JsonRpcException):
                    self.make_jsonrpc_request(f"/web/dataset/call_kw/{LINK}/{method}",
                                              {"model": LINK, "method": method, "args": [], "kwargs": {}})
                response = self.url_open(f"/json/2/{LINK}/{method}", data="{}",
                                         headers={"Content-Type": "application/json"})
                self.assertEqual(response.status_code, 401)

    def test_actor_name_escaped_on_the_portal(self):
        """The other server's user name on the unit's history is text, never markup."""
        case = self._dispatched_case()
        self.env["hotline.case.log"].sudo().create({
            "case_id": case.id, "action": "urge", "from_state": "dispatched", "to_state": "dispatched",
            "unit_id": self.unit_a.id, "exchange_actor": "<img src=x onerror=alert(1)>"})
        self.authenticate(self.portal_a.login, self.portal_a.login)
        html = self.url_open(f"/my/hotline/cases/{case.id}").text
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)  # shown (the control), escaped
        self.assertNotIn("<img src=x onerror", html)

    def test_rpc_denied_is_an_access_error(self):
        """The refusal says why (not a crash)."""
        with self.assertRaisesRegex(RpcDenied, "managers and administrators"):
            self._rpc("json2", self.agent, LINK, "status")


@tagged("post_install", "-at_install")
class TestLinkButtonsWhenOff(HotlineAttackCommon):
    """In single mode the exchange is off: the screen says so; 立即交换 and 全部重新发送 answer it in words (not
    "role") and queue nothing; both are for administrators only, over every API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("hotline_exchange.role", "single")
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["hotline_exchange"], ["zh_CN"], overwrite=True)
        cls.admin = new_test_user(cls.env, "hx_off_admin", groups="base.group_user,base.group_system", lang="zh_CN")
        expiry = datetime.now() + timedelta(days=1)
        cls.api_keys[cls.admin.id] = cls.env["res.users.apikeys"].with_user(cls.admin)._generate("rpc", "x", expiry)
        cls.link = cls.env[LINK]._get_link()

    def test_off_in_single_mode(self):
        Event = self.env["hotline.exchange.event"].sudo()
        before = Event.search_count([])
        link = self.link.with_user(self.admin).with_context(lang="zh_CN")
        self.assertTrue(link.exchange_off)
        for method in ("action_run_now", "action_sync_all"):
            with self.subTest(method=method), self.assertRaisesRegex(UserError, "数据交换未启用"):
                getattr(link, method)()
        self.assertEqual(Event.search_count([]), before, "nothing queued that nothing would send")
        self.env["ir.config_parameter"].sudo().set_param("hotline_exchange.role", "center")
        self.link.invalidate_recordset(["exchange_off"])  # the next request reads it afresh
        self.assertFalse(self.link.with_user(self.admin).exchange_off)  # positive control
        self.link.with_user(self.admin).action_sync_all()
        self.assertGreater(Event.search_count([]), before)

    def test_menu_opens_the_link_saying_it_is_off(self):
        """The menu lands on the link's form (where the off notice is), for administrators and managers; others
        are refused."""
        menu_action = self.env.ref("hotline_exchange.hotline_exchange_link_action_open").with_context(lang="zh_CN")
        for user in (self.admin, self.manager):
            with self.subTest(user=user.login):
                action = menu_action.with_user(user).run()
                self.assertEqual((action["res_model"], action["res_id"], action["view_mode"]),
                                 (LINK, self.link.id, "form"))
                self.assertEqual(action["name"], "与单位服务器交换")
                self.assertTrue(self.env[LINK].with_user(user).browse(action["res_id"]).exchange_off)
        arch = self.env[LINK].with_user(self.admin).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('invisible="not exchange_off"', arch)
        for user in (self.agent, self.unit_user_a):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, LINK, "action_open_link")

    def test_buttons_for_administrators_only(self):
        self.env["ir.config_parameter"].sudo().set_param("hotline_exchange.role", "center")
        for user in (self.agent, self.dispatcher, self.reviewer, self.manager, self.unit_user_a):
            for method in ("action_sync_all", "action_run_now"):
                with self.subTest(user=user.login, method=method):
                    self.assertRpcDenied(user, LINK, method, ids=self.link.ids)
