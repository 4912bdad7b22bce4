from . import test_case_status, test_sms_gateway, test_sms_push, test_sms_reply
