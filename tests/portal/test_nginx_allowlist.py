"""The external nginx configuration, run by a real nginx, against the rule reader.

The Odoo tests of hotline_portal judge the portal's routes with the reader in
addons/hotline_portal/tests/nginx_allowlist.py; this test proves the reader
answers exactly like nginx does, on the real configuration file, for allowed,
denied and tricky (encoded, dotted, doubled-slash, case-changed) URLs.
"""

import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import xmlrpc.client
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import websocket
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "config" / "nginx" / "hotline-external.conf"
READER = ROOT / "addons" / "hotline_portal" / "tests" / "nginx_allowlist.py"

URLS = [
    "/", "/my", "/my/", "/my/home", "/my/hotline/cases", "/my/hotline/cases/3?state=processing",
    "/my/hotline/cases/3/accept", "/my/counters", "/web", "/web/", "/web/login", "/web/login/",
    "/web/session/logout", "/web/session/get_session_info", "/web/session/authenticate", "/web/reset_password",
    "/web/signup", "/web/static/src/img/favicon.ico", "/hotline_portal/static/src/js/x.js", "/mail/static/x.js",
    "/odoo/static/x", "/web/dataset/call_kw", "/web/dataset/call_kw/res.partner/read", "/web/dataset",
    "/web/dataset/call_button", "/my/../web/dataset/call_kw", "/my/%2e%2e/odoo", "/my%2f..%2fweb",
    "/my/./../web", "//web//login", "//web/dataset/call_kw", "/my/hotline/..%2F..%2Fweb%2Fdataset%2Fcall_kw",
    "/websocket", "/websocket/peek_notifications", "/bus/websocket_worker_bundle", "/x", "/xmlrpc/2/object",
    "/xmlrpc/2/db", "/xmlrpc/object", "/jsonrpc", "/json/2/res.partner/search_read", "/json/version",
    "/web/content/12?download=1", "/web/content", "/web/image/res.partner/3/avatar_128", "/WEB/static/x",
    "/Web/Login", "/web/database/manager", "/web/database/list", "/web/database", "/web/webclient/translations",
    "/web/webclient/load_menus", "/web/action/load", "/web/binary/upload_attachment", "/web/become",
    "/portal/chatter_init", "/mail/message/post", "/mail/attachment/upload", "/odoo", "/odoo/", "/odoo/action-1",
    "/robots.txt", "/favicon.ico", "/web/assets/1/web.assets_frontend.min.js", "/web/filestore/ab/abcd",
    "/web/health", "/scoped_app/x", "/website/translations", "/logo.png", "/web/binary/company_logo",
    "/web/binary/upload_attachment", "/zh_CN/my", "/zh_CN/my/hotline/cases/3", "/en/my", "/en/web/dataset/call_kw",
    "/zh_CN/web/login", "/zh_CN/odoo", "/en/my/../web/dataset/call_kw", "/zh_CN/myx", "/sr@latin/my/home",
    "/case", "/case?number=12319-20261207-0001", "/case/", "/case/1", "/cases", "/CASE", "/case/../web/dataset/call_kw",
    "/hotline/sms/push/aliyun/reply", "/zh_CN/case",
    "/open311/discovery.json", "/open311/discovery.xml", "/open311/discovery.html", "/open311/discovery",
    "/open311/v2/services.xml", "/open311/v2/services.json", "/open311/v2/services", "/open311/v2/services.csv",
    "/open311/v2/services/GS01.xml", "/open311/v2/services/GS01.json", "/open311/v2/services/GS01",
    "/open311/v2/requests.json?service_code=GS01", "/open311/v2/requests.xml", "/open311/v2/requests/a/b.json",
    "/open311/v2/requests/12319-20261207-0001.json", "/open311/v2/tokens/abc.xml", "/open311/v2/tokens.json",
    "/open311/v2/requests/..%2F..%2F..%2Fweb%2Fdataset%2Fcall_kw.json", "/open311/v2/../../web/login",
    "/open311/v2/services/x.json/../../../../web/dataset/call_kw", "/OPEN311/v2/services.xml",
    "/zh_CN/open311/v2/services.xml", "/open311/v2/", "/open311/",
    "/open311/v2/media/Zq3x_9-kLmNoPqRsTuVwXyZ0123456789ab", "/open311/v2/media/", "/open311/v2/media/12",
    "/open311/v2/media/abc/../../../web/login", "/open311/v2/media/Zq3x_9-kLmNoPqRsTuVwXyZ01.jpg",
] + [
    # what the security review tried, and neighbours of what is published
    "/doc/my", "/doc/my/hotline/cases", "/xx/my", "/zh/my", "/en_US/my", "/mail/link_preview",
    "/mail/link_preview/hide", "/mail/data", "/mail/action", "/mail/thread/messages", "/mail/unfollow",
    "/mail/chatter_fetch", "/mail/view?model=hotline.case&res_id=3", "/mail/avatar/mail.message/3/author_avatar/50x50",
    "/mail/avatar/mail.message/3/author_avatar/50x50/../../../../../web/dataset/call_kw", "/mail/static/src/x.js",
    "/portal/attachment/remove", "/portal/other", "/web/content?model=res.partner&id=3&field=image_1920",
    "/web/content/?model=res.partner&id=3&field=image_128", "/web/content/", "/web/content/12-ab12cd/photo.jpg",
    "/web/content/res.partner/3/image_128", "/web/content/base.main_company", "/web/content/12/a/b",
    "/web/image?model=res.users&id=2&field=avatar_128", "/web/image/12/128x128", "/web/image/12-3fa/128x128/x.png",
    "/web/image/res.users/2/avatar_128", "/web/signup?token=abc", "/web/content/12%2F..%2F..%2Fdataset",
    "/web/image/mail.message/3/author_avatar/50x50", "/web/image/res.partner/3/avatar_128?access_token=x",
    "/web/image/res.partner/3/image_1920", "/mail/avatar/mail.message/3/author_avatar/50x50",
]
# Neither forwarded nor redirected to something forwarded (nginx's 301 of a proxied "prefix/" location).
REFUSED = [
    "/doc/my", "/xx/my/hotline/cases", "/mail/link_preview", "/mail/link_preview/hide", "/mail/action",
    "/web/content?model=res.partner&id=3&field=image_1920", "/web/content/?model=res.partner&id=3&field=image_128",
    "/web/image?model=res.users&id=2&field=avatar_128", "/web/content/res.partner/3/image_128",
    "/web/image/res.users/2/avatar_128", "/web/signup", "/web/signup?token=abc", "/portal", "/mail",
    "/case/1", "/cases", "/hotline/sms/push/aliyun/reply", "/hotline/sms/push/tencent/report?token=x",
    "/open311/v2/services", "/open311/v2/services.csv", "/open311/v2/requests/a/b.json", "/open311/v2/tokens.json",
    "/open311/v2/services/x.json/../../../../web/dataset/call_kw", "/open311/v2/../../web/dataset/call_kw",
    "/zh_CN/open311/v2/services.xml", "/open311/v2/", "/open311/discovery",
    "/open311/v2/media/", "/open311/v2/media/12", "/open311/v2/media/abc/../../../web/login",
    "/open311/v2/media/Zq3x_9-kLmNoPqRsTuVwXyZ01.jpg",
]


