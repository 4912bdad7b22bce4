"""An export shaped unlike the product's own generator, as a C#/SQL Server system dumps it: pinyin column
names, numeric state and step codes, the unit named on the unit's own steps only, a departed staff number,
a case returned and dispatched again, a CTI number with the trunk 0, GBK and UTF-8-with-BOM files.

The same history is driven through the workflow beside it: the import must add to 单位统计分析 exactly
what the workflow's cases give, and its cases and log lines must read as the workflow wrote them."""

import csv
import tempfile
from datetime import date, timedelta
from pathlib import Path

from odoo.addons.hotline_reports.kpi.cases import COUNT_KEYS, HOLDING
from odoo.addons.hotline_reports.tests.common import HotlineReportsCommon
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tests import tagged

from ..importer import Importer
from ..tools.deadlines import DeadlinePlanner
from ..tools.mapping import Mapping
from ..tools.sources import CsvFolder

MAY = (date(2020, 5, 1), date(2020, 5, 31))
READ_AT = "2020-06-15 10:00"

MAPPING = """\
[source]
name = "老系统（SQL Server 导出）"
timezone = "Asia/Shanghai"
date_formats = ["%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S"]
agent_login_prefix = "old_"

[entities.units]
table = "danwei"
columns = { id = ["DanWeiBianMa"], name = ["DanWeiMingCheng"] }

[entities.agents]
table = "renyuan"
columns = { id = ["GongHao"], name = ["XingMing"], active = ["ZaiZhi"] }

[entities.cases]
table = "gongdan"
[entities.cases.columns]
id = ["GongDanHao"]
received = ["ShouLiShiJian"]
phone = ["LaiDianHaoMa"]
caller_name = ["LaiDianRen"]
description = ["NeiRong"]
address = ["DiZhi"]
state = ["ZhuangTai"]
unit = ["ChengBanDanWei"]
agent = ["ShouLiGongHao"]
satisfaction = ["ManYiDu"]
deadline = ["BanLiQiXian"]
closed = ["BanJieShiJian"]

[entities.logs]
table = "liuzhuan"
[entities.logs.columns]
id = ["LiuZhuanHao"]
case = ["GongDanHao"]
action = ["CaoZuo"]
from_state = ["YuanZhuangTai"]
to_state = ["XinZhuangTai"]
user = ["CaoZuoRen"]
unit = ["DanWei"]
date = ["CaoZuoShiJian"]
note = ["YiJian"]

[entities.attachments]
table = "fujian"
columns = { id = ["FuJianHao"], case = ["GongDanHao"], path = ["LuJing"], name = ["MingCheng"] }

[entities.calls]
table = "huawu"
[entities.calls.columns]
id = ["HuaWuHao"]
caller_number = ["ZhuJiao"]
called_number = ["BeiJiao"]
agent = ["GongHao"]
enter = ["KaiShi"]
answer = ["JieTong"]
end = ["JieShu"]
talk = ["TongHuaMiao"]
outcome = ["JieGuo"]
case = ["GongDanHao"]

[codes.state]
"1" = "draft"
"2" = "pool"
"3" = "dispatched"
"4" = "processing"
"5" = "submitted"
"6" = "callback"
"7" = "closed"

[codes.action]
"10" = ""
"15" = "close_on_call"
"30" = "dispatch"
"31" = "self_dispatch"
"40" = "accept"
"45" = "request_extension"
"46" = "approve_extension"
"50" = "return"
"60" = "submit"
"70" = "review_approve"
"80" = "callback_done"

[codes.satisfaction]
"2" = "satisfied"
"4" = "dissatisfied"

[codes.outcome]
"1" = "answered"

[codes.unit]
DWA = "T_UA"
DWB = "T_UB"
"""

