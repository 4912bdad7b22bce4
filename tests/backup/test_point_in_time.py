"""A backup restored to a chosen minute (scripts/backup.sh, scripts/restore.sh; docs/backup.md).

A PostgreSQL cluster of its own, configured with config/postgresql/hotline-center.conf (WAL archived by
`backup.sh wal`), holds a copy of the demo database; `backup.sh base` takes the base backup. An Odoo
server on that cluster then takes cases from an agent over JSON-RPC for a while, each with a photo
attached and self-dispatched (log lines), across a minute boundary T in the center's time zone. After
`backup.sh filestore`, `restore.sh --target T` prepares a second cluster, which replays the archive and
opens: every case committed before T is there with its number, its file (bytes on disk) and its log,
none committed after T is. Both clusters are dropped at the end (tests/leftovers.py checks).

Clusters: HT_BACKUP_CLUSTER / HT_BACKUP_PORT (backup, 5435), HT_RESTORE_CLUSTER / HT_RESTORE_PORT
(backup_restore, 5436); Odoo on HT_BACKUP_HTTP_PORT (default: a free port).
"""

import base64
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from ..odoo_process import OdooProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
PG_VERSION = os.environ.get("HT_REPLICA_PG_VERSION", "15")
SOURCE = os.environ.get("HT_BACKUP_CLUSTER", "backup")
SOURCE_PORT = int(os.environ.get("HT_BACKUP_PORT", "5435"))
RESTORED = os.environ.get("HT_RESTORE_CLUSTER", "backup_restore")
RESTORED_PORT = int(os.environ.get("HT_RESTORE_PORT", "5436"))
DB = "hotline_pitr"
SOCKET = "/var/run/postgresql"
CENTER_TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, the center's zone


def run(*cmd, check=True, env=None, timeout=600):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    if check and proc.returncode:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def psql(port, sql, db=DB):
    return run("psql", "-h", SOCKET, "-p", port, "-d", db, "-XAtc", sql).stdout.strip()


def _drop(name):
    if any(line.split()[:2] == [PG_VERSION, name]
           for line in run("pg_lsclusters", "--no-header").stdout.splitlines()):
        if run("pg_dropcluster", "--stop", PG_VERSION, name, check=False).returncode:
            # a restore stopped half-way may leave files of another owner, which pg_dropcluster refuses
            run("chown", "-R", "postgres:postgres", f"/var/lib/postgresql/{PG_VERSION}/{name}", check=False)
            run("pg_dropcluster", "--stop", PG_VERSION, name)


def _create(name, port, settings=None):
    _drop(name)
    run("pg_createcluster", PG_VERSION, name, "-p", port)
    if settings:
        Path(f"/etc/postgresql/{PG_VERSION}/{name}/conf.d/hotline.conf").write_text(settings)


def _start(name, port):
    run("pg_ctlcluster", PG_VERSION, name, "start")
    run("runuser", "-u", "postgres", "--", "psql", "-p", port, "-XAtc",
        f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{os.environ.get('USER', 'root')}') "
        f"THEN CREATE ROLE {os.environ.get('USER', 'root')} SUPERUSER LOGIN; END IF; END$$")


@pytest.fixture(scope="module")
def area():
    """A scratch directory the postgres account can write (the WAL archive) and root owns."""
    path = Path(tempfile.mkdtemp(prefix="hotline-backup-", dir="/var/tmp"))
    path.chmod(0o755)
    (path / "backups" / "wal").mkdir(parents=True)
    shutil.chown(path / "backups" / "wal", "postgres", "postgres")
    yield path
    _drop(RESTORED)
    _drop(SOURCE)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def source(area, demo_db):
    """The source cluster, archiving, with a copy of the demo database and its file store; its base backup taken."""
    backups = area / "backups"
    settings = (ROOT / "config" / "postgresql" / "hotline-center.conf").read_text()
    settings = settings.replace("/usr/local/bin/hotline-backup", str(ROOT / "scripts" / "backup.sh"))
    settings = settings.replace("/var/backups/hotline", str(backups))
    assert str(backups / "wal") in settings
    _create(SOURCE, SOURCE_PORT, settings)
    _start(SOURCE, SOURCE_PORT)
    assert psql(SOURCE_PORT, "show archive_mode", db="postgres") == "on"
    dump = area / "demo.dump"
    run("pg_dump", "-Fc", "-d", demo_db, "-f", dump)
    run("createdb", "-h", SOCKET, "-p", SOURCE_PORT, DB)
    run("pg_restore", "-h", SOCKET, "-p", SOURCE_PORT, "-d", DB, "--no-owner", dump)
    data_dir = area / "odoo-data"
    store = Path(os.environ.get("ODOO_DATA_DIR", ROOT / ".odoo" / "data")) / "filestore" / demo_db
    shutil.copytree(store, data_dir / "filestore" / DB)
    env = {"PGHOST": SOCKET, "PGPORT": str(SOURCE_PORT), "HOTLINE_DB": DB, "BACKUP_DIR": str(backups),
           "FILESTORE": str(data_dir / "filestore" / DB)}
    run(ROOT / "scripts" / "backup.sh", "base", env=env)
    return {"env": env, "data_dir": data_dir, "backups": backups}


