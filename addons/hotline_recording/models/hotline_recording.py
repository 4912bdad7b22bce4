import functools
import hashlib
import logging
import os
import re
from datetime import UTC, datetime, timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config

from ..tools import audio

_logger = logging.getLogger(__name__)

# What the dialplan names a recording: <UTC day>/<q|o>-<call's uniqueid>-<recorded channel's uniqueid>.raw
# (q: queue call, the citizen on the right; o: callback, the citizen on the left). Anything else in the
# folder, or an event naming another path, is not a recording of this system and is never opened.
SOURCE_NAME = re.compile(r"^(?P<day>\d{8})/(?P<kind>[qo])-(?P<call>\d+\.\d+)-(?P<channel>\d+\.\d+)\.raw$")
CITIZEN_CHANNEL = {"q": "right", "o": "left"}
# The recorded agent's queue member interface, as the dialplan's event gives it (PJSIP/agent2).
INTERFACE = re.compile(r"^[A-Za-z]+/[A-Za-z0-9_.]+$")
# A source still written to this recently may be in use: converted only when its call has ended and it
# has been quiet this long, or when quiet for STALE (the end of its call was never learned).
QUIET = timedelta(seconds=3)
STALE = timedelta(hours=6)
STATES = [
    ("recording", "Recording"),
    ("stored", "Stored"),
    ("missing", "No Sound"),
    ("failed", "Conversion Failed"),
    ("purged", "Sound Removed"),
]
CENTER_GROUP = "hotline_case.group_agent"
REVIEWER_GROUP = "hotline_case.group_reviewer"


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        _logger.debug("hotline-recording: %s already gone", path)
    except OSError:
        _logger.warning("hotline-recording: could not delete %s", path, exc_info=True)


