from odoo.tests import tagged

from .common import HotlinePortalCase


@tagged("post_install", "-at_install")
class TestPortalReturnRuling(HotlinePortalCase):
    """退单裁定 on the portal: a unit reads the center's ruling of its own return, never the ruling of another
    unit's return on the same case."""

    def _return_and_rule(self, case, portal_user, ruling, reason):
        self.authenticate(portal_user.login, portal_user.login)
        page = f"/my/hotline/cases/{case.id}"
        self._portal_post(f"{page}/return", {"reason": f"{portal_user.name} 退单"}, page=page)
        self.assertEqual(case.sudo().state, "pool")
        line = case.sudo().log_ids.filtered(lambda log: log.action == "return").sorted("id")[-1]
        self.assertEqual(line.return_ruling, "pending")
        line.with_user(self.dispatcher).action_rule_return(ruling, reason)
        return line

    def test_each_unit_sees_its_own_ruling(self):
        case = self._new_case()
        self._return_and_rule(case, self.portal_a, "improper", "供水抢修属于本单位职责A")
        case.with_user(self.dispatcher).unit_id = self.unit_b
        case.with_user(self.dispatcher).action_dispatch()
        self._return_and_rule(case, self.portal_b, "justified", "燃气单位退单合理B")
        page = f"/my/hotline/cases/{case.id}"
        self.authenticate("hp_portal_a", "hp_portal_a")
        html_a = self.url_open(page).text
        self.assertInHtml("o_hotline_return_ruling", html_a)
        self.assertInHtml("供水抢修属于本单位职责A", html_a)
        self.assertInHtml("Improper", html_a)
        self.assertNotInHtml("燃气单位退单合理B", html_a)
        self.authenticate("hp_portal_b", "hp_portal_b")
        html_b = self.url_open(page).text
        self.assertInHtml("燃气单位退单合理B", html_b)
        self.assertNotInHtml("供水抢修属于本单位职责A", html_b)
        # over the ORM as well: the portal user reads its own return's ruling only
        lines = self.env["hotline.case.log"].with_user(self.portal_b).search_read(
            [("case_id", "=", case.id), ("action", "=", "return")], ["return_ruling", "ruling_note"])
        self.assertEqual([(r["return_ruling"], r["ruling_note"]) for r in lines], [("justified", "燃气单位退单合理B")])
