"""Ingestion of call-center facts (see facts.py) into the hotline tables.

Idempotent by design: a call is keyed by (PBX, caller uniqueid); an agent event
(sign-in/out, pause/unpause, ring-no-answer) by its identity, the queue_log line
or the AMI event it came from (see ``hotline.queue.event``), so the same fact
coming twice - from AMI and again from the queue_log backfill, or from a
replayed stream - changes nothing the second time, and two events in the same
second stay two events.

The caller owns the transaction: ``apply()`` is called with a batch of facts
inside one short transaction, and the caller commits.
"""

import logging
import time
from datetime import UTC, datetime

from odoo.tools import SQL

from .facts import KEYED_KINDS

_logger = logging.getLogger(__name__)

CALL_KINDS = {"enter", "connect", "complete", "exit", "ring_noanswer"}
# Which source may overwrite the outcome of an unanswered call: queue_log is the
# reference; the dialplan's QUEUESTATUS tells timeouts apart from AMI's "abandon".
_SOURCE_RANK = {False: 0, None: 0, "ami": 1, "dialplan": 2, "queue_log": 3}
# a measure of 0 s is a measure: written even where the cache shows 0 for an empty column
MEASURES = ("wait_seconds", "ring_seconds", "talk_seconds")
AGENT_STATE = "hotline_telephony/agent_state"
AGENT_STATE_KINDS = {"member_add", "member_remove", "pause", "unpause", "member_status"}


def to_dt(epoch):
    """Epoch seconds -> naive UTC datetime (Odoo's Datetime convention), to the second."""
    return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None)


