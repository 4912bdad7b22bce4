import logging
import os

from odoo import fields, models
from odoo.addons.hotline_telephony.ami.ingest import to_dt

_logger = logging.getLogger(__name__)


class HotlinePbx(models.Model):
    _inherit = "hotline.pbx"

    recording_pbx_folder = fields.Char(
        string="Recording Folder on the PBX", default="/var/spool/asterisk/monitor/hotline",
        help="HOTLINE_REC_DIR of the dialplan: where Asterisk writes the recordings.")
    recording_local_folder = fields.Char(
        string="Recording Folder Here",
        help="The same folder as Odoo's servers read it (a mount of the PBX's folder). Empty: recordings "
             "are not collected.")

    def _hotline_pbx_event(self, fact):
        """HotlineRecording (dialplan): a channel of a call started recording."""
        super()._hotline_pbx_event(fact)
        if fact.get("event") != "HotlineRecording":
            return
        headers = fact.get("headers") or {}
        path = headers.get("File") or ""
        root = (self.recording_pbx_folder or "").rstrip("/") + "/"
        if not self.recording_pbx_folder or not path.startswith(root):
            _logger.warning("hotline-recording: file outside the PBX's recording folder ignored: %r", path)
            return
        call_id = headers.get("CallId") or ""
        self.env["hotline.recording"]._hotline_from_pbx(
            self, os.path.normpath(path[len(root):]), event_time=to_dt(fact["time"]),
            call_id=int(call_id) if call_id.isdigit() else None, interface=headers.get("Interface"))
