from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import phone as phone_tools

# The one default, for a company whose calendar and partner carry no time zone
DEFAULT_TZ = "Asia/Shanghai"

# _hotline_tz() in SQL, for report views and SQL functions that run without an environment: the first
# company's (the center's) calendar, else its partner's time zone. Keep both in step.
HOTLINE_TZ_SQL = f"""COALESCE((SELECT COALESCE(rc.tz, p.tz) FROM res_company co
                              JOIN res_partner p ON p.id = co.partner_id
                              LEFT JOIN resource_calendar rc ON rc.id = co.resource_calendar_id
                             ORDER BY co.sequence, co.id LIMIT 1), '{DEFAULT_TZ}')"""


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
            if code and not phone_tools.is_area_code(code.strip()):
                raise ValidationError(self.env._(
                    "“%s” is not an area code: enter 010, 02x or a four-digit code starting with 0 (e.g. 0931).",
                    code,
                ))

    # ------------------------------------------------------------------
    # The center's clock and phone rules: every addon asks here (SQL: HOTLINE_TZ_SQL)
    # ------------------------------------------------------------------
    def _hotline_tz(self):
        """The center's time zone (pytz): its working-time calendar's, which deadlines and case numbers
        follow, else the company's own, else DEFAULT_TZ. Read as superuser: portal and public callers (unit
        members, the citizens' lookup) cannot read calendars."""
        company = (self[:1] or self.env.company).sudo()
        return pytz.timezone(company.resource_calendar_id.tz or company.partner_id.tz or DEFAULT_TZ)

    def _hotline_local_day(self, moment=None):
        """The center's date at `moment` (naive UTC, default now)."""
        moment = moment or fields.Datetime.now()
        return pytz.utc.localize(moment).astimezone(self._hotline_tz()).date()

    def _hotline_day_bounds(self, first=None, last=None):
        """[start, end) as naive UTC datetimes of the center's days `first`..`last` (dates, both included;
        `first` defaults to the center's today, `last` to `first`)."""
        tz = self._hotline_tz()
        first = fields.Date.to_date(first) or self._hotline_local_day()
        last = fields.Date.to_date(last) or first

        def midnight(day):
            return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

        return midnight(first), midnight(last + timedelta(days=1))

    def _hotline_normalize_phone(self, phone):
        """A Chinese phone number normalised by tools.phone with the center's default area code.

        Raises a translated UserError for anything that is not a phone number.
        """
        company = self[:1] or self.env.company
        try:
            return phone_tools.normalize_phone(phone, company.hotline_default_area_code)
        except phone_tools.InvalidPhoneError as error:
            raise UserError(self.env._(
                "“%s” is not a valid phone number: enter an 11-digit mobile number or a landline number "
                "with its area code (e.g. 010-12345678).", error.raw,
            )) from None

    def _hotline_phone_search_term(self, term):
        """The form a typed search term takes in stored numbers (tools.phone.search_phone_term)."""
        company = self[:1] or self.env.company
        return phone_tools.search_phone_term(term, company.hotline_default_area_code)
