"""``odoo hotline_exchange -c odoo.conf -d CENTER_DB``: the center's exchange loop with the unit server.

Loaded by Odoo's CLI as ``odoo.cli.hotline_exchange`` (the command name must equal the module name).
Each round pulls the units' actions and pushes the center's outbox (hotline.exchange.link.run_once). The loop
wakes at once when a transaction writes to the outbox (NOTIFY hotline_exchange at commit) and otherwise every
--interval seconds to pull: the unit server never connects to the center, so polling is the only way its
actions arrive.
"""

import argparse
import logging
import select
import signal
import time

import psycopg2

from odoo.cli import Command

_logger = logging.getLogger("odoo.addons.hotline_exchange.loop")
# after a round that failed outright, the loop waits longer each time, at most this long
MAX_PAUSE_SECONDS = 30


class HotlineExchange(Command):
    """Run the exchange between the center and the unit server (on the center)."""

    name = "hotline_exchange"

    def run(self, args):
        own = argparse.ArgumentParser(add_help=False)
        own.add_argument("--interval", type=float, default=0.25,
                         help="seconds between two pulls from the unit server when idle (default 0.25)")
        own.add_argument("--once", action="store_true", help="one round, print its figures and exit")
        opts, rest = own.parse_known_args(args)
        from odoo import sql_db  # noqa: PLC0415

        # Absolute on purpose: this file runs as odoo.cli.hotline_exchange, outside the addon package.
        from odoo.addons.hotline_case.tools.cli import (  # noqa: PLC0415  # pylint: disable=odoo-addons-relative-import
            parse_odoo_config,
            superuser_env,
        )

        dbname = parse_odoo_config(rest)

        stopping = []

        def _stop(signum, frame):
            _logger.info("hotline-exchange: signal %s, stopping", signum)
            stopping.append(signum)

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

        def listen():
            cursor = sql_db.db_connect(dbname).cursor()
            cursor._cnx.autocommit = True  # noqa: SLF001  # LISTEN needs its own connection outside a transaction
            cursor.execute("LISTEN hotline_exchange")
            return cursor

        listener = None
        _logger.info("hotline-exchange: serving database %s every %.2f s", dbname, opts.interval)
        pause = opts.interval
        try:
            while not stopping:
                try:
                    listener = listener or listen()
                    with superuser_env(dbname) as env:
                        stats = env["hotline.exchange.link"].run_once()
                    pause = opts.interval
                except Exception:  # noqa: BLE001  # pylint: disable=broad-exception-caught
                    # the loop outlives any round (the database restarting, a fault of this code): the round is
                    # rolled back with its cursor, logged, and tried again after a growing pause
                    _logger.exception("hotline-exchange: the round failed, trying again in %.0f s", pause)
                    if listener is not None:
                        listener.close()
                        listener = None
                    if opts.once:
                        raise
                    time.sleep(pause)
                    pause = min(pause * 2 + 1, MAX_PAUSE_SECONDS)
                    continue
                if opts.once:
                    print(stats)  # noqa: T201  # pylint: disable=print-used  # --once prints its figures
                    return
                busy = (stats["pushed"] or stats["pulled"] or stats["refused"]) and not stats["error"]
                if busy:
                    continue
                if stats["error"] and stats["error"] not in ("waiting", "locked", "role"):
                    time.sleep(opts.interval)
                try:
                    if select.select([listener._cnx], [], [], opts.interval)[0]:  # noqa: SLF001
                        listener._cnx.poll()  # noqa: SLF001
                        listener._cnx.notifies.clear()  # noqa: SLF001
                except (OSError, ValueError, psycopg2.Error):
                    listener.close()  # the connection is gone: a new one at the next round
                    listener = None
        finally:
            if listener is not None:
                listener.close()
