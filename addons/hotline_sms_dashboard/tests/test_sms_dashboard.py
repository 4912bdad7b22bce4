import json

from odoo.tests import TransactionCase, new_test_user, tagged


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
        self.assertEqual(len(self.data["pivots"]), 4)
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
                         sorted(["按模板统计短信", "回访短信回复", "按渠道统计评价", "短信回复处理结果"]))
