from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestIntakeTour(HttpCase):
    """Browser test of the one-window intake: repeat caller recognised, unit suggested, self-dispatch."""

    def test_intake_repeat_caller_self_dispatch(self):
        partner = self.env.ref("hotline_case.partner_caller_01")
        agent = self.env.ref("hotline_case.user_agent")
        Case = self.env["hotline.case"]
        previous = Case.search_count([("partner_id", "=", partner.id)])
        self.assertGreater(previous, 0, "the demo caller must have called before for the tour to be meaningful")
        known_ids = Case.search([]).ids

        self.start_tour("/odoo", "hotline_case_intake_tour", login=agent.login)

        case = Case.search([("id", "not in", known_ids)])
        self.assertEqual(len(case), 1, "the tour records exactly one case")
        self.assertEqual(case.state, "dispatched")
        self.assertEqual(case.unit_id, self.env.ref("hotline_case.unit_water_repair"))
        self.assertEqual(case.partner_id, partner)
        self.assertEqual(case.caller_phone, "13893112345")
        self.assertEqual(case.caller_name, partner.name)
        self.assertEqual(case.category_id, self.env.ref("hotline_case.category_water_outage"))
        self.assertEqual(case.district_id, self.env.ref("hotline_case.district_cg"))
        self.assertEqual(case.agent_id, agent)
        self.assertTrue(case.repeat_caller)
        self.assertEqual(case.caller_case_count, previous)
        self.assertTrue(case.deadline and case.sign_deadline, "dispatching sets the deadlines")
        self.assertEqual(case.log_ids.mapped("action"), ["self_dispatch"])
        self.assertEqual(case.log_ids.user_id, agent)
