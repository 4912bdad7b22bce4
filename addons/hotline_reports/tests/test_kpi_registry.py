"""The registry (kpi/case_indicators.py) is the one source of every case indicator's label and formula: the
screens, the files, the scheme, the Chinese terms and USAGE.md's table all agree with it."""
import re
from pathlib import Path

import polib
from lxml import etree

from odoo.tests import BaseCase, TransactionCase, tagged

from ..kpi.case_indicators import BY_CODE, INDICATORS, SCORED_RATES, markdown_table, of_kind
from ..kpi.cases import COUNT_KEYS, DISPATCH_MEASURES, HOLDING, HOUR_MEASURES, RATES
from ..models.hotline_assessment_publication import FIGURE_CODES

ADDON = Path(__file__).resolve().parent.parent


class TestRegistryShape(BaseCase):
    def test_each_indicator_once_and_complete(self):
        codes = [indicator.code for indicator in INDICATORS]
        self.assertEqual(len(codes), len(set(codes)))
        self.assertEqual(len({i.key for i in INDICATORS}), len(codes))
        for indicator in INDICATORS:
            with self.subTest(indicator.code):
                self.assertTrue(indicator.label and indicator.zh and indicator.formula)
                self.assertIn(indicator.kind, ("count", "rate", "hours", "score", "holding"))
                self.assertIn(indicator.direction, ("", "up", "down"))
        # a rate divides two counts placed by the same date: its numerator is part of its denominator
        # (or the denominator's date is the numerator's for its dispatches: a return comes before any result, so a
        # returned dispatch's settled_at is its returned_at; an approved result's reviewed_at is its approved_at)
        implied = {("returned_at", "settled_at"), ("approved_at", "reviewed_at")}
        for rate, (num, den) in RATES.items():
            dates = (DISPATCH_MEASURES[num][0], DISPATCH_MEASURES[den][0])
            self.assertTrue(dates[0] == dates[1] or dates in implied, (rate, dates))
        self.assertEqual(set(COUNT_KEYS), {i.code for i in of_kind("count")})
        self.assertEqual(set(HOLDING), {i.code for i in of_kind("holding")})
        self.assertEqual(set(HOUR_MEASURES), {key for i in of_kind("hours") for key in i.sums})

    def test_usage_table_is_the_registry(self):
        usage = (ADDON / "readme" / "USAGE.md").read_text(encoding="utf-8")
        found = re.search(r"<!-- kpi-table:start -->\n(.*?)\n<!-- kpi-table:end -->", usage, re.S)
        self.assertTrue(found, "USAGE.md has no generated KPI table")
        self.assertEqual(found.group(1), markdown_table(),
                         "USAGE.md's KPI table differs from the registry: paste kpi.case_indicators.markdown_table()")

    def test_chinese_labels_are_the_translations(self):
        """zh_CN.po translates each label into the registry's Chinese label, for every place it is used."""
        po = polib.pofile(str(ADDON / "i18n" / "zh_CN.po"))
        entries = {entry.msgid: entry for entry in po}
        for indicator in INDICATORS:
            with self.subTest(indicator.code):
                entry = entries.get(indicator.label)
                self.assertTrue(entry, f"{indicator.label} is not in zh_CN.po")
                self.assertEqual(entry.msgstr, indicator.zh)
                refs = {ref for ref, _line in entry.occurrences}
                self.assertIn("hotline_reports.field_hotline_assessment_result__" + indicator.key,
                              {ref.split(":", 2)[-1] for ref in refs if ref.startswith("model:ir.model.fields,")})
                help_entry = entries.get(indicator.formula)
                self.assertTrue(help_entry and help_entry.msgstr, f"the formula of {indicator.code} has no zh_CN")


@tagged("post_install", "-at_install")
class TestRegistryEverywhere(TransactionCase):
    def test_views_results_and_files(self):
        env = self.env(context={"lang": "en_US"})
        view = env["hotline.report.case.unit"]
        counts = {name for name, field in view._fields.items() if field.type == "integer" and name != "id"}
        self.assertEqual(counts, set(COUNT_KEYS), "the unit statistics view has one column per count")
        for indicator in of_kind("count"):
            field = view._fields[indicator.code]
            self.assertEqual((field.string, field.help), (indicator.label, indicator.formula), indicator.code)
        results = env["hotline.assessment.result"]
        self.assertEqual(results._figure_fields(), [i.key for i in INDICATORS])
        for indicator in INDICATORS:
            field = results._fields[indicator.key]
            self.assertEqual((field.string, field.help), (indicator.label, indicator.formula), indicator.code)
        self.assertEqual(FIGURE_CODES, [(i.key, i.label) for i in INDICATORS])
        # the scheme scores the rates where higher is better; each deduction counts a figure where lower is
        indicator = env["hotline.assessment.scheme.line"]._fields["indicator"]
        self.assertEqual(indicator.selection, [(i.code, i.label) for i in SCORED_RATES])
        kinds = [key for key, _label in env["hotline.assessment.scheme.deduction"]._fields["kind"].selection]
        by_key = {i.key: i for i in INDICATORS}
        self.assertTrue(all(by_key[kind].direction == "down" for kind in kinds), kinds)
        line = env["hotline.assessment.scheme.line"].new({"indicator": "satisfaction_rate"})
        self.assertEqual((line.formula, line.direction), (BY_CODE["satisfaction_rate"].formula, "up"))
        # the XLSX: one column per indicator, in the registry's order, with its label
        export = env["hotline.report.export"].new({"report": "unit"})
        columns = export._unit_columns()[1:]
        self.assertEqual([(c.key, c.label) for c in columns], [(i.key, i.label) for i in INDICATORS])

    def test_list_view_shows_every_count(self):
        arch = self.env["hotline.report.case.unit"].get_view(view_type="list")["arch"]
        shown = {node.get("name") for node in etree.fromstring(arch).iter("field")}
        self.assertLessEqual(set(COUNT_KEYS), shown)

    def test_chinese_screens(self):
        """In Chinese, the result's fields and the XLSX headers read the registry's Chinese labels."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_reports"], ["zh_CN"], overwrite=True)
        env = self.env(context={"lang": "zh_CN"})
        results = env["hotline.assessment.result"]
        for indicator in INDICATORS:
            self.assertEqual(results._fields[indicator.key].get_description(env)["string"], indicator.zh,
                             indicator.code)
        columns = env["hotline.report.export"].new({"report": "unit"})._unit_columns()[1:]
        self.assertEqual([c.label for c in columns], [i.zh for i in INDICATORS])
