"""Fixtures shared by the end-to-end suites: a running Odoo server on a
database holding every hotline addon with demo data."""

import contextlib
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
ADDONS = sorted(p.parent.name for p in (ROOT / "addons").glob("*/__manifest__.py"))


def _db_ready(db):
    probe = subprocess.run(
        ["psql", "-d", db, "-tAc", "select state from ir_module_module where name = 'hotline_portal'"],
        capture_output=True, text=True)
    return probe.returncode == 0 and probe.stdout.strip() == "installed"


@pytest.fixture(scope="session")
def demo_db():
    """The database `make test` built in its Odoo stage, or a new one."""
    db = os.environ.get("TEST_DB", "hotline_test")
    if not _db_ready(db):
        subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
        subprocess.run([str(ROOT / "scripts" / "odoo"), "-d", db, "-i", ",".join(ADDONS), "--with-demo",
                        "--stop-after-init", "--log-level=warn", "--http-port", "8178"], check=True)
    return db


@contextlib.contextmanager
def serve_odoo(db, port, log, *extra):
    """An Odoo server on `db` (extra command-line options appended) until the block ends; yields its URL."""
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "odoo"), "-d", db, f"--db-filter=^{db}$", "--http-port", str(port),
             "--workers=0", "--max-cron-threads=0", "--log-level=warn", *extra],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{url}/web/login", timeout=5).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or busy on a loaded machine
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Odoo did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session")
def odoo_server(demo_db, tmp_path_factory):
    """An Odoo server on the demo database; yields its base URL."""
    port = int(os.environ.get("E2E_HTTP_PORT", "8179"))
    with serve_odoo(demo_db, port, tmp_path_factory.mktemp("odoo") / "server.log") as url:
        yield url


def login(url, user, password):
    """A requests session logged in through the login form, as a browser does."""
    session = requests.Session()
    page = session.get(f"{url}/web/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    reply = session.post(f"{url}/web/login", timeout=60, allow_redirects=False,
                         data={"login": user, "password": password, "csrf_token": token})
    assert reply.status_code == 303, f"{user} could not log in (status {reply.status_code})"
    return session
