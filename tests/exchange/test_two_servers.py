"""The two-server rig itself (issue 12): two PostgreSQL clusters, two Odoo servers, the unit server's
database on its own cluster and holding none of the center's callers or calls, and the boundary:
nothing of the center is configured on the unit server nor reachable from where it runs."""

import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

import requests

from .servers import NET, PG_SOCKET_DIR, PG_VERSION, UNIT_USER, UNITS_CLUSTER, UNITS_PGPORT, has_exchange_addon, sql


def _cluster_identity(port):
    return sql(port, "postgres", "select system_identifier, current_setting('data_directory'),"
                                 " current_setting('port') from pg_control_system()")[0]


def test_two_clusters_and_two_servers_answer(two_servers):
    center, unit = two_servers.center, two_servers.unit
    main_id, units_id = _cluster_identity(center.pg_port), _cluster_identity(unit.pg_port)
    assert main_id[0] != units_id[0], "the units 'cluster' is the main cluster under another port"
    assert units_id[2] == str(UNITS_PGPORT) and UNITS_CLUSTER in units_id[1]
    assert center.pg_port != unit.pg_port
    for side in (center, unit):
        page = requests.get(f"{side.url}/web/login", timeout=30)
        assert page.status_code == 200 and 'name="login"' in page.text, f"{side.name}: no login form"
        # the API key the fixture wrote is accepted: the JSON-2 helper works against each server
        assert side.json2("res.users", "search_read", domain=[["login", "=", "admin"]], fields=["login"])[0][
            "login"] == "admin"
    if has_exchange_addon():
        assert center.module_installed("hotline_exchange") and unit.module_installed("hotline_exchange")


def test_each_database_lives_on_its_own_cluster(two_servers):
    center, unit = two_servers.center, two_servers.unit

    def databases(port):
        return {row[0] for row in sql(port, "postgres", "select datname from pg_database")}

    assert unit.db in databases(unit.pg_port) and unit.db not in databases(center.pg_port)
    assert center.db in databases(center.pg_port) and center.db not in databases(unit.pg_port)
    # The servers' own connections (Odoo names them odoo-<pid>) show where each one really goes.
    requests.get(f"{unit.url}/web/login", timeout=30)
    requests.get(f"{center.url}/web/login", timeout=30)

    def connected(port, pid):
        return {row[0] for row in sql(port, "postgres", "select datname from pg_stat_activity"
                                                        " where application_name = %s", (f"odoo-{pid}",))}

    assert unit.db in connected(unit.pg_port, unit.pid)
    assert connected(center.pg_port, unit.pid) == set(), "the unit server holds a connection to the main cluster"
    assert center.db in connected(center.pg_port, center.pid)
    assert connected(unit.pg_port, center.pid) == set()


def test_unit_database_starts_without_callers_cases_or_calls(two_servers):
    center, unit = two_servers.center, two_servers.unit
    callers = center.sql("select distinct p.id, p.name, coalesce(p.phone, ''), coalesce(p.hotline_phone_norm, '')"
                         " from hotline_case c join res_partner p on p.id = c.partner_id")
    calls = center.sql("select count(*) from hotline_call")[0][0]
    assert len(callers) >= 10 and calls > 0, "the center's demo city is missing: nothing to compare against"

    assert unit.sql("select count(*) from hotline_case")[0][0] == 0
    if unit.sql("select to_regclass('hotline_call')")[0][0]:
        assert unit.sql("select count(*) from hotline_call")[0][0] == 0
    names = [name for _id, name, _phone, _norm in callers]
    phones = [p for _id, _name, phone, norm in callers for p in (phone, norm) if p]
    found = unit.sql("select name, phone from res_partner where name = any(%s) or phone = any(%s)"
                     " or hotline_phone_norm = any(%s)", (names, phones, phones))
    assert found == [], f"center callers on the unit server: {found}"
    # nor anywhere in its messages (chatter bodies are where a stray copy would land)
    leaked = unit.sql("select count(*) from mail_message where body::text ~ %s",
                      ("|".join(phones),))[0][0]
    assert leaked == 0


