from odoo.tools import SQL


def migrate(cr, version):
    """Sessions and pauses share the interval columns start/stop (hotline.agent.interval.mixin)."""
    renames = [("hotline_agent_session", "login_time", "start"), ("hotline_agent_session", "logout_time", "stop"),
               ("hotline_agent_pause", "end", "stop")]
    for table, old, new in renames:
        cr.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                   (table, old))
        if cr.fetchone():
            cr.execute(SQL("ALTER TABLE %s RENAME COLUMN %s TO %s", SQL.identifier(table), SQL.identifier(old),
                           SQL.identifier(new)))
