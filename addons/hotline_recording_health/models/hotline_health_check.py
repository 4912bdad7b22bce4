from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.hotline_health.models.health_message import _lt, at

# A recording is converted within a minute or two of its call's end: one waiting longer is stuck.
BACKLOG_LATE = timedelta(minutes=10)


class HotlineHealthCheck(models.Model):
    _inherit = "hotline.health.check"

    @api.model
    def _probes(self):
        return [*super()._probes(), self._probe_recordings]

    @api.model
    def _probe_recordings(self):
        """Call recordings: what the store holds and since when, files not converted in time, failures."""
        Recording = self.env["hotline.recording"].sudo()
        now = fields.Datetime.now()
        size, count, oldest = Recording._storage_figures()
        late = Recording.search_count([("state", "=", "recording"), ("call_id.end_time", "<", now - BACKLOG_LATE)])
        failed = Recording.search_count([("state", "in", ("failed", "missing")),
                                         ("write_date", ">=", now - timedelta(days=1))])
        state = "red" if late >= 10 else "amber" if late or failed else "green"
        fact = _lt("%(count)s recordings, %(size)s stored, the oldest from %(oldest)s; %(late)s not converted 10 "
                   "minutes after their call, %(failed)s failed or without sound in the last day",
                   count=count, size=self._size(size), oldest=at(oldest) if oldest else "-", late=late, failed=failed)
        return [{"key": "recordings", "sequence": 34, "name": _lt("Call recordings"), "state": state, "fact": fact}]
