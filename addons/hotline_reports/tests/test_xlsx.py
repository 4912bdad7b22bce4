import io
from datetime import datetime, timedelta

import openpyxl

from odoo.tests import BaseCase, tagged

from ..tools.xlsx import Column, XlsxReport

COLUMNS = [Column("name", "编号", "text"), Column("received", "受理时间", "datetime"),
           Column("count", "件数", "int"), Column("rate", "比率", "percent"), Column("wait", "时长", "duration"),
           Column("unit", "单位", "text")]


def book(build):
    report = XlsxReport()
    build(report)
    return openpyxl.load_workbook(io.BytesIO(report.close()))


def cells(sheet):
    return [[(cell.value, cell.number_format, cell.border.left.style, cell.font.b) for cell in row]
            for row in sheet.iter_rows()]


@tagged("post_install", "-at_install")
class TestLargeTable(BaseCase):
    """A large table (rows written into the sheet's XML) reads back like the same table through xlsxwriter."""

    def rows(self, count):
        start = datetime(2026, 2, 28, 23, 59, 30)
        for index in range(count):
            yield (f"12319-{index:05d}" if index % 4 else f" <{index}> & \x07 ", start + timedelta(minutes=index),
                   index, index / 7 if index % 3 else None, 3600.5 * index, ["供水", "燃气", None][index % 3])

    def both(self, count):
        keys = [column.key for column in COLUMNS]
        totals = {"name": f"合计 {count}", "count": sum(range(count))}
        slow = book(lambda report: (
            report.add_table("工单", "受理业务统计", "全部", COLUMNS, (dict(zip(keys, row, strict=True))
                                                                 for row in self.rows(count)), totals=totals),
            report.add_table("其他", "小表", "全部", COLUMNS, [], totals=totals)))
        progress = []
        fast = book(lambda report: (
            report.add_large_table("工单", "受理业务统计", "全部", COLUMNS, count, self.rows(count), totals=totals,
                                   progress=progress.append),
            report.add_table("其他", "小表", "全部", COLUMNS, [], totals=totals)))
        return slow, fast, progress

    def test_same_cells_as_through_xlsxwriter(self):
        slow, fast, progress = self.both(10001)
        self.assertEqual(progress, [10000])
        for name in ("工单", "其他"):
            self.assertEqual(cells(fast[name]), cells(slow[name]), name)
        sheet = fast["工单"]
        self.assertEqual(sheet.max_row, 3 + 10001 + 1)
        self.assertEqual(sheet["A4"].value, " <0> & _x0007_ ")  # escaped as xlsxwriter escapes it
        self.assertEqual(sheet["B5"].value, datetime(2026, 2, 28, 23, 59, 30) + timedelta(minutes=1))
        self.assertEqual(sheet["B5"].number_format, "yyyy-mm-dd hh:mm")
        self.assertEqual(sheet.cell(3 + 10001 + 1, 1).value, "合计 10001")
        self.assertEqual((sheet.freeze_panes, sheet.print_title_rows), ("A4", "$3:$3"))

    def test_no_rows(self):
        slow, fast, _progress = self.both(0)
        self.assertEqual(cells(fast["工单"]), cells(slow["工单"]))
        self.assertEqual(fast["工单"]["A4"].value, "合计 0")

    def test_wrong_count(self):
        report = XlsxReport()
        report.add_large_table("工单", "受理业务统计", "全部", COLUMNS, 3, self.rows(2))
        with self.assertRaises(ValueError):
            report.close()
