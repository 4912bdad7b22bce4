"""What the tests' stand-ins of other systems (the 12345 platform, the SMS gateways...) share: a threaded HTTP
server on 127.0.0.1 in a thread of its own, a handler that answers and stays quiet, and HMAC-SHA256.

Standard library only: the benches load the stand-ins too."""

import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def hmac_sha256(key, message, hexdigest=True):
    """HMAC-SHA256 of `message` (str or bytes) under `key` (str or bytes): hex, or the raw digest."""
    key = key.encode() if isinstance(key, str) else key
    message = message.encode() if isinstance(message, str) else message
    mac = hmac.new(key, message, hashlib.sha256)
    return mac.hexdigest() if hexdigest else mac.digest()


class StandInHandler(BaseHTTPRequestHandler):
    """A handler of a stand-in: `self.server.standin` is the stand-in, `_send` one whole answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall per request)

    def log_message(self, *args):
        pass

    def _read_body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status, body, headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class StandInServer:
    """Base of a stand-in: serves `handler` on 127.0.0.1:`port` (0: any free port) once started."""

    def __init__(self, handler, port=0):
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.server.standin = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
