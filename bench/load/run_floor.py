#!/usr/bin/env python3
"""A whole floor under load: agents, dispatchers, reviewers, managers, units on the portal and wall screens at
once, against an Odoo served on this machine, at growing floor sizes; where p95 passes 1 s is the knee.

    .venv/bin/python bench/load/run_floor.py --floors 1,20,50 --duration 120 [--workers 2] [--pace 1]

Per floor (N agents; dispatchers, reviewers, unit users and boards in the proportions below, at least one each)
it prints per action the requests, p50/p95/p99 (ms), failures, throughput, the workflow's refusals of a step
another user took first (conflicts), and the CPU seconds of the Odoo server (every process), PostgreSQL (every
backend) and Locust. The first floor (1 agent by default) is the same run's baseline: the latency of an action
with nobody else working. The knee is the first floor where an action's p95 passes 1 s, reported in agents per
core.

Think times are real work (an agent takes a call every 2-4 minutes); --pace P divides them, so one simulated
agent stands for P agents' traffic (only the counts of users and sessions differ from a real floor of N×P).

Locust runs in its own environment (.artefacts/load-venv, from bench/load/requirements.txt: its gevent is newer
than Odoo's). The database (--db, default ht_load) is made from --template (default ht_template: every addon
with demo data) once and kept; its load users are made on the first run.
"""

import argparse
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench_ami import load_stream, render  # noqa: E402
from benchlib import odoo_server, percentile  # noqa: E402

from tests.internal_proxy import serve_internal_proxy  # noqa: E402
from tests.odoo_process import fake_ami_class, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV = ROOT / ".artefacts" / "load-venv"
# Roles per agent on a floor (a 300-agent floor: 15 dispatchers, 15 reviewers, 50 unit users, 10 boards, 5 managers)
SHARES = {"dispatchers": 0.05, "reviewers": 0.05, "unit_users": 1 / 6, "boards": 1 / 30, "managers": 1 / 60}
KNEE_MS = 1000

SETUP = """
import json
env = self.env
Users = env["res.users"].with_context(no_reset_password=True)
groups = {{"agents": "hotline_case.group_agent", "dispatchers": "hotline_case.group_dispatcher",
          "reviewers": "hotline_case.group_reviewer", "managers": "hotline_case.group_manager"}}
units = env["hotline.unit"].search([("active", "=", True)], order="id")
out = {{"refs": {{}}}}
for role, count in {counts!r}.items():
    logins = []
    for i in range(count):
        login = f"load_{{role[:-1]}}_{{i}}"
        user = Users.search([("login", "=", login)])
        if not user:
            vals = {{"name": f"压测{{role[:-1]}}{{i}}", "login": login, "password": login, "lang": "zh_CN",
                    "tz": "Asia/Shanghai"}}
            if role == "unit_users":
                vals["group_ids"] = [(6, 0, [env.ref("base.group_portal").id])]
                vals["hotline_unit_ids"] = [(6, 0, [units[i % len(units)].id])]
            elif role != "boards":
                vals["group_ids"] = [(6, 0, [env.ref(groups[role]).id])]
            if role != "boards":
                Users.create(vals)
        logins.append(login)
    out[role] = logins
boards = env["hotline.wallboard"].search([("name", "like", "压测大屏")], order="id")
for i in range(len(boards), {counts!r}["boards"]):
    boards |= env["hotline.wallboard"].create({{"name": f"压测大屏{{i}}"}})
boards.filtered(lambda b: not b.access_token).sudo().action_rotate_token()
out["boards"] = boards[:{counts!r}["boards"]].mapped("access_token")
district = env["hotline.district"].search([], limit=1)
streets = env["hotline.street"].search([("name", "like", "压测大街")], order="id")
for i in range(len(streets), 30):
    streets |= env["hotline.street"].create({{"name": f"压测大街{{i}}", "district_id": district.id}})
out["refs"] = {{"type": env["hotline.case.type"].search([], limit=1).id,
               "categories": env["hotline.category"].search([("child_ids", "=", False)], limit=20).ids,
               "streets": streets.ids, "units": units.ids}}
# the demo's own floor (a cron playing calls into the demo PBX) would add load nobody measured
demo_floor = env.ref("hotline_telephony.ir_cron_demo_floor", raise_if_not_found=False)
if demo_floor:
    demo_floor.active = False
env.cr.commit()
print("LOAD_SETUP " + json.dumps(out))
"""


