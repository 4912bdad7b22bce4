#!/usr/bin/env python3
"""Fill a database with a year of call-center history, fast (set-based SQL), for bench_call_reports.py.

    .venv/bin/python bench/generate_calls.py --db rc_bench --calls 5000000

Adds agents (users of group 受理员) if the database has fewer than --agents, then per day of the last
--days days (Asia/Shanghai): calls of three queues between 08:00 and 20:00 with realistic outcomes
(86 % answered, 8 % abandoned in queue, timeouts, empty-queue and key exits, 2 % transferred, 4 %
outbound click-to-dial), waits, talk times, a ring-no-answer attempt on 10 % of answered calls, and
per agent a session (two shifts) with a short break and a lunch pause (some agents sign out while
paused). Needs a database with hotline_reports installed.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_case import boot_odoo  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rc_bench")
    parser.add_argument("--calls", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--agents", type=int, default=60)
    return parser.parse_args()


CALLS_SQL = """
WITH agents AS (SELECT array_agg(id ORDER BY id) AS ids FROM res_users WHERE login LIKE 'bench_agent_%%'),
raw AS (
    SELECT g, random() AS r, random() AS w, random() AS t, random() AS s, random() AS m,
           -- chronological, as a running PBX writes them (a day's calls sit together on disk)
           (%(first)s::date + ((g - 1)::bigint * %(days)s / %(calls)s)::int)::timestamp
               + make_interval(secs => 8 * 3600 + floor(random() * 12 * 3600)) - interval '8 hours' AS enter
      FROM generate_series(1, %(calls)s) g),
facts AS (
    SELECT raw.*, a.ids[1 + (g::bigint * 7919) %% array_length(a.ids, 1)] AS agent,
           CASE WHEN r < 0.04 THEN 'outbound'
                WHEN r < 0.88 THEN 'answered' WHEN r < 0.90 THEN 'transferred' WHEN r < 0.98 THEN 'abandoned'
                WHEN r < 0.99 THEN 'timeout' WHEN r < 0.995 THEN 'exit_empty' ELSE 'exit_key' END AS kind,
           (ARRAY['hotline', 'hotline', 'complaint', 'consult'])[1 + g %% 4] AS queue
      FROM raw, agents a)
INSERT INTO hotline_call (uniqueid, direction, queue, user_id, enter_time, answer_time, end_time, wait_seconds,
                          ring_seconds, talk_seconds, outcome, missed_attempt_count, create_date, write_date,
                          create_uid, write_uid)
SELECT 'bench-' || g,
       CASE WHEN kind = 'outbound' THEN 'outbound' ELSE 'inbound' END,
       CASE WHEN kind = 'outbound' THEN NULL ELSE queue END,
       CASE WHEN kind IN ('answered', 'transferred', 'outbound') THEN agent END,
       enter,
       CASE WHEN kind IN ('answered', 'transferred') THEN enter + make_interval(secs => floor(w * w * 60))
            WHEN kind = 'outbound' AND m < 0.7 THEN enter + interval '5 seconds' END,
       CASE WHEN kind IN ('answered', 'transferred')
                THEN enter + make_interval(secs => floor(w * w * 60) + 60 + floor(t * 360))
            WHEN kind = 'outbound'
                THEN enter + make_interval(secs => 30 + CASE WHEN m < 0.7 THEN floor(t * 240) ELSE 0 END)
            ELSE enter + make_interval(secs => floor(w * 90)) END,
       CASE WHEN kind IN ('answered', 'transferred') THEN floor(w * w * 60)
            WHEN kind = 'outbound' THEN 0 ELSE floor(w * 90) END,
       CASE WHEN kind IN ('answered', 'transferred') THEN floor(s * 6) ELSE 0 END,
       CASE WHEN kind IN ('answered', 'transferred') THEN 60 + floor(t * 360)
            WHEN kind = 'outbound' AND m < 0.7 THEN floor(t * 240) ELSE 0 END,
       CASE WHEN kind = 'outbound' THEN CASE WHEN m < 0.7 THEN 'outbound_answered' ELSE 'outbound_unanswered' END
            ELSE kind END,
       CASE WHEN kind IN ('answered', 'transferred') AND m < 0.1 THEN 1 ELSE 0 END,
       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 1, 1
  FROM facts
"""

ATTEMPTS_SQL = """
INSERT INTO hotline_call_attempt (call_id, user_id, interface, result, ring_ms, time, create_date, write_date)
SELECT c.id, u.id, 'PJSIP/bench', 'noanswer', 6000, c.enter_time + interval '6 seconds',
       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM hotline_call c
  JOIN LATERAL (SELECT id FROM res_users WHERE login LIKE 'bench_agent_%%' AND id <> c.user_id
                ORDER BY (id * 31 + c.id) %% 97 LIMIT 1) u ON TRUE
 WHERE c.uniqueid LIKE 'bench-%%' AND c.missed_attempt_count = 1
"""

SESSIONS_SQL = """
WITH days AS (SELECT (%(first)s::date + d) AS day FROM generate_series(0, %(days)s - 1) d),
agents AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM res_users WHERE login LIKE 'bench_agent_%%'),
shifts AS (
    SELECT a.id AS user_id, a.n, days.day,
           days.day + CASE WHEN a.n %% 2 = 0 THEN time '08:00' ELSE time '12:00' END - interval '8 hours'
               + make_interval(secs => floor(random() * 600)) AS login
      FROM agents a, days)
