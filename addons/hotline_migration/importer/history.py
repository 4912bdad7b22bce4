"""What the workflow writes besides the steps themselves, derived once the history is in: the lines in
case order, the unit on every line, the cases' dispatch, sign-for and submission dates, the time limits of
each dispatch, the contacts of nameless callers. Plain SQL over the source's xref lines (the big tables'
indexes may be set aside during a first load)."""

from psycopg2.extras import execute_values

from odoo.tools import SQL

from ..tools.deadlines import DeadlinePlanner


def link_nameless_callers(cr, source_id):
    """A case recorded without the caller's name gets the caller contact of its phone (and its name, as
    create() gives it), whichever row brought the contact."""
    cr.execute("""
        UPDATE hotline_case c SET partner_id = p.id, caller_name = COALESCE(c.caller_name, p.name)
          FROM hotline_migration_xref x,
               -- the phone's latest contact, as the importer's own look-up (no index needed: a hash join)
               (SELECT DISTINCT ON (hotline_phone_norm) hotline_phone_norm, id, name FROM res_partner
                 WHERE hotline_phone_norm IS NOT NULL ORDER BY hotline_phone_norm, id DESC) p
         WHERE x.source_id = %s AND x.entity = 'cases' AND x.res_model = 'hotline.case' AND x.res_id = c.id
           AND c.partner_id IS NULL AND c.caller_phone = p.hotline_phone_norm
    """, [source_id])


def complete_case_dates(cr, source_id):
    """What the workflow writes besides the steps themselves, from the history the source `source_id`
    brought: the unit on every line (many old systems name it on the unit's own steps only), the case's
    dispatch, sign-for and submission dates and its dispatcher as the workflow keeps them (each step
    overwrites them: the last dispatch's), and the units involved. The lines are first put in case order
    (`order_case_logs`): returns the (legacy id, line id) pairs that moved."""
    # fresh statistics of the tables read below: a bulk load leaves the planner believing them empty
    # (nested loops over a million log lines otherwise); the others are left to autovacuum
    for table in ("hotline_case", "hotline_case_log", "hotline_migration_xref"):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    moved = order_case_logs(cr, source_id)
    # the lines of each case numbered by dispatch (as kpi/cases.py cuts them), and whether a return came
    # before them within their dispatch
    cr.execute("""
        CREATE TEMP TABLE hotline_import_steps ON COMMIT DROP AS
        SELECT s.*, COUNT(*) FILTER (WHERE s.action = 'return') OVER (
                   PARTITION BY s.case_id, s.n ORDER BY s.date, s.id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) > 0 AS after_return
          FROM (SELECT l.id, l.case_id, l.action, l.unit_id, l.user_id, l.date,
                       COUNT(*) FILTER (WHERE l.action IN ('dispatch', 'self_dispatch'))
                           OVER (PARTITION BY l.case_id ORDER BY l.date, l.id) AS n
                  FROM hotline_case_log l
                  JOIN hotline_migration_xref x ON x.res_id = l.case_id AND x.res_model = 'hotline.case'
                                               AND x.source_id = %s AND x.entity = 'cases') s
    """, [source_id])
    # the unit of each dispatch: its own line's, else the first one its later steps name, else (the last
    # dispatch, not returned) the case's
    cr.execute("""
        CREATE TEMP TABLE hotline_import_dispatches ON COMMIT DROP AS
        SELECT g.case_id, g.n, g.last, g.returned, g.dispatch_id, g.dispatched, g.dispatcher,
               COALESCE(g.own_unit, g.step_unit, CASE WHEN g.last AND NOT g.returned THEN c.unit_id END) AS unit_id
          FROM (SELECT s.case_id, s.n, s.n = MAX(s.n) OVER (PARTITION BY s.case_id) AS last,
                       bool_or(s.action = 'return') AS returned,
                       MIN(s.id) FILTER (WHERE s.action IN ('dispatch', 'self_dispatch')) AS dispatch_id,
                       MIN(s.date) AS dispatched,
                       (array_agg(s.user_id ORDER BY s.date, s.id))[1] AS dispatcher,
                       MAX(s.unit_id) FILTER (WHERE s.action IN ('dispatch', 'self_dispatch')) AS own_unit,
                       (array_agg(s.unit_id ORDER BY s.date, s.id) FILTER (WHERE s.unit_id IS NOT NULL))[1]
                           AS step_unit
                  FROM hotline_import_steps s
                 WHERE s.n > 0
              GROUP BY s.case_id, s.n) g
          JOIN hotline_case c ON c.id = g.case_id
    """)
    # every line of a dispatch names its unit, as _transition writes it: the dispatch's (the return line
    # included), none after a return (the case is back in the pool without unit), none before a dispatch
    cr.execute("""
        UPDATE hotline_case_log l SET unit_id = d.unit_id
          FROM hotline_import_steps s
          JOIN hotline_import_dispatches d ON d.case_id = s.case_id AND d.n = s.n
         WHERE l.id = s.id AND l.unit_id IS NULL AND NOT s.after_return AND d.unit_id IS NOT NULL
    """)
    # the case: the last dispatch's unit when the export left it out (and no return came after it); the
    # dates each step overwrites: the last dispatch's, the last signing for and submission
    cr.execute("""
        UPDATE hotline_case c
           SET unit_id = COALESCE(c.unit_id, CASE WHEN NOT d.returned THEN d.unit_id END),
               date_dispatched = d.dispatched, dispatcher_id = d.dispatcher
          FROM hotline_import_dispatches d
         WHERE d.case_id = c.id AND d.last
    """)
    cr.execute("""
        UPDATE hotline_case c SET date_accepted = h.accepted, date_submitted = h.submitted
          FROM (SELECT case_id, MAX(date) FILTER (WHERE action = 'accept') AS accepted,
                       MAX(date) FILTER (WHERE action = 'submit') AS submitted
                  FROM hotline_import_steps
                 WHERE action IN ('accept', 'submit')
              GROUP BY case_id) h
         WHERE h.case_id = c.id
    """)
    cr.execute("DROP TABLE hotline_import_steps, hotline_import_dispatches")
    # handled_unit_ids as hotline_case computes it: every unit a dispatch log line names (the units'
    # record rules read this relation)
    cr.execute("""
        INSERT INTO hotline_case_portal_unit_rel (case_id, unit_id)
        SELECT DISTINCT l.case_id, l.unit_id
          FROM hotline_case_log l
          JOIN hotline_migration_xref x ON x.res_id = l.case_id AND x.res_model = 'hotline.case'
                                       AND x.source_id = %s AND x.entity = 'cases'
         WHERE l.to_state = 'dispatched' AND l.unit_id IS NOT NULL
        ON CONFLICT DO NOTHING
    """, [source_id])
    return moved


