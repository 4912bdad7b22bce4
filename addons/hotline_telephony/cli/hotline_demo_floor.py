"""``odoo hotline_demo_floor -c odoo.conf -d DB``: play the demo floor on a demo database, live.

The calls, answers, pauses and bursts of ami/demo_floor.py go through the AMI ingestion every few
seconds, as a bridge would send them, so the wall screen, the agent panel and today's figures move
(``--once``: catch up to now and stop). A database without demo data is refused.
Loaded by Odoo's CLI as ``odoo.cli.hotline_demo_floor``, so the addon is imported by absolute path.
"""

import argparse
import logging
import signal
import threading

from odoo.cli import Command

_logger = logging.getLogger("odoo.addons.hotline_telephony.demo_floor")


class HotlineDemoFloor(Command):
    """Play the hotline's demo floor (calls, agents, pauses, bursts) on a demo database"""

    name = "hotline_demo_floor"

    def run(self, args):
        own = argparse.ArgumentParser(add_help=False)
        own.add_argument("--once", action="store_true", help="catch up to now, then stop")
        own.add_argument("--every", type=float, default=5.0, help="seconds between two plays (default 5)")
        opts, rest = own.parse_known_args(args)
        from odoo.addons.hotline_case.tools.cli import (  # noqa: PLC0415  # pylint: disable=odoo-addons-relative-import
            parse_odoo_config,
            superuser_env,
        )

        dbname = parse_odoo_config(rest)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_a: stop.set())
        signal.signal(signal.SIGINT, lambda *_a: stop.set())
        while not stop.is_set():
            with superuser_env(dbname) as env:
                pbxs = env["hotline.pbx"].search([("active", "=", True)])
                if not pbxs._demo_floor_allowed():
                    _logger.error("hotline-demo-floor: %s has no demo data: nothing is played", dbname)
                    raise SystemExit(2)
                played = sum(pbx._demo_floor_play() for pbx in pbxs)
            _logger.info("hotline-demo-floor: %d queue_log lines played", played)
            if opts.once:
                break
            stop.wait(opts.every)
