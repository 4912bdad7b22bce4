from odoo import Command, fields
from odoo.addons.hotline_case.tests.common import HotlineAttackCommon, sample_file
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

PUBLISHED = ("hotline.assessment.publication", "hotline.assessment.published.result",
             "hotline.assessment.published.figure", "hotline.assessment.published.item", "hotline.assessment.appeal",
             "hotline.assessment.appeal.change")


@tagged("post_install", "-at_install")
class TestPublicationAccess(HotlineAttackCommon):
    """A published assessment of this month (one case dispatched to each unit, unit B's result appealed), attacked
    as each role over the web client's call_kw, /json/2 with an API key, XML-RPC and /web/content."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        for unit in (cls.unit_a, cls.unit_b):
            case = cls._new_case(unit_id=unit.id)
            case.with_user(cls.agent).action_self_dispatch()
        today = fields.Date.context_today(env["hotline.case"].with_context(tz="Asia/Shanghai"))
        cls.assessment = env["hotline.assessment"].with_user(cls.reviewer).create({
            "scheme_id": env.ref("hotline_reports.assessment_scheme_default").id,
            "date_from": today.replace(day=1), "date_to": today,
            "unit_ids": [Command.set([cls.unit_a.id, cls.unit_b.id])]})
        cls.assessment.action_publish()
        cls.publication = cls.assessment.publication_ids
        cls.result_a, cls.result_b = (cls.publication.result_ids.filtered(lambda r, u=unit: r.unit_id == u)
                                      for unit in (cls.unit_a, cls.unit_b))
        cls.item_a, cls.item_b = (result._items("dispatches") for result in (cls.result_a, cls.result_b))
        cls.appeal_b = cls.item_b.with_user(cls.unit_user_b).file_appeal(
            "dispatches", "派单错误。", [("说明.pdf", sample_file("pdf"))])

    def _ids(self, channel, user, model):
        return {row["id"] for row in self._rpc(channel, user, model, "search_read", domain=[], fields=["id"])}

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc", "odoo.addons.base.models.ir_rule")
    def test_units_read_only_their_own(self):
        own_a = {"hotline.assessment.published.result": set(self.result_a.ids),
                 "hotline.assessment.published.item": set(self.result_a.item_ids.ids),
                 "hotline.assessment.published.figure": set(self.result_a.figure_ids.ids),
                 "hotline.assessment.appeal": set()}
        for channel in self.CHANNELS:
            for user in (self.unit_user_a, self.portal_a):
                with self.subTest(channel=channel, user=user.login):
                    for model, expected in own_a.items():
                        self.assertEqual(self._ids(channel, user, model), expected, model)
                    self.assertEqual(self._ids(channel, user, "hotline.assessment.publication"),
                                     set(self.publication.ids))
            # unit B reads its own result and appeal
            self.assertEqual(self._ids(channel, self.unit_user_b, "hotline.assessment.appeal"), set(self.appeal_b.ids))
            self.assertEqual(self._ids(channel, self.unit_user_b, "hotline.assessment.published.result"),
                             set(self.result_b.ids))
            # positive control: the center reads every unit's (the demo database's published results too)
            self.assertLessEqual(set(self.publication.result_ids.ids),
                                 self._ids(channel, self.reviewer, "hotline.assessment.published.result"))
        for user in (self.unit_user_a, self.portal_a):
            self.assertRpcDenied(user, "hotline.assessment.published.result", "read", self.result_b.ids,
                                 fields=["score", "rank"])
            self.assertRpcDenied(user, "hotline.assessment.published.result", "read", self.result_b.ids,
                                 fields=["deduction_facts", "deduction_detail"])
            self.assertRpcDenied(user, "hotline.assessment.published.item", "read", self.item_b.ids,
                                 fields=["case_name"])
            self.assertRpcDenied(user, "hotline.assessment.appeal", "read", self.appeal_b.ids, fields=["reason"])
            self.assertRpcDenied(user, "hotline.assessment.published.figure", "read", self.result_b.figure_ids.ids[:1],
                                 fields=["value"])
        for user in (self.agent, self.dispatcher):  # center staff without the reports
            for model in PUBLISHED:
                self.assertRpcDenied(user, model, "search_read", domain=[], fields=["id"])

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_units_cannot_publish_decide_or_edit(self):
        for user in (self.unit_user_a, self.unit_user_b, self.portal_a):
            self.assertRpcDenied(user, "hotline.assessment", "action_publish", self.assessment.ids)
            self.assertRpcDenied(user, "hotline.assessment.appeal", "action_accept", self.appeal_b.ids, reason="采纳")
            self.assertRpcDenied(user, "hotline.assessment.appeal", "action_reject", self.appeal_b.ids, reason="驳回")
            self.assertRpcDenied(user, "hotline.assessment.published.result", "write", self.result_b.ids,
                                 vals={"score": 100})
            self.assertRpcDenied(user, "hotline.assessment.published.figure", "write",
                                 self.result_b.figure_ids.ids[:1], vals={"value": 1})
            self.assertRpcDenied(user, "hotline.assessment.appeal", "create", vals_list=[{
                "item_id": self.item_b.id, "reason": "伪造", "state": "accepted"}])
        # a unit does not appeal another unit's case, nor edit or delete a published version, whatever the role
        self.assertRpcDenied(self.unit_user_a, "hotline.assessment.published.item", "file_appeal", self.item_b.ids,
                             code="dispatches", reason="越权")
        self.assertRpcDenied(self.manager, "hotline.assessment.published.result", "unlink", self.result_a.ids)
        # positive controls: unit A appeals its own case; the reviewer decides over RPC
        channels = iter(self.CHANNELS)
        appeal = self._rpc(next(channels), self.unit_user_a, "hotline.assessment.published.item", "file_appeal",
                           self.item_a.ids, code="dispatches", reason="非本单位辖区。")
        appeal_id = appeal[0] if isinstance(appeal, list) else appeal
        self._rpc(next(channels), self.reviewer, "hotline.assessment.appeal", "action_reject", [appeal_id],
                  reason="辖区划分无误。")
        self.assertEqual(self.env["hotline.assessment.appeal"].browse(appeal_id).state, "rejected")
        self._rpc(next(channels), self.manager, "hotline.assessment.appeal", "action_accept", self.appeal_b.ids,
                  reason="派单错误属实。")
        self.assertEqual(self.appeal_b.state, "accepted")
        self.assertEqual(len(self.assessment.publication_ids), 2)

    @mute_logger("odoo.http")
    def test_appeal_files(self):
        attachment = self.appeal_b.attachment_ids
        self.assertEqual(len(attachment), 1)
        for user, allowed in ((self.unit_user_b, True), (self.reviewer, True), (self.unit_user_a, False),
                              (self.portal_a, False), (self.agent, False)):
            self.authenticate(user.login, user.login)
            for url in (f"/web/content/{attachment.id}", f"/web/content/{attachment.id}?download=true",
                        f"/web/content/hotline.assessment.appeal/{self.appeal_b.id}/attachment_ids"):
                response = self.url_open(url)
                if allowed and "attachment_ids" not in url:
                    self.assertEqual((response.status_code, response.content), (200, sample_file("pdf")), user.login)
                else:
                    self.assertNotEqual(response.content, sample_file("pdf"), (user.login, url))

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_attachment")
    def test_appeal_with_several_files(self):
        """The backend's appeal form takes several files; they are the appeal's, read by its unit and the center,
        never by another unit (ORM, /web/content); a file of another unit cannot be slipped in by its id."""
        uploads = self.env["ir.attachment"].with_user(self.unit_user_a).create([
            {"name": name, "raw": sample_file(ext), "res_model": "hotline.assessment.appeal.wizard", "res_id": 0}
            for name, ext in (("现场照片.jpg", "jpg"), ("整改说明.pdf", "pdf"), ("台账.docx", "docx"))])
        wizard = self.env["hotline.assessment.appeal.wizard"].with_user(self.unit_user_a).create({
            "item_id": self.item_a.id, "code": "dispatches", "reason": "该地址属相邻辖区。",
            "attachment_ids": [Command.set(uploads.ids)]})
        action = wizard.action_confirm()
        appeal = self.env["hotline.assessment.appeal"].browse(action["res_id"])
        files = appeal.attachment_ids
        self.assertEqual(sorted(files.mapped("name")), ["台账.docx", "整改说明.pdf", "现场照片.jpg"])
        self.assertEqual({f.name: f.raw for f in files}["整改说明.pdf"], sample_file("pdf"))
        self.assertFalse(uploads.exists(), "the uploads are the appeal's copies now")
        # unit A and the center read every file; unit B, unit A's portal login included, reads none
        for user in (self.unit_user_a, self.reviewer):
            self.assertEqual(len(appeal.with_user(user).attachment_ids), 3)
            for attachment in files:
                self.assertTrue(attachment.with_user(user).raw, user.login)
        for user in (self.unit_user_b, self.agent):
            for attachment in files:
                with self.assertRaises(AccessError):
                    attachment.with_user(user).read(["raw"])
        for user, allowed in ((self.unit_user_a, True), (self.reviewer, True), (self.unit_user_b, False),
                              (self.agent, False)):
            self.authenticate(user.login, user.login)
            for attachment in files:
                response = self.url_open(f"/web/content/{attachment.id}?download=true")
                if allowed:
                    self.assertEqual((response.status_code, response.content), (200, attachment.raw), user.login)
                else:
                    self.assertNotEqual(response.content, attachment.raw, user.login)
        # unit B cannot attach unit A's files (or any file it cannot read) to its own appeal by their ids
        before = self.env["hotline.assessment.appeal"].search_count([])
        with self.assertRaises(AccessError):
            self.env["hotline.assessment.appeal.wizard"].with_user(self.unit_user_b).create({
                "item_id": self.item_b.id, "code": "dispatches", "reason": "借用材料。",
                "attachment_ids": [Command.set(files.ids)]}).action_confirm()
        self.assertEqual(self.env["hotline.assessment.appeal"].search_count([]), before)
