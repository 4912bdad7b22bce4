import re

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import HttpCase

SECRET_NAME = "欧阳保密"
SECRET_PHONE = "13912345678"


class HotlinePortalCase(HttpCase):
    """Two units with one portal member each, a portal user of no unit, center staff, and a helper to
    create a case dispatched by the center to the water unit for a confidential caller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True, mail_create_nolog=False))
        cls.agent = mail_new_test_user(cls.env, "hp_agent", groups="base.group_user,hotline_case.group_agent",
                                       name="Agent HP", email="hp_agent@example.com")
        cls.dispatcher = mail_new_test_user(cls.env, "hp_dispatcher",
                                            groups="base.group_user,hotline_case.group_dispatcher",
                                            name="Dispatcher HP", email="hp_dispatcher@example.com")
        cls.reviewer = mail_new_test_user(cls.env, "hp_reviewer",
                                          groups="base.group_user,hotline_case.group_reviewer",
                                          name="Reviewer HP", email="hp_reviewer@example.com")
        cls.portal_a = mail_new_test_user(cls.env, "hp_portal_a", groups="base.group_portal",
                                          name="Portal Water", email="hp_portal_a@example.com")
        cls.portal_b = mail_new_test_user(cls.env, "hp_portal_b", groups="base.group_portal",
                                          name="Portal Gas", email="hp_portal_b@example.com")
        cls.portal_plain = mail_new_test_user(cls.env, "hp_portal_plain", groups="base.group_portal",
                                              name="Portal Citizen", email="hp_portal_plain@example.com")
        for user in (cls.agent, cls.dispatcher, cls.reviewer, cls.portal_a, cls.portal_b, cls.portal_plain):
            # mail_new_test_user sets password = login
            user.password = user.login
        cls.unit_a = cls.env["hotline.unit"].create({
            "name": "HP Water Group", "code": "HPW", "member_ids": [(6, 0, cls.portal_a.ids)],
        })
        cls.unit_b = cls.env["hotline.unit"].create({
            "name": "HP Gas Group", "code": "HPG", "member_ids": [(6, 0, cls.portal_b.ids)],
        })
        cls.category = cls.env["hotline.category"].create({"name": "HP Water Outage", "code": "HPWO"})
        cls.case_type = cls.env["hotline.case.type"].create({"name": "HP Repair", "code": "HPR"})
        cls.env["hotline.deadline.rule"].create({
            "sequence": 1, "category_id": cls.category.id, "sign_hours": 4, "finish_amount": 5,
            "finish_unit": "working_days",
        })

    def _new_case(self, confidential=True, description="Water pipe burst near the school gate", unit=None):
        """A case recorded by the agent, transferred to the pool and dispatched by the dispatcher."""
        case = self.env["hotline.case"].with_user(self.agent).create({
            "caller_name": SECRET_NAME,
            "caller_phone": SECRET_PHONE,
            "confidential": confidential,
            "type_id": self.case_type.id,
            "category_id": self.category.id,
            "address": "HP Road 12",
            "description": description,
        })
        case.action_transfer()
        case = case.with_user(self.dispatcher)
        case.unit_id = unit or self.unit_a
        case.action_dispatch()
        return case.with_user(self.env.user)

    def assertInHtml(self, needle, html, msg=None):
        """assertIn without dumping whole pages into the log."""
        self.assertTrue(needle in html, msg or f"{needle!r} not found in the page")

    def assertNotInHtml(self, needle, html, msg=None):
        self.assertFalse(needle in html, msg or f"{needle!r} found in the page")

    def _attachment_links(self, html):
        """{attachment id: access token} of the download links of a portal page."""
        return {int(att_id): token for att_id, token in
                re.findall(r"/web/content/(\d+)\?access_token=([\w-]+)", html)}

    @staticmethod
    def _csrf(html):
        match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
            r'csrf_token["\']?\s*:\s*["\']([^"\']+)', html)
        assert match, "no CSRF token in the page"
        return match.group(1)

    def _portal_post(self, path, data, page="/my/hotline/cases", files=None):
        """POST like the browser: CSRF token taken from a page the same session rendered."""
        html = self.url_open(page).text
        payload = dict(data, csrf_token=self._csrf(html))
        return self.url_open(path, data=payload, files=files)
