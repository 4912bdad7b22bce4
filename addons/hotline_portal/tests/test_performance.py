"""Query budget of the unit's case list (/my/hotline/cases), as Odoo's hr_attendance/tests/test_performance.py
does: the page costs the same number of queries for 2 cases as for a full page of them; a query per row
would break it. Timings on 100,000 cases are measured in bench/bench_portal.py, not here."""

from odoo.tests import tagged

from .common import HotlinePortalCase

LIST_BUDGET = 13  # the unit's list, first page, 2 or 12 cases


@tagged("post_install", "-at_install")
class TestPortalListQueries(HotlinePortalCase):

    def assertBudget(self, budget, url, shown):
        self.url_open(url)  # warm: routing map, the session, metadata caches
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(budget):
            html = self.url_open(url).text
        for case in shown:
            self.assertInHtml(case.name, html)

    def test_list_budget(self):
        cases = [self._new_case() for _i in range(2)]
        self.authenticate("hp_portal_a", "hp_portal_a")
        self.assertBudget(LIST_BUDGET, "/my/hotline/cases", cases)
        cases += [self._new_case(confidential=False) for _i in range(10)]
        self.assertBudget(LIST_BUDGET, "/my/hotline/cases", cases)
