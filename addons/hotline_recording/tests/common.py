"""A PBX whose recording folder is a temporary folder, calls answered by two agents, and the PBX's raw
files written the way MixMonitor's "D" option writes them."""

import array
import math
import os
import shutil
import tempfile
import time

from odoo.addons.hotline_telephony.ami.facts import from_event
from odoo.addons.hotline_telephony.ami.ingest import Ingestor
from odoo.tests import HttpCase, new_test_user

T0 = 1_795_600_000
PBX_FOLDER = "/var/spool/asterisk/monitor/hotline"


def raw_stereo(seconds, citizen="right", tone_seconds=None):
    """Interleaved s16le 8 kHz stereo: a tone on the citizen's channel for `tone_seconds`, silence elsewhere."""
    frames = int(seconds * 8000)
    tone = int((seconds if tone_seconds is None else tone_seconds) * 8000)
    samples = array.array("h", bytes(4 * frames))
    side = 1 if citizen == "right" else 0
    for i in range(tone):
        samples[2 * i + side] = int(8000 * math.sin(2 * math.pi * 440 * i / 8000))
    return samples.tobytes()


class RecordingCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spool = tempfile.mkdtemp(prefix="hotline-rec-spool-")
        cls.store = tempfile.mkdtemp(prefix="hotline-rec-store-")
        cls.addClassCleanup(shutil.rmtree, cls.spool, True)
        cls.addClassCleanup(shutil.rmtree, cls.store, True)
        cls.env.company.write({"hotline_recording_storage": "folder", "hotline_recording_folder": cls.store,
                               "hotline_recording_agent_scope": "own", "hotline_recording_retention_days": 365})
        cls.pbx = cls.env["hotline.pbx"].create({"name": "录音测试交换机", "recording_pbx_folder": PBX_FOLDER,
                                                 "recording_local_folder": cls.spool})
        cls.env["res.users"].search([("hotline_interface", "!=", False)]).hotline_interface = False
        ctx = {"no_reset_password": True}
        cls.agent1 = new_test_user(cls.env, "rec_agent1", groups="hotline_case.group_agent", name="受理员甲",
                                   context=ctx)
        cls.agent2 = new_test_user(cls.env, "rec_agent2", groups="hotline_case.group_agent", name="受理员乙",
                                   context=ctx)
        cls.agent1.hotline_interface = "PJSIP/agent1"
        cls.agent2.hotline_interface = "PJSIP/agent2"
        cls.reviewer = new_test_user(cls.env, "rec_reviewer", groups="hotline_case.group_reviewer", name="质检员",
                                     context=ctx)
        cls.manager = new_test_user(cls.env, "rec_manager", groups="hotline_case.group_manager", name="班长",
                                    context=ctx)
        cls.unit_user = new_test_user(cls.env, "rec_water", groups="hotline_case.group_unit_user", name="自来水公司",
                                      context=ctx)
        cls.portal = new_test_user(cls.env, "rec_portal", groups="base.group_portal", name="门户用户", context=ctx)

    @classmethod
    def ingest(cls, events):
        facts = [from_event(e, time.time()) for e in events]
        Ingestor(cls.env, cls.pbx).apply([f for f in facts if f])

    @classmethod
    def answered_call(cls, uid, agent_uid, interface, talk, t=T0, caller="13800138000"):
        """A queue call answered at t + 2 and ended after `talk` seconds, as queue_log tells it."""
        from odoo.addons.hotline_telephony.ami.facts import parse_queue_log  # noqa: PLC0415

        log = (f"{t}|{uid}|hotline|NONE|ENTERQUEUE||{caller}|1\n"
               f"{t + 2}|{uid}|hotline|{interface}|CONNECT|2|{agent_uid}|1\n"
               f"{t + 2 + talk}|{uid}|hotline|{interface}|COMPLETECALLER|2|{talk}|1\n")
        Ingestor(cls.env, cls.pbx).apply(parse_queue_log(log))
        return cls.env["hotline.call"].search([("pbx_id", "=", cls.pbx.id), ("uniqueid", "=", uid)])

    @classmethod
    def pbx_file(cls, uid, channel_uid, seconds, kind="q", day="20261207", **kwargs):
        """Write the PBX's raw file and return its path as the PBX names it (HotlineRecording's File)."""
        os.makedirs(os.path.join(cls.spool, day), exist_ok=True)
        name = f"{day}/{kind}-{uid}-{channel_uid}.raw"
        with open(os.path.join(cls.spool, name), "wb") as fh:
            fh.write(raw_stereo(seconds, "right" if kind == "q" else "left", **kwargs))
        old = time.time() - 60  # written a minute ago: the PBX is done with it
        os.utime(os.path.join(cls.spool, name), (old, old))
        return f"{PBX_FOLDER}/{name}"

    @staticmethod
    def recording_event(uid, channel_uid, path, t, **extra):
        return {"Event": "UserEvent", "Timestamp": f"{t:.6f}", "UserEvent": "HotlineRecording",
                "Uniqueid": channel_uid, "CallUniqueid": uid, "File": path, "Citizen": "right", **extra}
