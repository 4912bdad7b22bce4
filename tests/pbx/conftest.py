"""PBX rig fixtures: a real Asterisk (chroot), SIPp phones, a fresh Odoo database
with hotline_telephony, and the AMI bridge process.

If the rig cannot start, the suite FAILS (pytest.fail), it never skips.
"""

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
RIG = ROOT / "scripts" / "pbx-rig.sh"
CACHE = Path(os.environ.get("PBX_CACHE", "/var/cache/hotline-pbx"))
CHROOT = CACHE / "chroot"
QUEUE_LOG = CHROOT / "var/log/asterisk/queue_log"
# HOTLINE_REC_DIR of the dialplan, as this host reads it
RECORDINGS = CHROOT / "var/spool/asterisk/monitor/hotline"
DB = os.environ.get("HT_E2E_DB", "ht_e2e")
# The telephony addon and those that read what the bridge records (reports, wallboard, system health,
# call recordings).
E2E_ADDONS = ("hotline_telephony", "hotline_reports", "hotline_monitor", "hotline_health", "hotline_recording")
ODOO_SRC = Path(os.environ.get("ODOO_SRC", ROOT / ".odoo/root/usr/lib/python3/dist-packages"))
ADDONS_PATH = f"{ROOT / 'addons'},{ODOO_SRC / 'odoo' / 'addons'}"
HTTP_PORT = os.environ.get("HT_E2E_HTTP_PORT", "8469")

AGENTS = {  # login: (interface, SIPp port, scenario, extra args)
    "ht_agent1": ("PJSIP/agent1", 5071, "agent_answer.xml", ["-d", "1000"]),
    "ht_agent2": ("PJSIP/agent2", 5072, "agent_answer.xml", ["-d", "1000"]),
    "ht_agent3": ("PJSIP/agent3", 5073, "agent_originate.xml", ["-d", "3000"]),
    "ht_agent4": ("PJSIP/agent4", 5074, "agent_noanswer.xml", []),
    # answer at once, then transfer the caller to agent2 (8002): blind by SIP REFER after 2 s,
    # attended (AMI Atxfer, sent by the test) completed by the phone's *2 after 8 s (room for the
    # test to find the channel and agent2 to answer on a loaded machine)
    "ht_agent5": ("PJSIP/agent5", 5075, "agent_blind_transfer.xml", ["-d", "2000"]),
    "ht_agent6": ("PJSIP/agent6", 5076, "agent_attended_transfer.xml", ["-d", "8000"]),
}
CITIZEN_PORT = 5079  # the "trunk" endpoint's static contact


def rig(*args, check=True, timeout=300):
    return subprocess.run([str(RIG), *args], capture_output=True, text=True, check=check, timeout=timeout)


@pytest.fixture(scope="session")
def rig_lock():
    """One e2e run at a time on this machine: the rig (ports, queue_log) and DB are shared."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "e2e.lock", "w") as fh:
        deadline = time.monotonic() + 900
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail("another PBX e2e run held the rig for 15 minutes")
                time.sleep(1)
        yield
        fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def pbx(rig_lock):
    """A freshly started Asterisk with an empty queue_log and no persistent members."""
    try:
        rig("build", timeout=900)
        rig("stop")
        for stale in (QUEUE_LOG, CHROOT / "var/lib/asterisk/astdb.sqlite3"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        shutil.rmtree(RECORDINGS, ignore_errors=True)
        rig("start", timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        out = getattr(exc, "stderr", "") or ""
        pytest.fail(f"the PBX rig could not start: {exc}\n{out[-3000:]}")
    if not shutil.which("sipp"):
        pytest.fail("sipp (Debian package sip-tester) is missing")
    yield
    rig("stop", check=False)


def _odoo_cmd(*args):
    return [sys.executable, "-m", "odoo", f"--addons-path={ADDONS_PATH}", *args]


def _odoo_env():
    env = dict(os.environ, PYTHONPATH=str(ODOO_SRC))
    return env


@pytest.fixture(scope="session")
def registry(pbx):
    """A fresh database with E2E_ADDONS, agents ht_agent1..4 bound to PJSIP/agent1..4."""
    subprocess.run(["dropdb", "--if-exists", "--force", DB], check=True)
    subprocess.run(
        [str(ROOT / "scripts" / "odoo"), "-d", DB, "-i", ",".join(E2E_ADDONS), "--stop-after-init",
         "--http-port", HTTP_PORT, "--log-level=warn"], check=True, timeout=600)
    sys.path.insert(0, str(ODOO_SRC))
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", str(ROOT / "config" / "odoo.conf"), f"--addons-path={ADDONS_PATH}",
                         f"--data-dir={ROOT / '.odoo' / 'data'}", "-d", DB, "--log-level=warn"],
                        setup_logging=False)
    reg = Registry(DB)
    with reg.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        pbx_rec = env.ref("hotline_telephony.pbx_default")
        pbx_rec.queue_log_path = str(QUEUE_LOG)
        pbx_rec.recording_local_folder = str(RECORDINGS)
        group = env.ref("hotline_case.group_agent")
        for login, (interface, *_rest) in AGENTS.items():
            env["res.users"].with_context(no_reset_password=True).create({
                "name": login.replace("ht_agent", "受理员"), "login": login, "password": login + "-pw",
                "group_ids": [(6, 0, [group.id])], "hotline_interface": interface,
            })
    return reg


class Odoo:
    """Short transactions against the e2e database."""

    def __init__(self, registry):
        self.registry = registry

    @contextlib.contextmanager
    def env(self, login=None):
        import odoo  # noqa: PLC0415

        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            if login:
                user = env["res.users"].search([("login", "=", login)])
                env = env(user=user.id)
            yield env

    def as_agent(self, login, method, *args):
        with self.env(login) as env:
            return getattr(env.user, method)(*args)


@pytest.fixture(scope="session")
def odoo_db(registry):
    return Odoo(registry)


class BridgeProcess:
    def __init__(self, log_dir, name="bridge", extra=()):
        self.log_dir = log_dir
        self.name = name
        self.extra = list(extra)  # the command's own options (--no-standby)
        self.proc = None
        self.runs = 0

    def start(self):
        self.runs += 1
        self.log = self.log_dir / f"{self.name}-{self.runs}.log"
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                _odoo_cmd("hotline_ami", "-c", str(ROOT / "config" / "odoo.conf"), "-d", DB,
                          f"--data-dir={ROOT / '.odoo' / 'data'}", "--log-level=info",
                          "--log-handler=odoo.addons.hotline_telephony.ami.bridge:DEBUG", *self.extra),
                stdout=out, stderr=subprocess.STDOUT, env=_odoo_env(), cwd=ROOT)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def text(self):
        return self.log.read_text(errors="replace")

    def restart(self):
        """Stop and start again: the start's queue_log catch-up reads what AMI already gave."""
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def bridge(registry, tmp_path_factory):
    proc = BridgeProcess(tmp_path_factory.mktemp("bridge"))
    yield proc
    proc.stop()


