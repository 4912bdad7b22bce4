import tempfile
from datetime import datetime
from pathlib import Path

from odoo.tests import BaseCase, tagged

from ..tools.dates import BadDate, DateParser
from ..tools.phones import split_extension
from ..tools.sources import CsvFolder, XlsxWorkbook, detect_encoding
from .legacy_generator import LegacySystem


@tagged("at_install", "-post_install")
class TestMigrationTools(BaseCase):
    def test_date_formats(self):
        parser = DateParser(["%Y/%m/%d %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "excel"], "Asia/Shanghai")
        expected = datetime(2019, 3, 5, 6, 3)  # 14:03 in Shanghai
        self.assertEqual(parser.parse("2019/3/5 14:03"), expected)
        self.assertEqual(parser.parse("20190305140300"), expected)
        self.assertEqual(parser.parse("2019-03-05 14:03:00"), expected)
        # Excel serial of 2019-03-05 14:03, as text in a CSV and as a number cell in a workbook
        self.assertEqual(parser.parse("43529.585416667"), expected)
        self.assertEqual(parser.parse(43529.585416667), expected)
        self.assertEqual(parser.parse(datetime(2019, 3, 5, 14, 3)), expected)
        self.assertIsNone(parser.parse("  "))
        for bad in ("2019/13/45 25:61", "昨天", "20191305140300"):
            with self.assertRaises(BadDate, msg=bad):
                parser.parse(bad)
        # day first, month first, and a date without time: other orders of the directives
        self.assertEqual(DateParser(["%d.%m.%Y %H:%M"], "Asia/Shanghai").parse("05.03.2019 14:03"), expected)
        self.assertEqual(DateParser(["%m/%d/%Y"], "UTC").parse("3/5/2019"), datetime(2019, 3, 5))
        with self.assertRaises(BadDate):
            DateParser(["%d.%m.%Y"]).parse("31.02.2019")
        with self.assertRaises(BadDate):
            DateParser(["%Y-%m-%d"]).parse("43529.5")  # serials only where the mapping allows them

    def test_phone_extensions(self):
        self.assertEqual(split_extension("0571-88123456转801"), ("0571-88123456", "801"))
        self.assertEqual(split_extension("0571 88123456 ext. 12"), ("0571 88123456", "12"))
        self.assertEqual(split_extension("0571-88123456-8001"), ("0571-88123456", "8001"))
        self.assertEqual(split_extension("138-1234-5678"), ("138-1234-5678", ""))
        self.assertEqual(split_extension("+86 138 1234 5678"), ("+86 138 1234 5678", ""))

    def test_encodings_detected(self):
        import tempfile  # noqa: PLC0415

        legacy = LegacySystem(cases=30, seed=7)
        with tempfile.TemporaryDirectory() as folder:
            legacy.write_csv(folder, encodings={"t_gongdan": "gbk", "t_laidianren": "utf-8-sig",
                                                "t_liuzhuan": "gb18030"},
                             chinese=("t_laidianren",), attachments=False)
            self.assertEqual(detect_encoding(f"{folder}/t_gongdan.csv"), "gb18030")
            self.assertEqual(detect_encoding(f"{folder}/t_laidianren.csv"), "utf-8-sig")
            self.assertEqual(detect_encoding(f"{folder}/t_liuzhuan.csv"), "gb18030")
            self.assertEqual(detect_encoding(f"{folder}/t_huawu.csv"), "utf-8")
            source = CsvFolder(folder)
            self.assertEqual(source.headers("t_laidianren")[:3], ["来电人编号", "姓名", "电话"])
            first = next(source.rows("t_gongdan"))[1]
            self.assertEqual(first["nr"], legacy.tables["t_gongdan"][0][10])
            rows = list(source.rows("t_gongdan"))
            self.assertEqual(rows[-1][2], "truncated line")
            self.assertEqual([r[2] for r in rows[:-1]], [None] * (len(rows) - 1))
            self.assertEqual(rows[0][0], 2, "line numbers count the header as line 1")

    def test_workbook_cells_read_as_typed(self):
        """A sheet whose table starts below empty rows and right of an empty column, with native date,
        date-only, whole and fractional number cells and a gap row: cells come typed as the CSV reader and
        the date parser expect, with the sheet's own line numbers."""
        from openpyxl import Workbook  # noqa: PLC0415

        book = Workbook()
        sheet = book.active
        sheet.title = "工单"
        sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = "编号", "受理时间", "件数", "时长"
        sheet["B4"], sheet["C4"], sheet["D4"], sheet["E4"] = "GD001", datetime(2019, 3, 5, 14, 3), 5, 43529.585416667
        sheet["B6"], sheet["C6"], sheet["D6"] = "GD002", datetime(2019, 3, 6).date(), 0
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "legacy.xlsx"
            book.save(path)
            workbook = XlsxWorkbook(path)
            self.assertEqual(workbook.tables(), ["工单"])
            self.assertEqual(workbook.headers("工单"), ["编号", "受理时间", "件数", "时长"])
            self.assertEqual(workbook.count("工单"), 2)
            rows = list(workbook.rows("工单"))
            self.assertEqual(rows, [
                (4, {"编号": "GD001", "受理时间": datetime(2019, 3, 5, 14, 3), "件数": 5, "时长": 43529.585416667},
                 None),
                (6, {"编号": "GD002", "受理时间": datetime(2019, 3, 6), "件数": 0, "时长": None}, None),
            ])
            self.assertIsInstance(rows[0][1]["件数"], int)
            self.assertEqual(list(workbook.rows("工单")), rows, "the next reading (from the spool) is the same")
            with self.assertRaises(KeyError):
                list(workbook.rows("无此表"))
            workbook.close()
