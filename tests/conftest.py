"""Fixtures shared by the end-to-end suites: a running Odoo server on a
database holding every hotline addon with demo data."""

import contextlib
import os
import re
import subprocess
from pathlib import Path

import pytest
import requests

from .odoo_process import OdooProcess

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
def serve_odoo(db, port, log, *extra, db_host=None, db_port=None):
    """An Odoo server on `db` (extra command-line options appended) until the block ends; yields its URL.
    db_host/db_port pick another PostgreSQL cluster than libpq's default."""
    with OdooProcess(db, port, log, *extra, db_host=db_host, db_port=db_port, start_timeout=90) as server:
        yield server.url


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