def _rpc(session, url, route, params):
    reply = session.post(f"{url}{route}", timeout=120, json={"jsonrpc": "2.0", "method": "call", "params": params})
    body = reply.json()
    assert "error" not in body, body["error"]
    return body["result"]


def _call(session, url, model, method, *args):
    return _rpc(session, url, f"/web/dataset/call_kw/{model}/{method}",
                {"model": model, "method": method, "args": list(args), "kwargs": {}})


def _next_minute(after):
    return (after + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)


def _write_cases(url, template, target, until):
    """Cases with a photo and a self-dispatch, one after the other, none in flight across `target`.
    Returns [(case id, started, finished)]: finished = every RPC of the case has returned (committed)."""
    session = requests.Session()
    _rpc(session, url, "/web/session/authenticate", {"db": DB, "login": "agent", "password": "agent"})
    written, n = [], 0
    while (now := dt.datetime.now(dt.UTC)) < until:
        if target - dt.timedelta(seconds=6) < now < target + dt.timedelta(seconds=1):
            time.sleep((target - now).total_seconds() + 1.5)  # the restore's minute falls between two cases
            continue
        n += 1
        started = dt.datetime.now(dt.UTC)
        case = _call(session, url, "hotline.case", "create", [dict(
            template, caller_phone=f"1391234{n:04d}", caller_name=f"回档测试来电{n}",
            address=f"回档测试路{n}号", description=f"回档测试：第{n}件，路灯不亮。")])[0]
        _call(session, url, "ir.attachment", "create", [{
            "name": f"现场照片{n}.jpg", "res_model": "hotline.case", "res_id": case,
            "datas": base64.b64encode(os.urandom(20_000) + f"{n}".encode()).decode()}])
        _call(session, url, "hotline.case", "action_self_dispatch", [case])
        written.append((case, started, dt.datetime.now(dt.UTC)))
    return written


def _rows(port, sql):
    return [line.split("|") for line in psql(port, sql).splitlines() if line]


def _facts(port, case_ids):
    """Per case: its number, its attachments' (file name in the store, checksum), its log lines."""
    ids = ",".join(map(str, case_ids)) or "0"
    facts = {cid: {"name": None, "files": [], "log": []} for cid in case_ids}
    for cid, name in _rows(port, f"select id, name from hotline_case where id in ({ids})"):
        facts[int(cid)]["name"] = name
    for cid, fname, checksum in _rows(port, "select res_id, store_fname, checksum from ir_attachment "
                                            f"where res_model = 'hotline.case' and res_id in ({ids}) order by id"):
        facts[int(cid)]["files"].append((fname, checksum))
    for cid, action, to_state in _rows(port, "select case_id, action, to_state from hotline_case_log "
                                             f"where case_id in ({ids}) order by id"):
        facts[int(cid)]["log"].append((action, to_state))
    return facts


def _wait_archived(port):
    """Close the current WAL segment and wait until the archive holds it."""
    segment = psql(port, "select pg_walfile_name(pg_switch_wal())", db="postgres")
    deadline = time.monotonic() + 120
    while psql(port, "select coalesce(last_archived_wal, '') from pg_stat_archiver", db="postgres") < segment:
        assert time.monotonic() < deadline, f"segment {segment} was not archived"
        time.sleep(0.5)
    return segment


