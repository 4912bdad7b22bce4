"""Legacy sources: a folder of CSV exports, XLSX workbooks, or a SQL database through DB-API.

Every source yields the rows of a table as (line, {column: value}, problem): `line` is the file line
(CSV, header = 1), the sheet row (XLSX) or the row ordinal (SQL); `problem` names a row that cannot be
read (a truncated line), its dict then holds what could be read.
"""

import codecs
import csv
import datetime
import os
import pickle
import re
import tempfile
import weakref
from pathlib import Path
from urllib.parse import unquote, urlsplit

SAMPLE = 1 << 20
# The legacy database's password when the URL carries none (kept out of the command line and the records).
PASSWORD_ENV = "HOTLINE_LEGACY_PASSWORD"
# A password in an ODBC connection string or a URL's query: PWD=...; Password={...}
QUERY_PASSWORD = re.compile(r"\b(pwd|password|passwd)(\s*=\s*)(\{[^}]*\}?[^;&]*|[^;&]*)", re.IGNORECASE)
REDACTED = "***"


def redact_location(location):
    """A source's location as it may be stored, logged or shown: a database URL without its password."""
    parts = urlsplit(location or "")
    if parts.scheme not in DRIVERS:  # a folder or a workbook
        return location
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return parts._replace(netloc=netloc, query=QUERY_PASSWORD.sub(rf"\1\2{REDACTED}", unquote(parts.query))).geturl()


def _password(url):
    return unquote(url.password or "") or os.environ.get(PASSWORD_ENV, "")


def detect_encoding(path):
    """'utf-8-sig' (Excel's BOM), 'utf-8', or 'gb18030' (a superset of GBK) for a legacy export."""
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head, final=False)
            # the whole file: a GBK byte may hide after the first megabyte
            for chunk in iter(lambda: handle.read(SAMPLE), b""):
                decoder.decode(chunk, final=False)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


class Source:
    location = ""

    def tables(self):
        raise NotImplementedError

    def headers(self, table):
        raise NotImplementedError

    def rows(self, table):
        raise NotImplementedError

    def count(self, table):
        """Number of data rows (for the progress bar); may be an estimate."""
        return sum(1 for _row in self.rows(table))

    def close(self):
        """Release the connection, if any."""

    def reconnect(self):
        """In a forked process: a connection of its own, the inherited one left to the parent."""


class CsvFolder(Source):
    stable_order = True  # each reading yields the rows in the same order, with the same line numbers

    def __init__(self, folder):
        self.folder = Path(folder)
        self.location = str(self.folder)
        self.encodings = {}
        self.workbooks = {}  # path → XlsxWorkbook: each workbook of the folder opened once
        self.tables_ = {}
        for path in sorted(self.folder.iterdir()):
            if path.suffix.lower() == ".csv":
                self.tables_[path.stem] = ("csv", path)
            elif path.suffix.lower() == ".xlsx":
                for sheet in _xlsx_sheets(path):
                    self.tables_[sheet] = ("xlsx", path)

    def tables(self):
        return list(self.tables_)

    def _path(self, table):
        if table not in self.tables_:
            raise KeyError(table)
        return self.tables_[table]

    def _workbook(self, path):
        if path not in self.workbooks:
            self.workbooks[path] = XlsxWorkbook(path)
        return self.workbooks[path]

    def close(self):
        for workbook in self.workbooks.values():
            workbook.close()

    def reconnect(self):
        for workbook in self.workbooks.values():
            workbook.reconnect()

    def encoding(self, table):
        kind, path = self._path(table)
        if kind != "csv":
            return "xlsx"
        if path not in self.encodings:
            self.encodings[path] = detect_encoding(path)
        return self.encodings[path]

    def headers(self, table):
        kind, path = self._path(table)
        if kind == "xlsx":
            return self._workbook(path).headers(table)
        with open(path, encoding=self.encoding(table), newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle), [])]

    def rows(self, table):
        kind, path = self._path(table)
        if kind == "xlsx":
            yield from self._workbook(path).rows(table)
            return
        with open(path, encoding=self.encoding(table), newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            width = len(header)
            for values in reader:
                if not values or values == [""]:
                    continue
                line = reader.line_num
                problem = None
                if len(values) < width:
                    problem = "truncated line"
                    values = values + [""] * (width - len(values))
                elif len(values) > width:
                    problem = "too many fields"
                yield line, dict(zip(header, values, strict=False)), problem

    def count(self, table):
        kind, path = self._path(table)
        if kind == "xlsx":
            return self._workbook(path).count(table)
        with open(path, "rb") as handle:
            return max(sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(SAMPLE), b"")) - 1, 0)


