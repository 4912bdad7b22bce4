"""Two hotline deployments on one machine: the center and the units' own server (issue 12).

    center  Odoo on 127.0.0.1:<HT_CENTER_HTTP_PORT>, database <HT_CENTER_DB> on the main PostgreSQL
            cluster (port PGPORT, 5432), every hotline addon with the demo city;
    unit    Odoo on <HT_UNIT_HTTP_PORT>, database <HT_UNIT_DB> on a cluster of its own
            (<HT_UNITS_CLUSTER>, port <HT_UNITS_PGPORT>), the portal addons WITHOUT demo data: a unit
            server starts empty but for its configuration; units, users and cases reach it through
            the exchange.

The unit server runs in a network namespace (<HT_UNITS_NETNS>) joined to the host by a veth pair:
it answers on <HT_UNITS_NET>.2 and its only way out leads to <HT_UNITS_NET>.1, where nothing of the
center listens (the center's Odoo and PostgreSQL bind 127.0.0.1). Its private mount view covers the
main cluster's socket directory and the center's file store with empty tmpfs mounts, so its database
connections can only go to the units cluster, through a socket directory only that cluster uses.
It runs as an unprivileged user of its own (<HT_UNITS_USER>, no capabilities, no new privileges): it
cannot undo those mounts, read the center's logs or files, nor log in to its cluster as anyone else
(peer authentication; its role owns its database and is no superuser).
The center reaches the unit server at http://<HT_UNITS_NET>.2:<port>, as a center reaches a DMZ.

Environment (defaults in brackets):
  HT_UNITS_CLUSTER [units]          name of the second PostgreSQL cluster (pg_createcluster)
  HT_UNITS_PGPORT [5434]            its port
  HT_UNITS_PG_VERSION [15]          its PostgreSQL major version
  HT_UNITS_SOCKET_DIR [/var/run/ht-units-pg]  the socket directory only the units cluster uses
  HT_CENTER_DB [ht_center]          center database (main cluster, PGPORT or 5432)
  HT_UNIT_DB [ht_unit]              unit database (units cluster)
  HT_CENTER_HTTP_PORT [8621]        center Odoo's HTTP port
  HT_UNIT_HTTP_PORT [8622]          unit Odoo's HTTP port
  HT_UNIT_ADDONS [hotline_portal]   addons of the unit server (+ hotline_exchange when it exists)
  HT_UNIT_DATA_DIR [.odoo/data-units]  the unit server's data dir (file store, sessions)
  HT_UNITS_NETNS [ht_dmz]           network namespace of the unit server; empty: no namespace
                                    (unit server on 127.0.0.1, boundary by configuration only)
  HT_UNITS_NET [10.231.20]          /30 of the veth pair: .1 host side, .2 the unit server
  HT_UNITS_USER [htdmz]             the system user (and PostgreSQL role) the unit server runs as
  HT_KEEP_DBS [unset]               1: leave both databases after the run (templates always stay)

Databases are copied from templates `<db>_tpl` (same cluster) that are rebuilt only when the addons'
sources change (a hash of addons/ kept as the template's comment): a fresh pair costs seconds, the
first build a few minutes.
"""

import binascii
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import requests
from passlib.context import CryptContext

from ..odoo_process import ROOT, OdooProcess

ADDONS_DIR = ROOT / "addons"
EXCHANGE_ADDON = "hotline_exchange"
PG_SOCKET_DIR = "/var/run/postgresql"

