import json
import xmlrpc.client

from odoo import Command
from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestMigrationRpc(HttpCase):
    """What the import adds, reached through the APIs: the units that handled an imported case read its
    files, no other unit does; nobody but an administrator reads or sets the file's case link; the
    migration source (its go-live) is the managers' only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.unit_a_user = new_test_user(env, "mig_rpc_a", groups="hotline_case.group_unit_user")
        cls.unit_b_user = new_test_user(env, "mig_rpc_b", groups="hotline_case.group_unit_user")
        cls.agent = new_test_user(env, "mig_rpc_agent", groups="hotline_case.group_agent")
        cls.manager = new_test_user(env, "mig_rpc_manager", groups="hotline_case.group_manager")
        cls.unit_a = env["hotline.unit"].create({"name": "迁移测试甲单位", "code": "MIG_RPC_A",
                                                 "member_ids": [Command.set(cls.unit_a_user.ids)]})
        env["hotline.unit"].create({"name": "迁移测试乙单位", "code": "MIG_RPC_B",
                                    "member_ids": [Command.set(cls.unit_b_user.ids)]})
        cls.case = env["hotline.case"].sudo().create({
            "caller_phone": "13812340001", "caller_name": "周先生", "description": "旧系统工单：路灯不亮。",
            "address": "解放路9号", "unit_id": cls.unit_a.id})
        # as the importer leaves it: a dispatch line naming the unit, the file linked to its case
        env["hotline.case.log"].sudo().create({"case_id": cls.case.id, "action": "dispatch",
                                               "from_state": "pool", "to_state": "dispatched",
                                               "unit_id": cls.unit_a.id})
        cls.file = env["ir.attachment"].sudo().create({
            "name": "旧附件.txt", "raw": "路灯位置图".encode(), "res_model": "hotline.case", "res_id": cls.case.id,
            "hotline_legacy_case_id": cls.case.id})
        cls.source = env["hotline.migration.source"].sudo().create({"name": "旧系统", "code": "mig_rpc"})

    def _xmlrpc(self, user, model, method, *args, **kwargs):
        uid = self.xmlrpc_common.login(get_db_name(), user.login, user.login)
        return self.xmlrpc_object.execute_kw(get_db_name(), uid, user.login, model, method, list(args), kwargs)

    def _json2(self, user, model, method, **params):
        key = self.env["res.users.apikeys"].with_user(user).sudo()._generate(None, "mig test", None)
        return self.url_open(f"/json/2/{model}/{method}", data=json.dumps(params),
                             headers={"Authorization": f"bearer {key}", "Content-Type": "application/json"})

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc", "odoo.http")
    def test_xmlrpc(self):
        # positive control: the unit that handled the case reads the file
        self.assertEqual(self._xmlrpc(self.unit_a_user, "ir.attachment", "read", self.file.ids, ["name"])[0]["name"],
                         "旧附件.txt")
        with self.assertRaises(xmlrpc.client.Fault):
            self._xmlrpc(self.unit_b_user, "ir.attachment", "read", self.file.ids, ["name"])
        for user in (self.unit_a_user, self.unit_b_user, self.agent):
            with self.assertRaises(xmlrpc.client.Fault, msg=user.login):
                self._xmlrpc(user, "ir.attachment", "read", self.file.ids, ["hotline_legacy_case_id"])
            own = self._xmlrpc(user, "ir.attachment", "create", {"name": "x.txt", "raw": False})
            with self.assertRaises(xmlrpc.client.Fault, msg=user.login):
                self._xmlrpc(user, "ir.attachment", "write", [own], {"hotline_legacy_case_id": self.case.id})
            with self.assertRaises(xmlrpc.client.Fault, msg=user.login):
                self._xmlrpc(user, "hotline.migration.source", "write", self.source.ids, {"go_live": False})
        # the managers set the go-live
        self._xmlrpc(self.manager, "hotline.migration.source", "write", self.source.ids,
                     {"go_live": "2021-01-01 00:00:00"})
        self.assertEqual(str(self.source.go_live), "2021-01-01 00:00:00")

    @mute_logger("odoo.http")
    def test_json2(self):
        read = self._json2(self.unit_a_user, "ir.attachment", "read", ids=self.file.ids, fields=["name"])
        self.assertEqual(read.status_code, 200, read.text[:500])
        denied = self._json2(self.unit_b_user, "ir.attachment", "read", ids=self.file.ids, fields=["name"])
        self.assertEqual(denied.status_code, 403, denied.text[:500])
        link = self._json2(self.unit_a_user, "ir.attachment", "read", ids=self.file.ids,
                           fields=["hotline_legacy_case_id"])
        self.assertEqual(link.status_code, 403, link.text[:500])
        source = self._json2(self.agent, "hotline.migration.source", "search_read", domain=[], fields=["go_live"])
        self.assertEqual(source.status_code, 403, source.text[:500])

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc", "odoo.http")
    def test_sources_are_the_import_runs(self):
        """The sources screen lists what the import made: a web user neither creates a source nothing would
        run nor is told to type a shell command; the import itself (as superuser) still makes them."""
        for user in (self.manager, self.agent):
            with self.assertRaises(xmlrpc.client.Fault, msg=user.login):
                self._xmlrpc(user, "hotline.migration.source", "create", {"name": "手建来源", "code": "by_hand"})
        with self.assertRaises(xmlrpc.client.Fault):
            self._xmlrpc(self.manager, "hotline.migration.source", "unlink", self.source.ids)
        self.assertFalse(self.env["hotline.migration.source"].search([("code", "=", "by_hand")]))
        Source = self.env["hotline.migration.source"].with_user(self.manager)
        views = Source.get_views([(False, "list"), (False, "form")])["views"]
        for kind in ("list", "form"):
            self.assertIn('create="0"', views[kind]["arch"], kind)
        help_text = self.env.ref("hotline_migration.hotline_migration_source_action").with_context(lang="zh_CN").help
        self.assertNotIn("scripts/", help_text)
        self.assertNotIn("hotline_import", help_text)