PRODUCTION_CONF = ROOT / "config" / "odoo-center-production.conf"
PG_RESERVED = 3  # superuser_reserved_connections


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, **kw)


def ensure_venv():
    marker = VENV / ".requirements"
    wanted = (HERE / "requirements.txt").read_text()
    if not marker.exists() or marker.read_text() != wanted:
        print(f"creating {VENV} (Locust)...", flush=True)
        sh("python3", "-m", "venv", str(VENV))
        sh(str(VENV / "bin" / "pip"), "install", "-q", "-r", str(HERE / "requirements.txt"))
        marker.write_text(wanted)
    return VENV / "bin" / "locust"


def prepare(db, template, counts):
    exists = sh("psql", "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'",
                capture_output=True).stdout.strip() == "1"
    if not exists:
        sh("createdb", "-T", template, db)
        store = ROOT / ".odoo" / "data" / "filestore"
        if (store / template).exists():
            sh("cp", "-a", str(store / template), str(store / db))
    out = sh(str(ROOT / "scripts" / "odoo"), "shell", "-d", db, "--log-level=warn", "--no-http",
             input=SETUP.format(counts=counts), capture_output=True, cwd=ROOT).stdout
    line = next((line for line in out.splitlines() if line.startswith("LOAD_SETUP ")), None)
    if not line:
        sys.exit(f"setting up the floor's users failed:\n{out[-2000:]}")
    return json.loads(line[len("LOAD_SETUP "):])


CALLS_TODAY = """
-- the day so far as the PBX's queue saw it: inbound calls from the center's midnight to a minute ago, spread
-- evenly, 86 %% answered by the floor's agents (talk 2-5 min), 8 %% abandoned after 10-70 s, 6 %% transferred;
-- callers drawn from 30,000 numbers (some call twice)
WITH bounds AS (
    SELECT (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'UTC'
               AS midnight,
           (now() AT TIME ZONE 'UTC') - interval '1 minute' AS until),
agents AS (SELECT array_agg(id ORDER BY id) AS ids FROM res_users WHERE login LIKE 'load_agent_%%'),
calls AS (
    SELECT g, b.midnight + (b.until - b.midnight) * (g - 0.5) / %(n)s AS enter_time, g %% 100 AS pick,
           10 + (g * 7919) %% 60 AS wait, 120 + (g * 104729) %% 180 AS talk
      FROM generate_series(1::bigint, %(n)s) g, bounds b)
INSERT INTO hotline_call (pbx_id, uniqueid, linkedid, direction, caller_number, called_number, queue, user_id,
                          interface, outcome, enter_time, answer_time, end_time, wait_seconds, talk_seconds,
                          create_date, write_date, create_uid, write_uid)
SELECT %(pbx)s, 'today.' || g, 'today.' || g, 'inbound', '139' || lpad(((g * 2654435761) %% 30000)::text, 8, '0'),
       '12319', %(queue)s,
       CASE WHEN c.pick < 86 THEN a.ids[1 + g %% array_length(a.ids, 1)] END,
       CASE WHEN c.pick < 86 THEN 'PJSIP/load' || (g %% array_length(a.ids, 1)) END,
       CASE WHEN c.pick < 86 THEN 'answered' WHEN c.pick < 94 THEN 'abandoned' ELSE 'transferred' END,
       c.enter_time,
       CASE WHEN c.pick < 86 OR c.pick >= 94 THEN c.enter_time + make_interval(secs => c.wait) END,
       c.enter_time + make_interval(secs => c.wait + CASE WHEN c.pick < 86 OR c.pick >= 94 THEN c.talk ELSE 0 END),
       c.wait, CASE WHEN c.pick < 86 OR c.pick >= 94 THEN c.talk END,
       c.enter_time, c.enter_time, 1, 1
  FROM calls c, agents a
    ON CONFLICT DO NOTHING
"""


def calls_today(db, count):
    """The day's earlier traffic before the floor (--calls-today): what the board's figures, today's abandoned
    callers and the agents' history read grows with it. Once per database (the calls keep their uniqueids)."""
    with contextlib.closing(psycopg2.connect(dbname=db)) as conn:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute("SELECT id, split_part(queue_names, ',', 1) FROM hotline_pbx WHERE active ORDER BY id LIMIT 1")
            pbx, queue = cr.fetchone()
            cr.execute(CALLS_TODAY, {"n": count, "pbx": pbx, "queue": queue})
            print(f"calls of today before the floor: {cr.rowcount} added to queue {queue!r}", flush=True)
            cr.execute("ANALYZE hotline_call")