def _load_reader():
    spec = importlib.util.spec_from_file_location("nginx_allowlist", READER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_nginx(tmp, upstream_port=None):
    """The real config served by nginx; yields its https URL. Without an upstream, "forwarded to Odoo"
    answers status 299; with one, nginx forwards to the Odoo server on that port."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is required (apt-get install nginx-light)"
    port = _free_port()
    key, crt = tmp / "k.key", tmp / "c.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
         "-days", "1", "-subj", "/CN=hotline.test"],
        check=True, capture_output=True,
    )
    site = CONF.read_text(encoding="utf-8")
    site = site.replace("/etc/nginx/ssl/hotline.example.gov.cn.crt", str(crt))
    site = site.replace("/etc/nginx/ssl/hotline.example.gov.cn.key", str(key))
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{_free_port()};")
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    if upstream_port:
        site, count = re.subn(r"server 127\.0\.0\.1:\d+;", f"server 127.0.0.1:{upstream_port};", site)
        assert count >= 1
    else:
        site, count = re.subn(r"proxy_pass http://\w+;", "return 299;", site)
        assert count > 10
    (tmp / "site.conf").write_text(site, encoding="utf-8")
    (tmp / "nginx.conf").write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp}; proxy_temp_path {tmp}; "
        f"fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp}; include {tmp}/site.conf; }}\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen([binary, "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                            stderr=subprocess.PIPE)
    url = f"https://127.0.0.1:{port}"
    for _i in range(50):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def nginx_url(tmp_path_factory):
    with serve_nginx(tmp_path_factory.mktemp("nginx")) as url:
        yield url


def _status(base, path, *curl_args):
    # curl --path-as-is sends the path byte for byte, as an attacker would
    out = subprocess.run(
        ["curl", "-sk", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", *curl_args, base + path],
        capture_output=True, text=True, check=True,
    )
    return out.stdout


def test_reader_agrees_with_nginx(nginx_url):
    rules = _load_reader().ProxyRules(CONF)
    mismatches = []
    for path in URLS:
        forwarded = _status(nginx_url, path) == "299"
        if forwarded != rules.is_allowed(path):
            mismatches.append((path, forwarded))
    assert not mismatches, f"reader and nginx disagree (path, nginx forwards): {mismatches}"


def test_internal_surfaces_never_forwarded(nginx_url):
    for path in ["/web", "/web/", "/odoo", "/odoo/action-1", "/web/dataset/call_kw", "/web/database/manager",
                 "/xmlrpc/2/db", "/jsonrpc", "/json/2/res.partner/search_read", "/my/../web/dataset/call_kw",
                 "/my%2f..%2fweb", "//web/dataset/call_kw", "/web/session/authenticate"]:
        assert _status(nginx_url, path) in ("403", "404"), path


def test_portal_surfaces_forwarded(nginx_url):
    for path in ["/my", "/my/hotline/cases", "/web/login", "/web/session/logout", "/web/reset_password",
                 "/web/assets/1/web.assets_frontend.min.js", "/hotline_portal/static/src/x.js",
                 "/web/content/1", "/portal/chatter_init", "/mail/message/post", "/case",
                 "/open311/discovery.xml", "/open311/v2/services.json", "/open311/v2/services/GS01.xml",
                 "/open311/v2/requests.xml", "/open311/v2/requests/12319-20261207-0001.json",
                 "/open311/v2/tokens/0a1b.json", "/open311/v2/media/Zq3x_9-kLmNoPqRsTuVwXyZ0123456789ab"]:
        assert _status(nginx_url, path) == "299", path


def test_attack_urls_refused(nginx_url):
    rules = _load_reader().ProxyRules(CONF)
    for path in REFUSED:
        assert _status(nginx_url, path) in ("403", "404"), path
        assert not rules.is_reachable(path), path


def test_body_limit(nginx_url, tmp_path):
    """client_max_body_size as the reader reads it (the Odoo test compares it with the portal's limit)."""
    limit = _load_reader().ProxyRules(CONF).client_max_body_size
    assert limit and limit >= 10 * 1024 * 1024
    body = tmp_path / "body"
    with body.open("wb") as handle:
        handle.truncate(limit)
    path = "/my/hotline/cases/3/submit"
    assert _status(nginx_url, path, "--data-binary", f"@{body}") == "299"
    with body.open("ab") as handle:
        handle.write(b"x")
    assert _status(nginx_url, path, "--data-binary", f"@{body}") == "413"


def test_health_surfaces_never_forwarded(nginx_url):
    """System health (metrics, diagnostic bundle) stays on the internal network."""
    for path in ["/hotline/metrics", "/hotline/health/bundle", "/zh_CN/hotline/metrics", "/my/../hotline/metrics"]:
        assert _status(nginx_url, path) in ("403", "404"), path


def test_bus_never_forwarded(nginx_url):
    """The portal opens no websocket: the bus, which follows any channel a client names, stays inside."""
    rules = _load_reader().ProxyRules(CONF)
    for path in ["/websocket", "/websocket/", "/websocket/peek_notifications", "/websocket/on_closed",
                 "/websocket/health", "/bus/websocket_worker_bundle", "/bus/has_missed_notifications",
                 "/my/../websocket", "/zh_CN/websocket", "//websocket", "/WEBSOCKET"]:
        assert _status(nginx_url, path) in ("403", "404"), path
        assert not rules.is_reachable(path), path


def _xmlrpc(url, db, model, method, *args):
    reply = requests.post(f"{url}/xmlrpc/2/object", timeout=60, headers={"Content-Type": "text/xml"},
                          data=xmlrpc.client.dumps((db, 2, "admin", model, method, list(args)), "execute_kw").encode())
    return xmlrpc.client.loads(reply.content)[0][0]


def _follow(url, token, **options):
    """A websocket subscribed to a board's token channel, or None when the handshake is refused."""
    try:
        ws = websocket.create_connection(f"{url.replace('http', 'ws', 1)}/websocket", timeout=5, **options)
    except websocket.WebSocketBadStatusException:
        return None
    ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [token], "last": 0}}))
    return ws