class Ingestor:
    def __init__(self, env, pbx, on_pop=None, users_cache=None):
        self.env = env
        self.pbx = pbx
        self.on_pop = on_pop  # callback(fact, payload) after a screen pop was queued
        # interface -> user id, shared across batches by the bridge (refreshed every 30 s)
        self._users_cache = users_cache if users_cache is not None else {"at": 0.0, "map": {}}
        self._sessions = {}
        self.stats = {"facts": 0, "skipped": 0, "pops": 0}
        self.applied = []  # every fact applied by this ingestor's batches (the bridge settles them)

    # -- helpers ---------------------------------------------------------------
    def user_for(self, interface):
        cache = self._users_cache
        if time.monotonic() - cache["at"] > 30:
            users = self.env["res.users"].with_context(active_test=False).search(
                [("hotline_interface", "!=", False)])
            cache["map"] = {u.hotline_interface: u.id for u in users}
            cache["at"] = time.monotonic()
        return cache["map"].get(interface or "", False)

    def _calls(self, uniqueids):
        Call = self.env["hotline.call"]
        if not uniqueids:
            return {}
        found = Call.search([("pbx_id", "=", self.pbx.id), ("uniqueid", "in", list(uniqueids))])
        return {c.uniqueid: c for c in found}

    def _call(self, fact):
        uid = fact["uniqueid"]
        call = self._cache.get(uid)
        if call is None:
            call = self.env["hotline.call"].create({
                "uniqueid": uid,
                "pbx_id": self.pbx.id,
                "direction": "inbound",
                "queue": fact.get("queue"),
                "enter_time": to_dt(fact["time"]) if fact["kind"] == "enter" else False,
            })
            self._cache[uid] = call
            self._new_calls.add(call.id)
        return call

    def _write(self, record, vals):
        """Write only what changes (keeps replays cheap and write dates honest)."""
        changed = {}
        for key, value in vals.items():
            current = record[key]
            if hasattr(current, "id"):
                current = current.id
            if current != value or (value == 0 and key in MEASURES and (
                    record.id in self._new_calls or self._is_null(record, key))):
                changed[key] = value
        if changed:
            record.write(changed)
        return bool(changed)

    @staticmethod
    def _is_null(record, column):
        """The ORM reads an empty integer column as 0: ask the database (only for zero measures)."""
        record.flush_recordset([column])
        record.env.cr.execute(SQL("SELECT %s IS NULL FROM %s WHERE id = %s", SQL.identifier(column),
                                  SQL.identifier(record._table), record.id))
        return record.env.cr.fetchone()[0]

    # -- entry point -------------------------------------------------------------
    def apply(self, facts):
        """Apply a batch of facts; malformed ones are logged and skipped.

        Fast path: the whole batch under one savepoint. If any fact fails, the
        batch is rolled back to it and replayed fact by fact, each under its
        own savepoint, so only the bad fact is lost (and logged).
        """
        facts = self._identify_completes(self._collapse([f for f in facts if f]))
        self._sessions = {}
        self._state_changed = set()
        self._rated = set()  # phones whose agent was just rated: their push carries the rating (a query each)
        self._applied = []
        self._new_calls, self._pending = set(), []
        uniqueids = {f["uniqueid"] for f in facts if f.get("kind") in CALL_KINDS and f.get("uniqueid")}
        self._cache = self._calls(uniqueids)
        try:
            with self.env.cr.savepoint(flush=False):
                self._precreate(facts)
                self._events = self.env["hotline.queue.event"]._ledger(self.pbx, facts)
                for fact in facts:
                    self._dispatch(fact)
                self._events.flush()
                self._flush_attempts()
                self.env.flush_all()
                self._push_agent_states()
            self.stats["facts"] += len(facts)
            return
        except Exception:  # noqa: BLE001 - retried one by one below
            self.env.clear()
            self._applied = []
        self._cache = self._calls(uniqueids)
        self._new_calls, self._pending = set(), []
        for fact in facts:
            try:
                with self.env.cr.savepoint(flush=False):
                    self._events = self.env["hotline.queue.event"]._ledger(self.pbx, [fact])
                    self._dispatch(fact)
                    self._events.flush()
                    self._flush_attempts()
                    self.env.flush_all()
                self.stats["facts"] += 1
            except Exception:  # noqa: BLE001 - one bad fact must not stop the bridge
                self._state_changed, self._rated = set(), set()
                self._applied = [f for f in self._applied if f is not fact]
                self.stats["skipped"] += 1
                self.env.clear()
                self._cache = self._calls(uniqueids)
                self._new_calls, self._pending = set(), []
                _logger.warning("hotline-ami: fact skipped: %r", fact, exc_info=True)
        self._push_agent_states()

    def _identify_completes(self, facts):
        """Give a channel-less AgentComplete the uniqueid of the call its agent is connected to on
        that queue: connected earlier in this batch, or answered and not ended in the database.
        One that cannot be identified is dropped with a warning; queue_log's backfill completes it."""
        connected, kept = {}, []
        for f in facts:
            key = (f.get("queue"), f.get("interface"))
            if f.get("kind") == "connect":
                connected[key] = f["uniqueid"]
            elif f.get("kind") == "complete" and not f.get("uniqueid"):
                f["uniqueid"] = connected.pop(key, None) or all(key) and self.env["hotline.call"].search([
                    ("pbx_id", "=", self.pbx.id), ("queue", "=", key[0]), ("interface", "=", key[1]),
                    ("answer_time", "!=", False), ("end_time", "=", False),
                ], order="answer_time desc", limit=1).uniqueid
                if not f["uniqueid"]:
                    _logger.warning("hotline-ami: AgentComplete of %s on %s matches no open call; left to queue_log",
                                    key[1], key[0])
                    continue
            kept.append(f)
        return kept

    def _precreate(self, facts):
        """Create the batch's new calls in one INSERT, callers' partners found in one query."""
        self._new_calls, self._pending = set(), []
        todo = {}
        for f in facts:
            uid = f.get("uniqueid")
            if f.get("kind") not in CALL_KINDS or not uid or uid in self._cache:
                continue
            vals = todo.setdefault(uid, {"uniqueid": uid, "pbx_id": self.pbx.id, "direction": "inbound",
                                         "queue": f.get("queue")})
            if f["kind"] == "enter" and "enter_time" not in vals:
                vals.update(enter_time=to_dt(f["time"]), linkedid=f.get("linkedid"),
                            called_number=f.get("called"), caller_number=f.get("caller"),
                            orig_position=f.get("position") or 0)
        if not todo:
            return
        partners = self._partners({v.get("caller_number") for v in todo.values()} - {None, False, ""})
        for vals in todo.values():
            vals["partner_id"] = partners.get(vals.get("caller_number"), False)
        calls = self.env["hotline.call"].create(list(todo.values()))
        for call in calls:
            self._cache[call.uniqueid] = call
            self._new_calls.add(call.id)

    def _partners(self, numbers):
        """{caller number: partner id} for many numbers at once."""
        company = self.env.company
        norms = {}
        for number in numbers:
            try:
                norms[company._hotline_normalize_phone(number)] = number
            except Exception:  # noqa: BLE001 - anonymous/odd caller ids have no partner
                continue
        Partner = self.env["res.partner"]
        if not norms:
            return {}
        if "hotline_phone_norm" not in Partner._fields:  # contract method, one query per number
            return {n: self._partner(n).id for n in norms.values()}
        result = {}
        for partner in Partner.search([("hotline_phone_norm", "in", list(norms))], order="id desc"):
            result.setdefault(norms[partner.hotline_phone_norm], partner.id)
        return result

    def _attempts(self, call):
        """(interface, result, time) of the call's attempts: stored ones plus this batch's."""
        known = []
        if call.id not in self._new_calls:
            known = [(a.interface, a.result, a.time) for a in call.attempt_ids]
        known += [(v["interface"], v["result"], v["time"]) for v in self._pending if v["call_id"] == call.id]
        return known

    def _flush_attempts(self):
        if self._pending:
            self.env["hotline.call.attempt"].create(self._pending)
            self._pending = []

    @staticmethod
    def _collapse(facts):
        """Only the last device state of a member in a batch matters (bursts of QueueMemberStatus)."""
        last = {}
        for i, f in enumerate(facts):
            if f.get("kind") == "member_status":
                last[(f.get("interface"), f.get("queue"))] = i
        keep = set(last.values())
        return [f for i, f in enumerate(facts) if f.get("kind") != "member_status" or i in keep]

    def _dispatch(self, fact):
        handler = getattr(self, "_on_" + str(fact.get("kind", "")), None)
        if handler is None:
            raise ValueError("unknown fact kind {!r}".format(fact.get("kind")))
        if fact["kind"] in KEYED_KINDS and (fact.get("log_key") or fact.get("ami_key")) \
                and self._events.seen(fact):
            return  # the same queue_log line or AMI event, or the other source's report of it
        handler(fact)
        if fact.get("live") and fact["kind"] in AGENT_STATE_KINDS:
            self._state_changed.add(fact.get("interface"))
        self._applied.append(fact)

    def _push_agent_states(self):
        """Live agent state to each concerned agent's systray (their own bus channel only)."""
        for interface in self._state_changed:
            user_id = self.user_for(interface)
            if user_id:
                user = self.env["res.users"].browse(user_id)
                state = user._hotline_recorded_state(user._hotline_empty_state())
                if interface in self._rated:
                    state["last_rating"] = user._hotline_last_rating()
                user._bus_send(AGENT_STATE, state)
        self._state_changed, self._rated = set(), set()
        # one hook per batch for every agent/queue/call change (live boards extend it)
        applied, self._applied = self._applied, []
        if applied:
            self.applied.extend(applied)
            self.pbx._hotline_facts_applied(applied)

    # -- calls -------------------------------------------------------------------
    def _on_enter(self, f):
        call = self._call(f)
        vals = {}
        if not call.enter_time or to_dt(f["time"]) < call.enter_time:
            vals["enter_time"] = to_dt(f["time"])
        for field, key in (("linkedid", "linkedid"), ("queue", "queue"), ("called_number", "called"),
                           ("caller_number", "caller")):
            if f.get(key) and not call[field]:
                vals[field] = f[key]
        if f.get("position") and not call.orig_position:
            vals["orig_position"] = f["position"]
        if vals.get("caller_number") and not call.partner_id:
            vals["partner_id"] = self._partner(vals["caller_number"]).id or False
        self._write(call, vals)

    def _on_connect(self, f):
        call = self._call(f)
        first = not call.answer_time
        user_id = self.user_for(f.get("interface"))
        vals = {
            "answer_time": call.answer_time or to_dt(f["time"]),
            "wait_seconds": f["holdtime"],
            "ring_seconds": f.get("ringtime") or 0,
            "interface": f.get("interface"),
            "user_id": user_id,
        }
        if call.outcome != "transferred":
            vals["outcome"] = "answered"
        if not call.enter_time:
            vals["enter_time"] = to_dt(f["time"] - f["holdtime"])
        if f.get("caller") and not call.caller_number:
            vals["caller_number"] = f["caller"]
            vals["partner_id"] = self._partner(f["caller"]).id or False
        self._write(call, vals)
        if not any(result == "answered" for _i, result, _t in self._attempts(call)):
            self._pending.append({
                "call_id": call.id, "interface": f.get("interface") or "?", "user_id": user_id,
                "result": "answered", "ring_ms": (f.get("ringtime") or 0) * 1000, "time": to_dt(f["time"]),
            })
        if first and f.get("live") and user_id:
            self._screen_pop(call, f)

    def _on_complete(self, f):
        call = self._call(f)
        vals = {
            "talk_seconds": f["talktime"],
            "wait_seconds": f["holdtime"],
            "end_time": to_dt(f["time"]),
            "completed_by": f["reason"],
            "outcome": "transferred" if f["reason"] == "transfer" else "answered",
            "cut_off": False,  # the PBX did log its end after all
        }
        if not call.answer_time:
            vals["answer_time"] = to_dt(f["time"] - f["talktime"])
        if f.get("interface") and not call.interface:
            vals["interface"] = f["interface"]
            vals["user_id"] = self.user_for(f["interface"])
        if not call.enter_time:
            vals["enter_time"] = to_dt(f["time"] - f["talktime"] - f["holdtime"])
        self._write(call, vals)

    def _on_exit(self, f):
        call = self._call(f)
        if call.outcome in ("answered", "transferred"):
            return  # a connected call ends with complete, never with an exit
        if _SOURCE_RANK[call.outcome_source] > _SOURCE_RANK[f["source"]]:
            return
        vals = {"outcome": f["outcome"], "outcome_source": f["source"], "end_time": to_dt(f["time"])}
        if f.get("source") == "dialplan" and call.end_time:
            vals.pop("end_time")  # the UserEvent comes after the hangup-side events
        if "waittime" in f:
            vals["wait_seconds"] = f["waittime"]
        if f.get("position"):
            vals["position"] = f["position"]
        if f.get("origposition"):
            vals["orig_position"] = f["origposition"]
        if not call.enter_time and "waittime" in f:
            vals["enter_time"] = to_dt(f["time"] - f["waittime"])
        self._write(call, vals)

    def _on_ring_noanswer(self, f):
        call = self._call(f)
        self._pending.append({
            "call_id": call.id, "interface": f["interface"], "user_id": self.user_for(f["interface"]),
            "result": "noanswer", "ring_ms": f.get("ring_ms") or 0, "time": to_dt(f["time"]),
        })

    def _on_pbx_start(self, f):
        """Asterisk (re)started: the calls it had are over, though it logged no end for them (kill -9,
        power loss). They end when the PBX was last known alive and are marked as cut off."""
        start = to_dt(f["time"])
        calls = self.env["hotline.call"].search([
            ("pbx_id", "=", self.pbx.id), ("end_time", "=", False), ("enter_time", "<", start)])
        # the bridge stamps the moment it lost the PBX; a later stamp is a newer connection
        seen = self.pbx.bridge_heartbeat
        last_alive = min(seen, start) if seen else start
        for call in calls:
            end = max(last_alive, call.answer_time or call.enter_time)
            vals = {"end_time": end, "cut_off": True}
            if call.answer_time:
                vals["talk_seconds"] = int((end - call.answer_time).total_seconds())
            self._write(call, vals)

    # -- agents ------------------------------------------------------------------
    # Facts marked "resync" come from QueueStatus: states, not events. They change only what
    # differs from the records, and a change they make is recorded so that the AMI event or
    # queue_log line of the same action pairs with it later.
    def _open(self, model, f):
        return self.env[model].search(
            [("pbx_id", "=", self.pbx.id), ("interface", "=", f["interface"]), ("queue", "=", f["queue"]),
             ("stop", "=", False)], order="start desc, id desc", limit=1)

    def _resynced(self, f):
        if f.get("resync"):
            self.env["hotline.queue.event"]._record(self.pbx, f)

    def _on_member_add(self, f):
        self._sessions.pop((f["interface"], f["queue"]), None)
        t = to_dt(f["time"])
        current = self._open("hotline.agent.session", f)
        if current and (f.get("resync") or current.start > t):
            # still signed in (members survive a PBX restart), or an older sign-in than the open one
            return
        current._close(t)  # its REMOVEMEMBER was never logged
        session = self.env["hotline.agent.session"].create({
            "pbx_id": self.pbx.id, "interface": f["interface"], "queue": f["queue"], "start": t,
            "user_id": self.user_for(f["interface"])})
        self._resynced(f)
        if f.get("paused"):
            self._on_pause({"kind": "pause", "interface": f["interface"], "queue": f["queue"], "time": f["time"],
                            "reason": f.get("reason") or "", "session": session})

    def _on_member_remove(self, f):
        self._sessions.pop((f["interface"], f["queue"]), None)
        t = to_dt(f["time"])
        current = self._open("hotline.agent.session", f)
        if current and current.start <= t:
            current._close(t)
            self._resynced(f)

    def _on_pause(self, f):
        t = to_dt(f["time"])
        current = self._open("hotline.agent.pause", f)
        if current and (f.get("resync") or current.start > t):
            return  # still paused, as recorded
        current._close(t)  # a new reason while paused: a new interval
        session = f.get("session") or self._open("hotline.agent.session", f)
        self.env["hotline.agent.pause"].create({
            "pbx_id": self.pbx.id, "interface": f["interface"], "queue": f["queue"], "start": t,
            "reason": f.get("reason") or "", "session_id": session.id, "user_id": self.user_for(f["interface"])})
        self._resynced(f)

    def _on_unpause(self, f):
        t = to_dt(f["time"])
        current = self._open("hotline.agent.pause", f)
        if current and current.start <= t:
            current._close(t)
            self._resynced(f)

    def _on_member_status(self, f):
        key = (f["interface"], f["queue"])
        if key not in self._sessions:
            self._sessions[key] = self._open("hotline.agent.session", f)
        session = self._sessions[key]
        if session and session.member_status != f["status"]:
            session.member_status = f["status"]

    # -- outbound (click-to-dial) ----------------------------------------------------
    def _on_originate_result(self, f):
        call = self.env["hotline.call"].search([("originate_action_id", "=", f["action_id"]),
                                                ("pbx_id", "=", self.pbx.id)], limit=1)
        if not call:
            raise LookupError("no call for Originate {} (not committed yet?)".format(f["action_id"]))
        if f["success"]:
            vals = {"answer_time": call.answer_time or to_dt(f["time"])}
            if f.get("uniqueid") and f["uniqueid"] != "<null>":
                vals["uniqueid"] = f["uniqueid"]
                vals["linkedid"] = f["uniqueid"]
            self._write(call, vals)
        elif not call.outcome:
            self._write(call, {"outcome": "outbound_unanswered", "end_time": to_dt(f["time"])})

    def _on_originate_end(self, f):
        call = self.env["hotline.call"].browse(f["call_id"]).exists()
        if not call or call.direction != "outbound" or call.pbx_id != self.pbx:
            raise LookupError("unknown outbound call {}".format(f["call_id"]))
        if f["dialstatus"] == "ANSWER":
            vals = {"outcome": "outbound_answered", "talk_seconds": f["answered"], "end_time": to_dt(f["time"])}
        else:
            vals = {"outcome": "outbound_unanswered", "talk_seconds": 0, "end_time": to_dt(f["time"])}
        self._write(call, vals)

    # -- 一次一评 (the caller rates the agent after the agent hung up) ----------------------
    def _rated_call(self, f):
        call = self.env["hotline.call"].search([("pbx_id", "=", self.pbx.id), ("uniqueid", "=", f["uniqueid"])],
                                               limit=1)
        if not call:
            raise LookupError("no call {} for the rating".format(f["uniqueid"]))
        return call

    def _on_rating_offered(self, f):
        call = self._rated_call(f)
        if not call.rating_state:
            self._write(call, {"rating_state": "offered", "rating_time": to_dt(f["time"])})

    def _on_rating(self, f):
        call = self._rated_call(f)
        rating = self.pbx._hotline_rating_for_key(f["key"])
        self._write(call, {"rating_state": "rated" if rating else "no_key" if not f["key"] else "invalid",
                           "rating": rating or False, "rating_key": f["key"] or False,
                           "rating_time": to_dt(f["time"])})
        if rating and f.get("live") and call.interface:  # the agent's systray shows the rating at once
            self._state_changed.add(call.interface)
            self._rated.add(call.interface)

    def _on_pbx_event(self, f):
        self.pbx._hotline_pbx_event(f)

    # -- screen pop -------------------------------------------------------------------
    def _partner(self, number):
        try:
            return self.env["res.partner"]._hotline_find_by_phone(number)[:1]
        except Exception:  # noqa: BLE001 - an odd caller id (anonymous, extension) has no partner
            return self.env["res.partner"]

    def _screen_pop(self, call, f):
        """Notify the answering agent only, on their own bus channel."""
        payload = call._send_screen_pop()
        self.stats["pops"] += 1
        if self.on_pop:
            self.on_pop(f, payload)
