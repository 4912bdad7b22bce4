"""A minimal headless-Chromium driver over the DevTools protocol, for
end-to-end checks that must see what a person sees (the web client renders,
menus appear) without a browser-automation dependency."""

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*"]


def executable():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is required for the browser checks (scripts/setup.sh installs it)"
    return path


class Browser:
    def __init__(self, width=1280, height=900):
        self.profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)  # Chromium may still write on exit
        self.proc = subprocess.Popen(
            [executable(), *FLAGS, f"--user-data-dir={self.profile.name}", f"--window-size={width},{height}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        port = self._devtools_port()
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.ids = itertools.count(1)

    def _devtools_port(self):
        deadline = time.monotonic() + 30
        for line in self.proc.stderr:
            if "DevTools listening on ws://" in line:
                return int(line.split("ws://127.0.0.1:")[1].split("/")[0])
            assert time.monotonic() < deadline, "Chromium did not open its DevTools port"
        raise AssertionError("Chromium exited before opening its DevTools port")

    def call(self, method, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == msg_id:
                assert "error" not in reply, reply["error"]
                return reply.get("result", {})

    def goto(self, url):
        self.call("Page.navigate", url=url)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate(f"!!({expression})"):
                    return
            except AssertionError:
                pass  # page between two documents
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for: {expression}")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.profile.cleanup()
