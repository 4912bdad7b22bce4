from odoo.tests import tagged

from .hoot import HootSuiteCase


@tagged("post_install", "-at_install")
class TestTelephonyUnit(HootSuiteCase):
    """The telephony's JS unit tests (the screen pop's template)."""

    def test_telephony_unit_tests(self):
        self.run_hoot_suite("hotline_telephony", at_least=8)
