"""Normalise AMI events and queue_log lines into the same "facts".

Both sources describe the same call with the same keys (the caller channel's
uniqueid = queue_log callid), so ingesting a fact twice, from either source,
lands on the same records. A fact is a plain dict with at least ``kind`` and
``time`` (epoch seconds, float). Unknown or malformed input gives ``None`` or
raises ``ValueError`` (the caller logs and skips it).

Agent events (sign-in/out, pause/unpause, ring-no-answer) also carry their
identity: ``log_key`` for a queue_log line (its byte offset and a checksum of
the line), ``ami_key`` for an AMI event (event name, PBX timestamp to the
microsecond, member, queue, channel). Two facts are the same event only when
they have the same key; see ``hotline.queue.event`` for how an AMI event is
paired with its queue_log line.
"""

import os
import zlib

# QUEUESTATUS after Queue() returned (dialplan UserEvent HotlineQueueExit)
_QUEUE_STATUS_OUTCOME = {
    "TIMEOUT": "timeout",
    "LEAVEEMPTY": "exit_empty",
    "JOINEMPTY": "exit_empty",
    "LEAVEUNAVAIL": "exit_empty",
    "JOINUNAVAIL": "exit_empty",
    "FULL": "exit_empty",
}

_COMPLETE_REASON = {"caller": "caller", "agent": "agent", "transfer": "transfer"}
# facts that are events of an agent on a queue, deduplicated by their identity
KEYED_KINDS = {"member_add", "member_remove", "pause", "unpause", "ring_noanswer"}


def _int(value, default=0):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _time(headers, fallback):
    ts = headers.get("Timestamp")
    if ts:
        return float(ts)
    return fallback


def member_interface(headers):
    """The member's interface (PJSIP/agent1) from an event's headers."""
    return headers.get("Interface") or headers.get("StateInterface") or headers.get("MemberName") or ""


def _ami_key(headers, t):
    # without timestampevents, the time the event reached the bridge (each event's own)
    stamp = headers.get("Timestamp") or f"{float(headers.get('_received') or t):.6f}"
    return "|".join([headers.get("Event") or "", stamp,
                     member_interface(headers), headers.get("Queue") or "", headers.get("Uniqueid") or ""])


def from_event(headers, now):
    """AMI event headers -> fact dict, or None when the event is not a fact we keep."""
    fact = _from_event(headers, now)
    if fact and fact["kind"] in KEYED_KINDS:
        fact["ami_key"] = _ami_key(headers, _time(headers, now))
    return fact


