"""Pre-aggregated call and agent facts: the KPIs of kpi/calls.py summed per closed day, kept exact.

A year of 5,000,000 calls cannot be re-read for every pivot (13.8 s by the base view, 5.5 s
for a bare ORM read_group of the calls). The definitions stay those of kpi/calls.py: the
tables below hold nothing but their aggregates, computed by the same SQL.

* ``hotline_call_fact``: per local hour × queue × PBX, for every KPI of ``CALL_AGGREGATES``
  its SUM (counts, talk), its MAX (longest wait) or, for an average, the SUM and the COUNT of
  the column (``<kpi>_sum`` / ``<kpi>_n``): AVG over any set of hours = SUM(sum) / SUM(n),
  exactly the AVG of the calls.
* ``hotline_agent_fact``: the rows of ``hotline.agent.report`` (per agent and local day, plus
  one row per pause reason) — ``agent_facts_sql`` over one day, whose measures add up.
* ``hotline_report_fact_state``: the last closed day (the facts hold every day up to it), the
  end of today's closed hours (``hours_end``: the call facts also hold the hours before it), and
  the time zone and thresholds they were computed with.

Agent facts hold closed days only: an open session or call still runs "until now", so today's
agent figures change by the second. Call facts also hold today's past hours (a call belongs to
the hour it entered, whatever happens to it next, and the triggers keep such an hour exact when
one of its calls changes): the wallboard's "today" then reads the current hour alone from the
calls. The reports read what comes after the stored part from the base tables (the view of each
report is a UNION of both). Facts computed with other settings than the current ones are ignored
until rebuilt (the views check the state row).

Exactness when data changes: statement-level triggers on the calls, ring attempts, sessions
and pauses (whatever writes them: the AMI bridge through the ORM, an import, raw SQL)
recompute the closed days a change touches, from the base tables, in the same transaction.
Changes after the stored part (nearly all live AMI traffic) cost one look at the state row; a
change to a call of today's stored hours recomputes that hour of its queue (a few minutes after
each hourly close, the calls still in progress across it).
``refresh()`` closes the days up to yesterday and today's hours up to the current one (hourly
cron) and rebuilds after a change of
settings or of these definitions (``VERSION``). A transaction-level advisory lock orders the
two: writers take it shared, the refresh exclusive, so no change slips between the
refresh's read and its commit.
"""
import hashlib
from datetime import timedelta

from odoo.tools import SQL

from .calls import CALL_AGGREGATES, PARAMS_SQL, agent_facts_sql, call_facts_sql, day_periods_sql

STATE_TABLE = "hotline_report_fact_state"
CALL_FACT_TABLE = "hotline_call_fact"
AGENT_FACT_TABLE = "hotline_agent_fact"
# pg_advisory_xact_lock key ("hotline_reports facts")
LOCK_KEY = 1231910
HOURS_LOCK_KEY = 1231911  # the refresh of today's stored hours, serialised
CALL_KEYS = (("hour_start", "timestamp"), ("date", "date"), ("hour_of_day", "int"), ("queue", "varchar"),
             ("pbx_id", "int"))
AGENT_COLUMNS = ("inbound_answered", "outbound_total", "outbound_answered", "missed_rings", "talk_in", "talk_out",
                 "signed_in", "paused", "paused_reason", "available", "on_call", "idle", "rated_calls",
                 "rated_satisfied")
# The ratios hotline.agent.report adds after AGENT_COLUMNS (an addon adding rows of its own fills them too).
AGENT_REPORT_RATIOS = ("occupancy", "satisfaction_rate")
# The columns of hotline_call a call KPI reads: an update touching none of them changes no fact.
CALL_COLUMNS = ("enter_time", "answer_time", "end_time", "queue", "direction", "outcome", "user_id", "wait_seconds",
                "talk_seconds", "missed_attempt_count", "pbx_id", "rating_state", "rating")


# an agent's row and a pause reason's row of hotline.agent.report, from agent_facts_sql's columns
MAIN_ROW = ("inbound_answered, outbound_total, outbound_answered, missed_rings, talk_in, talk_out, signed_in, "
            "paused, 0.0, available, on_call, idle, rated_calls, rated_satisfied")
REASON_ROW = "0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, r.value::numeric, 0.0, 0.0, 0.0, 0, 0"


def ddl(cr, text, *params):
    """Run SQL built here or in kpi/case_facts.py from the definitions and constant names (never from user input)."""
    cr.execute(SQL(text, *params))


