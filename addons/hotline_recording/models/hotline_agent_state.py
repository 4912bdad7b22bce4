from odoo import api, fields, models
from odoo.addons.hotline_telephony.models.hotline_agent_state import STALE_CALL
from odoo.tools import SQL


class HotlineAgentState(models.AbstractModel):
    _inherit = "hotline.agent.state"

    @api.model
    def _recorded_interfaces(self, live_calls):
        """The phones whose leg of a call has a recording still being written: the leg's own interface,
        else the call's agent's (a callback's event names no interface). The calls: the live ones, and those
        a transfer ended for the queue (the second agent's leg goes on); the floor shows the mark only on
        an agent on a call."""
        recorded = super()._recorded_interfaces(live_calls)
        self.env["hotline.recording"].flush_model(["state", "call_id", "interface"])
        self.env["hotline.call"].flush_model(["outcome", "end_time", "interface", "user_id"])
        self.env.cr.execute(SQL("""
            SELECT DISTINCT COALESCE(r.interface, c.interface, u.hotline_interface)
              FROM hotline_recording r
              JOIN hotline_call c ON c.id = r.call_id
         LEFT JOIN res_users u ON u.id = c.user_id
             WHERE r.state = 'recording'
               AND (r.call_id = ANY(%s) OR (r.interface IS NOT NULL AND c.outcome = 'transferred'
                                            AND c.end_time > %s))
        """, [c["id"] for c in live_calls], fields.Datetime.now() - STALE_CALL))
        return recorded | {row[0] for row in self.env.cr.fetchall() if row[0]}
