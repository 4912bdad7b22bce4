from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    hotline_recording_retention_days = fields.Integer(string="Keep Recordings (days)", default=365)
    hotline_recording_agent_scope = fields.Selection(
        [("own", "Their Own Calls"), ("all", "All Calls")], string="Agents Hear", default="own", required=True,
        help="Which recordings agents may hear; reviewers and managers hear every call.")
    hotline_recording_storage = fields.Selection(
        [("filestore", "Odoo File Store"), ("folder", "Mounted Folder")], string="Store Recordings In",
        default="filestore", required=True)
    hotline_recording_folder = fields.Char(string="Recordings Folder",
                                           help="A mounted volume (NFS, object-store gateway...) for the recordings.")
    hotline_recording_codec = fields.Selection([("opus", "Opus"), ("wav", "WAV (uncompressed)")],
                                               string="Recording Codec", default="opus", required=True)
    hotline_recording_bitrate = fields.Integer(string="Opus Bitrate (kbit/s)", default=24)

    @api.constrains("hotline_recording_retention_days", "hotline_recording_bitrate", "hotline_recording_storage",
                    "hotline_recording_folder")
    def _check_hotline_recording(self):
        for company in self:
            if company.hotline_recording_retention_days < 1:
                raise ValidationError(self.env._("Recordings must be kept at least one day."))
            if not 6 <= company.hotline_recording_bitrate <= 256:
                raise ValidationError(self.env._("The Opus bitrate must be between 6 and 256 kbit/s."))
            if company.hotline_recording_storage == "folder" and not (company.hotline_recording_folder or "") \
                    .startswith("/"):
                raise ValidationError(self.env._("The recordings folder must be an absolute path."))
