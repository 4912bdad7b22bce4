"""The AMI bridge: one long-running process per PBX (``odoo hotline_ami``).

* holds a PostgreSQL advisory lock for its PBX: one bridge writes at a time. A
  second bridge (on another node) waits as a standby, polling the lock, and takes
  over when the holder's session ends (stopped, or killed: PostgreSQL drops the
  session lock with the connection); with ``standby=False`` it refuses to start;
* writes only while it holds that lock: every ingestion transaction checks it
  (a bridge whose lock connection was cut stops and goes back to standby);
* connects to AMI, and on every (re)connect backfills what was missed from
  queue_log, then resynchronises member states with QueueStatus;
* turns events into facts and writes them in short transactions (batches);
* once those are committed, hands what they applied to the PBX's settling hook in a
  transaction of its own, at most once per ``settle_interval`` (what is too costly to
  compute per batch: the boards' figures of the day);
* reconnects with exponential backoff when Asterisk restarts or the link drops;
* logs and skips malformed traffic.
"""

import collections
import logging
import os
import queue
import socket
import threading
import time

from odoo import api
from odoo.modules.registry import Registry

from .adapter import DISCONNECTED, AmiClient, AmiDisconnected, AmiError
from .facts import QueueLogReader, from_event, from_queue_log_line
from .ingest import Ingestor

_logger = logging.getLogger(__name__)
_ami_logger = logging.getLogger(__name__.rpartition(".")[0])  # adapter, ingestion and bridge

# First key of the two-int advisory lock: "HT" + "AM" (hotline AMI).
LOCK_NAMESPACE = 0x48544D
SUPERUSER_ID = 1


class RecentLog(logging.Handler):
    """The bridge's last log lines, sent with its heartbeat (for the diagnostic bundle)."""

    def __init__(self, size=50):
        super().__init__(logging.INFO)
        self.lines = collections.deque(maxlen=size)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


class BridgeLocked(Exception):
    """Another bridge holds this PBX."""


class LeadershipLost(BridgeLocked):
    """This bridge no longer holds its PBX's lock: another one may be writing (the command exits with
    status 3 when it does not stand by)."""