def drop_if_stale(cr, state_table, current, *fact_tables):
    """Drop the state table and its fact tables when they were built by other definitions than the
    `current` version (the state row holds the version): install() then creates them empty."""
    cr.execute("SELECT to_regclass(%s) IS NOT NULL", [state_table])
    stale = True
    if cr.fetchone()[0]:
        ddl(cr, f"SELECT version FROM {state_table}")  # noqa: S608 - constant name
        row = cr.fetchone()
        stale = not row or row[0] != current
    if stale:
        ddl(cr, f"DROP TABLE IF EXISTS {', '.join((state_table, *fact_tables))} CASCADE")


def statement_triggers(cr, table, kind):
    """(Re)create the INSERT, UPDATE and DELETE statement triggers `<table>_<kind>_<op>` of `table`,
    which run `<table>_<kind>_sync()` with the changed rows as old_rows / new_rows."""
    for op, refs in (("INSERT", "NEW TABLE AS new_rows"), ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                     ("DELETE", "OLD TABLE AS old_rows")):
        name = f"{table}_{kind}_{op.lower()}"
        ddl(cr, f"""
            DROP TRIGGER IF EXISTS {name} ON {table};
            CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {refs}
                FOR EACH STATEMENT EXECUTE FUNCTION {table}_{kind}_sync()""")


def call_fact_columns():
    """[(column, SQL type, aggregate over the facts b)]: one per sum/max KPI, two per average."""
    columns = []
    for key, agg in CALL_AGGREGATES.items():
        if agg == "avg":
            columns += [(f"{key}_sum", "numeric", f"SUM(b.{key})"), (f"{key}_n", "bigint", f"COUNT(b.{key})")]
        else:
            columns.append((key, "numeric", f"{agg.upper()}(b.{key})"))
    return columns


def _render(cr, sql):
    return cr.mogrify(sql.code, sql.params).decode()


def valid_state_sql(with_thresholds=True):
    """The state row, if the facts were computed with today's settings (else no row)."""
    thresholds = "AND s.short_abandon = p.short_abandon AND s.sl_seconds = p.sl_seconds" if with_thresholds else ""
    return SQL(f"""SELECT s.closed_day, s.closed_end, GREATEST(s.closed_end, s.hours_end) AS hours_end
                     FROM {STATE_TABLE} s, (%s) p
                    WHERE s.tz = p.tz {thresholds} AND s.closed_day IS NOT NULL""", PARAMS_SQL)


def call_stat_sql():
    """Rows of hotline.call.stat: the stored hours (closed days and today's past hours), and the
    hours after them aggregated from the base facts the same way."""
    keys = ", ".join(k for k, _t in CALL_KEYS)
    columns = call_fact_columns()
    names = ", ".join(c for c, _t, _a in columns)
    aggs = ", ".join(f"{a} AS {c}" for c, _t, a in columns)
    averages = "".join(f", u.{k}_sum / NULLIF(u.{k}_n, 0) AS {k}" for k, agg in CALL_AGGREGATES.items()
                       if agg == "avg")
    return SQL(f"""
        WITH st AS MATERIALIZED (%(state)s)
        SELECT u.*{averages} FROM (
        SELECT f.id, {", ".join("f." + k for k, _t in CALL_KEYS)}, {", ".join("f." + c for c, _t, _a in columns)}
          FROM {CALL_FACT_TABLE} f
         WHERE f.hour_start < (SELECT hours_end FROM st)
        UNION ALL
        -- id: one of the hour's calls, negated (unique, never a stored row's); no window function, so that
        -- a filter on the hours or queues reaches the stored rows (by their index)
        SELECT -o.call_id, {keys}, {names}
          FROM (SELECT MIN(b.id) AS call_id, {keys}, {aggs}
                  FROM (%(facts)s) b
                 -- the upper bound excludes nothing: paired with the unknown lower one, it makes the planner
                 -- expect a short range (the current hour) and read it by index, not a third of the table with
                 -- parallel workers (whose start alone costs more than the hour's calls)
                 WHERE b.enter_time >= COALESCE((SELECT hours_end FROM st), '-infinity'::timestamp)
                   AND b.enter_time < 'infinity'::timestamp
                 -- OFFSET 0: a filter on the hours or queues applies to these few groups, not to each call
                 -- (where the hour would be computed from the call's time, again and again)
                 GROUP BY {keys} OFFSET 0) o
        ) u
    """, state=valid_state_sql(), facts=call_facts_sql())


