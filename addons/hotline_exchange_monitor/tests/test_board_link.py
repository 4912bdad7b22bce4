from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

# Runs in the logged-out board: the exchange's row is on the situation panel (in the board's Chinese), red,
# its lag ticking.
LINK_CHECK = """
(async () => {
    let link;
    for (let i = 0; i < 1200 && !link; i++) {  // a loaded machine may take a while to serve the snapshot
        link = document.querySelector(".o_hm_cases .o_hm_link");
        if (!link) { await new Promise((r) => setTimeout(r, 50)); }
    }
    if (!link) { throw new Error("no link on the situation panel"); }
    if (!link.classList.contains("o_hm_link_red")) { throw new Error("not red: " + link.className); }
    if (!link.innerText.includes("单位服务器同步滞后")) { throw new Error("label: " + link.innerText); }
    const lag = () => link.querySelector("b").innerText.trim();
    const first = lag();
    if (!/^2:0\\d:\\d\\d$/.test(first)) { throw new Error("lag of two hours expected: " + first); }
    await new Promise((r) => setTimeout(r, 2100));
    if (lag() === first) { throw new Error("the lag does not tick: " + first); }
    console.log("test successful");
})().catch((e) => console.error(e.message));
"""


@tagged("post_install", "-at_install")
class TestBoardLink(HttpCase):
    def test_board_shows_the_exchange_lag(self):
        self.env["ir.config_parameter"].sudo().set_param("hotline_exchange.role", "center")
        board = self.env["hotline.wallboard"].create({"name": "交换大屏"})
        self.env["hotline.exchange.event"].search([("state", "=", "pending")]).write({"state": "sent"})
        event = self.env["hotline.exchange.event"]._enqueue("unit", {"code": "X"})
        self.env.cr.execute("UPDATE hotline_exchange_event SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(hours=2), event.id])
        self.browser_js(f"/hotline_monitor/board/{board.access_token}", LINK_CHECK, timeout=150)
