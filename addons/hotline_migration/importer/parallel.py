"""An entity's rows read, converted and written by several processes side by side.

Python converting rows is what a load waits for (a log line: ~15 µs of Python against ~5 µs of
PostgreSQL), and one process runs on one core. So for the big entities the importer forks one process
per core; each reads the whole export, takes the rows that fall to it — log lines and calls by legacy
id, cases by caller (the importer's `_share_of`) — and writes them in batches over a connection of its
own, each batch with its xref lines in one transaction as usual: a run killed anywhere resumes the same
way. The parent gathers the counts, rejected rows and reconciliation figures, the cases' ids and the
contacts created on the way (which the later entities look up), and draws the progress bar.

Fork, not spawn: the children start with the parent's mapping, id maps and caches as they are. They
never touch the parent's connections (forgotten, not closed: closing would end the parent's sessions),
leave through os._exit, and die with the parent (PR_SET_PDEATHSIG).
"""

import ctypes
import logging
import os
import pickle
import select
import signal
import traceback
import zlib
from collections import defaultdict
from multiprocessing.sharedctypes import RawArray

from odoo import sql_db

from ..tools.phones import make_normalizer
from .bulk import DirectWriter

_logger = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1


def share_of(legacy_id, shares):
    """The process (0 … shares - 1) a legacy id falls to: the same in every process and run."""
    return zlib.crc32(legacy_id.encode()) % shares if legacy_id else 0


def read_shared_out(importer, entity, columns, bar, shares):
    # nothing in flight nor uncommitted across the fork: the children see every earlier batch
    importer.writer.drain()
    importer.commit()
    done = RawArray("q", shares)
    children = []
    for share in range(shares):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is the parent's result
            os.close(read_end)
            _child(importer, entity, columns, (share, shares), done, write_end)
        os.close(write_end)
        children.append((pid, read_end))
    results = _gather(children, done, bar)
    failures = [r["error"] for r in results if "error" in r]
    if failures:
        raise RuntimeError(f"reading {entity} in {shares} processes failed:\n" + "\n".join(failures))
    _merge(importer, entity, results)


def _child(importer, entity, columns, share, done, write_end):
    status = 1
    try:
        try:
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (AttributeError, OSError):
            _logger.warning("the reader processes cannot be bound to the importer's life on this system")
        # the parent's connections are left alone, open (kept referenced here: a finalizer closing one
        # would end the parent's session); this process gets a pool and a connection of its own
        importer._parent = (importer.env, importer.writer, sql_db._Pool, sql_db._Pool_readonly)
        sql_db._Pool = sql_db._Pool_readonly = None
        cr = sql_db.db_connect(importer.env.cr.dbname).cursor()
        cr.execute("SET synchronous_commit = off")
        importer.env = importer.env(cr=cr)
        importer.writer = DirectWriter(importer.env, cr.commit)
        importer.phone = make_normalizer(importer.env)
        importer.source.reconnect()
        importer._inserters = {}
        inherited = (set(importer.ids[entity]), set(importer.phones))
        importer.errors = []
        importer.counts = defaultdict(lambda: defaultdict(int))
        importer.legacy = defaultdict(lambda: defaultdict(int))
        importer.rejected = defaultdict(lambda: defaultdict(int))
        index = share[0]
        count = 0

        def advance():
            nonlocal count
            count += 1
            if not count & 255:
                done[index] = count

        importer._read(entity, columns, advance, share)
        cr.commit()  # pylint: disable=invalid-commit  # the last batch, on this process's own connection
        done[index] = count
        result = {
            # what this process created that later entities look up: the cases' ids, the callers' contacts
            "ids": {k: v for k, v in importer.ids[entity].items() if k not in inherited[0]},
            "phones": {k: v for k, v in importer.phones.items() if k not in inherited[1]},
            "counts": dict(importer.counts[entity]), "errors": importer.errors,
            "legacy": {k: dict(v) for k, v in importer.legacy.items()},
            "rejected": {k: dict(v) for k, v in importer.rejected.items()},
        }
        status = 0
    except BaseException:  # noqa: BLE001 - whatever it is, the parent reports it
        result = {"error": traceback.format_exc()}
    try:
        data = pickle.dumps(result)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
    finally:
        os._exit(status)


def _gather(children, done, bar):
    """Each child's result, drawing the progress meanwhile."""
    buffers = {fd: bytearray() for _pid, fd in children}
    open_fds = set(buffers)
    shown = bar.done
    while open_fds:
        ready, _w, _x = select.select(list(open_fds), [], [], 0.2)
        for fd in ready:
            chunk = os.read(fd, 1 << 20)
            if chunk:
                buffers[fd] += chunk
            else:
                open_fds.discard(fd)
                os.close(fd)
        bar.update(shown + sum(done))
    results = []
    for pid, fd in children:
        _pid, status = os.waitpid(pid, 0)
        if buffers[fd]:
            results.append(pickle.loads(bytes(buffers[fd])))  # noqa: S301 - our own child's result
        else:
            results.append({"error": f"reader process {pid} ended without a result (status {status})"})
    return results


def _merge(importer, entity, results):
    counts = importer.counts[entity]
    errors = []
    for result in results:
        importer.ids[entity].update(result["ids"])
        importer.phones.update(result["phones"])
        for key, value in result["counts"].items():
            counts[key] += value
        errors += result["errors"]
        for into, figures in ((importer.legacy, result["legacy"]), (importer.rejected, result["rejected"])):
            for key, metrics in figures.items():
                for metric, value in metrics.items():
                    into[key][metric] += value
    importer.errors += sorted(errors, key=lambda error: error["line"])