def agent_report_sql():
    """Rows of hotline.agent.report: the stored days, then the open days from the base tables."""
    return SQL(f"""
        WITH st AS MATERIALIZED (%(state)s),
        facts AS (%(facts)s)
        SELECT f.id, f.user_id, f.date, f.reason, {", ".join("f." + c for c in AGENT_COLUMNS)},
               CASE WHEN f.reason IS NULL AND f.available > 0 THEN f.on_call / f.available END AS occupancy,
               CASE WHEN f.rated_calls > 0 THEN f.rated_satisfied / f.rated_calls END AS satisfaction_rate
          FROM {AGENT_FACT_TABLE} f
         WHERE f.date <= (SELECT closed_day FROM st)
        UNION ALL
        SELECT -2 * row_number() OVER (ORDER BY day, user_id), user_id, day, NULL::varchar, {MAIN_ROW}, occupancy,
               CASE WHEN rated_calls > 0 THEN rated_satisfied::numeric / rated_calls END
          FROM facts
        UNION ALL
        SELECT -2 * row_number() OVER (ORDER BY day, user_id, r.key) - 1, user_id, day, r.key, {REASON_ROW},
               NULL, NULL
          FROM facts, jsonb_each_text(paused_by_reason) r
    """,
        state=valid_state_sql(with_thresholds=False),
        facts=agent_facts_sql(day_periods_sql(SQL("(SELECT closed_day FROM st)"))))


def _agent_refresh_sql():
    """INSERT of the agent facts of days p_days (and users p_users, NULL = all) from the definition."""
    periods = SQL("""SELECT (d::timestamp AT TIME ZONE p.tz) AT TIME ZONE 'UTC' AS pstart,
                            ((d + 1)::timestamp AT TIME ZONE p.tz) AT TIME ZONE 'UTC' AS pend, d AS day
                       FROM unnest(v_days) d, (%s) p""", PARAMS_SQL)
    facts = agent_facts_sql(periods, SQL("(p_users IS NULL OR x.user_id = ANY(p_users))"))
    cols = ", ".join(AGENT_COLUMNS)
    return SQL(f"""
        INSERT INTO {AGENT_FACT_TABLE} (user_id, date, reason, {cols})
        WITH facts AS (%(facts)s)
        SELECT user_id, day, NULL, {MAIN_ROW} FROM facts
        UNION ALL
        SELECT user_id, day, r.key, {REASON_ROW}
          FROM facts, jsonb_each_text(paused_by_reason) r
    """, facts=facts)


def _call_refresh_sql():
    keys = ", ".join(k for k, _t in CALL_KEYS)
    columns = call_fact_columns()
    return SQL(f"""
        INSERT INTO {CALL_FACT_TABLE} ({keys}, {", ".join(c for c, _t, _a in columns)})
        SELECT {keys}, {", ".join(a for _c, _t, a in columns)}
          FROM (%(facts)s) b, (%(params)s) p
         WHERE b.enter_time >= (v_first::timestamp AT TIME ZONE p.tz) AT TIME ZONE 'UTC'
           AND b.enter_time < ((v_last + 1)::timestamp AT TIME ZONE p.tz) AT TIME ZONE 'UTC'
           AND b.date = ANY(p_days)
         GROUP BY {keys}
    """, facts=call_facts_sql(), params=PARAMS_SQL)


def _call_hours_refresh_sql():
    """INSERT of the call facts of the local hours p_hours (naive UTC starts) and queues p_queues
    (NULL = all), from the definition."""
    keys = ", ".join(k for k, _t in CALL_KEYS)
    columns = call_fact_columns()
    return SQL(f"""
        INSERT INTO {CALL_FACT_TABLE} ({keys}, {", ".join(c for c, _t, _a in columns)})
        SELECT {keys}, {", ".join(a for _c, _t, a in columns)}
          FROM (%(facts)s) b
         WHERE b.enter_time >= v_first AND b.enter_time < v_last + interval '1 hour'
           AND b.hour_start = ANY(p_hours) AND (p_queues IS NULL OR b.queue = ANY(p_queues))
         GROUP BY {keys}
    """, facts=call_facts_sql())


def _local(expr):
    return f"((({expr}) AT TIME ZONE 'UTC' AT TIME ZONE st.tz)::date)"


