"""The center's time zone, one definition for every report, in Python and in SQL.

It is hotline_case's (``hotline.case._center_tz``): the main company's working-time calendar
(deadlines and case numbers follow it), else the company's own time zone. Report views need it
inside SQL, hence the mirror below; both read the same two columns.
"""

from datetime import date

import pytz

from odoo.exceptions import ValidationError

# Periods of a report lie within these days (a hotline's history, with room for the time zone's shift):
# outside, a date is a typo, and years 1 and 9999 leave no room for a day's UTC bounds
PERIOD_FIRST_DAY = date(1900, 1, 1)
PERIOD_LAST_DAY = date(2999, 12, 31)

CENTER_TZ_SQL = """COALESCE((SELECT COALESCE(rc.tz, p.tz) FROM res_company co
                              JOIN res_partner p ON p.id = co.partner_id
                              LEFT JOIN resource_calendar rc ON rc.id = co.resource_calendar_id
                             ORDER BY co.sequence, co.id LIMIT 1), 'UTC')"""


def center_tz(env):
    """The center's time zone as a pytz zone."""
    return pytz.timezone(env["hotline.case"].sudo()._center_tz())


def check_period(env, date_from, date_to):
    """Every report period, typed in a form or sent to a route: its days within the bounds, its end not
    before its start; a clear error otherwise (never an overflow deep in a report)."""
    for day in (date_from, date_to):
        if day and not PERIOD_FIRST_DAY <= (day.date() if hasattr(day, "date") else day) <= PERIOD_LAST_DAY:
            raise ValidationError(env._("Enter dates of the period between %(first)s and %(last)s.",
                                        first=PERIOD_FIRST_DAY, last=PERIOD_LAST_DAY))
    if date_from and date_to and date_to < date_from:
        raise ValidationError(env._("The period ends before it starts."))