def _board_updates(ws, seconds):
    """The board updates a websocket received within `seconds`."""
    updates, deadline = [], time.monotonic() + seconds
    while ws and time.monotonic() < deadline:
        try:
            frame = ws.recv()
        except websocket.WebSocketTimeoutException:
            continue
        updates += [n["message"]["payload"] for n in json.loads(frame)
                    if n["message"]["type"] == "hotline_monitor/update"]
        if updates:
            break
    return updates


def _peek(url, token):
    """The bus's polling route, as any token holder may call it: the board messages it hands out."""
    reply = requests.post(f"{url}/websocket/peek_notifications", timeout=30, verify=False, json={
        "jsonrpc": "2.0", "method": "call", "params": {"channels": [token], "last": 0, "is_first_poll": True}})
    if reply.status_code != 200:
        return reply.status_code, []
    return 200, [n for n in reply.json()["result"]["notifications"] if n["message"]["type"] == "hotline_monitor/update"]


def test_board_channel_not_followed_from_outside(odoo_server, demo_db, tmp_path):
    """A wall screen's token taken outside: through the external proxy it follows nothing, neither by
    websocket nor by polling; inside, the same token receives the board's pushes (the positive control)."""
    board = _xmlrpc(odoo_server, demo_db, "hotline.wallboard", "create", {"name": "外网跟随测试"})
    token = _xmlrpc(odoo_server, demo_db, "hotline.wallboard", "read", [board], ["access_token"])[0]["access_token"]
    case_id, category = next((c["id"], c["category_id"][0]) for c in _xmlrpc(
        odoo_server, demo_db, "hotline.case", "search_read", [["category_id", "!=", False]], ["category_id"], 0, 1))
    port = int(odoo_server.rsplit(":", 1)[1])
    with serve_nginx(tmp_path, upstream_port=port) as external:
        # the harness: the proxy does reach this Odoo (the portal's login page comes through)
        assert requests.get(f"{external}/web/login", timeout=30, verify=False).status_code == 200
        inside = _follow(odoo_server, token)
        outside = _follow(external, token, sslopt={"cert_reqs": ssl.CERT_NONE})
        try:
            # a case edited at intake: the boards' case panel is pushed to every token
            _xmlrpc(odoo_server, demo_db, "hotline.case", "write", [case_id], {"category_id": category})
            pushed = _board_updates(inside, 20)
            assert pushed and "cases" in pushed[0], "the internal board receives its pushes"
            assert _board_updates(outside, 3) == [], "the board followed from the internet"
            status, polled = _peek(external, token)
            assert polled == [] and status in (403, 404), status
            assert _peek(odoo_server, token)[1], "polling inside hands the same pushes out (control)"
        finally:
            for ws in (inside, outside):
                if ws:
                    ws.close()


