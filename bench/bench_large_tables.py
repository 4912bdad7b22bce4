#!/usr/bin/env python3
"""Large tables (issue 11 item 6): the everyday operations at the size generated, and the candidate
indexing techniques for the call records measured side by side in the same run.

    .venv/bin/python bench/generate_cases.py --db mg_lcases --cases 2000000 --create
    .venv/bin/python bench/generate_calls.py --db mg_lcalls --calls 5000000
    .venv/bin/python bench/bench_large_tables.py --cases-db mg_lcases --calls-db mg_lcalls

At the issue's size (10,000,000 cases, 50,000,000 calls) one database holds both, grown by
bench/generate_large.py (see its docstring); pass it as --cases-db and --calls-db.

Cases (bench_case.py's operations, as an agent and as a unit user through the record rules): caller
lookup (goal 50 ms), the agent's list by state and the unit's list (200 ms each); then the same again
without the partial index of open cases (hotline_case_open_date_idx), dropped in a rolled-back transaction.
Calls: a month of call KPIs as the reports' base query (hotline.call read_group by agent and outcome
over the last full month: count, talk, wait; goal 1 s), with the start-time index as installed
(btree), replaced by a BRIN index (128 pages a range, also with JIT off, and 16), by a covering btree
(the columns the KPIs read included: an index-only scan), and with none (a sequential scan, fewer
repeats: it is the slow one) — each variant inside a transaction rolled back afterwards — plus the size of each index.
Prints the rows and size of the tables measured and the load average before each part.
"""

import argparse
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psycopg2  # noqa: E402
from bench_call_reports import timed  # noqa: E402
from generate_calls import boot_odoo  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 1000
# the case lists again without the index this study added (dropped in a transaction rolled back afterwards)
CASE_CANDIDATES = [["DROP INDEX hotline_case_open_date_idx"]]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases-db", default="mg_lcases")
    parser.add_argument("--calls-db", default="mg_lcalls")
    parser.add_argument("--repeat", type=int, default=7)
    return parser.parse_args()


def load():
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def table_sizes(db):
    conn = psycopg2.connect(dbname=db)
    with conn.cursor() as cr:
        for table in ("hotline_case", "hotline_case_portal_unit_rel", "res_partner", "hotline_call"):
            cr.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if cr.fetchone()[0]:
                cr.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")  # noqa: S608
                rows, size = cr.fetchone()
                print(f"    {table:<30} {rows:>12,} rows  {size / 2**30:6.2f} GiB with indexes", flush=True)
    conn.close()


def case_operations(db, repeat, ddl=()):
    print(f"-- cases ({db}), bench_case.py's operations; load average {load()}", flush=True)
    if not ddl:
        table_sizes(db)
    command = [sys.executable, str(ROOT / "bench" / "bench_case.py"), "--db", db, "--repeat", str(repeat)]
    for statement in ddl:
        command += ["--ddl", statement]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    for text in run.stdout.splitlines():
        if text.startswith(("database", "with", "find by caller", "agent list", "unit list")):
            print("   ", text, flush=True)
    if run.returncode:
        print(run.stderr[-2000:])


def call_kpis(db, repeat):
    odoo, registry = boot_odoo(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "Asia/Shanghai"})
        cr.execute("SELECT count(*), max(enter_time), pg_total_relation_size('hotline_call') FROM hotline_call")
        calls, last, size = cr.fetchone()
        # the last whole month of the data, in the center's days
        month_last = env.company._hotline_local_day(last).replace(day=1) - timedelta(days=1)
        month_start = month_last.replace(day=1)
        start, end = env.company._hotline_day_bounds(month_start, month_last)
        cr.execute("SELECT count(*) FROM hotline_call WHERE enter_time >= %s AND enter_time < %s", [start, end])
        in_month = cr.fetchone()[0]
        cr.execute("SELECT correlation FROM pg_stats WHERE tablename = 'hotline_call' AND attname = 'enter_time'")
        correlation = (cr.fetchone() or [None])[0]
        print(f"-- calls ({db}): correlation of enter_time with the storage order {correlation}", flush=True)
        print(f"-- calls ({db}): {calls:,} call records ({size / 2**30:.1f} GiB with indexes), month "
              f"{month_start:%Y-%m} {in_month:,} calls; load average {load()}", flush=True)
        Call = env["hotline.call"]

        def month_kpis():
            Call._read_group([("enter_time", ">=", start), ("enter_time", "<", end)], ["user_id", "outcome"],
                             ["__count", "talk_seconds:sum", "wait_seconds:avg"])

        def variant(name, ddl, repeat=repeat):
            cr.execute("SAVEPOINT variant")
            for statement in ddl:
                cr.execute(statement)
            cr.execute("ANALYZE hotline_call")
            cr.execute("SELECT pg_relation_size(indexrelid) FROM pg_index WHERE indrelid = 'hotline_call'::regclass "
                       "AND pg_get_indexdef(indexrelid) LIKE %s", ["%(enter_time)%"])
            index = sum(row[0] for row in cr.fetchall())
            cr.execute("EXPLAIN SELECT user_id, outcome, count(*), sum(talk_seconds), avg(wait_seconds) "
                       "FROM hotline_call WHERE enter_time >= %s AND enter_time < %s GROUP BY 1, 2", [start, end])
            plan = next((row[0].strip(" ->").split("  (")[0] for row in cr.fetchall() if "Scan" in row[0]), "?")
            median, p95 = timed(env, month_kpis, repeat)
            verdict = "ok" if p95 <= GOAL_MS else ("median ok" if median <= GOAL_MS else "SLOW")
            print(f"    {name:<32} median {median:7.1f} ms  p95 {p95:7.1f} ms  goal {GOAL_MS} ms  {verdict:<9} "
                  f"index {index / 2**20:7.1f} MiB  plan: {plan}", flush=True)
            cr.execute("ROLLBACK TO SAVEPOINT variant")

        variant("btree on enter_time (installed)", [])
        variant("BRIN on enter_time instead", ["DROP INDEX hotline_call__enter_time_index",
                                               "CREATE INDEX mg_brin ON hotline_call USING brin (enter_time)"])
        # BRIN's cost estimate on a large table passes jit_above_cost: the JIT compilation, not the scan, costs
        variant("BRIN instead, JIT off", ["SET LOCAL jit = off", "DROP INDEX hotline_call__enter_time_index",
                                          "CREATE INDEX mg_brin ON hotline_call USING brin (enter_time)"])
        variant("BRIN, 16 pages a range", ["DROP INDEX hotline_call__enter_time_index",
                                           "CREATE INDEX mg_brin ON hotline_call USING brin (enter_time) "
                                           "WITH (pages_per_range = 16)"])
        variant("covering btree instead", ["DROP INDEX hotline_call__enter_time_index",
                                           "CREATE INDEX mg_cover ON hotline_call (enter_time) "
                                           "INCLUDE (user_id, outcome, talk_seconds, wait_seconds)"])
        variant("no index on enter_time", ["DROP INDEX hotline_call__enter_time_index"], min(repeat, 3))
        cr.rollback()


def main():
    args = parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {load()}", flush=True)
    case_operations(args.cases_db, args.repeat)
    for ddl in CASE_CANDIDATES:
        case_operations(args.cases_db, args.repeat, ddl)
    call_kpis(args.calls_db, args.repeat)
    print(f"load average at the end {load()}")


if __name__ == "__main__":
    main()
