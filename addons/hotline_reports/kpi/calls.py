"""The call-center KPIs (口径), written once in SQL.

Two definitions live here and nowhere else:

* ``call_facts_sql()``: one row per call offered to a queue, with one column per KPI
  chosen so that the plain SQL aggregate of the column *is* the KPI over any set of
  calls: counts are 0/1 summed; rates are 0/1 (or NULL when the call is outside the
  denominator) averaged, since ``AVG`` skips NULLs (every rate of the reports is a fraction
  0..1, shown as a percentage); ASA/AHT are the wait/talk of the
  calls in the denominator, NULL elsewhere, averaged; the longest wait is a ``MAX``.
  The report view ``hotline.call.report`` is this SELECT, its fields carry those
  aggregators, and the KPI service reads the view with ``_read_group``: the pivot, the
  XLSX and the wallboard therefore compute the same figure from the same rows.

* ``agent_facts_sql(periods)``: per agent and period, the time figures as measures of
  interval sets (PostgreSQL multiranges) clipped to the period, plus the call counts of
  calls that entered the queue (or were dialled) in the period.  The KPI service passes
  one period; the report view ``hotline.agent.report`` passes every day of the center's
  calendar, so a month in the pivot is the sum of its days and equals the service's
  month (measures of disjoint periods add up).

Thresholds are system parameters and the center's time zone is hotline_case's (HOTLINE_TZ_SQL), all read
by the SQL itself (``PARAMS_SQL``), so a change in the settings applies to every report at once.
"""
from odoo.addons.hotline_case.models.res_company import HOTLINE_TZ_SQL
from odoo.tools import SQL

SHORT_ABANDON_KEY = "hotline_reports.short_abandon_seconds"
SERVICE_LEVEL_KEY = "hotline_reports.service_level_seconds"
DEFAULT_SHORT_ABANDON = 5
DEFAULT_SERVICE_LEVEL = 20

ANSWERED = ("answered", "transferred")

# One row: the thresholds (seconds) and the center's time zone.
PARAMS_SQL = SQL(
    """SELECT COALESCE((SELECT value FROM ir_config_parameter WHERE key = %(short)s), %(d_short)s)::int
                  AS short_abandon,
              COALESCE((SELECT value FROM ir_config_parameter WHERE key = %(sl)s), %(d_sl)s)::int AS sl_seconds,
              {HOTLINE_TZ_SQL} AS tz""".replace("{HOTLINE_TZ_SQL}", HOTLINE_TZ_SQL),
    short=SHORT_ABANDON_KEY, d_short=str(DEFAULT_SHORT_ABANDON),
    sl=SERVICE_LEVEL_KEY, d_sl=str(DEFAULT_SERVICE_LEVEL),
)


