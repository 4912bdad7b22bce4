from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import is_area_code


class ResCompany(models.Model):
    """The call center's hotline settings (Settings › Hotline); one center per company."""

    _inherit = "res.company"

    hotline_duplicate_window_days = fields.Integer(
        string="Duplicate Window (days)", default=3,
        help="Cases of the same caller, or of the same category at the same place, received within this many "
             "days before or after are listed as possible duplicates. 0 turns the check off.",
    )
    hotline_near_deadline_hours = fields.Float(
        string="Near Deadline (hours)", default=24.0,
        help="A case held by a unit is near its deadline when fewer hours than this are left "
             "(at most half of its time limit, so that a short time limit is not near at once).",
    )
    hotline_callback_attempts = fields.Integer(
        string="Callback Attempts", default=3,
        help="Unanswered callback attempts after which a case may be closed as caller unreachable (无法联系).",
    )
    hotline_default_area_code = fields.Char(
        string="Default Area Code",
        help="Prefixed to a 7- or 8-digit local landline number typed without its area code, e.g. 0931.",
    )

    _hotline_duplicate_window_days_positive = models.Constraint(
        "CHECK(hotline_duplicate_window_days >= 0)", "The duplicate window cannot be negative.",
    )
    _hotline_near_deadline_hours_positive = models.Constraint(
        "CHECK(hotline_near_deadline_hours >= 0)", "The near-deadline hours cannot be negative.",
    )

    _hotline_callback_attempts_positive = models.Constraint(
        "CHECK(hotline_callback_attempts >= 1)", "At least one callback attempt is needed before “unreachable”.",
    )

    @api.constrains("hotline_default_area_code")
    def _check_hotline_default_area_code(self):
        for company in self:
            code = company.hotline_default_area_code
            if code and not is_area_code(code.strip()):
                raise ValidationError(self.env._(
                    "“%s” is not an area code: enter 010, 02x or a four-digit code starting with 0 (e.g. 0931).",
                    code,
                ))
