from datetime import UTC, datetime

from odoo import fields, models

from .health_message import _lt


def _dt(epoch):
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None) if epoch else False


class HotlinePbx(models.Model):
    _inherit = "hotline.pbx"

    # What the bridge said of itself with its last heartbeat (see Bridge.report()).
    bridge_host = fields.Char(string="Bridge Host", readonly=True, copy=False)
    bridge_pid = fields.Integer(string="Bridge Process", readonly=True, copy=False)
    bridge_connected_since = fields.Datetime(readonly=True, copy=False)
    bridge_last_event = fields.Datetime(string="Last AMI Event", readonly=True, copy=False)
    bridge_events_minute = fields.Integer(string="Events in the Last Minute", readonly=True, copy=False)
    bridge_backfill_time = fields.Datetime(string="Last queue_log Catch-up", readonly=True, copy=False)
    bridge_queue_log_lag = fields.Integer(
        string="queue_log Not Yet Read (bytes)", readonly=True, copy=False,
        help="Bytes of Asterisk's queue_log after the bridge's position, measured at its last catch-up.",
    )
    bridge_pop_p95 = fields.Integer(string="Screen Pop p95 (ms)", readonly=True, copy=False)
    bridge_log = fields.Text(string="Bridge's Recent Log", readonly=True, copy=False)

    def _bridge_report(self, status, facts):
        # A new process (other host or pid) was down even if the old one never said so (kill -9).
        was_up = self.bridge_status == "connected" and (self.bridge_host, self.bridge_pid) == (
            facts.get("host") or False, facts.get("pid") or 0)
        down_since = self.bridge_heartbeat
        result = super()._bridge_report(status, facts)
        self.write({
            "bridge_host": facts.get("host") or False,
            "bridge_pid": facts.get("pid") or 0,
            "bridge_connected_since": _dt(facts.get("connected_since")),
            "bridge_last_event": _dt(facts.get("last_event")) or self.bridge_last_event,
            "bridge_events_minute": facts.get("events_last_minute") or 0,
            "bridge_backfill_time": _dt(facts.get("backfill_at")),
            "bridge_queue_log_lag": facts.get("queue_log_lag") or 0,
            "bridge_pop_p95": facts.get("pop_p95_ms") or 0,
            "bridge_log": "\n".join(facts.get("log") or []),
        })
        if status == "connected" and not was_up and down_since:
            # The bridge came back (reconnect, or a new process after a stop or crash).
            self.env["hotline.health.event"].sudo().create({
                "check_key": f"bridge:{self.id}",
                "name_message": _lt("AMI bridge of %(pbx)s reconnected", pbx=self.name),
                "kind": "recovery",
                "start": down_since,
                "stop": self.bridge_heartbeat,
                "caught_up": facts.get("caught_up") or 0,
            })
        return result
