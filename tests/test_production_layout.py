"""The center's production layout, run for real: Odoo in prefork mode with config/odoo-center-production.conf
(two HTTP workers, the gevent websocket process) behind a real nginx with config/nginx/hotline-internal.conf.

Through the proxy: the login form, an RPC of the web client, the websocket upgrade with a board's push
crossing from an HTTP worker to the websocket process, static files cached by nginx, and an attachment
sent by nginx from the file store on Odoo's X-Accel-Redirect. The files' own coherence (the connection
budget against PostgreSQL's max_connections, the upstream ports) is checked without running anything.

Ports: HT_LAYOUT_PORT (nginx), +1 (Odoo HTTP), +2 (websocket process); default: free ports.
"""

import base64
import configparser
import hashlib
import json
import os
import re
import time
from pathlib import Path

import psutil
import pytest
import requests
import websocket
import yaml

from .conftest import login
from .internal_proxy import NGINX_CONF, serve_internal_proxy
from .odoo_process import OdooProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
ODOO_CONF = ROOT / "config" / "odoo-center-production.conf"
PG_CONF = ROOT / "config" / "postgresql" / "hotline-center.conf"


def _options(path):
    conf = configparser.ConfigParser(inline_comment_prefixes=(";",))
    conf.read(path)
    return conf["options"]


def _pg_settings(path):
    return dict(re.findall(r"^\s*(\w+)\s*=\s*'?([^'#\n]*?)'?\s*(?:#.*)?$", path.read_text(), re.M))


def _ports():
    base = os.environ.get("HT_LAYOUT_PORT")
    if base:
        return int(base), int(base) + 1, int(base) + 2
    return free_port(), free_port(), free_port()


# --- the files -------------------------------------------------------------------------------------

def test_connection_budget_fits_postgresql():
    """Every process's pool at its limit, on the primary and on the replica, stays under max_connections."""
    odoo = _options(ODOO_CONF)
    pg = _pg_settings(PG_CONF)
    workers, crons = odoo.getint("workers"), odoo.getint("max_cron_threads")
    per_process, gevent = odoo.getint("db_maxconn"), odoo.getint("db_maxconn_gevent")
    daemons = 2  # the AMI bridge and the exchange daemon, each a process with its own pool
    budget = (workers + crons) * per_process + gevent + daemons * per_process + 10
    usable = int(pg["max_connections"]) - int(pg.get("superuser_reserved_connections", 3))
    assert budget < usable, f"{budget} connections possible, PostgreSQL takes {usable}"
    # the sum the configuration's comment states is the one computed here
    assert f"= {budget} < {pg['max_connections']} - 3" in ODOO_CONF.read_text()
    # 2 x cores + 1 workers on the 4-core host the file is written for; a worker uses 1-3 connections
    assert workers == 2 * 4 + 1 and per_process >= 3
    assert odoo.getboolean("proxy_mode") and odoo.getboolean("x_sendfile") and not odoo.getboolean("list_db")
    # a request is cut by Odoo before the proxy gives up on it, so the user reads Odoo's error
    read_timeout = int(re.search(r"^\s*proxy_read_timeout (\d+)s;", NGINX_CONF.read_text(), re.M)[1])
    assert odoo.getint("limit_time_real") < read_timeout
    # a streaming replica and WAL archiving for point-in-time restores
    assert pg["wal_level"] == "replica" and pg["archive_mode"] == "on" and int(pg["max_wal_senders"]) >= 3


def test_proxy_upstreams_match_the_center_odoo():
    odoo = _options(ODOO_CONF)
    nginx = NGINX_CONF.read_text()
    upstreams = dict(re.findall(r"upstream (\S+) \{\s*server 127\.0\.0\.1:(\d+);", nginx))
    assert upstreams == {"hotline_center": odoo["http_port"], "hotline_center_bus": odoo["gevent_port"]}
    websocket_block = re.search(r"location /websocket \{(.*?)\}", nginx, re.S)[1]
    assert "proxy_pass http://hotline_center_bus;" in websocket_block
    assert "proxy_set_header Upgrade $http_upgrade;" in websocket_block
    filestore = re.search(r"location /web/filestore/ \{(.*?)\}", nginx, re.S)[1]
    assert "internal;" in filestore and re.search(r"alias \S+/filestore/;", filestore)