INSERT INTO hotline_agent_session (user_id, interface, queue, start, stop, duration,
                                   create_date, write_date)
SELECT user_id, 'PJSIP/bench' || n, 'hotline', login, login + interval '8 hours', 8 * 3600,
       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM shifts
"""

PAUSES_SQL = """
INSERT INTO hotline_agent_pause (session_id, user_id, interface, queue, start, stop, reason, duration,
                                 create_date, write_date)
SELECT s.id, s.user_id, s.interface, s.queue, s.start + p.offs, LEAST(s.start + p.offs + p.len,
       s.stop), p.reason, EXTRACT(EPOCH FROM LEAST(p.len, s.stop - s.start - p.offs))::int,
       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM hotline_agent_session s
  JOIN res_users u ON u.id = s.user_id AND u.login LIKE 'bench_agent_%%'
 CROSS JOIN LATERAL (VALUES (interval '2 hours', interval '15 minutes', '小休'),
                            (interval '4 hours', interval '30 minutes', '午餐'),
                            -- one session in seven ends paused: signed out while on a break
                            (interval '7 hours 50 minutes',
                             CASE WHEN s.id %% 7 = 0 THEN interval '1 hour' ELSE interval '5 minutes' END, '小休'))
       AS p(offs, len, reason)
"""


def main():
    args = parse_args()
    odoo, registry = boot_odoo(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "Asia/Shanghai"})
        existing = env["res.users"].search_count([("login", "like", "bench_agent_%")])
        group = env.ref("hotline_case.group_agent")
        for n in range(existing, args.agents):
            env["res.users"].with_context(no_reset_password=True).create({
                "name": f"坐席{n + 1:03d}", "login": f"bench_agent_{n + 1:03d}", "group_ids": [(6, 0, group.ids)],
                "tz": "Asia/Shanghai"})
        cr.commit()
        cr.execute("SELECT count(*) FROM hotline_call WHERE uniqueid LIKE 'bench-%%'")
        if cr.fetchone()[0]:
            print("calls already generated: nothing to do")
            return
        cr.execute("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date - %s", [args.days])
        first = cr.fetchone()[0]
        params = {"first": first, "days": args.days, "calls": args.calls}
        for name, sql in (("calls", CALLS_SQL), ("ring attempts", ATTEMPTS_SQL), ("sessions", SESSIONS_SQL),
                          ("pauses", PAUSES_SQL)):
            start = time.perf_counter()
            cr.execute(sql, params)
            print(f"{name:<14} {cr.rowcount:>10,} rows  {time.perf_counter() - start:6.1f} s", flush=True)
            cr.commit()
        for table in ("hotline_call", "hotline_call_attempt", "hotline_agent_session", "hotline_agent_pause"):
            cr.execute(f"ANALYZE {table}")  # noqa: S608 - fixed table names
        cr.commit()


if __name__ == "__main__":
    main()