def _span(start, stop):
    """FROM item `s`: the local days (s.d) from `start` to `stop` (an open interval: to now)."""
    until = _local(f"COALESCE({stop}, now() AT TIME ZONE 'UTC')")
    return (f"LATERAL (SELECT g::date AS d FROM generate_series({_local(start)}, {until}, interval '1 day') g) s")


# Per base table: the local days of call facts and the (agent, local day) pairs of agent facts that a
# row touches, as SELECTs over the row set {rows} r.
TOUCHED = {
    "hotline_call": (
        f"SELECT {_local('r.enter_time')} FROM {{rows}} r",
        f"SELECT r.user_id, s.d FROM {{rows}} r, {_span('r.enter_time', 'r.end_time')} WHERE r.user_id IS NOT NULL"
        # the agents who let it ring: their missed rings follow the call's count of them
        f" UNION SELECT a.user_id, {_local('r.enter_time')} FROM {{rows}} r"
        " JOIN hotline_call_attempt a ON a.call_id = r.id WHERE a.user_id IS NOT NULL",
    ),
    # a ring counts on the day its call entered the queue; a call deleted with its rings is gone: then the
    # ring's day and the one before (no call lasts a day)
    "hotline_call_attempt": (
        None,
        f"SELECT r.user_id, x.d FROM {{rows}} r LEFT JOIN hotline_call c ON c.id = r.call_id,"
        f" LATERAL (SELECT {_local('c.enter_time')} WHERE c.id IS NOT NULL"
        f" UNION ALL SELECT {_local('r.time')} - k.n FROM (VALUES (0), (1)) k(n) WHERE c.id IS NULL) x(d)"
        " WHERE r.user_id IS NOT NULL",
    ),
    "hotline_agent_session": (None, f"SELECT r.user_id, s.d FROM {{rows}} r, {_span('r.start', 'r.stop')}"
                                    " WHERE r.user_id IS NOT NULL"),
    "hotline_agent_pause": (None, f"SELECT r.user_id, s.d FROM {{rows}} r, {_span('r.start', 'r.stop')}"
                                  " WHERE r.user_id IS NOT NULL"),
}


# Per base table: the earliest time a row can touch (its day or later): rows all after the stored part (the
# last closed day; for calls, today's stored hours), as live traffic is, are skipped at once (one look at the
# transition table).
EARLIEST = {"hotline_call": "r.enter_time", "hotline_call_attempt": "r.time - interval '1 day'",
            "hotline_agent_session": "r.start", "hotline_agent_pause": "r.start"}


# The local hour (naive UTC start, as call_facts_sql's hour_start) and queue of the offered calls of {rows} r.
CALL_HOURS = ("SELECT (date_trunc('hour', r.enter_time AT TIME ZONE 'UTC' AT TIME ZONE st.tz) AT TIME ZONE st.tz)"
              " AT TIME ZONE 'UTC', r.queue FROM {rows} r WHERE r.direction = 'inbound' AND r.queue IS NOT NULL")


def _changed_rows(columns):
    """Old and new versions of the updated rows whose KPI columns changed."""
    differ = f"({', '.join('o.' + c for c in columns)}) IS DISTINCT FROM ({', '.join('n.' + c for c in columns)})"
    return (f"(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {differ}"
            f" UNION ALL SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {differ})")


