"""Wallboard benchmark (hotline_monitor). Prints, next to a baseline measured in the same run:

* snapshot: the whole board (300 agents in 20 queues, a day of 20,000 calls), computed cold
  (cache emptied, fresh cursor), median / p95 (goal <= 100 ms); baseline: the reports' queue
  figures alone for the same day and queues;
* push latency: an AMI agent event (QueueMemberPause) pushed into a fake AMI socket, through the
  real bridge, until PostgreSQL delivers the bus NOTIFY of the board's channel (i.e. after the
  commit), p50 / p95 (goal p95 <= 200 ms); baseline: the same with no board configured (the
  telephony ingestion alone, its systray push);
* boards: database work of the bridge's pushes with 1 board and with 50 boards configured, in
  statements per ingested change (goal: 50 boards <= 5 % more than 1).

    .venv/bin/python bench/bench_monitor.py [--db mon_bench] [--rebuild]
"""

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ODOO_SRC = Path(os.environ.get("ODOO_SRC", ROOT / ".odoo/root/usr/lib/python3/dist-packages"))
ADDONS_PATH = f"{ROOT / 'addons'},{ODOO_SRC / 'odoo' / 'addons'}"
sys.path.insert(0, str(ODOO_SRC))
AGENTS, QUEUES, CALLS = 300, 20, 20000


def ensure_db(db, rebuild):
    probe = subprocess.run(["psql", "-d", db, "-tAc",
                            "select state from ir_module_module where name = 'hotline_monitor'"],
                           capture_output=True, text=True)
    fresh = rebuild or probe.returncode != 0 or probe.stdout.strip() != "installed"
    if fresh:
        subprocess.run(["dropdb", "--if-exists", db], check=True)
    subprocess.run([str(ROOT / "scripts" / "odoo"), "-d", db, "-i" if fresh else "-u", "hotline_monitor",
                    "--stop-after-init", "--log-level=warn", "--http-port", "8263"], check=True)
    return fresh


