import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

CENTER_GROUP = "hotline_case.group_agent"


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    # 提取码: given with the case number (by SMS to a mobile, by the agent on the call to a landline) to look
    # the case up on the public status page.
    hotline_retrieval_code = fields.Char(
        string="Retrieval Code", readonly=True, copy=False, groups=CENTER_GROUP,
        default=lambda self: f"{secrets.randbelow(10 ** 6):06d}",
    )
    hotline_sms_consent = fields.Boolean(
        string="Texts Agreed", groups=CENTER_GROUP,
        help="A confidential caller gets texts only when they agreed on the call.",
    )
    hotline_evaluation_channel = fields.Selection(
        [("phone", "Phone"), ("sms", "SMS Reply")], string="Evaluated By", readonly=True, copy=False,
    )
    hotline_sms_message_ids = fields.One2many("hotline.sms.message", "case_id", string="Texts",
                                              groups=CENTER_GROUP)
    hotline_sms_awaiting_reply = fields.Boolean(
        string="Awaiting SMS Reply", compute="_compute_hotline_sms_awaiting_reply",
        search="_search_hotline_sms_awaiting_reply",
        help="To call back, but the citizen may still answer the SMS survey: off the agents' callback list "
             "until the reply days are over.",
    )

    def _compute_hotline_sms_awaiting_reply(self):
        awaiting = self.sudo().search(Domain("id", "in", self._origin.ids)
                                      & self._search_hotline_sms_awaiting_reply("=", True))
        for case in self:
            case.hotline_sms_awaiting_reply = case._origin.id in awaiting.ids

    def _search_hotline_sms_awaiting_reply(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        surveys = self.env["hotline.sms.message"].sudo()._search(
            self.env["hotline.sms.message"]._awaiting_reply_domain())
        domain = Domain("state", "=", "callback") & Domain("id", "in", surveys.subselect("case_id"))
        return domain if (operator == "=") == value else ~domain

    @api.model_create_multi
    def create(self, vals_list):
        cases = super().create(vals_list)
        cases.filtered(lambda case: case.state != "draft")._hotline_sms_intake()
        return cases

    def _transition(self, action, to_state, vals=None, note=None, now=None, log_vals=None):
        from_draft = self.filtered(lambda case: case.state == "draft")
        result = super()._transition(action, to_state, vals=vals, note=note, now=now, log_vals=log_vals)
        if to_state != "draft":
            from_draft._hotline_sms_intake()
        if action == "review_approve":
            for case in self:
                params = {"case": case.name}
                self.env["hotline.sms.message"]._queue(case, "result", params)
                self.env["hotline.sms.message"]._queue(case, "survey", params)
        if action == "callback_done":
            self.filtered(lambda case: not case.hotline_evaluation_channel).write(
                {"hotline_evaluation_channel": "phone"})
        return result

    def _hotline_sms_intake(self):
        # a case taken more than a day ago (imported from the legacy system, merged...) is old news to its caller
        recent = fields.Datetime.now() - timedelta(days=1)
        for case in self.filtered(lambda case: case.date_received >= recent):
            self.env["hotline.sms.message"]._queue(
                case, "intake", {"case": case.name, "code": case.sudo().hotline_retrieval_code})
