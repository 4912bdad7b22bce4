import importlib.util
from pathlib import Path

from odoo import Command
from odoo.tests import tagged

from .common import HotlineReportsCommon

MIGRATION = Path(__file__).resolve().parents[1] / "migrations" / "19.0.1.1.0" / "post-migrate.py"


def load_migration():
    spec = importlib.util.spec_from_file_location("hotline_reports_post_migrate_19_0_1_1_0", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestDeductionDetail(HotlineReportsCommon):
    """综合考核's deduction detail is stored as facts and written in the reader's language. March of the common
    fixture: unit A has one overdue case (0.5 a case, cap 5) and one 重办 (1 a case, cap 5)."""

    EN = "Overdue Cases: 1 × 0.5 = 0.5 (cap 5)\nRedone: 1 × 1 = 1 (cap 5)"
    ZH = "超期件数：1 × 0.5 = 0.5（封顶 5）\n重办：1 × 1 = 1（封顶 5）"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["hotline_reports"], ["zh_CN"], overwrite=True)
        cls.manager.lang = "zh_CN"
        cls.unit_user_a.lang = "zh_CN"
        cls.reviewer.lang = "en_US"

    def setUp(self):
        super().setUp()
        self._build_march()
        self.assessment = self.env["hotline.assessment"].with_user(self.reviewer).create({
            "scheme_id": self.env.ref("hotline_reports.assessment_scheme_default").id,
            "date_from": self.March[0], "date_to": self.March[1],
            "unit_ids": [Command.set([self.unit_a.id, self.unit_b.id])]})
        with self.at("2020-04-15 10:00"):
            self.assessment.action_publish()
        self.result = self.assessment.result_ids.filtered(lambda r: r.unit_id == self.unit_a)
        self.published = self.assessment.publication_ids.result_ids.filtered(lambda r: r.unit_id == self.unit_a)

    def _read(self, record, user):
        # as the web client reads: the user's own language in the context
        record = record.with_user(user).with_context(lang=user.lang)
        record.invalidate_recordset()
        return record.read(["deduction", "deduction_detail"])[0]

    def test_facts_stored_detail_per_reader(self):
        self.assertEqual(self.result.deduction_facts, [
            {"kind": "overdue_count", "count": 1, "points": 0.5, "cap": 5.0, "deducted": 0.5},
            {"kind": "redone", "count": 1, "points": 1.0, "cap": 5.0, "deducted": 1.0}])
        self.assertEqual(self.published.deduction_facts, self.result.deduction_facts)
        for record in (self.result, self.published):
            self.assertEqual(self._read(record, self.reviewer), {"id": record.id, "deduction": 1.5,
                                                                 "deduction_detail": self.EN})
            self.assertEqual(self._read(record, self.manager), {"id": record.id, "deduction": 1.5,
                                                                "deduction_detail": self.ZH})
        # the unit reads its own published row in Chinese too
        self.assertEqual(self._read(self.published, self.unit_user_a)["deduction_detail"], self.ZH)
        # no deduction, no detail
        other = self.assessment.result_ids - self.result
        self.assertFalse(self._read(other, self.manager)["deduction_detail"])

    def test_scheme_edited_later_changes_no_published_detail(self):
        """The facts are frozen: raising the scheme's points after publication changes neither the published
        deduction nor its detail."""
        self.env.ref("hotline_reports.assessment_scheme_deduction_overdue").points = 2
        self.assertEqual(self._read(self.published, self.manager)["deduction_detail"], self.ZH)
        self.assertEqual(self.published.deduction, 1.5)

    def test_migration_reads_stored_text_back(self):
        """Rows computed before the facts: their English or Chinese text is read back into facts, a text that
        cannot be read is shown as it was; published rows get their facts from their frozen figures and scheme."""
        migration = load_migration()
        kinds = migration._kinds(self.env)
        self.assertEqual(migration.parse("Overdue Case (超期): 3 × 0.5 = 1.5 (cap 5)\n"
                                         "Redone after the Callback (重办): 1 × 1 = 1 (cap 5)", kinds),
                         [{"kind": "overdue_count", "count": 3, "points": 0.5, "cap": 5.0, "deducted": 1.5},
                          {"kind": "redone", "count": 1, "points": 1.0, "cap": 5.0, "deducted": 1.0}])
        self.assertEqual(migration.parse("不当退单：7 × 1 = 5（封顶 5）", kinds),
                         [{"kind": "returned_improper", "count": 7, "points": 1.0, "cap": 5.0, "deducted": 5.0}])
        self.assertIsNone(migration.parse("Overdue: three", kinds))
        other = self.assessment.result_ids - self.result
        self.result.write({"deduction_facts": False,
                           "deduction_legacy": "Overdue Case (超期): 1 × 0.5 = 0.5 (cap 5)\n"
                                               "Redone after the Callback (重办): 1 × 1 = 1 (cap 5)"})
        other.write({"deduction_legacy": "hand-written note"})
        self.published.sudo().deduction_facts = False
        self.assertEqual(self._read(self.published, self.manager)["deduction_detail"], False)
        migration.migrate(self.env.cr, "19.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(self._read(self.result, self.manager)["deduction_detail"], self.ZH)
        self.assertFalse(self.result.deduction_legacy)
        self.assertEqual(self._read(other, self.manager)["deduction_detail"], "hand-written note")
        self.assertEqual(self._read(self.published, self.manager)["deduction_detail"], self.ZH)
        self.assertEqual(self._read(self.published, self.reviewer)["deduction_detail"], self.EN)
        self.assertEqual(self.published.deduction, 1.5)

    def test_published_formula_per_reader(self):
        """The published formula is written from the scheme as published, in each reader's language; a scheme
        edited since changes it not."""
        publication = self.assessment.publication_ids
        self.env.ref("hotline_reports.assessment_scheme_deduction_overdue").points = 2
        en = publication.with_user(self.reviewer).with_context(lang="en_US").formula
        zh = publication.with_user(self.unit_user_a).with_context(lang="zh_CN").formula
        self.assertTrue(en.startswith("Score = max(0, "), en)
        self.assertIn("min(5, 0.5 × ", en)
        self.assertTrue(zh.startswith("得分 = max(0, "), zh)
        self.assertIn("min(5, 0.5 × 超期", zh)
        self.assertNotIn("Score", zh)
