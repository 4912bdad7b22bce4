from . import (
    hotline_case,
    hotline_case_lookup,
    hotline_sms_message,
    hotline_sms_reply,
    hotline_sms_template,
    res_company,
    sms_sms,
)
