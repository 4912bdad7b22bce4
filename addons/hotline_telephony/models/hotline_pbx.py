import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..ami.adapter import AmiClient, AmiError

_logger = logging.getLogger(__name__)


class HotlinePbx(models.Model):
    _name = "hotline.pbx"
    _description = "Hotline PBX"

    name = fields.Char(required=True, default="Asterisk")
    active = fields.Boolean(default=True)
    host = fields.Char(string="AMI Host", required=True, default="127.0.0.1")
    port = fields.Integer(string="AMI Port", required=True, default=5038)
    username = fields.Char(string="AMI User", required=True, default="hotline")
    # Only administrators may read the secret; the bridge and agent actions read it with sudo().
    secret = fields.Char(string="AMI Secret", groups="base.group_system", copy=False)
    queue_names = fields.Char(string="Queues", required=True, default="hotline",
                              help="Comma-separated Asterisk queue names the agents log in to.")
    originate_context = fields.Char(string="Originate Context", required=True, default="hotline-originate",
                                    help="Dialplan context that dials the citizen once the agent answered.")
    originate_timeout = fields.Integer(string="Agent Ring Timeout (s)", default=30)
    queue_log_path = fields.Char(string="queue_log Path", default="/var/log/asterisk/queue_log",
                                 help="Asterisk queue_log as readable by the bridge, for backfill after an outage.")
    queue_log_inode = fields.Integer(readonly=True, copy=False)
    queue_log_offset = fields.Integer(readonly=True, copy=False)
    bridge_heartbeat = fields.Datetime(string="Bridge Last Seen", readonly=True, copy=False)
    bridge_status = fields.Char(string="Bridge Status", readonly=True, copy=False)

    _port_range = models.Constraint("CHECK(port > 0 AND port < 65536)", "The AMI port must be between 1 and 65535.")

    @api.model
    def _get_active(self):
        """The PBX in use (the first active one)."""
        pbx = self.sudo().search([], limit=1)
        if not pbx:
            raise UserError(self.env._("No PBX is configured. Ask a manager to fill in the PBX settings."))
        return pbx

    def _queue_list(self):
        self.ensure_one()
        return [q.strip() for q in (self.queue_names or "").split(",") if q.strip()]

    def _ami_client(self, timeout=5.0):
        """A new, connected AMI client (one per request: pyst2 managers are not shareable)."""
        self.ensure_one()
        pbx = self.sudo()
        client = AmiClient(pbx.host, pbx.port, pbx.username, pbx.secret or "", timeout=timeout)
        try:
            client.connect()
        except AmiError as exc:
            raise UserError(self.env._("Cannot reach the PBX at %(host)s:%(port)s: %(error)s",
                                       host=pbx.host, port=pbx.port, error=exc)) from exc
        return client

    def action_test_connection(self):
        self.ensure_one()
        self.check_access("write")
        client = self._ami_client()
        try:
            missing = [q for q in self._queue_list() if not client.queue_status(q)["params"]]
            version = client.version or "?"
        except AmiError as exc:
            raise UserError(self.env._("The PBX answered but a query failed: %s", exc)) from exc
        finally:
            client.close()
        if missing:
            message = self.env._("Connected (AMI %(version)s), but these queues do not exist: %(queues)s",
                                 version=version, queues=", ".join(missing))
            kind = "warning"
        else:
            message = self.env._("Connected to the PBX (AMI %(version)s); queues found: %(queues)s",
                                 version=version, queues=", ".join(self._queue_list()))
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("PBX connection"), "message": message, "type": kind, "sticky": False},
        }
