#!/usr/bin/env python3
"""Fill a database with many hotline cases, fast (set-based SQL, no ORM), for the benchmarks.

    .venv/bin/python bench/generate_cases.py --db hc_bench --cases 1000000 --create

--create installs hotline_case (without demo data) when the database does not exist yet. Districts,
streets, units and agents are added if the database has none. Callers: one contact for every five cases
with a normalised phone, so that a caller has several cases, as in real life. Numbers stay unique.

Every case gets its history (see generate_history): the transition log lines the workflow would have
written, with their times, returns, extensions, review rejections and reopenings in realistic shares,
and the caller's satisfaction on the closed cases. `--history-only` adds it to cases that have none.
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
    parser.add_argument("--history-only", action="store_true",
                        help="only write the history (log lines, satisfaction) of the cases that have none")
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


# the tables a generation writes in bulk: their secondary indexes are dropped first and built again after
BULK_TABLES = ("res_partner", "hotline_case", "hotline_case_portal_unit_rel", "hotline_case_log")


def drop_indexes(cr, tables=BULK_TABLES):
    """Drop the indexes of `tables` that back no constraint (a bulk write then maintains no index row by row);
    returns their definitions for build_indexes."""
    cr.execute("""
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
         WHERE i.indrelid::regclass::text = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""", [list(tables)])
    indexes = cr.fetchall()
    for name, _definition in indexes:
        cr.execute(f"DROP INDEX {name}")  # noqa: S608 - a name read from the catalogue
    return [definition for _name, definition in indexes]


def build_indexes(cr, definitions):
    t0 = time.time()
    cr.execute("SET maintenance_work_mem = '256MB'")
    for definition in definitions:
        cr.execute(definition)
    print(f"{len(definitions)} indexes built in {time.time() - t0:.1f}s", flush=True)


def bulk_session(cr):
    """Write as a restore does: no foreign-key or user trigger fires (the generated rows point to existing rows by
    construction; the report facts' triggers are replaced by a full rebuild, see reset_facts), no WAL flush wait."""
    cr.execute("SET session_replication_role = replica")
    cr.execute("SET synchronous_commit = off")


def reset_facts(cr):
    """The stored report facts (hotline_reports) no longer match the base tables written behind their triggers:
    forget the closed days, so that the next refresh computes them all again."""
    cr.execute("SELECT to_regclass('hotline_case_fact_state') IS NOT NULL")
    if cr.fetchone()[0]:
        cr.execute("UPDATE hotline_case_fact_state SET closed_day = NULL, closed_end = NULL")


def generate(args):
    conn = connect(args, args.db)
    conn.autocommit = False
    started = time.time()
    with conn.cursor() as cr:
        bulk_session(cr)
        ensure_base_data(cr)
        indexes = drop_indexes(cr)
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
        generate_history(cr)
        build_indexes(cr, indexes)
        reset_facts(cr)
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("VACUUM ANALYZE res_partner")
        cr.execute("VACUUM ANALYZE hotline_case")
        cr.execute("VACUUM ANALYZE hotline_case_portal_unit_rel")
        cr.execute("VACUUM ANALYZE hotline_case_log")
    conn.close()
    print(f"done in {time.time() - started:.1f}s", flush=True)


# Shares of the history, in percent of the cases a unit got (local practice: a few returns,
# fewer extensions, review rejections and reopenings), and of the satisfaction of closed cases.
HISTORY_SHARES = {"closed_on_call": 25, "transfer": 50, "returned": 8, "extended": 6, "rejected": 4, "reopened": 3}
# the center's rulings of the returns, in tenths: most justified (a wrong first unit), some improper, some waiting
RULING_SHARES = [("justified", 5), ("improper", 3), ("pending", 2)]
SATISFACTION_SHARES = [("very_satisfied", 45), ("satisfied", 35), ("basically_satisfied", 10),
                       ("dissatisfied", 7), ("very_dissatisfied", 3)]


def generate_history(cr):
    """The workflow's log lines and times for every case without any, set-based.

    A quarter of the closed cases were answered on the call (no unit). The others went to a unit by
    自调度 or through the pool (转调度 + 分理); some were first sent to a wrong unit that returned them,
    some had a result rejected at review or were reopened after the callback (the last dispatch then
    comes days later), some got an approved extension (5 more days). Signing takes 0-30 h against a
    limit of 24 h, handling 1-12 days against 10 (15 with the extension), review 1-24 h, the callback
    2-48 h. Case dates and counters are set to match the log.
    """
    t0 = time.time()
    shares = HISTORY_SHARES
    satisfaction = "ARRAY[" + ",".join(f"'{key}'" for key, weight in SATISFACTION_SHARES for _ in range(weight)) + "]"
    rulings = "ARRAY[" + ",".join(f"'{key}'" for key, weight in RULING_SHARES for _ in range(weight)) + "]"
    cr.execute("SELECT array_agg(id) FROM hotline_unit WHERE active")
    units = cr.fetchone()[0]
    cr.execute("DROP TABLE IF EXISTS bench_history")
    cr.execute(f"""
        CREATE TEMP TABLE bench_history AS
        SELECT c.id, c.state, c.unit_id, c.agent_id, c.date_received AS received,
               c.state = 'closed' AND r.a < {shares['closed_on_call']} AS on_call,
               r.b < {shares['transfer']} AS transfer,
               r.c < {shares['returned']} AS returned,
               r.d < {shares['extended']} AS extended,
               r.e < {shares['rejected']} AS rejected,
               r.f < {shares['reopened']} AS reopened,
               r.sign_h, r.handle_d, r.review_h, r.callback_h, r.sat
          FROM hotline_case c
          CROSS JOIN LATERAL (SELECT random() * 100 AS a, random() * 100 AS b, random() * 100 AS c,
                                     random() * 100 AS d, random() * 100 AS e, random() * 100 AS f,
                                     random() * 30 AS sign_h, 1 + random() * 11 AS handle_d,
                                     1 + random() * 23 AS review_h, 2 + random() * 46 AS callback_h,
                                     ({satisfaction})[1 + (random() * 99)::int] AS sat
                              WHERE c.id IS NOT NULL) r
         WHERE NOT EXISTS (SELECT 1 FROM hotline_case_log l WHERE l.case_id = c.id)
    """)
    # a redo only happens to a case that went through review (or the callback, for a reopening)
    cr.execute("""
        UPDATE bench_history SET
            rejected = rejected AND state IN ('dispatched', 'processing', 'submitted', 'callback', 'closed')
                       AND NOT on_call,
            reopened = reopened AND state IN ('dispatched', 'processing', 'submitted', 'callback', 'closed')
                       AND NOT on_call,
            returned = returned AND state NOT IN ('draft', 'pool', 'cancelled') AND NOT on_call,
            extended = extended AND state IN ('submitted', 'callback', 'closed') AND NOT on_call
    """)
    cr.execute("""
        ALTER TABLE bench_history ADD COLUMN dispatched timestamp, ADD COLUMN accepted timestamp,
            ADD COLUMN submitted timestamp, ADD COLUMN approved timestamp, ADD COLUMN closed timestamp,
            ADD COLUMN other_unit integer
    """)
    cr.execute("""
        UPDATE bench_history SET
            dispatched = CASE WHEN state IN ('draft', 'pool', 'cancelled') OR on_call THEN NULL
                              ELSE received + interval '10 minutes'
                                   + CASE WHEN rejected THEN interval '3 days' ELSE interval '0' END
                                   + CASE WHEN reopened THEN interval '7 days' ELSE interval '0' END END,
            other_unit = (%s::int[])[1 + (id %% array_length(%s::int[], 1))]
    """, [units, units])
    cr.execute("""
        UPDATE bench_history SET
            accepted = CASE WHEN state IN ('processing', 'submitted', 'callback', 'closed') AND NOT on_call
                            THEN dispatched + sign_h * interval '1 hour' END,
            submitted = CASE WHEN state IN ('submitted', 'callback', 'closed') AND NOT on_call
                             THEN dispatched + sign_h * interval '1 hour' + handle_d * interval '1 day' END
    """)
    cr.execute("""
        UPDATE bench_history SET
            approved = CASE WHEN state IN ('callback', 'closed') AND NOT on_call
                            THEN submitted + review_h * interval '1 hour' END,
            closed = CASE WHEN on_call THEN received + interval '6 minutes'
                          WHEN state = 'closed' THEN submitted + (review_h + callback_h) * interval '1 hour'
                          WHEN state = 'cancelled' THEN received + interval '1 hour' END
    """)
    # one INSERT for every step: (action, from, to, unit, date, condition)
    steps = [
        ("close_on_call", "'draft'", "'closed'", "NULL::int", "received + interval '6 minutes'", "on_call"),
        ("cancel", "CASE WHEN transfer THEN 'pool' ELSE 'draft' END", "'cancelled'", "NULL::int", "closed",
         "state = 'cancelled'"),
        ("transfer", "'draft'", "'pool'", "NULL::int", "received + interval '1 minute'",
         "transfer AND NOT on_call AND state <> 'draft'"),
        # the wrong unit first, which returns the case
        ("dispatch", "CASE WHEN transfer THEN 'pool' ELSE 'draft' END", "'dispatched'", "other_unit",
         "received + interval '3 minutes'", "returned"),
        ("return", "'dispatched'", "'pool'", "other_unit", "received + interval '8 minutes'", "returned"),
        # a first round whose result the review rejects (再分理)
        ("dispatch", "'pool'", "'dispatched'", "unit_id", "received + interval '9 minutes'", "rejected"),
        ("accept", "'dispatched'", "'processing'", "unit_id", "received + interval '2 hours'", "rejected"),
        ("submit", "'processing'", "'submitted'", "unit_id", "received + interval '2 days'", "rejected"),
        ("review_reject", "'submitted'", "'pool'", "unit_id", "received + interval '2 days 4 hours'", "rejected"),
        # a first round closed by the review but reopened on the callback (重办)
        ("dispatch", "'pool'", "'dispatched'", "unit_id", "dispatched - interval '7 days'", "reopened"),
        ("accept", "'dispatched'", "'processing'", "unit_id", "dispatched - interval '6 days 20 hours'", "reopened"),
        ("submit", "'processing'", "'submitted'", "unit_id", "dispatched - interval '3 days'", "reopened"),
        ("review_approve", "'submitted'", "'callback'", "unit_id", "dispatched - interval '2 days'", "reopened"),
        ("reopen", "'callback'", "'pool'", "unit_id", "dispatched - interval '1 day'", "reopened"),
        # the last dispatch and what followed
        ("self_dispatch", "'draft'", "'dispatched'", "unit_id", "dispatched",
         "dispatched IS NOT NULL AND NOT transfer AND NOT returned AND NOT rejected AND NOT reopened"),
        ("dispatch", "'pool'", "'dispatched'", "unit_id", "dispatched",
         "dispatched IS NOT NULL AND (transfer OR returned OR rejected OR reopened)"),
        ("accept", "'dispatched'", "'processing'", "unit_id", "accepted", "accepted IS NOT NULL"),
        ("request_extension", "'processing'", "'processing'", "unit_id", "accepted + interval '1 day'", "extended"),
        ("approve_extension", "'processing'", "'processing'", "unit_id", "accepted + interval '1 day 2 hours'",
         "extended"),
        ("submit", "'processing'", "'submitted'", "unit_id", "submitted", "submitted IS NOT NULL"),
        ("review_approve", "'submitted'", "'callback'", "unit_id", "approved", "approved IS NOT NULL"),
        ("callback_done", "'callback'", "'closed'", "unit_id", "closed", "state = 'closed' AND NOT on_call"),
    ]
    def limits(action, date):
        """The time limits the step sets (as the case's below): a dispatch both, an approved extension the deadline."""
        if action in ("dispatch", "self_dispatch"):
            return f"{date} + interval '1 day'", f"{date} + interval '10 days'"
        if action == "approve_extension":
            return "NULL::timestamp", "dispatched + interval '15 days'"
        return "NULL::timestamp", "NULL::timestamp"

    selects = " UNION ALL ".join(
        f"SELECT id, '{action}', {from_state}, {to_state}, {unit}, agent_id, {date}, "
        f"{', '.join(limits(action, date))} FROM bench_history "
        f"WHERE {condition}" for action, from_state, to_state, unit, date, condition in steps)
    cr.execute(f"""
        INSERT INTO hotline_case_log (case_id, action, from_state, to_state, unit_id, user_id, date, sign_deadline,
                                      deadline, return_ruling, create_uid, write_uid, create_date, write_date)
        SELECT s.*, CASE WHEN s.action = 'return' THEN ({rulings})[1 + s.case_id % 10] END, 2, 2, s.date, s.date
          FROM ({selects}) s(case_id, action, from_state, to_state, unit_id, user_id, date, sign_deadline, deadline)
    """)
    print(f"{cr.rowcount} log lines in {time.time() - t0:.1f}s", flush=True)
    cr.execute("""
        UPDATE hotline_case c SET
            unit_id = CASE WHEN h.on_call THEN NULL ELSE c.unit_id END,
            date_dispatched = h.dispatched, date_accepted = h.accepted, date_submitted = h.submitted,
            date_closed = h.closed,
            sign_deadline = h.dispatched + interval '1 day',
            deadline = h.dispatched + interval '10 days' + CASE WHEN h.extended THEN interval '5 days'
                                                                ELSE interval '0' END,
            extension_state = CASE WHEN h.extended THEN 'approved' ELSE 'none' END,
            extension_days = CASE WHEN h.extended THEN 5 ELSE 0 END,
            return_count = h.returned::int, reopen_count = h.reopened::int,
            satisfaction = CASE WHEN h.state = 'closed' AND NOT h.on_call THEN h.sat END,
            resolution_note = CASE WHEN h.on_call THEN '已在电话中答复。' END
          FROM bench_history h WHERE h.id = c.id
    """)
    cr.execute("DROP TABLE bench_history")


def main():
    args = parse_args()
    if not database_exists(args):
        if not args.create:
            sys.exit(f"database {args.db} does not exist: pass --create to install hotline_case into it")
        create_database(args)
    if args.history_only:
        conn = connect(args, args.db)
        with conn, conn.cursor() as cr:
            bulk_session(cr)
            indexes = drop_indexes(cr, ("hotline_case", "hotline_case_log"))
            generate_history(cr)
            build_indexes(cr, indexes)
            reset_facts(cr)
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute("VACUUM ANALYZE hotline_case")
            cr.execute("VACUUM ANALYZE hotline_case_log")
        conn.close()
        return
    generate(args)


if __name__ == "__main__":
    main()
