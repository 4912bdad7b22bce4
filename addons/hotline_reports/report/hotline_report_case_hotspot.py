from odoo import fields, models
from odoo.addons.hotline_case.models.res_company import HOTLINE_TZ_SQL

KINDS = [("category", "Category"), ("street", "Street"), ("district", "District"), ("caller", "Repeat Caller")]


class HotlineReportCaseHotspot(models.Model):
    """热点排名表 by month: categories, streets, districts and repeat callers by cases received.

    Same rules as `hotline.kpi.case.hotspots` over calendar months: cancelled cases left out, callers
    ranked from 2 cases a month, competition rank (1, 2, 2, 4), rank change = previous month's rank − rank.
    """

    _name = "hotline.report.case.hotspot"
    _description = "Hot Spots"
    _auto = False
    _order = "month desc, kind, rank"
    _depends = {"hotline.case": ["date_received", "category_id", "street_id", "district_id", "partner_id", "state"]}

    month = fields.Date(readonly=True, help="First day of the month (local time).")
    kind = fields.Selection(KINDS, readonly=True)
    category_id = fields.Many2one("hotline.category", string="Category", readonly=True)
    street_id = fields.Many2one("hotline.street", string="Street", readonly=True)
    district_id = fields.Many2one("hotline.district", string="District", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Caller", readonly=True)
    case_count = fields.Integer(string="Cases", readonly=True, aggregator="sum")
    rank = fields.Integer(readonly=True, aggregator="min")
    previous_count = fields.Integer(string="Previous Month", readonly=True, aggregator="sum")
    previous_rank = fields.Integer(string="Previous Rank", readonly=True, aggregator="min")
    rank_change = fields.Integer(
        readonly=True, aggregator="max", help="Previous month's rank − rank: positive means climbed; empty when "
        "not ranked the month before.",
    )
    # an integer column reads NULL as 0: the list shows the previous rank and the change only when there was one
    ranked_before = fields.Boolean(readonly=True, help="Ranked the month before.")

    @property
    def _table_query(self):
        keys = {"category": "c.category_id", "street": "c.street_id", "district": "c.district_id",
                "caller": "c.partner_id"}
        counts = " UNION ALL ".join(f"""
            SELECT '{kind}' AS kind,
                   date_trunc('month', c.date_received AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date AS month,
                   {column} AS key_id, COUNT(*) AS n
              FROM hotline_case c, tz
             WHERE c.state <> 'cancelled' AND {column} IS NOT NULL
          GROUP BY 2, 3
         HAVING COUNT(*) >= {2 if kind == 'caller' else 1}""" for kind, column in keys.items())
        return f"""
            WITH tz AS (SELECT {HOTLINE_TZ_SQL} AS name),
            counts AS ({counts}),
            ranked AS (
                SELECT kind, month, key_id, n, RANK() OVER (PARTITION BY kind, month ORDER BY n DESC) AS rank
                  FROM counts
            )
            SELECT ROW_NUMBER() OVER (ORDER BY cur.month, cur.kind, cur.rank, cur.key_id) AS id,
                   cur.kind, cur.month,
                   CASE WHEN cur.kind = 'category' THEN cur.key_id END AS category_id,
                   CASE WHEN cur.kind = 'street' THEN cur.key_id END AS street_id,
                   CASE WHEN cur.kind = 'district' THEN cur.key_id END AS district_id,
                   CASE WHEN cur.kind = 'caller' THEN cur.key_id END AS partner_id,
                   cur.n AS case_count, cur.rank, COALESCE(prev.n, 0) AS previous_count,
                   prev.rank AS previous_rank, prev.rank - cur.rank AS rank_change,
                   prev.rank IS NOT NULL AS ranked_before
              FROM ranked cur
              LEFT JOIN ranked prev ON prev.kind = cur.kind AND prev.key_id = cur.key_id
                                   AND prev.month = (cur.month - INTERVAL '1 month')::date
        """
