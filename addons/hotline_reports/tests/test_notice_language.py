import importlib.util
import json
from pathlib import Path

from odoo import Command
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import HotlineReportsCommon

MIGRATION = Path(__file__).resolve().parents[1] / "migrations" / "19.0.1.2.0" / "post-migrate.py"

EN_NAME, ZH_NAME = "Monthly Unit Assessment", "单位月度综合考核"


@tagged("post_install", "-at_install")
class TestNoticeLanguage(HotlineReportsCommon):
    """Notices of publication and appeals are written in each recipient's language, whoever sends them; the
    published scheme's name is frozen in every language. April 2020: unit A has c6 and c7 overdue (never
    signed for) and c11 handled in time, the caller
    satisfied; unit B handled c12 in time. Unit A's members: unit_user_a reads Chinese, portal_a English."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("en_US", "zh_CN"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(["hotline_reports"], ["zh_CN"], overwrite=True)
        cls.unit_user_a.lang = "zh_CN"
        cls.portal_a.lang = "en_US"
        cls.scheme = cls.env.ref("hotline_reports.assessment_scheme_default")
        cls.scheme.with_context(lang="en_US").name = EN_NAME
        cls.scheme.with_context(lang="zh_CN").name = ZH_NAME

    def setUp(self):
        super().setUp()
        self.c6 = self._case_at("2020-03-31 23:20")
        self._dispatch_at(self.c6, self.unit_a, "2020-03-31 23:30")
        self.c7 = self._case_at("2020-04-01 00:20")
        self._dispatch_at(self.c7, self.unit_a, "2020-04-01 00:30")
        self.c11 = self._case_at("2020-04-02 09:50")
        self._dispatch_at(self.c11, self.unit_a, "2020-04-02 10:00")
        self._do(self.c11, "2020-04-02 11:00", self.unit_user_a, "action_accept")
        self._do(self.c11, "2020-04-02 15:00", self.unit_user_a, "action_submit", note="已处理完毕。")
        self._do(self.c11, "2020-04-02 16:00", self.reviewer, "action_review_approve")
        self._do(self.c11, "2020-04-03 10:00", self.agent, "action_callback_done", "satisfied", "市民表示满意。")
        self.c12 = self._case_at("2020-04-03 08:50")
        self._dispatch_at(self.c12, self.unit_b, "2020-04-03 09:00")
        self._do(self.c12, "2020-04-03 11:00", self.unit_user_b, "action_accept")
        self._do(self.c12, "2020-04-03 15:00", self.unit_user_b, "action_submit", note="已处理完毕。")
        self._do(self.c12, "2020-04-03 16:00", self.reviewer, "action_review_approve")

    def _publish(self, user):
        """`user` creates and publishes April, in the language the web client gives them (their own)."""
        assessment = self.env["hotline.assessment"].with_user(user).with_context(lang=user.lang).create({
            "scheme_id": self.scheme.id, "date_from": self.April[0], "date_to": self.April[1],
            "unit_ids": [Command.set([self.unit_a.id, self.unit_b.id])]})
        with self.at("2020-04-15 10:00"):  # a Wednesday: the window (5 working days) ends 04-22 17:00
            assessment.action_publish()
        return assessment.publication_ids

    def _notices(self, record, partner):
        """The plain text of the messages posted on `record` to `partner`."""
        messages = self.env["mail.message"].search([("model", "=", record._name), ("res_id", "=", record.id),
                                                    ("partner_ids", "in", partner.ids)], order="id")
        return [html2plaintext(message.body) for message in messages]

    def _result_a(self, publication):
        return publication.result_ids.filtered(lambda r: r.unit_id == self.unit_a)

    def test_publication_notice_in_each_members_language(self):
        self.manager.lang = "en_US"
        publication = self._publish(self.manager)
        result = self._result_a(publication)
        self.assertEqual((result.rank, result.participating), (2, True))
        score = f"{result.score:.2f}"
        self.assertGreater(result.score, 0)
        self.assertEqual(self._notices(result, self.unit_user_a.partner_id), [
            f"考核 综合考核 2020-04-01 – 2020-04-30（第 1 版） 已发布：本单位得分 {score}，排名 2。"
            f"如对指标涉及的工单有异议，可在 2020-04-22 17:00 前申请复核。"])
        self.assertEqual(self._notices(result, self.portal_a.partner_id), [
            f"The assessment Assessment 2020-04-01 – 2020-04-30 (version 1) is published: your score {score}, "
            f"rank 2. You may appeal a case behind a figure until 2020-04-22 17:00."])
        # the version's name is written for each reader too
        self.assertEqual(publication.with_user(self.unit_user_a).with_context(lang="zh_CN").display_name,
                         "综合考核 2020-04-01 – 2020-04-30（第 1 版）")
        self.assertEqual(publication.with_user(self.portal_a).with_context(lang="en_US").display_name,
                         "Assessment 2020-04-01 – 2020-04-30 (version 1)")
        # one message per language, each to its readers only
        self.assertEqual(self.env["mail.message"].search_count([("model", "=", result._name),
                                                                ("res_id", "=", result.id),
                                                                ("partner_ids", "!=", False)]), 2)

    def test_appeal_notices_in_each_recipients_language(self):
        """A Chinese unit user files (an English reviewer reads the filing in English), an English manager
        accepts (the Chinese member reads the acceptance in Chinese, with the figures and scores); a Chinese
        manager rejects another (the English member reads it in English)."""
        self.manager.lang = "en_US"
        self.reviewer.lang = "en_US"
        v1 = self._publish(self.manager)
        items = self._result_a(v1).item_ids.filtered(lambda i: "overdue_count" in i._codes())
        item6 = items.filtered(lambda i: i.case_id == self.c6)
        with self.at("2020-04-16 10:00"):
            appeal = item6.with_user(self.unit_user_a).with_context(lang="zh_CN").file_appeal(
                "overdue_count", "系统故障导致无法签收。")
        self.assertEqual(self._notices(appeal, self.reviewer.partner_id), [
            f"自来水公司 appeals case {self.c6.name} in Assessment 2020-04-01 – 2020-04-30 (version 1): "
            f"系统故障导致无法签收。"])

        self.assertEqual(appeal.with_user(self.manager).with_context(lang="en_US").display_name,
                         f"Appeal {self.c6.name} · Overdue Cases")
        old_score = self._result_a(v1).score
        with self.at("2020-04-17 10:00"):
            appeal.with_user(self.manager).with_context(lang="en_US").action_accept("Confirmed outage.")
        v2 = self.assessment_versions(v1)[-1]
        new_score = self._result_a(v2).score
        self.assertGreater(new_score, old_score)
        self.assertEqual(self._notices(appeal, self.unit_user_a.partner_id), [
            f"管理员甲 采纳复核申请 复核 {self.c6.name} · 超期件数：Confirmed outage.。工单 {self.c6.name} 已从 "
            f"自来水公司 的 应办结、按时办结率、超期件数 中剔除；得分 {old_score:.2f} → {new_score:.2f}，排名 2 → 2。"])
        self.assertEqual(self._notices(appeal, self.portal_a.partner_id), [
            f"Appeal Appeal {self.c6.name} · Overdue Cases accepted by 管理员甲: Confirmed outage.. Case "
            f"{self.c6.name} taken out of Due、On-time Rate、Overdue Cases of 自来水公司; "
            f"score {old_score:.2f} → {new_score:.2f}, rank 2 → 2."])
        # the new version's notice too, in each member's language
        self.assertIn("（第 2 版）", self._notices(self._result_a(v2), self.unit_user_a.partner_id)[0])
        self.assertIn("(version 2)", self._notices(self._result_a(v2), self.portal_a.partner_id)[0])
        # the version's record of the change stays in the decider's language
        self.assertTrue(v2.change_note.startswith("Appeal Appeal"), v2.change_note)

        self.manager.lang = "zh_CN"
        item7 = self._result_a(v2).item_ids.filtered(lambda i: i.case_id == self.c7 and "overdue_count" in i._codes())
        with self.at("2020-04-17 11:00"):
            other = item7.with_user(self.portal_a).with_context(lang="en_US").file_appeal("overdue_count", "Called.")
            other.with_user(self.manager).with_context(lang="zh_CN").action_reject("未提供签收记录。")
        self.assertEqual(self._notices(other, self.portal_a.partner_id),
                         [f"Your appeal Appeal {self.c7.name} · Overdue Cases is rejected: 未提供签收记录。"])
        self.assertEqual(self._notices(other, self.unit_user_a.partner_id),
                         [f"您的复核申请 复核 {self.c7.name} · 超期件数 已被驳回：未提供签收记录。"])

    def assessment_versions(self, publication):
        return publication.assessment_id.publication_ids.sorted("version")

    def _scheme_names(self, publication):
        publication.invalidate_recordset(["scheme_name"])
        return (publication.with_user(self.portal_a).with_context(lang="en_US").scheme_name,
                publication.with_user(self.unit_user_a).with_context(lang="zh_CN").scheme_name)

    def test_scheme_name_frozen_in_every_language(self):
        """Published by a Chinese manager, the scheme's name reads in English for an English reader; renaming
        the scheme afterwards changes no published version; an appeal's version keeps it."""
        self.manager.lang = "zh_CN"
        v1 = self._publish(self.manager)
        self.assertEqual(self._scheme_names(v1), (EN_NAME, ZH_NAME))
        self.scheme.with_context(lang="en_US").name = "Quarterly Scheme"
        self.scheme.with_context(lang="zh_CN").name = "季度方案"
        self.assertEqual(self._scheme_names(v1), (EN_NAME, ZH_NAME))
        item = self._result_a(v1).item_ids.filtered(lambda i: i.case_id == self.c6 and "overdue_count" in i._codes())
        with self.at("2020-04-16 10:00"):
            appeal = item.with_user(self.unit_user_a).file_appeal("overdue_count", "系统故障。")
            appeal.with_user(self.manager).action_accept("属实。")
        self.assertEqual(self._scheme_names(appeal.new_publication_id), (EN_NAME, ZH_NAME))
        # the next publication takes the scheme's name as it is then
        self.assertEqual(self._scheme_names(self._publish(self.manager)), ("Quarterly Scheme", "季度方案"))

    def test_migration_gives_old_versions_their_translations(self):
        """Before 19.0.1.2.0 the name was text in the publisher's language (the update makes it {"en_US": text}):
        a text that is one of a scheme's names takes that scheme's translations; any other text stays."""
        v1 = self._publish(self.manager)
        v2 = self._publish(self.manager)
        self.env.cr.execute("UPDATE hotline_assessment_publication SET scheme_name = %s WHERE id = %s",
                            [json.dumps({"en_US": ZH_NAME}), v1.id])
        self.env.cr.execute("UPDATE hotline_assessment_publication SET scheme_name = %s WHERE id = %s",
                            [json.dumps({"en_US": "旧方案"}), v2.id])
        self.assertEqual(self._scheme_names(v1), (ZH_NAME, ZH_NAME))
        spec = importlib.util.spec_from_file_location("hotline_reports_post_migrate_19_0_1_2_0", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "19.0.1.1.0")
        self.assertEqual(self._scheme_names(v1), (EN_NAME, ZH_NAME))
        self.assertEqual(self._scheme_names(v2), ("旧方案", "旧方案"))