def order_case_logs(cr, source_id):
    """Give each case's imported lines ids ascending with their dates (ties in the order they were written):
    an export is not always chronological per case, and parallel readers interleave their batches, yet what
    reads a case's history by id (the workflow's "last line" look-ups, reports ordering by id) must meet the
    same dispatches as by date. The lines' contents move between the case's own ids, and their xref lines
    with them; rows already in order are left alone (a resumed run's pass is cheap)."""
    cr.execute("""
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'hotline_case_log' AND table_schema = current_schema()
           AND column_name NOT IN ('id', 'case_id')
         ORDER BY ordinal_position
    """)
    columns = [SQL.identifier(name) for (name,) in cr.fetchall()]
    cr.execute("""
        CREATE TEMP TABLE hotline_import_log_order ON COMMIT DROP AS
        SELECT by_id.id AS target, by_date.id AS origin
          FROM (SELECT l.id, l.case_id, ROW_NUMBER() OVER (PARTITION BY l.case_id ORDER BY l.id) AS k
                  FROM hotline_case_log l
                  JOIN hotline_migration_xref x ON x.res_id = l.id AND x.res_model = 'hotline.case.log'
                                               AND x.source_id = %(source)s AND x.entity = 'logs') by_id
          JOIN (SELECT l.id, l.case_id, ROW_NUMBER() OVER (PARTITION BY l.case_id ORDER BY l.date, l.id) AS k
                  FROM hotline_case_log l
                  JOIN hotline_migration_xref x ON x.res_id = l.id AND x.res_model = 'hotline.case.log'
                                               AND x.source_id = %(source)s AND x.entity = 'logs') by_date
            ON by_date.case_id = by_id.case_id AND by_date.k = by_id.k
         WHERE by_date.id <> by_id.id
    """, {"source": source_id})
    # one statement each: every row reads the table as it was before it (a permutation, no collision)
    cr.execute(SQL("""
        UPDATE hotline_case_log l SET (%(columns)s) = (%(origin)s)
          FROM hotline_import_log_order o JOIN hotline_case_log s ON s.id = o.origin
         WHERE l.id = o.target
    """, columns=SQL(", ").join(columns), origin=SQL(", ").join(SQL("s.%s", c) for c in columns)))
    cr.execute("""
        UPDATE hotline_migration_xref x SET res_id = o.target
          FROM hotline_import_log_order o
         WHERE x.source_id = %s AND x.entity = 'logs' AND x.res_id = o.origin
     RETURNING x.legacy_id, x.res_id
    """, [source_id])
    moved = cr.fetchall()
    cr.execute("DROP TABLE hotline_import_log_order")
    return moved


