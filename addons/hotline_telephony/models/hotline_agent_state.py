"""The agent's state: one owner, one vocabulary.

offline / idle / paused / ringing / oncall / wrapup, with since when, the pause's reason, the queues
signed in to, the call in progress and whether it is being recorded: what the agent's systray, the wall
boards' tiles and the metrics' gauge all read (`_states`). Worked out from what the bridge recorded of Asterisk's events
(sessions, pauses, member status, calls), or from Asterisk's own answer (`member_state`, the
systray's live read right after an action).
"""

from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

STATES = ("offline", "idle", "paused", "ringing", "oncall", "wrapup")

# Asterisk's device states of a queue member (QueueMemberStatus / QueueStatus `Status`), in the
# groups the floor reads: 0 unknown, 1 not in use, 4 invalid and 5 unavailable read as idle
MEMBER_RINGING = frozenset({6, 7})  # ringing, ring while in use
MEMBER_ON_CALL = frozenset({2, 3, 8})  # in use, busy, on hold

# a call nobody closed (bridge down at its end) stops counting as live after this long
STALE_CALL = timedelta(hours=4)

EPOCH = datetime(1970, 1, 1)


def to_ms(dt):
    """Naive UTC datetime -> epoch milliseconds (what the browser's timers start from)."""
    return (dt - EPOCH) // timedelta(milliseconds=1) if dt else False


def mask_number(number):
    """138****8000: enough to tell two callers apart, not enough to call them (the JS `mask` of
    @hotline_telephony/agent_state/agent_state is the same rule)."""
    digits = (number or "").strip()
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits) if digits else ""


def member_state(signed_in, paused, status, on_call=False):
    """The state from what Asterisk says of a member; the order of the floor: a call in progress,
    then ringing, then the pause, then the device busy."""
    if on_call:
        return "oncall"
    if not signed_in:
        return "offline"
    if status in MEMBER_RINGING:
        return "ringing"
    if paused:
        return "paused"
    if status in MEMBER_ON_CALL:
        return "oncall"
    return "idle"


