import json
import logging
import time
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.addons.hotline_case.models.hotline_case import MAX_RESULT_BYTES
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..tools import transport
from .hotline_case import UNIT_ACTIONS, clean_actor
from .hotline_exchange_event import UNIT_KINDS, backoff_seconds
from .hotline_exchange_inbox import PG_INT_MAX, TRANSIENT, UID_RE, ExchangeRefused, clean
from .hotline_exchange_peer import MAX_BATCH

_logger = logging.getLogger(__name__)
# The lag (oldest event the center has not delivered) before the link counts as amber / red: the unit server
# should see a dispatch within seconds; a minute means it is not getting through.
LAG_WARN, LAG_FAIL = 60, 900
# events per call; hotline_exchange.batch_size overrides it. While a backlog drains, each full batch delivered in
# under BRISK_CALL_SECONDS doubles the next, up to MAX_BATCH (the unit server's limit), and a slower one halves
# it: the unit server applies a delivery in one transaction and mails after it, so the per-call costs (HTTP,
# commit, each case's first message) are paid once per many events, far inside the read timeout.
BATCH = 100
BRISK_CALL_SECONDS = 30
# the batch size the last round ended with, per database: a backlog drained over several rounds keeps its pace
_PUSH_SIZE = {}
# one run_once delivers for at most this long, so the loop also pulls while a large backlog drains
RUN_BUDGET_SECONDS = 20
# the exchange runs at most once at a time (the loop, the cron fallback, a button): a session-level lock, so
# that it holds while no transaction is open (none is, during a call to the unit server)
LOCK_KEY = 0x12319E
# Every answer of the unit server is untrusted input. One call lasts at most this long in all (connecting,
# waiting, reading however slowly the bytes come; hotline_exchange.call_timeout overrides it), and an answer is
# read up to a size that holds one result of the largest the portal accepts (its files in base64), no more: a
# larger or slower answer is refused and counted as a failure, the round retried later.
CALL_SECONDS = 120
MAX_ANSWER_BYTES = MAX_RESULT_BYTES * 4 // 3 + (8 << 20)
# malformed events refused in this window keep the link amber (the dead letters' reason shown)
DEAD_LETTER_SECONDS = 3600
RESULTS = ("applied", "duplicate", "refused")


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


class ExchangeTransportError(Exception):
    """The unit server could not be reached, answered with an error or with something that is not the answer
    asked for: retried later, nothing lost."""


class AnswerTooLarge(ExchangeTransportError):
    """The answer was larger than an answer may be: fetched again with fewer events."""


