"""The end-of-run check (tests/leftovers.py) sees what a run left: a process carrying the run's mark,
even orphaned by the one that started it, with the ports it listens on; not another run's."""

import os
import subprocess
import sys
import time
import uuid

from .leftovers import MARK, leftovers

LISTENER = ("import socket, sys, time\n"
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
            "print(s.getsockname()[1], flush=True); time.sleep(120)\n")


def _spawn_orphan(mark):
    """A listener whose parent has exited (reparented to init, as a server a fixture forgot)."""
    shell = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -c "$0" > "$1" 2>&1 < /dev/null & echo $!', LISTENER,
         f"/tmp/leftover-{mark}.port"],
        env={**os.environ, MARK: mark}, capture_output=True, text=True, check=True)
    pid = int(shell.stdout.strip())
    deadline = time.monotonic() + 20
    while not (port := open(f"/tmp/leftover-{mark}.port").read().strip()):
        assert time.monotonic() < deadline, "the listener did not start"
        time.sleep(0.1)
    return pid, int(port)


def _about(pid, found):
    return [line for line in found if line.startswith(f"process {pid} ")]


def test_orphaned_listener_is_a_leftover_of_its_run_only():
    mark, other = uuid.uuid4().hex, uuid.uuid4().hex
    pid, port = _spawn_orphan(mark)
    try:
        mine = _about(pid, leftovers(mark))
        assert len(mine) == 1 and f"listening on [{port}]" in mine[0], mine
        assert not _about(pid, leftovers(other)), "another run's check reported this run's process"
    finally:
        os.kill(pid, 9)
        os.unlink(f"/tmp/leftover-{mark}.port")
    deadline = time.monotonic() + 10
    while _about(pid, leftovers(mark)):
        assert time.monotonic() < deadline, "a killed process is still reported"
        time.sleep(0.2)