def test_unit_server_configuration_knows_nothing_of_the_center(two_servers):
    center, unit = two_servers.center, two_servers.unit
    # What the fixture wrote: the center knows where the unit server is and how to log in; the unit
    # server is only told its role.
    assert two_servers.written["unit"] == {"hotline_exchange.role": "unit"}
    assert two_servers.written["center"]["hotline_exchange.unit_url"] == unit.url
    assert center.params("hotline_exchange.") == two_servers.written["center"]
    # ... and what the unit database holds: no parameter names or points at the center.
    secrets = [center.url, f":{center.server.port}", center.db, center.admin_key]
    for key, value in unit.params().items():
        assert not any(s in (value or "") for s in secrets), f"unit parameter {key} refers to the center: {value}"
        assert not key.startswith("hotline_exchange.center"), key
    assert unit.params("hotline_exchange.role") == {"hotline_exchange.role": "unit"}
    # The key the center holds works on the unit server, for the exchange account only.
    me = unit.json2("res.users", "search_read", api_key=two_servers.exchange_key,
                    domain=[["login", "=", "exchange"]], fields=["login"])
    assert [u["login"] for u in me] == ["exchange"]
    # The unit server process: started with no option or variable naming the center's database or ports.
    with open(f"/proc/{unit.pid}/cmdline", "rb") as fh:
        cmdline = fh.read().decode().split("\0")
    with open(f"/proc/{unit.pid}/environ", "rb") as fh:
        environ = fh.read().decode().split("\0")
    assert f"--db_port={unit.pg_port}" in " ".join(cmdline).replace("--db_port ", "--db_port=")
    for item in cmdline + environ:
        assert center.db not in item and str(center.server.port) not in item, item
        assert not item.startswith("PGPORT=") and not item.startswith("PGHOST="), item


# What one who took over the unit server tries from where it runs: the center's ports on every address of
# the host, the center's files and logs and PostgreSQL's (directly and through /proc), undoing the mounts that
# hide them, and the cluster as another role or through its superuser's file functions.
BREAK_OUT = """
import json, os, pwd, subprocess, sys
spec = json.loads(sys.argv[1])
out = {"uid": os.getuid(), "connect": {}, "read": {}, "list": {}, "umount": {}, "sql": {}}
import socket
for host, port in spec["targets"]:
    try:
        socket.create_connection((host, port), timeout=3).close()
        out["connect"][f"{host}:{port}"] = "open"
    except OSError as exc:
        out["connect"][f"{host}:{port}"] = type(exc).__name__
for path in spec["read"]:
    try:
        with open(path, "rb") as fh:
            fh.read(1)
        out["read"][path] = "read"
    except OSError as exc:
        out["read"][path] = type(exc).__name__
for path in spec["list"]:
    try:
        out["list"][path] = len(os.listdir(path)) if os.path.isdir(path) else 0
    except OSError as exc:
        out["list"][path] = type(exc).__name__
for path in spec["hidden"]:
    plain = subprocess.run(["umount", path], capture_output=True).returncode
    userns = subprocess.run(["unshare", "-Urm", "umount", path], capture_output=True).returncode
    out["umount"][path] = [plain, userns, len(os.listdir(path)) if os.path.isdir(path) else 0]
import psycopg2
db = spec["db"]
for role in (pwd.getpwuid(os.getuid()).pw_name, "root", "postgres"):
    try:
        cnx = psycopg2.connect(host=db["host"], port=db["port"], dbname=db["name"], user=role)
    except psycopg2.Error as exc:
        out["sql"][role] = "refused"
        continue
    cnx.autocommit = True
    results = {}
    for name, query in (("users", "select count(*) from res_users"),
                        ("read_file", "select pg_read_file(%s, 0, 1)"),
                        ("program", "copy (select 1) to program 'id'")):
        try:
            with cnx.cursor() as cr:
                cr.execute(query, [spec["pg_log"]] if "%s" in query else None)
                results[name] = "ok"
        except psycopg2.Error as exc:
            results[name] = type(exc).__name__
    out["sql"][role] = results
    cnx.close()
print(json.dumps(out))
"""