PG_VERSION = os.environ.get("HT_UNITS_PG_VERSION", "15")
UNITS_CLUSTER = os.environ.get("HT_UNITS_CLUSTER", "units")
UNITS_PGPORT = int(os.environ.get("HT_UNITS_PGPORT", "5434"))
UNITS_SOCKET_DIR = os.environ.get("HT_UNITS_SOCKET_DIR", "/var/run/ht-units-pg")
CENTER_PGPORT = int(os.environ.get("PGPORT", "5432"))
CENTER_DB = os.environ.get("HT_CENTER_DB", "ht_center")
UNIT_DB = os.environ.get("HT_UNIT_DB", "ht_unit")
CENTER_HTTP_PORT = int(os.environ.get("HT_CENTER_HTTP_PORT", "8621"))
UNIT_HTTP_PORT = int(os.environ.get("HT_UNIT_HTTP_PORT", "8622"))
CENTER_DATA_DIR = Path(os.environ.get("ODOO_DATA_DIR", ROOT / ".odoo" / "data"))
UNIT_DATA_DIR = Path(os.environ.get("HT_UNIT_DATA_DIR", ROOT / ".odoo" / "data-units"))
NETNS = os.environ.get("HT_UNITS_NETNS", "ht_dmz")
NET = os.environ.get("HT_UNITS_NET", "10.231.20")
KEEP_DBS = os.environ.get("HT_KEEP_DBS") == "1"
UNIT_USER = os.environ.get("HT_UNITS_USER", "htdmz")

# Contract with hotline_exchange (issue 12): the mode of each server and where the center finds the unit.
ROLE_PARAM = "hotline_exchange.role"
UNIT_URL_PARAM = "hotline_exchange.unit_url"
UNIT_DB_PARAM = "hotline_exchange.unit_db"
UNIT_KEY_PARAM = "hotline_exchange.unit_api_key"
PEER_GROUP = "hotline_exchange.group_exchange_peer"
EXCHANGE_LOGIN = "exchange"

# odoo/addons/base/models/res_users.py: API_KEY_SIZE, INDEX_SIZE, KEY_CRYPT_CONTEXT and
# res.users.apikeys._generate (a persistent key: no expiration date, scope NULL = any RPC).
API_KEY_SIZE, API_KEY_INDEX_SIZE = 20, 8
API_KEY_CRYPT = CryptContext(["pbkdf2_sha512"], pbkdf2_sha512__rounds=6000)


