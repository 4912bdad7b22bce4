"""Reports read from the streaming replica when Odoo has db_replica_host/db_replica_port.

An Odoo server runs on the demo database with the replica configured; a manager opens the call
report (pivot), asks the KPI service and downloads the XLSX.  The replica's table statistics
(seq_scan + idx_scan of hotline_call) grow while the primary's stay still: the report queries
ran on the replica.
"""

import os
import time

import pytest

from ..conftest import login, serve_odoo
from .conftest import psql

HTTP_PORT = int(os.environ.get("HT_REPLICA_HTTP_PORT", "8177"))
PRIMARY_PORT = int(os.environ.get("PGPORT", "5432"))
SCANS = ("select coalesce(sum(seq_scan), 0) + coalesce(sum(idx_scan), 0) from pg_stat_user_tables "
         "where relname in ('hotline_call', 'hotline_agent_session')")


@pytest.fixture(scope="module")
def replica_server(demo_db, replica, tmp_path_factory):
    log = tmp_path_factory.mktemp("odoo-replica") / "server.log"
    with serve_odoo(demo_db, HTTP_PORT, log, "--db_replica_host=/var/run/postgresql",
                    f"--db_replica_port={replica}") as url:
        yield url


def _scans(port, db):
    return int(psql(port, db, SCANS))


def _settled(port, db, previous=None, timeout=30):
    """The scan counter once the server's statistics were flushed (they are, at most ~1 s after a query
    on an idle connection; an unchanged value for 2 s counts as flushed)."""
    value, since = _scans(port, db), time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _scans(port, db)
        if now != value:
            value, since = now, time.monotonic()
        elif time.monotonic() - since >= 2 and (previous is None or value != previous):
            return value
    return value


def _call_kw(session, url, model, method, args, kwargs=None):
    reply = session.post(f"{url}/web/dataset/call_kw/{model}/{method}", timeout=120, json={
        "jsonrpc": "2.0", "method": "call", "id": 1,
        "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}}).json()
    assert "error" not in reply, reply.get("error")
    return reply["result"]


def test_reports_run_on_the_replica(demo_db, replica, replica_server):
    url = replica_server
    session = login(url, "manager", "manager")
    primary_before = _settled(PRIMARY_PORT, demo_db)
    replica_before = _settled(replica, demo_db)

    pivot = _call_kw(session, url, "hotline.call.report", "web_read_group", [[], ["queue"]],
                     {"aggregates": ["offered:sum", "answer_rate:avg"]})
    assert pivot["groups"], "the demo calls should show in the report"
    figures = _call_kw(session, url, "hotline.kpi.call", "center_figures", ["2000-01-01", "2100-12-31"])
    assert figures["offered"] == sum(g["offered:sum"] for g in pivot["groups"])
    agents = _call_kw(session, url, "hotline.kpi.call", "agent_figures", ["2000-01-01", "2100-12-31"])
    assert agents, "the demo agents' sessions should show"
    xlsx = session.get(f"{url}/hotline_reports/calls.xlsx", timeout=120,
                       params={"date_from": "2000-01-01", "date_to": "2100-12-31"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    replica_after = _settled(replica, demo_db, previous=replica_before)
    primary_after = _settled(PRIMARY_PORT, demo_db)
    assert replica_after > replica_before, "no report query reached the replica"
    assert primary_after == primary_before, (
        f"the report read hotline_call on the primary ({primary_after - primary_before} scans)")


def test_system_health_sees_the_replica(replica_server):
    """The administrators' 系统监控 row of the reporting replica, refreshed by the server that uses it."""
    session = login(replica_server, "admin", "admin")
    _call_kw(session, replica_server, "hotline.health.check", "action_refresh", [[]])
    rows = _call_kw(session, replica_server, "hotline.health.check", "search_read",
                    [[["key", "=", "replica"]], ["state", "fact"]])
    assert rows and rows[0]["state"] == "green", rows
    assert "Streaming" in rows[0]["fact"] or "流复制" in rows[0]["fact"], rows
