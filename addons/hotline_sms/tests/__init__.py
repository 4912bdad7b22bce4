from . import test_sms_gateway, test_sms_reply, test_sms_routes
