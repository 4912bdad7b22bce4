"""A PostgreSQL streaming replica of the development cluster, for the report-routing test.

The set-up is idempotent and owned by this suite: a second cluster `15 replica` on port 5433
(pg_createcluster), filled by `pg_basebackup -R` from the primary (port 5432), and dropped when the
session ends. Kept between runs it would replay every database of the machine all day, and a stopped
copy rarely saves time: the primary recycles the WAL it would need (template copies are logged whole),
so the next run would wait for a catch-up that never comes before making it again anyway.
A replica that cannot be made or does not catch up FAILS the suite.
"""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from ..conftest import ROOT

PG_VERSION = os.environ.get("HT_REPLICA_PG_VERSION", "15")
CLUSTER = os.environ.get("HT_REPLICA_CLUSTER", "replica")
PORT = int(os.environ.get("HT_REPLICA_PORT", "5433"))
PRIMARY_PORT = int(os.environ.get("PGPORT", "5432"))
SLOT = "hotline_tests_replica"
HBA = Path(f"/etc/postgresql/{PG_VERSION}/main/pg_hba.conf")
HBA_LINE = "local   replication     all                                     trust"


def run(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check, timeout=600, **kw)


def psql(port, db, sql):
    return run("psql", "-h", "/var/run/postgresql", "-p", str(port), "-d", db, "-XAtc", sql).stdout.strip()


def _cluster_status():
    out = run("pg_lsclusters", "--no-header").stdout
    for line in out.splitlines():
        fields = line.split()
        if fields[:2] == [PG_VERSION, CLUSTER]:
            return fields[3]
    return None


def _allow_local_replication():
    """The primary must accept replication connections on its local socket (reload only, no restart)."""
    if not re.search(r"^local\s+replication\s+all\s", HBA.read_text(), re.M):
        with HBA.open("a") as fh:
            fh.write(f"\n# hotline tests/replica: pg_basebackup of the local streaming replica\n{HBA_LINE}\n")
        run("pg_ctlcluster", PG_VERSION, "main", "reload")


def _drop():
    """Drop the cluster and its slot on the primary (a slot left behind would keep every WAL segment)."""
    if _cluster_status() is not None:
        run("pg_dropcluster", "--stop", PG_VERSION, CLUSTER, check=False)
    run("psql", "-h", "/var/run/postgresql", "-p", str(PRIMARY_PORT), "-d", "postgres", "-XAtc",
        f"select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '{SLOT}'",
        check=False)


def _build():
    _drop()
    run("pg_createcluster", PG_VERSION, CLUSTER, "-p", str(PORT))
    data = Path(f"/var/lib/postgresql/{PG_VERSION}/{CLUSTER}")
    run("find", str(data), "-mindepth", "1", "-delete")  # keep the directory pg_createcluster made
    # a replication slot (-C -S, named in the standby's settings by -R): the primary keeps the WAL the standby
    # has not received yet. Without it, other databases being made between the backup and the standby's start
    # (template copies are logged whole) recycled the segment it needed, and it never caught up.
    run("runuser", "-u", "postgres", "--", "pg_basebackup", "-h", "/var/run/postgresql", "-p",
        str(PRIMARY_PORT), "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast", "-C", "-S", SLOT)
    # pg_ctl gives up waiting after 60 s while a large standby still syncs: wait for it below
    run("pg_ctlcluster", PG_VERSION, CLUSTER, "start", check=False)


def _in_recovery(timeout=0):
    deadline = time.monotonic() + timeout
    while True:
        if _standby():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(1)


def _standby():
    try:
        return psql(PORT, "postgres", "select pg_is_in_recovery()") == "t"
    except subprocess.CalledProcessError:
        return False


def _caught_up(timeout):
    target = psql(PRIMARY_PORT, "postgres", "select pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psql(PORT, "postgres", f"select pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
                return True
        except subprocess.CalledProcessError:
            pass
        time.sleep(0.5)
    return False


@pytest.fixture(scope="session")
def replica():
    """Port of a streaming replica of the primary, caught up with it."""
    try:
        _allow_local_replication()
        # the last run dropped it; one an interrupted run left is used only if it is still streaming
        ready = _cluster_status() == "online" and _in_recovery(5) and _caught_up(10)
        if not ready:
            _build()
            ready = _in_recovery(300) and _caught_up(120)
    except (subprocess.CalledProcessError, OSError) as exc:
        _drop()
        detail = getattr(exc, "stderr", "") or ""
        pytest.fail(f"could not set up the PostgreSQL replica: {exc} {detail}")
    if not ready:
        log = Path(f"/var/log/postgresql/postgresql-{PG_VERSION}-{CLUSTER}.log")
        tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
        _drop()
        pytest.fail(f"the streaming replica on port {PORT} did not catch up with the primary:\n{tail}")
    yield PORT
    _drop()


__all__ = ["ROOT", "psql", "replica"]
