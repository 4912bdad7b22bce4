"""The agent's QA score (质检成绩), written once in SQL.

``qa_facts_sql()``: one row per review that counts, i.e. submitted (appealed and ruled ones included) and not a
calibration's, with the columns whose plain aggregate is the figure over any set of rows:

- qa_reviews: 1 (summed: reviews counted);
- qa_score: the review's final score (``final_score``: the ruling's when an appeal was ruled, else the
  submitted score; an appeal still open leaves the submitted score), averaged: the QA score;
- qa_fatal: 1 when a 致命项 was found (summed);
- qa_failed: 1 when the final score is in a failing band (不合格) (summed).

A review belongs to the agent of its call and to the day (hence week, month) the call entered, in the center's
time zone: a ruling months later changes the figure of the call's month, never another. The KPI service
(``hotline.kpi.call.agent_figures``), the XLSX of 坐席统计 and the report 质检成绩 read these rows only.
"""
from odoo.addons.hotline_reports.kpi.calls import PARAMS_SQL
from odoo.tools import SQL

COUNTED_STATES = ("submitted", "appealed", "ruled")


def qa_facts_sql():
    return SQL(
        """
        SELECT r.id AS id,
               r.agent_id AS user_id,
               r.call_time AS call_time,
               (r.call_time AT TIME ZONE 'UTC' AT TIME ZONE p.tz)::date AS date,
               r.scorecard_id AS scorecard_id,
               1 AS qa_reviews,
               r.final_score AS qa_score,
               r.fatal::int AS qa_fatal,
               COALESCE(NOT b.passing, FALSE)::int AS qa_failed
          FROM hotline_quality_review r
          LEFT JOIN hotline_quality_band b ON b.id = r.band_id
         CROSS JOIN (%(params)s OFFSET 0) p
         WHERE r.state IN %(states)s AND r.calibration_id IS NULL AND r.agent_id IS NOT NULL
        """,
        params=PARAMS_SQL, states=COUNTED_STATES,
    )
