"""``odoo hotline_ami -c odoo.conf -d DB``: the AMI bridge (one per PBX).

Start it on every node: one serves the PBX (it holds the PBX's advisory lock), the others wait as
standbys and take over when it dies. ``--no-standby`` exits instead of waiting.

Loaded by Odoo's CLI as ``odoo.cli.hotline_ami`` (the command name must equal the
module name), so the addon is imported by absolute path.
"""

import argparse
import logging
import signal

from odoo.cli import Command

_logger = logging.getLogger("odoo.addons.hotline_telephony.bridge")


class HotlineAmi(Command):
    """Run the Asterisk AMI bridge of the hotline (calls, agent states, screen pop)."""

    name = "hotline_ami"

    def run(self, args):
        own = argparse.ArgumentParser(add_help=False)
        own.add_argument("--pbx-id", type=int, default=0,
                         help="hotline.pbx record to serve (default: the first active one)")
        own.add_argument("--queue-log", default="",
                         help="path of Asterisk's queue_log as seen by this host (default: from the PBX record)")
        own.add_argument("--no-standby", action="store_true",
                         help="exit (status 3) when another bridge serves the PBX, instead of waiting as its standby")
        opts, rest = own.parse_known_args(args)
        # Absolute on purpose: this file runs as odoo.cli.hotline_ami, outside the addon package.
        from odoo.addons.hotline_case.tools.cli import (  # noqa: PLC0415  # pylint: disable=odoo-addons-relative-import
            parse_odoo_config,
        )

        dbname = parse_odoo_config(rest)
        from odoo.addons.hotline_telephony.ami.bridge import (  # noqa: PLC0415  # pylint: disable=odoo-addons-relative-import
            Bridge,
            BridgeLocked,
        )

        bridge = Bridge(dbname, pbx_id=opts.pbx_id or None, queue_log_path=opts.queue_log or None)

        def _stop(signum, frame):
            _logger.info("hotline-ami: signal %s, stopping", signum)
            bridge.stop()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        try:
            bridge.run(standby=not opts.no_standby)
        except BridgeLocked as exc:
            _logger.error("hotline-ami: %s", exc)
            raise SystemExit(3) from exc
