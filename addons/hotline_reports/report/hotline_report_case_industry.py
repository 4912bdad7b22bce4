from odoo import fields, models
from odoo.addons.hotline_case.models.res_company import HOTLINE_TZ_SQL


class HotlineReportCaseIndustry(models.Model):
    """行业分析表: cases received per month by industry × type, with the previous month's count.

    Cancelled cases (invalid calls, merged duplicates) are left out, as in every case figure.
    """

    _name = "hotline.report.case.industry"
    _description = "Industry Analysis"
    _auto = False
    _order = "month desc, industry_id, type_id"
    _depends = {"hotline.case": ["date_received", "industry_id", "type_id", "state"]}

    month = fields.Date(readonly=True, help="First day of the month (local time).")
    industry_id = fields.Many2one("hotline.industry", string="Industry", readonly=True)
    type_id = fields.Many2one("hotline.case.type", string="Type", readonly=True)
    case_count = fields.Integer(string="Cases", readonly=True, aggregator="sum")
    previous_count = fields.Integer(
        string="Previous Month", readonly=True, aggregator="sum", help="Cases of the same industry and type "
        "received in the month before.",
    )
    change = fields.Integer(
        string="Change", readonly=True, aggregator="sum", help="Cases − cases of the month before.",
    )

    @property
    def _table_query(self):
        return f"""
            WITH monthly AS (
                SELECT date_trunc('month', c.date_received AT TIME ZONE 'UTC' AT TIME ZONE {HOTLINE_TZ_SQL})::date
                           AS month,
                       COALESCE(c.industry_id, 0) AS industry_id, COALESCE(c.type_id, 0) AS type_id, COUNT(*) AS n
                  FROM hotline_case c
                 WHERE c.state <> 'cancelled'
              GROUP BY 1, 2, 3
            )
            SELECT ROW_NUMBER() OVER (ORDER BY 1) AS id, t.month,
                   NULLIF(t.industry_id, 0) AS industry_id, NULLIF(t.type_id, 0) AS type_id,
                   t.case_count, t.previous_count, t.case_count - t.previous_count AS change
              FROM (
                SELECT COALESCE(cur.month, (prev.month + INTERVAL '1 month')::date) AS month,
                       COALESCE(cur.industry_id, prev.industry_id) AS industry_id,
                       COALESCE(cur.type_id, prev.type_id) AS type_id,
                       COALESCE(cur.n, 0) AS case_count, COALESCE(prev.n, 0) AS previous_count
                  FROM monthly cur
                  FULL JOIN monthly prev
                    ON prev.month = (cur.month - INTERVAL '1 month')::date
                   AND prev.industry_id = cur.industry_id AND prev.type_id = cur.type_id
              ) t
        """
