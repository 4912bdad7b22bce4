from odoo import api, models
from odoo.tools import SQL


class HotlineAgentState(models.AbstractModel):
    _inherit = "hotline.agent.state"

    @api.model
    def _recorded_interfaces(self, live_calls):
        """The phones whose leg of a live call has a recording still being written: the leg's own interface
        (a transfer's second agent), else the call's agent's (a callback's event names no interface)."""
        recorded = super()._recorded_interfaces(live_calls)
        call_ids = [c["id"] for c in live_calls]
        if not call_ids:
            return recorded
        self.env["hotline.recording"].flush_model(["state", "call_id", "interface"])
        self.env.cr.execute(SQL("""
            SELECT DISTINCT COALESCE(r.interface, c.interface, u.hotline_interface)
              FROM hotline_recording r
              JOIN hotline_call c ON c.id = r.call_id
         LEFT JOIN res_users u ON u.id = c.user_id
             WHERE r.state = 'recording' AND r.call_id = ANY(%s)
        """, call_ids))
        return recorded | {row[0] for row in self.env.cr.fetchall() if row[0]}
