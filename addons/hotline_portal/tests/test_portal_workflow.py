from odoo.addons.hotline_case.tests.common import sample_file
from odoo.tests import tagged

from .common import HotlinePortalCase


@tagged("post_install", "-at_install")
class TestPortalWorkflow(HotlinePortalCase):
    """A case from dispatch to approval, the unit acting only through the portal pages."""

    def _messages_to(self, case, partner):
        return case.sudo().message_ids.filtered(lambda m: partner in m.partner_ids)

    def test_full_walk(self):
        case = self._new_case()
        self.assertEqual(case.state, "dispatched")
        self.assertIn(self.portal_a.partner_id, case.sudo().message_partner_ids,
                      "the unit's members follow the case (their portal inbox)")

        self.authenticate("hp_portal_a", "hp_portal_a")
        home = self.url_open("/my").text
        self.assertInHtml('id="hotline_counters"', home)
        listing = self.url_open("/my/hotline/cases?state=dispatched").text
        self.assertInHtml(case.name, listing)

        # 签收
        page = f"/my/hotline/cases/{case.id}"
        response = self._portal_post(f"{page}/accept", {}, page=page)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(case.state, "processing")
        self.assertInHtml("o_hotline_flash", response.text)

        # 延期申请, approved in the backend
        deadline_before = case.deadline
        self._portal_post(f"{page}/extension", {"days": "3", "reason": "Parts on order"}, page=page)
        self.assertEqual(case.extension_state, "requested")
        self.assertEqual(case.extension_days, 3)
        case.with_user(self.reviewer).action_approve_extension()
        self.assertEqual(case.extension_state, "approved")
        self.assertGreater(case.deadline, deadline_before)

        # 办理结果 with an attachment
        files = {"attachments": ("repair.jpg", b"\xff\xd8\xff\xe0 fake jpeg", "image/jpeg")}
        self._portal_post(f"{page}/submit", {"note": "Pipe replaced, water back at 14:00",
                                             "result": "resolved"}, page=page, files=files)
        self.assertEqual(case.state, "submitted")
        self.assertEqual(case.result_note, "Pipe replaced, water back at 14:00")
        # the 办理结果 chosen in the form, on the case and on the submission's log line
        self.assertEqual(case.handling_result, "resolved")
        self.assertEqual(case.log_ids.filtered(lambda log: log.action == "submit").handling_result, "resolved")
        attachment = self.env["ir.attachment"].search([("res_model", "=", "hotline.case"), ("res_id", "=", case.id)])
        self.assertEqual(attachment.name, "repair.jpg")
        self.assertEqual(attachment.create_uid, self.portal_a)
        detail = self.url_open(page).text
        self.assertInHtml("repair.jpg", detail)
        token = self._attachment_links(detail)[attachment.id]
        download = self.url_open(f"/web/content/{attachment.id}?access_token={token}&download=true")
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, b"\xff\xd8\xff\xe0 fake jpeg")

        # 审核: rejected → back to the pool, the unit is told why
        case.with_user(self.reviewer).action_review_reject(note="Photos do not show the repaired pipe")
        self.assertEqual(case.state, "pool")
        rejected = self._messages_to(case, self.portal_a.partner_id).filtered(
            lambda m: "Photos do not show the repaired pipe" in str(m.body))
        self.assertTrue(rejected, "the unit receives the rejection with its reason")
        self.assertEqual(rejected[:1].subtype_id, self.env.ref("mail.mt_comment"))
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "in", rejected.ids)])
        self.assertIn(self.portal_a.partner_id, mails.recipient_ids, "an e-mail goes to the unit's member")
        # the case stays visible to the unit that handled it
        self.assertEqual(self.url_open(page).status_code, 200)

        # 再分理 → signed for and resubmitted → approved
        case.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(case.state, "dispatched")
        self._portal_post(f"{page}/accept", {}, page=page)
        self._portal_post(f"{page}/submit", {"note": "Photos of the new pipe attached",
                                             "result": "resolved"}, page=page,
                          files={"attachments": ("new_pipe.png", sample_file("png"), "image/png")})
        self.assertEqual(case.state, "submitted")
        case.with_user(self.reviewer).action_review_approve()
        self.assertEqual(case.state, "callback")
        self.assertTrue(self._messages_to(case, self.portal_a.partner_id).filtered(
            lambda m: m.subject and case.name in m.subject and "approved" in m.subject.lower()))

        # the unit's history lists every step it took part in
        actions = case.sudo().log_ids.filtered(lambda log: log.unit_id == self.unit_a).mapped("action")
        for action in ("dispatch", "accept", "request_extension", "approve_extension", "submit", "review_reject",
                       "review_approve"):
            self.assertIn(action, actions)
        detail = self.url_open(page).text
        self.assertInHtml("o_hotline_history", detail)
        self.assertNotInHtml("o_hotline_actions", detail, "no action once the result is approved")

    def test_return_and_refusals(self):
        case = self._new_case()
        self.authenticate("hp_portal_a", "hp_portal_a")
        page = f"/my/hotline/cases/{case.id}"
        # submit before signing for: refused by the workflow, shown as a message, nothing written
        response = self._portal_post(f"{page}/submit", {"note": "done", "result": "resolved"}, page=page,
                                     files={"attachments": ("x.jpg", sample_file("jpg"), "image/jpeg")})
        self.assertEqual(case.state, "dispatched")
        self.assertInHtml("alert-danger", response.text)
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", "hotline.case"),
                                                           ("res_id", "=", case.id)]),
                         "the files of a refused submission are dropped")
        # return without reason: refused
        response = self._portal_post(f"{page}/return", {"reason": "  "}, page=page)
        self.assertEqual(case.state, "dispatched")
        self.assertInHtml("alert-danger", response.text)
        # extension on a case not signed for: refused
        self._portal_post(f"{page}/extension", {"days": "2", "reason": "why not"}, page=page)
        self.assertEqual(case.extension_state, "none")
        # return with a reason: back to the pool
        self._portal_post(f"{page}/return", {"reason": "Private pipe, not our network"}, page=page)
        self.assertEqual(case.state, "pool")
        self.assertEqual(case.return_reason, "Private pipe, not our network")
        self.assertFalse(case.unit_id)

    def test_reply_reaches_chatter(self):
        case = self._new_case()
        self.authenticate("hp_portal_a", "hp_portal_a")
        page = f"/my/hotline/cases/{case.id}"
        self._portal_post(f"{page}/message", {"message": "We need the <b>exact</b> building number"}, page=page)
        message = case.sudo().message_ids.filtered(lambda m: m.author_id == self.portal_a.partner_id)
        self.assertEqual(len(message), 1)
        self.assertIn("&lt;b&gt;exact&lt;/b&gt;", str(message.body), "plain text, never HTML from the portal")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))

    def test_csrf_required(self):
        case = self._new_case()
        self.authenticate("hp_portal_a", "hp_portal_a")
        response = self.url_open(f"/my/hotline/cases/{case.id}/accept", data={"csrf_token": "forged"})
        self.assertIn(response.status_code, (400, 403))
        self.assertEqual(case.state, "dispatched")

    def test_list_filters_and_counters(self):
        urgent = self._new_case(description="Leak under the bridge")
        other = self._new_case(description="Low pressure on floor 9")
        other.with_user(self.portal_a).action_accept()
        self.authenticate("hp_portal_a", "hp_portal_a")
        html = self.url_open("/my/hotline/cases?state=processing").text
        self.assertInHtml(other.name, html)
        self.assertNotInHtml(urgent.name, html)
        html = self.url_open("/my/hotline/cases?search=bridge").text
        self.assertInHtml(urgent.name, html)
        self.assertNotInHtml(other.name, html)
        html = self.url_open(f"/my/hotline/cases?category={self.category.id}&sortby=deadline").text
        self.assertInHtml(urgent.name, html)
        self.assertInHtml(other.name, html)
        html = self.url_open("/my/hotline/cases?date_from=2000-01-01&date_to=2000-01-02").text
        self.assertNotInHtml(urgent.name, html)
        # garbage in filters is ignored, not a crash
        self.assertEqual(self.url_open("/my/hotline/cases?state=bogus&sortby=x&category=abc&date_from=zz")
                         .status_code, 200)
        # overdue: the finish deadline has passed
        other.sudo().write({"deadline": "2000-01-01 00:00:00"})
        html = self.url_open("/my/hotline/cases?deadline=overdue").text
        self.assertInHtml(other.name, html)
        self.assertNotInHtml(urgent.name, html)
        home = self.url_open("/my").text
        self.assertRegex(home, r'text-danger">1<', "one overdue case counted on /my")

    def test_notifications_in_chinese(self):
        """Members reading Chinese get the Chinese templates (subject and body) by e-mail and in the chatter."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_portal"], ["zh_CN"], overwrite=True)
        self.portal_a.lang = "zh_CN"
        case = self._new_case()
        dispatched = case.sudo().message_ids.filtered(lambda m: self.portal_a.partner_id in m.partner_ids)
        self.assertTrue(dispatched, "the unit is told a case was dispatched to it")
        case.with_user(self.portal_a).action_accept()
        case.with_user(self.portal_a).action_submit(note="已处理")
        case.with_user(self.reviewer).action_review_reject(note="照片不清晰")
        message = case.sudo().message_ids.filtered(
            lambda m: self.portal_a.partner_id in m.partner_ids and m.subject and case.name in m.subject)[:1]
        self.assertEqual(message.subject, f"【审核退回】工单 {case.name}")
        self.assertIn("热线中心审核未通过", str(message.body))
        self.assertIn("照片不清晰", str(message.body))
        self.assertIn(f"/my/hotline/cases/{case.id}", str(message.body), "the e-mail links to the portal page")
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertIn(self.portal_a.partner_id, mail.recipient_ids)
        # the link of the e-mail (/mail/view) opens the portal page for the unit's member
        action = case.sudo()._get_access_action(access_uid=self.portal_a.id)
        self.assertEqual(action["url"], f"/my/hotline/cases/{case.id}")
        self.assertEqual(case.sudo()._get_access_action(access_uid=self.portal_b.id)["type"], "ir.actions.act_window")

    def test_unit_notice_hook(self):
        """_notify_unit (called by hotline_case on dispatch and urging) posts the template to the members."""
        case = self._new_case()
        before = case.sudo().message_ids
        case._notify_unit("urge", "please hurry")
        message = case.sudo().message_ids - before
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subject, f"Urging: case {case.name}")
        self.assertIn(self.portal_a.partner_id, message.partner_ids)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"), "public: listed in the portal chatter")
        case._notify_unit("dispatch", "dispatched")
        self.assertTrue(case.sudo().message_ids.filtered(
            lambda m: m.subject == f"New case {case.name} for {self.unit_a.name}"))

    def test_dispatch_and_urge_reach_the_unit_once_with_the_reason(self):
        """Through the workflow, each event reaches the members as one template message, never twice."""
        before = self.env["mail.message"].search([("model", "=", "hotline.case")])
        case = self._new_case()
        to_unit = case.sudo().message_ids.filtered(lambda m: self.portal_a.partner_id in m.partner_ids) - before
        self.assertEqual(len(to_unit), 1, "dispatch: the template only, not the plain message too")
        before = case.sudo().message_ids
        case.with_user(self.reviewer).action_urge(note="请今天下班前联系市民")
        to_unit = (case.sudo().message_ids - before).filtered(lambda m: self.portal_a.partner_id in m.partner_ids)
        self.assertEqual(len(to_unit), 1)
        self.assertIn("请今天下班前联系市民", to_unit.body, "the supervisor's words reach the unit")

    def test_handled_before_stays_readable_not_actionable(self):
        case = self._new_case()
        case.with_user(self.portal_a).action_return(reason="Gas pipe, not water")
        case.with_user(self.dispatcher).write({"unit_id": self.unit_b.id})
        case.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(case.handled_unit_ids, self.unit_a | self.unit_b)
        # unit A still reads the case it handled, without any action
        self.authenticate("hp_portal_a", "hp_portal_a")
        detail = self.url_open(f"/my/hotline/cases/{case.id}").text
        self.assertInHtml("o_hotline_case_page", detail)
        self.assertNotInHtml("o_hotline_actions", detail)
        self._portal_post(f"/my/hotline/cases/{case.id}/accept", {}, page=f"/my/hotline/cases/{case.id}")
        self.assertEqual(case.state, "dispatched", "unit A cannot sign for unit B's case")
        # unit B signs for it
        self.authenticate("hp_portal_b", "hp_portal_b")
        page = f"/my/hotline/cases/{case.id}"
        self.assertInHtml("o_hotline_accept", self.url_open(page).text)
        self._portal_post(f"{page}/accept", {}, page=page)
        self.assertEqual(case.state, "processing")
        # unit B sees only its own part of the history
        history = self.env["hotline.case.log"].with_user(self.portal_b).search([("case_id", "=", case.id)])
        self.assertTrue(history)
        self.assertFalse(history.filtered(lambda log: log.unit_id == self.unit_a))

    def test_center_branding(self):
        """The portal and its login page show the center's emblem, and no Odoo promotion."""
        company = self.env.ref("base.main_company")
        self.assertNotEqual(company.logo, company._get_logo(), "the demo center has its own logo, not 'Your logo'")
        self.assertNotInHtml("Powered by", self.url_open("/web/login").text)
        self.authenticate("hp_portal_a", "hp_portal_a")
        home = self.url_open("/my").text
        self.assertNotInHtml("Powered by", home)
        self.assertNotInHtml("odoo.com", home)
