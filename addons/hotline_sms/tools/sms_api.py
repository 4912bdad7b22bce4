"""Aliyun and Tencent Cloud SMS inside Odoo's ``sms`` framework (the way ``sms_twilio`` adds Twilio).

Chinese gateways only send approved templates: each ``sms.sms`` sent here carries its template code and
parameters (``hotline_template_code``, ``hotline_template_params``) and the project's own id (its uuid) as
the gateway's OutId / SessionContext. The gateways do not deduplicate, so a message the gateway has accepted
once is never handed to it again, and a request whose answer was lost is left "processing" for the delivery
receipt to settle rather than resent.
"""

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from odoo.addons.sms.tools.sms_api import SmsApiBase

_logger = logging.getLogger(__name__)

# Our states (the keys of PROVIDER_TO_SMS_FAILURE_TYPE) for the gateways' error codes.
ALIYUN_ERRORS = {
    "isv.MOBILE_NUMBER_ILLEGAL": "wrong_number_format",
    "isv.MOBILE_COUNT_OVER_LIMIT": "wrong_number_format",
    "isv.BUSINESS_LIMIT_CONTROL": "hotline_rate_limited",
    "isv.DAY_LIMIT_CONTROL": "hotline_rate_limited",
    "Throttling.User": "hotline_rate_limited",
    "Throttling": "hotline_rate_limited",
    "isv.AMOUNT_NOT_ENOUGH": "hotline_credit",
    "isv.OUT_OF_SERVICE": "hotline_credit",
    "isv.SMS_TEMPLATE_ILLEGAL": "hotline_template",
    "isv.TEMPLATE_MISSING_PARAMETERS": "hotline_template",
    "isv.TEMPLATE_PARAMS_ILLEGAL": "hotline_template",
    "isv.SMS_SIGNATURE_ILLEGAL": "hotline_template",
    "isv.INVALID_JSON_PARAM": "hotline_template",
    "InvalidAccessKeyId.NotFound": "hotline_auth",
    "SignatureDoesNotMatch": "hotline_auth",
    "IncompleteSignature": "hotline_auth",
    "isv.ACCOUNT_NOT_EXISTS": "hotline_auth",
    "isv.ACCOUNT_ABNORMAL": "hotline_auth",
    "isp.SYSTEM_ERROR": "server_error",
    "ServiceUnavailable": "server_error",
}
TENCENT_ERRORS = {
    "InvalidParameterValue.IncorrectPhoneNumber": "wrong_number_format",
    "FailedOperation.PhoneNumberInBlacklist": "wrong_number_format",
    "LimitExceeded.PhoneNumberThirtySecondLimit": "hotline_rate_limited",
    "LimitExceeded.PhoneNumberOneHourLimit": "hotline_rate_limited",
    "LimitExceeded.PhoneNumberDailyLimit": "hotline_rate_limited",
    "LimitExceeded.PhoneNumberSameContentDailyLimit": "hotline_rate_limited",
    "RequestLimitExceeded": "hotline_rate_limited",
    "FailedOperation.InsufficientBalanceInSmsPackage": "hotline_credit",
    "FailedOperation.TemplateIncorrectOrUnapproved": "hotline_template",
    "FailedOperation.SignatureIncorrectOrUnapproved": "hotline_template",
    "InvalidParameterValue.TemplateParameterFormatError": "hotline_template",
    "FailedOperation.MissingTemplateToModify": "hotline_template",
    "AuthFailure.SecretIdNotFound": "hotline_auth",
    "AuthFailure.SignatureFailure": "hotline_auth",
    "AuthFailure.SignatureExpire": "hotline_auth",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": "hotline_auth",
    "InternalError.Timeout": "server_error",
    "InternalError.RequestTimeException": "server_error",
}
# Worth another try later (with back-off); the others need a person (number, template, account).
RETRYABLE_STATES = frozenset({"server_error", "hotline_rate_limited"})


def _split_endpoint(endpoint, default_host):
    """('http', '127.0.0.1:8999') for 'http://127.0.0.1:8999'; https and the public host by default."""
    endpoint = (endpoint or "").strip().rstrip("/")
    if endpoint.startswith("http://"):
        return "http", endpoint[len("http://"):]
    if endpoint.startswith("https://"):
        endpoint = endpoint[len("https://"):]
    return "https", endpoint or default_host


