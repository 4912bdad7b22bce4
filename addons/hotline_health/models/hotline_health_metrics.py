from prometheus_client import CollectorRegistry, Gauge, generate_latest

from odoo import api, fields, models
from odoo.addons.hotline_telephony.models.hotline_agent_state import STALE_CALL

from .hotline_health_check import SEVERITY


class HotlineHealthMetrics(models.AbstractModel):
    """The health facts as Prometheus gauges, for the monitoring a site already runs."""

    _name = "hotline.health.metrics"
    _description = "Hotline Health Metrics"

    @api.model
    def _text(self):
        """The exposition text of ``/hotline/metrics`` (fresh figures, not the last refresh's)."""
        registry = CollectorRegistry()
        now = fields.Datetime.now()
        cr = self.env.cr

        def gauge(name, doc, labels=()):
            return Gauge(name, doc, labels, registry=registry)

        calls = gauge("hotline_calls_in_progress", "Calls entered and not ended, per PBX.", ["pbx"])
        agents = gauge("hotline_agents", "Agents signed in, and of them paused and on a call.", ["pbx", "state"])
        up = gauge("hotline_bridge_up", "1 when the AMI bridge is connected and its heartbeat is fresh.", ["pbx"])
        heartbeat = gauge("hotline_bridge_heartbeat_age_seconds", "Seconds since the bridge's last heartbeat.",
                          ["pbx"])
        last_event = gauge("hotline_bridge_last_event_age_seconds", "Seconds since the last AMI event.", ["pbx"])
        events = gauge("hotline_bridge_events_last_minute", "AMI events the bridge received in its last minute.",
                       ["pbx"])
        lag = gauge("hotline_queue_log_lag_bytes", "queue_log bytes after the bridge's position.", ["pbx"])
        pop = gauge("hotline_screen_pop_p95_seconds", "p95 of the screen pop latency.", ["pbx"])
        silence = self.env["hotline.health.check"]._bridge_silence()
        AgentState = self.env["hotline.agent.state"].sudo()
        live_calls = AgentState._live_calls(now)
        for pbx in self.env["hotline.pbx"].sudo().search([("active", "=", True)]):
            label = pbx.name
            cr.execute("SELECT count(*) FROM hotline_call WHERE pbx_id = %s AND end_time IS NULL "
                       "AND enter_time > now() at time zone 'UTC' - interval '1 day'", [pbx.id])
            calls.labels(label).set(cr.fetchone()[0])
            # the agents' states as their systray and the boards show them (hotline.agent.state), of
            # every phone signed in to this PBX's queues or on one of its calls
            cr.execute("""SELECT interface FROM hotline_agent_session WHERE pbx_id = %s AND stop IS NULL
                           UNION
                          SELECT interface FROM hotline_call
                           WHERE pbx_id = %s AND end_time IS NULL AND answer_time IS NOT NULL
                             AND interface IS NOT NULL AND enter_time > %s
                        ORDER BY 1""", [pbx.id, pbx.id, now - STALE_CALL])
            states = AgentState._interface_states([row[0] for row in cr.fetchall()], live_calls=live_calls)
            agents.labels(label, "signed_in").set(sum(1 for a in states if a["queues"]))
            agents.labels(label, "paused").set(sum(1 for a in states if a["queues"] and a["paused"]))
            agents.labels(label, "on_call").set(sum(1 for a in states if a["state"] == "oncall"))
            age = (now - pbx.bridge_heartbeat).total_seconds() if pbx.bridge_heartbeat else float("inf")
            up.labels(label).set(1 if pbx.bridge_status == "connected" and age <= silence else 0)
            heartbeat.labels(label).set(age)
            last_event.labels(label).set(
                (now - pbx.bridge_last_event).total_seconds() if pbx.bridge_last_event else float("inf"))
            events.labels(label).set(pbx.bridge_events_minute)
            lag.labels(label).set(pbx.bridge_queue_log_lag)
            pop.labels(label).set(pbx.bridge_pop_p95 / 1000)

        failures = gauge("hotline_cron_consecutive_failures", "Consecutive failures of a scheduled job.", ["job"])
        for check in self.env["hotline.health.check"].sudo().search([("key", "=like", "cron:%")]):
            cron = self.env["ir.cron"].sudo().browse(int(check.key.split(":")[1])).exists()
            if cron:
                failures.labels(cron.cron_name or cron.name).set(cron.failure_count)
        Mail = self.env["mail.mail"].sudo()
        gauge("hotline_mail_queued", "Outgoing mails waiting.").set(Mail.search_count([("state", "=", "outgoing")]))
        gauge("hotline_mail_failed_last_day", "Mails that failed in the last 24 hours.").set(Mail.search_count([
            ("state", "=", "exception"), ("write_date", ">=", fields.Datetime.subtract(now, days=1))]))
        state = gauge("hotline_health_state", "Health rows: 0 OK, 1 warning, 2 failing (last refresh).",
                      ["part", "name"])
        for check in self.env["hotline.health.check"].sudo().search([("key", "!=", False)]):
            state.labels(check.key, check.name).set(SEVERITY[check.state])
        return generate_latest(registry)
