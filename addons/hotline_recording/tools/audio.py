"""The sound of a recording: the PBX's raw file in, the stored file out.

Asterisk's MixMonitor ``D`` option writes interleaved stereo signed 16-bit little-endian samples at
8 kHz with no header, so a file cut short by a crash is as readable as a finished one: its length is
its duration. Stored files put the citizen on the left channel and the agent on the right, whichever
channel the PBX recorded on.
"""

import array
import io
import shutil
import subprocess
import sys
import wave

RATE = 8000
CHANNELS = 2
FRAME_BYTES = 2 * CHANNELS
# Peak amplitude above which a second counts as speech on a leg (about -30 dBFS); the timeline only
# shows who spoke when, it is not a voice detector.
SPEECH_PEAK = 1000
CODECS = {"opus": ("audio/ogg", ".opus"), "wav": ("audio/wav", ".wav")}


class ConversionError(Exception):
    """The sound could not be converted (missing tool, tool failure)."""


def duration(raw_size):
    return raw_size // FRAME_BYTES / RATE


def citizen_left(raw, citizen):
    """Whole frames of `raw`, channels swapped when the citizen was recorded on the right."""
    raw = raw[:len(raw) - len(raw) % FRAME_BYTES]
    if citizen != "right":
        return raw
    samples = array.array("h")
    samples.frombytes(raw)
    if sys.byteorder != "little":
        samples.byteswap()
    swapped = array.array("h", samples)
    swapped[0::2], swapped[1::2] = samples[1::2], samples[0::2]
    if sys.byteorder != "little":
        swapped.byteswap()
    return swapped.tobytes()


def timeline(raw):
    """{"citizen": [[start, end], ...], "agent": [...]}: the seconds each leg spoke (citizen-left raw)."""
    samples = array.array("h")
    samples.frombytes(raw)
    if sys.byteorder != "little":
        samples.byteswap()
    legs = {"citizen": samples[0::2], "agent": samples[1::2]}
    result = {}
    for leg, pcm in legs.items():
        spans = []
        for second in range(0, (len(pcm) + RATE - 1) // RATE):
            chunk = pcm[second * RATE:(second + 1) * RATE]
            if chunk and max(max(chunk), -min(chunk)) >= SPEECH_PEAK:
                if spans and spans[-1][1] == second:
                    spans[-1][1] = second + 1
                else:
                    spans.append([second, second + 1])
        result[leg] = spans
    return result


def encode(raw, codec, bitrate_kbps=24):
    """Citizen-left raw stereo -> bytes of the stored file."""
    if codec == "wav":
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(CHANNELS)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(raw)
        return out.getvalue()
    if codec != "opus":
        raise ConversionError(f"unknown codec {codec}")
    tool = shutil.which("opusenc")
    if not tool:
        raise ConversionError("opusenc not found (Debian package opus-tools)")
    proc = subprocess.run(
        [tool, "--quiet", "--raw", "--raw-bits", "16", "--raw-rate", str(RATE), "--raw-chan", str(CHANNELS),
         "--raw-endianness", "0", "--bitrate", str(int(bitrate_kbps)), "--speech", "-", "-"],
        input=raw, capture_output=True, check=False, timeout=600)
    if proc.returncode != 0 or not proc.stdout:
        raise ConversionError(f"opusenc failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-300:]}")
    return proc.stdout
