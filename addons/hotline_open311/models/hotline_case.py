from odoo import fields, models
from odoo.addons.hotline_case.models.hotline_case import CENTER_GROUP


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

    # GET requests/{id} and service_request_id=: the case number's own b-tree (its trigram index serves
    # searches by part of the number, an equality scans many of its entries)
    _name_btree_idx = models.Index("(name)")
