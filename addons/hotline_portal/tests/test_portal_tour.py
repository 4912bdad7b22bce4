from unittest.mock import patch

from odoo.http import Application
from odoo.tests import tagged

from .common import HotlinePortalCase
from .nginx_allowlist import CONFIG_PATH, ProxyRules


@tagged("post_install", "-at_install")
class TestPortalMobileTour(HotlinePortalCase):
    """The portal on a phone-sized screen, every request it makes checked against the external proxy."""

    browser_size = "390x844"
    touch_enabled = True

    def test_mobile_sign_and_submit(self):
        case = self._new_case()
        case.sudo().address = "HPTOUR Street 8"
        requested = []
        original = Application.__call__

        def recording_call(app, environ, start_response):
            query = environ.get("QUERY_STRING")
            requested.append(environ.get("PATH_INFO", "") + (f"?{query}" if query else ""))
            return original(app, environ, start_response)

        with patch.object(Application, "__call__", recording_call):
            self.start_tour("/my", "hotline_portal_mobile_sign_submit", login="hp_portal_a")

        self.assertEqual(case.state, "submitted")
        self.assertEqual(case.result_note, "已更换破损水管，14:00恢复供水")
        attachment = self.env["ir.attachment"].search([("res_model", "=", "hotline.case"), ("res_id", "=", case.id)])
        self.assertEqual(attachment.name, "repair_photo.jpg")
        self.assertEqual(attachment.create_uid, self.portal_a)

        # every URL the browser asked for would have passed the external proxy
        rules = ProxyRules(CONFIG_PATH)
        self.assertTrue(any(path.startswith("/my/hotline/cases/") for path in requested))
        refused = sorted({path for path in requested if not rules.is_reachable(path)})
        self.assertFalse(refused, f"the portal used routes the external proxy refuses: {refused}")

    def test_mobile_oversize_photo_refused_in_the_browser(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_portal"], ["zh_CN"], overwrite=True)
        self.portal_a.lang = "zh_CN"
        case = self._new_case()
        case.with_user(self.portal_a).action_accept()
        posted = []
        original = Application.__call__

        def recording_call(app, environ, start_response):
            if environ.get("REQUEST_METHOD") == "POST":
                posted.append(environ.get("PATH_INFO", ""))
            return original(app, environ, start_response)

        with patch.object(Application, "__call__", recording_call):
            self.start_tour(f"/my/hotline/cases/{case.id}", "hotline_portal_mobile_oversize_photo",
                            login="hp_portal_a")
        self.assertNotIn(f"/my/hotline/cases/{case.id}/submit", posted, "nothing was sent")
        self.assertEqual(case.state, "processing")
        self.assertFalse(case.result_note)
