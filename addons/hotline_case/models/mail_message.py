from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists


class MailMessage(models.Model):
    _inherit = "mail.message"

    # The unit holding the case when the message was posted: a unit reads what was sent to a case while it held it,
    # and its own messages, never what the unit after it did or received (record rules, hotline_security.xml).
    # Set once, at creation, from the case's log; a plain indexed column the rules compare.
    hotline_unit_id = fields.Many2one(
        "hotline.unit", string="Unit Holding the Case", readonly=True, index="btree_not_null", ondelete="set null",
        copy=False,
    )
    # The current user's units hold the message's case now: a unit posts or edits messages on a case only then.
    hotline_held = fields.Boolean(
        string="Held by My Unit", compute="_compute_hotline_held", search="_search_hotline_held")

    def _auto_init(self):
        new_column = not column_exists(self.env.cr, self._table, "hotline_unit_id")
        result = super()._auto_init()
        if new_column and table_exists(self.env.cr, "hotline_case_log"):
            # messages posted before this column existed: the unit holding their case at their date
            self.env.cr.execute(SQL(
                "UPDATE mail_message m SET hotline_unit_id = %s WHERE m.model = 'hotline.case'",
                self.env["hotline.case"]._holder_sql(SQL("m.res_id"), until=SQL("m.date")),
            ))
        return result

    @api.model_create_multi
    def create(self, vals_list):
        case_ids = {vals.get("res_id") for vals in vals_list if vals.get("model") == "hotline.case"}
        holders = self.env["hotline.case"].browse(case_ids - {None, False})._holding_units() if case_ids else {}
        for vals in vals_list:
            vals.pop("hotline_unit_id", None)  # the log decides, never a client
            if vals.get("model") == "hotline.case":
                vals["hotline_unit_id"] = holders.get(vals.get("res_id"))
        return super().create(vals_list)

    def write(self, vals):
        if "hotline_unit_id" in vals and not self.env.su:
            raise AccessError(self.env._("The unit a message was sent to cannot be changed."))
        return super().write(vals)

    @api.depends_context("uid")
    def _compute_hotline_held(self):
        cases = self.env["hotline.case"].browse({m.res_id for m in self if m.model == "hotline.case" and m.res_id})
        held = cases._held_by_user()
        for message in self:
            message.hotline_held = message.model == "hotline.case" and message.res_id in held.ids

    def _search_hotline_held(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        units = self.env.user.sudo().hotline_unit_ids.ids

        def to_sql(model, alias, query):
            holder = model.env["hotline.case"]._holder_sql(SQL.identifier(alias, "res_id"))
            return SQL("(%s = 'hotline.case' AND COALESCE(%s = ANY(%s), FALSE))",
                       SQL.identifier(alias, "model"), holder, units)
        held = Domain.custom(to_sql=to_sql)
        return held if (operator == "in") == (True in value) else ~held
