import logging
import random
import time
from datetime import datetime, timedelta

from odoo import api, models
from odoo.exceptions import UserError

from ..ami.demo_floor import day_plan
from ..ami.facts import parse_queue_log
from ..ami.ingest import Ingestor

_logger = logging.getLogger(__name__)
PLAYED_PARAM = "hotline_telephony.demo_floor_played"  # .<pbx id>: epoch up to which the floor was played
LOCK_KEY = 0x48544446  # "HTDF": one player per PBX at a time (the scheduled job and the command)


class HotlinePbx(models.Model):
    _inherit = "hotline.pbx"

    def _demo_floor_plan(self, day):
        """The demo floor's day on this PBX: (queue_log lines, burst call ids), the same at every call."""
        self.ensure_one()
        tz = self.env.company._hotline_tz()
        start = int(tz.localize(datetime.combine(day, datetime.min.time())).timestamp())
        agents = self.env["res.users"].search([("hotline_interface", "!=", False)], order="id").mapped(
            "hotline_interface")
        seed = int(day.strftime("%Y%m%d")) * 1000 + self.id
        rnd = random.Random(seed)
        callers = self.env["res.partner"].search([("hotline_phone_norm", "!=", False), ("is_company", "=", False)],
                                                 order="id", limit=30)
        # landlines reach the PBX without the dash; a third of the calls from numbers never seen before
        numbers = [p.hotline_phone_norm.replace("-", "") for p in callers]
        numbers += ["1%s%09d" % (rnd.choice("3589"), rnd.randrange(10**9)) for _i in range(len(numbers) // 2 or 10)]
        queue = (self._queue_list() or ["hotline"])[0]
        return day_plan(start, agents, numbers, queue=queue, seed=seed)

    @api.model
    def _demo_floor_allowed(self):
        """Only a demo database plays a floor: made-up calls must never reach a real center's figures."""
        return bool(self.env["ir.module.module"].sudo().search([("name", "=", "base")]).demo)

    def _demo_floor_play(self, until=None):
        """Play the demo floor (ami/demo_floor.py) from where it was left (at first: today's midnight) up to
        `until` (epoch, default now): its queue_log lines go through the AMI ingestion as a bridge's would
        (calls, agent sessions and pauses, the boards' pushes); the answered calls that ended are recorded
        as cases by their agents, half of them, and every call of a burst wave. Returns the lines played."""
        self.ensure_one()
        if not self._demo_floor_allowed():
            raise UserError(self.env._("The demo floor plays on a demo database only."))
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_KEY, self.id])
        if not self.env.cr.fetchone()[0]:
            return 0  # the other player is at it
        now = until or time.time()
        params = self.env["ir.config_parameter"].sudo()
        key = f"{PLAYED_PARAM}.{self.id}"
        last = float(params.get_param(key) or 0)
        tz = self.env.company._hotline_tz()
        today = datetime.fromtimestamp(now, tz).date()
        day = max(datetime.fromtimestamp(last, tz).date(), today - timedelta(days=1)) if last else today
        played = 0
        while day <= today:
            lines, burst = self._demo_floor_plan(day)
            offset, selected, position = None, [], 0
            for line in lines:
                if last < int(line.split("|", 1)[0]) <= now:
                    offset = position if offset is None else offset
                    selected.append(line)
                position += len(line.encode()) + 1
            if selected:
                # the offsets in the day's text identify the agent events: a stretch played again adds nothing
                ingestor = Ingestor(self.env, self)
                ingestor.apply(parse_queue_log("\n".join(selected) + "\n", offset=offset))
                self._hotline_facts_settled(ingestor.applied)  # once a minute: what the bridge settles
                ended = [line.split("|")[1] for line in selected if "|COMPLETE" in line]
                self._demo_floor_cases(ended, burst, random.Random(f"{day}:{last}"))
                played += len(selected)
            day += timedelta(days=1)
        params.set_param(key, repr(now))
        if played:
            # the floor's source is alive, as a bridge's heartbeat says
            self._bridge_report("connected", {"host": "demo floor", "last_event": now, "caught_up": played})
        return played

    def _demo_floor_cases(self, ended, burst, rnd):
        """Half of the answered calls that ended (every call of a burst) become cases, as their agents take
        them from the screen pop; a burst's cases are one water outage in one street."""
        calls = self.env["hotline.call"].search([("pbx_id", "=", self.id), ("uniqueid", "in", ended),
                                                 ("outcome", "=", "answered"), ("user_id", "!=", False),
                                                 ("case_ids", "=", False)], order="enter_time")
        calls = calls.filtered(lambda call: call.uniqueid in burst or int(call.uniqueid.rsplit(".", 1)[1]) % 2)
        self._demo_cases_from_calls(rnd, calls=calls, burst=burst)

    @api.model
    def _cron_demo_floor(self):
        """The demo database's floor, played every minute (the scheduled job exists in demo data only)."""
        if self._demo_floor_allowed():
            for pbx in self.search([("active", "=", True)]):  # the PBXs in service, few
                pbx._demo_floor_play()
