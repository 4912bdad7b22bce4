import re

from odoo.addons.hotline_case.tests.common import HotlineCaseCommon
from odoo.addons.hotline_knowledge.tests.common import KnowledgeMixin
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestKnowledgePortal(KnowledgeMixin, HttpCase, HotlineCaseCommon):
    """A unit's portal knowledge manager proposes, edits, submits and reviews; nobody else reaches the pages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_knowledge()
        # a portal member of unit A who does not manage its knowledge, and a manager of unit B's
        cls.portal_member = new_test_user(cls.env, "hk_portal_member", groups="base.group_portal", name="水务门户乙")
        cls.unit_a.member_ids = [(4, cls.portal_member.id)]
        cls.portal_b = new_test_user(cls.env, "hk_portal_b", groups="base.group_portal", name="路政门户")
        cls.unit_b.write({"member_ids": [(4, cls.portal_b.id)], "knowledge_manager_ids": [(4, cls.portal_b.id)]})

    def _post(self, path, data, page="/my/hotline/knowledge"):
        html = self.url_open(page).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
            r'csrf_token["\']?\s*:\s*["\']([^"\']+)', html)
        token = match.group(1)
        return self.url_open(path, data=dict(data, csrf_token=token))

    def test_portal_proposal_to_publication(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open("/my/hotline/knowledge")
        self.assertEqual(page.status_code, 200)
        self.assertIn("居民阶梯水价标准", page.text)
        self.assertIn("旧版停水通知规定", page.text, "the unit's expired items too: they are its to renew")
        # a row error comes back with the reason and what was typed, nothing created
        response = self._post("/my/hotline/knowledge/new", {
            "name": "水费缴纳", "category_id": str(self.kcat_price.id), "keywords": "水费缴纳", "answer": "x"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("水费缴纳", response.text)
        self.assertFalse(self.env["hotline.knowledge.item"].search([("name", "=", "水费缴纳")]))
        response = self._post("/my/hotline/knowledge/new", {
            "name": "水费缴纳渠道", "category_id": str(self.kcat_price.id), "keywords": "交水费,缴费",
            "answer": "可在营业厅、银行代扣或微信公众号缴纳水费。", "content": "第一段\n第二段",
            "date_start": "2026-01-01", "date_end": "不是日期", "submit": "1"})
        self.assertEqual(response.status_code, 200)
        item = self.env["hotline.knowledge.item"].search([("name", "=", "水费缴纳渠道")])
        self.assertEqual((item.state, item.unit_id, item.create_uid), ("pending", self.unit_a, self.portal_a))
        self.assertFalse(item.date_end, "a malformed date is no date")
        self.assertIn("已提交", response.text.replace("Your proposal has been sent", "已提交"))
        # the unit cannot change it while the center reviews it
        response = self._post(f"/my/hotline/knowledge/{item.id}", {"action": "save", "answer": "改了"},
                              page=f"/my/hotline/knowledge/{item.id}")
        self.assertEqual(response.status_code, 422)
        self.assertNotEqual(item.answer, "改了")
        item.with_user(self.editor).action_approve()
        self.assertEqual(self._search_names("交水费"), ["水费缴纳渠道"])
        # a change of the published item: a draft copy, the published answer stays until approved
        response = self._post(f"/my/hotline/knowledge/{item.id}", {"action": "propose"},
                              page=f"/my/hotline/knowledge/{item.id}")
        change = item.change_ids
        self.assertEqual(len(change), 1)
        self.assertIn(f"/my/hotline/knowledge/{change.id}", response.url)
        self._post(f"/my/hotline/knowledge/{change.id}", {
            "action": "submit", "name": item.name, "category_id": str(self.kcat_price.id), "keywords": "交水费",
            "answer": "可在营业厅或手机银行缴纳水费。"}, page=f"/my/hotline/knowledge/{change.id}")
        self.assertEqual(change.state, "pending")
        self.assertIn("微信公众号", item.answer)
        change.with_user(self.editor).action_approve()
        self.assertIn("手机银行", item.answer)
        self.assertEqual(item.version, 2)
        # review confirmed on the portal
        self._post(f"/my/hotline/knowledge/{self.item_price.id}", {"action": "reviewed"},
                   page=f"/my/hotline/knowledge/{self.item_price.id}")
        self.assertTrue(self.item_price.last_review_date)

    def test_others_refused(self):
        draft = self.env["hotline.knowledge.item"].with_user(self.portal_a).create({
            "name": "水表迁移办理", "category_id": self.kcat_water.id, "unit_id": self.unit_a.id,
            "answer": "携带证件。"})
        for user in (self.portal_b, self.portal_member, self.agent):
            self.authenticate(user.login, user.login)
            response = self.url_open(f"/my/hotline/knowledge/{draft.id}")
            self.assertEqual(response.status_code, 403, user.login)
            self.assertNotIn("携带证件", response.text)
        self.authenticate(self.portal_b.login, self.portal_b.login)
        self.assertNotIn("水表迁移办理", self.url_open("/my/hotline/knowledge").text)
        response = self._post(f"/my/hotline/knowledge/{draft.id}", {"action": "save", "answer": "篡改"})
        self.assertEqual(response.status_code, 403)
        # a proposal for another unit's knowledge: the user's own unit is taken, never the one posted
        self._post("/my/hotline/knowledge/new", {"name": "冒充水务", "category_id": str(self.kcat_water.id),
                                                 "unit_id": str(self.unit_a.id), "answer": "x"})
        self.assertEqual(self.env["hotline.knowledge.item"].search([("name", "=", "冒充水务")]).unit_id, self.unit_b)
        for path in ("/my/hotline/knowledge", "/my/hotline/knowledge/new", "/my/hotline/knowledge/99999999999",
                     "/my/hotline/knowledge/0"):
            self.authenticate(self.portal_member.login, self.portal_member.login)
            self.assertIn(self.url_open(path).status_code, (403, 404), path)
        self.assertEqual(draft.answer, "携带证件。")
        # positive control: the unit's manager reads and saves it
        self.authenticate(self.portal_a.login, self.portal_a.login)
        self.assertEqual(self.url_open(f"/my/hotline/knowledge/{draft.id}").status_code, 200)
        self._post(f"/my/hotline/knowledge/{draft.id}", {
            "action": "save", "name": "水表迁移办理", "category_id": str(self.kcat_water.id), "answer": "携带身份证。"})
        self.assertEqual(draft.answer, "携带身份证。")
