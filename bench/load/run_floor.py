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
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import odoo_server  # noqa: E402

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
env.cr.commit()
print("LOAD_SETUP " + json.dumps(out))
"""


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


def tree(pid):
    proc = psutil.Process(pid)
    return [proc, *proc.children(recursive=True)]


def counts_for(agents):
    counts = {"agents": agents}
    for role, share in SHARES.items():
        counts[role] = max(1, round(agents * share))
    return counts


def run_floor(locust, config_path, base, users, duration, prefix, server_pid):
    """One floor: Locust headless for `duration` seconds; the stats Locust wrote, with the CPU spent meanwhile."""
    spawn = max(1, users // 10)
    for old in Path(prefix).parent.glob(f"{Path(prefix).name}_*.csv"):
        old.unlink()
    env = dict(os.environ, HT_LOAD_CONFIG=str(config_path))
    cpu_pg, cpu_odoo = cpu(postgres_procs()), cpu(tree(server_pid))
    began = time.monotonic()
    proc = subprocess.Popen(
        [str(locust), "-f", str(HERE / "locustfile.py"), "--headless", "--host", base, "-u", str(users),
         "-r", str(spawn), "-t", f"{duration}s", "--csv", str(prefix), "--only-summary", "--stop-timeout", "30",
         "--loglevel", "WARNING"],
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
    used = {"odoo": spent(cpu_odoo, cpu(tree(server_pid))), "postgres": spent(cpu_pg, cpu(postgres_procs())),
            "locust": cpu_locust, "wall": wall}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        stats = [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]
    return stats, conflicts, used, output


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="ht_load")
    parser.add_argument("--template", default="ht_template")
    parser.add_argument("--port", type=int, default=8390)
    parser.add_argument("--workers", type=int, default=0, help="prefork workers (0: the threaded server)")
    parser.add_argument("--floors", default="1,20", help="agents per floor, comma-separated (first = baseline)")
    parser.add_argument("--duration", type=int, default=120, help="seconds per floor (at most 3600)")
    parser.add_argument("--pace", type=float, default=1.0, help="think times divided by this")
    parser.add_argument("--urge-now", action="store_true",
                        help="at each floor's start, the urging job due with every case's last urging cleared: "
                             "the job writes every due case while the floor works on them")
    args = parser.parse_args()
    floors = [int(n) for n in args.floors.split(",")]
    if max(floors) > 2000 or args.duration > 3600:
        sys.exit("bounded to 2,000 agents and an hour a floor on this machine")
    locust = ensure_venv()
    biggest = counts_for(max(floors))
    setup = prepare(args.db, args.template, biggest)
    out_dir = ROOT / ".artefacts" / "load"
    out_dir.mkdir(parents=True, exist_ok=True)
    gevent_port = args.port + 1 if args.workers else None
    extra = ["--gevent-port", str(gevent_port)] if gevent_port else []
    results, serialization_seen, jobs_seen = [], 0, 0
    with odoo_server(args.db, args.port, out_dir / "server.log", *extra, workers=args.workers,
                     cron_threads=1) as (server, base):
        for agents in floors:
            counts = counts_for(agents)
            config = {"db": args.db, "pace": args.pace, "gevent_port": gevent_port, "refs": setup["refs"],
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
                  f"{args.duration} s, pace {args.pace}, workers {args.workers}, load average "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
            stats, conflicts, used, output = run_floor(locust, config_path, base, users, args.duration,
                                                       out_dir / f"floor_{agents}", server.pid)
            errors = [line for line in output if "Error" in line or "Traceback" in line]
            print(f"{'action':<28} {'requests':>8} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>6}")
            worst = 0
            for row in sorted(stats, key=lambda r: r["Name"]):
                p95 = float(row["95%"] or 0)
                # a login is once a shift (its password hash is slow on purpose); a push is not a request
                if row["Type"] != "WS" and row["Name"] != "login":
                    worst = max(worst, p95)
                print(f"{row['Name']:<28} {row['Request Count']:>8} {row['Failure Count']:>5} {row['50%']:>6} "
                      f"{row['95%']:>6} {row['99%']:>6} {float(row['Requests/s']):>6.2f}")
            failures = sum(int(row["Failure Count"]) for row in stats)
            log = (out_dir / "server.log").read_text(errors="replace")
            retried = log.count("could not serialize access") - serialization_seen
            serialization_seen += retried
            jobs_failed = sum(1 for line in log.splitlines() if "ir_cron: Job" in line and "failed" in line) - jobs_seen
            jobs_seen += jobs_failed
            print(f"serialization failures in the server (retried by Odoo, or a job's run lost) {retried}, "
                  f"scheduled jobs failed {jobs_failed}")
            print(f"failures {failures}, conflicts (a step another user took first) {conflicts}; CPU s: Odoo "
                  f"{used['odoo']:.1f}, PostgreSQL {used['postgres']:.1f}, Locust {used['locust']:.1f} over "
                  f"{used['wall']:.0f} s wall")
            if errors:
                print("locust said:", *errors[:5], sep="\n  ")
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
