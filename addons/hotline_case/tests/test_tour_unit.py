from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUnitTour(HttpCase):
    """Browser test of the unit's side: sign for and submit a confidential case without seeing the caller."""

    def test_unit_signs_for_and_submits(self):
        agent = self.env.ref("hotline_case.user_agent")
        water = self.env.ref("hotline_case.user_water")
        case = self.env["hotline.case"].with_user(agent).create({
            "caller_phone": "13893112345",
            "confidential": True,
            "type_id": self.env.ref("hotline_case.case_type_help").id,
            "category_id": self.env.ref("hotline_case.category_water_low_pressure").id,
            "district_id": self.env.ref("hotline_case.district_cg").id,
            "address": "解放路12号",
            "description": "七楼以上早晚用水高峰时基本无水。",
            "unit_id": self.env.ref("hotline_case.unit_water").id,
        })
        case.action_self_dispatch()

        self.start_tour(f"/odoo/action-hotline_case.hotline_case_action_unit/{case.id}", "hotline_case_unit_tour",
                        login=water.login)

        case.invalidate_recordset()
        self.assertEqual(case.state, "submitted")
        self.assertEqual(case.result_note, "已更换加压泵，当日恢复供水。")
        self.assertEqual(case.log_ids.sorted("id").mapped("action"), ["self_dispatch", "accept", "submit"])
        self.assertEqual(case.log_ids.filtered(lambda log: log.action != "self_dispatch").user_id, water)
