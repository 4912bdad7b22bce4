from . import test_sms_dashboard, test_sms_dashboard_browser