def test_restore_to_a_chosen_minute(source, area):
    backups, env = source["backups"], source["env"]
    base = psql(SOURCE_PORT, "select value from ir_config_parameter where key = 'hotline_health.backup_base'")
    assert '"name"' in base and '"bytes"' in base, "the base backup is recorded for the health page"
    template = dict(zip(("type_id", "category_id", "district_id", "street_id", "unit_id"), map(int, psql(
        SOURCE_PORT, "select type_id, category_id, district_id, street_id, unit_id from hotline_case where "
        "type_id is not null and category_id is not null and street_id is not null and unit_id is not null "
        "order by id limit 1").split("|")), strict=True))
    port = int(os.environ.get("HT_BACKUP_HTTP_PORT") or free_port())
    server = OdooProcess(DB, port, area / "odoo.log", db_host=SOCKET, db_port=SOURCE_PORT,
                         env={"ODOO_DATA_DIR": str(source["data_dir"])}, start_timeout=180)
    with server:
        target = _next_minute(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20))
        written = _write_cases(server.url, template, target, target + dt.timedelta(seconds=20))
    before = [c for c, _s, finished in written if finished < target]
    after = [c for c, started, _f in written if started > target]
    assert len(before) >= 3 and len(after) >= 3, f"cases on both sides of the minute: {len(before)}, {len(after)}"
    assert len(before) + len(after) == len(written), "a case was in flight at the chosen minute"
    run(ROOT / "scripts" / "backup.sh", "filestore", env=env)
    _wait_archived(SOURCE_PORT)
    expected = _facts(SOURCE_PORT, before)
    assert all(f["files"] and len(f["log"]) >= 1 for f in expected.values()), expected

    # the restore, at the minute written in the center's zone, as an operator would type it
    minute = target.astimezone(CENTER_TZ).strftime("%Y-%m-%d %H:%M:%S+08")
    _create(RESTORED, RESTORED_PORT)
    pgdata = Path(f"/var/lib/postgresql/{PG_VERSION}/{RESTORED}")
    run("find", pgdata, "-mindepth", "1", "-delete")
    restored_store = area / "restored-data" / "filestore" / DB
    run(ROOT / "scripts" / "restore.sh", "--target", minute, "--pgdata", pgdata, "--filestore-to", restored_store,
        "--backup-dir", backups, "--db", DB)
    run("pg_ctlcluster", PG_VERSION, RESTORED, "start", timeout=300)
    deadline = time.monotonic() + 180
    while psql(RESTORED_PORT, "select pg_is_in_recovery()", db="postgres") != "f":
        assert time.monotonic() < deadline, "the restored cluster did not finish its recovery"
        time.sleep(0.5)

    restored = _facts(RESTORED_PORT, before + after)
    for case in before:
        assert restored[case] == expected[case], f"case {case} differs after the restore"
        for fname, checksum in restored[case]["files"]:
            assert hashlib.sha1((restored_store / fname).read_bytes()).hexdigest() == checksum
    assert not [c for c in after if restored[c]["name"]], "a case committed after the minute came back"
    assert psql(RESTORED_PORT, "select count(*) from ir_attachment where res_model = 'hotline.case' and "
                f"res_id in ({','.join(map(str, after))})") == "0"
    newest = psql(RESTORED_PORT, "select max(create_date) from hotline_case")
    assert dt.datetime.fromisoformat(newest).replace(tzinfo=dt.UTC) < target
    # the restored copy writes (a new timeline) and does not archive into the original's archive
    assert psql(RESTORED_PORT, "show archive_mode", db="postgres") == "off"
    psql(RESTORED_PORT, "update hotline_case set description = description where id = "
                        f"{before[0]}")


def test_restore_refuses_a_minute_before_any_backup(source, area):
    empty = area / "refused"
    empty.mkdir()
    refused = run(ROOT / "scripts" / "restore.sh", "--target", "2020-01-01 08:00:00+08", "--pgdata", empty,
                  "--backup-dir", source["backups"], check=False)
    assert refused.returncode == 1 and "no base backup" in refused.stderr
    assert not any(empty.iterdir()), "nothing is written when the restore cannot be made"
    (empty / "PG_VERSION").write_text("15\n")
    busy = run(ROOT / "scripts" / "restore.sh", "--target", "latest", "--pgdata", empty,
               "--backup-dir", source["backups"], check=False)
    assert busy.returncode == 1 and "not empty" in busy.stderr


def test_archive_command_never_overwrites_a_segment(area):
    wal = area / "walcheck"
    wal.mkdir()
    first, other = wal / "seg", wal / "other"
    first.write_bytes(b"A" * 100)
    other.write_bytes(b"B" * 100)
    script = ROOT / "scripts" / "backup.sh"
    run(script, "wal", first, wal / "archived")
    assert (wal / "archived").read_bytes() == b"A" * 100
    # the same segment again (a retry after a crash): success; another one under its name: an error
    assert run(script, "wal", first, wal / "archived", check=False).returncode == 0
    assert run(script, "wal", other, wal / "archived", check=False).returncode != 0
    assert (wal / "archived").read_bytes() == b"A" * 100


def test_prune_keeps_recent_backups_and_the_wal_they_need(tmp_path):
    backups = tmp_path / "backups"
    old, recent = backups / "base" / "20200101T000000Z", backups / "base" / dt.datetime.now(dt.UTC).strftime(
        "%Y%m%dT%H%M%SZ")
    for base, segment in ((old, "000000010000000000000002"), (recent, "000000010000000000000005")):
        base.mkdir(parents=True)
        (base / "backup_label").write_text(f"START WAL LOCATION: 0/{segment[-1]}000028 (file {segment})\n")
    (backups / "wal").mkdir()
    for n in range(2, 8):
        (backups / "wal" / f"00000001000000000000000{n}").write_bytes(b"wal")
    env = {"BACKUP_DIR": str(backups), "BACKUP_KEEP_DAYS": "14"}
    run(ROOT / "scripts" / "backup.sh", "prune", env=env)
    assert sorted(p.name for p in (backups / "base").iterdir()) == [recent.name]
    assert sorted(p.name[-1] for p in (backups / "wal").iterdir()) == ["5", "6", "7"]
    # the newest backup stays however old it is, with its WAL
    shutil.rmtree(recent)
    old.mkdir()
    (old / "backup_label").write_text("START WAL LOCATION: 0/6000028 (file 000000010000000000000006)\n")
    run(ROOT / "scripts" / "backup.sh", "prune", env=env)
    assert [p.name for p in (backups / "base").iterdir()] == [old.name]
    assert sorted(p.name[-1] for p in (backups / "wal").iterdir()) == ["6", "7"]