def populate(env):
    """300 agents signed in to 2 of 20 queues each, 60 of them paused, 150 on a call, 30 callers
    waiting, and 20,000 calls since the center's midnight."""
    cr = env.cr
    queues = [f"q{i:02d}" for i in range(QUEUES)]
    group = env.ref("hotline_case.group_agent")
    Users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True, tracking_disable=True)
    Users.create([{"name": f"坐席{i:03d}", "login": f"bench_mon_{i}", "group_ids": [(6, 0, [group.id])],
                   "hotline_interface": f"PJSIP/b{i:03d}", "hotline_extension": f"8{i:03d}"}
                  for i in range(AGENTS)])
    env.flush_all()
    pbx = env.ref("hotline_telephony.pbx_default")
    pbx.queue_names = ",".join(queues)
    start, _end = env["hotline.monitor.kpi"]._today()
    params = {"pbx": pbx.id, "start": start, "calls": CALLS, "queues": queues, "agents": AGENTS}
    cr.execute("""
        INSERT INTO hotline_agent_session (pbx_id, user_id, interface, queue, start, member_status, duration)
        SELECT %(pbx)s, u.id, u.hotline_interface, q.queue, %(start)s + interval '8 hours', 1, 0
          FROM res_users u
          CROSS JOIN LATERAL (SELECT (%(queues)s)[1 + (substr(u.hotline_interface, 8)::int + k) %% 20] AS queue
                                FROM generate_series(0, 1) k) q
         WHERE u.login LIKE 'bench_mon_%%';
        INSERT INTO hotline_agent_pause (pbx_id, user_id, interface, queue, start, reason, duration)
        SELECT s.pbx_id, s.user_id, s.interface, s.queue, now() at time zone 'UTC' - interval '7 minutes',
               (ARRAY['小休', '午休', '培训'])[1 + substr(s.interface, 8)::int %% 3], 0
          FROM hotline_agent_session s WHERE substr(s.interface, 8)::int %% 5 = 0;
        INSERT INTO hotline_call (uniqueid, pbx_id, direction, caller_number, queue, user_id, interface,
                                  enter_time, answer_time, end_time, wait_seconds, talk_seconds, outcome,
                                  missed_attempt_count)
        SELECT 'bm' || n, %(pbx)s, 'inbound', '138' || lpad(n::text, 8, '0'), (%(queues)s)[1 + n %% 20],
               u.id, u.hotline_interface,
               t, CASE WHEN n %% 10 <> 0 THEN t + (n %% 40) * interval '1 second' END,
               t + (n %% 40 + 200) * interval '1 second', n %% 40,
               CASE WHEN n %% 10 <> 0 THEN 200 ELSE 0 END,
               CASE WHEN n %% 10 <> 0 THEN 'answered' ELSE 'abandoned' END, 0
          FROM generate_series(1, %(calls)s) n
          CROSS JOIN LATERAL (SELECT %(start)s + (n::float / %(calls)s) * (now() at time zone 'UTC' - %(start)s)
                                     - interval '10 minutes' AS t) tt
          JOIN res_users u ON u.login = 'bench_mon_' || (n %% %(agents)s);
        -- 150 agents on a call now, 30 callers waiting
        INSERT INTO hotline_call (uniqueid, pbx_id, direction, caller_number, queue, user_id, interface,
                                  enter_time, answer_time, wait_seconds, outcome, missed_attempt_count)
        SELECT 'bl' || n, %(pbx)s, 'inbound', '139' || lpad(n::text, 8, '0'), (%(queues)s)[1 + n %% 20], u.id,
               u.hotline_interface, now() at time zone 'UTC' - interval '3 minutes',
               now() at time zone 'UTC' - interval '150 seconds', 30, 'answered', 0
          FROM generate_series(1, 150) n JOIN res_users u ON u.login = 'bench_mon_' || (n * 2 - 1);
        INSERT INTO hotline_call (uniqueid, pbx_id, direction, caller_number, queue, enter_time,
                                  missed_attempt_count)
        SELECT 'bw' || n, %(pbx)s, 'inbound', '137' || lpad(n::text, 8, '0'), (%(queues)s)[1 + n %% 20],
               now() at time zone 'UTC' - n * interval '2 seconds', 0
          FROM generate_series(1, 30) n;
    """, params)
    cr.execute("ANALYZE")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_snapshot(registry, api, su, runs=30):
    from odoo.addons.hotline_monitor.models import hotline_monitor_live  # noqa: PLC0415

    snap, base = [], []
    for _i in range(runs):
        with registry.cursor() as cr:
            env = api.Environment(cr, su, {})
            board = env["hotline.wallboard"].search([], limit=1)
            hotline_monitor_live._snapshot_cache.clear()
            t = time.perf_counter()
            snapshot = env["hotline.monitor.live"]._snapshot(board)
            snap.append((time.perf_counter() - t) * 1000)
        with registry.cursor() as cr:
            env = api.Environment(cr, su, {})
            start, end = env["hotline.monitor.kpi"]._today()
            queues = snapshot["config"]["queues"]
            t = time.perf_counter()
            env["hotline.kpi.call"].queue_figures(start, end, queues=queues)
            base.append((time.perf_counter() - t) * 1000)
    shared = []
    with registry.cursor() as cr:
        env = api.Environment(cr, su, {})
        board = env["hotline.wallboard"].search([], limit=1)
        env["hotline.monitor.live"]._snapshot(board)
        for _i in range(50):  # 50 boards asking within the same second
            t = time.perf_counter()
            env["hotline.monitor.live"]._snapshot(board)
            shared.append((time.perf_counter() - t) * 1000)
    agents = len(snapshot["agents"])
    states = {s: sum(1 for a in snapshot["agents"] if a["state"] == s) for s in ("idle", "paused", "oncall")}
    waiting = sum(len(q["waiting"]) for q in snapshot["queues"])
    offered = sum(q["figures"]["offered"] for q in snapshot["queues"])
    print(f"snapshot ({agents} agents {states}, {len(snapshot['queues'])} queues, {offered} calls today, "
          f"{waiting} waiting): median {statistics.median(snap):.1f} ms, p95 {pct(snap, 95):.1f} ms "
          f"(goal <= 100 ms)")
    print(f"  baseline, the reports' queue figures alone: median {statistics.median(base):.1f} ms, "
          f"p95 {pct(base, 95):.1f} ms")
    print(f"  the same snapshot asked again within the second (shared by every board): "
          f"median {statistics.median(shared):.2f} ms")


