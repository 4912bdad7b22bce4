import base64
import io
from datetime import date

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import KnowledgeCommon

HEADER = ["类目", "标题", "标准答复口径", "内容", "关键字", "材料性质", "发文单位", "文号", "生效日期", "失效日期",
          "责任单位"]


def workbook(rows, header=HEADER):
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return base64.b64encode(buffer.getvalue())


@tagged("post_install", "-at_install")
class TestKnowledgeImport(KnowledgeCommon):
    """The Xinyang-style spreadsheet: row-level Chinese errors, nothing half-imported, export imports back."""

    def _good_row(self, title="二次供水水箱清洗周期", **over):
        row = dict(zip(HEADER, ["供水/水价", title, "二次供水水箱每半年至少清洗消毒一次。", "第一段\n第二段",
                                "水箱清洗、二次供水", "办事指南", "市卫生健康委员会", "卫疾控发〔2025〕12号",
                                date(2026, 1, 1), "2027/12/31", self.unit_a.code], strict=True))
        row.update(over)
        return [row[column] for column in HEADER]

    def _import(self, rows, user=None, **vals):
        wizard = self.env["hotline.knowledge.import"].with_user(user or self.editor).create(
            {"file": workbook(rows), "filename": "知识库.xlsx", **vals})
        return wizard.action_import()

    def test_good_file_imported_and_published(self):
        action = self._import([self._good_row(), self._good_row("小区停水多久会通知", 关键字="停水通知",
                                                                责任单位="", 失效日期=None)],
                              unit_id=self.unit_b.id, publish=True)
        items = self.env["hotline.knowledge.item"].search(action["domain"], order="id")
        self.assertEqual(items.mapped("name"), ["二次供水水箱清洗周期", "小区停水多久会通知"])
        first = items[0]
        self.assertEqual((first.category_id, first.unit_id, first.material_type, first.state),
                         (self.kcat_price, self.unit_a, "guide", "published"))
        self.assertEqual((first.date_start, first.date_end), (date(2026, 1, 1), date(2027, 12, 31)))
        self.assertEqual(first.keywords, "水箱清洗,二次供水")
        self.assertEqual(str(first.content), "<p>第一段</p><p>第二段</p>")
        self.assertEqual((items[1].unit_id, items[1].date_end), (self.unit_b, False), "the default unit")
        self.assertEqual(self._search_names("水箱清洗"), ["二次供水水箱清洗周期"])

    def test_row_errors_in_chinese_and_nothing_imported(self):
        Item = self.env["hotline.knowledge.item"].with_context(active_test=False)
        before = Item.search_count([])
        rows = [
            self._good_row(),                                              # row 2: fine
            self._good_row("错类目", 类目="供水/不存在"),                       # row 3
            self._good_row("居民阶梯水价标准"),                                # row 4: title taken
            self._good_row("二次供水水箱清洗周期"),                            # row 5: same title as row 2
            self._good_row("标" * 129),                                     # row 6
            self._good_row("关键字太长", 关键字="这是一个超过二十个字符长度限制的关键字用来测试"),  # row 7
            self._good_row("关键字是标题", 关键字="关键字是标题"),               # row 8
            self._good_row("性质不对", 材料性质="小道消息"),                    # row 9
            self._good_row("日期不对", 生效日期="明年", 失效日期="2025-01-01"),  # row 10
            self._good_row("日期颠倒", 生效日期="2026-06-01", 失效日期="2026-01-01"),  # row 11
            self._good_row("单位不对", 责任单位="不存在的单位"),                  # row 12
            self._good_row("", 类目=""),                                    # row 13
        ]
        with self.assertRaises(UserError) as caught:
            self._import(rows)
        message = str(caught.exception)
        for expected in ("Row 3", "供水/不存在", "Row 4", "居民阶梯水价标准", "Row 5", "row 2", "Row 6", "129",
                         "Row 7", "Row 8", "Row 9", "小道消息", "Row 10", "明年", "Row 11", "Row 12", "不存在的单位",
                         "Row 13"):
            self.assertIn(expected, message)
        self.assertNotIn("Row 2:", message)
        self.assertEqual(Item.search_count([]), before, "nothing half-imported")
        # the same in Chinese for the user
        with self.assertRaises(UserError) as caught:
            self.env["hotline.knowledge.import"].with_user(self.editor).with_context(lang="zh_CN").create(
                {"file": workbook(rows[1:2])}).action_import()
        self.assertIn("第2行：类目“供水/不存在”不存在。", str(caught.exception))
        self.assertIn("未导入任何知识点", str(caught.exception))

    def test_file_limits(self):
        with self.assertRaises(UserError):
            self._import([self._good_row(f"标题{i}") for i in range(1001)])
        with self.assertRaises(UserError):
            self.env["hotline.knowledge.import"].with_user(self.editor).create(
                {"file": workbook([self._good_row()], header=["标题", "内容"])}).action_import()
        with self.assertRaises(UserError):
            self.env["hotline.knowledge.import"].with_user(self.editor).create(
                {"file": base64.b64encode(b"not a spreadsheet")}).action_import()
        with self.assertRaises(UserError):
            self._import([])
        with self.assertRaises(AccessError):
            self.env["hotline.knowledge.import"].with_user(self.unit_user_a).create(
                {"file": workbook([self._good_row()])})

    def test_export_imports_back(self):
        items = self.item_price | self.item_fund
        action = items.with_user(self.editor).action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        rows = list(book.active.iter_rows(values_only=True))
        self.assertEqual(list(rows[0]), HEADER)
        self.assertEqual(rows[1][:2], ("供水/水价", "居民阶梯水价标准"))
        self.assertEqual(rows[1][4], "阶梯水价、水费")
        items.write({"active": False})
        action = self._import([list(row) for row in rows[1:]], publish=True)
        imported = self.env["hotline.knowledge.item"].search(action["domain"])
        self.assertEqual(sorted(imported.mapped("name")), sorted(items.mapped("name")))
        self.assertEqual(sorted(imported.mapped("answer")), sorted(items.mapped("answer")))
