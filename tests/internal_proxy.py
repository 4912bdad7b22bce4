"""The center's internal nginx (config/nginx/hotline-internal.conf) run for real in front of an Odoo on this
machine: its ports, cache and file store path set for the run, the rest of the file as shipped.

Shared by tests/test_production_layout.py and bench/bench_layout.py. Importable without pytest.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "config" / "nginx" / "hotline-internal.conf"
# The same with an upstream of several center nodes (tests/test_several_nodes.py)
NODES_CONF = ROOT / "config" / "nginx" / "hotline-internal-nodes.conf"


def _point_upstreams(site, nodes):
    """The upstreams' `server` lines (HTTP :8069 and websocket :8072 ones) pointed, in order, at the
    local nodes' (http_port, gevent_port); their parameters (max_fails, ...) kept."""
    for default, index in ((8069, 0), (8072, 1)):
        servers = iter(nodes)

        def local(match, servers=servers, index=index):
            return f"server 127.0.0.1:{next(servers)[index]}{match[1]};"

        site, n = re.subn(rf"server \S+:{default}([^;]*);", local, site)
        assert n == len(nodes), f"{n} upstream servers on :{default}, {len(nodes)} nodes"
    return site


@contextlib.contextmanager
def serve_internal_proxy(tmp, port, http_port, gevent_port, filestore, nodes=None):
    """nginx on 127.0.0.1:`port` forwarding to Odoo's HTTP and websocket ports, reading the file store
    `filestore` (<data_dir>/filestore) on X-Accel-Redirect; yields its URL.

    With `nodes` (a list of (http_port, gevent_port)), the several-nodes file instead, its upstreams
    pointed at those nodes (http_port and gevent_port are then ignored). The access log
    (`tmp`/access.log) names the upstream that answered each request: method, URI, status, upstream."""
    tmp = Path(tmp)
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is required (apt-get install nginx-light)")
    site = (NODES_CONF if nodes else NGINX_CONF).read_text()
    site, n = re.subn(r"listen 80;", f"listen 127.0.0.1:{port};", site)
    assert n == 1
    site = _point_upstreams(site, nodes or [(http_port, gevent_port)])
    site = site.replace("/var/cache/nginx/hotline", str(tmp / "cache"))
    site, n = re.subn(r"alias \S+/filestore/;", f"alias {filestore}/;", site)
    assert n == 1
    (tmp / "site.conf").write_text(site)
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers read the file store and write the cache
    (tmp / "nginx.conf").write_text(
        f"{user}pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
        f"http {{ log_format upstream '$request_method $request_uri $status $upstream_addr'; "
        f"access_log {tmp}/access.log upstream; client_body_temp_path {tmp}; proxy_temp_path {tmp}; "
        f"fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp}; "
        f"include /etc/nginx/mime.types; include {tmp}/site.conf; }}\n")
    proc = subprocess.Popen([binary, "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None:
                raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()}")
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not start within 10 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