def dispatch_deadlines(env, source_id):
    """The time limits every imported dispatch line carries, as `_dispatch` writes them (the unit figures
    count each dispatch against its own): the deadline rule's from the dispatch's time. The case's legacy
    deadline is the last one the workflow set: on the last extension approved of its last dispatch (延期批准
    writes the new deadline on its line), else on its last dispatch. The case gets its own limits from its
    last dispatch when the export has none (unless a return or a reopening cleared them since). Returns the
    number of lines given time limits."""
    cr = env.cr
    # no look-up per line: the big tables' indexes may be set aside (a first load)
    cr.execute("""
        SELECT s.id, s.case_id, s.date, s.action = 'approve_extension', c.deadline, c.sign_deadline,
               s.latest = 1 AND s.later_dispatches = 0 AS last, s.cleared
          FROM (SELECT l.id, l.case_id, l.date, l.action, l.deadline, l.sign_deadline,
                       ROW_NUMBER() OVER (PARTITION BY l.case_id, l.action IN ('dispatch', 'self_dispatch')
                                          ORDER BY l.date DESC, l.id DESC) AS latest,
                       COUNT(*) FILTER (WHERE l.action IN ('dispatch', 'self_dispatch')) OVER later
                           AS later_dispatches,
                       -- a return or a reopening after the line clears the case's limits
                       COUNT(*) FILTER (WHERE l.action IN ('return', 'reopen')) OVER later > 0 AS cleared
                  FROM hotline_case_log l
                  JOIN hotline_migration_xref x ON x.res_id = l.case_id AND x.res_model = 'hotline.case'
                                               AND x.source_id = %s AND x.entity = 'cases'
                 WHERE l.action IN ('dispatch', 'self_dispatch', 'approve_extension', 'return', 'reopen')
                WINDOW later AS (PARTITION BY l.case_id ORDER BY l.date DESC, l.id DESC
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) s
          JOIN hotline_case c ON c.id = s.case_id
         WHERE s.action IN ('dispatch', 'self_dispatch', 'approve_extension')
           AND s.deadline IS NULL AND s.sign_deadline IS NULL
         ORDER BY s.case_id
    """, [source_id])
    rows = cr.fetchall()
    if not rows:
        return 0
    # the cases whose last dispatch was extended: the legacy deadline is the extension's
    extended = {row[1] for row in rows if row[3] and row[6] and not row[7]}
    dispatches = [row for row in rows if not row[3]]
    Case = env["hotline.case"].sudo().with_context(prefetch_fields=False)
    cases = Case.browse({row[1] for row in dispatches})
    cases.fetch(["type_id", "category_id", "urgency"])
    planner = DeadlinePlanner(Case, min(row[2] for row in rows), max(row[2] for row in rows))
    lines, case_limits = [], []
    for line_id, case_id, date, approval, case_deadline, case_sign, last, cleared in rows:
        if approval:
            # an earlier extension's new deadline is not in the export: left empty
            if last and not cleared and case_deadline:
                lines.append((line_id, case_deadline, None))
            continue
        case = cases.browse(case_id)
        limits = planner.deadlines(case.type_id, case.category_id, case.urgency, date)
        # as the ORM stores a datetime: whole seconds
        deadline, sign = (limits[name].replace(microsecond=0) if limits[name] else None
                          for name in ("deadline", "sign_deadline"))
        if last and not cleared:
            if case_deadline and case_id not in extended:
                deadline = case_deadline
                sign = min(sign, deadline) if sign else None
            case_limits.append((case_id, case_deadline or deadline, case_sign or sign))
        if deadline or sign:
            lines.append((line_id, deadline, sign))
    execute_values(cr._obj, """
        UPDATE hotline_case_log l SET deadline = v.deadline::timestamp, sign_deadline = v.sign::timestamp
          FROM (VALUES %s) v(id, deadline, sign) WHERE l.id = v.id""", lines, page_size=1000)
    execute_values(cr._obj, """
        UPDATE hotline_case c SET deadline = v.deadline::timestamp,
               sign_deadline = COALESCE(c.sign_deadline, v.sign::timestamp)
          FROM (VALUES %s) v(id, deadline, sign) WHERE c.id = v.id""", case_limits, page_size=1000)
    return len(lines)
