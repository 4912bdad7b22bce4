import secrets

from odoo import api, fields, models
from odoo.addons.hotline_case.models.hotline_case import CENTER_GROUP
from odoo.exceptions import ValidationError

# The photos the API may publish, read from their content (what browsers show inline, nothing they run).
OPEN311_PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    # Where the problem is, in GCJ-02 (the datum of the maps the center uses); the Open311 API converts
    # from and to the WGS84 of the specification (tools/gcj02.py).
    latitude = fields.Float(digits=(10, 7), copy=False)
    longitude = fields.Float(digits=(10, 7), copy=False)
    # The Open311 request behind the case: the client application and what it sent of the requester
    # (center only: nothing of it is published, nor shown to units).
    open311_client_id = fields.Many2one("hotline.open311.client", string="Open311 Client", readonly=True,
                                        copy=False, index="btree_not_null", groups=CENTER_GROUP)
    open311_token = fields.Char(string="Open311 Token", readonly=True, copy=False, index="btree_not_null",
                                groups=CENTER_GROUP)
    open311_email = fields.Char(string="Requester E-mail", readonly=True, copy=False, groups=CENTER_GROUP)
    open311_account_id = fields.Char(string="Requester Account", readonly=True, copy=False, groups=CENTER_GROUP)
    open311_device_id = fields.Char(string="Requester Device", readonly=True, copy=False, groups=CENTER_GROUP)
    open311_media_url = fields.Char(string="Photo Link", readonly=True, copy=False, groups=CENTER_GROUP,
                                    help="A photo the requester's application published; not fetched by the center.")

    # The photo the center publishes with the request (default: the one the requester filed through Open311;
    # a unit's or an agent's only when the center picks it) and the unguessable part of its public URL, new for
    # every photo picked so that a photo taken back is no longer served under a URL already given out.
    open311_media_id = fields.Many2one(
        "ir.attachment", string="Published Photo", copy=False, groups=CENTER_GROUP,
        domain=f"[('res_model', '=', 'hotline.case'), ('res_id', '=', id), "
               f"('mimetype', 'in', {list(OPEN311_PHOTO_TYPES)})]",
        help="The photo Open311 clients see with the request (its media_url); none for a confidential case.")
    open311_media_token = fields.Char(readonly=True, copy=False, index="btree_not_null", groups=CENTER_GROUP)

    # GET requests/{id} and service_request_id=: the case number's own b-tree (its trigram index serves
    # searches by part of the number, an equality scans many of its entries)
    _name_btree_idx = models.Index("(name)")

    @api.constrains("open311_media_id")
    def _check_open311_media(self):
        for case in self.sudo():
            photo = case.open311_media_id
            if photo and (photo.res_model != "hotline.case" or photo.res_id != case.id
                          or photo.mimetype not in OPEN311_PHOTO_TYPES):
                raise ValidationError(self.env._("The published photo must be a JPEG, PNG or WebP photo of this "
                                                 "case."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("open311_media_id"):
                vals["open311_media_token"] = secrets.token_urlsafe(24)
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if "open311_media_id" in vals:
            for case in self.sudo():
                case.open311_media_token = secrets.token_urlsafe(24) if case.open311_media_id else False
        return result

    def _open311_attach_photo(self, raw, mimetype):
        """Store the photo a requester filed through Open311 as the case's file and publish it (the default the
        center may change on the case). Named after the case, not the sender's file name."""
        self.ensure_one()
        extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[mimetype]
        photo = self.env["ir.attachment"].sudo().create({
            "name": f"{self.name}-open311.{extension}", "raw": raw, "mimetype": mimetype,
            "res_model": self._name, "res_id": self.id,
        })
        self.sudo().open311_media_id = photo
        return photo
