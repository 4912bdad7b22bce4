"""A formatted XLSX table the way the city wants its reports (shared by every hotline report).

One sheet per table: a merged Chinese title with the period and scope, one or two header rows
(a group label merged over its columns), data rows, a totals row, number formats per column
kind, A4 landscape fitted to the page width, header rows repeated on every printed page.
"""
import io

import xlsxwriter

# column kinds -> xlsxwriter number format
FORMATS = {
    "text": None,
    "int": "#,##0",
    "float": "#,##0.0",
    "percent": "0.00%",      # values given as fractions 0-1
    "duration": "[h]:mm:ss",  # values given in seconds
}


class Column:
    def __init__(self, key, label, kind="int", width=12, group=None):
        self.key, self.label, self.kind, self.width, self.group = key, label, kind, width, group


class XlsxReport:
    """Build a workbook in memory: ``add_table(...)`` per sheet, then ``close()`` → bytes."""

    def __init__(self):
        self._buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self._buffer, {"in_memory": True})
        wb = self.workbook
        self.title_format = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.subtitle_format = wb.add_format({"font_size": 10, "align": "center"})
        self.header_format = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                            "text_wrap": True, "bg_color": "#DDEBF7"})
        self.cell_formats, self.total_formats = {}, {}
        for kind, num_format in FORMATS.items():
            base = {"border": 1}
            if num_format:
                base["num_format"] = num_format
            self.cell_formats[kind] = wb.add_format(base)
            self.total_formats[kind] = wb.add_format(dict(base, bold=True, bg_color="#F2F2F2"))

    @staticmethod
    def _value(kind, value):
        if value is None or value is False:
            return None
        if kind == "duration":
            return value / 86400.0  # Excel times are fractions of a day
        return value

    def add_table(self, sheet_name, title, subtitle, columns, rows, totals=None):
        """Write one table; `rows`/`totals` are dicts keyed by column key (percent as 0-1, durations in s)."""
        sheet = self.workbook.add_worksheet(sheet_name[:31])
        last = len(columns) - 1
        sheet.merge_range(0, 0, 0, last, title, self.title_format)
        sheet.set_row(0, 28)
        sheet.merge_range(1, 0, 1, last, subtitle, self.subtitle_format)
        grouped = any(col.group for col in columns)
        header_top = 2
        header_bottom = header_top + (1 if grouped else 0)
        col = 0
        while col <= last:
            column = columns[col]
            if grouped and column.group:
                span = col
                while span + 1 <= last and columns[span + 1].group == column.group:
                    span += 1
                if span > col:
                    sheet.merge_range(header_top, col, header_top, span, column.group, self.header_format)
                else:
                    sheet.write(header_top, col, column.group, self.header_format)
                for sub in range(col, span + 1):
                    sheet.write(header_bottom, sub, columns[sub].label, self.header_format)
                col = span + 1
                continue
            if grouped:
                sheet.merge_range(header_top, col, header_bottom, col, column.label, self.header_format)
            else:
                sheet.write(header_top, col, column.label, self.header_format)
            col += 1
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
        row_index = header_bottom + 1
        for row in rows:
            for index, column in enumerate(columns):
                sheet.write(row_index, index, self._value(column.kind, row.get(column.key)),
                            self.cell_formats[column.kind])
            row_index += 1
        if totals is not None:
            for index, column in enumerate(columns):
                sheet.write(row_index, index, self._value(column.kind, totals.get(column.key)),
                            self.total_formats[column.kind])
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(header_top, header_bottom)
        sheet.freeze_panes(header_bottom + 1, 1)
        return sheet

    def close(self):
        self.workbook.close()
        return self._buffer.getvalue()
