from odoo import api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Normalised copy of `phone`, indexed: caller lookup at intake must stay fast on large databases.
    hotline_phone_norm = fields.Char(
        string="Normalised Phone", compute="_compute_hotline_phone_norm", store=True, index=True,
    )
    # Units this partner is the contact of: unit users read these partners, never callers (record rules).
    hotline_contact_unit_ids = fields.One2many("hotline.unit", "partner_id", string="Contact of Units")

    @api.depends("phone")
    def _compute_hotline_phone_norm(self):
        normalize = self.env.company._hotline_normalize_phone
        for partner in self:
            norm = False
            if partner.phone:
                try:
                    norm = normalize(partner.phone)
                except UserError:
                    norm = False
            partner.hotline_phone_norm = norm

    @api.model
    def _hotline_find_by_phone(self, phone):
        """Return the partners whose phone matches `phone` once normalised (most recent first)."""
        if not phone:
            return self.browse()
        norm = self.env.company._hotline_normalize_phone(phone)
        return self.search([("hotline_phone_norm", "=", norm)], order="id desc")
