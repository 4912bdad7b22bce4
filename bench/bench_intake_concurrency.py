#!/usr/bin/env python3
"""Concurrent intake (issue 27): N agents record and self-dispatch cases at once over JSON-RPC, as the web
client does (`/web/session/authenticate`, then `/web/dataset/call_kw` with the session), against an Odoo
served on this machine (loopback), no think time.

Runs, each on a fresh street so that earlier runs' alerts do not count:
  burst         every case on one street and category (a water main breaks): the burst rule's hot spot
  burst-norule  the same with the burst rules archived: the same run's baseline, intake without alerts
  spread        cases over 20 streets and 5 categories, 2 per street and category (below any rule's count)

Prints per run create and self-dispatch p50 / p95 / max, errors the agents saw, serialization failures the
server met (its "tries left" lines; Odoo retries them), load average; after a burst run, the alerts of the
street once the burst job has run (expected: one, holding every case).

Usage: .venv/bin/python bench/bench_intake_concurrency.py --db ht_ibench [--port 8306] [--agents 20]
           [--cases 10] [--runs burst,burst-norule,spread] [--template ht_template] [--root ../main]
The database is created from --template (else with `-i hotline_monitor` and demo data) when missing and kept.
The server it starts is the development one (threaded, 2 cron threads); --workers N for prefork.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from benchlib import odoo_server

ROOT = Path(__file__).resolve().parents[1]  # the checkout served: --root (e.g. main, before a change)


def odoo():
    return [str(ROOT / "scripts" / "odoo")]
MAX_AGENTS, MAX_CASES, TIMEOUT = 100, 50, 120  # bounds: agents, cases per agent, seconds per request

SETUP = """
import json
env = self.env
Users = env["res.users"].with_context(no_reset_password=True)
agents = []
for i in range({agents}):
    login = f"bench_intake_{{i}}"
    user = Users.search([("login", "=", login)]) or Users.create({{
        "name": f"压测受理员{{i}}", "login": login, "password": login,
        "group_ids": [(6, 0, [env.ref("hotline_case.group_agent").id])]}})
    agents.append(login)
district = env["hotline.district"].search([("code", "=", "BENCHI")]) or env["hotline.district"].create(
    {{"name": "压测区", "code": "BENCHI"}})
unit = env["hotline.unit"].search([("code", "=", "BENCHI")]) or env["hotline.unit"].create(
    {{"name": "压测供水抢修", "code": "BENCHI"}})
case_type = env["hotline.case.type"].search([], limit=1)
categories = env["hotline.category"].search([("name", "like", "压测类别")], order="id")
for i in range(len(categories), 5):
    categories |= env["hotline.category"].create({{"name": f"压测类别{{i}}"}})
streets = {{}}
for run in {runs!r}:
    streets[run] = env["hotline.street"].create([
        {{"name": f"压测街道 {tag} {{run}} {{i}}", "district_id": district.id}} for i in range(20)]).ids
env.cr.commit()
print("BENCH_SETUP", json.dumps({{"agents": agents, "district": district.id, "unit": unit.id,
    "type": case_type.id, "categories": categories.ids, "streets": streets}}))
"""

RULES = """
rules = self.env["hotline.burst.rule"].with_context(active_test=False).search([{domain}])
rules.active = {active}
self.env.cr.commit()
print("BENCH_RULES", rules.ids)
"""


def psql(db, sql):
    return subprocess.run(["psql", "-tAc", sql, db], check=True, text=True, capture_output=True).stdout.strip()


def shell(db, code):
    return subprocess.run([*odoo(), "shell", "-d", db, "--log-level=warn"], input=code, cwd=ROOT, check=True,
                          text=True, capture_output=True).stdout


def prepare(db, template, port):
    if psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'") != "1":
        if template:
            subprocess.run(["createdb", "-T", template, db], check=True)
            store = ROOT / ".odoo" / "data" / "filestore"
            if (store / template).exists():
                subprocess.run(["cp", "-a", str(store / template), str(store / db)], check=True)
        else:
            print(f"creating {db} with hotline_monitor and demo data (minutes)...", flush=True)
            subprocess.run([*odoo(), "-d", db, "-i", "hotline_monitor", "--with-demo", "--stop-after-init",
                            "--http-port", str(port), "--max-cron-threads=0"], cwd=ROOT, check=True)


def rpc(session, base, route, params):
    response = session.post(f"{base}{route}", json={"jsonrpc": "2.0", "method": "call", "params": params},
                            timeout=TIMEOUT)
    body = response.json()
    if "error" in body:
        data = body["error"].get("data") or {}
        raise RuntimeError(data.get("message") or body["error"].get("message"))
    return body["result"]


def call_kw(session, base, model, method, args):
    return rpc(session, base, f"/web/dataset/call_kw/{model}/{method}",
               {"model": model, "method": method, "args": args, "kwargs": {}})


def agent(base, db, login, cases, start, out):
    session = requests.Session()
    rpc(session, base, "/web/session/authenticate", {"db": db, "login": login, "password": login})
    start.wait()
    for vals in cases:
        try:
            began = time.perf_counter()
            created = call_kw(session, base, "hotline.case", "create", [[vals]])
            case_id = created[0] if isinstance(created, list) else created
            out["create"].append(time.perf_counter() - began)
            began = time.perf_counter()
            call_kw(session, base, "hotline.case", "action_self_dispatch", [[case_id]])
            out["dispatch"].append(time.perf_counter() - began)
            out["ids"].append(case_id)
        except Exception as error:  # noqa: BLE001 - what the agent would see, counted
            out["errors"].append(str(error)[:200])


def cpu_seconds(pid):
    """User + system CPU of the server process (every thread: requests and cron in the threaded server)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def figures(values):
    if not values:
        return "n=0"
    return (f"p50 {statistics.median(values):.3f} s, p95 {percentile(values, 95):.3f} s, "
            f"max {max(values):.3f} s (n={len(values)})")


