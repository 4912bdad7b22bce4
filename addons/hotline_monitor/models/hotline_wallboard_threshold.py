from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .hotline_wallboard import _check_amber_red


class HotlineWallboardThreshold(models.Model):
    """How long a pause with a given reason may last before its tile turns amber, then red."""

    _name = "hotline.wallboard.threshold"
    _description = "Wallboard Pause Threshold"
    _order = "reason"

    wallboard_id = fields.Many2one("hotline.wallboard", required=True, ondelete="cascade", index=True)
    reason = fields.Char(string="Pause Reason", required=True, help="As the agent chose it, e.g. 小休, 午休.")
    amber_seconds = fields.Integer(string="Amber after (s)", required=True, default=600)
    red_seconds = fields.Integer(string="Red after (s)", required=True, default=1200)

    _reason_unique = models.UniqueIndex("(wallboard_id, reason)", "One threshold per pause reason and board.")

    @api.constrains("amber_seconds", "red_seconds")
    def _check_times(self):
        for threshold in self:
            if threshold.amber_seconds < 0 or threshold.red_seconds < 0:
                raise ValidationError(self.env._("The board's counts and times cannot be negative."))
            _check_amber_red(self.env, threshold.amber_seconds, threshold.red_seconds)
