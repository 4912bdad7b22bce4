"""Live state of the floor: agent tiles, queue blocks, the case panel, and pushing their changes.

Everything here reads with sudo: the callers (board controllers, the AMI bridge) have checked who
may see the board; what leaves this model for a logged-out screen is masked (hotline_telephony's `mask_number`).
"""

import threading
import time
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.hotline_telephony.models.hotline_agent_state import mask_number, to_ms
from odoo.tools import SQL

from .hotline_wallboard import UPDATE

ABANDONED_SHOWN = 20  # abandoned callers listed per queue (the board also shows how many there are)
SNAPSHOT_TTL = 1.0  # seconds: at most one snapshot per board configuration and second per server
_snapshot_cache = {}  # (dbname, config key, masked) -> (monotonic time, snapshot)
_snapshot_lock = threading.Lock()
SUPERVISOR_GROUP = "hotline_case.group_reviewer"
PUSH_RETENTION = timedelta(minutes=10)  # how long the boards' pushes stay on the bus (see _gc_pushes)


def _initials(name):
    name = (name or "").strip()
    if not name:
        return "?"
    if name.isascii():
        return "".join(part[0] for part in name.split()[:2]).upper()
    return name[-2:]  # Chinese names: the given name


class HotlineMonitorLive(models.AbstractModel):
    _name = "hotline.monitor.live"
    _description = "Hotline Live Floor State"

    # -- agents -------------------------------------------------------------------------
    @api.model
    def _agent_tiles(self, users, queues, wrapup_seconds=0, now=None, live_calls=None):
        """One tile per agent with a phone: their state (hotline.agent.state), the call in progress
        with its other party masked, times as the browser's epoch milliseconds."""
        states = self.env["hotline.agent.state"]._states(users, queues, wrapup_seconds, now, live_calls)
        tiles = []
        for agent in states:
            call = agent["call"]
            other = call and (call["caller_number"] if agent["direction"] == "inbound" else call["called_number"])
            tiles.append({
                "id": agent["user_id"], "name": agent["name"], "initials": _initials(agent["name"]),
                "extension": agent["extension"], "interface": agent["interface"], "state": agent["state"],
                "since": to_ms(agent["since"]), "reason": agent["reason"], "queues": agent["queues"],
                "direction": agent["direction"], "caller": mask_number(other) if call else "",
                "wrapup_until": to_ms(agent["wrapup_until"]), "recording": agent["recording"],
            })
        return tiles

    # -- queues -------------------------------------------------------------------------
    @api.model
    def _queue_blocks(self, queues, now=None, masked=True, live_calls=None):
        """Per queue: calls waiting (with their start), today's figures, abandoned callers not called back, surge."""
        now = now or fields.Datetime.now()
        kpi = self.env["hotline.monitor.kpi"]
        company = self.env.company
        start, _end = company._hotline_day_bounds(company._hotline_local_day(now))
        waiting = self._waiting(now, live_calls)
        figures = kpi._queue_figures(queues)
        abandoned = self._abandoned_callers(queues, start, now)
        nobody = {"count": 0, "items": []}
        surge = self._surge(queues, now)
        blocks = []
        for queue in queues:
            blocks.append({
                "name": queue,
                "waiting": waiting.get(queue, []),
                "figures": figures.get(queue, {}),
                "abandoned": [{**a, "number": mask_number(a["number"]) if masked else a["number"]}
                              for a in abandoned.get(queue, nobody)["items"]],
                "abandoned_count": abandoned.get(queue, nobody)["count"],
                "surge": surge.get(queue),
            })
        return blocks

    @api.model
    def _waiting(self, now, live_calls=None):
        """{queue: start times (epoch ms) of its calls waiting}: the inbound calls not answered nor ended
        (an hour at most: older ones lost their end)."""
        if live_calls is None:
            live_calls = self.env["hotline.agent.state"]._live_calls(now)
        waiting = {}
        for call in live_calls:
            if not call["answer_time"] and not call["outcome"] and call["direction"] == "inbound" \
                    and call["enter_time"] > now - timedelta(hours=1):
                waiting.setdefault(call["queue"], []).append(to_ms(call["enter_time"]))
        return waiting

    @api.model
    def _abandoned_callers(self, queues, start, now, limit=ABANDONED_SHOWN):
        """Today's abandoned callers nobody has reached since (no later outbound call to the number, no
        later answered call from it): per queue the `limit` latest ones and how many there are."""
        Call = self.env["hotline.call"]
        Call.flush_model(["outcome", "queue", "enter_time", "end_time", "caller_number", "called_number",
                          "direction", "wait_seconds"])
        # today's abandons (partial index), then two probes per number: answered or called back since
        self.env.cr.execute(SQL("""
            WITH latest AS (
                SELECT DISTINCT ON (caller_number) id, queue, caller_number, wait_seconds, enter_time,
                       COALESCE(end_time, enter_time) AS ended
                  FROM hotline_call
                 WHERE outcome = 'abandoned' AND enter_time >= %(start)s AND enter_time <= %(now)s
                   AND queue IN %(queues)s AND caller_number IS NOT NULL
              ORDER BY caller_number, enter_time DESC),
            open AS (
                SELECT l.*, ROW_NUMBER() OVER (PARTITION BY l.queue ORDER BY l.ended DESC, l.id DESC) AS rank,
                       COUNT(*) OVER (PARTITION BY l.queue) AS total
                  FROM latest l
                 WHERE NOT EXISTS (SELECT 1 FROM hotline_call r
                                    WHERE r.caller_number = l.caller_number AND r.enter_time >= l.ended
                                      AND r.outcome IN ('answered', 'transferred'))
                   AND NOT EXISTS (SELECT 1 FROM hotline_call r
                                    WHERE r.called_number = l.caller_number AND r.enter_time >= l.ended
                                      AND r.direction = 'outbound'))
            SELECT id, queue, caller_number, ended, wait_seconds, total FROM open
             WHERE rank <= %(limit)s ORDER BY queue, rank
        """, start=start, now=now, queues=tuple(queues) or (None,), limit=limit))
        result = {}
        for call_id, queue, number, ended, wait, total in self.env.cr.fetchall():
            entry = result.setdefault(queue, {"count": total, "items": []})
            entry["items"].append({"call_id": call_id, "queue": queue, "number": number, "time": to_ms(ended),
                                   "wait": wait})
        return result

    @api.model
    def _surge(self, queues, now):
        """Calls of the last 15 minutes against the same weekday-and-hour quarter-hour average of the
        last 4 weeks (the hour's calls / 4, averaged over the 4 weeks). One statement: five ranges of
        the enter_time index."""
        tz = self.env.company._hotline_tz()
        local = pytz.utc.localize(now).astimezone(tz).replace(minute=0, second=0, microsecond=0, tzinfo=None)
        hours = [tz.localize(local - timedelta(weeks=week)).astimezone(pytz.utc).replace(tzinfo=None)
                 for week in range(1, 5)]
        ranges = [(now - timedelta(minutes=15), now)] + [(h, h + timedelta(hours=1)) for h in hours]
        self.env["hotline.call"].flush_model(["queue", "direction", "enter_time"])
        self.env.cr.execute(SQL("""
            SELECT queue,
                   COUNT(*) FILTER (WHERE enter_time > %(recent)s) AS last15,
                   COUNT(*) FILTER (WHERE enter_time <= %(recent)s) AS past
              FROM hotline_call
             WHERE queue = ANY(%(queues)s) AND direction = 'inbound' AND (%(ranges)s)
          GROUP BY queue
        """, recent=ranges[0][0], queues=list(queues), ranges=SQL(" OR ").join(
            # the recent quarter: (now - 15 min, now]; the past hours: [start, end)
            [SQL("(enter_time > %s AND enter_time <= %s)", *ranges[0])]
            + [SQL("(enter_time >= %s AND enter_time < %s)", *r) for r in ranges[1:]])))
        counts = {queue: (last15, past) for queue, last15, past in self.env.cr.fetchall()}
        return {q: {"last15": counts.get(q, (0, 0))[0], "baseline": round(counts.get(q, (0, 0))[1] / 4 / 4, 2)}
                for q in queues}

    # -- cases --------------------------------------------------------------------------
    @api.model
    def _case_panel(self):
        return self.env["hotline.monitor.kpi"]._case_situation()

    @api.model
    def _alerts(self):
        start, _end = self.env.company._hotline_day_bounds()
        alerts = self.env["hotline.burst.alert"].sudo().search(
            ["|", ("state", "=", "open"), ("last_time", ">=", start)], limit=20)
        return [alert._board_dict() for alert in alerts]

    # -- the data's freshness ----------------------------------------------------------------
    @api.model
    def _bridge(self):
        """How fresh the board's figures are: the AMI bridge's last heartbeat and link state, written on
        the PBX by the bridge every ping. False without a PBX (nothing to wait for).

        The screen judges the heartbeat's age on its own clock against system health's silence (sent
        with the snapshot, read by the web server: the bridge's long-running process may still hold
        an older setting): a dead bridge pushes nothing, yet its silence shows."""
        pbx = self.env["hotline.pbx"].sudo().search([], limit=1)  # the bridge's PBX (see Bridge._pbx)
        if not pbx:
            return False
        return {"heartbeat": to_ms(pbx.bridge_heartbeat), "connected": pbx.bridge_status == "connected"}

    # -- snapshot -----------------------------------------------------------------------
    @api.model
    def _snapshot(self, board, masked=True):
        """The whole board, shared by every screen with the same settings for SNAPSHOT_TTL.

        The cache key is read from the board's own settings (one cheap read); the derived
        configuration (its agents, the reports' service level) is only computed on a miss."""
        key = (self.env.cr.dbname, board._config_key(), masked)
        now = time.monotonic()
        with _snapshot_lock:
            hit = _snapshot_cache.get(key)
            if hit and now - hit[0] < SNAPSHOT_TTL:
                shared = hit[1]
            else:
                # computed under the lock: fifty boards reconnecting at once cost one snapshot
                shared = self._compute_snapshot(board._config(), masked)
                if len(_snapshot_cache) > 256:
                    _snapshot_cache.clear()
                _snapshot_cache[key] = (time.monotonic(), shared)
        board = board.sudo()
        if shared["config"]["id"] == board.id:
            return shared
        # another board with the same settings: its own name and id
        return {**shared, "config": {**shared["config"], "id": board.id, "name": board.name}}

    @api.model
    def _compute_snapshot(self, config, masked):
        live = self.with_context(lang=config["lang"])  # labels in the board's language
        users = self.env["res.users"].sudo().browse(config["user_ids"])
        now = fields.Datetime.now()
        calls = live.env["hotline.agent.state"]._live_calls(now)
        return {
            "config": config,
            "server_time": to_ms(now),
            "agents": live._agent_tiles(users, config["queues"], config["thresholds"]["wrapup"], now, calls),
            "queues": live._queue_blocks(config["queues"], now, masked, calls),
            "cases": live._case_panel(),
            "alerts": live._alerts(),
            "bridge": live._bridge(),
            "bridge_silence": self.env["hotline.health.check"]._bridge_silence(),
            "masked": masked,
        }

    # -- pushing --------------------------------------------------------------------------
    @api.model
    def _boards(self):
        return self.env["hotline.wallboard"].sudo().search([("active", "=", True)])

    @api.model
    def _send(self, payload, masked_payload=None):
        """The change to every board's token channel (masked) and to the supervisors' group channel,
        with the bridge's heartbeat (every push tells the screens how fresh their data is).

        Changes are not filtered per board (each board keeps what it shows): one payload for all,
        computed once, whatever the number of screens."""
        Bus = self.env["bus.bus"].sudo()
        freshness = {"bridge": self._bridge(), "server_time": to_ms(fields.Datetime.now())}
        payload = {**payload, **freshness}
        masked_payload = {**(masked_payload or payload), **freshness}
        for token in self._boards().mapped("access_token"):
            if token:
                Bus._sendone(token, UPDATE, masked_payload)
        Bus._sendone(self.env.ref(SUPERVISOR_GROUP), UPDATE, payload)

    @api.model
    def _push_floor(self, interfaces, queues, figures=True):
        """After AMI batches: the tiles of the agents and the blocks of the queues they changed. Whole
        blocks with `figures`; without, only their calls waiting (what each batch pushes, cheap), the
        screens keeping the rest of the block until the figures follow (hotline.pbx._hotline_facts_settled)."""
        boards = self._boards()
        if not boards:
            return
        users = self.env["res.users"].sudo().search([("hotline_interface", "in", list(interfaces))]) \
            if interfaces else self.env["res.users"]
        pbx = self.env["hotline.pbx"].sudo().search([], limit=1)
        board_queues = set(pbx._queue_list() if pbx else [])
        for names in boards.mapped("queue_names"):
            board_queues.update(q.strip() for q in (names or "").split(",") if q.strip())
        board_queues = sorted(board_queues)
        changed = sorted(set(queues) & set(board_queues))
        if not (users or changed):
            return
        now = fields.Datetime.now()
        calls = self.env["hotline.agent.state"]._live_calls(now)
        tiles = self._agent_tiles(users, board_queues, max(boards.mapped("wrapup_seconds")), now, calls) \
            if users else []
        if not changed:
            blocks = []
        elif figures:
            blocks = self._queue_blocks(changed, now, False, calls)
        else:
            waiting = self._waiting(now, calls)
            blocks = [{"name": queue, "waiting": waiting.get(queue, [])} for queue in changed]
        if not (tiles or blocks):
            return
        masked_blocks = [{**b, "abandoned": [{**a, "number": mask_number(a["number"])} for a in b["abandoned"]]}
                         if "abandoned" in b else b for b in blocks]
        self._send({"agents": tiles, "queues": blocks}, {"agents": tiles, "queues": masked_blocks})

    @api.model
    def _gc_pushes(self):
        """The boards' pushes leave the bus once PUSH_RETENTION old, not after Odoo's day: a screen away
        longer loads a new snapshot when it reconnects (board.js), and at a city's call rate a day of
        pushes to every screen is gigabytes of bus."""
        dbname = self.env.cr.dbname
        boards = self.env["hotline.wallboard"].sudo().with_context(active_test=False).search_fetch(
            [("access_token", "!=", False)], ["access_token"])
        channels = [json_dump(channel_with_db(dbname, token)) for token in boards.mapped("access_token")]
        supervisors = json_dump(channel_with_db(dbname, self.env.ref(SUPERVISOR_GROUP)))
        self.env.cr.execute(SQL("""
            DELETE FROM bus_bus
             WHERE create_date < %(before)s
               AND (channel = ANY(%(channels)s) OR (channel = %(supervisors)s AND message LIKE %(pushes)s))
        """, before=fields.Datetime.now() - PUSH_RETENTION, channels=channels, supervisors=supervisors,
            pushes=json_dump({"type": UPDATE})[:-1] + ",%"))
        return self.env.cr.rowcount

    @api.model
    def _push_bridge(self):
        """A bridge heartbeat or link change: the screens learn their data is fresh (or no longer)."""
        if self._boards():
            self._send({})

    @api.model
    def _push_cases_later(self):
        """Case side changed: push the case panel once, when the transaction commits."""
        data = self.env.cr.precommit.data
        if data.get("hotline_monitor.cases"):
            return
        data["hotline_monitor.cases"] = True
        self.env.cr.precommit.add(self._push_cases)

    @api.model
    def _push_cases(self):
        boards = self._boards()
        live = self.with_context(lang=boards[:1].lang or self.env.lang)
        panel = live._case_panel()
        alerts = live._alerts()
        self._send({"cases": panel, "alerts": alerts})

    # -- agent panel ----------------------------------------------------------------------
    @api.model
    def _role_label(self, user):
        """The agent's highest hotline role, as the role matrix names it."""
        for xmlid in ("hotline_case.group_manager", "hotline_case.group_reviewer", "hotline_case.group_dispatcher",
                      "hotline_case.group_agent"):
            group = self.env.ref(xmlid)
            if group in user.all_group_ids:
                return group.with_context(lang=self.env.lang).name
        return ""

    @api.model
    def _agent_panel(self, board, user_id):
        """Profile and today's figures of one agent of the board (the caller of a live call stays masked)."""
        config = board._config()
        if user_id not in config["user_ids"]:
            return {}
        live = self.with_context(lang=config["lang"])
        user = self.env["res.users"].sudo().browse(user_id)
        tiles = self._agent_tiles(user, config["queues"], config["thresholds"]["wrapup"])
        return {
            "id": user.id,
            "name": user.name,
            "role": live._role_label(user),
            "company": user.company_id.name,
            "interface": user.hotline_interface or "",
            "extension": user.hotline_extension or "",
            "tile": tiles[0] if tiles else {},
            "figures": live.env["hotline.monitor.kpi"]._agent_figures(user),
        }