def _from_event(headers, now):
    name = headers.get("Event")
    t = _time(headers, now)
    if name == "FullyBooted":
        # sent at every login; Uptime (whole seconds) dates the PBX's start to within a second
        received = float(headers.get("_received") or now)
        return {"kind": "pbx_start", "time": received - _int(headers.get("Uptime")) - 1}
    if name == "QueueCallerJoin":
        return {"kind": "enter", "uniqueid": headers["Uniqueid"], "linkedid": headers.get("Linkedid"),
                "queue": headers.get("Queue"), "caller": headers.get("CallerIDNum"),
                "called": headers.get("Exten"), "position": _int(headers.get("Position")), "time": t}
    if name == "AgentRingNoAnswer":
        return {"kind": "ring_noanswer", "uniqueid": headers["Uniqueid"], "queue": headers.get("Queue"),
                "interface": member_interface(headers), "ring_ms": _int(headers.get("RingTime")), "time": t}
    if name == "AgentConnect":
        return {"kind": "connect", "uniqueid": headers["Uniqueid"], "linkedid": headers.get("Linkedid"),
                "queue": headers.get("Queue"), "interface": member_interface(headers),
                "holdtime": _int(headers.get("HoldTime")), "ringtime": _int(headers.get("RingTime")),
                "caller": headers.get("CallerIDNum"), "time": t}
    if name == "AgentComplete":
        # When caller and agent hang up at the same instant, Asterisk may send AgentComplete without
        # the channel headers (no Uniqueid); the ingestor then finds the call by queue and agent.
        return {"kind": "complete", "uniqueid": headers.get("Uniqueid"), "queue": headers.get("Queue"),
                "interface": member_interface(headers), "holdtime": _int(headers.get("HoldTime")),
                "talktime": _int(headers.get("TalkTime")),
                "reason": _COMPLETE_REASON.get((headers.get("Reason") or "").lower(), "caller"), "time": t}
    if name == "QueueCallerAbandon":
        return {"kind": "exit", "outcome": "abandoned", "uniqueid": headers["Uniqueid"],
                "queue": headers.get("Queue"), "position": _int(headers.get("Position")),
                "origposition": _int(headers.get("OriginalPosition")),
                "waittime": _int(headers.get("HoldTime")), "time": t, "source": "ami"}
    if name == "UserEvent":
        return _from_user_event(headers, t)
    if name == "OriginateResponse":
        return {"kind": "originate_result", "action_id": headers.get("ActionID"),
                "success": headers.get("Response") == "Success", "uniqueid": headers.get("Uniqueid"),
                "channel": headers.get("Channel"), "reason": headers.get("Reason"), "time": t}
    if name == "QueueMemberAdded":
        return {"kind": "member_add", "queue": headers.get("Queue"), "interface": member_interface(headers),
                "time": float(headers.get("LoginTime") or t), "paused": headers.get("Paused") == "1",
                "reason": headers.get("PausedReason") or ""}
    if name == "QueueMemberRemoved":
        return {"kind": "member_remove", "queue": headers.get("Queue"), "interface": member_interface(headers),
                "time": t}
    if name == "QueueMemberPause":
        paused = headers.get("Paused") == "1"
        return {"kind": "pause" if paused else "unpause", "queue": headers.get("Queue"),
                "interface": member_interface(headers), "reason": headers.get("PausedReason") or "", "time": t}
    if name == "QueueMemberStatus":
        return {"kind": "member_status", "queue": headers.get("Queue"), "interface": member_interface(headers),
                "status": _int(headers.get("Status")), "paused": headers.get("Paused") == "1",
                "incall": headers.get("InCall") == "1", "time": t}
    return None


def _from_user_event(headers, t):
    """The dialplan's UserEvents (extensions.conf) -> fact dict, or None."""
    user_event = headers.get("UserEvent") or ""
    if user_event == "HotlineQueueExit":
        outcome = _QUEUE_STATUS_OUTCOME.get((headers.get("QueueStatus") or "").upper())
        if not outcome:
            return None
        return {"kind": "exit", "outcome": outcome, "uniqueid": headers["Uniqueid"],
                "queue": headers.get("Queue"), "time": t, "source": "dialplan"}
    if user_event == "HotlineOriginateEnd":
        return {"kind": "originate_end", "call_id": _int(headers.get("CallId")),
                "uniqueid": headers.get("Uniqueid"), "dialstatus": (headers.get("DialStatus") or "").upper(),
                "answered": _int(headers.get("AnsweredTime")), "dialed": _int(headers.get("DialedTime")),
                "time": t}
    if user_event == "HotlineRatingOffered":
        return {"kind": "rating_offered", "uniqueid": headers["Uniqueid"], "time": t}
    if user_event == "HotlineRating":
        # Key: one keypad digit (the dialplan filters it to 0-9 * #), empty when none was pressed
        return {"kind": "rating", "uniqueid": headers["Uniqueid"], "key": (headers.get("Key") or "")[:1],
                "time": t}
    if user_event.startswith("Hotline"):
        # the dialplan's other events, for the addons that emit them (hotline.pbx._hotline_pbx_event)
        # Interface: the agent whose state the event changes (e.g. recording started): their tile is pushed
        return {"kind": "pbx_event", "event": headers["UserEvent"], "time": t,
                "interface": headers.get("Interface") or None,
                "headers": {k: v for k, v in headers.items() if not k.startswith("_")}}
    return None


def from_queue_log_line(line, offset=None):
    """One queue_log line (at byte `offset` of the file) -> fact dict, or None for lines without a fact we keep."""
    fact = _from_queue_log_line(line)
    if fact and offset is not None and fact["kind"] in KEYED_KINDS:
        fact["log_key"] = "%d:%08x" % (offset, zlib.crc32(line.rstrip("\r\n").encode()))
    return fact