def _host_addresses():
    lines = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True, check=True).stdout
    return sorted({line.split()[3].split("/")[0] for line in lines.splitlines()})


def test_center_is_unreachable_from_where_the_unit_server_runs(two_servers):
    center, unit = two_servers.center, two_servers.unit
    assert two_servers.netns, "HT_UNITS_NETNS is empty: the unit server shares the center's network"
    with open(f"/proc/{unit.pid}/status") as fh:
        uid = next(int(line.split()[1]) for line in fh if line.startswith("Uid:"))
    assert uid == pwd.getpwnam(UNIT_USER).pw_uid != 0, "the unit server does not run as its own user"
    filestore = os.path.realpath(center.data_dir / "filestore" / center.db)
    pg_logs = sorted(str(p) for p in Path("/var/log/postgresql").glob("*.log"))
    assert pg_logs, "no PostgreSQL log to try"
    spec = {
        "targets": [(host, port) for host in ["127.0.0.1", f"{NET}.1", *_host_addresses()]
                    for port in (center.server.port, center.pg_port)] + [(unit.server.interface, unit.server.port)],
        "read": [*pg_logs, f"/var/lib/postgresql/{PG_VERSION}/main/PG_VERSION", str(center.server.log),
                 f"/proc/{center.pid}/environ", f"/proc/1/root{filestore}", f"/proc/{center.pid}/root{filestore}"],
        "list": [filestore, os.path.realpath(PG_SOCKET_DIR), str(unit.data_dir / "filestore" / unit.db)],
        "hidden": [filestore, os.path.realpath(PG_SOCKET_DIR)],
        "db": {"host": unit.server.db_host, "port": unit.pg_port, "name": unit.db}, "pg_log": pg_logs[0],
    }
    # as root in the same place (the rig as it was): the logs are there to read, the probe can see them
    as_root = two_servers.in_unit_namespace(sys.executable, "-c", BREAK_OUT, json.dumps(
        {**spec, "targets": [], "list": [], "hidden": []}), as_root=True)
    assert as_root.returncode == 0, as_root.stderr
    assert json.loads(as_root.stdout)["read"][pg_logs[0]] == "read", "the probe cannot tell a readable file"

    probe = two_servers.in_unit_namespace(sys.executable, "-c", BREAK_OUT, json.dumps(spec))
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert seen["uid"] == uid
    # what the unit server uses answers: its own port, its cluster's socket, its files, its database
    assert seen["connect"].pop(f"{unit.server.interface}:{unit.server.port}") == "open"
    assert seen["list"].pop(str(unit.data_dir / "filestore" / unit.db)) != "PermissionError"
    own = seen["sql"].pop(UNIT_USER)
    assert own["users"] == "ok"
    # nothing of the center's
    assert [target for target, state in seen["connect"].items() if state == "open"] == []
    assert [path for path, state in seen["read"].items() if state == "read"] == [], seen["read"]
    assert all(count == 0 for count in seen["list"].values()), f"hidden folders show content: {seen['list']}"
    for path, (plain, userns, count) in seen["umount"].items():
        assert plain != 0 and userns != 0 and count == 0, f"{path} could be uncovered: {seen['umount'][path]}"
    # the cluster: no other role, and its own is no superuser
    assert seen["sql"] == {"root": "refused", "postgres": "refused"}
    assert own["read_file"] == "InsufficientPrivilege" and own["program"] == "InsufficientPrivilege", own
    # The other direction is open: the center's host reaches the unit server, as the exchange needs.
    assert requests.get(f"{unit.url}/web/login", timeout=30).status_code == 200


def test_kill_and_restart_each_server(two_servers):
    """The fault tests' tools: kill -9 a server, see it gone, start it again on the same data."""
    for side in (two_servers.center, two_servers.unit):
        old_pid = side.pid
        side.kill()
        try:
            requests.get(f"{side.url}/web/login", timeout=5)
            raise AssertionError(f"{side.name} still answers after kill -9")
        except requests.ConnectionError:
            pass
        side.start()
        assert side.pid != old_pid
        assert side.json2("res.users", "search_count", domain=[["login", "=", "admin"]]) == 1
