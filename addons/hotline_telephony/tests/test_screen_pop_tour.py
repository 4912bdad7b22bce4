from odoo.tests import HttpCase, new_test_user, tagged

from ..ami.facts import from_queue_log_line
from ..ami.ingest import Ingestor

T0 = 1_795_600_000


@tagged("post_install", "-at_install")
class TestScreenPopTour(HttpCase):
    def test_screen_pop_repeat_caller_creates_case(self):
        self.env["res.users"].search([("hotline_interface", "!=", False)]).hotline_interface = False
        agent = new_test_user(self.env, "ht_tour_agent", groups="hotline_case.group_agent", name="受理员丙",
                              context={"no_reset_password": True})
        agent.hotline_interface = "PJSIP/agent1"
        partner = self.env["res.partner"].create({"name": "王先生", "phone": "13800138000"})
        old = self.env["hotline.case"].create({"caller_phone": "13800138000", "partner_id": partner.id,
                                               "description": "路灯不亮"})
        pbx = self.env.ref("hotline_telephony.pbx_default")
        lines = [f"{T0}|7.1|hotline|NONE|ENTERQUEUE||13800138000|1",
                 f"{T0 + 3}|7.1|hotline|PJSIP/agent1|CONNECT|3|7.2|1"]
        Ingestor(self.env, pbx).apply([from_queue_log_line(line) for line in lines])
        call = self.env["hotline.call"].search([("uniqueid", "=", "7.1")])
        self.assertEqual(call.user_id, agent)

        self.start_tour("/odoo", "hotline_screen_pop_tour", login="ht_tour_agent")

        new_case = self.env["hotline.case"].search([("id", "!=", old.id), ("caller_phone", "=", "13800138000")])
        self.assertEqual(len(new_case), 1)
        self.assertEqual(new_case.partner_id, partner)
        self.assertEqual(new_case.call_ids, call)
        self.assertIn("人民路", new_case.description)