def _never_reached(error):
    """The request surely did not reach the gateway (refused or unresolved connection): safe to resend."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        text = str(error)
        if isinstance(error, OSError) and not isinstance(error, TimeoutError) and (
                "refused" in text.lower() or "Name or service not known" in text):
            return True
        if "Connection refused" in text or "Failed to establish a new connection" in text \
                or "ConnectTimeout" in type(error).__name__:
            return True
        error = error.__cause__ or error.__context__
    return False


class HotlineSmsApi(SmsApiBase):
    PROVIDER_TO_SMS_FAILURE_TYPE = SmsApiBase.PROVIDER_TO_SMS_FAILURE_TYPE | {
        "hotline_rate_limited": "hotline_rate_limited",
        "hotline_template": "hotline_template",
        "hotline_auth": "sms_acc",
        "hotline_credit": "sms_credit",
    }
    ERRORS = {}
    DEFAULT_HOST = ""
    TIMEOUT = 5  # seconds: the cron sends 500 at a time, one slow gateway must not hold it for long
    WORKERS = 8

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        uuids = [number["uuid"] for message in messages for number in message.get("numbers") or []]
        sms_by_uuid = {sms.uuid: sms for sms in self.env["sms.sms"].sudo().search([("uuid", "in", uuids)])}
        company = (self.company or self.env.company).sudo()
        results, jobs = [], []
        for message in messages:
            for number in message.get("numbers") or []:
                sms = sms_by_uuid.get(number["uuid"])
                result = {"uuid": number["uuid"]}
                if sms and sms.hotline_message_id.provider_ref:
                    # accepted by the gateway before (a resend of an SMS that went): never texted twice
                    result["state"] = "success"
                elif not sms or not sms.hotline_template_code:
                    result.update(state="hotline_template", failure_reason=self.env._(
                        "The SMS gateway only sends approved templates: this message has no template code."))
                else:
                    jobs.append((result, sms.number, sms.hotline_template_code,
                                 json.loads(sms.hotline_template_params or "{}"), sms.uuid,
                                 sms.hotline_message_id.extend_code or None))
                results.append(result)
        if jobs:
            settings = self._settings(company)
            for (result, *_job), outcome in zip(jobs, self._call_gateway(settings, jobs), strict=True):
                if outcome.pop("unreachable", False):
                    outcome["failure_reason"] = self.env._("The SMS gateway cannot be reached.")
                result.update(outcome)
        return results

    @staticmethod
    def _settings(company):
        """The company's gateway settings as plain values: the sending threads do not touch the ORM."""
        return {
            "endpoint": company.hotline_sms_endpoint,
            "sign_name": company.hotline_sms_sign_name or "",
            "access_key": company.hotline_sms_access_key or "",
            "access_secret": company.hotline_sms_access_secret or "",
            "app_id": company.hotline_sms_app_id or "",
        }

    def _call_gateway(self, settings, jobs):
        """One request per text (each has its own id), WORKERS at a time: a gateway answers in tens of
        milliseconds, most of it waiting, so a batch of 500 takes seconds instead of half a minute."""
        local = threading.local()

        def call(job):
            _result, number, template_code, params, uuid, extend = job
            if getattr(local, "client", None) is None:
                local.client = self._client(settings)
            try:
                return self._send_one(local.client, settings, number, template_code, params, uuid, extend)
            except Exception as error:  # noqa: BLE001 - any SDK or network failure is a result
                return self._exception_result(error)

        if len(jobs) == 1:
            return [call(jobs[0])]
        with ThreadPoolExecutor(max_workers=min(self.WORKERS, len(jobs))) as pool:
            return list(pool.map(call, jobs))

    def _exception_result(self, error):
        code = getattr(error, "code", None)
        if code and code in self.ERRORS:
            return {"state": self.ERRORS[code], "failure_reason": str(code)}
        if _never_reached(error):
            return {"state": "server_error", "unreachable": True}
        _logger.warning("SMS gateway gave no answer (%s): left processing until its delivery receipt", error)
        return {"state": "processing", "hotline_uncertain": True}

    def _result_for_code(self, code, message, provider_ref):
        if code in ("OK", "Ok"):
            return {"state": "success", "hotline_provider_ref": provider_ref}
        state = self.ERRORS.get(code)
        if not state:
            _logger.warning("SMS gateway: unknown error %s (%s)", code, message)
            state = "unknown"
        return {"state": state, "failure_reason": f"{code}: {message or ''}"[:200]}

    def _get_sms_api_error_messages(self):
        return super()._get_sms_api_error_messages() | {
            "hotline_rate_limited": self.env._("The SMS gateway is limiting the sending rate: tried again later."),
            "hotline_template": self.env._("The SMS template or signature is not approved by the gateway."),
            "hotline_auth": self.env._("The SMS gateway refused the credentials."),
            "hotline_credit": self.env._("The SMS gateway account has no credit left."),
        }


