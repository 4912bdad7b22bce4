from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import QualityCase


@tagged("post_install", "-at_install")
class TestReviewLifecycle(QualityCase):
    """draft → submitted (locked for everybody) → appealed once by the agent → ruled by a team leader."""

    def setUp(self):
        super().setUp()
        self.call = self._call(self.agent, "2026-03-10 09:00:00")
        self.review = self._review(self.call, open=10, kb=15, entry=30)  # 55, 不合格
        self.review.with_user(self.inspector).action_submit()

    def test_submitted_review_is_locked_for_everyone(self):
        self.assertEqual(self.review.state, "submitted")
        self.assertEqual(self.review.score, 55.0)
        line = self.review.line_ids.filtered(lambda ln: ln.item_id == self.i_entry)
        for env_user in (self.inspector, self.manager):
            with self.assertRaisesRegex(UserError, "locked"):
                self.review.with_user(env_user).comment = "改一下"
            with self.assertRaisesRegex(UserError, "locked"):
                line.with_user(env_user).value = 60
        # not even the superuser: the lock is the model's, not an access right
        with self.assertRaisesRegex(UserError, "locked"):
            self.review.sudo().write({"state": "draft"})
        with self.assertRaisesRegex(UserError, "locked"):
            line.sudo().value = 60
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.review.sudo().unlink()
        self.assertEqual(self.review.score, 55.0)

    def test_appeal_once_by_the_agent_with_a_reason(self):
        with self.assertRaises(AccessError):
            self.review.with_user(self.agent2).action_appeal("不是我的通话")
        with self.assertRaisesRegex(UserError, "reason"):
            self.review.with_user(self.agent).action_appeal("  ")
        self.review.with_user(self.agent).action_appeal("录音中已报工号，评分有误。")
        self.assertEqual(self.review.state, "appealed")
        self.assertEqual(self.review.appeal_reason, "录音中已报工号，评分有误。")
        # upheld, then a second appeal is refused
        self.review.with_user(self.reviewer).action_rule("upheld", note="录音未报工号，维持。")
        self.assertEqual((self.review.state, self.review.final_score), ("ruled", 55.0))
        with self.assertRaisesRegex(UserError, "once"):
            self.review.with_user(self.agent).action_appeal("再次申诉")

    def test_ruling_by_team_leader_only_keeps_old_score(self):
        self.review.with_user(self.agent).action_appeal("知识库口径已更新。")
        for user in (self.agent, self.inspector, self.dispatcher):
            with self.assertRaises(AccessError):
                self.review.with_user(user).action_rule("revised", 90)
        with self.assertRaisesRegex(UserError, "between 0 and 100"):
            self.review.with_user(self.reviewer).action_rule("revised", 120)
        self.review.with_user(self.reviewer).action_rule("revised", 85, "知识库口径已更新，改判。")
        self.assertEqual(self.review.state, "ruled")
        self.assertEqual(self.review.score, 55.0, "the submitted score is kept")
        self.assertEqual(self.review.ruled_score, 85.0)
        self.assertEqual(self.review.final_score, 85.0)
        self.assertEqual(self.review.band_id.name, "良好")
        self.assertEqual(self.review.ruled_by_id, self.reviewer)
        with self.assertRaisesRegex(UserError, "appealed"):
            self.review.with_user(self.reviewer).action_rule("upheld")

    def test_submit_checks(self):
        draft = self._review(self._call(self.agent, "2026-03-10 11:00:00"), kb="na")
        with self.assertRaises(AccessError):
            draft.with_user(self.inspector2).action_submit()
        with self.assertRaisesRegex(UserError, "already submitted"):
            self.review.with_user(self.inspector).action_submit()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            draft.with_user(self.inspector).write({"call_id": self.call.id})
        with self.assertRaises(AccessError):
            draft.with_user(self.inspector).inspector_id = self.inspector2
        # a draft is the inspector's: the agent neither sees nor appeals it
        with self.assertRaises(AccessError):
            draft.with_user(self.agent).action_appeal("x")

    def test_appeal_dialog(self):
        action = self.review.with_user(self.agent).action_open_appeal()
        wizard = self.env[action["res_model"]].with_user(self.agent).browse(action["res_id"])
        wizard.reason = "通话中已邀评。"
        wizard.action_confirm()
        self.assertEqual(self.review.state, "appealed")
        action = self.review.with_user(self.reviewer).action_open_ruling()
        wizard = self.env[action["res_model"]].with_user(self.reviewer).browse(action["res_id"])
        wizard.write({"decision": "revised", "new_score": 70, "reason": "部分采纳。"})
        wizard.action_confirm()
        self.assertEqual((self.review.state, self.review.final_score, self.review.ruling_note),
                         ("ruled", 70.0, "部分采纳。"))

    def test_player_only_with_a_recording(self):
        self.assertFalse(self.review.has_recording)
        self.assertIn("无录音", self.review.player_html)
        self.assertNotIn("<audio", self.review.player_html)

    def test_player_when_the_call_has_a_recording(self):
        if "recording_ids" in self.call._fields:
            # the recording addon is installed: a stored recording of the call, played by its own player
            pbx = self.env["hotline.pbx"].sudo().search([], limit=1) or self.env["hotline.pbx"].sudo().create(
                {"name": "质检测试交换机"})
            self.env["hotline.recording"].sudo().create({
                "call_id": self.call.id, "pbx_id": pbx.id, "call_uniqueid": self.call.uniqueid,
                "source_name": "qa-test.wav", "citizen_channel": "left", "state": "stored", "duration": 120,
                "checksum": "0" * 64})
            self.call.invalidate_recordset()
        else:
            # without it, the review only asks whether there is one
            patcher = patch.object(type(self.env["hotline.quality.review"]), "_recording_of", lambda self, call: True)
            patcher.start()
            self.addCleanup(patcher.stop)
        self.review.invalidate_recordset(["player_html", "has_recording"])
        self.assertTrue(self.review.has_recording)
        self.assertIn(f'src="/hotline/recording/{self.call.id}', self.review.player_html)
        self.assertIn("<audio", self.review.player_html)
