from . import test_health_checks, test_health_http, test_health_security
