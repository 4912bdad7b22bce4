from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

REPORT_MODELS = ("hotline.call.report", "hotline.agent.report")


@tagged("post_install", "-at_install")
class TestReportAccess(HttpCase):
    """Call reports are for reviewers (班长) and managers: agents and unit users get an access error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(cls.env, "rc_acc_agent", groups="hotline_case.group_agent")
        cls.dispatcher = new_test_user(cls.env, "rc_acc_disp", groups="hotline_case.group_dispatcher")
        cls.unit_user = new_test_user(cls.env, "rc_acc_unit", groups="hotline_case.group_unit_user")
        cls.portal = new_test_user(cls.env, "rc_acc_portal", groups="base.group_portal")
        cls.reviewer = new_test_user(cls.env, "rc_acc_rev", groups="hotline_case.group_reviewer")
        cls.manager = new_test_user(cls.env, "rc_acc_mgr", groups="hotline_case.group_manager")

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", {
            "model": model, "method": method, "args": args, "kwargs": kwargs or {}})

    def test_orm(self):
        for user in (self.agent, self.dispatcher, self.unit_user, self.portal):
            for model in REPORT_MODELS:
                with self.subTest(user=user.login, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(user).search_read([], ["id"], limit=1)
            with self.subTest(user=user.login, service="agent_figures"), self.assertRaises(AccessError):
                self.env["hotline.kpi.call"].with_user(user).agent_figures("2026-01-01", "2026-01-31")
            with self.subTest(user=user.login, service="queue_figures"), self.assertRaises(AccessError):
                self.env["hotline.kpi.call"].with_user(user).queue_figures("2026-01-01", "2026-01-31")
        for user in (self.reviewer, self.manager):
            for model in REPORT_MODELS:
                self.env[model].with_user(user).search_read([], ["id"], limit=1)
            self.env["hotline.kpi.call"].with_user(user).center_figures("2026-01-01", "2026-01-31")

    def test_rpc(self):
        for login in ("rc_acc_agent", "rc_acc_unit", "rc_acc_portal"):
            self.authenticate(login, login)
            for model in REPORT_MODELS:
                for method, args, kwargs in (("search_read", [[]], {"fields": ["id"], "limit": 1}),
                                             ("web_read_group", [[], ["date:month"]], {"aggregates": ["__count"]})):
                    with self.subTest(login=login, model=model, method=method), \
                            self.assertRaisesRegex(JsonRpcException, "AccessError"):
                        self._call_kw(model, method, args, kwargs)
            with self.subTest(login=login, service=True), self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self._call_kw("hotline.kpi.call", "queue_figures", ["2026-01-01", "2026-01-31"])
        self.authenticate("rc_acc_rev", "rc_acc_rev")
        groups = self._call_kw("hotline.call.report", "web_read_group", [[], ["queue"]],
                               {"aggregates": ["offered:sum", "answer_rate:avg"]})
        self.assertIn("groups", groups)
        figures = self._call_kw("hotline.kpi.call", "center_figures", ["2026-01-01", "2026-01-31"])
        self.assertIn("service_level_offered", figures)
