"""RTP the SIPp phones send (play_pcap_audio): a tone for the voice, RFC 2833 events for keypad digits.

SIPp replays the packets of a pcap file to the media address of the SDP it negotiated, at the pace of
the capture's timestamps; these files are made here rather than kept as binaries in the repository.
"""

import math
import struct

TELEPHONE_EVENT = 101  # the payload type the rig's SDP offers for telephone-event


def _ulaw(sample):
    sign = 0x80 if sample < 0 else 0
    sample = min(abs(sample), 32635) + 0x84
    exponent, mask = 7, 0x4000
    while exponent > 0 and not (sample & mask):
        exponent -= 1
        mask >>= 1
    return ~(sign | (exponent << 4) | ((sample >> (exponent + 3)) & 0x0F)) & 0xFF


def _frame(payload, t):
    udp = struct.pack("!HHHH", 4000, 4000, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\x7f\0\0\1", b"\x7f\0\0\1") + udp
    packet = b"\0" * 12 + b"\x08\x00" + ip  # Ethernet, IPv4
    return struct.pack("<IIII", int(t), int(round(t % 1 * 1e6)), len(packet), len(packet)) + packet


def write_pcap(path, tone_seconds, digit=None, freq=440):
    """`tone_seconds` of a PCMU tone, then (if `digit`) those keys, each an RFC 2833 event of 200 ms
    followed by 100 ms without one."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    seq, ts, t = 1, 0, 1.0
    period = [_ulaw(int(8000 * math.sin(2 * math.pi * freq * k / 8000))) for k in range(8000)]
    for i in range(int(tone_seconds * 50)):
        start = (i * 160) % 8000
        payload = bytes(period[start:start + 160])
        out.append(_frame(struct.pack("!BBHII", 0x80, 0, seq, ts, 0x1234) + payload, t))
        seq, ts, t = seq + 1, ts + 160, t + 0.02
    for key in digit or "":
        code = {"*": 10, "#": 11}.get(key, None)
        code = int(key) if code is None else code
        for n in range(10):  # the event grows for 8 packets, then 3 "end" packets (RFC 4733 §2.5.1.4)
            end = n >= 7
            payload = struct.pack("!BBH", code, (0x80 if end else 0) | 10, min(n + 1, 8) * 160)
            marker = 0x80 if n == 0 else 0
            out.append(_frame(struct.pack("!BBHII", 0x80, marker | TELEPHONE_EVENT, seq, ts, 0x1234) + payload, t))
            seq, t = seq + 1, t + 0.02
        ts, t = ts + 8 * 160 + 800, t + 0.1  # the next event is a new one: its own timestamp, a gap
    with open(path, "wb") as fh:
        fh.write(b"".join(out))
