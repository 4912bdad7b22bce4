"""What a test run left running: its processes, their listening sockets, the suite's clusters and slots.

A run is marked by an environment variable every process it starts inherits (Odoo servers, the
bridge, Asterisk, SIPp, nginx, Chromium, ...): after the run, a process still carrying the run's
mark is a leftover, wherever it was reparented. The suite's PostgreSQL clusters do not carry it
(pg_ctlcluster starts them), so they are looked up by name and port.

Used by scripts/run_tests.py after its stages; importable without pytest.
"""

import os
import subprocess
import uuid

import psutil

MARK = "HOTLINE_TEST_RUN"
# The clusters the suite makes (tests/replica, tests/exchange, tests/backup) and their ports.
CLUSTERS = {
    os.environ.get("HT_REPLICA_CLUSTER", "replica"): int(os.environ.get("HT_REPLICA_PORT", "5433")),
    os.environ.get("HT_UNITS_CLUSTER", "units"): int(os.environ.get("HT_UNITS_PGPORT", "5434")),
    # tests/backup: the archiving source and the cluster restored to a point in time
    os.environ.get("HT_BACKUP_CLUSTER", "backup"): int(os.environ.get("HT_BACKUP_PORT", "5435")),
    os.environ.get("HT_RESTORE_CLUSTER", "backup_restore"): int(os.environ.get("HT_RESTORE_PORT", "5436")),
}
NETNS = os.environ.get("HT_UNITS_NETNS", "ht_dmz")
# The machine's services set-up starts when they are down (tests/test_setup.py runs it): they stay up. The
# suite's own PostgreSQL clusters are checked by name above, whatever started them.
SERVICES = {"postgres", "mariadbd", "mysqld", "mysqld_safe"}


def mark_run():
    """Mark this process's children as the run's (kept if a parent run already marked them)."""
    return os.environ.setdefault(MARK, uuid.uuid4().hex)


def _marked(mark):
    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    for proc in psutil.process_iter(["pid", "name", "cmdline"]):
        if proc.pid in mine or proc.info["name"] in SERVICES:
            continue
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(MARK) == mark:
                yield proc
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
            continue


def _listening(proc):
    try:
        conns = proc.connections(kind="inet")
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []
    return sorted({c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN or not c.raddr})


def leftovers(mark=None):
    """Descriptions of what is still running of the run marked `mark` (default: this process's)."""
    mark = mark or os.environ.get(MARK)
    found = []
    if mark:
        for proc in _marked(mark):
            cmd = " ".join(proc.info["cmdline"] or [])[:160]
            ports = _listening(proc)
            found.append(f"process {proc.pid} {cmd}" + (f" (listening on {ports})" if ports else ""))
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False).stdout
    online = set()
    for line in out.splitlines():
        version, name, port, status, *_rest = line.split()
        if name in CLUSTERS and status.startswith("online"):
            online.add(name)
            found.append(f"PostgreSQL cluster {version}/{name} online on port {port}")
    listening = {c.laddr.port for c in psutil.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}
    found += [f"port {port} (the {name} cluster's) listening" for name, port in CLUSTERS.items()
              if port in listening and name not in online]
    slots = subprocess.run(["psql", "-d", "postgres", "-XAtc", "select slot_name from pg_replication_slots where "
                            "slot_name like 'hotline_tests_%'"], capture_output=True, text=True, check=False).stdout
    found += [f"replication slot {slot} on the primary (it keeps every WAL segment)" for slot in slots.split()]
    if NETNS and os.path.exists(f"/run/netns/{NETNS}"):
        found.append(f"network namespace {NETNS}")
    return found
