from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestKnowledgeHealth(TransactionCase):
    def row(self):
        (row,) = self.env["hotline.health.check"]._probe_knowledge_search()
        return row

    def test_green_when_a_chinese_word_gives_its_bigrams(self):
        row = self.row()
        self.assertEqual(row["state"], "green", row["fact"])
        for term in ("燃气", "气过", "过户"):
            self.assertIn(term, row["fact"])

    def test_red_when_the_database_splits_chinese_otherwise(self):
        # as a database whose character type cuts every character apart: one term per character
        self.env.cr.execute("""CREATE OR REPLACE FUNCTION hotline_knowledge_bigrams(doc text) RETURNS text
                               LANGUAGE sql IMMUTABLE AS $$ SELECT regexp_replace(doc, '(.)', '\\1 ', 'g') $$""")
        row = self.row()
        self.assertEqual(row["state"], "red")
        self.assertIn("Chinese search finds nothing", row["fact"])
        self.env.cr.execute("DROP FUNCTION hotline_knowledge_bigrams(text)")
        with mute_logger("odoo.sql_db"):
            row = self.row()
        self.assertEqual(row["state"], "red", "no search function at all")
        self.assertIn("does not exist", row["fact"])

    def test_amber_without_an_index(self):
        self.env.cr.execute("DROP INDEX hotline_case_knowledge_vector_idx")
        row = self.row()
        self.assertEqual(row["state"], "amber")
        self.assertIn("1 of 2", row["fact"])
