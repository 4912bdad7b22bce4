from odoo.tests import HttpCase, new_test_user, tagged

from .common import HotlineCaseCommon


@tagged("post_install", "-at_install")
class TestHomeAction(HotlineCaseCommon):
    """Each role starts on its own work list after login, not on Discuss."""

    def test_new_users_per_role(self):
        expected = {
            self.agent: "hotline_case.hotline_case_action_my",
            self.dispatcher: "hotline_case.hotline_case_action_pool",
            self.reviewer: "hotline_case.hotline_case_action_review",
            self.manager: "hotline_case.hotline_case_action_all",
            self.unit_user_a: "hotline_case.hotline_case_action_unit",
        }
        for user, xmlid in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(user.action_id.id, self.env.ref(xmlid).id)
        self.assertFalse(self.portal_a.action_id, "portal users use the portal")

    def test_promotion_and_explicit_choice(self):
        user = new_test_user(self.env, "hc_promoted", groups="hotline_case.group_agent")
        user.group_ids = [(4, self.env.ref("hotline_case.group_reviewer").id)]
        self.assertEqual(user.action_id.id, self.env.ref("hotline_case.hotline_case_action_review").id)
        chosen = self.env.ref("hotline_case.hotline_case_action_callback")
        user.action_id = chosen.id
        user.group_ids = [(4, self.env.ref("hotline_case.group_manager").id)]
        self.assertEqual(user.action_id.id, chosen.id, "a home action chosen by an administrator stays")
        outsider = new_test_user(self.env, "hc_outsider", groups="base.group_user")
        self.assertFalse(outsider.action_id)

    def test_demo_users(self):
        for login, xmlid in (("agent", "hotline_case_action_my"), ("dispatcher", "hotline_case_action_pool"),
                             ("reviewer", "hotline_case_action_review"), ("manager", "hotline_case_action_all"),
                             ("water", "hotline_case_action_unit"), ("admin", "hotline_case_action_all")):
            user = self.env["res.users"].search([("login", "=", login)])
            with self.subTest(login=login):
                self.assertEqual(user.action_id.id, self.env.ref(f"hotline_case.{xmlid}").id)

    def test_demo_has_no_odoo_people(self):
        self.assertEqual(self.env.ref("base.user_admin").name, "系统管理员")
        self.assertFalse(self.env.ref("base.user_demo").active)
        names = self.env["res.users"].search([]).mapped("name")
        self.assertNotIn("Mitchell Admin", names)
        self.assertNotIn("Marc Demo", names)


@tagged("post_install", "-at_install")
class TestHomeTour(HttpCase):
    """In the browser: the landing page of an agent and of a unit user; no 合并 / 作废 on a case not saved."""

    def test_agent_lands_on_my_cases(self):
        self.start_tour("/odoo", "hotline_case_home_agent_tour", login="agent")

    def test_unit_user_lands_on_unit_cases(self):
        self.start_tour("/odoo", "hotline_case_home_unit_tour", login="water")

    def test_new_case_has_no_merge_or_cancel(self):
        self.start_tour("/odoo/action-hotline_case.hotline_case_action_new", "hotline_case_new_form_tour",
                        login="agent")
