from odoo import models


class HotlineCall(models.Model):
    _inherit = "hotline.call"

    # the board's live look-ups: calls in progress per agent, calls waiting per queue
    _live_interface_idx = models.Index("(interface) WHERE end_time IS NULL")
    _live_queue_idx = models.Index("(queue, enter_time) WHERE end_time IS NULL")
    # an idle agent's tile counts from the end of their last call
    _interface_end_idx = models.Index("(interface, end_time)")

    def action_monitor_callback(self):
        """回拨 from the board: the supervisor's phone rings, then the abandoned caller."""
        self.ensure_one()
        self.check_access("read")
        return self._originate(self.caller_number, partner=self.partner_id)
