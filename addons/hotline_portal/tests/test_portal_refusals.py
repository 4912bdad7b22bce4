from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..controllers import portal
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
        big = b"\xff" * (portal.MAX_ATTACHMENT_BYTES + 1)
        response = self._portal_post(f"{self.page}/submit", {"note": "闸阀已更换，恢复供水"}, page=self.page,
                                     files={"attachments": ("big_photo.jpg", big, "image/jpeg")})
        self._assert_refused_with_text(response, "闸阀已更换，恢复供水")
        self.assertInHtml("big_photo.jpg", response.text, "the message names the file")

    def test_too_many_files(self):
        files = [("attachments", (f"p{i}.jpg", b"jpeg", "image/jpeg")) for i in range(portal.MAX_ATTACHMENTS + 1)]
        response = self._portal_post(f"{self.page}/submit", {"note": "十一张照片"}, page=self.page, files=files)
        self._assert_refused_with_text(response, "十一张照片")

    def test_total_too_large(self):
        files = [("attachments", (f"p{i}.jpg", b"j" * 600, "image/jpeg")) for i in range(2)]
        with patch.object(portal, "MAX_UPLOAD_BYTES", 1000):
            response = self._portal_post(f"{self.page}/submit", {"note": "两张照片"}, page=self.page, files=files)
        self._assert_refused_with_text(response, "两张照片")

    def test_limits_handed_to_the_browser(self):
        html = self.url_open(self.page).text
        self.assertInHtml(f'data-max-files="{portal.MAX_ATTACHMENTS}"', html)
        self.assertInHtml(f'data-max-file-bytes="{portal.MAX_ATTACHMENT_BYTES}"', html)
        self.assertInHtml(f'data-max-total-bytes="{portal.MAX_UPLOAD_BYTES}"', html)
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
