from datetime import timedelta

from odoo import api, fields, models
from odoo.sql_db import Cursor
from odoo.tools import SQL


class HotlineOpen311Usage(models.Model):
    """Requests per minute of a client application (by key) or of an anonymous visitor (by address): the
    rate limits count these, in a transaction of their own so that a refused or failed request counts too."""

    _name = "hotline.open311.usage"
    _description = "Open311 Usage"
    _log_access = False

    bucket = fields.Char(required=True, help="client:<id> for a key, ip:<address> for an anonymous visitor.")
    minute = fields.Datetime(required=True, help="The minute counted (UTC).")
    hits = fields.Integer(required=True, default=0)

    _bucket_minute_uniq = models.Constraint("UNIQUE(bucket, minute)", "One counter per bucket and minute.")

    @api.model
    def _hit(self, bucket, limit, now=None):
        """Count a request of `bucket` within `limit` a minute: (allowed, seconds until the next minute)."""
        now = now or fields.Datetime.now()
        minute = now.replace(second=0, microsecond=0)
        # READ COMMITTED: concurrent requests of one key wait on the counter's row instead of failing to
        # serialize (and being replayed) as they would under Odoo's REPEATABLE READ
        with self.env.registry.cursor() as cr:
            if isinstance(cr, Cursor):  # not the tests' shared cursor, already in a transaction
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                # a counter lost in a crash costs nothing: the commit does not wait for the disk (every request
                # of the API commits one)
                cr.execute("SET LOCAL synchronous_commit TO OFF")
            cr.execute(SQL(
                """INSERT INTO hotline_open311_usage (bucket, minute, hits) VALUES (%s, %s, 1)
                   ON CONFLICT (bucket, minute) DO UPDATE SET hits = hotline_open311_usage.hits + 1
                   RETURNING hits""", bucket, minute))
            hits = cr.fetchone()[0]
        return hits <= limit, 60 - now.second

    @api.autovacuum
    def _gc_usage(self):
        self.env.cr.execute(SQL("DELETE FROM hotline_open311_usage WHERE minute < %s",
                                fields.Datetime.now() - timedelta(hours=1)))