def test_compose_runs_the_production_layout():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    odoo = services["odoo"]
    assert "./config/odoo-center-production.conf:/etc/odoo/odoo.conf:ro" in odoo["volumes"]
    proxy = services["nginx-internal"]
    assert proxy["network_mode"] == "service:odoo"
    assert "./config/nginx/hotline-internal.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    # nginx reads the file store Odoo writes (X-Accel-Redirect), at the path of the alias
    alias = re.search(r"alias (\S+)/filestore/;", NGINX_CONF.read_text())[1]
    assert f"odoo-data:{alias}:ro" in proxy["volumes"] and "odoo-data:/var/lib/odoo" in odoo["volumes"]
    # PostgreSQL runs with the settings of the plain file
    command = " ".join(services["db"]["command"])
    pg = _pg_settings(PG_CONF)
    for key in ("max_connections", "wal_level", "archive_mode", "archive_timeout", "max_wal_senders"):
        assert f"{key}={pg[key]}" in command, key


# --- the layout, running --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def layout(demo_db, tmp_path_factory):
    """(proxy URL, Odoo's own URL, the Odoo main process) of the production layout on the demo database."""
    tmp = tmp_path_factory.mktemp("layout")
    port, http_port, gevent_port = _ports()
    data_dir = Path(os.environ.get("ODOO_DATA_DIR", ROOT / ".odoo" / "data"))
    # no cron worker: the suite's other tests expect the demo database as its jobs left it
    odoo = OdooProcess(demo_db, http_port, tmp / "odoo.log", "--workers=2", "--max-cron-threads=0",
                       f"--gevent-port={gevent_port}", "--log-level=info",
                       env={"ODOO_CONF": str(ODOO_CONF)}, start_timeout=180)
    with odoo, serve_internal_proxy(tmp, port, http_port, gevent_port, data_dir / "filestore") as url:
        yield url, odoo.url, psutil.Process(odoo.pid)


def _call(session, url, model, method, *args, **kwargs):
    reply = session.post(f"{url}/web/dataset/call_kw/{model}/{method}", timeout=60, json={
        "jsonrpc": "2.0", "method": "call", "id": 1,
        "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs}})
    assert reply.status_code == 200, reply.text[:500]
    body = reply.json()
    assert "error" not in body, body.get("error")
    return body["result"]


def test_prefork_processes(layout):
    """Odoo really runs the production layout: two HTTP worker processes and the websocket process."""
    _url, _direct, main = layout
    deadline = time.monotonic() + 60
    while True:
        children = [" ".join(p.cmdline()) for p in main.children(recursive=True)]
        if len(children) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(1)
    gevent = [c for c in children if " gevent " in f" {c} "]
    assert len(gevent) == 1, children
    assert len(children) - len(gevent) == 2, f"two HTTP workers expected: {children}"


def test_login_and_rpc_through_the_proxy(layout):
    url, _direct, _main = layout
    session = login(url, "agent", "agent")
    cases = _call(session, url, "hotline.case", "search_read", [], ["name", "state"], limit=5)
    assert cases and all(c["name"] for c in cases)
    # proxy_mode: Odoo builds its redirects on the address the user typed (the proxy's), not its own port
    reply = session.get(f"{url}/web/session/logout", allow_redirects=False, timeout=30)
    assert reply.status_code in (302, 303) and reply.headers["Location"].startswith(("/", url)), reply.headers
    # a wrong password is refused through the proxy too
    page = requests.get(f"{url}/web/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    refused = requests.post(f"{url}/web/login", timeout=30, allow_redirects=False, cookies=page.cookies,
                            data={"login": "agent", "password": "wrong", "csrf_token": token})
    assert refused.status_code == 200 and "session_id" not in refused.cookies.get_dict().get("session_id", "")


def test_static_files_cached_by_the_proxy(layout):
    url, _direct, _main = layout
    path = "/web/static/img/favicon.ico"
    first = requests.get(url + path, timeout=30)
    second = requests.get(url + path, timeout=30)
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert second.headers["X-Cache-Status"] == "HIT", second.headers


def test_websocket_upgrade_and_push_through_the_proxy(layout, demo_db):
    """A wall screen's websocket opens through the proxy (101 from the gevent process) and receives the push
    an HTTP worker sends when a case is edited: the bus crosses processes."""
    url, _direct, _main = layout
    admin = login(url, "admin", "admin")
    board = _call(admin, url, "hotline.wallboard", "create", {"name": "生产布局测试大屏"})
    token = _call(admin, url, "hotline.wallboard", "read", [board], ["access_token"])[0]["access_token"]
    case = _call(admin, url, "hotline.case", "search_read", [["category_id", "!=", False]], ["category_id"],
                 limit=1)[0]
    # the websocket process loads the database's registry on its first connection: slow on a loaded machine
    ws = websocket.create_connection(f"{url.replace('http', 'ws', 1)}/websocket", timeout=120,
                                     header=[f"Origin: {url}"])
    ws.settimeout(5)
    try:
        assert ws.getstatus() == 101
        ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [token], "last": 0}}))
        time.sleep(0.5)
        _call(admin, url, "hotline.case", "write", [case["id"]], {"category_id": case["category_id"][0]})
        updates, deadline = [], time.monotonic() + 30
        while not updates and time.monotonic() < deadline:
            try:
                frame = ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            updates = [n for n in json.loads(frame) if n["message"]["type"] == "hotline_monitor/update"]
        assert updates, "the board's push did not reach the websocket through the proxy"
    finally:
        ws.close()
        _call(admin, url, "hotline.wallboard", "unlink", [board])


