import base64
import struct
import threading
import time
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytz

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .common import QUEUE, MonitorCase, ami

ARTEFACTS = Path(__file__).resolve().parents[3] / ".artefacts" / "monitor"

# Runs in the logged-out board: the tiles render, clicking one opens the agent panel, no number leaks.
BOARD_CHECK = """
(async () => {
    const wait = async (selector) => {
        for (let i = 0; i < 1200; i++) {  // a loaded machine may take a while to serve the first snapshot
            const el = document.querySelector(selector);
            if (el) { return el; }
            await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error("not found: " + selector);
    };
    const tile = await wait(".o_hm_tile.o_agent_oncall");
    if (!tile.innerText.includes("139****5678")) { throw new Error("caller not masked: " + tile.innerText); }
    await wait(".o_hm_queue .o_hm_abandoned li");
    const text = document.body.innerText;
    if (text.includes("13855556666") || text.includes("13912345678")) { throw new Error("a number leaked"); }
    if (!text.includes("%(name)s")) { throw new Error("board name missing"); }
    const bg = getComputedStyle(document.querySelector(".o_hm_board")).backgroundColor;
    const [r, g, b] = bg.match(/\\d+/g).map(Number);
    if (r + g + b > 120) { throw new Error("not a dark board: " + bg); }
    const size = parseFloat(getComputedStyle(document.querySelector(".o_hm_timer")).fontSize);
    if (size < %(min_font)s) { throw new Error("timer too small for a wall screen: " + size); }
    // read from the back of a hall: no text on the board below the screen's least label size
    const texts = [...document.querySelectorAll(".o_hm_board *")].filter((el) =>
        el.getClientRects().length && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
    const small = texts.filter((el) => parseFloat(getComputedStyle(el).fontSize) < %(min_label)s);
    if (small.length) {
        throw new Error("labels too small: " + small.map((el) =>
            `${el.className || el.tagName} ${getComputedStyle(el).fontSize} "${el.innerText}"`).join(", "));
    }
    // a small floor fills its part of the screen, and the board fits the screen
    await new Promise((r) => setTimeout(r, 300)); // the tiles' size follows a measure of their area
    const area = document.querySelector(".o_hm_agents").getBoundingClientRect();
    const covered = [...document.querySelectorAll(".o_hm_tile")].reduce((sum, el) => {
        const r = el.getBoundingClientRect();
        return sum + r.width * r.height;
    }, 0);
    if (covered < 0.8 * area.width * area.height) {
        throw new Error(`tiles cover ${Math.round((100 * covered) / (area.width * area.height))}%% of their area`);
    }
    if (area.width < 0.5 * window.innerWidth) { throw new Error("the agents' area is narrow: " + area.width); }
    if (document.scrollingElement.scrollHeight > window.innerHeight + 1) { throw new Error("the board scrolls"); }
    // the queue: one caller answered in 5 s, one abandoned; agent 1 on the call, agent 2 paused: no idle
    // agent is the only alarm (waiting 0 < 5, service level 100 %% >= 80 %%), and it flashes
    const queue = await wait('.o_hm_queue[data-queue="%(queue)s"]');
    if (!queue.classList.contains("o_hm_alarm")) { throw new Error("queue not in alarm"); }
    const kpis = [...queue.querySelectorAll(".o_hm_kpi")];
    const flashing = kpis.map((k, i) => (k.classList.contains("o_hm_flash") ? i : -1)).filter((i) => i >= 0);
    if (JSON.stringify(flashing) !== "[8]") { throw new Error("flashing: " + flashing); }
    const figures = kpis.map((k) => k.querySelector("b").innerText.trim());
    const expected = ["0", "00:00", "2", "1", "1", "50%%", "100%%", "2", "0", "1", "1"];
    if (JSON.stringify(figures) !== JSON.stringify(expected)) { throw new Error("queue figures: " + figures); }
    tile.click();
    const name = await wait(".o_hm_panel .o_hm_panel_name");
    if (!name.innerText.includes("陈静")) { throw new Error("wrong panel " + name.innerText); }
    await wait(".o_hm_panel .o_hm_inbound");
    document.querySelector(".o_hm_panel .o_hm_close").click();
    await new Promise((r) => setTimeout(r, 300));
    console.log("test successful");
})().catch((e) => console.error(e.message));
"""