UNITS = [["DanWeiBianMa", "DanWeiMingCheng"], ["DWA", "临江市自来水公司"], ["DWB", "临江市市政道路处"]]
# 8003 left: not in the staff table, yet on two steps and a call
STAFF = [["GongHao", "XingMing", "ZaiZhi"], ["8001", "张丽", "1"], ["8002", "李强", "1"]]
CASES = [
    ["GongDanHao", "ShouLiShiJian", "LaiDianHaoMa", "LaiDianRen", "NeiRong", "DiZhi", "ZhuangTai",
     "ChengBanDanWei", "ShouLiGongHao", "ManYiDu", "BanLiQiXian", "BanJieShiJian"],
    # no caller name; the phone's contact comes with a later row
    ["L4", "2020-05-03 10:00", "13003917436", "", "咨询停水时间。", "和平路3号", "7", "", "8001", "", "",
     "2020-05-03 10:05"],
    ["L1", "2020-05-04 08:50", "13003917436", "王女士", "小区停水两天，无人通知。", "和平路1号", "7", "DWB", "8001",
     "2", "2020-05-07 09:00", "2020/05/06 10:00:00"],
    ["L2", "2020/05/06 08:50:00", "0371-66001234", "赵先生", "路面塌陷。", "建设路8号", "7", "DWA", "8001", "4",
     "2020-05-08 09:00", "2020-05-11 11:00"],
    ["L2", "2020/05/06 08:50:00", "0371-66001234", "赵先生", "路面塌陷。", "建设路8号", "7", "DWA", "8001", "4",
     "2020-05-08 09:00", "2020-05-11 11:00"],  # the export's duplicate row
    # still open; its deadline, extended by a working day, ran out long ago
    ["L3", "2020-05-07 08:50", "13912345678", "孙先生", "井盖缺失。", "人民路2号", "4", "DWB", "8001", "",
     "2020-05-11 17:00", ""],
    ["L5", "2020-05-07 11:00", "电话不详", "钱女士", "噪音扰民。", "人民路5号", "7", "", "8001", "", "",
     "2020-05-07 11:05"],
]
# the unit named on the unit's own steps only (sign for, return, submit)
LOGS = [
    ["LiuZhuanHao", "GongDanHao", "CaoZuo", "YuanZhuangTai", "XinZhuangTai", "CaoZuoRen", "DanWei",
     "CaoZuoShiJian", "YiJian"],
    ["1", "L4", "10", "", "1", "8001", "", "2020-05-03 10:00", ""],
    ["2", "L4", "15", "1", "7", "8001", "", "2020-05-03 10:05", "已告知恢复时间。"],
    ["3", "L1", "10", "", "1", "8001", "", "2020-05-04 08:50", ""],
    ["4", "L1", "31", "1", "3", "8001", "", "2020-05-04 09:00", ""],
    ["5", "L1", "50", "3", "2", "8002", "DWA", "2020-05-04 09:30", "非本单位职责。"],
    ["6", "L1", "30", "2", "3", "8001", "", "2020-05-05 09:00", ""],
    ["7", "L1", "40", "3", "4", "8002", "DWB", "2020-05-05 10:00", ""],
    ["8", "L1", "60", "4", "5", "8002", "DWB", "2020-05-05 15:00", "已处理完毕。"],
    ["9", "L1", "70", "5", "6", "8001", "", "2020-05-05 16:00", ""],
    ["10", "L1", "80", "6", "7", "8001", "", "2020/05/06 10:00:00", "市民已评价。"],
    ["11", "L2", "10", "", "1", "8001", "", "2020-05-06 08:50", ""],
    ["12", "L2", "31", "1", "3", "8001", "", "2020-05-06 09:00", ""],
    ["13", "L2", "40", "3", "4", "8003", "DWA", "2020-05-08 09:00", ""],
    ["14", "L2", "60", "4", "5", "8003", "DWA", "2020-05-11 09:00", "已处理。"],
    ["15", "L2", "70", "5", "6", "8001", "", "2020-05-11 10:00", ""],
    ["16", "L2", "80", "6", "7", "8001", "", "2020-05-11 11:00", "市民不满意。"],
    ["17", "L3", "10", "", "1", "8001", "", "2020-05-07 08:50", ""],
    ["18", "L3", "31", "1", "3", "8001", "", "2020-05-07 09:00", ""],
    ["19", "L3", "40", "3", "4", "8002", "DWB", "2020-05-07 09:30", ""],
    ["20", "L3", "45", "4", "4", "8002", "DWB", "2020-05-07 10:00", "需协调。"],
    ["21", "L3", "46", "4", "4", "8001", "", "2020-05-07 11:00", ""],
]
FILES = [["FuJianHao", "GongDanHao", "LuJing", "MingCheng"], ["F1", "L1", "fj\\l1.txt", "现场说明.txt"],
         ["F3", "L3", "fj\\l3.txt", "井盖位置.txt"]]
