from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import KnowledgeCommon


@tagged("post_install", "-at_install")
class TestKnowledgeCase(KnowledgeCommon):
    """The item used on the call: answer inserted, linked, counted; feedback; gaps; figures."""

    def _consultation(self, **vals):
        values = {"type_id": self.env.ref("hotline_case.case_type_consult").id,
                  "description": "问一下今年阶梯水价怎么算"}
        return self._new_case(**(values | vals))

    def test_insert_answer_link_and_close(self):
        case = self._consultation()
        case.with_user(self.agent).action_use_knowledge(self.item_price.id)
        self.assertEqual(case.resolution_note, self.item_price.answer)
        case.with_user(self.agent).action_use_knowledge(self.item_price.id)
        self.assertEqual(case.resolution_note, self.item_price.answer, "inserted once")
        self.assertEqual(case.knowledge_item_ids, self.item_price)
        self.assertEqual(self.item_price.use_count, 1, "counted once per case")
        case.with_user(self.agent).action_close_on_call()
        self.assertEqual(case.state, "closed")
        self.assertTrue(case.closed_on_call)
        usage = self.env["hotline.knowledge.usage"].search([("case_id", "=", case.id)])
        self.assertEqual(sorted(usage.mapped("kind")), ["closed", "inserted", "inserted"])
        self.assertEqual(usage.user_id, self.agent)
        with self.assertRaises(UserError):
            case.with_user(self.agent).action_use_knowledge(self.item_fund.id)  # closed: no more inserts

    def test_refused_items_and_fields(self):
        case = self._consultation()
        for item in (self.item_expired, self.item_future):
            with self.assertRaises(UserError):
                case.with_user(self.agent).action_use_knowledge(item.id)
        with self.assertRaises(UserError):
            case.with_user(self.agent).action_use_knowledge(999999)
        with self.assertRaises(AccessError):
            case.with_user(self.agent).write({"knowledge_item_ids": [(4, self.item_expired.id)]})
        with self.assertRaises(AccessError):
            case.with_user(self.agent).write({"closed_on_call": True})
        dispatched = self._dispatched_case()
        with self.assertRaises(AccessError):
            dispatched.with_user(self.unit_user_a).action_use_knowledge(self.item_price.id)
        self.assertFalse(case.knowledge_item_ids)

    def test_similar_closed_cases(self):
        answered = self._consultation(description="咨询燃气过户要带什么材料",
                                      resolution_note="带房产证和身份证去营业厅。")
        answered.with_user(self.agent).action_close_on_call()
        open_case = self._consultation(description="燃气过户要带什么流程")
        Case = self.env["hotline.case"].with_user(self.agent)

        def found(query):
            return [r["id"] for r in Case.search_similar_cases(query, limit=20)]

        self.assertIn(answered.id, found("燃气过户要带"))
        self.assertNotIn(open_case.id, found("燃气过户要带"), "closed cases only")
        self.assertIn(answered.id, found("身份证去营业厅"), "the answer too")
        self.assertNotIn(answered.id, found("燃气过户要带 流程"), "every word typed is required")
        self.assertFalse(open_case.closed_on_call)
        # a case closed after the unit's handling and the callback: its result is searchable too
        handled = self._callback_case(description="小区停水两天")
        self.assertNotIn(handled.id, found("恢复供水"))
        handled.with_user(self.agent).action_callback_done(satisfaction="satisfied", note="市民满意")
        self.assertEqual(handled.state, "closed")
        self.assertIn(handled.id, found("恢复供水"))
        with self.assertRaises(AccessError):
            self.env["hotline.case"].with_user(self.unit_user_a).search_similar_cases("燃气过户")

    def test_flag_feedback_for_owner_unit(self):
        case = self._consultation()
        with self.assertRaises(UserError):
            self.item_price.with_user(self.agent).action_flag("bad")
        self.env["hotline.knowledge.flag"].with_user(self.agent).create({
            "item_id": self.item_price.id, "reason": "outdated", "note": "水价已调整", "case_id": case.id,
        }).action_confirm()
        feedback = self.item_price.feedback_ids
        self.assertEqual((feedback.reason, feedback.case_id, feedback.user_id, feedback.state),
                         ("outdated", case, self.agent, "open"))
        activity = self.item_price.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("hotline_knowledge.mail_activity_knowledge_feedback"))
        self.assertEqual(activity.user_id, self.unit_user_a)
        self.assertIn(case.name, str(activity.note))
        self.assertEqual(self.item_price.open_feedback_count, 1)
        with self.assertRaises(AccessError):
            feedback.with_user(self.unit_user_b).action_done()
        with self.assertRaises(AccessError):
            self.item_expired.with_user(self.agent).action_flag("wrong")  # an item the agent cannot read
        with self.assertRaises(AccessError):
            self.item_price.with_user(self.unit_user_b).action_flag("wrong")
        feedback.with_user(self.unit_user_a).action_done()
        self.assertEqual(feedback.state, "done")
        self.assertFalse(activity.active, "the feedback activity is done")

    def test_gaps_and_figures(self):
        # the demo's cases closed on the call are not this test's
        self.env.cr.execute("UPDATE hotline_case SET closed_on_call = false")
        self.env["hotline.case"].invalidate_model(["closed_on_call"])
        with_item = self._consultation()
        with_item.with_user(self.agent).action_use_knowledge(self.item_price.id)
        with_item.with_user(self.agent).action_close_on_call()
        gap = self._consultation(category_id=self.cat_road.id, resolution_note="已口头解答道路占用审批流程。")
        gap.with_user(self.agent).action_close_on_call()
        self._consultation(description="问物业费", unit_id=self.unit_b.id).with_user(self.agent).action_transfer()
        complaint = self._new_case(resolution_note="已解释。")
        complaint.with_user(self.agent).action_close_on_call()
        gap_domain = self.env.ref("hotline_knowledge.hotline_knowledge_gap_action").domain
        gaps = self.env["hotline.case"].with_user(self.editor).search(eval(gap_domain))  # noqa: S307
        self.assertEqual(gaps & (with_item | gap | complaint), gap, "consultations closed without an item only")
        figures = self.env["hotline.knowledge.kpi"].with_user(self.editor).compute("2000-01-01", "2100-01-01")
        consult = self.env["hotline.case"].search([("type_id.code", "=", "ZX"), ("state", "!=", "cancelled")])
        self.assertEqual(figures["consultations"], len(consult))
        # the test's own consultations: 3 of which 2 closed on the call, 1 of them with an item
        self.assertEqual((figures["closed_on_call"], figures["with_knowledge"]), (2, 1))
        self.assertEqual(figures["hit_rate"], 50.0)
        self.assertEqual(figures["direct_answer_rate"], round(200.0 / len(consult), 1))
        self.assertEqual(figures["uses_by_agent"], [(self.agent.name, 1)])
        with self.assertRaises(AccessError):
            self.env["hotline.knowledge.kpi"].with_user(self.agent).compute("2000-01-01", "2100-01-01")

    def test_figures_screen(self):
        case = self._consultation()
        case.with_user(self.agent).action_use_knowledge(self.item_price.id)
        case.with_user(self.agent).action_close_on_call()
        wizard = self.env["hotline.knowledge.figures"].with_user(self.editor).with_context(lang="zh_CN").create({})
        summary = str(wizard.summary)
        self.assertIn("直接答复率", summary)
        self.assertIn(self.agent.name, summary, "the uses of the day, by agent")
        wizard.date_from = wizard.date_to + timedelta(days=1)
        self.assertFalse(wizard.summary, "an empty period shows nothing")
        with self.assertRaises(AccessError):
            self.env["hotline.knowledge.figures"].with_user(self.agent).create({})