# Runs in the logged-out board: the delay sign with the heartbeat's time, cleared by a heartbeat, back with no push.
DELAY_CHECK = """
(async () => {
    const sign = () => document.querySelector(".o_hm_delay");
    const until = async (test, what) => {
        for (let i = 0; i < 1200; i++) {
            if (test()) { return; }
            await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error("timed out: " + what);
    };
    await until(() => document.querySelector(".o_hm_tile") && sign(), "the delay sign");
    if (sign().innerText.trim() !== "数据延迟 · 自 %(since)s 起未更新") {
        throw new Error("sign: " + sign().innerText);
    }
    await until(() => !sign(), "the sign cleared by the heartbeat");
    const cleared = Date.now();
    await until(() => sign(), "the sign back without any push");
    const after = (Date.now() - cleared) / 1000;
    if (after < 2 || after > 12) { throw new Error("back after " + after + " s, the silence is 5 s"); }
    if (!/自 \\d\\d:\\d\\d:\\d\\d 起未更新/.test(sign().innerText)) { throw new Error("sign: " + sign().innerText); }
    console.log("test successful");
})().catch((e) => console.error(e.message));
"""


def png_size(data):
    """(width, height) from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@tagged("post_install", "-at_install")
class TestBoardBrowser(HttpCase, MonitorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        t = int(now.timestamp()) - 300
        from odoo.addons.hotline_telephony.ami.facts import from_event  # noqa: PLC0415
        from odoo.addons.hotline_telephony.ami.ingest import Ingestor  # noqa: PLC0415
        events = [
            ami("QueueMemberAdded", t, Queue=QUEUE, Interface="PJSIP/mon1", LoginTime=str(t), Paused="0"),
            ami("QueueMemberAdded", t, Queue=QUEUE, Interface="PJSIP/mon2", LoginTime=str(t), Paused="0"),
            ami("QueueMemberPause", t + 5, Queue=QUEUE, Interface="PJSIP/mon2", Paused="1", PausedReason="小休"),
            ami("QueueCallerJoin", t + 10, Uniqueid="b1.1", Linkedid="b1.1", Queue=QUEUE,
                CallerIDNum="13912345678", Position="1", Count="1"),
            ami("AgentConnect", t + 15, Uniqueid="b1.1", Queue=QUEUE, Interface="PJSIP/mon1", HoldTime="5",
                RingTime="2", CallerIDNum="13912345678"),
            ami("QueueCallerJoin", t + 20, Uniqueid="b2.1", Linkedid="b2.1", Queue=QUEUE,
                CallerIDNum="13855556666", Position="1", Count="1"),
            ami("QueueCallerAbandon", t + 60, Uniqueid="b2.1", Queue=QUEUE, Position="1", OriginalPosition="1",
                HoldTime="40"),
        ]
        facts = [from_event(e, t) for e in events]
        Ingestor(cls.env, cls.pbx).apply([f for f in facts if f])

    def run_board(self, width, height, min_font, min_label):
        """Open the logged-out board at a screen size, click an agent, keep a screenshot."""
        self.browser_size = f"{width},{height}"
        shots = []
        original = ChromeBrowser._wait_code_ok

        def wait_then_shoot(browser, *args, **kwargs):
            result = original(browser, *args, **kwargs)
            shots.append(browser._websocket_request("Page.captureScreenshot", params={"format": "png"}))
            return result

        code = BOARD_CHECK % {"name": self.board.name, "min_font": min_font, "min_label": min_label, "queue": QUEUE}
        with patch.object(ChromeBrowser, "_wait_code_ok", wait_then_shoot):
            self.browser_js(f"/hotline_monitor/board/{self.board.access_token}", code, timeout=150)
        data = base64.b64decode(shots[0]["data"])
        self.assertEqual(png_size(data), (width, height))
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        (ARTEFACTS / f"board_{width}x{height}.png").write_bytes(data)

    def test_board_1920x1080(self):
        self.run_board(1920, 1080, 18, 20)

    def test_board_3840x2160(self):
        # type grows with the screen: read from across the room on a 4K TV as on a full-HD one
        self.run_board(3840, 2160, 36, 40)

    def test_board_follows_the_bus(self):
        """A change ingested from AMI while the board is open repaints its tile: pushed, not polled."""
        from odoo.addons.hotline_telephony.ami.facts import from_event  # noqa: PLC0415
        from odoo.addons.hotline_telephony.ami.ingest import Ingestor  # noqa: PLC0415

        served = threading.Event()
        Live = type(self.env["hotline.monitor.live"])
        snapshot = Live._snapshot

        def snapshot_served(live, *args, **kwargs):
            result = snapshot(live, *args, **kwargs)
            served.set()
            return result

        def unpause():
            # after the board loaded its snapshot (paused); the bus hands a channel's recent messages
            # to a client that subscribes late, so the unpause reaches it even before it subscribed
            if not served.wait(120):
                return
            time.sleep(1)
            with self.registry.cursor() as cr:  # the test transaction, as the HTTP requests see it
                env = api.Environment(cr, SUPERUSER_ID, {})
                event = ami("QueueMemberPause", int(time.time()), Queue=QUEUE, Interface="PJSIP/mon2", Paused="0")
                fact = from_event(event, time.time())
                fact["live"] = True
                Ingestor(env, env["hotline.pbx"].browse(self.pbx.id)).apply([fact])
        pusher = threading.Thread(target=unpause)
        pusher.start()
        self.patch(Live, "_snapshot", snapshot_served)
        code = """
