"""Formatted XLSX tables as the city wants its reports, shared by every hotline report.

A sheet per table: a merged Chinese title and a line with the period and scope, header rows (a group
label merged over its columns), the data, a totals row, number formats per column kind (integers,
percentages from fractions, hh:mm:ss from seconds), A4 landscape one page wide, the header rows
repeated on every printed page. Large exports pass `constant_memory=True`: rows are then flushed as
they come (one header row only, since merged header cells need the rows written out of order).
"""
import io

import xlsxwriter

NUMBER_FORMATS = {
    "text": None,
    "int": "#,##0",
    "float": "#,##0.00",
    "percent": "0.00%",  # value: a fraction 0..1
    "duration": "[h]:mm:ss",  # value: seconds
    "datetime": "yyyy-mm-dd hh:mm",  # value: a naive datetime
    "date": "yyyy-mm-dd",
}


class Column:
    """One column: its row key, header label, kind (NUMBER_FORMATS) and width; `group` merges a top header."""

    def __init__(self, key, label, kind="int", width=12, group=None):
        self.key = key
        self.label = label
        self.kind = kind
        self.width = width
        self.group = group


class XlsxReport:
    """``add_table(...)`` per sheet, then ``close()`` returns the file's bytes (or writes `path`)."""

    def __init__(self, path=None, constant_memory=False):
        self._buffer = None if path else io.BytesIO()
        self.constant_memory = constant_memory
        self.workbook = xlsxwriter.Workbook(path or self._buffer, {"constant_memory": constant_memory,
                                                                   "in_memory": not path})
        add = self.workbook.add_format
        self.title_format = add({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.subtitle_format = add({"align": "center", "font_size": 10})
        self.note_format = add({"text_wrap": True, "valign": "top", "font_size": 10})
        self.header_format = add({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                  "text_wrap": True, "bg_color": "#D9E1F2"})
        self.cell_formats = {}
        self.total_formats = {}
        for kind, number_format in NUMBER_FORMATS.items():
            properties = {"border": 1, **({"num_format": number_format} if number_format else {})}
            self.cell_formats[kind] = add(properties)
            self.total_formats[kind] = add({**properties, "bold": True, "bg_color": "#F2F2F2"})

    @staticmethod
    def _cell(kind, value):
        if value is None or value is False:
            return None
        if kind == "duration":
            return value / 86400.0  # Excel durations are fractions of a day
        return value

    def _write(self, sheet, row, col, kind, value, cell_format):
        value = self._cell(kind, value)
        if kind in ("datetime", "date") and value is not None:
            sheet.write_datetime(row, col, value, cell_format)
        elif value is None:
            sheet.write_blank(row, col, None, cell_format)
        else:
            sheet.write(row, col, value, cell_format)

    def _write_headers(self, sheet, columns, top):
        """Header rows from row `top`; a group label is merged over its columns. Returns the last header row."""
        last = len(columns) - 1
        grouped = any(column.group for column in columns)
        if grouped and self.constant_memory:
            raise ValueError("grouped headers need constant_memory=False")
        bottom = top + 1 if grouped else top
        index = 0
        while index <= last:
            column = columns[index]
            end = index
            if grouped and column.group:
                while end < last and columns[end + 1].group == column.group:
                    end += 1
                if end > index:
                    sheet.merge_range(top, index, top, end, column.group, self.header_format)
                else:
                    sheet.write(top, index, column.group, self.header_format)
            elif grouped:
                sheet.merge_range(top, index, bottom, index, column.label, self.header_format)
            else:
                sheet.write(top, index, column.label, self.header_format)
            index = end + 1
        if grouped:
            for index, column in enumerate(columns):
                if column.group:
                    sheet.write(bottom, index, column.label, self.header_format)
        return bottom

    def add_table(self, sheet_name, title, subtitle, columns, rows, totals=None, progress=None, notes=()):
        """Write a table; `rows` (any iterable) and `totals` are dicts keyed by column key; `notes` are
        lines printed under the table (e.g. the formula of a score).

        `progress(n)` is called every 10,000 rows with the number written so far.
        Returns the number of data rows.
        """
        sheet = self.workbook.add_worksheet(sheet_name[:31])
        last = len(columns) - 1
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
        sheet.set_row(0, 30)
        sheet.merge_range(0, 0, 0, last, title, self.title_format)
        sheet.merge_range(1, 0, 1, last, subtitle, self.subtitle_format)
        top, bottom = 2, self._write_headers(sheet, columns, 2)
        row_index = bottom + 1
        count = 0
        for row in rows:
            for index, column in enumerate(columns):
                self._write(sheet, row_index, index, column.kind, row.get(column.key), self.cell_formats[column.kind])
            row_index += 1
            count += 1
            if progress and not count % 10000:
                progress(count)
        if totals is not None:
            for index, column in enumerate(columns):
                self._write(sheet, row_index, index, column.kind, totals.get(column.key),
                            self.total_formats[column.kind])
            row_index += 1
        for note in notes:
            row_index += 1
            sheet.merge_range(row_index, 0, row_index, last, note, self.note_format)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(top, bottom)
        sheet.freeze_panes(bottom + 1, 0)
        return count

    def close(self):
        self.workbook.close()
        return self._buffer.getvalue() if self._buffer else None
