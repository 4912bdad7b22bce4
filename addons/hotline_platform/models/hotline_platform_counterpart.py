import logging
import re
from datetime import timedelta

import psycopg2.errors

import odoo.modules.module
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import transports

_logger = logging.getLogger(__name__)

TRANSPORT_SELECTION = [
    ("rest", "REST/JSON"),
    ("soap", "SOAP/WebService"),
    ("middb", "Intermediate Database (中间库)"),
    ("manual", "No Interface (relayed by hand)"),
]
# a platform's code, as its webhook address and the proxy's allow-list take it
CODE = re.compile(r"[a-z0-9_-]{1,32}")
# an outbound event failing this many times in a row goes to the dead letters (重发 puts it back)
DEFAULT_MAX_ATTEMPTS = 12
# a failed call is retried after 2, 4, 8 … seconds, at most this long: a platform back after an hour of
# outage receives its backlog within one wait
MAX_BACKOFF_SECONDS = 60
# A successful contact is written at most this often while the link is healthy (see _contact_ok).
CONTACT_REFRESH_SECONDS = 30
# what one run of the exchange sends or fetches at most (the rest follows in the next round, in order)
BATCH = 500


def commit(env):
    """Make what was received durable before the platform is told (the exchange's own transactions, never a
    user's); under the test runner, whose cursor must not commit, a flush stands in for it."""
    if odoo.modules.module.current_test:
        env.flush_all()
    else:
        env.cr.commit()  # pylint: disable=invalid-commit


def backoff_seconds(attempts):
    return min(2 ** max(attempts, 1), MAX_BACKOFF_SECONDS)


