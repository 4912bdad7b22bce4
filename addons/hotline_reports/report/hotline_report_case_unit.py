from odoo import api, fields, models

from ..kpi.center import CENTER_TZ_SQL
from ..models.hotline_kpi_case import (
    CASE_MEASURES,
    LOG_ACTIONS,
    LOG_MEASURES,
    SATISFIED_KEYS,
)


def _count(string, help_text):
    return fields.Integer(string=string, readonly=True, aggregator="sum", help=help_text)


class HotlineReportCaseUnit(models.Model):
    """单位统计分析: every case indicator per unit and local day, summable over any period.

    Built from the definitions of `hotline.kpi.case` (CASE_MEASURES, LOG_MEASURES): summed over a
    period, each column equals the same key of `hotline.kpi.case.unit_figures` for that period.
    Rates are ratios of these sums; the XLSX export and the assessment print them.
    """

    _name = "hotline.report.case.unit"
    _description = "Unit Statistics"
    _auto = False
    _order = "date desc, unit_id"
    # the ORM flushes these before reading the view
    _depends = {
        "hotline.case": ["unit_id", "state", "date_dispatched", "date_accepted", "date_submitted", "date_closed",
                         "deadline", "sign_deadline", "satisfaction", "return_count", "reopen_count"],
        "hotline.case.log": ["case_id", "action", "unit_id", "date"],
    }

    date = fields.Date(readonly=True, help="Local day the case counts on for each column (see its help).")
    unit_id = fields.Many2one("hotline.unit", string="Unit", readonly=True)
    dispatched = _count("Dispatched", "派单量: cases the unit holds whose last dispatch is on this day.")
    signed_on_time = _count("Signed For on Time", "Of the dispatched cases, signed for by the sign-for deadline.")
    closed = _count("Closed", "Of the dispatched cases, result approved at review (to call back or closed).")
    due = _count("Due", "Cases falling due: submitted, or past the deadline, whichever came first.")
    handled_on_time = _count("Handled on Time", "Of the due cases, submitted by the (extended) deadline.")
    overdue = _count("Overdue", "Of the due cases, submitted late or not submitted.")
    finished = _count("Closed after Callback", "Cases closed after the callback on this day.")
    rated = _count("Rated", "Of those, with the caller's satisfaction recorded.")
    satisfied = _count("Satisfied", "Of the rated, very satisfied, satisfied or basically satisfied.")
    first_time_closed = _count(
        "Closed First Time", "Of the cases closed after the callback, satisfied and never returned, rejected at "
        "review, reopened or extended.")
    dispatches = _count("Dispatches", "Dispatch log lines to the unit (a case sent twice counts twice).")
    returned = _count("Returned", "Returns by the unit.")
    redone = _count("Redone", "The unit's results rejected at review or reopened after the callback.")
    extended = _count("Extended", "Extensions approved.")
    callbacks_due = _count("Callbacks Due", "The unit's results approved at review.")
    callbacks_done = _count("Callbacks Done", "Of those, followed by the callback (closed or reopened).")

    @api.model
    def _measure_rows_sql(self):
        """One scan of the cases and one of the log: each case gives a row per distinct date of
        CASE_MEASURES (its counts as 0/1 columns), each log line one row."""
        keys = [*CASE_MEASURES, *LOG_MEASURES]
        day = "({0} AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date"
        dates = list(dict.fromkeys(date_expr for date_expr, _cond in CASE_MEASURES.values()))
        values = ", ".join(
            "(" + ", ".join([date_expr] + [
                f"({CASE_MEASURES[k][1]})::int" if k in CASE_MEASURES and CASE_MEASURES[k][0] == date_expr
                else "0" for k in keys]) + ")"
            for date_expr in dates)
        columns = ", ".join(f"v.{k}" for k in keys)
        log_columns = ", ".join(
            f"({LOG_MEASURES[k]})::int AS {k}" if k in LOG_MEASURES else f"0 AS {k}" for k in keys)
        return f"""
            SELECT c.unit_id, {day.format('v.date')} AS date, {columns}
              FROM hotline_case c
             CROSS JOIN tz
             CROSS JOIN LATERAL (VALUES {values}) v(date, {", ".join(keys)})
             WHERE c.unit_id IS NOT NULL AND c.state <> 'cancelled' AND c.date_dispatched IS NOT NULL
               AND v.date IS NOT NULL
            UNION ALL
            SELECT l.unit_id, {day.format('l.date')} AS date, {log_columns}
              FROM hotline_case_log l JOIN hotline_case c ON c.id = l.case_id
             CROSS JOIN tz
             WHERE l.unit_id IS NOT NULL AND l.action IN {LOG_ACTIONS!r}
        """

    @property
    def _table_query(self):
        sums = ", ".join(f"SUM(m.{k}) AS {k}" for k in [*CASE_MEASURES, *LOG_MEASURES])
        rows = self._measure_rows_sql() % {
            "now": "(NOW() AT TIME ZONE 'UTC')",
            "satisfied": repr(SATISFIED_KEYS),
        }
        return f"""
            WITH tz AS (SELECT {CENTER_TZ_SQL} AS name)
            SELECT ROW_NUMBER() OVER (ORDER BY m.date, m.unit_id) AS id, m.date, m.unit_id, {sums}
              FROM ({rows}) m
          GROUP BY m.date, m.unit_id
        """

