from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCaseIndexes(TransactionCase):
    """The index the large-table study chose (bench/README.md, "Large tables"): open cases in list order."""

    def _plan(self, states):
        """The plan of a list of these states in the model's order, ordered index scans only (the choice
        PostgreSQL makes on a large table, where a sort or a sequential scan of 10M rows loses)."""
        self.env.cr.execute("ANALYZE hotline_case")
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_incremental_sort",
                        "enable_indexonlyscan"):
            self.env.cr.execute(f"SET LOCAL {setting} = off")
        self.env.cr.execute(f"""
            EXPLAIN SELECT id, name FROM hotline_case WHERE state = ANY(%s)
             ORDER BY {self.env["hotline.case"]._order} LIMIT 80
        """, [states])  # noqa: S608 - the model's own order
        return "\n".join(row[0] for row in self.env.cr.fetchall())

    def test_open_lists_read_the_open_cases_only(self):
        # a unit's lists of work in progress: PostgreSQL proves the filter implies the index's predicate
        # (a single state has its own index, hotline_case_state_date_idx)
        for states in (["dispatched", "processing"], ["submitted", "callback"], ["draft", "pool", "dispatched"]):
            self.assertIn("hotline_case_open_date_idx", self._plan(states), states)

    def test_closed_cases_are_not_in_it(self):
        # a list that includes closed cases cannot use it: they are not in the index
        self.assertNotIn("hotline_case_open_date_idx", self._plan(["closed", "processing"]))
        self.assertNotIn("hotline_case_open_date_idx", self._plan(["cancelled"]))