class HotlineRecording(models.Model):
    """The sound of one call leg pair, recorded by the PBX and tied to its call by the PBX's ids.

    Written by the system only (the AMI bridge, the conversion and purge jobs); the sound is served by
    ``/hotline/recording/<call id>`` to center staff allowed to see the call, and every play or download
    is logged (``hotline.recording.access``)."""

    _name = "hotline.recording"
    _description = "Call Recording"
    _order = "start_time desc, id desc"
    _rec_name = "call_uniqueid"

    call_id = fields.Many2one("hotline.call", string="Call", readonly=True, index=True, ondelete="cascade")
    pbx_id = fields.Many2one("hotline.pbx", string="PBX", required=True, readonly=True, index=True)
    call_uniqueid = fields.Char(string="Call Unique ID", required=True, readonly=True, index=True)
    channel_uniqueid = fields.Char(string="Recorded Channel", readonly=True)
    source_name = fields.Char(string="PBX File", required=True, readonly=True,
                              help="The file as the PBX wrote it, relative to the PBX's recording folder.")
    citizen_channel = fields.Selection([("left", "Left"), ("right", "Right")], required=True, readonly=True,
                                       help="The channel of the PBX's file that carries the citizen; stored "
                                            "files always have the citizen on the left.")
    state = fields.Selection(STATES, required=True, default="recording", readonly=True, index=True)
    start_time = fields.Datetime(string="Started", readonly=True)
    duration = fields.Float(string="Length (s)", readonly=True, digits=(10, 1))
    codec = fields.Selection([("opus", "Opus"), ("wav", "WAV (uncompressed)")], readonly=True)
    storage = fields.Selection([("filestore", "Odoo File Store"), ("folder", "Mounted Folder")], readonly=True)
    store_path = fields.Char(readonly=True, help="The stored file, relative to its storage's root.")
    file_size = fields.Integer(string="Size (bytes)", readonly=True)
    checksum = fields.Char(string="SHA-256", readonly=True)
    timeline = fields.Json(readonly=True, help="Seconds in which each leg spoke: citizen and agent.")
    converted_at = fields.Datetime(readonly=True)
    error = fields.Char(readonly=True)
    legal_hold = fields.Boolean(readonly=True, help="Set by a manager: never purged while set.")
    legal_hold_reason = fields.Char(readonly=True)
    purged_at = fields.Datetime(string="Sound Removed On", readonly=True)
    purge_reason = fields.Char(string="Why Removed", readonly=True)
    interface = fields.Char(string="Recorded Interface", readonly=True,
                            help="The phone of the agent recorded on this leg (a transfer's second agent has "
                                 "a leg of their own). Empty: the call's agent.")
    agent_id = fields.Many2one("res.users", string="Agent", compute="_compute_agent_id", store=True, index=True)
    case_ids = fields.Many2many(related="call_id.case_ids", string="Cases")
    access_ids = fields.One2many("hotline.recording.access", "recording_id", string="Listens", readonly=True)

    _source_unique = models.UniqueIndex("(pbx_id, source_name)", "A PBX file is one recording.")

    @api.depends("interface", "call_id.user_id")
    def _compute_agent_id(self):
        """The agent on the recorded leg: the one whose phone it is (a transfer's target), else the call's."""
        Users = self.env["res.users"].with_context(active_test=False).sudo()
        for rec in self:
            user = rec.interface and Users.search([("hotline_interface", "=", rec.interface)], limit=1)
            rec.agent_id = user or rec.call_id.user_id

    # -- from the PBX -----------------------------------------------------------------------
    @api.model
    def _hotline_from_pbx(self, pbx, source_name, event_time=None, call_id=None, interface=None):
        """Record (once) the PBX file `source_name` and tie it to its call; the dialplan's event and the
        folder scan both land here. Returns the recording, or an empty recordset for a foreign name."""
        match = SOURCE_NAME.match(source_name or "")
        if not match:
            _logger.warning("hotline-recording: not a recording name, ignored: %r", source_name)
            return self.browse()
        existing = self.search([("pbx_id", "=", pbx.id), ("source_name", "=", source_name)], limit=1)
        if existing:
            return existing
        call = self._hotline_call_for(pbx, match["call"], call_id)
        vals = {
            "pbx_id": pbx.id, "source_name": source_name, "call_uniqueid": match["call"],
            "channel_uniqueid": match["channel"], "citizen_channel": CITIZEN_CHANNEL[match["kind"]],
            "call_id": call.id, "start_time": event_time or call.answer_time or fields.Datetime.now(),
            "interface": interface if interface and INTERFACE.match(interface) else False,
        }
        return self.create(vals)

    @api.model
    def _hotline_call_for(self, pbx, uniqueid, call_id=None):
        """The call of a recording: by the PBX's uniqueid; a callback whose Originate answer has not reached
        Odoo yet is found by the call id Odoo gave the PBX (an outbound call of that PBX only)."""
        Call = self.env["hotline.call"]
        call = Call.search([("pbx_id", "=", pbx.id), ("uniqueid", "=", uniqueid)], limit=1)
        if not call and call_id:
            call = Call.search([("id", "=", int(call_id)), ("pbx_id", "=", pbx.id),
                                ("direction", "=", "outbound")], limit=1)
        return call

    def _source_path(self):
        """The PBX's file as this server reads it (the PBX's folder mounted here)."""
        self.ensure_one()
        root = self.pbx_id.recording_local_folder
        if not root or not SOURCE_NAME.match(self.source_name or ""):
            return None
        return os.path.join(root, self.source_name)

    @api.model
    def _cron_collect(self):
        """Safety net for lost events (bridge down when a call was answered): record every file of the
        PBXs' recording folders that is not known yet."""
        for pbx in self.env["hotline.pbx"].search([("recording_local_folder", "!=", False)]):
            root = pbx.recording_local_folder
            try:
                days = sorted(d for d in os.listdir(root) if re.fullmatch(r"\d{8}", d))
            except OSError:
                continue
            names = [f"{day}/{name}" for day in days for name in sorted(os.listdir(os.path.join(root, day)))]
            known = set(self.search([("pbx_id", "=", pbx.id), ("source_name", "in", names)]).mapped("source_name"))
            for name in names:
                if name not in known and SOURCE_NAME.match(name):
                    self._hotline_from_pbx(pbx, name)

    # -- conversion -------------------------------------------------------------------------
    @api.model
    def _cron_convert(self, limit=100):
        """Convert the recordings whose call is over (or whose file went quiet long ago)."""
        now = fields.Datetime.now()
        todo = self.search([("state", "=", "recording")], order="id", limit=limit)
        for rec in todo:
            if not rec.call_id:
                rec.call_id = self._hotline_call_for(rec.pbx_id, rec.call_uniqueid)
            path = rec._source_path()
            mtime = None
            if path and os.path.exists(path):
                mtime = datetime.fromtimestamp(os.path.getmtime(path), UTC).replace(tzinfo=None)
            ended = rec.call_id.end_time
            if mtime is None:
                # the PBX writes the file on the first bridged audio: none long after the call is no sound
                if (ended and now - ended > timedelta(minutes=2)) or now - rec.create_date > STALE:
                    rec.write({"state": "missing", "error": self.env._("The PBX wrote no sound for this call.")})
                continue
            quiet = now - mtime
            if not ((ended and quiet >= QUIET) or quiet >= STALE):
                continue
            rec._convert(path)

    def _convert(self, path):
        """Read the PBX file, store the sound in the site's codec and backend, then delete the PBX file."""
        self.ensure_one()
        company = self.env.company
        try:
            with open(path, "rb") as fh:
                raw = audio.citizen_left(fh.read(), self.citizen_channel)
            codec = company.hotline_recording_codec or "opus"
            data = audio.encode(raw, codec, company.hotline_recording_bitrate or 24)
        except (OSError, audio.ConversionError) as exc:
            _logger.warning("hotline-recording: %s not converted: %s", self.source_name, exc)
            self.write({"state": "failed", "error": str(exc)[:500]})
            return False
        storage = company.hotline_recording_storage or "filestore"
        root = self._storage_root(storage)
        day = (self.start_time or fields.Datetime.now())
        rel = os.path.join(day.strftime("%Y/%m/%d"), f"{self.call_uniqueid}-{self.id}{audio.CODECS[codec][1]}")
        full = os.path.join(root, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        tmp = full + ".part"
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, full)
        self.write({
            "state": "stored", "codec": codec, "storage": storage, "store_path": rel, "file_size": len(data),
            "checksum": hashlib.sha256(data).hexdigest(), "duration": audio.duration(len(raw)),
            "timeline": audio.timeline(raw), "converted_at": fields.Datetime.now(), "error": False,
        })
        # the PBX's file goes once the stored one is committed (a rollback converts it again)
        self.env.cr.postcommit.add(functools.partial(_unlink, path))
        return True

    def _storage_root(self, storage):
        if storage == "folder":
            folder = self.env.company.hotline_recording_folder
            if not folder:
                raise UserError(self.env._("Set the recordings folder in the settings, or store them in "
                                           "Odoo's file store."))
            return folder
        return os.path.join(config.filestore(self.env.cr.dbname), "hotline_recording")

    def _stored_path(self):
        self.ensure_one()
        if self.state != "stored" or not self.store_path:
            return None
        root = self._storage_root(self.storage)
        full = os.path.normpath(os.path.join(root, self.store_path))
        if not full.startswith(os.path.normpath(root) + os.sep):
            return None
        return full

    # -- playback ---------------------------------------------------------------------------
    @api.model
    def _for_playback(self, call_id, recording_id=None):
        """The stored recording of a call that the current user may hear, or raise.

        AccessError: not center staff; LookupError: no such call or recording for this user (the recordings'
        record rules decide, so an agent who may hear only their own calls learns nothing of other calls)."""
        user = self.env.user
        if not user.has_group(CENTER_GROUP):
            raise AccessError(self.env._("Only the center's staff may listen to call recordings."))
        domain = [("call_id", "=", call_id), ("state", "=", "stored")]
        if recording_id:
            domain.append(("id", "=", recording_id))
        recording = self.search(domain, order="start_time, id", limit=1)
        if not recording or not recording.sudo()._stored_path():
            raise LookupError(call_id)
        return recording

    def _log_access(self, kind, offset=0):
        """Write the listen log: every download, every play from the start, and a seek into a recording
        the user has not played in the last half hour (no unlogged way to hear a recording)."""
        self.ensure_one()
        Access = self.env["hotline.recording.access"].sudo()
        if kind == "play" and offset:
            recent = Access.search_count([
                ("recording_id", "=", self.id), ("user_id", "=", self.env.uid),
                ("create_date", ">=", fields.Datetime.now() - timedelta(minutes=30))], limit=1)
            if recent:
                return Access
        return Access.create({"recording_id": self.id, "call_id": self.call_id.id, "user_id": self.env.uid,
                              "kind": kind})

    # -- retention --------------------------------------------------------------------------
    def _retention_days(self):
        """Days this recording is kept: the longest of its cases' categories' periods, else the site's."""
        self.ensure_one()
        days = [c.category_id._hotline_recording_retention() for c in self.call_id.case_ids if c.category_id]
        days = [d for d in days if d]
        return max(days) if days else self.env.company.hotline_recording_retention_days

    def _held_by(self):
        """Why the sound must be kept now (a translated reason), or False."""
        self.ensure_one()
        if self.legal_hold:
            return self.legal_hold_reason or self.env._("Legal hold")
        cases = self.call_id.case_ids
        complaint = cases.filtered(lambda c: c.type_id.code == "complaint" and c.state not in ("closed", "cancelled"))
        if complaint:
            return self.env._("Complaint case %(case)s is open", case=complaint[0].name)
        if "hotline.assessment.appeal" in self.env:  # 复核 of a published assessment (hotline_reports)
            appeal = self.env["hotline.assessment.appeal"].sudo().search(
                [("case_id", "in", cases.ids), ("state", "=", "submitted")], limit=1)
            if appeal:
                return self.env._("Case %(case)s is under review (复核)", case=appeal.case_id.name)
        return False

    @api.model
    def _cron_purge(self, limit=1000):
        """Remove the sound of recordings past their retention period, unless held; the recording and its
        call stay, saying when and why the sound was removed."""
        now = fields.Datetime.now()
        shortest = min([self.env.company.hotline_recording_retention_days] + self.env["hotline.category"].search(
            [("recording_retention_days", ">", 0)]).mapped("recording_retention_days"))
        candidates = self.search([("state", "=", "stored"), ("legal_hold", "=", False),
                                  ("start_time", "<", now - timedelta(days=shortest))], order="start_time",
                                 limit=limit)
        purged = self.browse()
        for rec in candidates:
            days = rec._retention_days()
            if rec.start_time >= now - timedelta(days=days) or rec._held_by():
                continue
            rec._purge(self.env._("Retention period of %(days)s days ended", days=days))
            purged |= rec
        return purged

    def _purge(self, reason):
        for rec in self:
            path = rec._stored_path()
            if path:
                self.env.cr.postcommit.add(functools.partial(_unlink, path))
            rec.write({"state": "purged", "purged_at": fields.Datetime.now(), "purge_reason": reason,
                       "store_path": False})

    def action_set_legal_hold(self):
        self._check_manager()
        self.write({"legal_hold": True,
                    "legal_hold_reason": self.env._("Held by %(user)s", user=self.env.user.name)})

    def action_release_legal_hold(self):
        self._check_manager()
        self.write({"legal_hold": False, "legal_hold_reason": False})

    def _check_manager(self):
        if not self.env.user.has_group("hotline_case.group_manager"):
            raise AccessError(self.env._("Only hotline managers may hold or release recordings."))

    # -- the player ---------------------------------------------------------------------------
    def _player_html(self):
        """An audio player per recording (nothing is fetched before Play, so opening a form is not a
        listen) and the two legs' timeline: who spoke when."""
        parts = []
        for rec in self.sorted(lambda r: (r.start_time or fields.Datetime.now(), r.id)):
            if rec.state == "stored":
                src = f"/hotline/recording/{rec.call_id.id}?recording={rec.id}"
                parts.append(Markup(
                    '<div class="o_hotline_recording mb-3" data-recording-id="%s">'
                    '<audio controls="controls" preload="none" class="w-100" src="%s"></audio>'
                    '%s<a class="small" href="%s&amp;download=1">%s</a> '
                    '<span class="small text-muted">%s %s</span></div>') % (
                    rec.id, src, rec._timeline_html(), src, self.env._("Download"), rec.agent_id.name or "",
                    self.env._("%(seconds)s s, SHA-256 %(sum)s", seconds=round(rec.duration), sum=rec.checksum[:12])))
            elif rec.state == "purged":
                parts.append(Markup('<p class="text-muted">%s</p>') % self.env._(
                    "Sound removed on %(date)s: %(reason)s",
                    date=fields.Datetime.context_timestamp(self, rec.purged_at).strftime("%Y-%m-%d %H:%M"),
                    reason=rec.purge_reason or ""))
            else:
                parts.append(Markup('<p class="text-muted">%s</p>') % dict(
                    self._fields["state"]._description_selection(self.env))[rec.state])
        return Markup("").join(parts) or False

    def _timeline_html(self):
        """Two rows (市民 / 坐席) with a bar for each span in which that leg spoke."""
        self.ensure_one()
        total = max(self.duration or 0, 1)
        rows = []
        for leg, label, colour in (("citizen", self.env._("Citizen"), "bg-info"),
                                   ("agent", self.env._("Agent"), "bg-success")):
            bars = Markup("").join(
                Markup('<span class="position-absolute h-100 %s" style="left:%.2f%%;width:%.2f%%" title="%s"></span>')
                % (colour, 100 * a / total, max(100 * (b - a) / total, 0.3), f"{a}-{b} s")
                for a, b in (self.timeline or {}).get(leg, []))
            rows.append(Markup(
                '<div class="d-flex align-items-center small"><span style="width:4em">%s</span>'
                '<span class="position-relative flex-grow-1 bg-light" style="height:0.8em">%s</span></div>')
                % (label, bars))
        return Markup('<div class="o_hotline_recording_timeline my-1">%s</div>') % Markup("").join(rows)

    # -- figures ------------------------------------------------------------------------------
    @api.model
    def _storage_figures(self):
        """(bytes stored, recordings stored, oldest stored start) for the health page."""
        self.env.cr.execute("SELECT COALESCE(SUM(file_size), 0), COUNT(*), MIN(start_time) "
                            "FROM hotline_recording WHERE state = 'stored'")
        return self.env.cr.fetchone()
