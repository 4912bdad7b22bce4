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
        string="Metrics Token", config_parameter="hotline_health.metrics_token", readonly=True, hotline_secret=True,
        help="Sent by the monitoring system as 'Authorization: Bearer <token>' to /hotline/metrics.",
    )

    def action_hotline_rotate_metrics_token(self):
        """A new token, shown once to the administrator who made it; the old one stops working at once."""
        self._hotline_check_system()
        token = secrets.token_urlsafe(32)
        self.env["ir.config_parameter"].sudo().set_param("hotline_health.metrics_token", token)
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "type": "warning", "sticky": True, "title": self.env._("New metrics token"),
            "message": self.env._("Put it in the monitoring system now, it is not shown again: %s", token),
        }}
