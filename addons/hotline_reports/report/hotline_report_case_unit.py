from odoo import fields, models
from odoo.addons.hotline_case.models.res_company import HOTLINE_TZ_SQL
from odoo.tools import SQL

from ..kpi import case_facts
from ..kpi.case_indicators import of_kind
from ..kpi.cases import COUNT_KEYS, RATES, unit_sums_sql


class HotlineReportCaseUnit(models.Model):
    """单位统计分析: every case indicator per unit and local day, summable over any period.

    One column per count of the registry (kpi/case_indicators.py: its label, and its formula as the help): summed
    over a period, each column equals the same key of `hotline.kpi.case.unit_figures` for that period. Every
    column counts dispatches (派单件次) of the unit, each on the local day of its own date. The registry's rates
    are ratios of these sums, over whatever the pivot groups (``_read_group_select``), as the XLSX export and the
    assessment print them. The closed days are read from their stored sums
    (hotline_case_fact, kpi/case_facts.py), the open days from the log by the same query as the service.
    """

    _name = "hotline.report.case.unit"
    _inherit = ["hotline.report.view.mixin"]
    _description = "Unit Statistics"
    _auto = False
    _order = "date desc, unit_id"
    # the ORM flushes these before reading the view
    _depends = {
        "hotline.case": ["state", "satisfaction"],
        "hotline.case.log": ["case_id", "action", "unit_id", "date", "deadline", "sign_deadline", "return_ruling",
                            "handling_result"],
    }

    def init(self):
        self.env["hotline.report.fact"]._install()

    date = fields.Date(readonly=True, help="Local day the dispatch counts on for each column (see its help).")
    unit_id = fields.Many2one("hotline.unit", string="Unit", readonly=True)
    locals().update({
        indicator.code: fields.Integer(string=indicator.label, readonly=True, aggregator="sum", help=indicator.formula)
        for indicator in of_kind("count")})
    # the rates, as the assessment and the XLSX give them: blank where the denominator is 0
    locals().update({
        indicator.code: fields.Float(string=indicator.label, readonly=True, aggregator="avg", digits=(16, 4),
                                     help=indicator.formula)
        for indicator in of_kind("rate")})

    def _read_group_select(self, aggregate_spec, query):
        """A rate over grouped rows is the ratio of their sums, not the average of the rows' ratios."""
        rate = RATES.get(aggregate_spec.split(":")[0])
        if rate:
            num, den = (self._field_to_sql(self._table, key, query) for key in rate)
            # a column the day had nothing for is NULL: a numerator of none is 0, a denominator of none no rate
            return SQL("COALESCE(SUM(%s), 0)::float / NULLIF(SUM(%s), 0)", num, den)
        return super()._read_group_select(aggregate_spec, query)

    @property
    def _table_query(self):
        stored = SQL(", ").join(SQL.identifier("f", k) for k in COUNT_KEYS)
        # the statement's time, not the transaction's: a step just taken in this transaction is already past
        now = SQL("(statement_timestamp() AT TIME ZONE 'UTC')")
        # nothing is placed after the reading time: the open days end there (a second on), so that the cases whose
        # deadlines are still to come are not read at all
        live = unit_sums_sql(start=SQL("COALESCE((SELECT closed_end FROM st), '-infinity'::timestamp)"),
                             end=SQL("(%s + interval '1 second')", now), now=now, tz_sql=SQL(HOTLINE_TZ_SQL),
                             few=True)
        return SQL("""
            WITH st AS MATERIALIZED (%(state)s)
            SELECT ROW_NUMBER() OVER (ORDER BY m.date, m.unit_id) AS id, m.date, m.unit_id, %(sums)s, %(rates)s
              FROM (SELECT f.unit_id, f.date, %(stored)s FROM hotline_case_fact f
                     WHERE f.date <= (SELECT closed_day FROM st)
                    UNION ALL SELECT f.unit_id, f.day, %(stored)s FROM (%(live)s) f) m
          GROUP BY m.date, m.unit_id""",
                   state=case_facts.valid_state_sql(),
                   sums=SQL(", ").join(SQL("SUM(%s)::bigint AS %s", SQL.identifier("m", k), SQL.identifier(k))
                                       for k in COUNT_KEYS),
                   rates=SQL(", ").join(
                       SQL("COALESCE(SUM(%s), 0)::float / NULLIF(SUM(%s), 0) AS %s", SQL.identifier("m", num),
                           SQL.identifier("m", den), SQL.identifier(code)) for code, (num, den) in RATES.items()),
                   stored=stored, live=live)
