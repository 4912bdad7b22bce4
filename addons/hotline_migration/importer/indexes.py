"""Secondary indexes and foreign keys set aside while a center's history is bulk-loaded, always put back.

Measured on the 2-core machine (bench_import.py, 20,000 legacy cases, load average ~10): COPY of
112,767 log lines into hotline_case_log took 41 s with its foreign keys, 11 s without them (the
per-row RI triggers are the main cost: one look-up and a row lock in the referenced table per key and
row), 2 s into a table with neither; re-adding a foreign key checks the whole table with one join.
So on a first load (the target tables hold fewer rows than the legacy system brings) the importer
drops the non-unique indexes and the foreign keys of the big tables and recreates them at the end.
Primary keys and unique indexes always stay, but for the xref's legacy-id key: every imported row adds
a line to it, in an order that is not the key's (legacy ids are text: "10" sorts before "9"), so its
upkeep cost as much as the COPY of the xref lines themselves (20,000 cases: 4.9 s of COPY into the
xref, most of it the index). Nothing but the importer writes or reads that table by its key, an import
holds the advisory lock below, and each run skips the legacy ids already there (a set, not the index),
so no duplicate can come in meanwhile; should one ever be there, the key is not rebuilt, the log says
so and it stays on record (and the next run tries again).

Safety: the definitions are saved in `hotline_migration_deferred_ddl` in the transaction that drops
them, so a run killed anywhere leaves them on record; the next run, and every server start
(`hotline.migration.source._register_hook`), puts them back first. An import holds a session
advisory lock, so a server starting meanwhile leaves that run's indexes alone.
"""

import logging
import queue
import time
from concurrent.futures import ThreadPoolExecutor

from odoo.sql_db import db_connect
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

TABLE = "hotline_migration_deferred_ddl"
# pg_advisory_lock key of a running import ("hotline_migration" → a fixed 64-bit number)
LOCK_KEY = 123190011
BIG_TABLES = ("res_partner", "hotline_case", "hotline_case_log", "hotline_case_portal_unit_rel", "hotline_call",
              "hotline_call_case_rel", "hotline_migration_xref")
# the one unique index set aside (see above)
XREF_KEY = "hotline_migration_xref_legacy_uniq"


def ensure_table(cr):
    cr.execute(SQL("""
        CREATE TABLE IF NOT EXISTS %s (
            id serial PRIMARY KEY,
            table_name varchar NOT NULL,
            name varchar NOT NULL,
            kind varchar NOT NULL,  -- 'index' or 'fkey'
            definition text NOT NULL,
            deferred_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
        )""", SQL.identifier(TABLE)))


def try_lock(cr):
    """Take the import lock (session-wide: released when the connection ends, even on kill -9)."""
    cr.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
    return cr.fetchone()[0]


def unlock(cr):
    cr.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def pending(cr):
    cr.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
    if not cr.fetchone()[0]:
        return 0
    cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(TABLE)))
    return cr.fetchone()[0]