class HotlineExchangeLink(models.Model):
    """The center's link to the unit server (one record): it pulls the units' actions and pushes the center's
    outbox, and keeps the figures the administrators watch (backlog, lag, last error)."""

    _name = "hotline.exchange.link"
    _description = "Exchange Link to the Unit Server"

    name = fields.Char(required=True, default="Unit server")
    # only a center exchanges: on a single database (or the unit server) the screen says the exchange is off
    exchange_off = fields.Boolean(compute="_compute_exchange_off")
    last_attempt = fields.Datetime(readonly=True)
    last_success = fields.Datetime(string="Last Contact", readonly=True)
    last_error = fields.Text(readonly=True)
    failures = fields.Integer(string="Failures in a Row", readonly=True)
    next_attempt = fields.Datetime(string="Next Retry", readonly=True)
    pushed_count = fields.Integer(string="Events Delivered", readonly=True)
    pulled_count = fields.Integer(string="Unit Events Applied", readonly=True)
    refused_count = fields.Integer(string="Unit Events Refused", readonly=True)
    unit_pending = fields.Integer(string="Waiting on the Unit Server", readonly=True,
                                  help="Events in the unit server's outbox at the last contact.")
    pending_count = fields.Integer(string="Waiting at the Center", compute="_compute_backlog")
    lag_seconds = fields.Float(string="Lag (s)", compute="_compute_backlog",
                               help="Age of the oldest event the center has not delivered yet.")

    def _compute_backlog(self):
        backlog = self.env["hotline.exchange.event"]._backlog()
        for link in self:
            link.pending_count = backlog["pending"]
            link.lag_seconds = backlog["oldest_age"]

    @api.model
    def _get_link(self):
        link = self.sudo().search([], limit=1)
        return link or self.sudo().create({"name": self.env._("Unit server")})

    @api.model
    def action_open_link(self):
        """The menu opens the one link's form, which says at once whether the exchange is on (a list row
        would not)."""
        self.check_access("read")
        return {
            "type": "ir.actions.act_window", "name": self.env._("Exchange with the Unit Server"),
            "res_model": self._name, "res_id": self._get_link().id, "view_mode": "form",
            "views": [(False, "form")], "target": "current",
        }

    # ------------------------------------------------------------------
    # Figures (wallboard, health, bench)
    # ------------------------------------------------------------------
    @api.model
    def status(self):
        """The exchange's figures: role, level (green / amber / red), backlog each side, lag, last contact and
        error."""
        if not (self.env.su or self.env.user.has_group("hotline_case.group_manager")
                or self.env.user.has_group("base.group_system")):
            raise AccessError(self.env._("Only managers and administrators may read the exchange's status."))
        link = self._get_link()
        backlog = self.env["hotline.exchange.event"]._backlog()
        lag, failures = backlog["oldest_age"], link.failures
        silent = (fields.Datetime.now() - link.last_success).total_seconds() if link.last_success else None
        dead = self.env["hotline.exchange.inbox"].sudo().search(
            [("dead_letter", "=", True),
             ("date", ">=", fields.Datetime.now() - timedelta(seconds=DEAD_LETTER_SECONDS))], order="id desc")
        # red: far behind, or failing and silent for as long; amber: behind, a round failed or the unit server
        # sent events that are not events
        level = ("red" if lag > LAG_FAIL or (failures and (silent is None or silent > LAG_FAIL)) else
                 "amber" if lag > LAG_WARN or failures or dead else "green")
        return {
            "role": self.env["hotline.exchange.event"]._role(), "level": level,
            "pending": backlog["pending"], "oldest_pending": fields.Datetime.to_string(backlog["oldest"]),
            "lag_seconds": lag, "unit_pending": link.unit_pending,
            "last_success": fields.Datetime.to_string(link.last_success), "failures": failures,
            "last_error": link.last_error or "",
            "dead_letters": len(dead), "dead_letter_reason": dead[:1].reason or "",
        }

    # ------------------------------------------------------------------
    # Transport: /json/2 on the unit server, API key of its exchange user
    # ------------------------------------------------------------------
    @api.model
    def _call(self, method, commit=False, **kwargs):
        """Call `method` of hotline.exchange.peer on the unit server; its answer, checked (ExchangeTransportError
        when it is not the answer asked for). With `commit`, the transaction is committed first: none stays open
        while the unit server answers, or does not."""
        params = self.env["ir.config_parameter"].sudo()
        url = (params.get_param("hotline_exchange.unit_url") or "").rstrip("/")
        key = params.get_param("hotline_exchange.unit_api_key") or ""
        database = params.get_param("hotline_exchange.unit_db") or ""
        seconds = params.get_param("hotline_exchange.call_timeout") or ""
        seconds = max(1, int(seconds)) if seconds.isdigit() else CALL_SECONDS
        if not url or not key:
            raise ExchangeTransportError(self.env._("Set the unit server's address and API key in Settings."))
        headers = {"Authorization": f"bearer {key}"}
        if database:
            headers["X-Odoo-Database"] = database
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit  # nothing held across the network
        try:
            status, data = transport.post(f"{url}/json/2/hotline.exchange.peer/{method}", json.dumps(kwargs).encode(),
                                          headers, seconds, MAX_ANSWER_BYTES)
        except transport.CallFailed as failed:
            raise self._call_failed(method, failed, seconds) from None
        try:
            answer, parsed = json.loads(data, parse_constant=_no_constant), True
        except (ValueError, RecursionError):
            answer, parsed = None, False
        if status != 200:
            message = (answer.get("message") if isinstance(answer, dict) and isinstance(answer.get("message"), str)
                       else data.decode(errors="replace"))
            raise ExchangeTransportError(self.env._("The unit server answered %(status)s: %(message)s",
                                                    status=status, message=message[:500]))
        error = self._check_answer(method, answer, kwargs) if parsed else self.env._("it is not JSON")
        if error:
            raise ExchangeTransportError(self.env._(
                "The unit server's answer to %(method)s was refused: %(reason)s.", method=method, reason=error))
        return answer

    @api.model
    def _call_failed(self, method, failed, seconds):
        if failed.kind == "too_large":
            return AnswerTooLarge(self.env._(
                "The unit server's answer to %(method)s was refused: larger than %(size)s MiB.",
                method=method, size=MAX_ANSWER_BYTES >> 20))
        if failed.kind == "timeout":
            return ExchangeTransportError(self.env._(
                "The unit server did not answer %(method)s within %(seconds)s s.", method=method, seconds=seconds))
        if failed.kind == "url":
            return ExchangeTransportError(self.env._("The unit server's address is not an http(s) address: %s",
                                                     failed.detail[:200]))
        return ExchangeTransportError(self.env._("The unit server cannot be reached: %s", failed.detail[:300]))

    @api.model
    def _check_answer(self, method, answer, asked):
        """What is wrong with the answer to `method` (translated), or None: its shape, its size, its ids."""
        def text(value, limit):
            return isinstance(value, str) and len(value) <= limit

        if method == "fetch_events":
            if not isinstance(answer, list):
                return self.env._("a list of events was expected, not %s", type(answer).__name__)
            if len(answer) > asked["limit"]:
                return self.env._("%(count)s events when at most %(limit)s were asked for", count=len(answer),
                                  limit=asked["limit"])
            if not all(isinstance(event, dict) and isinstance(event.get("uid"), str) and event["uid"]
                       for event in answer):
                return self.env._("an item of the list is not an event with an id")
        elif method == "receive":
            if not isinstance(answer, list) or len(answer) > len(asked["events"]) or not all(
                    isinstance(item, dict) and text(item.get("uid"), 64) and item.get("result") in RESULTS
                    and (item.get("reason") is None or text(item["reason"], 10000)) for item in answer):
                return self.env._("one result (id, applied / duplicate / refused, reason) per event sent was "
                                  "expected")
        elif method == "ack":
            if type(answer) is not int or not 0 <= answer <= len(asked["uids"]):
                return self.env._("the number of events acknowledged was expected")
        elif method == "status":
            if not isinstance(answer, dict) or type(answer.get("pending")) is not int or not (
                    0 <= answer["pending"] <= PG_INT_MAX):
                return self.env._("the unit server's backlog was expected")
        return None

    # ------------------------------------------------------------------
    # One round
    # ------------------------------------------------------------------
    @api.model
    def run_once(self):
        """Pull the units' actions, then push the center's outbox; commits as it goes. Returns the figures
        of the round ({'pulled', 'refused', 'pushed', 'push_refused', 'error'})."""
        if not (self.env.su or self.env.user.has_group("base.group_system")):  # the loop and the cron: superuser
            raise AccessError(self.env._("Only administrators may run the exchange."))
        return self._run(commit=True)

    @api.model
    def _batch_size(self):
        value = self.env["ir.config_parameter"].sudo().get_param("hotline_exchange.batch_size")
        return max(1, min(int(value), MAX_BATCH)) if value and value.isdigit() else BATCH

    @api.model
    def _lock(self):
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        return self.env.cr.fetchone()[0]

    @api.model
    def _unlock(self):
        self.env.cr.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])

    @api.model
    def _run(self, commit=True):
        stats = {"pulled": 0, "refused": 0, "pushed": 0, "push_refused": 0, "error": ""}
        if self.env["hotline.exchange.event"]._role() != "center":
            stats["error"] = "role"
            return stats
        link = self._get_link()
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit  # the link record itself, if new
        now = fields.Datetime.now()
        if link.next_attempt and link.next_attempt > now:
            stats["error"] = "waiting"
            return stats
        if not self._lock():
            stats["error"] = "locked"
            return stats
        try:
            self._round(link, stats, now, commit)
        finally:
            self._unlock()
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit  # the link's figures
        return stats

    @api.model
    def _round(self, link, stats, now, commit):
        """Pull, push, record the figures. With `commit`, whatever fails is rolled back (the batches committed
        stay) and recorded on the link: the exchange goes on at the next round."""
        started = time.monotonic()
        try:
            self._pull_all(stats, started, commit)
            self._push_all(stats, started, commit)
            # the unit server's backlog, when something moved or every half minute (not on every idle poll)
            unit_pending = link.unit_pending
            if stats["pulled"] or stats["refused"] or not link.last_success or (
                    now - link.last_success).total_seconds() > 30:
                unit_pending = self._call("status", commit=commit)["pending"]
            link.write({"last_attempt": now, "last_success": fields.Datetime.now(), "last_error": False,
                        "failures": 0, "next_attempt": False, "unit_pending": unit_pending,
                        "pushed_count": link.pushed_count + stats["pushed"],
                        "pulled_count": link.pulled_count + stats["pulled"],
                        "refused_count": link.refused_count + stats["refused"]})
        except ExchangeTransportError as error:
            self._failed(link, now, str(error), stats, commit)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
            if not commit:
                raise
            # a button pressed or a case changed meanwhile: nothing is wrong, the next round does it again
            self.env.cr.rollback()  # pylint: disable=invalid-commit
            _logger.info("hotline_exchange: round given up on a concurrent update (%s), retried", error.pgcode)
            stats["error"] = self.env._("The database was busy: the exchange tries again at once.")
        except Exception as error:  # noqa: BLE001  # pylint: disable=broad-exception-caught
            if not commit:
                raise
            self.env.cr.rollback()  # pylint: disable=invalid-commit
            _logger.exception("hotline_exchange: the round failed on the center")
            self._failed(link, now, self.env._("The round failed on the center: %s",
                                               str(error)[:300] or type(error).__name__), stats, commit)

    @api.model
    def _failed(self, link, now, message, stats, commit):
        """Count a failed round on the link (amber, then red) and retry it after a growing pause."""
        if commit:
            self.env.cr.rollback()  # pylint: disable=invalid-commit  # the batches committed stay
        stats["error"] = message
        try:
            failures = link.failures + 1
            _logger.warning("hotline_exchange: %s (failure %s in a row)", message, failures)
            link.write({"last_attempt": now, "last_error": message, "failures": failures,
                        "next_attempt": fields.Datetime.now() + timedelta(seconds=backoff_seconds(failures))})
            pending = self.env["hotline.exchange.event"].sudo().search([("state", "=", "pending")], order="id",
                                                                       limit=BATCH)
            pending._mark_failed(message)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        except psycopg2.Error as error:
            if not commit:
                raise
            self.env.cr.rollback()  # pylint: disable=invalid-commit
            _logger.warning("hotline_exchange: the failure could not be recorded (%s)", error)

    @api.model
    def _pull_all(self, stats, started, commit):
        """Fetch, apply, commit, acknowledge, batch after batch, for at most the round's time."""
        size = self._batch_size()
        while True:
            try:
                events = self._call("fetch_events", commit=commit, after=0, limit=size)
            except AnswerTooLarge:
                if size == 1:
                    raise
                size = max(size // 2, 1)  # large events (files): fewer at a time, the answer fits
                continue
            if not events:
                return
            before = stats["pulled"] + stats["refused"]
            uids = self._apply_unit_events(events, stats)
            fresh = stats["pulled"] + stats["refused"] - before  # an event received before counts neither
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit  # applied for good before the ack
            if uids:
                self._call("ack", commit=commit, uids=uids)
            # nothing new (the unit server sends what was acknowledged already): the next round asks again
            if len(events) < size or not fresh or time.monotonic() - started > RUN_BUDGET_SECONDS:
                return

    @api.model
    def _push_all(self, stats, started, commit):
        size = _PUSH_SIZE.get(self.env.cr.dbname) or self._batch_size()
        while time.monotonic() - started <= RUN_BUDGET_SECONDS:
            call_started = time.monotonic()
            sent = self._push_batch(stats, size, commit=commit)
            if not sent:
                _PUSH_SIZE.pop(self.env.cr.dbname, None)
                return
            # a full batch means a backlog: fewer, larger calls (one transaction each on the unit server), the
            # next twice as large if this one was brisk, half as large (not below the base) if it was slow
            if sent < size:
                size = self._batch_size()
            elif time.monotonic() - call_started < BRISK_CALL_SECONDS:
                size = min(size * 2, MAX_BATCH)
            else:
                size = max(size // 2, self._batch_size())
            _PUSH_SIZE[self.env.cr.dbname] = size
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit  # each batch is delivered for good

    @api.model
    def _push_batch(self, stats, size=None, commit=False):
        """Send the oldest pending events (at most `size`); returns how many were sent (0: nothing to send)."""
        events = self.env["hotline.exchange.event"].sudo().search([("state", "=", "pending")], order="id",
                                                                  limit=size or self._batch_size())
        if not events:
            return 0
        results = {result["uid"]: result for result in self._call("receive", commit=commit, events=events._wire())}
        now = fields.Datetime.now()
        delivered = refused = events.browse()
        for event in events:
            result = results.get(event.uid)
            if not result:
                continue
            if result["result"] == "refused":
                reason = clean(result.get("reason"), 2000)
                _logger.warning("hotline_exchange: the unit server refused event %s (%s): %s", event.uid,
                                event.kind, reason)
                event.write({"state": "refused", "refusal_reason": reason, "date_sent": now})
                refused |= event
            else:
                delivered |= event
        delivered.write({"state": "sent", "date_sent": now, "last_error": False})
        stats["pushed"] += len(delivered)
        stats["push_refused"] += len(refused)
        return len(events)

    # ------------------------------------------------------------------
    # Applying the unit server's events on the center
    # ------------------------------------------------------------------
    @api.model
    def _apply_unit_events(self, events, stats):
        """Apply the unit server's events (each once, each checked); returns the ids to acknowledge, exactly as
        sent. Only the events not received before count in `stats`."""
        Inbox = self.env["hotline.exchange.inbox"].sudo()
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        uids = []
        for event in events:
            lang = event.get("lang") if isinstance(event.get("lang"), str) and event["lang"] in installed else None
            inbox = Inbox.with_context(lang=lang) if lang else Inbox
            result = inbox._receive(event, UNIT_KINDS, inbox.env["hotline.exchange.link"]._apply_unit_event)
            if result["uid"]:
                uids.append(result["uid"])
            if result.get("again"):
                continue
            if result["result"] == "applied":
                stats["pulled"] += 1
            elif result["result"] == "refused":
                stats["refused"] += 1
                case_ref = event.get("case_ref")
                if UID_RE.fullmatch(result["uid"]) and type(case_ref) is int and 0 <= case_ref <= PG_INT_MAX:
                    self._refuse_back(event, result)
        return uids

    @api.model
    def _refuse_back(self, event, result):
        """The refusal for the unit server; a failure to write it leaves the event refused here (logged)."""
        try:
            with self.env.cr.savepoint():
                self._send_refusal(event, result)
        except TRANSIENT:
            raise
        except Exception:  # noqa: BLE001  # pylint: disable=broad-exception-caught
            _logger.exception("hotline_exchange: the refusal of event %s could not be queued", result["uid"])

    @api.model
    def _send_refusal(self, event, result):
        """Tell the unit server why its step was refused (with what: hotline.case._exchange_refusal)."""
        if isinstance(event, dict) and event.get("kind") in UNIT_ACTIONS:
            self.env["hotline.case"]._exchange_refusal(event, result)

    @api.model
    def _apply_unit_event(self, event):
        kind, payload = event["kind"], event["payload"]
        # a case the unit server was never sent for this unit is unknown to it, whatever the case
        case, unit = self.env["hotline.case"]._exchange_unit_case(event)
        if not unit or not case._exchange_sent():
            raise ExchangeRefused(self.env._("Unknown case."))
        actor = clean_actor(event.get("actor"))
        center_user = self.env.ref("hotline_exchange.user_unit_server")
        case = case.with_user(center_user).with_context(
            hotline_exchange_applying=True, hotline_exchange_actor=f"{actor} ({unit.name})" if actor else unit.name,
        ).sudo()
        if kind == "message":
            if not isinstance(payload.get("body"), str) or not payload["body"].strip():
                raise ExchangeRefused(self.env._("The message is empty."))
            case._exchange_post(payload, author=unit.partner_id or center_user.partner_id)
            return
        if case.unit_id != unit:
            raise ExchangeRefused(self.env._(
                "Case %(case)s is no longer with %(unit)s: the center has moved it on (it is “%(state)s”).",
                case=case.name, unit=unit.name,
                state=dict(case._fields["state"]._description_selection(self.env))[case.state]))
        case._exchange_apply_unit_action(kind, payload)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def _compute_exchange_off(self):
        off = self.env["hotline.exchange.event"]._role() != "center"
        for link in self:
            link.exchange_off = off

    def _check_center(self):
        if self.env["hotline.exchange.event"]._role() != "center":
            raise UserError(self.env._(
                "The exchange is off: this server is not set up as the center (Settings › Exchange Role)."))

    def action_run_now(self):
        self.env["hotline.case"]._check_group("base.group_system", self.env._("run the exchange for"))
        self._check_center()
        self.sudo().write({"next_attempt": False})
        stats = self.run_once()
        # the round's codes, said in words
        words = {"waiting": self.env._("The exchange waits before trying again after failures."),
                 "locked": self.env._("An exchange round is already running.")}
        error = words.get(stats["error"], stats["error"])
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "type": "danger" if error else "success", "sticky": False,
            "message": error or self.env._(
                "Delivered %(pushed)s, applied %(pulled)s unit events, refused %(refused)s.", **stats),
        }}

    def action_sync_all(self):
        """Send every unit and every case in the units' hands again (first set-up, or a unit server rebuilt)."""
        self.env["hotline.case"]._check_group("base.group_system", self.env._("resynchronise"))
        self._check_center()  # nothing would ever send them
        Event = self.env["hotline.exchange.event"]
        for unit in self.env["hotline.unit"].sudo().with_context(active_test=False).search([]):  # pylint: disable=no-search-all
            Event._enqueue("unit", unit._exchange_payload())
        cases = self.env["hotline.case"].sudo().search([
            ("state", "in", ("dispatched", "processing", "submitted")), ("handled_unit_ids", "!=", False)])
        for case in cases:
            Event._enqueue("case", {**case._exchange_snapshot(), "actions": []}, case=case)
        return True

    @api.model
    def _cron_run(self):
        """Fallback when the exchange loop (scripts/odoo hotline_exchange) is not running."""
        self.run_once()
