from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestExchangeHealth(TransactionCase):
    def rows(self):
        return {row["key"]: row for row in self.env["hotline.health.check"]._probe_exchange()}

    def test_row_follows_the_link(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("hotline_exchange.role", "single")
        self.assertEqual(self.rows(), {})
        params.set_param("hotline_exchange.role", "center")
        self.env["hotline.exchange.event"].search([("state", "=", "pending")]).write({"state": "sent"})
        link = self.env["hotline.exchange.link"]._get_link()
        link.write({"failures": 0, "last_success": fields.Datetime.now(), "last_error": False})
        self.assertEqual(self.rows()["exchange"]["state"], "green")
        link.write({"failures": 2, "last_error": "The unit server cannot be reached"})
        row = self.rows()["exchange"]
        self.assertEqual(row["state"], "amber")
        self.assertIn("cannot be reached", self.env["hotline.health.check"]._words(row["fact"]))
        # an undelivered event older than a quarter of an hour
        event = self.env["hotline.exchange.event"]._enqueue("unit", {"code": "X"})
        self.env.cr.execute("UPDATE hotline_exchange_event SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(hours=1), event.id])
        self.assertEqual(self.rows()["exchange"]["state"], "red")

    def test_dead_letters_turn_the_row_amber(self):
        """Malformed events refused in the last hour: amber, with the count and the latest reason."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("hotline_exchange.role", "center")
        self.env["hotline.exchange.event"].search([("state", "=", "pending")]).write({"state": "sent"})
        Inbox = self.env["hotline.exchange.inbox"].sudo()
        Inbox.search([("dead_letter", "=", True)]).unlink()
        self.env["hotline.exchange.link"]._get_link().write(
            {"failures": 0, "last_success": fields.Datetime.now(), "last_error": False})
        self.assertEqual(self.rows()["exchange"]["state"], "green")
        Inbox.create({"uid": "old", "result": "refused", "reason": "an hour ago", "dead_letter": True,
                      "date": fields.Datetime.now() - timedelta(hours=2)})
        Inbox.create({"uid": "x", "result": "refused", "reason": "No such case", "dead_letter": False})
        self.assertEqual(self.rows()["exchange"]["state"], "green", "old dead letters and refused steps: green")
        Inbox.create({"uid": "y", "result": "refused", "dead_letter": True,
                      "reason": "The event contains a NUL character."})
        row = self.rows()["exchange"]
        self.assertEqual(row["state"], "amber")
        fact = self.env["hotline.health.check"]._words(row["fact"])
        self.assertIn("1 malformed events refused in the last hour", fact)
        self.assertIn("NUL character", fact)