def retries(log_path, offset):
    with open(log_path, errors="replace") as log:
        log.seek(offset)
        text = log.read()
    return len(re.findall(r"tries left", text)), len(re.findall(r"maximum number of tries", text))


def run_once(args, base, setup, run, log_path, pid):
    burst = run.startswith("burst")
    streets, categories = setup["streets"][run], setup["categories"]
    outs = []
    threads = []
    start = threading.Barrier(len(setup["agents"]))
    for a, login in enumerate(setup["agents"]):
        cases = []
        for c in range(args.cases):
            n = a * args.cases + c
            cases.append({
                "caller_phone": f"1370{os.getpid() % 1000:03d}{n:04d}", "caller_name": f"压测来电{n}",
                "type_id": setup["type"], "category_id": categories[0] if burst else categories[n // 20 % 5],
                "district_id": setup["district"], "street_id": streets[0] if burst else streets[n % 20],
                "address": f"压测路{n}号", "description": "压测：主水管爆裂，停水。", "unit_id": setup["unit"]})
        out = {"create": [], "dispatch": [], "errors": [], "ids": []}
        outs.append(out)
        threads.append(threading.Thread(target=agent, args=(base, args.db, login, cases, start, out)))
    offset = os.path.getsize(log_path)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    cpu = cpu_seconds(pid)
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    create = [x for o in outs for x in o["create"]]
    dispatch = [x for o in outs for x in o["dispatch"]]
    errors = [e for o in outs for e in o["errors"]]
    ids = [i for o in outs for i in o["ids"]]
    retried, gave_up = retries(log_path, offset)
    print(f"\n{run}: {len(setup['agents'])} agents x {args.cases} cases, {wall:.1f} s, "
          f"load average {load_before} -> {load_after}")
    print(f"  create          {figures(create)}")
    print(f"  self-dispatch   {figures(dispatch)}")
    print(f"  errors seen by agents: {len(errors)} of {len(setup['agents']) * args.cases} intakes"
          + (f" (first: {errors[0]})" if errors else ""))
    print(f"  serialization failures retried by the server: {retried}, given up: {gave_up}")
    queue = psql(args.db, "SELECT to_regclass('hotline_burst_queue') IS NOT NULL") == "t"
    ended = time.monotonic()
    while queue and psql(args.db, "SELECT count(*) FROM hotline_burst_queue") != "0":
        if time.monotonic() > ended + 60:
            print("  the burst queue was not emptied within 60 s")
            break
        time.sleep(0.05)
    if queue:
        print(f"  burst job: queue empty {time.monotonic() - ended:.2f} s after the last intake returned")
    time.sleep(1)  # the job's last commit and board push
    if run == "burst" and ids:
        rows = psql(args.db, f"""
            SELECT a.id, count(r.hotline_case_id) FROM hotline_burst_alert a
              LEFT JOIN hotline_burst_alert_hotline_case_rel r ON r.hotline_burst_alert_id = a.id
             WHERE a.street_id = {streets[0]} GROUP BY a.id ORDER BY a.id""")
        alerts = [line.split("|") for line in rows.splitlines() if line]
        print(f"  alerts of the street: {len(alerts)}, holding {[int(n) for _a, n in alerts]} of {len(ids)} cases")
    if args.workers == 0:
        used = cpu_seconds(pid) - cpu
        print(f"  Odoo server CPU (requests and cron threads): {used:.1f} s, {used / max(len(ids), 1) * 1000:.0f} ms "
              "per intake")
    return {"run": run, "create": create, "dispatch": dispatch, "errors": len(errors), "retried": retried}


def main():
    global ROOT  # noqa: PLW0603 - every helper serves and shells the chosen checkout
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", default="ht_ibench")
    parser.add_argument("--template", default="")
    parser.add_argument("--port", type=int, default=8306)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--runs", default="burst,burst-norule,spread")
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose code is served")
    args = parser.parse_args()
    ROOT = Path(args.root).resolve()
    if not (1 <= args.agents <= MAX_AGENTS and 1 <= args.cases <= MAX_CASES):
        raise SystemExit(f"--agents at most {MAX_AGENTS}, --cases at most {MAX_CASES}")
    runs = args.runs.split(",")
    prepare(args.db, args.template, args.port)
    tag = uuid.uuid4().hex[:6]
    out = shell(args.db, SETUP.format(agents=args.agents, runs=runs, tag=tag))
    setup = json.loads(re.search(r"BENCH_SETUP (.+)", out).group(1))
    log_path = Path(tempfile.gettempdir()) / f"bench_intake_{args.db}.log"
    archived = []
    try:
        for run in runs:
            if run == "burst-norule":
                out = shell(args.db, RULES.format(domain="('active', '=', True)", active=False))
                archived = json.loads(re.search(r"BENCH_RULES (.+)", out).group(1))
            with odoo_server(args.db, args.port, log_path, "--log-handler", "odoo.service.model:INFO",
                             root=ROOT, workers=args.workers, cron_threads=2) as (proc, base):
                run_once(args, base, setup, run, log_path, proc.pid)
            if archived:
                shell(args.db, RULES.format(domain=f"('id', 'in', {archived})", active=True))
                archived = []
    finally:
        if archived:  # the rules the baseline archived are active again whatever happened
            shell(args.db, RULES.format(domain=f"('id', 'in', {archived})", active=True))


if __name__ == "__main__":
    main()