class HotlineAgentState(models.AbstractModel):
    _name = "hotline.agent.state"
    _description = "Hotline Agent State"

    @api.model
    def _live_calls(self, now=None):
        """Every call in progress or waiting (one statement for agents and queues alike): the calls
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

    @api.model
    def _recorded_interfaces(self, live_calls):
        """The phone interfaces whose leg of one of `live_calls` the PBX is recording. None here: the
        recording addon says which."""
        return set()

    @api.model
    def _rows(self, interfaces, queues, now):
        """Per phone interface, in their order and in one statement: its agent (id, name, extension;
        None for a phone no user has), its open sessions on the queues (any queue when `queues` is
        None), its latest open pause, and when its last sign-out, pause and call ended (the timers'
        starts).

        One probe of an (interface, stop) / (interface, end_time) index per agent and question: the
        cost does not grow with the months of sessions, pauses and calls the tables keep."""
        env = self.env
        env["res.users"].flush_model(["partner_id", "hotline_interface", "hotline_extension"])
        env["res.partner"].flush_model(["name"])
        env["hotline.agent.session"].flush_model(["interface", "queue", "start", "stop", "member_status"])
        env["hotline.agent.pause"].flush_model(["interface", "queue", "start", "stop", "reason"])
        env["hotline.call"].flush_model(["interface", "end_time"])
        on_queues = SQL("TRUE") if queues is None else SQL("queue = ANY(%s)", list(queues))
        env.cr.execute(SQL("""
            SELECT u.id, p.name, a.interface, u.hotline_extension AS extension,
                   s.queues, s.status, s.since, s.changed, pa.reason, pa.start AS pause_start,
                   -- the timers' starts, looked up only for the agents that show them
                   CASE WHEN s.queues IS NOT NULL AND pa.start IS NULL THEN
                       (SELECT MAX(stop) FROM hotline_agent_pause
                         WHERE interface = a.interface AND stop > %(stale)s) END AS last_unpause,
                   CASE WHEN s.queues IS NULL THEN
                       (SELECT MAX(stop) FROM hotline_agent_session
                         WHERE interface = a.interface AND stop > %(day)s) END AS last_logout,
                   CASE WHEN s.queues IS NOT NULL AND pa.start IS NULL THEN
                       (SELECT MAX(end_time) FROM hotline_call
                         WHERE interface = a.interface AND end_time > %(stale)s) END AS last_end
              FROM unnest(%(interfaces)s::varchar[]) WITH ORDINALITY AS a(interface, position)
         LEFT JOIN res_users u ON u.hotline_interface = a.interface
         LEFT JOIN res_partner p ON p.id = u.partner_id
              LEFT JOIN LATERAL (
                    SELECT array_agg(DISTINCT queue ORDER BY queue) AS queues, MAX(member_status) AS status,
                           MAX(start) AS since, MAX(write_date) AS changed
                      FROM hotline_agent_session
                     WHERE interface = a.interface AND stop IS NULL AND %(on_queues)s) s ON TRUE
              LEFT JOIN LATERAL (
                    SELECT reason, start FROM hotline_agent_pause
                     WHERE interface = a.interface AND stop IS NULL AND %(on_queues)s
                  ORDER BY start DESC, id DESC LIMIT 1) pa ON TRUE
          ORDER BY a.position
        """, interfaces=list(interfaces), on_queues=on_queues, stale=now - STALE_CALL, day=now - timedelta(days=1)))
        return env.cr.dictfetchall()

    @api.model
    def _states(self, users, queues=None, wrapup_seconds=0, now=None, live_calls=None):
        """The state of each agent of `users` with a phone, in their order (see _interface_states)."""
        interfaces = [u.hotline_interface for u in users if u.hotline_interface]
        return self._interface_states(interfaces, queues, wrapup_seconds, now, live_calls)

    @api.model
    def _interface_states(self, interfaces, queues=None, wrapup_seconds=0, now=None, live_calls=None):
        """The state of each phone of `interfaces`, in their order: a list of
        {'user_id', 'name', 'extension', 'interface', 'state' (STATES), 'since' (naive UTC or None),
        'reason', 'paused', 'queues', 'wrapup_until', 'direction', 'call' (the live call's row, or None),
        'recording' (on a call whose leg the PBX is recording)}.

        `queues`: the queues that count as signed in (None: any); `wrapup_seconds`: how long after a
        call an idle agent is in wrap-up (0: never)."""
        now = now or fields.Datetime.now()
        if not interfaces:
            return []
        if live_calls is None:
            live_calls = self._live_calls(now)
        # the latest call wins (live calls come oldest first)
        call_of = {c["interface"]: c for c in live_calls if c["answer_time"] and c["interface"]}
        out_of = {c["user_id"]: c for c in live_calls if c["direction"] == "outbound" and c["user_id"]}
        recorded = self._recorded_interfaces(live_calls)
        states = []
        for row in self._rows(interfaces, queues, now):
            call = call_of.get(row["interface"]) or out_of.get(row["id"])
            end = row["last_end"]
            # `paused`: an open pause, whatever shows (an agent paused to call out is on a call)
            state = {"user_id": row["id"], "name": row["name"], "extension": row["extension"] or "",
                     "interface": row["interface"], "reason": "", "queues": row["queues"] or [],
                     "paused": bool(row["pause_start"]),
                     "wrapup_until": None, "direction": "", "call": call, "since": None, "recording": False}
            signed_in = bool(row["queues"])
            state["state"] = member_state(signed_in, bool(row["pause_start"]), row["status"], on_call=bool(call))
            if not signed_in:
                state["since"] = row["last_logout"]
            elif state["state"] in ("ringing", "oncall"):
                state["since"] = row["changed"]
            elif state["state"] == "paused":
                state.update(reason=row["reason"] or "", since=row["pause_start"])
            else:
                state["since"] = max(d for d in (row["since"], end, row["last_unpause"]) if d)
                if wrapup_seconds and end and end + timedelta(seconds=wrapup_seconds) > now:
                    state.update(state="wrapup", since=end, wrapup_until=end + timedelta(seconds=wrapup_seconds))
            if call:
                # a call's timer runs from its answer (an outbound call not answered yet: from its dialling)
                answered = call_of.get(row["interface"]) is call
                state.update(since=call["answer_time"] if answered else call["answer_time"] or call["enter_time"],
                             direction=call["direction"] if answered else "outbound")
            # by the phone, not the call: a transfer's second agent is recorded on a call that is not theirs
            state["recording"] = state["state"] == "oncall" and row["interface"] in recorded
            states.append(state)
        return states
