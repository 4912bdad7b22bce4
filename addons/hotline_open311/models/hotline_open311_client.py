import hashlib
import secrets

from odoo import api, fields, models

# Requests a minute a client application may make with its key, unless set otherwise on the client.
DEFAULT_RATE_LIMIT = 60


def key_hash(api_key):
    return hashlib.sha256(api_key.encode()).hexdigest()


class HotlineOpen311Client(models.Model):
    """A client application of the Open311 API (the city's web form, a WeChat mini-program, a grid-management
    system): its API key and how the center takes in what it files."""

    _name = "hotline.open311.client"
    _description = "Open311 Client Application"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    contact = fields.Char(help="Who runs the application: name, phone or e-mail.")
    intake = fields.Selection(
        [("review", "Agent Review"), ("pool", "Dispatch Pool")], required=True, default="review",
        help="Agent Review: the case waits in 受理 for an agent to check it. Dispatch Pool: a complete case goes "
             "straight to the dispatchers (转调度); an incomplete one still waits for an agent.",
    )
    type_id = fields.Many2one(
        "hotline.case.type", string="Default Case Type",
        help="The case type of a request that does not name one (attribute case_type).",
    )
    rate_limit = fields.Integer(string="Requests per Minute", required=True, default=DEFAULT_RATE_LIMIT)
    key_prefix = fields.Char(string="Key", readonly=True, copy=False,
                             help="The first characters of the key, to tell keys apart; the key itself is not kept.")
    key_hash = fields.Char(readonly=True, copy=False, index=True, groups="base.group_system")
    case_count = fields.Integer(string="Cases", compute="_compute_case_count")

    _rate_limit_positive = models.Constraint("CHECK(rate_limit > 0)", "The rate limit must be positive.")

    def _compute_case_count(self):
        counts = dict(self.env["hotline.case"].sudo()._read_group(
            [("open311_client_id", "in", self.ids)], ["open311_client_id"], ["__count"]))
        for client in self:
            client.case_count = counts.get(client, 0)

    def action_generate_key(self):
        """A new key (the old one stops working), shown once to whoever made it: only its hash is kept."""
        self.ensure_one()
        # the hash is written as superuser (administrators' field): whoever may edit the client may do it
        self.check_access("write")
        api_key = secrets.token_urlsafe(32)
        self.sudo().write({"key_hash": key_hash(api_key), "key_prefix": api_key[:6]})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("API key of %s", self.name),
                "message": self.env._("Copy the key now, it is not shown again: %s", api_key),
                "sticky": True,
                "type": "warning",
            },
        }

    @api.model
    def _from_key(self, api_key):
        """The active client of `api_key`, or an empty recordset."""
        if not api_key:
            return self.browse()
        return self.sudo().search([("key_hash", "=", key_hash(api_key))], limit=1)
