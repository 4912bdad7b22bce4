from . import test_sms_dashboard