def bench_push(db, registry, api, su, boards, events=100, rate=10.0):
    """AMI pause/unpause -> NOTIFY of the board's channel; also counts the statements per batch."""
    import psycopg2  # noqa: PLC0415

    from odoo.addons.hotline_telephony.ami.bridge import Bridge  # noqa: PLC0415
    from odoo.addons.hotline_telephony.ami.fakeami import FakeAmi  # noqa: PLC0415
    from odoo.sql_db import Cursor  # noqa: PLC0415

    fake = FakeAmi(secret="bench-secret").start()
    with registry.cursor() as cr:
        env = api.Environment(cr, su, {})
        env.ref("hotline_telephony.pbx_default").write({"host": fake.host, "port": fake.port,
                                                        "secret": "bench-secret", "queue_log_path": False})
        Board = env["hotline.wallboard"]
        Board.search([("active", "=", True)]).unlink()
        queues = env.ref("hotline_telephony.pbx_default").queue_names
        created = Board.create([{"name": f"大屏{i}", "queue_names": queues} for i in range(boards)])
        token = created[:1].access_token or ""
        cr.execute("DELETE FROM bus_bus")
        interface = "PJSIP/b001"
        cr.execute("SELECT queue FROM hotline_agent_session WHERE interface = %s AND stop IS NULL",
                   [interface])
        agent_queue = cr.fetchone()[0]
    listen = psycopg2.connect(dbname="postgres")  # the bus NOTIFYs on the postgres database
    listen.autocommit = True
    listen.cursor().execute("LISTEN imbus")
    bridge = Bridge(db, ping_interval=60, backfill_interval=3600)
    thread = threading.Thread(target=bridge.run, daemon=True)
    thread.start()
    if not bridge.connected.wait(30) or not fake.wait_clients(1):
        sys.exit("bridge did not connect to the fake AMI")
    # statements run by the bridge (every cursor of this process counts: the bench itself is idle)
    counted = {"n": 0}
    original = Cursor.execute

    def counting(self, *args, **kwargs):
        counted["n"] += 1
        return original(self, *args, **kwargs)
    Cursor.execute = counting
    latencies = []
    try:
        time.sleep(1.5)  # the bridge's start-up resync pushes too: not part of the measure
        for i in range(events):
            paused = "1" if i % 2 == 0 else "0"
            listen.poll()
            listen.notifies.clear()  # only what this event causes counts
            sent = time.monotonic()
            fake.push({"Event": "QueueMemberPause", "Queue": agent_queue, "Interface": interface,
                       "MemberName": interface, "Paused": paused, "PausedReason": "小休" if paused == "1" else "",
                       "Timestamp": f"{time.time():.6f}"})
            deadline = sent + 5
            got = False
            while not got and time.monotonic() < deadline:
                if select.select([listen], [], [], 0.5)[0]:
                    listen.poll()
                    while listen.notifies:
                        note = listen.notifies.pop(0)
                        channels = json.loads(note.payload) if note.payload else []
                        # the board's channel; with no board, this database's agent-state push
                        if (token or f'"{db}"') in json.dumps(channels):
                            got = True
            if got:
                latencies.append((time.monotonic() - sent) * 1000)
            time.sleep(max(0.0, 1 / rate - (time.monotonic() - sent)))
    finally:
        Cursor.execute = original
        bridge.stop()
        thread.join(10)
        fake.stop()
        listen.close()
    return latencies, counted["n"] / max(1, events)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("MON_BENCH_DB", "mon_bench"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--events", type=int, default=100)
    args = parser.parse_args()
    fresh = ensure_db(args.db, args.rebuild)
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", str(ROOT / "config" / "odoo.conf"), f"--addons-path={ADDONS_PATH}",
                         f"--data-dir={ROOT / '.odoo' / 'data'}", "--log-level=warn"], setup_logging=True)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(args.db)
    api, su = odoo.api, odoo.SUPERUSER_ID
    with registry.cursor() as cr:
        env = api.Environment(cr, su, {})
        if fresh or not env["res.users"].search_count([("login", "=like", "bench_mon_%")]):
            populate(env)
        env["hotline.wallboard"].search([("active", "=", True)]).unlink()
        env["hotline.wallboard"].create({"name": "基准大屏",
                                         "queue_names": env.ref("hotline_telephony.pbx_default").queue_names})
    bench_snapshot(registry, api, su)
    base, base_q = bench_push(args.db, registry, api, su, boards=0, events=args.events)
    one, one_q = bench_push(args.db, registry, api, su, boards=1, events=args.events)
    fifty, fifty_q = bench_push(args.db, registry, api, su, boards=50, events=args.events)
    for label, lat in (("no board (telephony alone)", base), ("1 board", one), ("50 boards", fifty)):
        if lat:
            print(f"push latency, {label}: p50 {statistics.median(lat):.0f} ms, p95 {pct(lat, 95):.0f} ms "
                  f"({len(lat)}/{args.events} delivered)" + (" (goal p95 <= 200 ms)" if label == "1 board" else ""))
        else:
            print(f"push latency, {label}: nothing delivered")
    print(f"database statements per AMI agent event: no board {base_q:.1f}, 1 board {one_q:.1f}, "
          f"50 boards {fifty_q:.1f} ({(fifty_q / one_q - 1) * 100:+.1f} % for 50 boards; goal <= +5 %)")


if __name__ == "__main__":
    main()