def parse_queue_log(text, offset=0):
    """Facts of queue_log text starting at byte `offset` of the file (what the reader would give)."""
    facts = []
    for line in text.splitlines(keepends=True):
        if line.strip():
            facts.append(from_queue_log_line(line, offset))
        offset += len(line.encode())
    return [f for f in facts if f]


def _from_queue_log_line(line):
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 5:
        raise ValueError(f"short queue_log line: {line!r}")
    epoch, callid, queue, agent, event, data = parts[0], parts[1], parts[2], parts[3], parts[4], parts[5:]
    t = float(epoch)
    d = data + [""] * 6
    if event == "ENTERQUEUE":
        return {"kind": "enter", "uniqueid": callid, "queue": queue, "caller": d[1] or None,
                "position": _int(d[2]), "time": t}
    if event == "CONNECT":
        return {"kind": "connect", "uniqueid": callid, "queue": queue, "interface": agent,
                "holdtime": _int(d[0]), "ringtime": _int(d[2]), "time": t}
    if event in ("COMPLETECALLER", "COMPLETEAGENT"):
        return {"kind": "complete", "uniqueid": callid, "queue": queue, "interface": agent,
                "holdtime": _int(d[0]), "talktime": _int(d[1]),
                "reason": "caller" if event == "COMPLETECALLER" else "agent", "time": t}
    if event in ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"):
        # ...|holdtime|calltime|origposition: the last three fields
        return {"kind": "complete", "uniqueid": callid, "queue": queue, "interface": agent,
                "holdtime": _int(data[-3] if len(data) >= 3 else 0),
                "talktime": _int(data[-2] if len(data) >= 2 else 0), "reason": "transfer", "time": t}
    if event in ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"):
        outcome = {"ABANDON": "abandoned", "EXITWITHTIMEOUT": "timeout", "EXITEMPTY": "exit_empty",
                   "EXITWITHKEY": "exit_key"}[event]
        off = 1 if event == "EXITWITHKEY" else 0
        return {"kind": "exit", "outcome": outcome, "uniqueid": callid, "queue": queue,
                "position": _int(d[off]), "origposition": _int(d[off + 1]), "waittime": _int(d[off + 2]),
                "time": t, "source": "queue_log"}
    if event == "RINGNOANSWER":
        return {"kind": "ring_noanswer", "uniqueid": callid, "queue": queue, "interface": agent,
                "ring_ms": _int(d[0]), "time": t}
    if event == "ADDMEMBER":
        return {"kind": "member_add", "queue": queue, "interface": agent, "time": t,
                "paused": d[0].upper() == "PAUSED", "reason": ""}
    if event == "REMOVEMEMBER":
        return {"kind": "member_remove", "queue": queue, "interface": agent, "time": t}
    if event in ("PAUSE", "UNPAUSE"):
        return {"kind": "pause" if event == "PAUSE" else "unpause", "queue": queue, "interface": agent,
                "reason": d[0], "time": t}
    if event == "QUEUESTART":
        return {"kind": "pbx_start", "time": t}
    return None


class QueueLogReader:
    """Reads new complete lines of a queue_log file from a (inode, offset) position.

    A changed inode or a file shorter than the offset means the log was rotated or
    truncated: read it from the start (ingestion is idempotent, nothing doubles).
    """

    def __init__(self, path):
        self.path = path

    def read_new(self, inode=0, offset=0):
        """Return ([(offset, line)], new_inode, new_offset); missing file -> ([], inode, offset)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return [], inode, offset
        if st.st_ino != inode or st.st_size < offset:
            offset = 0
        with open(self.path, "rb") as fh:
            fh.seek(offset)
            chunk = fh.read()
        end = chunk.rfind(b"\n")
        if end < 0:
            return [], st.st_ino, offset
        lines = []
        position = offset
        for raw in chunk[: end + 1].splitlines(keepends=True):
            lines.append((position, raw.decode("utf-8", "replace")))
            position += len(raw)
        return lines, st.st_ino, offset + end + 1
