import secrets

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hotline_bridge_silent_seconds = fields.Integer(
        string="Bridge Silence Alarm (s)", default=60, config_parameter="hotline_health.bridge_silent_seconds",
        help="Seconds without a heartbeat from the AMI bridge, while agents are signed in, before its health row "
             "turns red and administrators are warned.",
    )
    hotline_metrics_token = fields.Char(
        string="Metrics Token", config_parameter="hotline_health.metrics_token", readonly=True,
        help="Sent by the monitoring system as 'Authorization: Bearer <token>' to /hotline/metrics.",
    )

    def action_hotline_rotate_metrics_token(self):
        """A new token; the old one stops working at once."""
        self.env["ir.config_parameter"].sudo().set_param("hotline_health.metrics_token", secrets.token_urlsafe(32))
        return {"type": "ir.actions.client", "tag": "reload"}