class SmsApiAliyun(HotlineSmsApi):
    ERRORS = ALIYUN_ERRORS
    DEFAULT_HOST = "dysmsapi.aliyuncs.com"

    def _client(self, settings):
        from alibabacloud_dysmsapi20170525.client import Client  # noqa: PLC0415 - optional SDK
        from alibabacloud_tea_openapi import utils_models  # noqa: PLC0415

        protocol, host = _split_endpoint(settings["endpoint"], self.DEFAULT_HOST)
        return Client(utils_models.Config(
            access_key_id=settings["access_key"], access_key_secret=settings["access_secret"],
            endpoint=host, protocol=protocol, read_timeout=self.TIMEOUT * 1000, connect_timeout=3000,
        ))

    def _send_one(self, client, settings, number, template_code, params, uuid, extend=None):
        from alibabacloud_dysmsapi20170525 import models as sms_models  # noqa: PLC0415
        from darabonba.runtime import RuntimeOptions  # noqa: PLC0415

        request = sms_models.SendSmsRequest(
            phone_numbers=number, sign_name=settings["sign_name"], template_code=template_code,
            template_param=json.dumps(params, ensure_ascii=False), out_id=uuid, sms_up_extend_code=extend,
        )
        # no SDK retry: a retried request the gateway had received would text twice
        runtime = RuntimeOptions(autoretry=False, max_attempts=0,
                                 read_timeout=self.TIMEOUT * 1000, connect_timeout=3000)
        body = client.send_sms_with_options(request, runtime).body
        return self._result_for_code(body.code, body.message, body.biz_id)


class SmsApiTencent(HotlineSmsApi):
    ERRORS = TENCENT_ERRORS
    DEFAULT_HOST = "sms.tencentcloudapi.com"

    def _client(self, settings):
        from tencentcloud.common import credential  # noqa: PLC0415 - optional SDK
        from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: PLC0415
        from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: PLC0415
        from tencentcloud.sms.v20210111 import sms_client  # noqa: PLC0415

        protocol, host = _split_endpoint(settings["endpoint"], self.DEFAULT_HOST)
        profile = ClientProfile(httpProfile=HttpProfile(protocol=protocol, endpoint=host, reqTimeout=self.TIMEOUT))
        cred = credential.Credential(settings["access_key"], settings["access_secret"])
        return sms_client.SmsClient(cred, "ap-guangzhou", profile)

    def _send_one(self, client, settings, number, template_code, params, uuid, extend=None):
        from tencentcloud.sms.v20210111 import models as sms_models  # noqa: PLC0415

        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{number}"]
        request.SmsSdkAppId = settings["app_id"]
        request.SignName = settings["sign_name"]
        request.TemplateId = template_code
        # Tencent's templates take positional parameters {1}, {2}... in the order of the template's names
        request.TemplateParamSet = [str(value) for value in params.values()]
        request.SessionContext = uuid
        if extend:
            request.ExtendCode = extend
        response = client.SendSms(request)
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            return {"state": "server_error"}
        return self._result_for_code(status.Code, status.Message, status.SerialNo)

    # Tencent hands each reply out once per pull, at most 100 a call
    PULL_LIMIT = 100

    def pull_replies(self, company):
        """The replies waiting at Tencent (PullSmsReplyStatus), as [{number, content, extend}]: for a site that
        takes replies by pulling rather than by the reply callback (no inbound route to publish)."""
        from tencentcloud.sms.v20210111 import models as sms_models  # noqa: PLC0415

        settings = self._settings(company.sudo())
        client = self._client(settings)
        replies = []
        while True:
            request = sms_models.PullSmsReplyStatusRequest()
            request.SmsSdkAppId = settings["app_id"]
            request.Limit = self.PULL_LIMIT
            items = client.PullSmsReplyStatus(request).PullSmsReplyStatusSet or []
            replies += [{"number": item.PhoneNumber or item.SubscriberNumber, "content": item.ReplyContent,
                         "extend": item.ExtendCode} for item in items]
            if len(items) < self.PULL_LIMIT:
                return replies
