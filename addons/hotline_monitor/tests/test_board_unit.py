from odoo.addons.hotline_telephony.tests.hoot import HootSuiteCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestBoardUnit(HootSuiteCase):
    """The wallboard's JS unit tests: tile levels, durations, queue alarms, masking, the tiles' scale."""

    def test_board_unit_tests(self):
        self.run_hoot_suite("hotline_monitor", at_least=28)
