from . import test_case_status_tour, test_sms_gateway, test_sms_reply, test_sms_routes