class Bridge:
    def __init__(self, dbname, pbx_id=None, queue_log_path=None, batch_size=500, batch_wait=0.02,
                 ping_interval=10.0, backfill_interval=30.0, max_backoff=30.0, on_pop=None, settle_interval=1.0):
        self.dbname = dbname
        self.registry = Registry(dbname)
        self.pbx_id = pbx_id
        self.queue_log_path = queue_log_path
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self.ping_interval = ping_interval
        self.backfill_interval = backfill_interval
        self.max_backoff = max_backoff
        self.on_pop = on_pop
        self.settle_interval = settle_interval
        self._unsettled = []  # facts committed since the last settling
        self._settle_at = 0.0  # monotonic time of the next settling allowed
        self.stop_event = threading.Event()
        self.events = queue.Queue()
        self.connected = threading.Event()
        self._lock_cr = None
        self._lock_backend = None  # PostgreSQL pid of the session holding the lock
        self.standby_poll = 1.0  # seconds between a standby's attempts at the lock
        self.stats = {"events": 0, "facts": 0, "skipped": 0, "connects": 0, "backfilled": 0}
        self.pop_latencies = []  # seconds from AgentConnect reaching the bridge to the commit
        self._users_cache = {"at": 0.0, "map": {}}
        self._deferred = []  # (monotonic time, originate_result fact) waiting for their call
        # What the bridge reports of itself with each heartbeat (system health).
        self.connected_since = None
        self.last_event_at = None
        self.caught_up = 0  # facts backfilled when the link last came up
        self.last_backfill = None  # (epoch, bytes of queue_log not yet read)
        self._recent = collections.deque()  # (monotonic, events) of the last minute
        self.recent_log = RecentLog()

    # -- database helpers -----------------------------------------------------------
    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _pbx(self, env):
        Pbx = env["hotline.pbx"]
        pbx = Pbx.browse(self.pbx_id).exists() if self.pbx_id else Pbx.search([], limit=1)
        if not pbx:
            raise AmiError(f"no PBX configured in database {self.dbname}")
        return pbx

    def acquire_lock(self, wait=False):
        """Session-level advisory lock held by a dedicated connection for the bridge's life.

        With `wait`, a standby: try again every `standby_poll` seconds until the lock is free or the
        bridge is stopped (returns False then). Polling rather than a blocking pg_advisory_lock, so a
        standby answers SIGTERM at once and keeps no statement running on the primary."""
        cr = self.registry.cursor()
        try:
            pbx = self._pbx(self._env(cr))
            self.pbx_id = pbx.id
            waiting = False
            while True:
                cr.execute("SELECT pg_try_advisory_lock(%s, %s), pg_backend_pid()", (LOCK_NAMESPACE, pbx.id))
                acquired, backend = cr.fetchone()
                # A separate process, not a request: a session lock survives the commit, so no
                # transaction stays open for the bridge's lifetime (nor a standby's).
                cr.commit()  # pylint: disable=invalid-commit
                if acquired:
                    break
                if not wait:
                    raise BridgeLocked(f"another hotline AMI bridge is already running for PBX {pbx.id}")
                if not waiting:
                    _logger.info("hotline-ami: standby, PBX %s is served by another bridge", pbx.id)
                    waiting = True
                if self.stop_event.wait(self.standby_poll):
                    cr.close()
                    return False
        except Exception:
            cr.close()
            raise
        if waiting:
            _logger.info("hotline-ami: took over PBX %s", pbx.id)
        self._lock_cr, self._lock_backend = cr, backend
        return True

    def holds_lock(self, cr, log_exceptions=True):
        """Whether this bridge's lock session still holds the PBX's lock, read in `cr`'s transaction.
        True for a bridge that never took the lock (ingestion driven by a test or a command)."""
        if self._lock_backend is None:
            return True
        cr.execute("""
            SELECT 1 FROM pg_locks
             WHERE locktype = 'advisory' AND classid = %s AND objid = %s AND objsubid = 2
               AND pid = %s AND granted""", (LOCK_NAMESPACE, self.pbx_id, self._lock_backend),
                   log_exceptions=log_exceptions)
        return bool(cr.fetchone())

    def check_lock(self):
        """Raise LeadershipLost when the lock session is gone (connection cut, backend terminated)."""
        try:
            held = self.holds_lock(self._lock_cr, log_exceptions=False)  # a cut is reported below
            self._lock_cr.commit()  # pylint: disable=invalid-commit
        except Exception as exc:  # noqa: BLE001 - any failure of the lock's connection loses the lock
            raise LeadershipLost(f"the lock connection of PBX {self.pbx_id} failed: {exc}") from exc
        if not held:
            raise LeadershipLost(f"the lock of PBX {self.pbx_id} is no longer held")

    def release_lock(self):
        if self._lock_cr is not None:
            try:
                self._lock_cr.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, self.pbx_id),
                                      log_exceptions=False)
                self._lock_cr.commit()  # pylint: disable=invalid-commit
            except Exception:  # noqa: BLE001 - a dead connection has released its lock already
                _logger.debug("lock release failed", exc_info=True)
            finally:
                try:
                    self._lock_cr.close()
                except Exception:  # noqa: BLE001
                    _logger.debug("lock cursor close failed", exc_info=True)
                self._lock_cr = self._lock_backend = None

    def report(self):
        """The bridge's own facts, sent with every status and heartbeat."""
        cutoff = time.monotonic() - 60
        while self._recent and self._recent[0][0] < cutoff:
            self._recent.popleft()
        pops = sorted(self.pop_latencies[-200:])
        return {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "connected_since": self.connected_since,
            "last_event": self.last_event_at,
            "events_last_minute": sum(n for _t, n in self._recent),
            "caught_up": self.caught_up,
            "backfill_at": self.last_backfill and self.last_backfill[0],
            "queue_log_lag": self.last_backfill and self.last_backfill[1],
            "pop_p95_ms": round(pops[int(0.95 * (len(pops) - 1))] * 1000) if pops else None,
            "log": list(self.recent_log.lines),
        }

    def _set_status(self, status):
        """Record the link state and the bridge's own facts on the PBX (``hotline.pbx._bridge_report``)."""
        try:
            with self.registry.cursor() as cr:
                if self.holds_lock(cr):  # a bridge that lost its PBX does not speak for it
                    self._pbx(self._env(cr))._bridge_report(status, self.report())
        except Exception:  # noqa: BLE001 - status is informative only
            _logger.debug("status update failed", exc_info=True)

    def ingest(self, facts, queue_log_pos=None):
        """Apply facts in one short transaction (and move the queue_log position with them)."""
        if not facts and queue_log_pos is None:
            return
        popped = []
        with self.registry.cursor() as cr:
            # the fence: a bridge that lost its lock writes nothing (the transaction rolls back)
            if not self.holds_lock(cr):
                raise LeadershipLost(f"the lock of PBX {self.pbx_id} is no longer held")
            env = self._env(cr)
            pbx = self._pbx(env)
            ingestor = Ingestor(env, pbx, on_pop=lambda fact, payload: popped.append(fact),
                                users_cache=self._users_cache)
            ingestor.apply(facts)
            if queue_log_pos is not None:
                pbx.write({"queue_log_inode": queue_log_pos[0], "queue_log_offset": queue_log_pos[1]})
            # commit on leaving the block; screen pops go out with the commit
        committed = time.time()
        for fact in popped:
            if fact.get("received"):
                self.pop_latencies.append(committed - fact["received"])
            if self.on_pop:
                self.on_pop(fact)
        del self.pop_latencies[:-10000]
        self._unsettled.extend(ingestor.applied)
        self.stats["facts"] += ingestor.stats["facts"]
        self.stats["skipped"] += ingestor.stats["skipped"]

    def settle(self, force=False):
        """Hand the facts committed since the last time to ``hotline.pbx._hotline_facts_settled``, in
        a transaction of its own: at most once per ``settle_interval`` unless `force`d. Returns
        whether it did. A failure there is logged and loses nothing ingested."""
        if not self._unsettled or (not force and time.monotonic() < self._settle_at):
            return False
        facts, self._unsettled = self._unsettled, []
        self._settle_at = time.monotonic() + self.settle_interval
        try:
            with self.registry.cursor() as cr:
                self._pbx(self._env(cr))._hotline_facts_settled(facts)
        except Exception:  # noqa: BLE001 - what settles is derived (pushes), the facts are committed
            _logger.exception("hotline-ami: settling %d facts failed", len(facts))
        return True

    # -- queue_log backfill ---------------------------------------------------------
    def backfill(self):
        """Ingest queue_log lines written since the stored position (idempotent)."""
        with self.registry.cursor() as cr:
            pbx = self._pbx(self._env(cr))
            path = self.queue_log_path or pbx.queue_log_path
            inode, offset = pbx.queue_log_inode, pbx.queue_log_offset
        if not path:
            return 0
        lines, inode, offset = QueueLogReader(path).read_new(inode, offset)
        try:
            self.last_backfill = (time.time(), max(0, os.stat(path).st_size - offset))
        except OSError:
            self.last_backfill = (time.time(), None)
        if not lines:
            return 0
        facts = []
        for position, line in lines:
            try:
                fact = from_queue_log_line(line, position)
            except (ValueError, KeyError, IndexError):
                _logger.warning("hotline-ami: malformed queue_log line skipped: %r", line)
                continue
            if fact:
                facts.append(fact)
        for start in range(0, len(facts), self.batch_size):
            last = start + self.batch_size >= len(facts)
            self.ingest(facts[start:start + self.batch_size], (inode, offset) if last else None)
        if not facts:
            self.ingest([], (inode, offset))
        self.stats["backfilled"] += len(facts)
        _logger.info("hotline-ami: backfilled %d facts from %s", len(facts), path)
        return len(facts)

    # -- QueueStatus resync ------------------------------------------------------------
    def resync(self, client):
        """Make open sessions/pauses match the members Asterisk reports now."""
        now = time.time()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            pbx = self._pbx(env)
            queues = pbx._queue_list()
        facts = []
        seen = set()
        for queue_name in queues:
            for m in client.queue_status(queue_name)["members"]:
                interface = m.get("StateInterface") or m.get("Location")
                if not interface:
                    continue
                seen.add((interface, queue_name))
                login = float(m.get("LoginTime") or 0) or now
                facts.append({"kind": "member_add", "queue": queue_name, "interface": interface, "time": login,
                              "resync": True})
                last_pause = float(m.get("LastPause") or 0) or now
                if m.get("Paused") == "1":
                    facts.append({"kind": "pause", "queue": queue_name, "interface": interface,
                                  "reason": m.get("PausedReason") or "", "time": last_pause, "resync": True})
                else:
                    facts.append({"kind": "unpause", "queue": queue_name, "interface": interface,
                                  "time": max(last_pause, login), "resync": True})
                facts.append({"kind": "member_status", "queue": queue_name, "interface": interface,
                              "status": int(m.get("Status") or 0), "time": now})
        with self.registry.cursor() as cr:
            env = self._env(cr)
            stale = env["hotline.agent.session"].search([("pbx_id", "=", self.pbx_id), ("stop", "=", False),
                                                         ("queue", "in", queues)])
            for session in stale:
                if (session.interface, session.queue) not in seen:
                    facts.append({"kind": "member_remove", "queue": session.queue, "interface": session.interface,
                                  "time": now, "resync": True})
        self.ingest(facts)

    # -- main loop ------------------------------------------------------------------------
    def _client(self):
        with self.registry.cursor() as cr:
            pbx = self._pbx(self._env(cr)).sudo()
            args = (pbx.host, pbx.port, pbx.username, pbx.secret or "")
        return AmiClient(*args, events=self.events)

    def run(self, standby=False):
        """Serve the PBX until stopped. With `standby`, wait for the lock while another bridge holds
        it, and go back to waiting if the lock is lost; without, raise BridgeLocked."""
        _ami_logger.addHandler(self.recent_log)
        try:
            while not self.stop_event.is_set():
                if not self.acquire_lock(wait=standby):
                    break
                try:
                    self._serve()
                except LeadershipLost as exc:
                    if not standby:
                        raise
                    _logger.warning("hotline-ami: %s; back to standby", exc)
                    self.release_lock()
                    continue
                self._set_status("stopped")
                self.release_lock()
        finally:
            self.release_lock()
            _ami_logger.removeHandler(self.recent_log)

    def _serve(self):
        """The AMI link's reconnect loop, while this bridge holds the lock."""
        backoff = 1.0
        while not self.stop_event.is_set():
            self.check_lock()
            client = None
            try:
                # fresh queue: what the dead link left has been backfilled
                self.events = queue.Queue()
                client = self._client()
                client.connect()
                self.stats["connects"] += 1
                _logger.info("hotline-ami: connected to %s:%s", client.host, client.port)
                self.caught_up = self.backfill()
                self.resync(client)
                self.connected_since = time.time()
                self.connected.set()
                self._set_status("connected")
                backoff = 1.0
                self._pump(client)
            except LeadershipLost:
                raise
            except AmiError as exc:
                _logger.warning("hotline-ami: AMI link down (%s); retrying in %.0fs", exc, backoff)
            except Exception:
                _logger.exception("hotline-ami: unexpected error; retrying in %.0fs", backoff)
            finally:
                self.connected.clear()
                self.connected_since = None
                if client is not None:
                    client.close()
            if self.stop_event.is_set():
                break
            self._set_status("disconnected")
            self.stop_event.wait(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    def stop(self):
        self.stop_event.set()
        self.events.put(DISCONNECTED)

    def _pump(self, client):
        next_ping = time.monotonic() + self.ping_interval
        next_lock_check = time.monotonic() + 1
        next_backfill = time.monotonic() + self.backfill_interval
        events = self.events
        while not self.stop_event.is_set():
            # wake for the next settling: what a batch changed is settled within settle_interval
            timeout = min(0.5, max(0.01, self._settle_at - time.monotonic())) if self._unsettled else 0.5
            try:
                first = events.get(timeout=timeout)
            except queue.Empty:
                first = None
            batch = []
            if first is DISCONNECTED:
                raise AmiDisconnected("AMI connection lost")
            if first is not None:
                batch.append(first)
                deadline = time.monotonic() + self.batch_wait
                while len(batch) < self.batch_size:
                    remaining = deadline - time.monotonic()
                    try:
                        item = events.get(timeout=remaining) if remaining > 0 else events.get_nowait()
                    except queue.Empty:
                        break
                    if item is DISCONNECTED:
                        self._ingest_events(batch)
                        raise AmiDisconnected("AMI connection lost")
                    batch.append(item)
                self._ingest_events(batch)
            if self._deferred:
                self._retry_deferred()
            self.settle()
            now = time.monotonic()
            if now >= next_lock_check:
                # a bridge whose lock session was cut lets go of AMI within a second (ingestion is
                # fenced anyway): the standby that took the lock is then AMI's only client
                self.check_lock()
                next_lock_check = now + 1
            if now >= next_ping:
                client.ping(timeout=5)
                self._set_status("connected")
                next_ping = now + self.ping_interval
            if now >= next_backfill:
                self.backfill()
                next_backfill = now + self.backfill_interval

    def _ingest_events(self, batch):
        now = time.time()
        self.last_event_at = now
        self._recent.append((time.monotonic(), len(batch)))
        facts = []
        for headers in batch:
            try:
                fact = from_event(headers, now)
            except (KeyError, ValueError, TypeError):
                _logger.warning("hotline-ami: malformed event skipped: %r", headers)
                self.stats["skipped"] += 1
                continue
            if fact:
                fact["live"] = True
                fact["received"] = headers.get("_received", now)
                facts.append(fact)
        if _logger.isEnabledFor(logging.DEBUG):
            _logger.debug("hotline-ami: batch of %d events: %s", len(batch),
                          ", ".join(f"{f['kind']}:{f.get('uniqueid') or f.get('interface')}" for f in facts))
        originates = [f for f in facts if f["kind"] == "originate_result"]
        if originates:
            facts = [f for f in facts if f["kind"] != "originate_result"]
            self._deferred.extend((time.monotonic(), f) for f in originates)
        self.ingest(facts)
        self.stats["events"] += len(batch)
        self._retry_deferred()

    def _retry_deferred(self):
        """OriginateResponse can beat the commit of the web request that recorded the
        outbound call: keep it until the call is visible (at most 15 s)."""
        if not self._deferred:
            return
        with self.registry.cursor() as cr:
            Call = self._env(cr)["hotline.call"]
            known = set(Call.search([("originate_action_id", "in", [f["action_id"] for _t, f in self._deferred])])
                        .mapped("originate_action_id"))
        ready = [f for _t, f in self._deferred if f["action_id"] in known]
        expired = [f for t, f in self._deferred if f["action_id"] not in known and time.monotonic() - t > 15]
        self._deferred = [(t, f) for t, f in self._deferred
                          if f["action_id"] not in known and time.monotonic() - t <= 15]
        for fact in expired:
            _logger.warning("hotline-ami: Originate %s matches no call, skipped", fact["action_id"])
        if ready:
            self.ingest(ready)