class HotlinePlatformCounterpart(models.Model):
    """An upstream platform (the city's 12345) the center exchanges work orders with, and how: the transport,
    its address and credentials, the code tables and the state of the link."""

    _name = "hotline.platform.counterpart"
    _description = "Upstream Platform"
    _inherit = ["hotline.secret.mixin"]
    _order = "name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short name in the webhook address: /hotline/platform/<code>/events.")
    active = fields.Boolean(default=True)
    transport = fields.Selection(TRANSPORT_SELECTION, required=True, default="rest")
    poll = fields.Boolean(
        string="Poll for Events", default=True,
        help="Fetch the platform's events every run. Without it, a REST platform pushes them to the webhook.")
    endpoint = fields.Char(
        string="Address", help="REST: base URL of the platform's API. SOAP: URL of its WSDL.")
    secret = fields.Char(
        string="Signing Key", groups="base.group_system", hotline_secret=True, copy=False,
        help="Shared key of the HMAC-SHA256 signatures on every message both ways (REST and SOAP).")
    db_host = fields.Char(string="Database Host")
    db_port = fields.Integer(string="Database Port", default=3306)
    db_name = fields.Char(string="Database Name")
    db_user = fields.Char(string="Database User", groups="base.group_system")
    db_password = fields.Char(string="Database Password", groups="base.group_system", hotline_secret=True,
                              copy=False)
    timeout = fields.Integer(string="Timeout (s)", default=10)
    max_attempts = fields.Integer(default=DEFAULT_MAX_ATTEMPTS,
                                  help="Failed attempts after which an event goes to the dead letters.")
    intake_state = fields.Selection(
        [("draft", "Recording (an agent reviews it)"), ("pool", "To Dispatch")], default="pool", required=True,
        string="New Work Orders Go To")
    code_table_ids = fields.One2many("hotline.platform.code.table", "counterpart_id", string="Code Tables")
    poll_cursor = fields.Char(readonly=True, copy=False, groups="base.group_system")
    last_contact = fields.Datetime(readonly=True, copy=False)
    failures = fields.Integer(string="Failures in a Row", readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    pending_count = fields.Integer(compute="_compute_status", string="To Send")
    dead_count = fields.Integer(compute="_compute_status", string="Dead Letters")
    waiting_count = fields.Integer(compute="_compute_status", string="Received, Waiting")
    lag_seconds = fields.Integer(compute="_compute_status", string="Lag (s)")

    _code_uniq = models.Constraint("UNIQUE(code)", "Each platform has its own code.")

    @api.constrains("code")
    def _check_code(self):
        for counterpart in self:
            if not CODE.fullmatch(counterpart.code or ""):
                raise ValidationError(self.env._(
                    "The platform's code goes into its webhook address: use 1 to 32 lowercase letters, digits, "
                    "“-” or “_”."))

    # ------------------------------------------------------------------
    # Status
    # ------------------------------------------------------------------
    def _compute_status(self):
        for counterpart in self:
            status = counterpart._status()
            counterpart.pending_count = status["pending"]
            counterpart.dead_count = status["dead"]
            counterpart.waiting_count = status["waiting"]
            counterpart.lag_seconds = int(status["lag"])

    def _status(self):
        """Events to send, dead letters, inbound events waiting for an earlier one, and the lag: the age of the
        oldest event not yet acknowledged by the platform or applied here."""
        self.ensure_one()
        self.env["hotline.platform.event"].flush_model(["state", "direction", "counterpart_id"])
        self.env.cr.execute("""
            SELECT count(*) FILTER (WHERE direction = 'out' AND state = 'pending'),
                   count(*) FILTER (WHERE state = 'dead'),
                   count(*) FILTER (WHERE direction = 'in' AND state = 'received'),
                   min(create_date) FILTER (WHERE state IN ('pending', 'received'))
              FROM hotline_platform_event
             WHERE counterpart_id = %s AND state IN ('pending', 'dead', 'received')
        """, [self.id])
        pending, dead, waiting, oldest = self.env.cr.fetchone()
        lag = (fields.Datetime.now() - oldest).total_seconds() if oldest else 0.0
        return {"pending": pending, "dead": dead, "waiting": waiting, "lag": max(lag, 0.0),
                "failures": self.failures, "last_error": self.last_error or "", "last_contact": self.last_contact}

    # ------------------------------------------------------------------
    # Code tables
    # ------------------------------------------------------------------
    def _code_table(self, version=None):
        """The code table of `version`, else the one in force today."""
        self.ensure_one()
        tables = self.code_table_ids
        if version:
            table = tables.filtered(lambda t: t.version == version)
            if not table:
                raise UserError(self.env._("Platform %(platform)s has no code table version %(version)s.",
                                           platform=self.name, version=version))
            return table
        today = self.env.company._hotline_local_day()  # the table in force on the center's day, whoever runs the job
        table = tables.filtered(lambda t: t.date_start <= today).sorted("date_start", reverse=True)[:1]
        if not table:
            raise UserError(self.env._("Platform %s has no code table in force: add one first.", self.name))
        return table

    # ------------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------------
    def _transport(self):
        self.ensure_one()
        return transports.for_counterpart(self.sudo())

    def _run(self):
        """One round of the exchange with each platform: send what is due, fetch what the platform has."""
        for counterpart in self:
            if counterpart.transport == "manual":
                continue
            try:
                counterpart._send_due()
                if counterpart.poll:
                    counterpart._fetch()
            except transports.TransportError as error:
                counterpart._contact_failed(str(error))
        return True

    def _contact_ok(self):
        """Note a successful contact. While the link is healthy the row is written only when the last contact
        is older than CONTACT_REFRESH_SECONDS: the webhook's calls and the sending job otherwise update the same
        row in every transaction and fail each other to serialize, and a sending round that fails after the
        platform took its events is rolled back and sends them again. When both note the link back (after a
        failure) at once, the one whose snapshot is older finds the row updated: its update is dropped under
        its savepoint (the other's contact stands) and its transaction goes on."""
        now = fields.Datetime.now()
        due = self.sudo().filtered(lambda c: c.failures or c.last_error or not c.last_contact
                                   or now - c.last_contact >= timedelta(seconds=CONTACT_REFRESH_SECONDS))
        if not due:
            return
        fields_written = ["last_contact", "failures", "last_error", "write_date", "write_uid"]
        due.flush_recordset(fields_written)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL(
                    "UPDATE hotline_platform_counterpart SET last_contact = %s, failures = 0, last_error = NULL, "
                    "write_date = %s, write_uid = %s WHERE id IN %s", now, now, self.env.uid, tuple(due.ids)),
                    log_exceptions=False)
        except psycopg2.errors.SerializationFailure:
            _logger.debug("12345 platform %s: contact noted meanwhile by another transaction", due.mapped("code"))
        due.invalidate_recordset(fields_written)

    def _contact_failed(self, error):
        _logger.warning("12345 platform %s: %s", self.code, error)
        self.sudo().write({"failures": self.failures + 1, "last_error": error})

    def _send_due(self):
        """Send the outbound events that are due, oldest first, keeping each work order's order: an event
        waits while an earlier one of the same work order is still unacknowledged (retry or dead letter)."""
        self.ensure_one()
        Event = self.env["hotline.platform.event"].sudo()
        now = fields.Datetime.now()
        events = Event.search([("counterpart_id", "=", self.id), ("direction", "=", "out"),
                               ("state", "in", ("pending", "dead"))], order="id", limit=BATCH * 4)
        blocked, batch = set(), Event
        for event in events:
            if event.platform_ref in blocked:
                continue
            if event.state == "dead" or (event.next_attempt and event.next_attempt > now):
                blocked.add(event.platform_ref)
                continue
            batch |= event
            if len(batch) >= BATCH:
                break
        if not batch:
            return 0
        try:
            answer = self._transport().push(batch._wire())
        except transports.TransportError as error:
            batch._mark_failed(str(error), self.max_attempts)
            raise
        self._contact_ok()
        acked, refused = set(answer.get("acks", ())), answer.get("refused", {})
        by_key = {event.key: event for event in batch}
        for key, reason in refused.items():
            if key in by_key:
                by_key[key]._refuse(reason)
        delivered = batch.filtered(lambda e: e.key in acked)
        delivered.write({"state": "sent", "date_ack": fields.Datetime.now(), "last_error": False})
        # an event neither acknowledged nor refused was not taken: retried, in order
        (batch - delivered).filtered(lambda e: e.state == "pending")._mark_failed(
            self.env._("Not acknowledged by the platform."), self.max_attempts)
        return len(delivered)

    def _fetch(self):
        """Fetch the platform's new events, store them (each key once), apply them in each work order's order,
        and confirm them to the platform only once stored: a crash in between makes the platform send them
        again, and the inbox's keys make the repetition harmless."""
        self.ensure_one()
        transport = self._transport()
        events, cursor = transport.pull(self.sudo().poll_cursor)
        self._contact_ok()
        if not events:
            return 0
        result = self.env["hotline.platform.event"].sudo()._receive(self, events)
        if cursor is not None:
            self.sudo().poll_cursor = cursor
        commit(self.env)
        transport.confirm([key for key in result["acks"] + result["duplicates"]])
        return len(result["acks"])

    def action_run_now(self):
        self.env["hotline.platform.event"]._check_operator()
        self.sudo()._run()
        return True

    def action_prepare_middb(self):
        """Create the exchange tables in the intermediate database (if missing)."""
        self.ensure_one()
        if self.transport != "middb":
            raise UserError(self.env._("Only an intermediate database has tables to prepare."))
        self._transport().prepare()
        return True

    @api.model
    def _cron_run(self):
        for counterpart in self.sudo().search([("transport", "!=", "manual")]):
            counterpart._run()
            commit(self.env)
        return True

    @api.model
    def _cron_prune_signatures(self):
        self.env["hotline.platform.signature"].sudo().search(
            [("create_date", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
        return True


class HotlinePlatformSignature(models.Model):
    """Signatures of the webhook calls accepted in the last day: a call replayed inside the time window the
    timestamp allows is refused (its events would be ignored as duplicates anyway)."""

    _name = "hotline.platform.signature"
    _description = "Platform Webhook Signature Seen"

    signature = fields.Char(required=True, readonly=True)

    _signature_uniq = models.Constraint("UNIQUE(signature)", "A signature is accepted once.")

    @api.model
    def _first_use(self, signature):
        """Record the signature; False when it was seen before (concurrent replays: one insert wins)."""
        self.env.cr.execute("""
            INSERT INTO hotline_platform_signature (signature, create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
            ON CONFLICT (signature) DO NOTHING RETURNING id""", [signature, self.env.uid, self.env.uid],
            # the same call in a concurrent transaction fails to serialize: replayed by Odoo, then refused
            log_exceptions=False)
        return bool(self.env.cr.fetchone())