@contextlib.contextmanager
def _plain_upstream(port):
    """A stand-in for Odoo behind the proxy: answers 200 to anything (the proxy's limits are what is tested)."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def _ok(self):
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST = _ok

        def log_message(self, *_args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def _burst(base, path, count, *curl_args):
    """Statuses of `count` requests sent back to back by one client (one curl, one connection)."""
    out = subprocess.run(
        ["curl", "-sk", "--path-as-is", *curl_args, *[arg for _i in range(count) for arg in (
            "-o", "/dev/null", "-w", "%{http_code}\\n", base + path)]],
        capture_output=True, text=True, check=True,
    )
    return out.stdout.split()


UPSTREAM_PORT = int(os.environ.get("E2E_HTTP_PORT", "8179")) + 1


def test_request_limits_per_address(tmp_path):
    """limit_req in front of the public pages: the status page lets a burst of 10 through (20 a minute), the
    Open311 API a burst of 20 (5 a second); the rest is answered 429 by nginx, Odoo never sees it. A second
    zone's count is its own (the API is not refused because of the status page)."""
    with _plain_upstream(UPSTREAM_PORT), serve_nginx(tmp_path, upstream_port=UPSTREAM_PORT) as url:
        statuses = _burst(url, "/case", 30)
        passed = statuses.count("200")
        assert 11 <= passed <= 12, statuses  # 1 + burst; a slow machine may see the next token come
        assert statuses.count("429") == 30 - passed, statuses
        assert statuses[:11] == ["200"] * 11, statuses
        api = _burst(url, "/open311/v2/requests.json", 40)
        assert api[:21] == ["200"] * 21, api
        assert 21 <= api.count("200") <= 25 and api.count("429") == 40 - api.count("200"), api
        # a POST above the API's body limit (a form and a photo of 10 MB) stops at the proxy
        body = tmp_path / "body"
        body.write_bytes(b"x" * (11 * 1024 * 1024 + 1))
        time.sleep(1.5)  # tokens back in the bucket
        assert _status(url, "/open311/v2/requests.json", "--data-binary", f"@{body}") == "413"
        assert _status(url, "/open311/v2/services.json", "--data-binary", f"@{body}") == "413"


