from datetime import timedelta

from odoo import api, fields, models

# An intake text is due within a minute: a text due for longer than this is stuck (the gateway, the cron).
LATE_SECONDS, STUCK_SECONDS = 120, 900


class HotlineHealthCheck(models.Model):
    _inherit = "hotline.health.check"

    @api.model
    def _probes(self):
        return [*super()._probes(), self._probe_sms]

    @api.model
    def _probe_sms(self):
        """The citizen texts: due and not sent (quiet hours excluded), failed today, sent without an answer."""
        Message = self.env["hotline.sms.message"].sudo()
        now = fields.Datetime.now()
        waiting = Message.search([("state", "in", ("queued", "retry")), ("date_due", "<=", now)],
                                 order="date_due asc")
        oldest = (now - waiting[0].date_due).total_seconds() if waiting else 0
        failed = Message.search_count([("state", "=", "failed"), ("write_date", ">=", now - timedelta(days=1))])
        uncertain = Message.search_count([("uncertain", "=", True), ("date_sent", "<", now - timedelta(hours=1))])
        state = ("red" if oldest > STUCK_SECONDS or failed >= 10 else
                 "amber" if oldest > LATE_SECONDS or failed or uncertain else "green")
        fact = self.env._(
            "%(waiting)s due and not sent (oldest %(oldest)s), %(failed)s failed in the last day, %(uncertain)s "
            "sent without an answer from the gateway for over an hour",
            waiting=len(waiting), oldest=self._duration(oldest), failed=failed, uncertain=uncertain)
        return [{"key": "sms", "sequence": 32, "name": self.env._("Citizen texts (SMS)"), "state": state,
                 "fact": fact}]
