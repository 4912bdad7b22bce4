import time

from odoo import api, models

# While events wait, the boards get the panel again at most this often (their lag ticks on its own
# from the oldest event's time, but that event is delivered and a younger one becomes the oldest).
REFRESH_SECONDS = 10
_shown = {}  # database -> ((level, events waiting?), monotonic time) last pushed to the boards


class HotlineExchangeLink(models.Model):
    _inherit = "hotline.exchange.link"

    @api.model
    def _run(self, commit=True):
        stats = super()._run(commit=commit)
        if stats["error"] != "role":
            self._show_on_boards(commit)
        return stats

    @api.model
    def _show_on_boards(self, commit):
        """Push the situation panel when the link's level or its having a backlog changes."""
        status = self.status()
        shown = (status["level"], bool(status["pending"]))
        last = _shown.get(self.env.cr.dbname)
        now = time.monotonic()
        if last and last[0] == shown and not (shown[1] and now - last[1] >= REFRESH_SECONDS):
            return False
        _shown[self.env.cr.dbname] = (shown, now)
        self.env["hotline.monitor.live"]._push_cases()
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit  # the bus messages of the push
        return True
