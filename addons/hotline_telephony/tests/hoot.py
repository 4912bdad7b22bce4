"""Running an addon's JS unit tests (static/tests/*.test.js, @odoo/hoot) from the Python suite."""

import logging
import re

from odoo.addons.web.tests.test_js import unit_test_error_checker
from odoo.tests import HttpCase


def hoot_id(path):
    """The id by which /web/tests selects a suite (HOOTCommon._generate_hash of web's test_js)."""
    value = 0
    for char in path:
        value = ((value << 5) - value + ord(char)) & 0xFFFFFFFF
    return f"{value:08x}"


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


class HootSuiteCase(HttpCase):
    """Base of the tests that open Odoo's unit test page on one addon's suite: any failed JS test fails
    the Python test, and so does a suite that ran fewer tests than the addon holds (not found)."""

    def run_hoot_suite(self, addon, at_least):
        url = f"/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&id={hoot_id('@' + addon)}"
        # the page's console reaches the log through this test's logger: read it for the count of tests
        # run, whatever the run's log level (the failures' details stay in the log as well)
        logger = logging.getLogger(type(self).__module__)
        lines, level = _Lines(), logger.level
        logger.addHandler(lines)
        logger.setLevel(logging.INFO)
        try:
            self.browser_js(url, "", "", login="admin", timeout=900, success_signal="[HOOT] Test suite succeeded",
                            error_checker=unit_test_error_checker)
        finally:
            logger.removeHandler(lines)
            logger.setLevel(level)
        passed = [int(n) for line in lines.lines for n in re.findall(r"\[HOOT\] Passed (\d+) tests", line)]
        self.assertTrue(passed, "the unit test page did not report the tests it ran")
        self.assertGreaterEqual(passed[-1], at_least, f"the JS unit tests of {addon} were not all found")