def _sync_function(table):
    call_days, agent_pairs = TOUCHED[table]
    sources = {"INSERT": "new_rows", "DELETE": "old_rows",
               "UPDATE": (_changed_rows(CALL_COLUMNS) if table == "hotline_call"
                          else "(SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows)")}
    branches = []
    for op, rows in sources.items():
        plain = {"INSERT": "new_rows", "DELETE": "old_rows",
                 "UPDATE": "(SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows)"}[op]
        body = [f"""
            IF NOT EXISTS (SELECT 1 FROM {plain} r
                            WHERE {EARLIEST[table]} < st.{'hours_end' if call_days else 'closed_end'}) THEN
                RETURN NULL;
            END IF;"""]
        if call_days:
            body.append(f"""
            SELECT array_agg(DISTINCT x.day) INTO v_days FROM ({call_days.format(rows=rows)}) x(day)
             WHERE x.day <= st.closed_day;
            IF v_days IS NOT NULL THEN PERFORM hotline_call_fact_refresh(v_days); END IF;
            -- today's stored hours: the hour (and queue) of each call, before and after the change
            SELECT array_agg(DISTINCT x.hour), array_agg(DISTINCT x.queue) INTO v_hours, v_queues
              FROM ({CALL_HOURS.format(rows=rows)}) x(hour, queue)
             WHERE x.hour >= st.closed_end AND x.hour < st.hours_end;
            IF v_hours IS NOT NULL THEN PERFORM hotline_call_fact_refresh_hours(v_hours, v_queues); END IF;""")
        body.append(f"""
            SELECT array_agg(DISTINCT x.day), array_agg(DISTINCT x.user_id) INTO v_days, v_users
              FROM ({agent_pairs.format(rows=rows)}) x(user_id, day) WHERE x.day <= st.closed_day;
            IF v_days IS NOT NULL THEN PERFORM hotline_agent_fact_refresh(v_days, v_users); END IF;""")
        branches.append(f"{'IF' if not branches else 'ELSIF'} TG_OP = '{op}' THEN{''.join(body)}")
    return f"""
        CREATE OR REPLACE FUNCTION {table}_facts_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
        DECLARE st record; v_days date[]; v_users int[]; v_hours timestamp[]; v_queues varchar[];
        BEGIN
            PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});
            SELECT closed_day, closed_end, GREATEST(closed_end, hours_end) AS hours_end, tz INTO st
              FROM {STATE_TABLE};
            IF st.closed_day IS NULL THEN RETURN NULL; END IF;
            {chr(10).join(branches)}
            END IF;
            RETURN NULL;
        END $fn$"""


def version(cr):
    """A fingerprint of the definitions the facts are computed with: stored facts of another one are stale."""
    text = _render(cr, _call_refresh_sql()) + _render(cr, _call_hours_refresh_sql()) + _render(cr, _agent_refresh_sql())
    return hashlib.sha1(text.encode()).hexdigest()


def install(cr):
    """Create (or, when the definitions changed, re-create empty) the tables, functions and triggers."""
    current = version(cr)
    drop_if_stale(cr, STATE_TABLE, current, CALL_FACT_TABLE, AGENT_FACT_TABLE)
    call_cols = ", ".join(f"{c} {t}" for c, t in CALL_KEYS) + ", " + ", ".join(
        f"{c} {t}" for c, t, _a in call_fact_columns())
    cr.execute(f"""
        CREATE TABLE IF NOT EXISTS {STATE_TABLE} (
            id int PRIMARY KEY DEFAULT 1 CHECK (id = 1), version varchar NOT NULL, closed_day date,
            closed_end timestamp, hours_end timestamp, tz varchar, short_abandon int, sl_seconds int);
        INSERT INTO {STATE_TABLE} (version) VALUES (%s) ON CONFLICT DO NOTHING;
        CREATE TABLE IF NOT EXISTS {CALL_FACT_TABLE} (id bigserial PRIMARY KEY, {call_cols});
        CREATE INDEX IF NOT EXISTS {CALL_FACT_TABLE}_date_idx ON {CALL_FACT_TABLE} (date);
        CREATE INDEX IF NOT EXISTS {CALL_FACT_TABLE}_hour_idx ON {CALL_FACT_TABLE} (hour_start, queue);
        CREATE TABLE IF NOT EXISTS {AGENT_FACT_TABLE} (
            id bigserial PRIMARY KEY, user_id int NOT NULL, date date NOT NULL, reason varchar,
            {", ".join(f"{c} numeric" for c in AGENT_COLUMNS)});
        CREATE INDEX IF NOT EXISTS {AGENT_FACT_TABLE}_date_idx ON {AGENT_FACT_TABLE} (date, user_id);
    """, [current])  # noqa: S608 - constant names
    ddl(cr, f"""
        CREATE OR REPLACE FUNCTION hotline_call_fact_refresh(p_days date[]) RETURNS void LANGUAGE plpgsql AS $fn$
        DECLARE v_first date; v_last date;
        BEGIN
            SELECT min(d), max(d) INTO v_first, v_last FROM unnest(p_days) d;
            DELETE FROM {CALL_FACT_TABLE} WHERE date = ANY(p_days);
            {_render(cr, _call_refresh_sql())};
        END $fn$""")
    ddl(cr, f"""
        CREATE OR REPLACE FUNCTION hotline_call_fact_refresh_hours(p_hours timestamp[], p_queues varchar[])
        RETURNS void LANGUAGE plpgsql AS $fn$
        DECLARE v_first timestamp; v_last timestamp;
        BEGIN
            -- one writer at a time: a second one's DELETE then sees the first one's rows (no doubles)
            PERFORM pg_advisory_xact_lock({HOURS_LOCK_KEY});
            SELECT min(h), max(h) INTO v_first, v_last FROM unnest(p_hours) h;
            DELETE FROM {CALL_FACT_TABLE}
             WHERE hour_start = ANY(p_hours) AND (p_queues IS NULL OR queue = ANY(p_queues));
            {_render(cr, _call_hours_refresh_sql())};
        END $fn$""")
    ddl(cr, f"""
        CREATE OR REPLACE FUNCTION hotline_agent_fact_refresh(p_days date[], p_users int[]) RETURNS void
        LANGUAGE plpgsql AS $fn$
        DECLARE v_day date; v_days date[];
        BEGIN
            DELETE FROM {AGENT_FACT_TABLE} WHERE date = ANY(p_days) AND (p_users IS NULL OR user_id = ANY(p_users));
            -- day by day: the interval joins grow with periods × rows (4 days at once: 9 times one day)
            FOREACH v_day IN ARRAY p_days LOOP
                v_days := ARRAY[v_day];
                {_render(cr, _agent_refresh_sql())};
            END LOOP;
        END $fn$""")
    for table in TOUCHED:
        cr.execute(_sync_function(table))
        statement_triggers(cr, table, "facts")


