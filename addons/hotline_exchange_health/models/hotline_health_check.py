from odoo import api, fields, models

# The exchange's lag (oldest event the center has not delivered) before its row turns amber / red: the unit
# server should see a dispatch within seconds; a minute means it is not getting through.
LAG_WARN, LAG_FAIL = 60, 900


class HotlineHealthCheck(models.Model):
    _inherit = "hotline.health.check"

    @api.model
    def _probes(self):
        return [*super()._probes(), self._probe_exchange]

    @api.model
    def _probe_exchange(self):
        """On the center: the link to the unit server (lag, failures in a row, last contact)."""
        if self.env["hotline.case"]._exchange_role() != "center":
            return []
        status = self.env["hotline.exchange.link"].status()
        lag, failures = status["lag_seconds"], status["failures"]
        last = fields.Datetime.to_datetime(status["last_success"]) if status["last_success"] else None
        silent = (fields.Datetime.now() - last).total_seconds() if last else None
        state = ("red" if lag > LAG_FAIL or (failures and (silent is None or silent > LAG_FAIL)) else
                 "amber" if lag > LAG_WARN or failures else "green")
        fact = self.env._("%(pending)s events waiting (oldest %(lag)s), %(unit)s waiting on the unit server, "
                          "%(failures)s failures in a row", pending=status["pending"], lag=self._duration(lag),
                          unit=status["unit_pending"], failures=failures)
        if status["last_error"]:
            fact = f"{fact}: {status['last_error'][:200]}"
        return [{"key": "exchange", "sequence": 35, "name": self.env._("Unit server exchange"), "state": state,
                 "fact": fact}]
