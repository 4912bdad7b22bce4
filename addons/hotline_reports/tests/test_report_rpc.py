import json
import xmlrpc.client

from odoo import Command
from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

REPORT_MODELS = ("hotline.report.case.unit", "hotline.report.case.intake", "hotline.report.case.industry",
                 "hotline.report.case.hotspot", "hotline.assessment", "hotline.assessment.result",
                 "hotline.report.export", "hotline.assessment.scheme.deduction")


@tagged("post_install", "-at_install")
class TestReportRpc(HttpCase):
    """Units and agents reach no report through any API: XML-RPC, /json/2 with an API key, /web/content."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.reviewer = new_test_user(env, "rk_rpc_reviewer", groups="hotline_case.group_reviewer")
        cls.agent = new_test_user(env, "rk_rpc_agent", groups="hotline_case.group_agent")
        cls.unit_user = new_test_user(env, "rk_rpc_unit", groups="hotline_case.group_unit_user")
        cls.portal = new_test_user(env, "rk_rpc_portal", groups="base.group_portal")
        cls.unit = env["hotline.unit"].create({
            "name": "测试供水单位", "code": "RK_RPC", "member_ids": [Command.set([cls.unit_user.id, cls.portal.id])],
        })
        wizard = env["hotline.case.report.wizard"].with_user(cls.reviewer).create({"report": "unit"})
        wizard.action_export()
        cls.export = env["hotline.report.export"].search([("user_id", "=", cls.reviewer.id)], limit=1)

    def _xmlrpc(self, user, model, method, *args, **kwargs):
        uid = self.xmlrpc_common.login(get_db_name(), user.login, user.login)
        return self.xmlrpc_object.execute_kw(get_db_name(), uid, user.login, model, method, list(args), kwargs)

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc", "odoo.http")
    def test_xmlrpc(self):
        for user in (self.agent, self.unit_user, self.portal):
            for model in REPORT_MODELS:
                with self.assertRaises(xmlrpc.client.Fault, msg=f"{user.login} reads {model}"):
                    self._xmlrpc(user, model, "search_read", [], ["id"], limit=1)
            with self.assertRaises(xmlrpc.client.Fault):
                self._xmlrpc(user, "hotline.kpi.case", "unit_figures", "2020-03-01", "2020-03-31")
            with self.assertRaises(xmlrpc.client.Fault):
                self._xmlrpc(user, "hotline.kpi.case", "situation")
        # the reviewer reads the same through the same door
        self.assertIsInstance(self._xmlrpc(self.reviewer, "hotline.kpi.case", "situation"), dict)
        self.assertTrue(self._xmlrpc(self.reviewer, "hotline.report.export", "search_read", [], ["name"]))

    def _json2(self, user, model, method, **params):
        key = self.env["res.users.apikeys"].with_user(user).sudo()._generate(None, "rk test", None)
        return self.url_open(f"/json/2/{model}/{method}", data=json.dumps(params),
                             headers={"Authorization": f"bearer {key}", "Content-Type": "application/json"})

    @mute_logger("odoo.http")
    def test_json2(self):
        for user in (self.agent, self.unit_user):
            response = self._json2(user, "hotline.kpi.case", "unit_figures", date_from="2020-03-01",
                                   date_to="2020-03-31")
            self.assertEqual(response.status_code, 403, (user.login, response.text[:500]))
            response = self._json2(user, "hotline.report.case.unit", "search_read", domain=[], fields=["id"])
            self.assertEqual(response.status_code, 403, user.login)
        response = self._json2(self.reviewer, "hotline.kpi.case", "situation")
        self.assertEqual(response.status_code, 200)
        self.assertIn("open_by_state", response.json())

    @mute_logger("odoo.http")
    def test_export_file_not_downloadable_by_units(self):
        url = f"/web/content/{self.export.attachment_id.id}?download=true"
        for user in (self.unit_user, self.portal, self.agent):
            self.authenticate(user.login, user.login)
            response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), user.login)
            self.assertNotIn(b"PK", response.content[:2], "no XLSX bytes")
        self.authenticate(self.reviewer.login, self.reviewer.login)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, (self.export.state, self.export.attachment_id, response.text[:300]))
        self.assertEqual(response.content[:2], b"PK")
