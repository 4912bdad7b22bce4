"""What the hotline's commands (``odoo hotline_ami``, ``hotline_exchange``, ``hotline_import``) share.

Each parses its own options first and hands the rest to Odoo's configuration; each serves one database.
Imported by absolute path from their ``cli/`` files (Odoo loads those as ``odoo.cli.<command>``).
"""

import contextlib

from odoo.tools import config


def parse_odoo_config(rest):
    """Parse Odoo's options left over by the command's own parser (-c, -d, --db_host..., logging set up)
    and return the database: exactly one is served, so a missing -d is a usage error."""
    config.parse_config(rest, setup_logging=True)
    dbname = config["db_name"]
    if isinstance(dbname, list):
        dbname = dbname[0] if dbname else None
    if not dbname:
        config.parser.error("a database is required (-d)")
    return dbname


@contextlib.contextmanager
def superuser_env(dbname, context=None):
    """The superuser's environment on a new cursor of the database's registry (reloaded first when another
    process changed it); the cursor commits when the block ends without an exception."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415 - after parse_odoo_config, like any use of the registry
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(dbname).check_signaling()
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, context or {})
