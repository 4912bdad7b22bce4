#!/usr/bin/env python3
"""What the internal nginx takes off the Odoo workers in the production layout (config/odoo-center-production.conf,
two prefork workers, behind config/nginx/hotline-internal.conf), on this machine.

Two runs on the same database, one after the other:
  x-accel    the production configuration: attachments sent by nginx on Odoo's X-Accel-Redirect
  streamed   the same with x_sendfile = False: the Odoo worker streams the file (the baseline)
Each run: --downloads downloads of one --size-mb attachment by 4 clients at once through the proxy, and
--statics requests of a static library file through the proxy (cached by nginx after the first) and straight
to Odoo (the baseline). Prints p50 / p95 per request and the CPU the Odoo processes (workers and websocket
process) spent per request.

Usage: .venv/bin/python bench/bench_layout.py --db ht_scale [--port 8377] [--downloads 40] [--size-mb 5]
Needs nginx; uses ports --port (nginx), +1 (Odoo), +2 (websocket process). Bounded: a few hundred requests.
"""

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.internal_proxy import serve_internal_proxy  # noqa: E402
from tests.odoo_process import OdooProcess  # noqa: E402

CONF = ROOT / "config" / "odoo-center-production.conf"
STATIC = "/web/static/lib/luxon/luxon.js"


def cpu(proc):
    """User + system CPU seconds of the Odoo server and its worker processes."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def login(url, db):
    session = requests.Session()
    reply = session.post(f"{url}/web/session/authenticate", timeout=60, json={
        "jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": "admin", "password": "admin"}})
    assert "error" not in reply.json(), reply.text[:300]
    return session


def call(session, url, model, method, *args):
    reply = session.post(f"{url}/web/dataset/call_kw/{model}/{method}", timeout=120, json={
        "jsonrpc": "2.0", "method": "call",
        "params": {"model": model, "method": method, "args": list(args), "kwargs": {}}}).json()
    assert "error" not in reply, reply["error"]
    return reply["result"]


def timed(session, url, count, clients, expect):
    def one(_n):
        began = time.perf_counter()
        reply = session.get(url, timeout=120)
        assert reply.status_code == 200 and len(reply.content) == expect, (reply.status_code, len(reply.content))
        return time.perf_counter() - began
    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(count)))


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]


def line(label, values, cpu_seconds):
    return (f"  {label:<34} p50 {statistics.median(values) * 1000:7.1f} ms  p95 {pct(values, 95) * 1000:7.1f} ms  "
            f"Odoo CPU {cpu_seconds / len(values) * 1000:6.1f} ms/request  (n={len(values)})")


def run(name, conf, args, tmp):
    port = args.port
    data_dir = Path(os.environ.get("ODOO_DATA_DIR", ROOT / ".odoo" / "data"))
    odoo = OdooProcess(args.db, port + 1, tmp / f"{name}.log", "--workers=2", "--max-cron-threads=0",
                       f"--gevent-port={port + 2}", env={"ODOO_CONF": str(conf)}, start_timeout=300)
    with odoo, serve_internal_proxy(tmp / name, port, port + 1, port + 2, data_dir / "filestore") as url:
        main = psutil.Process(odoo.pid)
        session = login(url, args.db)
        body = os.urandom(args.size_mb * 1024 * 1024)
        attachment = call(session, url, "ir.attachment", "create", {
            "name": "压测录音.bin", "res_model": "res.partner", "res_id": 1, "datas": base64.b64encode(body).decode()})
        try:
            target = f"{url}/web/content/{attachment}?download=true"
            timed(session, target, 2, 1, len(body))  # warm the route
            before = cpu(main)
            downloads = timed(session, target, args.downloads, 4, len(body))
            download_cpu = cpu(main) - before
            size = len(requests.get(url + STATIC, timeout=60).content)
            before = cpu(main)
            proxied = timed(requests.Session(), url + STATIC, args.statics, 4, size)
            proxied_cpu = cpu(main) - before
            before = cpu(main)
            direct = timed(requests.Session(), odoo.url + STATIC, args.statics, 4, size)
            direct_cpu = cpu(main) - before
        finally:
            call(session, url, "ir.attachment", "unlink", [attachment])
    print(f"{name}:")
    print(line(f"download {args.size_mb} MB through nginx", downloads, download_cpu))
    print(line("static file through nginx (cache)", proxied, proxied_cpu))
    print(line("static file straight from Odoo", direct, direct_cpu))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=8377)
    parser.add_argument("--downloads", type=int, default=40)
    parser.add_argument("--statics", type=int, default=200)
    parser.add_argument("--size-mb", type=int, default=5)
    args = parser.parse_args()
    # bounds: a few minutes on a loaded machine
    args.downloads, args.statics = min(args.downloads, 200), min(args.statics, 1000)
    args.size_mb = min(args.size_mb, 50)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-layout-") as tmp:
        tmp = Path(tmp)
        streamed = tmp / "streamed.conf"
        streamed.write_text(CONF.read_text().replace("x_sendfile = True", "x_sendfile = False"))
        for name, conf in (("x-accel", CONF), ("streamed", streamed)):
            (tmp / name).mkdir()
            run(name, conf, args, tmp)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
