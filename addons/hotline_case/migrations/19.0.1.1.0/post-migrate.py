def migrate(cr, version):
    """Log lines now keep the time limits their step set. Before, only the case kept those of its last
    dispatch: they go on that dispatch's line (earlier dispatches had theirs overwritten, nothing is known of
    them). The report triggers are left out: the report facts are rebuilt after this change anyway."""
    cr.execute("ALTER TABLE hotline_case_log DISABLE TRIGGER USER")
    cr.execute("""
        UPDATE hotline_case_log l SET sign_deadline = c.sign_deadline, deadline = c.deadline
          FROM hotline_case c
         WHERE l.case_id = c.id AND (c.deadline IS NOT NULL OR c.sign_deadline IS NOT NULL)
           AND l.deadline IS NULL AND l.sign_deadline IS NULL
           AND l.id = (SELECT MAX(x.id) FROM hotline_case_log x
                        WHERE x.case_id = c.id AND x.action IN ('dispatch', 'self_dispatch'))
    """)
    cr.execute("ALTER TABLE hotline_case_log ENABLE TRIGGER USER")
