#!/usr/bin/env python3
"""Fill a database with many hotline cases, fast (set-based SQL, no ORM), for the benchmarks.

    .venv/bin/python bench/generate_cases.py --db hc_bench --cases 1000000 --create

--create installs hotline_case (without demo data) when the database does not exist yet. Districts,
streets, units and agents are added if the database has none. Callers: one contact for every five cases
with a normalised phone, so that a caller has several cases, as in real life. Numbers stay unique.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
STATES = ["draft", "pool", "dispatched", "processing", "submitted", "callback", "closed", "cancelled"]
# share of each state, in percent: most cases of a running hotline are closed
STATE_WEIGHTS = [1, 2, 3, 5, 2, 3, 80, 4]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="hc_bench", help="database name (default hc_bench)")
    parser.add_argument("--cases", type=int, default=1_000_000, help="number of cases to add (default 1,000,000)")
    parser.add_argument("--callers-ratio", type=int, default=5, help="cases per caller on average (default 5)")
    parser.add_argument("--days", type=int, default=730, help="spread the cases over this many days (default 730)")
    parser.add_argument("--create", action="store_true", help="create the database with hotline_case if missing")
    parser.add_argument("--host", help="PostgreSQL host (default: libpq's)")
    parser.add_argument("--port", help="PostgreSQL port")
    parser.add_argument("--user", help="PostgreSQL user")
    parser.add_argument("--password", help="PostgreSQL password")
    return parser.parse_args()


def connect(args, dbname):
    params = {"dbname": dbname}
    for key in ("host", "port", "user", "password"):
        if getattr(args, key):
            params[key] = getattr(args, key)
    return psycopg2.connect(**params)


def database_exists(args):
    conn = connect(args, "postgres")
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db])
            return bool(cr.fetchone())
    finally:
        conn.close()


def create_database(args):
    print(f"Installing hotline_case into new database {args.db} ...", flush=True)
    subprocess.run(
        [str(ROOT / "scripts" / "odoo"), "-d", args.db, "-i", "hotline_case",
         "--stop-after-init", "--no-http"],
        check=True,
    )


def ids(cr, query):
    cr.execute(query)
    return [row[0] for row in cr.fetchall()]


def ensure_base_data(cr):
    """Districts, streets, units and agents the generated cases point to (created only if missing)."""
    if not ids(cr, "SELECT id FROM hotline_district LIMIT 1"):
        cr.execute("""
            INSERT INTO hotline_district (name, code, active, create_date, write_date)
            SELECT jsonb_build_object('en_US', '基准区' || g, 'zh_CN', '基准区' || g), 'B' || g, true, now(), now()
              FROM generate_series(1, 10) g
        """)
        cr.execute("""
            INSERT INTO hotline_street (name, code, district_id, active, create_date, write_date)
            SELECT jsonb_build_object('en_US', d.code || '街道' || g, 'zh_CN', d.code || '街道' || g),
                   d.code || '-' || g, d.id, true, now(), now()
              FROM hotline_district d, generate_series(1, 8) g
        """)
    if not ids(cr, "SELECT id FROM hotline_unit LIMIT 1"):
        cr.execute("""
            INSERT INTO hotline_unit (name, code, sequence, active, parent_path, create_date, write_date)
            SELECT jsonb_build_object('en_US', '基准单位' || g, 'zh_CN', '基准单位' || g), 'BU' || g, 10, true,
                   '', now(), now()
              FROM generate_series(1, 20) g
        """)
        cr.execute("UPDATE hotline_unit SET parent_path = id || '/' WHERE parent_path = ''")


def generate(args):
    conn = connect(args, args.db)
    conn.autocommit = False
    started = time.time()
    with conn.cursor() as cr:
        ensure_base_data(cr)
        type_ids = ids(cr, "SELECT id FROM hotline_case_type WHERE active")
        category_ids = ids(cr, "SELECT id FROM hotline_category WHERE active AND parent_id IS NOT NULL") or ids(
            cr, "SELECT id FROM hotline_category")
        cr.execute("SELECT id, district_id FROM hotline_street WHERE active")
        street_rows = cr.fetchall()
        unit_ids = ids(cr, "SELECT id FROM hotline_unit WHERE active")
        agent_ids = ids(cr, """
            SELECT u.id FROM res_users u
              JOIN res_groups_users_rel r ON r.uid = u.id
              JOIN ir_model_data d ON d.res_id = r.gid AND d.model = 'res.groups'
             WHERE d.module = 'hotline_case' AND d.name = 'group_agent' AND u.active
        """) or [2]
        if not (type_ids and category_ids and street_rows and unit_ids):
            sys.exit("hotline_case base data is missing: install the module first (--create)")

        cr.execute("SELECT coalesce(max(id), 0) FROM res_partner")
        first_partner = cr.fetchone()[0] + 1
        callers = max(args.cases // max(args.callers_ratio, 1), 1)
        t0 = time.time()
        # Mobile numbers 13xxxxxxxxx built from the serial: unique and already normalised.
        cr.execute("""
            INSERT INTO res_partner (name, complete_name, phone, hotline_phone_norm, active, type, is_company,
                                     create_date, write_date)
            SELECT '来电人' || g, '来电人' || g, n, n, true, 'contact', false, now(), now()
              FROM (SELECT g, '13' || lpad((%s + g)::text, 9, '0') AS n FROM generate_series(1, %s) g) s
        """, [first_partner, callers])
        cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id >= %s", [first_partner])
        cr.execute("SELECT min(id), max(id) FROM res_partner WHERE id >= %s", [first_partner])
        partner_min, partner_max = cr.fetchone()
        print(f"{callers} callers in {time.time() - t0:.1f}s", flush=True)

        cr.execute("SELECT coalesce(max(id), 0) FROM hotline_case")
        offset = cr.fetchone()[0]
        states_sql = "ARRAY[" + ",".join(
            f"'{state}'" for state, weight in zip(STATES, STATE_WEIGHTS, strict=True) for _ in range(weight)
        ) + "]"
        t0 = time.time()
        cr.execute("""
            INSERT INTO hotline_case (
                name, state, channel, urgency, type_id, category_id, district_id, street_id, address, description,
                industry_id, caller_phone, partner_id, caller_name, confidential, unit_id, agent_id, extension_state,
                return_count, reopen_count, urge_count, extension_days, date_received, date_dispatched,
                sign_deadline, deadline, date_closed, create_uid, write_uid, create_date, write_date)
            SELECT '12319-' || to_char(received, 'YYYYMMDD') || '-B' || lpad((%(offset)s + g)::text, 7, '0'),
                   state, (ARRAY['phone','phone','phone','web','walk_in'])[1 + g %% 5],
                   (ARRAY['normal', 'urgent', 'critical'])[1 + (g %% 10 = 0)::int + (g %% 50 = 0)::int],
                   (%(types)s)[1 + g %% array_length(%(types)s, 1)],
                   category_id, district_id, street_id, '幸福路' || (g %% 500) || '号', '基准测试工单 ' || g,
                   cat.industry_id, p.phone, p.id, p.name, g %% 50 = 0,
                   CASE WHEN state IN ('draft', 'pool') THEN NULL
                        ELSE (%(units)s)[1 + g %% array_length(%(units)s, 1)] END,
                   (%(agents)s)[1 + g %% array_length(%(agents)s, 1)], 'none', 0, 0, 0, 0,
                   received,
                   CASE WHEN state NOT IN ('draft', 'pool') THEN received + interval '10 minutes' END,
                   CASE WHEN state NOT IN ('draft', 'pool') THEN received + interval '1 day' END,
                   CASE WHEN state NOT IN ('draft', 'pool') THEN received + interval '10 days' END,
                   CASE WHEN state IN ('closed', 'cancelled') THEN received + interval '5 days' END,
                   2, 2, received, received
              FROM (
                SELECT g,
                       now() - (random() * %(days)s) * interval '1 day' AS received,
                       (%(states)s)[1 + (random() * 99)::int] AS state,
                       %(partner_min)s + (random() * (%(partner_max)s - %(partner_min)s))::int AS partner_id,
                       (%(categories)s)[1 + g %% array_length(%(categories)s, 1)] AS category_id,
                       (%(streets)s)[1 + g %% array_length(%(streets)s, 1)] AS street_id,
                       (%(districts)s)[1 + g %% array_length(%(districts)s, 1)] AS district_id
                  FROM generate_series(1, %(cases)s) g
              ) s
              JOIN res_partner p ON p.id = s.partner_id
              -- industry follows the category (or its parent), as the ORM computes it
              JOIN hotline_category c0 ON c0.id = s.category_id
              LEFT JOIN hotline_category cat ON cat.id = coalesce(
                  CASE WHEN c0.industry_id IS NOT NULL THEN c0.id END, c0.parent_id)
        """.replace("%(states)s", states_sql), {
            "offset": offset, "types": type_ids, "categories": category_ids, "units": unit_ids,
            "agents": agent_ids, "days": args.days, "partner_min": partner_min, "partner_max": partner_max,
            "streets": [row[0] for row in street_rows], "districts": [row[1] for row in street_rows],
            "cases": args.cases,
        })
        print(f"{cr.rowcount} cases in {time.time() - t0:.1f}s", flush=True)
        # the units the cases were dispatched to (handled_unit_ids): what the units' record rules read
        cr.execute("""
            INSERT INTO hotline_case_portal_unit_rel (case_id, unit_id)
            SELECT id, unit_id FROM hotline_case WHERE id > %s AND unit_id IS NOT NULL
        """, [offset])
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("VACUUM ANALYZE res_partner")
        cr.execute("VACUUM ANALYZE hotline_case")
        cr.execute("VACUUM ANALYZE hotline_case_portal_unit_rel")
    conn.close()
    print(f"done in {time.time() - started:.1f}s", flush=True)


def main():
    args = parse_args()
    if not database_exists(args):
        if not args.create:
            sys.exit(f"database {args.db} does not exist: pass --create to install hotline_case into it")
        create_database(args)
    generate(args)


if __name__ == "__main__":
    main()
