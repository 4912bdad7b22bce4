from odoo import fields, models

from ..kpi import case_facts
from ..kpi.center import CENTER_TZ_SQL
from ..models.hotline_kpi_case import (
    CASE_MEASURES,
    LOG_ACTIONS,
    LOG_FAMILY_COLUMNS,
    LOG_MEASURES,
    SATISFIED_KEYS,
    case_family_columns,
    case_family_sql,
    log_family_sql,
)


def _count(string, help_text):
    return fields.Integer(string=string, readonly=True, aggregator="sum", help=help_text)


class HotlineReportCaseUnit(models.Model):
    """单位统计分析: every case indicator per unit and local day, summable over any period.

    Built from the definitions of `hotline.kpi.case` (CASE_MEASURES, LOG_MEASURES): summed over a
    period, each column equals the same key of `hotline.kpi.case.unit_figures` for that period.
    Rates are ratios of these sums; the XLSX export and the assessment print them. The closed days
    are read from their stored sums (hotline_case_fact, kpi/case_facts.py), the open days from the
    cases and the log by the same family queries as the service.
    """

    _name = "hotline.report.case.unit"
    _inherit = ["hotline.report.view.mixin"]
    _description = "Unit Statistics"
    _auto = False
    _order = "date desc, unit_id"
    # the ORM flushes these before reading the view
    _depends = {
        "hotline.case": ["unit_id", "state", "date_dispatched", "date_accepted", "date_submitted", "date_closed",
                         "deadline", "sign_deadline", "satisfaction", "return_count", "reopen_count"],
        "hotline.case.log": ["case_id", "action", "unit_id", "date"],
    }

    def init(self):
        self.env["hotline.report.fact"]._install()

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

    @property
    def _table_query(self):
        keys = [*CASE_MEASURES, *LOG_MEASURES]
        sums = ", ".join(f"SUM(m.{k}) AS {k}" for k in keys)
        params = {"start": "COALESCE((SELECT closed_end FROM st), '-infinity'::timestamp)",
                  "end": "'infinity'::timestamp", "now": "(NOW() AT TIME ZONE 'UTC')",
                  "satisfied": repr(SATISFIED_KEYS), "log_actions": repr(LOG_ACTIONS)}

        def padded(select, columns):
            values = ", ".join(f"f.{k}" if k in columns else "0" for k in keys)
            return f"SELECT f.unit_id, f.day AS date, {values} FROM ({select}) f"

        # the open days (after the stored ones) from the base tables, one query per date of the definitions
        live = [padded(case_family_sql(expr, by_day=True) % params, case_family_columns(expr))
                for expr in dict.fromkeys(expr for expr, _cond in CASE_MEASURES.values())]
        live.append(padded(log_family_sql(by_day=True) % params, LOG_FAMILY_COLUMNS))
        stored = ", ".join(f"f.{k}" for k in keys)
        return f"""
            WITH tz AS (SELECT {CENTER_TZ_SQL} AS name), st AS MATERIALIZED ({case_facts.valid_state_sql()})
            SELECT ROW_NUMBER() OVER (ORDER BY m.date, m.unit_id) AS id, m.date, m.unit_id, {sums}
              FROM (SELECT f.unit_id, f.date, {stored} FROM hotline_case_fact f
                     WHERE f.date <= (SELECT closed_day FROM st)
                    UNION ALL {" UNION ALL ".join(live)}) m
          GROUP BY m.date, m.unit_id
        """
