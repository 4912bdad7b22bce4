from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import HotlineCaseCommon


@tagged("post_install", "-at_install")
class TestCaseAccess(HotlineCaseCommon):

    def test_unit_sees_only_its_dispatched_cases(self):
        case_a = self._dispatched_case(unit=self.unit_a)
        case_b = self._dispatched_case(unit=self.unit_b, caller_phone="13900000000", caller_name="王女士")
        draft_a = self._new_case(unit_id=self.unit_a.id)
        Case = self.env["hotline.case"]
        found_a = Case.with_user(self.unit_user_a).search([("id", "in", (case_a | case_b | draft_a).ids)])
        self.assertEqual(found_a, case_a, "a unit sees its dispatched cases, neither drafts nor other units'")
        found_b = Case.with_user(self.unit_user_b).search([("id", "in", (case_a | case_b).ids)])
        self.assertEqual(found_b, case_b)
        with self.assertRaises(AccessError):
            case_b.with_user(self.unit_user_a).read(["name"])
        with self.assertRaises(AccessError):
            case_b.with_user(self.unit_user_a).write({"result_note": "越权"})
        with self.assertRaises(AccessError):
            draft_a.with_user(self.unit_user_a).read(["name"])
        with self.assertRaises(AccessError):
            Case.with_user(self.unit_user_a).create({"description": "单位不能受理"})

    def test_returned_case_read_only_for_the_unit(self):
        case = self._processing_case()
        case.with_user(self.unit_user_a).action_return(reason="非我单位职责")
        # returned: the case is the center's again; the unit keeps reading what it handled, never writes it
        self.assertEqual(case.with_user(self.unit_user_a).read(["state"])[0]["state"], "pool")
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_a).write({"result_note": "x"})
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_b).read(["state"])
        # its log lines stay readable to the unit (durations, return rate)
        self.assertTrue(self.env["hotline.case.log"].with_user(self.unit_user_a).search([("case_id", "=", case.id)]))

    def test_closed_case_not_writable_by_unit(self):
        case = self._callback_case()
        case.with_user(self.unit_user_a).read(["name"])
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_a).write({"result_note": "事后修改"})

    def test_membership_change_applies(self):
        case = self._dispatched_case(unit=self.unit_b)
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_a).read(["name"])
        self.unit_b.member_ids = [(4, self.unit_user_a.id)]
        self.assertEqual(case.with_user(self.unit_user_a).read(["name"])[0]["name"], case.name)

    def test_center_roles_see_all(self):
        case = self._dispatched_case(unit=self.unit_b)
        for user in (self.agent, self.dispatcher, self.reviewer, self.manager):
            self.assertEqual(self.env["hotline.case"].with_user(user).search([("id", "=", case.id)]), case)

    def test_caller_fields_hidden_from_units(self):
        case = self._dispatched_case(caller_name="赵先生", caller_phone="13712345678")
        as_unit = case.with_user(self.unit_user_a)
        for field in ("caller_phone", "caller_name", "partner_id"):
            with self.assertRaises(AccessError):
                as_unit.read([field])
        values = as_unit.read(["unit_caller_name", "unit_caller_phone"])[0]
        self.assertEqual((values["unit_caller_name"], values["unit_caller_phone"]), ("赵先生", "13712345678"))
        self.assertNotIn("caller_phone", as_unit.fields_get(attributes=["type"]))
        # the whole-record read a unit's client does never carries the caller fields
        self.assertNotIn("caller_phone", as_unit.read()[0])

    def test_confidential_caller_masked(self):
        case = self._dispatched_case(caller_name="孙女士", caller_phone="13612345678", confidential=True)
        values = case.with_user(self.unit_user_a).read()[0]
        self.assertNotIn("孙女士", str(values))
        self.assertNotIn("13612345678", str(values))
        self.assertEqual(values["unit_caller_name"], "保密" if self.env.lang == "zh_CN" else "Confidential")
        # chatter of the case does not leak it either
        self.assertNotIn("13612345678", str(case.message_ids.mapped("body")))
        # the center still sees the caller
        self.assertEqual(case.with_user(self.agent).caller_name, "孙女士")

    def test_agent_cannot_review_or_manage(self):
        case = self._submitted_case()
        with self.assertRaises(AccessError):
            case.with_user(self.agent).action_review_approve()
        with self.assertRaises(AccessError):
            case.with_user(self.agent).action_urge()
        with self.assertRaises(AccessError):
            self.env["hotline.category"].with_user(self.agent).create({"name": "新分类"})
        with self.assertRaises(AccessError):
            self.cat_road.with_user(self.dispatcher).write({"name": "改名"})
        with self.assertRaises(AccessError):
            self.unit_a.with_user(self.reviewer).write({"name": "改名"})
        with self.assertRaises(AccessError):
            case.with_user(self.reviewer).unlink()

    def test_manager_edits_base_data(self):
        category = self.env["hotline.category"].with_user(self.manager).create({
            "name": "漏水", "parent_id": self.cat_water.id,
        })
        self.assertEqual(category.complete_name, "供水 / 漏水")
        self.unit_a.with_user(self.manager).phone = "0571-88888888"
        self.env["hotline.deadline.rule"].with_user(self.manager).create({
            "category_id": category.id, "sign_hours": 2, "finish_amount": 24, "finish_unit": "hours",
        })

    def test_manager_deletes_only_draft_or_cancelled(self):
        case = self._dispatched_case()
        with self.assertRaises(UserError):
            case.with_user(self.manager).unlink()
        draft = self._new_case()
        draft.with_user(self.manager).unlink()
        self.assertFalse(draft.exists())

    def test_unit_user_reads_base_data(self):
        self.assertTrue(self.env["hotline.category"].with_user(self.unit_user_a).search([]))
        with self.assertRaises(AccessError):
            self.env["hotline.unit"].with_user(self.unit_user_a).create({"name": "x", "code": "x"})
