import secrets
import shutil
from datetime import timedelta

import psycopg2

from odoo import api, fields, models, sql_db
from odoo.exceptions import AccessError
from odoo.tools import config

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
    name = fields.Char(string="Part", required=True, readonly=True)
    state = fields.Selection(STATES, required=True, default="green", readonly=True, tracking=True)
    fact = fields.Char(readonly=True, help="What was measured at the last check.")
    since = fields.Datetime(string="In This State Since", readonly=True)
    checked = fields.Datetime(string="Last Checked", readonly=True)
    incident_id = fields.Many2one("hotline.health.event", readonly=True, ondelete="set null")

    _key_unique = models.UniqueIndex("(key)", "Each part has one health row.")

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
                fact = self.env._(
                    "Connected since %(since)s on %(host)s (pid %(pid)s); last event %(last)s; "
                    "%(events)s events in the last minute; %(agents)s agents signed in",
                    since=self._local(pbx.bridge_connected_since), host=pbx.bridge_host or "?",
                    pid=pbx.bridge_pid or "?", events=pbx.bridge_events_minute, agents=signed_in,
                    last=self.env._("%s s ago", round(last)) if last is not None else self.env._("none yet"))
            else:
                state = "red" if signed_in else "amber"
                fact = self.env._(
                    "No heartbeat for %(age)s (status: %(status)s) while %(agents)s agents are signed in: "
                    "calls are not being recorded",
                    age=self._duration(age), status=pbx.bridge_status or "-", agents=signed_in,
                ) if signed_in else self.env._(
                    "Not running (status: %(status)s, last heartbeat %(age)s ago); no agent is signed in",
                    status=pbx.bridge_status, age=self._duration(age),
                ) if pbx.bridge_heartbeat else self.env._("Never started; no agent is signed in")
            rows.append({"key": f"bridge:{pbx.id}", "sequence": 10,
                         "name": self.env._("AMI bridge: %s", pbx.name), "state": state, "fact": fact})
            rows.append(self._catch_up_row(pbx, up, now))
            rows.append(self._pop_row(pbx))
        return rows

    def _catch_up_row(self, pbx, up, now):
        lag = pbx.bridge_queue_log_lag
        stale = not pbx.bridge_backfill_time or now - pbx.bridge_backfill_time > BACKFILL_STALE
        if not up:
            state, fact = "amber", self.env._("Waiting for the bridge")
        elif stale:
            state = "red"
            fact = self.env._("No queue_log catch-up since %s", self._local(pbx.bridge_backfill_time) or "-")
        else:
            state = "amber" if lag > QUEUE_LOG_LAG_WARN else "green"
            fact = self.env._("Last catch-up %(at)s, %(lag)s bytes of queue_log behind",
                              at=self._local(pbx.bridge_backfill_time), lag=lag)
        return {"key": f"catchup:{pbx.id}", "sequence": 11, "state": state, "fact": fact,
                "name": self.env._("queue_log catch-up: %s", pbx.name)}

    def _pop_row(self, pbx):
        p95 = pbx.bridge_pop_p95
        if not p95:
            state, fact = "green", self.env._("No screen pop measured yet")
        else:
            state = "red" if p95 > POP_P95_FAIL_MS else "amber" if p95 > POP_P95_WARN_MS else "green"
            fact = self.env._("p95 %(ms)s ms over the recent pops (goal %(goal)s ms)", ms=p95, goal=POP_P95_WARN_MS)
        return {"key": f"pop:{pbx.id}", "sequence": 12, "state": state, "fact": fact,
                "name": self.env._("Screen pop: %s", pbx.name)}

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
            fact = self.env._(
                "Last run %(last)s (%(took)s); next %(next)s; consecutive failures: %(failures)s%(since)s",
                last=self._local(cron.lastcall) or self.env._("never"),
                took=self.env._("%s s", round(took, 1)) if took is not None else "-",
                next=self._local(cron.nextcall) if cron.active else self.env._("disabled"),
                failures=cron.failure_count,
                since=self.env._(", failing since %s", self._local(cron.first_failure_date))
                if cron.first_failure_date else "")
            rows.append({"key": f"cron:{cron.id}", "sequence": 20, "state": state, "fact": fact,
                         "name": self.env._("Scheduled job: %s", cron.name)})
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
        fact = self.env._("%(queued)s waiting (oldest %(oldest)s), %(failed)s failed in the last day",
                          queued=len(queued), oldest=self._duration(oldest), failed=failed)
        return [{"key": "mail", "sequence": 30, "name": self.env._("Outgoing mail"), "state": state, "fact": fact}]

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
        fact = self.env._("%(size)s; %(connections)s of %(max)s connections; largest tables: %(largest)s",
                          size=self._size(size), connections=connections, max=max_connections, largest=largest)
        return [{"key": "database", "sequence": 40, "name": self.env._("Database"), "state": state, "fact": fact}]

    @api.model
    def _probe_replica(self):
        """The reporting replica, when Odoo is configured with one (db_replica_host / db_replica_port)."""
        if not (config.get("db_replica_host") or config.get("db_replica_port")):
            return []
        row = {"key": "replica", "sequence": 45, "name": self.env._("Reporting replica")}
        try:
            with sql_db.db_connect(self.env.cr.dbname, readonly=True).cursor() as cr:
                cr.execute("""SELECT pg_is_in_recovery(),
                                     pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
                                     EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())""")
                standby, idle, age = cr.fetchone()
        except psycopg2.Error as exc:
            return [dict(row, state="red", fact=self.env._(
                "Unreachable, reports fall back to the primary: %s", str(exc).strip().splitlines()[0][:200]))]
        if not standby:
            return [dict(row, state="amber", fact=self.env._("Not a standby: reports read a server that does not "
                                                            "follow the primary"))]
        # Nothing left to replay: the replica is current, however long ago the primary last wrote.
        lag = 0 if idle else float(age or 0)
        state = "red" if lag > REPLICA_LAG_FAIL else "amber" if lag > REPLICA_LAG_WARN else "green"
        return [dict(row, state=state, fact=self.env._("Streaming; %(lag)s behind the primary",
                                                        lag=self._duration(lag)))]

    @api.model
    def _probe_disk(self):
        usage = shutil.disk_usage(config["data_dir"])
        free = usage.free / usage.total if usage.total else 0
        state = "red" if free < 0.05 else "amber" if free < 0.15 else "green"
        fact = self.env._("%(free)s free of %(total)s (%(pct)s%%) where the file store lives",
                          free=self._size(usage.free), total=self._size(usage.total), pct=round(free * 100))
        return [{"key": "disk", "sequence": 50, "name": self.env._("Disk"), "state": state, "fact": fact}]

    # -- refresh ----------------------------------------------------------------------
    @api.model
    def _refresh(self):
        """Run every probe, update the rows and warn on the way into red (the cron's job)."""
        now = fields.Datetime.now()
        rows = [row for probe in self._probes() for row in probe()]
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
            "check_key": self.key, "name": self.name, "kind": "incident", "start": self.since, "detail": self.fact,
        })
        self.incident_id = incident
        title = self.env._("System health: %s is failing", self.name)
        for admin in self._admins():
            self.activity_schedule("mail.mail_activity_data_todo", user_id=admin.id, summary=title, note=self.fact)
            admin._bus_send("simple_notification", {"title": title, "message": self.fact, "type": "danger",
                                                    "sticky": True})

    def _close_incident(self):
        self.ensure_one()
        if self.incident_id:
            self.incident_id.stop = fields.Datetime.now()
        self.incident_id = False
        self.activity_ids.action_feedback(feedback=self.env._("Recovered: %s", self.fact))
        self.message_post(body=self.env._("Recovered: %s", self.fact), subtype_xmlid="mail.mt_note")

    # -- formatting -------------------------------------------------------------------
    def _local(self, value):
        """A UTC datetime in the center's time zone (the reader's, else the working calendar's)."""
        if not value:
            return ""
        tz = self.env.context.get("tz") or self.env.user.tz or self.env.company.resource_calendar_id.tz or "UTC"
        return fields.Datetime.context_timestamp(self.with_context(tz=tz), value).strftime("%Y-%m-%d %H:%M:%S")

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
