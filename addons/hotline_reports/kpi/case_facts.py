"""Pre-aggregated case facts: the unit figures of hotline.kpi.case summed per unit and closed local day.

A year of 综合考核 or 单位统计分析 re-read a million cases and four million log lines. The
definitions stay those of kpi/cases.py (DISPATCH_MEASURES, HOUR_MEASURES): ``hotline_case_fact``
holds, per unit and local day, the output of the same query (``unit_sums_sql``) grouped by day as
well; ``hotline_case_dispatch_fact``, from the same read of the dispatch rows, each dispatch's hits
per local day (``dispatch_hits_sql`` by day: a bit mask of the counts a date of that day places it in),
which publishing a month freezes and the drill-down lists. Measures add up over days; the overdue
time of a dispatch still open is kept as the sum of its deadlines, so that the figure read at any
later time is exact.

Only closed days are stored (a case falls due when its deadline passes: today's figures depend
on the clock); the service reads the days after ``closed_day`` from the base tables. As for the
call facts (kpi/facts.py), statement-level triggers on the cases and their log recompute the
closed days a change touches (every date, deadline and sign-for deadline of the changed cases' log
lines, for the units named on them: every date of a dispatch is one of these), in the writer's
transaction, under the same advisory lock as the refresh.
"""
import hashlib
from datetime import timedelta

from odoo.addons.hotline_case.models.res_company import HOTLINE_TZ_SQL
from odoo.tools import SQL

from .cases import SUM_COLUMNS, day_facts_sql
from .facts import LOCK_KEY, ddl, drop_if_stale, statement_triggers

STATE_TABLE = "hotline_case_fact_state"
FACT_TABLE = "hotline_case_fact"
# per unit, local day and dispatch: the counts the dispatch is in by a date of that day, as a bit mask over
# kpi/cases.py HIT_CODES (what a publication freezes and a drill-down lists, kpi/cases.py dispatch_hits_sql)
HITS_TABLE = "hotline_case_dispatch_fact"


def valid_state_sql():
    return SQL(f"SELECT s.closed_day, s.closed_end FROM {STATE_TABLE} s"  # noqa: S608 - constant names
               f" WHERE s.closed_day IS NOT NULL AND s.tz = {HOTLINE_TZ_SQL}")


def _refresh_sql(cr):
    """The INSERT of the facts (unit sums and dispatch hits) of units p_units (NULL: all) and local days p_days,
    from the definitions, as the text of the refresh function's body (its parameters and the function's clock
    written in)."""
    insert = day_facts_sql(start=SQL("v_start"), end=SQL("v_end"), now=SQL("(now() AT TIME ZONE 'UTC')"),
                           units=SQL("p_units"), days=SQL("p_days"), tz_sql=SQL(HOTLINE_TZ_SQL),
                           sums_table=FACT_TABLE, hits_table=HITS_TABLE)
    return cr.mogrify(insert.code, insert.params).decode()


def version(cr):
    return hashlib.sha1(_refresh_sql(cr).encode()).hexdigest()


def _local(expr):
    return f"((({expr}) AT TIME ZONE 'UTC' AT TIME ZONE st.tz)::date)"


def _touched_sql(rows, table):
    """(unit, local day) pairs a change of `rows` (cases or log lines) touches: every date, deadline and
    sign-for deadline of the log lines of the changed cases (the changed lines themselves included, for a
    deletion), with the unit named on each (the refresh recomputes every unit × every day of them)."""
    columns = "unit_id, date, deadline, sign_deadline"
    if table == "hotline_case":
        case_ids, own = f"SELECT r.id FROM {rows} r", ""
    else:
        case_ids, own = f"SELECT r.case_id FROM {rows} r", f"SELECT {columns} FROM {rows} r UNION "
    lines = f"{own}SELECT {columns} FROM hotline_case_log l WHERE l.case_id IN ({case_ids})"
    return f"""SELECT t.unit_id, {_local("t.day")} FROM ({lines}) x
                CROSS JOIN LATERAL (VALUES (x.unit_id, x.date), (x.unit_id, x.deadline), (x.unit_id, x.sign_deadline)
                ) t(unit_id, day)
                WHERE t.unit_id IS NOT NULL AND t.day IS NOT NULL"""