def _open_workbook(path):
    from python_calamine import CalamineWorkbook  # noqa: PLC0415  # only sites with workbooks need it

    return CalamineWorkbook.from_path(str(path))


def _xlsx_sheets(path):
    book = _open_workbook(path)
    try:
        return list(book.sheet_names)
    finally:
        book.close()


def _cell(value):
    """A cell as openpyxl and the CSV reader give it: empty is None, a whole number an int (the workbook
    stores every number as a float), a date cell a datetime at midnight."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return value


class XlsxWorkbook(Source):
    """One workbook, one table per sheet (header in the first non-empty row).

    The workbook is opened once for its tables, headers and counts, and each sheet parsed once, by
    calamine (Rust: a sheet parses about as fast as the same CSV is read; openpyxl's XML parsing in
    Python made a workbook ten times slower than its CSV export). A table is read several times in a
    load (its staff numbers, the cases' first lines, each reader process), so its first reading keeps
    the cells it parses in a spool file (pickled rows, in batches), which the next readings (and the
    forked readers) read instead; counting a sheet is that first reading. A forked reader opens the
    workbook again if it needs it (`reconnect`)."""

    stable_order = True
    spool_batch = 1000  # rows a pickle

    def __init__(self, path):
        self.path = Path(path)
        self.location = str(self.path)
        self.book = None
        self.counts = {}
        # table → (spool path, header) once a whole reading of the sheet has been kept
        self.spools = {}
        # the spool files go with the object or the process (not a forked reader: it leaves by os._exit)
        self._cleanup = weakref.finalize(self, _unlink, self.spools)

    def _book(self):
        if self.book is None:
            self.book = _open_workbook(self.path)
        return self.book

    def _sheet_rows(self, table):
        """(sheet line, cells) of every row: calamine's rows begin at the sheet's row 1 (its columns at the
        first one used)."""
        if table not in self._book().sheet_names:
            raise KeyError(table)
        for line, values in enumerate(self._book().get_sheet_by_name(table).iter_rows(), start=1):
            yield line, [_cell(v) for v in values]

    def tables(self):
        return list(self._book().sheet_names)

    def headers(self, table):
        if table in self.spools:
            return list(self.spools[table][1])
        for _line, row in self._sheet_rows(table):
            if any(v is not None for v in row):
                return [str(h).strip() if h is not None else "" for h in row]
        return []

    def rows(self, table):
        if table in self.spools:
            path, header = self.spools[table]
            with open(path, "rb") as handle:
                while True:
                    try:
                        batch = pickle.load(handle)  # noqa: S301 - our own spool file
                    except EOFError:
                        break
                    for line, values in batch:
                        yield line, dict(zip(header, values, strict=False)), None
            return
        yield from self._read_and_spool(table)

    def _read_and_spool(self, table):
        """Rows parsed from the sheet, kept in a spool file as they go; the spool counts once complete."""
        header, batch, complete, count = None, [], False, 0
        handle = tempfile.NamedTemporaryFile(prefix="hotline_import_", suffix=".spool", delete=False)  # noqa: SIM115
        try:
            with handle:
                for line, values in self._sheet_rows(table):
                    if all(v is None or v == "" for v in values):
                        continue
                    if header is None:
                        header = [str(h).strip() if h is not None else "" for h in values]
                        continue
                    batch.append((line, values))
                    count += 1
                    if len(batch) >= self.spool_batch:
                        # one pickle a batch (its own memo): read back batch by batch
                        pickle.dump(batch, handle, protocol=pickle.HIGHEST_PROTOCOL)
                        batch = []
                    yield line, dict(zip(header, values, strict=False)), None
                pickle.dump(batch, handle, protocol=pickle.HIGHEST_PROTOCOL)
            complete = True
        finally:
            if complete and header is not None:
                self.spools[table] = (handle.name, header)
                self.counts[table] = count
            else:  # a reading stopped halfway (or an empty sheet): nothing kept
                os.unlink(handle.name)

    def count(self, table):
        """Rows below the header: the sheet's first reading, kept for the readings that follow."""
        if table not in self.counts:
            for _row in self._read_and_spool(table):
                pass
            self.counts.setdefault(table, 0)
        return self.counts[table]

    def close(self):
        if self.book is not None:
            self.book.close()
            self.book = None
        _unlink(self.spools)

    def reconnect(self):
        self.inherited = self.book  # kept referenced: never closed from this process
        self.book = None


def _unlink(spools):
    for path, _header in spools.values():
        if os.path.exists(path):
            os.unlink(path)
    spools.clear()


# DB-API drivers per URL scheme: mysql/mariadb through PyMySQL; SQL Server through pymssql or pyodbc.
def _connect_mysql(url):
    import pymysql  # noqa: PLC0415

    return pymysql.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 3306, user=unquote(url.username or "root"),
        password=_password(url), database=url.path.lstrip("/"), charset="utf8mb4",
        cursorclass=pymysql.cursors.SSCursor,  # streams: a million rows never sit in memory
    ), "`{}`"