def call_facts_sql():
    """One row per call that entered a queue (offered), one column per KPI (see module doc).

    - offered: the call entered a queue (ENTERQUEUE), whatever happened next, calls still
      waiting included;
    - answered: connected to an agent (CONNECT), transferred calls included;
    - abandoned (队列中漏接): the caller hung up in the queue (ABANDON), split at the short
      threshold: abandoned_short = wait < short threshold, abandoned_long = the rest;
      timeouts (EXITWITHTIMEOUT), exit_empty (EXITEMPTY) and exit_key (EXITWITHKEY) are
      not abandons and are counted apart;
    - wait = the queue's hold time (ENTERQUEUE to CONNECT, ring time included; to the
      exit for unanswered calls); a 0 s wait counts like any other;
    - answered_in_sl: answered with wait <= the service-level threshold N;
    - service_level = answered_in_sl / answered; service_level_offered = answered_in_sl / offered;
    - answer_rate = answered / offered; abandon_rate = abandoned / offered;
    - asa = mean wait of answered calls; aht = mean talk time of answered calls that ended
      (calls in progress have no talk time yet); longest_wait = the largest wait of any call;
    - missed_rings (坐席漏接) = ring-no-answer attempts of agents for the call.
    The call belongs to the period (day, hour) in which it entered the queue, in the center's
    time zone; hour_start is that local hour's start as naive UTC (the pre-aggregated tables'
    bucket, kpi/facts.py).
    """
    return SQL(
        """
        SELECT c.id AS id,
               c.pbx_id AS pbx_id,
               c.queue AS queue,
               c.user_id AS user_id,
               c.outcome AS outcome,
               c.enter_time AS enter_time,
               (c.enter_time AT TIME ZONE 'UTC' AT TIME ZONE p.tz)::date AS date,
               EXTRACT(HOUR FROM c.enter_time AT TIME ZONE 'UTC' AT TIME ZONE p.tz)::int AS hour_of_day,
               (date_trunc('hour', c.enter_time AT TIME ZONE 'UTC' AT TIME ZONE p.tz) AT TIME ZONE p.tz)
                   AT TIME ZONE 'UTC' AS hour_start,
               1 AS offered,
               f.answered AS answered,
               f.abandoned AS abandoned,
               (f.abandoned = 1 AND c.wait_seconds < p.short_abandon)::int AS abandoned_short,
               (f.abandoned = 1 AND c.wait_seconds >= p.short_abandon)::int AS abandoned_long,
               (c.outcome = 'timeout')::int AS timeouts,
               (c.outcome = 'exit_empty')::int AS exit_empty,
               (c.outcome = 'exit_key')::int AS exit_key,
               (f.answered = 1 AND c.wait_seconds <= p.sl_seconds)::int AS answered_in_sl,
               f.answered * 1.0 AS answer_rate,
               f.abandoned * 1.0 AS abandon_rate,
               CASE WHEN f.answered = 1 THEN (c.wait_seconds <= p.sl_seconds)::int * 1.0 END AS service_level,
               (f.answered = 1 AND c.wait_seconds <= p.sl_seconds)::int * 1.0 AS service_level_offered,
               CASE WHEN f.answered = 1 THEN COALESCE(c.wait_seconds, 0) END AS asa,
               CASE WHEN f.answered = 1 AND c.end_time IS NOT NULL THEN COALESCE(c.talk_seconds, 0) END AS aht,
               CASE WHEN f.answered = 1 THEN COALESCE(c.talk_seconds, 0) ELSE 0 END AS talk_seconds,
               COALESCE(c.wait_seconds, 0) AS longest_wait,
               COALESCE(c.missed_attempt_count, 0) AS missed_rings
          FROM hotline_call c
         -- OFFSET 0: the settings row stays one subquery, read once; pulled up, each of the many uses of p.tz
         -- would plan and run its own copy of the time zone's lookup (most of the cost of a short period)
         CROSS JOIN (%(params)s OFFSET 0) p
         CROSS JOIN LATERAL (SELECT (c.outcome IN %(answered)s)::int AS answered,
                                    (c.outcome = 'abandoned')::int AS abandoned) f
         WHERE c.direction = 'inbound' AND c.queue IS NOT NULL
        """,
        params=PARAMS_SQL, answered=ANSWERED,
    )


# Aggregates over call_facts_sql() rows, per KPI (the field aggregators of hotline.call.report).
CALL_AGGREGATES = {
    "offered": "sum", "answered": "sum", "abandoned": "sum", "abandoned_short": "sum",
    "abandoned_long": "sum", "timeouts": "sum", "exit_empty": "sum", "exit_key": "sum",
    "answered_in_sl": "sum", "answer_rate": "avg", "abandon_rate": "avg", "service_level": "avg",
    "service_level_offered": "avg", "asa": "avg", "aht": "avg", "talk_seconds": "sum",
    "longest_wait": "max", "missed_rings": "sum",
}


def _measure(multirange):
    """Seconds covered by a tsmultirange."""
    return SQL("(SELECT COALESCE(SUM(EXTRACT(EPOCH FROM upper(r) - lower(r))), 0) FROM unnest(%s) r)", multirange)