def _sync_function(table):
    sources = {"INSERT": "new_rows", "DELETE": "old_rows",
               "UPDATE": "(SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows)"}
    branches = []
    for op, rows in sources.items():
        branches.append(f"""{'IF' if not branches else 'ELSIF'} TG_OP = '{op}' THEN
            SELECT array_agg(DISTINCT x.day), array_agg(DISTINCT x.unit_id) INTO v_days, v_units
              FROM ({_touched_sql(rows, table)}) x(unit_id, day) WHERE x.day <= st.closed_day;""")
    return f"""
        CREATE OR REPLACE FUNCTION {table}_case_facts_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
        DECLARE st record; v_days date[]; v_units int[];
        BEGIN
            PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});
            SELECT closed_day, tz INTO st FROM {STATE_TABLE};
            IF st.closed_day IS NULL THEN RETURN NULL; END IF;
            {chr(10).join(branches)}
            END IF;
            IF v_days IS NOT NULL THEN PERFORM hotline_case_fact_refresh(v_days, v_units); END IF;
            RETURN NULL;
        END $fn$"""


def install(cr):
    """Create (or, when the definitions changed, re-create empty) the table, the functions and the triggers."""
    current = version(cr)
    drop_if_stale(cr, STATE_TABLE, current, FACT_TABLE, HITS_TABLE)
    columns = ", ".join(f"{c} numeric" for c in SUM_COLUMNS)
    cr.execute(f"""
        CREATE TABLE IF NOT EXISTS {STATE_TABLE} (
            id int PRIMARY KEY DEFAULT 1 CHECK (id = 1), version varchar NOT NULL, closed_day date,
            closed_end timestamp, tz varchar);
        INSERT INTO {STATE_TABLE} (version) VALUES (%s) ON CONFLICT DO NOTHING;
        CREATE TABLE IF NOT EXISTS {FACT_TABLE} (
            id bigserial PRIMARY KEY, unit_id int NOT NULL, date date NOT NULL, {columns});
        CREATE INDEX IF NOT EXISTS {FACT_TABLE}_date_idx ON {FACT_TABLE} (date, unit_id);
        CREATE TABLE IF NOT EXISTS {HITS_TABLE} (
            unit_id int NOT NULL, date date NOT NULL, dispatch_id int NOT NULL, case_id int NOT NULL,
            dispatched_at timestamp, mask bigint NOT NULL);
        CREATE INDEX IF NOT EXISTS {HITS_TABLE}_date_idx ON {HITS_TABLE} (date, unit_id);
    """, [current])  # noqa: S608 - constant names
    ddl(cr, f"""
        CREATE OR REPLACE FUNCTION hotline_case_fact_refresh(p_days date[], p_units int[]) RETURNS void
        LANGUAGE plpgsql AS $fn$
        DECLARE v_start timestamp; v_end timestamp;
        BEGIN
            -- the UTC bounds of the days, widened by a day: each family also filters on its local day
            SELECT min(d)::timestamp - interval '1 day', max(d)::timestamp + interval '2 days'
              INTO v_start, v_end FROM unnest(p_days) d;
            DELETE FROM {FACT_TABLE} WHERE date = ANY(p_days) AND (p_units IS NULL OR unit_id = ANY(p_units));
            DELETE FROM {HITS_TABLE} WHERE date = ANY(p_days) AND (p_units IS NULL OR unit_id = ANY(p_units));
            {_refresh_sql(cr)};
        END $fn$""")
    for table in ("hotline_case", "hotline_case_log"):
        cr.execute(_sync_function(table))
        statement_triggers(cr, table, "case_facts")


def refresh(cr, until, first_day, tz, commit=None, chunk_days=31, rebuild=False):
    """Close every day up to `until` (local date); rebuild all when the time zone changed."""
    cr.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    ddl(cr, f"SELECT closed_day, tz FROM {STATE_TABLE}")  # noqa: S608
    closed, built_tz = cr.fetchone()
    if closed is not None and (rebuild or built_tz != tz):
        ddl(cr, f"TRUNCATE {FACT_TABLE}, {HITS_TABLE}")
        closed = None
    start = closed + timedelta(days=1) if closed else first_day
    if start is None or start > until:
        if closed is None:
            _set_state(cr, until, tz)
        return 0
    done = 0
    while start <= until:
        stop = min(until, start + timedelta(days=chunk_days - 1))
        cr.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cr.execute("""SELECT hotline_case_fact_refresh(ARRAY(SELECT d::date FROM generate_series(%s::date, %s::date,
                              interval '1 day') d), NULL)""", [start, stop])
        _set_state(cr, stop, tz)
        done += (stop - start).days + 1
        if commit:
            commit()
        start = stop + timedelta(days=1)
    if done > chunk_days:
        # a build of many days: the planner's statistics of the facts (the daily close leaves them to autovacuum)
        ddl(cr, f"ANALYZE {FACT_TABLE}, {HITS_TABLE}")
        if commit:
            commit()
    return done


def _set_state(cr, closed_day, tz):
    cr.execute(f"""UPDATE {STATE_TABLE} SET closed_day = %(day)s, tz = %(tz)s,
                          closed_end = ((%(day)s::date + 1)::timestamp AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
                """, {"day": closed_day, "tz": tz})  # noqa: S608
