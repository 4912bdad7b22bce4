from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.hotline_health.models.health_message import _lt, seconds
from odoo.tools import SQL

# A request of a client filed for agent review should be taken on within the hour (amber), surely within
# four (red): the clients' users wait for the case's first step.
WAIT_WARN_SECONDS, WAIT_FAIL_SECONDS = 3600, 4 * 3600


class HotlineHealthCheck(models.Model):
    _inherit = "hotline.health.check"

    @api.model
    def _probes(self):
        return [*super()._probes(), self._probe_open311]

    @api.model
    def _probe_open311(self):
        """The Open311 API: requests filed in the last day, requests waiting for an agent, and client
        applications refused for their rate limit in the last hour (a client retrying too fast, or a limit
        set too low)."""
        Case = self.env["hotline.case"].sudo()
        now = fields.Datetime.now()
        filed = Case.search_count([("channel", "=", "open311"), ("create_date", ">=", now - timedelta(days=1))])
        waiting = Case.search([("channel", "=", "open311"), ("state", "=", "draft")], order="create_date asc")
        oldest = (now - waiting[0].create_date).total_seconds() if waiting else 0
        self.env["hotline.open311.client"].flush_model(["rate_limit"])
        self.env.cr.execute(SQL("""
            SELECT count(*) FROM hotline_open311_usage u
              JOIN hotline_open311_client c ON u.bucket = 'client:' || c.id
             WHERE u.minute >= %s AND u.hits > c.rate_limit""", now - timedelta(hours=1)))
        throttled = self.env.cr.fetchone()[0]
        state = ("red" if oldest >= WAIT_FAIL_SECONDS else
                 "amber" if oldest >= WAIT_WARN_SECONDS or throttled else "green")
        fact = _lt("%(filed)s requests filed in the last day, %(waiting)s waiting for an agent (oldest %(oldest)s), "
                   "%(throttled)s client-minutes over the rate limit in the last hour",
                   filed=filed, waiting=len(waiting), oldest=seconds(oldest), throttled=throttled)
        return [{"key": "open311", "sequence": 37, "name": _lt("Open311 API"), "state": state, "fact": fact}]
