import json
from datetime import timedelta

from odoo import fields
from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.hotline_exchange_monitor.models import hotline_exchange_link
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestExchangeOnBoard(TransactionCase):
    """The unit server exchange's lag on the wallboard's situation panel, pushed when it changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.board = cls.env["hotline.wallboard"].create({"name": "交换大屏"})
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("hotline_exchange.role", "center")
        cls.env["hotline.exchange.event"].search([("state", "=", "pending")]).write({"state": "sent"})
        cls.link = cls.env["hotline.exchange.link"]._get_link()
        cls.link.write({"failures": 0, "last_success": fields.Datetime.now(), "last_error": False})

    def setUp(self):
        super().setUp()
        hotline_exchange_link._shown.clear()

    def link_row(self):
        return {row["key"]: row for row in self.env["hotline.monitor.kpi"]._case_situation()["links"]}.get("exchange")

    def pushed_links(self):
        """The exchange rows of the panels the board's screens received since the last call."""
        self.env.cr.precommit.run()
        key = json_dump(channel_with_db(self.env.cr.dbname, self.board.access_token))
        rows = self.env["bus.bus"].sudo().search([("channel", "=", key)], order="id")
        panels = [json.loads(r.message)["payload"] for r in rows]
        rows.unlink()
        return [{row["key"]: row for row in p["cases"]["links"]}.get("exchange") for p in panels if "cases" in p]

    def test_panel_row_follows_the_link(self):
        self.params.set_param("hotline_exchange.role", "single")
        self.assertIsNone(self.link_row(), "a single-database site has no exchange to show")
        self.params.set_param("hotline_exchange.role", "center")
        row = self.link_row()
        self.assertEqual((row["level"], row["since"]), ("green", False))
        # an event the unit server has not had for an hour: red, the lag ticking from its time
        event = self.env["hotline.exchange.event"]._enqueue("unit", {"code": "X"})
        an_hour_ago = fields.Datetime.now().replace(microsecond=0) - timedelta(hours=1)
        self.env.cr.execute("UPDATE hotline_exchange_event SET create_date = %s WHERE id = %s",
                            [an_hour_ago, event.id])
        row = self.link_row()
        self.assertEqual(row["level"], "red")
        self.assertEqual(row["since"], int((an_hour_ago - fields.Datetime.from_string("1970-01-01"))
                                           .total_seconds() * 1000))
        self.assertEqual(row["label"], "Unit Server Sync Lag")

    def test_pushed_when_the_level_changes_not_on_every_round(self):
        Link = self.env["hotline.exchange.link"]
        self.pushed_links()
        self.assertTrue(Link._show_on_boards(commit=False), "the first round shows the link")
        self.assertEqual([row["level"] for row in self.pushed_links()], ["green"])
        self.assertFalse(Link._show_on_boards(commit=False), "nothing changed: no push")
        self.assertEqual(self.pushed_links(), [])
        self.link.write({"failures": 1, "last_error": "The unit server cannot be reached"})
        self.assertTrue(Link._show_on_boards(commit=False))
        self.assertEqual([row["level"] for row in self.pushed_links()], ["amber"])
        # events waiting: shown again after REFRESH_SECONDS, not before (the board ticks meanwhile)
        self.env["hotline.exchange.event"]._enqueue("unit", {"code": "Y"})
        self.assertTrue(Link._show_on_boards(commit=False))
        self.pushed_links()
        self.assertFalse(Link._show_on_boards(commit=False))
        shown, _at = hotline_exchange_link._shown[self.env.cr.dbname]
        hotline_exchange_link._shown[self.env.cr.dbname] = (shown, _at - hotline_exchange_link.REFRESH_SECONDS)
        self.assertTrue(Link._show_on_boards(commit=False))
        rows = self.pushed_links()
        self.assertEqual(len(rows), 1)
        self.assertTrue(rows[0]["since"])

    def test_a_round_shows_the_link(self):
        """The exchange's own round (as the loop and the cron run it) pushes the panel."""
        self.pushed_links()
        self.params.set_param("hotline_exchange.unit_url", "")
        stats = self.env["hotline.exchange.link"]._run(commit=False)
        self.assertTrue(stats["error"], "no unit server configured: the round fails")
        self.assertEqual([row["level"] for row in self.pushed_links()], ["amber"])
