from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import HotlineCaseCommon


@tagged("post_install", "-at_install")
class TestCasePhone(HotlineCaseCommon):

    def test_normalize_table(self):
        normalize = self.env.company._hotline_normalize_phone
        table = {
            "13812345678": "13812345678",
            "138 1234 5678": "13812345678",
            "138-1234-5678": "13812345678",
            "+86 138 1234 5678": "13812345678",
            "+8613812345678": "13812345678",
            "0086 13812345678": "13812345678",
            "8613812345678": "13812345678",
            "19912345678": "19912345678",
            "010-12345678": "010-12345678",
            "01012345678": "010-12345678",
            "(010) 1234 5678": "010-12345678",
            "0571 8888 8888": "0571-88888888",
            "0571-8888888": "0571-8888888",
            "020-87654321": "020-87654321",
            "+86 571 8888 8888": "0571-88888888",
            "0086-10-12345678": "010-12345678",
            "400 123 4567": "4001234567",
            " 12345 ": "12345",
            "１３８１２３４５６７８": "13812345678",
            "＋８６ 138－1234－5678": "13812345678",
            "（０５７１）８８８８８８８８": "0571-88888888",
        }
        for raw, expected in table.items():
            with self.subTest(raw=raw):
                self.assertEqual(normalize(raw), expected)

    def test_normalize_garbage(self):
        normalize = self.env.company._hotline_normalize_phone
        for raw in ("", "abc", "12345678901", "1381234567", "138123456789", "0571-123", "88888888",
                    "+1 212 555 0100", "138-1234-567x", "00000000000"):
            with self.subTest(raw=raw), self.assertRaises(UserError):
                normalize(raw)

    def test_default_area_code(self):
        self.env.company.hotline_default_area_code = "0571"
        self.assertEqual(self.env.company._hotline_normalize_phone("8888 8888"), "0571-88888888")

    def test_create_refuses_garbage(self):
        with self.assertRaises(UserError):
            self._new_case(caller_phone="不是号码")

    def test_partner_lookup(self):
        partner = self.env["res.partner"].create({"name": "刘大爷", "phone": "+86 139-0000-1111",
                                                  "street": "解放路88号"})
        self.assertEqual(partner.hotline_phone_norm, "13900001111")
        self.assertEqual(self.env["res.partner"]._hotline_find_by_phone("139 0000 1111"), partner)
        self.assertFalse(self.env["res.partner"]._hotline_find_by_phone("13900002222"))
        # a partner with an unparseable phone is simply not indexed
        odd = self.env["res.partner"].create({"name": "怪号码", "phone": "ext. 12"})
        self.assertFalse(odd.hotline_phone_norm)

    def test_onchange_fills_caller_and_repeat_flag(self):
        partner = self.env["res.partner"].create({"name": "刘大爷", "phone": "13900001111", "street": "解放路88号"})
        first = self._new_case(caller_phone="13900001111", caller_name=False)
        self.assertEqual(first.partner_id, partner)
        self.assertEqual(first.caller_name, "刘大爷")
        self.assertFalse(first.repeat_caller)

        Case = self.env["hotline.case"].with_user(self.agent)
        new = Case.new({"caller_phone": "139 0000 1111"})
        new._onchange_caller_phone()
        self.assertEqual(new.caller_phone, "13900001111")
        self.assertEqual(new.partner_id, partner)
        self.assertEqual(new.caller_name, "刘大爷")
        self.assertEqual(new.address, "解放路88号")
        self.assertTrue(new.repeat_caller)
        self.assertEqual(new.caller_case_count, 1)
        self.assertEqual(new.caller_case_ids._origin, first)

    def test_onchange_garbage_warns(self):
        new = self.env["hotline.case"].with_user(self.agent).new({"caller_phone": "hello"})
        result = new._onchange_caller_phone()
        self.assertIn("warning", result)

    def test_routing_suggestion(self):
        Case = self.env["hotline.case"].with_user(self.agent)
        new = Case.new({"category_id": self.cat_no_water.id, "district_id": self.district.id})
        self.assertEqual(new.suggested_unit_id, self.unit_a, "the deepest category's rule wins")
        new._onchange_suggested_unit()
        self.assertEqual(new.unit_id, self.unit_a)
        road = Case.new({"category_id": self.cat_road.id, "district_id": self.district.id})
        self.assertEqual(road.suggested_unit_id, self.unit_b)
        road2 = Case.new({"category_id": self.cat_road.id, "district_id": self.district2.id})
        self.assertEqual(road2.suggested_unit_id, self.unit_a, "a district rule beats the generic rule")
        self.assertFalse(Case.new({}).suggested_unit_id)