@contextlib.contextmanager
def machine_lock():
    """The cluster and the namespace are the machine's, shared by every rig: one set-up at a time."""
    with open("/run/lock/hotline-two-servers.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class SetupError(RuntimeError):
    """The two-server rig could not be made (cluster, namespace, database or server)."""


class Json2Error(RuntimeError):
    def __init__(self, status, body):
        super().__init__(f"/json/2 answered {status}: {str(body)[:500]}")
        self.status, self.body = status, body


def has_exchange_addon():
    return (ADDONS_DIR / EXCHANGE_ADDON / "__manifest__.py").is_file()


def all_addons():
    return sorted(p.parent.name for p in ADDONS_DIR.glob("*/__manifest__.py"))


def unit_addons():
    names = [a for a in os.environ.get("HT_UNIT_ADDONS", "hotline_portal").split(",") if a]
    if has_exchange_addon() and EXCHANGE_ADDON not in names:
        names.append(EXCHANGE_ADDON)
    return names


def run(*cmd, check=True, timeout=900, **kw):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    if check and proc.returncode:
        raise SetupError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
                         f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return proc


def sql(port, db, query, params=None):
    """Run one statement (autocommit) on the cluster listening on `port`; rows for a SELECT, else []."""
    conn = psycopg2.connect(host=PG_SOCKET_DIR, port=port, dbname=db)
    try:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else []
    finally:
        conn.close()


# --- the units cluster ----------------------------------------------------------------------------

def _cluster_status():
    for line in run("pg_lsclusters", "--no-header").stdout.splitlines():
        fields = line.split()
        if fields[:2] == [PG_VERSION, UNITS_CLUSTER]:
            return {"port": int(fields[2]), "status": fields[3]}
    return None


def _cluster_files():
    etc = Path(f"/etc/postgresql/{PG_VERSION}/{UNITS_CLUSTER}")
    conf = (f"# written by tests/exchange/servers.py: the unit server's cluster\n"
            f"port = {UNITS_PGPORT}\n"
            f"listen_addresses = 'localhost'\n"
            # the second directory is the only one the unit server's mount namespace can see
            f"unix_socket_directories = '{PG_SOCKET_DIR},{UNITS_SOCKET_DIR}'\n")
    # peer: each system user logs in as its own role only (the unit server's user cannot become a superuser)
    hba = ("# written by tests/exchange/servers.py: local connections only, as one's own system user\n"
           "local   all   all   peer\n")
    return {etc / "conf.d" / "hotline-units.conf": conf, etc / "pg_hba.conf": hba}


def ensure_units_cluster():
    """Make (once), configure and start the units' own PostgreSQL cluster; return its port."""
    status = _cluster_status()
    if status is None:
        run("pg_createcluster", PG_VERSION, UNITS_CLUSTER, "-p", UNITS_PGPORT)
        status = _cluster_status()
    socket_dir = Path(UNITS_SOCKET_DIR)
    socket_dir.mkdir(parents=True, exist_ok=True)  # /run is a tmpfs: gone after a reboot
    shutil.chown(socket_dir, "postgres", "postgres")
    socket_dir.chmod(0o2775)
    changed = False
    for path, text in _cluster_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
            shutil.chown(path, "postgres", "postgres")
            changed = True
    if status["status"] != "online":
        run("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, UNITS_CLUSTER, "start")
    elif changed or status["port"] != UNITS_PGPORT:
        run("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, UNITS_CLUSTER, "restart")
    deadline = time.monotonic() + 60
    while run("pg_isready", "-h", UNITS_SOCKET_DIR, "-p", UNITS_PGPORT, check=False).returncode:
        if time.monotonic() > deadline:
            raise SetupError(f"the units cluster did not accept connections on port {UNITS_PGPORT}")
        time.sleep(0.3)
    me = run("id", "-un").stdout.strip()
    for role, superuser in ((me, True), (UNIT_USER, False)):
        if run("runuser", "-u", "postgres", "--", "psql", "-h", PG_SOCKET_DIR, "-p", UNITS_PGPORT, "-d", "postgres",
               "-XAtc", f"select 1 from pg_roles where rolname = '{role}'").stdout.strip() != "1":
            run("runuser", "-u", "postgres", "--", "createuser", "-h", PG_SOCKET_DIR, "-p", UNITS_PGPORT,
                "-s" if superuser else "-S", role)
    return UNITS_PGPORT


def stop_units_cluster():
    """Stop the units cluster (its data and the unit template stay: the next set-up starts it in a
    second instead of installing the unit server's addons again)."""
    status = _cluster_status()
    if status and status["status"] == "online":
        run("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, UNITS_CLUSTER, "stop", "-m", "fast")


def ensure_unit_user():
    """The system user the unit server runs as: no home, no shell, no group shared with anything."""
    if run("id", "-u", UNIT_USER, check=False).returncode:
        run("useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
            "--shell", "/usr/sbin/nologin", UNIT_USER)


def drop_privileges():
    """Command prefix: run as the unit server's user, no capabilities, no way to gain any."""
    return ["setpriv", f"--reuid={UNIT_USER}", f"--regid={UNIT_USER}", "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--no-new-privs", "--"]


# --- the DMZ network namespace --------------------------------------------------------------------

def _veth_names():
    return f"{NETNS[:10]}-h", f"{NETNS[:10]}-n"


def netns_ready():
    if not NETNS:
        return False
    probe = run("ip", "netns", "exec", NETNS, "ip", "-4", "-br", "addr", check=False)
    return probe.returncode == 0 and f"{NET}.2/30" in probe.stdout and " UP " in probe.stdout


def ensure_netns():
    """The unit server's network namespace and the veth pair joining it to the host (idempotent)."""
    if not NETNS or netns_ready():
        return
    host_if, ns_if = _veth_names()
    run("ip", "netns", "del", NETNS, check=False)
    run("ip", "link", "del", host_if, check=False)
    run("ip", "netns", "add", NETNS)
    run("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if)
    run("ip", "link", "set", ns_if, "netns", NETNS)
    run("ip", "addr", "add", f"{NET}.1/30", "dev", host_if)
    run("ip", "link", "set", host_if, "up")
    for cmd in (("ip", "link", "set", "lo", "up"), ("ip", "addr", "add", f"{NET}.2/30", "dev", ns_if),
                ("ip", "link", "set", ns_if, "up")):
        run("ip", "netns", "exec", NETNS, *cmd)
    if not netns_ready():
        raise SetupError(f"network namespace {NETNS} was made but {NET}.2 is not up")


def remove_netns():
    """Delete the namespace and its veth pair (made again in milliseconds by ensure_netns)."""
    if NETNS:
        run("ip", "netns", "del", NETNS, check=False)
        run("ip", "link", "del", _veth_names()[0], check=False)


def _closed_ancestor(path):
    """The topmost folder above `path` others may not enter (e.g. /root for a pyenv Python), or None."""
    parts = Path(path).parents
    return next((str(p) for p in reversed(parts) if str(p) != "/" and not os.stat(p).st_mode & 0o001), None)


def unit_prefix():
    """Command prefix running a program as the unit server runs: in the DMZ namespace, with the main
    cluster's sockets and the center's file store hidden behind empty tmpfs mounts, as its own
    unprivileged user (which cannot unmount them). When the Python interpreter lives in a folder others
    cannot enter (/root), that folder is an empty tmpfs too, holding only the interpreter (read-only)."""
    if not NETNS:
        return drop_privileges()
    data = os.path.realpath(CENTER_DATA_DIR)
    steps = [f"mount -t tmpfs -o size=1m,mode=0755 none {path}" for path in (os.path.realpath(PG_SOCKET_DIR), data)]
    prefix = os.path.realpath(sys.base_prefix)
    closed = _closed_ancestor(prefix)
    if closed:
        stage = f"{data}/.interpreter"  # on the tmpfs just mounted: the interpreter waits there a moment
        steps += [f"mkdir {stage}", f"mount --bind {prefix} {stage}", f"mount -o remount,bind,ro {stage}",
                  f"mount -t tmpfs -o size=1m,mode=0755 none {closed}", f"mkdir -p {prefix}",
                  f"mount --move {stage} {prefix}", f"rmdir {stage}"]
    return ["ip", "netns", "exec", NETNS, "unshare", "--mount", "--propagation", "private",
            "sh", "-c", f'{" && ".join(steps)} && exec "$@"', "sh", *drop_privileges()]


# --- databases --------------------------------------------------------------------------------------

def _sources_hash(addons, demo, lang):
    digest = hashlib.sha256(json.dumps([addons, demo, lang]).encode())
    for path in sorted(ADDONS_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(ADDONS_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _db_comment(port, db):
    rows = sql(port, "postgres", "select shobj_description(oid, 'pg_database') from pg_database where datname = %s",
               (db,))
    return rows[0][0] if rows else None


def _drop_db(port, db, data_dir):
    run("dropdb", "-h", PG_SOCKET_DIR, "-p", port, "--if-exists", "--force", db)
    shutil.rmtree(Path(data_dir) / "filestore" / db, ignore_errors=True)


class Side:
    """One deployment: its database, cluster, data dir and Odoo server, and helpers to drive it."""

    def __init__(self, name, db, pg_port, db_host, http_port, interface, data_dir, addons, demo, workdir,
                 prefix=(), lang=None, inherit_env=True, owner=None):
        self.name, self.db, self.pg_port, self.data_dir = name, db, pg_port, Path(data_dir)
        self.addons, self.demo, self.lang = addons, demo, lang
        self.template = f"{db}_tpl"
        self.admin_key = None
        self.owner = owner  # the system user (and role) the server runs as, when not the caller
        env = {"ODOO_DATA_DIR": str(self.data_dir)}
        if owner:
            env["HOME"] = str(self.data_dir)
        self.server = OdooProcess(db, http_port, Path(workdir) / f"{name}.log", interface=interface,
                                  db_host=db_host, db_port=pg_port, prefix=prefix, env=env, inherit_env=inherit_env)

    # server
    @property
    def url(self):
        return self.server.url

    @property
    def pid(self):
        return self.server.pid

    def start(self):
        return self.server.start()

    def stop(self):
        self.server.stop()

    def kill(self):
        self.server.kill()

    def restart(self):
        return self.server.restart()

    # database
    def sql(self, query, params=None):
        return sql(self.pg_port, self.db, query, params)

    def build_template(self):
        """Install the addons on `<db>_tpl` unless a template of the same sources exists."""
        wanted = _sources_hash(self.addons, self.demo, self.lang)
        if _db_comment(self.pg_port, self.template) == wanted:
            return None
        _drop_db(self.pg_port, self.template, self.data_dir)
        cmd = [ROOT / "scripts" / "odoo", "-d", self.template, "-i", ",".join(self.addons), "--stop-after-init",
               "--db_host", PG_SOCKET_DIR, "--db_port", self.pg_port, "--http-port", self.server.port,
               "--max-cron-threads=0", "--log-level=warn", f"--db-filter=^{self.template}$"]
        if self.demo:
            cmd.append("--with-demo")
        if self.lang:
            cmd.append(f"--load-language={self.lang}")
        return subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "ODOO_DATA_DIR": str(self.data_dir)}), wanted

    def finish_template(self, job):
        if job is None:
            return
        proc, wanted = job
        out, _ = proc.communicate(timeout=1800)
        if proc.returncode:
            raise SetupError(f"installing {self.addons} on {self.template} failed:\n{out[-4000:]}")
        sql(self.pg_port, "postgres", f'comment on database "{self.template}" is %s', (wanted,))

    def fresh_database(self):
        """Drop the database and copy it from the template with its file store; new uuid and secret."""
        _drop_db(self.pg_port, self.db, self.data_dir)
        run("createdb", "-h", PG_SOCKET_DIR, "-p", self.pg_port, "-T", self.template, self.db)
        source = self.data_dir / "filestore" / self.template
        if source.is_dir():
            shutil.copytree(source, self.data_dir / "filestore" / self.db)
        self.sql("update ir_config_parameter set value = gen_random_uuid()::text"
                 " where key in ('database.uuid', 'database.secret')")
        self.sql_set_param("web.base.url", self.url)
        if self.owner:
            self.hand_over()

    def hand_over(self):
        """The database and the data dir become the server's user's: it runs with no other right."""
        sql(self.pg_port, "postgres", f'alter database "{self.db}" owner to "{self.owner}"')
        # the objects the template's install made (as the caller's role) in this database; REASSIGN also
        # passes the caller's other databases of this cluster (the templates) to the role: no right more
        self.sql(f'reassign owned by current_user to "{self.owner}"')
        for path in (self.data_dir, self.data_dir / "filestore", self.data_dir / "sessions",
                     self.data_dir / "filestore" / self.db):
            path.mkdir(parents=True, exist_ok=True)
        run("chown", "-R", f"{self.owner}:{self.owner}", self.data_dir / "filestore" / self.db,
            self.data_dir / "sessions")
        for path in (self.data_dir, self.data_dir / "filestore"):
            shutil.chown(path, self.owner, self.owner)

    def drop(self):
        _drop_db(self.pg_port, self.db, self.data_dir)

    def module_installed(self, name):
        return bool(self.sql("select 1 from ir_module_module where name = %s and state = 'installed'", (name,)))

    def user_id(self, login):
        rows = self.sql("select id from res_users where login = %s", (login,))
        if not rows:
            raise LookupError(f"no user {login!r} on the {self.name} database")
        return rows[0][0]

    def xmlid(self, xmlid):
        """Database id of `module.name`, or None."""
        module, name = xmlid.split(".", 1)
        rows = self.sql("select res_id from ir_model_data where module = %s and name = %s", (module, name))
        return rows[0][0] if rows else None

    def create_api_key(self, login, name="hotline tests"):
        """A persistent API key (any RPC) for `login`, as res.users.apikeys._generate stores it; returns
        the key. Written in SQL so it works whether or not the server runs (Odoo checks keys in SQL)."""
        key = binascii.hexlify(os.urandom(API_KEY_SIZE)).decode()
        self.sql("insert into res_users_apikeys (name, user_id, scope, expiration_date, key, index)"
                 " values (%s, %s, null, null, %s, %s)",
                 (name, self.user_id(login), API_KEY_CRYPT.hash(key), key[:API_KEY_INDEX_SIZE]))
        return key

    def sql_set_param(self, key, value):
        """Set a system parameter in SQL: only while the server is stopped (Odoo caches parameters)."""
        self.sql("insert into ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)"
                 " values (%s, %s, 1, 1, now() at time zone 'utc', now() at time zone 'utc')"
                 " on conflict (key) do update set value = excluded.value,"
                 " write_date = excluded.write_date", (key, value))

    def params(self, prefix=""):
        return dict(self.sql("select key, value from ir_config_parameter where key like %s order by key",
                             (prefix + "%",)))

    def set_param(self, key, value):
        """Set a system parameter through the running server (its cache follows)."""
        return self.json2("ir.config_parameter", "set_param", key=key, value=value)

    # API
    def json2(self, model, method, api_key=None, ids=None, context=None, timeout=60, **kwargs):
        """POST /json/2/<model>/<method> with a bearer API key (the admin's by default); the result,
        or Json2Error with the status and the error body."""
        body = dict(kwargs)
        if ids is not None:
            body["ids"] = list(ids)
        if context is not None:
            body["context"] = context
        reply = requests.post(f"{self.url}/json/2/{model}/{method}", json=body, timeout=timeout,
                              headers={"Authorization": f"bearer {api_key or self.admin_key}",
                                       "X-Odoo-Database": self.db})
        try:
            payload = reply.json()
        except ValueError:
            payload = reply.text
        if reply.status_code != 200:
            raise Json2Error(reply.status_code, payload)
        return payload


class ExchangeLoop(OdooProcess):
    """The center's exchange loop as production runs it (`scripts/odoo hotline_exchange -d <center_db>`),
    started, stopped and killed -9 like a service. Needs hotline_exchange. It serves no HTTP: start()
    does not wait for an answer."""

    def __init__(self, center, log, *extra, interval=0.25):
        super().__init__(center.db, 0, log, f"--interval={interval}", *extra, db_host=PG_SOCKET_DIR,  # port: none
                         db_port=center.pg_port, env={"ODOO_DATA_DIR": str(center.data_dir)})
        self.center = center

    def command(self):
        return [str(ROOT / "scripts" / "odoo"), "hotline_exchange", "-d", self.db, "--db_host", str(self.db_host),
                "--db_port", str(self.db_port), "--log-level=warn", *self.extra]

    def start(self):
        return self if self.running else self.spawn()

    def stop(self, timeout=60):
        super().stop(timeout)


class TwoServers:
    """The center and the unit server, built, configured and started by setup()."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.netns = NETNS or None
        unit_interface = f"{NET}.2" if self.netns else "127.0.0.1"
        self.center = Side("center", CENTER_DB, CENTER_PGPORT, None, CENTER_HTTP_PORT, "127.0.0.1",
                           CENTER_DATA_DIR, all_addons(), True, workdir)
        # The unit server's database connection goes through the socket directory only the units
        # cluster uses: inside its namespace the main cluster's directory is an empty tmpfs.
        self.unit = Side("unit", UNIT_DB, UNITS_PGPORT, UNITS_SOCKET_DIR, UNIT_HTTP_PORT, unit_interface,
                         UNIT_DATA_DIR, unit_addons(), False, workdir, prefix=unit_prefix(), lang="zh_CN",
                         inherit_env=False, owner=UNIT_USER)  # as on its own host: nothing of the caller's
        self.exchange_installed = False
        self.exchange_key = None
        # every setting the fixture wrote, per side (the smoke test checks the unit's holds nothing of the center)
        self.written = {"center": {}, "unit": {}}

    @property
    def sides(self):
        return (self.center, self.unit)

    def setup(self):
        started = time.monotonic()
        with machine_lock():
            ensure_unit_user()
            ensure_units_cluster()
            ensure_netns()
        self.unit.data_dir.mkdir(parents=True, exist_ok=True)
        jobs = [(side, side.build_template()) for side in self.sides]  # both installs run at once
        for side, job in jobs:
            side.finish_template(job)
        for side in self.sides:
            side.fresh_database()
        self.exchange_installed = self.center.module_installed(EXCHANGE_ADDON)
        self._configure_before_start()
        for side in self.sides:
            side.start()
        self._configure_exchange_user()
        self.setup_seconds = time.monotonic() - started
        return self

    def _write(self, side, key, value):
        side.sql_set_param(key, value)
        self.written[side.name][key] = value

    def _configure_before_start(self):
        for side in self.sides:
            side.admin_key = side.create_api_key("admin", "hotline tests: fixture administrator")
        self._write(self.center, ROLE_PARAM, "center")
        self._write(self.center, UNIT_URL_PARAM, self.unit.url)
        self._write(self.center, UNIT_DB_PARAM, self.unit.db)
        self._write(self.unit, ROLE_PARAM, "unit")

    def _configure_exchange_user(self):
        """The unit server's account the center's exchange logs in with, and its key on the center."""
        peer = self.unit.xmlid(PEER_GROUP)
        groups = [peer] if peer else [self.unit.xmlid("base.group_user")]
        self.unit.json2("res.users", "create", vals_list=[{
            "name": "Center exchange", "login": EXCHANGE_LOGIN, "group_ids": [(6, 0, groups)]}])
        self.exchange_key = self.unit.create_api_key(EXCHANGE_LOGIN, "center exchange")
        self.center.set_param(UNIT_KEY_PARAM, self.exchange_key)
        self.written["center"][UNIT_KEY_PARAM] = self.exchange_key

    def ensure_running(self):
        for side in self.sides:
            side.start()

    def teardown(self, drop=None):
        """Stop both servers; drop both databases unless HT_KEEP_DBS=1 (or drop=False); then leave the
        machine as found: the units cluster stopped (templates kept) and the namespace removed."""
        for side in self.sides:
            side.stop()
        if drop if drop is not None else not KEEP_DBS:
            for side in self.sides:
                side.drop()
        with machine_lock():
            stop_units_cluster()
            remove_netns()

    def exchange_loop(self, log=None, *extra, interval=0.25):
        """The center's exchange loop (not started), logging next to the servers."""
        return ExchangeLoop(self.center, log or self.workdir / "exchange.log", *extra, interval=interval)

    def in_unit_namespace(self, *cmd, timeout=60, as_root=False):
        """Run a command where the unit server runs: its network and mount namespaces (nsenter on its pid),
        as its user, as one who took it over would (as_root: as the rig's root, to look from inside)."""
        pid = self.unit.pid
        if pid is None:
            raise RuntimeError("the unit server is not running")
        user = [] if as_root else drop_privileges()
        return subprocess.run(["nsenter", "-t", str(pid), "-n", "-m", *user, *map(str, cmd)],
                              capture_output=True, text=True, timeout=timeout)
