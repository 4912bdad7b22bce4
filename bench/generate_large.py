#!/usr/bin/env python3
"""Grow a bench database to the issue's size (issue 11 item 6): copies of one generated year, moved back in time.

    scripts/odoo -d lt_large -i hotline_case,hotline_reports --stop-after-init --no-http
    .venv/bin/python bench/generate_calls.py --db lt_large --calls 5000000 --days 365   # one year of calls
    .venv/bin/python bench/generate_cases.py --db lt_large --cases 1000000 --days 365   # one year of cases
    .venv/bin/python bench/generate_large.py --db lt_large --copies 9                  # nine earlier years

Generating 10,000,000 cases with their history and 50,000,000 calls row by row in SQL takes hours on
two cores; copying is set-based and several times faster. Copy k (1..--copies) of the generated year
is the same rows with every timestamp k years earlier and fresh ids (id + k x the generated maximum):

  * callers (res_partner made by generate_cases.py): new numbers 13xxxxxxxxx + k x 10,000,000, so a
    caller's cases stay his own and every number stays unique;
  * cases: new unique numbers; old cases still open (draft, pool, in a unit) are closed, as a running
    hotline has no open case years old; the units that handled them (hotline_case_portal_unit_rel, what
    the units' record rules read) are copied with them;
  * calls: new uniqueids, same agents, queues and outcomes.

Not copied: the cases' log lines and satisfaction history beyond the case row, ring attempts, agent
sessions and pauses (only the generated year has them); no everyday operation reads them.

For speed, the copies are written with the secondary indexes of these tables dropped and with
`session_replication_role = replica` (no foreign-key checks, no triggers: the copies are consistent by
construction and the reports' facts, if built, must be rebuilt). The indexes are rebuilt afterwards, two
at a time (maintenance_work_mem 1 GB), then the tables are vacuumed and analysed. Each step commits and
is recorded in the table bench_large, so that an interrupted run resumes where it stopped.
"""

import argparse
import json
import queue
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_cases import connect  # noqa: E402

TABLES = ("res_partner", "hotline_case", "hotline_call")
PHONE_STEP = 10_000_000  # the generated callers' numbers stay below it


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="lt_large")
    parser.add_argument("--copies", type=int, default=9, help="earlier years to add (default 9: ten years in all)")
    parser.add_argument("--jobs", type=int, default=2, help="indexes built at the same time (default 2)")
    for key in ("host", "port", "user", "password"):
        parser.add_argument(f"--{key}")
    return parser.parse_args()


def state_get(cr, key):
    cr.execute("SELECT value FROM bench_large WHERE key = %s", [key])
    row = cr.fetchone()
    return json.loads(row[0]) if row else None


def state_set(cr, key, value):
    cr.execute("INSERT INTO bench_large (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = "
               "excluded.value", [key, json.dumps(value)])


def prepare(conn):
    """Record what the generated year is (id bounds, blocks, the indexes), then drop the indexes."""
    with conn.cursor() as cr:
        cr.execute("CREATE TABLE IF NOT EXISTS bench_large (key varchar PRIMARY KEY, value text)")
        if state_get(cr, "base"):
            return state_get(cr, "base")
        cr.execute("SELECT min(id), max(id), max(substr(phone, 3)::bigint) FROM res_partner "
                   "WHERE phone ~ '^13[0-9]{9}$' AND name LIKE '来电人%%'")
        partner_min, partner_max, phone_max = cr.fetchone()
        if not partner_min or phone_max >= PHONE_STEP:
            sys.exit("no callers of generate_cases.py (or too many): generate the year first")
        base = {"partner_min": partner_min, "partner_max": partner_max}
        for table in TABLES:
            cr.execute(f"SELECT max(id), count(*), pg_relation_size('{table}') / 8192 + 1 FROM {table}")  # noqa: S608
            base[table] = dict(zip(("max", "rows", "blocks"), cr.fetchone(), strict=True))
        # the secondary indexes and unique constraints, as PostgreSQL itself prints them
        cr.execute("""
            SELECT i.indrelid::regclass::text, c.relname, coalesce(
                       'ALTER TABLE ' || i.indrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(k.conname) || ' '
                       || pg_get_constraintdef(k.oid), pg_get_indexdef(i.indexrelid)),
                   k.conname IS NOT NULL, pg_relation_size(i.indexrelid)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.contype IN ('u', 'x')
             WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
        """, [list(TABLES)])
        base["indexes"] = [dict(zip(("table", "name", "ddl", "constraint", "size"), row, strict=True))
                           for row in cr.fetchall()]
        state_set(cr, "base", base)
        for index in base["indexes"]:
            if index["constraint"]:
                cr.execute(f'ALTER TABLE {index["table"]} DROP CONSTRAINT "{index["name"]}"')
            else:
                cr.execute(f'DROP INDEX "{index["name"]}"')
    conn.commit()
    print(f"generated year: {json.dumps({t: base[t] for t in TABLES})}; {len(base['indexes'])} indexes dropped",
          flush=True)
    return base


def columns(cr, table):
    cr.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
               "ORDER BY ordinal_position", [table])
    return cr.fetchall()