CALLS = [
    ["HuaWuHao", "ZhuJiao", "BeiJiao", "GongHao", "KaiShi", "JieTong", "JieShu", "TongHuaMiao", "JieGuo",
     "GongDanHao"],
    # the switch's trunk 0 before the mobile; taken by the departed 8003
    ["H1", "013003917436", "12319", "8003", "2020-05-04 08:45", "2020-05-04 08:45", "2020-05-04 08:47", "120", "1",
     "L1"],
    ["H2", "13912345678", "12319", "8001", "2020-05-07 08:40", "2020-05-07 08:40", "2020-05-07 08:45", "300", "1",
     "L3"],
]


def write_export(folder, logs=LOGS):
    folder.mkdir(parents=True)
    for name, rows, encoding in (("danwei", UNITS, "utf-8-sig"), ("renyuan", STAFF, "utf-8-sig"),
                                 ("gongdan", CASES, "gbk"), ("liuzhuan", logs, "gbk"),
                                 ("fujian", FILES, "utf-8"), ("huawu", CALLS, "utf-8-sig")):
        with open(folder / f"{name}.csv", "w", encoding=encoding, newline="") as handle:
            csv.writer(handle, lineterminator="\r\n").writerows(rows)
    (folder / "fj").mkdir()
    (folder / "fj" / "l1.txt").write_text("水表井旁漏水。", encoding="utf-8")
    (folder / "fj" / "l3.txt").write_text("人民路2号门前。", encoding="utf-8")


