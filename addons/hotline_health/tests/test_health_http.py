import io
import zipfile
from unittest.mock import patch

from prometheus_client.parser import text_string_to_metric_families

from odoo.tests import HttpCase, tagged
from odoo.tools import config

from .common import HotlineHealthCommon


@tagged("post_install", "-at_install")
class TestHealthHttp(HotlineHealthCommon, HttpCase):
    def metrics(self, **headers):
        return self.url_open("/hotline/metrics", headers=headers)

    def test_metrics_need_the_token(self):
        token = self.env["ir.config_parameter"].sudo().get_param("hotline_health.metrics_token")
        self.assertGreaterEqual(len(token or ""), 32, "a token exists from installation on")
        self.assertEqual(self.metrics().status_code, 403)
        self.assertEqual(self.metrics(Authorization="Bearer wrong-token").status_code, 403)
        self.assertEqual(self.metrics(Authorization=token).status_code, 403, "only as a bearer token")
        self.assertEqual(self.url_open(f"/hotline/metrics?token={token}").status_code, 403, "never in the URL")
        self.authenticate("hh_admin", "hh_admin")
        self.assertEqual(self.metrics().status_code, 403, "a session is not a token")

    def test_metrics_parse_and_tell_the_facts(self):
        token = self.env["ir.config_parameter"].sudo().get_param("hotline_health.metrics_token")
        self.report("connected")
        self.sign_in("PJSIP/agent1")
        self.sign_in("PJSIP/agent2")
        self.Check._refresh()
        reply = self.metrics(Authorization=f"Bearer {token}")
        self.assertEqual(reply.status_code, 200)
        samples = {}
        for family in text_string_to_metric_families(reply.text):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        pbx = (("pbx", self.pbx.name),)
        self.assertEqual(samples[("hotline_bridge_up", pbx)], 1)
        self.assertEqual(samples[("hotline_agents", (("pbx", self.pbx.name), ("state", "signed_in")))], 2)
        self.assertEqual(samples[("hotline_bridge_events_last_minute", pbx)], 17)
        self.assertAlmostEqual(samples[("hotline_screen_pop_p95_seconds", pbx)], 0.042)
        self.assertEqual(samples[("hotline_health_state", (("name", self.row(f"bridge:{self.pbx.id}").name),
                                                           ("part", f"bridge:{self.pbx.id}")))], 0)
        self.assertIn("hotline_mail_failed_last_day", {name for name, _labels in samples})

        rotated = self.env["res.config.settings"].create({})
        rotated.action_hotline_rotate_metrics_token()
        self.assertEqual(self.metrics(Authorization=f"Bearer {token}").status_code, 403, "the old token is dead")

    def test_bundle_for_administrators_only_and_without_secrets(self):
        self.assertEqual(self.url_open("/hotline/health/bundle", allow_redirects=False).status_code, 303)
        self.authenticate("hh_agent", "hh_agent")
        self.assertEqual(self.url_open("/hotline/health/bundle").status_code, 404)

        params = self.env["ir.config_parameter"].sudo()
        api_key = self.env["res.users.apikeys"].with_user(self.admin).sudo()._generate(None, "monitoring", None)
        self.env["ir.mail_server"].create({"name": "smtp", "smtp_host": "127.0.0.1", "smtp_user": "hotline",
                                           "smtp_pass": "smtp-password-never-shown"})
        self.report("connected", log=["WARNING login with secret ami-secret-never-shown-1234 refused"])
        secrets = ["ami-secret-never-shown-1234", "smtp-password-never-shown", "admin-pass-never-shown",
                   "db-password-never-shown", api_key, params.get_param("database.secret"),
                   params.get_param("hotline_health.metrics_token")]
        self.authenticate("hh_admin", "hh_admin")
        with patch.dict(config._runtime_options, {"admin_passwd": "admin-pass-never-shown",
                                                  "db_password": "db-password-never-shown"}):
            reply = self.url_open("/hotline/health/bundle")
        self.assertEqual(reply.status_code, 200)
        self.assertIn("attachment", reply.headers["Content-Disposition"])
        bundle = zipfile.ZipFile(io.BytesIO(reply.content))
        self.assertEqual(set(bundle.namelist()), {"versions.json", "configuration.txt", "parameters.txt",
                                                  "health.csv", "events.csv", "pbx.txt", "server-errors.log"})
        everything = "\n".join(bundle.read(name).decode() for name in bundle.namelist())
        for secret in secrets:
            self.assertNotIn(secret, everything)
        self.assertIn("admin_passwd = ********", everything)
        self.assertIn("hotline_telephony", bundle.read("versions.json").decode())
        self.assertIn("login with secret ******** refused", bundle.read("pbx.txt").decode())
        self.assertIn(self.row(f"bridge:{self.pbx.id}").name, bundle.read("health.csv").decode())
