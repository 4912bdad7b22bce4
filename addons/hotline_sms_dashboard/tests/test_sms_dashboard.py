import importlib.util
import json
from datetime import datetime, timedelta
from pathlib import Path

from odoo.addons.hotline_case.tests.common import HotlineAttackCommon
from odoo.addons.hotline_sms.models.hotline_sms_reply import CALLBACK_SAVED_HELP
from odoo.addons.hotline_sms.tests.common import HotlineSmsCommon
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestSmsDashboard(TransactionCase):
    """The SMS dashboard's pivots read real fields as a reviewer, follow the period, and count what happened."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("hotline_sms_dashboard.spreadsheet_dashboard_hotline_sms")
        cls.reviewer = new_test_user(cls.env, "sd_reviewer", groups="hotline_case.group_reviewer")
        cls.agent = new_test_user(cls.env, "sd_agent", groups="hotline_case.group_agent")
        cls.data = json.loads(cls.dashboard.spreadsheet_data)

    def _groups(self, pivot, extra=()):
        model = self.env[pivot["model"]].with_user(self.reviewer)
        groupby = [r["fieldName"] for r in pivot["rows"] + pivot["columns"]]
        return model._read_group(pivot["domain"] + list(extra), groupby, ["__count"])

    def test_pivots_read_as_a_reviewer(self):
        filters = {f["id"] for f in self.data["globalFilters"]}
        cells = json.dumps(self.data["sheets"][0]["cells"])
        self.assertEqual(len(self.data["pivots"]), 5)
        for pivot in self.data["pivots"].values():
            model = self.env[pivot["model"]]
            for name in [r["fieldName"] for r in pivot["rows"] + pivot["columns"]]:
                self.assertIn(name, model._fields, f"{pivot['model']}.{name}")
            for filter_id, matching in pivot["fieldMatching"].items():
                self.assertIn(filter_id, filters)
                self.assertIn(model._fields[matching["chain"]].type, ("date", "datetime"))
            self._groups(pivot)
            self.assertIn(f"=PIVOT({pivot['formulaId']})", cells)

    def test_reviewers_only(self):
        Dashboard = self.env["spreadsheet.dashboard"]
        self.assertIn(self.dashboard, Dashboard.with_user(self.reviewer).search([]))
        self.assertNotIn(self.dashboard, Dashboard.with_user(self.agent).search([]))

    def test_survey_replies_known_answer(self):
        """Three surveys sent in the period, one answered, one never sent (failed): 1 answered of 2 sent."""
        case = self.env["hotline.case"].create({"caller_phone": "13900000008", "description": "看板测试"})
        Message = self.env["hotline.sms.message"].sudo()
        values = {"case_id": case.id, "company_id": self.env.company.id, "kind": "survey", "number": "13900000008"}
        Message.create([
            {**values, "round": 0, "state": "delivered", "date_sent": "2020-08-03 10:00:00", "answered": True},
            {**values, "round": 1, "state": "sent", "date_sent": "2020-08-05 10:00:00"},
            {**values, "round": 2, "state": "failed"},
        ])
        pivot = self.data["pivots"]["2"]
        chain = pivot["fieldMatching"]["b1f0c0de-0002"]["chain"]
        window = [(chain, ">=", "2020-08-01"), (chain, "<", "2020-09-01")]
        self.assertEqual(dict(self._groups(pivot, window + [("case_id", "=", case.id)])), {True: 1, False: 1})

    def test_pivot_captions_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_sms_dashboard"], ["zh_CN"], overwrite=True)
        served = json.loads(self.dashboard.with_context(lang="zh_CN")._get_serialized_readonly_dashboard())
        self.assertEqual(sorted(p["name"] for p in served["snapshot"]["pivots"].values()),
                         sorted(["按模板统计短信", "回访短信回复", "按渠道统计评价", "短信回复处理结果",
                                 "节省回访时长"]))


@tagged("post_install", "-at_install")
class TestCallbackTimeSaved(HotlineSmsCommon):
    """The tile 'Agents' callback time saved' reads the one definition (hotline.sms.reply's callback_saved and
    callback_minutes_saved), from a sequence where most surveys save nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sd_reviewer = new_test_user(cls.env, "sd_saved_reviewer", groups="hotline_case.group_reviewer")

    def _reply(self, content, number):
        return self.env["hotline.sms.reply"]._receive(self.env.company, [{"number": number, "content": content}])

    def _tile(self, start, end):
        data = json.loads(self.env.ref("hotline_sms_dashboard.spreadsheet_dashboard_hotline_sms").spreadsheet_data)
        pivot = next(p for p in data["pivots"].values() if p["name"] == "Callback Time Saved")
        self.assertIn(f"=PIVOT({pivot['formulaId']})", json.dumps(data["sheets"][0]["cells"]))
        chain = pivot["fieldMatching"]["b1f0c0de-0002"]["chain"]
        measures = [f"{m['fieldName']}:{m['aggregator']}" if m["fieldName"] != "__count" else "__count"
                    for m in pivot["measures"]]
        [row] = self.env[pivot["model"]].with_user(self.sd_reviewer)._read_group(
            pivot["domain"] + [(chain, ">=", start), (chain, "<", end)], [], measures)
        return row

    def test_known_answer_with_failures(self):
        self.env.company.write({"hotline_sms_callback_minutes": 4.5, "hotline_sms_reply_days": 2})
        start = datetime.now() - timedelta(hours=1)
        phones = {name: f"1380000{i:04d}" for i, name in enumerate(
            ("saved", "saved_words", "unanswered", "invalid", "late", "attempted", "phoned", "unhappy"))}
        cases = {name: self._surveyed_case(phone=phone) for name, phone in phones.items()}
        # answered after the reply days: the case was back on the agents' list by then
        self._messages(cases["late"], "survey").date_sent = datetime.now() - timedelta(days=2, minutes=5)
        # an agent phoned (no answer) before the citizen replied; another agent reached the citizen first
        cases["attempted"].with_user(self.agent).action_callback_attempt()
        cases["phoned"].with_user(self.agent).action_callback_done(satisfaction="satisfied", note="电话回访：满意")
        outcomes = {name: self._reply(text, phones[name]).outcome for name, text in (
            ("saved", "1"), ("saved_words", "基本满意，谢谢"), ("invalid", "你好"), ("late", "2"), ("attempted", "1"),
            ("phoned", "1"), ("unhappy", "4 还是没修好"))}
        self.assertEqual(outcomes, {"saved": "evaluated", "saved_words": "evaluated", "invalid": "invalid",
                                    "late": "evaluated", "attempted": "evaluated", "phoned": "late",
                                    "unhappy": "callback"})
        # the late and the attempted replies record the evaluation but spared no agent a call
        replies = self.env["hotline.sms.reply"].search([("callback_saved", "=", True)])
        self.assertEqual(replies.case_id, cases["saved"] | cases["saved_words"])
        # 2 callbacks saved × 4.5 minutes
        self.assertEqual(self._tile(start, datetime.now() + timedelta(hours=1)), (2, 9.0))
        figures = self.env["hotline.sms.message"]._figures(start, datetime.now() + timedelta(hours=1))
        self.assertEqual((figures["callbacks_avoided"], figures["minutes_saved"]), (2, 9.0))
        # replies recorded before these fields: the 19.0.1.1.0 backfill finds the same two
        path = Path(__file__).resolve().parents[2] / "hotline_sms" / "migrations" / "19.0.1.1.0" / "post-migrate.py"
        spec = importlib.util.spec_from_file_location("hotline_sms_post_migrate_19_0_1_1_0", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.env.flush_all()
        self.env.cr.execute("UPDATE hotline_sms_reply SET callback_saved = NULL, callback_minutes_saved = NULL")
        migration.migrate(self.env.cr, "19.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(self._tile(start, datetime.now() + timedelta(hours=1)), (2, 9.0))
        # a later change of the setting does not rewrite what was saved; the period excludes what is outside it
        self.env.company.hotline_sms_callback_minutes = 10
        self.assertEqual(self._tile(start, datetime.now() + timedelta(hours=1)), (2, 9.0))
        self.assertEqual(self._tile(start - timedelta(days=1), start), (0, 0.0))

    def test_formula_stated_on_the_tile(self):
        """The tile states the formula under its title, and the fields' help gives the same definition."""
        data = json.loads(self.env.ref("hotline_sms_dashboard.spreadsheet_dashboard_hotline_sms").spreadsheet_data)
        cells = data["sheets"][0]["cells"]
        self.assertIn("callbacks saved × the average callback minutes", cells["A40"])
        self.assertEqual(cells["A41"], "=PIVOT(5)")
        fields = self.env["hotline.sms.reply"]._fields
        self.assertEqual(fields["callback_minutes_saved"].help, CALLBACK_SAVED_HELP)


@tagged("post_install", "-at_install")
class TestCallbackTimeSavedAccess(HotlineAttackCommon):
    """The minutes saved are the center's: a unit user or a portal user reads none over any RPC channel."""

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc", "odoo.addons.base.models.ir_model")
    def test_units_and_portal_denied(self):
        reply = self.env["hotline.sms.reply"].sudo().create({
            "company_id": self.env.company.id, "number": "13800009999", "content": "1", "outcome": "evaluated",
            "callback_saved": True, "callback_minutes_saved": 3.0})
        for user in (self.unit_user_a, self.portal_a):
            self.assertRpcDenied(user, "hotline.sms.reply", "read", reply.ids, fields=["callback_minutes_saved"])
            self.assertRpcDenied(user, "hotline.sms.reply", "search_read", domain=[],
                                 fields=["callback_saved", "callback_minutes_saved"])
        # positive control: a reviewer reads it, as the dashboard does
        rows = self._rpc("call_kw", self.reviewer, "hotline.sms.reply", "read", reply.ids,
                         fields=["callback_saved", "callback_minutes_saved"])
        self.assertEqual((rows[0]["callback_saved"], rows[0]["callback_minutes_saved"]), (True, 3.0))
