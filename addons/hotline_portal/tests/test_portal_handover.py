from odoo.addons.hotline_case.tests.common import sample_file
from odoo.tests import tagged

from .common import HotlinePortalCase


@tagged("post_install", "-at_install")
class TestPortalHandover(HotlinePortalCase):
    """The water unit returns a case, the center sends it to the gas unit: on the portal, water keeps its own
    time of the case, read-only, and sees nothing of what gas does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        case = cls._new_case(cls)
        cls.file_to_a = cls._post(case, cls.dispatcher, "请水务核实", "to_water.jpg", b"for water")
        case.with_user(cls.portal_a).action_accept()
        case.with_user(cls.portal_a).message_post(body="水务：不归我们管", message_type="comment",
                                                  subtype_xmlid="mail.mt_comment")
        case.with_user(cls.portal_a).action_return(reason="非供水问题")
        case.with_user(cls.dispatcher).write({"unit_id": cls.unit_b.id})
        case.with_user(cls.dispatcher).action_dispatch()
        case.with_user(cls.portal_b).action_accept()
        cls.file_to_b = cls._post(case, cls.dispatcher, "请燃气拍照", "to_gas.jpg", b"for gas")
        # uploaded as the result form does it: with sudo, as the portal user
        cls.result_file = cls.env["ir.attachment"].with_user(cls.portal_b).sudo().create({
            "name": "gas_result.jpg", "raw": sample_file("jpg") + b"gas result", "res_model": "hotline.case",
            "res_id": case.id,
        })
        case.with_user(cls.portal_b).action_submit(note="燃气：阀门已更换", attachment_ids=cls.result_file.ids)
        cls.case = case

    @classmethod
    def _post(cls, case, user, body, filename, content):
        message = case.with_user(user).message_post(body=body, message_type="comment",
                                                    subtype_xmlid="mail.mt_comment",
                                                    attachments=[(filename, content)])
        return message.attachment_ids

    def _page(self, login):
        self.authenticate(login, login)
        response = self.url_open(f"/my/hotline/cases/{self.case.id}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_former_unit_reads_its_time_only(self):
        html = self._page("hp_portal_a")
        links = self._attachment_links(html)
        self.assertEqual(set(links), set(self.file_to_a.ids), "only the file sent to water")
        response = self.url_open(f"/web/content/{self.file_to_a.id}?access_token={links[self.file_to_a.id]}")
        self.assertEqual(response.content, b"for water")
        for attachment in self.file_to_b | self.result_file:
            self.assertNotInHtml(attachment.name, html)
            # a token of the gas unit's page opens nothing to water... and water has none: guessed, none works
            self.assertIn(self.url_open(f"/web/content/{attachment.id}?download=true").status_code, (403, 404))
        self.assertNotInHtml("燃气：阀门已更换", html, "the result is the gas unit's")
        self.assertInHtml("o_hotline_read_only", html)
        self.assertNotInHtml(f'action="/my/hotline/cases/{self.case.id}/message"', html)
        chatter = str(self.make_jsonrpc_request("/mail/chatter_fetch", {
            "thread_model": "hotline.case", "thread_id": self.case.id}))
        self.assertIn("请水务核实", chatter, "what was sent to water")
        self.assertIn("水务：不归我们管", chatter, "water's own reply")
        self.assertNotIn("请燃气拍照", chatter)
        self.assertNotIn("to_gas.jpg", chatter)

    def test_former_unit_posts_nothing(self):
        before = self.case.sudo().message_ids
        self.authenticate("hp_portal_a", "hp_portal_a")
        page = f"/my/hotline/cases/{self.case.id}"
        response = self._portal_post(f"{page}/message", {"message": "水务还想说"}, page=page)
        self.assertEqual(response.status_code, 422)
        self.assertInHtml("no longer with your unit", response.text)
        self.assertEqual(self.case.sudo().message_ids, before)

    def test_unit_holding_the_case_works_as_before(self):
        html = self._page("hp_portal_b")
        links = self._attachment_links(html)
        self.assertLessEqual(set((self.file_to_b | self.result_file).ids), set(links))
        self.assertNotIn(self.file_to_a.id, links, "nor does gas read water's time")
        self.assertInHtml("燃气：阀门已更换", html)
        self.assertNotInHtml("o_hotline_read_only", html)
        page = f"/my/hotline/cases/{self.case.id}"
        response = self._portal_post(f"{page}/message", {"message": "燃气补充说明"}, page=page)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.case.sudo().message_ids.filtered(lambda m: "燃气补充说明" in str(m.body)))
