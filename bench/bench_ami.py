"""AMI ingestion benchmark: replay a recorded event stream through a local AMI
socket into the real bridge (persisting through the ORM), and measure

* events/s sustained, with every fact committed to PostgreSQL (goal >= 1,000/s);
* screen-pop latency, from AgentConnect reaching the bridge to the bus message
  being committed, p50/p95 (goal p95 <= 150 ms), at a steady call rate.

The stream bench/ami_stream.txt was recorded from the PBX rig (one answered call
with a ring-no-answer at another agent); it is replayed with fresh uniqueids.

    .venv/bin/python bench/bench_ami.py [--calls 1500] [--db ht_bench]
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ODOO_SRC = Path(os.environ.get("ODOO_SRC", ROOT / ".odoo/root/usr/lib/python3/dist-packages"))
ADDONS_PATH = f"{ROOT / 'addons'},{ODOO_SRC / 'odoo' / 'addons'}"
STREAM = Path(__file__).resolve().parent / "ami_stream.txt"
sys.path.insert(0, str(ODOO_SRC))


def load_stream():
    """Recorded AMI events (blocks of 'Key: Value' lines) of one call."""
    blocks, current = [], {}
    for line in STREAM.read_text().splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = {}
            continue
        key, _sep, value = line.partition(":")
        current[key.strip()] = value.strip()
    if current:
        blocks.append(current)
    return blocks


def render(blocks, n, t0):
    """The recorded call, as call number n: new uniqueids/caller, times shifted to t0."""
    base = float(blocks[0].get("Timestamp", "0"))
    old = blocks[0]["Uniqueid"]
    out = []
    for block in blocks:
        b = dict(block)
        for key in ("Uniqueid", "Linkedid"):
            if b.get(key) == old:
                b[key] = f"{int(t0)}.{n}"
        if "CallerIDNum" in b:
            b["CallerIDNum"] = f"138{n:08d}"
        if "Timestamp" in b:
            b["Timestamp"] = f"{t0 + float(b['Timestamp']) - base:.6f}"
        out.append("".join(f"{k}: {v}\r\n" for k, v in b.items()) + "\r\n")
    return "".join(out)


def ensure_db(db):
    """The benchmark database, with hotline_telephony installed and up to date."""
    probe = subprocess.run(["psql", "-d", db, "-tAc",
                            "select state from ir_module_module where name = 'hotline_telephony'"],
                           capture_output=True, text=True)
    if probe.returncode == 0 and probe.stdout.strip() == "installed":
        step = ["-u", "hotline_telephony"]
    else:
        subprocess.run(["dropdb", "--if-exists", db], check=True)
        step = ["-i", "hotline_telephony"]
    subprocess.run([str(ROOT / "scripts" / "odoo"), "-d", db, *step, "--stop-after-init",
                    "--log-level=warn", "--http-port", "8469"], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("HT_BENCH_DB", "ht_bench"))
    parser.add_argument("--calls", type=int, default=1500, help="calls replayed in the throughput burst")
    parser.add_argument("--pop-calls", type=int, default=100, help="calls for the latency phase")
    parser.add_argument("--pop-rate", type=float, default=10.0, help="calls per second in the latency phase")
    args = parser.parse_args()

    ensure_db(args.db)
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", str(ROOT / "config" / "odoo.conf"), f"--addons-path={ADDONS_PATH}",
                         f"--data-dir={ROOT / '.odoo' / 'data'}", "--log-level=warn"], setup_logging=True)
    from odoo.addons.hotline_telephony.ami.bridge import Bridge  # noqa: PLC0415
    from odoo.addons.hotline_telephony.tests.fakeami import FakeAmi  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    fake = FakeAmi(secret="bench-secret").start()
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        pbx = env.ref("hotline_telephony.pbx_default")
        pbx.write({"host": fake.host, "port": fake.port, "secret": "bench-secret", "queue_log_path": False})
        # start from empty tables so each run measures the same work
        cr.execute("DELETE FROM hotline_call_attempt; DELETE FROM hotline_call; DELETE FROM bus_bus")
        group = env.ref("hotline_case.group_agent")
        for i in range(1, 5):
            if not env["res.users"].search_count([("login", "=", f"bench_agent{i}")]):
                env["res.users"].with_context(no_reset_password=True).create({
                    "name": f"话务员{i}", "login": f"bench_agent{i}", "group_ids": [(6, 0, [group.id])],
                    "hotline_interface": f"PJSIP/agent{i}"})
    blocks = load_stream()

    bridge = Bridge(args.db, ping_interval=60, backfill_interval=3600)
    thread = threading.Thread(target=bridge.run, daemon=True)
    thread.start()
    if not bridge.connected.wait(30) or not fake.wait_clients(1):
        sys.exit("bridge did not connect to the fake AMI")

    def wait_events(total, timeout=600):
        deadline = time.monotonic() + timeout
        while bridge.stats["events"] < total and time.monotonic() < deadline:
            time.sleep(0.01)
        return bridge.stats["events"] >= total

    # 1. throughput: the whole burst written to the socket at once
    t0 = time.time()
    payload = "".join(render(blocks, n, t0 + n * 0.01) for n in range(args.calls))
    total = len(blocks) * args.calls
    start = time.monotonic()
    fake.push_raw(payload)
    ok = wait_events(total)
    elapsed = time.monotonic() - start
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM hotline_call WHERE outcome = 'answered' AND talk_seconds > 0")
        persisted = cr.fetchone()[0]
    rate = total / elapsed
    print(f"events replayed: {total} ({len(blocks)} per call, {args.calls} calls) in {elapsed:.2f}s")
    print(f"ingestion sustained with persistence: {rate:,.0f} events/s  (goal >= 1,000/s)")
    print(f"answered calls persisted: {persisted}/{args.calls}")

    # 2. screen-pop latency at a steady call rate
    bridge.pop_latencies.clear()
    t1 = time.time() + 10
    for n in range(args.pop_calls):
        fake.push_raw(render(blocks, 100000 + n, t1 + n))
        time.sleep(1.0 / args.pop_rate)
    wait_events(total + len(blocks) * args.pop_calls, timeout=60)
    time.sleep(0.5)
    lat = sorted(bridge.pop_latencies)
    bridge.stop()
    thread.join(10)
    fake.stop()
    if not lat:
        sys.exit("no screen pop measured")
    p50 = lat[len(lat) // 2] * 1000
    p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))] * 1000
    print(f"screen pop latency over {len(lat)} pops at {args.pop_rate:g} calls/s: "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {lat[-1] * 1000:.1f} ms  (goal p95 <= 150 ms)")
    if not ok or persisted != args.calls:
        sys.exit("not every event was ingested")
    if rate < 1000 or p95 > 150:
        sys.exit("goal missed")


if __name__ == "__main__":
    main()
