from . import test_sms_health
