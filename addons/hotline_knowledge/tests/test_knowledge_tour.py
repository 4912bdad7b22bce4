import time

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestKnowledgeTour(HttpCase):
    """In the case form the agent types the question, inserts the suggested answer and closes on the call."""

    def test_answer_from_suggestion(self):
        agent = self.env.ref("hotline_case.user_agent")
        item = self.env.ref("hotline_knowledge.kitem_gas_transfer")
        Case = self.env["hotline.case"]
        known_ids = Case.search([]).ids
        start = time.monotonic()
        self.start_tour("/odoo", "hotline_knowledge_answer_tour", login=agent.login)
        self.assertLess(time.monotonic() - start, 120)
        case = Case.search([("id", "not in", known_ids)])
        self.assertEqual(len(case), 1)
        self.assertEqual(case.state, "closed")
        self.assertTrue(case.closed_on_call)
        self.assertEqual(case.knowledge_item_ids, item)
        self.assertIn(item.answer, case.resolution_note)
        self.assertEqual(item.use_count, 1)
        # the search the agent settled on (Enter) is counted, not every keystroke
        logs = self.env["hotline.knowledge.search.log"].search([("user_id", "=", agent.id)])
        self.assertEqual(logs.mapped("query"), ["gjj"])
        self.assertGreaterEqual(logs.result_count, 1)
