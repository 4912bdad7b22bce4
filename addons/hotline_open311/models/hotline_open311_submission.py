from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# How long an Idempotency-Key is remembered (the IETF draft's common practice: a day), and how long an identical
# request of a client without a key counts as the same request sent again (minutes, settable).
KEY_HOURS = 24
DEFAULT_WINDOW_MINUTES = 10


class HotlineOpen311Submission(models.Model):
    """The POST requests of the last day, one row per client and idempotency key: the key the client sent
    (Idempotency-Key header) or, without one, the fingerprint of its parameters. A request sent again (a
    client's retry after a timeout or a lost answer) finds the row and gets the first request's answer instead of
    filing a second case.

    The unique key also settles two copies sent at once: the second one's insert waits for the first
    transaction, fails to serialize, and Odoo replays it; the replay then finds the committed row."""

    _name = "hotline.open311.submission"
    _description = "Open311 Request Received"
    _log_access = False

    client_id = fields.Many2one("hotline.open311.client", required=True, ondelete="cascade")
    key = fields.Char(required=True, help="key:<Idempotency-Key> or fp:<fingerprint of the parameters>.")
    fingerprint = fields.Char(required=True, help="SHA-256 of the request's parameters (the key left out).")
    case_id = fields.Many2one("hotline.case", ondelete="cascade")
    date = fields.Datetime(required=True)

    _client_key_uniq = models.Constraint("UNIQUE(client_id, key)", "One request per client and key.")

    @api.model
    def _claim(self, client, key, fingerprint, expires):
        """Take `key` for a new request of `client`: (True, row) when it is free (never seen, seen before
        `expires`, or refused without a case), else (False, the row of the request that holds it).

        A copy in a concurrent transaction makes the insert fail to serialize: Odoo replays the request, an
        expected event that is not logged as a failed query."""
        now = fields.Datetime.now()
        self.env.cr.execute(SQL(
            """INSERT INTO hotline_open311_submission (client_id, key, fingerprint, date) VALUES (%s, %s, %s, %s)
               ON CONFLICT (client_id, key) DO UPDATE
                   SET fingerprint = EXCLUDED.fingerprint, date = EXCLUDED.date, case_id = NULL
                   WHERE hotline_open311_submission.date < %s OR hotline_open311_submission.case_id IS NULL
               RETURNING id""", client.id, key, fingerprint, now, expires), log_exceptions=False)
        row = self.env.cr.fetchone()
        if row:
            return True, self.browse(row[0])
        return False, self.search([("client_id", "=", client.id), ("key", "=", key)], limit=1)

    @api.autovacuum
    def _gc_submissions(self):
        self.env.cr.execute(SQL("DELETE FROM hotline_open311_submission WHERE date < %s",
                                fields.Datetime.now() - timedelta(hours=KEY_HOURS)))