@tagged("post_install", "-at_install")
class TestImportOtherShape(HotlineReportsCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.hotline_default_area_code = "0371"
        cls.tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.tmp.cleanup)
        root = Path(cls.tmp.name)
        cls.folder = root / "export"
        write_export(cls.folder)
        cls.mapping_path = root / "old_system.toml"
        cls.mapping_path.write_text(MAPPING, encoding="utf-8")
        cls.kpi_base = cls.env["hotline.kpi.case"].with_context(hotline_kpi_base=True)

    def _workflow_history(self):
        """The legacy cases L1-L3 as the workflow runs them (W1-W3)."""
        a, b, ua, ub = self.unit_a, self.unit_b, self.unit_user_a, self.unit_user_b
        w1 = self._case_at("2020-05-04 08:50")
        self._dispatch_at(w1, a, "2020-05-04 09:00")
        self._do(w1, "2020-05-04 09:30", ua, "action_return", reason="非本单位职责。")
        self._dispatch_at(w1, b, "2020-05-05 09:00")
        self._do(w1, "2020-05-05 10:00", ub, "action_accept")
        self._do(w1, "2020-05-05 15:00", ub, "action_submit", note="已处理完毕。")
        self._do(w1, "2020-05-05 16:00", self.reviewer, "action_review_approve")
        self._do(w1, "2020-05-06 10:00", self.agent, "action_callback_done", "satisfied", "市民已评价。")
        w2 = self._case_at("2020-05-06 08:50", caller_phone="13700000001")
        self._dispatch_at(w2, a, "2020-05-06 09:00")
        self._do(w2, "2020-05-08 09:00", ua, "action_accept")
        self._do(w2, "2020-05-11 09:00", ua, "action_submit", note="已处理。")
        self._do(w2, "2020-05-11 10:00", self.reviewer, "action_review_approve")
        self._do(w2, "2020-05-11 11:00", self.agent, "action_callback_done", "dissatisfied", "市民不满意。")
        w3 = self._case_at("2020-05-07 08:50", caller_phone="13700000002")
        self._dispatch_at(w3, b, "2020-05-07 09:00")
        self._do(w3, "2020-05-07 09:30", ub, "action_accept")
        self._do(w3, "2020-05-07 10:00", ub, "action_request_extension", days=1, reason="需协调。")
        self._do(w3, "2020-05-07 11:00", self.reviewer, "action_approve_extension")
        return w1, w2, w3

    def _figures(self):
        units = self.unit_a | self.unit_b
        with self.at(READ_AT):
            return self.kpi_base._unit_figures(*MAY, units=units)

    def _import(self, code="old_sql", **kwargs):
        return Importer(self.env, CsvFolder(self.folder), Mapping.load(self.mapping_path), code, **kwargs).run()

    def _case(self, importer, legacy_id):
        return self.env["hotline.case"].browse(importer.ids["cases"][legacy_id])

    @staticmethod
    def _steps(case):
        return [(line.action, line.from_state, line.to_state, line.unit_id, line.date, line.deadline,
                 line.sign_deadline) for line in case.log_ids.sorted(lambda line: (line.date, line.id))]

    def test_import_reads_as_the_workflow(self):
        workflow = self._workflow_history()
        expected = self._figures()
        a, b = self.unit_a.id, self.unit_b.id
        # the history's known answers (A: the return and the late case; B: the re-dispatched case and L3)
        self.assertEqual({key: expected[a][key] for key in ("dispatches", "returned", "signed", "sign_due",
                                                            "signed_on_time", "overdue", "callbacks_due", "rated",
                                                            "satisfied")},
                         {"dispatches": 2, "returned": 1, "signed": 1, "sign_due": 1, "signed_on_time": 0,
                          "overdue": 1, "callbacks_due": 1, "rated": 1, "satisfied": 0})
        self.assertEqual({key: expected[b][key] for key in ("dispatches", "dispatched", "signed", "signed_on_time",
                                                            "handled_on_time", "callbacks_due", "callbacks_done",
                                                            "satisfied", "extended", "holding_processing",
                                                            "holding_overdue")},
                         {"dispatches": 2, "dispatched": 2, "signed": 2, "signed_on_time": 2, "handled_on_time": 1,
                          "callbacks_due": 1, "callbacks_done": 1, "satisfied": 1, "extended": 1,
                          "holding_processing": 1, "holding_overdue": 1})

        importer = self._import(report_dir=Path(self.tmp.name) / "report")

        # 单位统计分析 of May 2020: the imported month adds what the workflow's cases give, figure by figure
        after = self._figures()
        for unit in (a, b):
            for key in (*COUNT_KEYS, *HOLDING):
                self.assertEqual(after[unit][key], 2 * expected[unit][key], (unit, key))
        # each case and each line as the workflow wrote them: the unit on every step, the last dispatch's dates,
        # the time limits of each dispatch
        for legacy_id, twin in zip(("L1", "L2", "L3"), workflow, strict=True):
            case = self._case(importer, legacy_id)
            self.assertEqual(self._steps(case), self._steps(twin), legacy_id)
            for name in ("state", "unit_id", "date_dispatched", "date_accepted", "date_submitted", "deadline",
                         "sign_deadline", "date_closed", "satisfaction", "handled_unit_ids"):
                self.assertEqual(case[name], twin[name], (legacy_id, name))
        l1 = self._case(importer, "L1")
        self.assertEqual(l1.date_dispatched, self.local("2020-05-05 09:00"), "the last dispatch's, not the first")
        self.assertEqual(l1.dispatcher_id.login, "old_8001")

        # the departed staff number: an archived user of its own, no case, step or call lost
        departed = self.env["res.users"].with_context(active_test=False).search([("login", "=", "old_8003")])
        self.assertEqual((departed.name, departed.active), ("8003", False))
        self.assertFalse(departed.has_group("hotline_case.group_agent"))
        self.assertEqual(self._case(importer, "L2").log_ids.filtered(lambda line: line.action == "accept").user_id,
                         departed)
        call = self.env["hotline.call"].browse(importer.ids["calls"]["H1"])
        self.assertEqual(call.user_id, departed)
        self.assertEqual(importer.unknown_staff["8003"]["rows"], {"logs": 2, "calls": 1})
        self.assertIn("unknown staff number 8003: archived user old_8003 (logs 2, calls 1)", importer.summary_text())
        # the trunk 0 dropped: the call is the caller's; the nameless case gets the contact of its phone
        self.assertEqual(call.caller_number, "13003917436")
        self.assertEqual(call.partner_id, l1.partner_id)
        nameless = self._case(importer, "L4")
        self.assertEqual((nameless.partner_id, nameless.caller_name), (l1.partner_id, "王女士"))
        # 登记 is no step of the workflow: left out, counted
        self.assertEqual(importer.summary()["logs"]["not a workflow step"], 4)
        # the duplicate row is refused and not a legacy figure; the reconciliation has nothing unexplained
        self.assertEqual(sorted((e["legacy_id"], e["reason"]) for e in importer.errors),
                         [("L2", "duplicate id"), ("L5", "bad phone")])
        may = {line["metric"]: line for line in importer.reconciliation
               if line["month"] == "2020-05" and line["unit"] == "T_UA"}
        self.assertEqual((may["cases"]["legacy"], may["cases"]["imported"], may["cases"]["status"]), (1, 1, "equal"))
        self.assertFalse([line for line in importer.reconciliation if line["status"] == "different"])

    def test_history_out_of_order_reads_in_case_order(self):
        """An export listing each case's steps newest first, the cases interleaved: the lines are written in
        case order all the same (ids ascending with dates), each legacy line id still naming its own step."""
        folder = Path(self.tmp.name) / "export_out_of_order"
        # L1's steps newest first (its second dispatch before the return), L2's and L3's lines alternating
        shuffled = [LOGS[0], *reversed(LOGS[3:11]),
                    *[line for i in range(6) for line in (LOGS[11 + i], *LOGS[17 + i:18 + i])], *LOGS[1:3]]
        self.assertEqual(sorted(shuffled[1:]), sorted(LOGS[1:]))
        write_export(folder, logs=shuffled)
        workflow = self._workflow_history()
        expected = self._figures()
        importer = Importer(self.env, CsvFolder(folder), Mapping.load(self.mapping_path), "old_shuffled").run()

        after = self._figures()
        for unit in (self.unit_a.id, self.unit_b.id):
            for key in (*COUNT_KEYS, *HOLDING):
                self.assertEqual(after[unit][key], 2 * expected[unit][key], (unit, key))
        for legacy_id, twin in zip(("L1", "L2", "L3"), workflow, strict=True):
            case = self._case(importer, legacy_id)
            by_id = case.log_ids.sorted("id")
            self.assertEqual(by_id.mapped("date"), sorted(by_id.mapped("date")), legacy_id)
            self.assertEqual([(line.action, line.unit_id) for line in by_id],
                             [(line.action, line.unit_id) for line in twin.log_ids.sorted("id")], legacy_id)
            self.assertEqual(self._steps(case), self._steps(twin), legacy_id)
        # the xref lines moved with their steps: legacy line 5 is L1's return by unit A at 09:30
        Log = self.env["hotline.case.log"]
        returned = Log.browse(importer.ids["logs"]["5"])
        self.assertEqual((returned.action, returned.unit_id, returned.date, returned.note),
                         ("return", self.unit_a, self.local("2020-05-04 09:30"), "非本单位职责。"))
        xref = self.env["hotline.migration.xref"].sudo().search([("entity", "=", "logs"), ("legacy_id", "=", "13"),
                                                                  ("source_id.code", "=", "old_shuffled")])
        accepted = Log.browse(xref.res_id)
        self.assertEqual((accepted.action, accepted.user_id.login, accepted.date),
                         ("accept", "old_8003", self.local("2020-05-08 09:00")))
        # the history's first and last lines: the dispatch first, the callback last (what "by id" reads)
        l1 = self._case(importer, "L1").log_ids.sorted("id")
        self.assertEqual((l1[0].action, l1[-1].action), ("self_dispatch", "callback_done"))

    def test_go_live_sends_no_flood(self):
        """The first urging run after the import reminds nobody of imported history; the workflow's own
        overdue case (positive control) is urged, and so is the imported one once the site puts the
        go-live before its deadline."""
        workflow_open = self._workflow_history()[2]
        importer = self._import()
        imported_open = self._case(importer, "L3")
        self.assertTrue(imported_open.deadline < self.local(READ_AT))
        messages = self.env["mail.message"].search_count([])
        with self.at(READ_AT):
            self.env["hotline.case"]._cron_urge_cases()
            self.assertTrue(imported_open.overdue)
        self.assertEqual(workflow_open.log_ids.filtered(lambda line: line.action == "auto_urge").mapped("action"),
                         ["auto_urge"])
        self.assertFalse(imported_open.log_ids.filtered(lambda line: line.action == "auto_urge"))
        self.assertFalse(imported_open.message_ids)
        self.assertFalse(imported_open.activity_ids)
        self.assertEqual(imported_open.urge_count, 0)
        self.assertEqual(self.env["mail.message"].search([], order="id desc", limit=1).res_id, workflow_open.id)
        self.assertGreater(self.env["mail.message"].search_count([]), messages)
        # the site decides its go-live before that deadline: the case is urged like any other
        importer.source_record.go_live = self.local("2020-05-01 00:00")
        with self.at(READ_AT):
            self.env["hotline.case"]._cron_urge_cases()
        self.assertEqual(imported_open.urge_count, 1)
        self.assertTrue(imported_open.log_ids.filtered(lambda line: line.action == "auto_urge"))

    def test_units_read_the_files_of_their_old_cases(self):
        importer = self._import()
        Attachment = self.env["ir.attachment"]
        l1_file = Attachment.browse(importer.ids["attachments"]["F1"])
        l3_file = Attachment.browse(importer.ids["attachments"]["F3"])
        # L1 went to A (returned) then B; L3 to B only
        self.assertEqual(l1_file.with_user(self.unit_user_b).raw, "水表井旁漏水。".encode())
        self.assertEqual(l3_file.with_user(self.unit_user_b).raw, "人民路2号门前。".encode())
        self.assertEqual(l1_file.with_user(self.unit_user_a).raw, "水表井旁漏水。".encode())
        with self.assertRaises(AccessError):
            l3_file.with_user(self.unit_user_a).read(["raw"])
        # the portal's list of a case's files (A's portal user)
        l1 = self._case(importer, "L1")
        self.assertEqual(l1.with_user(self.portal_a)._portal_visible_attachments(), l1_file)
        portal_rules = self.env["ir.rule"].with_user(self.portal_a)._compute_domain("ir.attachment", "read")
        self.assertFalse(Attachment.sudo().search(Domain("id", "=", l3_file.id) & portal_rules))
        self.assertTrue(Attachment.sudo().search(Domain("id", "=", l1_file.id) & portal_rules))
        # the link is the importer's: a unit cannot hand its own file to the units of another case with it
        own = Attachment.with_user(self.unit_user_b).create({"name": "说明.txt", "raw": b"x"})
        with self.assertRaises(AccessError):
            own.with_user(self.unit_user_b).write({"hotline_legacy_case_id": l1.id})
        with self.assertRaises(AccessError):
            l1_file.with_user(self.unit_user_b).read(["hotline_legacy_case_id"])
        self.assertEqual(l1_file.hotline_legacy_case_id, l1)  # positive control: the superuser reads it
        # the agents' own rule is untouched: the center reads both
        self.assertEqual(Attachment.with_user(self.agent).search([("id", "in", (l1_file | l3_file).ids)]),
                         l1_file | l3_file)

    def test_deadline_planner_as_the_case_computes(self):
        """The importer's time limits for a whole history (one reading of the calendar) against hotline.case's
        own arithmetic, on starts all round the clock over two weeks holding a public holiday."""
        self.env["resource.calendar.leaves"].create({
            "name": "劳动节", "calendar_id": self.calendar.id,
            "date_from": self.local("2020-05-01 00:00"), "date_to": self.local("2020-05-05 23:59")})
        Case = self.env["hotline.case"]
        starts = [self.local("2020-04-27 00:00") + timedelta(minutes=277 * k) for k in range(70)]
        planner = DeadlinePlanner(Case, starts[0], starts[-1])
        for start in starts:
            for hours in (0.5, 2, 8):
                self.assertEqual(planner.working_hours(hours, start), Case._add_working_hours(hours, start),
                                 (start, hours))
            for days in (1, 3):
                self.assertEqual(planner.working_days(days, start), Case._add_working_days(days, start),
                                 (start, days))

    def test_mapping_typo_stops_before_the_first_row(self):
        text = MAPPING.replace('"80" = "callback_done"', '"80" = "callback_dne"').replace(
            '"7" = "closed"', '"7" = "clsoed"')
        self.mapping_path.write_text(text, encoding="utf-8")
        self.addCleanup(self.mapping_path.write_text, MAPPING, encoding="utf-8")
        lines = text.splitlines()
        state_line = lines.index('"7" = "clsoed"') + 1
        action_line = lines.index('"80" = "callback_dne"') + 1
        cases = self.env["hotline.case"].search_count([])
        with self.assertRaises(UserError) as caught:
            self._import(code="old_typo")
        message = str(caught.exception)
        self.assertIn(f"line {state_line}: [codes.state] \"7\" = \"clsoed\"", message)
        self.assertIn(f"line {action_line}: [codes.action] \"80\" = \"callback_dne\"", message)
        self.assertEqual(self.env["hotline.case"].search_count([]), cases)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_migration"], ["zh_CN"], overwrite=True)
        with self.assertRaises(UserError) as caught:
            Importer(self.env(context={"lang": "zh_CN"}), CsvFolder(self.folder), Mapping.load(self.mapping_path),
                     "old_typo").run()
        self.assertIn(f"第 {action_line} 行", str(caught.exception))

    def test_departed_staff_mapped_to_a_user(self):
        """[codes.agent] gives a departed number an existing user; a login nobody has stops the run."""
        self.mapping_path.write_text(MAPPING + '\n[codes.agent]\n"8003" = "hc_unit_a"\n', encoding="utf-8")
        self.addCleanup(self.mapping_path.write_text, MAPPING, encoding="utf-8")
        importer = self._import(code="old_mapped")
        accept = self._case(importer, "L2").log_ids.filtered(lambda line: line.action == "accept")
        self.assertEqual(accept.user_id, self.unit_user_a)
        self.assertIn("unknown staff number 8003: mapped to hc_unit_a (logs 2, calls 1)", importer.summary_text())
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search([("login", "=", "old_8003")]))
        text = MAPPING + '\n[codes.agent]\n"8003" = "nobody_here"\n'
        self.mapping_path.write_text(text, encoding="utf-8")
        with self.assertRaises(UserError) as caught:
            self._import(code="old_nobody")
        self.assertIn(f'line {len(text.splitlines())}: [codes.agent] "8003" = "nobody_here": no user has the login',
                      str(caught.exception))

    def test_prerequisites_stop_before_the_first_row(self):
        cases = self.env["hotline.case"].search_count([])
        self.env.company.hotline_default_area_code = False
        self.calendar.tz = "UTC"
        with self.assertRaises(UserError) as caught:
            self._import(code="old_prereq")
        message = str(caught.exception)
        self.assertIn("default area code is not set", message)
        self.assertIn("The center's time zone is UTC, the legacy times are in Asia/Shanghai", message)
        self.assertEqual(self.env["hotline.case"].search_count([]), cases)
        # set right, the same export imports
        self.env.company.hotline_default_area_code = "0371"
        self.calendar.tz = "Asia/Shanghai"
        self.assertEqual(self._import(code="old_prereq").summary()["cases"]["created"], 4)

    def test_dry_run_lists_refusal_reasons(self):
        dry = self._import(code="old_dry", dry_run=True)
        text = dry.summary_text()
        self.assertIn("  refused 1: duplicate id (Legacy ID already seen in this table)", text)
        self.assertIn("  refused 1: bad phone (Invalid phone number)", text)
        self.assertIn("unknown staff number 8003: archived user old_8003", text)
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search([("login", "=", "old_8003")]))
