"""Live state of the floor: agent tiles, queue blocks, the case panel, and pushing their changes.

Everything here reads with sudo: the callers (board controllers, the AMI bridge) have checked who
may see the board; what leaves this model for a logged-out screen is masked (`_mask`).
"""

import threading
import time
from datetime import datetime, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from .hotline_wallboard import UPDATE

ABANDONED_SHOWN = 20  # abandoned callers listed per queue (the board also shows how many there are)
SNAPSHOT_TTL = 1.0  # seconds: at most one snapshot per board configuration and second per server
_snapshot_cache = {}  # (dbname, config key, masked) -> (monotonic time, snapshot)
_snapshot_lock = threading.Lock()
SUPERVISOR_GROUP = "hotline_case.group_reviewer"
# a call nobody closed (bridge down at its end) stops counting as live after this long
STALE_CALL = timedelta(hours=4)


EPOCH = datetime(1970, 1, 1)


def _ms(dt):
    """Naive UTC datetime -> epoch milliseconds (what the browser's timers start from)."""
    return (dt - EPOCH) // timedelta(milliseconds=1) if dt else False


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

    # -- masking -------------------------------------------------------------------
    @api.model
    def _mask(self, number):
        """138****8000: enough to tell two callers apart, not enough to call them."""
        digits = (number or "").strip()
        if len(digits) >= 8:
            return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
        return "*" * len(digits) if digits else ""

    # -- live calls -----------------------------------------------------------------------
    @api.model
    def _live_calls(self, now=None):
        """Every call in progress or waiting (one statement for tiles and queues alike): the calls
        with no end, found through the partial indexes `WHERE end_time IS NULL` (a few hundred rows
        however long the history)."""
        now = now or fields.Datetime.now()
        self.env["hotline.call"].flush_model(["end_time", "enter_time", "answer_time", "queue", "direction",
                                              "interface", "user_id", "caller_number", "called_number", "outcome"])
        self.env.cr.execute(SQL("""
            SELECT id, queue, direction, interface, user_id, caller_number, called_number, enter_time,
                   answer_time, outcome
              FROM hotline_call
             WHERE end_time IS NULL AND COALESCE(answer_time, enter_time) > %s
          ORDER BY COALESCE(answer_time, enter_time), id
        """, now - STALE_CALL))
        return self.env.cr.dictfetchall()

    # -- agents -------------------------------------------------------------------------
    @api.model
    def _agent_rows(self, user_ids, queues, now):
        """Per agent with a phone, in the order of `user_ids` and in one statement: name, extension,
        interface, their open sessions on the queues, their latest open pause, and when their last
        sign-out, pause and call ended (the timers of signed-out and idle tiles).

        One probe of an (interface, stop) / (interface, end_time) index per agent and question: the
        cost does not grow with the months of sessions, pauses and calls the tables keep."""
        env = self.env
        env["res.users"].flush_model(["partner_id", "hotline_interface", "hotline_extension"])
        env["res.partner"].flush_model(["name"])
        env["hotline.agent.session"].flush_model(["interface", "queue", "start", "stop", "member_status"])
        env["hotline.agent.pause"].flush_model(["interface", "queue", "start", "stop", "reason"])
        env["hotline.call"].flush_model(["interface", "end_time"])
        env.cr.execute(SQL("""
            SELECT u.id, p.name, u.hotline_interface AS interface, u.hotline_extension AS extension,
                   s.queues, s.status, s.since, s.changed, pa.reason, pa.start AS pause_start,
                   -- the timers' starts, looked up only for the tiles that show them
                   CASE WHEN s.queues IS NOT NULL AND pa.start IS NULL THEN
                       (SELECT MAX(stop) FROM hotline_agent_pause
                         WHERE interface = u.hotline_interface AND stop > %(stale)s) END AS last_unpause,
                   CASE WHEN s.queues IS NULL THEN
                       (SELECT MAX(stop) FROM hotline_agent_session
                         WHERE interface = u.hotline_interface AND stop > %(day)s) END AS last_logout,
                   CASE WHEN s.queues IS NOT NULL AND pa.start IS NULL THEN
                       (SELECT MAX(end_time) FROM hotline_call
                         WHERE interface = u.hotline_interface AND end_time > %(stale)s) END AS last_end
              FROM unnest(%(user_ids)s::int[]) WITH ORDINALITY AS a(user_id, position)
              JOIN res_users u ON u.id = a.user_id AND u.hotline_interface IS NOT NULL
              JOIN res_partner p ON p.id = u.partner_id
              LEFT JOIN LATERAL (
                    SELECT array_agg(DISTINCT queue ORDER BY queue) AS queues, MAX(member_status) AS status,
                           MAX(start) AS since, MAX(write_date) AS changed
                      FROM hotline_agent_session
                     WHERE interface = u.hotline_interface AND stop IS NULL AND queue = ANY(%(queues)s)) s ON TRUE
              LEFT JOIN LATERAL (
                    SELECT reason, start FROM hotline_agent_pause
                     WHERE interface = u.hotline_interface AND stop IS NULL AND queue = ANY(%(queues)s)
                  ORDER BY start DESC, id DESC LIMIT 1) pa ON TRUE
          ORDER BY a.position
        """, user_ids=list(user_ids), queues=list(queues), stale=now - STALE_CALL, day=now - timedelta(days=1)))
        return env.cr.dictfetchall()

    @api.model
    def _agent_tiles(self, users, queues, wrapup_seconds=0, now=None, live_calls=None):
        """One tile per agent with a phone: state, since when, call in progress (caller masked)."""
        now = now or fields.Datetime.now()
        if not users:
            return []
        if live_calls is None:
            live_calls = self._live_calls(now)
        # the latest call wins (live calls come oldest first)
        call_of = {c["interface"]: c for c in live_calls if c["answer_time"] and c["interface"]}
        out_of = {c["user_id"]: c for c in live_calls if c["direction"] == "outbound" and c["user_id"]}
        tiles = []
        for row in self._agent_rows(users.ids, queues, now):
            iface = row["interface"]
            tile = {"id": row["id"], "name": row["name"], "initials": _initials(row["name"]),
                    "extension": row["extension"] or "", "interface": iface, "reason": "",
                    "direction": "", "caller": "", "queues": [], "wrapup_until": False}
            call = call_of.get(iface)
            out = out_of.get(row["id"])
            end = row["last_end"]
            if not row["queues"]:
                tile.update(state="offline", since=_ms(row["last_logout"]))
                if call or out:  # a direct call after signing out still shows
                    tile.update(state="oncall")
            else:
                tile["queues"] = row["queues"]
                status = row["status"]
                idle_since = max(d for d in (row["since"], end, row["last_unpause"]) if d)
                if call or out:
                    tile["state"] = "oncall"
                elif status in (6, 7):
                    tile.update(state="ringing", since=_ms(row["changed"]))
                elif row["pause_start"]:
                    tile.update(state="paused", reason=row["reason"] or "", since=_ms(row["pause_start"]))
                elif status in (2, 3, 8):
                    tile.update(state="oncall", since=_ms(row["changed"]))
                else:
                    tile.update(state="idle", since=_ms(idle_since))
                    if wrapup_seconds and end and end + timedelta(seconds=wrapup_seconds) > now:
                        tile.update(state="wrapup", since=_ms(end),
                                    wrapup_until=_ms(end + timedelta(seconds=wrapup_seconds)))
            if call:
                tile.update(since=_ms(call["answer_time"]), direction=call["direction"],
                            caller=self._mask(call["caller_number"] if call["direction"] == "inbound"
                                              else call["called_number"]))
            elif out:
                tile.update(since=_ms(out["answer_time"] or out["enter_time"]), direction="outbound",
                            caller=self._mask(out["called_number"]))
            tiles.append(tile)
        return tiles

    # -- queues -------------------------------------------------------------------------
    @api.model
    def _queue_blocks(self, queues, now=None, masked=True, live_calls=None):
        """Per queue: calls waiting (with their start), today's figures, abandoned callers not called back, surge."""
        now = now or fields.Datetime.now()
        kpi = self.env["hotline.monitor.kpi"]
        start, _end = kpi._today(now)
        if live_calls is None:
            live_calls = self._live_calls(now)
        waiting = {}
        for call in live_calls:
            if not call["answer_time"] and not call["outcome"] and call["direction"] == "inbound" \
                    and call["enter_time"] > now - timedelta(hours=1):
                waiting.setdefault(call["queue"], []).append(_ms(call["enter_time"]))
        figures = kpi._queue_figures(queues)
        abandoned = self._abandoned_callers(queues, start, now)
        nobody = {"count": 0, "items": []}
        surge = self._surge(queues, kpi._tz_name(), now)
        blocks = []
        for queue in queues:
            blocks.append({
                "name": queue,
                "waiting": waiting.get(queue, []),
                "figures": figures.get(queue, {}),
                "abandoned": [{**a, "number": self._mask(a["number"]) if masked else a["number"]}
                              for a in abandoned.get(queue, nobody)["items"]],
                "abandoned_count": abandoned.get(queue, nobody)["count"],
                "surge": surge.get(queue),
            })
        return blocks

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
            entry["items"].append({"call_id": call_id, "queue": queue, "number": number, "time": _ms(ended),
                                   "wait": wait})
        return result

    @api.model
    def _surge(self, queues, tz_name, now):
        """Calls of the last 15 minutes against the same weekday-and-hour quarter-hour average of the
        last 4 weeks (the hour's calls / 4, averaged over the 4 weeks). One statement: five ranges of
        the enter_time index."""
        tz = pytz.timezone(tz_name or "Asia/Shanghai")
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
        start, _end = self.env["hotline.monitor.kpi"]._today()
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
        return {"heartbeat": _ms(pbx.bridge_heartbeat), "connected": pbx.bridge_status == "connected"}

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
        calls = live._live_calls(now)
        return {
            "config": config,
            "server_time": _ms(now),
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
        freshness = {"bridge": self._bridge(), "server_time": _ms(fields.Datetime.now())}
        payload = {**payload, **freshness}
        masked_payload = {**(masked_payload or payload), **freshness}
        for token in self._boards().mapped("access_token"):
            if token:
                Bus._sendone(token, UPDATE, masked_payload)
        Bus._sendone(self.env.ref(SUPERVISOR_GROUP), UPDATE, payload)

    @api.model
    def _push_floor(self, interfaces, queues):
        """After an AMI batch: the tiles of the agents and the blocks of the queues it changed."""
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
        calls = self._live_calls(now)
        tiles = self._agent_tiles(users, board_queues, max(boards.mapped("wrapup_seconds")), now, calls) \
            if users else []
        blocks = self._queue_blocks(changed, now, False, calls) if changed else []
        if not (tiles or blocks):
            return
        masked_blocks = [{**b, "abandoned": [{**a, "number": self._mask(a["number"])} for a in b["abandoned"]]}
                         for b in blocks]
        self._send({"agents": tiles, "queues": blocks}, {"agents": tiles, "queues": masked_blocks})

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