def defer(cr, tables=BIG_TABLES):
    """Drop the non-unique indexes and foreign keys of `tables`, saving their definitions in the same
    transaction (the caller commits). Returns the number of objects dropped."""
    ensure_table(cr)
    cr.execute("""
        SELECT t.relname, i.relname, 'index', pg_get_indexdef(x.indexrelid)
          FROM pg_index x
          JOIN pg_class i ON i.oid = x.indexrelid
          JOIN pg_class t ON t.oid = x.indrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
         WHERE t.relname = ANY(%(tables)s) AND NOT x.indisprimary AND (NOT x.indisunique OR i.relname = %(xref_key)s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        UNION ALL
        SELECT t.relname, c.conname, 'fkey', pg_get_constraintdef(c.oid)
          FROM pg_constraint c
          JOIN pg_class t ON t.oid = c.conrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
         WHERE t.relname = ANY(%(tables)s) AND c.contype = 'f'
    """, {"tables": list(tables), "xref_key": XREF_KEY})
    objects = cr.fetchall()
    for table, name, kind, definition in objects:
        cr.execute(SQL("INSERT INTO %s (table_name, name, kind, definition) VALUES (%s, %s, %s, %s)",
                       SQL.identifier(TABLE), table, name, kind, definition))
        if kind == "index":
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
        else:
            cr.execute(SQL("ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(table), SQL.identifier(name)))
    return len(objects)


def restore(cr, commit=None, builders=1):
    """Recreate whatever `defer` dropped (indexes first: the foreign keys' checks then use them).
    `commit` after each table, so that a restore interrupted in turn goes on where it stopped.
    `builders` > 1 (with `commit`): the indexes are built by that many connections side by side, each
    index committed on its own (an index build is one table scan and a sort: a core each).
    Returns {table: seconds spent}."""
    if not pending(cr):
        return {}
    # sorts of millions of keys in memory rather than on disk (session setting, back to default at the end;
    # shared by the parallel workers PostgreSQL gives a big table's index build)
    cr.execute("SET maintenance_work_mem = '1GB'")
    cr.execute(SQL("SELECT id, table_name, name, kind, definition FROM %s ORDER BY kind DESC, table_name, id",
                   SQL.identifier(TABLE)))
    objects = cr.fetchall()
    seconds = {}
    if builders > 1 and commit:
        # the builders' connections must neither wait on this transaction's locks nor miss its rows
        commit()
        seconds = _build_side_by_side(cr.dbname, [o for o in objects if o[3] == "index"], builders)
        objects = [o for o in objects if o[3] != "index"]
    following = {row[0]: nxt[1] for row, nxt in zip(objects, objects[1:], strict=False)}
    for ddl_id, table, name, kind, definition in objects:
        started = time.monotonic()
        if kind == "index":
            if not _create_index(cr, table, name, definition):
                continue
        else:
            cr.execute("SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
                       [f'"{table}"', name])
            if not cr.fetchone():
                # one join checks every row; should a row have lost its target meanwhile, the key still
                # guards new rows (NOT VALID) and the log says so
                cr.execute("SAVEPOINT hotline_migration_fkey")
                try:
                    cr.execute(SQL("ALTER TABLE %s ADD CONSTRAINT %s %s", SQL.identifier(table),
                                   SQL.identifier(name), SQL(definition.replace("%", "%%"))))
                except Exception:  # noqa: BLE001 - any failure of the check: keep the key for new rows
                    cr.execute("ROLLBACK TO SAVEPOINT hotline_migration_fkey")
                    _logger.error("foreign key %s on %s: existing rows fail its check; added NOT VALID", name,
                                  table)
                    cr.execute(SQL("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", SQL.identifier(table),
                                   SQL.identifier(name), SQL(definition.replace("%", "%%"))))
                cr.execute("RELEASE SAVEPOINT hotline_migration_fkey")
        cr.execute(SQL("DELETE FROM %s WHERE id = %s", SQL.identifier(TABLE), ddl_id))
        if commit and table != following.get(ddl_id):
            commit()
        seconds[table] = seconds.get(table, 0) + time.monotonic() - started
    cr.execute("RESET maintenance_work_mem")
    return seconds


def _create_index(cr, table, name, definition):
    """Create the index unless it is there. False when it cannot be (a unique key over duplicates): its
    definition then stays on record and the log says why."""
    cr.execute("SELECT to_regclass(%s) IS NULL", [f'"{name}"'])
    if not cr.fetchone()[0]:
        return True
    cr.execute("SAVEPOINT hotline_migration_index")
    try:
        cr.execute(SQL(definition.replace("%", "%%")))  # pg_get_indexdef's own text
    except Exception:  # noqa: BLE001 - kept on record, not lost
        cr.execute("ROLLBACK TO SAVEPOINT hotline_migration_index")
        _logger.exception("index %s on %s could not be rebuilt; its definition stays in %s", name, table, TABLE)
        return False
    cr.execute("RELEASE SAVEPOINT hotline_migration_index")
    return True


def _build_side_by_side(dbname, objects, builders):
    """Build the indexes `objects` over `builders` connections of their own, the biggest tables' first
    (the last builds to start are then the short ones). Returns {table: seconds}: the phase's wall time
    shared among the tables in proportion to their builds' durations."""
    cr = db_connect(dbname).cursor()
    try:
        cr.execute("SELECT relname, relpages FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'",
                   [list({o[1] for o in objects})])
        pages = dict(cr.fetchall())
    finally:
        cr.close()
    todo = queue.SimpleQueue()
    for row in sorted(objects, key=lambda o: -pages.get(o[1], 0)):
        todo.put(row)

    def build():
        durations = {}
        with db_connect(dbname).cursor() as bcr:
            # one core per builder: no parallel workers of PostgreSQL's own on top
            bcr.execute("SET maintenance_work_mem = '512MB'; SET max_parallel_maintenance_workers = 0")
            while True:
                try:
                    ddl_id, table, name, _kind, definition = todo.get_nowait()
                except queue.Empty:
                    return durations
                started = time.monotonic()
                if _create_index(bcr, table, name, definition):
                    bcr.execute(SQL("DELETE FROM %s WHERE id = %s", SQL.identifier(TABLE), ddl_id))
                bcr.commit()
                durations[table] = durations.get(table, 0) + time.monotonic() - started

    started = time.monotonic()
    durations = {}
    with ThreadPoolExecutor(max_workers=builders) as pool:
        for future in [pool.submit(build) for _k in range(builders)]:
            for table, spent in future.result().items():  # a builder's failure raises here
                durations[table] = durations.get(table, 0) + spent
    wall = time.monotonic() - started
    total = sum(durations.values()) or 1
    return {table: wall * spent / total for table, spent in durations.items()}
