"""One Odoo server as a child process: start, wait until it answers, stop, kill -9, start again.

Shared by the suites' `serve_odoo` (tests/conftest.py), the two-server fixture (tests/exchange) and
bench/bench_exchange.py. Importable without pytest.
"""

import importlib.util
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    """A TCP port free on 127.0.0.1 now (the OS's choice), for a server a test is about to start."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fake_ami_class():
    """hotline_telephony's fake AMI server (tests/fakeami.py), loaded by path: it needs no Odoo."""
    path = ROOT / "addons" / "hotline_telephony" / "tests" / "fakeami.py"
    spec = importlib.util.spec_from_file_location("hotline_fakeami", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FakeAmi


class OdooProcess:
    """`scripts/odoo` serving one database on one HTTP port.

    db_host/db_port choose the PostgreSQL cluster (a socket directory or a host name, and its port);
    `prefix` runs the server under another command (e.g. `ip netns exec NS ...`); `env` adds
    environment variables (e.g. ODOO_DATA_DIR for a server with its own file store); with
    inherit_env=False the server gets only those and a minimal base (PATH, HOME, LANG, the test
    run's mark), not the caller's environment.
    """

    def __init__(self, db, port, log, *extra, interface="127.0.0.1", db_host=None, db_port=None,
                 prefix=(), env=None, inherit_env=True, start_timeout=120):
        self.db, self.port, self.log = db, int(port), Path(log)
        self.interface = interface
        self.url = f"http://{interface}:{self.port}"
        self.db_host, self.db_port = db_host, db_port
        self.extra, self.prefix, self.env = list(extra), list(prefix), dict(env or {})
        self.inherit_env = inherit_env
        self.start_timeout = start_timeout
        self.proc = None

    def command(self):
        cmd = [*self.prefix, str(ROOT / "scripts" / "odoo"), "-d", self.db, f"--db-filter=^{self.db}$",
               "--http-interface", self.interface, "--http-port", str(self.port),
               "--workers=0", "--max-cron-threads=0", "--log-level=warn"]
        if self.db_host:
            cmd += ["--db_host", str(self.db_host)]
        if self.db_port:
            cmd += ["--db_port", str(self.db_port)]
        return cmd + self.extra

    @property
    def pid(self):
        return self.proc.pid if self.running else None

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def spawn(self):
        """Start the command, its output appended to the log, without waiting for anything."""
        base = os.environ if self.inherit_env else {
            k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "HOTLINE_TEST_RUN")
            if k in os.environ}  # HOTLINE_TEST_RUN: the run's mark, see tests/leftovers.py
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(self.command(), stdout=out, stderr=subprocess.STDOUT,
                                         env={**base, **self.env})
        return self

    @property
    def gevent_port(self):
        """The websocket process's port of a prefork server (--gevent-port=N among the options), or None."""
        ports = [int(arg.split("=", 1)[1]) for arg in self.extra if arg.startswith("--gevent-port=")]
        return ports[-1] if ports else None

    def ready(self):
        """/web/login answers 200 and, in prefork, the websocket process accepts connections (it starts
        listening after the HTTP workers answer)."""
        try:
            if requests.get(f"{self.url}/web/login", timeout=5).status_code != 200:
                return False
        except requests.RequestException:
            return False
        if self.gevent_port:
            try:
                socket.create_connection((self.interface, self.gevent_port), timeout=2).close()
            except OSError:
                return False
        return True

    def start(self):
        """Start the server and wait until it is ready; raise with the log's tail if it does not get there."""
        if self.running:
            return self
        self.spawn()
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.ready():
                return self
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Odoo did not start on {self.url} ({self.db}):\n{self.log.read_text()[-3000:]}")
            time.sleep(0.3)

    def stop(self, timeout=30):
        """Graceful stop (SIGTERM), then SIGKILL if it hangs."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        self.proc = None

    def kill(self):
        """kill -9: no shutdown code runs, open transactions are cut as in a crash."""
        if self.running:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
