import re

from odoo import Command, fields
from odoo.addons.hotline_case.tests.common import HotlineAttackCommon, sample_file
from odoo.tests import tagged
from odoo.tools import mute_logger

URL = "/my/hotline/assessments"


@tagged("post_install", "-at_install")
class TestPortalAssessment(HotlineAttackCommon):
    """This month's assessment published with one case dispatched to each unit; portal_a is a member of unit A."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.case_a = cls._new_case(unit_id=cls.unit_a.id)
        cls.case_a.with_user(cls.agent).action_self_dispatch()
        cls.case_b = cls._new_case(unit_id=cls.unit_b.id, address="东风路88号")
        cls.case_b.with_user(cls.agent).action_self_dispatch()
        today = fields.Date.context_today(env["hotline.case"].with_context(tz="Asia/Shanghai"))
        assessment = env["hotline.assessment"].with_user(cls.reviewer).create({
            "scheme_id": env.ref("hotline_reports.assessment_scheme_default").id,
            "date_from": today.replace(day=1), "date_to": today,
            "unit_ids": [Command.set([cls.unit_a.id, cls.unit_b.id])]})
        assessment.action_publish()
        results = assessment.publication_ids.result_ids
        cls.result_a = results.filtered(lambda r: r.unit_id == cls.unit_a)
        cls.result_b = results.filtered(lambda r: r.unit_id == cls.unit_b)
        cls.item_a = cls.result_a._items("dispatches")
        cls.item_b = cls.result_b._items("dispatches")

    def _post(self, url, data, files=None):
        page = self.url_open(f"{URL}/{self.result_a.id}?figure=dispatches").text
        csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
        return self.url_open(url, data={"code": "dispatches", **data, "csrf_token": csrf}, files=files,
                             allow_redirects=False)

    @mute_logger("odoo.http")
    def test_unit_reads_its_own_results_and_cases(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        listing = self.url_open(URL)
        self.assertEqual(listing.status_code, 200)
        self.assertIn(f"{URL}/{self.result_a.id}", listing.text)
        self.assertNotIn(f"{URL}/{self.result_b.id}", listing.text)
        page = self.url_open(f"{URL}/{self.result_a.id}?figure=dispatches")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.case_a.name, page.text)
        self.assertNotIn(self.case_b.name, page.text)
        # another unit's result, bad ids and bad figures: refused or ignored, never a 500
        for url in (f"{URL}/{self.result_b.id}", f"{URL}/{self.result_b.id}?figure=dispatches", f"{URL}/0",
                    f"{URL}/99999999999", f"{URL}/{self.result_a.id}?figure=%00<script>"):
            response = self.url_open(url)
            self.assertLess(response.status_code, 500, url)
            self.assertNotIn(self.case_b.name, response.text, url)
        self.assertEqual(self.url_open(f"{URL}/{self.result_b.id}").status_code, 403)
        # positive control: unit B's member reads B's page
        self.authenticate(self.unit_user_b.login, self.unit_user_b.login)
        page = self.url_open(f"{URL}/{self.result_b.id}?figure=dispatches")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.case_b.name, page.text)

    def test_version_named_in_the_readers_language(self):
        """The version's name is written for the reader, not stored in the publisher's language."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_reports"], ["zh_CN"], overwrite=True)
        self.portal_a.lang = "zh_CN"
        self.authenticate(self.portal_a.login, self.portal_a.login)
        publication = self.result_a.publication_id
        start, end = publication.date_from, publication.date_to
        for url in (URL, f"{URL}/{self.result_a.id}"):
            page = self.url_open(url).text
            self.assertIn(f"综合考核 {start} – {end}（第 1 版）", page, url)
            self.assertNotIn("(version 1)", page, url)

    @mute_logger("odoo.http")
    def test_portal_appeal(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        appeal_url = f"{URL}/{self.result_a.id}/appeal/{self.item_a.id}"
        Appeal = self.env["hotline.assessment.appeal"]
        # no reason: refused with the reason, nothing filed
        response = self._post(appeal_url, {"reason": "  "})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Appeal.search([("item_id", "=", self.item_a.id)]))
        # a figure the case is not counted in
        self.assertEqual(self._post(appeal_url, {"code": "returned", "reason": "派单错误。"}).status_code, 422)
        # a program is not a file of an appeal
        response = self._post(appeal_url, {"reason": "派单错误。"},
                              files={"attachments": ("setup.exe", sample_file("exe"), "application/octet-stream")})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Appeal.search([("item_id", "=", self.item_a.id)]))
        # another unit's case, through A's result or B's: refused
        for url in (f"{URL}/{self.result_a.id}/appeal/{self.item_b.id}",
                    f"{URL}/{self.result_b.id}/appeal/{self.item_b.id}"):
            self.assertEqual(self._post(url, {"reason": "越权申请。"}).status_code, 403, url)
        self.assertFalse(Appeal.search([("item_id", "=", self.item_b.id)]))
        # filed with a photo
        response = self._post(appeal_url, {"reason": "该工单不属于本单位辖区。"},
                              files={"attachments": ("现场.png", sample_file("png"), "image/png")})
        self.assertEqual(response.status_code, 303)
        appeal = Appeal.search([("item_id", "=", self.item_a.id)])
        self.assertEqual((appeal.state, appeal.reason, appeal.filed_by_id), ("submitted", "该工单不属于本单位辖区。",
                                                                            self.portal_a))
        page = self.url_open(f"{URL}/{self.result_a.id}").text
        link = re.search(rf"/web/content/{appeal.attachment_ids.id}\?access_token=[\w-]+&amp;download=true", page)
        self.assertTrue(link, "the appeal's file is listed with its link")
        self.assertEqual(self.url_open(link.group(0).replace("&amp;", "&")).content, sample_file("png"))
        self.assertIn(self.reviewer.partner_id, appeal.message_ids.partner_ids)  # the center is told
        # another unit's member, without the link: no file
        self.authenticate(self.unit_user_b.login, self.unit_user_b.login)
        for url in (f"/web/content/{appeal.attachment_ids.id}", f"{URL}/{self.result_a.id}"):
            self.assertNotEqual(self.url_open(url).content, sample_file("png"))
        self.assertNotIn("access_token", self.url_open(f"{URL}/{self.result_a.id}").text)
