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

    def test_top_categories_follow_the_period(self):
        """The top categories count the cases received in the dashboard's period, not in the calendar months it
        touches: a 10-day window at the start of a month leaves out a case of the 25th."""
        pivot = self._data()["pivots"]["3"]
        chain = pivot["fieldMatching"]["b1f0c0de-0001"]["chain"]
        category = self.env["hotline.category"].create({"name": "看板热点类别"})
        Case = self.env["hotline.case"].sudo()
        for day in ("2020-07-03 10:00:00", "2020-07-25 10:00:00"):
            case = Case.create({"caller_phone": "13900000009", "description": "测试", "category_id": category.id})
            case.write({"date_received": day})
        self.env.flush_all()
        model = self.env[pivot["model"]].with_user(self.reviewer)
        window = [(chain, ">=", "2020-07-01"), (chain, "<", "2020-07-11")]
        measure = pivot["measures"][0]
        spec = "__count" if measure["fieldName"] == "__count" else f"{measure['fieldName']}:{measure['aggregator']}"
        groups = dict(model._read_group(pivot["domain"] + window + [("category_id", "=", category.id)],
                                        [r["fieldName"] for r in pivot["rows"]], [spec]))
        self.assertEqual(groups, {category: 1})

    def test_pivot_captions_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_reports_dashboard"], ["zh_CN"], overwrite=True)
        served = json.loads(self.dashboard.with_context(lang="zh_CN")._get_serialized_readonly_dashboard())
        names = sorted(p["name"] for p in served["snapshot"]["pivots"].values())
        self.assertEqual(names, sorted(["各单位统计", "受理统计", "热点诉求分类"]))
        served = json.loads(self.dashboard.with_context(lang="en_US")._get_serialized_readonly_dashboard())
        self.assertIn("Top Categories", [p["name"] for p in served["snapshot"]["pivots"].values()])

    def test_layout_fits_any_city(self):
        """The units' table is the last on the sheet (a city's units spill down into empty rows, never into
        another table); the top categories are the ten largest."""
        data = self._data()
        sheet = data["sheets"][0]
        anchors = {cell: content for cell, content in sheet["cells"].items() if content.startswith("=PIVOT(1")}
        self.assertEqual(len(anchors), 1)
        units_row = int(next(iter(anchors))[1:])
        below = [cell for cell in sheet["cells"] if int(cell[1:]) > units_row]
        self.assertEqual(below, [], "nothing below the units' table")
        self.assertGreaterEqual(sheet["rowNumber"] - units_row, 500, "room for the units of a large city")
        top = data["pivots"]["3"]
        self.assertEqual(top["sortedColumn"], {"domain": [], "measure": "__count:sum", "order": "desc"})
        self.assertIn("=PIVOT(3, 10)", sheet["cells"].values())

    def test_home_screen_of_agents_and_unit_users(self):
        """No empty 仪表板 and no app store on an agent's or a unit user's home screen; a reviewer keeps the
        dashboard (positive control)."""
        unit_user = new_test_user(self.env, "rd_unit_user", groups="base.group_user,hotline_case.group_unit_user")
        for user in (self.agent, unit_user):
            menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
            roots = {menus[i].get("xmlid") for i in menus["root"]["children"]}
            self.assertNotIn("spreadsheet_dashboard.spreadsheet_dashboard_menu_root", roots, user.login)
            self.assertNotIn("base.menu_management", roots, user.login)
        menus = self.env["ir.ui.menu"].with_user(self.reviewer).load_menus(False)
        self.assertIn("spreadsheet_dashboard.spreadsheet_dashboard_menu_root",
                      {menus[i].get("xmlid") for i in menus["root"]["children"]})
