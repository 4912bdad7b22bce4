"""What the benches share: an Odoo server of the checkout under test, started and stopped around a block."""

import contextlib
import os
import statistics
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def percentile(values, pct):
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def summary(values):
    """p50 / p95 / max of durations in seconds, printed in milliseconds."""
    return (f"p50 {statistics.median(values) * 1000:.0f} ms, p95 {percentile(values, 95) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms (n={len(values)})")


@contextlib.contextmanager
def odoo_server(db, port, log_path, *extra, root=ROOT, workers=0, cron_threads=0, timeout=120, env=None):
    """`scripts/odoo` of `root` serving `db` on 127.0.0.1:`port` until the block ends; yields (process, base URL).
    `env` adds environment variables (ODOO_CONF: another configuration file).

    Raises SystemExit when /web/login does not answer within `timeout` seconds (the first page after an
    update also builds the asset bundles, hence the long wait) or the server exits first."""
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [str(Path(root) / "scripts" / "odoo"), "-d", db, f"--db-filter=^{db}$", "--http-interface=127.0.0.1",
         "--http-port", str(port), "--workers", str(workers), "--max-cron-threads", str(cron_threads),
         "--log-level", "warn", *extra],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{base}/web/login", timeout=60).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the Odoo server did not start (see {log_path})")
            time.sleep(0.5)
        yield proc, base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
