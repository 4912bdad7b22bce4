def migrate(cr, version):
    """Replies recorded before callback_saved: the evaluations that came within the reply days on a case no agent
    had phoned saved a callback, at the company's callback minutes (hotline.sms.reply.CALLBACK_SAVED_HELP)."""
    cr.execute("""
        UPDATE hotline_sms_reply r
           SET callback_saved = TRUE, callback_minutes_saved = COALESCE(co.hotline_sms_callback_minutes, 0)
          FROM hotline_sms_message m, res_company co, hotline_case c
         WHERE r.outcome = 'evaluated' AND m.id = r.message_id AND co.id = r.company_id AND c.id = r.case_id
           AND m.date_sent IS NOT NULL AND NOT COALESCE(m.expired, FALSE)
           AND r.date_received <= m.date_sent + make_interval(days => COALESCE(co.hotline_sms_reply_days, 0))
           AND COALESCE(c.callback_attempts, 0) = 0
           AND r.callback_saved IS NOT TRUE
    """)
