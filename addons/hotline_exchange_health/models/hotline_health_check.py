from odoo import api, models
from odoo.addons.hotline_health.models.health_message import _lt, seconds


class HotlineHealthCheck(models.Model):
    _inherit = "hotline.health.check"

    @api.model
    def _probes(self):
        return [*super()._probes(), self._probe_exchange]

    @api.model
    def _probe_exchange(self):
        """On the center: the link to the unit server (lag, failures in a row, last contact)."""
        if self.env["hotline.exchange.event"]._role() != "center":
            return []
        status = self.env["hotline.exchange.link"].status()
        lag, failures = status["lag_seconds"], status["failures"]
        # stored as facts, worded for the reader (see hotline_health's health_message)
        fact = _lt("%(pending)s events waiting (oldest %(lag)s), %(unit)s waiting on the unit server, "
                 "%(failures)s failures in a row", pending=status["pending"], lag=seconds(lag),
                 unit=status["unit_pending"], failures=failures)
        if status["last_error"]:
            fact = _lt("%(fact)s: %(error)s", fact=fact, error=status["last_error"][:200])
        if status.get("dead_letters"):
            dead = _lt("%(count)s malformed events refused in the last hour (Dead Letters), the latest: "
                     "%(reason)s", count=status["dead_letters"], reason=status["dead_letter_reason"][:200])
            fact = _lt("%(fact)s; %(more)s", fact=fact, more=dead)
        return [{"key": "exchange", "sequence": 35, "name": _lt("Unit server exchange"),
                 "state": status["level"], "fact": fact}]
