from . import res_company, hotline_sms_template, hotline_sms_message, hotline_sms_reply, hotline_case, sms_sms
