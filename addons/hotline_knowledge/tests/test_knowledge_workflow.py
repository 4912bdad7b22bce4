from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from psycopg2.errors import UniqueViolation

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import KnowledgeCommon


@tagged("post_install", "-at_install")
class TestKnowledgeWorkflow(KnowledgeCommon):

    def _propose(self, user, name="阶梯水价分档说明", **vals):
        return self.env["hotline.knowledge.item"].with_user(user).create({
            "name": name, "category_id": self.kcat_price.id, "unit_id": self.unit_a.id,
            "keywords": "分档", "answer": "按年累计用水量分三档计价。", **vals})

    def test_unit_proposal_to_publication_to_expiry(self):
        """An internal and a portal knowledge manager propose; the editor approves; the item expires."""
        for user, name in ((self.unit_user_a, "阶梯水价分档说明"), (self.portal_a, "水费缴纳渠道")):
            item = self._propose(user, name=name)
            self.assertEqual(item.state, "draft")
            self.assertEqual(self._search_names(name), [], "a draft is not suggested")
            item.with_user(user).action_submit()
            self.assertEqual(item.state, "pending")
            with self.assertRaises(AccessError):
                item.with_user(user).action_approve()
            with self.assertRaises(AccessError):
                item.with_user(user).write({"answer": "改过的答复"})  # pending: no longer the unit's to edit
            item.with_user(self.editor).action_approve()
            self.assertEqual((item.state, item.version, item.published_by_id), ("published", 1, self.editor))
            self.assertEqual(self._search_names(name), [name])
            # expires: from the next day on, gone from the agents' search and reading, without a cron
            item.with_user(self.editor).write({"date_end": self.today})
            self.assertEqual(self._search_names(name), [name])
            with freeze_time(self.today + timedelta(days=1)):
                self.assertEqual(self._search_names(name), [])
                self.assertFalse(self.env["hotline.knowledge.item"].with_user(self.agent).search(
                    [("id", "=", item.id)]))
                with self.assertRaises(AccessError):
                    item.with_user(self.agent).check_access("read")

    def test_send_back_with_reason(self):
        item = self._propose(self.unit_user_a)
        item.with_user(self.unit_user_a).action_submit()
        with self.assertRaises(UserError):
            item.with_user(self.editor).action_send_back("  ")
        self.env["hotline.knowledge.send.back"].with_user(self.editor).create(
            {"item_id": item.id, "reason": "请补充污水处理费的说明"}).action_confirm()
        self.assertEqual((item.state, item.send_back_reason), ("draft", "请补充污水处理费的说明"))
        self.assertIn(self.unit_user_a, item.activity_ids.user_id)
        item.with_user(self.unit_user_a).write({"answer": "按年分三档，含污水处理费。"})
        item.with_user(self.unit_user_a).action_submit()
        self.assertFalse(item.send_back_reason)
        with self.assertRaises(UserError):
            item.with_user(self.editor).action_submit()  # already pending

    def test_no_state_by_hand_and_no_other_units_items(self):
        with self.assertRaises(AccessError):
            self._propose(self.unit_user_a, state="published")
        item = self._propose(self.unit_user_a)
        with self.assertRaises(AccessError):
            item.with_user(self.unit_user_a).write({"state": "published"})
        with self.assertRaises(AccessError):
            item.with_user(self.unit_user_a).write({"version": 9})
        with self.assertRaises(AccessError):
            item.with_user(self.unit_user_b).action_submit()
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_rule"):
            self._propose(self.unit_user_b, name="路政的水价")  # unit B manages no knowledge of unit A
        with self.assertRaises(AccessError):
            self.item_price.with_user(self.unit_user_a).write({"answer": "直接改已发布的答复"})
        with self.assertRaises(AccessError):
            self.item_price.with_user(self.agent).action_abolish()

    def test_title_and_keyword_rules(self):
        with self.assertRaises(ValidationError):
            self._propose(self.unit_user_a, name="水价", keywords="水价,阶梯")
        with self.assertRaises(ValidationError):
            self._propose(self.unit_user_a, keywords="这是一个超过二十个字符长度限制的关键字用来测试校验")
        with self.assertRaises(UniqueViolation), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self._propose(self.unit_user_a, name="居民阶梯水价标准")  # the title is taken
        with self.assertRaises(UserError):
            self._propose(self.unit_user_a, answer=False).with_user(self.unit_user_a).action_submit()

    def test_change_proposal_versions_and_diff(self):
        action = self.item_price.with_user(self.unit_user_a).action_propose_change()
        change = self.env["hotline.knowledge.item"].browse(action["res_id"])
        self.assertEqual((change.origin_id, change.state, change.name),
                         (self.item_price, "draft", self.item_price.name))
        change.with_user(self.unit_user_a).write({"answer": "年用水量180立方米以内每立方米3.30元，第二阶梯4.95元。"})
        self.assertIn("3.10", self.item_price.answer, "the published answer stays until the change is approved")
        change.with_user(self.unit_user_a).action_submit()
        change.with_user(self.editor).action_approve()
        self.assertIn("3.30", self.item_price.answer)
        self.assertEqual(self.item_price.version, 2)
        self.assertFalse(change.active)
        versions = self.item_price.version_ids.sorted("version")
        self.assertEqual(versions.mapped("version"), [1, 2])
        self.assertIn("3.10", versions[0].answer)
        diff = versions[1].diff
        self.assertIn("3.30", diff)
        self.assertRegex(str(diff), r"<added>[^<]*3\.30[^<]*</added>")
        self.assertRegex(str(diff), r"<removed>[^<]*3\.10[^<]*</removed>")
        self.assertNotIn("<removed>", str(versions[0].diff), "the first version only adds")
        # an editor's direct change of a published item is a version too
        self.item_price.with_user(self.editor).write({"keywords": "阶梯水价,水费,水价调整"})
        self.assertEqual(self.item_price.version, 3)

    def test_abolish_removes_at_once(self):
        self.item_fund.with_user(self.editor).action_abolish()
        self.assertEqual(self._search_names("公积金"), [])

    def test_review_reminder(self):
        """Category interval 6 months (inherited by 水价): due in 14 days → one activity for the unit."""
        Item = self.env["hotline.knowledge.item"]
        self.assertEqual(self.item_price.review_due_date,
                         self.item_price.date_published.date() + relativedelta(months=6))
        self.assertFalse(self.kcat_fund.review_months)
        self.assertFalse(self.item_fund.review_due_date, "no interval, no review")
        review = self.env.ref("hotline_knowledge.mail_activity_knowledge_review")
        Item._cron_review_reminders()
        self.assertFalse(self.item_price.activity_ids.filtered(lambda a: a.activity_type_id == review),
                         "not due yet")
        with freeze_time(self.item_price.review_due_date - timedelta(days=13)):
            Item._cron_review_reminders()
            Item._cron_review_reminders()
        activity = self.item_price.activity_ids.filtered(lambda a: a.activity_type_id == review)
        self.assertEqual(len(activity), 1, "reminded once")
        self.assertEqual(activity.user_id, self.unit_user_a, "the internal knowledge manager, not the portal one")
        self.item_price.with_user(self.unit_user_a).action_mark_reviewed()
        self.assertFalse(self.item_price.activity_ids.filtered(lambda a: a.activity_type_id == review))
        with self.assertRaises(AccessError):
            self.item_price.with_user(self.unit_user_b).action_mark_reviewed()

    def test_stale_and_months(self):
        self.assertEqual(self.item_price.category_id._review_interval(), 6)
        with freeze_time(self.today + timedelta(days=200)):
            figures = self.env["hotline.knowledge.kpi"].with_user(self.editor).compute(
                "2000-01-01", "2100-01-01")
        self.assertEqual(figures["stale_by_unit"], [(self.unit_a.name, 4)],
                         "the four published 供水 items of unit A, not the 公积金 one without interval")
