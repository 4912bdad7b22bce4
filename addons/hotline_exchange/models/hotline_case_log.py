from odoo import api, fields, models

from .hotline_case import EXCHANGE_ACTOR, MAX_ACTOR_LENGTH, UNIT_ACTIONS, clean_actor


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
        logs = super().create(vals_list)
        if self.env.context.get("hotline_exchange_applying") and not actor:
            return logs
        role = self.env["hotline.exchange.event"]._role()
        if role == "center":
            # the snapshot is taken just before commit, once the transaction's steps are all done
            self.env["hotline.case"]._exchange_pending()["logs"].extend(logs.ids)
        elif role == "unit" and not self.env.context.get("hotline_exchange_applying"):
            # a unit's step on its copy: for the center, in this very transaction (a step refused here rolls
            # back with it)
            Event = self.env["hotline.exchange.event"]
            for log in logs.filtered(lambda line: line.action in UNIT_ACTIONS).sudo():
                case = log.case_id
                if case.exchange_ref:
                    Event._enqueue(log.action, case._exchange_unit_action_payload(log.action), case=case,
                                   unit_code=log.unit_id.code or case.unit_id.code, actor=self.env.user.name,
                                   lang=self.env.user.lang or self.env.lang)
        return logs
