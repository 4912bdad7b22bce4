"""The center's time zone, one definition for every report, in Python and in SQL.

It is hotline_case's (``hotline.case._center_tz``): the main company's working-time calendar
(deadlines and case numbers follow it), else the company's own time zone. Report views need it
inside SQL, hence the mirror below; both read the same two columns.
"""

import pytz

CENTER_TZ_SQL = """COALESCE((SELECT COALESCE(rc.tz, p.tz) FROM res_company co
                              JOIN res_partner p ON p.id = co.partner_id
                              LEFT JOIN resource_calendar rc ON rc.id = co.resource_calendar_id
                             ORDER BY co.sequence, co.id LIMIT 1), 'UTC')"""


def center_tz(env):
    """The center's time zone as a pytz zone."""
    return pytz.timezone(env["hotline.case"].sudo()._center_tz())
