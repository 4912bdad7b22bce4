from freezegun import freeze_time

from odoo.tests import tagged

from .common import HotlinePortalCase


@tagged("post_install", "-at_install")
class TestPortalDeadline(HotlinePortalCase):
    """The portal colours a deadline by the center's rule: a short time limit is not amber at once."""

    def test_deadline_level_follows_the_center(self):
        self.env["hotline.deadline.rule"].create({
            "sequence": 0, "category_id": self.category.id, "sign_hours": 0, "finish_amount": 12,
            "finish_unit": "hours",
        })
        with freeze_time("2030-03-11 02:00:00"):
            case = self._new_case().sudo()
            self.assertFalse(case.near_deadline)
            self.assertEqual(case._portal_deadline_level(case.deadline), "", "12 h left of 12 h")
        with freeze_time("2030-03-11 09:00:00"):
            case.invalidate_recordset(["near_deadline"])
            self.assertTrue(case.near_deadline)
            self.assertEqual(case._portal_deadline_level(case.deadline), "warning", "5 h left of 12 h")
        with freeze_time("2030-03-11 15:00:00"):
            self.assertEqual(case._portal_deadline_level(case.deadline), "danger")
