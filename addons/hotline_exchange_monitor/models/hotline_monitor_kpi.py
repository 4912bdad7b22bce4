from odoo import api, fields, models
from odoo.addons.hotline_telephony.models.hotline_agent_state import to_ms


class HotlineMonitorKpi(models.AbstractModel):
    _inherit = "hotline.monitor.kpi"

    @api.model
    def _situation_links(self):
        links = super()._situation_links()
        if self.env["hotline.exchange.event"]._role() != "center":
            return links
        status = self.env["hotline.exchange.link"].sudo().status()
        oldest = fields.Datetime.to_datetime(status["oldest_pending"]) if status["oldest_pending"] else None
        return [*links, {"key": "exchange", "label": self.env._("Unit Server Sync Lag"), "since": to_ms(oldest),
                         "level": status["level"]}]