def test_open311_through_the_proxy(odoo_server, demo_db, tmp_path):
    """A client application files a request and follows it through the external proxy, in both formats: the
    requester stays inside, bad input is a clean 400, the internal surfaces stay closed on the same host."""
    client = _xmlrpc(odoo_server, demo_db, "hotline.open311.client", "create", {"name": "外网代理测试客户端"})
    action = _xmlrpc(odoo_server, demo_db, "hotline.open311.client", "action_generate_key", [client])
    key = action["params"]["message"].rsplit(" ", 1)[-1].rsplit("：", 1)[-1]
    code = _xmlrpc(odoo_server, demo_db, "hotline.category", "search_read",
                   [["child_ids", "=", False], ["code", "!=", False]], ["code"], 0, 1)[0]["code"]
    port = int(odoo_server.rsplit(":", 1)[1])
    with serve_nginx(tmp_path, upstream_port=port) as external:
        api = f"{external}/open311/v2"
        assert requests.get(f"{external}/open311/discovery.xml", timeout=30, verify=False).status_code == 200
        filed = requests.post(f"{api}/requests.json", timeout=60, verify=False, data={
            "api_key": key, "service_code": code, "lat": "34.7466", "long": "113.6253",
            "description": "代理测试：井盖缺失，联系人司马代理 13911112222。", "last_name": "司马",
            "first_name": "代理", "phone": "13911112222", "email": "sima@example.com"})
        assert filed.status_code == 200, filed.text
        number = filed.json()[0]["service_request_id"]
        for fmt in ("json", "xml"):
            answer = requests.get(f"{api}/requests/{number}.{fmt}", timeout=30, verify=False)
            assert answer.status_code == 200, answer.text
            assert number in answer.text
            for secret in ("司马代理", "13911112222", "sima@example.com"):
                assert secret not in answer.text, (fmt, secret)
        assert '"lat": 34.7466' in requests.get(f"{api}/requests/{number}.json", timeout=30, verify=False).text
        # bad input stops with the specification's error document, never a 500
        for path in (f"/requests/{number}%00.json", "/requests.json?service_code=%00", "/services/" + "A" * 300
                     + ".xml"):
            answer = requests.get(api + path, timeout=30, verify=False)
            assert answer.status_code == 400, (path, answer.status_code)
        refused = requests.post(f"{api}/requests.xml", timeout=30, verify=False,
                                data={"api_key": "wrong", "service_code": code, "address_string": "x"})
        assert refused.status_code == 403 and "<errors><error><code>403</code>" in refused.text
        # a photo filed with a request, published under its URL through the proxy; a text file named .jpg is a 400
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, "JPEG")
        photo = buffer.getvalue()
        form = {"api_key": key, "service_code": code, "lat": "34.7466", "long": "113.6253",
                "description": "代理测试：路面塌陷，附照片。"}
        with_photo = requests.post(f"{api}/requests.json", timeout=60, verify=False, data=form,
                                   files={"media": ("IMG_1.jpg", photo, "image/jpeg")})
        assert with_photo.status_code == 200, with_photo.text
        number = with_photo.json()[0]["service_request_id"]
        media_url = requests.get(f"{api}/requests/{number}.json", timeout=30, verify=False).json()[0]["media_url"]
        served = requests.get(external + urlsplit(media_url).path, timeout=30, verify=False)
        assert served.status_code == 200 and served.content == photo
        assert served.headers["Content-Type"] == "image/jpeg"
        assert "nosniff" in served.headers["X-Content-Type-Options"]  # Odoo and the proxy both set it
        not_photo = requests.post(f"{api}/requests.xml", timeout=60, verify=False, data={**form, "description": "x"},
                                  files={"media": ("IMG_2.jpg", b"just text\n" * 50, "image/jpeg")})
        assert not_photo.status_code == 400 and "<errors><error><code>400</code>" in not_photo.text
        assert requests.post(external + urlsplit(media_url).path, timeout=30, verify=False).status_code in (403, 405)
        # the same host publishes nothing else of Odoo
        for path in ("/web/dataset/call_kw", "/json/2/hotline.case/search_read", "/open311/v2/../../xmlrpc/2/object"):
            assert requests.post(external + path, timeout=30, verify=False).status_code in (403, 404), path
