import json
import re
import uuid

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models.secret import SECRET_MASK
from .attack_roles import HotlineRolesAttackCommon
from .common import RpcDenied

# A settings field whose name or parameter says it holds a secret.
SECRET_NAME = re.compile(r"key|token|secret|passw|pwd", re.IGNORECASE)
# The same on the hotline's own models, where a bare "key" is an identifier (health rows, queue events).
RECORD_SECRET_NAME = re.compile(r"token|secret|passw|pwd|api_?key|access_?key", re.IGNORECASE)
# Named like secrets, shown on purpose: the wall screen's URL token, to the managers who set screens up.
# the wall screen's URL (managers hand it to the screen); an Open311 client's receipt for its own request, which
# tells only the case number `GET requests/{id}` publishes anyway; the URL of a photo the center publishes (its
# media_url, given to every client that reads the request)
SHOWN_ON_PURPOSE = {("hotline.wallboard", "access_token"), ("hotline.case", "open311_token"),
                    ("hotline.case", "open311_media_token")}


@tagged("post_install", "-at_install")
class TestSettingsSecrets(HotlineRolesAttackCommon):
    """Every secret setting, found from the registry, attacked through every settings method as each role over
    call_kw, /json/2 and XML-RPC; an administrator sets and uses them but never reads them back in clear."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Settings = cls.env["res.config.settings"]
        cls.secret_fields = sorted(cls.Settings._hotline_secret_fields())
        params = cls.env["ir.config_parameter"].sudo()
        cls.secrets = {}
        for name in cls.secret_fields:
            value = f"sekret-{name}-{uuid.uuid4().hex}"
            params.set_param(cls.Settings._fields[name].config_parameter, value)
            cls.secrets[name] = value

    def _params(self):
        return dict(self.env["ir.config_parameter"].sudo().search([]).mapped(lambda p: (p.key, p.value)))

    def _assert_no_secret(self, answer, what):
        text = json.dumps(answer, ensure_ascii=False, default=str)
        for value in self.secrets.values():
            self.assertNotIn(value, text, what)

    def _answer(self, channel, user, model, method, ids=None, **kwargs):
        """The result, or the error text: neither may carry a secret."""
        try:
            return self._rpc(channel, user, model, method, ids, **kwargs)
        except RpcDenied as error:
            return str(error)

    def _create_settings(self, channel, vals):
        """A settings record saved by the administrator, as the web client's form does before execute."""
        if channel == "json2":
            return self._rpc(channel, self.admin, "res.config.settings", "create", vals_list=[vals])[0]
        created = self._rpc(channel, self.admin, "res.config.settings", "create", [vals])
        return created[0] if isinstance(created, list) else created

    def test_every_secret_setting_is_declared(self):
        """A new setting named like a secret fails here until it is declared hotline_secret=True."""
        suspects = {
            name for name, field in self.Settings._fields.items()
            if field.type in ("char", "text") and (getattr(field, "config_parameter", False) or field.related)
            and SECRET_NAME.search(f"{name} {getattr(field, 'config_parameter', '') or ''} {field.related or ''}")
        }
        self.assertLessEqual(suspects, set(self.secret_fields), "settings that look secret but are not declared")
        project = {"hotline_exchange_unit_api_key", "hotline_metrics_token", "twilio_account_token"}
        self.assertLessEqual(project & self.Settings._fields.keys(), set(self.secret_fields))
        self.assertIn("twilio_account_token", self.secret_fields, "Odoo's own settings secrets count too")
        for name in self.secret_fields:
            self.assertTrue(self.Settings._fields[name].config_parameter, f"{name}: the test sets it by parameter")

    def test_every_secret_field_of_the_hotline_is_declared(self):
        """Fields of the hotline's models named like a secret (the AMI secret...) are declared too."""
        found = set()
        for model_name in self.env.registry:
            for name, field in self.env[model_name]._fields.items():
                if (str(field._module or "").startswith("hotline") and field.type in ("char", "text")
                        and RECORD_SECRET_NAME.search(name) and model_name != "res.config.settings"):
                    found.add((model_name, name))
                    if (model_name, name) not in SHOWN_ON_PURPOSE:
                        self.assertTrue(getattr(field, "hotline_secret", False), f"{model_name}.{name}")
                        self.assertIn(model_name, self.env["hotline.secret.mixin"]._inherit_children)
        if "hotline.pbx" in self.env:
            self.assertIn(("hotline.pbx", "secret"), found)

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_no_role_reads_a_secret_setting(self):
        self.assertTrue(self.secrets)
        record = self.Settings.with_user(self.admin).create({})
        spec = {name: {} for name in self.secret_fields}
        keys = [self.Settings._fields[name].config_parameter for name in self.secret_fields]
        calls = [
            ("res.config.settings", "default_get", None, {"fields": self.secret_fields}),
            ("res.config.settings", "get_values", None, {}),
            ("res.config.settings", "onchange", None, {"values": {}, "field_names": [], "fields_spec": spec}),
            ("res.config.settings", "fields_get", None, {}),
            ("res.config.settings", "read", [record.id], {"fields": self.secret_fields}),
            ("res.config.settings", "web_read", [record.id], {"specification": spec}),
            ("res.config.settings", "search_read", None, {"domain": [], "fields": self.secret_fields}),
            ("ir.config_parameter", "get_param", None, {"key": keys[0]}),
            ("ir.config_parameter", "search_read", None, {"domain": [("key", "in", keys)], "fields": ["value"]}),
        ]
        for user in (*self.attackers, self.admin):
            for channel in self.CHANNELS:
                for model, method, ids, kwargs in calls:
                    if user == self.admin and method == "get_param":
                        continue  # an administrator's own tool (like a server action), not something shown
                    with self.subTest(user=user.login, channel=channel, model=model, method=method):
                        self._assert_no_secret(self._answer(channel, user, model, method, ids, **kwargs), method)
        # the harness reaches the values: the administrator sees each secret as set, masked
        for channel in self.CHANNELS:
            shown = self._rpc(channel, self.admin, "res.config.settings", "default_get", fields=self.secret_fields)
            self.assertEqual({name: shown[name] for name in self.secret_fields},
                             dict.fromkeys(self.secret_fields, SECRET_MASK), channel)
            values = self._rpc(channel, self.admin, "ir.config_parameter", "search_read",
                               domain=[("key", "=", keys[0])], fields=["value"])
            self.assertEqual(values[0]["value"], SECRET_MASK)
        shown = self._rpc("call_kw", self.agent, "res.config.settings", "default_get", fields=self.secret_fields)
        self.assertEqual({name: shown[name] for name in self.secret_fields}, dict.fromkeys(self.secret_fields, False),
                         "others do not even see that it is set")

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_every_settings_method_as_each_role(self):
        """Every public method of the settings (Odoo's and the addons'), on no record, as each role: no secret
        comes back and nothing changes (set_values used to write every parameter with sudo)."""
        base = set(dir(type(self.env["base"])))
        methods = sorted({name for name in dir(type(self.Settings)) if not name.startswith("_")
                          and callable(getattr(type(self.Settings), name)) and name not in base}
                         | {"default_get", "onchange", "create", "write", "web_save", "unlink", "copy"})
        self.assertIn("set_values", methods)
        self.assertIn("execute", methods)
        before = self._params()
        for user in self.attackers:
            self.authenticate(user.login, user.login)
            for method in methods:
                with self.subTest(user=user.login, channel="call_kw", method=method):
                    try:
                        answer = self.make_jsonrpc_request(f"/web/dataset/call_kw/res.config.settings/{method}", {
                            "model": "res.config.settings", "method": method, "args": [[]], "kwargs": {}})
                    except JsonRpcException as error:
                        answer = str(error)
                    self._assert_no_secret(answer, method)
            for channel in ("json2", "xmlrpc"):
                for method in methods:
                    with self.subTest(user=user.login, channel=channel, method=method):
                        self._assert_no_secret(self._answer(channel, user, "res.config.settings", method, []), method)
        self.assertEqual(self._params(), before, "no role changed a system parameter")

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_administrator_sets_and_replaces_a_secret_without_reading_it(self):
        params = self.env["ir.config_parameter"].sudo()
        name = "hotline_exchange_unit_api_key"
        if name not in self.secret_fields:
            name = next(name for name in self.secret_fields if not self.Settings._fields[name].readonly)
        key = self.Settings._fields[name].config_parameter
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                # the form saved as shown (the mask) keeps the secret
                record_id = self._create_settings(channel, {name: SECRET_MASK})
                self._rpc(channel, self.admin, "res.config.settings", "execute", [record_id])
                self.assertEqual(params.get_param(key), self.secrets[name])
                # a new value typed over it replaces it, and is what the code using it reads
                new = f"replaced-{uuid.uuid4().hex}"
                record_id = self._create_settings(channel, {name: new})
                self._rpc(channel, self.admin, "res.config.settings", "execute", [record_id])
                self.assertEqual(params.get_param(key), new)
                shown = self._rpc(channel, self.admin, "res.config.settings", "read", [record_id], fields=[name])
                self.assertEqual(shown[0][name], SECRET_MASK)
                self.secrets[name] = new
        # nobody else saves settings, even with a value of their own
        for user in self.attackers:
            self.assertRpcDenied(user, "res.config.settings", "create", vals_list=[{name: "attacker"}])
            self.assertRpcDenied(user, "res.config.settings", "set_values", [])
        self.assertEqual(params.get_param(key), self.secrets[name])
