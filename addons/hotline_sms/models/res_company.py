from odoo import fields, models

from ..tools.sms_api import SmsApiAliyun, SmsApiTencent

SYSTEM = "base.group_system"


class ResCompany(models.Model):
    """The center's SMS gateway (one per company) and when the citizen may be texted."""

    _name = "res.company"
    _inherit = ["res.company", "hotline.secret.mixin"]

    hotline_sms_provider = fields.Selection(
        [("none", "Odoo's own"), ("aliyun", "Aliyun SMS"), ("tencent", "Tencent Cloud SMS")],
        string="SMS Gateway", default="none", required=True, groups=SYSTEM,
    )
    hotline_sms_endpoint = fields.Char(
        string="Gateway Endpoint", groups=SYSTEM,
        help="Host (and port) of the gateway's API; empty for the public one (dysmsapi.aliyuncs.com, "
             "sms.tencentcloudapi.com).",
    )
    hotline_sms_sign_name = fields.Char(string="SMS Signature", groups=SYSTEM,
                                        help="The approved signature, e.g. 12319热线.")
    hotline_sms_access_key = fields.Char(string="Access Key ID / SecretId", groups=SYSTEM, copy=False,
                                         hotline_secret=True)
    hotline_sms_access_secret = fields.Char(
        string="Access Key Secret / SecretKey", groups=SYSTEM, copy=False, hotline_secret=True,
    )
    hotline_sms_app_id = fields.Char(string="Tencent SmsSdkAppId", groups=SYSTEM)
    hotline_sms_push_token = fields.Char(
        string="Push Token", groups=SYSTEM, copy=False, hotline_secret=True,
        help="Shared secret of the gateway's reply and receipt pushes: the push URL carries it as ?token=.",
    )
    hotline_sms_extend_codes = fields.Boolean(
        string="Extend Codes", groups=SYSTEM,
        help="The gateway account has extend codes (扩展码): each survey is sent from its own extended number, so "
             "that a reply names its survey even when the citizen has two open.",
    )
    hotline_sms_quiet_start = fields.Float(string="Quiet Hours From", default=21.0)
    hotline_sms_quiet_end = fields.Float(string="Quiet Hours Until", default=8.0)
    hotline_sms_pull_replies = fields.Boolean(
        string="Pull Replies", groups=SYSTEM,
        help="Tencent: fetch the citizens' replies every few minutes (PullSmsReplyStatus) instead of receiving "
             "the reply callback, for a center without an inbound route from the internet.",
    )
    hotline_sms_reply_days = fields.Integer(
        string="Survey Reply Days", default=2,
        help="Days a citizen has to answer the SMS survey: until then the case stays off the agents' callback "
             "list; without a reply it goes there, with a task for its agent.",
    )
    hotline_sms_callback_minutes = fields.Float(
        string="Average Callback (minutes)", default=3.0,
        help="An agent's average time for a callback: the time saved by each survey answered by SMS.",
    )

    def _get_sms_api_class(self):
        self.ensure_one()
        provider = self.sudo().hotline_sms_provider
        if provider == "aliyun":
            return SmsApiAliyun
        if provider == "tencent":
            return SmsApiTencent
        return super()._get_sms_api_class()
