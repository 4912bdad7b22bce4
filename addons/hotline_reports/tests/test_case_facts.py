from datetime import date

from odoo.tests import tagged

from ..kpi.cases import HIT_CODES
from .common import HotlineReportsCommon


@tagged("post_install", "-at_install")
class TestCaseFacts(HotlineReportsCommon):
    """The unit figures per closed day (kpi/case_facts.py) equal the definitions over the cases and the log,
    after the refresh and after transitions dated on closed days."""

    def setUp(self):
        super().setUp()
        self._build_march()
        self.env["hotline.report.fact"]._refresh(now=self.local("2020-05-01 10:00"))
        self.cr.execute("SELECT closed_day FROM hotline_case_fact_state")
        self.assertEqual(self.cr.fetchone()[0], date(2020, 4, 30))

    def _stored(self, unit, first, last, column):
        self.env.flush_all()
        self.cr.execute(f"SELECT COALESCE(SUM({column}), 0) FROM hotline_case_fact"  # noqa: S608 - test columns
                        " WHERE unit_id = %s AND date BETWEEN %s AND %s", [unit.id, first, last])
        return int(self.cr.fetchone()[0])

    def _hits(self, period, base=False):
        """{(unit, dispatch line, case, dispatched at): codes} of every unit's dispatches counted in `period`."""
        kpi = self.kpi.with_context(hotline_kpi_base=base)
        units = self.env["hotline.unit"].search([]).ids
        kpi._flush()
        self.cr.execute(kpi._hits_sql(*period, units))
        return {row[:4]: list(row[4]) for row in self.cr.fetchall()}

    def _stored_hits(self, unit, day):
        """{case: codes} of the stored dispatch hits of `unit` on the local `day` (their bits, in HIT_CODES)."""
        self.env.flush_all()
        self.cr.execute("SELECT case_id, mask FROM hotline_case_dispatch_fact WHERE unit_id = %s AND date = %s",
                        [unit.id, day])
        return {case_id: [code for bit, code in enumerate(HIT_CODES) if mask & (1 << bit)]
                for case_id, mask in self.cr.fetchall()}

    def assertFactsExact(self):
        periods = [self.March, self.April, (date(2020, 3, 1), date(2020, 3, 10)), (date(2020, 3, 5), date(2020, 4, 30))]
        with self.at("2020-05-02 10:00"):
            # the dispatches behind the counts (what a publication freezes): stored days = the log, code for code;
            # the last period has open days (May) read from the log and merged with the stored ones
            for period in [*periods, (date(2020, 3, 25), date(2020, 5, 2))]:
                base = self._hits(period, base=True)
                self.assertTrue(base, period)
                self.assertEqual(self._hits(period), base, period)
            for period in periods:
                fast = self.kpi.unit_figures(*period)
                base = self.kpi.with_context(hotline_kpi_base=True).unit_figures(*period)
                self.assertEqual(set(fast), set(base), period)
                for unit_id, figures in base.items():
                    self.assertEqual(set(fast[unit_id]), set(figures))
                    for key, value in figures.items():
                        if isinstance(value, float):
                            self.assertAlmostEqual(fast[unit_id][key], value, places=6, msg=(period, unit_id, key))
                        else:
                            self.assertEqual(fast[unit_id][key], value, (period, unit_id, key))
            # the 单位统计分析 pivot sums to the service's counts over March
            view = self.env["hotline.report.case.unit"].with_user(self.reviewer)
            columns = [name for name, field in view._fields.items() if field.type == "integer" and name != "id"]
            groups = view._read_group([("date", ">=", self.March[0]), ("date", "<=", self.March[1])], ["unit_id"],
                                      [f"{name}:sum" for name in columns])
            base = self.kpi.with_context(hotline_kpi_base=True).unit_figures(*self.March)
            for unit, *sums in groups:
                self.assertEqual(dict(zip(columns, sums, strict=True)), {c: base[unit.id][c] for c in columns})

    def test_refresh_stores_the_known_answers(self):
        self.assertEqual(self._stored(self.unit_a, *self.March, "dispatches"), 10)
        self.assertEqual(self._stored(self.unit_a, *self.March, "dispatched"), 9)
        with self.at("2020-05-02 10:00"):
            figures = self.kpi.unit_figures(*self.March, units=[self.unit_a.id])[self.unit_a.id]
        self.assertEqual((figures["dispatched"], figures["returned"], figures["extended"]), (9, 1, 1))
        # the dispatch hits by local day, across the center's midnight: c6 dispatched 31 March 23:30 and c7 on
        # 1 April 00:30 (both 31 March in UTC) are stored on their local days; c3's return (6 March) stays A's
        first = ["dispatches", "dispatched"]
        self.assertEqual(self._stored_hits(self.unit_a, date(2020, 3, 31))[self.c6.id][:2], first)
        self.assertNotIn(self.c7.id, self._stored_hits(self.unit_a, date(2020, 3, 31)))
        self.assertEqual(self._stored_hits(self.unit_a, date(2020, 4, 1))[self.c7.id][:2], first)
        self.assertEqual(self._stored_hits(self.unit_a, date(2020, 3, 6))[self.c3.id],
                         ["dispatches", "dispatched", "returned", "settled"])
        with self.at("2020-05-02 10:00"):
            march = self._hits(self.March)
            a_march = {key[1]: codes for key, codes in march.items() if key[0] == self.unit_a.id}
            self.assertEqual(sum("dispatches" in codes for codes in a_march.values()), 10)
            self.assertEqual(sum("rejected" in codes for codes in a_march.values()), 1)  # c8
            self.assertEqual(sum("redone" in codes for codes in a_march.values()), 1)  # c4's first result
            self.assertEqual(sorted(self.kpi.dispatch_ids("rejected", *self.March, self.unit_a)),
                             sorted(key for key, codes in a_march.items() if "rejected" in codes))
        self.assertFactsExact()

    def test_transitions_on_closed_days(self):
        ua, ag = self.unit_user_a, self.agent
        due_before = self._stored(self.unit_a, *self.March, "handled_on_time")
        # c5, signed for on 10 March and never submitted (due 12 March 10:00), is submitted late on 13 March
        self._do(self.c5, "2020-03-13 09:00", ua, "action_submit", note="已处理。")
        self.assertEqual(self._stored(self.unit_a, *self.March, "handled_on_time"), due_before)
        self.assertEqual(self._stored(self.unit_a, date(2020, 3, 12), date(2020, 3, 12), "overdue"), 1)
        self.assertFactsExact()
        # c10's callback on 22 March: the review approval of 21 March now has its callback
        before = self._stored(self.unit_a, date(2020, 3, 21), date(2020, 3, 21), "callbacks_done")
        self._do(self.c10, "2020-03-22 10:00", ag, "action_callback_done", "satisfied", "满意。")
        self.assertEqual(self._stored(self.unit_a, date(2020, 3, 21), date(2020, 3, 21), "callbacks_done"),
                         before + 1)
        self.assertFactsExact()
        # c3's return (dispatched 6 March, a closed day) ruled improper in May: the stored day follows
        line = self.c3.log_ids.filtered(lambda log: log.action == "return")
        with self.at("2020-05-02 09:00"):
            line.with_user(self.dispatcher).action_rule_return("improper", "退单理由不成立。")
        self.assertEqual(self._stored(self.unit_a, date(2020, 3, 6), date(2020, 3, 6), "returned_improper"), 1)
        self.assertFactsExact()
        # c5's late result rejected at review on 14 March: a rejection of unit A on that day
        self._do(self.c5, "2020-03-14 09:00", self.reviewer, "action_review_reject", note="未附现场照片。")
        self.assertEqual(self._stored(self.unit_a, date(2020, 3, 14), date(2020, 3, 14), "rejected"), 1)
        self.assertFactsExact()
        # sent to unit B on 15 March and handled there: A's figures of c5 stay A's, B gets its own dispatch
        a_before = self._stored(self.unit_a, *self.March, "dispatches")
        self._dispatch_at(self.c5, self.unit_b, "2020-03-15 09:00")
        self._do(self.c5, "2020-03-15 10:00", self.unit_user_b, "action_accept")
        self.assertEqual(self._stored(self.unit_a, *self.March, "dispatches"), a_before)
        self.assertEqual(self._stored(self.unit_b, date(2020, 3, 15), date(2020, 3, 15), "signed"), 1)
        self.assertFactsExact()

    def test_publication_from_facts_is_frozen(self):
        """Publishing March reads the stored days and freezes the same dispatches as the log gives; a later
        transition dated on a closed day of March changes the stored facts (as the log) but not the version."""
        reviewer = self.reviewer

        def publish(base=False):
            with self.at("2020-05-02 10:00"):
                assessment = self.env["hotline.assessment"].with_user(reviewer).with_context(
                    hotline_kpi_base=base).create({"date_from": self.March[0], "date_to": self.March[1]})
                assessment.action_publish()
            return assessment.publication_ids

        def items(publication):
            return sorted((item.unit_id.id, item.dispatch_id, item.case_id.id, item.codes)
                          for item in publication.sudo().result_ids.item_ids)

        published = publish()
        frozen = items(published)
        self.assertEqual(frozen, items(publish(base=True)))
        self.assertEqual(sum(" dispatches " in codes for unit, _d, _c, codes in frozen if unit == self.unit_a.id), 10)
        # c5 (signed for 10 March, overdue since 12 March) submitted late on 13 March: a submission of A
        c5_codes = [codes for _u, _d, case, codes in frozen if case == self.c5.id]
        self.assertNotIn(" submitted ", c5_codes[0])
        self._do(self.c5, "2020-03-13 09:00", self.unit_user_a, "action_submit", note="已处理。")
        self.assertIn("submitted", self._stored_hits(self.unit_a, date(2020, 3, 13))[self.c5.id])
        self.assertFactsExact()
        self.assertEqual(items(published), frozen)
        self.assertNotEqual(items(publish()), frozen)
