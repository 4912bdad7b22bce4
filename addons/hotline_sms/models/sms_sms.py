from collections import defaultdict

from odoo import fields, models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    hotline_message_id = fields.Many2one("hotline.sms.message", index="btree_not_null", readonly=True)
    hotline_template_code = fields.Char(readonly=True)
    hotline_template_params = fields.Text(readonly=True)
    failure_type = fields.Selection(selection_add=[
        ("sms_not_delivered", "Not Delivered"),
        ("hotline_rate_limited", "Gateway Rate Limit"),
        ("hotline_template", "Template Not Approved"),
    ])

    def _hotline_company(self):
        return self.hotline_message_id.company_id or self._get_sms_company()

    def _split_by_api(self):
        # the gateway is the company's choice (as sms_twilio): group the texts by company
        by_company = defaultdict(lambda: self.env["sms.sms"])
        for sms in self:
            by_company[sms._hotline_company()] += sms
        others = self.browse()
        for company, company_sms in by_company.items():
            if company.sudo().hotline_sms_provider in ("aliyun", "tencent"):
                sms_api = company._get_sms_api_class()(self.env)
                sms_api._set_company(company)
                yield sms_api, company_sms
            else:
                others += company_sms
        if others:
            yield from super(SmsSms, others)._split_by_api()


    def _handle_call_result_hook(self, results):
        by_uuid = {sms.uuid: sms for sms in self if sms.hotline_message_id}
        for result in results:
            sms = by_uuid.get(result.get("uuid"))
            if sms:
                sms.hotline_message_id._apply_send_result(result)
        return super()._handle_call_result_hook(results)