def _connect_mssql(url):
    import pymssql  # noqa: PLC0415  # pylint: disable=import-error

    return pymssql.connect(
        server=url.hostname, port=str(url.port or 1433), user=unquote(url.username or ""),
        password=_password(url), database=url.path.lstrip("/"), charset="UTF-8",
    ), "[{}]"


def _connect_odbc(url):
    import pyodbc  # noqa: PLC0415  # pylint: disable=import-error

    # odbc://?DSN=legacy;UID=sa;PWD=... : the query string is the ODBC connection string
    connection_string = unquote(url.query)
    if not QUERY_PASSWORD.search(connection_string) and os.environ.get(PASSWORD_ENV):
        connection_string = f"{connection_string.rstrip(';')};PWD={{{os.environ[PASSWORD_ENV]}}}"
    return pyodbc.connect(connection_string), "[{}]"


DRIVERS = {"mysql": _connect_mysql, "mariadb": _connect_mysql, "mssql": _connect_mssql, "odbc": _connect_odbc}


class SqlDatabase(Source):
    """A legacy database read through DB-API, e.g. mysql://root@127.0.0.1:3306/legacy_12319."""

    def __init__(self, url):
        parts = urlsplit(url)
        if parts.scheme not in DRIVERS:
            raise ValueError(f"unsupported database URL scheme {parts.scheme!r} (one of {', '.join(DRIVERS)})")
        self.connection, self.quote = DRIVERS[parts.scheme](parts)
        self.scheme = parts.scheme
        self.parts = parts
        self.location = redact_location(url)

    def _query(self, sql):
        cursor = self.connection.cursor()
        cursor.execute(sql)
        return cursor

    def tables(self):
        if self.scheme in ("mysql", "mariadb"):
            return [row[0] for row in self._query("SHOW TABLES").fetchall()]
        return [row[0] for row in self._query(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()]

    def headers(self, table):
        cursor = self._query(f"SELECT * FROM {self.quote.format(table)} WHERE 1 = 0")  # noqa: S608
        headers = [d[0] for d in cursor.description]
        cursor.fetchall()
        cursor.close()
        return headers

    def rows(self, table):
        cursor = self._query(f"SELECT * FROM {self.quote.format(table)}")  # noqa: S608
        header = [d[0] for d in cursor.description]
        line = 0
        try:
            while True:
                batch = cursor.fetchmany(5000)
                if not batch:
                    break
                for values in batch:
                    line += 1
                    yield line, dict(zip(header, values, strict=False)), None
        finally:
            cursor.close()

    def count(self, table):
        cursor = self._query(f"SELECT COUNT(*) FROM {self.quote.format(table)}")  # noqa: S608
        (count,) = cursor.fetchone()
        cursor.close()
        return count

    def close(self):
        self.connection.close()

    def reconnect(self):
        self.inherited = self.connection  # kept referenced: never closed from this process
        self.connection, self.quote = DRIVERS[self.scheme](self.parts)


def open_source(location):
    """A Source for a folder, a workbook or a database URL."""
    if "://" in location:
        return SqlDatabase(location)
    if os.path.isdir(location):
        return CsvFolder(location)
    if location.lower().endswith(".xlsx"):
        return XlsxWorkbook(location)
    raise ValueError(f"{location}: not a folder, an .xlsx workbook or a database URL")
