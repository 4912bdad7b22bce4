import secrets
import shutil
from datetime import timedelta

import psycopg2
import pytz

from odoo import api, fields, models, sql_db
from odoo.exceptions import AccessError
from odoo.tools import config

from .health_message import _lt, at, record, render, seconds

STATES = [("green", "OK"), ("amber", "Warning"), ("red", "Failing")]
SEVERITY = {"green": 0, "amber": 1, "red": 2}
# Bridge heartbeats come every ping (10 s); a catch-up every 30 s.
BACKFILL_STALE = timedelta(minutes=3)
QUEUE_LOG_LAG_WARN = 64 * 1024
POP_P95_WARN_MS, POP_P95_FAIL_MS = 150, 500
# Seconds the reporting replica may trail the primary before its row turns amber / red.
REPLICA_LAG_WARN, REPLICA_LAG_FAIL = 30, 300


class HotlineHealthCheck(models.Model):
    """One row per moving part of the hotline, refreshed every minute.

    Each probe says green / amber / red and the fact behind the colour. A row
    turning red opens an incident and warns the administrators once (activity +
    bus notification); leaving red closes the incident with a note. Other addons
    add rows by extending ``_probes``."""

    _name = "hotline.health.check"
    _description = "Hotline Health Check"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, key"

    key = fields.Char(required=True, readonly=True, index=True)
    sequence = fields.Integer(readonly=True)
    # the job stores what it measured (see health_message); the words are the reader's
    name_message = fields.Json(readonly=True)
    fact_message = fields.Json(readonly=True)
    name = fields.Char(string="Part", compute="_compute_words", search="_search_name")
    state = fields.Selection(STATES, required=True, default="green", readonly=True, tracking=True)
    fact = fields.Char(compute="_compute_words", help="What was measured at the last check.")
    since = fields.Datetime(string="In This State Since", readonly=True)
    checked = fields.Datetime(string="Last Checked", readonly=True)
    incident_id = fields.Many2one("hotline.health.event", readonly=True, ondelete="set null")

    _key_unique = models.UniqueIndex("(key)", "Each part has one health row.")

    @api.depends_context("lang", "tz", "uid")
    @api.depends("name_message", "fact_message")
    def _compute_words(self):
        tz = self._reader_tz()
        for check in self:
            check.name = render(self.env, check.name_message, tz)
            check.fact = render(self.env, check.fact_message, tz)

    def _search_name(self, operator, value):
        if operator not in ("ilike", "not ilike", "=", "!=") or not isinstance(value, str):
            return NotImplemented
        # a few dozen rows: matched on the words the reader sees
        rows = self.sudo().search_fetch([], ["name_message"])
        hits = [row.id for row in rows if (value.lower() in row.with_env(self.env).name.lower()
                                           if "ilike" in operator else row.with_env(self.env).name == value)]
        return [("id", "in" if operator in ("ilike", "=") else "not in", hits)]

    @api.model
    def _reader_tz(self):
        """The reader's time zone, else the center's."""
        name = self.env.context.get("tz") or self.env.user.tz or self.env.company._hotline_tz().zone
        try:
            return pytz.timezone(name)
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    @api.model
    def _words(self, message, lang=None):
        """A stored message worded in `lang` (default: the reader's)."""
        env = self.with_context(lang=lang).env if lang else self.env
        return render(env, message, self.with_env(env)._reader_tz())

    # -- settings ---------------------------------------------------------------------
    @api.model
    def _bridge_silence(self):
        """Seconds without a bridge heartbeat before its row turns red (while agents are signed in)."""
        value = self.env["ir.config_parameter"].sudo().get_param("hotline_health.bridge_silent_seconds", "60")
        try:
            return max(5, int(value))
        except ValueError:
            return 60

    @api.model
    def _ensure_metrics_token(self):
        params = self.env["ir.config_parameter"].sudo()
        if not params.get_param("hotline_health.metrics_token"):
            params.set_param("hotline_health.metrics_token", secrets.token_urlsafe(32))

    # -- probes -----------------------------------------------------------------------
    @api.model
    def _probes(self):
        """Methods returning rows: dicts with key, name, state, fact (and sequence)."""
        return [self._probe_bridges, self._probe_crons, self._probe_mail, self._probe_database, self._probe_replica,
                self._probe_disk]

    @api.model
    def _probe_bridges(self):
        rows = []
        now = fields.Datetime.now()
        silence = self._bridge_silence()
        Session = self.env["hotline.agent.session"].sudo()
        for pbx in self.env["hotline.pbx"].sudo().search([("active", "=", True)]):
            signed_in = Session.search_count([("pbx_id", "=", pbx.id), ("stop", "=", False)])
            age = (now - pbx.bridge_heartbeat).total_seconds() if pbx.bridge_heartbeat else None
            up = pbx.bridge_status == "connected" and age is not None and age <= silence
            if up:
                state = "green"
                last = ((now - pbx.bridge_last_event).total_seconds() if pbx.bridge_last_event else None)
                fact = _lt(
                    "Connected since %(since)s on %(host)s (pid %(pid)s); last event %(last)s; "
                    "%(events)s events in the last minute; %(agents)s agents signed in",
                    since=at(pbx.bridge_connected_since), host=pbx.bridge_host or "?",
                    pid=pbx.bridge_pid or "?", events=pbx.bridge_events_minute, agents=signed_in,
                    last=_lt("%s s ago", round(last)) if last is not None else _lt("none yet"))
            else:
                state = "red" if signed_in else "amber"
                fact = _lt(
                    "No heartbeat for %(age)s (status: %(status)s) while %(agents)s agents are signed in: "
                    "calls are not being recorded",
                    age=seconds(age), status=pbx.bridge_status or "-", agents=signed_in,
                ) if signed_in else _lt(
                    "Not running (status: %(status)s, last heartbeat %(age)s ago); no agent is signed in",
                    status=pbx.bridge_status, age=seconds(age),
                ) if pbx.bridge_heartbeat else _lt("Never started; no agent is signed in")
            rows.append({"key": f"bridge:{pbx.id}", "sequence": 10,
                         "name": _lt("AMI bridge: %s", pbx.name), "state": state, "fact": fact})
            rows.append(self._catch_up_row(pbx, up, now))
            rows.append(self._pop_row(pbx))
        return rows

    def _catch_up_row(self, pbx, up, now):
        lag = pbx.bridge_queue_log_lag
        stale = not pbx.bridge_backfill_time or now - pbx.bridge_backfill_time > BACKFILL_STALE
        if not up:
            state, fact = "amber", _lt("Waiting for the bridge")
        elif stale:
            state = "red"
            fact = _lt("No queue_log catch-up since %s", at(pbx.bridge_backfill_time) or "-")
        else:
            state = "amber" if lag > QUEUE_LOG_LAG_WARN else "green"
            fact = _lt("Last catch-up %(at)s, %(lag)s bytes of queue_log behind",
                              at=at(pbx.bridge_backfill_time), lag=lag)
        return {"key": f"catchup:{pbx.id}", "sequence": 11, "state": state, "fact": fact,
                "name": _lt("queue_log catch-up: %s", pbx.name)}

    def _pop_row(self, pbx):
        p95 = pbx.bridge_pop_p95
        if not p95:
            state, fact = "green", _lt("No screen pop measured yet")
        else:
            state = "red" if p95 > POP_P95_FAIL_MS else "amber" if p95 > POP_P95_WARN_MS else "green"
            fact = _lt("p95 %(ms)s ms over the recent pops (goal %(goal)s ms)", ms=p95, goal=POP_P95_WARN_MS)
        return {"key": f"pop:{pbx.id}", "sequence": 12, "state": state, "fact": fact,
                "name": _lt("Screen pop: %s", pbx.name)}

    @api.model
    def _probe_crons(self):
        """The hotline's scheduled jobs and Odoo's mail queue: last run, duration, failures."""
        modules = self.env["ir.model.data"].sudo().search([
            ("model", "=", "ir.cron"),
            "|", ("module", "=like", "hotline%"), ("name", "=", "ir_cron_mail_scheduler_action"),
        ])
        crons = self.env["ir.cron"].sudo().with_context(active_test=False).browse(modules.mapped("res_id")).exists()
        Progress = self.env["ir.cron.progress"].sudo()
        rows = []
        now = fields.Datetime.now()
        for cron in crons.sorted("id"):
            last = Progress.search([("cron_id", "=", cron.id)], order="id desc", limit=1)
            took = (last.write_date - last.create_date).total_seconds() if last else None
            if not cron.active:
                state = "amber"
            elif cron.failure_count >= 2:
                state = "red"
            elif cron.failure_count == 1 or (cron.nextcall and now - cron.nextcall > timedelta(hours=1)):
                state = "amber"  # one failure, or overdue by an hour: no cron worker is running
            else:
                state = "green"
            fact = _lt(
                "Last run %(last)s (%(took)s); next %(next)s; consecutive failures: %(failures)s%(since)s",
                last=at(cron.lastcall) or _lt("never"),
                took=_lt("%s s", round(took, 1)) if took is not None else "-",
                next=at(cron.nextcall) if cron.active else _lt("disabled"),
                failures=cron.failure_count,
                since=_lt(", failing since %s", at(cron.first_failure_date))
                if cron.first_failure_date else "")
            rows.append({"key": f"cron:{cron.id}", "sequence": 20, "state": state, "fact": fact,
                         "name": _lt("Scheduled job: %s", record(cron))})
        return rows

    @api.model
    def _probe_mail(self):
        Mail = self.env["mail.mail"].sudo()
        now = fields.Datetime.now()
        queued = Mail.search([("state", "=", "outgoing")], order="create_date asc")
        failed = Mail.search_count([("state", "=", "exception"), ("write_date", ">=", now - timedelta(days=1))])
        oldest = (now - queued[0].create_date).total_seconds() if queued else 0
        state = ("red" if failed >= 3 or oldest > 3600 else
                 "amber" if failed or oldest > 900 else "green")
        fact = _lt("%(queued)s waiting (oldest %(oldest)s), %(failed)s failed in the last day",
                          queued=len(queued), oldest=seconds(oldest), failed=failed)
        return [{"key": "mail", "sequence": 30, "name": _lt("Outgoing mail"), "state": state, "fact": fact}]

    @api.model
    def _probe_database(self):
        cr = self.env.cr
        cr.execute("SELECT pg_database_size(current_database()), "
                   "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()), "
                   "current_setting('max_connections')::int")
        size, connections, max_connections = cr.fetchone()
        cr.execute("""SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c
                       JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = 'public' AND c.relkind = 'r'
                      ORDER BY 2 DESC LIMIT 5""")
        largest = ", ".join(f"{name} {self._size(total)}" for name, total in cr.fetchall())
        state = "red" if connections > 0.9 * max_connections else "amber" if connections > 0.75 * max_connections \
            else "green"
        fact = _lt("%(size)s; %(connections)s of %(max)s connections; largest tables: %(largest)s",
                          size=self._size(size), connections=connections, max=max_connections, largest=largest)
        return [{"key": "database", "sequence": 40, "name": _lt("Database"), "state": state, "fact": fact}]

    @api.model
    def _probe_replica(self):
        """The reporting replica, when Odoo is configured with one (db_replica_host / db_replica_port)."""
        if not (config.get("db_replica_host") or config.get("db_replica_port")):
            return []
        row = {"key": "replica", "sequence": 45, "name": _lt("Reporting replica")}
        try:
            with sql_db.db_connect(self.env.cr.dbname, readonly=True).cursor() as cr:
                cr.execute("""SELECT pg_is_in_recovery(),
                                     pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
                                     EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())""")
                standby, idle, age = cr.fetchone()
        except psycopg2.Error as exc:
            return [dict(row, state="red", fact=_lt(
                "Unreachable, reports fall back to the primary: %s", str(exc).strip().splitlines()[0][:200]))]
        if not standby:
            return [dict(row, state="amber", fact=_lt("Not a standby: reports read a server that does not "
                                                            "follow the primary"))]
        # Nothing left to replay: the replica is current, however long ago the primary last wrote.
        lag = 0 if idle else float(age or 0)
        state = "red" if lag > REPLICA_LAG_FAIL else "amber" if lag > REPLICA_LAG_WARN else "green"
        return [dict(row, state=state, fact=_lt("Streaming; %(lag)s behind the primary",
                                                        lag=seconds(lag)))]

    @api.model
    def _probe_disk(self):
        usage = shutil.disk_usage(config["data_dir"])
        free = usage.free / usage.total if usage.total else 0
        state = "red" if free < 0.05 else "amber" if free < 0.15 else "green"
        fact = _lt("%(free)s free of %(total)s (%(pct)s%%) where the file store lives",
                          free=self._size(usage.free), total=self._size(usage.total), pct=round(free * 100))
        return [{"key": "disk", "sequence": 50, "name": _lt("Disk"), "state": state, "fact": fact}]

    # -- refresh ----------------------------------------------------------------------
    @api.model
    def _refresh(self):
        """Run every probe, update the rows and warn on the way into red (the cron's job)."""
        now = fields.Datetime.now()
        rows = [self._stored(row) for probe in self._probes() for row in probe()]
        existing = {check.key: check for check in self.sudo().search([("key", "!=", False)])}
        for row in rows:
            check = existing.pop(row["key"], None)
            if check is None:
                check = self.sudo().create(dict(row, since=now, checked=now))
                if row["state"] == "red":
                    check._open_incident()
                continue
            previous = check.state
            check.write(dict(row, checked=now, **({"since": now} if row["state"] != previous else {})))
            if row["state"] == "red" and previous != "red":
                check._open_incident()
            elif previous == "red" and row["state"] != "red":
                check._close_incident()
        for gone in existing.values():  # a PBX or cron that no longer exists
            if gone.incident_id:
                gone._close_incident()
            gone.unlink()
        return True

    @api.model
    def _stored(self, row):
        row = dict(row)
        row["name_message"] = row.pop("name")
        row["fact_message"] = row.pop("fact")
        return row

    def action_refresh(self):
        """*Check Now*: administrators only (the probes run with sudo and may warn every administrator)."""
        if not self.env.is_system():
            raise AccessError(self.env._("Only administrators can check the system's health."))
        self._refresh()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_download_bundle(self):
        return {"type": "ir.actions.act_url", "url": "/hotline/health/bundle", "target": "download"}

    def _admins(self):
        return self.env.ref("base.group_system").sudo().all_user_ids.filtered(
            lambda u: u.active and not u.share and u.id != self.env.ref("base.user_root").id)

    def _open_incident(self):
        self.ensure_one()
        incident = self.env["hotline.health.event"].sudo().create({
            "check_key": self.key, "name_message": self.name_message, "kind": "incident", "start": self.since,
            "detail_message": self.fact_message,
        })
        self.incident_id = incident
        for admin in self._admins():
            # each administrator reads it in their own language and time zone
            check = self.with_user(admin).sudo().with_context(lang=admin.lang, tz=admin.tz)
            title = check.env._("System health: %s is failing", check.name)
            self.activity_schedule("mail.mail_activity_data_todo", user_id=admin.id, summary=title, note=check.fact)
            admin._bus_send("simple_notification", {"title": title, "message": check.fact, "type": "danger",
                                                    "sticky": True})

    def _close_incident(self):
        self.ensure_one()
        if self.incident_id:
            self.incident_id.stop = fields.Datetime.now()
        self.incident_id = False
        # the chatter is read by everyone: in the center's language and time zone
        check = self.with_context(lang=self._center_lang(), tz=self.env.company._hotline_tz().zone)
        note = check.env._("Recovered: %s", check.fact)
        self.activity_ids.action_feedback(feedback=note)
        self.message_post(body=note, subtype_xmlid="mail.mt_note")

    @api.model
    def _center_lang(self):
        return self.env.company.partner_id.lang or self.env["res.lang"]._get_data(active=True).code or "en_US"

    # -- formatting -------------------------------------------------------------------
    def _duration(self, seconds):
        seconds = int(seconds or 0)
        if seconds < 120:
            return self.env._("%s s", seconds)
        if seconds < 7200:
            return self.env._("%s min", seconds // 60)
        return self.env._("%s h", seconds // 3600)

    @staticmethod
    def _size(n):
        for unit in ("B", "KB", "MB", "GB"):
            if n < 1024 or unit == "GB":
                return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
            n /= 1024
        return f"{n:.1f} TB"