(async () => {
    const tile = () => [...document.querySelectorAll(".o_hm_tile")].find((t) => t.innerText.includes("刘洋"));
    for (let i = 0; i < 1200 && !(tile() && tile().classList.contains("o_agent_paused")); i++) {
        await new Promise((r) => setTimeout(r, 50));
    }
    if (!tile().classList.contains("o_agent_paused")) { throw new Error("not paused at first"); }
    for (let i = 0; i < 600; i++) {
        if (tile().classList.contains("o_agent_idle")) { console.log("test successful"); return; }
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the unpause never reached the board");
})().catch((e) => console.error(e.message));
"""
        try:
            self.browser_js(f"/hotline_monitor/board/{self.board.access_token}", code, timeout=150)
        finally:
            pusher.join()

    def test_board_shows_its_data_delayed_then_clears(self):
        """The bridge's heartbeat older than health's silence: the screen says since when its data is
        delayed, in the center's time; a heartbeat pushed clears it (and reloads the floor); with no push at
        all the sign comes back on the screen's own clock, as with a bridge killed."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_monitor"], ["zh_CN"], overwrite=True)
        self.board.lang = "zh_CN"
        self.env["ir.config_parameter"].sudo().set_param("hotline_health.bridge_silent_seconds", "5")
        seen = fields.Datetime.now() - timedelta(seconds=20)
        self.pbx.write({"bridge_heartbeat": seen, "bridge_status": "connected"})
        tz = self.env.company._hotline_tz()
        since = pytz.utc.localize(seen).astimezone(tz).strftime("%H:%M:%S")

        served = []
        Live = type(self.env["hotline.monitor.live"])
        snapshot = Live._snapshot

        def snapshot_served(live, *args, **kwargs):
            result = snapshot(live, *args, **kwargs)
            served.append(result["bridge"]["heartbeat"])
            return result

        def heartbeat():
            # the bridge catches up once the board has shown the sign
            deadline = time.monotonic() + 120
            while not served and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(3)
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["hotline.pbx"].browse(self.pbx.id)._bridge_report("connected", {"host": "b", "pid": 1})
        beat = threading.Thread(target=heartbeat)
        beat.start()
        self.patch(Live, "_snapshot", snapshot_served)
        code = DELAY_CHECK % {"since": since}
        try:
            self.browser_js(f"/hotline_monitor/board/{self.board.access_token}", code, timeout=150)
        finally:
            beat.join()
        self.assertGreaterEqual(len(served), 2, "the board reloaded the floor when the bridge caught up")
        self.assertGreater(served[-1], served[0])

    def test_supervisor_tour(self):
        self.board.sequence = 0  # 监控 › 大屏 opens the first board
        self.start_tour("/odoo", "hotline_monitor_board_tour", login="mon_reviewer")

    def test_wall_screen_recovers_from_a_502_and_a_network_cut(self):
        """A kiosk left alone: its first two snapshots answered 502 (a proxy while the server restarts)
        show the floor once the server answers, never the dead-URL message; then the network is cut while
        an agent comes back from a pause (a push the screen cannot receive): back online, the screen
        reloads the floor by itself."""
        from odoo.addons.hotline_telephony.ami.facts import from_event  # noqa: PLC0415
        from odoo.addons.hotline_telephony.ami.ingest import Ingestor  # noqa: PLC0415

        bad_gateways, browsers = [], []
        paused = ChromeBrowser._handle_request_paused
        wait_code_ok = ChromeBrowser._wait_code_ok

        def proxy(browser, **params):
            if params["request"]["url"].endswith("/snapshot") and len(bad_gateways) < 2:
                bad_gateways.append(params["request"]["url"])
                browser._websocket_send("Fetch.fulfillRequest", params={
                    "requestId": params["requestId"], "responseCode": 502,
                    "body": base64.b64encode(b"502 Bad Gateway").decode()})
                return None
            return paused(browser, **params)

        def keep_browser(browser, *args, **kwargs):
            browsers.append(browser)
            return wait_code_ok(browser, *args, **kwargs)

        served = []
        Live = type(self.env["hotline.monitor.live"])
        snapshot = Live._snapshot

        def snapshot_served(live, *args, **kwargs):
            result = snapshot(live, *args, **kwargs)
            served.append(time.monotonic())
            return result

        def network(offline):
            browsers[0]._websocket_request("Network.emulateNetworkConditions", params={
                "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})

        def cut():
            deadline = time.monotonic() + 120
            while not (served and browsers) and time.monotonic() < deadline:
                time.sleep(0.1)
            if not served:
                return
            time.sleep(1)
            network(True)
            time.sleep(2)
            with self.registry.cursor() as cr, patch.object(Live, "_send", lambda *a, **k: None):
                env = api.Environment(cr, SUPERUSER_ID, {})
                event = ami("QueueMemberPause", int(time.time()), Queue=QUEUE, Interface="PJSIP/mon2", Paused="0")
                fact = from_event(event, time.time())
                fact["live"] = True
                Ingestor(env, env["hotline.pbx"].browse(self.pbx.id)).apply([fact])
            cut_served.append(len(served))
            time.sleep(1)
            network(False)

        cut_served = []
        code = """
(async () => {
    const tile = () => [...document.querySelectorAll(".o_hm_tile")].find((t) => t.innerText.includes("刘洋"));
    const until = async (test, what) => {
        for (let i = 0; i < 1200; i++) {
            if (document.querySelector(".o_hm_revoked")) { throw new Error("the screen gave up: " + what); }
            if (test()) { return; }
            await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error("timed out: " + what);
    };
    await until(() => tile() && tile().classList.contains("o_agent_paused"), "the floor after two 502");
    await until(() => tile().classList.contains("o_agent_idle"), "the floor reloaded after the network cut");
    // the bus back too (a few seconds after the network): the sign that figures may be behind goes
    await until(() => !document.querySelector(".o_hm_connection"), "the connection sign cleared");
    // the wall speaks the board's language (zh_CN): no English word but the test queue's name
    const english = (document.body.innerText.match(/[A-Za-z]{3,}/g) || []).filter((w) => !["mon", "test"].includes(w));
    if (english.length) { throw new Error("untranslated on the wall: " + english.join(", ")); }
    console.log("test successful");
})().catch((e) => console.error(e.message));
"""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_monitor"], ["zh_CN"], overwrite=True)
        self.board.lang = "zh_CN"
        worker = threading.Thread(target=cut)
        self.patch(Live, "_snapshot", snapshot_served)
        self.patch(ChromeBrowser, "_handle_request_paused", proxy)
        self.patch(ChromeBrowser, "_wait_code_ok", keep_browser)
        worker.start()
        try:
            self.browser_js(f"/hotline_monitor/board/{self.board.access_token}", code, timeout=150)
        finally:
            worker.join()
        self.assertEqual(len(bad_gateways), 2)
        self.assertTrue(cut_served, "the network was cut after the floor showed")
        self.assertGreater(len(served), cut_served[0], "a snapshot was loaded again after the cut")
