"""Bulk insertion through Odoo's cursor that fills what the ORM's create would: defaults, create/write
uid and date, stored computed fields (recomputed by the ORM itself), without the ORM's per-row cost,
mail tracking or activities."""

import csv
import io
import logging
from concurrent.futures import ThreadPoolExecutor

from odoo.fields import Datetime
from odoo.sql_db import db_connect

_logger = logging.getLogger(__name__)

LOG_ACCESS = ("create_uid", "create_date", "write_uid", "write_date")


class BulkInserter:
    def __init__(self, env, model_name, columns, timestamps=True, writer=None):
        self.env = env
        self.writer = writer or DirectWriter(env)
        self.model = env[model_name]
        self.table = self.model._table
        fields = self.model._fields
        provided = set(columns) | {"id"} | set(LOG_ACCESS)
        # as create(): whatever default_get gives (a field default, ir.default, the context's language for
        # res.partner.lang) fills the column, a computed one included (then not recomputed)
        plain = [n for n, f in fields.items() if f.store and f.column_type and n not in provided]
        defaults = self.model.default_get(plain)
        self.defaults = {n: _plain(fields[n].convert_to_column_insert(v, self.model))
                         for n, v in defaults.items() if n in plain}
        # stored computed fields neither given nor defaulted: the ORM recomputes them after the insert
        self.to_compute = [f for n, f in fields.items() if f.store and f.compute and f.column_type
                           and n not in provided and n not in self.defaults]
        self.columns = ["id", *columns, *self.defaults]
        self.log_access = self.model._log_access and timestamps
        if self.log_access:
            self.columns += list(LOG_ACCESS)

    def new_ids(self, count):
        """Reserve ids from the table's sequence, so that rows may point at each other before insertion."""
        if not count:
            return []
        self.env.cr.execute(f"SELECT nextval('{self.table}_id_seq') FROM generate_series(1, %s)", [count])  # noqa: S608
        return [row[0] for row in self.env.cr.fetchall()]

    def insert(self, ids, rows, dates=None):
        """Insert `rows` (tuples in the order of `columns`) with the reserved `ids`; `dates`: the create
        date of each row (its legacy time), default now."""
        if not rows:
            return
        # as text once, not once a row by the csv module (a million rows a load)
        now = str(Datetime.now())
        uid = str(self.env.uid)
        extra = tuple(self.defaults.values())
        # one comprehension per case, not a branch per row (a million log lines per load)
        if not self.log_access:
            values = [(res_id, *row, *extra) for res_id, row in zip(ids, rows, strict=False)]
        elif dates:
            values = [(res_id, *row, *extra, uid, when or now, uid, now)
                      for res_id, row, when in zip(ids, rows, dates, strict=False)]
        else:
            values = [(res_id, *row, *extra, uid, now, uid, now) for res_id, row in zip(ids, rows, strict=False)]
        self.writer.add(self.table, self.columns, values)
        if self.to_compute:
            records = self.model.browse(ids)
            for field in self.to_compute:
                self.env.add_to_compute(field, records)
            self.model.flush_model()
            self.env.invalidate_all()


def _plain(value):
    """A column value as COPY reads it (jsonb wrappers as their JSON text)."""
    adapted = getattr(value, "adapted", None)
    return value.dumps(adapted) if adapted is not None and hasattr(value, "dumps") else value


def _csv(rows):
    """`rows` as COPY's CSV text, written by the C csv module: None and "" are both an unquoted empty
    field, i.e. NULL (the ORM stores an empty char as NULL too); datetimes as "YYYY-MM-DD HH:MM:SS",
    booleans as True/False."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer


def _send(cursor, table, columns, buffer):
    names = ", ".join(f'"{c}"' for c in columns)
    size = buffer.tell()
    buffer.seek(0)
    # in one piece: psycopg2 takes the GIL back for every piece it reads (8 kB by default), and a thread
    # waits up to the interpreter's switch interval (5 ms) for it while the other converts rows
    cursor._obj.copy_expert(f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv)',  # noqa: S608
                            buffer, size=max(size, 8192))


def copy_rows(env, table, columns, rows):
    """COPY `rows` into `table`: PostgreSQL's fastest way in, through Odoo's own cursor and transaction."""
    _send(env.cr, table, columns, _csv(rows))


class DirectWriter:
    """The batches' rows COPYed at once on the importer's own cursor, in its transaction (a test's, a
    dry run's): `commit` is the caller's."""

    def __init__(self, env, commit=None):
        self.env = env
        self._commit = commit or (lambda: None)

    def add(self, table, columns, rows):
        copy_rows(self.env, table, columns, rows)

    def commit(self):
        self._commit()

    def drain(self):
        """Everything sent so far is committed and visible to new transactions."""

    def close(self):
        pass


class PipelinedWriter:
    """The batches' rows sent over a connection of its own by a thread, one batch (its rows and xref
    lines, one transaction) while the importer converts the next: PostgreSQL's work on a batch and the
    conversion of the next run side by side on two cores, instead of taking turns. The rows are made CSV
    text in the caller's thread; the thread only waits on the socket (psycopg2 releases the GIL there).

    Only one batch is in flight, so batches commit in order and a failed one raises in the caller at the
    next `commit` or `drain`; the batches before it stay committed (a resumed run skips them)."""

    def __init__(self, dbname):
        self.cursor = db_connect(dbname).cursor()
        # as the importer's own cursor: a crash may lose the last batches, never half of one
        self.cursor.execute("SET synchronous_commit = off")
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotline_import_copy")
        self.pending = None
        self.batch = []

    def add(self, table, columns, rows):
        if rows:
            self.batch.append((table, columns, _csv(rows)))

    def commit(self):
        batch, self.batch = self.batch, []
        self.drain()
        self.pending = self.pool.submit(self._write, batch)

    def _write(self, batch):
        try:
            for table, columns, buffer in batch:
                _send(self.cursor, table, columns, buffer)
            self.cursor.commit()
        except Exception:
            self.cursor.rollback()
            raise

    def drain(self):
        pending, self.pending = self.pending, None
        if pending:
            pending.result()

    def close(self):
        """Wait for the batch in flight (a whole batch: it may commit), drop what was never sent. Called
        after the last `drain` or on the way out of a failure, which its own would only hide: logged."""
        self.batch = []
        try:
            self.drain()
        except Exception:
            _logger.exception("the last batch sent was not committed")
        finally:
            self.pool.shutdown()
            self.cursor.close()
