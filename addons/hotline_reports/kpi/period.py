"""A report's period: its bounds checked, its days turned into UTC by the center's clock.

The center's time zone and day bounds are hotline_case's (res.company._hotline_tz / _hotline_day_bounds;
in SQL, HOTLINE_TZ_SQL); this module only checks what a form or a route sends.
"""

from datetime import date, datetime

from odoo import fields
from odoo.exceptions import UserError, ValidationError

# Periods of a report lie within these days (a hotline's history, with room for the time zone's shift):
# outside, a date is a typo, and years 1 and 9999 leave no room for a day's UTC bounds
PERIOD_FIRST_DAY = date(1900, 1, 1)
PERIOD_LAST_DAY = date(2999, 12, 31)


def check_period(env, date_from, date_to):
    """Every report period, typed in a form or sent to a route: its days within the bounds, its end not
    before its start; a clear error otherwise (never an overflow deep in a report)."""
    for day in (date_from, date_to):
        if day and not PERIOD_FIRST_DAY <= (day.date() if hasattr(day, "date") else day) <= PERIOD_LAST_DAY:
            raise ValidationError(env._("Enter dates of the period between %(first)s and %(last)s.",
                                        first=PERIOD_FIRST_DAY, last=PERIOD_LAST_DAY))
    if date_from and date_to and date_to < date_from:
        raise ValidationError(env._("The period ends before it starts."))


def period_utc(env, date_from, date_to):
    """(start, end) as naive UTC datetimes, end excluded, of a period given as the center's days (dates or
    'YYYY-MM-DD', both included) or as UTC datetimes."""
    def parse(value):
        if isinstance(value, str):
            value = fields.Datetime.to_datetime(value) if len(value) > 10 else fields.Date.to_date(value)
        return value

    try:
        start, end = parse(date_from), parse(date_to)
    except ValueError:
        raise UserError(env._("Enter the dates of the period as YYYY-MM-DD.")) from None
    if not start or not end:
        raise UserError(env._("Choose the start and the end of the period."))
    day_from = start.date() if isinstance(start, datetime) else start
    day_to = end.date() if isinstance(end, datetime) else end
    check_period(env, day_from, day_to)
    company = env.company
    if not isinstance(start, datetime):
        start = company._hotline_day_bounds(start)[0]
    if not isinstance(end, datetime):
        end = company._hotline_day_bounds(end)[1]
    if end <= start:
        raise UserError(env._("The end of the period must come after its start."))
    return start, end


def days_utc(env, date_from, date_to):
    """period_utc of the center's days date_from..date_to, a datetime or its string read as its day."""
    return period_utc(env, fields.Date.to_date(date_from), fields.Date.to_date(date_to))
