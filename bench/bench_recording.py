"""Call recording benchmark, each figure next to its same-run baseline:

* ``pbx``: Asterisk's CPU per concurrent call, recorded (MixMonitor, stereo) and not recorded
  (HOTLINE_REC_DIR emptied over AMI), the same calls in the same run on the PBX rig;
* ``convert``: conversion cost per hour of audio (stereo 8 kHz raw -> Opus 24 kbit/s with the
  speech timeline and checksum), against the WAV baseline (no compression);
* ``playback``: time to first byte and to a seek into the middle of a 30-minute recording over
  ``/hotline/recording/<call id>`` (a real Odoo server, logged in as a reviewer), p50/p95, against
  Odoo's own static file route serving a file of the same size.

    .venv/bin/python bench/bench_recording.py [convert] [playback] [pbx] [--db ht_rec] [--port 8333]

``pbx`` starts, uses and stops the PBX rig (scripts/pbx-rig.sh): run it where no one else uses the rig.
"""

import argparse
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from benchlib import ROOT, odoo_server

ODOO_SRC = Path(os.environ.get("ODOO_SRC", ROOT / ".odoo/root/usr/lib/python3/dist-packages"))
sys.path.insert(0, str(ODOO_SRC))


def synthetic_raw(seconds):
    """PBX-like raw stereo: the citizen (right) and the agent (left) take turns every 5 s."""
    import array  # noqa: PLC0415
    import math  # noqa: PLC0415

    block = array.array("h", bytes(4 * 8000 * 10))
    for i in range(8000 * 5):
        v = int(6000 * math.sin(2 * math.pi * 300 * i / 8000) + 2000 * math.sin(2 * math.pi * 1200 * i / 8000))
        block[2 * i + 1] = v  # citizen speaks the first 5 s
        block[2 * (i + 40000)] = v  # the agent the next 5 s
    data = block.tobytes()
    return data * int(seconds // 10)


def p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


# -- conversion ------------------------------------------------------------------------------
def bench_convert(minutes=30):
    from odoo.addons.hotline_recording.tools import audio  # noqa: PLC0415

    raw = synthetic_raw(minutes * 60)
    hours = minutes / 60
    rows = []
    for codec in ("wav", "opus"):
        t0 = time.process_time(), time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        stereo = audio.citizen_left(raw, "right")
        timeline = audio.timeline(stereo)
        data = audio.encode(stereo, codec)
        hashlib.sha256(data).hexdigest()
        cpu_py = time.process_time() - t0[0]
        wall = time.perf_counter() - t0[1]
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_enc = child.ru_utime + child.ru_stime - t0[2].ru_utime - t0[2].ru_stime
        rows.append((codec, wall / hours, len(data) / hours / 1e6, cpu_py / hours, cpu_enc / hours))
        assert timeline["citizen"] and timeline["agent"]
    print(f"conversion of {minutes} min of stereo call audio (raw {len(raw) / 1e6:.0f} MB):")
    for codec, wall, mb, cpu, enc in rows:
        print(f"  {codec:5s} {cpu + enc:6.1f} s CPU per audio hour (Odoo {cpu:5.1f} s + encoder {enc:5.1f} s; "
              f"{wall:6.1f} s wall on this machine's load), {mb:6.1f} MB per hour")
    return raw


# -- playback --------------------------------------------------------------------------------
def bench_playback(db, port, raw, n=30):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    spool = Path(tempfile.mkdtemp(prefix="bench-rec-"))
    try:
        (spool / "20261207").mkdir()
        uid = f"{int(time.time())}.{os.getpid()}"
        (spool / "20261207" / f"q-{uid}-{uid}1.raw").write_bytes(raw)
        old = time.time() - 60
        os.utime(spool / "20261207" / f"q-{uid}-{uid}1.raw", (old, old))
        with Registry(db).cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            pbx = env["hotline.pbx"].create({"name": "bench", "recording_local_folder": str(spool)})
            call = env["hotline.call"].create({"uniqueid": uid, "pbx_id": pbx.id, "direction": "inbound",
                                               "end_time": "2026-12-07 00:00:00"})
            user = env["res.users"].search([("login", "=", "bench_rec_reviewer")]) or env["res.users"].with_context(
                no_reset_password=True).create({"name": "bench reviewer", "login": "bench_rec_reviewer",
                                                "password": "bench_rec_reviewer",
                                                "group_ids": [(4, env.ref("hotline_case.group_reviewer").id)]})
            rec = env["hotline.recording"]._hotline_from_pbx(pbx, f"20261207/q-{uid}-{uid}1.raw")
            rec._convert(str(spool / "20261207" / f"q-{uid}-{uid}1.raw"))
            size = rec.file_size
            # the baseline: a static file of the same size served by Odoo's static route
            static = ROOT / "addons" / "hotline_recording" / "static" / "src" / "bench.bin"
            static.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(rec._stored_path(), static)
            call_id, user_login = call.id, user.login
        try:
            with odoo_server(db, port, spool / "odoo.log") as (_proc, base):
                session = requests.Session()
                session.post(f"{base}/web/session/authenticate", json={"params": {
                    "db": db, "login": user_login, "password": user_login}}, timeout=30).raise_for_status()
                urls = {"recording": f"{base}/hotline/recording/{call_id}",
                        "static file (baseline)": f"{base}/hotline_recording/static/src/bench.bin"}
                print(f"playback of a 30-minute recording ({size / 1e6:.1f} MB Opus), {n} requests each:")
                for label, url in urls.items():
                    first, seek = [], []
                    for _ in range(n):
                        for ranges, out in (("bytes=0-65535", first), (f"bytes={size // 2}-{size // 2 + 65535}", seek)):
                            t0 = time.perf_counter()
                            with session.get(url, headers={"Range": ranges}, stream=True, timeout=30) as r:
                                assert r.status_code == 206, (label, r.status_code)
                                next(r.iter_content(1024))
                                out.append(time.perf_counter() - t0)
                                r.content  # noqa: B018 - drain
                    print(f"  {label:24s} first byte p50 {p(first, .5) * 1000:6.1f} ms "
                          f"p95 {p(first, .95) * 1000:6.1f} ms;  mid-file seek p50 {p(seek, .5) * 1000:6.1f} ms "
                          f"p95 {p(seek, .95) * 1000:6.1f} ms")
        finally:
            static.unlink(missing_ok=True)
            with Registry(db).cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                recording = env["hotline.recording"].search([("call_id", "=", call_id)])
                recording._purge("bench")
                env["hotline.call"].browse(call_id).unlink()
    finally:
        shutil.rmtree(spool, ignore_errors=True)


# -- PBX CPU -----------------------------------------------------------------------------------
def bench_pbx(calls=6, seconds=20):
    sys.path.insert(0, str(ROOT))
    from odoo.addons.hotline_telephony.ami.adapter import AmiClient  # noqa: PLC0415
    from tests.pbx.conftest import CHROOT, RIG, SCENARIOS  # noqa: PLC0415
    from tests.pbx.rtp import write_pcap  # noqa: PLC0415

    work = Path(tempfile.mkdtemp(prefix="bench-pbx-"))
    write_pcap(work / "voice.pcap", seconds + 10)
    subprocess.run([str(RIG), "start"], check=True, capture_output=True, timeout=180)
    pid = int((Path(os.environ.get("PBX_CACHE", "/var/cache/hotline-pbx")) / "asterisk.pid").read_text())
    procs = []

    def cpu():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    try:
        members = [f"PJSIP/agent{i}" for i in range(1, calls + 1)]  # the rig's phones agent1..agent6
        for i in range(1, calls + 1):
            procs.append(subprocess.Popen(
                ["sipp", "-sf", str(SCENARIOS / "agent_answer.xml"), "-i", "127.0.0.1", "-p", str(5070 + i),
                 "-d", "500", "-nostdin"], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with AmiClient("127.0.0.1", 5038, "hotline", "hotline-rig-secret") as ami:
            for m in members:
                ami.action({"Action": "QueueAdd", "Queue": "hotline", "Interface": m, "Penalty": "0"})
        rec_dir = CHROOT / "var/spool/asterisk/monitor/hotline"
        results = {}
        for label, value in (("not recorded", ""), ("recorded", "/var/spool/asterisk/monitor/hotline")):
            with AmiClient("127.0.0.1", 5038, "hotline", "hotline-rig-secret") as ami:
                ami.action({"Action": "Setvar", "Variable": "HOTLINE_REC_DIR", "Value": value})
            before = cpu()
            t0 = time.monotonic()
            batch = []
            for k in range(calls):
                batch.append(subprocess.Popen(
                    ["sipp", "-sf", str(SCENARIOS / "caller_talk.xml"), "-s", "12319", "-key", "caller",
                     f"1399000{k:04d}", "-d", str(seconds * 1000), "-m", "1", "-i", "127.0.0.1", "-p",
                     str(5200 + k), "-nostdin", "127.0.0.1:5060"], cwd=work, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL))
            for b in batch:
                b.wait(timeout=seconds * calls + 60)
            results[label] = (cpu() - before, time.monotonic() - t0)
        files = list(rec_dir.glob("*/q-*.raw"))
        print(f"Asterisk CPU for {calls} concurrent calls of {seconds} s (each answered by its own agent):")
        for label, (used, wall) in results.items():
            print(f"  {label:13s} {used:6.2f} s CPU over {wall:5.1f} s, {used / calls * 1000:6.1f} ms per call")
        print(f"  recorded files: {len(files)}, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB raw")
        for f in files:
            f.unlink()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        subprocess.run([str(RIG), "stop"], capture_output=True, timeout=60)
        shutil.rmtree(work, ignore_errors=True)


def setup_odoo(db):
    """Odoo's configuration of this checkout (addons path, data dir), for the addons' code and the registry."""
    from odoo.modules.module import initialize_sys_path  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", str(ROOT / "config" / "odoo.conf"), f"--addons-path={ROOT / 'addons'},"
                         f"{ODOO_SRC / 'odoo' / 'addons'}", f"--data-dir={ROOT / '.odoo' / 'data'}", "-d", db],
                        setup_logging=False)
    initialize_sys_path()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("parts", nargs="*", default=["convert", "playback"])
    parser.add_argument("--db", default="ht_rec")
    parser.add_argument("--port", type=int, default=8333)
    args = parser.parse_args()
    setup_odoo(args.db)
    raw = bench_convert() if "convert" in args.parts or "playback" in args.parts else None
    if "playback" in args.parts:
        bench_playback(args.db, args.port, raw)
    if "pbx" in args.parts:
        bench_pbx()


if __name__ == "__main__":
    main()
