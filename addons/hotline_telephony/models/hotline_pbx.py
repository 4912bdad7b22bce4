import logging
import random
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..ami.adapter import AmiClient, AmiError

_logger = logging.getLogger(__name__)


class HotlinePbx(models.Model):
    _name = "hotline.pbx"
    _description = "Hotline PBX"

    name = fields.Char(required=True, default="Asterisk")
    active = fields.Boolean(default=True)
    host = fields.Char(string="AMI Host", required=True, default="127.0.0.1")
    port = fields.Integer(string="AMI Port", required=True, default=5038)
    username = fields.Char(string="AMI User", required=True, default="hotline")
    # Only administrators may read the secret; the bridge and agent actions read it with sudo().
    secret = fields.Char(string="AMI Secret", groups="base.group_system", copy=False)
    queue_names = fields.Char(string="Queues", required=True, default="hotline",
                              help="Comma-separated Asterisk queue names the agents log in to.")
    originate_context = fields.Char(string="Originate Context", required=True, default="hotline-originate",
                                    help="Dialplan context that dials the citizen once the agent answered.")
    originate_timeout = fields.Integer(string="Agent Ring Timeout (s)", default=30)
    queue_log_path = fields.Char(string="queue_log Path", default="/var/log/asterisk/queue_log",
                                 help="Asterisk queue_log as readable by the bridge, for backfill after an outage.")
    queue_log_inode = fields.Integer(readonly=True, copy=False)
    queue_log_offset = fields.Integer(readonly=True, copy=False)
    bridge_heartbeat = fields.Datetime(string="Bridge Last Seen", readonly=True, copy=False)
    bridge_status = fields.Char(string="Bridge Status", readonly=True, copy=False)

    _port_range = models.Constraint("CHECK(port > 0 AND port < 65536)", "The AMI port must be between 1 and 65535.")

    @api.model
    def _get_active(self):
        """The PBX in use (the first active one)."""
        pbx = self.sudo().search([], limit=1)
        if not pbx:
            raise UserError(self.env._("No PBX is configured. Ask a manager to fill in the PBX settings."))
        return pbx

    def _bridge_report(self, status, facts):
        """Called by the AMI bridge on each status change and heartbeat.

        ``facts`` is ``Bridge.report()``: host, pid, connected_since, last_event,
        events_last_minute, caught_up, backfill_at, queue_log_lag, pop_p95_ms, log
        (epochs in seconds, None when unknown). Addons that watch the bridge
        (system health) extend this method.
        """
        self.ensure_one()
        self.write({"bridge_status": status, "bridge_heartbeat": fields.Datetime.now()})

    def _hotline_facts_applied(self, facts):
        """Hook called by the AMI ingestion, in its transaction, once per batch with the facts it applied
        (agent, queue and call changes, see ami/facts.py). Nothing here; live boards extend it."""

    def _queue_list(self):
        self.ensure_one()
        return [q.strip() for q in (self.queue_names or "").split(",") if q.strip()]

    def _ami_client(self, timeout=5.0):
        """A new, connected AMI client (one per request: pyst2 managers are not shareable)."""
        self.ensure_one()
        pbx = self.sudo()
        client = AmiClient(pbx.host, pbx.port, pbx.username, pbx.secret or "", timeout=timeout)
        try:
            client.connect()
        except AmiError as exc:
            raise UserError(self.env._("Cannot reach the PBX at %(host)s:%(port)s: %(error)s",
                                       host=pbx.host, port=pbx.port, error=exc)) from exc
        return client

    def action_test_connection(self):
        self.ensure_one()
        self.check_access("write")
        client = self._ami_client()
        try:
            missing = [q for q in self._queue_list() if not client.queue_status(q)["params"]]
            version = client.version or "?"
        except AmiError as exc:
            raise UserError(self.env._("The PBX answered but a query failed: %s", exc)) from exc
        finally:
            client.close()
        if missing:
            message = self.env._("Connected (AMI %(version)s), but these queues do not exist: %(queues)s",
                                 version=version, queues=", ".join(missing))
            kind = "warning"
        else:
            message = self.env._("Connected to the PBX (AMI %(version)s); queues found: %(queues)s",
                                 version=version, queues=", ".join(self._queue_list()))
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("PBX connection"), "message": message, "type": kind, "sticky": False},
        }

    # -- demo -------------------------------------------------------------------------
    def _demo_load_traffic(self):
        """A morning of queue traffic (08:30-11:30 yesterday, Beijing time) as queue_log lines,
        ingested like a backfill: answered calls, abandons, ring-no-answer, pauses."""
        from ..ami.facts import from_queue_log_line  # noqa: PLC0415
        from ..ami.ingest import Ingestor  # noqa: PLC0415

        self.ensure_one()
        rnd = random.Random(12319)
        day = fields.Date.context_today(self) - timedelta(days=1)
        t0 = int((datetime.combine(day, time(8, 30)) - timedelta(hours=8)).timestamp())  # 08:30 UTC+8
        agents = ["PJSIP/agent1", "PJSIP/agent2", "PJSIP/agent3"]
        numbers = [p.phone for p in self.env["res.partner"].search([("phone", "!=", False)], limit=20)] or []
        numbers += ["13%09d" % rnd.randrange(10**9) for _i in range(20)]
        lines = [f"{t0}|MANAGER|hotline|{a}|ADDMEMBER|" for a in agents]
        busy_until = dict.fromkeys(agents, t0)
        t = t0 + 60
        for n in range(60):
            t += rnd.randint(60, 240)
            callid = f"{t}.{n}"
            lines.append(f"{t}|{callid}|hotline|NONE|ENTERQUEUE||{rnd.choice(numbers)}|1")
            free = [a for a in agents if busy_until[a] <= t]
            if not free or rnd.random() < 0.08:
                wait = rnd.randint(15, 90)
                lines.append(f"{t + wait}|{callid}|hotline|NONE|ABANDON|1|1|{wait}")
                continue
            wait = rnd.randint(2, 12)
            if rnd.random() < 0.12:
                lines.append(f"{t + 6}|{callid}|hotline|{rnd.choice(agents)}|RINGNOANSWER|6000")
                wait += 7
            agent = rnd.choice(free)
            talk = rnd.randint(60, 420)
            lines.append(f"{t + wait}|{callid}|hotline|{agent}|CONNECT|{wait}|{callid}1|{min(wait, 5)}")
            lines.append(f"{t + wait + talk}|{callid}|hotline|{agent}|COMPLETECALLER|{wait}|{talk}|1")
            busy_until[agent] = t + wait + talk
        lines += [f"{t0 + 5400}|NONE|hotline|PJSIP/agent2|PAUSE|小休",
                  f"{t0 + 6300}|NONE|hotline|PJSIP/agent2|UNPAUSE|",
                  f"{t0 + 7200}|NONE|hotline|PJSIP/agent1|PAUSE|培训",
                  f"{t0 + 9000}|NONE|hotline|PJSIP/agent1|UNPAUSE|"]
        lines += [f"{t0 + 3 * 3600 + 600}|MANAGER|hotline|{a}|REMOVEMEMBER|" for a in agents]
        lines.sort(key=lambda line: int(line.split("|", 1)[0]))
        Ingestor(self.env, self).apply([from_queue_log_line(line) for line in lines])
        _logger.info("hotline demo: %d queue_log lines ingested", len(lines))
