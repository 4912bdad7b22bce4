from odoo import api, models
from odoo.addons.hotline_health.models.health_message import _lt, record, seconds

# an event older than this not yet acknowledged (or applied) turns the row amber, then red: the poll runs
# every minute and retries back off to one minute at most, so a healthy link stays well under these
LAG_WARN_SECONDS, LAG_FAIL_SECONDS = 5 * 60, 30 * 60
FAILURES_FAIL = 3


class HotlineHealthCheck(models.Model):
    _inherit = "hotline.health.check"

    @api.model
    def _probes(self):
        return [*super()._probes(), self._probe_platforms]

    @api.model
    def _probe_platforms(self):
        """One row per 12345 platform with an interface: lag, failures in a row, dead letters."""
        rows = []
        counterparts = self.env["hotline.platform.counterpart"].sudo().search([("transport", "!=", "manual")])
        for counterpart in counterparts:
            status = counterpart._status()
            lag, failures, dead = status["lag"], status["failures"], status["dead"]
            if lag >= LAG_FAIL_SECONDS or failures >= FAILURES_FAIL:
                state = "red"
            elif lag >= LAG_WARN_SECONDS or failures or dead or status["waiting"]:
                state = "amber"
            else:
                state = "green"
            fact = _lt("%(pending)s events to send, %(waiting)s received waiting for an earlier one, %(dead)s dead "
                       "letters; oldest not done %(lag)s; %(failures)s failures in a row",
                       pending=status["pending"], waiting=status["waiting"], dead=dead, lag=seconds(lag),
                       failures=failures)
            if status["last_error"]:
                fact = _lt("%(fact)s: %(error)s", fact=fact, error=status["last_error"][:200])
            rows.append({"key": f"platform_{counterpart.code}", "sequence": 36,
                         "name": _lt("12345 platform: %(name)s", name=record(counterpart)), "state": state,
                         "fact": fact})
        return rows