def test_attachment_sent_by_nginx_from_the_file_store(layout, demo_db):
    url, direct, _main = layout
    admin = login(url, "admin", "admin")
    body = os.urandom(300_000)
    attachment = _call(admin, url, "ir.attachment", "create", {
        "name": "现场照片.bin", "datas": base64.b64encode(body).decode(), "res_model": "res.partner", "res_id": 1})
    try:
        through = admin.get(f"{url}/web/content/{attachment}?download=true", timeout=30)
        assert through.status_code == 200
        assert hashlib.sha256(through.content).hexdigest() == hashlib.sha256(body).hexdigest()
        assert "attachment" in through.headers.get("Content-Disposition", "")
        # Odoo itself answered with an empty body and the file store path: nginx sent the bytes
        own = requests.get(f"{direct}/web/content/{attachment}?download=true", timeout=30,
                           cookies={"session_id": admin.cookies["session_id"]})
        redirect = own.headers.get("X-Accel-Redirect", "")
        assert redirect.startswith(f"/web/filestore/{demo_db}/") and own.content == b"", own.headers
        # the file store location is internal: a client cannot name it
        assert requests.get(url + redirect, timeout=30).status_code == 404
        # and the record rules still decide: a unit's portal user gets nothing
        portal = login(url, "portal_water", "portal_water")
        denied = portal.get(f"{url}/web/content/{attachment}?download=true", timeout=30)
        assert denied.status_code in (403, 404) and denied.content != body
    finally:
        _call(admin, url, "ir.attachment", "unlink", [attachment])


@pytest.mark.parametrize("db_service, backup_service, odoo_conf", [
    ("db", "backup", "odoo-center-production.conf"), ("unit-db", "unit-backup", "odoo-unit.conf")])
def test_compose_backs_up_each_server(db_service, backup_service, odoo_conf):
    """The center and the unit server each archive their WAL and run scripts/backup.sh on their own side,
    into the volume their archive_command writes, copying the file store of the database they serve."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    db, backup = services[db_service], services[backup_service]
    archive = next(c.split("=", 1)[1] for c in db["command"] if c.startswith("archive_command="))
    script, _sub, _src, dest = archive.split()
    mount = f"./scripts/backup.sh:{script}:ro"
    assert mount in db["volumes"] and mount in backup["volumes"]
    env = backup["environment"]
    assert dest == f"{env['BACKUP_DIR']}/wal/%f"
    at_backup_dir = [{v.split(":")[0] for v in service["volumes"] if v.split(":")[1] == env["BACKUP_DIR"]}
                     for service in (db, backup)]
    assert at_backup_dir[0] and at_backup_dir[0] == at_backup_dir[1], "archive and backups in different volumes"
    assert env["PGHOST"] == db_service and set(backup["networks"]) == set(db["networks"])
    assert env["HOTLINE_DB"] == _options(ROOT / "config" / odoo_conf)["db_name"]
    data = next(v.split(":")[1] for v in backup["volumes"] if v.startswith(("odoo-data:", "unit-odoo-data:")))
    assert env["FILESTORE"] == f"{data}/filestore/{env['HOTLINE_DB']}"
    assert backup["entrypoint"] == [script, "daemon"]
