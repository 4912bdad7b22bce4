#!/usr/bin/env python3
"""Exchange with the city's 12345 platform (hotline_platform) against the stand-in platform of its tests,
each figure next to a baseline measured in the same run:

  poll   a local event -> the platform's acknowledgement, and a platform event -> applied here and confirmed,
         with the exchange run every --interval seconds (the scheduled action runs every minute: the wait
         for the next round is most of the figure, p95 ~ 0.95 x interval + one round)
         baseline: the same event written without any transport (the local step's own commit)
  webhook  the platform pushes an event to /hotline/platform/<code>/events -> its signed acknowledgement
         (stored, applied and committed before the answer), on a real Odoo server; and the other way, a local
         event -> the platform's acknowledgement, sent by the server's cron thread woken at the commit
         baselines: a bare HTTP round trip to the same server (/web/health); the same event stored and
         applied in-process, without HTTP
  backlog  N outbound events (default 10,000 over 100 work orders) written while the platform was down,
         drained once it is back (rounds of 500, per-work-order order kept)
         baseline: the same events written without transport (their enqueueing), and the stand-in taking
         the same wire events in-process (no HTTP, no ORM)

Runs on a copy of --db (default ht_platform, where hotline_platform is installed), dropped at the end.
Ports: the stand-in on 8353, the Odoo server on 8352.

    .venv/bin/python bench/bench_platform.py [--samples 20] [--interval 10] [--backlog 10000]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.bench_case import boot_odoo  # noqa: E402
from bench.benchlib import odoo_server, summary  # noqa: E402

ODOO_SRC = Path(os.environ.get("ODOO_SRC", ROOT / ".odoo/root/usr/lib/python3/dist-packages"))
SECRET = "bench-共享密钥"
STANDIN_PORT, ODOO_PORT = 8353, 8352


def wait_for(seen, key, timeout):
    """Until the stand-in has seen `key` (received or confirmed)."""
    deadline = time.monotonic() + timeout
    while key not in seen:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench_platform: no acknowledgement within {timeout:g} s")
        time.sleep(0.005)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="ht_platform")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between two exchange rounds")
    parser.add_argument("--backlog", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="keep the copied database")
    return parser.parse_args()


class Bench:
    def __init__(self, odoo, registry, standin):
        self.odoo, self.registry, self.platform = odoo, registry, standin
        self.counterpart_id = None

    def env(self, cr):
        return self.odoo.api.Environment(cr, self.odoo.SUPERUSER_ID, {"lang": "zh_CN"})

    def setup(self):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            category = env["hotline.category"].search([], limit=1)
            counterpart = env["hotline.platform.counterpart"].create({
                "name": "压测12345平台", "code": "bench", "transport": "rest", "endpoint": self.platform.url,
                "secret": SECRET, "poll": True,
                "code_table_ids": [(0, 0, {"version": "b1", "date_start": "2026-01-01", "line_ids": [
                    (0, 0, {"kind": "category", "code": "C1", "category_id": category.id}),
                    (0, 0, {"kind": "result", "code": "1", "result": "resolved"})]})],
            })
            self.counterpart_id = counterpart.id

    def work_orders(self, count, prefix):
        """`count` work orders dispatched by the platform and received here (in-process, no transport)."""
        with self.registry.cursor() as cr:
            env = self.env(cr)
            counterpart = env["hotline.platform.counterpart"].browse(self.counterpart_id)
            events = [{"platform_ref": f"{prefix}{n:05d}", "seq": 1, "kind": "dispatch",
                       "occurred_at": "2026-12-07T09:00:00+08:00",
                       "payload": {"content": "压测工单：路面坑洼", "category": "C1", "address": "压测路1号",
                                   "deadline": "2026-12-20T18:00:00+08:00"}} for n in range(count)]
            env["hotline.platform.event"]._receive(counterpart, events)
            env["hotline.platform.event"].search([("platform_ref", "=like", f"{prefix}%"),
                                                  ("direction", "=", "out")]).write({"state": "sent"})
        for event in events:  # the platform's next event of each work order is its second
            self.platform.sequences[event["platform_ref"]] = 1
        return [e["platform_ref"] for e in events]

    def exchange_round(self):
        with self.registry.cursor() as cr:
            self.env(cr)["hotline.platform.counterpart"].browse(self.counterpart_id)._run()

    def local_event(self, ref, note):
        """A local step writing one outbound event (the interim reply), committed; returns its key."""
        with self.registry.cursor() as cr:
            env = self.env(cr)
            case = env["hotline.case"].search([("platform_ref", "=", ref)])
            case._platform_send_progress(note)
            event = env["hotline.platform.event"].search([("platform_ref", "=", ref), ("direction", "=", "out")],
                                                         order="sequence desc", limit=1)
            return event.key

    # -- poll ---------------------------------------------------------------------------
    def poll(self, samples, interval):
        refs = self.work_orders(samples, "POLL")
        stop, rounds = threading.Event(), []

        def loop():
            while not stop.is_set():
                started = time.monotonic()
                try:
                    self.exchange_round()
                except Exception as error:  # noqa: BLE001  (a round that fails is retried, as by the cron)
                    print(f"bench_platform: exchange round failed: {error!r}", file=sys.stderr, flush=True)
                rounds.append(time.monotonic() - started)
                stop.wait(max(interval - (time.monotonic() - started), 0))

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        outbound, inbound, baseline = [], [], []
        try:
            for n, ref in enumerate(refs):
                time.sleep(random.uniform(0, interval))
                if n % 2 == 0:  # a local event -> acknowledged by the platform
                    started = time.monotonic()
                    key = self.local_event(ref, f"阶段性回复 {n}")
                    baseline.append(time.monotonic() - started)
                    wait_for(self.platform.received_at, key, 10 * interval + 60)
                    outbound.append(self.platform.received_at[key] - started)
                else:  # a platform event -> applied and confirmed here
                    event = self.platform.emit(ref, "urge", {"note": f"催办 {n}"})
                    started = time.monotonic()
                    wait_for(self.platform.confirmed_at, event["key"], 10 * interval + 60)
                    inbound.append(self.platform.confirmed_at[event["key"]] - started)
        finally:
            stop.set()
            thread.join()
        return outbound, inbound, baseline, rounds

    # -- webhook ------------------------------------------------------------------------
    def webhook(self, samples, db):
        refs = self.work_orders(1, "HOOK")
        ref = refs[0]
        pushes, health, woken = [], [], []
        with odoo_server(db, ODOO_PORT, ROOT / ".artefacts" / "bench_platform_odoo.log",
                         cron_threads=1) as (_proc, base):
            session = requests.Session()
            for seq in range(2, samples + 2):
                body = json.dumps({"events": [{"platform_ref": ref, "seq": seq, "kind": "urge",
                                               "payload": {"note": f"催办 {seq}"}}]}).encode()
                started = time.monotonic()
                response = session.post(f"{base}/hotline/platform/bench/events", data=body,
                                        headers=self.platform_headers(body), timeout=30)
                pushes.append(time.monotonic() - started)
                if response.status_code != 200 or response.json()["acks"] != [f"{ref}:{seq}"]:
                    raise SystemExit(f"bench_platform: webhook answered {response.status_code} {response.text}")
                started = time.monotonic()
                session.get(f"{base}/web/health", timeout=30)
                health.append(time.monotonic() - started)
            # the other way: a local step's event, sent by the server's cron thread woken at commit
            # warm-up, not counted: the cron thread's first round also runs every job due since the copy
            wait_for(self.platform.received_at, self.local_event(ref, "预热"), 300)
            for n in range(samples):
                started = time.monotonic()
                key = self.local_event(ref, f"阶段性回复 {n}")
                wait_for(self.platform.received_at, key, 120)
                woken.append(self.platform.received_at[key] - started)
        in_process = []
        for seq in range(samples + 2, 2 * samples + 2):
            started = time.monotonic()
            with self.registry.cursor() as cr:
                env = self.env(cr)
                counterpart = env["hotline.platform.counterpart"].browse(self.counterpart_id)
                env["hotline.platform.event"]._receive(counterpart, [
                    {"platform_ref": ref, "seq": seq, "kind": "urge", "payload": {"note": f"催办 {seq}"}}])
            in_process.append(time.monotonic() - started)
        return pushes, health, in_process, woken

    def platform_headers(self, body):
        return self.standin_module.signed_headers(SECRET, body)

    # -- backlog ------------------------------------------------------------------------
    def backlog(self, count):
        orders = 100
        refs = self.work_orders(orders, "BACK")
        self.platform.down = True
        started = time.monotonic()
        with self.registry.cursor() as cr:
            env = self.env(cr)
            Event = env["hotline.platform.event"]
            for ref in refs:
                case = env["hotline.case"].search([("platform_ref", "=", ref)])
                for n in range(count // orders):
                    Event._enqueue(case, "progress", {"note": f"积压事件 {n}"})
        enqueue = time.monotonic() - started
        self.exchange_round()  # the platform is down: one failed round
        with self.registry.cursor() as cr:
            cr.execute("UPDATE hotline_platform_event SET next_attempt = NULL WHERE state = 'pending'")
            cr.execute("SELECT count(*) FROM hotline_platform_event WHERE state = 'pending'")
            pending = cr.fetchone()[0]
        self.platform.down = False
        before = len(self.platform.received)
        started, rounds = time.monotonic(), 0
        while True:
            self.exchange_round()
            rounds += 1
            with self.registry.cursor() as cr:
                cr.execute("SELECT count(*) FROM hotline_platform_event WHERE state = 'pending'")
                if not cr.fetchone()[0]:
                    break
            if rounds > 10 * count // 500 + 10:
                raise SystemExit("bench_platform: the backlog does not drain")
        drain = time.monotonic() - started
        delivered = len(self.platform.received) - before
        with self.registry.cursor() as cr:
            wire = self.env(cr)["hotline.platform.event"].search(
                [("platform_ref", "=like", "BACK%"), ("kind", "=", "progress")], order="id")._wire()
        for event in wire:
            event["key"] = "copy-" + event["key"]
        started = time.monotonic()
        for n in range(0, len(wire), 500):
            self.platform.take(wire[n:n + 500])
        take = time.monotonic() - started
        return pending, delivered, drain, rounds, enqueue, take


def main():
    args = parse_args()
    db = f"{args.db}_bench"
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
    subprocess.run(["createdb", "-T", args.db, db], check=True)
    (ROOT / ".artefacts").mkdir(exist_ok=True)
    odoo, registry = boot_odoo(db)
    from odoo.addons.hotline_platform.tests import standin as standin_module  # noqa: PLC0415 - needs Odoo's path

    with registry.cursor() as cr:  # the stand-in's city keeps the center's time
        tz = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}).company._hotline_tz()
    platform = standin_module.StandInPlatform(SECRET, tz, port=STANDIN_PORT).start()
    try:
        bench = Bench(odoo, registry, platform)
        bench.standin_module = standin_module
        bench.setup()
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(f"bench_platform on {db} (load {load}), exchange every {args.interval:g} s")

        outbound, inbound, baseline, rounds = bench.poll(args.samples, args.interval)
        print(f"poll    local event -> platform ack       {summary(outbound)}")
        print(f"poll    platform event -> applied, confirmed {summary(inbound)}")
        print(f"        baseline: the local step's commit, no transport  {summary(baseline)}")
        print(f"        one exchange round                             {summary(rounds)}")

        pushes, health, in_process, woken = bench.webhook(args.samples, db)
        print(f"webhook platform push -> signed ack      {summary(pushes)}")
        print(f"push    local event -> platform ack, exchange woken at commit  {summary(woken)}")
        print(f"        baseline: bare HTTP round trip (/web/health)   {summary(health)}")
        print(f"        baseline: stored and applied in-process        {summary(in_process)}")

        pending, delivered, drain, rounds_count, enqueue, take = bench.backlog(args.backlog)
        print(f"backlog {pending} events after an outage drained in {drain:.1f} s ({rounds_count} rounds, "
              f"{delivered} delivered, {delivered / drain:.0f} events/s)")
        print(f"        baseline: written without transport {enqueue:.1f} s; taken by the stand-in in-process "
              f"{take:.2f} s")
    finally:
        if platform:
            platform.stop()
        if not args.keep:
            subprocess.run(["dropdb", "--if-exists", "--force", db], check=False)


if __name__ == "__main__":
    main()
