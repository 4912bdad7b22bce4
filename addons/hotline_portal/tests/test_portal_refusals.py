from unittest.mock import patch

from odoo.addons.hotline_case.models import hotline_case as case_module
from odoo.addons.hotline_case.tests.common import sample_file
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import HotlinePortalCase


@tagged("post_install", "-at_install")
class TestPortalRefusals(HotlinePortalCase):
    """A refused form comes back with the reason and with what the unit typed; nothing is written."""

    def setUp(self):
        super().setUp()
        self.case = self._new_case()
        self.case.with_user(self.portal_a).action_accept()
        self.page = f"/my/hotline/cases/{self.case.id}"
        self.authenticate("hp_portal_a", "hp_portal_a")

    def _attachments(self):
        return self.env["ir.attachment"].search([("res_model", "=", "hotline.case"), ("res_id", "=", self.case.id)])

    def _assert_refused_with_text(self, response, text):
        self.assertEqual(response.status_code, 422)
        self.assertInHtml("alert alert-danger o_hotline_flash", response.text)
        self.assertInHtml(text, response.text, "the typed text is in the form again")
        self.assertEqual(self.case.state, "processing")
        self.assertFalse(self._attachments(), "no file of a refused result is kept")

    def test_oversize_file(self):
        big = b"\xff" * (case_module.MAX_RESULT_FILE_BYTES + 1)
        response = self._portal_post(f"{self.page}/submit", {"note": "闸阀已更换，恢复供水",
                                                             "result": "resolved"}, page=self.page,
                                     files={"attachments": ("big_photo.jpg", big, "image/jpeg")})
        self._assert_refused_with_text(response, "闸阀已更换，恢复供水")
        self.assertInHtml("big_photo.jpg", response.text, "the message names the file")

    def test_result_needs_its_handling_result(self):
        response = self._portal_post(f"{self.page}/submit", {"note": "闸阀已更换"}, page=self.page)
        self._assert_refused_with_text(response, "闸阀已更换")
        # in the portal user's language (the demo databases may have English inactive)
        self.assertTrue("Choose the handling result" in response.text or "请选择办理结果" in response.text)
        response = self._portal_post(f"{self.page}/submit", {"note": "闸阀已更换", "result": "fixed"}, page=self.page)
        self._assert_refused_with_text(response, "闸阀已更换")
        self.assertEqual(self.case.handling_result, False)

    def test_too_many_files(self):
        files = [("attachments", (f"p{i}.jpg", b"jpeg", "image/jpeg")) for i in range(case_module.MAX_RESULT_FILES + 1)]
        response = self._portal_post(f"{self.page}/submit", {"note": "十一张照片",
                                                             "result": "resolved"}, page=self.page, files=files)
        self._assert_refused_with_text(response, "十一张照片")

    def test_total_too_large(self):
        files = [("attachments", (f"p{i}.jpg", b"j" * 600, "image/jpeg")) for i in range(2)]
        with patch.object(case_module, "MAX_RESULT_BYTES", 1000):
            response = self._portal_post(f"{self.page}/submit", {"note": "两张照片",
                                                                 "result": "resolved"}, page=self.page, files=files)
        self._assert_refused_with_text(response, "两张照片")

    def test_limits_handed_to_the_browser(self):
        html = self.url_open(self.page).text
        self.assertInHtml(f'data-max-files="{case_module.MAX_RESULT_FILES}"', html)
        self.assertInHtml(f'data-max-file-bytes="{case_module.MAX_RESULT_FILE_BYTES}"', html)
        self.assertInHtml(f'data-max-total-bytes="{case_module.MAX_RESULT_BYTES}"', html)
        self.assertInHtml('accept=".jpg,.jpeg,.png,', html)
        self.assertInHtml('max="60"', html)
        self.assertInHtml('data-msg-too-big="The file “%s” is larger than 10 MB."', html)

    def test_every_form_keeps_its_text(self):
        # extension: 0 days is refused; the days and the reason stay, the box is open
        response = self._portal_post(f"{self.page}/extension", {"days": "0", "reason": "等待管材到货"}, page=self.page)
        self._assert_refused_with_text(response, "等待管材到货")
        self.assertInHtml('class="o_hotline_extension_box" open="True"', response.text)
        self.assertInHtml('value="0"', response.text)
        # return and reply refused by the model (e.g. the case moved meanwhile): the text stays
        Case = type(self.env["hotline.case"])
        with patch.object(Case, "action_return", side_effect=UserError("moved")):
            response = self._portal_post(f"{self.page}/return", {"reason": "非本单位管网"}, page=self.page)
        self._assert_refused_with_text(response, "非本单位管网")
        self.assertInHtml('class="o_hotline_return_box" open="True"', response.text)
        with patch.object(Case, "message_post", side_effect=UserError("closed")):
            response = self._portal_post(f"{self.page}/message", {"message": "请提供门牌号"}, page=self.page)
        self._assert_refused_with_text(response, "请提供门牌号")

    def test_extension_beyond_the_workflow_limit(self):
        """The portal refuses what the workflow refuses, with its message (the form's max is a hint only)."""
        for days in ("3650", "61"):
            response = self._portal_post(f"{self.page}/extension", {"days": days, "reason": "等待管材到货"},
                                         page=self.page)
            self._assert_refused_with_text(response, "等待管材到货")
            self.assertInHtml("Enter a number of working days between 1 and 60.", response.text)
        self.assertEqual(self.case.extension_state, "none")
        self._portal_post(f"{self.page}/extension", {"days": "60", "reason": "等待管材到货"}, page=self.page)
        self.assertEqual((self.case.extension_state, self.case.extension_days), ("requested", 60))

    def test_files_a_result_may_not_have(self):
        for name, kind in (("setup.exe", "exe"), ("fix.sh", "sh"), ("report.html", "html"), ("photo.svg", "svg"),
                           ("photo.jpg", "html")):
            with self.subTest(name=name):
                response = self._portal_post(f"{self.page}/submit", {"note": "闸阀已更换",
                                                                     "result": "resolved"}, page=self.page,
                                             files={"attachments": (name, sample_file(kind), "image/jpeg")})
                self._assert_refused_with_text(response, "闸阀已更换")
                self.assertInHtml(f"The file “{name}” cannot go with a result", response.text)
        response = self._portal_post(f"{self.page}/submit", {"note": "闸阀已更换", "result": "resolved"},
                                     page=self.page,
                                     files={"attachments": ("after.jpg", sample_file("jpg"), "image/jpeg")})
        self.assertEqual(self.case.state, "submitted")

    def test_case_files_are_downloaded_never_shown_inline(self):
        """Even a file stored before the type check (or a caller's) is offered for saving, whatever the link
        asks; another record's file still opens inline (the harness reads the header)."""
        stored = self.env["ir.attachment"].create({
            "name": "setup.html", "raw": sample_file("html"), "mimetype": "text/html",
            "res_model": "hotline.case", "res_id": self.case.id})
        self.case.message_post(body="file", attachment_ids=stored.ids, message_type="comment",
                               subtype_xmlid="mail.mt_comment")
        token = self._attachment_links(self.url_open(self.page).text)[stored.id]
        for query in ("", "&download=false", "&download=true"):
            response = self.url_open(f"/web/content/{stored.id}?access_token={token}{query}")
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.headers["Content-Disposition"].startswith("attachment"), query)
        other = self.env["ir.attachment"].create({"name": "logo.png", "raw": sample_file("png"), "public": True,
                                                  "res_model": "res.partner", "res_id": self.portal_a.partner_id.id})
        response = self.url_open(f"/web/content/{other.id}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Disposition"].startswith("inline"))