def agent_facts_sql(periods, user_ids=None):
    """Per (agent, period) the agent KPIs; `periods` is SQL yielding (pstart, pend, day).

    pstart/pend are naive UTC timestamps (end excluded), day the period's label.  Columns:

    - signed_in (签入时长): seconds inside the period covered by the agent's sessions (ADDMEMBER
      to REMOVEMEMBER, an open session runs until now), sessions in several queues counted once;
    - paused (示忙): seconds of pause intervals within the signed-in time (a pause left open at
      sign-out ends there), reasons merged; paused_by_reason the same per reason (jsonb);
    - on_call: seconds of talk (inbound or outbound) while signed in and not paused;
    - idle (示闲) = signed_in - paused - on_call (the measure of signed-in time that is neither
      paused nor talking: never negative);
    - occupancy = on_call / (signed_in - paused), a fraction 0..1;
    - talk_in / talk_out: seconds of inbound / outbound talk inside the period (a call's talk
      interval is [end - talk, end], an inbound call still connected runs until now; an agent's
      phone carries one call at a time, so the intervals are summed; calls that
      entered more than a day before the period are not read: no call lasts a day);
    - inbound_answered: inbound calls the agent answered, outbound_total / outbound_answered:
      click-to-dial calls the agent placed / that the citizen answered, missed_rings
      (坐席漏接): the agent's ring-no-answer attempts; all four count calls that entered the
      queue (or were dialled) in the period;
    - rated_calls (一次一评): the agent's calls the caller rated with a valid key after the agent hung up
      (no key, another key or a hang-up during the prompt is no rating); rated_satisfied: those rated
      满意 or 基本满意; the satisfaction rate (满意率 of service) = rated_satisfied / rated_calls, computed
      from the sums wherever shown (the service, the report view, the XLSX); both count calls that entered
      the queue in the period.
    """
    user_filter = SQL("")
    if isinstance(user_ids, SQL):  # a condition on x.user_id (kpi/facts.py passes its argument)
        user_filter = SQL("AND %s", user_ids)
    elif user_ids is not None:
        user_filter = SQL("AND x.user_id IN %s", tuple(user_ids) or (None,))
    empty = SQL("'{}'::tsmultirange")
    sess, paus, talk = (SQL("COALESCE(s.mr, %s)", empty), SQL("COALESCE(pa.mr, %s)", empty),
                        SQL("COALESCE(t.mr_all, %s)", empty))
    return SQL(
        """
        WITH periods AS NOT MATERIALIZED (%(periods)s),
        clock AS NOT MATERIALIZED (SELECT (now() AT TIME ZONE 'UTC')::timestamp AS now),
        sess AS (
            SELECT x.user_id, p.day,
                   range_agg(tsrange(GREATEST(x.start, p.pstart),
                                     LEAST(COALESCE(x.stop, k.now), p.pend))) AS mr
              FROM hotline_agent_session x CROSS JOIN clock k
              JOIN periods p ON x.start < p.pend AND COALESCE(x.stop, k.now) > p.pstart
             WHERE x.user_id IS NOT NULL AND COALESCE(x.stop, k.now) > x.start %(uf)s
             GROUP BY 1, 2),
        paus_r AS (
            SELECT x.user_id, p.day, COALESCE(x.reason, '') AS reason,
                   range_agg(tsrange(GREATEST(x.start, p.pstart), LEAST(COALESCE(x.stop, k.now), p.pend))) AS mr
              FROM hotline_agent_pause x CROSS JOIN clock k
              JOIN periods p ON x.start < p.pend AND COALESCE(x.stop, k.now) > p.pstart
             WHERE x.user_id IS NOT NULL AND COALESCE(x.stop, k.now) > x.start %(uf)s
             GROUP BY 1, 2, 3),
        paus AS (SELECT user_id, day, range_agg(mr) AS mr FROM paus_r GROUP BY 1, 2),
        call_rows AS (
            -- one pass over the period's calls (enter_time index) for the counts and the talk;
            -- the day before is read too for talk crossing into the period: no call lasts a day
            SELECT x.user_id, x.direction, x.outcome, x.enter_time, x.rating_state, x.rating,
                   CASE WHEN x.end_time IS NOT NULL THEN x.end_time - make_interval(secs => x.talk_seconds)
                        ELSE x.answer_time END AS t0,
                   COALESCE(x.end_time, k.now) AS t1,
                   x.answer_time IS NOT NULL
                       AND (x.outcome IN ('answered', 'transferred', 'outbound_answered')
                            OR (x.direction = 'inbound' AND x.end_time IS NULL)) AS talked
              FROM hotline_call x CROSS JOIN clock k
             WHERE x.user_id IS NOT NULL %(uf)s
               AND x.enter_time < (SELECT max(pend) FROM periods)
               AND x.enter_time >= (SELECT min(pstart) FROM periods) - interval '1 day'),
        talk AS (
            SELECT i.user_id, p.day,
                   range_agg(tsrange(GREATEST(i.t0, p.pstart), LEAST(i.t1, p.pend))) AS mr_all,
                   -- an agent's phone carries one call at a time: the talk of a direction is a sum
                   SUM(EXTRACT(EPOCH FROM LEAST(i.t1, p.pend) - GREATEST(i.t0, p.pstart)))
                       FILTER (WHERE i.direction = 'inbound') AS talk_in,
                   SUM(EXTRACT(EPOCH FROM LEAST(i.t1, p.pend) - GREATEST(i.t0, p.pstart)))
                       FILTER (WHERE i.direction = 'outbound') AS talk_out
              FROM call_rows i JOIN periods p ON i.t0 < p.pend AND i.t1 > p.pstart
             WHERE i.talked AND i.t1 > i.t0
             GROUP BY 1, 2),
        calls AS (
            SELECT x.user_id, p.day,
                   COUNT(*) FILTER (WHERE x.direction = 'inbound' AND x.outcome IN ('answered', 'transferred'))
                       AS inbound_answered,
                   COUNT(*) FILTER (WHERE x.direction = 'outbound') AS outbound_total,
                   COUNT(*) FILTER (WHERE x.outcome = 'outbound_answered') AS outbound_answered,
                   COUNT(*) FILTER (WHERE x.rating_state = 'rated') AS rated_calls,
                   COUNT(*) FILTER (WHERE x.rating_state = 'rated' AND x.rating IN ('satisfied', 'basic'))
                       AS rated_satisfied
              FROM call_rows x JOIN periods p ON x.enter_time >= p.pstart AND x.enter_time < p.pend
             GROUP BY 1, 2),
        rings AS (
            SELECT x.user_id, p.day, COUNT(*) AS missed_rings
              FROM hotline_call_attempt x JOIN hotline_call c ON c.id = x.call_id
              JOIN periods p ON c.enter_time >= p.pstart AND c.enter_time < p.pend
             WHERE x.result = 'noanswer' AND x.user_id IS NOT NULL AND c.missed_attempt_count > 0 %(uf)s
               -- a ring happens while its call waits: after it entered, within a day (ring time index)
               AND x.time >= (SELECT min(pstart) FROM periods)
               AND x.time < (SELECT max(pend) FROM periods) + interval '1 day'
             GROUP BY 1, 2),
        keys AS (SELECT user_id, day FROM sess UNION SELECT user_id, day FROM paus
                 UNION SELECT user_id, day FROM talk UNION SELECT user_id, day FROM calls
                 UNION SELECT user_id, day FROM rings),
        figures AS (
            SELECT k.user_id, k.day,
                   COALESCE(c.inbound_answered, 0) AS inbound_answered,
                   COALESCE(c.outbound_total, 0) AS outbound_total,
                   COALESCE(c.outbound_answered, 0) AS outbound_answered,
                   COALESCE(r.missed_rings, 0) AS missed_rings,
                   COALESCE(c.rated_calls, 0) AS rated_calls,
                   COALESCE(c.rated_satisfied, 0) AS rated_satisfied,
                   COALESCE(t.talk_in, 0) AS talk_in,
                   COALESCE(t.talk_out, 0) AS talk_out,
                   %(m_signed)s AS signed_in,
                   %(m_paused)s AS paused,
                   %(m_avail)s AS available,
                   %(m_oncall)s AS on_call,
                   (SELECT jsonb_object_agg(pr.reason, %(m_reason)s) FROM paus_r pr
                     WHERE pr.user_id = k.user_id AND pr.day = k.day) AS paused_by_reason
              FROM keys k
              LEFT JOIN sess s ON s.user_id = k.user_id AND s.day = k.day
              LEFT JOIN paus pa ON pa.user_id = k.user_id AND pa.day = k.day
              LEFT JOIN talk t ON t.user_id = k.user_id AND t.day = k.day
              LEFT JOIN calls c ON c.user_id = k.user_id AND c.day = k.day
              LEFT JOIN rings r ON r.user_id = k.user_id AND r.day = k.day)
        SELECT *, available - on_call AS idle,
               CASE WHEN available > 0 THEN on_call / available END AS occupancy
          FROM figures
        """,
        periods=periods, uf=user_filter,
        m_signed=_measure(sess),
        m_paused=_measure(SQL("%s * %s", paus, sess)),
        m_avail=_measure(SQL("%s - %s", sess, paus)),
        m_oncall=_measure(SQL("%s * (%s - %s)", talk, sess, paus)),
        m_reason=_measure(SQL("pr.mr * %s", sess)),
    )


def day_periods_sql(after=None):
    """Every day of the center's calendar from the first recorded activity to today, as periods;
    `after`: SQL of a date, only the days after it (NULL: no limit)."""
    first = SQL("""(LEAST((SELECT min(start) FROM hotline_agent_session),
                          (SELECT min(enter_time) FROM hotline_call),
                          (SELECT min(start) FROM hotline_agent_pause),
                          now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AT TIME ZONE p.tz)::date""")
    if after is not None:
        first = SQL("GREATEST(%s, (%s) + 1)", first, after)
    return SQL(
        """
        SELECT (d::date::timestamp AT TIME ZONE p.tz) AT TIME ZONE 'UTC' AS pstart,
               ((d::date + 1)::timestamp AT TIME ZONE p.tz) AT TIME ZONE 'UTC' AS pend,
               d::date AS day
          FROM (%(params)s) p,
               generate_series(%(first)s, (now() AT TIME ZONE p.tz)::date, interval '1 day') d
        """,
        params=PARAMS_SQL, first=first,
    )
