from . import test_health_backup, test_health_checks, test_health_http, test_health_security