def phone(column, k):
    """The copy's number for a generated caller's number; other values unchanged."""
    return (f"CASE WHEN {column} ~ '^13[0-9]{{9}}$' "
            f"THEN '13' || lpad((substr({column}, 3)::bigint + {k * PHONE_STEP})::text, 9, '0') ELSE {column} END")


def overrides(table, k, base):
    """Per table, the columns a copy changes beyond the timestamps (SQL expressions over the generated row)."""
    shift = f"interval '{k} years'"
    offset = k * base[table]["max"]
    partner = (f"CASE WHEN partner_id BETWEEN {base['partner_min']} AND {base['partner_max']} "
               f"THEN partner_id + {k * base['res_partner']['max']} ELSE partner_id END")
    if table == "res_partner":
        return {"id": f"id + {offset}", "commercial_partner_id": f"commercial_partner_id + {offset}",
                "phone": phone("phone", k), "hotline_phone_norm": phone("hotline_phone_norm", k),
                "name": f"name || '-{k}'", "complete_name": f"complete_name || '-{k}'"}
    if table == "hotline_case":
        return {"id": f"id + {offset}", "merged_into_id": f"merged_into_id + {offset}",
                "name": f"'12319-' || to_char(date_received - {shift}, 'YYYYMMDD') || '-B' || "
                        f"lpad((id + {offset})::text, 8, '0')",
                "state": "CASE WHEN state IN ('closed', 'cancelled') THEN state ELSE 'closed' END",
                "date_closed": f"coalesce(date_closed, date_received + interval '5 days') - {shift}",
                "partner_id": partner, "caller_phone": phone("caller_phone", k)}
    return {"id": f"id + {offset}", "uniqueid": f"uniqueid || '-{k}'", "linkedid": f"linkedid || '-{k}'",
            "partner_id": partner, "caller_phone": phone("caller_phone", k)}


def copy(conn, base, table, k):
    with conn.cursor() as cr:
        if state_get(cr, f"{table}-{k}"):
            return
        started = time.perf_counter()
        cr.execute("SET LOCAL session_replication_role = replica")
        changed = overrides(table, k, base)
        names, exprs = [], []
        for name, kind in columns(cr, table):
            names.append(name)
            if name in changed:
                exprs.append(changed[name])
            elif kind.startswith("timestamp") or kind == "date":
                exprs.append(f"{name} - interval '{k} years'")
            else:
                exprs.append(name)
        where = f"ctid < '({base[table]['blocks']},0)'::tid AND id <= {base[table]['max']}"  # the generated rows
        if table == "res_partner":
            where += f" AND id BETWEEN {base['partner_min']} AND {base['partner_max']}"
        cr.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM {table} "  # noqa: S608
                   f"WHERE {where}")
        rows = cr.rowcount
        if table == "hotline_case":
            cr.execute(f"""
                INSERT INTO hotline_case_portal_unit_rel (case_id, unit_id)
                SELECT case_id + {k * base[table]['max']}, unit_id FROM hotline_case_portal_unit_rel
                 WHERE case_id <= {base[table]['max']}
            """)  # noqa: S608
        state_set(cr, f"{table}-{k}", {"rows": rows, "seconds": round(time.perf_counter() - started, 1)})
    conn.commit()
    print(f"copy {k} {table:<13} {rows:>10,} rows  {time.perf_counter() - started:7.1f} s", flush=True)


def build_indexes(args, base):
    """Rebuild the dropped indexes, largest first, --jobs at a time (each on its own connection)."""
    todo = queue.Queue()
    for index in sorted(base["indexes"], key=lambda index: -index["size"]):
        todo.put(index)

    def worker():
        conn = connect(args, args.db)
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute("SET maintenance_work_mem = '1GB'")
            cr.execute("SET max_parallel_maintenance_workers = 0")  # the jobs share the cores already
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    break
                cr.execute("SELECT 1 FROM pg_class WHERE relname = %s", [index["name"]])
                if cr.fetchone():
                    continue
                started = time.perf_counter()
                cr.execute(index["ddl"])
                # one write per line: the jobs print at the same time
                sys.stdout.write(f"index {index['name']:<48} {time.perf_counter() - started:7.1f} s\n")
                sys.stdout.flush()
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(args.jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main():
    args = parse_args()
    started = time.perf_counter()
    conn = connect(args, args.db)
    base = prepare(conn)
    for k in range(1, args.copies + 1):
        for table in TABLES:
            copy(conn, base, table, k)
    print(f"copies written in {time.perf_counter() - started:.1f} s", flush=True)
    step = time.perf_counter()
    build_indexes(args, base)
    print(f"indexes rebuilt in {time.perf_counter() - step:.1f} s", flush=True)
    step = time.perf_counter()
    conn.autocommit = True
    with conn.cursor() as cr:
        for table in (*TABLES, "hotline_case_portal_unit_rel"):
            if table != "hotline_case_portal_unit_rel":
                cr.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")  # noqa: S608
            cr.execute(f"VACUUM ANALYZE {table}")
            cr.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")  # noqa: S608
            rows, size = cr.fetchone()
            print(f"{table:<30} {rows:>12,} rows  {size / 2**30:6.1f} GiB with indexes", flush=True)
    conn.close()
    print(f"vacuumed in {time.perf_counter() - step:.1f} s; done in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
