from odoo.addons.hotline_case.tests.common import RpcDenied
from odoo.tests import tagged

from .common import QualityAttackCase

REVIEW = "hotline.quality.review"
LINE = "hotline.quality.review.line"


@tagged("post_install", "-at_install")
class TestQualityAccess(QualityAttackCase):
    """Each role as an attacker over the web client's RPC, /json/2 and XML-RPC, with positive controls.

    Reviews: `own` (agent's call, submitted), `other` (agent2's, submitted), `draft` (agent's, not submitted)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own = cls._review(cls._call(cls.agent, "2026-03-10 09:00:00"), open=10, kb=15, entry=30)
        cls.own.with_user(cls.inspector).action_submit()
        cls.other = cls._review(cls._call(cls.agent2, "2026-03-10 10:00:00"), open=10, kb=30, entry=60)
        cls.other.with_user(cls.inspector).action_submit()
        cls.draft = cls._review(cls._call(cls.agent, "2026-03-10 11:00:00"), open=5)
        cls.all_ids = (cls.own | cls.other | cls.draft).ids

    def _ids(self, user, model, domain=None, channel="json2"):
        rows = self._rpc(channel, user, model, "search_read", domain=domain or [], fields=["id"])
        return {row["id"] for row in rows}

    def test_units_portal_and_plain_users_see_nothing(self):
        for user in (self.unit_user_a, self.portal_a, self.plain_user):
            for model in (REVIEW, LINE, "hotline.quality.scorecard", "hotline.quality.plan",
                          "hotline.quality.calibration", "hotline.quality.agent.report"):
                self.assertRpcDenied(user, model, "search_read", domain=[], fields=["id"])
            self.assertRpcDenied(user, REVIEW, "read", self.own.ids, fields=["final_score"])
            self.assertRpcDenied(user, REVIEW, "action_appeal", self.own.ids, reason="x")
            self.assertRpcDenied(user, "hotline.kpi.call", "agent_figures", date_from="2026-03-01",
                                 date_to="2026-03-31")

    def test_agent_sees_only_own_submitted_reviews(self):
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                self.assertEqual(self._ids(self.agent, REVIEW, channel=channel), {self.own.id})
                self.assertEqual(self._ids(self.agent, LINE, channel=channel), set(self.own.line_ids.ids))
                self.assertEqual(self._ids(self.agent2, REVIEW, channel=channel), {self.other.id})
        # the dispatcher is an agent too: none of these calls is theirs
        self.assertEqual(self._ids(self.dispatcher, REVIEW), set())
        self.assertRpcDenied(self.agent, REVIEW, "read", self.other.ids, fields=["score"])
        self.assertRpcDenied(self.agent, REVIEW, "read", self.draft.ids, fields=["score"])
        self.assertRpcDenied(self.agent, LINE, "read", self.other.line_ids.ids, fields=["value"])
        # the QA score report: their own rows only
        rows = self._rpc("json2", self.agent, "hotline.quality.agent.report", "search_read", domain=[],
                         fields=["user_id"])
        self.assertEqual({row["user_id"][0] for row in rows}, {self.agent.id})

    def test_agent_cannot_change_or_create(self):
        self.assertRpcDenied(self.agent, REVIEW, "write", self.own.ids, vals={"comment": "改"})
        self.assertRpcDenied(self.agent, LINE, "write", self.own.line_ids[:1].ids, vals={"value": 10})
        self.assertRpcDenied(self.agent, REVIEW, "create", vals_list=[{
            "call_id": self.own.call_id.id, "scorecard_id": self.card.id, "inspector_id": self.agent.id}])
        self.assertRpcDenied(self.agent, REVIEW, "unlink", self.own.ids)
        self.assertRpcDenied(self.agent, REVIEW, "action_appeal", self.other.ids, reason="替人申诉")
        self.assertRpcDenied(self.agent, REVIEW, "action_submit", self.draft.ids)
        self.assertRpcDenied(self.agent, "hotline.kpi.call", "agent_figures", date_from="2026-03-01",
                             date_to="2026-03-31")

    def test_agent_appeals_and_team_leader_rules_over_json2(self):
        self.assertRpcDenied(self.agent, REVIEW, "action_rule", self.own.ids, decision="revised", score=100)
        self._rpc("json2", self.agent, REVIEW, "action_appeal", self.own.ids, reason="已报工号。")
        self.assertEqual(self.own.state, "appealed")
        # once only, on every channel
        self.assertRpcDenied(self.agent, REVIEW, "action_appeal", self.own.ids, reason="再申诉")
        for user in (self.agent, self.agent2, self.dispatcher, self.inspector, self.inspector2):
            self.assertRpcDenied(user, REVIEW, "action_rule", self.own.ids, decision="revised", score=100)
        # no write path around the ruling: the state and scores are locked for the team leader and manager too
        for user in (self.reviewer, self.manager):
            self.assertRpcDenied(user, REVIEW, "write", self.own.ids, vals={"ruled_score": 100, "state": "ruled"})
        self._rpc("json2", self.reviewer, REVIEW, "action_rule", self.own.ids, decision="revised", score=80,
                  note="改判")
        self.assertEqual((self.own.state, self.own.final_score, self.own.score), ("ruled", 80.0, 55.0))

    def test_inspectors(self):
        # read every review, write only their own drafts
        self.assertEqual(self._ids(self.inspector2, REVIEW, [("id", "in", self.all_ids)]), set(self.all_ids))
        line = self.draft.line_ids.filtered(lambda ln: ln.item_id == self.i_entry)
        self.assertRpcDenied(self.inspector2, LINE, "write", line.ids, vals={"value": 60})
        self.assertRpcDenied(self.inspector2, REVIEW, "write", self.draft.ids, vals={"comment": "代评"})
        self.assertRpcDenied(self.inspector2, REVIEW, "action_submit", self.draft.ids)
        self.assertRpcDenied(self.inspector, REVIEW, "write", self.draft.ids,
                             vals={"inspector_id": self.inspector2.id})
        # a submitted review is locked for its inspector as for anyone
        self.assertRpcDenied(self.inspector, REVIEW, "write", self.own.ids, vals={"comment": "补充"})
        self.assertRpcDenied(self.inspector, LINE, "write", self.own.line_ids[:1].ids, vals={"value": 0})
        self.assertRpcDenied(self.inspector, REVIEW, "unlink", self.own.ids)
        # no forged state or score on their own draft, nor a review created already submitted or ruled
        for vals in ({"state": "ruled", "ruled_score": 100}, {"state": "submitted"}, {"score": 100},
                     {"final_score": 100}, {"submit_date": "2026-03-10 12:00:00"}):
            self.assertRpcDenied(self.inspector, REVIEW, "write", self.draft.ids, vals=vals)
        for extra in ({"state": "ruled"}, {"ruled_score": 100}, {"score": 100}):
            self.assertRpcDenied(self.inspector, REVIEW, "create", vals_list=[{
                "call_id": self.own.call_id.id, "scorecard_id": self.card.id, "inspector_id": self.inspector.id,
                **extra}])
        self.assertEqual((self.draft.state, self.draft.score), ("draft", 5.0))
        # cannot edit plans or scorecards
        self.assertRpcDenied(self.inspector, "hotline.quality.scorecard", "write", self.card.ids,
                             vals={"name": "改名"})
        # positive control: the draft's inspector scores and submits it over json2
        self._rpc("json2", self.inspector, LINE, "write", line.ids, vals={"value": 60})
        self._rpc("json2", self.inspector, REVIEW, "action_submit", self.draft.ids)
        self.assertEqual((self.draft.state, self.draft.score), ("submitted", 65.0))  # (5 + 0 + 60) / 100

    def test_team_leader_and_manager_read_all(self):
        for user in (self.reviewer, self.manager):
            self.assertEqual(self._ids(user, REVIEW, [("id", "in", self.all_ids)]), set(self.all_ids))
        figures = self._rpc("json2", self.reviewer, "hotline.kpi.call", "agent_figures", date_from="2026-03-01",
                            date_to="2026-03-31")
        self.assertEqual(figures[str(self.agent.id)]["qa_score"], 55.0)
        self.assertRpcDenied(self.reviewer, REVIEW, "write", self.draft.ids, vals={"comment": "x"})
        with self.assertRaises(RpcDenied):
            self._rpc("json2", self.reviewer, "hotline.quality.plan", "create", vals_list=[{
                "name": "x", "scorecard_id": self.card.id}])
