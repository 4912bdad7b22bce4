import json

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDashboard(TransactionCase):
    """The dashboard's pivots read real report fields, for reviewers only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("hotline_reports_dashboard.spreadsheet_dashboard_hotline_cases")
        cls.reviewer = new_test_user(cls.env, "rd_reviewer", groups="hotline_case.group_reviewer")
        cls.agent = new_test_user(cls.env, "rd_agent", groups="hotline_case.group_agent")

    def _data(self):
        return json.loads(self.dashboard.spreadsheet_data)

    def test_pivots_read_as_a_reviewer(self):
        data = self._data()
        filters = {f["id"] for f in data["globalFilters"]}
        self.assertEqual(len(data["pivots"]), 3)
        for pivot in data["pivots"].values():
            model = self.env[pivot["model"]].with_user(self.reviewer)
            groupby = [r["fieldName"] for r in pivot["rows"] + pivot["columns"]]
            measures = [f"{m['fieldName']}:{m['aggregator']}" if m["fieldName"] != "__count" else "__count"
                        for m in pivot["measures"]]
            for name in groupby + [m["fieldName"] for m in pivot["measures"] if m["fieldName"] != "__count"]:
                self.assertIn(name, model._fields, f"{pivot['model']}.{name}")
            # the date filter applies to a real date field of the pivot's model
            for filter_id, matching in pivot["fieldMatching"].items():
                self.assertIn(filter_id, filters)
                self.assertIn(model._fields[matching["chain"]].type, ("date", "datetime"))
            model._read_group(pivot["domain"], groupby, measures)
            self.assertIn(f"=PIVOT({pivot['formulaId']}", json.dumps(data["sheets"][0]["cells"]))

    def test_only_reviewers_see_the_dashboard(self):
        Dashboard = self.env["spreadsheet.dashboard"]
        self.assertIn(self.dashboard, Dashboard.with_user(self.reviewer).search([]))
        self.assertNotIn(self.dashboard, Dashboard.with_user(self.agent).search([]))
        with self.assertRaises(AccessError):
            self.env["hotline.report.case.unit"].with_user(self.agent).search_read([], limit=1)
