from odoo import api, fields, models

from .hotline_case import EXCHANGE_ACTOR, MAX_ACTOR_LENGTH, clean_actor


class HotlineCaseLog(models.Model):
    _inherit = "hotline.case.log"

    exchange_ref = fields.Integer(string="Center Log ID", readonly=True,
                                  help="On the unit server: the id of the line on the center.")
    exchange_actor = fields.Char(string="Acting User", readonly=True,
                                 help="The user of the other server who took this step (the unit server's user "
                                      "on the center, the center's user on the unit server).")

    @api.model_create_multi
    def create(self, vals_list):
        actor = EXCHANGE_ACTOR.get()
        for vals in vals_list:
            if actor:
                vals.setdefault("exchange_actor", actor)
            if vals.get("exchange_actor"):
                vals["exchange_actor"] = clean_actor(vals["exchange_actor"], limit=2 * MAX_ACTOR_LENGTH)
        return super().create(vals_list)