def refresh(cr, until, first_day, commit=None, chunk_days=31, rebuild=False, hours_until=None):
    """Close every day up to `until` (a local date): compute the missing days' facts, rebuilding
    everything when the settings changed; then store the call facts of the hours after it up to
    `hours_until` (naive UTC start of a local hour, excluded; None: none). `first_day`: the first
    local day with data. `commit`: called after each chunk (a background job keeps its work and
    lets writers through). Returns the number of days computed."""
    cr.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    cr.execute(SQL("SELECT p.tz, p.short_abandon, p.sl_seconds FROM (%s) p", PARAMS_SQL))
    tz, short, sl = cr.fetchone()
    ddl(cr, f"SELECT closed_day, tz, short_abandon, sl_seconds FROM {STATE_TABLE}")  # noqa: S608
    closed, *built = cr.fetchone()
    if closed is not None and (rebuild or built != [tz, short, sl]):
        ddl(cr, f"TRUNCATE {CALL_FACT_TABLE}, {AGENT_FACT_TABLE}; UPDATE {STATE_TABLE} SET hours_end = NULL")
        closed = None
    start = closed + timedelta(days=1) if closed else first_day
    days_done = 0
    if start is None or start > until:
        if closed is None:  # no data up to `until`: nothing to store, the days are closed
            _set_state(cr, until, tz, short, sl)
        start = until + timedelta(days=1)
    while start <= until:
        stop = min(until, start + timedelta(days=chunk_days - 1))
        cr.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cr.execute("""SELECT hotline_call_fact_refresh(days), hotline_agent_fact_refresh(days, NULL)
                        FROM (SELECT array_agg(d::date) AS days FROM generate_series(%s::date, %s::date,
                              interval '1 day') d) x""", [start, stop])
        _set_state(cr, stop, tz, short, sl)
        days_done += (stop - start).days + 1
        if commit:
            commit()
        start = stop + timedelta(days=1)
    if hours_until is not None:
        _close_hours(cr, hours_until)
    return days_done


def _close_hours(cr, hours_until):
    """Store the call facts of the hours from the stored part's end up to `hours_until` (excluded)."""
    cr.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    ddl(cr, f"SELECT GREATEST(closed_end, hours_end) FROM {STATE_TABLE} WHERE closed_end IS NOT NULL")  # noqa: S608
    row = cr.fetchone()
    if not row or row[0] >= hours_until:
        return
    cr.execute("""SELECT hotline_call_fact_refresh_hours(ARRAY(SELECT generate_series(
                      %s::timestamp, %s::timestamp - interval '1 hour', interval '1 hour')), NULL)""",
               [row[0], hours_until])
    ddl(cr, f"UPDATE {STATE_TABLE} SET hours_end = %s", hours_until)


def _set_state(cr, closed_day, tz, short, sl):
    cr.execute(f"""UPDATE {STATE_TABLE} SET closed_day = %(day)s, tz = %(tz)s, short_abandon = %(short)s,
                          sl_seconds = %(sl)s,
                          closed_end = ((%(day)s::date + 1)::timestamp AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
                """, {"day": closed_day, "tz": tz, "short": short, "sl": sl})  # noqa: S608
