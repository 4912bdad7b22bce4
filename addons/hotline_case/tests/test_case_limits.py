from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import hotline_case as case_module
from .common import HotlineCaseCommon, sample_file


@tagged("post_install", "-at_install")
class TestUnitStepLimits(HotlineCaseCommon):
    """The limits of a unit's steps hold in the workflow methods, whoever calls them (portal, back office,
    unit server), with the workflow's own translated messages."""

    def _upload(self, user, name, raw):
        # as the portal does it: sudo for a user without create rights on attachments
        return self.env["ir.attachment"].with_user(user).sudo().create({
            "name": name, "raw": raw, "res_model": "mail.compose.message", "res_id": 0})

    def test_extension_days_in_range(self):
        case = self._processing_case()
        member = case.with_user(self.unit_user_a).with_context(lang="zh_CN")
        for days in (3650, 61, 0, -5, "30", 2.5, True):
            with self.subTest(days=days), self.assertRaisesRegex(UserError, "请输入 1 至 60 之间的工作日天数"):
                member.action_request_extension(days=days, reason="材料待到货")
        # nor through the field the back-office form writes first
        case.with_user(self.unit_user_a).extension_days = 3650
        with self.assertRaisesRegex(UserError, "between 1 and 60"):
            case.with_user(self.unit_user_a).action_request_extension(reason="材料待到货")
        self.assertEqual(case.extension_state, "none")
        # the bounds themselves are allowed (positive control)
        case.with_user(self.unit_user_a).action_request_extension(days=60, reason="材料待到货")
        self.assertEqual((case.extension_state, case.extension_days), ("requested", 60))

    def test_result_files_of_a_result_type_only(self):
        case = self._processing_case()
        for name, kind in (("setup.exe", "exe"), ("fix.sh", "sh"), ("report.html", "html"), ("photo.svg", "svg"),
                           ("photo.jpg", "exe"), ("photo.exe", "jpg"), ("report.pdf.html", "html")):
            with self.subTest(name=name, content=kind):
                attachment = self._upload(self.portal_a, name, sample_file(kind))
                with self.assertRaisesRegex(UserError, "只接受照片、PDF 和办公文档"):
                    case.with_user(self.portal_a).with_context(lang="zh_CN").action_submit(
                        note="已修复", attachment_ids=attachment.ids)
                self.assertEqual(case.state, "processing")
        files = self._upload(self.portal_a, "现场.JPG", sample_file("jpg")) \
            | self._upload(self.portal_a, "scan.pdf", sample_file("pdf")) \
            | self._upload(self.portal_a, "报告.docx", sample_file("docx")) \
            | self._upload(self.portal_a, "after.png", sample_file("png"))
        # the type stored (and served) is the content's, whatever the sender said
        files[0].mimetype = "application/x-msdos-program"
        case.with_user(self.portal_a).action_submit(note="已修复", attachment_ids=files.ids)
        self.assertEqual(case.state, "submitted")
        self.assertEqual(case.result_attachment_ids, files)
        self.assertEqual(files.mapped("mimetype"), [
            "image/jpeg", "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "image/png"])

    def test_result_file_count_and_sizes(self):
        case = self._processing_case()
        photo = sample_file("jpg")
        member = case.with_user(self.unit_user_a).with_context(lang="zh_CN")
        eleven = [self._upload(self.unit_user_a, f"p{n}.jpg", photo).id for n in range(11)]
        with self.assertRaisesRegex(UserError, "最多上传 10 个附件"):
            member.action_submit(note="十一张照片", attachment_ids=eleven)
        with patch.object(case_module, "MAX_RESULT_FILE_BYTES", len(photo) - 1), \
                self.assertRaisesRegex(UserError, "p0.jpg"):
            member.action_submit(note="大照片", attachment_ids=eleven[:1])
        with patch.object(case_module, "MAX_RESULT_BYTES", 2 * len(photo) - 1), \
                self.assertRaisesRegex(UserError, "附件合计超过"):
            member.action_submit(note="两张照片", attachment_ids=eleven[:2])
        self.assertEqual(case.state, "processing")
        member.action_submit(note="十张照片", attachment_ids=eleven[:10])
        self.assertEqual(len(case.result_attachment_ids), 10)