def cpu(procs):
    """{pid: CPU seconds so far} of the processes still there."""
    seconds = {}
    for proc in procs:
        try:
            times = proc.cpu_times()
            seconds[proc.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return seconds


def spent(before, after):
    """CPU seconds spent between two readings by the processes alive at the second (new ones: all of theirs)."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def postgres_procs():
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] and p.info["name"].startswith("postgres")]


def trees(pids):
    """Every process of the servers (a prefork node: its main process, HTTP workers, cron worker, gevent)."""
    procs = []
    for pid in pids:
        proc = psutil.Process(pid)
        procs += [proc, *proc.children(recursive=True)]
    return procs


def counts_for(agents):
    counts = {"agents": agents}
    for role, share in SHARES.items():
        counts[role] = max(1, round(agents * share))
    return counts


def run_floor(locust, config_path, base, users, duration, prefix, server_pids, spawn=None, steady=False):
    """One floor: Locust headless for `duration` seconds; the stats Locust wrote, with the CPU spent meanwhile.
    `spawn`: users started a second (default: the floor in 10 s); `steady`: the figures count from the moment
    everyone is logged in (Locust's --reset-stats), the CPU from the start."""
    spawn = spawn or max(1, users // 10)
    for old in Path(prefix).parent.glob(f"{Path(prefix).name}_*.csv"):
        old.unlink()
    env = dict(os.environ, HT_LOAD_CONFIG=str(config_path))
    cpu_pg, cpu_odoo = cpu(postgres_procs()), cpu(trees(server_pids))
    began = time.monotonic()
    proc = subprocess.Popen(
        [str(locust), "-f", str(HERE / "locustfile.py"), "--headless", "--host", base, "-u", str(users),
         "-r", str(spawn), "-t", f"{duration}s", "--csv", str(prefix), "--only-summary", "--stop-timeout", "30",
         "--loglevel", "WARNING", *(["--reset-stats"] if steady else [])],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    locust_proc = psutil.Process(proc.pid)
    cpu_locust = 0.0
    output = []
    for line in proc.stdout:
        output.append(line)
        try:
            cpu_locust = sum(cpu([locust_proc]).values())
        except psutil.Error:
            pass
    proc.wait()
    wall = time.monotonic() - began
    if not Path(f"{prefix}_stats.csv").exists():
        sys.exit("Locust did not run:\n" + "".join(output[-30:]))
    conflicts = next((int(line.split()[1]) for line in output if line.startswith("HT_LOAD_CONFLICTS")), 0)
    used = {"odoo": spent(cpu_odoo, cpu(trees(server_pids))), "postgres": spent(cpu_pg, cpu(postgres_procs())),
            "locust": cpu_locust, "wall": wall}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        stats = [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]
    return stats, conflicts, used, output


def start_nodes(stack, args, out_dir):
    """The center's servers, entered on `stack`: the threaded development server alone (--workers 0), or
    --nodes prefork nodes with config/odoo-center-production.conf behind the internal nginx (one node: the
    single-node file; several: the several-nodes file). Returns (server processes, base URL); either serves
    /websocket itself."""
    if not args.workers:
        server, base = stack.enter_context(odoo_server(args.db, args.port, out_dir / "server-0.log",
                                                       cron_threads=1))
        return [server], base
    per_node = (args.workers + 1) * args.db_maxconn + 16  # HTTP and cron workers, the gevent process
    allowed = int(sh("psql", "-d", "postgres", "-tAc", "SHOW max_connections", capture_output=True).stdout)
    if per_node * args.nodes + args.db_maxconn > allowed - PG_RESERVED:
        sys.exit(f"{args.nodes} node(s) of {args.workers} workers may open {per_node * args.nodes} connections "
                 f"(+ the bridge's {args.db_maxconn}); PostgreSQL allows {allowed - PG_RESERVED}: lower --db-maxconn")
    servers, ports = [], []
    for i in range(args.nodes):
        http, bus = (args.port + 2 * i, args.port + 2 * i + 1)
        server, _base = stack.enter_context(odoo_server(
            args.db, http, out_dir / f"server-{i}.log", "--gevent-port", str(bus), "--db_maxconn",
            str(args.db_maxconn), "--log-level", "warn", workers=args.workers, cron_threads=1, timeout=300,
            env={"ODOO_CONF": str(PRODUCTION_CONF)}))
        servers.append(server)
        ports.append((http, bus))
    tmp = out_dir / "nginx"  # kept: its access log says which node answered what, and what nginx refused
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    data_dir = Path(os.environ.get("ODOO_DATA_DIR", ROOT / ".odoo" / "data"))
    base = stack.enter_context(serve_internal_proxy(
        tmp, args.port + 2 * args.nodes, *ports[0], data_dir / "filestore",
        nodes=ports if args.nodes > 1 else None))
    return servers, base


PBX_SETUP = """
pbx = env.ref("hotline_telephony.pbx_default")
pbx.write({{"host": "127.0.0.1", "port": {port}, "secret": "floor-secret", "queue_log_path": False}})
env.cr.commit()
print("LOAD_PBX", pbx.id)
"""


class AmiReplay:
    """The recorded call (bench/ami_stream.txt) replayed at a call rate through a local AMI socket into the
    real bridge (`scripts/odoo hotline_ami`, its own process), beside the floor. One call in ten is sampled:
    the time from its events reaching the socket to its answered call being in the database."""

    def __init__(self, args, out_dir):
        self.db, self.rate = args.db, args.ami_calls_per_hour / 3600
        self.blocks = load_stream()
        self.fake = fake_ami_class()(port=free_port(), secret="floor-secret")
        self.log = out_dir / "bridge.log"
        self.calls = 0
        self.lags = []
        self.pending = {}  # uniqueid -> monotonic time pushed
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.proc = None

    def __enter__(self):
        self.fake.start()
        out = sh(str(ROOT / "scripts" / "odoo"), "shell", "-d", self.db, "--log-level=warn", "--no-http",
                 input=PBX_SETUP.format(port=self.fake.port), capture_output=True, cwd=ROOT).stdout
        pbx = next(line.split()[1] for line in out.splitlines() if line.startswith("LOAD_PBX"))
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([str(ROOT / "scripts" / "odoo"), "hotline_ami", "-d", self.db,
                                          "--pbx-id", pbx, "--log-level=warn"], stdout=log, stderr=subprocess.STDOUT)
        if not self.fake.wait_clients(1, timeout=120):
            raise SystemExit(f"the AMI bridge did not connect (see {self.log})")
        self.psutil_proc = psutil.Process(self.proc.pid)
        self.threads = [threading.Thread(target=target, daemon=True) for target in (self._feed, self._sample)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(10)
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.fake.stop()

    def _feed(self):
        began = time.monotonic()
        while not self.stopping.is_set():
            due = began + self.calls / self.rate
            if self.stopping.wait(max(0.0, due - time.monotonic())):
                return
            n, t0 = self.calls, time.time()
            self.fake.push_raw(render(self.blocks, n, t0))
            if n % 10 == 0:
                with self.lock:
                    self.pending[f"{int(t0)}.{n}"] = time.monotonic()  # render()'s uniqueid
            self.calls += 1

    def _sample(self):
        # autocommit and no `with conn` (which opens a transaction even then): an open snapshot held for the
        # whole floor would keep vacuum from the tables the floor updates, and slow the floor down
        conn = psycopg2.connect(dbname=self.db)
        conn.autocommit = True
        with conn.cursor() as cr:
            while not self.stopping.wait(0.2):
                with self.lock:
                    waiting = list(self.pending)
                if not waiting:
                    continue
                cr.execute("SELECT uniqueid FROM hotline_call WHERE uniqueid = ANY(%s) AND outcome = 'answered' "
                           "AND talk_seconds > 0", [waiting])
                now = time.monotonic()
                with self.lock:
                    for (uniqueid,) in cr.fetchall():
                        self.lags.append(now - self.pending.pop(uniqueid))
        conn.close()

    def reading(self):
        with self.lock:
            return {"calls": self.calls, "lags": len(self.lags), "cpu": sum(cpu([self.psutil_proc]).values())}

    def report(self, before):
        now = self.reading()
        with self.lock:
            lags = self.lags[before["lags"]:]
            late = len(self.pending)
        calls = now["calls"] - before["calls"]
        line = (f"AMI bridge: {calls} calls replayed ({calls * len(self.blocks)} events, "
                f"{self.rate * 3600:,.0f} calls/h), bridge CPU {now['cpu'] - before['cpu']:.1f} s; ")
        if not lags:
            return line + "no sampled call reached the database"
        return line + (f"sampled call's events → answered call in the database: p50 {percentile(lags, 50) * 1000:.0f} "
                       f"ms, p95 {percentile(lags, 95) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms "
                       f"(n={len(lags)}, {late} not yet in)")


def proxy_report(nginx_dir, since):
    """What nginx answered with a server error, by status, and how the nodes shared the requests."""
    errors, nodes = {}, {}
    for line in (nginx_dir / "access.log").read_text().splitlines()[since:]:
        _method, _uri, status, upstream = line.split(" ", 3)
        if status.startswith("5"):
            errors[status] = errors.get(status, 0) + 1
        node = upstream.split(",")[-1].strip()
        nodes[node] = nodes.get(node, 0) + 1
    return (f"nginx: 5xx {dict(sorted(errors.items())) or 0} (504: no node answered in time); requests by node "
            f"{dict(sorted(nodes.items()))}")


def capacity(agents, stats, used, busy=0.7):
    """The floor's capacity model: cores kept busy, and the agents and cases a core carries at `busy`."""
    odoo, pg = used["odoo"] / used["wall"], used["postgres"] / used["wall"]
    cases = sum(float(row["Requests/s"]) for row in stats if row["Name"] == "agent: record case") * 3600
    line = (f"capacity: Odoo {odoo:.2f} cores busy, PostgreSQL {pg:.2f} (every backend, the bridge's writes "
            f"included), load average {os.getloadavg()[0]:.1f} at the end")
    if odoo and pg:
        line += (f"; at {busy:.0%} busy one Odoo core carries {busy * agents / odoo:.0f} agents and one PostgreSQL "
                 f"core {busy * agents / pg:.0f}; cases recorded {cases:,.0f}/h = {cases / odoo:,.0f} per Odoo "
                 f"core-hour")
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="ht_load")
    parser.add_argument("--template", default="ht_template")
    parser.add_argument("--calls-today", type=int, default=0,
                        help="inbound calls of today (midnight to now) added before the floor: a center's afternoon")
    parser.add_argument("--port", type=int, default=8390)
    parser.add_argument("--workers", type=int, default=0, help="prefork workers (0: the threaded server)")
    parser.add_argument("--floors", default="1,20", help="agents per floor, comma-separated (first = baseline)")
    parser.add_argument("--duration", type=int, default=120, help="seconds per floor (at most 3600)")
    parser.add_argument("--pace", type=float, default=1.0, help="think times divided by this")
    parser.add_argument("--nodes", type=int, default=1,
                        help="prefork nodes behind the internal nginx (needs --workers)")
    parser.add_argument("--db-maxconn", type=int, default=6, help="each node process's connection pool")
    parser.add_argument("--baseline-duration", type=int, default=0,
                        help="seconds of the first floor (the baseline), when not --duration")
    parser.add_argument("--ami-calls-per-hour", type=float, default=0,
                        help="replay the recorded call through the real AMI bridge at this rate beside the floor "
                             "(a 1,000-seat center's busy hour: 20000, one call every 3 minutes a seat)")
    parser.add_argument("--spawn-rate", type=float, default=0,
                        help="people logging in a second at a floor's start (default: the whole floor in 10 s)")
    parser.add_argument("--baseline-pace", type=float, default=0,
                        help="the first floor's pace, when not --pace (one agent at pace 20: enough calls to read "
                             "the latency of each action with nobody else working)")
    parser.add_argument("--steady", action="store_true",
                        help="each floor's figures from the moment its last person logged in (a shift under way); "
                             "the logins' cost is then the CPU only")
    parser.add_argument("--urge-now", action="store_true",
                        help="at each floor's start, the urging job due with every case's last urging cleared: "
                             "the job writes every due case while the floor works on them")
    args = parser.parse_args()
    floors = [int(n) for n in args.floors.split(",")]
    if max(floors) > 2000 or args.duration > 3600:
        sys.exit("bounded to 2,000 agents and an hour a floor on this machine")
    if args.nodes > 1 and not args.workers:
        sys.exit("several nodes are prefork servers: give --workers")
    locust = ensure_venv()
    biggest = counts_for(max(floors))
    setup = prepare(args.db, args.template, biggest)
    if args.calls_today:
        calls_today(args.db, args.calls_today)
    out_dir = ROOT / ".artefacts" / "load"
    out_dir.mkdir(parents=True, exist_ok=True)
    results, serialization_seen, jobs_seen, proxy_seen = [], 0, 0, 0
    with contextlib.ExitStack() as stack:
        servers, base = start_nodes(stack, args, out_dir)
        bridge = stack.enter_context(AmiReplay(args, out_dir)) if args.ami_calls_per_hour else None
        for agents in floors:
            counts = counts_for(agents)
            pace = args.baseline_pace if agents == floors[0] and args.baseline_pace else args.pace
            config = {"db": args.db, "pace": pace, "refs": setup["refs"],
                      **{role: setup[role][:counts[role]] for role in counts}}
            config_path = out_dir / f"floor_{agents}.json"
            config_path.write_text(json.dumps(config, ensure_ascii=False))
            users = sum(counts.values())
            if args.urge_now:
                sh("psql", "-q", "-d", args.db, "-c",
                   "UPDATE hotline_case SET last_urge_date = NULL; UPDATE ir_cron SET nextcall = now() at time zone "
                   "'UTC' + interval '20 seconds' FROM ir_act_server a WHERE a.id = ir_cron.ir_actions_server_id "
                   "AND a.code LIKE '%_cron_urge_cases%'")
            print(f"\n== floor of {agents} agents ({', '.join(f'{k} {v}' for k, v in counts.items())}), "
                  f"pace {pace}, {args.nodes} node(s) of {args.workers} workers"
                  f"{' behind nginx' if args.workers else ''}, load average {os.getloadavg()[0]:.1f}", flush=True)
            duration = args.baseline_duration if agents == floors[0] and args.baseline_duration else args.duration
            ami_before = bridge.reading() if bridge else None
            stats, conflicts, used, output = run_floor(locust, config_path, base, users, duration,
                                                       out_dir / f"floor_{agents}", [s.pid for s in servers],
                                                       spawn=args.spawn_rate, steady=args.steady)
            errors = [line for line in output if "Traceback" in line]
            with open(out_dir / f"floor_{agents}_failures.csv", newline="", encoding="utf-8") as handle:
                errors += [f"{row['Occurrences']} × {row['Name']}: {row['Error'][:200]}"
                           for row in csv.DictReader(handle)]
            print(f"{'action':<28} {'requests':>8} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>6}")
            worst = 0
            for row in sorted(stats, key=lambda r: r["Name"]):
                if not int(row["Request Count"]):  # nothing of it after the figures were reset
                    continue
                p95 = float(row["95%"] or 0)
                # a login is once a shift (its password hash is slow on purpose); a push is not a request
                if row["Type"] != "WS" and row["Name"] != "login":
                    worst = max(worst, p95)
                print(f"{row['Name']:<28} {row['Request Count']:>8} {row['Failure Count']:>5} {row['50%']:>6} "
                      f"{row['95%']:>6} {row['99%']:>6} {float(row['Requests/s']):>6.2f}")
            failures = sum(int(row["Failure Count"]) for row in stats)
            log = "".join((out_dir / f"server-{i}.log").read_text(errors="replace") for i in range(len(servers)))
            retried = log.count("could not serialize access") - serialization_seen
            serialization_seen += retried
            jobs_failed = sum(1 for line in log.splitlines() if "ir_cron: Job" in line and "failed" in line) - jobs_seen
            jobs_seen += jobs_failed
            print(f"serialization failures in the server (retried by Odoo, or a job's run lost) {retried}, "
                  f"scheduled jobs failed {jobs_failed}")
            print(f"failures {failures}, conflicts (a step another user took first) {conflicts}; CPU s: Odoo "
                  f"{used['odoo']:.1f}, PostgreSQL {used['postgres']:.1f}, Locust {used['locust']:.1f} over "
                  f"{used['wall']:.0f} s wall")
            if bridge:
                print(bridge.report(ami_before))
            if args.workers:
                print(proxy_report(out_dir / "nginx", proxy_seen))
                proxy_seen = len((out_dir / "nginx" / "access.log").read_text().splitlines())
            print(capacity(agents * pace, stats, used))
            if errors:
                print("failures and tracebacks:", *errors[:10], sep="\n  ")
            results.append((agents, worst, failures))
    print("\nfloor (agents)  worst p95 (ms)  failures")
    for agents, worst, failures in results:
        print(f"{agents:>14} {worst:>15.0f} {failures:>9}")
    knee = next((agents for agents, worst, _f in results[1:] if worst > KNEE_MS), None)
    cores = os.cpu_count()
    if knee:
        print(f"knee: p95 passes {KNEE_MS} ms at {knee} agents (pace {args.pace}) = "
              f"{knee * args.pace / cores:.0f} agents' traffic per core on {cores} cores")
    else:
        print(f"no knee up to {floors[-1]} agents (pace {args.pace}) = "
              f"{floors[-1] * args.pace / cores:.0f} agents' traffic per core on {cores} cores")


if __name__ == "__main__":
    main()
