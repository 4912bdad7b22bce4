"""Formatted XLSX tables as the city wants its reports, shared by every hotline report.

A sheet per table: a merged Chinese title and a line with the period and scope, header rows (a group
label merged over its columns), the data, a totals row, number formats per column kind (integers,
percentages from fractions, hh:mm:ss from seconds), A4 landscape one page wide, the header rows
repeated on every printed page.

A table of a million rows goes through ``add_large_table``: xlsxwriter writes the sheet around the
rows (title, headers, totals, print setup, styles) and the rows' XML, as xlsxwriter would write it
(inline strings, the column's style), goes straight into the sheet when the file is closed, from
tuples or rendered by the caller (the database). Through xlsxwriter's cell-by-cell writing a
1,000,000-row export took 33 s of Python CPU, and since ``in_memory`` turns ``constant_memory`` off,
every cell stayed in memory until the end.
"""
import io
import re
import zipfile

import xlsxwriter
from xlsxwriter.utility import datetime_to_excel_datetime

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

    def __init__(self, path=None):
        self._buffer = None if path else io.BytesIO()
        self._path = path
        self._large_tables = []
        self.workbook = xlsxwriter.Workbook(path or self._buffer, {"in_memory": not path})
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
        sheet, first = self._start_table(sheet_name, title, subtitle, columns)
        row_index = first
        for row in rows:
            for index, column in enumerate(columns):
                self._write(sheet, row_index, index, column.kind, row.get(column.key), self.cell_formats[column.kind])
            row_index += 1
            if progress and not (row_index - first) % 10000:
                progress(row_index - first)
        self._end_table(sheet, columns, first, row_index, totals, notes)
        return row_index - first

    def add_large_table(self, sheet_name, title, subtitle, columns, count, rows, totals=None, progress=None):
        """Like `add_table` for `count` rows, read and written when the file is closed (`close()`),
        straight into the sheet's XML.

        `rows`: tuples in the order of `columns`, or a function ``rows(first, styles)`` returning the
        rows' XML itself (str chunks of whole ``<row>`` elements numbered from `first`, each column's
        cells with its ``styles`` attribute, see `cell_xml`), e.g. rendered by the database.
        The rows must be exactly `count` (the totals row is placed after them): `close()` raises otherwise.
        """
        if not count:  # nothing to stream: the sheet of add_table
            keys = [column.key for column in columns]
            self.add_table(sheet_name, title, subtitle, columns, [] if callable(rows) else (
                dict(zip(keys, row, strict=True)) for row in rows), totals=totals)
            return
        sheet, first = self._start_table(sheet_name, title, subtitle, columns)
        # a row of empty cells in each column's format: its XML gives the style of the streamed cells
        for index, column in enumerate(columns):
            sheet.write_blank(first, index, None, self.cell_formats[column.kind])
        self._end_table(sheet, columns, first, first + count, totals, ())
        self._large_tables.append({"sheet": len(self.workbook.worksheets()), "row": first + 1, "count": count,
                                   "columns": columns, "rows": rows, "progress": progress})

    def _start_table(self, sheet_name, title, subtitle, columns):
        """The sheet with its title, subtitle and headers; returns it and its first data row."""
        sheet = self.workbook.add_worksheet(sheet_name[:31])
        last = len(columns) - 1
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
        sheet.set_row(0, 30)
        sheet.merge_range(0, 0, 0, last, title, self.title_format)
        sheet.merge_range(1, 0, 1, last, subtitle, self.subtitle_format)
        bottom = self._write_headers(sheet, columns, 2)
        return sheet, bottom + 1

    def _end_table(self, sheet, columns, first, row_index, totals, notes):
        """The totals at `row_index`, the notes under them and the page set-up (data from row `first`)."""
        last = len(columns) - 1
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
        sheet.repeat_rows(2, first - 1)  # the header rows
        sheet.freeze_panes(first, 0)

    def close(self):
        self.workbook.close()
        if self._large_tables:
            self._stream_large_tables()
        return self._buffer.getvalue() if self._buffer else None

    # ------------------------------------------------------------------
    # Rows written straight into the sheet's XML
    # ------------------------------------------------------------------
    def _stream_large_tables(self):
        """Copy the file xlsxwriter wrote, each large table's template row replaced by its rows."""
        if self._buffer:
            source = io.BytesIO(self._buffer.getvalue())
            self._buffer.seek(0)
            self._buffer.truncate()
            target = self._buffer
        else:
            with open(self._path, "rb") as file:
                source = io.BytesIO(file.read())
            target = self._path
        tables = {f"xl/worksheets/sheet{table['sheet']}.xml": table for table in self._large_tables}
        # the streamed sheets deflated at level 3 instead of 6: a million rows of XML compress in less than half
        # the CPU into a slightly larger file (bench_reports_cases.py; figures: bench/README.md)
        with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as new:
            for info in old.infolist():
                table = tables.get(info.filename)
                if table is None:
                    new.writestr(info, old.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
                    continue
                xml = old.read(info.filename).decode()
                with new.open(info.filename, "w", force_zip64=True) as out:
                    self._stream_rows(xml, table, out)

    def _stream_rows(self, xml, table, out):
        template = re.search(r'<row r="%d"[^>]*>(.*?)</row>' % table["row"], xml)
        styles = [f' s="{style}"' if style else ""
                  for style in re.findall(r'<c r="[A-Z]+\d+"(?: s="(\d+)")?/>', template.group(1))]
        if len(styles) != len(table["columns"]):
            raise ValueError("unexpected template row")
        rows = table["rows"]
        chunks = (rows(table["row"], styles) if callable(rows)
                  else _rows_xml(table["columns"], styles, table["row"], rows, table["progress"]))
        out.write(xml[:template.start()].encode())
        written = 0
        for chunk in chunks:
            written += chunk.count("</row>")
            out.write(chunk.encode())
        if written != table["count"]:
            raise ValueError(f"{written} rows written instead of {table['count']}")
        out.write(xml[template.end():].encode())


def _rows_xml(columns, styles, number, rows, progress):
    """The XML of `rows` (tuples) from row `number`, in chunks of 10,000 rows."""
    cells = [_CellWriter(column.kind, xlsxwriter.utility.xl_col_to_name(index), styles[index])
             for index, column in enumerate(columns)]
    first = number
    batch = []
    for row in rows:
        xml_cells = "".join(cell.xml(number, value) for cell, value in zip(cells, row, strict=True))
        batch.append(f'<row r="{number}">{xml_cells}</row>')
        number += 1
        if len(batch) == 10000:
            yield "".join(batch)
            batch = []
            if progress:
                progress(number - first)
    yield "".join(batch)


# characters XML 1.0 forbids; Excel writes them as _xHHHH_
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")


def _escape(text):
    if not _ESCAPE.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def cell_xml(kind, style, value):
    """A cell's XML after ``<c r="A1"``, as xlsxwriter writes it: `style` is the column's ``styles``
    attribute (`add_large_table`), `value` as for `add_table` (None: an empty cell in the column's format)."""
    value = XlsxReport._cell(kind, value)
    if value is None:
        return f"{style}/>"
    if kind in ("datetime", "date"):
        value = datetime_to_excel_datetime(value, False, False)
    if isinstance(value, str):
        preserve = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
        return f'{style} t="inlineStr"><is><t{preserve}>{_escape(value)}</t></is></c>'
    return f"{style}><v>{value:.16G}</v></c>"


class _CellWriter:
    """The XML of one column's cells; repeated texts (names of types, units...) rendered once."""

    def __init__(self, kind, letter, style):
        self.kind = kind
        self.letter = letter
        self.style = style
        self.cache = {}

    def xml(self, number, value):
        body = self.cache.get(value) if isinstance(value, str) else None
        if body is None:
            body = cell_xml(self.kind, self.style, value)
            if isinstance(value, str) and len(self.cache) < 10000:
                self.cache[value] = body
        return f'<c r="{self.letter}{number}"{body}'