class Phones:
    """SIPp processes (agent phones, the citizen behind the trunk, callers), stopped by pid."""

    def __init__(self, log_dir):
        from .rtp import write_pcap  # noqa: PLC0415

        self.log_dir = log_dir
        self.procs = []
        self.n = 0
        # what the speaking phones send (scenarios caller_talk, caller_rating, citizen_answer)
        write_pcap(log_dir / "voice.pcap", 60)
        write_pcap(log_dir / "atxfer_complete.pcap", 0, "*2")  # agent6 completes its attended transfer

    def _spawn(self, args, name):
        self.n += 1
        out = open(self.log_dir / f"{self.n:02d}-{name}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(["sipp", *args, "-nostdin", "-trace_err", "-error_file",
                                 str(self.log_dir / f"{self.n:02d}-{name}.err")],
                                stdout=out, stderr=subprocess.STDOUT, cwd=self.log_dir)
        proc._out = out
        self.procs.append(proc)
        return proc

    def agent(self, login):
        interface, port, scenario, extra = AGENTS[login]
        return self._spawn(["-sf", str(SCENARIOS / scenario), "-i", "127.0.0.1", "-p", str(port), *extra],
                           login)

    def citizen(self):
        return self._spawn(["-sf", str(SCENARIOS / "citizen_answer.xml"), "-i", "127.0.0.1", "-p",
                            str(CITIZEN_PORT), "-d", "500"], "citizen")

    def call(self, number, duration_ms, port, scenario="caller.xml"):
        return self._spawn(["-sf", str(SCENARIOS / scenario), "-s", "12319", "-key", "caller", number,
                            "-d", str(duration_ms), "-m", "1", "-i", "127.0.0.1", "-p", str(port),
                            "127.0.0.1:5060"], f"call-{number}")

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
            proc._out.close()
        self.procs = []


@pytest.fixture(scope="session")
def phones(pbx, tmp_path_factory):
    p = Phones(tmp_path_factory.mktemp("sipp"))
    yield p
    p.stop_all()


@pytest.fixture(scope="module")
def rig_traffic_ready(pbx, odoo_db, bridge, phones):
    """The agents' phones up and the bridge connected, whether or not an earlier module did it."""
    if not phones.procs:
        for login in AGENTS:
            phones.agent(login)
        phones.citizen()
    if bridge.proc is None or bridge.proc.poll() is not None:
        started = time.time()
        bridge.start()
        wait_for(lambda: bridge_connected(odoo_db, started), timeout=60, message="the bridge to connect")
    return odoo_db


def bridge_connected(odoo_db, since):
    """The bridge said it is connected at or after `since` (epoch)."""
    with odoo_db.env() as env:
        pbx_rec = env.ref("hotline_telephony.pbx_default")
        return pbx_rec.bridge_status == "connected" and bool(pbx_rec.bridge_heartbeat) and \
            pbx_rec.bridge_heartbeat.replace(tzinfo=UTC).timestamp() >= since - 1


def wait_for(predicate, timeout=30.0, interval=0.25, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
