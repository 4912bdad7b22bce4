def migrate(cr, version):
    """A 0 s wait or talk was left empty (NULL) and skipped by averages: an answered call has both."""
    cr.execute("UPDATE hotline_call SET wait_seconds = 0 WHERE answer_time IS NOT NULL AND wait_seconds IS NULL")
    cr.execute("UPDATE hotline_call SET talk_seconds = 0 WHERE answer_time IS NOT NULL AND end_time IS NOT NULL "
               "AND talk_seconds IS NULL")
